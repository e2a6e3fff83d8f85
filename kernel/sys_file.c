// sys_file.c: system calls on file descriptors: read, write, lseek, close, dup, fcntl, ...
//
// Data moves between user memory and the file in chunks through a kernel buffer: most file
// operations (file.h) only ever see kernel memory, and only this layer touches user memory,
// through uaccess.h. But for a regular file of the RAM filesystem, the most read and
// written, the bytes go straight between the user's buffer and the file's pages, in one
// copy instead of two (fs_read_user and fs_write_user, ramfs_data.c); and so do a pipe's,
// between the user's buffer and its ring, and a socket's (their read_user and write_user).
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "memfd.h"
#include "flock.h"
#include "kmalloc.h"
#include "pipe.h"
#include "proc.h"
#include "smp.h"
#include "syscall.h"
#include "uaccess.h"
#include "vm.h"

#define CHUNK 4096
#define SMALL 256      // small transfers use a stack buffer: no allocation on the fast path
#define MAX_RW_COUNT (0x7fffffffull & ~0xfffull)   // Linux caps one read/write at this
#define IOV_MAX 1024

static bool user_span(uint64_t p, uint64_t n) { return p < USER_TOP && n <= USER_TOP - p; }
// Access mode 3 is neither: Linux's fd for ioctl only.
static bool readable(struct file *f) { return open_reads(f->flags); }
static bool writable(struct file *f) { return open_writes(f->flags); }

// Linux's rw_verify_area: a file with a position (not a pipe or socket) is never read or
// written past the largest offset - when pos + n would pass it, the call is EINVAL before
// anything moves (the user's buffers are checked first: EFAULT), even if no byte is there.
static bool positioned(struct file *f) { return f->ip && !S_ISFIFO(f->ip->mode); }
static bool past_max(uint64_t pos, uint64_t n) { return pos > INT64_MAX || n > INT64_MAX - pos; }

// One piece of a read. Only the first may wait (a pipe, a terminal): once it has brought
// data, the read returns what more there is now, as Linux's does, rather than wait for
// more. The later ones are made non-blocking for the call: such a read does not sleep, so
// under the BKL nobody else sees the flag meanwhile.
static long read_piece(struct file *f, char *buf, size_t want, bool first) {
    if (first || (f->ip && S_ISREG(f->ip->mode)))
        return f->ops->read(f, buf, want);
    unsigned flags = f->flags;
    f->flags = flags | O_NONBLOCK;
    long got = f->ops->read(f, buf, want);
    f->flags = flags;
    return got;
}

// The file's bytes are pages of its own: no kernel buffer between them and the user's. Such
// a file is read and written only by read_regular, read_at and write_regular, below,
// without the BKL; do_read and do_write are for every other file.
static bool direct(struct file *f) { return f->ops == &inode_file_ops && fs_copies_direct(f->ip); }

// After a read without the BKL: the access time, under the BKL, but only when it changes
// (relatime: fs_atime_due). Every read that reaches the file touches it, as Linux's tmpfs
// (shmem_file_read_iter) does: also one that finds no byte, at or past the end, one of 0
// bytes, and one whose buffer faults.
static void touch_atime(struct inode *ip) {
    if (fs_atime_due(ip)) {
        bkl_lock();
        fs_touch(ip, FS_ATIME_RELATIVE);
        bkl_unlock();
    }
}

// The vector's first n bytes from the file at `at` on, stopping at a short piece: bytes, or
// the error if none came (fs_read_user: under the inode's data lock alone).
static long read_pieces(struct inode *ip, const struct iovec *iov, uint64_t cnt, uint64_t n,
                        uint64_t at) {
    long got = 0;
    for (uint64_t i = 0; i < cnt && (uint64_t)got < n; i++) {
        size_t k = iov[i].len < n - (uint64_t)got ? iov[i].len : n - (uint64_t)got;
        long r = k ? fs_read_user(ip, at + (uint64_t)got, iov[i].base, k) : 0;
        if (r < 0)
            return got ? got : r;
        got += r;
        if ((size_t)r < k)
            break;
    }
    return got;
}

