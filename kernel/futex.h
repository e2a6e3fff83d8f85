// futex.h: fast user-space locking (futex.c).
#pragma once
#include <stdint.h>

// Wakes up to n threads waiting on the futex word at uaddr in the current process
// (CLONE_CHILD_CLEARTID at a thread's exit).
void futex_wake_address(uint64_t uaddr, int n);
