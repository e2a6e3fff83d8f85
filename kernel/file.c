// file.c: open-file objects and the file operations for filesystem inodes.
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "flock.h"
#include "fs.h"
#include "kmalloc.h"
#include "poll.h"
#include "smp.h"
#include "string.h"

// Does f hold its inode's write access (fs_get_write_access, taken by open: sys_path.c)?
static bool holds_write_access(const struct file *f) {
    return f->ip && S_ISREG(f->ip->mode) && open_writes(f->flags);
}

struct file *file_alloc(const struct file_ops *ops, struct inode *ip, unsigned int flags) {
    struct file *f = kzalloc(sizeof *f);
    if (!f)
        return NULL;
    f->refs = 1;
    sleeplock_init(&f->pos_lock, "file position");
    f->ops = ops;
    f->flags = flags;
    f->ip = ip;
    if (ip)
        fs_get(ip);
    return f;
}

// The count is atomic: fork copies a descriptor table without the BKL (fork.c's
// copy_unlocked), while another process sharing the open file may close it. A count
// it adds to is at least 1 meanwhile (the table it copies holds one), so the last close -
// and what it frees - is always under the BKL.
struct file *file_dup(struct file *f) {
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

// A reference dropped without the BKL (fd_get_unlocked's, after read(2) or write(2)):
// only the last one needs it, for the release below - another thread closed the
// descriptor while the call ran. So does any reference to a socket whose file is held in
// flight (SCM_RIGHTS): the drop may leave it held only there, garbage that file_close
// hands to the collector (sock_file_unref). Without that, a socket that another thread's
// close left held by its own ring while a send on it still ran stayed, with every page
// of its ring, until some other cycle's collection. inflight is read after refs: a send
// of the file raises it under the BKL, with a reference of its own, while a descriptor
// still holds one. If that send came after the look at refs, the exchange fails; if
// before, the descriptor's close, under the BKL after inflight is raised, looks itself.
void file_put(struct file *f) {
    int refs = __atomic_load_n(&f->refs, __ATOMIC_ACQUIRE);
    while (refs > 1 && !(file_is_socket(f) && sock_file_in_flight(f)))
        if (__atomic_compare_exchange_n(&f->refs, &refs, refs - 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return;
    bkl_lock();
    file_close(f);
    bkl_unlock();
}

void file_close(struct file *f) {
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) > 0) {
        if (file_is_socket(f))
            sock_file_unref(f);     // it may be held only by messages in flight now
        return;
    }
    epoll_file_closed(f);           // its epoll registrations die with it
    flock_release(f);               // and its flock and OFD locks
    if (f->ops->release)
        f->ops->release(f);
    if (holds_write_access(f))
        fs_put_write_access(f->ip);
    if (f->ip)
        fs_put(f->ip);
    kfree(f);
}

static uint64_t next_pseudo_ino = 10000;   // (atomic: sockets are made without the BKL too)

uint64_t pseudo_ino(void) {
    return __atomic_fetch_add(&next_pseudo_ino, 1, __ATOMIC_RELAXED);
}

void anon_inode_stat(struct file *f, struct kstat *st) {
    (void)f;
    memset(st, 0, sizeof *st);
    st->st_mode = 0600;                  // no file type bits, as Linux's anon_inode
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = ANON_INODE_INO;
}

void inode_stat(struct inode *ip, struct kstat *st) {
    memset(st, 0, sizeof *st);
    st->st_dev = ip->mnt ? ip->mnt->dev : 1;   // procfs, sysfs, or the one RAM filesystem
    st->st_ino = ip->ino;
    st->st_nlink = ip->nlink;
    st->st_mode = ip->mode;
    st->st_uid = ip->uid;
    st->st_gid = ip->gid;
    st->st_rdev = ip->rdev;
    st->st_size = (int64_t)ip->size;
    st->st_blksize = 4096;                  // tmpfs's: one page
    st->st_blocks = (int64_t)fs_blocks(ip);
    st->st_atime_sec = (uint64_t)ip->atime.sec;
    st->st_atime_nsec = (uint64_t)ip->atime.nsec;
    st->st_mtime_sec = (uint64_t)ip->mtime.sec;
    st->st_mtime_nsec = (uint64_t)ip->mtime.nsec;
    st->st_ctime_sec = (uint64_t)ip->ctime.sec;
    st->st_ctime_nsec = (uint64_t)ip->ctime.nsec;
}

// A generated file's text (procfs), as its reader saw it at its first read: a read that
// goes on where the last one ended continues in that text; any other (from offset 0,
// after an lseek, a pread) makes it anew - as Linux's seq_file does. Made afresh at every
// read, a text that grew meanwhile (the counts of /proc/bkl_stat or /proc/interrupts) gave
// a reader reading in pieces the end of a newer text after the start of an older one, or
// the newer one's last lines again where the older had ended. Kept in f->priv until the
// file is closed.
struct generated { char *text; long len; uint64_t end; };   // end: where the last read ended

static long generated_read(struct file *f, void *buf, size_t n) {
    struct generated *g = f->priv;
    if (!g && !(g = f->priv = kzalloc(sizeof *g)))
        return -ENOMEM;
    if (!g->text || f->pos == 0 || f->pos != g->end) {
        kfree(g->text);
        g->text = NULL;
        long len = f->ip->mnt->generate(f->ip, &g->text);
        if (len < 0)
            return len;
        g->len = len;
    }
    g->end = f->pos;
    if (f->pos >= (uint64_t)g->len)
        return 0;
    size_t got = (uint64_t)g->len - f->pos < n ? (size_t)((uint64_t)g->len - f->pos) : n;
    memcpy(buf, g->text + f->pos, got);
    g->end = f->pos + got;
    return (long)got;
}

static bool generated(const struct file *f) { return f->ip->mnt && f->ip->mnt->generate; }

static long inode_read(struct file *f, void *buf, size_t n) {
    long got = generated(f) && !S_ISDIR(f->ip->mode) ? generated_read(f, buf, n)
                                                    : fs_read(f->ip, f->pos, buf, n);
    if (got > 0)
        f->pos += (uint64_t)got;
    return got;
}

static void inode_release(struct file *f) {
    struct generated *g = f->priv;
    if (g && generated(f)) {
        kfree(g->text);
        kfree(g);
    }
}

// (splice's and sendfile's writes into a file, under the BKL.) A regular file's write may
// sleep for the file's write lock (ramfs_data.c), the BKL let go meanwhile: so the bytes are
// claimed first, as write(2) claims them (sys_file.c's write_regular) - the position moves
// past them at once, and a write(2) or read(2) of the same file meanwhile starts after
// them - and what the write did not take is given back after, unless the position moved
// meanwhile (an lseek). (Not the file's pos_lock: splice holds the pipe's, and a thread
// holds at most two sleeping locks.)
static long inode_write(struct file *f, const void *buf, size_t n) {
    if (f->flags & O_APPEND)
        f->pos = f->ip->size;
    uint64_t at = f->pos;
    f->pos = at + n;
    long put = fs_write(f->ip, at, buf, n);
    if (f->pos == at + n)
        f->pos = at + (put > 0 ? (uint64_t)put : 0);
    return put;
}

static void inode_file_stat(struct file *f, struct kstat *st) { inode_stat(f->ip, st); }

const struct file_ops inode_file_ops = {
    .read = inode_read,
    .write = inode_write,
    .release = inode_release,
    .ioctl = NULL,           // -ENOTTY, as for any regular file on Linux
    .stat = inode_file_stat,
};
