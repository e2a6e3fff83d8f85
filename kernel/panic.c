// panic.c: the end of the line. Linux's wording, so the two can be compared:
//
//   Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000
//
// After the message: the registers at the call, the call trace, and then what panic= says:
// wait forever (0, the default), reboot after N seconds, or reboot at once (negative; under
// QEMU's -no-reboot that ends QEMU, which is how the tests finish).
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "gdt.h"
#include "panic.h"
#include "power.h"
#include "printk.h"
#include "proc.h"
#include "smp.h"
#include "time.h"
#include "trap.h"
#include "x86.h"

int panic_timeout;
static bool panicking;

// The caller's registers, as far as C can see them: good enough to place the panic.
#define SAVE(reg) "mov %%" #reg ", %c[" #reg "](%[tf])\n\t"
#define AT(reg) [reg] "i"(offsetof(struct trapframe, reg))
static void capture_registers(struct trapframe *tf) {
    __asm__ volatile(
        SAVE(rax) SAVE(rbx) SAVE(rcx) SAVE(rdx) SAVE(rsi) SAVE(rdi) SAVE(rbp) SAVE(rsp)
        SAVE(r8) SAVE(r9) SAVE(r10) SAVE(r11) SAVE(r12) SAVE(r13) SAVE(r14) SAVE(r15)
        "lea 0(%%rip), %%rax\n\t"
        "mov %%rax, %c[rip](%[tf])\n\t"
        : : [tf] "r"(tf), AT(rax), AT(rbx), AT(rcx), AT(rdx), AT(rsi), AT(rdi), AT(rbp),
            AT(rsp), AT(r8), AT(r9), AT(r10), AT(r11), AT(r12), AT(r13), AT(r14), AT(r15),
            AT(rip)
        : "rax", "memory");
    tf->rflags = read_rflags();
    tf->cs = KERNEL_CS;
    tf->ss = KERNEL_DS;
}

void panic(const char *fmt, ...) {
    cli();
    if (__atomic_exchange_n(&panicking, true, __ATOMIC_SEQ_CST)) {
        // a panic while panicking (on this CPU or another): say nothing more, just stop
        for (;;)
            hlt();
    }
    smp_stop_others();           // the other CPUs halt (by NMI), so this message prints alone

    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);

    struct trapframe regs = { 0 };
    capture_registers(&regs);
    pr_emerg("Kernel panic - not syncing: %s\n", reason);
    struct proc *p = current_or_null();
    int cpu = percpu_ready ? this_cpu()->id : 0;
    pr_emerg("CPU: %d PID: %d Comm: %s\n", cpu, p ? p->pid : 0, p ? p->comm : "swapper/0");
    trap_dump(&regs);
    dump_backtrace(regs.rip, regs.rbp);

    if (panic_timeout > 0) {
        pr_emerg("Rebooting in %d seconds..\n", panic_timeout);
        mdelay((uint64_t)panic_timeout * 1000);
    }
    if (panic_timeout != 0)
        machine_restart();
    pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", reason);
    for (;;)
        hlt();
}
