// eventfd.c: eventfd and eventfd2 - a 64-bit counter behind a file descriptor, the
// cheapest way for one thread or process to wake another that waits in poll or epoll.
//
// write(8 bytes) adds to the counter; read(8 or more bytes) returns it and resets it to 0 (with
// EFD_SEMAPHORE: returns 1 and subtracts 1). A read of 0 waits (or EAGAIN); a write that
// would take the counter past 0xfffffffffffffffe waits until a read makes room (or
// EAGAIN). Readable when the counter is not 0, writable while 1 more still fits.
// Locking: the counter is touched with interrupts off (one CPU).
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
#include "x86.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   O_CLOEXEC
#define EFD_NONBLOCK  O_NONBLOCK
#define COUNT_MAX     0xfffffffffffffffeull   // ULLONG_MAX is never reached by writes

struct eventfd { uint64_t count; bool semaphore; };

// Waits (interrupts off) until ok(e) holds: 0, -EAGAIN, or -ERESTARTSYS for a signal.
static long wait_for(struct file *f, bool (*ok)(struct eventfd *, uint64_t), uint64_t v) {
    struct eventfd *e = f->priv;
    while (!ok(e, v)) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending(current()))
            return -ERESTARTSYS;
        sleep_on(e);
    }
    return 0;
}

static bool nonzero(struct eventfd *e, uint64_t v) { (void)v; return e->count != 0; }
static bool fits(struct eventfd *e, uint64_t v) { return v <= COUNT_MAX - e->count; }

static long eventfd_read(struct file *f, void *buf, size_t n) {
    struct eventfd *e = f->priv;
    if (n < sizeof(uint64_t))
        return -EINVAL;
    uint64_t flags = local_irq_save();
    long err = wait_for(f, nonzero, 0);
    uint64_t v = e->semaphore ? 1 : e->count;
    if (!err) {
        e->count -= v;
        wakeup(e);                     // writers waiting for room
        poll_notify(e, POLLOUT | POLLWRNORM);
    }
    local_irq_restore(flags);
    if (err)
        return err;
    memcpy(buf, &v, sizeof v);
    return sizeof v;
}

static long eventfd_write(struct file *f, const void *buf, size_t n) {
    struct eventfd *e = f->priv;
    uint64_t v;
    if (n != sizeof v)                 // Linux 6.18 takes exactly 8 (reads: at least 8)
        return -EINVAL;
    memcpy(&v, buf, sizeof v);
    if (v == 0xffffffffffffffffull)
        return -EINVAL;
    uint64_t flags = local_irq_save();
    long err = wait_for(f, fits, v);
    if (!err) {
        e->count += v;
        wakeup(e);                     // readers waiting for a count
        poll_notify(e, POLLIN | POLLRDNORM);
    }
    local_irq_restore(flags);
    return err ? err : (long)sizeof v;
}

static unsigned eventfd_poll(struct file *f) {
    struct eventfd *e = f->priv;
    unsigned mask = 0;
    if (e->count)
        mask |= POLLIN | POLLRDNORM;
    if (e->count == 0xffffffffffffffffull)
        mask |= POLLERR;
    if (e->count < COUNT_MAX)
        mask |= POLLOUT | POLLWRNORM;
    return mask;
}

static void eventfd_release(struct file *f) { kfree(f->priv); }


static const struct file_ops eventfd_ops = {
    .read = eventfd_read, .write = eventfd_write, .poll = eventfd_poll,
    .release = eventfd_release, .stat = anon_inode_stat, .anon_name = "[eventfd]",
};

SYSCALL(eventfd2) {
    unsigned int initval = (unsigned int)a0;
    int flags = (int)a1;
    if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
        return -EINVAL;
    struct eventfd *e = kzalloc(sizeof *e);
    struct file *f = e ? file_alloc(&eventfd_ops, NULL, O_RDWR | (flags & EFD_NONBLOCK)) : NULL;
    if (!f) {
        kfree(e);
        return -ENOMEM;
    }
    e->count = initval;
    e->semaphore = flags & EFD_SEMAPHORE;
    f->priv = e;
    int fd = fd_install(current(), f, flags & EFD_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd < 0 ? -EMFILE : fd;
}

SYSCALL(eventfd) {
    uint64_t initval = a0;
    return sys_eventfd2(initval, 0, 0, 0, 0, 0);
}
