// socket.c: AF_UNIX sockets' ends (sock.h) - what they send and receive, their file
// operations, socketpair(2), shutdown(2), the send and receive calls and the options.
// socket_name.c makes ends with socket(2) and connects them by name; socket_scm.c carries
// descriptors and credentials.
//
// An end receives into its own ring, rx (a pipe, pipe.h); a send writes into its peer's,
// or - a datagram sent by name - into the named end's. SOCK_STREAM carries bytes, as a pipe
// does; SOCK_DGRAM and SOCK_SEQPACKET carry messages (the pipes' packet mode): a send is one
// message, sent whole or not at all, and a receive takes one, cut to the buffer (the rest is
// dropped; MSG_TRUNC says how long it was). Each message begins with a header the receiver
// strips: who sent it (credentials, and the sender's name for recvfrom) and its ancillary
// data. A stream's ancillary data waits in its receiver's list of marks instead, tied to
// the stream position of the bytes it was sent with (sock.h).
//
// What an end may still do follows Linux's sk_shutdown bits, kept in `shut`: RCV (no more to
// receive: reads see end of file once the data is gone) and SEND (sends fail with EPIPE).
// On a connected stream or seqpacket pair they are mirrored: shutdown(SHUT_WR) gives this
// end SEND and the peer RCV, SHUT_RD the other way round, and a close gives the peer both.
// A datagram end keeps them to itself; a send to a closed datagram end gets ECONNREFUSED.
//
// Locking: read(2) and write(2) on an end run without the BKL (sys_file.c), as a pipe's do,
// and so do sendto, recvfrom, sendmsg and recvmsg: what they move, and what says an end is
// closed or shut, is in the pipes, under their own locks (pipe.c). A send takes a counted
// reference to the end it sends to (sock_get) under the sender's `lock`, so that a datagram
// end's connect, which changes its peer under the BKL and that lock, frees nothing under a
// send. The rest runs under the BKL: the other calls, the shut bits' changes (shutdown,
// close) and names. A send reads `shut` without it - a look racing a shutdown sees it
// before or after, as a send racing it on Linux may; the pipe has its own word.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "panic.h"
#include "pipe.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "sock.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"


#define SOCK_BUF_DEFAULT 212992   // Linux's net.core.wmem_default and rmem_default
#define NO_ID         0xffffffffu // SO_PEERCRED's ids for an end with no peer, as Linux's

static bool messages(const struct sock *s) { return s->type != SOCK_STREAM; }
static bool connected_kind(const struct sock *s) { return s->type != SOCK_DGRAM; }

// A message's header, in front of its bytes in the ring: its length; the sender's name's
// length; the ancillary data sent with it (a struct scm *, or NULL); the sender's
// credentials; the sender's name.
#define HEAD_LEN    0
#define HEAD_ADDR   1
#define HEAD_SCM    2
#define HEAD_CRED   10
#define HEAD_NAME   22
#define HEAD_MAX    (HEAD_NAME + UNIX_ADDR_MAX + 1)

// ---------------------------------------------------------------- an end's life

struct sock *sock_new(int type) {
    struct sock *s = kzalloc(sizeof *s);
    if (!s)
        return NULL;
    s->refs = 1;
    s->type = type;
    s->sndbuf = s->rcvbuf = SOCK_BUF_DEFAULT;
    s->lock = (struct spinlock)SPINLOCK_INIT("sock");
    s->peercred = (struct ucred){ 0, NO_ID, NO_ID };
    s->rcvlowat = 1;
    s->ino = pseudo_ino();
    return s;
}

// What s's ring's change may have made true: for s's pollers and epoll's edge triggers
// (poll.h: armed by the file's priv, the end), and for the ends that send into it - their
// POLLOUT follows its room. BKL (pipe.c's notify takes it).
static void ring_changed(void *arg, unsigned events) {
    struct sock *s = arg;
    poll_notify(s, events);
    for (struct sock *t = s->senders; t; t = t->next_sender)
        poll_notify(t, events);
}

// s sends into to by default from now on (or, to NULL, into nothing): to's list of those
// that do. BKL.
void sock_sends_to(struct sock *s, struct sock *to) {
    if (s->sending_to) {
        for (struct sock **link = &s->sending_to->senders; *link; link = &(*link)->next_sender)
            if (*link == s) {
                *link = s->next_sender;
                break;
            }
    }
    s->sending_to = to != s ? to : NULL;   // (its own ring tells it anyway)
    if (s->sending_to) {
        s->next_sender = to->senders;
        to->senders = s;
    }
}

long sock_make_rx(struct sock *s) {
    if (s->rx)
        return 0;
    s->rx = pipe_new(messages(s));
    if (!s->rx)
        return -ENOMEM;
    pipe_watch(s->rx, ring_changed, s);
    return 0;
}

void sock_get(struct sock *s) { __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED); }

// Frees the ancillary data still in s's ring and marks, unreceived: their descriptors are
// closed, under the BKL (taken here if the last put came from an unlocked send). The close
// dropped what was there then (sock_close_end); this is for a send already copying when
// the close came, whose bytes and mark went in after it.
static void free_carried(struct sock *s) {
    if (!__atomic_load_n(&s->carried, __ATOMIC_ACQUIRE))
        return;
    bool held = bkl_held();
    if (!held)
        bkl_lock();
    sock_drop_held(s);
    if (!held)
        bkl_unlock();
}

// The scm pointer in a message's header (the first PIPE_HEAD_PEEK bytes of it).
static struct scm *head_scm(const char *head) {
    struct scm *scm;
    memcpy(&scm, head + HEAD_SCM, sizeof scm);
    return scm;
}

