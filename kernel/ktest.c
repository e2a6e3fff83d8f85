// ktest.c: crash the kernel on purpose, so tests can watch each kind of trap get caught.
//
// ktest=NAME on the command line runs one of these at the end of boot. It is what Linux's
// LKDTM module does for Linux's own tests. Each one must end in a named dump and a panic;
// if it returns, the test that asked for it fails.
#include <stdint.h>
#include <string.h>
#include "cpu.h"
#include "ktest.h"
#include "mm.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"
#include "uaccess.h"
#include "vm.h"

// In C, 1 / zero is undefined behaviour, and gcc rewrites it without a divide at all.
// The instruction itself is what we want to test.
static void divide_error(void) {
    uint64_t dividend = 1, zero = 0;
    __asm__ volatile("xor %%edx, %%edx; divq %1" : "+a"(dividend) : "r"(zero) : "rdx");
}

static void invalid_opcode(void) { __asm__ volatile("ud2"); }
static void int3(void) { __asm__ volatile("int3"); }

static void page_fault(void) {
    volatile uint64_t *null = (volatile uint64_t *)(uintptr_t)0;
    *null = 1;   // nothing is mapped at 0: the kernel must catch its own NULL pointer
}

static void general_protection(void) {
    // Bit 63 set but not bits 48..62: a non-canonical address, which is a #GP, not a #PF.
    volatile uint64_t *noncanonical = (volatile uint64_t *)0x8000000000000000ull;
    (void)*noncanonical;
}

// Each call keeps 512 bytes live, so 16 KiB of stack is gone after ~32 calls. The result
// is used after the call, so the compiler can't turn the recursion into a loop.
static uint64_t __attribute__((noinline)) recurse(uint64_t depth) {
    volatile uint8_t pad[512];
    if (depth == UINT64_MAX)   // never: only here so compilers don't call it infinite
        return 0;
    pad[0] = (uint8_t)depth;
    return recurse(depth + 1) + pad[0];
}
static void stack_overflow(void) { recurse(0); }

static void requested_panic(void) { panic("ktest: panic requested on the command line"); }

// The kernel's text is mapped read-only: even the kernel cannot change its own code.
static void write_ro(void) {
    *(volatile uint8_t *)(void *)write_ro = 0xc3;
}

// Data pages are mapped no-execute: a jump into data is caught.
static void exec_data(void) {
    static uint8_t code[16] = { 0xc3 };   // "ret", in .data
    ((void (*)(void))(void *)code)();
}

// With SMAP, the kernel may touch user memory only inside a user-access window (stac/clac,
// which only uaccess.c opens). Map a user page and read it without one.
static void access_user(void) {
    uint64_t va = 0x400000, pa = alloc_page();
    if (!pa || vm_map_page(vm_current(), va, pa, VM_READ | VM_WRITE | VM_USER) != 0) {
        pr_err("ktest: access_user: no memory\n");
        return;
    }
    if (!cpu.smap)
        pr_warn("ktest: this CPU has no SMAP (try qemu -cpu max): the read will succeed\n");
    (void)*(volatile uint64_t *)va;
    vm_unmap_page(vm_current(), va);
    free_page(pa);
}

// The user copies' own faults are no panic (uaccess.c): a copy running from a mapped user
// page into an unmapped one stores the bytes before the hole, then fails with -EFAULT,
// leaving the window closed. No process runs yet, so there is no mm to fault pages in
// from: every fault here goes straight to the fixup. The summary line is the result; the
// panic after it only ends the test.
static void copy_faults(void) {
    uint64_t va = 0x400000, pa = alloc_page();
    if (!pa || vm_map_page(vm_current(), va, pa, VM_READ | VM_WRITE | VM_USER) != 0) {
        pr_err("ktest: uaccess_fault: no memory\n");
        return;
    }
    pte_t *next = vm_walk(vm_current(), va + PAGE_SIZE, false);
    if (next && (*next & PTE_P)) {
        pr_err("ktest: uaccess_fault: the page after the test page is mapped\n");
        return;
    }
    char *end = (char *)va + PAGE_SIZE, *kview = (char *)phys_to_virt(pa) + PAGE_SIZE;
    memset(kview - 4, '.', 4);
    int to = copy_to_user(end - 4, "abcdefgh", 8);
    char from[8] = "xxxxxxxx";
    int fr = copy_from_user(from, end - 4, 8);
    char str[16];
    long sn = strncpy_from_user(str, end - 4, sizeof str);
    uint32_t old = 0;
    int cx = cmpxchg_user_u32((uint32_t *)end, &old, 1);
    pr_notice("ktest: uaccess_fault: copy_to_user %d, stored \"%.4s\"; copy_from_user %d, "
              "got \"%.4s\" + %s; strncpy_from_user %ld; cmpxchg_user_u32 %d\n", to, kview - 4,
              fr, from, from[4] || from[5] || from[6] || from[7] ? "garbage" : "zeroes", sn, cx);
    uaccess_check_closed("the end of ktest uaccess_fault");   // panics if a window stayed open
    vm_unmap_page(vm_current(), va);
    free_page(pa);
    panic("ktest: uaccess_fault: every copy came back");
}

