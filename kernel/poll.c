// poll.c: poll, ppoll, select and pselect6 - wait until one of several files is ready.
//
// There are no wait queues per file. Instead every poller in the system sleeps on one
// channel, and every change that can make a file ready (a pipe read or written or closed,
// a key typed, an eventfd changed) calls poll_notify(), which wakes them all; each then
// rescans its files. That costs a few spurious wakeups and is obviously right, provided
// the scan and the sleep happen with interrupts off: a notification (the tty's comes from
// an interrupt handler) cannot slip in between the scan that found nothing and the sleep.
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
#include "time.h"
#include "uaccess.h"
#include "x86.h"

#define NS_PER_MS 1000000ull
#define NS_PER_SEC 1000000000ull
#define RLIMIT_NOFILE 7

static int poll_chan;      // every poller sleeps on its address
static int pollers;        // threads in poll_wait (atomic): poll_watched

unsigned file_poll(struct file *f) {
    return f->ops->poll ? f->ops->poll(f) : DEFAULT_POLLMASK;
}

void poll_notify(const void *src, unsigned events) {
    uint64_t flags = local_irq_save();
    epoll_event(src, events);
    wakeup(&poll_chan);
    local_irq_restore(flags);
}

// A change made without the BKL (a pipe's read or write) is notified only if this says
// so. The poller counts itself before its first scan, and the changer looks after its
// change (both sequentially consistent): either the scan sees the change, or the changer
// sees the poller, and wakes it under the BKL, which the poller holds from its scan to its
// sleep. An epoll registration counts for as long as it exists (epoll_watching).
bool poll_watched(void) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(&pollers, __ATOMIC_SEQ_CST) || epoll_watching();
}

long poll_wait(long (*scan)(void *arg), void *arg, uint64_t deadline) {
    struct proc *p = current();
    uint64_t flags = local_irq_save();
    long n;
    __atomic_add_fetch(&pollers, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        n = scan(arg);
        if (n != 0 || time_since_boot_ns() >= deadline)
            break;
        if (signal_pending(p)) {
            n = -ERESTARTNOHAND;   // EINTR if a handler runs, else the call starts again
            break;
        }
        p->wake_at = deadline == NO_DEADLINE ? 0 : deadline;   // the timer wakes us then
        sleep_on(&poll_chan);
        p->wake_at = 0;
    }
    __atomic_sub_fetch(&pollers, 1, __ATOMIC_SEQ_CST);
    local_irq_restore(flags);
    return n;
}

static uint64_t deadline_after_ns(uint64_t ns) {
    uint64_t now = time_since_boot_ns();
    return ns >= NO_DEADLINE - now ? NO_DEADLINE : now + ns;
}

uint64_t deadline_after_ms(long ms) {
    return ms < 0 ? NO_DEADLINE : deadline_after_ns((uint64_t)ms * NS_PER_MS);
}

uint64_t deadline_left(uint64_t deadline) {
    uint64_t now = time_since_boot_ns();
    return deadline > now ? deadline - now : 0;
}

struct ktimespec { int64_t sec, nsec; };

static long deadline_from(int64_t sec, int64_t nsec, uint64_t *deadline) {
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS_PER_SEC)
        return -EINVAL;
    if ((uint64_t)sec >= NO_DEADLINE / NS_PER_SEC)
        *deadline = NO_DEADLINE;
    else
        *deadline = deadline_after_ns((uint64_t)sec * NS_PER_SEC + (uint64_t)nsec);
    return 0;
}

long deadline_from_timespec(uint64_t uts, uint64_t *deadline) {
    struct ktimespec ts;
    *deadline = NO_DEADLINE;
    if (!uts)
        return 0;
    if (copy_from_user(&ts, (const void *)uts, sizeof ts))
        return -EFAULT;
    return deadline_from(ts.sec, ts.nsec, deadline);
}

// Writes what is left of the timeout back, as Linux does for select, pselect6 and ppoll
// (a fault here is ignored, as there). Not when there was no timeout, or a zero one.
static void write_back_left(uint64_t uaddr, uint64_t deadline, bool timeval) {
    if (!uaddr || deadline == NO_DEADLINE)
        return;
    uint64_t left = deadline_left(deadline);
    struct ktimespec ts = { (int64_t)(left / NS_PER_SEC), (int64_t)(left % NS_PER_SEC) };
    if (timeval)
        ts.nsec /= 1000;           // struct timeval: microseconds
    copy_to_user((void *)uaddr, &ts, sizeof ts);
}

