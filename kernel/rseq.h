// rseq.h: restartable sequences (rseq.c): the scheduler's, the way out's and fork's and
// exec's calls. All act on the calling thread's own fields (proc.h: rseq_*).
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct proc;
struct trapframe;

// proc.rseq_due: what the way back to user mode owes the thread's struct rseq.
enum rseq_due {
    RSEQ_NOT_DUE,
    RSEQ_UPDATE,                     // the CPU's numbers (just registered)
    RSEQ_EVENT,                      // those, and an abort if it was inside a section
};

// p runs again (sched.c, on the switch in): its rseq is due, if it has one.
void rseq_switched_in(struct proc *p);
// The way back to user mode (trap.c): if the current thread's rseq is due, updates it and
// maybe moves tf->rip to the section's abort address; a bad struct forces SIGSEGV (taking
// the BKL for that). True if it did anything: the caller looks for signals and a
// reschedule again. May fault and sleep: interrupts on, or the BKL held (as for a signal's
// frame).
bool rseq_return(struct trapframe *tf);
// A signal's handler is about to be entered (signal.c): the same, first, so that the
// frame saves the abort address. A bad struct: SIGSEGV after this one (Linux's
// force_sigsegv). Under the BKL, interrupts off.
void rseq_signal(struct trapframe *tf, int sig);
// membarrier's RSEQ command: the threads of mm running on other CPUs (or on CPU only, if
// only >= 0) look at their rseq on their way back to user mode, as if switched out.
struct mm;
void rseq_mark_running(struct mm *mm, int only);
// fork without CLONE_VM (a new thread or a vfork child, sharing the memory, starts
// unregistered), and exec (which unregisters).
void rseq_fork(struct proc *child, struct proc *self);
void rseq_exec(struct proc *p);
