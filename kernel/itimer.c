// itimer.c: interval timers - alarm(2), setitimer(2) and getitimer(2).
//
// A process has three, each a value that runs down and an interval it starts again from
// when it fires (0: it stops):
//   ITIMER_REAL     wall-clock time; SIGALRM. alarm(n) is this one, n seconds, no interval.
//   ITIMER_VIRTUAL  the process's CPU time in user mode; SIGVTALRM.
//   ITIMER_PROF     all its CPU time, user and kernel; SIGPROF (profilers sample with it).
// They belong to the process (signal_struct), not to a thread: any thread sets them for
// all, and the signal goes to the process. fork's child starts with none (signal_alloc
// zeroes them); execve keeps them, as POSIX says.
//
// Who counts them down:
//   - the real one, the boot CPU's tick (sched_tick, under the BKL), as it does sleepers'
//     wake_at: an armed timer's expiry is an absolute time, and the tick looks at the
//     processes only once the earliest of them has come (next_real).
//   - the CPU ones, the tick of whichever CPU runs a thread of the process
//     (sched_tick_local, without the BKL, maybe on several CPUs at once: the count is an
//     atomic). A tick that runs one down may not send a signal (that needs the BKL), so it
//     marks the thread (itimer_due), which sends it on its way back to user mode.
// Like the tick, they have its resolution: 10 ms.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#define NS_PER_US  1000ull
#define NS_PER_SEC 1000000000ull
#define TICK_NS    (NS_PER_SEC / HZ)

struct k_timeval { int64_t sec, usec; };
struct k_itimerval { struct k_timeval interval, value; };

// The earliest expiry of any armed real timer, or later (under the BKL).
static uint64_t next_real = UINT64_MAX;

