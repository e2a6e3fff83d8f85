// spinlock.h: the lock around a shared kernel data structure (the page allocator's free lists,
// the kmalloc slabs).
//
// Lantern runs on one CPU, so the only thing that can interleave with a half-done update is an
// interrupt handler. Taking a lock therefore disables interrupts, and releasing it puts the
// interrupt flag back as it was, so locks nest (kmalloc holds its lock while it calls the
// page allocator, which takes its own).
// Invariant: while any lock is held, interrupts are off, and no other code can run on the CPU.
// When Lantern learns SMP, the spinning (an atomic exchange loop on a `locked` field) goes
// here, and only here; the callers already say where every critical section starts and ends.
//
// The host unit tests (built with -DHOST_TEST) run kernel code as an ordinary single-threaded
// program, which may not execute cli; for them locking does nothing. This is the one place
// that knows about HOST_TEST.
#pragma once
#include <stdint.h>

struct spinlock {
    const char *name;   // for debugging
};

#ifdef HOST_TEST
static inline uint64_t spin_lock_irqsave(struct spinlock *lk) { (void)lk; return 0; }
static inline void spin_unlock_irqrestore(struct spinlock *lk, uint64_t flags) {
    (void)lk;
    (void)flags;
}
#else
#include "x86.h"
static inline uint64_t spin_lock_irqsave(struct spinlock *lk) {
    (void)lk;
    return local_irq_save();
}
static inline void spin_unlock_irqrestore(struct spinlock *lk, uint64_t flags) {
    (void)lk;
    local_irq_restore(flags);
}
#endif
