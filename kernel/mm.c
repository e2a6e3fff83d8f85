// mm.c: user address spaces as lists of VMAs, with pages faulted in on first touch.
//
// Invariants:
//   - the VMA list is sorted by start address, and VMAs never overlap;
//   - a page is present in the page tables only inside a VMA, with the VMA's protection;
//   - a present private page is counted (vm_page_get/put) once per page table entry
//     mapping it, so unmapping it frees it with the last mapping; a shared anonymous page
//     belongs to its struct shmem, which frees it when the last VMA using it goes;
//   - a file's pages are the page cache (ramfs_data.c): the file holds one reference to each
//     page, every entry mapping it one more. MAP_SHARED maps them writable; MAP_PRIVATE
//     maps them read-only, and the first write copies (vm_cow: the page is always shared).
//   - every address space is on the all_mms list, for truncate to find a file's mappings.
//     Touched only by mm_list (mm_create), mm_put and mm_file_truncated, under the BKL.
//     An address space exec is still building without the BKL is not on it yet: no
//     truncate can touch its file meanwhile (exec denies writes: fs_deny_write_access).
//     Nor is one that fork copies without it: a truncate of one of its files meanwhile
//     makes fork copy again, under the BKL (mm_dup).
//
// Locking: mm.h says who may change an address space and under which locks; in this file,
// mm_fault, mm_fault_fast, fault_retrying, mm_dup, mm_advise and mm_file_truncated take
// mm->lock themselves, and the system calls of sys_mem.c take it around the rest (mm_map,
// mm_unmap, ...).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mm.h"
#include "oom.h"
#include "page_alloc.h"
#include "panic.h"
#include "smp.h"
#include "string.h"
#include "vm.h"
#include "x86.h"

static uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

static struct mm *all_mms;            // every address space (see the invariants above)

// A shared mapping: its pages are written in place by every process mapping them, never
// copied on write.
static bool vma_shared(const struct vma *v) { return v->shm || (v->flags & VMA_SHARED_FILE); }

struct mm *mm_create_unlisted(void) {
    struct mm *mm = kzalloc(sizeof *mm);
    if (!mm)
        return NULL;
    mm->pml4 = vm_create();
    if (!mm->pml4) {
        kfree(mm);
        return NULL;
    }
    mm->lock = (struct spinlock)SPINLOCK_INIT("mm");
    mm->refs = 1;
    mm->mmap_top = USER_MMAP_TOP;
    return mm;
}

void mm_list(struct mm *mm) {
    mm->next_mm = all_mms;
    if (all_mms)
        all_mms->pprev_mm = &mm->next_mm;
    mm->pprev_mm = &all_mms;
    all_mms = mm;
}

struct mm *mm_create(void) {
    struct mm *mm = mm_create_unlisted();
    if (mm)
        mm_list(mm);
    return mm;
}

// An mm lock may be held long - a fork copying page tables, a munmap of a large range -
// so a CPU that holds no other spinlock waits for it as for the BKL: a little spinning,
// then halted until mm_unlock wakes it (smp.c). A fault takes it this way.
uint64_t mm_lock_for_fault(struct mm *mm) {
    if (percpu_ready && this_cpu()->nheld == 0)
        smp_wait_unlocked(&mm->lock.locked, &mm->lock_waiters);
    return spin_lock_irqsave(&mm->lock);
}

void mm_unlock(struct mm *mm, uint64_t flags) {
    spin_unlock_irqrestore(&mm->lock, flags);
    smp_wake_lock_waiters(&mm->lock_waiters);
}

// Everyone else also waits until no shootdown is in flight (mm->flushing, mm.h): whoever
// holds the lock this way may rely on every entry it finds empty being in no CPU's TLB.
// (A CPU holding another spinlock - fork, nesting the child's lock - waits spinning; the
// child's address space is new, and never has one in flight.)
uint64_t mm_lock(struct mm *mm) {
    for (;;) {
        uint64_t flags = mm_lock_for_fault(mm);
        if (!__atomic_load_n(&mm->flushing, __ATOMIC_ACQUIRE))
            return flags;
        mm_unlock(mm, flags);
        if (this_cpu()->nheld == 0)
            smp_wait_unlocked(&mm->flushing, &mm->lock_waiters);
        else
            while (__atomic_load_n(&mm->flushing, __ATOMIC_ACQUIRE))
                smp_answer_shootdown();
    }
}

struct mm *mm_get(struct mm *mm) {
    mm->refs++;
    return mm;
}

// The counts are atomic: exec maps the vDSO's object without the BKL (vdso_map, from
// exec's build_stack). The vDSO's own count never reaches 0, and every other object is
// let go under the BKL.
static void shm_get(struct shmem *shm) { __atomic_add_fetch(&shm->refs, 1, __ATOMIC_RELAXED); }

static void shm_put(struct shmem *shm) {
    int left = __atomic_sub_fetch(&shm->refs, 1, __ATOMIC_ACQ_REL);
    if (left > 0 && shm->seg)
        shm_seg_detached(shm->seg, left);    // may drop the segment's own reference
    if (left > 0)
        return;
    for (uint64_t i = 0; i < shm->npages; i++)
        if (shm->pages[i])
            free_page(shm->pages[i]);
    kfree(shm);
}

// MAP_SHARED mappings of a file without a page cache (procfs: fault_file_copy): the pages
// written since the last time (the CPU's dirty bit) go back to the file, as far as the file
// reaches. A ramfs file's mappings are its own pages: nothing to write back.
// The dirty bit is cleared with a shootdown: another CPU that kept the old entry (dirty
// already) would write on without setting the bit again, and the write would be lost.
static void write_back(struct mm *mm, struct vma *v, uint64_t start, uint64_t end) {
    if (!(v->flags & VMA_SHARED_FILE) || !v->file->mnt)
        return;
    bool cleaned = false;
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        pte_t *pte = vm_walk(mm->pml4, va, false);
        if (!pte || !(*pte & PTE_P) || !(*pte & PTE_D))
            continue;
        uint64_t off = v->file_off + (va - v->start);
        if (off < v->file->size) {
            uint64_t n = v->file->size - off < PAGE_SIZE ? v->file->size - off : PAGE_SIZE;
            fs_write(v->file, off, phys_to_virt(PTE_ADDR(*pte)), n);
        }
        *pte &= ~PTE_D;
        invlpg(va);
        cleaned = true;
    }
    if (cleaned)
        tlb_shootdown_range(mm->pml4, start, end);
}

// Unmaps every present page of a VMA. Private pages are freed; shared ones belong to the
// shmem object, which lets go of them when its last user does.
// dying: the whole address space is going (vm_destroy frees the tables).
static void unmap_vma(struct mm *mm, struct vma *v, bool dying) {
    write_back(mm, v, v->start, v->end);
    (dying ? vm_zap_range : vm_unmap_range)(mm->pml4, v->start, v->end, v->shm == NULL);
    if (v->shm)
        shm_put(v->shm);
}

// A VMA's hold on its file: a reference, and for a mapping of a file opened for writing,
// the write access that the open file had (Linux's mapping keeps the open file, and so its
// access: execve of it is ETXTBSY until the mapping goes). A shared one's stores reach the
// file's pages, so exec must not read them unlocked (fs_data_stable). The access cannot
// be refused here: the open file, or the VMA copied, holds it already.
static bool vma_writes_file(const struct vma *v) {
    return v->flags & VMA_FILE_WRITABLE;
}

static void vma_hold_file(struct vma *v) {
    fs_get(v->file);
    if (vma_writes_file(v) && fs_get_write_access(v->file))
        panic("mm: a mapping of a file opened for writing, whose writes are denied");
}

// Lets go of the VMA's file (the BKL's); then it is only memory.
static void vma_drop_file(struct vma *v) {
    if (v->file) {
        if (vma_writes_file(v))
            fs_put_write_access(v->file);
        fs_put(v->file);
        v->file = NULL;
    }
}

