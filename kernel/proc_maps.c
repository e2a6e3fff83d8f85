// proc_maps.c: /proc/<pid>/smaps_rollup - how much memory an address space really uses,
// in Linux's format. procfs.c calls it; everything it needs is the page tables and the
// reference counts of the pages (vm.c), so it lives with the memory code.
//
// Each present page is counted once in Rss. Its sharers are the page table entries mapping
// it: a page's count (vm_page_count) is exactly that for anonymous and copied pages, and
// one more for a page of a file's page cache (the file's own reference). Pss gives each
// sharer its part (PAGE_SIZE / sharers); Shared_* are pages with more than one sharer,
// Private_* the others; *_Dirty those the CPU marked written (PTE_D), and every page of a
// file: in memory only, they are never clean (Linux's ramfs and tmpfs alike). As in Linux the zero
// page is not counted at all, and a shared anonymous object's page counts as Shmem with as
// many sharers as the object has mappings.
#include <stdint.h>
#include <stdio.h>
#include "fs.h"
#include "memlayout.h"
#include "mm.h"
#include "string.h"
#include "vm.h"

#define PSS_SHIFT 12             // Pss is summed in 1/4096ths of a byte, as Linux does

struct rollup {
    uint64_t rss, pss, pss_dirty, pss_anon, pss_file, pss_shmem;
    uint64_t shared_clean, shared_dirty, private_clean, private_dirty, anon;
};

struct rollup_walk { struct vma *v; struct rollup *r; };

static void count_page(pte_t *pte, uint64_t va, void *arg) {
    struct rollup_walk *w = arg;
    struct vma *v = w->v;
    struct rollup *r = w->r;
    uint64_t pa = PTE_ADDR(*pte);
    if (pa == vm_zero_page())
        return;
    enum { ANON, FILE, SHMEM } kind = ANON;
    uint64_t sharers = vm_page_count(pa);
    if (v->shm) {
        kind = SHMEM;
        sharers = v->shm->refs;
    } else if (v->file && fs_page_pa(v->file, (v->file_off + va - v->start) / PAGE_SIZE) == pa) {
        kind = FILE;
        sharers--;               // the file's own reference
    }
    if (sharers == 0)
        sharers = 1;
    bool dirty = (*pte & PTE_D) || kind == FILE;
    uint64_t pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / sharers;
    r->rss += PAGE_SIZE;
    r->pss += pss;
    if (dirty)
        r->pss_dirty += pss;
    if (kind == ANON) {
        r->pss_anon += pss;
        r->anon += PAGE_SIZE;
    } else if (kind == FILE) {
        r->pss_file += pss;
    } else {
        r->pss_shmem += pss;
    }
    if (sharers > 1)
        *(dirty ? &r->shared_dirty : &r->shared_clean) += PAGE_SIZE;
    else
        *(dirty ? &r->private_dirty : &r->private_clean) += PAGE_SIZE;
}

int proc_smaps_rollup(struct mm *mm, char *buf, size_t size) {
    struct rollup r = { 0 };
    uint64_t lo = 0, hi = 0;
    for (struct vma *v = mm->vmas; v; v = v->next) {
        struct rollup_walk w = { v, &r };
        vm_walk_present(mm->pml4, v->start, v->end, count_page, &w);
        if (!lo)
            lo = v->start;
        hi = v->end;
    }
    int n = snprintf(buf, size, "%08llx-%08llx ---p 00000000 00:00 0", (unsigned long long)lo,
                     (unsigned long long)hi);
    n += snprintf(buf + n, size - n, "%*s[rollup]\n", n < 73 ? 73 - n : 0, "");
    struct { const char *name; uint64_t bytes; } rows[] = {
        { "Rss", r.rss }, { "Pss", r.pss >> PSS_SHIFT }, { "Pss_Dirty", r.pss_dirty >> PSS_SHIFT },
        { "Pss_Anon", r.pss_anon >> PSS_SHIFT }, { "Pss_File", r.pss_file >> PSS_SHIFT },
        { "Pss_Shmem", r.pss_shmem >> PSS_SHIFT }, { "Shared_Clean", r.shared_clean },
        { "Shared_Dirty", r.shared_dirty }, { "Private_Clean", r.private_clean },
        { "Private_Dirty", r.private_dirty }, { "Referenced", r.rss }, { "Anonymous", r.anon },
        { "KSM", 0 }, { "LazyFree", 0 }, { "AnonHugePages", 0 }, { "ShmemPmdMapped", 0 },
        { "FilePmdMapped", 0 }, { "Shared_Hugetlb", 0 }, { "Private_Hugetlb", 0 },
        { "Swap", 0 }, { "SwapPss", 0 }, { "Locked", 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && n < (int)size; i++) {
        char label[24];
        snprintf(label, sizeof label, "%s:", rows[i].name);
        n += snprintf(buf + n, size - n, "%-16s%8llu kB\n", label,
                      (unsigned long long)(rows[i].bytes >> 10));
    }
    return n < (int)size ? n : (int)size;
}
