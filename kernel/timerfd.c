// timerfd.c: timerfd_create, timerfd_settime, timerfd_gettime - a timer behind a file
// descriptor, which becomes readable when it expires, so that an event loop waits for
// timers in the same poll or epoll as for its files.
//
// read(8 or more bytes) returns how many times the timer expired since it was set or last
// read (a 64-bit count), and resets it; with none yet it waits (or EAGAIN). A periodic
// timer counts every period that passed, even unread. Clocks: CLOCK_REALTIME,
// CLOCK_MONOTONIC, CLOCK_BOOTTIME, and the two _ALARM clocks, which are the same here
// (no suspend) but need privilege, as Linux's. An expiry is kept as time since boot, but
// an absolute time on a CLOCK_REALTIME timer stays one: when the wall clock is set, the
// timer moves with it, as Linux's (a jump past it expires it). A timer set with
// TFD_TIMER_CANCEL_ON_SET is cancelled instead (timerfd_clock_was_set): it becomes
// readable, and its next read fails with ECANCELED (once for each setting of the clock).
//
// The count is worked out from the clock whenever it is looked at (expirations), so it is
// exact at each read; the boot CPU's tick (timerfd_tick) only wakes those who wait, within
// a tick (10 ms) of the expiry.
//
// Locking: the BKL, and interrupts off: the tick runs in an interrupt handler, maybe
// nested in a read on the boot CPU. Every timerfd is on one list (timers), touched so.
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

#define CLOCK_REALTIME       0
#define CLOCK_MONOTONIC      1
#define CLOCK_BOOTTIME       7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define TFD_TIMER_ABSTIME        1
#define TFD_TIMER_CANCEL_ON_SET  2
#define TFD_CLOEXEC   O_CLOEXEC
#define TFD_NONBLOCK  O_NONBLOCK


struct timerfd {
    int clock;
    uint64_t expires;          // the next expiry, ns since boot (or wall-clock time, if
                               // wall); 0: disarmed
    bool wall;                 // an absolute CLOCK_REALTIME time: expires is on that clock
    uint64_t interval;         // ns between expiries; 0: fires once
    uint64_t ticks;            // expiries not yet read
    bool cancel_on_set;        // TFD_TIMER_CANCEL_ON_SET ...
    bool cancelled;            // ... and the wall clock was set since the last read
    struct timerfd *next;      // on `timers`
};

static struct timerfd *timers;               // every timerfd; BKL and interrupts off
static uint64_t next_expiry = UINT64_MAX;    // the earliest armed expiry, or later

static bool realtime(int clock) { return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM; }

// The timer's clock now, given the time since boot.
static uint64_t clock_now(const struct timerfd *t, uint64_t since_boot) {
    return t->wall ? since_boot + (uint64_t)time_realtime_offset_ns() : since_boot;
}

// Counts the expiries up to now (time since boot) into t->ticks and moves expires past it.
// Interrupts off.
static void expirations(struct timerfd *t, uint64_t since_boot) {
    uint64_t now = clock_now(t, since_boot);
    if (!t->expires || now < t->expires)
        return;
    if (!t->interval) {
        t->ticks++;
        t->expires = 0;
        return;
    }
    uint64_t periods = (now - t->expires) / t->interval + 1;
    t->ticks += periods;
    t->expires += periods * t->interval;
}

static void note_expiry(struct timerfd *t) {
    if (!t->expires)
        return;
    uint64_t offset = t->wall ? (uint64_t)time_realtime_offset_ns() : 0;
    uint64_t at = t->expires > offset ? t->expires - offset : 0;   // as time since boot
    if (at < next_expiry)
        next_expiry = at;
}

uint64_t timerfd_next_expiry(void) { return next_expiry; }

// When the earliest timer is due, under the BKL on the boot CPU (its tick, or the wake
// timer: sched.c): wakes the readers and pollers of every timer due.
void timerfd_tick(uint64_t now) {
    if (now < next_expiry)
        return;
    next_expiry = UINT64_MAX;
    for (struct timerfd *t = timers; t; t = t->next) {
        uint64_t before = t->ticks;
        expirations(t, now);
        if (t->ticks != before) {
            wakeup(t);
            poll_notify(t, POLLIN | POLLRDNORM);
        }
        note_expiry(t);
    }
}

// clock_settime or settimeofday moved the wall clock: the timers that asked are cancelled,
// and the wall-clock ones may be due now (the next tick looks at them all).
void timerfd_clock_was_set(void) {
    uint64_t flags = local_irq_save();
    next_expiry = 0;
    for (struct timerfd *t = timers; t; t = t->next) {
        if (t->cancel_on_set && t->expires) {
            t->cancelled = true;
            t->ticks++;              // readable now, as Linux's
            wakeup(t);
            poll_notify(t, POLLIN | POLLRDNORM);
        }
    }
    local_irq_restore(flags);
}