static void vma_free(struct vma *v) {
    vma_drop_file(v);
    kfree(v);
}

// The program running in mm is read from ip: while it runs, ip may not be written
// (ETXTBSY, as Linux's exe_file). Exec has denied writes to it already, so this cannot fail.
void mm_set_exe(struct mm *mm, struct inode *ip) {
    if (fs_deny_write_access(ip))
        panic("mm_set_exe: the program's file has writers");
    fs_get(ip);
    mm->exe = ip;
}

// The vDSO's pages: the kernel's own shared memory (pinned), which no VMA's let-go ever
// frees, and whose count is atomic - so they are unmapped without the BKL, with the
// tables (mm_free_rest). Every exit and exec had them unmapped under it.
static bool kernel_pages(const struct vma *v) { return v->shm && v->shm->pinned; }

// The last reference is gone. First, under the BKL, what it guards is let go: the
// program's file, each mapping's file and shared memory (whose pages must not be freed
// with the tables), and the place on the list that truncate walks. After this nothing can
// reach the address space.
static void mm_let_go_of_shared(struct mm *mm) {
    if (mm->exe) {
        fs_allow_write_access(mm->exe);
        fs_put(mm->exe);
    }
    for (struct vma *v = mm->vmas; v; v = v->next) {
        if ((v->shm && !kernel_pages(v)) || (v->flags & VMA_SHARED_FILE)) {
            unmap_vma(mm, v, true);
            v->shm = NULL;           // let go of (maybe freed): mm_free_rest must not look
        }
        vma_drop_file(v);
    }
    if (mm->pprev_mm) {              // (not if exec's build failed before mm_list)
        *mm->pprev_mm = mm->next_mm;
        if (mm->next_mm)
            mm->next_mm->pprev_mm = mm->pprev_mm;
    }
}

// Then the rest, which needs no lock of the BKL's: the vDSO's mapping, the VMAs, the mm,
// and every page and table of the user half (vm_destroy).
static void mm_free_rest(struct mm *mm) {
    // No thread runs in it any more, and each gave its mm_cid back as it left (exit, exec:
    // sched_cid_moved) - so no CPU will write into this memory for it once freed.
    if (__atomic_load_n(&mm->cids_running, __ATOMIC_RELAXED))
        panic("mm: freed with mm_cids %x still held", mm->cids_running);
    for (struct vma *v = mm->vmas, *next; v; v = next) {
        next = v->next;
        if (kernel_pages(v))
            unmap_vma(mm, v, true);
        kfree(v);
    }
    uint64_t *pml4 = mm->pml4;
    kfree(mm);
    vm_destroy(pml4);
}

void mm_put(struct mm *mm) {
    if (--mm->refs == 0) {
        mm_let_go_of_shared(mm);
        mm_free_rest(mm);
    }
}

// Address spaces being freed without the BKL right now, and munmap's and madvise's
// pages between their entries' clearing and their frees (the OOM killer waits for all of
// them: oom_kill_and_wait). Raised under the locks that cleared the entries, so a fault
// that finds memory short, under the BKL, sees either the pages mapped or this raised.
static uint32_t teardowns;

static void frees_begin(void) { __atomic_fetch_add(&teardowns, 1, __ATOMIC_RELAXED); }
static void frees_end(void) { __atomic_fetch_sub(&teardowns, 1, __ATOMIC_RELEASE); }

// The same, for exit and exec, where a dead address space is most often freed: its pages
// and page tables - thousands of them for a big process, most of a short one's exit - go
// back with the BKL let go, so that other CPUs run kernel code meanwhile. That needs
// nothing the BKL guards: no one else can reach the tables any more, the page allocator
// and each page's count (vm_page_get) have locks and atomics of their own, and the
// shared and file-backed parts were let go above, under the BKL. The caller (exit's
// release_resources, exec's commit) has already pointed the process elsewhere, and uses
// across the call only what cannot change or go while it runs: its own struct proc and
// what that holds a reference to (proc_exit's signal_struct lives until the reap).
void mm_put_dropping_bkl(struct mm *mm) {
    if (--mm->refs > 0)
        return;
    mm_let_go_of_shared(mm);
    frees_begin();
    uint64_t irq;
    bool dropped = bkl_drop(&irq);
    mm_free_rest(mm);
    frees_end();
    bkl_retake(dropped, irq);
}

bool mm_teardowns_running(void) { return __atomic_load_n(&teardowns, __ATOMIC_ACQUIRE) != 0; }

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

uint64_t mm_mapped_pages(struct mm *mm, uint64_t start, uint64_t len) {
    uint64_t n = 0, end = start + len;
    for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
        uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
        if (s < e)
            n += (e - s) / PAGE_SIZE;
    }
    return n;
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
        shm_get(v->shm);
        tail->shm_pgoff += (addr - v->start) / PAGE_SIZE;
    }
    if (v->file) {
        vma_hold_file(tail);
        tail->file_off += addr - v->start;
    }
    v->end = addr;
    v->next = tail;
    return 0;
}

int mm_unmap_start(struct mm *mm, uint64_t start, uint64_t len, struct mm_unmapping *u) {
    uint64_t end = start + len;
    vm_gather_start(&u->g, mm->pml4, start, end);
    u->dead = NULL;
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, end);
    if (err)
        return err;
    struct vma **pp = &mm->vmas;
    while (*pp) {
        struct vma *v = *pp;
        if (v->start >= start && v->end <= end) {
            write_back(mm, v, v->start, v->end);
            vm_gather_zap(&u->g, v->start, v->end, v->shm == NULL);
            mm->total_vm -= (v->end - v->start) / PAGE_SIZE;
            *pp = v->next;
            v->next = u->dead;
            u->dead = v;
        } else {
            pp = &v->next;
        }
    }
    vm_gather_prune(&u->g);
    return 0;
}

// A shmem object's pages may still be in another CPU's TLB until the gather's shootdown:
// only after it may its last user let go of them (shm_put).
static void let_go_of_vmas(struct vma *dead) {
    while (dead) {
        struct vma *v = dead;
        dead = v->next;
        if (v->shm)
            shm_put(v->shm);
        vma_free(v);
    }
}

void mm_unmap_finish(struct mm_unmapping *u) {
    vm_gather_finish(&u->g);
    let_go_of_vmas(u->dead);
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len) {
    struct mm_unmapping u;
    int err = mm_unmap_start(mm, start, len, &u);
    mm_unmap_finish(&u);
    return err;
}

// munmap(2), with the BKL only where it is needed. The range's VMAs leave the list, and
// its entries are cleared, under the BKL and mm->lock (the list changes only under both:
// mm.h). Then, as mm_advise does for MADV_DONTNEED, both are let go while the shootdown is
// in flight - mm->flushing makes everyone but a fault wait for it at mm_lock, so nobody
// maps anything new into the range while a CPU may still reach the old pages - and the
// pages and tables are freed after it, with no lock. A VMA that held a file or shared
// memory is let go of under the BKL again (an inode or a segment may be freed there); an
// anonymous one, the common case (glibc's free of a large block), needs nothing more.
int mm_munmap(struct mm *mm, uint64_t start, uint64_t len) {
    struct mm_unmapping u;
    bkl_lock();
    uint64_t flags = mm_lock(mm);
    int err = mm_unmap_start(mm, start, len, &u);
    bool flush = u.g.cleared;
    if (flush) {
        __atomic_add_fetch(&mm->flushing, 1, __ATOMIC_RELAXED);
        frees_begin();
    }
    mm_unlock(mm, flags & ~RFLAGS_IF);   // interrupts stay off while in flight (mm_advise)
    bkl_unlock();
    if (flush) {
        vm_gather_flush_tlbs(&u.g);
        __atomic_sub_fetch(&mm->flushing, 1, __ATOMIC_RELEASE);
        smp_wake_lock_waiters(&mm->lock_waiters);
    }
    local_irq_restore(flags);
    vm_gather_finish(&u.g);
    if (flush)
        frees_end();
    bool shared = false;
    for (struct vma *v = u.dead; v; v = v->next)
        shared |= v->file || v->shm;
    if (shared)
        bkl_lock();
    let_go_of_vmas(u.dead);
    if (shared)
        bkl_unlock();
    return err;
}

