// pipe.c: pipes - a ring buffer in the kernel with a reading end and a writing end.
//
// A reader with nothing to read sleeps until a writer writes (or the last writer closes:
// end of file). A writer with no room sleeps until a reader reads (or the last reader
// closes: then EPIPE, and SIGPIPE, as Linux). Writes of at most PIPE_BUF bytes are atomic:
// they wait until the whole write fits.
//
// A FIFO (a named pipe, mknod S_IFIFO) is the same pipe, found through its inode: the first
// open makes it, the last close frees it. Opening one end waits for the other, as Linux's
// fifo_open: a reader until some writer has opened, a writer until some reader has (with
// O_NONBLOCK a reader does not wait, and a writer with no reader gets -ENXIO); O_RDWR is both
// ends and never waits.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define PIPE_SIZE 65536        // Linux's default pipe capacity
#define PIPE_BUF  4096         // POSIX: writes up to this size are not interleaved

// Every field is touched with interrupts off (local_irq_save), the lock while there is one CPU.
struct pipe {
    char *buf;
    uint64_t nread, nwritten;  // free-running counters; nwritten - nread bytes are buffered
    int readers, writers;      // open ends (an O_RDWR FIFO end counts as both)
    unsigned r_opens, w_opens; // FIFO: opens of each kind so far; sleepers wait for a change
    struct inode *fifo;        // FIFO: its inode, whose ->fifo points back here; else NULL
};

// Copies n bytes out of the ring at counter `at`, or into it: at most two pieces, either
// side of the ring's end. (A byte at a time, a 4 KiB write took about 4 times as long
// under QEMU, all of it holding the BKL.)
static void ring_get(const struct pipe *pp, uint64_t at, char *dst, size_t n) {
    size_t off = at % PIPE_SIZE, first = n < PIPE_SIZE - off ? n : PIPE_SIZE - off;
    memcpy(dst, pp->buf + off, first);
    memcpy(dst + first, pp->buf, n - first);
}

static void ring_put(struct pipe *pp, uint64_t at, const char *src, size_t n) {
    size_t off = at % PIPE_SIZE, first = n < PIPE_SIZE - off ? n : PIPE_SIZE - off;
    memcpy(pp->buf + off, src, first);
    memcpy(pp->buf, src + first, n - first);
}

static long pipe_read(struct file *f, void *dst, size_t n) {
    struct pipe *pp = f->priv;
    uint64_t flags = local_irq_save();
    long ret = 0;
    while (pp->nwritten == pp->nread) {
        if (pp->writers == 0)
            goto out;                      // end of file
        if (f->flags & O_NONBLOCK) { ret = -EAGAIN; goto out; }
        if (signal_pending(current())) { ret = -ERESTARTSYS; goto out; }
        sleep_on(&pp->nread);
    }
    uint64_t have = pp->nwritten - pp->nread;
    ret = (long)(n < have ? n : have);
    ring_get(pp, pp->nread, dst, (size_t)ret);
    pp->nread += (uint64_t)ret;
    wakeup(&pp->nwritten);                 // room for writers
    poll_notify(pp, POLLOUT | POLLWRNORM);
out:
    local_irq_restore(flags);
    return ret;
}

// do_read could not copy the n bytes just read to the user: they go back to the front
// of the ring. If the failed copy slept in a fault (the OOM killer), another reader may
// have taken later bytes meanwhile - these then come after them - or a writer may have
// filled the ring - then they are lost, as for a reader that died. (Linux holds the pipe's
// lock across its copy, and consumes only what it copied.)
static void pipe_unread(struct file *f, const void *buf, size_t n) {
    struct pipe *pp = f->priv;
    uint64_t flags = local_irq_save();
    if (PIPE_SIZE - (pp->nwritten - pp->nread) >= n) {
        pp->nread -= n;
        ring_put(pp, pp->nread, buf, n);
        wakeup(&pp->nread);                // another reader may be waiting for them
        poll_notify(pp, POLLIN | POLLRDNORM);
    }
    local_irq_restore(flags);
}