// read(2) and readv(2) of such a file run without the BKL (read_or_write, sys_readv): its
// bytes are found under the inode's own lock (fs_read_user), and copied out with no lock
// held, on several CPUs at once. Only the position needs more, and only if another thread
// may use the same open file (shared): Linux serializes such reads with the file's
// f_pos_lock, a sleeping lock, which lseek, write and the rest take too. Here the reads
// take it (pos_lock) - each starts where the last one stopped - and the others run under
// the BKL: so the read also claims its bytes under the BKL before the copy (the position
// moves past them at once, for an lseek meanwhile) and gives back, after, what a bad
// buffer or a shrinking file kept it from reading. The access time needs the BKL too, but
// only when it changes (relatime). The vector's n bytes are in user space.
static long read_regular(struct file *f, bool shared, const struct iovec *iov, uint64_t cnt,
                         uint64_t n) {
    if (shared) {
        sleeplock_acquire(&f->pos_lock);
        bkl_lock();
    }
    uint64_t at = f->pos, size = fs_size(f->ip);
    bool bad = past_max(at, n);           // (EINVAL: nothing to read, no access time)
    n = n < MAX_RW_COUNT ? n : MAX_RW_COUNT;
    uint64_t want = bad || at >= size ? 0 : size - at < n ? size - at : n;
    f->pos = at + want;
    if (shared)
        bkl_unlock();
    long got = read_pieces(f->ip, iov, cnt, want, at);
    if ((uint64_t)got != want) {
        if (shared)
            bkl_lock();
        if (f->pos == at + want)
            f->pos = at + (got > 0 ? (uint64_t)got : 0);
        if (shared)
            bkl_unlock();
    }
    if (shared)
        sleeplock_release(&f->pos_lock);
    if (bad)
        return -EINVAL;
    touch_atime(f->ip);
    return got;
}

// preadv of such a file, and pread64: at offset, no position moved, so no lock but the
// inode's (fs_read_user).
static long read_at(struct file *f, const struct iovec *iov, uint64_t cnt, uint64_t n,
                    uint64_t offset) {
    if (past_max(offset, n))
        return -EINVAL;
    long got = read_pieces(f->ip, iov, cnt, n < MAX_RW_COUNT ? n : MAX_RW_COUNT, offset);
    touch_atime(f->ip);
    return got;
}

// The vector's pieces into the file from *at on, in one hold of its write lock (a writev is
// one write, as Linux's: no other writer's bytes come between its pieces, nor a truncate).
// *at moves past what was written; with append each piece goes to the end. Bytes or error.
static long write_pieces(struct inode *ip, const struct iovec *iov, uint64_t cnt, uint64_t n,
                         uint64_t *at, bool append) {
    long put = 0;
    fs_lock_write(ip);
    for (uint64_t i = 0; i < cnt && (uint64_t)put < n; i++) {
        size_t k = iov[i].len < n - (uint64_t)put ? iov[i].len : n - (uint64_t)put;
        long r = k ? fs_write_user(ip, at, iov[i].base, k, append) : 0;
        if (r < 0) {
            put = put ? put : r;
            break;
        }
        put += r;
        if ((size_t)r < k)
            break;
    }
    fs_unlock_write(ip);
    return put;
}

// write(2), writev(2), pwrite64(2) and pwritev(2) of a regular file run without the BKL
// (sys_write and the rest): the file's bytes change under its write lock (fs_lock_write,
// ramfs_data.c), one writer per file at a time and different files' writers at once, as
// Linux's inode lock has them. The position (offset NULL: the file's own) is read and
// moved as read_regular does it for a file other threads may use (shared): under the
// file's pos_lock, claimed under the BKL before the write, and what a short write did not
// use given back after. With O_APPEND the bytes go to the end, found under the write lock,
// and the position moves there only if the call wrote. The vector's n bytes are in user
// space (the caller checked).
static long write_regular(struct file *f, bool shared, const struct iovec *iov, uint64_t cnt,
                          uint64_t n, const uint64_t *offset) {
    bool append = f->flags & O_APPEND, moves = offset == NULL;
    shared = shared && moves;
    if (shared) {
        sleeplock_acquire(&f->pos_lock);
        bkl_lock();
    }
    uint64_t at = moves ? f->pos : *offset, end = at;
    bool bad = past_max(at, n);
    n = n < MAX_RW_COUNT ? n : MAX_RW_COUNT;
    if (moves && !bad && !append)
        f->pos = at + n;                 // claimed: an lseek meanwhile sees past it
    if (shared)
        bkl_unlock();
    long put = bad ? -EINVAL : write_pieces(f->ip, iov, cnt, n, &end, append);
    if (moves && !bad && (append ? put > 0 : (uint64_t)put != n)) {
        if (shared)
            bkl_lock();
        if (append)
            f->pos = end;
        else if (f->pos == at + n)
            f->pos = at + (put > 0 ? (uint64_t)put : 0);
        if (shared)
            bkl_unlock();
    }
    if (shared)
        sleeplock_release(&f->pos_lock);
    return put;
}

