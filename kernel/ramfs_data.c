// ramfs_data.c: the contents of regular files (and symlinks) in the in-memory filesystem.
//
// A file's data is a two-level table of pages, grown page by page as it is written:
//
//     file.leaves[i]   a table of LEAF_PAGES page pointers (one page itself), or NULL
//     leaves[i][j]     the page holding bytes [(i * LEAF_PAGES + j) * PAGE, + PAGE), or NULL
//
// A NULL leaf or page is a hole: it reads as zeros. Invariant: every byte of an allocated
// page at or past the file's size is zero - but for what a shared mapping stores past the
// end into the last page, which zero_tail clears before the file grows over it. Shrinking
// clears the tail of the last page kept and frees the pages and leaves past the end. The top array (file.leaves) grows as needed.
//
// A file unpacked from the initramfs may instead borrow the archive's bytes (fs_adopt):
// file.borrowed points at them, no page is allocated, and the first change copies them into
// pages. Pages count against a limit (fs_set_page_limit), as tmpfs's size= does: past it a
// write gets -ENOSPC (and -ENOMEM when memory runs out first).
//
// Locking, three levels:
//  - the inode's write_lock, a sleeping lock, is held by whoever changes the file's bytes
//    or size: a write (fs_write_user runs without the BKL: write(2) on several CPUs at
//    once, each file one writer at a time), a truncate, fs_write, a new seal (memfd.c).
//    Linux's i_rwsem does the same. Only the fault path changes a file without it, under
//    the BKL and its mm's spinlock, where it may not sleep: it fills a hole with a page
//    (fs_map_page), and that is safe beside a writer because a page or leaf goes into its
//    slot only if the slot is still empty (install): whoever comes second frees its
//    own and takes the first one's.
//  - the BKL covers the borrowed bytes' copy into pages (unborrow: the fault path and a
//    write both do it, so a writer takes the BKL for it), and the time stamps (fs_touch).
//  - the inode's data_lock is held to change the table of pages, the size or the borrowed
//    bytes, and to follow the table: read(2) takes it alone, page by page, to find the page
//    and take a reference to it (fs_read_user). It copies out with no lock held, and may
//    meet another CPU's write in the middle, as Linux's read may. A page is published in
//    the table only once zeroed, and a table or page that leaves it is freed only after,
//    under the lock: a reader holding the lock never follows a freed one.
//
// The data pages are the page cache (Linux's name): mmap maps these very pages (fs_map_page),
// so a shared mapping, read() and write() all see one copy. Each data page is a physical
// page counted with the vm_page API (vm.h): the file holds one reference, each page table
// entry mapping it one more, so a page the file lets go of (truncate, unlink) lives on until
// the last mapping goes - but truncate first unmaps it everywhere (mm_file_truncated), as
// Linux does: a touch past the new end is SIGBUS. The host unit tests (HOST_TEST) use plain
// kmalloc'd pages instead.
#include <errno.h>
#include <string.h>
#include "fs.h"
#include "kmalloc.h"
#include "panic.h"
#ifndef HOST_TEST
#include "memlayout.h"
#include "mm.h"
#include "page_alloc.h"
#include "proc.h"
#include "smp.h"
#include "uaccess.h"
#include "vm.h"
#endif

#define PAGE        4096ull
#define LEAF_PAGES  (PAGE / sizeof(char *))          // page pointers in one leaf: 512

// Pages of every file, atomic (writers of different files run at once); the limit is
// set under the BKL, and a writer that reads it a moment late may go a page or two past
// it, as tmpfs's per-CPU counts may.
static uint64_t pages_used, page_limit = UINT64_MAX;

void fs_set_page_limit(uint64_t pages) { page_limit = pages; }
uint64_t fs_pages_used(void) { return __atomic_load_n(&pages_used, __ATOMIC_RELAXED); }
uint64_t fs_page_limit(void) { return page_limit; }

static void count_page(int64_t n) { __atomic_add_fetch(&pages_used, (uint64_t)n, __ATOMIC_RELAXED); }

#ifdef HOST_TEST                         // the unit tests run on one thread, with no process
void fs_lock_write(struct inode *ip) { (void)ip; }
void fs_unlock_write(struct inode *ip) { (void)ip; }
static void bkl_in(void) {}
static void bkl_out(void) {}
#else
// For the steps of a write that need the BKL (unborrow, fs_touch). A caller that holds it
// already (fs_write's, a truncate's) takes it once more.
static void bkl_in(void) { bkl_lock(); }
static void bkl_out(void) { bkl_unlock(); }

