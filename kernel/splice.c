// splice.c: splice, tee and vmsplice - moving data into, out of and between pipes without a
// trip through user memory.
//
// Linux moves pages: a splice hands the pipe's buffers over by reference. Lantern copies,
// through one kernel buffer, which a program cannot tell apart except by speed:
//   splice(in, off_in, out, off_out, len, flags)  one end a pipe; reads up to len bytes
//       from in (at *off_in if given: a file's, never a pipe's) and writes them to out;
//       what out does not take goes back to in. Waits as a read of in and a write of out
//       would, unless SPLICE_F_NONBLOCK (for the pipes) or O_NONBLOCK.
//   tee(in, out, len, flags)  two pipes; copies without consuming in.
//   vmsplice(pipe, iov, n, flags)  the user's buffers into a pipe: writev.
// Locking: the BKL, as every file call; and a pipe's own locks (pipe.c), whose readers and
// writers run without the BKL.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "pipe.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"

#define SPLICE_F_MOVE     1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE     4
#define SPLICE_F_GIFT     8
#define SPLICE_F_ALL      15

static unsigned how(struct file *f, unsigned flags) {
    return (f->flags & O_NONBLOCK) || (flags & SPLICE_F_NONBLOCK) ? PIPE_NONBLOCK : 0;
}

// Reads up to n bytes from in (a socket or a file: not a pipe, whose bytes pipe_splice_out
// moves) into buf, from the file at *off (its own position if off is NULL). A socket's read
// is made non-blocking for the call if SPLICE_F_NONBLOCK asks: such a read does not sleep,
// so under the BKL nobody else sees the flag meanwhile.
static long read_in(struct file *in, int64_t *off, void *buf, size_t n, unsigned flags) {
    uint64_t saved = in->pos;
    unsigned fflags = in->flags;
    if (off)
        in->pos = (uint64_t)*off;
    if (flags & SPLICE_F_NONBLOCK)
        in->flags |= O_NONBLOCK;
    long got = in->ops->read(in, buf, n);
    in->flags = fflags;
    if (off) {
        *off = (int64_t)in->pos;
        in->pos = saved;
    }
    return got;
}

// Writes n bytes from buf to out, never waiting (read_in's rule for the socket's flag).
static long write_out(struct file *out, int64_t *off, const void *buf, size_t n) {
    struct pipe *pp = file_pipe(out);
    if (pp)
        return pipe_send(pp, buf, n, PIPE_NONBLOCK);
    if (out->ops == &inode_file_ops && fs_copies_direct(out->ip)) {
        // A regular file's write may sleep (its write lock), the BKL let go: neither its
        // position nor its flags are lent for it, or another thread's read, write, lseek
        // or fcntl(F_SETFL) would see them (or be undone). It never waits for room anyway.
        if (!off)
            return out->ops->write(out, buf, n);
        long put = fs_write(out->ip, (uint64_t)*off, buf, n);
        if (put > 0)
            *off += put;
        return put;
    }
    uint64_t saved = out->pos;
    unsigned fflags = out->flags;
    if (off)
        out->pos = (uint64_t)*off;
    out->flags |= O_NONBLOCK;
    long put = out->ops->write(out, buf, n);
    out->flags = fflags;
    if (off) {
        *off = (int64_t)out->pos;
        out->pos = saved;
    }
    return put;
}

// write_out as pipe_splice_out's `out`, for a splice out of a pipe.
struct splice_to {
    struct file *out;
    int64_t *off;
};

static long write_to(void *arg, const void *buf, size_t n) {
    struct splice_to *to = arg;
    return write_out(to->out, to->off, buf, n);
}

// The n bytes taken from in (not a pipe, nor a stream socket: pipe_splice_out) that out did
// not take go back to in's offset. From a datagram or seqpacket end, the message is lost,
// as Linux's.
static void give_back(struct file *in, int64_t *off, size_t n) {
    if (file_is_socket(in))
        return;
    if (off)
        *off -= (int64_t)n;
    else
        in->pos -= n;
}

// An end's offset argument: none for a pipe (ESPIPE), else read from user memory.
static long get_offset(struct file *f, uint64_t uoff, int64_t *off) {
    if (!uoff)
        return 0;
    if (file_pipe(f))
        return -ESPIPE;
    if (!f->ip || !S_ISREG(f->ip->mode))
        return -EINVAL;
    if (copy_from_user(off, (const void *)uoff, sizeof *off))
        return -EFAULT;
    return *off < 0 ? -EINVAL : 0;
}

// What splice can read from and write to: pipes, sockets and regular files (Linux: the
// files with splice_read and splice_write; not a signalfd, an eventfd, a directory).
static bool spliceable(struct file *f) {
    return file_pipe(f) || file_is_socket(f) || (f->ip && S_ISREG(f->ip->mode));
}

// Linux's checks, after its flags' (EINVAL, in the callers, before the descriptors').
static long check_ends(struct file *in, struct file *out) {
    if (!in || !open_reads(in->flags) || !out || !open_writes(out->flags))
        return -EBADF;
    if (!file_pipe(in) && !file_pipe(out))
        return -EINVAL;                  // one end must be a pipe
    if (!spliceable(in) || !spliceable(out))
        return -EINVAL;
    if (file_pipe(in) && file_pipe(in) == file_pipe(out))
        return -EINVAL;                  // a pipe into itself
    if ((out->flags & O_APPEND) || !in->ops->read || !out->ops->write)
        return -EINVAL;
    return 0;
}