// Reads up to n bytes into user memory at ubuf, at the file's position (pread's offset is
// lent to it: at_offset). A short read from the file ends it. nowait: a file that would
// wait for bytes (a pipe, a terminal) says -EAGAIN instead (readv's later pieces). Under
// the BKL.
static long do_read(struct file *f, uint64_t ubuf, uint64_t n, bool nowait) {
    if (!user_span(ubuf, n))
        return -EFAULT;
    if (positioned(f) && past_max(f->pos, n))
        return -EINVAL;
    if (f->ops->read_user)
        return f->ops->read_user(f, ubuf, n < MAX_RW_COUNT ? n : MAX_RW_COUNT, nowait);
    if (!f->ops->read)
        return -EINVAL;
    if (n == 0 && f->ip && S_ISDIR(f->ip->mode))
        return -EISDIR;              // Linux asks the file even for 0 bytes
    n = n < MAX_RW_COUNT ? n : MAX_RW_COUNT;
    char small[SMALL], *buf = n <= SMALL ? small : kmalloc(CHUNK);
    if (!buf)
        return -ENOMEM;
    long total = 0;
    while ((uint64_t)total < n) {
        size_t want = n - total < CHUNK ? n - total : CHUNK;
        uint64_t pos = f->pos;
        long got = read_piece(f, buf, want, total == 0 && !nowait);
        size_t left = got > 0 ? copy_to_user_left((void *)(ubuf + total), buf, got) : 0;
        if (left) {                  // a bad buffer: the bytes that did not reach the
            if (f->pos == pos + (uint64_t)got)     // user go back, as Linux's
                f->pos -= left;
            got -= (long)left;
            total = got ? total + got : total ? total : -EFAULT;
            break;
        }
        if (got < 0) {
            if (total == 0)
                total = got;
            break;
        }
        total += got;
        if ((size_t)got < want)
            break;
    }
    if (buf != small)
        kfree(buf);
    return total;
}

static long do_write(struct file *f, uint64_t ubuf, uint64_t n) {
    if (!user_span(ubuf, n))
        return -EFAULT;
    if (positioned(f) && past_max(f->pos, n))
        return -EINVAL;
    if (f->ops->write_user)
        return f->ops->write_user(f, ubuf, n < MAX_RW_COUNT ? n : MAX_RW_COUNT);
    if (!f->ops->write)
        return -EINVAL;
    if (n == 0)                      // Linux asks the file even for 0 bytes: an eventfd says
        return f->ops->write(f, "", 0);      // EINVAL, /proc/<pid>/comm empties the name
    n = n < MAX_RW_COUNT ? n : MAX_RW_COUNT;
    char small[SMALL], *buf = n <= SMALL ? small : kmalloc(CHUNK);
    if (!buf)
        return -ENOMEM;
    long total = 0;
    while ((uint64_t)total < n) {
        size_t want = n - total < CHUNK ? n - total : CHUNK;
        long put = copy_from_user(buf, (const void *)(ubuf + total), want) ? -EFAULT
                                                                          : f->ops->write(f, buf, want);
        if (put < 0) {
            if (total == 0)
                total = put;
            break;
        }
        total += put;
        if ((size_t)put < want)
            break;
    }
    if (buf != small)
        kfree(buf);
    return total;
}

// May another thread reach this open file? Through a descriptor table it shares (then
// fd_get_unlocked took a reference: ref), or through another descriptor.
static bool shared_file(struct file *f, bool ref) {
    return ref || __atomic_load_n(&f->refs, __ATOMIC_RELAXED) > 1;
}

// read(2) and write(2) run without the BKL (syscall.c's U calls): a pipe's bytes move under
// the pipe's own locks (pipe.c), so the stages of a pipeline copy on several CPUs at once,
// and so do a socket's (its pipes': socket.c) and a regular file's (read_regular,
// write_regular). Every other file is read and written under the BKL, taken here.
static long read_or_write(int fd, uint64_t buf, uint64_t count, bool write) {
    bool ref;
    struct file *f = fd_get_unlocked(fd, &ref);
    if (!f)
        return -EBADF;
    long r = -EBADF;
    if (direct(f) && (write ? writable(f) : readable(f))) {
        struct iovec one = { buf, count };
        bool shared = shared_file(f, ref);
        r = !user_span(buf, count) ? -EFAULT
            : write ? write_regular(f, shared, &one, 1, count, NULL)
                    : read_regular(f, shared, &one, 1, count);
        if (ref)
            file_put(f);
        return r;
    }
    bool unlocked = file_pipe(f) != NULL || file_is_socket(f);
    if (!unlocked)
        bkl_lock();
    if (write ? writable(f) : readable(f))
        r = write ? do_write(f, buf, count) : do_read(f, buf, count, false);
    if (!unlocked)
        bkl_unlock();
    if (ref)
        file_put(f);
    return r;
}

SYSCALL(read) {
    int fd = (int)a0;
    uint64_t buf = a1, count = a2;
    return read_or_write(fd, buf, count, false);
}

SYSCALL(write) {
    int fd = (int)a0;
    uint64_t buf = a1, count = a2;
    return read_or_write(fd, buf, count, true);
}

// pread64 and pwrite64: at offset, the file's position unchanged. (With O_APPEND a pwrite
// goes to the end whatever the offset, as Linux's does: write's rule wins.) Under the BKL.
static long at_offset(struct file *f, uint64_t buf, uint64_t count, uint64_t offset, bool write) {
    if (!f || !(write ? writable(f) : readable(f)))
        return -EBADF;
    if (!f->ip || S_ISFIFO(f->ip->mode))
        return -ESPIPE;
    // The files' ops use f->pos: it is lent to them for the call. (Another thread using the
    // file while this call sleeps would see it moved: Linux's position lock is not here.)
    uint64_t saved = f->pos;
    f->pos = offset;
    long r = write ? do_write(f, buf, count) : do_read(f, buf, count, false);
    f->pos = saved;
    return r;
}

