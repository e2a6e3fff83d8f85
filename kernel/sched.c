// sched.c: the scheduler - the part of the kernel that decides, whenever an event makes it
// relevant (a timer tick, a process going to sleep, a wakeup), which process the CPU runs.
//
// The idle loop, scheduler(), runs on the boot stack. It picks the next runnable process -
// a real-time one first, else the one that has had the least CPU time, weighed by its nice
// value ("weights and priorities", below) - and switches to it; the process runs until it
// goes back through schedule():
// because it sleeps, yields, or exits. A process in user mode is preempted by the timer: the
// tick counts its slice down, and on the way back to user mode (return_to_user_unlocked in
// trap.c) a process whose slice is used up yields. The kernel itself is never preempted: a process
// in kernel mode runs until it sleeps or returns to user mode.
//
// Every CPU runs this same loop, on its own stack, over one global run queue: the threads
// that are RUNNABLE, in the order they became so (the order among equals). Any CPU may take any of
// them (so threads migrate freely); a CPU with nothing to run polls a while, then halts
// until an interrupt - its timer tick, or the reschedule IPI that a wakeup on another CPU
// sends it (smp_claim_idle_cpu; a flag while it polls). A woken thread that finds no idle
// CPU may preempt the thread of the CPU that woke it, if that one has had more CPU time
// (wake_preempt); the parent an exiting child wakes takes the child's CPU (sched_wake_here).
//
// Locking: the run queue has a spinlock of its own, sched_lock, and the idle loop chooses
// without the big kernel lock (smp.c). Like xv6's process lock, sched_lock is held across
// every switch: a thread takes it, switches to its CPU's idle loop, which picks the next
// thread and switches to it with the lock still held; that thread lets it go. So a thread
// is never on two CPUs, and never picked before its switch away is complete. A thread that
// switches away holding the BKL lets go of it there, once it holds sched_lock, and takes
// it back, as deep as it held it, when it runs again. What stays simple is sleep and
// wakeup: a sleeper checks its condition and marks itself SLEEPING under the lock of that
// condition - the BKL (sleep_on), or one of its own (sleep_on_locked: futexes, pipes,
// nanosleep's) - and takes sched_lock before that lock can go; every waker holds the
// condition's lock (or, for a timed sleep or a signal, looks at SLEEPING under sched_lock).
// So a wakeup is either before the check (the condition is seen) or after the mark (the
// sleeper is found). Lock order: the BKL, then a condition's lock, then sched_lock. One global queue
// under one lock is the simplest design that is obviously right; at 4 CPUs it is held for
// a few microseconds per switch (docs/smp.md, "The run queue's own lock").
#include <stdbool.h>
#include <stdint.h>
#include "bklstat.h"
#include "cpu.h"
#include "panic.h"
#include "proc.h"
#include "rseq.h"
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

// The run queue: the RUNNABLE threads, oldest first (a thread is in it exactly while its
// state is RUNNABLE), and how many there are. Under sched_lock; nr_runnable is also read
// without it (sched_others_waiting), hence atomic. Also under sched_lock: each CPU's
// wake_next, and its idle flag, which the CPU itself clears when it wakes (percpu.h);
// a thread's last_cpu, on_cpu, ran_since and vruntime, and its slice when it is picked
// (the tick of the CPU it runs on counts the slice down, with interrupts off).
static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct proc *rq_head, *rq_tail;
static int nr_runnable;

// sched_lock is taken with interrupts off and held across swtch: taken by the thread that
// switches away, let go by the thread switched to (or by the idle loop, to halt). Both
// sides have interrupts off, so neither has flags to give back.
// No IPI is sent under it: the reschedule IPIs a CPU owes (a woken thread's, the BKL's
// waiter's when the idle loop lets go of the BKL) wait in its percpu.resched_ipis and go
// when it lets go. Under QEMU an IPI is a write to the emulated local APIC, which takes QEMU's own
// big lock; a virtual CPU that spins with its interrupts off while one is pending for it -
// a CPU waiting here - takes that lock at each pause, and one IPI took up to 20 million
// cycles. Sent under the lock, IPIs held it for 1.2 million cycles a time on average in the
// pinned pipe ping-pong, which took 20 times as long as with the BKL.
static void rq_lock(void) {
    if (read_rflags() & RFLAGS_IF)
        panic("sched: the run queue's lock taken with interrupts on");
    spin_lock_irqsave(&sched_lock);
}

static void rq_unlock(void) {
    spin_unlock_irqrestore(&sched_lock, 0);
    sched_send_ipis();
}

// The reschedule IPIs this CPU owes, sent now; and the wake timer's (sleep_on_locked).
// Interrupts off.
void sched_send_ipis(void) {
    struct percpu *c = this_cpu();
    uint32_t ipis = c->resched_ipis;
    c->resched_ipis = 0;
    smp_send_reschedules(ipis);
    if (c->wake_timer_owed) {
        c->wake_timer_owed = false;
        lapic_send_ipi(cpus[0].apic_id, T_WAKE_TIMER);   // (to itself, on the boot CPU)
    }
}

static void rq_append(struct proc *p) {
    p->rq_next = NULL;
    p->rq_prev = rq_tail;
    if (rq_tail)
        rq_tail->rq_next = p;
    else
        rq_head = p;
    rq_tail = p;
}