struct held_walk {
    void (*fn)(void *arg, struct sock *t);
    void *arg;
};

static void walk_message(void *arg, const char *head) {
    struct held_walk *w = arg;
    scm_each_sock(head_scm(head), w->fn, w->arg);
}

static void each_held_here(struct sock *s, struct held_walk *w) {
    uint64_t f = spin_lock_irqsave(&s->lock);
    for (struct scm_mark *m = s->marks; m; m = m->next)
        scm_each_sock(m->scm, w->fn, w->arg);
    spin_unlock_irqrestore(&s->lock, f);
    if (s->rx && messages(s))
        pipe_each_message(s->rx, walk_message, w);
}

void sock_each_held(struct sock *s, void (*fn)(void *arg, struct sock *t), void *arg) {
    struct held_walk w = { fn, arg };
    each_held_here(s, &w);
    for (struct sock *e = s->queue; e; e = e->next_queued)
        each_held_here(e, &w);
}

// Takes the ancillary data out of s's marks and ring onto *list, closing nothing yet: the
// closes may close sockets - a listener whose queue the caller is walking, say.
static void take_held_here(struct sock *s, struct scm **list) {
    uint64_t f = spin_lock_irqsave(&s->lock);
    struct scm_mark *m = s->marks;
    s->marks = NULL;
    spin_unlock_irqrestore(&s->lock, f);
    while (m) {
        struct scm_mark *next = m->next;
        scm_chain(m->scm, list);
        kfree(m);
        m = next;
    }
    char head[HEAD_MAX];
    size_t whole;
    while (s->rx && messages(s) &&
           pipe_recv(s->rx, head, sizeof head, PIPE_NONBLOCK, &whole) > 0)
        scm_chain(head_scm(head), list);
}

static void drop_held_here(struct sock *s) {
    struct scm *list = NULL;
    take_held_here(s, &list);
    scm_put_chain(list);
}

void sock_drop_held(struct sock *s) {
    struct scm *list = NULL;
    take_held_here(s, &list);
    for (struct sock *e = s->queue; e; e = e->next_queued)
        take_held_here(e, &list);
    scm_put_chain(list);
}

void sock_put(struct sock *s) {
    if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (s->rx) {
        free_carried(s);
        pipe_free(s->rx);
    }
    kfree(s->addr);
    kfree(s);
}

void sock_link(struct sock *a, struct sock *b) {
    a->peer = b;
    b->peer = a;
    sock_get(a);
    sock_get(b);
    sock_sends_to(a, b);              // a's POLLOUT follows b's ring, and b's a's
    sock_sends_to(b, a);
}

void sock_notify(struct sock *s, unsigned events) { poll_notify(s, events); }

struct ucred sock_cred_now(bool effective) {
    struct proc *p = current();
    return effective ? (struct ucred){ p->tgid, p->cred.euid, p->cred.egid }
                     : (struct ucred){ p->tgid, p->cred.uid, p->cred.gid };
}

// The end s sends to now, counted: its peer. NULL if it has none.
static struct sock *peer_get(struct sock *s) {
    uint64_t f = spin_lock_irqsave(&s->lock);
    struct sock *p = s->peer;
    if (p)
        sock_get(p);
    spin_unlock_irqrestore(&s->lock, f);
    return p;
}

// s may send no more. Its peer's ring has no writer from then on: the peer reads the rest,
// then end of file (a datagram end's peer never sees it).
static void shut_send(struct sock *s) {
    if (s->shut & SEND)
        return;
    s->shut |= SEND;
    if (connected_kind(s) && s->peer) {
        s->peer->shut |= RCV;
        pipe_shut(s->peer->rx, false, true);
    }
}

void sock_shutdown(struct sock *s, int how) {
    if (s->state == SS_LISTENING) {   // accept and connect see it (socket_name.c)
        s->shut |= (how != SHUT_WR ? RCV : 0) | (how != SHUT_RD ? SEND : 0);
        wakeup(s);
        sock_notify(s, 0);
        return;
    }
    if (how != SHUT_RD)
        shut_send(s);
    if (how != SHUT_WR) {
        if (connected_kind(s) && s->peer) {
            shut_send(s->peer);       // (which gives s RCV)
        } else if (!(s->shut & RCV)) {
            s->shut |= RCV;           // its receives wait no more, and sends to it fail
            if (s->rx)
                pipe_stop_waits(s->rx);
        }
    }
    sock_notify(s, 0);
}

// The close of s's file (BKL). A connected end's peer sees both directions shut, and
// ECONNRESET once if s left bytes unread, as Linux's; every send into s fails from now on.
void sock_close_end(struct sock *s) {
    if (s->state == SS_LISTENING)
        sock_drop_queue(s);
    sock_unname(s);
    struct sock *peer = s->peer;
    if (connected_kind(s) && peer) {
        if (s->rx && pipe_queued(s->rx, false) > 0)
            __atomic_store_n(&peer->err, ECONNRESET, __ATOMIC_RELAXED);
        shut_send(s);
        shut_send(peer);
    }
    __atomic_store_n(&s->closed, true, __ATOMIC_RELEASE);
    if (s->rx)
        pipe_shut(s->rx, true, false);
    if (__atomic_load_n(&s->carried, __ATOMIC_ACQUIRE))
        drop_held_here(s);            // nobody can receive them now: closed, as on Linux
    if (peer) {
        uint64_t f = spin_lock_irqsave(&s->lock);
        s->peer = NULL;
        spin_unlock_irqrestore(&s->lock, f);
        sock_sends_to(s, NULL);
        sock_notify(peer, 0);
        sock_put(peer);
    }
    sock_put(s);
}

