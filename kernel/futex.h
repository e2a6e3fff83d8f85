// futex.h: fast user-space locking (futex.c).
#pragma once
#include <stdint.h>

// Wakes up to n threads waiting on the futex word at uaddr in the current process
// (CLONE_CHILD_CLEARTID at a thread's exit).
void futex_wake_address(uint64_t uaddr, int n);

struct proc;
// Marks the robust futexes thread p still holds FUTEX_OWNER_DIED and wakes a waiter on
// each, as Linux's exit_robust_list (see futex.c); then forgets the list. Then hands every
// PI futex p still holds to its first waiter (exit_pi_state_list). p is the current
// thread, at exit or exec, with its memory still attached.
void futex_exit_robust_list(struct proc *p);
