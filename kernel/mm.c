// mm.c: user address spaces as lists of VMAs, with pages faulted in on first touch.
//
// Invariants:
//   - the VMA list is sorted by start address, and VMAs never overlap;
//   - a page is present in the page tables only inside a VMA, with the VMA's protection;
//   - every present user page belongs to exactly one address space (no sharing yet; fork
//     copies), so unmapping a page frees it.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mm.h"
#include "page_alloc.h"
#include "string.h"
#include "vm.h"

static uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }

struct mm *mm_create(void) {
    struct mm *mm = kzalloc(sizeof *mm);
    if (!mm)
        return NULL;
    mm->pml4 = vm_create();
    if (!mm->pml4) {
        kfree(mm);
        return NULL;
    }
    mm->refs = 1;
    mm->mmap_top = USER_MMAP_TOP;
    return mm;
}

struct mm *mm_get(struct mm *mm) {
    mm->refs++;
    return mm;
}

static void shm_put(struct shmem *shm) {
    if (--shm->refs > 0)
        return;
    for (uint64_t i = 0; i < shm->npages; i++)
        if (shm->pages[i])
            free_page(shm->pages[i]);
    kfree(shm);
}

// Unmaps every present page of a VMA. Private pages are freed; shared ones belong to the
// shmem object, which lets go of them when its last user does.
static void unmap_vma(struct mm *mm, struct vma *v) {
    vm_unmap_range(mm->pml4, v->start, v->end, v->shm == NULL);
    if (v->shm)
        shm_put(v->shm);
}

void mm_put(struct mm *mm) {
    if (--mm->refs > 0)
        return;
    for (struct vma *v = mm->vmas, *next; v; v = next) {
        next = v->next;
        if (v->shm)
            unmap_vma(mm, v);        // shared pages must not be freed with the tables
        kfree(v);
    }
    vm_destroy(mm->pml4);   // frees every page and table of the user half
    kfree(mm);
}

struct vma *mm_find(struct mm *mm, uint64_t addr) {
    for (struct vma *v = mm->vmas; v && v->start <= addr; v = v->next)
        if (addr < v->end)
            return v;
    return NULL;
}

bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len) {
    for (struct vma *v = mm->vmas; v; v = v->next)
        if (v->start < start + len && start < v->end)
            return false;
    return true;
}

// Splits the VMA containing addr so that a VMA starts exactly at addr. -ENOMEM if the
// new VMA cannot be allocated (nothing has changed then).
static int split_at(struct mm *mm, uint64_t addr) {
    struct vma *v = mm_find(mm, addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *tail = kmalloc(sizeof *tail);
    if (!tail)
        return -ENOMEM;
    *tail = *v;
    tail->start = addr;
    if (v->shm) {
        v->shm->refs++;
        tail->shm_pgoff += (addr - v->start) / PAGE_SIZE;
    }
    v->end = addr;
    v->next = tail;
    return 0;
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len) {
    uint64_t end = start + len;
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, end);
    if (err)
        return err;
    struct vma **pp = &mm->vmas;
    while (*pp) {
        struct vma *v = *pp;
        if (v->start >= start && v->end <= end) {
            unmap_vma(mm, v);
            *pp = v->next;
            kfree(v);
        } else {
            pp = &v->next;
        }
    }
    return 0;
}

// Linux's default overcommit rule (OVERCOMMIT_GUESS): memory is handed out lazily, so a
// mapping may be larger than what is free, but not larger than all of RAM (no swap here).
static bool enough_memory(uint64_t len, int prot) {
    return !(prot & VM_WRITE) || len / PAGE_SIZE <= nr_managed_pages();
}

// Records a new VMA over [start, start+len), replacing whatever was there (MAP_FIXED).
int mm_map(struct mm *mm, uint64_t start, uint64_t len, int prot, enum vma_kind kind) {
    if (!enough_memory(len, prot))
        return -ENOMEM;
    struct vma *nv = kmalloc(sizeof *nv);
    if (!nv)
        return -ENOMEM;
    int err = mm_unmap(mm, start, len);
    if (err) {
        kfree(nv);
        return err;
    }
    *nv = (struct vma){ .start = start, .end = start + len, .prot = prot, .kind = kind };
    struct vma **pp = &mm->vmas;
    while (*pp && (*pp)->start < start)
        pp = &(*pp)->next;
    nv->next = *pp;
    *pp = nv;
    return 0;
}

