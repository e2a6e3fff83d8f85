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
//
// The ring holds PIPE_SIZE bytes unless fcntl(F_SETPIPE_SZ) says otherwise (a power of two
// of pages, as Linux rounds it). It is made with the pipe, whole: Linux allocates a page at
// a time, as bytes come, and may call its OOM killer for one; here a write that found no
// memory for its ring would fail instead - and a process that has taken all the memory
// could no longer tell anyone through a pipe made before (the OOM test's hog does).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "pipe.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "sleeplock.h"
#include "smp.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

// Locking. read(2) and write(2) on a pipe run without the BKL (sys_file.c), so a pipe has
// locks of its own, of two kinds:
//   - `lock`, a spinlock: the counters, the ends' counts and the list of threads asleep in
//     the pipe. A thread that must wait - for bytes, for room - joins the list and sleeps
//     with the lock (sleep_on_locked); whoever changes the pipe wakes the whole list under
//     it, and each looks again. So no change falls between a look and a sleep.
//   - `rlock` and `wlock`, sleeping locks (sleeplock.h) around the copies: a reader holds
//     rlock while it copies bytes out of the ring, a writer wlock while it copies bytes in.
//     A copy from or to user memory may fault, and the fault may sleep: no spinlock may be
//     held across it. Readers take turns with readers, and writers with writers, but a
//     reader and a writer copy at once: a reader copies only bytes already written (before
//     nwritten), a writer only into room already read (from nwritten up to nread +
//     size), and each moves its counter past them, under `lock`, only after its copy.
//     Neither is held during a wait for the other end: a reader asleep in an empty pipe
//     must not keep a second reader from noticing a signal. Bytes are never put back
//     before nread: whoever could not pass them on takes only what it passed
//     (pipe_splice_out).
// The lock order: the BKL, rlock, wlock, lock, sched_lock. A sleeping lock's holder may
// still take the BKL - a fault in its copy does, and so does notify - for a BKL holder that
// wants the sleeping lock sleeps, and that lets the BKL go. The FIFO fields (r_opens,
// w_opens, fifo) stay under the BKL, as FIFOs are opened under it; so do the pollers and
// epoll, which a change notifies (notify, below).
struct pipe {
    struct spinlock lock;
    char *buf;                 // the ring, of `size` bytes
    uint64_t ino;              // its inode number (pseudo_ino: fstat, /proc/<pid>/fd)
    size_t size;               // changed with rlock, wlock and lock held (pipe_set_size)
    uint64_t nread, nwritten;  // free-running counters; nwritten - nread bytes are buffered
    int readers, writers;      // open ends (an O_RDWR FIFO end counts as both)
    struct pipe_waiter *waiting;   // asleep for a change: bytes, room, an end closed
    unsigned r_opens, w_opens; // FIFO: opens of each kind so far; sleepers wait for a change
    struct inode *fifo;        // FIFO: its inode, whose ->fifo points back here; else NULL
    bool packets;              // packet mode: each message is a uint32_t length, then its bytes
    bool no_waits;             // an empty pipe's receive returns 0, not wait (pipe_stop_waits)
    // A socket's: told of every change, for the ends whose readiness follows this ring
    // (pipe_watch). Set once, under the BKL.
    void (*on_change)(void *arg, unsigned events);
    void *change_arg;
    struct sleeplock rlock, wlock;
};

// A sleeper, on its own kernel stack, on the pipe's list while it waits.
struct pipe_waiter {
    struct proc *thread;
    struct pipe_waiter *next;
};

static uint64_t lock(struct pipe *pp) { return spin_lock_irqsave(&pp->lock); }

// The reschedule IPIs of the wakeups made under the lock go after it (sched.c's rq_unlock).
static void unlock(struct pipe *pp, uint64_t flags) {
    spin_unlock_irqrestore(&pp->lock, 0);
    sched_send_ipis();
    local_irq_restore(flags);
}