// At boot the initramfs is unpacked before any process exists: one thread, nothing to
// exclude, and no thread to hold a sleeping lock.
void fs_lock_write(struct inode *ip)
{
    if (current_or_null())
        sleeplock_acquire(&ip->write_lock);
}

void fs_unlock_write(struct inode *ip)
{
    if (current_or_null())
        sleeplock_release(&ip->write_lock);
}
#endif

// The leaf table for page pg, or NULL (under data_lock).
static char **leaf_of(struct inode *ip, uint64_t pg)
{
    uint64_t leaf = pg / LEAF_PAGES;
    return leaf < ip->file.nleaves ? ip->file.leaves[leaf] : NULL;
}

// The page holding byte offset off, or NULL for a hole. The table is followed under
// data_lock (the fault path may swap in a bigger top array, and free the old one, at any
// time); a page found below the size stays, for pages are freed only past it (a truncate
// sets the smaller size first; a failed write frees those it made past it for nothing).
static char *page_in_table(struct inode *ip, uint64_t off)      // (data_lock held)
{
    char **tab = leaf_of(ip, off / PAGE);
    return tab ? tab[off / PAGE % LEAF_PAGES] : NULL;
}

static char *page_at(struct inode *ip, uint64_t off)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    char *p = page_in_table(ip, off);
    spin_unlock_irqrestore(&ip->data_lock, irq);
    return p;
}

// Makes the top array hold at least `need` leaf slots (new ones NULL). The new array is
// made outside the lock and swapped in under it - unless another CPU's grew it meanwhile
// (the fault path beside a writer): then ours goes.
static int grow_top(struct inode *ip, uint64_t need)
{
    uint64_t have = __atomic_load_n(&ip->file.nleaves, __ATOMIC_RELAXED);
    if (need <= have)
        return 0;
    uint64_t n = have ? 2 * have : 1;
    if (n < need)
        n = need;
    char ***top = kmalloc(n * sizeof *top), ***old = NULL;
    if (!top)
        return -ENOMEM;
    memset(top, 0, n * sizeof *top);
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    if (ip->file.nleaves < need) {
        if (ip->file.nleaves)
            memcpy(top, ip->file.leaves, ip->file.nleaves * sizeof *top);
        old = ip->file.leaves;
        ip->file.leaves = top;
        ip->file.nleaves = n;
        top = NULL;
    }
    spin_unlock_irqrestore(&ip->data_lock, irq);
    kfree(old);                          // no reader can be in it any more
    kfree(top);                          // (not needed after all)
    return 0;
}

// A new leaf (data: false) or data page (true), zeroed - a reader may see it at once -
// goes into the slot for page pg if that is still empty; else the one there stays, and
// ours goes back. Returns the one in the slot.
static void *install(struct inode *ip, uint64_t pg, void *p, bool data)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    char **tab = leaf_of(ip, pg);
    if (data && !tab)
        panic("ramfs: the leaf of page %llu went while a page was made for it",
              (unsigned long long)pg);
    void **slot = data ? (void **)&tab[pg % LEAF_PAGES]
                       : (void **)&ip->file.leaves[pg / LEAF_PAGES];
    void *there = *slot;
    if (!there) {
        *slot = there = p;
        if (data)
            ip->file.npages++;
    }
    spin_unlock_irqrestore(&ip->data_lock, irq);
    return there;
}

static void set_size(struct inode *ip, uint64_t size)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    ip->size = size;
    spin_unlock_irqrestore(&ip->data_lock, irq);
}

uint64_t fs_size(struct inode *ip)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    uint64_t size = ip->size;
    spin_unlock_irqrestore(&ip->data_lock, irq);
    return size;
}

// A leaf table, zeroed and counted; NULL with *err -ENOSPC (the limit) or -ENOMEM.
static void *zeroed_page(int *err)
{
    *err = -ENOSPC;
    if (fs_pages_used() >= page_limit)
        return NULL;
    *err = -ENOMEM;
    void *p = kmalloc(PAGE);
    if (p) {
        memset(p, 0, PAGE);
        count_page(1);
    }
    return p;
}

