// socket_opt.c: getsockopt(2) and setsockopt(2) on an AF_UNIX socket's end (sock.h): what
// the end is (SO_TYPE, SO_DOMAIN, SO_ACCEPTCONN...), who is at the other end (SO_PEERCRED),
// what it does (SO_PASSCRED, SO_RCVTIMEO and SO_SNDTIMEO, which socket.c's waits obey), and
// the options programs set and read back though they change nothing here (on Linux's
// AF_UNIX either): SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER... Under the BKL.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "proc.h"
#include "sock.h"
#include "syscall.h"
#include "uaccess.h"

#define SOL_SOCKET    1
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_DEBUG      1
#define SO_PRIORITY   12
#define SO_LINGER     13
#define SO_PASSCRED   16
#define SO_RCVLOWAT   18
#define SO_SNDLOWAT   19
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_PEERCRED   17
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39

// The SOL_SOCKET options that are flags only, kept as bits of sock.opt_flags by number:
// SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE,
// SO_NO_CHECK, SO_REUSEPORT, SO_TIMESTAMP, SO_PASSSEC. They change nothing an AF_UNIX end
// does (on Linux either), but programs set them and read them back.
#define FLAG_OPTS ((1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 9) | (1u << 10) | \
                   (1u << 11) | (1u << 15) | (1u << 29))
#define SO_PASSSEC 34
static bool flag_opt(int name) {
    return name == SO_PASSSEC || (name > 0 && name < 32 && (FLAG_OPTS >> name) & 1);
}
static unsigned flag_bit(int name) { return name == SO_PASSSEC ? 1u : 1u << name; }

// getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)
SYSCALL(getsockopt) {
    int fd = (int)a0, level = (int)a1, name = (int)a2;
    uint64_t uval = a3, ulen = a4;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    int32_t len;
    if (copy_from_user(&len, (const void *)ulen, sizeof len))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    int value;
    const void *what = &value;
    int32_t size = sizeof value;
    int64_t tv[2] = { 0, 0 };
    switch (name) {
    case SO_TYPE:       value = s->type; break;
    case SO_ERROR:      value = __atomic_exchange_n(&s->err, 0, __ATOMIC_RELAXED); break;
    case SO_SNDBUF:     value = s->sndbuf; break;
    case SO_RCVBUF:     value = s->rcvbuf; break;
    case SO_PASSCRED:   value = s->passcred; break;
    case SO_ACCEPTCONN: value = s->state == SS_LISTENING; break;
    case SO_PROTOCOL:   value = 0; break;
    case SO_DOMAIN:     value = AF_UNIX; break;
    case SO_PRIORITY:   value = s->priority; break;
    case SO_RCVLOWAT:   value = s->rcvlowat; break;
    case SO_SNDLOWAT:   value = 1; break;
    case SO_PEERCRED:   what = &s->peercred; size = sizeof s->peercred; break;
    case SO_LINGER:     what = s->linger; size = sizeof s->linger; break;
    case SO_RCVTIMEO: case SO_SNDTIMEO: {
        uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo;
        tv[0] = ns == 1 ? 0 : (int64_t)(ns / 1000000000);       // (1: "at once", below)
        tv[1] = ns == 1 ? 0 : (int64_t)(ns % 1000000000 / 1000);
        what = tv;
        size = sizeof tv;
        break;
    }
    default:
        if (!flag_opt(name))
            return -ENOPROTOOPT;
        value = (s->opt_flags & flag_bit(name)) != 0;
    }
    len = len < size ? len : size;
    if (copy_to_user((void *)uval, what, (size_t)len) ||
        copy_to_user((void *)ulen, &len, sizeof len))
        return -EFAULT;
    return 0;
}

// The options whose value is a struct: SO_LINGER's two ints, the timeouts' timeval.
static long set_struct_opt(struct sock *s, int name, uint64_t uval, int len) {
    int64_t tv[2];
    int32_t linger[2];
    if (name == SO_LINGER) {
        if (len < (int)sizeof linger)
            return -EINVAL;
        if (copy_from_user(linger, (const void *)uval, sizeof linger))
            return -EFAULT;
        s->linger[0] = linger[0] != 0;
        s->linger[1] = linger[1];
        return 0;
    }
    if (len < (int)sizeof tv)
        return -EINVAL;
    if (copy_from_user(tv, (const void *)uval, sizeof tv))
        return -EFAULT;
    if (tv[1] < 0 || tv[1] >= 1000000)
        return -EDOM;
    uint64_t ns = tv[0] < 0 ? 1 : tv[0] > 1000000000 ? 1000000000ull * 1000000000
                : (uint64_t)tv[0] * 1000000000 + (uint64_t)tv[1] * 1000;
    if (name == SO_RCVTIMEO)
        s->rcvtimeo = ns;
    else
        s->sndtimeo = ns;
    return 0;
}

// setsockopt: SO_SNDBUF and SO_RCVBUF, doubled as Linux keeps them (and at least its
// minimums; the rings stay PIPE_SIZE); SO_PASSCRED; SO_RCVTIMEO and SO_SNDTIMEO (a struct
// timeval: 0 is none, a negative one ends waits at once); and those only kept to be read
// back.
SYSCALL(setsockopt) {
    int fd = (int)a0, level = (int)a1, name = (int)a2, len = (int)a4, value;
    uint64_t uval = a3;
    struct sock *s;
    long err = sock_of_fd(fd, &s);
    if (err)
        return err;
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (len < (int)sizeof value)
        return -EINVAL;
    if (name == SO_LINGER || name == SO_RCVTIMEO || name == SO_SNDTIMEO)
        return set_struct_opt(s, name, uval, len);
    if (copy_from_user(&value, (const void *)uval, sizeof value))
        return -EFAULT;
    // Linux takes the size unsigned (so -1 is the most), caps it at net.core.wmem_max
    // and rmem_max (212992), and keeps it doubled, at least its minimum.
    uint64_t doubled = (uint64_t)((uint32_t)value < 212992 ? (uint32_t)value : 212992) * 2;
    switch (name) {
    case SO_PASSCRED: s->passcred = value != 0; break;
    case SO_SNDBUF: s->sndbuf = doubled < 4608 ? 4608 : (int)doubled;
        break;
    case SO_RCVBUF: s->rcvbuf = doubled < 2304 ? 2304 : (int)doubled;
        break;
    case SO_PRIORITY:
        if ((value < 0 || value > 6) && !capable())
            return -EPERM;
        s->priority = value;
        break;
    case SO_RCVLOWAT: s->rcvlowat = value < 0 ? 0x7fffffff : value ? value : 1; break;
    default:
        if (!flag_opt(name))
            return -ENOPROTOOPT;
        if (name == SO_DEBUG && value && !capable())
            return -EACCES;
        s->opt_flags = value ? s->opt_flags | flag_bit(name) : s->opt_flags & ~flag_bit(name);
    }
    return 0;
}
