// sleeplock.h: a lock whose holder may block - fault in a page, wait for memory - and whose
// waiters sleep instead of spinning (Linux's mutex, xv6's sleeplock).
//
// A spinlock may be held only for a short, straight stretch of code: interrupts are off,
// and its holder must not sleep (lockdep panics if it tries). A copy to or from user
// memory is neither short nor straight: it may fault, and the fault may sleep. A sleeping
// lock covers such work. Its word says who holds it; taking a free one, and letting go of
// one nobody waits for, is one atomic compare-and-exchange each. A thread that finds it
// taken sleeps on a list under a small spinlock of its own. Taking it with the BKL held is
// allowed: a waiter that sleeps lets the BKL go at its switch, as every sleeper does, so
// its holder - which may need the BKL to finish - can take it.
//
// Rules: take it with no spinlock held, and never twice in one thread (both panic); let go
// of it in the thread that took it, before the system call returns. Its waiters do not
// wake for signals: a hold is short (a copy), so a signal waits for its end.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "spinlock.h"

struct proc;
struct sleeplock_waiter;

struct sleeplock {
    uintptr_t owner;                     // the holder's struct proc *, | SLEEPLOCK_WAITERS; 0: free
    struct spinlock lk;                  // guards the list, and the setting of WAITERS
    struct sleeplock_waiter *waiters;    // sleeping for it, oldest first
};

#define SLEEPLOCK_WAITERS 1ul            // someone sleeps for it: letting go wakes the first

#define SLEEPLOCK_INIT(n) { .lk = SPINLOCK_INIT(n) }

void sleeplock_init(struct sleeplock *sl, const char *name);
void sleeplock_acquire(struct sleeplock *sl);
void sleeplock_release(struct sleeplock *sl);
bool sleeplock_holding(struct sleeplock *sl);   // by this thread?
void sleeplock_assert_none_held(uint64_t syscall_nr);   // panics if this thread holds one