// Sleeps until the pipe changes, or a signal comes - or, PIPE_TIMED, the caller's deadline
// (its io_deadline, as its wake_at for this sleep alone); lock held, let go while asleep.
static void wait_for_change(struct pipe *pp, unsigned how) {
    struct proc *p = current();
    struct pipe_waiter w = { .thread = p, .next = pp->waiting };
    pp->waiting = &w;
    if (how & PIPE_TIMED)
        __atomic_store_n(&p->wake_at, p->io_deadline, __ATOMIC_SEQ_CST);
    sleep_on_locked(pp, &pp->lock);
    if (how & PIPE_TIMED)
        __atomic_store_n(&p->wake_at, 0, __ATOMIC_SEQ_CST);
    for (struct pipe_waiter **link = &pp->waiting; *link; link = &(*link)->next)
        if (*link == &w) {
            *link = w.next;
            break;
        }
}

// Something changed: every sleeper looks again. Lock held.
static void wake_all(struct pipe *pp) {
    for (struct pipe_waiter *w = pp->waiting; w; w = w->next)
        sched_wake_locked(w->thread);
}

// What may have become true of the pipe: for its pollers, and for those of the socket ends
// made of it (poll.h: epoll's edge-triggered registrations are armed by their file's priv).
// They live under the BKL: a caller without it takes it only if anyone polls or epoll
// watches anything (poll_watched says so after the change, which they look at after they
// say so: one of the two sees the other). Lock not held.
static void notify(struct pipe *pp, unsigned events) {
    bool locked = bkl_held();
    if (!locked && !poll_watched())
        return;
    if (!locked)
        bkl_lock();
    poll_notify(pp, events);
    if (pp->on_change)
        pp->on_change(pp->change_arg, events);
    if (!locked)
        bkl_unlock();
}

void pipe_watch(struct pipe *pp, void (*fn)(void *arg, unsigned events), void *arg) {
    pp->on_change = fn;
    pp->change_arg = arg;
}

// A caller's side of a copy: kernel memory (sockets, splice), or a user buffer (read(2)
// and write(2) on a pipe).
struct side {
    char *addr;
    bool user;
};

// A copy between user memory and the ring at least this big lets go of the BKL, if the
// caller holds it (readv, writev, a traced read or write), while it runs; a smaller one
// costs less than the trip out of the lock and back.
#define COPY_WITHOUT_BKL 512

// Copies n bytes between the ring at counter `at` and the caller's side: out of the ring,
// or into it. At most two pieces, either side of the ring's end. Returns how many were not
// copied: 0, or for a bad user buffer the count from its first fault. A user copy is made
// under rlock or wlock, never under `lock`: it may fault, and the fault may sleep
// (interrupts on); copy_locked below is the exception. (A byte at a time, a 4 KiB write
// took about 4 times as long under QEMU.)
static size_t ring_copy(struct pipe *pp, uint64_t at, struct side s, size_t n, bool into) {
    size_t off = at % pp->size, first = n < pp->size - off ? n : pp->size - off;
    char *piece[2] = { pp->buf + off, pp->buf };
    size_t len[2] = { first, n - first }, left = 0;
    if (!s.user) {
        for (int i = 0; i < 2; s.addr += len[i], i++)
            into ? memcpy(piece[i], s.addr, len[i]) : memcpy(s.addr, piece[i], len[i]);
        return 0;
    }
    uint64_t irq;
    bool dropped = n >= COPY_WITHOUT_BKL && bkl_drop(&irq);
    if (dropped)
        local_irq_restore(irq);
    for (int i = 0; i < 2 && !left; s.addr += len[i], i++) {
        left = into ? copy_from_user_left(piece[i], s.addr, len[i])
                    : copy_to_user_left(s.addr, piece[i], len[i]);
        left += i == 0 && left ? len[1] : 0;
    }
    if (dropped)
        bkl_retake(true, local_irq_save());
    return left;
}

// Of a user copy of n bytes that stopped `left` short, what is kept: only whole PIPE_BUF
// pieces from the start of the call (`before` bytes were done already), as when the
// system-call layer copied through a buffer of that size - the rest is not taken from the
// ring, or not added to it, and the call returns what it kept, or -EFAULT.
static size_t kept_of(size_t before, size_t n, size_t left) {
    size_t upto = (before + n - left) / PIPE_BUF * PIPE_BUF;
    return upto > before ? upto - before : 0;
}