// Then, while anything is in flight, the collector looks at everything, as Linux's
// unix_release_sock does: the look at each dropped reference (sock_file_unref) misses a
// cycle that a send completes just after a close on another CPU checked it, and such
// garbage would otherwise stay until some other cycle's collection.
static void sock_release(struct file *f) {
    struct sock *s = f->priv;
    s->file = NULL;
    sock_close_end(s);                // (what its ring held is let go: file.c's close of
                                      // each may find garbage, socket_gc.c)
    sock_gc();                        // (nothing in flight, or collecting already: no work)
}

// ---------------------------------------------------------------- message headers

// What a receive found besides the bytes.
struct recv_info {
    struct scm *scm;              // taken from the ring (or, for a look, borrowed)
    struct ucred cred;
    struct unix_addr from;        // len 0: no name
    int oflags;                   // MSG_TRUNC
};

// Writes the header for a message from s carrying scm, ending at `end`; returns its start.
static char *put_head(char *end, struct sock *s, struct scm *scm) {
    uint32_t alen = s->addr ? s->addr->len : 0;
    char *h = end - HEAD_NAME - alen;
    h[HEAD_LEN] = (char)(HEAD_NAME + alen);
    h[HEAD_ADDR] = (char)alen;
    memcpy(h + HEAD_SCM, &scm, sizeof scm);
    bool given;
    struct ucred cred = scm_cred(scm, &given);
    if (!given)
        cred = sock_cred_now(false);
    memcpy(h + HEAD_CRED, &cred, sizeof cred);
    if (alen)
        memcpy(h + HEAD_NAME, s->addr->bytes, alen);
    return h;
}

// Takes the header off a message received into buf (got bytes; *whole its length):
// returns where its bytes start.
static size_t take_head(char *buf, long got, size_t *whole, struct recv_info *info) {
    size_t len = (uint8_t)buf[HEAD_LEN];
    if (got < HEAD_NAME || (size_t)got < len)
        panic("socket: a message without its whole header");
    memcpy(&info->cred, buf + HEAD_CRED, sizeof info->cred);
    info->from.len = (uint8_t)buf[HEAD_ADDR];
    memcpy(info->from.bytes, buf + HEAD_NAME, info->from.len);
    *whole -= len;
    return len;
}

// ---------------------------------------------------------------- sending

// A nonblocking call's waits end at once; a timed one's (with_timeout) at its deadline.
static unsigned pipe_how(struct file *f, int flags) {
    return ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT) ? PIPE_NONBLOCK : 0) |
           (current()->io_deadline ? PIPE_TIMED : 0);
}

// SO_SNDTIMEO and SO_RCVTIMEO: a send or receive waits until the end's timeout (ns; 0:
// none) from the call's start - the thread's io_deadline, which the ring's waits look at.
// Returns whether there is one, for untimed.
static bool with_timeout(uint64_t timeout) {
    if (!timeout)
        return false;
    current()->io_deadline = time_since_boot_ns() + timeout;
    return true;
}

// The end of a timed call: a signal interrupts it (EINTR), never restarts it with its
// whole timeout again - Linux's sock_intr_errno.
static long untimed(bool timed, long ret) {
    if (!timed)
        return ret;
    current()->io_deadline = 0;
    return ret == -ERESTARTSYS ? -EINTR : ret;
}

// A stream's mark, put in the receiver's list as the send's first byte goes in.
struct mark_arg {
    struct sock *to;
    struct scm_mark *mark;
};

static void put_mark(void *arg, uint64_t at) {
    struct mark_arg *ma = arg;
    ma->mark->at = at;
    uint64_t f = spin_lock_irqsave(&ma->to->lock);
    struct scm_mark **link = &ma->to->marks;
    while (*link)
        link = &(*link)->next;
    *link = ma->mark;
    spin_unlock_irqrestore(&ma->to->lock, f);
    ma->mark = NULL;                  // the receiver's now
}

// Sends n bytes from the kernel buffer buf into to's ring (a message's header in front
// of buf's, in the HEAD_MAX bytes before it: buf is that far into its buffer). A send that
// may send no more is EPIPE; only a stream's raises SIGPIPE too (unless MSG_NOSIGNAL):
// Linux's seqpacket sends go through its datagram code, which raises none.
static long send_kernel(struct file *f, struct sock *to, char *buf, size_t n, int flags,
                        struct scm **scm) {
    struct sock *s = f->priv;
    bool quiet = messages(s) || (flags & MSG_NOSIGNAL);
    if (__atomic_load_n(&s->shut, __ATOMIC_RELAXED) & SEND) {
        if (!quiet) {
            bool held = bkl_held();        // (signals are under the BKL)
            if (!held)
                bkl_lock();
            signal_send_thread(current(), SIGPIPE, SI_USER, current()->tgid, 0);
            if (!held)
                bkl_unlock();
        }
        return -EPIPE;
    }
    bool gone = __atomic_load_n(&to->closed, __ATOMIC_ACQUIRE);
    // A datagram end shut for receiving refuses it (EPIPE, no SIGPIPE), as Linux's - but
    // once closed, it is gone: ECONNREFUSED.
    if (!connected_kind(s) && (gone || (__atomic_load_n(&to->shut, __ATOMIC_RELAXED) & RCV)))
        return gone ? -ECONNREFUSED : -EPIPE;
    unsigned how = pipe_how(f, flags) | (quiet ? PIPE_NOSIGNAL : 0);
    long r;
    if (messages(s)) {
        if (*scm)
            __atomic_store_n(&to->carried, true, __ATOMIC_RELEASE);
        char *h = put_head(buf, s, *scm);
        r = pipe_send(to->rx, h, n + (size_t)(buf - h), how);
        if (r >= 0) {
            r -= buf - h;
            *scm = NULL;              // the message's now
        }
    } else if (*scm) {
        struct scm_mark *m = kzalloc(sizeof *m);
        if (!m)
            return -ENOMEM;
        *m = (struct scm_mark){ .len = n, .scm = *scm };
        __atomic_store_n(&to->carried, true, __ATOMIC_RELEASE);
        struct mark_arg ma = { to, m };
        struct pipe_mark pm = { put_mark, &ma };
        r = pipe_send_marked(to->rx, buf, n, how, &pm);
        if (!ma.mark)
            *scm = NULL;
        kfree(ma.mark);               // (not sent: the caller still has the scm)
    } else {
        r = pipe_send(to->rx, buf, n, how);
    }
    return r == -EPIPE && !connected_kind(s) ? -ECONNREFUSED : r;
}