static void rq_remove(struct proc *p) {
    if (p->rq_prev)
        p->rq_prev->rq_next = p->rq_next;
    else
        rq_head = p->rq_next;
    if (p->rq_next)
        p->rq_next->rq_prev = p->rq_prev;
    else
        rq_tail = p->rq_prev;
    p->rq_next = p->rq_prev = NULL;
}

// ---------------------------------------------------------------- weights and priorities
//
// Which runnable thread goes next, as Linux decides it (kernel/sched/fair.c, rt.c), in a
// simpler form. A thread under a real-time policy (SCHED_FIFO, SCHED_RR) goes before every
// other, the highest rt_priority first, the oldest in the queue among equals; SCHED_FIFO's
// turn has no end but a sleep, a yield, or a higher one. Among the others, the one with the
// least virtual runtime: the CPU time it has had, weighed by its nice value as Linux weighs
// it (CFS's table: nice 0 is worth 1024, each step about 1.25 times more or less; nice 19
// 15, SCHED_IDLE 3). So two CPU-bound threads at nice 0 and 19 get the CPU in the ratio
// 1024 : 15, and at the same nice value they take turns, as the round robin did.
// A thread that wakes from a sleep is placed no further back than the least virtual runtime
// of the queue, less 3 ms (Linux's sleeper credit): it is served soon, but cannot claim the
// whole of a long sleep back. And, as Linux's rt throttling, real-time threads may take
// at most 0.95 s of every second of a CPU: past that, they compete as the others do, so a
// runaway SCHED_FIFO loop cannot take the machine from the shell (sched_rt_runtime_us).
// nice, policy and rt_priority are set under the BKL (sys_sched.c) and read here, under
// sched_lock, without it: an int is read whole, and a change counts from the next pick.
static const uint32_t nice_weight[40] = {
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,    // -20 .. -11
    9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,              // -10 .. -1
    1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,                       //   0 .. 9
    110, 87, 70, 56, 45, 36, 29, 23, 18, 15,                                 //  10 .. 19
};
#define NICE_0_WEIGHT 1024
#define IDLE_WEIGHT 3                   // SCHED_IDLE (Linux's WEIGHT_IDLEPRIO)
#define SLEEPER_CREDIT_NS 3000000ull    // half of Linux's 6 ms sched_latency
#define RT_PERIOD_NS 1000000000ull      // sched_rt_period_us
#define TICK_NS (1000000000ull / HZ)
#define RT_RUNTIME_NS 950000000ull      // sched_rt_runtime_us

static bool is_rt(const struct proc *p) { return p->policy == SCHED_FIFO || p->policy == SCHED_RR; }

static uint64_t weighed(uint64_t ns, const struct proc *p) {
    uint32_t w = p->policy == SCHED_IDLE ? IDLE_WEIGHT : nice_weight[p->nice + 20];
    return ns * NICE_0_WEIGHT / w;
}

// The least virtual runtime of the normal threads, queued or running on any CPU, never
// going back (Linux's min_vruntime): where a waking sleeper is placed. Under sched_lock.
// (Not the pick's own: with affinity, one CPU's picks may run far ahead of the threads
// pinned to another, and a sleeper placed by them there would wait behind its neighbours
// for as long as they lag.)
static uint64_t min_vruntime;

// Real-time threads' time on this CPU in the current period (rt throttling), counted a
// tick at a time by the CPU itself (sched_tick_local), interrupts off.
static bool rt_throttled(struct percpu *c) {
    return time_since_boot_ns() - c->rt_period_start < RT_PERIOD_NS && c->rt_ns >= RT_RUNTIME_NS;
}

static void rt_charge(struct percpu *c, uint64_t ns) {
    uint64_t now = time_since_boot_ns();
    if (now - c->rt_period_start >= RT_PERIOD_NS) {
        c->rt_period_start = now;
        c->rt_ns = 0;
    }
    c->rt_ns += ns;
}

// The real-time priority a pick weighs: 0 for the others, and for everyone while this
// CPU's real-time threads are throttled.
static int rt_rank(const struct proc *p, bool rt_ok) { return rt_ok && is_rt(p) ? p->rt_priority : 0; }

// Should a go before b (b being older in the queue)?
static bool goes_before(const struct proc *a, const struct proc *b, bool rt_ok) {
    int ra = rt_rank(a, rt_ok), rb = rt_rank(b, rt_ok);
    if (ra != rb)
        return ra > rb;
    if (ra)
        return false;                   // equal real-time priorities: the queue's order
    return a->vruntime < b->vruntime;
}

// The CPU time t has had, weighed, counting its current turn: running, t's own CPU may be
// ahead.
static uint64_t vruntime_now(const struct proc *t) {
    return t->vruntime + (t->on_cpu && !is_rt(t) ? weighed(time_since_boot_ns() - t->ran_since, t) : 0);
}

// A sleeper that wakes (or a new thread) starts no further back than min_vruntime, less
// the sleeper credit. sched_lock held.
static void place(struct proc *p) {
    uint64_t floor = min_vruntime > SLEEPER_CREDIT_NS ? min_vruntime - SLEEPER_CREDIT_NS : 0;
    if (p->vruntime < floor)
        p->vruntime = floor;
}

// p has just left a real-time policy (sys_sched.c): its count stood still meanwhile, so it
// starts again from where the others are.
void sched_place(struct proc *p) {
    uint64_t f = local_irq_save();
    rq_lock();
    if (p->vruntime < min_vruntime)
        p->vruntime = min_vruntime;
    rq_unlock();
    local_irq_restore(f);
}

