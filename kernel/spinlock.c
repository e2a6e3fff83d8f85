// spinlock.c: spinlocks, and lockdep: a checker that every lock is taken in one order.
//
// A deadlock between two CPUs needs two locks taken in opposite orders (A then B on one CPU,
// B then A on the other), and it shows only when the timing is unlucky. Lockdep, named after
// Linux's, catches the *possibility* instead: it remembers, for every pair of locks, whether
// one has ever been taken while the other was held. The first time a CPU takes A while
// holding B after anyone ever took B while holding A, it panics naming both locks, on any
// run, however lucky the timing. It also panics when a CPU takes a lock it already holds
// (which would spin forever) and when a CPU goes to sleep holding a spinlock (the sleeper's
// lock would stop every other CPU that wants it until some unrelated wakeup).
//
// Locks are told apart by name: each name is a class, numbered on first use, so that the
// lock of every address space (each mm has one, all named "mm") is one class, as in Linux.
// Two locks of one class are never held at once: lockdep panics at the second, unless it
// is taken with spin_lock_irqsave_nested (one place: fork's new mm, mm.c). Lockdep is
// always on (it costs a few loads per lock, and the classes are few); its own tables are
// guarded by lockdep_lock, a raw lock that lockdep does not track, and taken only when
// there is a new order to record.
//
// A CPU spinning for a lock has its interrupts off, yet it keeps answering TLB shootdowns
// (smp_answer_shootdown): the CPU it waits for may itself be waiting for this one's flush.
#include <stdbool.h>
#include <stdint.h>
#include "panic.h"
#include "smp.h"
#include "string.h"
#include "percpu.h"
#include "spinlock.h"
#include "x86.h"

#define LOCKDEP_MAX_CLASSES 64

static struct spinlock lockdep_lock = SPINLOCK_INIT("lockdep");
static const char *class_names[LOCKDEP_MAX_CLASSES];   // class number -> its locks' name
static int nclasses;
// after[a][b]: lock b has been taken while lock a was held (so a comes before b).
static bool after[LOCKDEP_MAX_CLASSES][LOCKDEP_MAX_CLASSES];

static const char *lock_name(const struct spinlock *lk) { return lk->name ? lk->name : "(unnamed)"; }

void raw_spin_lock(struct spinlock *lk) {
    while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
        while (lk->locked)
            spin_relax(&lk->locked, 1);
}

void raw_spin_unlock(struct spinlock *lk) { __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE); }

// The class number of lk, found by its name on first use; -1 when the table is full
// (unchecked).
static int class_of(struct spinlock *lk) {
    if (lk->lockdep_class == 0) {
        for (int i = 0; i < nclasses && lk->lockdep_class == 0; i++)
            if (strcmp(class_names[i], lock_name(lk)) == 0)
                lk->lockdep_class = i + 1;
        if (lk->lockdep_class == 0 && nclasses < LOCKDEP_MAX_CLASSES) {
            class_names[nclasses] = lock_name(lk);
            lk->lockdep_class = ++nclasses;
        }
    }
    return lk->lockdep_class - 1;
}

// Is every order that taking lk now makes known already, and none of them inverted? Then
// there is nothing to record, and lockdep_lock - one lock that every CPU would take for
// every lock - is left alone. Read without it: an entry of after[][] only ever goes from
// false to true, and whoever sets after[b][a] does it under lockdep_lock, where it finds
// after[a][b] and panics.
static bool order_known(struct percpu *c, struct spinlock *lk, bool nested) {
    int b = lk->lockdep_class - 1;
    if (b < 0)
        return false;                    // not seen before
    for (int i = 0; i < c->nheld; i++) {
        int a = c->held[i]->lockdep_class - 1;
        if (a == b && nested)
            continue;
        if (a < 0 || a == b || !after[a][b] || after[b][a])
            return false;
    }
    return true;
}

// The orders that taking lk now makes (each held lock before lk), checked and recorded.
static void record_order(struct percpu *c, struct spinlock *lk, bool nested) {
    raw_spin_lock(&lockdep_lock);
    int b = class_of(lk);
    for (int i = 0; i < c->nheld && b >= 0; i++) {
        int a = class_of(c->held[i]);
        if (a < 0 || (a == b && nested))
            continue;
        if (a == b) {
            raw_spin_unlock(&lockdep_lock);
            panic("lockdep: CPU %d takes a second %s lock while holding one (no order "
                  "between two locks of one class)", c->id, lock_name(lk));
        }
        if (after[b][a]) {
            raw_spin_unlock(&lockdep_lock);
            panic("lockdep: lock order inversion: CPU %d takes %s while holding %s, "
                  "but %s was taken while holding %s before", c->id, lock_name(lk),
                  lock_name(c->held[i]), lock_name(c->held[i]), lock_name(lk));
        }
        after[a][b] = true;
    }
    raw_spin_unlock(&lockdep_lock);
}