// The biggest piece one call moves through a kernel buffer: a whole message fits.
#define PIECE (PIPE_SIZE - sizeof(uint32_t) - HEAD_MAX)
// A small send or receive uses a buffer on the kernel stack instead: kmalloc's one lock,
// taken twice a call by every CPU sending, made four threads' datagram pairs take turns.
#define SMALL 256

// A buffer of HEAD_MAX + n bytes: `small` when it fits, else kmalloc's (NULL: no memory).
static char *buffer_for(size_t n, char *small) {
    return HEAD_MAX + n <= SMALL ? small : kmalloc(HEAD_MAX + n);
}

static void buffer_done(char *buf, const char *small) {
    if (buf != small)
        kfree(buf);
}

// Gathers a message, or sends a stream's bytes piece by piece, from user memory, into to's
// ring. *scm goes with the first piece (NULL once sent).
static long send_user(struct file *f, struct sock *to, const struct iovec *iov, int cnt,
                      int flags, struct scm **scm) {
    struct sock *s = f->priv;
    uint64_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].len;
    if (messages(s) && total > PIECE)
        return -EMSGSIZE;
    size_t cap = total < PIECE ? (size_t)total : PIECE;   // (a small send: a small buffer)
    char small[SMALL];
    char *mem = buffer_for(cap, small);
    if (!mem)
        return -ENOMEM;
    char *buf = mem + HEAD_MAX;
    long sent = 0;
    size_t have = 0;                  // bytes gathered in buf, not yet sent
    for (int i = 0; i <= cnt; i++) {
        for (uint64_t off = 0; i < cnt && off < iov[i].len;) {
            size_t take = iov[i].len - off < cap - have ? iov[i].len - off : cap - have;
            if (copy_from_user(buf + have, (const void *)(iov[i].base + off), take)) {
                buffer_done(mem, small);
                return sent ? sent : -EFAULT;
            }
            have += take;
            off += take;
            if (have == cap && !messages(s)) {
                long r = send_kernel(f, to, buf, have, flags, scm);
                if (r < 0 || (size_t)r < have) {
                    buffer_done(mem, small);
                    return r < 0 ? (sent ? sent : r) : sent + r;
                }
                sent += r;
                have = 0;
            }
        }
    }
    long r = have || messages(s) || !sent ? send_kernel(f, to, buf, have, flags, scm) : 0;
    buffer_done(mem, small);
    return r < 0 ? (sent ? sent : r) : sent + r;
}

// Where a send goes: the peer, or - a datagram end's, with an address - the end named.
// The end is counted (sock_put it). -ENOTCONN without either; a stream takes no address.
static long send_target(struct sock *s, uint64_t uaddr, uint32_t alen, struct sock **to) {
    if (uaddr && alen && s->type == SOCK_STREAM)
        return s->state == SS_CONNECTED ? -EISCONN : -EOPNOTSUPP;
    if (s->type == SOCK_SEQPACKET && s->state != SS_CONNECTED)
        return -ENOTCONN;
    if (uaddr && alen && s->type == SOCK_DGRAM) {
        long err = 0;
        bool held = bkl_held();
        if (!held)
            bkl_lock();
        if (!s->addr && s->passcred)
            err = sock_autobind(s);   // (Linux names a sender that passes credentials)
        if (!err)
            err = sock_find_named(s, uaddr, alen, to);
        if (!held)
            bkl_unlock();
        return err;
    }
    *to = peer_get(s);
    if (*to && s->type == SOCK_DGRAM && (*to)->peer && (*to)->peer != s) {
        sock_put(*to);                // it connected to another since: Linux's unix_may_send
        return -EPERM;
    }
    return *to ? 0 : -ENOTCONN;
}

// A datagram end whose peer refused a send, being closed, is connected to nothing from
// then on (its next send without an address: ENOTCONN), as Linux's.
static void disconnect_dead(struct sock *s, struct sock *to) {
    bool held = bkl_held();
    if (!held)
        bkl_lock();
    uint64_t f = spin_lock_irqsave(&s->lock);
    bool was = s->peer == to;
    if (was)
        s->peer = NULL;
    spin_unlock_irqrestore(&s->lock, f);
    if (was) {
        sock_sends_to(s, NULL);
        sock_put(to);
    }
    if (!held)
        bkl_unlock();
}