// The fast way: a copy made under `lock` itself, when no other reader (writer) is copying -
// one trip through the lock, and no sleeping lock. A copy from or to kernel memory always
// can be; a user copy only if small, and _nofault (a fault under a spinlock cannot be
// handled): if it faults, the call goes the slow way, and makes it again there. False:
// not copied (perhaps in part, which the slow way's copy overwrites).
#define COPY_UNDER_LOCK 256

static bool copy_locked(struct pipe *pp, uint64_t at, struct side s, size_t n, bool into) {
    if (!s.user) {
        ring_copy(pp, at, s, n, into);
        return true;
    }
    if (n > COPY_UNDER_LOCK)
        return false;
    size_t off = at % pp->size, first = n < pp->size - off ? n : pp->size - off;
    char *piece[2] = { pp->buf + off, pp->buf };
    size_t len[2] = { first, n - first };
    for (int i = 0; i < 2; s.addr += len[i], i++)
        if (len[i] && (into ? copy_from_user_nofault(piece[i], s.addr, len[i])
                            : copy_to_user_nofault(s.addr, piece[i], len[i])))
            return false;
    return true;
}

// Is anyone holding sl? Looked at under `lock`: a reader (writer) takes rlock (wlock)
// before `lock`, and picks its bytes (room) under `lock` after - so one that takes it after
// this look picks after the fast way's change too.
static bool copying(struct sleeplock *sl) { return __atomic_load_n(&sl->owner, __ATOMIC_ACQUIRE); }

// PIPE_TIMED: has the caller's deadline come?
static bool timed_out(unsigned how) {
    return (how & PIPE_TIMED) && time_since_boot_ns() >= current()->io_deadline;
}

// Until the pipe holds bytes: 1; or 0 at end of file, -EAGAIN, -ERESTARTSYS.
static long wait_for_bytes(struct pipe *pp, unsigned how) {
    uint64_t f = lock(pp);
    long ret = 1;
    while (pp->nwritten == pp->nread) {
        if (pp->writers == 0) { ret = 0; break; }
        if ((how & PIPE_NONBLOCK) || timed_out(how)) { ret = -EAGAIN; break; }
        if (pp->no_waits) { ret = 0; break; }
        if (signal_pending(current())) { ret = -ERESTARTSYS; break; }
        wait_for_change(pp, how);
    }
    unlock(pp, f);
    return ret;
}

// Where the next read starts (*at), and what it may take (*have): the bytes buffered, or
// in packet mode the next message, behind its length. lock held, bytes there.
static void next_read(struct pipe *pp, uint64_t *at, uint64_t *have) {
    *at = pp->nread;
    *have = pp->nwritten - pp->nread;
    if (pp->packets) {
        uint32_t len;
        ring_copy(pp, *at, (struct side){ (char *)&len, false }, sizeof len, false);
        *at += sizeof len;
        *have = len;
    }
}

// A read copied `got` bytes of the `have` from `at`: they leave the ring (a message leaves
// whole, or is lost). lock held.
static void taken(struct pipe *pp, uint64_t at, uint64_t have, size_t got) {
    pp->nread = pp->packets ? at + have : at + got;
    wake_all(pp);                          // room for writers
}

// Takes what the next read gets: up to n bytes, or in packet mode the next message (cut to n
// bytes, the rest dropped; *whole says how long it was). rlock and lock held, and bytes
// there; lock is let go for the copy, and here. Returns the count, or -EFAULT.
static long take(struct pipe *pp, struct side dst, size_t n, bool peek, size_t *whole,
                 uint64_t f) {
    uint64_t at, have;
    next_read(pp, &at, &have);
    size_t got = n < have ? n : (size_t)have;
    *whole = (size_t)have;
    unlock(pp, f);
    size_t left = ring_copy(pp, at, dst, got, false);
    if (left)
        got = kept_of(0, got, left);
    if (peek || (left && got == 0 && !pp->packets))
        return left && got == 0 ? -EFAULT : (long)got;   // nothing taken
    f = lock(pp);
    taken(pp, at, have, got);
    unlock(pp, f);
    notify(pp, POLLOUT | POLLWRNORM);
    return left && got == 0 ? -EFAULT : (long)got;
}