// Linux's default overcommit rule (OVERCOMMIT_GUESS): memory is handed out lazily, so a
// mapping may be larger than what is free, but not larger than all of RAM (no swap here).
static bool enough_memory(uint64_t len, int prot) {
    return !(prot & VM_WRITE) || len / PAGE_SIZE <= nr_managed_pages();
}

// Puts nv in its place in the sorted list; its range must be free.
static void insert_vma(struct mm *mm, struct vma *nv) {
    struct vma **pp = &mm->vmas;
    while (*pp && (*pp)->start < nv->start)
        pp = &(*pp)->next;
    nv->next = *pp;
    *pp = nv;
    mm->total_vm += (nv->end - nv->start) / PAGE_SIZE;
}

// Records a new VMA over [start, start+len), replacing whatever was there (MAP_FIXED).
static int map_vma(struct mm *mm, uint64_t start, uint64_t len, int prot, enum vma_kind kind) {
    struct vma *nv = kmalloc(sizeof *nv);
    if (!nv)
        return -ENOMEM;
    int err = mm_unmap(mm, start, len);
    if (err) {
        kfree(nv);
        return err;
    }
    *nv = (struct vma){ .start = start, .end = start + len, .prot = prot, .kind = kind };
    insert_vma(mm, nv);
    return 0;
}

// The end of the mapped run that starts at start, capped at end: start itself if start is
// not mapped.
static uint64_t mapped_until(struct mm *mm, uint64_t start, uint64_t end) {
    uint64_t a = start;
    for (struct vma *v; a < end && (v = mm_find(mm, a)) != NULL;)
        a = v->end;
    return a < end ? a : end;
}

// Can b, which starts where a ends, join a: the same protection and flags, the same
// memory behind them continuing (the same shmem object or file, at the next offset)? The
// kernel's own pages (the vDSO) stay apart, as Linux's special mappings do.
static bool mergeable(const struct vma *a, const struct vma *b) {
    uint64_t len = a->end - a->start;
    return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
           a->kind == b->kind && a->shm == b->shm && a->file == b->file &&
           !(a->shm && a->shm->pinned) &&
           (!a->shm || a->shm_pgoff + len / PAGE_SIZE == b->shm_pgoff) &&
           (!a->file || a->file_off + len == b->file_off);
}

// Joins neighbouring VMAs that could be one, where they meet inside [start, end], as Linux
// merges after mmap, mprotect and mremap (seen in /proc/<pid>/maps, and by mremap, which
// works within one VMA). Nothing else changes: the pages are where they were.
void mm_merge(struct mm *mm, uint64_t start, uint64_t end) {
    for (struct vma *v = mm->vmas; v && v->start <= end; ) {
        struct vma *n = v->next;
        if (n && v->end >= start && v->end <= end && mergeable(v, n)) {
            v->end = n->end;
            v->next = n->next;
            if (n->shm)
                shm_put(n->shm);     // v keeps the object: never its last reference
            vma_free(n);
        } else {
            v = n;
        }
    }
}

int mm_map(struct mm *mm, uint64_t start, uint64_t len, int prot, enum vma_kind kind) {
    if (!enough_memory(len, prot))
        return -ENOMEM;
    return map_vma(mm, start, len, prot, kind);
}

int mm_map_noreserve(struct mm *mm, uint64_t start, uint64_t len, int prot) {
    return map_vma(mm, start, len, prot, VMA_ANON);
}

int mm_protect(struct mm *mm, uint64_t start, uint64_t len, int prot) {
    uint64_t end = start + len;
    // Linux changes the VMAs one after the other, and stops with ENOMEM at a hole.
    uint64_t stop = mapped_until(mm, start, end);
    if (stop == start)
        return -ENOMEM;
    // The kernel's pages (the vDSO, its vvar page) may not become writable: EACCES, as
    // for Linux's vvar (no VM_MAYWRITE).
    for (uint64_t a = start; (prot & VM_WRITE) && a < stop;) {
        struct vma *v = mm_find(mm, a);           // mapped: a < stop
        if (v->shm && v->shm->pinned)
            return -EACCES;
        a = v->end;
    }
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, stop);
    if (err)
        return err;
    for (struct vma *v = mm->vmas; v; v = v->next)
        if (v->start < stop && start < v->end && (prot & VM_WRITE) &&
            (v->flags & VMA_SHARED_FILE) && !(v->flags & VMA_FILE_WRITABLE))
            return -EACCES;              // a shared mapping of a file opened read-only
    for (struct vma *v = mm->vmas; v; v = v->next) {
        if (v->start < start || v->end > stop)
            continue;
        v->prot = prot;
        vm_protect_range(mm->pml4, v->start, v->end, prot | VM_USER, vma_shared(v));
    }
    mm_merge(mm, start, stop);
    return stop < end ? -ENOMEM : 0;
}

struct shmem *shmem_alloc(uint64_t npages) {
    if (npages > (UINT64_MAX - sizeof(struct shmem)) / sizeof(uint64_t))
        return NULL;
    struct shmem *shm = kzalloc(sizeof *shm + npages * sizeof shm->pages[0]);
    if (shm) {
        shm->refs = 1;
        shm->npages = npages;
    }
    return shm;
}

void shmem_get(struct shmem *shm) { shm_get(shm); }
void shmem_put(struct shmem *shm) { shm_put(shm); }

int mm_map_shared(struct mm *mm, uint64_t start, uint64_t len, int prot) {
    struct shmem *shm = shmem_alloc(len / PAGE_SIZE);
    if (!shm)
        return -ENOMEM;
    int err = mm_map(mm, start, len, prot, VMA_ANON);
    if (err) {
        kfree(shm);
        return err;
    }
    mm_find(mm, start)->shm = shm;
    return 0;
}

int mm_map_file(struct mm *mm, uint64_t start, uint64_t len, int prot, struct inode *ip,
                uint64_t off, unsigned flags) {
    int err = (flags & VMA_SHARED_FILE) ? map_vma(mm, start, len, prot, VMA_ANON)
                                        : mm_map(mm, start, len, prot, VMA_ANON);
    if (err)
        return err;
    struct vma *v = mm_find(mm, start);
    v->file = ip;
    v->file_off = off;
    v->flags |= flags;
    vma_hold_file(v);
    return 0;
}

// msync: shared file pages in [start, start+len) go back to the file. -ENOMEM if part of
// the range is not mapped (after doing the rest), as Linux.
int mm_sync(struct mm *mm, uint64_t start, uint64_t len) {
    uint64_t end = start + len, covered = 0;
    for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
        uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
        if (s >= e)
            continue;
        write_back(mm, v, s, e);
        covered += e - s;
    }
    return covered == len ? 0 : -ENOMEM;
}