// pread64 and pwrite64 run without the BKL (U calls), as read and write do: a regular
// file's bytes need only its inode's locks, and no position moves. Every other file takes
// the BKL here.
static long pread_or_pwrite(int fd, uint64_t buf, uint64_t count, uint64_t offset, bool write) {
    if ((int64_t)offset < 0)
        return -EINVAL;              // Linux checks the offset before the descriptor
    bool ref;
    struct file *f = fd_get_unlocked(fd, &ref);
    if (!f)
        return -EBADF;
    long r;
    if (direct(f) && (write ? writable(f) : readable(f))) {
        struct iovec one = { buf, count };
        r = !user_span(buf, count) ? -EFAULT
            : write ? write_regular(f, false, &one, 1, count, &offset)
                    : read_at(f, &one, 1, count, offset);
    } else {
        bkl_lock();
        r = at_offset(f, buf, count, offset, write);
        bkl_unlock();
    }
    if (ref)
        file_put(f);
    return r;
}

SYSCALL(pread64) {
    int fd = (int)a0;
    uint64_t buf = a1, count = a2, offset = a3;
    return pread_or_pwrite(fd, buf, count, offset, false);
}

SYSCALL(pwrite64) {
    int fd = (int)a0;
    uint64_t buf = a1, count = a2, offset = a3;
    return pread_or_pwrite(fd, buf, count, offset, true);
}

// fsync and fdatasync: a file's data and metadata to the disk. Lantern's files live in
// RAM (ramfs), so there is nothing to write; as Linux, a file or directory says 0, and
// what has no disk behind it at all - a pipe, a terminal, a device, /proc - EINVAL.
static long sync_fd(int fd) {
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    return f->ip && !f->ip->mnt && (S_ISREG(f->ip->mode) || S_ISDIR(f->ip->mode)) ? 0 : -EINVAL;
}

SYSCALL(fsync) {
    int fd = (int)a0;
    return sync_fd(fd);
}

SYSCALL(fdatasync) {
    int fd = (int)a0;
    return sync_fd(fd);
}

// posix_fadvise(fd, offset, len, advice): how the program will read the file, so that the
// kernel may read ahead or drop cached pages. Lantern's files are the cache itself, so
// every advice is taken and nothing changes; Linux's checks stay: a descriptor (EBADF),
// not a pipe (ESPIPE), a known advice and a length that is not negative (EINVAL).
#define POSIX_FADV_NOREUSE 5             // the highest: NORMAL, RANDOM, SEQUENTIAL, WILLNEED,
                                         // DONTNEED (4) and NOREUSE
// A named or anonymous pipe? (An anonymous one has no inode; its stat says S_IFIFO.)
static bool is_fifo(struct file *f) {
    if (f->ip)
        return S_ISFIFO(f->ip->mode);
    struct kstat st = { 0 };
    if (f->ops->stat)
        f->ops->stat(f, &st);
    return S_ISFIFO(st.st_mode);
}

SYSCALL(fadvise64) {
    int fd = (int)a0, advice = (int)a3;
    int64_t len = (int64_t)a2;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (is_fifo(f))
        return -ESPIPE;
    if (advice < 0 || advice > POSIX_FADV_NOREUSE || len < 0)
        return -EINVAL;
    return 0;
}

// sync: every filesystem's dirty data to disk; syncfs: the one holding fd's file. Nothing
// is dirty in RAM: sync has nothing to do (and no failure to report), syncfs checks fd.
SYSCALL(sync) { return 0; }

SYSCALL(syncfs) {
    int fd = (int)a0;
    return fd_get(fd) ? 0 : -EBADF;
}


// The vector from user memory, checked as Linux checks it before any I/O: at most IOV_MAX
// entries (else EINVAL), readable (EFAULT), no length negative (EINVAL), and every buffer
// in user space (EFAULT, after every length is checked). 0 with *iov kmalloc'd (NULL for
// none; the caller frees it) and *total the bytes of all (at most MAX_RW_COUNT, as Linux
// cuts the vector: its offset check sees no more), or the error.
static long import_vector(uint64_t uiov, uint64_t cnt, struct iovec **iov, uint64_t *total) {
    *iov = NULL;
    *total = 0;
    if ((int64_t)cnt < 0 || cnt > IOV_MAX)
        return -EINVAL;
    if (cnt == 0)
        return 0;
    if (!(*iov = kmalloc(cnt * sizeof **iov)))
        return -ENOMEM;
    if (copy_from_user(*iov, (const void *)uiov, cnt * sizeof **iov))
        return -EFAULT;
    long err = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        struct iovec *v = &(*iov)[i];
        if ((int64_t)v->len < 0)
            return -EINVAL;
        if (!user_span(v->base, v->len))
            err = -EFAULT;
        *total += v->len;
    }
    *total = *total < MAX_RW_COUNT ? *total : MAX_RW_COUNT;
    return err;
}

