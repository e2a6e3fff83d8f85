// sched.c: the scheduler - the part of the kernel that decides, whenever an event makes it
// relevant (a timer tick, a process going to sleep, a wakeup), which process the CPU runs.
//
// The idle loop, scheduler(), runs on the boot stack. It picks the next runnable process
// round-robin and switches to it; the process runs until it goes back through schedule():
// because it sleeps, yields, or exits. A process in user mode is preempted by the timer: the
// tick counts its slice down, and on the way back to user mode (return_to_user in trap.c)
// a process whose slice is used up yields. The kernel itself is never preempted: a process
// in kernel mode runs until it sleeps or returns to user mode.
//
// Every CPU runs this same loop, on its own stack, over one global run queue: the process
// table's RUNNABLE entries. Any CPU may pick any runnable process (so processes migrate
// freely); a CPU with nothing to run halts until an interrupt - its timer tick, or the
// reschedule IPI that a wakeup on another CPU sends it (smp_kick_idle_cpu). A woken
// process that finds no halted CPU preempts the process of the CPU that woke it
// (wake_preempt); the parent an exiting child wakes takes the child's CPU (sched_wake_here).
//
// Locking: the big kernel lock (smp.c) guards the process table and therefore the run
// queue, as xv6's ptable lock does. The idle loop holds it while it picks a process and
// through the switch; the process returns it on its way to user mode, or hands it back by
// switching to the idle loop when it sleeps. Between a sleeper's last look at its condition
// and its switch away the lock is never let go, so a wakeup from another CPU cannot slip
// in between and be lost. Per-CPU state (need_resched, the idle loop's stack) is in percpu.h.
// One global queue under one lock is the simplest design that is obviously right; at 4
// CPUs the lock is held for microseconds per switch, not the bottleneck (see the report).
#include <stdbool.h>
#include <stdint.h>
#include "bklstat.h"
#include "cpu.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "spinlock.h"
#include "ksignal.h"
#include "lapic.h"
#include "time.h"
#include "trap.h"
#include "trace.h"
#include "vm.h"
#include "x86.h"

// Per CPU, indexed by its number (percpu.h's id); /proc/stat reads them.
struct cpu_stat cpu_stats[MAX_CPUS];
// Changed by sleep_on and read by wakeup, under the BKL (smp.c).
static int nr_sleeping;                 // so that wakeup() with nobody asleep costs nothing
// Threads waiting for a CPU (state RUNNABLE): changed with their state, under the BKL;
// read without it by sched_yield (sched_others_waiting), hence atomic.
static int nr_runnable;

void sched_set_runnable(struct proc *p) {
    p->state = PROC_RUNNABLE;
    __atomic_add_fetch(&nr_runnable, 1, __ATOMIC_RELAXED);
}

bool sched_others_waiting(void) { return __atomic_load_n(&nr_runnable, __ATOMIC_RELAXED) > 0; }

bool sched_need_resched(void) { return this_cpu()->need_resched; }

bool sched_allowed_here(const struct proc *p) {
    return !p->cpus_allowed || (p->cpus_allowed & (1ull << this_cpu()->id));
}

// Round-robin: the first runnable process after the one that ran last (on any CPU) whose
// affinity allows this CPU, in table order, wrapping around. (Table entries are never freed, so `last` stays a valid pointer.)
static struct proc *pick_next(void) {
    static struct proc *last;
    struct percpu *c = this_cpu();
    // A woken process that preempted (wake_preempt) goes first, out of turn: the round
    // robin's place (last) stays where it was, or the woken would keep resetting it and
    // the same few processes after it would get every turn (Go's garbage collector at
    // -smp 1 waited for ever for a thread that never got one).
    struct proc *woken = c->wake_next;
    c->wake_next = NULL;
    if (woken && woken->state == PROC_RUNNABLE && sched_allowed_here(woken))
        return woken;
    for (struct proc *p = last ? proc_next(last) : NULL; p; p = proc_next(p))
        if (p->state == PROC_RUNNABLE && sched_allowed_here(p))
            return last = p;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_RUNNABLE && sched_allowed_here(p))
            return last = p;
        if (p == last)
            break;
    }
    return NULL;
}

// The idle loop keeps the page tables of the process it ran last (Linux's lazy TLB mode):
// between one process and the next it holds the BKL, so no other CPU can decide meanwhile
// that those tables are no longer used and free them (mm_put_dropping_bkl decides under
// the BKL). Another CPU may still change them: a fault without the BKL only adds entries,
// which no TLB had cached (or, in a process of one thread, running elsewhere, replaces
// one: copy-on-write), and a madvise's shootdown, sent without the BKL, finds this CPU by
// its pml4 and waits until the loop switches or halts, with interrupts on. Loading
// the next process's tables then costs one CR3 write instead of two, and none for a thread
// of the same process. Under QEMU's TCG each write flushes the whole TLB, which every page
// touched afterwards refills: about 6,000 cycles. Before it halts, letting go of the BKL,
// the CPU loads the kernel's own tables: the process may exit on another CPU meanwhile.
static void unload_tables(void) {
    if (ncpus > 1)
        vm_switch(NULL);
}