// sched_lock held.
static void make_runnable(struct proc *p) {
    if (p->rq_prev || rq_head == p)
        panic("sched: pid %d queued twice", p->pid);
    p->state = PROC_RUNNABLE;
    rq_append(p);
    __atomic_add_fetch(&nr_runnable, 1, __ATOMIC_RELAXED);
}

bool sched_others_waiting(void) { return __atomic_load_n(&nr_runnable, __ATOMIC_RELAXED) > 0; }

// Or the thread running here may no longer: another thread's sched_setaffinity changed its
// mask (sched_affinity_changed kicked this CPU), and it moves at once, as on Linux.
bool sched_need_resched(void) {
    struct percpu *c = this_cpu();
    return c->need_resched || (c->current && !sched_allowed_here(c->current));
}

bool sched_allowed_here(const struct proc *p) {
    return !p->cpus_allowed || (p->cpus_allowed & (1ull << this_cpu()->id));
}

// The runnable thread whose affinity allows this CPU that goes first (goes_before, above).
// sched_lock held.
static struct proc *best_except(struct proc *except, bool rt_ok) {
    struct proc *best = NULL;
    for (struct proc *p = rq_head; p; p = p->rq_next)
        if (p != except && sched_allowed_here(p) && (!best || goes_before(p, best, rt_ok)))
            best = p;
    return best;
}

// min_vruntime moves up to the least of the queue's normal threads and the running ones.
static void update_min_vruntime(void) {
    uint64_t least = UINT64_MAX;
    for (struct proc *p = rq_head; p; p = p->rq_next)
        if (!is_rt(p) && p->vruntime < least)
            least = p->vruntime;
    for_each_online_cpu(c) {
        struct proc *cur = c->current;
        if (cur && !is_rt(cur) && vruntime_now(cur) < least)
            least = vruntime_now(cur);
    }
    if (least != UINT64_MAX && least > min_vruntime)
        min_vruntime = least;
}

static struct proc *pick_next(struct percpu *c) {
    bool rt_ok = !rt_throttled(c);
    // A thread that has just called sched_yield here is passed over once, for any other
    // that is not below it in real-time priority (Linux's skip buddy); then it is one of
    // the others again. (For good, it would never run beside threads that compute.)
    struct proc *skip = c->skip;
    c->skip = NULL;
    struct proc *best = best_except(skip, rt_ok);
    if (skip && skip->state == PROC_RUNNABLE && sched_allowed_here(skip) &&
        (!best || rt_rank(skip, rt_ok) > rt_rank(best, rt_ok)))
        best = skip;
    // A woken thread that preempted (wake_preempt) goes first, out of turn - unless a
    // real-time thread is waiting. (Stale if another CPU took it meanwhile: then it is no
    // longer RUNNABLE, or RUNNABLE again and in the queue, which is as good.)
    struct proc *woken = c->wake_next;
    c->wake_next = NULL;
    if (woken && woken->state == PROC_RUNNABLE && sched_allowed_here(woken) &&
        rt_rank(best, rt_ok) <= rt_rank(woken, rt_ok))
        best = woken;
    update_min_vruntime();
    return best;
}

// The idle loop keeps the page tables of the thread it ran last (Linux's lazy TLB mode):
// between one thread and the next it holds sched_lock, so no thread of that process can run
// meanwhile, and only a running thread can exit or exec - the only ways its tables are
// freed (vm_destroy); the thread itself holds a reference to them until it runs again.
// Another CPU may still change them: a fault without the BKL only adds entries, which no
// TLB had cached (or, in a process of one thread, running elsewhere, replaces one:
// copy-on-write), and a shootdown finds this CPU by its pml4 and waits until the loop
// answers it (it spins for locks answering them) or halts. Loading the next thread's tables
// then costs one CR3 write instead of two, and none for a thread of the same process. Under
// QEMU's TCG each write flushes the whole TLB, which every page touched afterwards refills:
// about 6,000 cycles. Before it lets go of sched_lock - to halt, or to reap - the CPU loads
// the kernel's own tables.
static void unload_tables(void) {
    if (ncpus > 1)                      // (with one CPU no other can free them meanwhile)
        vm_switch(NULL);
}

// rseq's mm_cid, Linux's "concurrency id": a number unique among the threads of one
// address space that are on a CPU at this moment, the lowest free one - so below both the
// CPU count and the thread count, and 0 for a process of one thread. Data kept per id
// (rseq's per-"CPU" caches, sized by the thread count) stays small and dense. Taken as a
// thread is switched in, given back as it leaves the CPU; exec and exit change a running
// thread's address space, and move it (sched_cid_moved). sched_lock held.
static void cid_take(struct proc *p) {
    struct mm *mm = p->mm;
    p->cid_mm = mm;
    if (!mm)
        return;
    p->mm_cid = __builtin_ctz(~mm->cids_running);     // (at most MAX_CPUS bits are set)
    mm->cids_running |= 1u << p->mm_cid;
}

static void cid_give_back(struct proc *p) {
    if (p->cid_mm)
        p->cid_mm->cids_running &= ~(1u << p->mm_cid);
    p->cid_mm = NULL;
}

// p's mm has just changed: its id goes back to the old address space - which may be freed
// once p lets go of it - and, if p is on this CPU (not init, made by the boot before it
// ever ran), one is taken in the new. Linux keeps its ids per CPU and lets them go
// lazily; one bitmap under sched_lock is simpler.
void sched_cid_moved(struct proc *p) {
    uint64_t f = local_irq_save();
    rq_lock();
    cid_give_back(p);
    if (p == current_or_null())
        cid_take(p);
    spin_unlock_irqrestore(&sched_lock, 0);
    local_irq_restore(f);
}

