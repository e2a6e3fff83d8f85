// mm.h: a process's user address space: its page tables and the list of what is mapped
// where (the "virtual memory areas", as Linux calls them). A page is present in the page
// tables only once it has been touched: mapping a region just records a VMA, and the first
// access faults the page in (mm_fault). That is what makes mmap, brk and the stack cheap.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "spinlock.h"
#include "vm.h"

// VMA kinds, for /proc/<pid>/maps (procfs.c) and for the stack's special treatment.
enum vma_kind { VMA_ANON, VMA_HEAP, VMA_STACK, VMA_IMAGE };

// Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS): its pages belong to this
// object, not to an address space, so that after fork parent and child see one memory.
struct shmem {
    int refs;               // VMAs using it (and the kernel, for pinned ones; a SysV segment)
    bool pinned;            // the kernel's pages (the vDSO): never made writable in user space
    struct shm_seg *seg;    // a System V segment's memory (ipc_shm.c), else NULL
    uint64_t npages;
    uint64_t pages[];       // physical addresses; 0 = not touched yet
};

// What madvise may say about a VMA's fate at fork (Linux's VM_DONTCOPY, VM_WIPEONFORK).
#define VMA_DONTFORK   0x1     // the child does not get this range at all
#define VMA_WIPEONFORK 0x2     // the child gets it, zero-filled (private memory only)
#define VMA_SHARED_FILE 0x4    // MAP_SHARED of a file: written pages go back to it
#define VMA_FILE_WRITABLE 0x8  // the file was opened for writing (shared: mprotect may add PROT_WRITE)
#define VMA_LOCKED     0x10    // mlock: its pages stay in memory (counted in VmLck)

struct vma {
    uint64_t start, end;    // [start, end), page-aligned
    int prot;               // VM_READ | VM_WRITE | VM_EXEC (vm.h), never VM_USER here
    unsigned flags;         // VMA_DONTFORK, VMA_WIPEONFORK, VMA_SHARED_FILE..., VMA_LOCKED
    enum vma_kind kind;
    struct shmem *shm;      // shared memory, or NULL for private pages
    uint64_t shm_pgoff;     // the page of shm that start maps
    struct inode *file;     // a file mapping: its pages start as the file's bytes (a reference)
    uint64_t file_off;      // the file offset that start maps (page-aligned)
    struct vma *next;       // sorted by start, never overlapping
};

// Locking (SMP). The VMA list and the page tables of an address space that threads run in
// change only under both the big kernel lock and the mm's own lock, `lock`, with three
// exceptions under `lock` alone, without the BKL: in mm_fault_fast, the first touch of
// private anonymous memory adds a page (a PTE from empty to present, and the tables on the
// way), and in an address space with one thread (refs == 1) a copy-on-write fault puts a
// copy in place of a shared page; and madvise's MADV_DONTNEED and MADV_FREE take pages
// away (PTEs from present to empty; the tables stay, vm_gather_zap). So code holding only
// the BKL may read the VMAs, and count present pages (one may appear or go), and walk the
// tables (none is freed), but must hold `lock` to use a page it found (mm_peek_other);
// code holding only `lock` may read them all. An address space nothing runs in yet (exec
// building it) or any more (mm_put's last reference) has one user, who needs neither.
// `lock` is never held while sleeping or touching user memory, and two mm locks are held at
// once only by fork, the child's nested in the parent's (mm_dup; lockdep checks the rest).
// One more rule, for madvise, which clears entries under `lock` and then lets it go for
// its TLB shootdown: while `flushing` counts such shootdowns in flight, only a fault may
// take `lock` (mm_lock_for_fault; mm_lock waits). Everyone else who finds an entry empty
// may rely on no CPU reaching its old page through a TLB any more (mm_advise).
// The other fields are the BKL's.
struct mm {
    struct spinlock lock;           // see above; taken after the BKL, before the page lists'
                                    // and page_alloc's (percpu_pages.c, page_alloc.c)
    volatile uint32_t lock_waiters; // CPUs halted until lock is free (smp_wait_unlocked),
                                    // or flushing is 0
    volatile uint32_t flushing;     // madvise's and munmap's shootdowns in flight: raised
                                    // under lock, lowered (atomically) without it
                                    // (mm_advise, mm_munmap)
    int refs;                       // processes sharing it (vfork, CLONE_VM)
    uint32_t cids_running;          // rseq's mm_cid: bit n is held by a thread of it on a
                                    // CPU now (sched.c's cid_take; sched_lock)
    uint64_t *pml4;
    struct vma *vmas;
    uint64_t total_vm;              // pages in all VMAs together (RLIMIT_AS; BKL + lock)
    uint64_t brk_start, brk;        // the heap: [brk_start, brk) is usable
    uint64_t mmap_top;              // mmap(NULL, ...) allocates downwards from here
    uint64_t stack_top;
    uint64_t arg_start, arg_end;    // argv's strings on the stack (/proc/<pid>/cmdline)
    uint64_t env_start, env_end;    // and the environment's (/proc/<pid>/environ)
    int lock_future;                // mlockall(MCL_FUTURE [| MCL_ONFAULT]) flags, or 0
    struct inode *exe;              // the program's file, not writable while it runs (mm_set_exe)
    bool undumpable, thp_disabled;  // prctl PR_SET_DUMPABLE 0, PR_SET_THP_DISABLE (fork keeps both)
    struct mm *next_mm, **pprev_mm; // the list of all address spaces (mm.c)
};

