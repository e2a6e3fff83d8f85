// ptimer.c: POSIX timers - timer_create, timer_settime, timer_gettime, timer_getoverrun and
// timer_delete.
//
// What setitimer's three timers are, but as many as a process wants (up to PTIMER_MAX
// here), each on a clock of its choosing and with a signal of its choosing, sent to the
// process or to one of its threads (SIGEV_THREAD_ID: glibc's SIGEV_THREAD timers are that,
// aimed at a helper thread it starts), with a value (si_value) and the timer's id (si_tid)
// in the siginfo. A timer that fires while its last signal is still pending is not sent
// again: it counts an overrun, which the next signal carries (si_overrun) and
// timer_getoverrun reports. Timers sharing a signal each have their own pending one.
//
// They belong to the process (signal_struct's ptimers, made at the first timer_create):
// fork's child has none, and execve and the exit of the last thread delete them all.
// Clocks: CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME (the same here: no suspend).
// A timer's expiry is kept as time since boot; an absolute CLOCK_REALTIME time is turned
// into that when the timer is set (Linux would also move it when the clock is set; here
// it is not). And the CPU-time clocks - the process's, the calling thread's, or another
// of its threads' or another process's (a dynamic clock id, as clock_getcpuclockid gives):
// their expiry is CPU time, looked at on each tick, which is also all that CPU time
// counts in (so they fire to the tick, as Linux's do). The alarm clocks are refused.
//
// Locking: the BKL. The boot CPU's tick (sched_tick) fires them, as the real itimer.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

#define PTIMER_FIRST 16          // a process's first table of timers; it doubles when full
#define PTIMER_MAX 32768         // (Linux's limit: RLIMIT_SIGPENDING's worth of signals)

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME  7
#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD    2
#define SIGEV_THREAD_ID 4
#define TIMER_ABSTIME   1

struct k_sigevent { uint64_t value; int32_t signo, notify, tid, pad[11]; };   // 64 bytes

struct ptimer {
    int clock, notify, signo, tid;  // tid: SIGEV_THREAD_ID's thread
    uint64_t value;                 // si_value
    uint64_t expires, interval;     // ns since boot, or of CPU time (0: disarmed), ns
    int overrun, overrun_last;      // fired while pending; what the last signal carried
    // A CPU-time clock's owner: a thread (cpu_thread) or a process, by id and start time
    // (an id used again is someone else: the timer never fires then). cpu_pid 0: not one.
    int cpu_pid;
    bool cpu_thread;
    uint64_t cpu_start_ns;
    // New at timer_create and at each timer_settime (from last_seq): a signal sent before
    // is stale, and thrown away when taken (Linux's it_signal_seq). Its pending info
    // carries the seq it was sent with.
    unsigned seq;
};

#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define NS_PER_TICK (1000000000ull / HZ)

static int cpu_timers;              // armed CPU-time timers: the tick looks at them all
static unsigned last_seq;           // the last seq given out: unique, so that a timer made
                                    // again with a deleted one's id never owns its signal

// The owner of a CPU-time clock, as clock_gettime finds it (sys_time.c): the caller's
// process or thread, or a dynamic id's - a thread of the caller's process, or a process's
// leader. -EINVAL for any other clock, or an owner that does not exist.
static long cpu_clock_of(int clock, struct ptimer *t) {
    struct proc *me = current(), *p;
    if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
        t->cpu_thread = clock == CLOCK_THREAD_CPUTIME_ID;
        p = t->cpu_thread ? me : me->group_leader;
    } else if (clock < 0 && (clock & 3) != 3) {
        int pid = ~(clock >> 3);
        t->cpu_thread = clock & 4;
        p = pid == 0 ? (t->cpu_thread ? me : me->group_leader) : proc_find(pid);
        if (!p || (t->cpu_thread && p->signal != me->signal) ||
            (!t->cpu_thread && !thread_group_leader(p)))
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    t->cpu_pid = p->pid;
    t->cpu_start_ns = p->start_ns;
    return 0;
}