void scheduler(void) {
    struct percpu *c = this_cpu();
    cli();
    if (!bkl_held())
        kernel_enter();                 // a CPU arriving here for the first time
    for (;;) {
        bkl_held_by(BKL_WHO_SCHED);     // (bklstat.c)
        struct proc *p = pick_next();
        if (!p) {
            // Nothing to do: let go of the kernel and sleep until an interrupt (a wakeup
            // elsewhere sends one, smp_kick_idle_cpu). An IPI that comes between the
            // release and the halt waits for the sti, which wakes the hlt at once.
            c->idle = true;
            unload_tables();
            kernel_exit();
            sti_hlt();
            cli();
            c->idle = false;
            kernel_enter_idle();
            continue;
        }
        p->state = PROC_RUNNING;
        __atomic_sub_fetch(&nr_runnable, 1, __ATOMIC_RELAXED);
        p->last_cpu = c->id;            // where it runs now (ps's PSR)
        p->slice = TIME_SLICE_TICKS;
        c->need_resched = false;
        proc_set_current(p);
        // The x87/SSE registers are always the user's (the kernel never uses them), so they
        // only change hands here: load p's, run p, keep p's.
        fpu_restore(p->fpu);
        TRACE(TR_SWITCH, 0, p->pid, 0);
        swtch(&c->scheduler_rsp, p->context);
        c->bkl_depth = 1;               // the idle loop's own hold on the BKL
        c->wake_here = false;           // (sched_wake_here: only while its thread exits)
        TRACE(TR_SWITCH, p->pid, 0, 0);
        cpu_stats[c->id].ctxt++;             // one more switch to a thread and back (/proc/stat)
        fpu_save(p->fpu);
        // p gave up the CPU. If it was the last thing it did, clean up after it.
        proc_set_current(NULL);
        if (p->state == PROC_DEAD)
            proc_reap(p);
    }
}

// Back to the idle loop, leaving the caller in the state it has set (sleeping, zombie...).
void schedule(void) {
    struct proc *p = current();
    if (p->state == PROC_RUNNING)
        panic("sched: pid %d is still marked running", p->pid);
    if (read_rflags() & RFLAGS_IF)
        panic("sched: called with interrupts on");
    lockdep_assert_none_held("sleeping");
    // The BKL stays held across the switch; our nesting depth of it comes back with us,
    // maybe on another CPU.
    int depth = this_cpu()->bkl_depth, who = this_cpu()->bkl_who;
    swtch(&p->context, this_cpu()->scheduler_rsp);
    this_cpu()->bkl_depth = depth;
    bkl_held_by(who);                   // its system call holds the lock again (bklstat.c)
}

void yield(void) {
    uint64_t f = local_irq_save();
    sched_set_runnable(current());
    schedule();
    local_irq_restore(f);
}

// The earliest wake_at of any timed sleeper, or later: sched_tick looks at the table only
// once this time has come (with thousands of sleepers, a walk every tick would eat the CPU).
// Every timed sleep goes through sleep_on with its wake_at set. BKL, interrupts off.
static uint64_t next_wake = UINT64_MAX;

// The wake timer: a sleep ends when its time comes, not at the tick after it (at HZ=100, a
// 1 ms nanosleep would take 10), as Linux's hrtimers end it; and so does a real-time
// timer fire (ITIMER_REAL, POSIX timers, timerfds: itimer_next_expiry). The boot CPU's local APIC
// timer, which its PIT tick leaves free, is set as a one-shot for next_wake, whenever that
// is less than two ticks away - the tick sets it for a later one when it comes near. Another
// CPU cannot set it: it sends the boot CPU an IPI with the timer's own vector, whose handler
// (sched_wake_timer) wakes whoever is due and sets the timer. Without a local APIC (the
// 8259 PIC, one CPU), sleeps and timers keep the tick's granularity.
#define TICK_NS (1000000000ull / HZ)

static void arm_wake_timer(uint64_t now) {
    uint64_t timers = itimer_next_expiry(), next = timers < next_wake ? timers : next_wake;
    if (next >= now + 2 * TICK_NS || !irq_apic_mode())
        return;
    if (this_cpu()->id == 0)
        lapic_timer_oneshot(next > now ? next - now : 0, T_WAKE_TIMER);
    else
        lapic_send_ipi(cpus[0].apic_id, T_WAKE_TIMER);
}