// A send of iov from s's file, to its peer or to the address given; scm (taken) rides
// with it.
static long send_msg(struct file *f, const struct iovec *iov, int cnt, int flags,
                     uint64_t uaddr, uint32_t alen, struct scm *scm) {
    struct sock *s = f->priv, *to;
    long r = send_target(s, uaddr, alen, &to);
    if (r == 0) {
        bool timed = with_timeout(s->sndtimeo);
        r = untimed(timed, send_user(f, to, iov, cnt, flags, &scm));
        if (r == -ECONNREFUSED && !(uaddr && alen))
            disconnect_dead(s, to);
        sock_put(to);
    }
    if (scm)
        scm_put(scm);
    return r;
}

// ---------------------------------------------------------------- receiving

// Where a stream receive's bytes go: the user's iovecs, `done` bytes in so far; and the
// first mark of s's stream when they were offered (`at`: the position of the first).
struct scatter {
    const struct iovec *iov;
    int cnt;
    size_t done;
    struct sock *s;
    struct scm_mark *mark;
    uint64_t at;
    bool peek;                        // a look: what it finds stays
    struct scm *scm;                  // the ancillary data it took (or looked at: counted)
};

// pipe_splice_out's `out`: copies the n bytes at buf to the iovecs after `done`. Returns n
// (taken), or -EFAULT if any iovec faults: then none is taken, even those that reached the
// earlier iovecs - as Linux's stream receive takes a queued buffer (an skb) whole or not at
// all, and one send is one such buffer. (Linux's boundaries between sends are not kept
// here: the bytes of several sends on offer fail together.)
static long scatter_out(void *arg, const void *buf, size_t n) {
    struct scatter *sc = arg;
    size_t skip = sc->done, put = 0;
    for (int i = 0; i < sc->cnt && put < n; i++) {
        if (skip >= sc->iov[i].len) {
            skip -= sc->iov[i].len;
            continue;
        }
        size_t room = sc->iov[i].len - skip, len = n - put < room ? n - put : room;
        if (copy_to_user((void *)(sc->iov[i].base + skip), (const char *)buf + put, len))
            return -EFAULT;
        put += len;
        skip = 0;
    }
    sc->done += put;
    return (long)put;
}

// The first mark of s's stream, if any, beside the bytes on offer from position at: a
// receive stops at the end of the send it marks, as Linux's stops after an skb that
// carried files. Under the pipe's locks (pipe_splice_out_at), so every mark of the bytes on
// offer is in the list.
static size_t mark_limit(void *arg, uint64_t at, size_t n) {
    struct scatter *sc = arg;
    uint64_t f = spin_lock_irqsave(&sc->s->lock);
    struct scm_mark *m = sc->s->marks;
    spin_unlock_irqrestore(&sc->s->lock, f);
    sc->mark = m;
    sc->at = at;
    if (m) {
        uint64_t limit = m->at + m->len > at ? m->at + m->len - at : 1;
        n = limit < n ? (size_t)limit : n;
    }
    return n;
}

// pipe_hook's took for a stream: the mark's data, if the receive reached it - taken off the
// list, or for a look counted. Under the ring's rlock, as mark_limit was: no other receiver
// came between, so the mark it saw is still the first.
static void stream_took(void *arg, uint64_t at, const void *buf, size_t n) {
    (void)buf;
    struct scatter *sc = arg;
    struct scm_mark *m = sc->mark;
    if (!m || (n ? m->at >= at + n : m->at > at))   // (0 bytes: a mark where it starts)
        return;
    sc->scm = m->scm;
    if (sc->peek) {
        scm_get(m->scm);
        return;
    }
    uint64_t f = spin_lock_irqsave(&sc->s->lock);
    if (sc->s->marks != m)
        panic("socket: a stream's first mark changed under its receiver");
    sc->s->marks = m->next;
    spin_unlock_irqrestore(&sc->s->lock, f);
    kfree(m);
}

// pipe_hook's took for a message: its ancillary data, from its header - a look counts it;
// a receive takes the message's reference.
static void message_took(void *arg, uint64_t at, const void *buf, size_t n) {
    (void)at;
    struct scatter *sc = arg;
    if (n == 0)
        return;                       // (a look with no room: see recv_whole)
    if (n < HEAD_NAME)
        panic("socket: a message without its whole header");
    sc->scm = head_scm(buf);
    if (sc->peek && sc->scm)
        scm_get(sc->scm);
}

// A stream's receive: the bytes are looked at and copied to the user holding the pipe's
// rlock, and taken only once they all reached the user (pipe_splice_out) - none goes back
// to the ring, where a writer without the BKL may have filled their room meanwhile. A
// receive that reaches a mark hands its ancillary data over and stops there.
static long recv_stream(struct file *f, const struct iovec *iov, int cnt, char *buf, size_t n,
                        int flags, struct recv_info *info) {
    struct sock *s = f->priv;
    struct scatter sc = { iov, cnt, 0, s, NULL, 0, false, NULL };
    struct pipe_hook hook = { mark_limit, stream_took, &sc };
    unsigned how = pipe_how(f, flags);
    for (;;) {
        long put = 0;
        long got = pipe_splice_out_at(s->rx, buf, n - sc.done, how, scatter_out, &sc, &put,
                                      &hook);
        if (got <= 0)                     // end of file, -EAGAIN, -ERESTARTSYS
            return sc.done ? (long)sc.done : got;
        if (put < 0)
            return sc.done ? (long)sc.done : put;
        if ((info->scm = sc.scm))
            return (long)sc.done;
        if (put < got || !(flags & MSG_WAITALL) || sc.done == n)
            return (long)sc.done;
    }
}