int mm_map_shmem(struct mm *mm, uint64_t start, uint64_t len, int prot, struct shmem *shm,
                 uint64_t pgoff) {
    if (pgoff + len / PAGE_SIZE > shm->npages)
        return -EINVAL;
    int err = mm_map(mm, start, len, prot, VMA_ANON);
    if (err)
        return err;
    struct vma *v = mm_find(mm, start);
    v->shm = shm;
    v->shm_pgoff = pgoff;
    shm_get(shm);
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

// A mapping of a file without a page cache (procfs), at its first touch: a page of its own,
// filled with the file's bytes there (zeros past the end of the file).
static int fault_file_copy(struct mm *mm, struct vma *v, uint64_t va, uint64_t off) {
    uint64_t pa = alloc_page();
    if (!pa)
        return -ENOMEM;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    fs_read(v->file, off, phys_to_virt(pa), PAGE_SIZE);
    vm_page_new(pa);
    if (vm_map_page(mm->pml4, va, pa, v->prot | VM_USER) != 0) {
        free_page(pa);
        return -ENOMEM;
    }
    return 0;
}

// Linux's fault-around: one fault on a file mapping maps the next pages too, up to
// FAULT_AROUND pages, as far as they are in the page cache already (holes stay for their
// own fault, which allocates) and inside the VMA and the file. A program reading a file
// or running its text then takes a sixteenth of the faults. Nothing fails here: a page
// that cannot be mapped is simply left for later.
#define FAULT_AROUND 16

static void fault_around(struct mm *mm, struct vma *v, uint64_t va, int prot) {
    uint64_t file_end = page_up(v->file->size);
    for (int i = 1; i < FAULT_AROUND; i++) {
        uint64_t at = va + (uint64_t)i * PAGE_SIZE, off = v->file_off + (at - v->start);
        if (at >= v->end || off >= file_end)
            return;
        uint64_t pa = fs_page_pa(v->file, off / PAGE_SIZE);
        pte_t *pte = vm_walk(mm->pml4, at, false);
        if (!pa || (pte && (*pte & PTE_P)))
            continue;
        vm_page_get(pa);
        if (vm_map_page(mm->pml4, at, pa, prot | VM_USER) != 0) {
            vm_page_put(pa);
            return;
        }
    }
}

// A file mapping's page, at its first touch: the file's own page (the page cache), mapped
// writable in a shared mapping, read-only in a private one (a write then copies). A page
// wholly past the end of the file is no memory at all: -EIO, which the fault handler turns
// into SIGBUS, as Linux does; so is a page the filesystem has no room for (tmpfs: SIGBUS).
static int fault_file_page(struct mm *mm, struct vma *v, uint64_t va) {
    uint64_t off = v->file_off + (va - v->start), pa;
    if (off >= page_up(v->file->size))
        return -EIO;
    int err = fs_map_page(v->file, off / PAGE_SIZE, &pa);
    if (err == -ENODEV)
        return fault_file_copy(mm, v, va, off);
    if (err)
        return err == -ENOMEM ? -ENOMEM : -EIO;
    int prot = vma_shared(v) ? v->prot : v->prot & ~VM_WRITE;
    vm_page_get(pa);
    if (vm_map_page(mm->pml4, va, pa, prot | VM_USER) != 0) {
        vm_page_put(pa);
        return -ENOMEM;
    }
    fault_around(mm, v, va, prot);
    return 0;
}

// How many truncates have begun (under the BKL); each file remembers the count at its own
// last (inode cut_at): a fork that copied an address space off the list (mm_dup) looks
// whether one of its files was cut meanwhile.
static uint64_t truncations;

// The pages of ip at or past keep leave mm's mappings of it (under mm's lock).
static void unmap_past(struct mm *mm, struct inode *ip, uint64_t keep) {
    for (struct vma *v = mm->vmas; v; v = v->next) {
        if (v->file != ip)
            continue;
        uint64_t from = v->start;
        if (keep > v->file_off)
            from = keep - v->file_off >= v->end - v->start ? v->end : v->start + (keep - v->file_off);
        if (from < v->end)
            vm_unmap_range(mm->pml4, from, v->end, true);
    }
}

// truncate: pages of ip at or past the new end (size) leave every mapping - private copies
// of them too, as Linux's truncate_pagecache does - so that a touch there is SIGBUS.
void mm_file_truncated(struct inode *ip, uint64_t size) {
    ip->cut_at = ++truncations;
    for (struct mm *mm = all_mms; mm; mm = mm->next_mm) {
        uint64_t flags = mm_lock(mm);
        unmap_past(mm, ip, page_up(size));
        mm_unlock(mm, flags);
    }
}

// A shared mapping of a file opened for writing may be made writable (mprotect) even if it
// is not now: it counts, as Linux's i_mmap_writable counts VM_SHARED|VM_MAYWRITE.
bool mm_file_mapped_writable(struct inode *ip) {
    for (struct mm *mm = all_mms; mm; mm = mm->next_mm)
        for (struct vma *v = mm->vmas; v; v = v->next)
            if (v->file == ip && (v->flags & VMA_SHARED_FILE) && (v->flags & VMA_FILE_WRITABLE))
                return true;
    return false;
}

// Does a present user PTE allow this access?
static bool pte_allows(pte_t e, bool write, bool exec) {
    return (e & PTE_U) && (!write || (e & PTE_W)) && (!exec || !(e & PTE_NX));
}

// May v's pages be accessed this way at all?
static bool vma_allows(const struct vma *v, bool write, bool exec) {
    return (!write || (v->prot & VM_WRITE)) && (!exec || (v->prot & VM_EXEC)) &&
           (v->prot & (VM_READ | VM_WRITE | VM_EXEC));
}

// The first touch of a private anonymous page: a read maps the zero page, read-only, until
// a write; a write gets a fresh zeroed page of its own. (A PROT_WRITE-only VMA may be
// read too - x86 has no write-only pages - so its zero page is mapped readable.)
static int map_anon_page(struct mm *mm, struct vma *v, uint64_t va, bool write) {
    if (!write)
        return vm_map_page(mm->pml4, va, vm_zero_page(),
                           ((v->prot & ~VM_WRITE) | VM_READ) | VM_USER);
    uint64_t pa = alloc_page();
    if (!pa)
        return -ENOMEM;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    vm_page_new(pa);
    if (vm_map_page(mm->pml4, va, pa, v->prot | VM_USER) != 0) {
        free_page(pa);
        return -ENOMEM;
    }
    return 0;
}

// The first touch of a page of shared anonymous memory: the shmem object's page, made now
// if nobody touched it before.
static int map_shared_page(struct mm *mm, struct vma *v, uint64_t va) {
    uint64_t idx = v->shm_pgoff + (va - v->start) / PAGE_SIZE;
    if (idx >= v->shm->npages)
        return -EIO;                 // grown by mremap past the object's end: SIGBUS, as Linux
    uint64_t *slot = &v->shm->pages[idx];
    bool fresh = *slot == 0;
    uint64_t pa = fresh ? alloc_page() : *slot;
    if (!pa)
        return -ENOMEM;
    if (fresh) {
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
        vm_page_new(pa);
    }
    if (vm_map_page(mm->pml4, va, pa, v->prot | VM_USER) != 0) {
        if (fresh)
            free_page(pa);
        return -ENOMEM;
    }
    *slot = pa;                      // the shared object owns it now
    return 0;
}

// One attempt at mm_fault, under mm->lock; -ENOMEM when a page (or a page table) could not
// be had. With force (mm_poke_new_image: exec filling a new address space), the VMA's
// protection is ignored and the page is made a private one the kernel may write into.
static int try_fault(struct mm *mm, uint64_t addr, bool write, bool exec, bool force) {
    struct vma *v = mm_find(mm, addr);
    if (!v || (!force && !vma_allows(v, write, exec)))
        return -EFAULT;
    uint64_t va = page_down(addr);
    pte_t *pte = vm_walk(mm->pml4, va, false);
    if (pte && (*pte & PTE_P)) {
        // Present: a write to a read-only private page of a writable VMA is copy-on-write
        // (after fork, or the zero page).
        bool cow = write && !vma_shared(v) && !(*pte & PTE_W) && (v->prot & VM_WRITE);
        if (cow || (force && !vma_shared(v) && vm_page_shared(PTE_ADDR(*pte))))
            return vm_cow(mm->pml4, va, v->prot | VM_USER);
        // With several CPUs, another thread of this mm may have mapped the page (or made it
        // writable by copying it) between our fault and our turn at the kernel: the PTE now
        // allows the access, and the instruction just needs to run again - Linux's
        // "spurious fault". Only an access the PTE still forbids is the program's error.
        if (force || pte_allows(*pte, write, exec))
            return 0;
        return -EFAULT;
    }
    if (v->file) {
        // The file's page first; a write to a private mapping then copies it at once.
        int err = fault_file_page(mm, v, va);
        if (err || vma_shared(v) || !(write || force))
            return err;
        return vm_cow(mm->pml4, va, v->prot | VM_USER);
    }
    if (v->shm)
        return map_shared_page(mm, v, va);
    return map_anon_page(mm, v, va, write || force);
}

// The OOM killer sleeps: mm->lock is let go before it, and the fault is tried afresh.
static int fault_retrying(struct mm *mm, uint64_t addr, bool write, bool exec, bool force) {
    for (;;) {
        uint64_t flags = mm_lock_for_fault(mm);
        int err = try_fault(mm, addr, write, exec, force);
        mm_unlock(mm, flags);
        // (Without the BKL - exec building an image - there is no killer: exec tries again
        // with it. Nor for a user copy that must not sleep: uaccess.h.)
        if (err != -ENOMEM || !bkl_held() || this_cpu()->uaccess_nosleep || !oom_kill_and_wait())
            return err;
    }
}

// Out of memory, the OOM killer makes room by killing the largest process and waiting for
// it to go, and the fault is tried again. -ENOMEM only when the faulting process itself was
// chosen: SIGKILL is then pending for it.
int mm_fault(struct mm *mm, uint64_t addr, bool write, bool exec) {
    // A stack that grows changes the VMA list, as an mmap would: so it waits, as an mmap
    // does, for a shootdown in flight (a munmap of the stack's bottom pages, whose old pages
    // another CPU may still reach through its TLB).
    uint64_t flags = mm_lock_for_fault(mm);
    if (!mm_find(mm, addr)) {
        mm_unlock(mm, flags);
        flags = mm_lock(mm);
        if (!mm_find(mm, addr))
            stack_grow(mm, addr);    // just below the stack: it grows (stack.c)
    }
    mm_unlock(mm, flags);
    return fault_retrying(mm, addr, write, exec, false);
}

// The first touch of private anonymous memory - the heap, the stack, a malloc'd buffer -
// is most of the page faults a program takes, and it needs nothing the BKL guards: the
// VMA allows the access, and an empty PTE gets a fresh zeroed page (or the zero page, for
// a read). So it is done under mm->lock alone (mm.h): threads and processes on other CPUs
// take these faults in parallel with whoever holds the BKL. A PTE that is present and
// allows the access already was filled by another thread first (a spurious fault, as in
// try_fault). The copy-on-write after a fork is done here too, when the address space has
// one thread (refs == 1: only that thread could add one, and it is here): the page's count
// is atomic and only a mapper adds to it (vm_page_get), so a count of 1 stays 1 and the
// page is written in place; and no other CPU has these tables loaded, so vm_cow's
// shootdown finds nobody to ask. So is the first read of a page of the program's own file
// (exe_page_fast). Everything else - other file and shared pages, copy-on-write with
// threads, a growing stack, no memory, a bad access - is left to mm_fault, under the BKL,
// which may sleep and signal.
//
// The page is allocated and zeroed with the lock let go, as Linux's do_anonymous_page
// does: the memset is most of the fault, and the process's other threads need not wait for
// it. So the lock may be taken twice. The first look finds that a fresh page is wanted; the
// second looks again - another thread may have filled the PTE, or munmap'd the VMA,
// meanwhile - and installs the page, or gives it back. In a process with several threads
// (refs > 1), though, a write fault on an empty entry is nearly always a first touch that
// this path handles (their copy-on-write goes the slow way): there the page is made ready
// before the first look, and the lock - which the other threads' faults wait for - is
// taken once. (When it is not - shared memory, a file, a growing stack, a bad address -
// the page goes back unused: a wasted zeroing, on paths that cost more anyway.) The entry
// is peeked at without the lock: with interrupts off, no table on the way can be freed
// meanwhile, since that waits until this CPU, which has the tables loaded, has answered a
// shootdown. (refs is read without the BKL: a stale value, or an entry filled meanwhile,
// only costs a page made for nothing, or a second look.)
enum fast_fault { FAST_DONE, FAST_SLOW, FAST_NEED_PAGE };

static bool write_first_touch_likely(struct mm *mm, uint64_t va, bool write) {
    if (!write || __atomic_load_n(&mm->refs, __ATOMIC_RELAXED) < 2)
        return false;
    uint64_t irq = local_irq_save();     // (trap's are off already; see above)
    pte_t *pte = vm_walk(mm->pml4, va, false);
    bool empty = !pte || !(__atomic_load_n(pte, __ATOMIC_RELAXED) & PTE_P);
    local_irq_restore(irq);
    return empty;
}

static uint64_t zeroed_page(void) {
    uint64_t pa = alloc_page();
    if (pa)
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

// The first read or run of a page of the program's own file - its text, its read-only
// data: the file's page is mapped as fault_file_page maps it, pages around it too. The
// file cannot change meanwhile: while the program runs, it may not be written or cut
// (mm->exe denies writes: ETXTBSY), and in a stable file (fs_data_stable: no hole, none of
// the initramfs's own bytes) a page is only looked up, never made. A write, a hole, or
// another file goes the slow way. (Every fork+exec took two of these under the BKL.)
static enum fast_fault exe_page_fast(struct mm *mm, struct vma *v, uint64_t va, bool write) {
    if (write || v->file != mm->exe || vma_shared(v) || !fs_data_stable(v->file))
        return FAST_SLOW;
    uint64_t off = v->file_off + (va - v->start);
    uint64_t pa = off < page_up(v->file->size) ? fs_page_pa(v->file, off / PAGE_SIZE) : 0;
    int prot = v->prot & ~VM_WRITE;  // private: a write copies it, the slow way
    if (!pa)
        return FAST_SLOW;
    vm_page_get(pa);
    if (vm_map_page(mm->pml4, va, pa, prot | VM_USER) != 0) {
        vm_page_put(pa);             // mapped meanwhile by another thread, or no table
        return FAST_SLOW;
    }
    fault_around(mm, v, va, prot);
    return FAST_DONE;
}

static enum fast_fault fault_fast_locked(struct mm *mm, uint64_t va, bool write, bool exec,
                                         uint64_t *fresh) {
    struct vma *v = mm_find(mm, va);
    if (!v || v->shm || !vma_allows(v, write, exec))
        return FAST_SLOW;
    if (v->file)
        return exe_page_fast(mm, v, va, write);
    pte_t *pte = vm_walk(mm->pml4, va, false);
    if (pte && (*pte & PTE_P)) {
        if (pte_allows(*pte, write, exec))
            return FAST_DONE;
        if (write && !(*pte & PTE_W) && mm->refs == 1)   // copy-on-write, one thread
            return vm_cow(mm->pml4, va, v->prot | VM_USER) == 0 ? FAST_DONE : FAST_SLOW;
        return FAST_SLOW;
    }
    if (!write)
        return map_anon_page(mm, v, va, false) == 0 ? FAST_DONE : FAST_SLOW;
    if (!*fresh)
        return FAST_NEED_PAGE;
    vm_page_new(*fresh);
    if (vm_map_page(mm->pml4, va, *fresh, v->prot | VM_USER) != 0)
        return FAST_SLOW;            // no page for a table: mm_fault's OOM handling
    *fresh = 0;                      // the page table owns it now
    return FAST_DONE;
}

bool mm_fault_fast(struct mm *mm, uint64_t addr, bool write, bool exec) {
    uint64_t va = page_down(addr), fresh = 0;
    if (write_first_touch_likely(mm, va, write) && !(fresh = zeroed_page()))
        return false;                // mm_fault sleeps for the OOM killer
    enum fast_fault r;
    for (;;) {
        uint64_t flags = mm_lock_for_fault(mm);
        r = fault_fast_locked(mm, va, write, exec, &fresh);
        mm_unlock(mm, flags);
        if (r != FAST_NEED_PAGE || fresh)
            break;
        fresh = zeroed_page();       // the second look cannot ask again: fresh is set
        if (!fresh)
            return false;            // mm_fault sleeps for the OOM killer
    }
    if (fresh)
        free_page(fresh);            // not wanted after all: someone was first
    return r == FAST_DONE;
}

void mm_usage(struct mm *mm, struct mm_usage *u) {
    *u = (struct mm_usage){ .total_vm = mm->total_vm, .tables = vm_user_table_pages(mm->pml4) };
    for (struct vma *v = mm->vmas; v; v = v->next) {
        uint64_t present = vm_count_present(mm->pml4, v->start, v->end);
        if (v->shm)
            u->shmem += present;
        else
            u->anon += present;
    }
}

// fork: the child's pages for one of its VMAs. Private pages are shared copy-on-write, shared ones are
// the parent's very pages (with the very same PTE bits, PROT_NONE included), and a
// MADV_WIPEONFORK range starts empty: its pages will be fresh zeroes.
static int dup_pages(struct mm *dst, struct mm *src, struct vma *v) {
    if (v->flags & VMA_WIPEONFORK)
        return 0;
    return vm_copy_range(dst->pml4, src->pml4, v->start, v->end, vma_shared(v), !v->shm);
}

// fork's first half, under src's lock: a new mm, on no list, with a copy of each VMA (each
// file and shared memory they use gets one more reference, atomic; a file's write access,
// the BKL's, only under it: may_dup_unlocked), no pages yet, and not holding the program's
// file yet (mm_set_exe, under the BKL). Out of memory: -ENOMEM, and the part made in
// *out (maybe NULL), for the caller to put under the BKL.
static int dup_vmas(struct mm *src, struct mm **out) {
    struct mm *dst = *out = mm_create_unlisted();
    if (!dst)
        return -ENOMEM;
    struct vma **tail = &dst->vmas;
    for (struct vma *v = src->vmas; v; v = v->next) {
        if (v->flags & VMA_DONTFORK)
            continue;                // madvise(MADV_DONTFORK): not the child's
        struct vma *c = kmalloc(sizeof *c);
        if (!c)
            return -ENOMEM;
        *c = *v;
        c->flags &= ~VMA_LOCKED;     // mlock is not inherited (Linux)
        c->next = NULL;
        dst->total_vm += (c->end - c->start) / PAGE_SIZE;
        if (c->shm)
            shm_get(c->shm);         // one more VMA uses the shared memory
        if (c->file)
            vma_hold_file(c);
        *tail = c;
        tail = &c->next;
    }
    dst->brk_start = src->brk_start;
    dst->brk = src->brk;
    dst->mmap_top = src->mmap_top;
    dst->stack_top = src->stack_top;
    dst->arg_start = src->arg_start;     // fork's child shows its parent's command line
    dst->arg_end = src->arg_end;
    dst->env_start = src->env_start;
    dst->env_end = src->env_end;
    dst->undumpable = src->undumpable;
    dst->thp_disabled = src->thp_disabled;
    return 0;
}

// fork's second half: the page tables, VMA by VMA - for a big process most of fork's time.
static int dup_all_pages(struct mm *dst, struct mm *src) {
    for (struct vma *c = dst->vmas; c; c = c->next)
        if (dup_pages(dst, src, c) != 0)
            return -ENOMEM;
    return 0;
}

// May fork copy src's VMAs without the BKL? Each reference they take must be atomic: a
// mapping that writes its file holds the file's write access, the BKL's.
static bool may_dup_unlocked(struct mm *src) {
    for (struct vma *v = src->vmas; v; v = v->next)
        if (v->file && vma_writes_file(v) && !(v->flags & VMA_DONTFORK))
            return false;
    return true;
}

// Was a file that dst maps cut since truncations read `before`? Then the copy may hold a
// page the cut took away - or, if the file grew back since, a page no longer the file's -
// and cannot be put right after the fact. Under the BKL.
static bool cut_meanwhile(struct mm *dst, uint64_t before) {
    if (truncations == before)
        return false;
    for (struct vma *v = dst->vmas; v; v = v->next)
        if (v->file && v->file->cut_at > before)
            return true;
    return false;
}

// One try at the copy: with the BKL let go if may_drop and the parent allows it (then
// unlocked(arg) runs too, and dst is off the list until the end). *again: a file of dst
// was cut meanwhile, and dst is put already.
static struct mm *dup_once(struct mm *src, bool may_drop, void (*unlocked)(void *arg),
                           void *arg, bool *again) {
    uint64_t before = truncations;
    uint64_t flags = mm_lock(src);
    uint64_t irq = 0;
    bool dropped = may_drop && src->refs == 1 && may_dup_unlocked(src) && bkl_drop(&irq);
    struct mm *dst;
    int err = dup_vmas(src, &dst);
    if (!err) {
        uint64_t dst_flags = spin_lock_irqsave_nested(&dst->lock);
        err = dup_all_pages(dst, src);
        spin_unlock_irqrestore(&dst->lock, dst_flags);
    }
    mm_unlock(src, dropped ? irq : flags);   // interrupts stay off until the BKL is back
    if (dropped && unlocked) {
        local_irq_restore(flags);            // as the system call had them: on
        unlocked(arg);                       // (more of fork's child: fork.c)
        cli();
    }
    if (dropped)
        bkl_retake(true, flags);
    *again = !err && cut_meanwhile(dst, before);
    if ((err || *again) && dst)
        mm_put(dst);                         // (under the BKL: it lets go of the files)
    if (err || *again)
        return NULL;
    mm_list(dst);                            // where truncate finds it from now on
    if (src->exe)
        mm_set_exe(dst, src->exe);
    return dst;
}

// When the parent has one thread, fork copies its VMAs and page tables without the BKL,
// so that other CPUs run kernel code meanwhile. It needs nothing the BKL guards:
//   - the new address space is on no list yet (mm_create_unlisted), and locked (nested in
//     src: nobody else locks it while holding another mm's lock, so the two can never be
//     waited for the other way round). A truncate meanwhile does not see it; if it cut a
//     file the copy maps, the copy is thrown away and made again under the BKL;
//   - src's VMAs change only under its lock; its pages' counts are atomic (vm_page_get),
//     and so are the VMAs' references on their files and shared memory (may_dup_unlocked).
//     A page fork counts is mapped by src, so whoever shares it sees a count of at least
//     2 - no copy-on-write split elsewhere can mistake it for its own;
//   - one thread (refs == 1): no other CPU runs in src, or can start to (only a thread of
//     it could), so the pages made read-only need no shootdown, and none is sent
//     (tlb_shootdown finds no CPU that has src loaded).
// The BKL comes back only after both mm locks are let go (it comes first in the lock
// order: a CPU holding it may be waiting for src's lock right now).
struct mm *mm_dup(struct mm *src, void (*unlocked)(void *arg), void *arg) {
    bool again;
    struct mm *dst = dup_once(src, true, unlocked, arg, &again);
    if (again)
        dst = dup_once(src, false, NULL, NULL, &again);
    return dst;
}

// The two doors into an address space other than the running one (uaccess.h is the door
// into the running one). They go through the direct map, not the user mapping, so SMAP
// does not apply; their checks are here, explicit: the range must be user space without
// wrapping, and every page must belong to a VMA of mm (mm_fault refuses others).
static bool other_user_range(uint64_t va, size_t n) {
    return va < USER_TOP && n <= USER_TOP - va;
}

void *mm_new_image_page(struct mm *mm, uint64_t va) {
    // exec may build without the BKL, interrupts off: a CPU holding it may be waiting for
    // this one to flush its TLB (tlb_shootdown), so answer on the way, page by page.
    smp_answer_shootdown();
    uint64_t page = page_down(va);
    if (!other_user_range(page, PAGE_SIZE))
        return NULL;
    if (fault_retrying(mm, page, true, false, true) != 0)   // in a VMA; present, private
        return NULL;
    return phys_to_virt(PTE_ADDR(*vm_walk(mm->pml4, page, false)));
}

int mm_poke_new_image(struct mm *mm, uint64_t va, const void *src, size_t n) {
    if (!other_user_range(va, n))
        return -EFAULT;
    const char *from = src;
    while (n > 0) {
        uint64_t page = page_down(va);
        char *kpage = mm_new_image_page(mm, page);
        if (!kpage)
            return -EFAULT;
        size_t k = PAGE_SIZE - (va - page) < n ? PAGE_SIZE - (va - page) : n;
        memcpy(kpage + (va - page), from, k);
        va += k;
        from += k;
        n -= k;
    }
    return 0;
}

// Under mm's lock: a copy-on-write fault of the process (mm_fault_fast, on another CPU,
// without the BKL) may replace a page meanwhile, and the old one may then be freed.
size_t mm_peek_other(struct mm *mm, uint64_t va, void *dst, size_t n) {
    if (!other_user_range(va, n))
        return 0;
    size_t done = 0;
    uint64_t flags = mm_lock(mm);
    while (done < n) {
        uint64_t page = page_down(va);
        pte_t *pte = vm_walk(mm->pml4, page, false);
        if (!mm_find(mm, page) || !pte || !(*pte & PTE_P) || !(*pte & PTE_U))
            break;
        size_t k = PAGE_SIZE - (va - page) < n - done ? PAGE_SIZE - (va - page) : n - done;
        memcpy((char *)dst + done, (char *)phys_to_virt(PTE_ADDR(*pte)) + (va - page), k);
        va += k;
        done += k;
    }
    mm_unlock(mm, flags);
    return done;
}

// ---------------------------------------------------------------- madvise, mincore

// MADV_POPULATE_*: faults in every page of [start, end), as a read or a write would, up
// to the first hole (-ENOMEM). Linux refuses (EINVAL) where that access is not allowed,
// rather than failing later. mm_fault may sleep (the OOM killer waits), and meanwhile
// another thread may change the mappings: so each page's VMA is looked up afresh.
static int populate(struct mm *mm, uint64_t start, uint64_t end, bool write) {
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        struct vma *v = mm_find(mm, va);
        if (!v)
            return -ENOMEM;
        if (!(v->prot & (write ? VM_WRITE : VM_READ)))
            return -EINVAL;
        pte_t *pte = vm_walk(mm->pml4, va, false);
        if (pte && (*pte & PTE_P))
            continue;
        int err = mm_fault(mm, va, write, false);
        if (err)
            return err;
    }
    return 0;
}

// One piece of madvise: [start, end) lies inside v. For the fork flags the range has been
// split off into VMAs of its own first. Nothing here sleeps, so the VMA list stays as it is.
static int advise_vma(struct vm_gather *g, struct vma *v, uint64_t start, uint64_t end,
                      int advice) {
    switch (advice) {
    case MADV_FREE:              // Linux frees lazily, under pressure; freeing now is allowed
        if (v->shm || v->file)
            return -EINVAL;      // private anonymous memory only
        // fall through
    case MADV_DONTNEED:
        if (v->flags & VMA_LOCKED)
            return -EINVAL;      // mlock'd memory stays (Linux)
        // A shared mapping of a file without a page cache (write_back) holds the file's
        // newest bytes in its own pages until they are written back: they stay, as a page
        // cache would keep them.
        if ((v->flags & VMA_SHARED_FILE) && v->file->mnt)
            return 0;
        // Private pages go back to the allocator and read as zero afterwards (or as the
        // file, for a file's). Shared ones belong to the shmem object or the file: only
        // this mapping of them goes; the data stays. The page tables stay, as on Linux
        // (vm_zap_range says why: vm_gather_zap is its first half).
        vm_gather_zap(g, start, end, v->shm == NULL);
        return 0;
    case MADV_DONTFORK:  v->flags |= VMA_DONTFORK;  return 0;
    case MADV_DOFORK:    v->flags &= ~VMA_DONTFORK; return 0;
    case MADV_WIPEONFORK:
        if (v->shm)
            return -EINVAL;
        v->flags |= VMA_WIPEONFORK;
        return 0;
    case MADV_KEEPONFORK: v->flags &= ~VMA_WIPEONFORK; return 0;
    default:
        return 0;                // advice about access patterns, huge pages, core dumps
    }
}

static bool changes_flags(int advice) {
    return advice == MADV_DONTFORK || advice == MADV_DOFORK ||
           advice == MADV_WIPEONFORK || advice == MADV_KEEPONFORK;
}

// As Linux: the advice applies to every mapped part of the range, VMA by VMA in address
// order (stopping at the first that refuses it); unmapped parts make it -ENOMEM.
static int advise_locked(struct mm *mm, struct vm_gather *g, uint64_t start, uint64_t end,
                         int advice) {
    if (changes_flags(advice)) {
        int err = split_at(mm, start);
        if (!err)
            err = split_at(mm, end);
        if (err)
            return err;
    }
    uint64_t a = start;          // everything below a is done (or a hole)
    bool hole = false;
    for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= a)
            continue;
        if (v->start > a)
            hole = true;
        uint64_t s = v->start > a ? v->start : a, e = v->end < end ? v->end : end;
        int err = advise_vma(g, v, s, e, advice);
        if (err)
            return err;
        a = e;
    }
    if (changes_flags(advice))
        mm_merge(mm, start, end);
    return hole || a < end ? -ENOMEM : 0;
}