// take's fast way (copy_locked), under `lock`: true if it took them (*ret: how many).
static bool take_now(struct pipe *pp, struct side dst, size_t n, bool peek, size_t *whole,
                     long *ret) {
    if (pp->nwritten == pp->nread || copying(&pp->rlock))
        return false;
    uint64_t at, have;
    next_read(pp, &at, &have);
    size_t got = n < have ? n : (size_t)have;
    if (!copy_locked(pp, at, dst, got, false))
        return false;
    *whole = (size_t)have;
    if (!peek)
        taken(pp, at, have, got);
    *ret = (long)got;
    return true;
}

// The fast way first; else the look for bytes holding rlock, so that a reader that finds
// them copies them; a reader that finds none lets go of it to wait (wait_for_bytes), and
// looks again.
static long do_recv(struct pipe *pp, struct side dst, size_t n, unsigned how, size_t *whole,
                    const struct pipe_hook *hook) {
    size_t len = 0;
    long ret;
    uint64_t f = lock(pp);
    uint64_t at = pp->nread;
    size_t want = hook && hook->limit && pp->nwritten != at ? hook->limit(hook->arg, at, n) : n;
    bool done = take_now(pp, dst, want, how & PIPE_PEEK, &len, &ret);
    if (done && ret >= 0 && hook && hook->took)
        hook->took(hook->arg, at, dst.addr, (size_t)ret);
    unlock(pp, f);
    if (done) {
        if (!(how & PIPE_PEEK))
            notify(pp, POLLOUT | POLLWRNORM);
        if (whole)
            *whole = len;
        return ret;
    }
    for (;;) {
        sleeplock_acquire(&pp->rlock);
        f = lock(pp);
        if (pp->nwritten != pp->nread) {
            at = pp->nread;
            want = hook && hook->limit ? hook->limit(hook->arg, at, n) : n;
            ret = take(pp, dst, want, how & PIPE_PEEK, &len, f);
            if (ret >= 0 && hook && hook->took)
                hook->took(hook->arg, at, dst.addr, (size_t)ret);   // (rlock still held)
            sleeplock_release(&pp->rlock);
            break;
        }
        unlock(pp, f);
        sleeplock_release(&pp->rlock);
        if ((ret = wait_for_bytes(pp, how)) <= 0)
            break;
    }
    if (whole)
        *whole = len;
    return ret;
}

long pipe_recv(struct pipe *pp, void *dst, size_t n, unsigned how, size_t *whole) {
    return do_recv(pp, (struct side){ dst, false }, n, how, whole, NULL);
}

long pipe_recv_hooked(struct pipe *pp, void *dst, size_t n, unsigned how, size_t *whole,
                      const struct pipe_hook *hook) {
    return do_recv(pp, (struct side){ dst, false }, n, how, whole, hook);
}

static unsigned file_how(const struct file *f) { return f->flags & O_NONBLOCK ? PIPE_NONBLOCK : 0; }

static long pipe_read(struct file *f, void *dst, size_t n) {
    return pipe_recv(f->priv, dst, n, file_how(f), NULL);
}

// read(2): from the ring straight to the user's buffer. (0 bytes: 0 at once, as Linux.)
static long pipe_read_user(struct file *f, uint64_t ubuf, size_t n, bool nowait) {
    unsigned how = file_how(f) | (nowait ? PIPE_NONBLOCK : 0);
    return n ? do_recv(f->priv, (struct side){ (char *)ubuf, true }, n, how, NULL, NULL) : 0;
}