static struct k_timeval to_timeval(uint64_t ns) {
    uint64_t us = (ns + NS_PER_US - 1) / NS_PER_US;     // a timer still armed never shows 0
    return (struct k_timeval){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

static bool valid(const struct k_timeval *tv) {
    return tv->sec >= 0 && tv->usec >= 0 && tv->usec < 1000000;
}

static uint64_t to_ns(const struct k_timeval *tv) {
    uint64_t max_sec = UINT64_MAX / NS_PER_SEC / 2;     // far enough: never fires
    uint64_t sec = (uint64_t)tv->sec < max_sec ? (uint64_t)tv->sec : max_sec;
    return sec * NS_PER_SEC + (uint64_t)tv->usec * NS_PER_US;
}

// The timer `which` of sig as getitimer reports it.
static struct k_itimerval get(struct signal_struct *sig, int which) {
    struct k_itimerval it;
    if (which == ITIMER_REAL) {
        uint64_t now = time_since_boot_ns(), exp = sig->it_real_expires;
        it.value = to_timeval(!exp ? 0 : exp > now ? exp - now : 1);
        it.interval = to_timeval(sig->it_real_interval);
    } else {
        int64_t left = __atomic_load_n(&sig->it_cpu_left[which - 1], __ATOMIC_RELAXED);
        it.value = to_timeval(left > 0 ? (uint64_t)left : 0);
        it.interval = to_timeval(sig->it_cpu_interval[which - 1]);
    }
    return it;
}

static void set(struct signal_struct *sig, int which, const struct k_itimerval *it) {
    uint64_t value = to_ns(&it->value), interval = to_ns(&it->interval);
    if (which == ITIMER_REAL) {
        sig->it_real_interval = interval;
        sig->it_real_expires = value ? time_since_boot_ns() + value : 0;
        if (value && sig->it_real_expires < next_real) {
            next_real = sig->it_real_expires;
            sched_timer_armed();         // it fires on time, not at a tick (sched.c)
        }
    } else {
        sig->it_cpu_interval[which - 1] = interval;
        __atomic_store_n(&sig->it_cpu_left[which - 1], (int64_t)value, __ATOMIC_RELAXED);
    }
}

SYSCALL(getitimer) {
    int which = (int)a0;
    uint64_t ucurr = a1;
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    struct k_itimerval it = get(current()->signal, which);
    return copy_to_user((void *)ucurr, &it, sizeof it) ? -EFAULT : 0;
}

// A NULL new value disarms the timer (Linux accepts it, with a warning in its log).
SYSCALL(setitimer) {
    int which = (int)a0;
    uint64_t unew = a1, uold = a2;
    struct k_itimerval it = { { 0, 0 }, { 0, 0 } };
    if (unew && copy_from_user(&it, (const void *)unew, sizeof it))
        return -EFAULT;
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    if (!valid(&it.value) || !valid(&it.interval))
        return -EINVAL;
    struct signal_struct *sig = current()->signal;
    struct k_itimerval old = get(sig, which);
    if (uold && copy_to_user((void *)uold, &old, sizeof old))
        return -EFAULT;
    set(sig, which, &it);
    return 0;
}

// The seconds the last alarm had left, rounded to the nearest (Linux: but never 0 for one
// still armed).
SYSCALL(alarm) {
    unsigned int seconds = (unsigned int)a0;
    struct signal_struct *sig = current()->signal;
    struct k_itimerval old = get(sig, ITIMER_REAL);
    struct k_itimerval it = { { 0, 0 }, { (int64_t)seconds, 0 } };
    set(sig, ITIMER_REAL, &it);
    if ((old.value.sec == 0 && old.value.usec) || old.value.usec >= 500000)
        old.value.sec++;
    return old.value.sec;
}

// The earliest expiry of any real-time timer: ITIMER_REAL, POSIX timers, timerfds.
uint64_t itimer_next_expiry(void) {
    uint64_t p = ptimer_next_expiry(), t = timerfd_next_expiry();
    uint64_t first = p < t ? p : t;
    return next_real < first ? next_real : first;
}

// When the earliest real-time timer is due, under the BKL on the boot CPU (its tick, or
// the wake timer: sched.c): SIGALRM to every process whose real timer is due, and the
// POSIX timers' and timerfds' expiries.
void itimer_tick(uint64_t now) {
    ptimer_tick(now);
    timerfd_tick(now);
    if (now < next_real)
        return;
    next_real = UINT64_MAX;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        struct signal_struct *sig = p->signal;
        if (p != p->group_leader || !sig || !sig->it_real_expires)
            continue;
        if (sig->nr_threads == 0) {
            sig->it_real_expires = 0;            // the process is over
            continue;
        }
        if (sig->it_real_expires <= now) {
            signal_send(p, SIGALRM, SI_KERNEL, 0, 0, 0);
            // Periods missed meanwhile are not made up: one signal, the next one period on.
            uint64_t iv = sig->it_real_interval, next = sig->it_real_expires + iv;
            sig->it_real_expires = !iv ? 0 : next > now ? next : now + iv;
        }
        if (sig->it_real_expires && sig->it_real_expires < next_real)
            next_real = sig->it_real_expires;
    }
}

// One tick of CPU time for `cur` (in user mode or not), from its CPU's tick: count its
// process's CPU timers down, and mark it to send what fired (itimer_send_due).
void itimer_charge(struct proc *cur, bool user) {
    struct signal_struct *sig = cur->signal;
    for (int i = user ? 0 : 1; i < 2; i++) {
        int64_t *left = &sig->it_cpu_left[i];
        if (__atomic_load_n(left, __ATOMIC_RELAXED) <= 0)
            continue;
        int64_t now_left = __atomic_sub_fetch(left, (int64_t)TICK_NS, __ATOMIC_RELAXED);
        if (now_left <= 0 && now_left > -(int64_t)TICK_NS) {   // this tick ran it down
            // The next period: an interval shorter than a tick fires at every tick (at
            // least 1 ns left, or the timer would look disarmed). A tick of another CPU
            // between the subtraction and this store is lost: a few ms of one period.
            int64_t iv = (int64_t)sig->it_cpu_interval[i], next = now_left + iv;
            __atomic_store_n(left, iv ? (next > 0 ? next : 1) : 0, __ATOMIC_RELAXED);
            __atomic_fetch_or(&cur->itimer_due, 1u << i, __ATOMIC_RELAXED);
        }
    }
}

// On the way back to user mode, under the BKL: the signals of the CPU timers that fired.
void itimer_send_due(struct proc *p) {
    uint32_t due = __atomic_exchange_n(&p->itimer_due, 0, __ATOMIC_RELAXED);
    if (due & 1)
        signal_send(p, SIGVTALRM, SI_KERNEL, 0, 0, 0);
    if (due & 2)
        signal_send(p, SIGPROF, SI_KERNEL, 0, 0, 0);
}