// writev of at most PIPE_BUF bytes into a pipe goes in whole, as one write does (POSIX):
// gathered here, and written once.
static long gathered_write(struct file *f, const struct iovec *iov, uint64_t cnt, size_t total) {
    char *buf = kmalloc(total ? total : 1);
    if (!buf)
        return -ENOMEM;
    size_t have = 0;
    long r = 0;
    for (uint64_t i = 0; i < cnt && !r; have += iov[i].len, i++)
        if (copy_from_user(buf + have, (const void *)iov[i].base, iov[i].len))
            r = -EFAULT;
    if (!r)
        r = f->ops->write(f, buf, total);
    kfree(buf);
    return r;
}

// readv/writev on most files: the same as several reads or writes, stopping at the first
// short one - but once a read has brought bytes, the next ones do not wait for more, as
// Linux's readv is one read of the whole vector (musl's stdio reads into the caller's
// buffer and its own at once: the second must not wait when the first is filled).
static long each_piece(struct file *f, const struct iovec *iov, uint64_t cnt, bool is_write) {
    long total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        long r = is_write ? do_write(f, iov[i].base, iov[i].len)
                          : do_read(f, iov[i].base, iov[i].len, total > 0);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((uint64_t)r < iov[i].len)
            break;
    }
    return total;
}

// readv/writev of every file but a regular one (vector_call), under the BKL: a socket takes
// the vector whole (one message, as Linux's); a writev of at most PIPE_BUF bytes into a
// pipe goes in whole; the rest piece by piece, at the file's position. A vector of no
// bytes moves none, and does not look at the file. (vmsplice too: splice.c.)
long file_vector(struct file *f, uint64_t uiov, uint64_t cnt, bool is_write) {
    struct iovec *iov;
    uint64_t all;
    long total = import_vector(uiov, cnt, &iov, &all);
    if (total == 0 && all > 0 && positioned(f) && past_max(f->pos, all))
        total = -EINVAL;
    else if (total == 0 && all > 0) {   // (nothing to move: 0, the file untouched, as Linux)
        if (f->ops->vector_user)
            total = f->ops->vector_user(f, iov, (int)cnt, is_write);
        else if (is_write && cnt > 1 && all <= PIPE_BUF && file_pipe(f))
            total = gathered_write(f, iov, cnt, (size_t)all);
        else
            total = each_piece(f, iov, cnt, is_write);
    }
    kfree(iov);
    return total;
}

// readv, writev, preadv, pwritev and their "2" forms (offset NULL: at the file's position).
// A regular file's vector moves without the BKL, as read(2)'s and write(2)'s bytes do: musl's
// stdio reads and writes files with readv and writev. Every other file takes the BKL here.
// The checks come in Linux's order: a negative offset, the descriptor, a file without a
// position for an offset (ESPIPE), the access mode, then the vector (import_vector).
static long vector_call(int fd, uint64_t uiov, uint64_t cnt, const uint64_t *offset,
                        bool is_write) {
    if (offset && (int64_t)*offset < 0)
        return -EINVAL;
    bool ref;
    struct file *f = fd_get_unlocked(fd, &ref);
    if (!f)
        return -EBADF;
    long r;
    if (offset && (!f->ip || S_ISFIFO(f->ip->mode))) {
        r = -ESPIPE;
    } else if (!(is_write ? writable(f) : readable(f))) {
        r = -EBADF;
    } else if (direct(f)) {
        struct iovec *iov;
        uint64_t all;
        bool shared = shared_file(f, ref);
        r = import_vector(uiov, cnt, &iov, &all);
        if (r == 0 && all > 0)           // (no bytes: 0, the file untouched, as Linux)
            r = is_write ? write_regular(f, shared, iov, cnt, all, offset)
                : offset ? read_at(f, iov, cnt, all, *offset)
                         : read_regular(f, shared, iov, cnt, all);
        kfree(iov);
    } else {
        bkl_lock();
        // The other files' ops use f->pos: it is lent to them for a call at an offset (as
        // at_offset does).
        uint64_t saved = f->pos;
        if (offset)
            f->pos = *offset;
        r = file_vector(f, uiov, cnt, is_write);
        if (offset)
            f->pos = saved;
        bkl_unlock();
    }
    if (ref)
        file_put(f);
    return r;
}

SYSCALL(readv) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2;
    return vector_call(fd, iov, iovcnt, NULL, false);
}

SYSCALL(writev) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2;
    return vector_call(fd, iov, iovcnt, NULL, true);
}

// preadv and pwritev: the offset comes split in two registers for 32-bit callers; on
// x86_64 the first holds all of it.
SYSCALL(preadv) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2, offset = a3;
    return vector_call(fd, iov, iovcnt, &offset, false);
}

SYSCALL(pwritev) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2, offset = a3;
    return vector_call(fd, iov, iovcnt, &offset, true);
}

