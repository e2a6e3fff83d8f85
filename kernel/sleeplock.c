// sleeplock.c: sleeping locks (sleeplock.h says what they are for).
//
// The word `owner` is the lock: 0 when free, else the holder, with SLEEPLOCK_WAITERS set
// while anyone sleeps for it. The fast ways are one compare-and-exchange: 0 to me to take
// it, me to 0 to let go of it. A thread that finds it taken takes `lk`, joins the list,
// sets WAITERS in the word (with a compare-and-exchange: the holder may let go meanwhile,
// and then it simply tries again), and sleeps under `lk` (sleep_on_locked). The holder's
// fast release then fails, for the word is no longer just "me": it takes `lk` too, frees
// the word and wakes the oldest waiter. The usual argument holds: the waiter sets WAITERS
// and marks itself asleep with `lk` held; the holder, seeing WAITERS, needs `lk` to wake
// it - so the release comes before the waiter's look, or finds it asleep.
// The woken waiter is not handed the lock: another thread may take it first (the fast
// way), and then the woken one sleeps again, still first in line. Whoever takes it from
// the list sets WAITERS again if others are still on it.
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

// The slow way in: on the list, until the word is free and this thread has it.
static void acquire_slow(struct sleeplock *sl, struct proc *p) {
    uint64_t f = spin_lock_irqsave(&sl->lk);
    struct sleeplock_waiter w = { .thread = p };
    enqueue(sl, &w);
    for (;;) {
        uintptr_t v = __atomic_load_n(&sl->owner, __ATOMIC_ACQUIRE);
        if (v == 0) {
            bool others = sl->waiters != &w || w.next;
            uintptr_t mine = (uintptr_t)p | (others ? SLEEPLOCK_WAITERS : 0);
            if (__atomic_compare_exchange_n(&sl->owner, &v, mine, false, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
                break;
            continue;
        }
        if (!(v & SLEEPLOCK_WAITERS) &&
            !__atomic_compare_exchange_n(&sl->owner, &v, v | SLEEPLOCK_WAITERS, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            continue;                    // it changed: look again
        sleep_on_locked_uninterruptible(sl, &sl->lk);
    }
    dequeue(sl, &w);
    spin_unlock_irqrestore(&sl->lk, f);
}

void sleeplock_acquire(struct sleeplock *sl) {
    struct proc *p = current();
    check_acquire(p, sl);
    uintptr_t free = 0;
    if (!__atomic_compare_exchange_n(&sl->owner, &free, (uintptr_t)p, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        acquire_slow(sl, p);
    p->sleeplocks[p->nsleeplocks++] = sl;
}

bool sleeplock_holding(struct sleeplock *sl) {
    uintptr_t v = __atomic_load_n(&sl->owner, __ATOMIC_RELAXED);
    return (v & ~SLEEPLOCK_WAITERS) == (uintptr_t)current();
}

void sleeplock_release(struct sleeplock *sl) {
    struct proc *p = current();
    int i = 0;
    while (i < p->nsleeplocks && p->sleeplocks[i] != sl)
        i++;
    uintptr_t mine = (uintptr_t)p;
    if (i == p->nsleeplocks || !sleeplock_holding(sl))
        panic("sleeplock: pid %d lets go of %s, which it does not hold", p->pid, sl->lk.name);
    for (; i + 1 < p->nsleeplocks; i++)
        p->sleeplocks[i] = p->sleeplocks[i + 1];
    p->nsleeplocks--;
    if (__atomic_compare_exchange_n(&sl->owner, &mine, 0, false, __ATOMIC_RELEASE,
                                    __ATOMIC_RELAXED))
        return;                          // nobody waits
    uint64_t f = spin_lock_irqsave(&sl->lk);
    __atomic_store_n(&sl->owner, 0, __ATOMIC_RELEASE);
    if (sl->waiters)
        sched_wake_locked(sl->waiters->thread);
    spin_unlock_irqrestore(&sl->lk, 0);
    sched_send_ipis();                   // (not under lk: see sched.c's rq_unlock)
    local_irq_restore(f);
}

// A system call must not return holding one: nothing would ever let it go.
void sleeplock_assert_none_held(uint64_t syscall_nr) {
    struct proc *p = current();
    if (p->nsleeplocks)
        panic("sleeplock: pid %d returns from system call %lu holding %s", p->pid,
              (unsigned long)syscall_nr, p->sleeplocks[0]->lk.name);
}