// A CPU-time timer's clock now, in ns; false if its owner is gone. A process's clock lives
// as long as any of its threads does: its leader may have ended (pthread_exit in main) and
// wait, a zombie, for the others.
static bool cpu_now(const struct ptimer *t, uint64_t *ns) {
    struct proc *p = proc_find(t->cpu_pid);
    if (!p || p->start_ns != t->cpu_start_ns || !p->signal)
        return false;
    if (t->cpu_thread ? p->state == PROC_ZOMBIE : p->signal->nr_threads == 0)
        return false;
    *ns = (t->cpu_thread ? p->ticks : group_ticks(p->group_leader)) * NS_PER_TICK;
    return true;
}

// The timer's clock now: CPU time, or time since boot.
static uint64_t clock_now(const struct ptimer *t) {
    uint64_t ns = 0;
    if (t->cpu_pid)
        cpu_now(t, &ns);
    else
        ns = time_since_boot_ns();
    return ns;
}

struct ptimers { int n; struct ptimer *t[]; };   // by id, 0 .. n - 1

static uint64_t next_expiry = UINT64_MAX;   // the earliest of every armed timer, or later

static struct ptimer *lookup(int id) {
    struct ptimers *pt = current()->signal->ptimers;
    return pt && id >= 0 && id < pt->n ? pt->t[id] : NULL;
}

// The process's table, twice as big (or a first one), its timers moved over; NULL at the
// limit or out of memory. Swapped in with interrupts off, as ptimers_delete_all takes it
// away: the boot CPU's tick may walk it in between (every other reader holds the BKL).
static struct ptimers *grow(struct signal_struct *sig) {
    struct ptimers *old = sig->ptimers;
    int n = old ? old->n * 2 : PTIMER_FIRST;
    struct ptimers *pt = n <= PTIMER_MAX ? kzalloc(sizeof *pt + n * sizeof pt->t[0]) : NULL;
    if (!pt)
        return NULL;
    pt->n = n;
    uint64_t f = local_irq_save();
    for (int i = 0; old && i < old->n; i++)
        pt->t[i] = old->t[i];
    sig->ptimers = pt;
    local_irq_restore(f);
    kfree(old);
    return pt;
}

// The event as Linux checks it: a signal number for the kinds that send one, and a thread
// of the caller's own process for SIGEV_THREAD_ID.
static long check_event(const struct k_sigevent *ev) {
    if (ev->notify != SIGEV_SIGNAL && ev->notify != SIGEV_NONE && ev->notify != SIGEV_THREAD_ID)
        return -EINVAL;              // SIGEV_THREAD is the C library's, never the kernel's
    if (ev->notify != SIGEV_NONE && (ev->signo < 1 || ev->signo > NSIG_MAX))
        return -EINVAL;
    if (ev->notify == SIGEV_THREAD_ID) {
        struct proc *t = proc_find(ev->tid);
        if (!t || t->tgid != current()->tgid || t->state == PROC_ZOMBIE)
            return -EINVAL;
    }
    return 0;
}

SYSCALL(timer_create) {
    int clock = (int)a0;
    uint64_t uevent = a1, uid = a2;
    struct ptimer cpu = { 0 };
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
        cpu_clock_of(clock, &cpu))
        return -EINVAL;
    struct k_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
    if (uevent && copy_from_user(&ev, (const void *)uevent, sizeof ev))
        return -EFAULT;
    long err = check_event(&ev);
    if (err)
        return err;
    struct signal_struct *sig = current()->signal;
    int id = 0;
    while (sig->ptimers && id < sig->ptimers->n && sig->ptimers->t[id])
        id++;
    if ((!sig->ptimers || id == sig->ptimers->n) && !grow(sig))
        return -EAGAIN;
    struct ptimer *t = kzalloc(sizeof *t);
    if (!t)
        return -EAGAIN;
    *t = (struct ptimer){ clock, ev.notify, ev.signo, ev.tid, uevent ? ev.value : (uint64_t)id,
                          0, 0, 0, 0, cpu.cpu_pid, cpu.cpu_thread, cpu.cpu_start_ns,
                          ++last_seq };
    if (copy_to_user((void *)uid, &id, sizeof id)) {
        kfree(t);
        return -EFAULT;
    }
    sig->ptimers->t[id] = t;
    return 0;
}