// Runs p on this CPU until it switches back here (sched_lock held, from the switch's other
// side, as on the way in).
static void run(struct percpu *c, struct proc *p) {
    rq_remove(p);
    __atomic_sub_fetch(&nr_runnable, 1, __ATOMIC_RELAXED);
    p->state = PROC_RUNNING;
    p->on_cpu = true;
    p->last_cpu = c->id;                // where it runs now (ps's PSR)
    if (!p->keeps_slice)                // (given way to a wakeup: the rest of its turn)
        p->slice = p->policy == SCHED_RR ? RR_SLICE_TICKS : TIME_SLICE_TICKS;
    p->keeps_slice = false;
    p->ran_since = time_since_boot_ns();
    c->need_resched = false;
    proc_set_current(p);
    // The x87/SSE registers are always the user's (the kernel never uses them), so they
    // only change hands here: load p's, run p, keep p's.
    fpu_restore(p->fpu);
    cid_take(p);
    TRACE(TR_SWITCH, 0, p->pid, 0);
    swtch(&c->scheduler_rsp, p->context);
    cid_give_back(p);
    c->wake_here = false;               // (sched_wake_here: only while its thread exits)
    TRACE(TR_SWITCH, p->pid, 0, 0);
    cpu_stats[c->id].ctxt++;            // one more switch to a thread and back (/proc/stat)
    fpu_save(p->fpu);
    proc_set_current(NULL);
    if (!is_rt(p) || rt_throttled(c))   // (real-time time is no fair share's)
        p->vruntime += weighed(time_since_boot_ns() - p->ran_since, p);
    __atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);   // the reap may go on (proc.c)
}

void scheduler(void) {
    struct percpu *c = this_cpu();
    cli();
    if (bkl_held())
        panic("sched: CPU %d enters its idle loop holding the BKL", c->id);
    rq_lock();
    c->bkl_depth = 0;
    for (;;) {
        struct proc *p = pick_next(c);
        if (!p) {
            // Nothing to do: poll a while, then sleep until an interrupt. A wakeup
            // elsewhere claims this CPU (smp_claim_idle_cpu) and kicks it: a flag if it
            // still polls, else an IPI - which, if it comes between the last look and the
            // halt, waits for the sti, and wakes the hlt at once (smp_idle_wait).
            c->idle = true;
            unload_tables();
            rq_unlock();
            smp_idle_wait(c);
            c->idle = false;
            rq_lock();
            continue;
        }
        run(c, p);
        // It exited, and nobody will wait for it (proc_exit said so, while it still ran):
        // free its slot, under the BKL that its exit held, without sched_lock.
        struct proc *dead = c->dead;
        if (dead) {
            c->dead = NULL;
            unload_tables();
            rq_unlock();
            bkl_held_by(BKL_WHO_SCHED);     // (bklstat.c)
            proc_reap(dead);
            bkl_let_go_all(&c->resched_ipis);   // (sent at the next rq_unlock)
            rq_lock();
        }
    }
}


// p runs again, on this CPU, switched to by its idle loop, which held sched_lock through
// the switch: p lets it go, then takes the BKL back as deep as it held it. (The lock order
// forbids the other way round.)
static void switched_in(struct proc *p) {
    rseq_switched_in(p);                // where it runs may have changed: its rseq is due
    rq_unlock();
    bkl_take_back(p->bkl_depth, p->bkl_who);
}

// The caller holds sched_lock and has set p's state: off to this CPU's idle loop, which
// goes on holding sched_lock. The BKL, if p holds it, goes here, however deep: no wakeup
// can come between p's check of its condition and the switch now (the wakers need
// sched_lock too), and the switch is no work of the BKL's. (The idle loop used to hold it
// until it knew whether the next thread wanted it, to pass it on: in a fork+exec storm that
// kept it for about 13,000 cycles at each sleep and exit, a sixth of all its holds.) But
// an exited thread that its idle loop will free keeps it to the end: until its slot and
// stack are free, nobody under the BKL may find it (a thread count, the free memory).
// p comes back here when a CPU picks it again, maybe another.
static void switch_away(struct proc *p) {
    struct percpu *c = this_cpu();
    if (p->state == PROC_DEAD) {
        c->dead = p;                    // decided now: once off the CPU it is others' to change
        if (!c->bkl_depth)
            panic("sched: pid %d exits without the BKL", p->pid);
    }
    p->bkl_depth = c->bkl_depth;
    p->bkl_who = c->bkl_who;
    if (p->state != PROC_DEAD)
        bkl_let_go_all(&c->resched_ipis);   // (its waiters' IPIs go with sched_lock: rq_unlock)
    swtch(&p->context, c->scheduler_rsp);
    switched_in(p);
}

static void check_can_switch(struct proc *p) {
    if (p->state == PROC_RUNNING)
        panic("sched: pid %d is still marked running", p->pid);
    if (read_rflags() & RFLAGS_IF)
        panic("sched: called with interrupts on");
    lockdep_assert_none_held("sleeping");
}

// Back to the idle loop, leaving the caller in the state it has set (sleeping, zombie...).
void schedule(void) {
    struct proc *p = current();
    check_can_switch(p);
    rq_lock();
    switch_away(p);
}