// The pages MADV_DONTNEED takes away are freed, and the TLB shootdown is made, after
// mm->lock is let go: glibc's free gives back the top of a thread's heap this way over and
// over, and the other threads' faults must not wait for the other CPUs to answer (under
// QEMU, for host threads that may not be running). Meanwhile mm->flushing says a shootdown
// is in flight: everyone but a fault waits for it at mm_lock - a second madvise or a
// munmap of the range that finds the entries empty, and sends none, the last munmap of
// shared memory, which then frees its pages (shm_put), a truncate, which frees the file's.
// (Linux's tlb_flush_pending, the same idea: there whoever finds it set flushes himself.)
int mm_advise(struct mm *mm, uint64_t start, uint64_t end, int advice) {
    if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
        return populate(mm, start, end, advice == MADV_POPULATE_WRITE);
    struct vm_gather g;
    vm_gather_start(&g, mm->pml4, start, end);
    uint64_t flags = mm_lock(mm);
    int err = advise_locked(mm, &g, start, end, advice);
    if (g.cleared) {
        // In flight, interrupts stay off: an interrupt here could wait for the BKL, whose
        // holder may be waiting in mm_lock for this very shootdown.
        __atomic_add_fetch(&mm->flushing, 1, __ATOMIC_RELAXED);
        frees_begin();
        mm_unlock(mm, flags & ~RFLAGS_IF);
        vm_gather_flush_tlbs(&g);
        __atomic_sub_fetch(&mm->flushing, 1, __ATOMIC_RELEASE);
        smp_wake_lock_waiters(&mm->lock_waiters);
        local_irq_restore(flags);
        vm_gather_finish(&g);    // the frees
        frees_end();
    } else {
        mm_unlock(mm, flags);
        vm_gather_finish(&g);
    }
    return err;
}

