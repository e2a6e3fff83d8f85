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
//
// A socketpair (socket.c) is two pipes, one each way, through pipe.h: for SOCK_DGRAM and
// SOCK_SEQPACKET in packet mode, where the ring holds messages, each behind its length.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "pipe.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define PIPE_BUF  4096         // POSIX: writes up to this size are not interleaved

// Every field is touched with interrupts off (local_irq_save), under the BKL.
struct pipe {
    char *buf;
    uint64_t nread, nwritten;  // free-running counters; nwritten - nread bytes are buffered
    int readers, writers;      // open ends (an O_RDWR FIFO end counts as both)
    unsigned r_opens, w_opens; // FIFO: opens of each kind so far; sleepers wait for a change
    struct inode *fifo;        // FIFO: its inode, whose ->fifo points back here; else NULL
    bool packets;              // packet mode: each message is a uint32_t length, then its bytes
    const void *watchers[2];   // more objects whose readiness follows this pipe (pipe_watch)
};

// What may have become true of the pipe: for its pollers, and for those of the socket ends
// made of it (poll.h: epoll's edge-triggered registrations are armed by their file's priv).
static void notify(struct pipe *pp, unsigned events) {
    poll_notify(pp, events);
    for (int i = 0; i < 2; i++)
        if (pp->watchers[i])
            poll_notify(pp->watchers[i], events);
}

void pipe_watch(struct pipe *pp, const void *src) {
    pp->watchers[pp->watchers[0] ? 1 : 0] = src;
}

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

// Takes what the next read gets: up to n bytes, or in packet mode the next message (cut to n
// bytes, the rest dropped; *whole says how long it was). Interrupts off.
static size_t take(struct pipe *pp, void *dst, size_t n, bool peek, size_t *whole) {
    uint64_t at = pp->nread, have = pp->nwritten - pp->nread;
    if (pp->packets) {
        uint32_t len;
        ring_get(pp, at, (char *)&len, sizeof len);
        at += sizeof len;
        have = len;
    }
    size_t got = n < have ? n : (size_t)have;
    ring_get(pp, at, dst, got);
    *whole = (size_t)have;
    if (!peek) {
        pp->nread = pp->packets ? at + have : at + got;
        wakeup(&pp->nwritten);             // room for writers
        notify(pp, POLLOUT | POLLWRNORM);
    }
    return got;
}

long pipe_recv(struct pipe *pp, void *dst, size_t n, unsigned how, size_t *whole) {
    uint64_t flags = local_irq_save();
    long ret = 0;
    size_t len = 0;
    while (pp->nwritten == pp->nread) {
        if (pp->writers == 0)
            goto out;                      // end of file
        if (how & PIPE_NONBLOCK) { ret = -EAGAIN; goto out; }
        if (signal_pending(current())) { ret = -ERESTARTSYS; goto out; }
        sleep_on(&pp->nread);
    }
    ret = (long)take(pp, dst, n, how & PIPE_PEEK, &len);
out:
    local_irq_restore(flags);
    if (whole)
        *whole = len;
    return ret;
}

static unsigned file_how(const struct file *f) { return f->flags & O_NONBLOCK ? PIPE_NONBLOCK : 0; }

static long pipe_read(struct file *f, void *dst, size_t n) {
    return pipe_recv(f->priv, dst, n, file_how(f), NULL);
}

// do_read could not copy the n bytes just read to the user: they go back to the front
// of the ring. If the failed copy slept in a fault (the OOM killer), another reader may
// have taken later bytes meanwhile - these then come after them - or a writer may have
// filled the ring - then they are lost, as for a reader that died. (Linux holds the pipe's
// lock across its copy, and consumes only what it copied.)
void pipe_unread(struct pipe *pp, const void *buf, size_t n) {
    uint64_t flags = local_irq_save();
    if (!pp->packets && PIPE_SIZE - (pp->nwritten - pp->nread) >= n) {
        pp->nread -= n;
        ring_put(pp, pp->nread, buf, n);
        wakeup(&pp->nread);                // another reader may be waiting for them
        notify(pp, POLLIN | POLLRDNORM);
    }
    local_irq_restore(flags);
}

static void pipe_file_unread(struct file *f, const void *buf, size_t n) {
    pipe_unread(f->priv, buf, n);
}

// Puts n bytes of src in the ring, which has room. Interrupts off.
static void put(struct pipe *pp, const void *src, size_t n) {
    ring_put(pp, pp->nwritten, src, n);
    pp->nwritten += n;
}

long pipe_send(struct pipe *pp, const void *src, size_t n, unsigned how) {
    if (pp->packets && n > PIPE_SIZE - sizeof(uint32_t))
        return -EMSGSIZE;                  // a message goes in whole, or not at all
    uint64_t flags = local_irq_save();
    long done = 0;
    while ((size_t)done < n || (pp->packets && done == 0)) {
        if (pp->readers == 0) {
            if (!(how & PIPE_NOSIGNAL))
                signal_send_thread(current(), SIGPIPE, SI_USER, current()->tgid, 0);
            done = done ? done : -EPIPE;
            break;
        }
        uint64_t room = PIPE_SIZE - (pp->nwritten - pp->nread);
        // Small writes, and messages, go in whole.
        size_t need = pp->packets ? n + sizeof(uint32_t) : n <= PIPE_BUF ? n - done : 1;
        if (room < need) {
            if (how & PIPE_NONBLOCK) { done = done ? done : -EAGAIN; break; }
            if (signal_pending(current())) { done = done ? done : -ERESTARTSYS; break; }
            sleep_on(&pp->nwritten);
            continue;
        }
        size_t len = pp->packets ? n : n - (size_t)done < room ? n - (size_t)done : room;
        if (pp->packets) {
            uint32_t header = (uint32_t)n;
            put(pp, &header, sizeof header);
        }
        put(pp, (const char *)src + done, len);
        done += (long)len;
        wakeup(&pp->nread);                // data for readers
        notify(pp, POLLIN | POLLRDNORM);
        if (pp->packets)
            break;                         // (a message of 0 bytes is one too)
    }
    local_irq_restore(flags);
    return done;
}