static long pipe_write(struct file *f, const void *src, size_t n) {
    struct pipe *pp = f->priv;
    uint64_t flags = local_irq_save();
    long done = 0;
    while ((size_t)done < n) {
        if (pp->readers == 0) {
            signal_send_thread(current(), SIGPIPE, SI_USER, current()->tgid, 0);
            done = done ? done : -EPIPE;
            break;
        }
        uint64_t room = PIPE_SIZE - (pp->nwritten - pp->nread);
        size_t need = n <= PIPE_BUF ? n - done : 1;   // small writes go in whole
        if (room < need) {
            if (f->flags & O_NONBLOCK) { done = done ? done : -EAGAIN; break; }
            if (signal_pending(current())) { done = done ? done : -ERESTARTSYS; break; }
            sleep_on(&pp->nwritten);
            continue;
        }
        size_t put = n - (size_t)done < room ? n - (size_t)done : room;
        ring_put(pp, pp->nwritten, (const char *)src + done, put);
        pp->nwritten += put;
        done += (long)put;
        wakeup(&pp->nread);                // data for readers
        poll_notify(pp, POLLIN | POLLRDNORM);
    }
    local_irq_restore(flags);
    return done;
}

static void pipe_release(struct file *f) {
    struct pipe *pp = f->priv;
    uint64_t flags = local_irq_save();
    if ((f->flags & O_ACCMODE) != O_WRONLY)
        pp->readers--;
    if ((f->flags & O_ACCMODE) != O_RDONLY)
        pp->writers--;
    wakeup(&pp->nread);                    // readers see EOF, writers see EPIPE
    wakeup(&pp->nwritten);
    poll_notify(pp, 0);
    bool last = pp->readers == 0 && pp->writers == 0;
    local_irq_restore(flags);
    if (last && pp->fifo)
        pp->fifo->fifo = NULL;             // the next open makes a new one
    if (last) {
        kfree(pp->buf);
        kfree(pp);
    }
}

// Readers: POLLIN with data, POLLHUP once no writer is left. Writers: POLLOUT while a
// PIPE_BUF-sized write fits (Linux: while a page of the ring is free), POLLERR once no
// reader is left.
static unsigned pipe_poll(struct file *f) {
    struct pipe *pp = f->priv;
    uint64_t used = pp->nwritten - pp->nread;
    unsigned mask = 0;
    int acc = f->flags & O_ACCMODE;      // a FIFO opened O_RDWR is both ends
    if (acc != O_WRONLY) {
        if (used)
            mask |= POLLIN | POLLRDNORM;
        if (pp->writers == 0)
            mask |= POLLHUP;
    }
    if (acc != O_RDONLY) {
        if (PIPE_SIZE - used >= PIPE_BUF)
            mask |= POLLOUT | POLLWRNORM;
        if (pp->readers == 0)
            mask |= POLLERR;
    }
    return mask;
}

static void pipe_stat(struct file *f, struct kstat *st) {
    struct pipe *pp = f->priv;
    if (f->ip) {                           // a FIFO: its inode says
        inode_stat(f->ip, st);
        return;
    }
    memset(st, 0, sizeof *st);
    st->st_mode = 0010000 | 0600;          // S_IFIFO
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = (uint64_t)pp >> 4;        // distinct per pipe
}

static const struct file_ops pipe_read_ops = {
    .read = pipe_read, .unread = pipe_unread, .release = pipe_release, .stat = pipe_stat,
    .poll = pipe_poll,
};
static const struct file_ops pipe_write_ops = {
    .write = pipe_write, .release = pipe_release, .stat = pipe_stat, .poll = pipe_poll,
};
static const struct file_ops pipe_rdwr_ops = {
    .read = pipe_read, .unread = pipe_unread, .write = pipe_write, .release = pipe_release,
    .stat = pipe_stat, .poll = pipe_poll,
};

static void free_pipe(struct pipe *pp, char *buf, struct file *r, struct file *w) {
    kfree(r);                              // never opened for real: no release needed
    kfree(w);
    kfree(buf);
    kfree(pp);
}

static void drop_fd(struct proc *p, int fd) { fd_remove(p, fd); }