// A regular file's end: Linux's rw_verify_area - a length that is negative as a signed
// number, or a range that runs past the largest offset, is EINVAL.
static long check_range(struct file *f, int64_t pos, uint64_t len) {
    if (file_pipe(f) || file_is_socket(f))
        return 0;
    return (int64_t)len < 0 || pos > INT64_MAX - (int64_t)len ? -EINVAL : 0;
}

// splice(int fd_in, off64_t *off_in, int fd_out, off64_t *off_out, size_t len,
//        unsigned int flags)
SYSCALL(splice) {
    int fd_in = (int)a0, fd_out = (int)a2;
    uint64_t uoff_in = a1, uoff_out = a3, len = a4;
    unsigned flags = (unsigned)a5;
    if (len == 0)
        return 0;                        // Linux: before anything is looked at
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
    int64_t off_in = 0, off_out = 0;
    long err = check_ends(in, out);
    if (!err)
        err = get_offset(in, uoff_in, &off_in);
    if (!err)
        err = get_offset(out, uoff_out, &off_out);
    if (!err)
        err = check_range(in, uoff_in ? off_in : (int64_t)in->pos, len);
    if (!err)
        err = check_range(out, uoff_out ? off_out : (int64_t)out->pos, len);
    if (err)
        return err;
    size_t n = len < PIPE_SIZE ? (size_t)len : PIPE_SIZE;
    char *buf = kmalloc(n);
    if (!buf)
        return -ENOMEM;
    long put;
    struct pipe *ip = file_pipe(in);
    if (!ip && file_is_socket(in))
        ip = sock_stream_rx_pipe(in);    // (a stream end: its bytes are a pipe's)
    struct splice_to to = { out, uoff_out ? &off_out : NULL };
    for (;;) {
        // Out of a pipe, the bytes are taken only once out has them (pipe_splice_out): its
        // readers and writers run without the BKL, and bytes given back could find the
        // ring refilled. From any other file, once bytes are taken from in, nothing may
        // sleep until what out did not take is back in in, in its place. Either way the
        // write does not wait, and a full out is waited for with nothing in hand, then the
        // move is tried again (Linux waits for room in out first, then moves with both
        // pipes locked).
        long got = ip ? pipe_splice_out(ip, buf, n, how(in, flags), write_to, &to, &put)
                      : read_in(in, uoff_in ? &off_in : NULL, buf, n, flags);
        if (got <= 0) {
            put = got;
            break;
        }
        if (!ip) {
            put = write_out(out, to.off, buf, (size_t)got);
            long kept = put < 0 ? 0 : put;
            if (kept < got)
                give_back(in, uoff_in ? &off_in : NULL, (size_t)(got - kept));
        }
        struct pipe *op = file_pipe(out) ? file_pipe(out)
                        : file_is_socket(out) ? sock_tx_pipe(out) : NULL;
        if (put != -EAGAIN || !op || (out->flags & O_NONBLOCK) || (flags & SPLICE_F_NONBLOCK))
            break;
        if ((put = pipe_wait_room(op, (size_t)got)))
            break;
    }
    kfree(buf);
    if (put >= 0 && ((uoff_in && copy_to_user((void *)uoff_in, &off_in, sizeof off_in)) ||
                     (uoff_out && copy_to_user((void *)uoff_out, &off_out, sizeof off_out))))
        return -EFAULT;
    return put;
}

// tee(int fd_in, int fd_out, size_t len, unsigned int flags)
SYSCALL(tee) {
    int fd_in = (int)a0, fd_out = (int)a1;
    uint64_t len = a2;
    unsigned flags = (unsigned)a3;
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    if (len == 0)
        return 0;
    struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
    long err = check_ends(in, out);
    if (err)
        return err;
    if (!file_pipe(in) || !file_pipe(out))
        return -EINVAL;                  // both must be pipes
    size_t n = len < PIPE_SIZE ? (size_t)len : PIPE_SIZE;
    char *buf = kmalloc(n);
    if (!buf)
        return -ENOMEM;
    long got = pipe_recv(file_pipe(in), buf, n, how(in, flags) | PIPE_PEEK, NULL), put = got;
    if (got > 0)                         // (EPIPE sends SIGPIPE too, as Linux's opipe_prep)
        put = pipe_send(file_pipe(out), buf, (size_t)got, how(out, flags));
    kfree(buf);
    return put;
}

// vmsplice(int fd, const struct iovec *iov, size_t nr_segs, unsigned int flags): into a
// pipe's writing end, the same as writev; out of its reading end, as readv.
SYSCALL(vmsplice) {
    int fd = (int)a0;
    uint64_t uiov = a1, nr_segs = a2;
    unsigned flags = (unsigned)a3;
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    struct file *f = fd_get(fd);
    if (!f || !file_pipe(f))
        return -EBADF;
    return file_vector(f, uiov, nr_segs, open_writes(f->flags));
}
