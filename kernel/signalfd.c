// signalfd.c: signalfd and signalfd4 - the signals of a set, read from a file descriptor
// instead of run as handlers, so that a program's event loop (poll, epoll) waits for them
// with its files. A program blocks the set (sigprocmask), then reads: each read takes
// pending signals of the set off the *reader's* pending sets - its thread's and its
// process's, as rt_sigtimedwait does - as 128-byte struct signalfd_siginfo records. A read
// with none pending waits (or EAGAIN); poll says POLLIN while one is pending for the poller.
//
// Signals are queued with no thought of signalfds (signal.c): every queueing calls
// signalfd_notify, which wakes the readers and pollers of every signalfd (few exist), and
// they look again.
// Locking: the BKL; the list and the pending sets with interrupts off (signals are queued
// from interrupt handlers too).
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

#define SFD_CLOEXEC  O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK
#define UNREADABLE   ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

struct signalfd {
    uint64_t mask;                // the set, as a sigset_t: bit sig-1
    struct signalfd *next;        // on the list of all of them
};

static struct signalfd *all;      // every open signalfd (interrupts off)

// struct signalfd_siginfo, Linux's 128 bytes.
struct signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb;
    uint8_t pad[46];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "struct signalfd_siginfo is 128 bytes");

void signalfd_notify(void) {
    if (!all)
        return;
    wakeup(&all);
    for (struct signalfd *s = all; s; s = s->next)
        poll_notify(s, POLLIN | POLLRDNORM);
}

// A record of one signal, as Linux's signalfd_copyinfo fills it from the siginfo.
static void fill(struct signalfd_siginfo *r, int sig, const struct ksiginfo *ki) {
    memset(r, 0, sizeof *r);
    r->ssi_signo = (uint32_t)sig;
    r->ssi_code = ki->code;
    if (ki->code == SI_TIMER) {
        r->ssi_tid = (uint32_t)ki->pid;       // the timer's id
        r->ssi_overrun = (uint32_t)ki->status;
        r->ssi_int = (int32_t)ki->addr;
        r->ssi_ptr = ki->addr;
    } else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
               sig == SIGTRAP) {
        r->ssi_addr = ki->addr;
    } else {
        r->ssi_pid = (uint32_t)ki->pid;
        if (sig == SIGCHLD) {
            r->ssi_status = ki->status;
        } else {
            r->ssi_int = (int32_t)ki->addr;   // si_value (sigqueue)
            r->ssi_ptr = ki->addr;
        }
    }
}

static long signalfd_read(struct file *f, void *buf, size_t n) {
    struct signalfd *s = f->priv;
    struct proc *p = current();
    if (n < sizeof(struct signalfd_siginfo))
        return -EINVAL;
    size_t done = 0;
    uint64_t flags = local_irq_save();
    while (done + sizeof(struct signalfd_siginfo) <= n) {
        struct ksiginfo info;
        int sig = signal_dequeue(p, s->mask, &info);
        if (sig) {
            fill((struct signalfd_siginfo *)((char *)buf + done), sig, &info);
            done += sizeof(struct signalfd_siginfo);
            continue;
        }
        if (done)
            break;                    // what there was: no waiting for more
        long err = f->flags & O_NONBLOCK ? -EAGAIN : signal_pending(p) ? -ERESTARTSYS : 0;
        if (err) {
            local_irq_restore(flags);
            return err;
        }
        sleep_on(&all);               // signalfd_notify wakes it
    }
    local_irq_restore(flags);
    return (long)done;
}

static unsigned signalfd_poll(struct file *f) {
    struct signalfd *s = f->priv;
    return signal_pending_in(current(), s->mask) ? POLLIN | POLLRDNORM : 0;
}

static void signalfd_release(struct file *f) {
    struct signalfd *s = f->priv;
    uint64_t flags = local_irq_save();
    for (struct signalfd **pp = &all; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    local_irq_restore(flags);
    kfree(s);
}


static const struct file_ops signalfd_ops = {
    .read = signalfd_read, .poll = signalfd_poll, .release = signalfd_release,
    .stat = anon_inode_stat, .anon_name = "[signalfd]",
};

// Linux's order: the mask's size (EINVAL), the mask (EFAULT), then the flags (EINVAL).
static long do_signalfd(int fd, uint64_t umask, uint64_t size, int flags) {
    uint64_t mask;
    if (size != sizeof mask)
        return -EINVAL;
    if (copy_from_user(&mask, (const void *)umask, sizeof mask))
        return -EFAULT;
    if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
        return -EINVAL;
    mask &= ~UNREADABLE;
    if (fd != -1) {                   // a new set for a signalfd already open
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        if (f->ops != &signalfd_ops)
            return -EINVAL;
        ((struct signalfd *)f->priv)->mask = mask;
        return fd;
    }
    struct signalfd *s = kzalloc(sizeof *s);
    struct file *f = file_alloc(&signalfd_ops, NULL, O_RDWR | (flags & SFD_NONBLOCK));
    if (!s || !f) {
        kfree(s);
        kfree(f);
        return -ENOMEM;
    }
    s->mask = mask;
    f->priv = s;
    uint64_t irq = local_irq_save();
    s->next = all;
    all = s;
    local_irq_restore(irq);
    int nfd = fd_install(current(), f, flags & SFD_CLOEXEC);
    if (nfd < 0)
        file_close(f);
    return nfd;
}

// signalfd(int fd, const sigset_t *mask, size_t sizemask)
SYSCALL(signalfd) {
    int fd = (int)a0;
    uint64_t umask = a1, sizemask = a2;
    return do_signalfd(fd, umask, sizemask, 0);
}

// signalfd4(int fd, const sigset_t *mask, size_t sizemask, int flags)
SYSCALL(signalfd4) {
    int fd = (int)a0;
    uint64_t umask = a1, sizemask = a2;
    int flags = (int)a3;
    return do_signalfd(fd, umask, sizemask, flags);
}
