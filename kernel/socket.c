// socket.c: socketpair(2) - two connected AF_UNIX sockets, the one kind of socket Lantern
// has (socket(2) itself, and so bind, connect, listen and accept, is not here).
//
// A pair is two pipes (pipe.h), one each way: an end writes into its tx and reads from its
// rx, which is the other end's tx. SOCK_STREAM carries bytes, as a pipe does; SOCK_DGRAM
// and SOCK_SEQPACKET carry messages (the pipes' packet mode): a send is one message, sent
// whole or not at all, and a receive takes one, cut to the buffer (the rest is dropped;
// MSG_TRUNC says how long it was).
//
// What an end may still do follows Linux's sk_shutdown bits, kept in `shut`: RCV (no more to
// receive: reads see end of file once the data is gone) and SEND (sends fail with EPIPE).
// On a connected stream or seqpacket pair they are mirrored: shutdown(SHUT_WR) gives this
// end SEND and the peer RCV, SHUT_RD the other way round, and a close gives the peer both.
// A datagram pair keeps them to the end that asked; the peer of a closed datagram end gets
// ECONNREFUSED from its sends and never an end of file. The pipes themselves live until
// both ends are closed (struct sockpair).
//
// Locking: read(2) and write(2) on an end run without the BKL (sys_file.c), as a pipe's do,
// and so do sendto, recvfrom, sendmsg and recvmsg: what they move, and what says an end is
// closed or shut, is in the pipes, under their own locks (pipe.c). The rest runs under the
// BKL: the other calls, the shut bits' changes
// (shutdown, close) and the freeing of the pair. A send reads `shut` without it - a look
// racing a shutdown sees it before or after, as a send racing it on Linux may; the pipe has
// its own word. Nothing here is freed under a call: the call holds its file.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "pipe.h"
#include "poll.h"
#include "proc.h"
#include "smp.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define AF_UNIX        1
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3          // AF_UNIX takes it as SOCK_DGRAM, as Linux does
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK  O_NONBLOCK
#define SOCK_CLOEXEC   O_CLOEXEC

#define MSG_PEEK       0x2
#define MSG_TRUNC      0x20
#define MSG_DONTWAIT   0x40
#define MSG_WAITALL    0x100
#define MSG_NOSIGNAL   0x4000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define RCV  1                    // Linux's RCV_SHUTDOWN
#define SEND 2                    // Linux's SEND_SHUTDOWN

#define SOL_SOCKET    1
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39
#define SOCK_BUF_DEFAULT 212992   // Linux's net.core.wmem_default and rmem_default

struct sock {
    int type;                     // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
    unsigned shut;                // RCV, SEND
    bool closed;
    int sndbuf, rcvbuf;           // what SO_SNDBUF and SO_RCVBUF say (the rings are PIPE_SIZE)
    struct pipe *rx, *tx;
    struct sock *peer;
    struct sockpair *pair;
};

struct sockpair {
    struct sock end[2];
    int open;                     // ends not yet closed; the last close frees the pair
};

static bool messages(const struct sock *s) { return s->type != SOCK_STREAM; }
static bool connected_kind(const struct sock *s) { return s->type != SOCK_DGRAM; }

// s may send no more. Its tx pipe has no writer from then on: the peer reads the rest, then
// end of file (on a datagram pair the peer never sees it: the pipe keeps its writer).
static void shut_send(struct sock *s) {
    if (s->shut & SEND)
        return;
    s->shut |= SEND;
    if (connected_kind(s)) {
        s->peer->shut |= RCV;
        pipe_shut(s->tx, false, true);
    }
}

static void sock_shutdown(struct sock *s, int how) {
    if (how != SHUT_RD)
        shut_send(s);
    if (how != SHUT_WR) {
        if (connected_kind(s)) {
            shut_send(s->peer);       // (which gives s RCV)
        } else if (!(s->shut & RCV)) {
            s->shut |= RCV;           // a datagram end: its receives wait no more, and
            pipe_stop_waits(s->rx);   // the peer's sends fail (send_kernel)
        }
    }
}

static void sock_release(struct file *f) {
    struct sock *s = f->priv;
    if (connected_kind(s)) {
        shut_send(s);
        shut_send(s->peer);
    }
    s->closed = true;
    pipe_shut(s->rx, true, false);    // the peer's sends fail from now on
    struct sockpair *pair = s->pair;
    if (--pair->open == 0) {
        pipe_free(pair->end[0].tx);
        pipe_free(pair->end[1].tx);
        kfree(pair);
    }
}