static void free_table(void *p)
{
    kfree(p);
    count_page(-1);
}

// A data page: zeroed, counted, and (in the kernel) referenced once, by the file; NULL
// with *err as zeroed_page's.
static char *data_page(int *err)
{
    *err = -ENOSPC;
    if (fs_pages_used() >= page_limit)
        return NULL;
    *err = -ENOMEM;
#ifdef HOST_TEST
    char *p = kmalloc(PAGE);
#else
    uint64_t pa = alloc_page();
    char *p = pa ? phys_to_virt(pa) : NULL;
    if (p)
        vm_page_new(pa);
#endif
    if (p) {
        memset(p, 0, PAGE);
        count_page(1);
    }
    return p;
}

// The file lets go of a data page: freed now, or when the last mapping of it goes.
static void drop_data_page(char *p)
{
#ifdef HOST_TEST
    kfree(p);
#else
    vm_page_put(virt_to_phys(p));
#endif
    count_page(-1);
}

// The page holding off, allocated (zeroed) if it was a hole. NULL: no space (*err says
// -ENOSPC or -ENOMEM). The writer (write lock) and the fault path (BKL) may both come:
// install keeps the first page for each slot.
static char *page_for_write(struct inode *ip, uint64_t off, int *err)
{
    uint64_t pg = off / PAGE;
    if ((*err = grow_top(ip, pg / LEAF_PAGES + 1)))
        return NULL;
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    char **tab = leaf_of(ip, pg), *p = tab ? tab[pg % LEAF_PAGES] : NULL;
    spin_unlock_irqrestore(&ip->data_lock, irq);
    if (p)
        return p;                        // (*err: 0, from grow_top)
    if (!tab) {
        char **fresh = zeroed_page(err);
        if (!fresh)
            return NULL;
        if (install(ip, pg, fresh, false) != fresh)
            free_table(fresh);
    }
    char *data = data_page(err);
    if (!data)
        return NULL;
    p = install(ip, pg, data, true);
    if (p != data)
        drop_data_page(data);
    *err = 0;
    return p;
}

// Frees every page that holds no byte below `size`, and leaves left empty. The data lock is
// let go after each leaf: a big file's pages are many (30,000 for 120 MB), and its readers
// and this CPU's interrupts would wait for all of them. Nobody needs what is past `size`
// meanwhile (it is the size already, or the pages are a failed write's own); the table
// is looked at anew each time, as a fault may grow it (grow_top).
static void free_from(struct inode *ip, uint64_t size)
{
    uint64_t first = (size + PAGE - 1) / PAGE;     // the first page wholly past the end
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    for (uint64_t leaf = first / LEAF_PAGES; leaf < ip->file.nleaves; leaf++) {
        char **tab = ip->file.leaves[leaf];
        if (!tab)
            continue;
        uint64_t j = leaf == first / LEAF_PAGES ? first % LEAF_PAGES : 0;
        for (; j < LEAF_PAGES; j++) {
            if (tab[j]) {
                drop_data_page(tab[j]);
                ip->file.npages--;
            }
            tab[j] = NULL;
        }
        if (leaf * LEAF_PAGES >= first) {          // nothing left in it
            free_table(tab);
            ip->file.leaves[leaf] = NULL;
        }
        spin_unlock_irqrestore(&ip->data_lock, irq);
        irq = spin_lock_irqsave(&ip->data_lock);
    }
    if (size == 0) {
        kfree(ip->file.leaves);
        ip->file.leaves = NULL;
        ip->file.nleaves = 0;
    }
    spin_unlock_irqrestore(&ip->data_lock, irq);
}

// A truncate's freeing of the pages past the new end, which may be many: with the BKL let
// go (in the kernel), as it needs nothing the BKL guards. The write lock keeps writers and
// other truncates out; the size is set already, so a fault (which looks at it under the
// BKL) fills no hole past it, and every other walk of the table is under data_lock.
static void free_past_end(struct inode *ip, uint64_t size)
{
#ifdef HOST_TEST
    free_from(ip, size);
#else
    uint64_t irq;
    bool dropped = bkl_drop(&irq);
    free_from(ip, size);
    bkl_retake(dropped, irq);
#endif
}

static void set_borrowed(struct inode *ip, const char *data)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    ip->file.borrowed = data;
    spin_unlock_irqrestore(&ip->data_lock, irq);
}