// ppoll, pselect6: a signal mask for the duration of the wait. Linux keeps it until the
// return to user mode only if the call was interrupted (so that the handler runs under
// it); otherwise the old mask is back at once.
static long set_wait_mask(uint64_t umask, uint64_t size, uint64_t *old) {
    uint64_t mask;
    *old = current()->sig_blocked;
    if (!umask)
        return 0;
    if (size != sizeof mask)
        return -EINVAL;
    if (copy_from_user(&mask, (const void *)umask, sizeof mask))
        return -EFAULT;
    signal_set_temp_mask(mask);
    return 0;
}

static void end_wait_mask(uint64_t umask, long ret, uint64_t old) {
    if (umask && ret != -ERESTARTNOHAND)
        signal_set_temp_mask(old);  // the saved mask stays: this only undoes the temporary one
}

// ---------------------------------------------------------------- poll

struct pollfd { int32_t fd; int16_t events, revents; };

struct pollset { struct pollfd *fds; uint64_t n; };

static long scan_pollfds(void *arg) {
    struct pollset *s = arg;
    long ready = 0;
    for (uint64_t i = 0; i < s->n; i++) {
        struct pollfd *pfd = &s->fds[i];
        pfd->revents = 0;
        if (pfd->fd < 0)
            continue;              // ignored, as POSIX says: lets callers switch one off
        struct file *f = fd_get(pfd->fd);
        unsigned want = (uint16_t)pfd->events | POLLERR | POLLHUP;   // always reported
        pfd->revents = (int16_t)(f ? file_poll(f) & want : POLLNVAL);
        if (pfd->revents)
            ready++;
    }
    return ready;
}

static long do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline) {
    if (nfds > current()->signal->rlim[RLIMIT_NOFILE].rlim_cur)
        return -EINVAL;
    struct pollset s = { NULL, nfds };
    size_t bytes = nfds * sizeof(struct pollfd);
    if (nfds && !(s.fds = kmalloc(bytes)))
        return -ENOMEM;
    long ret = copy_from_user(s.fds, (const void *)ufds, bytes);
    if (ret == 0)
        ret = poll_wait(scan_pollfds, &s, deadline);
    if (ret >= 0 && copy_to_user((void *)ufds, s.fds, bytes))
        ret = -EFAULT;
    kfree(s.fds);
    return ret;
}

// poll(fds, nfds, timeout in ms: negative waits forever)
SYSCALL(poll) {
    uint64_t fds = a0;
    uint32_t nfds = (uint32_t)a1;
    int timeout = (int)a2;
    return do_poll(fds, nfds, deadline_after_ms(timeout));
}

// ppoll(fds, nfds, timeout as a timespec or NULL, sigmask, sigsetsize)
SYSCALL(ppoll) {
    uint64_t fds = a0;
    uint32_t nfds = (uint32_t)a1;
    uint64_t tmo_p = a2, sigmask = a3, sigsetsize = a4;
    uint64_t deadline, old;
    long ret = deadline_from_timespec(tmo_p, &deadline);
    if (ret == 0)
        ret = set_wait_mask(sigmask, sigsetsize, &old);
    if (ret)
        return ret;
    ret = do_poll(fds, nfds, deadline);
    end_wait_mask(sigmask, ret, old);
    write_back_left(tmo_p, deadline, false);
    return ret;
}

// ---------------------------------------------------------------- select

// Which poll bits count as readable, writable and exceptional: Linux's POLLIN_SET...
#define SELECT_IN  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX  POLLPRI

// select's sets are the C library's fd_set: FD_SETSIZE bits, its ABI's fixed size.
#define FD_SETSIZE 1024

struct fdsets {
    int n;
    uint64_t in[FD_SETSIZE / 64], out[FD_SETSIZE / 64], ex[FD_SETSIZE / 64];          // asked
    uint64_t res_in[FD_SETSIZE / 64], res_out[FD_SETSIZE / 64], res_ex[FD_SETSIZE / 64];  // found
};

static bool bit(const uint64_t *set, int fd) { return set[fd / 64] >> (fd % 64) & 1; }
static void set_bit(uint64_t *set, int fd) { set[fd / 64] |= 1ull << (fd % 64); }