// ---------------------------------------------------------------- sending and receiving

static unsigned pipe_how(struct file *f, int flags) {
    return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT) ? PIPE_NONBLOCK : 0;
}

// The error of a send the pipe refused: a datagram end whose peer has gone is refused.
static long send_error(struct sock *s, long err) {
    return err == -EPIPE && !connected_kind(s) ? -ECONNREFUSED : err;
}

// Sends n bytes from the kernel buffer buf: a message whole, or bytes as a pipe takes them.
// A send that may send no more is EPIPE; only a stream's raises SIGPIPE too (unless
// MSG_NOSIGNAL): Linux's seqpacket sends go through its datagram code, which raises none.
static long send_kernel(struct file *f, const void *buf, size_t n, int flags) {
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
    // A datagram peer shut for receiving refuses it (EPIPE, no SIGPIPE), as Linux's - but
    // once closed, it is gone: the pipe's ECONNREFUSED (send_error).
    if (!connected_kind(s) && (__atomic_load_n(&s->peer->shut, __ATOMIC_RELAXED) & RCV) &&
        !__atomic_load_n(&s->peer->closed, __ATOMIC_RELAXED))
        return -EPIPE;
    long r = pipe_send(s->tx, buf, n, pipe_how(f, flags) | (quiet ? PIPE_NOSIGNAL : 0));
    return r < 0 ? send_error(s, r) : r;
}

// Receives into the kernel buffer buf: up to n bytes, or one message cut to n (*whole: how
// long it was). 0 at end of file.
static long recv_kernel(struct file *f, void *buf, size_t n, int flags, size_t *whole) {
    struct sock *s = f->priv;
    unsigned how = pipe_how(f, flags) | (flags & MSG_PEEK ? PIPE_PEEK : 0);
    return pipe_recv(s->rx, buf, n, how, whole);
}

// The biggest piece one call moves through a kernel buffer: a whole message fits.
#define PIECE PIPE_SIZE
// A small send or receive uses a buffer on the kernel stack instead: kmalloc's one lock,
// taken twice a call by every CPU sending, made four threads' datagram pairs take turns.
#define SMALL 256

// A buffer of n bytes (at least 1): `small` when it fits, else kmalloc's (NULL: no memory).
static char *buffer_for(size_t n, char *small) {
    return n <= SMALL ? small : kmalloc(n);
}

static void buffer_done(char *buf, const char *small) {
    if (buf != small)
        kfree(buf);
}

// Gathers a message, or sends a stream's bytes piece by piece, from user memory.
static long send_user(struct file *f, const struct iovec *iov, int cnt, int flags) {
    struct sock *s = f->priv;
    uint64_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].len;
    if (messages(s) && total > PIECE - sizeof(uint32_t))
        return -EMSGSIZE;
    size_t cap = total < PIECE ? (size_t)total : PIECE;   // (a small send: a small buffer)
    char small[SMALL];
    small[0] = 0;                     // (a send of 0 bytes passes it on unread)
    char *buf = buffer_for(cap, small);
    if (!buf)
        return -ENOMEM;
    long sent = 0;
    size_t have = 0;                  // bytes gathered in buf, not yet sent
    for (int i = 0; i <= cnt; i++) {
        for (uint64_t off = 0; i < cnt && off < iov[i].len;) {
            size_t take = iov[i].len - off < cap - have ? iov[i].len - off : cap - have;
            if (copy_from_user(buf + have, (const void *)(iov[i].base + off), take)) {
                buffer_done(buf, small);
                return sent ? sent : -EFAULT;
            }
            have += take;
            off += take;
            if (have == cap && !messages(s)) {
                long r = send_kernel(f, buf, have, flags);
                if (r < 0 || (size_t)r < have) {
                    buffer_done(buf, small);
                    return r < 0 ? (sent ? sent : r) : sent + r;
                }
                sent += r;
                have = 0;
            }
        }
    }
    long r = have || messages(s) || !sent ? send_kernel(f, buf, have, flags) : 0;
    buffer_done(buf, small);
    return r < 0 ? (sent ? sent : r) : sent + r;
}