// preadv2 and pwritev2 add an offset of -1 (the file's own position, moved, as readv and
// writev) and per-call flags. Files here are in memory: RWF_HIPRI, RWF_DSYNC and RWF_SYNC
// change nothing. RWF_NOWAIT (never block) and RWF_APPEND are not supported: EOPNOTSUPP,
// which Linux also says to flags a file cannot honour.
#define RWF_HIPRI  0x01u
#define RWF_DSYNC  0x02u
#define RWF_SYNC   0x04u

static long vector2(int fd, uint64_t uiov, uint64_t cnt, uint64_t offset, unsigned flags,
                    bool is_write) {
    if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
        return -EOPNOTSUPP;
    return vector_call(fd, uiov, cnt, (int64_t)offset == -1 ? NULL : &offset, is_write);
}

SYSCALL(preadv2) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2, offset = a3;
    unsigned flags = (unsigned)a5;
    return vector2(fd, iov, iovcnt, offset, flags, false);
}

SYSCALL(pwritev2) {
    int fd = (int)a0;
    uint64_t iov = a1, iovcnt = a2, offset = a3;
    unsigned flags = (unsigned)a5;
    return vector2(fd, iov, iovcnt, offset, flags, true);
}

SYSCALL(close) {
    int fd = (int)a0;                // an int: the register's upper half is not part of it
    struct file *f = fd_remove(current(), fd);
    if (!f)
        return -EBADF;
    flock_close(f, current()->files);  // the process's POSIX locks on the file go
    file_close(f);
    return 0;
}

// close_range(first, last, flags): closes every open descriptor from first to last (or
// with CLOSE_RANGE_CLOEXEC marks them close-on-exec instead); CLOSE_RANGE_UNSHARE first
// gives the caller a table of its own, as unshare(CLONE_FILES) would, so that threads
// sharing the old one keep theirs. glibc's closefrom and posix_spawn's file actions, and
// Python's subprocess, call it before an exec.
#define CLOSE_RANGE_UNSHARE (1u << 1)
#define CLOSE_RANGE_CLOEXEC (1u << 2)

SYSCALL(close_range) {
    unsigned first = (unsigned)a0, last = (unsigned)a1, flags = (unsigned)a2;
    struct proc *p = current();
    if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last)
        return -EINVAL;
    if ((flags & CLOSE_RANGE_UNSHARE) && p->files->refs > 1) {
        struct files_struct *own = files_copy(p->files);
        if (!own)
            return -ENOMEM;
        files_put(p->files);
        p->files = own;
    }
    unsigned end = last < p->files->max_fds - 1 ? last : p->files->max_fds - 1;
    for (unsigned fd = first; fd <= end && fd < p->files->max_fds; fd++) {
        if (flags & CLOSE_RANGE_CLOEXEC) {
            if (p->files->fd[fd])
                fd_set_cloexec(p, (int)fd, true);
        } else {
            struct file *f = fd_remove(p, (int)fd);
            if (f) {
                flock_close(f, p->files);   // a close as any other: POSIX locks go
                file_close(f);       // may sleep: the table is read again each time
            }
        }
    }
    return 0;
}

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

SYSCALL(lseek) {
    int fd = (int)a0;
    int64_t off = (int64_t)a1;
    unsigned int whence = (unsigned int)a2;   // Linux's types: the upper half is not used
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!f->ip || S_ISFIFO(f->ip->mode))
        return -ESPIPE;              // the console, pipes and FIFOs
    int64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)f->pos; break;
    case SEEK_END: base = (int64_t)f->ip->size; break;
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = (uint64_t)(base + off);
    return (long)f->pos;
}

SYSCALL(fstat) {
    int fd = (int)a0;
    uint64_t statbuf = a1;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    struct kstat st;
    f->ops->stat(f, &st);
    return copy_to_user((void *)statbuf, &st, sizeof st);
}

#define FIONBIO  0x5421
#define FIONCLEX 0x5450
#define FIOCLEX  0x5451
#define FIOQSIZE 0x5460

// The requests that every file answers before its own ioctl sees them (Linux's
// do_vfs_ioctl): close-on-exec on and off, O_NONBLOCK on and off (an int), and for a
// regular file the bytes from its position to its end (FIONREAD, an int), and for a file,
// directory or link the bytes its blocks hold (FIOQSIZE, a 64-bit loff_t). False: not one
// of these (a pipe's FIONREAD is its own).
static bool vfs_ioctl(int fd, struct file *f, unsigned int request, uint64_t arg, long *ret) {
    struct inode *ip = f->ip;
    int on;
    switch (request) {
    case FIOCLEX:
    case FIONCLEX:
        fd_set_cloexec(current(), fd, request == FIOCLEX);
        *ret = 0;
        return true;
    case FIONBIO:
        if (!(*ret = copy_from_user(&on, (const void *)arg, sizeof on)))
            f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        return true;
    case FIOQSIZE:
        *ret = -ENOTTY;
        if (ip && (S_ISREG(ip->mode) || S_ISDIR(ip->mode) || S_ISLNK(ip->mode))) {
            int64_t bytes = (int64_t)fs_blocks(ip) * 512;   // (inode_get_bytes: not i_size)
            *ret = copy_to_user((void *)arg, &bytes, sizeof bytes);
        }
        return true;
    case FIONREAD:
        if (!ip || !S_ISREG(ip->mode))
            return false;
        on = (int)(ip->size - f->pos);
        *ret = copy_to_user((void *)arg, &on, sizeof on);
        return true;
    default:
        return false;
    }
}