static long do_pipe2(uint64_t ufds, uint64_t flags) {
    if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct pipe *pp = kzalloc(sizeof *pp);
    char *buf = kmalloc(PIPE_SIZE);
    struct file *r = file_alloc(&pipe_read_ops, NULL, O_RDONLY | (flags & O_NONBLOCK));
    struct file *w = file_alloc(&pipe_write_ops, NULL, O_WRONLY | (flags & O_NONBLOCK));
    if (!pp || !buf || !r || !w) {
        free_pipe(pp, buf, r, w);
        return -ENOMEM;
    }
    pp->buf = buf;
    pp->readers = pp->writers = 1;
    r->priv = w->priv = pp;
    struct proc *p = current();
    int fds[2];
    fds[0] = fd_install(p, r, flags & O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -1 : fd_install(p, w, flags & O_CLOEXEC);
    long err = fds[1] < 0 ? -EMFILE : copy_to_user((void *)ufds, fds, sizeof fds) ? -EFAULT : 0;
    if (err) {
        if (fds[0] >= 0) drop_fd(p, fds[0]);
        if (fds[1] >= 0) drop_fd(p, fds[1]);
        free_pipe(pp, buf, r, w);
    }
    return err;
}

SYSCALL(pipe) {
    uint64_t pipefd = a0;
    return do_pipe2(pipefd, 0);
}
SYSCALL(pipe2) {
    uint64_t pipefd = a0, flags = a1;
    return do_pipe2(pipefd, flags);
}

// ---------------------------------------------------------------- FIFOs

// Sleeps until *count changes (the other kind of end was opened), or a signal comes.
static long wait_for_open(unsigned *count) {
    unsigned seen = *count;
    while (*count == seen) {
        if (signal_pending(current()))
            return -ERESTARTSYS;
        sleep_on(count);
    }
    return 0;
}

// The FIFO's pipe, made if no end is open. Called with interrupts on (it may allocate).
static struct pipe *fifo_pipe(struct inode *ip) {
    if (ip->fifo)
        return ip->fifo;
    struct pipe *pp = kzalloc(sizeof *pp);
    char *buf = kmalloc(PIPE_SIZE);
    if (!pp || !buf) {
        kfree(pp);
        kfree(buf);
        return NULL;
    }
    pp->buf = buf;
    pp->fifo = ip;
    ip->fifo = pp;
    return pp;
}

long fifo_open(struct inode *ip, unsigned int flags, struct file **out) {
    int acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE)
        return -EINVAL;
    struct pipe *pp = fifo_pipe(ip);
    if (!pp)
        return -ENOMEM;
    const struct file_ops *ops = acc == O_RDONLY ? &pipe_read_ops
                               : acc == O_WRONLY ? &pipe_write_ops : &pipe_rdwr_ops;
    struct file *f = file_alloc(ops, ip, flags);
    uint64_t irq = local_irq_save();
    long err = !f ? -ENOMEM : (acc == O_WRONLY && !pp->readers && (flags & O_NONBLOCK)) ? -ENXIO : 0;
    if (err) {
        bool unused = pp->readers == 0 && pp->writers == 0;
        local_irq_restore(irq);
        if (f) {                           // never opened: no release
            fs_put(ip);
            kfree(f);
        }
        if (unused) {
            ip->fifo = NULL;
            kfree(pp->buf);
            kfree(pp);
        }
        return err;
    }
    f->priv = pp;
    if (acc != O_WRONLY) {
        pp->readers++;
        pp->r_opens++;
        wakeup(&pp->r_opens);
    }
    if (acc != O_RDONLY) {
        pp->writers++;
        pp->w_opens++;
        wakeup(&pp->w_opens);
    }
    if (acc == O_RDONLY && !pp->writers && !(flags & O_NONBLOCK))
        err = wait_for_open(&pp->w_opens);
    else if (acc == O_WRONLY && !pp->readers)
        err = wait_for_open(&pp->r_opens);
    local_irq_restore(irq);
    if (err) {
        file_close(f);
        return err;
    }
    *out = f;
    return 0;
}