// Where a stream receive's bytes go: the user's iovecs, `done` bytes in so far.
struct scatter {
    const struct iovec *iov;
    int cnt;
    size_t done;
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

// A stream's receive: the bytes are looked at and copied to the user holding the pipe's
// rlock, and taken only once they all reached the user (pipe_splice_out) - none goes back
// to the ring, where a writer without the BKL may have filled their room meanwhile.
static long recv_stream(struct file *f, const struct iovec *iov, int cnt, char *buf, size_t n,
                        int flags) {
    struct sock *s = f->priv;
    struct scatter sc = { iov, cnt, 0 };
    unsigned how = pipe_how(f, flags);
    for (;;) {
        long put = 0;
        long got = pipe_splice_out(s->rx, buf, n - sc.done, how, scatter_out, &sc, &put);
        if (got <= 0)                     // end of file, -EAGAIN, -ERESTARTSYS
            return sc.done ? (long)sc.done : got;
        if (put < 0)
            return sc.done ? (long)sc.done : put;
        if (put < got || !(flags & MSG_WAITALL) || sc.done == n)
            return (long)sc.done;
    }
}

// A stream's bytes go to the user's iovecs through recv_stream (MSG_WAITALL: until the
// buffers are full, end of file, or a signal). A message, or a look (MSG_PEEK), is received
// once into a kernel buffer and scattered; a message that cannot reach the user whole is
// lost, and the call says EFAULT, even if its first iovecs took some (Linux's).
static long recv_user(struct file *f, const struct iovec *iov, int cnt, int flags, int *oflags) {
    struct sock *s = f->priv;
    uint64_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].len;
    size_t n = total < PIECE ? (size_t)total : PIECE;
    char small[SMALL];
    char *buf = buffer_for(n, small);
    if (!buf)
        return -ENOMEM;
    size_t whole = 0;
    long got;
    if (!messages(s) && !(flags & MSG_PEEK) && n) {
        got = recv_stream(f, iov, cnt, buf, n, flags);
        buffer_done(buf, small);
        return got;
    }
    got = recv_kernel(f, buf, n, flags, &whole);
    if (got > 0) {
        size_t done = 0;
        for (int i = 0; i < cnt && done < (size_t)got; i++) {
            size_t put = iov[i].len < (size_t)got - done ? iov[i].len : (size_t)got - done;
            if (copy_to_user((void *)iov[i].base, buf + done, put)) {
                got = -EFAULT;
                break;
            }
            done += put;
        }
    }
    buffer_done(buf, small);
    if (got >= 0 && messages(s) && whole > (size_t)got) {
        *oflags |= MSG_TRUNC;
        if (flags & MSG_TRUNC)
            return (long)whole;       // the real length, as Linux's datagram receive
    }
    return got;
}

// read(2) and write(2) (sys_file.c, through read_user and write_user): receive and send
// with no flags, so that a message stays whole.
static long sock_read_user(struct file *f, uint64_t ubuf, size_t n, bool nowait) {
    if (n == 0)
        return 0;                     // at once, as Linux's sock_read_iter (recv(2) waits)
    struct iovec v = { ubuf, n };
    int oflags = 0;
    return recv_user(f, &v, 1, nowait ? MSG_DONTWAIT : 0, &oflags);
}

static long sock_write_user(struct file *f, uint64_t ubuf, size_t n) {
    struct iovec v = { ubuf, n };
    return send_user(f, &v, 1, 0);
}

// ioctl(FIONREAD), Linux's SIOCINQ for AF_UNIX: the bytes queued to receive - for a
// datagram end, the next message's length.
static long sock_ioctl(struct file *f, unsigned long cmd, uint64_t arg) {
    struct sock *s = f->priv;
    if (cmd != FIONREAD)
        return -ENOTTY;
    int n = (int)pipe_queued(s->rx, s->type == SOCK_DGRAM);
    return copy_to_user((void *)arg, &n, sizeof n) ? -EFAULT : 0;
}

// readv(2) and writev(2): the vector whole, one message, as recvmsg and sendmsg.
static long sock_vector_user(struct file *f, const struct iovec *iov, int cnt, bool write) {
    int oflags = 0;
    return write ? send_user(f, iov, cnt, 0) : recv_user(f, iov, cnt, 0, &oflags);
}

// The kernel-buffer ops, for sendfile(2) into a socket and the like.
static long sock_read(struct file *f, void *buf, size_t n) {
    return recv_kernel(f, buf, n, 0, NULL);
}