static long scan_fdsets(void *arg) {
    struct fdsets *s = arg;
    long ready = 0;
    for (int fd = 0; fd < s->n; fd++) {
        if (!bit(s->in, fd) && !bit(s->out, fd) && !bit(s->ex, fd))
            continue;
        struct file *f = fd_get(fd);
        unsigned mask = f ? file_poll(f) : 0;
        const struct { const uint64_t *ask; uint64_t *res; unsigned bits; } k[3] = {
            { s->in, s->res_in, SELECT_IN }, { s->out, s->res_out, SELECT_OUT },
            { s->ex, s->res_ex, SELECT_EX },
        };
        for (int i = 0; i < 3; i++)
            if (bit(k[i].ask, fd) && (mask & k[i].bits)) {
                set_bit(k[i].res, fd);
                ready++;
            }
    }
    return ready;
}

// Copies one fd_set in (NULL: empty). Only the longs that hold bits below n, as Linux.
static long get_fdset(uint64_t *set, uint64_t uset, int n) {
    memset(set, 0, FD_SETSIZE / 8);
    return uset ? copy_from_user(set, (const void *)uset, (size_t)(n + 63) / 64 * 8) : 0;
}

static long put_fdset(uint64_t uset, const uint64_t *set, int n) {
    return uset ? copy_to_user((void *)uset, set, (size_t)(n + 63) / 64 * 8) : 0;
}

// Linux's max_select_fd: every fd named in a set must be open.
static long check_fds(struct fdsets *s) {
    for (int fd = 0; fd < s->n; fd++)
        if ((bit(s->in, fd) || bit(s->out, fd) || bit(s->ex, fd)) && !fd_get(fd))
            return -EBADF;
    return 0;
}

static long do_select(long n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t deadline) {
    if ((int)n < 0)
        return -EINVAL;
    struct fdsets *s = kzalloc(sizeof *s);
    if (!s)
        return -ENOMEM;
    // Linux stops at its table's size; and here at the sets' (FD_SETSIZE), too.
    unsigned max = current()->files->max_fds < FD_SETSIZE ? current()->files->max_fds : FD_SETSIZE;
    s->n = (unsigned)n < max ? (int)n : (int)max;
    long ret = get_fdset(s->in, uin, s->n) || get_fdset(s->out, uout, s->n) ||
               get_fdset(s->ex, uex, s->n) ? -EFAULT : check_fds(s);
    if (ret == 0)
        ret = poll_wait(scan_fdsets, s, deadline);
    if (ret >= 0 && (put_fdset(uin, s->res_in, s->n) || put_fdset(uout, s->res_out, s->n) ||
                     put_fdset(uex, s->res_ex, s->n)))
        ret = -EFAULT;
    kfree(s);
    return ret;
}

// select(nfds, readfds, writefds, exceptfds, timeout as a timeval or NULL)
SYSCALL(select) {
    long nfds = (long)a0;
    uint64_t readfds = a1, writefds = a2, exceptfds = a3, timeout = a4;
    uint64_t deadline = NO_DEADLINE;
    if (timeout) {
        struct ktimespec tv;       // a timeval: seconds and microseconds
        if (copy_from_user(&tv, (const void *)timeout, sizeof tv))
            return -EFAULT;
        // Linux carries whole seconds out of tv_usec; what is left must be valid.
        if (deadline_from(tv.sec + tv.nsec / 1000000, tv.nsec % 1000000 * 1000, &deadline))
            return -EINVAL;
    }
    long ret = do_select(nfds, readfds, writefds, exceptfds, deadline);
    write_back_left(timeout, deadline, true);
    return ret;
}

// pselect6(nfds, readfds, writefds, exceptfds, timespec or NULL, {sigmask, size} or NULL)
SYSCALL(pselect6) {
    long nfds = (long)a0;
    uint64_t readfds = a1, writefds = a2, exceptfds = a3, timeout = a4, sigmask = a5;
    uint64_t deadline, old, sig[2] = { 0, 0 };
    long ret = deadline_from_timespec(timeout, &deadline);
    if (ret)
        return ret;
    if (sigmask && copy_from_user(sig, (const void *)sigmask, sizeof sig))
        return -EFAULT;
    if ((ret = set_wait_mask(sig[0], sig[1], &old)))
        return ret;
    ret = do_select(nfds, readfds, writefds, exceptfds, deadline);
    end_wait_mask(sig[0], ret, old);
    write_back_left(timeout, deadline, false);
    return ret;
}