// sched_yield's thread, about to queue again: its virtual runtime goes behind every normal
// thread now waiting (Linux's old sched_compat_yield), but no further than a time slice past
// min_vruntime, so a thread that yields now and then is not owed a long wait. The pick's
// skip (above) passes it over on its own CPU only: at -smp 4, threads spinning on
// sched_yield for one that had not run yet passed the CPUs among themselves by their lower
// virtual runtime, thousands of yields before it got one (a yield barrier of 16 threads:
// 40-50 ms a round, 0.2 ms at -smp 1; 5-6 ms with this). sched_lock held.
static void yield_behind(struct proc *p) {
    if (is_rt(p))
        return;
    uint64_t behind = p->vruntime;
    for (struct proc *q = rq_head; q; q = q->rq_next)
        if (q != p && !is_rt(q) && q->vruntime > behind)
            behind = q->vruntime;
    uint64_t cap = min_vruntime + TIME_SLICE_TICKS * TICK_NS;
    if (behind > cap)
        behind = cap;
    if (behind > p->vruntime)
        p->vruntime = behind;
}

void yield(void) {
    uint64_t f = local_irq_save();
    struct proc *p = current();
    struct percpu *c = this_cpu();
    lockdep_assert_none_held("yielding");
    rq_lock();
    make_runnable(p);
    if (p->yielded) {                   // sched_yield: passed over by this CPU's next pick
        p->yielded = false;
        c->skip = p;
        yield_behind(p);
    }
    // Given way to a thread it woke (wake_preempt) with its slice not used up: it keeps its
    // turn, next after that one, as Linux's preempted task keeps its place by vruntime.
    // At the queue's tail, a thread looping in user mode would come between - and a pair
    // passing messages, each waking the other, got one message through per time slice.
    // It keeps what is left of its slice, too: two threads waking each other would
    // otherwise take turns at the head for good.
    if (c->wake_next && p->slice > 0 && rq_tail == p && rq_head != p) {
        rq_remove(p);
        p->rq_next = rq_head;
        rq_head->rq_prev = p;
        rq_head = p;
        p->keeps_slice = true;
    }
    if (!sched_allowed_here(p))         // its affinity has just changed: a CPU it may use
        c->resched_ipis |= smp_claim_idle_cpu(p->cpus_allowed);
    switch_away(p);
    local_irq_restore(f);
}

// A new thread's first moments on a CPU (proc_first_run_c): the idle loop switched to it
// holding sched_lock, and the way to user mode lets go of the BKL (bkl_depth 1: sched_start).
void sched_first_run(void) { switched_in(current()); }

// proc_reap: p's CPU may still be on p's stack, switching away from it (run, above).
void sched_wait_off_cpu(struct proc *p) {
    while (__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE)) {
        smp_answer_shootdown();
        pause();
    }
}

// A new thread is ready to run: a halted CPU takes it, once the caller lets go of the BKL.
void sched_start(struct proc *p) {
    uint64_t f = local_irq_save();
    struct proc *maker = current_or_null();
    p->bkl_depth = 1;
    p->bkl_who = this_cpu()->bkl_who;
    p->vruntime = maker ? vruntime_now(maker) : 0;
    rq_lock();
    place(p);
    make_runnable(p);
    smp_kick_idle_cpu_on_release(p->cpus_allowed);   // not at its next tick
    rq_unlock();
    local_irq_restore(f);
}

// p's affinity changed (sched_setaffinity): if it waits for a CPU, wake one it may use now;
// if it runs on another CPU that it may no longer use, kick that CPU, which then yields it
// (sched_need_resched) - in user mode at once, in the kernel on its way out. (The caller
// itself, if this CPU is no longer allowed, yields next: yield wakes a CPU, once the caller
// is in the queue. Woken now, that CPU would find the queue empty, and halt.)
void sched_affinity_changed(struct proc *p) {
    uint64_t f = local_irq_save();
    rq_lock();
    int cpu = -1;
    if (p->state == PROC_RUNNABLE)
        this_cpu()->resched_ipis |= smp_claim_idle_cpu(p->cpus_allowed);
    else if (p->state == PROC_RUNNING && p != current() && p->cpus_allowed &&
             !(p->cpus_allowed & (1ull << p->last_cpu)))
        cpu = p->last_cpu;
    rq_unlock();
    if (cpu >= 0)
        smp_kick_cpu(cpu);
    local_irq_restore(f);
}

// The earliest wake_at of any timed sleeper, or later: sched_tick looks at the table only
// once this time has come (with thousands of sleepers, a walk every tick would eat the CPU).
// Every timed sleep goes through sleep_on or sleep_on_locked with its wake_at set, and
// lowers it first (lower_next_wake); the walk of the wake timer (boot CPU) resets it.
// Atomic: neither sleep_on_locked's sleepers nor the walk hold the BKL.
static uint64_t next_wake = UINT64_MAX;