int mm_protect(struct mm *mm, uint64_t start, uint64_t len, int prot) {
    uint64_t end = start + len;
    // Linux: every page of the range must be mapped, or ENOMEM.
    for (uint64_t a = start; a < end;) {
        struct vma *v = mm_find(mm, a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, end);
    if (err)
        return err;
    for (struct vma *v = mm->vmas; v; v = v->next) {
        if (v->start < start || v->end > end)
            continue;
        v->prot = prot;
        vm_protect_range(mm->pml4, v->start, v->end, prot | VM_USER);   // pages already present
    }
    return 0;
}

int mm_map_shared(struct mm *mm, uint64_t start, uint64_t len, int prot) {
    uint64_t npages = len / PAGE_SIZE;
    struct shmem *shm = kzalloc(sizeof *shm + npages * sizeof shm->pages[0]);
    if (!shm)
        return -ENOMEM;
    int err = mm_map(mm, start, len, prot, VMA_ANON);
    if (err) {
        kfree(shm);
        return err;
    }
    shm->refs = 1;
    shm->npages = npages;
    mm_find(mm, start)->shm = shm;
    return 0;
}

uint64_t mm_find_free(struct mm *mm, uint64_t len) {
    // Top-down first fit below mmap_top, as Linux lays out mmap: the top of the highest gap
    // that is large enough. One pass over the sorted list: mmap must not slow down with
    // every mapping already there.
    uint64_t found = 0, lo = PAGE_SIZE;          // page 0 is never handed out
    for (struct vma *v = mm->vmas;; v = v->next) {
        uint64_t hi = v && v->start < mm->mmap_top ? v->start : mm->mmap_top;   // gap [lo, hi)
        if (hi >= lo && hi - lo >= len)
            found = page_down(hi - len);
        if (!v || v->start >= mm->mmap_top)
            return found;
        if (v->end > lo)
            lo = v->end;
    }
}

int mm_fault(struct mm *mm, uint64_t addr, bool write, bool exec) {
    struct vma *v = mm_find(mm, addr);
    if (!v || (write && !(v->prot & VM_WRITE)) || (exec && !(v->prot & VM_EXEC)) ||
        !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
        return -EFAULT;
    uint64_t va = page_down(addr);
    pte_t *pte = vm_walk(mm->pml4, va, false);
    if (pte && (*pte & PTE_P))
        return -EFAULT;          // present, yet the access faulted: a protection violation
    uint64_t *slot = v->shm ? &v->shm->pages[v->shm_pgoff + (va - v->start) / PAGE_SIZE] : NULL;
    uint64_t pa = slot && *slot ? *slot : alloc_page();
    if (!pa)
        return -ENOMEM;
    if (!slot || !*slot)
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    if (vm_map_page(mm->pml4, va, pa, v->prot | VM_USER) != 0) {
        if (!slot || !*slot)
            free_page(pa);
        return -ENOMEM;
    }
    if (slot)
        *slot = pa;                  // the shared object owns it now
    return 0;
}

// After fork copied every page, shared VMAs must map the parent's very pages instead.
static int share_again(struct mm *dst) {
    for (struct vma *v = dst->vmas; v; v = v->next) {
        if (!v->shm)
            continue;
        for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
            uint64_t copy = vm_unmap_page(dst->pml4, va);
            uint64_t pa = v->shm->pages[v->shm_pgoff + (va - v->start) / PAGE_SIZE];
            if (copy)
                free_page(copy);
            if (copy && pa && vm_map_page(dst->pml4, va, pa, v->prot | VM_USER) != 0)
                return -ENOMEM;
        }
    }
    return 0;
}

struct mm *mm_dup(struct mm *src) {
    struct mm *dst = mm_create();
    if (!dst)
        return NULL;
    struct vma **tail = &dst->vmas;
    for (struct vma *v = src->vmas; v; v = v->next) {
        struct vma *c = kmalloc(sizeof *c);
        if (!c) {
            mm_put(dst);
            return NULL;
        }
        *c = *v;
        c->next = NULL;
        if (c->shm)
            c->shm->refs++;          // one more VMA uses the shared memory
        *tail = c;
        tail = &c->next;
    }
    dst->brk_start = src->brk_start;
    dst->brk = src->brk;
    dst->mmap_top = src->mmap_top;
    dst->stack_top = src->stack_top;
    if (vm_copy_user(dst->pml4, src->pml4) != 0 || share_again(dst) != 0) {
        mm_put(dst);
        return NULL;
    }
    return dst;
}

int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t n) {
    const char *from = src;
    while (n > 0) {
        uint64_t page = page_down(va);
        pte_t *pte = vm_walk(mm->pml4, page, false);
        if ((!pte || !(*pte & PTE_P)) && mm_fault(mm, page, false, false) != 0)
            return -EFAULT;
        pte = vm_walk(mm->pml4, page, false);
        size_t k = PAGE_SIZE - (va - page) < n ? PAGE_SIZE - (va - page) : n;
        memcpy((char *)phys_to_virt(PTE_ADDR(*pte)) + (va - page), from, k);
        va += k;
        from += k;
        n -= k;
    }
    return 0;
}

size_t mm_peek(struct mm *mm, uint64_t va, void *dst, size_t n) {
    size_t done = 0;
    while (done < n) {
        uint64_t page = page_down(va);
        pte_t *pte = vm_walk(mm->pml4, page, false);
        if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U))
            break;
        size_t k = PAGE_SIZE - (va - page) < n - done ? PAGE_SIZE - (va - page) : n - done;
        memcpy((char *)dst + done, (char *)phys_to_virt(PTE_ADDR(*pte)) + (va - page), k);
        va += k;
        done += k;
    }
    return done;
}