static long sock_write(struct file *f, const void *buf, size_t n) {
    return send_kernel(f, buf, n, 0);
}

// Linux's unix_poll: RCV gives POLLRDHUP and POLLIN (a read will not block), both bits
// POLLHUP; POLLOUT while a write of PIPE_BUF would fit. Interrupts off.
static unsigned sock_poll(struct file *f) {
    struct sock *s = f->priv;
    unsigned mask = pipe_ready(s->rx, true, false) & (POLLIN | POLLRDNORM);
    mask |= pipe_ready(s->tx, false, true) & (POLLOUT | POLLWRNORM);
    if (s->shut & RCV)
        mask |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (s->shut == (RCV | SEND))
        mask |= POLLHUP;
    return mask;
}

static void sock_stat(struct file *f, struct kstat *st) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = (uint64_t)f->priv >> 4;   // distinct per end
}

static const struct file_ops sock_ops = {
    .read = sock_read, .write = sock_write, .read_user = sock_read_user,
    .write_user = sock_write_user, .vector_user = sock_vector_user,
    .ioctl = sock_ioctl, .poll = sock_poll, .stat = sock_stat, .release = sock_release,
};

// ---------------------------------------------------------------- the system calls

bool file_is_socket(struct file *f) { return f->ops == &sock_ops; }

struct pipe *sock_tx_pipe(struct file *f) { return ((struct sock *)f->priv)->tx; }

// The pipe a stream end receives from, for splice out of it (pipe_splice_out: taken only
// once out has them); NULL for a message end.
struct pipe *sock_stream_rx_pipe(struct file *f) {
    struct sock *s = f->priv;
    return messages(s) ? NULL : s->rx;
}

// The socket open as fd: 0 with *f set, -EBADF, or -ENOTSOCK. Under the BKL.
static long get_sock(int fd, struct file **f) {
    *f = fd_get(fd);
    if (!*f)
        return -EBADF;
    return (*f)->ops == &sock_ops ? 0 : -ENOTSOCK;
}

// The same for the send and receive calls, which run without the BKL (syscall.c's U
// calls), as read(2) and write(2) do: the look-up is fd_get_unlocked's, and *ref says
// whether it took a reference, for sock_put to let go of. Another thread's close of the
// descriptor meanwhile does not free the socket under the call.
static long get_sock_unlocked(int fd, struct file **f, bool *ref) {
    *f = fd_get_unlocked(fd, ref);
    if (!*f)
        return -EBADF;
    return (*f)->ops == &sock_ops ? 0 : -ENOTSOCK;
}

static long sock_put(struct file *f, bool ref, long ret) {
    if (f && ref)
        file_put(f);
    return ret;
}

static void end_init(struct sock *s, struct sockpair *pair, int type, struct sock *peer) {
    s->type = type;
    s->pair = pair;
    s->peer = peer;
    s->sndbuf = s->rcvbuf = SOCK_BUF_DEFAULT;
}

// The pair's two ends as files, their pipes made. NULL when out of memory.
static struct sockpair *pair_new(int type, unsigned flags, struct file *f[2]) {
    struct sockpair *pair = kzalloc(sizeof *pair);
    f[0] = file_alloc(&sock_ops, NULL, O_RDWR | (flags & O_NONBLOCK));
    f[1] = file_alloc(&sock_ops, NULL, O_RDWR | (flags & O_NONBLOCK));
    struct pipe *p0 = pipe_new(type != SOCK_STREAM), *p1 = pipe_new(type != SOCK_STREAM);
    if (!pair || !f[0] || !f[1] || !p0 || !p1) {
        kfree(pair);
        kfree(f[0]);                  // never opened: no release
        kfree(f[1]);
        pipe_free(p0);
        pipe_free(p1);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        end_init(&pair->end[i], pair, type, &pair->end[1 - i]);
        f[i]->priv = &pair->end[i];
    }
    pair->end[0].tx = pair->end[1].rx = p0;
    pair->end[1].tx = pair->end[0].rx = p1;
    pipe_watch(p0, &pair->end[0]);    // (epoll's edge triggers: poll.h)
    pipe_watch(p0, &pair->end[1]);
    pipe_watch(p1, &pair->end[0]);
    pipe_watch(p1, &pair->end[1]);
    pair->open = 2;
    return pair;
}

