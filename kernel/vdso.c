// vdso.c: the vDSO and its vvar page, as Linux maps them into every process.
//
// The vDSO (vdso/) is an ELF shared object that answers clock_gettime, gettimeofday and
// time in user mode, from the TSC and the vvar page that kernel/time.c keeps up to date.
// Its image is built with the kernel and embedded in it (vdso_image.asm); at boot it is
// copied into pages of its own, so no other kernel data shares a page with it.
//
// Mapping: at exec, [vvar][vDSO pages] go just above the stack, read-only (vvar) and
// read+execute (code), user. The pages belong to one shmem object (mm.h) that the kernel
// holds a reference to for ever, marked pinned: fork shares them instead of copying, the
// end of an address space never frees them, and mprotect cannot make them writable (one
// write would change every process's clock).
#include <stdint.h>
#include "kmalloc.h"
#include "memlayout.h"
#include "mm.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "string.h"
#include "time.h"
#include "vdso.h"
#include "vm.h"
#include "../vdso/vvar.h"

extern const char vdso_image_start[], vdso_image_end[];

// One page of gap above the stack, then the vvar page, then the code. Linux puts them above
// the stack too, at a random place; ours is fixed (there is no address randomization).
#define VVAR_ADDR (USER_STACK_TOP + PAGE_SIZE)
#define VDSO_ADDR (VVAR_ADDR + PAGE_SIZE)

static struct shmem *vdso_pages;  // [0] the vvar page, [1..] the image; never freed

void vdso_init(void) {
    uint64_t size = (uint64_t)(vdso_image_end - vdso_image_start);
    uint64_t npages = 1 + (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (VDSO_ADDR + (npages - 1) * PAGE_SIZE > USER_TOP)
        panic("vdso: %llu bytes do not fit above the stack", (unsigned long long)size);
    struct shmem *shm = kzalloc(sizeof *shm + npages * sizeof shm->pages[0]);
    if (!shm)
        panic("vdso: out of memory");
    shm->refs = 1;                // the kernel's own reference: the count never reaches 0
    shm->pinned = true;
    shm->npages = npages;
    for (uint64_t i = 0; i < npages; i++) {
        if (!(shm->pages[i] = alloc_page()))
            panic("vdso: out of memory");
        memset(phys_to_virt(shm->pages[i]), 0, PAGE_SIZE);
    }
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        memcpy(phys_to_virt(shm->pages[1 + off / PAGE_SIZE]), vdso_image_start + off,
               size - off < PAGE_SIZE ? size - off : PAGE_SIZE);
    vdso_pages = shm;
    time_attach_vvar(phys_to_virt(shm->pages[0]));
    pr_info("vdso: %llu bytes at %#llx, vvar at %#llx\n", (unsigned long long)size,
            (unsigned long long)VDSO_ADDR, (unsigned long long)VVAR_ADDR);
}

long vdso_map(struct mm *mm) {
    uint64_t code_len = (vdso_pages->npages - 1) * PAGE_SIZE;
    int err = mm_map_shmem(mm, VVAR_ADDR, PAGE_SIZE, VM_READ, vdso_pages, 0);
    if (!err)
        err = mm_map_shmem(mm, VDSO_ADDR, code_len, VM_READ | VM_EXEC, vdso_pages, 1);
    return err ? err : (long)VDSO_ADDR;
}
