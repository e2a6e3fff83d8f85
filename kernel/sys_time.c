// sys_time.c: the clock and sleep system calls (kernel/time.c is the hardware side).
//
// Most programs never come here for the time: the vDSO (vdso/) answers CLOCK_REALTIME,
// MONOTONIC, BOOTTIME and the coarse clocks in user mode. These are the same answers, for
// programs that make the system call, and everything the vDSO passes on.
//
// Clock ids, as Linux numbers them:
//   0..11    the static clocks (10, CLOCK_SGI_CYCLE, is gone: EINVAL);
//   < 0      "dynamic" CPU-time clocks of a process or thread, (~pid << 3) | type, with
//            bit 2 set for a thread (clock_getcpuclockid, pthread_getcpuclockid), or, when
//            the low three bits are 3, a clock device's file descriptor (none here).
#include <stdint.h>
#include "errno.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"
#include "../vdso/vvar.h"

struct timespec { int64_t tv_sec, tv_nsec; };
struct timeval { int64_t tv_sec, tv_usec; };
struct timezone { int32_t tz_minuteswest, tz_dsttime; };

#define TIMER_ABSTIME 1
#define NS_PER_TICK (NSEC_PER_SEC / HZ)
// Linux's TIME_SETTOD_SEC_MAX: KTIME_SEC_MAX less 30 years of uptime.
#define SETTOD_SEC_MAX (9223372036ll - 30ll * 31536000)

static bool fd_clock(int clock) { return clock < 0 && (clock & 7) == 3; }

// CPU time, from the timer ticks a thread ran (so: to the tick). A process's is its
// threads', live and gone (exit.c's group_ticks, as getrusage counts it).
static uint64_t thread_cpu_ns(struct proc *t) { return t->ticks * NS_PER_TICK; }

static uint64_t process_cpu_ns(struct proc *p) { return group_ticks(p->group_leader) * NS_PER_TICK; }

// The thread or process a dynamic CPU-time clock measures (Linux's lookup_task): pid 0 is
// the caller; a thread clock must be of a thread of the caller's process; a process clock
// of a process's leader (or the caller). 0, or -EINVAL.
static long cpu_clock_owner(int clock, struct proc **owner, bool *thread) {
    int type = clock & 3, pid = ~(clock >> 3);   // type 0 PROF, 1 VIRT, 2 SCHED: all ticks
    *thread = clock & 4;
    if (type == 3)
        return -EINVAL;
    struct proc *me = current(), *p = pid == 0 ? me : proc_find(pid);
    if (!p || (*thread && p->signal != me->signal) ||
        (!*thread && p != me && !thread_group_leader(p)))
        return -EINVAL;
    *owner = p;
    return 0;
}

static long cpu_clock_ns(int clock, uint64_t *ns) {
    struct proc *p;
    bool thread;
    long err = cpu_clock_owner(clock, &p, &thread);
    if (!err)
        *ns = thread ? thread_cpu_ns(p) : process_cpu_ns(p);
    return err;
}

// Reads a clock in ns (since 1970 for the realtime ones, since boot for the others).
// clock_gettime and clock_getres run without the BKL (syscall.c's U entries): the clock
// itself is readable on any CPU at any time (time.c), and so is the caller's own tick
// count. A process's CPU time walks its threads, and a dynamic clock finds another thread
// by pid: those two take the BKL, which guards the thread lists and the process table.
static long clock_read(int clock, uint64_t *ns) {
    struct proc *p = current();
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_TAI:           // TAI: no leap-second offset is set
        *ns = time_realtime_ns();
        return 0;
    case CLOCK_REALTIME_COARSE:
        *ns = time_coarse_ns() + (uint64_t)time_realtime_offset_ns();
        return 0;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME:   // no suspend
        *ns = time_since_boot_ns();
        return 0;
    case CLOCK_MONOTONIC_COARSE:
        *ns = time_coarse_ns();
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID:
        bkl_lock();
        *ns = process_cpu_ns(p);
        bkl_unlock();
        return 0;
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = thread_cpu_ns(p);
        return 0;
    default:                                         // also the alarm clocks: no RTC alarm
        if (clock >= 0 || fd_clock(clock))
            return -EINVAL;
        bkl_lock();
        long err = cpu_clock_ns(clock, ns);
        bkl_unlock();
        return err;
    }
}