// splice out of a pipe (splice.c): up to n bytes are looked at (copied into buf, not taken)
// and handed to `out`, and then only the bytes it kept are taken - all holding rlock. So no
// other reader takes later bytes meanwhile, and no writer fills the room they would leave:
// nothing has to go back (bytes put back once were lost to a writer without the BKL).
// Returns how many out was offered (*put: what it returned), or the wait's 0 (end of file),
// -EAGAIN or -ERESTARTSYS.
long pipe_splice_out(struct pipe *pp, void *buf, size_t n, unsigned how,
                     long (*out)(void *arg, const void *buf, size_t n), void *arg, long *put) {
    return pipe_splice_out_at(pp, buf, n, how, out, arg, put, NULL);
}

long pipe_splice_out_at(struct pipe *pp, void *buf, size_t n, unsigned how,
                        long (*out)(void *arg, const void *buf, size_t n), void *arg, long *put,
                        const struct pipe_hook *hook) {
    for (;;) {
        sleeplock_acquire(&pp->rlock);
        uint64_t f = lock(pp);
        if (pp->nwritten != pp->nread) {
            uint64_t at = pp->nread;
            size_t want = hook && hook->limit ? hook->limit(hook->arg, at, n) : n;
            size_t whole;
            long got = take(pp, (struct side){ buf, false }, want, true, &whole, f);   // lets go
            *put = out(arg, buf, (size_t)got);
            size_t kept = *put > 0 ? (size_t)*put : 0;
            if (kept) {
                f = lock(pp);
                pp->nread += kept;
                wake_all(pp);              // room for writers
                unlock(pp, f);
                if (hook && hook->took)
                    hook->took(hook->arg, at, buf, kept);   // (rlock still held)
            }
            sleeplock_release(&pp->rlock);
            if (kept)
                notify(pp, POLLOUT | POLLWRNORM);
            return got;
        }
        unlock(pp, f);
        sleeplock_release(&pp->rlock);
        long ret = wait_for_bytes(pp, how);
        if (ret <= 0)
            return ret;
    }
}

// What a send needs free before it copies: small writes, and messages, go in whole.
static size_t room_needed(const struct pipe *pp, size_t n, size_t done) {
    return pp->packets ? n + sizeof(uint32_t) : n <= PIPE_BUF ? n - done : 1;
}

// Until room_needed is free: the room; or -EPIPE (no reader left), -EAGAIN, -ERESTARTSYS.
static long wait_for_room(struct pipe *pp, size_t need, unsigned how) {
    uint64_t f = lock(pp);
    long ret;
    for (;;) {
        ret = (long)pp->size - (long)(pp->nwritten - pp->nread);
        if (pp->readers == 0 || pp->writers == 0) { ret = -EPIPE; break; }
        if ((size_t)ret >= need) break;
        if ((how & PIPE_NONBLOCK) || timed_out(how)) { ret = -EAGAIN; break; }
        if (signal_pending(current())) { ret = -ERESTARTSYS; break; }
        wait_for_change(pp, how);
    }
    unlock(pp, f);
    return ret;
}

// Puts len bytes of src in the ring, which has room: for a message, behind its length.
// wlock and lock held; lock is let go for the copy, and here. Returns how many went in
// (fewer for a bad user buffer: kept_of's rule; `before` were put in already).
static size_t put(struct pipe *pp, struct side src, size_t len, size_t before, uint64_t f,
                  const struct pipe_mark *mark) {
    uint64_t at = pp->nwritten;
    if (pp->packets) {
        uint32_t header = (uint32_t)len;
        ring_copy(pp, at, (struct side){ (char *)&header, false }, sizeof header, true);
        at += sizeof header;
    }
    unlock(pp, f);
    size_t left = ring_copy(pp, at, src, len, true);
    if (left && (len = kept_of(before, len, left)) == 0)
        return 0;
    f = lock(pp);
    if (mark && before == 0)
        mark->fn(mark->arg, pp->nwritten);
    pp->nwritten = at + len;
    wake_all(pp);                          // bytes for readers
    unlock(pp, f);
    notify(pp, POLLIN | POLLRDNORM);
    return len;
}

