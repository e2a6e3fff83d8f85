// uaccess.c: checked copies between user and kernel memory (see uaccess.h).
//
// The check walks the current process's page tables page by page. That is enough while a
// process has one thread and nothing else can change its mappings during the copy; with
// threads, Linux's approach (let the copy fault, and fix the fault up) will be needed.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "string.h"
#include "uaccess.h"
#include "vm.h"

static inline void user_access_begin(void) { if (cpu.smap) __asm__ volatile("stac" ::: "memory"); }
static inline void user_access_end(void)   { if (cpu.smap) __asm__ volatile("clac" ::: "memory"); }

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