// socketpair(int domain, int type, int protocol, int sv[2])
SYSCALL(socketpair) {
    int domain = (int)a0, type = (int)a1, protocol = (int)a2;
    uint64_t usv = a3;
    unsigned flags = (unsigned)type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_UNIX)
        return domain >= 0 && domain < 46 ? -EOPNOTSUPP : -EAFNOSUPPORT;
    if (type == SOCK_RAW)
        type = SOCK_DGRAM;
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
        return (unsigned)type > 10 ? -EINVAL : -ESOCKTNOSUPPORT;
    if (protocol != 0 && protocol != AF_UNIX)
        return -EPROTONOSUPPORT;
    struct file *f[2];
    if (!pair_new(type, flags, f))
        return -ENOMEM;
    struct proc *p = current();
    int fds[2];
    fds[0] = fd_install(p, f[0], flags & SOCK_CLOEXEC);
    if (fds[0] < 0) {
        file_close(f[0]);
        file_close(f[1]);
        return fds[0];
    }
    fds[1] = fd_install(p, f[1], flags & SOCK_CLOEXEC);
    if (fds[1] < 0) {
        file_close(fd_remove(p, fds[0]));
        file_close(f[1]);
        return fds[1];
    }
    if (copy_to_user((void *)usv, fds, sizeof fds)) {
        file_close(fd_remove(p, fds[0]));
        file_close(fd_remove(p, fds[1]));
        return -EFAULT;
    }
    return 0;
}

// shutdown(int sockfd, int how)
SYSCALL(shutdown) {
    int fd = (int)a0, how = (int)a1;
    struct file *f;
    long err = get_sock(fd, &f);
    if (err)
        return err;
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    sock_shutdown(f->priv, how);
    return 0;
}

// A connected socket's sends take no address (Linux: EISCONN for a stream or seqpacket).
static long check_dest(struct sock *s, uint64_t addr) {
    return addr && connected_kind(s) ? -EISCONN : 0;
}

// sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest,
//        socklen_t addrlen)
SYSCALL(sendto) {
    int fd = (int)a0, flags = (int)a3;
    uint64_t ubuf = a1, len = a2, dest = a4;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err || (err = check_dest(f->priv, dest)))
        return sock_put(f, ref, err);
    if (len > USER_TOP || ubuf > USER_TOP - len)
        return sock_put(f, ref, -EFAULT);
    struct iovec v = { ubuf, len };
    return sock_put(f, ref, send_user(f, &v, 1, flags));
}

// recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src,
//          socklen_t *addrlen): a pair's peer has no address, so *addrlen becomes 0.
SYSCALL(recvfrom) {
    int fd = (int)a0, flags = (int)a3;
    uint64_t ubuf = a1, len = a2, src = a4, ulen = a5;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return sock_put(f, ref, err);
    if (len > USER_TOP || ubuf > USER_TOP - len)
        return sock_put(f, ref, -EFAULT);
    struct iovec v = { ubuf, len };
    int oflags = 0;
    long got = sock_put(f, ref, recv_user(f, &v, 1, flags, &oflags));
    uint32_t zero = 0;
    if (got >= 0 && src && ulen && copy_to_user((void *)ulen, &zero, sizeof zero))
        return -EFAULT;
    return got;
}

// struct msghdr as Linux's x86_64 lays it out.
struct msghdr_k {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};

#define UIO_MAXIOV 1024                  // iovecs in one call, as Linux

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
        total += v->len;
    }
    return total > 0x7fffffff ? -EINVAL : 0;
}

// sendmsg(int sockfd, const struct msghdr *msg, int flags). Ancillary data (SCM_RIGHTS,
// SCM_CREDENTIALS) is not carried: EOPNOTSUPP rather than dropped unseen.
SYSCALL(sendmsg) {
    int fd = (int)a0, flags = (int)a2;
    uint64_t umsg = a1;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return sock_put(f, ref, err);
    struct msghdr_k m;
    struct iovec *iov;
    if (!(err = get_msg(umsg, &m, &iov)) && !(err = check_dest(f->priv, m.name)))
        err = m.controllen ? -EOPNOTSUPP : send_user(f, iov, (int)m.iovlen, flags);
    kfree(iov);
    return sock_put(f, ref, err);
}