// ---------------------------------------------------------------- mlock

// Lantern never pages memory out, so every page is "locked" in memory already: what mlock
// adds is Linux's bookkeeping - the VMA_LOCKED flag, which VmLck in /proc/<pid>/status
// sums and RLIMIT_MEMLOCK limits - and the populating: a locked range is faulted in at
// once (a writable private one by a write, breaking copy-on-write), as Linux's mlock does.
// A hole stops it (Linux's mlock), unless the range is the whole address space
// (mlockall: every VMA, whatever lies between).
int mm_set_locked(struct mm *mm, uint64_t start, uint64_t end, bool lock) {
    bool whole = start == 0 && end >= USER_TOP;
    int err = split_at(mm, start);
    if (!err && !whole)
        err = split_at(mm, end);
    if (err)
        return err;
    uint64_t a = start;
    for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= a)
            continue;
        if (v->start > a && !whole)
            break;               // a hole
        v->flags = lock ? v->flags | VMA_LOCKED : v->flags & ~VMA_LOCKED;
        a = v->end < end ? v->end : end;
    }
    mm_merge(mm, start, end);
    return a < end && !whole ? -ENOMEM : 0;
}

uint64_t mm_locked_pages(struct mm *mm, uint64_t start, uint64_t end) {
    uint64_t n = 0;
    for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
        uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
        if ((v->flags & VMA_LOCKED) && s < e)
            n += (e - s) / PAGE_SIZE;
    }
    return n;
}

