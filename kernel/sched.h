// sched.h: who runs next. A scheduler over one run queue that weighs nice values and
// real-time policies as Linux does (sched.c), preemptive at
// the return to user mode, with sleep/wakeup on "channels" (any address that names what
// a process waits for: &input for the console, the pipe, the parent process for wait4).
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "percpu.h"

struct proc;

#define TIME_SLICE_TICKS 2              // 20 ms at HZ=100
#define RR_SLICE_TICKS 10               // SCHED_RR's: Linux's sched_rr_timeslice_ms, 100 ms
#define SCHED_OTHER    0                // Linux's policies (uapi/linux/sched.h)
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5

void scheduler(void) __attribute__((noreturn));   // this CPU's idle loop; never returns
void sched_tick(void);                  // the timer interrupt, HZ times a second
void sched_wake_timer(void);            // the wake timer's interrupt (T_WAKE_TIMER), boot CPU
bool sched_wake_timer_unlocked(void);   // the same without the BKL; false: it is needed

// What a CPU did with its timer ticks, and how often it switched threads (/proc/stat).
// Written by that CPU's timer interrupt and scheduler with interrupts off; read by anyone.
// A cache line each: every switch writes ctxt, and a neighbour's line would bounce.
struct cpu_stat {
    uint64_t user, system, idle, ctxt;      // ticks, and switches (/proc/stat)
    uint64_t local_timer, resched, tlb;     // local APIC interrupts taken (trap.c: /proc/interrupts)
} __attribute__((aligned(64)));
extern struct cpu_stat cpu_stats[MAX_CPUS];
static inline int nr_cpus_online(void) { return ncpus; }   // smp.c
void sched_tick_local(void);            // the part of it for this CPU alone (any CPU)
// Interval timers (itimer.c): the real ones' check, from the boot CPU's tick (BKL); a tick
// of CPU time charged to cur, from any CPU's; the signals cur's ticks made due (BKL).
void itimer_tick(uint64_t now);
uint64_t itimer_next_expiry(void);      // the earliest real-time timer's (BKL)
void itimer_charge(struct proc *cur, bool user);
void itimer_send_due(struct proc *p);
// POSIX timers (ptimer.c): the tick's check, and all of a process's going (exec, exit).
struct signal_struct;
void ptimer_tick(uint64_t now);
bool ptimer_cpu_timers_armed(void);    // does ptimer_cpu_tick have work (it needs the BKL)?
void ptimer_cpu_tick(void);            // ... and those on CPU-time clocks, each tick
uint64_t ptimer_next_expiry(void);
void ptimers_delete_all(struct signal_struct *sig);
// A timer's signal being taken, queued when the timer's seq was `seq`: its overruns, or -1
// if it is stale (the timer deleted or set again since: Linux drops it).
int ptimer_overruns_at_delivery(struct signal_struct *sig, int id, unsigned seq);
bool sched_need_resched(void);
void yield(void);                       // give up the CPU but stay runnable
void sched_start(struct proc *p);       // a new thread becomes runnable (proc_start). BKL
void sched_first_run(void);             // a new thread's first moments (fork.c). BKL not held
void sched_wait_off_cpu(struct proc *p); // until no CPU runs on p's stack (proc_reap)
void sched_affinity_changed(struct proc *p);   // sched_setaffinity changed p's. BKL
void sched_kick(struct proc *t);        // t should look at its signals soon (signal_kick). BKL
bool sched_others_waiting(void);        // is any thread waiting for a CPU? (no lock needed)
void sched_wake_here(void);             // exit.c: whom this thread wakes next runs here
void sched_cid_moved(struct proc *p);   // exec, exit: p's mm has just changed
void sched_timer_armed(void);           // a real-time timer was set: the wake timer looks (BKL)
void schedule(void);                    // give it up in whatever state the caller set

// Sleep until wakeup(chan). Call with interrupts off, after checking the condition you
// wait for; returns with interrupts off. Check the condition again: wakeups may be early.
void sleep_on(void *chan);
void wakeup(void *chan);
// The same under a lock of the condition's own instead of the BKL (xv6's sleep(chan, lk)):
// call holding lk, and only lk; returns holding it again. Returns at once if a signal is
// pending or the thread's wake_at has come. Its wakers hold lk and call sched_wake_locked,
// then sched_send_ipis once they have let go of lk (sched.c) - but for the wake timer's
// walk and a signal's kick, which hold the BKL and look at SLEEPING under sched_lock.
struct spinlock;
void sleep_on_locked(void *chan, struct spinlock *lk);
// ... and one that does not return for a signal or wake_at, only when woken (sleeplock.c).
void sleep_on_locked_uninterruptible(void *chan, struct spinlock *lk);
void sched_wake_locked(struct proc *p);
void sched_send_ipis(void);             // the reschedule IPIs this CPU owes. Interrupts off
// Sleeps until the given time since boot, or until a signal arrives (then false). Under
// the BKL; the second without it.
bool sleep_until(uint64_t ns);
bool sleep_until_unlocked(uint64_t ns);
void sched_make_runnable(struct proc *p);
bool sched_allowed_here(const struct proc *p);   // may p run on this CPU (its affinity)?
void sched_params_fork(struct proc *child, const struct proc *parent);   // sys_sched.c
void sched_place(struct proc *p);       // p left a real-time policy: its fair share starts now
void swtch(uint64_t *save_rsp, uint64_t load_rsp);   // swtch.asm
// What a switched-out thread's saved stack pointer (proc.context) points at: the registers
// swtch.asm pushed (the last push lowest), above them the return address into whoever
// called swtch. asm_offsets.c checks this order against swtch.asm's.
struct switch_frame {
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t rip;
};