static struct k_itimerspec get(const struct ptimer *t) {
    uint64_t now = clock_now(t);
    uint64_t left = !t->expires ? 0 : t->expires > now ? t->expires - now : 1;
    return (struct k_itimerspec){ ns_k_timespec(t->interval), ns_k_timespec(left) };
}

SYSCALL(timer_settime) {
    int id = (int)a0, flags = (int)a1;
    uint64_t unew = a2, uold = a3;
    struct ptimer *t = lookup(id);
    if (!t)
        return -EINVAL;
    struct k_itimerspec it;
    if (copy_from_user(&it, (const void *)unew, sizeof it))
        return -EFAULT;
    if (!k_timespec_valid(&it.value) || !k_timespec_valid(&it.interval))
        return -EINVAL;
    uint64_t ignored;
    if (t->cpu_pid && !cpu_now(t, &ignored))
        return -ESRCH;                   // the clock's thread or process is gone (Linux's)
    struct k_itimerspec old = get(t);
    if (uold && copy_to_user((void *)uold, &old, sizeof old))
        return -EFAULT;
    uint64_t now = clock_now(t), value = k_timespec_ns(&it.value);
    if (t->cpu_pid && t->expires)
        cpu_timers--;
    if (value && (flags & TIMER_ABSTIME) && t->cpu_pid) {   // a CPU time
        t->expires = value > now ? value : now;
    } else if (value && (flags & TIMER_ABSTIME)) {   // an absolute time on the timer's clock
        uint64_t base = t->clock == CLOCK_REALTIME ? (uint64_t)time_realtime_offset_ns() : 0;
        value = value > base ? value - base : 0;   // as time since boot
        t->expires = value > now ? value : now;    // already past: fires at the next tick
    } else {
        t->expires = value ? now + value : 0;
    }
    t->interval = k_timespec_ns(&it.interval);
    t->overrun = 0;
    t->seq = ++last_seq;
    if (t->cpu_pid && t->expires)
        cpu_timers++;
    else if (t->expires && t->expires < next_expiry) {
        next_expiry = t->expires;
        sched_timer_armed();             // it fires on time, not at a tick (sched.c)
    }
    return 0;
}

SYSCALL(timer_gettime) {
    int id = (int)a0;
    uint64_t ucurr = a1;
    struct ptimer *t = lookup(id);
    if (!t)
        return -EINVAL;
    struct k_itimerspec it = get(t);
    return copy_to_user((void *)ucurr, &it, sizeof it) ? -EFAULT : 0;
}

SYSCALL(timer_getoverrun) {
    int id = (int)a0;
    struct ptimer *t = lookup(id);
    return t ? t->overrun_last : -EINVAL;
}

SYSCALL(timer_delete) {
    int id = (int)a0;
    struct ptimer *t = lookup(id);
    if (!t)
        return -EINVAL;
    current()->signal->ptimers->t[id] = NULL;
    if (t->cpu_pid && t->expires)
        cpu_timers--;
    kfree(t);
    return 0;
}

// execve, and the end of the process: every timer goes. The table leaves the process
// first, with interrupts off: the boot CPU's tick, which walks every process's timers
// under the BKL, may come in the middle of an exec on that CPU (the adversary's panic:
// the tick met timers freed and not yet taken off the table).
void ptimers_delete_all(struct signal_struct *sig) {
    uint64_t f = local_irq_save();
    struct ptimers *pt = sig->ptimers;
    sig->ptimers = NULL;
    for (int i = 0; pt && i < pt->n; i++)
        if (pt->t[i] && pt->t[i]->cpu_pid && pt->t[i]->expires)
            cpu_timers--;
    local_irq_restore(f);
    if (!pt)
        return;
    for (int i = 0; i < pt->n; i++)
        kfree(pt->t[i]);
    kfree(pt);
}