void ramfs_free_data(struct inode *ip)
{
    free_from(ip, 0);
    set_borrowed(ip, NULL);
}

// Copies borrowed bytes into pages of our own, before the first change. All or nothing.
// Under the BKL: a writer and the fault path both come here.
static int unborrow(struct inode *ip)
{
    const char *src = ip->file.borrowed;
    if (!src)
        return 0;
    for (uint64_t off = 0; off < ip->size; off += PAGE) {
        int err;
        char *p = page_for_write(ip, off, &err);
        if (!p) {
            free_from(ip, 0);
            return err;
        }
        memcpy(p, src + off, ip->size - off < PAGE ? ip->size - off : PAGE);
    }
    set_borrowed(ip, NULL);              // (a reader until now read the archive's bytes)
    return 0;
}

// A store through a shared mapping may leave bytes past the end in the last page (Linux
// allows it: they are not the file's). Before the file grows over them they become zeros
// again, as POSIX wants the new part to read, and the invariant above holds again.
static void zero_tail(struct inode *ip)
{
    char *last = ip->size % PAGE ? page_at(ip, ip->size) : NULL;
    if (last)
        memset(last + ip->size % PAGE, 0, PAGE - ip->size % PAGE);
}

// While writes are denied, nothing changes the file's bytes or its table of pages - no
// write, no truncate, no store through a shared mapping - and if none is a hole and none
// is borrowed from the initramfs, mapping a page of it changes nothing either
// (fs_map_page). Its reader then needs no lock: exec reads a program that way.
bool fs_data_stable(const struct inode *ip)
{
    return S_ISREG(ip->mode) && !ip->mnt && ip->writecount < 0 && !ip->file.borrowed &&
           ip->file.npages == (ip->size + PAGE - 1) / PAGE;
}

// Reading or writing anything but a regular file: a directory is -EISDIR, others -EINVAL.
static int check_regular(struct inode *ip)
{
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    return S_ISREG(ip->mode) ? 0 : -EINVAL;
}

// A read of a procfs or sysfs file without an open file (exec's look at a script's first
// line, say): its text made anew (fs.h: generate), and the part asked for copied.
static long read_generated(struct inode *ip, uint64_t off, void *dst, size_t n)
{
    char *text;
    long len = ip->mnt->generate(ip, &text);
    if (len < 0)
        return len;
    long got = off < (uint64_t)len ? (long)((uint64_t)len - off < n ? (uint64_t)len - off : n) : 0;
    memcpy(dst, text + off, (size_t)got);
    kfree(text);
    return got;
}

// The bytes; with touch, the access time too.
static long read_bytes(struct inode *ip, uint64_t off, void *buf, size_t n, bool touch)
{
    if (ip->mnt)
        return read_generated(ip, off, buf, n);
    int err = check_regular(ip);
    if (err)
        return err;
    if (off >= ip->size)
        return 0;
    if (n > ip->size - off)
        n = ip->size - off;
    if (ip->file.borrowed) {
        memcpy(buf, ip->file.borrowed + off, n);
    } else {
        for (size_t done = 0; done < n;) {
            uint64_t at = off + done, in = at % PAGE;
            size_t k = PAGE - in < n - done ? PAGE - in : n - done;
            char *p = page_at(ip, at);
            if (p)
                memcpy((char *)buf + done, p + in, k);
            else
                memset((char *)buf + done, 0, k);
            done += k;
        }
    }
    if (touch)
        fs_touch(ip, FS_ATIME_RELATIVE);
    return (long)n;
}

long fs_read(struct inode *ip, uint64_t off, void *buf, size_t n)
{
    return read_bytes(ip, off, buf, n, true);
}

long fs_read_stable(struct inode *ip, uint64_t off, void *buf, size_t n)
{
    if (!fs_data_stable(ip))
        panic("fs_read_stable: inode %llu may change", (unsigned long long)ip->ino);
    return read_bytes(ip, off, buf, n, false);
}