// A message, or a look (MSG_PEEK), received once into a kernel buffer and scattered; a
// message that cannot reach the user whole is lost, and the call says EFAULT, even if its
// first iovecs took some (Linux's).
static long recv_whole(struct file *f, const struct iovec *iov, int cnt, char *mem, size_t n,
                       int flags, struct recv_info *info) {
    struct sock *s = f->priv;
    unsigned how = pipe_how(f, flags) | (flags & MSG_PEEK ? PIPE_PEEK : 0);
    size_t whole = 0;
    char *buf = mem;
    struct scatter sc = { .s = s, .peek = flags & MSG_PEEK };
    struct pipe_hook hook = { messages(s) ? NULL : mark_limit,   // (a look into a stream stops
                              messages(s) ? message_took : stream_took, &sc };   // at a mark)
    long got = pipe_recv_hooked(s->rx, mem, messages(s) ? HEAD_MAX + n : n, how, &whole, &hook);
    info->scm = sc.scm;
    if (got > 0 && messages(s)) {
        size_t head = take_head(mem, got, &whole, info);
        buf = mem + head;
        got -= (long)head;
        got = (size_t)got > n ? (long)n : got;
    }
    for (size_t done = 0, i = 0; got > 0 && (int)i < cnt && done < (size_t)got; i++) {
        size_t put = iov[i].len < (size_t)got - done ? iov[i].len : (size_t)got - done;
        if (copy_to_user((void *)iov[i].base, buf + done, put))
            got = -EFAULT;
        done += put;
    }
    if (got >= 0 && messages(s) && whole > (size_t)got) {
        info->oflags |= MSG_TRUNC;
        if (flags & MSG_TRUNC)
            return (long)whole;       // the real length, as Linux's datagram receive
    }
    return got;
}

// A receive into the user's iovecs: a stream's bytes through recv_stream (MSG_WAITALL:
// until the buffers are full, end of file, or a signal), the rest through recv_whole.
// 0 at end of file; then a pending error (a peer closed with bytes unread) comes first.
static long recv_user(struct file *f, const struct iovec *iov, int cnt, int flags,
                      struct recv_info *info) {
    struct sock *s = f->priv;
    *info = (struct recv_info){ 0 };
    if (!s->rx || (connected_kind(s) && s->state != SS_CONNECTED))
        return s->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;
    uint64_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].len;
    size_t n = total < PIECE ? (size_t)total : PIECE;
    char small[SMALL];
    char *mem = buffer_for(n, small);
    if (!mem)
        return -ENOMEM;
    long got;
    bool timed = with_timeout(s->rcvtimeo);
    if (!messages(s) && !(flags & MSG_PEEK) && n)
        got = recv_stream(f, iov, cnt, mem, n, flags, info);
    else
        got = recv_whole(f, iov, cnt, mem, n, flags, info);
    got = untimed(timed, got);
    buffer_done(mem, small);
    if (got == 0 && !messages(s)) {
        int err = __atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED);
        if (err)
            return -err;
    }
    return got;
}

// What a receive's ancillary data comes to when the caller has no control buffer: its
// descriptors are closed (a look leaves them in the ring).
static void drop_info(struct recv_info *info) {
    scm_put(info->scm);
    info->scm = NULL;
}

// ---------------------------------------------------------------- file operations

// read(2) and write(2) (sys_file.c, through read_user and write_user): receive and send
// with no flags, so that a message stays whole.
static long sock_read_user(struct file *f, uint64_t ubuf, size_t n, bool nowait) {
    if (n == 0)
        return 0;                     // at once, as Linux's sock_read_iter (recv(2) waits)
    struct iovec v = { ubuf, n };
    struct recv_info info;
    long got = recv_user(f, &v, 1, nowait ? MSG_DONTWAIT : 0, &info);
    drop_info(&info);
    return got;
}

static long sock_write_user(struct file *f, uint64_t ubuf, size_t n) {
    struct iovec v = { ubuf, n };
    return send_msg(f, &v, 1, 0, 0, 0, NULL);
}

// ioctl(FIONREAD), Linux's SIOCINQ for AF_UNIX: the bytes queued to receive - for a
// datagram end, the next message's length; SIOCOUTQ, a stream's bytes sent but not yet
// received (0 once the peer has read them all).
#define SIOCOUTQ 0x5411
static long sock_ioctl(struct file *f, unsigned long cmd, uint64_t arg) {
    struct sock *s = f->priv;
    if (cmd != FIONREAD && cmd != SIOCOUTQ)
        return -ENOTTY;
    if (s->state == SS_LISTENING)
        return -EINVAL;
    int n = 0;
    if (cmd == FIONREAD && s->rx)
        n = (int)pipe_queued(s->rx, s->type == SOCK_DGRAM);
    else if (cmd == SIOCOUTQ && s->type == SOCK_STREAM && s->peer && s->peer->rx)
        n = (int)pipe_queued(s->peer->rx, false);   // (bytes, where Linux counts buffers)
    return copy_to_user((void *)arg, &n, sizeof n) ? -EFAULT : 0;
}

// readv(2) and writev(2): the vector whole, one message, as recvmsg and sendmsg.
static long sock_vector_user(struct file *f, const struct iovec *iov, int cnt, bool write) {
    if (write)
        return send_msg(f, iov, cnt, 0, 0, 0, NULL);
    struct recv_info info;
    long got = recv_user(f, iov, cnt, 0, &info);
    drop_info(&info);
    return got;
}

