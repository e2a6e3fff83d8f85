// ipc_sem.h: System V semaphores (ipc_sem.c): what fork and exit do about a thread's
// SEM_UNDO adjustments.
#pragma once
#include <stdbool.h>

struct proc;
// clone: the child shares self's undo list (CLONE_SYSVSEM: made first if self has none),
// or starts with none (fork). 0 or -ENOMEM. BKL.
long sem_clone(struct proc *child, struct proc *self, bool share);
// exit: p lets go of its undo list; the last thread to do so applies the adjustments and
// wakes whoever they let go on. BKL.
void sem_exit(struct proc *p);