// The pages of each locked VMA in [start, end) that allows access; a PROT_NONE one stays
// empty, as on Linux. Each VMA is looked up afresh: faults may sleep.
int mm_populate_locked(struct mm *mm, uint64_t start, uint64_t end) {
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        struct vma *v = mm->vmas;
        while (v && v->end <= va)
            v = v->next;         // the VMA holding va, or the next one: holes are skipped
        if (!v || v->start >= end)
            break;
        if (v->start > va)
            va = v->start;
        if (!(v->flags & VMA_LOCKED) || !(v->prot & (VM_READ | VM_WRITE))) {
            va = v->end - PAGE_SIZE;
            continue;
        }
        bool write = (v->prot & VM_WRITE) && !vma_shared(v);
        pte_t *pte = vm_walk(mm->pml4, va, false);
        if (pte && (*pte & PTE_P) && (!write || (*pte & PTE_W)))
            continue;
        int err = mm_fault(mm, va, write, false);
        if (err)
            return err;
    }
    return 0;
}

// In memory: a private page that is present; a shared page its shmem object holds, or a
// page of a file's page cache, whether or not this address space maps it now (Linux looks
// in the page cache for those).
static bool resident(struct mm *mm, struct vma *v, uint64_t va) {
    uint64_t idx = v->shm_pgoff + (va - v->start) / PAGE_SIZE;
    if (v->shm)
        return idx < v->shm->npages && v->shm->pages[idx] != 0;
    pte_t *pte = vm_walk(mm->pml4, va, false);
    if (pte && (*pte & PTE_P))
        return true;
    uint64_t off = v->file_off + (va - v->start);
    return v->file && off < v->file->size && fs_page_pa(v->file, off / PAGE_SIZE) != 0;
}