// Called with interrupts off, before spinning for lk: is taking lk now in order?
static void lockdep_acquire(struct percpu *c, struct spinlock *lk, bool nested) {
    for (int i = 0; i < c->nheld; i++)
        if (c->held[i] == lk)
            panic("lockdep: recursive locking: CPU %d takes %s, which it already holds",
                  c->id, lock_name(lk));
    if (!order_known(c, lk, nested))
        record_order(c, lk, nested);
    if (c->nheld == LOCKDEP_MAX_HELD)
        panic("lockdep: CPU %d holds more than %d locks (taking %s)", c->id,
              LOCKDEP_MAX_HELD, lock_name(lk));
    c->held[c->nheld++] = lk;
}

// Locks are usually released in the reverse order, but need not be.
static void lockdep_release(struct percpu *c, struct spinlock *lk) {
    for (int i = c->nheld - 1; i >= 0; i--) {
        if (c->held[i] == lk) {
            for (int j = i; j + 1 < c->nheld; j++)
                c->held[j] = c->held[j + 1];
            c->nheld--;
            return;
        }
    }
    panic("lockdep: CPU %d releases %s, which it does not hold", c->id, lock_name(lk));
}

static uint64_t lock_irqsave(struct spinlock *lk, bool nested) {
    uint64_t flags = local_irq_save();
    struct percpu *c = this_cpu();
    lockdep_acquire(c, lk, nested);
    while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE)) {
        while (lk->locked) {
            smp_answer_shootdown();
            spin_relax(&lk->locked, 1);
        }
    }
    lk->cpu = c->id + 1;
    return flags;
}

uint64_t spin_lock_irqsave(struct spinlock *lk) { return lock_irqsave(lk, false); }
uint64_t spin_lock_irqsave_nested(struct spinlock *lk) { return lock_irqsave(lk, true); }

void spin_unlock_irqrestore(struct spinlock *lk, uint64_t flags) {
    struct percpu *c = this_cpu();
    if (lk->cpu != c->id + 1)
        panic("spinlock: CPU %d releases %s, held by CPU %d", c->id, lock_name(lk), lk->cpu - 1);
    lockdep_release(c, lk);
    lk->cpu = 0;
    raw_spin_unlock(lk);
    local_irq_restore(flags);
}

bool spin_holding(struct spinlock *lk) {
    uint64_t f = local_irq_save();
    bool mine = lk->locked && lk->cpu == this_cpu()->id + 1;
    local_irq_restore(f);
    return mine;
}

// A sleeping lock about to be taken (sleeplock.c), after the held ones, in a thread's order
// rather than a CPU's: the same table, by the names of their own spinlocks. Rare enough (a
// thread seldom holds two) to take lockdep_lock every time.
//
// Interrupts are off while lockdep_lock is held: a thread may come here without the BKL (a
// write(2), holding its file's pos_lock, takes the inode's write lock), and an interrupt
// taken meanwhile may wait for the BKL (trap_locked) - while the BKL's holder, taking a
// lock of its own, spins for lockdep_lock.
void lockdep_order_sleeping(struct spinlock *const *held, int nheld, struct spinlock *lk) {
    if (nheld == 0)
        return;
    uint64_t f = local_irq_save();
    raw_spin_lock(&lockdep_lock);
    int b = class_of(lk);
    for (int i = 0; i < nheld && b >= 0; i++) {
        int a = class_of(held[i]);
        if (a >= 0 && (a == b || after[b][a])) {
            raw_spin_unlock(&lockdep_lock);
            local_irq_restore(f);
            panic("lockdep: sleeping-lock order: a thread takes %s while holding %s%s",
                  lock_name(lk), lock_name(held[i]),
                  a == b ? " (two locks of one class)" : ", the other way round before");
        }
        if (a >= 0)
            after[a][b] = true;
    }
    raw_spin_unlock(&lockdep_lock);
    local_irq_restore(f);
}

void lockdep_assert_none_held(const char *what) {
    struct percpu *c = this_cpu();
    if (c->nheld > 0)
        panic("lockdep: %s while holding spinlock %s (CPU %d)", what,
              lock_name(c->held[c->nheld - 1]), c->id);
}

void lockdep_assert_only_held(struct spinlock *lk, const char *what) {
    struct percpu *c = this_cpu();
    if (c->nheld != 1 || c->held[0] != lk)
        panic("lockdep: %s with %s, but holding %d spinlocks, the last %s (CPU %d)", what,
              lock_name(lk), c->nheld, c->nheld ? lock_name(c->held[c->nheld - 1]) : "none",
              c->id);
}
