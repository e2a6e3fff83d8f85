// signal.c: signal sets, handlers (sigaction, signal), the signal mask, and raise.
//
// How a handler runs, on Linux and Lantern alike: when the kernel is about to return to
// user mode with a signal pending and a handler installed, it pushes a frame on the user
// stack - the interrupted registers, FPU state and signal mask (a ucontext_t), and a
// siginfo_t - and "returns" into the handler instead, with the return address set to
// sa_restorer. When the handler returns, it lands in __restore_rt (restore_rt.S), whose
// only job is the rt_sigreturn system call: the kernel reloads everything from the frame,
// and the interrupted code continues as if nothing had happened.
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

void __restore_rt(void);    // restore_rt.S

// What rt_sigaction reads and writes (the kernel's struct sigaction on x86_64).
struct k_sigaction {
    void *handler;
    unsigned long flags;
    void (*restorer)(void);
    sigset_t mask;
};

// The layouts the kernel and handlers share, as Linux has them.
_Static_assert(sizeof(sigset_t) == 8, "the kernel's sigset is 64 bits");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo_t is 128 bytes");
_Static_assert(offsetof(siginfo_t, si_pid) == 16 && offsetof(siginfo_t, si_uid) == 20 &&
               offsetof(siginfo_t, si_status) == 24 && offsetof(siginfo_t, si_addr) == 16,
               "siginfo_t's union is at offset 16");
_Static_assert(offsetof(ucontext_t, uc_mcontext) == 40 && sizeof(mcontext_t) == 256 &&
               offsetof(ucontext_t, uc_sigmask) == 296 && sizeof(ucontext_t) == 304,
               "ucontext_t is the kernel's struct ucontext");
_Static_assert(sizeof(struct _libc_fpstate) == 512 &&
               offsetof(struct _libc_fpstate, _xmm) == 160, "the fxsave layout");

// ---- signal sets: signal n is bit n-1

static int bad_signal(int sig)
{
    if (sig >= 1 && sig < NSIG)
        return 0;
    errno = EINVAL;
    return 1;
}

int sigemptyset(sigset_t *set)
{
    set->__bits[0] = 0;
    return 0;
}

int sigfillset(sigset_t *set)
{
    set->__bits[0] = ~0UL;
    return 0;
}

int sigaddset(sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    set->__bits[0] |= 1UL << (sig - 1);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    set->__bits[0] &= ~(1UL << (sig - 1));
    return 0;
}

int sigismember(const sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    return (set->__bits[0] >> (sig - 1)) & 1;
}

// ---- handlers

// x86_64 Linux will not deliver to a handler without SA_RESTORER (it would have nowhere to
// return to), so every handler gets ours. The flags go through unsigned int on their way
// to the kernel's unsigned long: SA_RESETHAND is the sign bit of an int.
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct k_sigaction kact, kold;

    if (act != NULL) {
        kact.handler = (void *)act->sa_handler;
        kact.flags = (unsigned int)act->sa_flags | SA_RESTORER;
        kact.restorer = __restore_rt;
        kact.mask = act->sa_mask;
    }
    long r = sys4(SYS_rt_sigaction, sig, act ? &kact : NULL, old ? &kold : NULL,
                  sizeof(sigset_t));
    if (r < 0)
        return __syscall_ret(r);
    if (old != NULL) {
        old->sa_handler = (sighandler_t)kold.handler;
        old->sa_mask = kold.mask;
        old->sa_flags = (int)kold.flags;
        old->sa_restorer = kold.restorer;
    }
    return 0;
}

// As glibc's signal(): system calls the handler interrupts are restarted (SA_RESTART),
// and the handler stays installed for the next time.
sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
    struct sigaction old = { .sa_handler = SIG_ERR };

    sigemptyset(&sa.sa_mask);
    if (sig >= 1 && sig < NSIG)
        sigaddset(&sa.sa_mask, sig);
    if (sigaction(sig, &sa, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

// ---- the signal mask

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    return __syscall_ret(sys4(SYS_rt_sigprocmask, how, set, old, sizeof(sigset_t)));
}

int sigpending(sigset_t *set)
{
    return __syscall_ret(sys2(SYS_rt_sigpending, set, sizeof(sigset_t)));
}

// ---- sending one to ourselves

// To this thread, as glibc's raise does, rather than to the process (kill): the handler
// sees si_code SI_TKILL. Either way it runs before raise returns, unless it is blocked.
int raise(int sig)
{
    return tgkill(getpid(), gettid(), sig);
}

// ---- queueing a signal with a value, and taking one without a handler

int sigqueue(pid_t pid, int sig, const union sigval value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value = value;
    return __syscall_ret(sys3(SYS_rt_sigqueueinfo, pid, sig, &si));
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
    return __syscall_ret(sys4(SYS_rt_sigtimedwait, set, info, timeout, sizeof(sigset_t)));
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
    return sigtimedwait(set, info, NULL);
}