// Makes every sleeper whose time has come runnable, and finds the next wake time.
static void wake_due_sleepers(uint64_t now) {
    next_wake = UINT64_MAX;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state != PROC_SLEEPING || !p->wake_at)
            continue;
        if (p->wake_at <= now)
            sched_make_runnable(p);     // and wake an idle CPU for it
        else if (p->wake_at < next_wake)
            next_wake = p->wake_at;
    }
}

// The wake timer's interrupt, or another CPU's IPI for it, or the tick: on the boot CPU,
// under the BKL.
void sched_wake_timer(void) {
    uint64_t now = time_since_boot_ns();
    if (now >= next_wake)
        wake_due_sleepers(now);
    if (now >= itimer_next_expiry())
        itimer_tick(now);            // SIGALRM, POSIX timers' signals, timerfds' readers
    arm_wake_timer(now);
}

void sched_timer_armed(void) {
    uint64_t f = local_irq_save();       // (the wake timer's own interrupt sets it too)
    arm_wake_timer(time_since_boot_ns());
    local_irq_restore(f);
}

void sleep_on(void *chan) {
    struct proc *p = current();
    if (p->wake_at && p->wake_at < next_wake) {
        next_wake = p->wake_at;
        arm_wake_timer(time_since_boot_ns());
    }
    p->chan = chan;
    p->state = PROC_SLEEPING;
    nr_sleeping++;
    schedule();
    nr_sleeping--;
    p->chan = NULL;
}

// Wakeup preemption, as Unix has always done for a process that slept (Linux: when the
// sleeper's virtual runtime is behind the running task's): when no CPU is free for the
// woken process, the one running here gives way to it, on its way back to user mode (the
// kernel itself is never preempted), and the woken runs next. Without it a woken thread
// waits its turn of the round robin behind every runnable one, a time slice each: a glibc
// rwlock's writer, woken when the readers leave, found them back every time, and 2000
// writes against 3 looping readers took minutes instead of a fraction of a second
// (smpstress's rwlock phase). A ping-pong through a pipe is not slowed: the
// waker would have slept at once anyway.
static void wake_preempt(struct proc *p) {
    struct percpu *c = this_cpu();
    struct proc *cur = c->current;
    if (!cur || cur == p || c->wake_next || !sched_allowed_here(p))
        return;
    c->wake_next = p;                   // pick_next takes it first
    c->need_resched = true;
}

// An exiting thread is about to give this CPU up for good, so the process its exit wakes
// (the parent in wait4, most often) runs right here, next: no IPI, no other CPU woken
// from its halt - as Linux's WF_SYNC wakeup of a parent. The scheduler clears the flag
// when the thread has switched away.
void sched_wake_here(void) { this_cpu()->wake_here = true; }

// p leaves its sleep: it runs next here if this CPU's thread is exiting; else a CPU halted
// in its idle loop is woken for it, or this one's process gives way to it.
static void wake(struct proc *p) {
    struct percpu *c = this_cpu();
    sched_set_runnable(p);
    if (c->wake_here && !c->wake_next && sched_allowed_here(p)) {
        c->wake_here = false;
        c->wake_next = p;
    } else if (!smp_kick_idle_cpu(p->cpus_allowed)) {
        wake_preempt(p);
    }
}

void wakeup(void *chan) {
    if (nr_sleeping == 0)
        return;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_SLEEPING && p->chan == chan) {
            TRACE(TR_WAKEUP, p->pid, 0, 0);
            wake(p);
        }
    }
}

void sched_make_runnable(struct proc *p) {
    if (p->state == PROC_SLEEPING)
        wake(p);
}

bool sleep_until(uint64_t ns) {
    struct proc *p = current();
    uint64_t f = local_irq_save();
    bool completed = true;
    while (time_since_boot_ns() < ns) {
        if (signal_pending(p)) {
            completed = false;
            break;
        }
        p->wake_at = ns;
        sleep_on(&p->wake_at);
    }
    p->wake_at = 0;
    local_irq_restore(f);
    return completed;
}

// The timer tick of the boot CPU (the PIT's IRQ 0), under the BKL: wake sleepers and fire
// timers whose time has come, then what every CPU's tick does.
void sched_tick(void) {
    sched_wake_timer();
    sched_tick_local();
}

// Every CPU's own tick (the others' come from their local APIC timers), interrupts off,
// with or without the BKL: it touches only this CPU's counters and those of the process
// running here, which no other CPU changes while it runs.
void sched_tick_local(void) {
    struct percpu *c = this_cpu();
    struct proc *cur = current_or_null();
    if (!cur) {
        cpu_stats[c->id].idle++;
        return;                          // the idle loop: the CPU is halted, nobody pays
    }
    cur->ticks++;
    if (irq_from_user()) {
        cpu_stats[c->id].user++;
    } else {
        cpu_stats[c->id].system++;
        cur->sys_ticks++;
    }
    itimer_charge(cur, irq_from_user());
    if (cur->state == PROC_RUNNING && --cur->slice <= 0)
        c->need_resched = true;
}