SYSCALL(ioctl) {
    int fd = (int)a0;
    unsigned int request = (unsigned int)a1;
    uint64_t arg = a2;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    long r;
    if (vfs_ioctl(fd, f, request, arg, &r))
        return r;
    return f->ops->ioctl ? f->ops->ioctl(f, request, arg) : -ENOTTY;   // Linux's type
}

// ---------------------------------------------------------------- duplicating descriptors

static long dup_from(struct file *f, int lowest, bool cloexec) {
    int fd = fd_install_from(current(), file_dup(f), lowest, cloexec);
    if (fd < 0)
        file_close(f);               // the reference taken for it
    return fd;
}

SYSCALL(dup) {
    int oldfd = (int)a0;
    struct file *f = fd_get(oldfd);
    return f ? dup_from(f, 0, false) : -EBADF;
}

// Linux's ksys_dup3: newfd (unsigned there) at or past RLIMIT_NOFILE is EBADF.
static long do_dup3(int oldfd, int newfd, bool cloexec) {
    struct file *f = fd_get(oldfd);
    if (!f || (unsigned)newfd >= fd_limit(current()))
        return -EBADF;
    int fd = fd_install_at(current(), file_dup(f), newfd, cloexec);
    if (fd < 0)
        file_close(f);
    return fd;
}

SYSCALL(dup2) {
    int oldfd = (int)a0, newfd = (int)a1;
    if (oldfd == newfd)          // Linux: just check that the descriptor is valid
        return fd_get(oldfd) ? (long)newfd : -EBADF;
    return do_dup3(oldfd, newfd, false);
}

SYSCALL(dup3) {
    int oldfd = (int)a0, newfd = (int)a1, flags = (int)a2;
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    return do_dup3(oldfd, newfd, flags & O_CLOEXEC);
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1

SYSCALL(fcntl) {
    int fd = (int)a0;
    unsigned int cmd = (unsigned int)a1;   // Linux's type: the register's upper half is not used
    uint64_t arg = a2;
    struct proc *p = current();
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int64_t)(int)arg < 0 || (uint64_t)(int)arg >= fd_limit(p))
            return -EINVAL;          // Linux's f_dupfd: from past RLIMIT_NOFILE
        return dup_from(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fd_cloexec(p, fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_cloexec(p, fd, arg & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW);
    case F_SETFL:                    // only these two can change after open
        f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK));
        return 0;
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
        return flock_fcntl(fd, f, cmd, arg);   // flock.c
    case F_ADD_SEALS: case F_GET_SEALS:
        return memfd_fcntl(f, cmd, arg);       // memfd.c
    case F_GETPIPE_SZ:               // a pipe's capacity, and a change of it
        return file_pipe(f) ? pipe_size(file_pipe(f)) : -EBADF;
    case F_SETPIPE_SZ:
        return file_pipe(f) ? pipe_set_size(file_pipe(f), arg) : -EBADF;
    default:
        return -EINVAL;
    }
}

// ---------------------------------------------------------------- sendfile

// sendfile(out_fd, in_fd, offset, count): copies from a file (in_fd must have an inode and a
// position: not a pipe) to any writable descriptor, through a kernel buffer. With an offset
// pointer, in_fd's position stays and *offset moves instead. Linux's checks, in its order:
// both descriptors (EBADF), an out_fd open with O_APPEND (EINVAL), *offset readable and not
// negative (EFAULT, EINVAL). It stops at the end of the file or at a short write.
SYSCALL(sendfile) {
    int out_fd = (int)a0, in_fd = (int)a1;
    uint64_t offset = a2, count = a3;
    struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
    if (!in || !readable(in))
        return -EBADF;
    if (!out || !writable(out))
        return -EBADF;
    if (out->flags & O_APPEND)
        return -EINVAL;
    if (!in->ip || !S_ISREG(in->ip->mode) || !in->ops->read || !out->ops->write)
        return -EINVAL;
    int64_t off = 0;
    if (offset && copy_from_user(&off, (const void *)offset, sizeof off))
        return -EFAULT;
    if (off < 0 || past_max(offset ? (uint64_t)off : in->pos, count))
        return -EINVAL;
    uint64_t n = count < MAX_RW_COUNT ? count : MAX_RW_COUNT;
    char *buf = kmalloc(CHUNK);
    if (!buf)
        return -ENOMEM;
    // With an offset, in's position is lent to its read alone, which does not sleep: the
    // write may (a regular file's write lock, the BKL let go), and another thread's read or
    // lseek of in must not see the offset meanwhile.
    uint64_t at = (uint64_t)off, *pos = offset ? &at : &in->pos;
    long total = 0;
    while ((uint64_t)total < n) {
        size_t want = n - total < CHUNK ? n - total : CHUNK;
        uint64_t saved = in->pos;
        in->pos = *pos;
        long got = in->ops->read(in, buf, want), put = got;
        *pos = in->pos;
        if (offset)
            in->pos = saved;
        if (got > 0)
            put = out->ops->write(out, buf, got);
        if (put < 0 && total == 0)
            total = put;
        if (put <= 0)
            break;
        total += put;
        if (put < got) {                 // a short write: give the rest back to the input
            *pos -= (uint64_t)(got - put);
            break;
        }
        if ((size_t)got < want)
            break;
    }
    kfree(buf);
    if (offset) {
        int64_t now = (int64_t)at;
        if (copy_to_user((void *)offset, &now, sizeof now))
            return -EFAULT;
    }
    return total;
}

