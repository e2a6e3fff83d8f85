// socket_name.c: AF_UNIX sockets that find each other by name - socket(2), bind(2),
// listen(2), connect(2), accept(2) and accept4(2), getsockname(2) and getpeername(2).
//
// A name is a path in the filesystem or an abstract name (a NUL byte, then any bytes). A
// path's bind makes a socket node there (mknod S_IFSOCK), which points back at the end
// (inode.sock) while it is open; connect looks the path up as open(2) would, and needs write
// permission on the node. The node stays when the end closes (unlink removes it, as on
// Linux); a connect to it is then refused. Abstract names live on a list here, and go with
// their end.
//
// A stream or seqpacket connect is done at once, as Linux's: the listener's side of the
// new connection is made then and waits in the listener's queue until accept takes it, so
// the client may send before it is accepted. A connect finding the queue full waits for
// room (or EAGAIN). A datagram connect only names the end sends go to by default.
//
// Locking: all of it runs under the BKL - names, the list, the queue, an end's state.
// Sleepers (accept for a connection, connect for room) wait on the listener (sleep_on).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "path.h"
#include "perm.h"
#include "pipe.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "sock.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

#define AF_UNSPEC 0
#define SOMAXCONN 4096            // /proc/sys/net/core/somaxconn: listen's largest backlog

static struct sock *abstract_names;   // ends with an abstract name (BKL)

// What getsockname, getpeername and accept say of an end with no name: just the family.
static const struct unix_addr unnamed = { UNIX_PATH_OFF, { AF_UNIX } };

// ---------------------------------------------------------------- addresses

// A sockaddr_un from user memory: 0, -EINVAL (too short or long, another family) or
// -EFAULT. min: the shortest allowed (bind takes just the family: autobind).
static long addr_from_user(uint64_t uaddr, uint32_t len, uint32_t min, struct unix_addr *a) {
    if (len < min || len > UNIX_ADDR_MAX)
        return -EINVAL;
    memset(a, 0, sizeof *a);
    if (copy_from_user(a->bytes, (const void *)uaddr, len))
        return -EFAULT;
    uint16_t family;
    memcpy(&family, a->bytes, sizeof family);
    if (family != AF_UNIX)
        return -EINVAL;
    a->len = len;
    return 0;
}

static bool abstract(const struct unix_addr *a) {
    return a->len > UNIX_PATH_OFF && a->bytes[UNIX_PATH_OFF] == 0;
}

// A path name's bytes as a C string, cut at its first NUL as Linux cuts it (the bytes
// after sun_path are zero: addr_from_user cleared them).
static const char *path_of(const struct unix_addr *a) { return a->bytes + UNIX_PATH_OFF; }

