// sys_mem.c: brk, mmap, munmap, mprotect, madvise, mincore - a process asking for memory,
// and saying how it will use it.
//
// All of them only edit the list of VMAs (mm.c); pages arrive on first touch.
// PROT_READ/WRITE/EXEC have the same values as VM_READ/WRITE/EXEC.
//
// Locking: the BKL is held, as for every system call; each change to the address space
// also takes its mm->lock, which the page faults of the process's other threads take
// without the BKL (mm.h), as Linux's mmap_write_lock(). It is let go before anything that
// may sleep or touch user memory (MAP_POPULATE's faults take it themselves, page by page).
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "syscall.h"
#include "uaccess.h"
#include "vm.h"

#define PROT_MASK 0x7
#define PROT_WRITE 0x2
#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_GROWSDOWN       0x0100
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_FIXED_NOREPLACE 0x100000
// Accepted and needing nothing: MAP_STACK (a hint), MAP_LOCKED (nothing is ever paged
// out), and any flag Linux does not know.

static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
static uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
static bool page_aligned(uint64_t a) { return (a & (PAGE_SIZE - 1)) == 0; }
static bool user_span(uint64_t start, uint64_t len) { return start < USER_TOP && len <= USER_TOP - start; }

#define RLIMIT_AS 9

// RLIMIT_AS: may the address space grow by len bytes, of which `replaced` pages are mapped
// already (MAP_FIXED replaces them)? Linux's may_expand_vm.
static bool may_expand(struct mm *mm, uint64_t len, uint64_t replaced) {
    uint64_t limit = current()->signal->rlim[RLIMIT_AS].rlim_cur / PAGE_SIZE;
    return mm->total_vm - replaced + len / PAGE_SIZE <= limit;
}

// brk(0) asks where the break is; brk(addr) moves it. On failure Linux returns the old
// break, not an error: the C library sees that it did not move.
static long brk_locked(struct mm *mm, uint64_t want) {
    if (want < mm->brk_start || want >= USER_MMAP_TOP)
        return (long)mm->brk;
    uint64_t old_end = page_up(mm->brk), new_end = page_up(want);
    if (new_end > old_end) {
        if (!mm_range_free(mm, old_end, new_end - old_end) || !may_expand(mm, new_end - old_end, 0) ||
            mm_map(mm, old_end, new_end - old_end, VM_READ | VM_WRITE, VMA_HEAP) != 0)
            return (long)mm->brk;
        mm_merge(mm, old_end, old_end);  // one [heap] however often it grew
    } else if (new_end < old_end && mm_unmap(mm, new_end, old_end - new_end) != 0) {
        return (long)mm->brk;
    }
    mm->brk = want;
    return (long)want;
}

SYSCALL(brk) {
    struct mm *mm = current()->mm;
    uint64_t flags = mm_lock(mm);
    long ret = brk_locked(mm, a0);
    mm_unlock(mm, flags);
    return ret;
}

#define MCL_CURRENT 1
#define MCL_FUTURE  2
#define MCL_ONFAULT 4
#define RLIMIT_MEMLOCK 8

// Linux's can_do_mlock: a memory-lock limit above 0, or the privilege (CAP_IPC_LOCK).
static bool can_do_mlock(void) {
    return capable() || current()->signal->rlim[RLIMIT_MEMLOCK].rlim_cur != 0;
}

static bool writable_file(struct file *f) { return (f->flags & O_ACCMODE) == O_RDWR; }

// What Linux checks before mapping a file: only regular files here (devices, pipes and
// directories: ENODEV); it must be open for reading, and for writing too if the mapping is
// shared and writable; the offset plus the length must not wrap.
static long check_file_mapping(struct file *f, int type, int prot, uint64_t off, uint64_t len) {
    if (!f->ip || !S_ISREG(f->ip->mode))
        return -ENODEV;
    if ((f->flags & O_ACCMODE) == O_WRONLY)
        return -EACCES;
    if (type == MAP_SHARED && (prot & PROT_WRITE) && !writable_file(f))
        return -EACCES;
    if (off + len < off)
        return -EOVERFLOW;
    // A memfd sealed against writes (memfd.c): no new writable shared mapping.
    if (type == MAP_SHARED && (prot & PROT_WRITE) &&
        (f->ip->seals & (FS_SEAL_WRITE | FS_SEAL_FUTURE_WRITE)))
        return -EPERM;
    return 0;
}