// As Linux: a write starting at or past the size limit is -EFBIG, one crossing it is cut
// short at the limit, and a write of 0 bytes does nothing (and succeeds) anywhere. 1: go on
// and write *n bytes; else what the write returns.
static long write_begin(struct inode *ip, uint64_t off, size_t *n)
{
    int err = check_regular(ip);
    if (err || *n == 0)
        return err;
    if (off >= FS_FILE_MAX)
        return -EFBIG;
    if (*n > FS_FILE_MAX - off)
        *n = FS_FILE_MAX - off;
    if (ip->seals & (FS_SEAL_WRITE | FS_SEAL_FUTURE_WRITE))
        return -EPERM;
    if ((ip->seals & FS_SEAL_GROW) && off + *n > ip->size) {
        // Linux's shmem_write_begin refuses the first page-sized piece that would grow
        // the file: what comes before it is written.
        uint64_t stop = ip->size & ~(PAGE - 1);
        if (stop <= off)
            return -EPERM;
        *n = stop - off;
    }
    if (ip->file.borrowed) {             // (a look without the BKL: unborrow looks again)
        bkl_in();
        err = unborrow(ip);
        bkl_out();
        if (err)
            return err;
    }
    if (off + *n > ip->size)
        zero_tail(ip);
    return 1;
}

// A write that stopped early (err says why) returns a short count or, if nothing was
// written, the error, with nothing changed.
static long write_end(struct inode *ip, uint64_t off, size_t done, int err)
{
    if (done && off + done > ip->size)
        set_size(ip, off + done);
    if (err)
        free_from(ip, ip->size);         // pages and leaves made for nothing go back
    if (done == 0)
        return err;
    bkl_in();
    fs_touch(ip, FS_MTIME | FS_CTIME);
    bkl_out();
    return (long)done;
}

// A write that runs out of space stops there: -ENOSPC (the page limit) or -ENOMEM (no
// memory) if nothing was written.
long fs_write(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
    if (ip->mnt && ip->mnt->write && S_ISREG(ip->mode))
        return ip->mnt->write(ip, off, buf, n);   // /proc/sys's writable files
    if (ip->mnt)
        return -EIO;                     // procfs's other files take no data (Linux: EIO)
    fs_lock_write(ip);
    long go = write_begin(ip, off, &n);
    if (go != 1) {
        fs_unlock_write(ip);
        return go;
    }
    size_t done = 0;
    int err = 0;
    while (done < n) {
        uint64_t at = off + done, in = at % PAGE;
        size_t k = PAGE - in < n - done ? PAGE - in : n - done;
        char *p = page_for_write(ip, at, &err);
        if (!p)
            break;
        memcpy(p + in, (const char *)buf + done, k);
        done += k;
    }
    long r = write_end(ip, off, done, done < n ? err : 0);
    fs_unlock_write(ip);
    return r;
}

static int truncate_locked(struct inode *ip, uint64_t size);

int fs_truncate(struct inode *ip, uint64_t size)
{
    if (ip->mnt)
        return 0;                        // procfs: Linux accepts and ignores it
    fs_lock_write(ip);
    int err = truncate_locked(ip, size);
    fs_unlock_write(ip);
    return err;
}

static int truncate_locked(struct inode *ip, uint64_t size)
{
    int err = check_regular(ip);
    if (err)
        return err;
    if (size > FS_FILE_MAX)
        return -EFBIG;
    if ((size < ip->size && (ip->seals & FS_SEAL_SHRINK)) ||
        (size > ip->size && (ip->seals & FS_SEAL_GROW)))
        return -EPERM;
    if (size < ip->size && ip->file.borrowed) {
        // Only the bytes that stay are copied (none for a cut to 0): a shrink needs no
        // room past them, as tmpfs's never fails for space. The size goes first, so a
        // reader meanwhile reads the borrowed bytes up to it; a failed copy puts it back.
        uint64_t old = ip->size;
        set_size(ip, size);
        if ((err = unborrow(ip))) {
            set_size(ip, old);
            return err;
        }
        // (Now the size is the new one: the part below has nothing to do - no page past it
        // was made, and no mapping holds one, as a file is mapped only after its unborrow.)
    }
    if (size < ip->size) {
        set_size(ip, size);              // first, as Linux's truncate_setsize: a read that
                                         // comes meanwhile ends there, not in freed pages
#ifndef HOST_TEST
        mm_file_truncated(ip, size);             // no mapping keeps a page past the end
#endif
        char *last = size % PAGE ? page_at(ip, size) : NULL;
        if (last)                                    // the invariant: zero past the end
            memset(last + size % PAGE, 0, PAGE - size % PAGE);
        free_past_end(ip, size);
    } else if (size > ip->size && ip->file.borrowed && (err = unborrow(ip))) {
        return err;                      // borrowed bytes end at size: the rest must be ours
    } else if (size > ip->size) {
        zero_tail(ip);
    }
    set_size(ip, size);
    fs_touch(ip, FS_MTIME | FS_CTIME);
    return 0;
}

