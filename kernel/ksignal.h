// ksignal.h: the kernel's side of signals. The numbers are Linux's, from libc's signal.h.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "signal.h"

// Internal return value of an interrupted sleeping system call: "restart me, unless a
// handler without SA_RESTART runs, then it is EINTR". User space never sees it.
#define ERESTARTSYS 512
// The same, but EINTR after any handler, SA_RESTART or not (poll, select, ppoll, pselect6,
// nanosleep: calls with a timeout or a temporary signal mask).
#define ERESTARTNOHAND 514
// Restart whatever runs: the call never happened (fork, when a signal came while it
// copied the memory: Linux's copy_process).
#define ERESTARTNOINTR 513

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_RESTORER  0x04000000
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000

// si_code values.
#define SI_USER    0
#define SI_KERNEL  0x80
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_TKILL   (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define TRAP_BRKPT 1
#define BUS_ADRERR 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

struct proc;
struct trapframe;

bool signal_pending(struct proc *p);          // a signal that would interrupt a sleep?
bool fatal_signal_pending(struct proc *p);    // SIGKILL: its process is being torn down
// Makes thread t look at its signals soon: a sleeper is woken, one running in user mode on
// another CPU is interrupted (a reschedule IPI). BKL, interrupts off.
void signal_kick(struct proc *t);
// The current thread p parks for its process's stop, or exits: if the stop waited for it
// and it was the last, the parent is told (SIGCHLD CLD_STOPPED, wait's WUNTRACED). BKL.
void signal_stop_participate(struct proc *p);
// The current thread p begins its exit: it takes no more process-wide signals, and those
// a sender may have chosen it for go to another thread (Linux's exit_signals). BKL.
void signal_exit(struct proc *p);
// Sends sig to p's process (from pid `from`, with si_code `code`), for whichever of its
// threads does not block it; wakes that one if it sleeps. Safe from interrupt handlers.
// -EAGAIN: a real-time signal with a user's si_code (sigqueue, tgkill) over the target's
// RLIMIT_SIGPENDING; otherwise 0 (sent, or dropped as ignored).
long signal_send(struct proc *p, int sig, int code, int from, uint64_t addr, int status);
// Sends sig to thread t alone (tgkill, SIGPIPE); value is the siginfo's si_value.
long signal_send_thread(struct proc *t, int sig, int code, int from, uint64_t value);
// A user's siginfo_t (rt_sigqueueinfo, pidfd_send_signal): its si_signo, si_code and
// si_value. 0 or -EFAULT.
long signal_info_from_user(uint64_t uinfo, int *signo, int *code, uint64_t *value);
// kill(2)'s checks and send to p's process, with si_code `code` and si_value `value`
// (sys_proc.c): -EPERM if the caller may not signal it; sig 0 only checks.
long signal_kill_process(struct proc *p, int sig, int code, uint64_t value);
// A POSIX timer's signal (ptimer.c): SI_TIMER, with the timer's id and value, to p's
// process, or to the thread p if to_thread. Its si_overrun is filled in when it is taken.
// seq is the timer's (ptimer.c), kept in the pending info's status until it is taken.
void signal_send_timer(struct proc *p, int sig, int id, uint64_t value, bool to_thread,
                       unsigned seq);
// That timer's last signal if still waiting to be taken (then it counts an overrun), else
// NULL. Its status is the seq it was sent with.
struct ksiginfo;
struct ksiginfo *signal_timer_queued(struct proc *p, int sig, int id, bool to_thread);
// Blocks `mask` until the current thread next returns to user mode, then puts the old
// mask back - after setting up any handler's frame, which saves the old one (ppoll,
// pselect6, epoll_pwait, rt_sigsuspend: Linux's set_restore_sigmask).
void signal_set_temp_mask(uint64_t mask);
// A fault's signal: it cannot be blocked or ignored away (blocked or ignored, the default
// action comes back, as Linux's force_sig).
void signal_force(struct proc *p, int sig, int code, uint64_t addr);
// signalfd (signalfd.c): takes the lowest pending signal of `among` off p's pending sets,
// its own first, then its process's (0: none), as rt_sigtimedwait does; is one of `set`
// pending for p? Interrupts off. And signal.c's call whenever a signal is queued.
struct ksiginfo;
int signal_dequeue(struct proc *p, uint64_t among, struct ksiginfo *info);
bool signal_pending_in(struct proc *p, uint64_t set);
void signalfd_notify(void);
// On the way back to user mode (trap.c's return_to_user): one signal's worth of work;
// false when there is nothing more to do.
bool signal_deliver_one(struct trapframe *tf);
void signal_exec(struct proc *p);
// What is still pending when a thread's slot is reaped, or its process's signal_struct
// freed, is thrown away (every queued instance freed).
struct signal_struct;
void signal_flush_thread(struct proc *t);
void signal_flush_process(struct signal_struct *s);
bool pgrp_orphaned(int pgid);                 // job control: no parent outside to continue it             // exec: handlers back to SIG_DFL