static bool same_name(const struct unix_addr *a, const struct unix_addr *b) {
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

// Abstract names are kept per type, as Linux hashes them: a stream end and a datagram end
// may have the same one, and a connect to the other type's is refused.
static struct sock *find_abstract(const struct unix_addr *a, int type) {
    for (struct sock *s = abstract_names; s; s = s->next_named)
        if (s->type == type && same_name(s->addr, a))
            return s;
    return NULL;
}

long sock_copy_addr_out(const struct unix_addr *a, uint64_t uaddr, uint64_t ulen) {
    int32_t len;
    if (copy_from_user(&len, (const void *)ulen, sizeof len))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    uint32_t n = (uint32_t)len < a->len ? (uint32_t)len : a->len;
    if (n && copy_to_user((void *)uaddr, a->bytes, n))
        return -EFAULT;
    len = (int32_t)a->len;
    return copy_to_user((void *)ulen, &len, sizeof len) ? -EFAULT : 0;
}

// ---------------------------------------------------------------- names

// s takes the name a (copied): on the list, or at a new socket node. 0, -EADDRINUSE, the
// path's errors, or -ENOMEM.
static long name_take(struct sock *s, const struct unix_addr *a) {
    struct unix_addr *mine = kmalloc(sizeof *mine);
    if (!mine)
        return -ENOMEM;
    *mine = *a;
    if (abstract(a)) {
        if (find_abstract(a, s->type)) {
            kfree(mine);
            return -EADDRINUSE;
        }
        s->next_named = abstract_names;
        abstract_names = s;
    } else {
        struct inode *ip;
        long err = mknod_path(AT_FDCWD, path_of(a), S_IFSOCK | 0777, 0, &ip);
        if (err) {
            kfree(mine);
            return err == -EEXIST ? -EADDRINUSE : err;
        }
        fs_get(ip);
        ip->sock = s;
        s->node = ip;
        mine->len = UNIX_PATH_OFF + (uint32_t)strlen(path_of(a)) + 1;   // as Linux keeps it
    }
    s->addr = mine;
    s->bound = true;
    return 0;
}

void sock_unname(struct sock *s) {
    if (s->bound && s->node) {
        s->node->sock = NULL;
        fs_put(s->node);
        s->node = NULL;
    } else if (s->bound) {
        for (struct sock **link = &abstract_names; *link; link = &(*link)->next_named)
            if (*link == s) {
                *link = s->next_named;
                break;
            }
    }
    s->bound = false;                 // (its addr stays, for whoever still reads it, until
}                                     // the end is freed: sock_put)

// Linux's autobind: an abstract name of five hex digits, the first free one.
long sock_autobind(struct sock *s) {
    static unsigned next;
    if (s->addr)
        return 0;
    for (int tries = 0; tries < 0x100000; tries++) {
        struct unix_addr a = { .len = UNIX_PATH_OFF + 6 };
        a.bytes[0] = AF_UNIX;
        unsigned v = next++ & 0xfffff;
        for (int i = 0; i < 5; i++)
            a.bytes[UNIX_PATH_OFF + 1 + i] = "0123456789abcdef"[(v >> (16 - 4 * i)) & 0xf];
        if (!find_abstract(&a, s->type))
            return name_take(s, &a);
    }
    return -ENOSPC;
}

// The end a names, of type `type`: 0 with *out (not counted), or the error a connect to it
// gives - ENOENT and the path's others, EACCES without write permission on the node,
// ECONNREFUSED for a node no end is bound to (or not a socket's), EPROTOTYPE.
static long find_named(const struct unix_addr *a, int type, struct sock **out) {
    struct sock *s;
    if (abstract(a)) {
        s = find_abstract(a, type);
        if (!s)
            return -ECONNREFUSED;
    } else {
        struct inode *dir, *ip;
        long err = path_start_dir(AT_FDCWD, path_of(a), &dir);
        if (!err)
            err = fs_lookup(dir, path_of(a), FS_FOLLOW, &ip);
        if (!err)
            err = inode_permission(ip, MAY_WRITE);
        if (err)
            return err;
        if (!S_ISSOCK(ip->mode) || !ip->sock)
            return -ECONNREFUSED;
        s = ip->sock;
    }
    if (s->type != type)
        return -EPROTOTYPE;
    *out = s;
    return 0;
}

// The datagram end a user address names, counted, for s to send to: its errors, and
// EPERM if it is connected to an end other than s (Linux's unix_may_send).
long sock_find_named(struct sock *s, uint64_t uaddr, uint32_t len, struct sock **out) {
    struct unix_addr a;
    long err = addr_from_user(uaddr, len, UNIX_PATH_OFF + 1, &a);
    if (!err)
        err = find_named(&a, s->type, out);
    if (err)
        return err;
    if ((*out)->peer && (*out)->peer != s)
        return -EPERM;
    sock_get(*out);
    return 0;
}

// ---------------------------------------------------------------- socketpair

// The pair's two ends as files, their rings made. NULL when out of memory.
static bool pair_new(int type, unsigned flags, struct file *f[2]) {
    struct sock *a = sock_new(type), *b = sock_new(type);
    f[0] = f[1] = NULL;
    if (a && b && !sock_make_rx(a) && !sock_make_rx(b)) {
        f[0] = sock_file(a, flags);
        f[1] = sock_file(b, flags);
    }
    if (!f[0] || !f[1]) {
        kfree(f[0]);                  // never opened: no release
        kfree(f[1]);
        if (a)
            sock_put(a);
        if (b)
            sock_put(b);
        return false;
    }
    sock_link(a, b);
    a->state = b->state = SS_CONNECTED;
    a->peercred = b->peercred = sock_cred_now(true);
    return true;
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

// ---------------------------------------------------------------- socket, bind, listen

// socket(int domain, int type, int protocol): AF_UNIX only.
SYSCALL(socket) {
    int domain = (int)a0, type = (int)(a1 & 0xf), protocol = (int)a2;
    unsigned flags = (unsigned)a1 & ~0xfu;
    if (flags & ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain < 0 || domain >= 46)   // (Linux's NPROTO)
        return -EAFNOSUPPORT;
    if (type > 10)
        return -EINVAL;
    if (domain != AF_UNIX)
        return -EAFNOSUPPORT;         // (Lantern has no other family)
    if (type == SOCK_RAW)
        type = SOCK_DGRAM;
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    if (protocol != 0 && protocol != AF_UNIX)
        return -EPROTONOSUPPORT;
    struct sock *s = sock_new(type);
    if (!s || (type == SOCK_DGRAM && sock_make_rx(s))) {
        if (s)
            sock_put(s);
        return -ENOMEM;
    }
    struct file *f = sock_file(s, flags);
    if (!f) {
        sock_put(s);
        return -ENOMEM;
    }
    int fd = fd_install(current(), f, flags & SOCK_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd;
}

// A second bind: EINVAL - but Linux makes a path's node before it looks, so a path's
// errors come first (EADDRINUSE if the name is there, ENOENT without its directory...).
static long rebind_error(const struct unix_addr *a) {
    if (abstract(a))
        return -EINVAL;
    struct inode *dir, *ip;
    struct fs_last last;
    long err = path_start_dir(AT_FDCWD, path_of(a), &dir);
    if (!err)
        err = fs_lookup_parent(dir, path_of(a), &last);   // (ENOENT: no such directory)
    if (!err)
        err = fs_lookup(dir, path_of(a), 0, &ip) == 0 ? -EADDRINUSE : -EINVAL;
    return err;
}

// bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
SYSCALL(bind) {
    int fd = (int)a0;
    uint64_t uaddr = a1;
    uint32_t len = (uint32_t)a2;
    struct sock *s;
    struct unix_addr a;
    long err = sock_of_fd(fd, &s);
    if (!err)
        err = addr_from_user(uaddr, len, UNIX_PATH_OFF, &a);
    if (err)
        return err;
    if (a.len == UNIX_PATH_OFF)
        return sock_autobind(s);
    return s->addr ? rebind_error(&a) : name_take(s, &a);
}

// listen(int sockfd, int backlog): a named stream or seqpacket end waits for connects.
SYSCALL(listen) {
    int fd = (int)a0;
    unsigned backlog = (unsigned)a1;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    if (s->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (!s->addr || (s->state != SS_UNCONNECTED && s->state != SS_LISTENING))
        return -EINVAL;
    s->backlog = backlog > SOMAXCONN ? SOMAXCONN : (int)backlog;
    if (s->state != SS_LISTENING) {
        s->state = SS_LISTENING;
        s->peercred = sock_cred_now(true);
    }
    wakeup(s);                        // connects waiting for room: the backlog may be bigger
    return 0;
}

// A listener's close: the connections it did not accept are refused (ECONNRESET to their
// clients, as Linux's), and connects waiting for room see it gone.
void sock_drop_queue(struct sock *l) {
    while (l->queue) {
        struct sock *e = l->queue;
        l->queue = e->next_queued;
        l->queued--;
        if (e->peer)
            __atomic_store_n(&e->peer->err, ECONNRESET, __ATOMIC_RELAXED);
        sock_close_end(e);
    }
    wakeup(l);
}

// ---------------------------------------------------------------- connect

// A wait's deadline for a timeout (SO_SNDTIMEO for connect, SO_RCVTIMEO for accept; 0:
// none), set as the thread's wake_at so that its sleeps end then. 0 without one.
static uint64_t deadline_of(uint64_t timeout) {
    uint64_t at = timeout ? time_since_boot_ns() + timeout : 0;
    current()->wake_at = at;
    return at;
}

static bool past(uint64_t deadline) { return deadline && time_since_boot_ns() >= deadline; }

// Waits until l's queue has room: 0, -EAGAIN, -ERESTARTSYS, or -ECONNREFUSED if it stopped
// listening. l is counted by the caller.
static long wait_for_room(struct sock *l, bool nonblock, uint64_t timeout) {
    uint64_t flags = local_irq_save();
    long err = 0;
    uint64_t deadline = deadline_of(timeout);
    while (!err && l->state == SS_LISTENING && !l->closed && !(l->shut & RCV) &&
           l->queued > l->backlog) {
        if (nonblock || past(deadline))
            err = -EAGAIN;
        else if (signal_pending(current()))
            err = deadline ? -EINTR : -ERESTARTSYS;   // (a timed wait is not restarted)
        else
            sleep_on(l);
    }
    current()->wake_at = 0;
    local_irq_restore(flags);
    if (!err && (l->closed || l->state != SS_LISTENING || (l->shut & RCV)))
        err = -ECONNREFUSED;
    return err;
}

// s connects to the listener l: the listener's side is made and queued for accept.
static long connect_stream(struct sock *s, struct sock *l, bool nonblock) {
    if (l->state != SS_LISTENING || l->closed || (l->shut & RCV))
        return -ECONNREFUSED;
    if (s->state != SS_UNCONNECTED)
        return s->state == SS_CONNECTED ? -EISCONN : -EINVAL;
    sock_get(l);
    long err = wait_for_room(l, nonblock, s->sndtimeo);
    struct sock *e = err ? NULL : sock_new(s->type);
    if (!err && (!e || sock_make_rx(e) || sock_make_rx(s)))
        err = -ENOMEM;
    if (!err && s->state != SS_UNCONNECTED)
        err = -EISCONN;               // (another thread's connect won meanwhile)
    if (err) {
        if (e)
            sock_put(e);
        sock_put(l);
        return err;
    }
    sock_link(s, e);
    s->state = e->state = SS_CONNECTED;
    if (s->shut & RCV)                // shut before the connect: the peer's sends fail
        pipe_shut(s->rx, false, true);
    e->peercred = sock_cred_now(true);
    s->peercred = l->peercred;
    e->passcred = l->passcred;
    e->addr = kmalloc(sizeof *e->addr);   // the accepted end's name is its listener's
    if (e->addr)
        *e->addr = *l->addr;
    struct sock **tail = &l->queue;
    while (*tail)
        tail = &(*tail)->next_queued;
    *tail = e;                        // (the queue holds e's one reference, for accept)
    l->queued++;
    wakeup(l);
    sock_notify(l, POLLIN | POLLRDNORM);
    sock_put(l);
    return 0;
}

// A datagram end's connect: its default destination (AF_UNSPEC: none).
static long connect_dgram(struct sock *s, struct sock *to) {
    if (to && to->peer && to->peer != s)
        return -EPERM;                // (it is connected to another: Linux's unix_may_send)
    if (to)
        sock_get(to);
    uint64_t f = spin_lock_irqsave(&s->lock);
    struct sock *old = s->peer;
    s->peer = to;
    spin_unlock_irqrestore(&s->lock, f);
    sock_sends_to(s, to);
    if (old)
        sock_put(old);
    s->state = to ? SS_CONNECTED : SS_UNCONNECTED;
    sock_notify(s, 0);
    return 0;
}

// connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
SYSCALL(connect) {
    int fd = (int)a0;
    uint64_t uaddr = a1;
    uint32_t len = (uint32_t)a2;
    struct sock *s, *to = NULL;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    uint16_t family;
    if (s->type == SOCK_DGRAM && len >= sizeof family) {
        if (copy_from_user(&family, (const void *)uaddr, sizeof family))
            return -EFAULT;
        if (family == AF_UNSPEC)
            return connect_dgram(s, NULL);
    }
    struct unix_addr a;
    if ((err = addr_from_user(uaddr, len, UNIX_PATH_OFF + 1, &a)))
        return err;
    if (s->passcred && (err = sock_autobind(s)))
        return err;
    if ((err = find_named(&a, s->type, &to)))
        return err;
    if (s->type == SOCK_DGRAM)
        return connect_dgram(s, to);
    return connect_stream(s, to, s->file->flags & O_NONBLOCK);
}

// ---------------------------------------------------------------- accept

// Waits for a connection in l's queue: 0, -EAGAIN or -ERESTARTSYS.
static long wait_for_connection(struct sock *l, bool nonblock) {
    uint64_t flags = local_irq_save();
    long err = 0;
    uint64_t deadline = deadline_of(l->rcvtimeo);
    while (!err && !l->queue) {
        if (nonblock || past(deadline))
            err = -EAGAIN;
        else if (signal_pending(current()))
            err = deadline ? -EINTR : -ERESTARTSYS;   // (a timed wait is not restarted)
        else if (l->state != SS_LISTENING || (l->shut & RCV))
            err = -EINVAL;            // (shut for receiving: Linux's accept says so too)
        else
            sleep_on(l);
    }
    current()->wake_at = 0;
    local_irq_restore(flags);
    return err;
}

static long do_accept(int fd, uint64_t uaddr, uint64_t ulen, int flags) {
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    struct sock *l;
    long err = sock_of_fd(fd, &l);
    if (err)
        return err;
    if (l->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (l->state != SS_LISTENING)
        return -EINVAL;
    if ((err = wait_for_connection(l, l->file->flags & O_NONBLOCK)))
        return err;
    struct sock *e = l->queue;
    struct file *f = sock_file(e, (unsigned)flags);
    if (!f)
        return -ENOMEM;
    struct proc *p = current();
    int nfd = fd_install(p, f, flags & SOCK_CLOEXEC);
    if (nfd < 0) {
        kfree(f);                     // never opened: e stays queued
        return nfd;
    }
    l->queue = e->next_queued;
    l->queued--;
    wakeup(l);                        // connects waiting for room
    if (uaddr) {
        struct sock *peer = e->peer;
        err = sock_copy_addr_out(peer && peer->addr ? peer->addr : &unnamed, uaddr, ulen);
        if (err) {
            file_close(fd_remove(p, nfd));   // the connection is lost, as on Linux
            return err;
        }
    }
    return nfd;
}

// accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
SYSCALL(accept) {
    int fd = (int)a0;
    uint64_t uaddr = a1, ulen = a2;
    return do_accept(fd, uaddr, ulen, 0);
}

// accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags)
SYSCALL(accept4) {
    int fd = (int)a0, flags = (int)a3;
    uint64_t uaddr = a1, ulen = a2;
    return do_accept(fd, uaddr, ulen, flags);
}

// ---------------------------------------------------------------- names asked for

// getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen): its name, or just
// the family for an unnamed end.
SYSCALL(getsockname) {
    int fd = (int)a0;
    uint64_t uaddr = a1, ulen = a2;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    return sock_copy_addr_out(s->addr ? s->addr : &unnamed, uaddr, ulen);
}

// getpeername: the peer's name, even once it closed; ENOTCONN without a peer.
SYSCALL(getpeername) {
    int fd = (int)a0;
    uint64_t uaddr = a1, ulen = a2;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    struct sock *peer = s->peer;      // (a closed peer still has its name, as on Linux)
    if (!peer)
        return -ENOTCONN;
    return sock_copy_addr_out(peer->addr ? peer->addr : &unnamed, uaddr, ulen);
}