// The first page at or after pg that is not in a hole leaf (a leaf table that is not
// there stands for LEAF_PAGES pages of holes): how a range over a sparse file is walked.
static uint64_t skip_empty_leaves(struct inode *ip, uint64_t pg, uint64_t end_pg)
{
    uint64_t irq = spin_lock_irqsave(&ip->data_lock);
    while (pg < end_pg && !leaf_of(ip, pg))
        pg = (pg / LEAF_PAGES + 1) * LEAF_PAGES;
    spin_unlock_irqrestore(&ip->data_lock, irq);
    return pg;
}

int fs_zero_range(struct inode *ip, uint64_t start, uint64_t end)
{
    int err = check_regular(ip);
    if (err)
        return err;
    fs_lock_write(ip);
    if (end > ip->size)
        end = ip->size;
    if (start < end && ip->file.borrowed)
        err = unborrow(ip);
    for (uint64_t off = start; !err && off < end;) {
        uint64_t pg = skip_empty_leaves(ip, off / PAGE, (end + PAGE - 1) / PAGE);
        if (pg * PAGE > off)
            off = pg * PAGE;
        if (off >= end)
            break;
        uint64_t next = (off / PAGE + 1) * PAGE < end ? (off / PAGE + 1) * PAGE : end;
        char *p = page_at(ip, off);
        if (p)
            memset(p + off % PAGE, 0, next - off);
        off = next;
    }
    if (!err)
        fs_touch(ip, FS_MTIME | FS_CTIME);
    fs_unlock_write(ip);
    return err;
}

int fs_adopt(struct inode *ip, const char *data, uint64_t size)
{
    int err = check_regular(ip);
    if (err)
        return err;
    if (size > FS_FILE_MAX)
        return -EFBIG;
    ramfs_free_data(ip);
    set_size(ip, size);
    set_borrowed(ip, size ? data : NULL);
    return 0;
}

// 512-byte blocks the file's data takes, as st_blocks counts them (holes take none).
uint64_t fs_blocks(struct inode *ip)
{
    if (!S_ISREG(ip->mode) || ip->mnt)
        return 0;
    if (ip->file.borrowed)
        return (ip->size + PAGE - 1) / PAGE * (PAGE / 512);
    return ip->file.npages * (PAGE / 512);
}

long fs_readlink(struct inode *ip, char *buf, size_t n)
{
    if (!S_ISLNK(ip->mode))
        return -EINVAL;
    if (n > ip->size)
        n = ip->size;
    memcpy(buf, ip->target, n);
    return (long)n;
}

#ifndef HOST_TEST
// The physical page holding the file's page pgoff, for mm.c to map: a hole gets a zeroed
// page of the file's own first (as a tmpfs fault allocates), and a file still borrowing the
// initramfs's bytes gets pages of its own (the archive's bytes are not page-aligned). The
// caller takes its own reference (vm_page_get) for the mapping. -ENODEV for what has no page
// cache here (procfs: its mappings are copies), -ENOSPC or -ENOMEM when no page can be had.
// (Under the BKL, as fs_map_page: the borrowed bytes cannot go meanwhile.)
uint64_t fs_page_pa(struct inode *ip, uint64_t pgoff)
{
    if (ip->mnt || !S_ISREG(ip->mode) || ip->file.borrowed)
        return 0;
    char *p = page_at(ip, pgoff * PAGE);
    return p ? virt_to_phys(p) : 0;
}

int fs_map_page(struct inode *ip, uint64_t pgoff, uint64_t *pa)
{
    if (ip->mnt || !S_ISREG(ip->mode))
        return -ENODEV;
    int err = unborrow(ip);
    if (err)
        return err;
    char *p = page_for_write(ip, pgoff * PAGE, &err);
    if (!p)
        return err;
    *pa = virt_to_phys(p);
    return 0;
}

// read(2) and write(2) of a regular file (sys_file.c): the bytes move straight between the
// user's buffer and the file's pages, one copy where a kernel buffer would take two.
bool fs_copies_direct(const struct inode *ip)
{
    return S_ISREG(ip->mode) && !ip->mnt;
}