// ---------------------------------------------------------------- copy_file_range

// The starting offset of one side: *uoff's if given (EFAULT), else the file's position.
static long range_start(struct file *f, uint64_t uoff, int64_t *pos) {
    if (!uoff) {
        *pos = (int64_t)f->pos;
        return 0;
    }
    return copy_from_user(pos, (const void *)uoff, sizeof *pos) ? -EFAULT : 0;
}

// Linux's generic_copy_file_checks, in its order; *len is cut to the input's end.
static long copy_range_checks(struct file *in, struct file *out, int64_t pos_in,
                              int64_t pos_out, uint64_t *len) {
    struct inode *a = in->ip, *b = out->ip;
    if ((a && S_ISDIR(a->mode)) || (b && S_ISDIR(b->mode)))
        return -EISDIR;
    if (!a || !b || !S_ISREG(a->mode) || !S_ISREG(b->mode))
        return -EINVAL;
    if (!readable(in) || !writable(out) || (out->flags & O_APPEND))
        return -EBADF;
    if (pos_in < 0 || pos_out < 0 || past_max((uint64_t)pos_in, *len) || past_max((uint64_t)pos_out, *len))
        return -EOVERFLOW;               // (Linux's word for a range off either end)
    *len = (uint64_t)pos_in >= a->size ? 0 : *len < a->size - (uint64_t)pos_in ? *len : a->size - (uint64_t)pos_in;
    if (a == b && (uint64_t)pos_out + *len > (uint64_t)pos_in && (uint64_t)pos_out < (uint64_t)pos_in + *len)
        return -EINVAL;                  // overlapping ranges of one file
    return 0;
}

// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): bytes from one regular file
// to another (or to another place of the same one), in the kernel, through a buffer - what
// cp and Go's io.Copy try first. Each offset pointer, if given, is read and moved instead of
// the file's position. Stops at the input's end or a short write.
SYSCALL(copy_file_range) {
    int fd_in = (int)a0, fd_out = (int)a2;
    uint64_t uoff_in = a1, uoff_out = a3, len = a4;
    unsigned flags = (unsigned)a5;
    if (flags)
        return -EINVAL;
    struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
    if (!in || !out)
        return -EBADF;
    int64_t pos_in, pos_out;
    long err = range_start(in, uoff_in, &pos_in);
    if (!err)
        err = range_start(out, uoff_out, &pos_out);
    if (!err)
        err = copy_range_checks(in, out, pos_in, pos_out, &len);
    if (err || len == 0)
        return err;
    if (in->ip->mnt || out->ip->mnt)
        return -EXDEV;                   // procfs, sysfs: another filesystem than the tree's
    if (len > MAX_RW_COUNT)
        len = MAX_RW_COUNT;
    char *buf = kmalloc(CHUNK);
    if (!buf)
        return -ENOMEM;
    long total = 0;
    while ((uint64_t)total < len) {
        size_t want = len - total < CHUNK ? len - total : CHUNK;
        long got = fs_read(in->ip, (uint64_t)pos_in + total, buf, want), put = got;
        if (got > 0)
            put = fs_write(out->ip, (uint64_t)pos_out + total, buf, (size_t)got);
        if (put < 0 && total == 0)
            total = put;
        if (put <= 0)
            break;
        total += put;
        if (put < got || (size_t)got < want)
            break;
    }
    kfree(buf);
    if (total <= 0)
        return total;
    pos_in += total;
    pos_out += total;
    if ((uoff_in && copy_to_user((void *)uoff_in, &pos_in, sizeof pos_in)) ||
        (uoff_out && copy_to_user((void *)uoff_out, &pos_out, sizeof pos_out)))
        return -EFAULT;
    if (!uoff_in)
        in->pos = (uint64_t)pos_in;
    if (!uoff_out)
        out->pos = (uint64_t)pos_out;
    return total;
}
