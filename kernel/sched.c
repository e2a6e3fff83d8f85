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
// Locking: one CPU, so "interrupts off" is the lock around the process table. With SMP
// this becomes a spinlock (spinlock.h) and per-CPU run queues.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "ksignal.h"
#include "time.h"
#include "trap.h"
#include "trace.h"
#include "x86.h"

static uint64_t scheduler_rsp;          // the idle loop's saved stack pointer
// Written by the timer interrupt (sched_tick) and read on the way to user mode: touch with
// interrupts off. With SMP, one per CPU.
static bool need_resched;
struct cpu_stat cpu_stats[MAX_CPUS];
// Changed by sleep_on and read by wakeup, which interrupt handlers call: interrupts off.
static int nr_sleeping;                 // so that wakeup() with nobody asleep costs nothing

bool sched_need_resched(void) { return need_resched; }

// Round-robin: the first runnable process after the one that ran last, in table order,
// wrapping around. (Table entries are never freed, so `last` stays a valid pointer.)
static struct proc *pick_next(void) {
    static struct proc *last;
    for (struct proc *p = last ? proc_next(last) : NULL; p; p = proc_next(p))
        if (p->state == PROC_RUNNABLE)
            return last = p;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_RUNNABLE)
            return last = p;
        if (p == last)
            break;
    }
    return NULL;
}

void scheduler(void) {
    for (;;) {
        cli();
        struct proc *p = pick_next();
        if (!p) {
            sti_hlt();                  // nothing to do: sleep until an interrupt
            continue;
        }
        p->state = PROC_RUNNING;
        p->slice = TIME_SLICE_TICKS;
        need_resched = false;
        proc_set_current(p);
        // The x87/SSE registers are always the user's (the kernel never uses them), so they
        // only change hands here: load p's, run p, keep p's.
        fpu_restore(p->fpu);
        TRACE(TR_SWITCH, 0, p->pid, 0);
        swtch(&scheduler_rsp, p->context);
        TRACE(TR_SWITCH, p->pid, 0, 0);
        cpu_stats[0].ctxt++;             // one more switch to a thread and back (/proc/stat)
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
    swtch(&p->context, scheduler_rsp);
}

void yield(void) {
    uint64_t f = local_irq_save();
    current()->state = PROC_RUNNABLE;
    schedule();
    local_irq_restore(f);
}

// The earliest wake_at of any timed sleeper, or later: sched_tick looks at the table only
// once this time has come (with thousands of sleepers, a walk every tick would eat the CPU).
// Every timed sleep goes through sleep_on with its wake_at set. Interrupts off.
static uint64_t next_wake = UINT64_MAX;

void sleep_on(void *chan) {
    struct proc *p = current();
    if (p->wake_at && p->wake_at < next_wake)
        next_wake = p->wake_at;
    p->chan = chan;
    p->state = PROC_SLEEPING;
    nr_sleeping++;
    schedule();
    nr_sleeping--;
    p->chan = NULL;
}

void wakeup(void *chan) {
    if (nr_sleeping == 0)
        return;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_SLEEPING && p->chan == chan) {
            p->state = PROC_RUNNABLE;
            TRACE(TR_WAKEUP, p->pid, 0, 0);
        }
    }
}

void sched_make_runnable(struct proc *p) {
    if (p->state == PROC_SLEEPING)
        p->state = PROC_RUNNABLE;
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

// The timer: wake sleepers whose time has come, and count down the running one's slice.
void sched_tick(void) {
    uint64_t now = time_since_boot_ns();
    if (now >= next_wake) {
        next_wake = UINT64_MAX;
        for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
            if (p->state != PROC_SLEEPING || !p->wake_at)
                continue;
            if (p->wake_at <= now)
                p->state = PROC_RUNNABLE;
            else if (p->wake_at < next_wake)
                next_wake = p->wake_at;
        }
    }
    struct proc *cur = current_or_null();
    if (!cur) {
        cpu_stats[0].idle++;
        return;                          // the idle loop: the CPU is halted, nobody pays
    }
    cur->ticks++;
    if (irq_from_user()) {
        cpu_stats[0].user++;
    } else {
        cpu_stats[0].system++;
        cur->sys_ticks++;
    }
    if (cur->state == PROC_RUNNING && --cur->slice <= 0)
        need_resched = true;
}
