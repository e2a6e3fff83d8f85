// uaccess.c: checked copies between user and kernel memory (see uaccess.h).
//
// The check walks the current process's page tables page by page, faulting in what is
// missing; the copy follows at once. Nothing runs between the two unless prepare() sleeps -
// mm_fault may wait for the OOM killer - and then another thread of the process could unmap
// a page already checked, and the copy would fault in the kernel (a panic naming the
// window, see uaccess_explain_fault). With SMP the gap is real at any time: Linux's
// approach (let the copy fault, and fix the fault up from an exception table) will be needed.
//
// These are the only places the kernel opens the user-access window (stac/clac). Memory of
// another address space is reached through mm.c's mm_poke_new_image and mm_peek_other,
// by the direct map, with their own explicit checks.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "panic.h"
#include "printk.h"
#include "string.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

// True exactly while a copy below is inside its window: the self-checks' view of it, kept
// whether or not the CPU has SMAP. Only the kernel code of the running thread sets it, and
// never across a sleep (a copy does not sleep); an interrupt handler reads it only.
// Per CPU once there are more.
static bool window_open;

static inline void user_access_begin(void) {
    window_open = true;
    if (cpu.smap)
        __asm__ volatile("stac" ::: "memory");
}

static inline void user_access_end(void) {
    if (cpu.smap)
        __asm__ volatile("clac" ::: "memory");
    window_open = false;
}

// Is [addr, addr+n) inside user space, without wrapping?
static bool user_range(uint64_t addr, size_t n) {
    return addr < USER_TOP && n <= USER_TOP - addr;
}

// Makes every page of the range present and accessible as asked, or says -EFAULT.
static int prepare(uint64_t addr, size_t n, bool write) {
    if (!user_range(addr, n))
        return -EFAULT;
    if (n == 0)
        return 0;
    struct mm *mm = current()->mm;
    for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + n; page += PAGE_SIZE) {
        pte_t *pte = vm_walk(mm->pml4, page, false);
        bool ok = pte && (*pte & PTE_P) && (*pte & PTE_U) && (!write || (*pte & PTE_W));
        if (!ok && mm_fault(mm, page, write, false) != 0)
            return -EFAULT;
    }
    return 0;
}

int copy_from_user(void *dst, const void *usrc, size_t n) {
    if (prepare((uint64_t)usrc, n, false))
        return -EFAULT;
    user_access_begin();
    memcpy(dst, usrc, n);
    user_access_end();
    return 0;
}

int copy_to_user(void *udst, const void *src, size_t n) {
    if (prepare((uint64_t)udst, n, true))
        return -EFAULT;
    user_access_begin();
    memcpy(udst, src, n);
    user_access_end();
    return 0;
}

int cmpxchg_user_u32(uint32_t *uaddr, uint32_t *old, uint32_t new) {
    if (((uint64_t)uaddr & 3) || prepare((uint64_t)uaddr, sizeof *uaddr, true))
        return -EFAULT;
    uint32_t expected = *old;
    user_access_begin();
    __asm__ volatile("lock cmpxchgl %2, %1"
                     : "+a"(expected), "+m"(*uaddr) : "r"(new) : "memory", "cc");
    user_access_end();
    *old = expected;
    return 0;
}

// ---------------------------------------------------------------- self-checks

#define RFLAGS_AC (1ull << 18)

void uaccess_trap_entry(const struct trapframe *tf) {
    if (!cpu.smap)
        return;                          // AC means nothing to the kernel then (and clac is #UD)
    if ((tf->cs & 3) == 0 && (tf->rflags & RFLAGS_AC) && !window_open)
        panic("uaccess: RFLAGS.AC set in the kernel outside a user-access window "
              "(rip %llx): SMAP was off", (unsigned long long)tf->rip);
    __asm__ volatile("clac" ::: "memory");
}

void uaccess_check_closed(const char *where) {
    bool ac = cpu.smap && (read_rflags() & RFLAGS_AC);
    if (window_open || ac)
        panic("uaccess: a user-access window is open at %s (window %d, RFLAGS.AC %d): "
              "SMAP must be in force outside uaccess.c's copies", where, window_open, ac);
}

void uaccess_explain_fault(uint64_t addr) {
    if (addr >= USER_TOP)
        return;
    if (window_open)
        pr_emerg("uaccess: a user page went away inside a copy window (checked just before)\n");
    else
        pr_emerg("uaccess: kernel access to user address %llx outside the uaccess.h doors\n",
                 (unsigned long long)addr);
}

long strncpy_from_user(char *dst, const char *usrc, size_t max) {
    uint64_t addr = (uint64_t)usrc;
    for (size_t i = 0; i < max; i++) {
        // Check page by page as the string goes on: it may end just before an unmapped page.
        if (i == 0 || ((addr + i) & (PAGE_SIZE - 1)) == 0)
            if (prepare(addr + i, 1, false))
                return -EFAULT;
        user_access_begin();
        dst[i] = usrc[i];
        user_access_end();
        if (dst[i] == '\0')
            return (long)i;
    }
    return -ENAMETOOLONG;
}