#define USER_STACK_TOP   0x00007ffffffde000ull   // a little below USER_TOP, as on Linux
#define USER_STACK_SIZE  (8ull << 20)            // RLIMIT_STACK's default: 8 MiB
#define USER_MMAP_TOP    (USER_STACK_TOP - USER_STACK_SIZE - (1ull << 30))

// The stack VMA grows down to addr if addr lies below it, within RLIMIT_STACK and the
// guard gap (stack.c); false if not. For the current process's own address space.
bool stack_grow(struct mm *mm, uint64_t addr);
#define USER_STACK_INITIAL (128ull << 10)       // exec maps this much beyond the arguments

struct mm *mm_create(void);                      // a fresh, empty address space; NULL if no memory
// The same, not yet on the list truncate walks, for exec to build without the BKL; mm_list
// puts it there (under the BKL) before anything runs in it.
struct mm *mm_create_unlisted(void);
void mm_list(struct mm *mm);
void mm_set_exe(struct mm *mm, struct inode *ip);   // under the BKL, by exec (and fork's copy)
struct mm *mm_get(struct mm *mm);                // one more user
void mm_put(struct mm *mm);                      // one user fewer: the last frees everything
void mm_put_dropping_bkl(struct mm *mm);         // the same, the pages freed outside the BKL
bool mm_teardowns_running(void);                 // pages on their way back (exit, munmap...)?
int mm_map(struct mm *mm, uint64_t start, uint64_t len, int prot, enum vma_kind kind);
// The same for private anonymous memory, without the overcommit check (MAP_NORESERVE).
int mm_map_noreserve(struct mm *mm, uint64_t start, uint64_t len, int prot);
int mm_map_shared(struct mm *mm, uint64_t start, uint64_t len, int prot);
// A file mapping (mmap of a regular file): each page is filled from the file at its first
// touch. VMA_SHARED_FILE: written pages go back to the file (msync, munmap, exit).
int mm_map_file(struct mm *mm, uint64_t start, uint64_t len, int prot, struct inode *ip,
                uint64_t off, unsigned flags);
int mm_sync(struct mm *mm, uint64_t start, uint64_t len);
// Does any address space map ip shared with the right to write (memfd's F_SEAL_WRITE)?
bool mm_file_mapped_writable(struct inode *ip);
// truncate of ip to size: its pages past the new end leave every mapping (ramfs_data.c).
void mm_file_truncated(struct inode *ip, uint64_t size);   // msync: write shared file pages back
// A shmem object of npages untouched pages, one reference (the caller's); NULL if no memory.
// shmem_put lets go of a reference: the last one frees the pages. A System V segment's
// object (seg set) tells ipc_shm.c of every other one: a detach (shm_seg_detached). BKL.
struct shmem *shmem_alloc(uint64_t npages);
void shmem_get(struct shmem *shm);
void shmem_put(struct shmem *shm);
void shm_seg_detached(struct shm_seg *seg, int refs_left);
// /proc/<pid>/maps's name of a segment ("/SYSV<key it was made with> (deleted)", in buf of
// n bytes); returns its inode column, the id (Linux's).
int shm_seg_maps_name(const struct shm_seg *seg, char *buf, size_t n);
// Maps pages of an existing shmem object, from its page pgoff on (the vDSO: kernel/vdso.c).
int mm_map_shmem(struct mm *mm, uint64_t start, uint64_t len, int prot, struct shmem *shm,
                 uint64_t pgoff);