// put's fast way (copy_locked) for a whole send, under `lock`: true if it put all n in.
static bool put_now(struct pipe *pp, struct side src, size_t n, const struct pipe_mark *mark) {
    size_t room = pp->size - (pp->nwritten - pp->nread);
    if (pp->readers == 0 || pp->writers == 0 || room < room_needed(pp, n, 0) || room < n ||
        copying(&pp->wlock))
        return false;
    uint64_t at = pp->nwritten;
    if (pp->packets) {
        uint32_t header = (uint32_t)n;
        ring_copy(pp, at, (struct side){ (char *)&header, false }, sizeof header, true);
        at += sizeof header;
    }
    if (!copy_locked(pp, at, src, n, true))
        return false;
    if (mark)
        mark->fn(mark->arg, pp->nwritten);
    pp->nwritten = at + n;
    wake_all(pp);                          // bytes for readers
    return true;
}

// As do_recv: the fast way first; else the look for room holding wlock, and the wait for
// it without.
static long do_send(struct pipe *pp, struct side src, size_t n, unsigned how,
                    const struct pipe_mark *mark) {
    if (pp->packets && n > PIPE_SIZE - sizeof(uint32_t))
        return -EMSGSIZE;                  // a message goes in whole, or not at all
    uint64_t f = lock(pp);
    bool all = n > 0 && put_now(pp, src, n, mark);
    unlock(pp, f);
    if (all) {
        notify(pp, POLLIN | POLLRDNORM);
        return (long)n;
    }
    long done = 0;
    while ((size_t)done < n || (pp->packets && done == 0)) {
        size_t need = room_needed(pp, n, (size_t)done);
        sleeplock_acquire(&pp->wlock);
        f = lock(pp);
        size_t room = pp->size - (pp->nwritten - pp->nread);
        if (pp->readers > 0 && pp->writers > 0 && room >= need) {
            size_t len = pp->packets ? n : n - (size_t)done < room ? n - (size_t)done : room;
            size_t put_in = put(pp, (struct side){ src.addr + done, src.user }, len,
                                (size_t)done, f, mark);
            sleeplock_release(&pp->wlock);
            done += (long)put_in;
            if (put_in < len) {
                done = done ? done : -EFAULT;
                break;
            }
            if (pp->packets)
                break;                     // (a message of 0 bytes is one too)
            continue;
        }
        unlock(pp, f);
        sleeplock_release(&pp->wlock);
        long err = wait_for_room(pp, need, how);
        if (err >= 0)
            continue;
        if (err == -EPIPE && !(how & PIPE_NOSIGNAL)) {
            bkl_lock();                    // (signals are under the BKL)
            signal_send_thread(current(), SIGPIPE, SI_USER, current()->tgid, 0);
            bkl_unlock();
        }
        done = done ? done : err;
        break;
    }
    return done;
}

long pipe_send(struct pipe *pp, const void *src, size_t n, unsigned how) {
    return do_send(pp, (struct side){ (char *)src, false }, n, how, NULL);
}

long pipe_send_marked(struct pipe *pp, const void *src, size_t n, unsigned how,
                      const struct pipe_mark *mark) {
    return do_send(pp, (struct side){ (char *)src, false }, n, how, mark);
}

uint64_t pipe_read_pos(struct pipe *pp) {
    return __atomic_load_n(&pp->nread, __ATOMIC_ACQUIRE);
}

long pipe_wait_room(struct pipe *pp, size_t n) {
    long room = wait_for_room(pp, room_needed(pp, n, 0), 0);
    return room == -ERESTARTSYS ? room : 0;
}

static long pipe_write(struct file *f, const void *src, size_t n) {
    return pipe_send(f->priv, src, n, file_how(f));
}

// write(2): from the user's buffer straight into the ring. (0 bytes: 0, as Linux.)
static long pipe_write_user(struct file *f, uint64_t ubuf, size_t n) {
    return n ? do_send(f->priv, (struct side){ (char *)ubuf, true }, n, file_how(f), NULL) : 0;
}