// Timer id of leader's process is due: its signal, or an overrun if the last one is still
// pending. The siginfo: si_code SI_TIMER, si_tid the id, si_value; si_overrun when taken.
static void fire(struct proc *leader, int id, struct ptimer *t) {
    if (t->notify == SIGEV_NONE)
        return;
    struct proc *target = leader;
    if (t->notify == SIGEV_THREAD_ID) {
        target = proc_find(t->tid);
        if (!target || target->tgid != leader->tgid)
            return;                  // the thread is gone
    }
    // Only this timer's own last signal counts, as Linux's per-timer sigqueue: the same
    // signal pending from another timer or from sigqueue does not stop this one's. A
    // stale one (sent before the timer was last set) becomes this one, where it waits.
    bool to_thread = t->notify == SIGEV_THREAD_ID;
    struct ksiginfo *queued = signal_timer_queued(target, t->signo, id, to_thread);
    if (queued && (unsigned)queued->status != t->seq) {
        queued->status = (int)t->seq;
    } else if (queued) {
        t->overrun++;                // the last one is still waiting to be taken
    } else {
        signal_send_timer(target, t->signo, id, t->value, to_thread, t->seq);
    }
}

// The timer's signal is being taken (dequeue_signal): the overruns it carries are those
// counted until now; timer_getoverrun reports them from then on.
int ptimer_overruns_at_delivery(struct signal_struct *sig, int id, unsigned seq) {
    struct ptimers *pt = sig->ptimers;
    struct ptimer *t = pt && id >= 0 && id < pt->n ? pt->t[id] : NULL;
    if (!t || t->seq != seq)
        return -1;                   // deleted meanwhile, or set again: stale
    t->overrun_last = t->overrun;
    t->overrun = 0;
    return t->overrun_last;
}

uint64_t ptimer_next_expiry(void) { return next_expiry; }

// Fires the due timers of one kind: on the CPU-time clocks (cpu), or on the others, whose
// earliest expiry it finds again. Under the BKL, on the boot CPU.
static void fire_due(uint64_t boot_ns, bool cpu) {
    if (!cpu)
        next_expiry = UINT64_MAX;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        struct signal_struct *sig = p->signal;
        if (p != p->group_leader || !sig || !sig->ptimers || sig->nr_threads == 0)
            continue;
        for (int id = 0; id < sig->ptimers->n; id++) {
            struct ptimer *t = sig->ptimers->t[id];
            uint64_t now = boot_ns;
            if (!t || !t->expires || (t->cpu_pid != 0) != cpu)
                continue;
            if (cpu && !cpu_now(t, &now)) {
                t->expires = 0;          // its clock's owner is gone: it never fires, and
                cpu_timers--;            // the tick need not look at it again
                continue;
            }
            if (t->expires <= now) {
                // Periods that passed unseen (the boot CPU was busy, or no local APIC to
                // fire the wake timer: ticks of 10 ms) count as overruns, as Linux's.
                uint64_t missed = t->interval ? (now - t->expires) / t->interval : 0;
                t->overrun += (int)missed;
                fire(p, id, t);
                t->expires = t->interval ? t->expires + (missed + 1) * t->interval : 0;
                if (cpu && !t->expires)
                    cpu_timers--;        // a one-shot CPU timer has fired: disarmed
            }
            if (!cpu && t->expires && t->expires < next_expiry)
                next_expiry = t->expires;
        }
    }
}

// When the earliest timer is due, under the BKL on the boot CPU: its tick or the wake
// timer (sched.c, via itimer_tick).
void ptimer_tick(uint64_t now) {
    if (now >= next_expiry)
        fire_due(now, false);
}

// Each tick of the boot CPU (sched_tick): CPU time moves only in ticks. Firing needs the
// BKL; a tick without it (time.c's timer_tick_needs_bkl) found none armed a moment before,
// and one armed since then fires at a later tick.
void ptimer_cpu_tick(void) {
    if (cpu_timers && bkl_held())
        fire_due(0, true);
}

bool ptimer_cpu_timers_armed(void) { return cpu_timers != 0; }