long pipe_wait_room(struct pipe *pp, size_t n) {
    size_t need = pp->packets ? n + sizeof(uint32_t) : n <= PIPE_BUF ? n : 1;
    uint64_t flags = local_irq_save();
    long err = 0;
    while (PIPE_SIZE - (pp->nwritten - pp->nread) < need && pp->readers > 0) {
        if (signal_pending(current())) {
            err = -ERESTARTSYS;
            break;
        }
        sleep_on(&pp->nwritten);
    }
    local_irq_restore(flags);
    return err;
}

static long pipe_write(struct file *f, const void *src, size_t n) {
    return pipe_send(f->priv, src, n, file_how(f));
}

void pipe_shut(struct pipe *pp, bool reader, bool writer) {
    uint64_t flags = local_irq_save();
    pp->readers -= reader;
    pp->writers -= writer;
    wakeup(&pp->nread);                    // readers see EOF, writers see EPIPE
    wakeup(&pp->nwritten);
    notify(pp, 0);
    local_irq_restore(flags);
}

bool pipe_drop(struct pipe *pp, bool reader, bool writer) {
    pipe_shut(pp, reader, writer);
    bool last = pp->readers == 0 && pp->writers == 0;
    if (last && pp->fifo)
        pp->fifo->fifo = NULL;             // the next open makes a new one
    if (last)
        pipe_free(pp);
    return last;
}

static void pipe_release(struct file *f) {
    pipe_drop(f->priv, (f->flags & O_ACCMODE) != O_WRONLY, (f->flags & O_ACCMODE) != O_RDONLY);
}

// Readers: POLLIN with data, POLLHUP once no writer is left. Writers: POLLOUT while a
// PIPE_BUF-sized write fits (Linux: while a page of the ring is free), POLLERR once no
// reader is left.
unsigned pipe_ready(struct pipe *pp, bool reader, bool writer) {
    uint64_t used = pp->nwritten - pp->nread;
    unsigned mask = 0;
    if (reader) {
        if (used)
            mask |= POLLIN | POLLRDNORM;
        if (pp->writers == 0)
            mask |= POLLHUP;
    }
    if (writer) {
        if (PIPE_SIZE - used >= PIPE_BUF)
            mask |= POLLOUT | POLLWRNORM;
        if (pp->readers == 0)
            mask |= POLLERR;
    }
    return mask;
}

static unsigned pipe_poll(struct file *f) {
    int acc = f->flags & O_ACCMODE;      // a FIFO opened O_RDWR is both ends
    return pipe_ready(f->priv, acc != O_WRONLY, acc != O_RDONLY);
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
    .read = pipe_read, .unread = pipe_file_unread, .release = pipe_release, .stat = pipe_stat,
    .poll = pipe_poll,
};
static const struct file_ops pipe_write_ops = {
    .write = pipe_write, .release = pipe_release, .stat = pipe_stat, .poll = pipe_poll,
};
static const struct file_ops pipe_rdwr_ops = {
    .read = pipe_read, .unread = pipe_file_unread, .write = pipe_write, .release = pipe_release,
    .stat = pipe_stat, .poll = pipe_poll,
};

struct pipe *file_pipe(struct file *f) {
    bool pipe = f->ops == &pipe_read_ops || f->ops == &pipe_write_ops || f->ops == &pipe_rdwr_ops;
    return pipe ? f->priv : NULL;
}

struct pipe *pipe_new(bool packets) {
    struct pipe *pp = kzalloc(sizeof *pp);
    char *buf = kmalloc(PIPE_SIZE);
    if (!pp || !buf) {
        kfree(pp);
        kfree(buf);
        return NULL;
    }
    pp->buf = buf;
    pp->packets = packets;
    pp->readers = pp->writers = 1;
    return pp;
}

void pipe_free(struct pipe *pp) {
    if (pp) {
        kfree(pp->buf);
        kfree(pp);
    }
}

static void free_pipe(struct pipe *pp, struct file *r, struct file *w) {
    kfree(r);                              // never opened for real: no release needed
    kfree(w);
    pipe_free(pp);
}

static void drop_fd(struct proc *p, int fd) { fd_remove(p, fd); }

static long do_pipe2(uint64_t ufds, uint64_t flags) {
    if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct pipe *pp = pipe_new(false);
    struct file *r = file_alloc(&pipe_read_ops, NULL, O_RDONLY | (flags & O_NONBLOCK));
    struct file *w = file_alloc(&pipe_write_ops, NULL, O_WRONLY | (flags & O_NONBLOCK));
    if (!pp || !r || !w) {
        free_pipe(pp, r, w);
        return -ENOMEM;
    }
    r->priv = w->priv = pp;
    struct proc *p = current();
    int fds[2];
    fds[0] = fd_install(p, r, flags & O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -1 : fd_install(p, w, flags & O_CLOEXEC);
    long err = fds[1] < 0 ? -EMFILE : copy_to_user((void *)ufds, fds, sizeof fds) ? -EFAULT : 0;
    if (err) {
        if (fds[0] >= 0) drop_fd(p, fds[0]);
        if (fds[1] >= 0) drop_fd(p, fds[1]);
        free_pipe(pp, r, w);
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
    struct pipe *pp = pipe_new(false);
    if (!pp)
        return NULL;
    pp->readers = pp->writers = 0;       // counted as the ends open
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
            pipe_free(pp);
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