// Lockdep (spinlock.c): two locks taken in one order, then in the other. Nothing deadlocks
// here (one CPU, one at a time), which is the point: the checker must see the possibility.
static struct spinlock ktest_lock_a = SPINLOCK_INIT("ktest_a"), ktest_lock_b = SPINLOCK_INIT("ktest_b");

static void lockdep_inversion(void) {
    uint64_t fa = spin_lock_irqsave(&ktest_lock_a), fb = spin_lock_irqsave(&ktest_lock_b);
    spin_unlock_irqrestore(&ktest_lock_b, fb);
    spin_unlock_irqrestore(&ktest_lock_a, fa);
    fb = spin_lock_irqsave(&ktest_lock_b);
    fa = spin_lock_irqsave(&ktest_lock_a);        // panics: a was taken before b
    spin_unlock_irqrestore(&ktest_lock_a, fa);
    spin_unlock_irqrestore(&ktest_lock_b, fb);
}

// Going to sleep with a spinlock held: schedule() makes this very check first.
static void lockdep_sleep(void) {
    uint64_t f = spin_lock_irqsave(&ktest_lock_a);
    lockdep_assert_none_held("sleeping");
    spin_unlock_irqrestore(&ktest_lock_a, f);
}

static void lockdep_recursive(void) {
    uint64_t f = spin_lock_irqsave(&ktest_lock_a);
    uint64_t g = spin_lock_irqsave(&ktest_lock_a);  // would spin forever: lockdep panics
    spin_unlock_irqrestore(&ktest_lock_a, g);
    spin_unlock_irqrestore(&ktest_lock_a, f);
}

// Two address spaces' locks at once: one class ("mm"), so no order between them exists.
static void lockdep_two_mms(void) {
    struct mm *a = mm_create(), *b = mm_create();
    if (!a || !b)
        panic("ktest: lockdep_two_mms: no memory");
    uint64_t fa = mm_lock(a), fb = mm_lock(b);   // panics: a second "mm" lock
    mm_unlock(b, fb);
    mm_unlock(a, fa);
}

// A page freed twice: the first free puts it on this CPU's own list (percpu_pages.c), and
// the second must still be caught as a double free, not listed again.
static void double_free(void) {
    uint64_t pa = alloc_page();
    if (!pa)
        panic("ktest: double_free: no memory");
    free_page(pa);
    free_page(pa);                     // panics: "page_alloc: double free of ..."
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
    { "divide_error", divide_error },
    { "invalid_opcode", invalid_opcode },
    { "int3", int3 },
    { "page_fault", page_fault },
    { "general_protection", general_protection },
    { "stack_overflow", stack_overflow },
    { "panic", requested_panic },
    { "write_ro", write_ro },
    { "exec_data", exec_data },
    { "access_user", access_user },
    { "uaccess_fault", copy_faults },
    { "lockdep_inversion", lockdep_inversion },
    { "lockdep_sleep", lockdep_sleep },
    { "lockdep_recursive", lockdep_recursive },
    { "lockdep_two_mms", lockdep_two_mms },
    { "double_free", double_free },
};

void ktest_run(const char *name) {
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (strcmp(name, tests[i].name) == 0) {
            pr_notice("ktest: %s\n", name);
            tests[i].fn();
            pr_err("ktest: %s returned: the kernel did not catch it\n", name);
            return;
        }
    }
    pr_err("ktest: unknown test \"%s\"\n", name);
}