// read(2)'s copy out (sys_file.c), with no lock held: it may fault on the user's page, and
// the fault may sleep (memory is short), and other CPUs may write or truncate the file
// meanwhile. So each page is found, and held by a reference of its own across its copy,
// under data_lock, and the next one is looked up anew: a page cannot be freed under the
// copy, and the bytes past the end are not read, even if the file shrank meanwhile. A hole
// reads as the zero page; the initramfs's bytes, which the kernel never frees, as they are.
// The caller sets the access time (fs_touch: under the BKL).
long fs_read_user(struct inode *ip, uint64_t off, uint64_t ubuf, size_t n)
{
    size_t done = 0;
    bool at_end = false;                 // the first look found off at or past the end
    while (done < n) {
        uint64_t at = off + done, in = at % PAGE, pa = 0;
        const char *src;
        uint64_t irq = spin_lock_irqsave(&ip->data_lock);
        if (at >= ip->size) {
            at_end = done == 0;
            spin_unlock_irqrestore(&ip->data_lock, irq);
            break;
        }
        size_t k = PAGE - in < n - done ? PAGE - in : n - done;
        if (k > ip->size - at)
            k = ip->size - at;
        if (ip->file.borrowed) {
            src = ip->file.borrowed + at;
        } else {
            char *p = page_in_table(ip, at);
            pa = p ? virt_to_phys(p) : vm_zero_page();
            vm_page_get(pa);
            src = (const char *)phys_to_virt(pa) + in;
        }
        spin_unlock_irqrestore(&ip->data_lock, irq);
        size_t left = copy_to_user_left((void *)(ubuf + done), src, k);
        if (pa)
            vm_page_put(pa);
        done += k - left;
        if (left)
            break;
    }
    return done || n == 0 || at_end ? (long)done : -EFAULT;
}

// write(2)'s copy in, without the BKL, under the file's write lock (the caller's): no other
// writer sees it half done, or writes or truncates the file in the middle of it, as under
// Linux's inode lock. Its copies do not take faults (copy_from_user_nosleep), as Linux's
// copy_page_from_iter_atomic: a fault could need what the writer holds. Where a page of
// the buffer is not there to read at once, the write stops there, with a short count; if
// it had written nothing, it brings that page in (which may sleep, the write lock held:
// the fault path never takes it) and starts again. A bad buffer ends the write at the
// first byte that could not be read: a short count, or -EFAULT. A hole is filled only once
// a byte has come for it, and the pages made past the end for a write that stopped go
// back. The file grows page by page, as Linux's: the buffer may be a mapping of this very
// file, past its old end. With append, *off becomes the end first.
#define WRITE_TRIES 8                    // the OOM killer's rounds one write may wait for

long fs_write_user(struct inode *ip, uint64_t *offp, uint64_t ubuf, size_t n, bool append)
{
    if (!sleeplock_holding(&ip->write_lock))
        panic("fs_write_user: inode %llu written without its write lock",
              (unsigned long long)ip->ino);
    uint64_t off = *offp;
    for (int tries = 1;; tries++) {
        if (append)
            off = ip->size;
        size_t want = n;
        long go = write_begin(ip, off, &want);
        if (go != 1)
            return go;
        size_t done = 0;
        int err = 0;
        while (done < want && !err) {
            uint64_t at = off + done, in = at % PAGE;
            size_t k = PAGE - in < want - done ? PAGE - in : want - done;
            char first, *p = page_at(ip, at);
            const char *src = (const char *)(ubuf + done);
            if (!p && copy_from_user_nosleep(&first, src, 1))
                err = -EFAULT;           // nothing came for the hole: it stays one
            else if (!p)
                p = page_for_write(ip, at, &err);
            size_t left = p ? copy_from_user_nosleep(p + in, src, k) : 0;
            done += p ? k - left : 0;
            if (done && off + done > ip->size)
                set_size(ip, off + done);
            if (left)
                err = -EFAULT;
        }
        long r = write_end(ip, off, done, err);
        if (r > 0)
            *offp = off + (uint64_t)r;
        char c;
        if (r != -EFAULT || tries == WRITE_TRIES || copy_from_user_left(&c, (const void *)ubuf, 1))
            return r;                    // (the write's first byte, brought in: it may sleep)
    }
}
#endif