static struct timespec ns_to_timespec(uint64_t ns) {
    return (struct timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

static bool timespec_valid(const struct timespec *ts) {
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

// A valid timespec in ns, saturating, as Linux's timespec64_to_ktime: at KTIME_MAX (2^63 - 1
// ns, 292 years), a sleep for ever - whose end, now + KTIME_MAX, saturates there too
// (add_sat, as ktime_add_safe): an interrupted one's rem is KTIME_MAX less the time since
// boot, on Linux as here.
#define KTIME_MAX ((uint64_t)INT64_MAX)
static uint64_t timespec_to_ns(const struct timespec *ts) {
    if ((uint64_t)ts->tv_sec >= KTIME_MAX / NSEC_PER_SEC)
        return KTIME_MAX;
    return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
    return a + b < a || a + b > KTIME_MAX ? KTIME_MAX : a + b;
}

SYSCALL(clock_gettime) {
    int clockid = (int)a0;
    uint64_t tp = a1;
    uint64_t ns;
    long err = clock_read(clockid, &ns);          // a clockid_t, an int
    if (err)
        return err;
    struct timespec ts = ns_to_timespec(ns);
    return copy_to_user((void *)tp, &ts, sizeof ts);
}

SYSCALL(clock_getres) {
    uint64_t ures = a1;
    int clock = (int)a0;
    uint64_t ns;
    long err = clock_read(clock, &ns);
    if (err)
        return err;
    bool coarse = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
    struct timespec res = ns_to_timespec(coarse ? NS_PER_TICK : 1);   // NULL: just validate
    return ures ? copy_to_user((void *)ures, &res, sizeof res) : 0;
}

SYSCALL(gettimeofday) {
    uint64_t utv = a0, utz = a1;
    if (utv) {
        uint64_t ns = time_realtime_ns();
        struct timeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
        if (copy_to_user((void *)utv, &tv, sizeof tv))
            return -EFAULT;
    }
    if (utz) {
        struct timezone tz;
        time_get_tz(&tz.tz_minuteswest, &tz.tz_dsttime);
        if (copy_to_user((void *)utz, &tz, sizeof tz))
            return -EFAULT;
    }
    return 0;
}

SYSCALL(time) {
    uint64_t tloc = a0;
    int64_t sec = (int64_t)(time_realtime_ns() / NSEC_PER_SEC);
    if (tloc && copy_to_user((void *)tloc, &sec, sizeof sec))
        return -EFAULT;
    return sec;
}

// Everyone is root: setting the clock is allowed (CAP_SYS_TIME), as Linux checks it.
static long set_realtime(const struct timespec *ts) {
    if (!timespec_valid(ts) || ts->tv_sec > SETTOD_SEC_MAX)
        return -EINVAL;
    if (time_set_realtime_ns(timespec_to_ns(ts)))
        return -EINVAL;
    timerfd_clock_was_set();
    return 0;
}

SYSCALL(settimeofday) {
    uint64_t utv = a0, utz = a1;
    struct timeval tv;
    struct timezone tz;
    if (utv) {
        if (copy_from_user(&tv, (const void *)utv, sizeof tv))
            return -EFAULT;
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EINVAL;
    }
    if (utz && copy_from_user(&tz, (const void *)utz, sizeof tz))
        return -EFAULT;
    struct timespec ts = { utv ? tv.tv_sec : 0, utv ? tv.tv_usec * 1000 : 0 };
    if (utv && (!timespec_valid(&ts) || ts.tv_sec > SETTOD_SEC_MAX))
        return -EINVAL;
    if (utz) {
        if (tz.tz_minuteswest < -15 * 60 || tz.tz_minuteswest > 15 * 60)
            return -EINVAL;
        // Linux also "warps" the clock by the zone the first time, if the RTC keeps local
        // time; ours keeps UTC (QEMU's default), so the zone is only remembered.
        time_set_tz(tz.tz_minuteswest, tz.tz_dsttime);
    }
    return utv ? set_realtime(&ts) : 0;
}

SYSCALL(clock_settime) {
    uint64_t tp = a1;
    int clock = (int)a0;
    struct timespec ts;
    if (clock >= 0 && clock != CLOCK_REALTIME)
        return -EINVAL;                 // no other static clock can be set
    if (copy_from_user(&ts, (const void *)tp, sizeof ts))
        return -EFAULT;
    if (clock == CLOCK_REALTIME)
        return set_realtime(&ts);
    uint64_t ns;
    if (fd_clock(clock) || cpu_clock_ns(clock, &ns))
        return -EINVAL;
    return -EPERM;                      // CPU time cannot be set
}

// Sleeps until CLOCK_MONOTONIC reaches `end`, without the BKL. 0, or -EINTR if a signal
// came first (then *left is how much was left).
static long sleep_mono(uint64_t end, uint64_t *left) {
    if (sleep_until_unlocked(end))
        return 0;
    uint64_t now = time_since_boot_ns();
    *left = end > now ? end - now : 0;
    return -EINTR;
}

// The CPU time a sleep on `clock` waits for: the caller's process's, another process's,
// or another thread's of the caller's process. False if that process or thread is gone -
// or is not the one the sleep began with (*born: its start time, noted at the first look),
// its pid or tid taken by another since.
static bool sleep_clock_ns(int clock, uint64_t *ns, uint64_t *born) {
    struct proc *owner = current();
    bool thread = false;
    if (clock != CLOCK_PROCESS_CPUTIME_ID && cpu_clock_owner(clock, &owner, &thread))
        return false;
    if (*born && owner->start_ns != *born)
        return false;
    *born = owner->start_ns;
    *ns = thread ? thread_cpu_ns(owner) : process_cpu_ns(owner);
    return true;
}

// Sleeps until the CPU time that `clock` measures reaches `end`: it advances only while
// other threads run, so look again at every tick. 0, or -EINTR as sleep_mono. The owner
// is looked up again each time (another process may exit and be reaped meanwhile, and
// its struct proc freed; another thread may exit); once it is gone, its time stands
// still, and the sleep lasts until a signal, as Linux's. BKL.
static long sleep_cpu(int clock, uint64_t end, uint64_t born, uint64_t used, uint64_t *left) {
    for (;;) {
        (void)sleep_clock_ns(clock, &used, &born);
        if (used >= end)
            return 0;
        if (!sleep_until(time_since_boot_ns() + NS_PER_TICK)) {
            *left = end - used;
            return -EINTR;
        }
    }
}

// A sleep on a CPU-time clock, under the BKL (the owner is found, and its time summed,
// under it). As Linux: no such process or thread, or the caller's own thread clock, is
// EINVAL.
static long sleep_on_cpu_clock(int clock, uint64_t ns, bool abs, uint64_t *left) {
    struct proc *owner = current();
    bool thread = false;
    uint64_t used = 0, born = 0;
    long err = -EINVAL;
    bkl_lock();
    bool own_thread = clock < 0 && !cpu_clock_owner(clock, &owner, &thread) && thread &&
                      owner == current();
    if (!own_thread && sleep_clock_ns(clock, &used, &born))
        err = sleep_cpu(clock, abs ? ns : add_sat(used, ns), born, used, left);
    bkl_unlock();
    return err;
}

// What clock_nanosleep can sleep on: 1 for the wall and monotonic clocks, 2 for a
// process's CPU time, or a negative errno - in Linux's order: an unknown clock is EINVAL,
// a known one that cannot sleep EOPNOTSUPP (both before the request is even read).
static long sleep_kind(int clock) {
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
        return 1;
    case CLOCK_PROCESS_CPUTIME_ID:
        return 2;
    case CLOCK_THREAD_CPUTIME_ID: case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM:
        return -EOPNOTSUPP;
    default:
        if (clock >= 0)
            return -EINVAL;
        return fd_clock(clock) ? -EOPNOTSUPP : 2;
    }
}

// nanosleep and clock_nanosleep, without the BKL (syscall.c's U calls) but for a sleep on
// a CPU-time clock. A signal whose handler runs ends the sleep with EINTR,
// with or without SA_RESTART; rem gets what was left, for relative sleeps only. A stop
// and continue restarts the call with its arguments - an absolute sleep exactly as Linux,
// a relative one for its whole length again, where Linux's restart_block sleeps only
// what was left (that needs per-thread restart state).
static long do_nanosleep(int clock, int flags, u64 ureq, u64 urem) {
    long kind = sleep_kind(clock);
    if (kind < 0)
        return kind;
    struct timespec req;
    if (copy_from_user(&req, (const void *)ureq, sizeof req))
        return -EFAULT;
    if (!timespec_valid(&req))
        return -EINVAL;
    bool abs = flags & TIMER_ABSTIME;
    uint64_t ns = timespec_to_ns(&req), left = 0;
    long err;
    if (kind == 2) {
        err = sleep_on_cpu_clock(clock, ns, abs, &left);
    } else if (abs) {
        // The wall clocks as CLOCK_MONOTONIC: realtime - offset. (Linux would also wake
        // the sleeper early if the clock were set meanwhile; here it is converted once.)
        bool wall = clock == CLOCK_REALTIME || clock == CLOCK_TAI;
        int64_t off = wall ? time_realtime_offset_ns() : 0;
        uint64_t end = off > 0 && ns < (uint64_t)off ? 0 : ns - (uint64_t)off;
        err = sleep_mono(end, &left);
    } else {
        err = sleep_mono(add_sat(time_since_boot_ns(), ns), &left);
    }
    if (err != -EINTR)
        return err;
    if (!abs && urem) {
        struct timespec rem = ns_to_timespec(left);
        if (copy_to_user((void *)urem, &rem, sizeof rem))
            return -EFAULT;
    }
    // A handler runs: EINTR (SA_RESTART or not, as Linux's restart_block). Stopped and
    // continued, with no handler: the way out restarts the call (see above).
    return -ERESTARTNOHAND;
}

SYSCALL(nanosleep) {
    uint64_t req = a0, rem = a1;
    return do_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
SYSCALL(clock_nanosleep) {
    int clockid = (int)a0, flags = (int)a1;
    uint64_t request = a2, remain = a3;
    return do_nanosleep(clockid, flags, request, remain);
}