int mm_unmap(struct mm *mm, uint64_t start, uint64_t len);   // under mm->lock, done on return
// An unmapping's two halves (shmdt, and mm_munmap's own way): under mm->lock, the VMAs of
// the range leave the list and their entries are cleared into a gather (vm.h); after the
// lock is let go, the gather finishes - a TLB shootdown, then the frees - and the VMAs'
// shared memory and files are let go of. Meanwhile the other threads' faults elsewhere in
// the address space go on, as Linux's munmap lets them (it downgrades its mmap_lock to a
// reader's); a fault in the range finds no VMA. The callers of these two hold the BKL
// throughout; mm_munmap lets it go for the shootdown, under mm->flushing.
struct mm_unmapping { struct vm_gather g; struct vma *dead; };
int mm_unmap_start(struct mm *mm, uint64_t start, uint64_t len, struct mm_unmapping *u);
void mm_unmap_finish(struct mm_unmapping *u);
// munmap(2) itself, called without the BKL: it takes it, and mm->lock, for the first half
// only (mm.c says how the rest goes).
int mm_munmap(struct mm *mm, uint64_t start, uint64_t len);
// Joins VMAs that meet inside [start, end] and could be one (mmap, brk, mprotect, mremap).
void mm_merge(struct mm *mm, uint64_t start, uint64_t end);
// mlock and munlock of [start, end), page-aligned: every VMA in it gets or loses
// VMA_LOCKED (split off first); -ENOMEM if part of it is not mapped (the rest is done).
// Under mm's lock. mm_populate_locked then faults the pages in, without it.
int mm_set_locked(struct mm *mm, uint64_t start, uint64_t end, bool lock);
int mm_populate_locked(struct mm *mm, uint64_t start, uint64_t end);
uint64_t mm_locked_pages(struct mm *mm, uint64_t start, uint64_t end);   // in [start, end)
// Changes the protection up to the first unmapped page; -ENOMEM if there was one.
int mm_protect(struct mm *mm, uint64_t start, uint64_t len, int prot);
// madvise's advice, by Linux's numbers: those that change something here.
#define MADV_DONTNEED        4
#define MADV_FREE            8
#define MADV_DONTFORK       10
#define MADV_DOFORK         11
#define MADV_WIPEONFORK     18
#define MADV_KEEPONFORK     19
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
// madvise over [start, end) (page-aligned, advice already known to be valid). Takes
// mm->lock itself. The fork flags and MADV_POPULATE_* need the BKL too; the rest not.
int mm_advise(struct mm *mm, uint64_t start, uint64_t end, int advice);
// mincore: one byte per page from start (1 = in memory), for up to n pages; returns how
// many were filled before the first unmapped page.
uint64_t mm_residency(struct mm *mm, uint64_t start, uint64_t n, unsigned char *vec);
// mremap (Linux's flags): resizes or moves [addr, addr+old_len); the new address or -errno.
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4
long mm_remap(struct mm *mm, uint64_t addr, uint64_t old_len, uint64_t new_len, int flags,
              uint64_t new_addr, uint64_t as_limit_pages);
uint64_t mm_find_free(struct mm *mm, uint64_t len);   // 0 when there is no room
struct vma *mm_find(struct mm *mm, uint64_t addr);
bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len);
uint64_t mm_mapped_pages(struct mm *mm, uint64_t start, uint64_t len);   // of [start, start+len)
// Makes the page at addr present, if the VMA there allows the access. 0, -EFAULT or -ENOMEM.
// Takes mm->lock itself; may sleep (the OOM killer).
int mm_fault(struct mm *mm, uint64_t addr, bool write, bool exec);
// The fault path without the big kernel lock, for a user-mode fault: true if it made the
// page present (first touch of private anonymous memory, or a read of the program's own
// file: mm.c's exe_page_fast) or found it present already; false
// for every other case, which then goes the slow way, mm_fault under the BKL.
bool mm_fault_fast(struct mm *mm, uint64_t addr, bool write, bool exec);
// mm->lock, for the system calls that change a live address space (sys_mem.c): it also
// waits for the shootdowns in flight (mm->flushing). A fault's look needs no such wait.
uint64_t mm_lock(struct mm *mm);
uint64_t mm_lock_for_fault(struct mm *mm);
void mm_unlock(struct mm *mm, uint64_t flags);
// /proc/<pid>/smaps_rollup in Linux's format (proc_maps.c); the length written.
int proc_smaps_rollup(struct mm *mm, char *buf, size_t size);
// What an address space holds, in pages (Linux's total_vm, MM_ANONPAGES, MM_SHMEMPAGES,
// and its page tables), for the OOM killer and its log line.
struct mm_usage { uint64_t total_vm, anon, shmem, tables; };
void mm_usage(struct mm *mm, struct mm_usage *u);
// fork: a copy of every mapping and page. When it lets the BKL go for the copy (src has one
// thread), it calls unlocked(arg) too before it takes the lock back, interrupts on.
struct mm *mm_dup(struct mm *src, void (*unlocked)(void *arg), void *arg);
// The doors into an address space that is not the running one (uaccess.h: the running one).
// Writes into a new address space that nothing runs in yet (exec builds it before switching
// to it): only user addresses inside mm's VMAs, faulted in and made private, the VMA's
// write protection ignored (text segments). 0 or -EFAULT. Never for a live process's memory.
int mm_poke_new_image(struct mm *mm, uint64_t va, const void *src, size_t n);
// The same door, a page at a time: the kernel's address of the page holding va, or NULL.
void *mm_new_image_page(struct mm *mm, uint64_t va);
// Reads another process's memory (/proc/<pid>/cmdline): user addresses inside its VMAs,
// as far as the pages are present and user pages; returns the bytes read. Faults nothing in.
size_t mm_peek_other(struct mm *mm, uint64_t va, void *dst, size_t n);
