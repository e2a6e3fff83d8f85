// backtrace.c: who called whom, from the frame pointers.
//
// The kernel is built with -fno-omit-frame-pointer, so every function starts with
//   push %rbp; mov %rsp, %rbp
// and each frame holds [saved rbp of the caller][return address]. Following the saved rbp
// chain visits every caller; the return addresses name them. Names come from .ksyms, a
// table that the build makes from the linked kernel (tools/ksyms.sh) and links back in.
//
// The walk trusts nothing: a frame must lie inside a known kernel stack, be aligned, and
// sit above the previous one, or the walk stops.
#include <stdbool.h>
#include <stdint.h>
#include "gdt.h"
#include "panic.h"
#include "printk.h"
#include "vm.h"

#define MAX_FRAMES 24

// The generated symbol table (build/ksyms.c): ksym_addr[] is sorted and has one more entry
// than there are names, the end of the text section, so every function has a size.
extern const uint64_t ksym_count;
extern const uint64_t ksym_addr[];
extern const uint32_t ksym_name[];
extern const char ksym_names[];

extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];   // boot.asm

uint64_t boot_stack_lo(void) { return (uint64_t)boot_stack_bottom; }
uint64_t boot_stack_hi(void) { return (uint64_t)boot_stack_top; }

bool stack_guard_hit(uint64_t a) {
    return (a >= (uint64_t)boot_stack_guard && a < (uint64_t)boot_stack_bottom) ||
           kstack_guard_hit(a);
}


static bool on_kernel_stack(uint64_t addr, uint64_t len) {
    return (addr >= boot_stack_lo() && addr + len <= boot_stack_hi()) ||
           ist_stack_contains(addr, len) || kstack_contains(addr, len);
}

// Binary search for the last symbol at or below addr.
static int ksym_find(uint64_t addr) {
    if (ksym_count == 0 || addr < ksym_addr[0] || addr >= ksym_addr[ksym_count])
        return -1;
    uint64_t lo = 0, hi = ksym_count;   // invariant: ksym_addr[lo] <= addr < ksym_addr[hi]
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ksym_addr[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo;
}

void print_symbol_cont(uint64_t addr) {
    int i = ksym_find(addr);
    if (i < 0) {
        pr_cont("0x%016llx", (unsigned long long)addr);
        return;
    }
    pr_cont("%s+0x%llx/0x%llx", &ksym_names[ksym_name[i]],
            (unsigned long long)(addr - ksym_addr[i]),
            (unsigned long long)(ksym_addr[i + 1] - ksym_addr[i]));
}

static void print_frame(uint64_t addr) {
    pr_emerg(" ");
    print_symbol_cont(addr);
    pr_cont("\n");
}

void dump_backtrace(uint64_t rip, uint64_t rbp) {
    pr_emerg("Call Trace:\n");
    print_frame(rip);
    for (int n = 0; n < MAX_FRAMES; n++) {
        if (rbp == 0 || (rbp & 7) || !on_kernel_stack(rbp, 16))
            return;
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (ret == 0)
            return;
        print_frame(ret - 1);        // -1: name the call instruction, not the one after it
        if (frame[0] <= rbp)
            return;                  // frames must move up the stack
        rbp = frame[0];
    }
    pr_emerg(" ... (more frames)\n");
}