uint64_t mm_residency(struct mm *mm, uint64_t start, uint64_t n, unsigned char *vec) {
    struct vma *v = NULL;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t va = start + i * PAGE_SIZE;
        if (!v || va >= v->end)
            v = mm_find(mm, va);
        if (!v)
            return i;
        vec[i] = resident(mm, v, va);
    }
    return n;
}

// ---------------------------------------------------------------- mremap

// Can the VMA ending at v->end grow in place by delta bytes (nothing mapped there)?
static bool expandable(struct mm *mm, struct vma *v, uint64_t delta) {
    return v->end + delta > v->end && v->end + delta <= USER_TOP &&
           (!v->next || v->next->start >= v->end + delta) && mm_range_free(mm, v->end, delta);
}

// Moves [addr, addr+old_len) - inside one VMA - to a new VMA [new_addr, +new_len) with the
// same memory behind it (protection, shared object or file and offset), taking the present
// pages along. The old range is unmapped, or kept empty (keep_old: MREMAP_DONTUNMAP, whose
// private pages then read as new zero pages; or old_len 0, a second mapping of shared
// memory). The new range must be free.
static int move_vma(struct mm *mm, uint64_t addr, uint64_t old_len, uint64_t new_addr,
                    uint64_t new_len, bool keep_old) {
    struct vma *nv = kmalloc(sizeof *nv);
    if (!nv)
        return -ENOMEM;
    int err = split_at(mm, addr);
    if (!err && old_len)
        err = split_at(mm, addr + old_len);
    struct vma *v = mm_find(mm, addr);
    if (!err)
        err = vm_move_range(mm->pml4, addr, addr + old_len, new_addr);
    if (err) {
        kfree(nv);
        return err;
    }
    *nv = *v;
    nv->start = new_addr;
    nv->end = new_addr + new_len;
    nv->shm_pgoff += (addr - v->start) / PAGE_SIZE;
    nv->file_off += addr - v->start;
    if (nv->shm)
        shm_get(nv->shm);
    if (nv->file)
        vma_hold_file(nv);
    insert_vma(mm, nv);
    if (!keep_old)
        mm_unmap(mm, addr, old_len);
    mm_merge(mm, new_addr, new_addr + new_len);
    return 0;
}

// mremap, after sys_mremap's checks of the numbers: Linux's order and errors. addr is
// page-aligned, the lengths page-aligned, new_len > 0.
long mm_remap(struct mm *mm, uint64_t addr, uint64_t old_len, uint64_t new_len, int flags,
              uint64_t new_addr, uint64_t as_limit_pages) {
    struct vma *v = mm_find(mm, addr);
    if (!v)
        return -EFAULT;
    bool fixed = flags & MREMAP_FIXED, dontunmap = flags & MREMAP_DONTUNMAP;
    if (fixed || dontunmap) {
        if (new_addr % PAGE_SIZE)
            return -EINVAL;
        if (new_len > USER_TOP || new_addr > USER_TOP - new_len)
            return -EINVAL;
        if (addr + old_len > new_addr && new_addr + new_len > addr)
            return -EINVAL;          // the ranges overlap
        if (fixed && mm_unmap(mm, new_addr, new_len) != 0)
            return -ENOMEM;
        if (old_len > new_len) {
            int err = mm_unmap(mm, addr + new_len, old_len - new_len);
            if (err)
                return err;
            old_len = new_len;
        }
    } else if (old_len >= new_len) {
        if (old_len > new_len) {
            int err = mm_unmap(mm, addr + new_len, old_len - new_len);
            if (err)
                return err;
        }
        return (long)addr;           // shrinking always works
    }
    // Linux's vma_to_resize: the range must lie in one VMA; old_len 0 only duplicates
    // shared memory; growing must fit RLIMIT_AS.
    v = mm_find(mm, addr);
    if (!v)
        return -EFAULT;
    if (!old_len && !vma_shared(v))
        return -EINVAL;
    if (old_len > v->end - addr)
        return -EFAULT;
    uint64_t grow = new_len > old_len ? (new_len - old_len) / PAGE_SIZE : 0;
    if (mm->total_vm + grow > as_limit_pages)
        return -ENOMEM;
    if (dontunmap && mm->total_vm + grow + old_len / PAGE_SIZE > as_limit_pages)
        return -ENOMEM;
    if (!fixed && !dontunmap && old_len == v->end - addr && expandable(mm, v, new_len - old_len)) {
        if (!vma_shared(v) && !enough_memory(new_len - old_len, v->prot))
            return -ENOMEM;
        v->end += new_len - old_len;       // grow in place
        mm->total_vm += grow;
        mm_merge(mm, v->end, v->end);
        return (long)addr;
    }
    if (!fixed && !dontunmap && !(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    if (!fixed) {
        // The hint (MREMAP_DONTUNMAP's new_addr) if that range is free, else a free range.
        if (!(dontunmap && new_addr && mm_range_free(mm, new_addr, new_len)))
            new_addr = mm_find_free(mm, new_len);
        if (!new_addr)
            return -ENOMEM;
    }
    int err = move_vma(mm, addr, old_len, new_addr, new_len, dontunmap || !old_len);
    return err ? err : (long)new_addr;
}
