// sleeplock.c: sleeping locks (sleeplock.h says what they are for).
//
// The lock's own spinlock, lk, guards its state; a thread that finds it taken puts itself on
// the waiter list and sleeps under lk (sleep_on_locked), and the holder, letting go, wakes
// the oldest waiter, which looks again. So the usual argument holds: the waiter looks at
// `locked` and marks itself asleep with lk held, and the holder changes `locked` and looks
// for waiters with lk held - a release comes before the look, or finds the waiter.
// The woken waiter is not handed the lock: another thread may take it first, and then the
// woken one sleeps again, still first in line (the next release wakes it again).
//
// Lock order: a sleeping lock may be taken with the BKL held, never with a spinlock held;
// its lk comes after the BKL and before sched_lock. Lockdep checks the order between
// sleeping locks as between spinlocks, by name, from each thread's list of those it holds.
#include <stdbool.h>
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "sleeplock.h"
#include "x86.h"

// A waiter lives on its sleeping thread's kernel stack, on the list while it waits.
struct sleeplock_waiter {
    struct proc *thread;
    struct sleeplock_waiter *next;
};

void sleeplock_init(struct sleeplock *sl, const char *name) {
    *sl = (struct sleeplock)SLEEPLOCK_INIT(name);
}

static void enqueue(struct sleeplock *sl, struct sleeplock_waiter *w) {
    struct sleeplock_waiter **pp = &sl->waiters;
    while (*pp)
        pp = &(*pp)->next;
    *pp = w;
}

static void dequeue(struct sleeplock *sl, struct sleeplock_waiter *w) {
    struct sleeplock_waiter **pp = &sl->waiters;
    while (*pp != w)
        pp = &(*pp)->next;
    *pp = w->next;
}

// What lockdep checks before a thread may wait for sl: it holds no spinlock (it may sleep),
// does not hold sl already (it would wait for itself for ever), and takes sl in an order
// no thread ever reversed.
static void check_acquire(struct proc *p, struct sleeplock *sl) {
    lockdep_assert_none_held("taking a sleeping lock");
    for (int i = 0; i < p->nsleeplocks; i++)
        if (p->sleeplocks[i] == sl)
            panic("sleeplock: pid %d takes %s, which it already holds", p->pid, sl->lk.name);
    if (p->nsleeplocks == SLEEPLOCKS_HELD)
        panic("sleeplock: pid %d holds more than %d sleeping locks (taking %s)", p->pid,
              SLEEPLOCKS_HELD, sl->lk.name);
    struct spinlock *held[SLEEPLOCKS_HELD];
    for (int i = 0; i < p->nsleeplocks; i++)
        held[i] = &p->sleeplocks[i]->lk;
    lockdep_order_sleeping(held, p->nsleeplocks, &sl->lk);
}

void sleeplock_acquire(struct sleeplock *sl) {
    struct proc *p = current();
    check_acquire(p, sl);
    uint64_t f = spin_lock_irqsave(&sl->lk);
    if (sl->locked) {
        struct sleeplock_waiter w = { .thread = p };
        enqueue(sl, &w);
        while (sl->locked)
            sleep_on_locked_uninterruptible(sl, &sl->lk);
        dequeue(sl, &w);
    }
    sl->locked = true;
    sl->holder = p;
    spin_unlock_irqrestore(&sl->lk, f);
    p->sleeplocks[p->nsleeplocks++] = sl;
}

void sleeplock_release(struct sleeplock *sl) {
    struct proc *p = current();
    int i = 0;
    while (i < p->nsleeplocks && p->sleeplocks[i] != sl)
        i++;
    if (i == p->nsleeplocks || sl->holder != p)
        panic("sleeplock: pid %d lets go of %s, which it does not hold", p->pid, sl->lk.name);
    for (; i + 1 < p->nsleeplocks; i++)
        p->sleeplocks[i] = p->sleeplocks[i + 1];
    p->nsleeplocks--;
    uint64_t f = spin_lock_irqsave(&sl->lk);
    sl->locked = false;
    sl->holder = NULL;
    if (sl->waiters)
        sched_wake_locked(sl->waiters->thread);
    spin_unlock_irqrestore(&sl->lk, 0);
    sched_send_ipis();                   // (not under lk: see sched.c's rq_unlock)
    local_irq_restore(f);
}

bool sleeplock_holding(struct sleeplock *sl) {
    uint64_t f = spin_lock_irqsave(&sl->lk);
    bool mine = sl->locked && sl->holder == current();
    spin_unlock_irqrestore(&sl->lk, f);
    return mine;
}

// A system call must not return holding one: nothing would ever let it go.
void sleeplock_assert_none_held(uint64_t syscall_nr) {
    struct proc *p = current();
    if (p->nsleeplocks)
        panic("sleeplock: pid %d returns from system call %lu holding %s", p->pid,
              (unsigned long)syscall_nr, p->sleeplocks[0]->lk.name);
}