// recvmsg(int sockfd, struct msghdr *msg, int flags): the iovecs filled, no address, no
// ancillary data; msg_flags says MSG_TRUNC if a message was cut.
SYSCALL(recvmsg) {
    int fd = (int)a0, flags = (int)a2;
    uint64_t umsg = a1;
    struct file *f;
    bool ref;
    long err = get_sock_unlocked(fd, &f, &ref);
    if (err)
        return sock_put(f, ref, err);
    struct msghdr_k m;
    struct iovec *iov;
    int oflags = 0;
    long got = get_msg(umsg, &m, &iov);
    if (!got)
        got = recv_user(f, iov, (int)m.iovlen, flags, &oflags);
    kfree(iov);
    sock_put(f, ref, 0);
    if (got < 0)
        return got;
    m.namelen = 0;
    m.controllen = 0;
    m.flags = oflags;
    if (copy_to_user((void *)umsg, &m, sizeof m))
        return -EFAULT;
    return got;
}

// getsockname and getpeername: an unnamed AF_UNIX address, just its family (2 bytes).
static long unnamed_address(uint64_t uaddr, uint64_t ulen) {
    int32_t len;
    if (copy_from_user(&len, (const void *)ulen, sizeof len))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    uint16_t family = AF_UNIX;
    if (copy_to_user((void *)uaddr, &family, len < 2 ? (size_t)len : 2))
        return -EFAULT;
    len = 2;
    return copy_to_user((void *)ulen, &len, sizeof len) ? -EFAULT : 0;
}

SYSCALL(getsockname) {
    int fd = (int)a0;
    uint64_t uaddr = a1, ulen = a2;
    struct file *f;
    long err = get_sock(fd, &f);
    return err ? err : unnamed_address(uaddr, ulen);
}

SYSCALL(getpeername) {
    int fd = (int)a0;
    uint64_t uaddr = a1, ulen = a2;
    struct file *f;
    long err = get_sock(fd, &f);
    if (err)
        return err;
    struct sock *s = f->priv;
    if (s->peer->closed && connected_kind(s))
        return -ENOTCONN;
    return unnamed_address(uaddr, ulen);
}

// getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen): the
// SOL_SOCKET options that say what the socket is.
SYSCALL(getsockopt) {
    int fd = (int)a0, level = (int)a1, name = (int)a2, value;
    uint64_t uval = a3, ulen = a4;
    struct file *f;
    long err = get_sock(fd, &f);
    if (err)
        return err;
    struct sock *s = f->priv;
    int32_t len;
    if (copy_from_user(&len, (const void *)ulen, sizeof len))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    switch (name) {
    case SO_TYPE:       value = s->type; break;
    case SO_ERROR:      value = 0; break;
    case SO_SNDBUF:     value = s->sndbuf; break;
    case SO_RCVBUF:     value = s->rcvbuf; break;
    case SO_ACCEPTCONN: value = 0; break;
    case SO_PROTOCOL:   value = 0; break;
    case SO_DOMAIN:     value = AF_UNIX; break;
    default:            return -ENOPROTOOPT;
    }
    len = len < (int32_t)sizeof value ? len : (int32_t)sizeof value;
    if (copy_to_user((void *)uval, &value, (size_t)len) ||
        copy_to_user((void *)ulen, &len, sizeof len))
        return -EFAULT;
    return 0;
}

// setsockopt: SO_SNDBUF and SO_RCVBUF, doubled as Linux keeps them (and at least its
// minimums); the rings stay PIPE_SIZE.
SYSCALL(setsockopt) {
    int fd = (int)a0, level = (int)a1, name = (int)a2, len = (int)a4, value;
    uint64_t uval = a3;
    struct file *f;
    long err = get_sock(fd, &f);
    if (err)
        return err;
    struct sock *s = f->priv;
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (name != SO_SNDBUF && name != SO_RCVBUF)
        return -ENOPROTOOPT;
    if (len < (int)sizeof value)
        return -EINVAL;
    if (copy_from_user(&value, (const void *)uval, sizeof value))
        return -EFAULT;
    int64_t doubled = (int64_t)(value < 0 ? 0 : value) * 2;
    if (name == SO_SNDBUF)
        s->sndbuf = doubled < 4608 ? 4608 : doubled > 425984 ? 425984 : (int)doubled;
    else
        s->rcvbuf = doubled < 2304 ? 2304 : doubled > 425984 ? 425984 : (int)doubled;
    return 0;
}