// True if at is earlier than next_wake was: it is now next_wake.
static bool lower_next_wake(uint64_t at) {
    uint64_t was = __atomic_load_n(&next_wake, __ATOMIC_SEQ_CST);
    while (at < was)
        if (__atomic_compare_exchange_n(&next_wake, &was, at, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return true;
    return false;
}

// The wake timer: a sleep ends when its time comes, not at the tick after it (at HZ=100, a
// 1 ms nanosleep would take 10), as Linux's hrtimers end it; and so does a real-time
// timer fire (ITIMER_REAL, POSIX timers, timerfds: itimer_next_expiry). The boot CPU's local APIC
// timer, which its PIT tick leaves free, is set as a one-shot for next_wake, whenever that
// is less than two ticks away - the tick sets it for a later one when it comes near. Another
// CPU cannot set it: it sends the boot CPU an IPI with the timer's own vector, whose handler
// (sched_wake_timer) wakes whoever is due and sets the timer. Without a local APIC (the
// 8259 PIC, one CPU), sleeps and timers keep the tick's granularity.
static void arm_wake_timer(uint64_t now) {
    uint64_t timers = itimer_next_expiry(), wake = __atomic_load_n(&next_wake, __ATOMIC_SEQ_CST);
    uint64_t next = timers < wake ? timers : wake;
    if (next >= now + 2 * TICK_NS || !irq_apic_mode())
        return;
    if (this_cpu()->id == 0)
        lapic_timer_oneshot(next > now ? next - now : 0, T_WAKE_TIMER);
    else
        lapic_send_ipi(cpus[0].apic_id, T_WAKE_TIMER);
}

static void wake(struct proc *p);

// Has the time of p's timed sleep come? (The sleeper looks, and the wake timer's walk.)
static bool wake_time_come(const struct proc *p, uint64_t now) {
    return p->wake_at && now >= p->wake_at;
}

// Wakes p if it sleeps and its time has come. Its wake_at is looked at again under
// sched_lock: the walk read it without a lock, and since then p may have woken for another
// reason and gone to sleep again, without a time or with a later one (while p sleeps,
// nobody else changes its wake_at). The IPIs this owes go after the walk.
static void wake_if_due(struct proc *p, uint64_t now) {
    rq_lock();
    if (p->state == PROC_SLEEPING && p->context && wake_time_come(p, now))
        wake(p);
    spin_unlock_irqrestore(&sched_lock, 0);
}

// Makes every sleeper whose time has come runnable, and finds the next wake time. Without
// the BKL: each sleeper looks at its own wake_at once SLEEPING, under sched_lock (sleep_on,
// sleep_locked), and this looks at SLEEPING and wake_at under sched_lock too - so a time
// that comes is seen by one or the other. A thread may be about to sleep, its wake_at set
// and next_wake lowered, but not yet SLEEPING: its time, if not come, counts here; if come,
// the thread sees it itself. (A thread that lowers next_wake after the reset below keeps
// its own.)
static void wake_due_sleepers(uint64_t now) {
    __atomic_store_n(&next_wake, UINT64_MAX, __ATOMIC_SEQ_CST);
    uint64_t first = UINT64_MAX;
    for (struct proc *p = proc_next_without_bkl(NULL); p; p = proc_next_without_bkl(p)) {
        uint64_t at = __atomic_load_n(&p->wake_at, __ATOMIC_SEQ_CST);
        if (!at)
            continue;
        if (at <= now)
            wake_if_due(p, now);
        else if (at < first)
            first = at;
    }
    lower_next_wake(first);
    sched_send_ipis();                  // to the idle CPUs the woken threads were given
}

// The wake timer's interrupt, or another CPU's IPI for it: on the boot CPU, interrupts off,
// without the BKL (trap.c's lapic_vector), which another CPU may hold for long - an exec,
// a fork - while sleepers wait for their time. False if a real-time timer is due: firing
// it sends signals, which needs the BKL (sched_wake_timer, then).
bool sched_wake_timer_unlocked(void) {
    uint64_t now = time_since_boot_ns();
    if (now >= itimer_next_expiry())
        return false;
    if (now >= __atomic_load_n(&next_wake, __ATOMIC_SEQ_CST))
        wake_due_sleepers(now);
    arm_wake_timer(now);
    return true;
}

// The same with the real-time timers, under the BKL: the boot CPU's tick, or the wake
// timer when one of those is due.
void sched_wake_timer(void) {
    uint64_t now = time_since_boot_ns();
    if (now >= __atomic_load_n(&next_wake, __ATOMIC_SEQ_CST))
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
    if (!bkl_held())                    // see the top of this file: wakers hold it too
        panic("sched: pid %d sleeps without the BKL", p->pid);
    if (p->wake_at && lower_next_wake(p->wake_at))
        arm_wake_timer(time_since_boot_ns());
    lockdep_assert_none_held("sleeping");
    rq_lock();                          // (which checks that interrupts are off)
    // The wake timer takes no BKL (wake_due_sleepers): it may have been by already, and it
    // looks at SLEEPING under sched_lock - so the mark is made under it, and the time, too,
    // is looked at under it, once more.
    if (wake_time_come(p, time_since_boot_ns())) {
        rq_unlock();
        return;
    }
    p->chan = chan;
    p->state = PROC_SLEEPING;
    nr_sleeping++;
    switch_away(p);
    nr_sleeping--;
    p->chan = NULL;
}

// The wake timer must look at next_wake, which this thread without the BKL has lowered to a
// time less than two ticks away: the boot CPU's wake-timer interrupt, by IPI (its handler
// sets the timer; only the boot CPU can). The IPI goes when this
// CPU lets go of sched_lock, after the switch (sched_send_ipis): not under lk, which other
// CPUs may be spinning for (see rq_unlock). Late is no matter: a sleeper whose time came
// before it was SLEEPING sees that itself.
static void wake_timer_nudge(uint64_t at) {
    if (irq_apic_mode() && at < time_since_boot_ns() + 2 * TICK_NS)
        this_cpu()->wake_timer_owed = true;
}

// Sleep under the condition's own lock lk (xv6's sleep(chan, lk)), without the BKL.
// Interrupts off (lk is held): the caller has looked at its condition under lk, and its
// wakers hold lk to find it and wake it (sched_wake_locked). lk is let go only once this
// thread is SLEEPING, under sched_lock, so a wakeup comes after the look or finds it
// asleep; lk is taken again before the return. Two wakers do not hold lk: a signal
// (sched_kick, under the BKL) and the wake timer (wake_due_sleepers, under no lock but
// sched_lock). They look at SLEEPING under sched_lock, and so does this at what they wake
// for: a pending signal, or wake_at come, and then it does not sleep at all.
// An uninterruptible sleep (a sleeping lock's waiter: sleeplock.c) looks at neither: a
// signal or the wake timer may still wake it, and it looks at its condition again.
static void sleep_locked(void *chan, struct spinlock *lk, bool interruptible) {
    struct proc *p = current();
    lockdep_assert_only_held(lk, "sleeping");
    if (interruptible && p->wake_at && lower_next_wake(p->wake_at))
        wake_timer_nudge(p->wake_at);
    rq_lock();                          // (lk, then sched_lock: the lock order)
    p->chan = chan;
    p->state = PROC_SLEEPING;
    if (interruptible &&
        (signal_pending(p) || wake_time_come(p, time_since_boot_ns()))) {
        p->state = PROC_RUNNING;        // (the wakeup came before the mark)
        p->chan = NULL;
        this_cpu()->wake_timer_owed = false;   // (no sleep: not needed, and lk is held)
        spin_unlock_irqrestore(&sched_lock, 0);
        return;
    }
    spin_unlock_irqrestore(lk, 0);      // interrupts stay off
    switch_away(p);
    p->chan = NULL;
    spin_lock_irqsave(lk);              // (the caller's own flags stay the ones to restore)
}

void sleep_on_locked(void *chan, struct spinlock *lk) { sleep_locked(chan, lk, true); }

void sleep_on_locked_uninterruptible(void *chan, struct spinlock *lk) {
    sleep_locked(chan, lk, false);
}

// Wakeup preemption, as Unix has always done for a process that slept (Linux: when the
// sleeper's virtual runtime is behind the running task's): when no CPU is free for the
// woken process, the one running here gives way to it, on its way back to user mode (the
// kernel itself is never preempted), and the woken runs next. Without it a woken thread
// waited its turn of the round robin behind every runnable one, a time slice each: a glibc
// rwlock's writer, woken when the readers leave, found them back every time, and 2000
// writes against 3 looping readers took minutes instead of a fraction of a second
// (smpstress's rwlock phase). A ping-pong through a pipe is not slowed: the
// waker would have slept at once anyway.
// But only when the woken has had less CPU than the running one, by more than 1 ms
// (Linux's sched_wakeup_granularity): each thread counts the CPU time it has had
// (vruntime; a new one starts from its maker's). A producer that signals a condition
// variable while it holds the mutex would otherwise give way to the consumer it woke,
// which only blocks on the mutex and gives the CPU back, twice an item: a C11-threads
// producer with 4 consumers (100,000 items, one mutex, musl) took 1.1 s at -smp 1 and 2.9 s
// at -smp 2; now 1.8 s and 1.2 s (Linux 6.1 in the same QEMU: 1.5 s and 0.6-1.4 s). The
// rwlock's writers, who barely run, still go first.
#define WAKE_GRANULARITY_NS 1000000ull

// A real-time thread, woken with no CPU idle, takes the CPU - of those it may use - whose
// thread ranks lowest below it: at once, by an IPI if it is another. (Linux looks for the
// lowest priority the same way, to push a real-time task to.)
static void rt_preempt(struct proc *p) {
    struct percpu *target = NULL;
    int lowest = 0;
    for_each_online_cpu(c) {
        struct proc *cur = c->current;
        if (!cur || cur == p || c->wake_next || (p->cpus_allowed && !(p->cpus_allowed & (1ull << c->id))))
            continue;
        bool rt_ok = !rt_throttled(c);
        int rc = rt_rank(cur, rt_ok);
        if (rc < rt_rank(p, rt_ok) && (!target || rc < lowest)) {
            target = c;
            lowest = rc;
        }
    }
    if (!target)
        return;
    target->wake_next = p;              // its pick takes p first
    target->need_resched = true;
    if (target != this_cpu())
        this_cpu()->resched_ipis |= 1u << target->id;   // (sent when sched_lock goes)
}

static void wake_preempt(struct proc *p) {
    struct percpu *c = this_cpu();
    struct proc *cur = c->current;
    if (is_rt(p)) {
        rt_preempt(p);
        return;
    }
    if (!cur || cur == p || c->wake_next || !sched_allowed_here(p))
        return;
    if (rt_rank(cur, !rt_throttled(c)))
        return;                         // a real-time thread goes on
    if (vruntime_now(cur) < p->vruntime + WAKE_GRANULARITY_NS)
        return;                         // it has had no more CPU than the woken: it goes on
    c->wake_next = p;                   // pick_next takes it first
    c->need_resched = true;
}

// An exiting thread is about to give this CPU up for good, so the process its exit wakes
// (the parent in wait4, most often) runs right here, next: no IPI, no other CPU woken
// from its halt - as Linux's WF_SYNC wakeup of a parent. The scheduler clears the flag
// when the thread has switched away.
void sched_wake_here(void) { this_cpu()->wake_here = true; }

// p leaves its sleep: it runs next here if this CPU's thread is exiting; else a CPU halted
// in its idle loop is woken for it, or this one's thread gives way to it. sched_lock held.
static void wake(struct proc *p) {
    struct percpu *c = this_cpu();
    place(p);
    make_runnable(p);
    uint32_t idle;
    if (c->wake_here && !c->wake_next && sched_allowed_here(p)) {
        c->wake_here = false;
        c->wake_next = p;
    } else if ((idle = smp_claim_idle_cpu(p->cpus_allowed)) != 0) {
        c->resched_ipis |= idle;
    } else {
        wake_preempt(p);
    }
}

// p leaves its sleep, if it still sleeps: SLEEPING is looked at under sched_lock, the
// sleeper having marked it there, its condition's lock still held.
static void wake_if_sleeping(struct proc *p) {
    // (A thread not yet started is SLEEPING too, from proc_alloc to proc_start, which
    // gives it its first context: a signal meanwhile, while its maker's copy_to_user
    // waits for memory, must not start it.)
    uint64_t f = local_irq_save();
    rq_lock();                          // (after p's switch away, if it is still under way)
    if (p->state == PROC_SLEEPING && p->context)
        wake(p);
    spin_unlock_irqrestore(&sched_lock, 0);
    local_irq_restore(f);
}

// A wakeup under the BKL: of a sleep_on sleeper, which held the BKL from its last look at
// its condition until it had taken sched_lock (switch_away). (The wake timer wakes without
// it: wake_if_due.)
// sched_lock is taken for each sleeper found, not around a walk of the table: the walk may
// be long, and the idle loops of the other CPUs wait for the lock.
void sched_make_runnable(struct proc *p) {
    if (!bkl_held())
        panic("sched: a wakeup without the BKL (pid %d)", p->pid);
    wake_if_sleeping(p);
    uint64_t f = local_irq_save();
    sched_send_ipis();
    local_irq_restore(f);
}

// A wakeup of a sleep_on_locked sleeper, by a waker holding the lock it slept with (lk).
// The reschedule IPIs it makes wait until the caller has let go of lk (sched_send_ipis):
// a CPU spinning for lk meanwhile would slow each of them down (see rq_unlock).
void sched_wake_locked(struct proc *p) { wake_if_sleeping(p); }

void wakeup(void *chan) {
    if (nr_sleeping == 0)
        return;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_SLEEPING && p->chan == chan) {
            TRACE(TR_WAKEUP, p->pid, 0, 0);
            sched_make_runnable(p);
        }
    }
}