// The kernel-buffer ops, for sendfile(2) and splice(2) into and out of a socket: a
// message's header is taken off, and its ancillary data dropped.
static long sock_read(struct file *f, void *buf, size_t n) {
    struct sock *s = f->priv;
    if (!s->rx)
        return -EINVAL;
    if (!messages(s))
        return pipe_recv(s->rx, buf, n, pipe_how(f, 0), NULL);
    char *mem = kmalloc(HEAD_MAX + n);
    if (!mem)
        return -ENOMEM;
    size_t whole = 0;
    struct recv_info info = { 0 };
    long got = pipe_recv(s->rx, mem, HEAD_MAX + n, pipe_how(f, 0), &whole);
    if (got > 0) {
        size_t head = take_head(mem, got, &whole, &info);
        got -= (long)head;
        got = (size_t)got > n ? (long)n : got;
        memcpy(buf, mem + head, (size_t)got);
        scm_put(head_scm(mem));       // (its descriptors are dropped)
    }
    kfree(mem);
    return got;
}

static long sock_write(struct file *f, const void *buf, size_t n) {
    struct sock *s = f->priv, *to;
    long r = send_target(s, 0, 0, &to);
    if (r)
        return r;
    char *mem = kmalloc(HEAD_MAX + n);
    if (mem) {
        memcpy(mem + HEAD_MAX, buf, n);
        struct scm *none = NULL;
        r = send_kernel(f, to, mem + HEAD_MAX, n, 0, &none);
        kfree(mem);
    }
    sock_put(to);
    return mem ? r : -ENOMEM;
}

// Linux's unix_poll: RCV gives POLLRDHUP and POLLIN (a read will not block), both bits
// POLLHUP, as does an unconnected stream; POLLOUT while a write of PIPE_BUF would fit in
// the peer's ring. A listener is readable while a connection waits. Interrupts off, and
// the BKL held (poll and epoll run under it), which keeps the peer.
static unsigned sock_poll(struct file *f) {
    struct sock *s = f->priv;
    unsigned mask = 0;
    if (s->state == SS_LISTENING) {
        mask = s->queued ? POLLIN | POLLRDNORM : 0;
        if (s->shut & RCV)
            mask |= POLLRDHUP | POLLIN | POLLRDNORM;
        return s->shut == (RCV | SEND) ? mask | POLLHUP : mask;
    }
    if (s->rx)
        mask |= pipe_ready(s->rx, true, false) & (POLLIN | POLLRDNORM);
    if (__atomic_load_n(&s->err, __ATOMIC_RELAXED))
        mask |= POLLERR;
    struct sock *peer = s->peer;      // (the BKL keeps it: not `lock`, which a send's mark
    if (peer && peer->rx && !peer->closed)   // takes inside the pipe's)
        mask |= pipe_ready(peer->rx, false, true) & POLLOUT ? POLLOUT | POLLWRNORM | POLLWRBAND : 0;
    else if (!peer || peer->closed)
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND;   // (a send will not wait: it fails at once)
    if (s->shut & RCV)
        mask |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (s->shut == (RCV | SEND) || (connected_kind(s) && s->state != SS_CONNECTED))
        mask |= POLLHUP;
    return mask;
}

static void sock_stat(struct file *f, struct kstat *st) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = ((struct sock *)f->priv)->ino;   // one per end
}

static const struct file_ops sock_ops = {
    .read = sock_read, .write = sock_write, .read_user = sock_read_user,
    .write_user = sock_write_user, .vector_user = sock_vector_user,
    .ioctl = sock_ioctl, .poll = sock_poll, .stat = sock_stat, .release = sock_release,
};

bool file_is_socket(struct file *f) { return f->ops == &sock_ops; }

// The pipe a stream end's sends go into, for splice to wait for room in (a message needs
// its header's room too, and a datagram end's peer may change: none).
struct pipe *sock_tx_pipe(struct file *f) {
    struct sock *s = f->priv;
    return s->type == SOCK_STREAM && s->peer ? s->peer->rx : NULL;
}

// The pipe a stream end receives from, for splice out of it (pipe_splice_out: taken only
// once out has them); NULL for a message end.
struct pipe *sock_stream_rx_pipe(struct file *f) {
    struct sock *s = f->priv;
    return messages(s) ? NULL : s->rx;
}

struct file *sock_file(struct sock *s, unsigned flags) {
    struct file *f = file_alloc(&sock_ops, NULL, O_RDWR | (flags & O_NONBLOCK));
    if (f) {
        f->priv = s;
        s->file = f;
    }
    return f;
}

long sock_of_fd(int fd, struct sock **s) {
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (f->ops != &sock_ops)
        return -ENOTSOCK;
    *s = f->priv;
    return 0;
}

// The same for the send and receive calls, which run without the BKL (syscall.c's U
// calls), as read(2) and write(2) do: the look-up is fd_get_unlocked's, and *ref says
// whether it took a reference, for put_file to let go of. Another thread's close of the
// descriptor meanwhile does not free the socket under the call.
static long get_sock_unlocked(int fd, struct file **f, bool *ref) {
    *f = fd_get_unlocked(fd, ref);
    if (!*f)
        return -EBADF;
    return (*f)->ops == &sock_ops ? 0 : -ENOTSOCK;
}

static long put_file(struct file *f, bool ref, long ret) {
    if (f && ref)
        file_put(f);
    return ret;
}

// ---------------------------------------------------------------- shutdown

// shutdown(int sockfd, int how)
SYSCALL(shutdown) {
    int fd = (int)a0, how = (int)a1;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    sock_shutdown(s, how);
    return 0;
}

// ---------------------------------------------------------------- send and receive calls

// sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest,
//        socklen_t addrlen)
SYSCALL(sendto) {
    int fd = (int)a0, flags = (int)a3;
    uint64_t ubuf = a1, len = a2, dest = a4;
    uint32_t alen = dest ? (uint32_t)a5 : 0;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return put_file(f, ref, err);
    if (len > USER_TOP || ubuf > USER_TOP - len)
        return put_file(f, ref, -EFAULT);
    struct iovec v = { ubuf, len };
    return put_file(f, ref, send_msg(f, &v, 1, flags, dest, alen, NULL));
}

// The sender's name, to a recvfrom or recvmsg that asked for it: *ulen (a user
// socklen_t) says how much room; it gets the name's length (0: unnamed).
static long put_from(const struct unix_addr *from, uint64_t uaddr, uint64_t ulen) {
    if (!uaddr)
        return 0;
    return sock_copy_addr_out(from, uaddr, ulen);
}

// The sender's name of what a stream receive got: its peer's.
static void stream_from(struct sock *s, struct recv_info *info) {
    uint64_t f = spin_lock_irqsave(&s->lock);
    if (s->peer && s->peer->addr && !messages(s))
        info->from = *s->peer->addr;
    spin_unlock_irqrestore(&s->lock, f);
}

// recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src,
//          socklen_t *addrlen)
SYSCALL(recvfrom) {
    int fd = (int)a0, flags = (int)a3;
    uint64_t ubuf = a1, len = a2, src = a4, ulen = a5;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return put_file(f, ref, err);
    if (len > USER_TOP || ubuf > USER_TOP - len)
        return put_file(f, ref, -EFAULT);
    struct iovec v = { ubuf, len };
    struct recv_info info;
    long got = recv_user(f, &v, 1, flags, &info);
    drop_info(&info);
    if (got >= 0 && !messages(f->priv))
        stream_from(f->priv, &info);
    put_file(f, ref, 0);
    if (got >= 0 && (err = put_from(&info.from, src, ulen)))
        return err;
    return got;
}

#define UIO_MAXIOV 1024                  // iovecs in one call, as Linux
#define MAX_IO 0x7ffff000ull             // Linux's MAX_RW_COUNT: the most one call moves

// The message header and its iovecs from user memory: 0 with *iov kmalloc'd (the caller
// frees it; NULL for none), or an error.
static long get_msg(uint64_t umsg, struct msghdr_k *m, struct iovec **iov) {
    *iov = NULL;
    if (copy_from_user(m, (const void *)umsg, sizeof *m))
        return -EFAULT;
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    if (m->iovlen == 0)
        return 0;
    *iov = kmalloc(m->iovlen * sizeof **iov);
    if (!*iov)
        return -ENOMEM;
    if (copy_from_user(*iov, (const void *)m->iov, m->iovlen * sizeof **iov))
        return -EFAULT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < m->iovlen; i++) {
        struct iovec *v = &(*iov)[i];
        if ((int64_t)v->len < 0)
            return -EINVAL;
        if (v->base > USER_TOP || v->len > USER_TOP - v->base)
            return -EFAULT;
        if (v->len > MAX_IO - total)
            v->len = MAX_IO - total;  // cut short, as Linux's import_iovec
        total += v->len;
    }
    return 0;
}

// sendmsg(int sockfd, const struct msghdr *msg, int flags): SCM_RIGHTS and SCM_CREDENTIALS
// ride with the bytes (socket_scm.c).
SYSCALL(sendmsg) {
    int fd = (int)a0, flags = (int)a2;
    uint64_t umsg = a1;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return put_file(f, ref, err);
    struct msghdr_k m;
    struct iovec *iov;
    struct scm *scm = NULL;
    if (!(err = get_msg(umsg, &m, &iov)) && !(err = scm_from_user(&m, f->priv, &scm)))
        err = send_msg(f, iov, (int)m.iovlen, flags, m.name, m.namelen, scm);
    kfree(iov);
    return put_file(f, ref, err);
}

// recvmsg(int sockfd, struct msghdr *msg, int flags): the iovecs filled, the sender's name,
// the ancillary data; msg_flags says MSG_TRUNC if a message was cut, MSG_CTRUNC if its
// ancillary data was.
SYSCALL(recvmsg) {
    int fd = (int)a0, flags = (int)a2;
    uint64_t umsg = a1;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return put_file(f, ref, err);
    struct sock *s = f->priv;
    struct msghdr_k m;
    struct iovec *iov;
    struct recv_info info = { 0 };
    long got = get_msg(umsg, &m, &iov);
    if (!got && m.name && (int32_t)m.namelen < 0)
        got = -EINVAL;
    if (!got)
        got = recv_user(f, iov, (int)m.iovlen, flags, &info);
    kfree(iov);
    if (got >= 0 && !messages(s)) {
        stream_from(s, &info);
        info.cred = s->peercred;
    }
    long ctl = 0;
    if (got >= 0)
        ctl = scm_to_user(info.scm, &info.cred, s->passcred, flags & MSG_PEEK, &m, flags,
                          &info.oflags);
    else
        drop_info(&info);
    put_file(f, ref, 0);
    if (got < 0)
        return got;
    if (ctl < 0)
        return ctl;
    uint32_t room = m.namelen;
    m.namelen = m.name ? info.from.len : 0;
    if (m.name && info.from.len &&
        copy_to_user((void *)m.name, info.from.bytes, room < info.from.len ? room : info.from.len))
        return -EFAULT;
    m.controllen = (uint64_t)ctl;
    m.flags = info.oflags;
    if (copy_to_user((void *)umsg, &m, sizeof m))
        return -EFAULT;
    return got;
}