// A shared mapping may write its file if the file was opened for writing - and, for a
// memfd sealed against writes, never (mprotect then says EACCES, as Linux's VM_MAYWRITE).
static bool mapping_may_write(struct file *f) {
    return writable_file(f) && !(f->ip->seals & (FS_SEAL_WRITE | FS_SEAL_FUTURE_WRITE));
}

SYSCALL(mmap) {
    uint64_t addr = a0, len = a1, off = a5;
    int prot = (int)a2, flags = (int)a3, fd = (int)a4;
    struct mm *mm = current()->mm;
    int type = flags & MAP_TYPE;
    // Linux's order: offset, descriptor, length, type. It ignores unknown prot bits.
    if (!page_aligned(off))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS) && !fd_get(fd))
        return -EBADF;
    if (len == 0)
        return -EINVAL;
    if (page_up(len) < len || page_up(len) > USER_TOP)
        return -ENOMEM;
    len = page_up(len);
    struct file *f = (flags & MAP_ANONYMOUS) ? NULL : fd_get(fd);
    if (f && type == MAP_SHARED_VALIDATE)
        type = MAP_SHARED;               // (its flags are all known ones: nothing to refuse)
    if (type != MAP_SHARED && type != MAP_PRIVATE)
        return -EINVAL;
    if (f) {
        long err = check_file_mapping(f, type, prot, off, len);
        if (err)
            return err;
    }
    if (type == MAP_SHARED && (flags & MAP_GROWSDOWN))
        return -EINVAL;                  // only a private mapping may be a stack
    prot &= PROT_MASK;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (!page_aligned(addr))
            return -EINVAL;
        if (!user_span(addr, len))
            return -ENOMEM;
        if ((flags & MAP_FIXED_NOREPLACE) && !mm_range_free(mm, addr, len))
            return -EEXIST;              // even with MAP_FIXED too, as in Linux
    } else {
        // The hint is only a hint: used (rounded down to a page) if that range is free and
        // inside user space, as Go's heap arenas at 0xc000000000 expect; ignored if not.
        addr &= ~(uint64_t)(PAGE_SIZE - 1);
        if (!(addr && user_span(addr, len) && mm_range_free(mm, addr, len)))
            addr = mm_find_free(mm, len);
        if (!addr)
            return -ENOMEM;
    }
    if ((flags & MAP_LOCKED) && !can_do_mlock())
        return -EPERM;
    if (!may_expand(mm, len, (flags & MAP_FIXED) ? mm_mapped_pages(mm, addr, len) : 0))
        return -ENOMEM;
    // MAP_NORESERVE: no overcommit check for private memory, as Linux's default policy.
    uint64_t lock_flags = mm_lock(mm);
    int err = f ? mm_map_file(mm, addr, len, prot, f->ip, off,
                              (type == MAP_SHARED ? VMA_SHARED_FILE : 0) |
                              (mapping_may_write(f) ? VMA_FILE_WRITABLE : 0))
              : type == MAP_SHARED      ? mm_map_shared(mm, addr, len, prot)
              : flags & MAP_NORESERVE   ? mm_map_noreserve(mm, addr, len, prot)
                                        : mm_map(mm, addr, len, prot, VMA_ANON);
    bool locked = (flags & MAP_LOCKED) || mm->lock_future;
    if (!err && locked)
        mm_set_locked(mm, addr, addr + len, true);   // (then merged with locked neighbours)
    if (!err)
        mm_merge(mm, addr, addr + len);  // with its neighbours, if they are alike
    mm_unlock(mm, lock_flags);
    if (err)
        return err;
    if (locked && !(mm->lock_future & MCL_ONFAULT))
        mm_populate_locked(mm, addr, addr + len);    // as MAP_POPULATE: failures do not matter
    else if (flags & MAP_POPULATE)       // fault it all in now; failures do not matter
        mm_advise(mm, addr, addr + len, (prot & VM_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
    return (long)addr;
}

// ---------------------------------------------------------------- mlock

// Would locking `pages` more (of which `already` are locked now) stay within the limit?
static bool within_memlock(struct mm *mm, uint64_t pages, uint64_t already) {
    uint64_t limit = current()->signal->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE;
    return capable() || mm_locked_pages(mm, 0, USER_TOP) - already + pages <= limit;
}

// Linux's __mlock_posix_error_return: a range that could not be faulted in is ENOMEM (a
// hole: EFAULT inside), and running out of memory is EAGAIN.
static long populate_error(int err) {
    return err == -EFAULT ? -ENOMEM : err == -ENOMEM ? -EAGAIN : err;
}

// mlock, mlock2 (flags MLOCK_ONFAULT: lock, but fault in only when touched) and munlock:
// the range is widened to whole pages, as Linux's.
static long lock_range(uint64_t addr, uint64_t len, bool lock, bool onfault) {
    struct mm *mm = current()->mm;
    uint64_t start = page_down(addr), end = page_up(addr + len);
    if (end < start || addr + len < addr)
        return -EINVAL;
    if (lock && !can_do_mlock())
        return -EPERM;
    if (end == start)
        return 0;
    uint64_t flags = mm_lock(mm);
    int err = 0;
    if (lock && !within_memlock(mm, (end - start) / PAGE_SIZE, mm_locked_pages(mm, start, end)))
        err = -ENOMEM;
    if (!err)
        err = mm_set_locked(mm, start, end, lock);
    mm_unlock(mm, flags);
    if (err || !lock || onfault)
        return err;
    return populate_error(mm_populate_locked(mm, start, end));
}

SYSCALL(mlock) {
    uint64_t addr = a0, len = a1;
    return lock_range(addr, len, true, false);
}

SYSCALL(munlock) {
    uint64_t addr = a0, len = a1;
    return lock_range(addr, len, false, false);
}

#define MLOCK_ONFAULT 1

SYSCALL(mlock2) {
    uint64_t addr = a0, len = a1;
    unsigned flags = (unsigned)a2;
    if (flags & ~MLOCK_ONFAULT)
        return -EINVAL;
    return lock_range(addr, len, true, flags & MLOCK_ONFAULT);
}

// mlockall(MCL_CURRENT): every mapping now; MCL_FUTURE: every one made from now on (mmap,
// MAP_LOCKED's way); MCL_ONFAULT with either: without faulting the pages in.
SYSCALL(mlockall) {
    int flags = (int)a0;
    struct mm *mm = current()->mm;
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return -EINVAL;
    if (!can_do_mlock())
        return -EPERM;
    uint64_t irq = mm_lock(mm);
    long err = 0;
    if ((flags & MCL_CURRENT) && !capable() &&
        mm->total_vm > current()->signal->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE)
        err = -ENOMEM;
    if (!err) {
        mm->lock_future = (flags & MCL_FUTURE) ? flags & (MCL_FUTURE | MCL_ONFAULT) : 0;
        if (flags & MCL_CURRENT)
            mm_set_locked(mm, 0, USER_TOP, true);    // the holes between are no error here
    }
    mm_unlock(mm, irq);
    if (!err && (flags & MCL_CURRENT) && !(flags & MCL_ONFAULT))
        mm_populate_locked(mm, 0, USER_TOP);         // (Linux ignores failures here too)
    return err;
}

SYSCALL(munlockall) {
    struct mm *mm = current()->mm;
    uint64_t irq = mm_lock(mm);
    mm->lock_future = 0;
    mm_set_locked(mm, 0, USER_TOP, false);
    mm_unlock(mm, irq);
    return 0;
}

SYSCALL(munmap) {
    uint64_t addr = a0, len = a1;
    if (!page_aligned(addr) || len == 0 || !user_span(addr, page_up(len)) || page_up(len) < len)
        return -EINVAL;
    return mm_munmap(current()->mm, addr, page_up(len));   // (a U call: mm.c takes the BKL)
}

#define PROT_SEM 0x8                     // accepted and ignored, as by Linux on x86

SYSCALL(mprotect) {
    uint64_t addr = a0, len = a1;
    int prot = (int)a2 & ~PROT_SEM;
    // Linux's order: alignment, length 0 (success, whatever prot is), wrap-around, prot.
    if (!page_aligned(addr))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (addr + page_up(len) <= addr)
        return -ENOMEM;
    if (prot & ~PROT_MASK)
        return -EINVAL;
    if (!user_span(addr, page_up(len)))
        return -ENOMEM;
    struct mm *mm = current()->mm;
    uint64_t flags = mm_lock(mm);
    int err = mm_protect(mm, addr, page_up(len), prot);
    mm_unlock(mm, flags);
    return err;
}

// The advice Linux knows (and this kernel accepts): mm_advise acts on those that change
// something; the rest are hints about access patterns, huge pages, same-page merging and
// core dumps, which change nothing here. MADV_REMOVE (punching holes in shared memory),
// MADV_COLLAPSE, the guard and hardware-poisoning advice are refused with EINVAL.
static bool advice_known(int advice) {
    switch (advice) {
    case 0: case 1: case 2: case 3:          // NORMAL, RANDOM, SEQUENTIAL, WILLNEED
    case MADV_DONTNEED: case MADV_FREE:
    case MADV_DONTFORK: case MADV_DOFORK:
    case 12: case 13:                        // MERGEABLE, UNMERGEABLE
    case 14: case 15:                        // HUGEPAGE, NOHUGEPAGE
    case 16: case 17:                        // DONTDUMP, DODUMP
    case MADV_WIPEONFORK: case MADV_KEEPONFORK:
    case 20: case 21:                        // COLD, PAGEOUT (no swap: nothing to do)
    case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
        return true;
    default:
        return false;
    }
}

// madvise runs without the BKL (a U call in syscall.c's table), under the address space's
// lock alone, for the advice that changes no VMA and never sleeps: MADV_DONTNEED and
// MADV_FREE, which only clear page-table entries (the tables stay: vm_gather_zap), and the
// hints, which change nothing. glibc's malloc gives memory back with MADV_DONTNEED, from
// every thread, all the time: under the BKL, that was most of a malloc-heavy program's
// time in the lock. The fork flags split and merge VMAs, and MADV_POPULATE_* fault pages
// in (which may sleep): those take the BKL.
static bool advice_needs_bkl(int advice) {
    return advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
           advice == MADV_KEEPONFORK || advice == MADV_POPULATE_READ ||
           advice == MADV_POPULATE_WRITE;
}

SYSCALL(madvise) {
    uint64_t start = a0, length = a1;
    int advice = (int)a2;
    uint64_t len = page_up(length);
    // Linux's order: the advice, alignment, a length that rounds up to 0 or wraps, length 0.
    // The range need not be in user space: what is not mapped is simply ENOMEM.
    if (!advice_known(advice) || !page_aligned(start))
        return -EINVAL;
    if ((length && !len) || start + len < start)
        return -EINVAL;
    if (len == 0)
        return 0;
    struct mm *mm = current()->mm;
    if (!advice_needs_bkl(advice))
        return mm_advise(mm, start, start + len, advice);
    bkl_lock();
    int err = mm_advise(mm, start, start + len, advice);
    bkl_unlock();
    return err;
}

// vec gets one byte per page: 1 if it is in memory. Filled in pieces, so that a hole
// after mapped pages leaves their bytes written, as on Linux.
SYSCALL(mincore) {
    uint64_t start = a0, len = a1, vec = a2;
    if (!page_aligned(start))
        return -EINVAL;
    if (!user_span(start, len))
        return -ENOMEM;
    uint64_t pages = page_up(len) / PAGE_SIZE;
    if (!user_span(vec, pages))
        return -EFAULT;
    unsigned char buf[256];
    for (uint64_t done = 0; done < pages;) {
        uint64_t want = pages - done < sizeof buf ? pages - done : sizeof buf;
        uint64_t got = mm_residency(current()->mm, start + done * PAGE_SIZE, want, buf);
        if (got && copy_to_user((void *)(vec + done), buf, got))
            return -EFAULT;
        if (got < want)
            return -ENOMEM;
        done += got;
        if (sched_need_resched())
            yield();             // a huge range: let others run (nothing is held here)
    }
    return 0;
}

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

// msync(addr, len, flags): written pages of shared file mappings go back to their files.
SYSCALL(msync) {
    uint64_t addr = a0, length = a1;
    int flags = (int)a2;
    uint64_t len = page_up(length);
    if (!page_aligned(addr) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    if (len < length || !user_span(addr, len))
        return -ENOMEM;
    if (len == 0)
        return 0;
    struct mm *mm = current()->mm;
    uint64_t lock_flags = mm_lock(mm);
    int err = mm_sync(mm, addr, len);
    mm_unlock(mm, lock_flags);
    return err;
}

// mremap(old_address, old_size, new_size, flags, new_address): grow, shrink or move a
// mapping (glibc's realloc of a large block). The checks here are Linux's first ones, in
// its order; mm_remap does the rest.
SYSCALL(mremap) {
    uint64_t addr = a0, old_size = a1, new_size = a2, new_addr = a4;
    int flags = (int)a3;
    uint64_t old_len = page_up(old_size), new_len = page_up(new_size);
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return -EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_size != new_size))
        return -EINVAL;
    if (!page_aligned(addr))
        return -EINVAL;
    if (!new_len)
        return -EINVAL;              // (a length that rounds up past the top is 0, as in Linux)
    uint64_t limit = current()->signal->rlim[RLIMIT_AS].rlim_cur / PAGE_SIZE;
    struct mm *mm = current()->mm;
    uint64_t lock_flags = mm_lock(mm);
    long ret = mm_remap(mm, addr, old_len, new_len, flags, new_addr, limit);
    mm_unlock(mm, lock_flags);
    return ret;
}