// A writer's end going (a socket's shut_send) waits for a copy into the ring under way: a
// send that found a writer puts its bytes in before the end is gone, never after a reader
// saw end of file - and a send that finds none fails (EPIPE). (A plain pipe's writer holds
// its own end, so none is ever sending when the last goes.)
void pipe_shut(struct pipe *pp, bool reader, bool writer) {
    if (writer)
        sleeplock_acquire(&pp->wlock);
    uint64_t f = lock(pp);
    pp->readers -= reader;
    pp->writers -= writer;
    wake_all(pp);                          // readers see EOF, writers see EPIPE
    unlock(pp, f);
    if (writer)
        sleeplock_release(&pp->wlock);
    notify(pp, 0);
}

void pipe_stop_waits(struct pipe *pp) {
    uint64_t f = lock(pp);
    pp->no_waits = true;
    wake_all(pp);
    unlock(pp, f);
    notify(pp, 0);
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
// Under the lock: the two counters read apart, a read and a write in between could make
// `used` wrap round, and a full pipe look writable.
unsigned pipe_ready(struct pipe *pp, bool reader, bool writer) {
    uint64_t f = lock(pp);
    uint64_t used = pp->nwritten - pp->nread;
    unsigned mask = 0;
    if (reader) {
        if (used)
            mask |= POLLIN | POLLRDNORM;
        if (pp->writers == 0)
            mask |= POLLHUP;
    }
    if (writer) {
        if (pp->size - used >= PIPE_BUF)
            mask |= POLLOUT | POLLWRNORM;
        if (pp->readers == 0)
            mask |= POLLERR;
    }
    unlock(pp, f);
    return mask;
}

void pipe_each_message(struct pipe *pp, void (*fn)(void *arg, const char *head), void *arg) {
    uint64_t f = lock(pp);
    for (uint64_t at = pp->nread; pp->packets && at != pp->nwritten;) {
        uint32_t len;
        char head[PIPE_HEAD_PEEK] = { 0 };
        ring_copy(pp, at, (struct side){ (char *)&len, false }, sizeof len, false);
        ring_copy(pp, at + sizeof len, (struct side){ head, false },
                  len < sizeof head ? len : sizeof head, false);
        fn(arg, head);
        at += sizeof len + len;
    }
    unlock(pp, f);
}

long pipe_queued(struct pipe *pp, bool first_only) {
    uint64_t f = lock(pp);
    uint64_t at = pp->nread, queued = pp->nwritten - pp->nread;
    if (pp->packets) {
        queued = 0;
        for (uint32_t len; at != pp->nwritten; at += sizeof len + len) {
            ring_copy(pp, at, (struct side){ (char *)&len, false }, sizeof len, false);
            uint8_t head = 0;
            if (len)
                ring_copy(pp, at + sizeof len, (struct side){ (char *)&head, false }, 1, false);
            queued += len - head;
            if (first_only)
                break;
        }
    }
    unlock(pp, f);
    return (long)queued;
}

// ioctl(FIONREAD): the bytes a read would find now, as Linux's pipe_ioctl; anything else is
// not a pipe's (ENOTTY).
static long pipe_ioctl(struct file *f, unsigned long cmd, uint64_t arg) {
    if (cmd != FIONREAD)
        return -ENOTTY;
    int n = (int)pipe_queued(f->priv, false);
    return copy_to_user((void *)arg, &n, sizeof n) ? -EFAULT : 0;
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
    st->st_ino = pp->ino;                  // both ends', as on Linux
}

static const struct file_ops pipe_read_ops = {
    .read = pipe_read, .read_user = pipe_read_user, .ioctl = pipe_ioctl,
    .release = pipe_release, .stat = pipe_stat, .poll = pipe_poll,
};
static const struct file_ops pipe_write_ops = {
    .write = pipe_write, .write_user = pipe_write_user, .ioctl = pipe_ioctl,
    .release = pipe_release, .stat = pipe_stat, .poll = pipe_poll,
};
static const struct file_ops pipe_rdwr_ops = {
    .read = pipe_read, .read_user = pipe_read_user, .write = pipe_write,
    .write_user = pipe_write_user, .ioctl = pipe_ioctl, .release = pipe_release,
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
    pp->lock = (struct spinlock)SPINLOCK_INIT("pipe");
    pp->buf = buf;
    pp->ino = pseudo_ino();
    pp->size = PIPE_SIZE;
    pp->packets = packets;
    sleeplock_init(&pp->rlock, "pipe read");
    sleeplock_init(&pp->wlock, "pipe write");
    pp->readers = pp->writers = 1;
    return pp;
}

// fcntl(F_SETPIPE_SZ), as Linux's pipe_set_size: the size rounded up to a power of two of
// pages (EINVAL past 2 GiB); more than pipe-max-size (1 MiB) only for root (EPERM); EBUSY
// if the bytes in the pipe would not fit. The bytes move to the new ring with every lock
// held - both sleeping locks, so that no copy is under way, then `lock`. Returns the size.
long pipe_set_size(struct pipe *pp, uint64_t want) {
    if (want > (1ull << 31))
        return -EINVAL;
    size_t size = PAGE_SIZE;
    while (size < want)
        size <<= 1;
    if (size > PIPE_MAX_SIZE && !capable())
        return -EPERM;
    sleeplock_acquire(&pp->rlock);
    sleeplock_acquire(&pp->wlock);
    // (The size changes only with both sleeping locks held: it can be read now.)
    char *old = pp->buf, *ring = size != pp->size ? kmalloc(size) : NULL;
    long ret = (long)size;
    uint64_t f = lock(pp);
    if (size != pp->size && !ring) {
        ret = -ENOMEM;
    } else if (pp->nwritten - pp->nread > size) {
        ret = -EBUSY;
    } else if (size != pp->size) {
        for (uint64_t at = pp->nread; at != pp->nwritten; at++)
            ring[at % size] = old[at % pp->size];
        pp->buf = ring;
        pp->size = size;
        ring = old;                        // the one to free
        wake_all(pp);                      // writers waiting for room look again
    }
    unlock(pp, f);
    sleeplock_release(&pp->wlock);
    sleeplock_release(&pp->rlock);
    kfree(ring);
    if (ret > 0)
        notify(pp, POLLOUT | POLLWRNORM);
    return ret;
}

long pipe_size(struct pipe *pp) {
    uint64_t f = lock(pp);
    long size = (long)pp->size;
    unlock(pp, f);
    return size;
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
    if (ip->fifo) {                      // another open made one while this one allocated
        pipe_free(pp);
        return ip->fifo;
    }
    pp->readers = pp->writers = 0;       // counted as the ends open
    pp->fifo = ip;
    ip->fifo = pp;
    return pp;
}

long fifo_open(struct inode *ip, unsigned int flags, struct file **out) {
    int acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE)
        return -EINVAL;
    const struct file_ops *ops = acc == O_RDONLY ? &pipe_read_ops
                               : acc == O_WRONLY ? &pipe_write_ops : &pipe_rdwr_ops;
    // The file first: an allocation may sleep, and the last close of the FIFO's other
    // ends could free the pipe meanwhile - from fifo_pipe on, nothing sleeps until this
    // open has counted itself.
    struct file *f = file_alloc(ops, ip, flags);
    struct pipe *pp = f ? fifo_pipe(ip) : NULL;
    if (!pp) {
        if (f) {                           // never opened: no release
            fs_put(ip);
            kfree(f);
        }
        return -ENOMEM;
    }
    uint64_t irq = local_irq_save();
    long err = (acc == O_WRONLY && !pp->readers && (flags & O_NONBLOCK)) ? -ENXIO : 0;
    if (err) {
        bool unused = pp->readers == 0 && pp->writers == 0;
        local_irq_restore(irq);
        fs_put(ip);                        // never opened: no release
        kfree(f);
        if (unused) {
            ip->fifo = NULL;
            pipe_free(pp);
        }
        return err;
    }
    f->priv = pp;
    uint64_t held = lock(pp);              // (the ends' counts: read without the BKL)
    pp->readers += acc != O_WRONLY;
    pp->writers += acc != O_RDONLY;
    unlock(pp, held);
    if (acc != O_WRONLY) {
        pp->r_opens++;
        wakeup(&pp->r_opens);
    }
    if (acc != O_RDONLY) {
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