// Makes thread t look at its signals soon (signal.c's signal_kick): a sleeper is woken,
// and a thread running on another CPU gets a reschedule IPI. Under sched_lock, so that
// SLEEPING, RUNNING and the CPU it runs on are read together. BKL.
void sched_kick(struct proc *t) {
    uint64_t f = local_irq_save();
    rq_lock();
    int cpu = -1;
    if (t->state == PROC_SLEEPING && t->context)
        wake(t);                        // (a sleep_on_locked sleeper holds no BKL)
    else if (t->state == PROC_RUNNING && t != current())
        cpu = t->last_cpu;
    rq_unlock();
    if (cpu >= 0)
        smp_kick_cpu(cpu);
    local_irq_restore(f);
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

// The same without the BKL: nanosleep's (sys_time.c), which Go's runtime makes often - its
// idle threads and its monitor nap a few microseconds at a time. Such a sleep has no waker
// of its own, only the wake timer's walk and a signal's kick, which both look at SLEEPING
// under sched_lock (sleep_locked): so its condition lock guards nothing, and is a lock of
// this call's own, which nobody else ever takes.
bool sleep_until_unlocked(uint64_t ns) {
    // lockdep's number for the lock, kept across calls: a lock's first use looks its name up
    // under lockdep's own lock, which every nanosleep of every CPU would then take.
    static int alone_class;
    struct proc *p = current();
    struct spinlock alone = SPINLOCK_INIT("timed sleep");
    alone.lockdep_class = __atomic_load_n(&alone_class, __ATOMIC_RELAXED);
    bool completed = true;
    uint64_t f = spin_lock_irqsave(&alone);
    __atomic_store_n(&alone_class, alone.lockdep_class, __ATOMIC_RELAXED);
    while (time_since_boot_ns() < ns) {
        if (signal_pending(p)) {
            completed = false;
            break;
        }
        __atomic_store_n(&p->wake_at, ns, __ATOMIC_SEQ_CST);   // (the wake timer's walk reads it)
        sleep_on_locked(&p->wake_at, &alone);
    }
    __atomic_store_n(&p->wake_at, 0, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&alone, f);
    return completed;
}

// The timer tick of the boot CPU (the PIT's IRQ 0), under the BKL only when trap.c found
// it needed (time.c's timer_tick_needs_bkl): wake sleepers and fire timers whose time has
// come, then what every CPU's tick does.
void sched_tick(void) {
    if (bkl_held())
        sched_wake_timer();
    else if (!sched_wake_timer_unlocked())
        lapic_timer_oneshot(0, T_WAKE_TIMER);   // a timer came due since trap.c looked: its
                                                // own interrupt fires it, under the BKL
    ptimer_cpu_tick();                   // POSIX timers on CPU-time clocks (ptimer.c)
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
    if (is_rt(cur))
        rt_charge(c, TICK_NS);
    // SCHED_FIFO's turn does not end with a slice - but for the rt throttling's sake.
    bool fifo = cur->policy == SCHED_FIFO && !rt_throttled(c);
    if (cur->state == PROC_RUNNING && !fifo && --cur->slice <= 0)
        c->need_resched = true;
}