static long timerfd_read(struct file *f, void *buf, size_t n) {
    struct timerfd *t = f->priv;
    if (n < sizeof(uint64_t))
        return -EINVAL;
    uint64_t flags = local_irq_save(), count = 0;
    long err = 0;
    for (;;) {
        if (t->cancelled) {
            t->cancelled = false;
            err = -ECANCELED;
            break;
        }
        expirations(t, time_since_boot_ns());
        if ((count = t->ticks))
            break;
        if (f->flags & O_NONBLOCK) {
            err = -EAGAIN;
            break;
        }
        if (signal_pending(current())) {
            err = -ERESTARTSYS;
            break;
        }
        sleep_on(t);                 // woken by timerfd_tick, or a settime
    }
    t->ticks = 0;
    local_irq_restore(flags);
    if (err)
        return err;
    memcpy(buf, &count, sizeof count);
    return sizeof count;
}

static unsigned timerfd_poll(struct file *f) {
    struct timerfd *t = f->priv;
    expirations(t, time_since_boot_ns());
    return t->ticks ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f) {
    struct timerfd *t = f->priv;
    uint64_t flags = local_irq_save();
    for (struct timerfd **pp = &timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    local_irq_restore(flags);
    kfree(t);
}


static const struct file_ops timerfd_ops = {
    .read = timerfd_read, .poll = timerfd_poll, .release = timerfd_release,
    .stat = anon_inode_stat, .anon_name = "[timerfd]",
};

SYSCALL(timerfd_create) {
    int clock = (int)a0, flags = (int)a1;
    if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
        return -EINVAL;
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
        clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
        return -EINVAL;
    if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) && !capable())
        return -EPERM;               // Linux: CAP_WAKE_ALARM
    struct timerfd *t = kzalloc(sizeof *t);
    struct file *f = t ? file_alloc(&timerfd_ops, NULL, O_RDWR | (flags & TFD_NONBLOCK)) : NULL;
    if (!f) {
        kfree(t);
        return -ENOMEM;
    }
    t->clock = clock;
    f->priv = t;
    uint64_t irq = local_irq_save();
    t->next = timers;
    timers = t;
    local_irq_restore(irq);
    int fd = fd_install(current(), f, flags & TFD_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd < 0 ? -EMFILE : fd;
}

// The timerfd behind fd: -EBADF if fd is not open, -EINVAL if it is no timerfd.
static long get_timerfd(int fd, struct timerfd **t) {
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (f->ops != &timerfd_ops)
        return -EINVAL;
    *t = f->priv;
    return 0;
}

// What is left until the next expiry (0: disarmed), and the interval. Interrupts off.
static struct k_itimerspec get(struct timerfd *t) {
    uint64_t since_boot = time_since_boot_ns(), now = clock_now(t, since_boot);
    expirations(t, since_boot);
    uint64_t left = t->expires ? t->expires - now : 0;
    return (struct k_itimerspec){ ns_k_timespec(t->interval), ns_k_timespec(left) };
}

SYSCALL(timerfd_settime) {
    int fd = (int)a0, flags = (int)a1;
    uint64_t unew = a2, uold = a3;
    struct k_itimerspec it, old;
    struct timerfd *t;
    // Linux's order: the new value's copy, then the flags and the values, then the fd.
    if (copy_from_user(&it, (const void *)unew, sizeof it))
        return -EFAULT;
    if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
        !k_timespec_valid(&it.value) || !k_timespec_valid(&it.interval))
        return -EINVAL;
    long err = get_timerfd(fd, &t);
    if (err)
        return err;
    uint64_t irq = local_irq_save(), now = time_since_boot_ns();
    uint64_t value = k_timespec_ns(&it.value);
    old = get(t);
    // An absolute time on the timer's clock: one in the past has expired already, and a
    // periodic timer counts every period since then at the first look, as Linux's.
    t->wall = value && (flags & TFD_TIMER_ABSTIME) && realtime(t->clock);
    if (value && (flags & TFD_TIMER_ABSTIME))
        t->expires = value;
    else
        t->expires = value ? now + value : 0;
    t->interval = k_timespec_ns(&it.interval);   // kept disarmed too: timerfd_gettime shows it
    t->ticks = 0;
    t->cancelled = false;
    t->cancel_on_set = realtime(t->clock) && (flags & TFD_TIMER_ABSTIME) &&
                       (flags & TFD_TIMER_CANCEL_ON_SET);
    note_expiry(t);
    sched_timer_armed();             // it fires on time, not at a tick (sched.c)
    wakeup(t);                       // a reader waits for the new time now
    local_irq_restore(irq);
    if (uold && copy_to_user((void *)uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}

SYSCALL(timerfd_gettime) {
    int fd = (int)a0;
    uint64_t ucurr = a1;
    struct timerfd *t;
    long err = get_timerfd(fd, &t);
    if (err)
        return err;
    uint64_t irq = local_irq_save();
    struct k_itimerspec it = get(t);
    local_irq_restore(irq);
    return copy_to_user((void *)ucurr, &it, sizeof it) ? -EFAULT : 0;
}
