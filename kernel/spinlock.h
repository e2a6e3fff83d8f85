// spinlock.h: the lock around a shared kernel data structure (the page allocator's free lists,
// the kmalloc slabs, the kernel-stack area).
//
// A spinlock is a word that one CPU at a time sets from 0 to 1 with an atomic exchange;
// the others spin until it is 0 again. Taking one also disables interrupts on this CPU
// (an interrupt handler taking the same lock would otherwise spin forever on its own CPU),
// and releasing it puts the interrupt flag back as it was, so locks nest as Linux's
// spin_lock_irqsave/spin_unlock_irqrestore do (xv6's push_off/pop_off).
// Invariants: while a CPU holds a spinlock, its interrupts are off and it does not sleep;
// locks are always taken in one global order (lockdep, in spinlock.c, checks both and
// panics naming the two locks involved). `cpu` and `name` say who holds it, for debugging.
//
// The host unit tests (built with -DHOST_TEST) run kernel code as an ordinary single-threaded
// program, which may not execute cli; for them locking does nothing. This is the one place
// that knows about HOST_TEST.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct spinlock {
    const char *name;           // for debugging and lockdep's messages
    volatile uint32_t locked;   // 1 while held
    int cpu;                    // the holder's CPU number + 1 (0: nobody)
    int lockdep_class;          // lockdep's number for this lock + 1 (0: not seen yet)
};

#define SPINLOCK_INIT(n) { .name = (n) }

#ifdef HOST_TEST
static inline uint64_t spin_lock_irqsave(struct spinlock *lk) { (void)lk; return 0; }
static inline uint64_t spin_lock_irqsave_nested(struct spinlock *lk) { (void)lk; return 0; }
static inline void spin_unlock_irqrestore(struct spinlock *lk, uint64_t flags) {
    (void)lk;
    (void)flags;
}
#else
uint64_t spin_lock_irqsave(struct spinlock *lk);
// A second lock of a class this CPU already holds one of (Linux's spin_lock_nested), which
// lockdep otherwise forbids. Only where no other CPU can ever wait for the two the other
// way round: fork's new address space, which nobody but the forking CPU locks while it
// holds another mm's lock (mm.c, mm_dup).
uint64_t spin_lock_irqsave_nested(struct spinlock *lk);
void spin_unlock_irqrestore(struct spinlock *lk, uint64_t flags);
bool spin_holding(struct spinlock *lk);          // by this CPU?
// The lock without lockdep's bookkeeping, for the big kernel lock and lockdep itself.
void raw_spin_lock(struct spinlock *lk);
void raw_spin_unlock(struct spinlock *lk);
// Panics (naming the lock) if this CPU holds any spinlock: called before sleeping.
void lockdep_assert_none_held(const char *what);
// Panics unless lk is the one spinlock this CPU holds (sleep_on_locked).
void lockdep_assert_only_held(struct spinlock *lk, const char *what);
// Checks and records the order of a sleeping lock's lk after those a thread holds (sleeplock.c).
void lockdep_order_sleeping(struct spinlock *const *held, int nheld, struct spinlock *lk);
#endif
