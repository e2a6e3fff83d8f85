// signal.h: signal numbers (Linux's), sending signals, and handling them.
// The kernel uses the numbers from here too; everything after them is user space only.
#pragma once

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGIOT     SIGABRT
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPOLL   SIGIO
#define SIGPWR    30
#define SIGSYS    31
#define NSIG      65      // one more than the highest signal number, 64
// Real-time signals: queued, one instance per send, each with its own siginfo. This C
// library reserves none for itself (glibc keeps 32 and 33, so its SIGRTMIN is 34).
#define SIGRTMIN  32
#define SIGRTMAX  64

#ifndef __KERNEL__
#include <sys/types.h>

// ---- signal sets. Linux's x86_64 kernel takes exactly 64 bits (signal n is bit n-1), and
// every call that takes a set also takes its size: always sizeof(sigset_t), 8. (glibc's
// sigset_t is 128 bytes, with room for future signals; we pass the kernel its own size.)
typedef struct {
    unsigned long __bits[1];
} sigset_t;

int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);      // EINVAL unless 1 <= sig <= 64
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);

// ---- what the kernel tells a handler: siginfo_t, Linux's 128-byte layout. Three ints,
// then (8-byte aligned, at offset 16) a union whose member depends on where the signal
// came from; the si_* names below pick the right member.
union sigval {
    int sival_int;
    void *sival_ptr;
};

typedef struct {
    int si_signo;
    int si_errno;
    int si_code;      // SI_USER, SI_TKILL, ... or, from the kernel, SEGV_MAPERR and the like
    union {
        int __pad[28];                       // the whole is 128 bytes
        struct {                             // kill, tgkill, sigqueue
            pid_t si_pid;
            uid_t si_uid;
            union sigval si_value;
        } __kill;
        struct {                             // SIGCHLD
            pid_t si_pid;
            uid_t si_uid;
            int si_status;                   // the exit code, or the signal
            long si_utime, si_stime;
        } __sigchld;
        struct {                             // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
            void *si_addr;                   // the address that faulted, or the instruction
            short si_addr_lsb;
        } __sigfault;
        struct {                             // SIGIO
            long si_band;
            int si_fd;
        } __sigpoll;
    } __u;
} siginfo_t;

#define si_pid      __u.__kill.si_pid
#define si_uid      __u.__kill.si_uid
#define si_value    __u.__kill.si_value
#define si_status   __u.__sigchld.si_status
#define si_utime    __u.__sigchld.si_utime
#define si_stime    __u.__sigchld.si_stime
#define si_addr     __u.__sigfault.si_addr
#define si_addr_lsb __u.__sigfault.si_addr_lsb
#define si_band     __u.__sigpoll.si_band
#define si_fd       __u.__sigpoll.si_fd

// si_code: who sent it. Values <= 0 come from user space, > 0 from the kernel.
#define SI_USER     0         // kill()
#define SI_KERNEL   0x80      // the kernel, for no more specific reason (a #GP, int3)
#define SI_QUEUE    (-1)      // sigqueue()
#define SI_TIMER    (-2)
#define SI_TKILL    (-6)      // tkill(), tgkill(), and so raise()
// For a fault, why it happened:
#define ILL_ILLOPC  1         // SIGILL: illegal opcode
#define ILL_ILLOPN  2         //         illegal operand (Linux's answer for ud2)
#define ILL_PRVOPC  5         //         privileged opcode
#define FPE_INTDIV  1         // SIGFPE: integer divide by zero
#define FPE_INTOVF  2         //         integer overflow
#define SEGV_MAPERR 1         // SIGSEGV: nothing mapped at the address
#define SEGV_ACCERR 2         //          mapped, but not for this kind of access
#define BUS_ADRALN  1         // SIGBUS: misaligned address
#define BUS_ADRERR  2
#define TRAP_BRKPT  1         // SIGTRAP: breakpoint
#define TRAP_TRACE  2
#define CLD_EXITED  1         // SIGCHLD: the child exited (si_status is the exit code),
#define CLD_KILLED  2         //          was killed (si_status is the signal),
#define CLD_DUMPED  3         //          was killed and dumped core,
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

// ---- handling signals
typedef void (*sighandler_t)(int);

#define SIG_ERR ((sighandler_t)-1)
#define SIG_DFL ((sighandler_t)0)      // the default action: end, ignore, stop, or continue
#define SIG_IGN ((sighandler_t)1)

// The C library's struct sigaction. The kernel's is laid out differently (handler, flags,
// restorer, mask); sigaction() translates.
struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);   // with SA_SIGINFO
    } __sa_handler;
    sigset_t sa_mask;          // blocked while the handler runs, besides the signal itself
    int sa_flags;
    void (*sa_restorer)(void); // ignored: sigaction() always supplies its own
};
#define sa_handler   __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction

#define SA_NOCLDSTOP 0x00000001   // SIGCHLD: not when a child stops
#define SA_NOCLDWAIT 0x00000002   // SIGCHLD: children do not become zombies
#define SA_SIGINFO   0x00000004   // call sa_sigaction(sig, info, ucontext)
#define SA_RESTORER  0x04000000   // sa_restorer is set (the kernel requires it on x86_64)
#define SA_ONSTACK   0x08000000   // run on the alternate signal stack
#define SA_RESTART   0x10000000   // restart interrupted system calls instead of EINTR
#define SA_NODEFER   0x40000000   // do not block the signal during its own handler
#define SA_RESETHAND 0x80000000   // back to SIG_DFL once the handler has been called
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND

#define SIG_BLOCK   0             // sigprocmask: add these to the mask,
#define SIG_UNBLOCK 1             // take them out of it,
#define SIG_SETMASK 2             // or replace it

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
// glibc's (BSD) semantics: SA_RESTART, and the signal blocked while its handler runs.
sighandler_t signal(int sig, sighandler_t handler);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int sigpending(sigset_t *set);    // blocked signals that have arrived

int kill(pid_t pid, int sig);     // pid > 0: that process; 0: my group; -pgid: that group
int killpg(pid_t pgrp, int sig);  // kill(-pgrp, sig)
int raise(int sig);               // tgkill(getpid(), gettid(), sig): si_code is SI_TKILL
int tgkill(pid_t tgid, pid_t tid, int sig);
// sig to process pid with a value: si_code SI_QUEUE, si_value. A real-time signal queues
// (each call one instance); EAGAIN when the receiver's user has RLIMIT_SIGPENDING queued.
int sigqueue(pid_t pid, int sig, const union sigval value);

// Takes one pending signal of *set (blocked, usually) without running its handler, and
// returns its number; *info (if not NULL) says where it came from. sigtimedwait waits at
// most *timeout (NULL: as sigwaitinfo, for ever; {0, 0}: only a look), then EAGAIN.
struct timespec;
int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout);
int sigwaitinfo(const sigset_t *set, siginfo_t *info);

// The machine state a SA_SIGINFO handler's third argument points to.
#include <sys/ucontext.h>
#endif
