// t_signal.c: catching signals: sigaction and signal, what a SA_SIGINFO handler is told,
// the signal mask (blocking, pending, the mask while a handler runs), the order Linux runs
// several handlers in, SA_NODEFER and SA_RESETHAND, SIGCHLD, what fork passes on, and the
// errors. (t_eintr: system calls a handler interrupts; t_sigframe: the handler's frame.)
//
// On Lantern this program is PID 1, and Linux never lets a signal kill init unless init
// has a handler for it (the signal is dropped instead). So every signal sent to the test
// process here has a handler; the deadly ones go to children.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static volatile int count, last_sig, depth, max_depth;
static volatile int order[8], n_order;
static siginfo_t info;
static sigset_t mask_inside;

static void on_sig(int sig)
{
    count++;
    last_sig = sig;
    if (n_order < 8)
        order[n_order++] = sig;
    sigprocmask(SIG_BLOCK, NULL, &mask_inside);
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    info = *si;
    on_sig(sig);
}

// Install a handler: on_sig, or on_info with SA_SIGINFO in flags; also_block joins sa_mask.
static int handle(int sig, int flags, int also_block)
{
    struct sigaction sa = { .sa_flags = flags };

    if (flags & SA_SIGINFO)
        sa.sa_sigaction = on_info;
    else
        sa.sa_handler = on_sig;
    sigemptyset(&sa.sa_mask);
    if (also_block)
        sigaddset(&sa.sa_mask, also_block);
    return sigaction(sig, &sa, NULL);
}

static sigset_t just(int sig)
{
    sigset_t set;

    sigemptyset(&set);
    if (sig)
        sigaddset(&set, sig);
    return set;
}

static void handlers(void)
{
    struct sigaction sa = { .sa_handler = on_sig }, old;

    sigemptyset(&sa.sa_mask);
    check("sigaction SIGUSR1", sigaction(SIGUSR1, &sa, &old));
    yes("the old action was SIG_DFL", old.sa_handler == SIG_DFL);
    check("raise SIGUSR1", raise(SIGUSR1));
    printf("the handler ran %d time(s), for %s\n", count, sig_name(last_sig));
    check("kill(getpid(), SIGUSR1)", kill(getpid(), SIGUSR1));
    printf("it ran before kill returned: count %d\n", count);
    sigaction(SIGUSR1, NULL, &old);
    yes("sigaction reads back the handler", old.sa_handler == on_sig);
    yes("without SA_RESTART", !(old.sa_flags & SA_RESTART));
    yes("signal(SIGUSR2) returns the old SIG_DFL", signal(SIGUSR2, on_sig) == SIG_DFL);
    sigaction(SIGUSR2, NULL, &old);
    yes("signal() sets SA_RESTART", (old.sa_flags & SA_RESTART) != 0);
    yes("signal() blocks the signal in its handler",
        sigismember(&old.sa_mask, SIGUSR2) == 1 && !(old.sa_flags & SA_NODEFER));
    yes("signal(SIGUSR2, SIG_DFL) returns the handler", signal(SIGUSR2, SIG_DFL) == on_sig);
}

static void siginfo(void)
{
    handle(SIGUSR1, SA_SIGINFO, 0);
    kill(getpid(), SIGUSR1);
    printf("kill: si_signo %s, si_code %d, si_errno %d\n", sig_name(info.si_signo),
           info.si_code, info.si_errno);
    yes("kill: si_pid is ours", info.si_pid == getpid());
    yes("kill: si_uid is ours", info.si_uid == getuid());
    raise(SIGUSR1);
    printf("raise: si_code %d\n", info.si_code);
    yes("raise: si_pid is ours", info.si_pid == getpid());
    tgkill(getpid(), gettid(), SIGUSR1);
    printf("tgkill: si_code %d\n", info.si_code);
}

static void masks(void)
{
    sigset_t set = just(SIGUSR1), old, pending;

    handle(SIGUSR1, 0, 0);
    count = 0;
    check("block SIGUSR1", sigprocmask(SIG_BLOCK, &set, &old));
    yes("nothing was blocked before", sigismember(&old, SIGUSR1) == 0);
    raise(SIGUSR1);
    raise(SIGUSR1);
    printf("raised twice while blocked: the handler ran %d time(s)\n", count);
    check("sigpending", sigpending(&pending));
    yes("SIGUSR1 is pending", sigismember(&pending, SIGUSR1) == 1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: it ran %d time(s) (ordinary signals do not queue)\n", count);
    sigpending(&pending);
    yes("nothing is pending now", sigismember(&pending, SIGUSR1) == 0);

    sigfillset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old);
    yes("blocking everything blocks SIGUSR1", sigismember(&old, SIGUSR1) == 1);
    yes("but never SIGKILL or SIGSTOP",
        sigismember(&old, SIGKILL) == 0 && sigismember(&old, SIGSTOP) == 0);
    set = just(0);
    sigprocmask(SIG_SETMASK, &set, NULL);
    check("sigprocmask how 99", sigprocmask(99, &set, NULL));
    // (glibc's sigprocmask copies the set itself, so bad pointers go to the kernel raw.)
    check("rt_sigprocmask bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, 1, NULL, 8));
    check("rt_sigprocmask bad old pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, 1, 8));
    check("rt_sigprocmask sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16));
}

// Several signals pending when the mask opens. Linux takes the lowest number first and
// builds its handler's frame, then, still before returning to user mode, finds the next
// one deliverable and builds a frame on top: the handler pushed last runs first. Unless
// the first handler's sa_mask blocks the second signal, which then waits for its return.
static void print_order(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < n_order; i++)
        printf(" %s", sig_name(order[i]));
    printf("\n");
}

static void delivery_order(void)
{
    sigset_t both = just(SIGUSR1);

    sigaddset(&both, SIGUSR2);
    handle(SIGUSR1, 0, 0);
    handle(SIGUSR2, 0, 0);
    sigprocmask(SIG_BLOCK, &both, NULL);
    raise(SIGUSR2);
    raise(SIGUSR1);
    n_order = 0;
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    print_order("handlers entered, in order");

    handle(SIGUSR1, 0, SIGUSR2);                 // SIGUSR2 waits while SIGUSR1's handler runs
    sigprocmask(SIG_BLOCK, &both, NULL);
    raise(SIGUSR2);
    raise(SIGUSR1);
    n_order = 0;
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    print_order("the same, SIGUSR2 in SIGUSR1's sa_mask");
}

static void on_nested(int sig)
{
    if (++depth > max_depth)
        max_depth = depth;
    count++;
    if (count == 1)
        raise(sig);                              // again, from inside the handler
    depth--;
}

static void in_handler(void)
{
    sigset_t now;
    struct sigaction sa = { .sa_handler = on_nested };

    handle(SIGUSR1, 0, SIGUSR2);
    raise(SIGUSR1);
    yes("in the handler, its signal is blocked", sigismember(&mask_inside, SIGUSR1) == 1);
    yes("and so is its sa_mask", sigismember(&mask_inside, SIGUSR2) == 1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    yes("afterwards, neither is", !sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
    handle(SIGUSR1, SA_NODEFER, 0);
    raise(SIGUSR1);
    yes("with SA_NODEFER it is not blocked", sigismember(&mask_inside, SIGUSR1) == 0);

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    count = max_depth = 0;
    raise(SIGUSR1);
    printf("raised inside its handler: ran %d times, nested %d deep\n", count, max_depth);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    count = max_depth = 0;
    raise(SIGUSR1);
    printf("the same with SA_NODEFER: ran %d times, nested %d deep\n", count, max_depth);
}

static void resethand_child(void)
{
    struct sigaction sa;

    handle(SIGUSR1, SA_RESETHAND, 0);
    raise(SIGUSR1);
    printf("SA_RESETHAND: the handler ran %d time(s)\n", count);
    sigaction(SIGUSR1, NULL, &sa);
    yes("SA_RESETHAND: now SIG_DFL", sa.sa_handler == SIG_DFL);
    raise(SIGUSR1);
    printf("SA_RESETHAND: still alive after the second raise\n");
}

static void blocked_default_child(void)
{
    sigset_t set = just(SIGUSR1);

    signal(SIGUSR1, SIG_DFL);                    // fork passed on our handler
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    printf("SIGUSR1 blocked, default action: alive while it is pending\n");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("...and after unblocking it\n");
}

static void on_abort(int sig)
{
    (void)sig;
    printf("abort(): the SIGABRT handler ran and returned\n");
}

static void abort_child(void)
{
    signal(SIGABRT, on_abort);
    abort();
}

static void one_shot(void)
{
    count = 0;
    in_child("SA_RESETHAND child", resethand_child);
    in_child("blocked SIGUSR1 child", blocked_default_child);
    in_child("abort() child", abort_child);
}

// SIGCHLD, with a handler and ignored; and what fork passes on.
static void children(void)
{
    struct sigaction sa = { .sa_sigaction = on_info, .sa_flags = SA_SIGINFO };
    int status, gate[2];
    char c;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    count = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(5);
    waitpid(pid, &status, 0);
    yes("the SIGCHLD handler ran before waitpid returned", count == 1);
    printf("SIGCHLD, exit(5): si_code %d, si_status %d\n", info.si_code, info.si_status);
    yes("si_pid is the child", info.si_pid == pid);
    pipe(gate);
    if ((pid = fork()) == 0) {
        read(gate[0], &c, 1);
        _exit(0);
    }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("SIGCHLD, killed: si_code %d, si_status %s\n", info.si_code,
           sig_name(info.si_status));
    close(gate[0]);
    close(gate[1]);

    signal(SIGCHLD, SIG_IGN);                    // no zombies: the kernel reaps them
    if ((pid = fork()) == 0)
        _exit(0);
    check_val("SIGCHLD ignored: waitpid (returns once the child is gone)",
              waitpid(pid, &status, 0));
    signal(SIGCHLD, SIG_DFL);

    sigset_t set = just(SIGUSR1);
    handle(SIGUSR1, 0, 0);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    if ((pid = fork()) == 0) {
        sigset_t m, p;
        struct sigaction a;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&p);
        sigaction(SIGUSR1, NULL, &a);
        _exit((sigismember(&m, SIGUSR1) == 1) | (sigismember(&p, SIGUSR1) == 1) << 1 |
              (a.sa_handler == on_sig) << 2);
    }
    waitpid(pid, &status, 0);
    int bits = WEXITSTATUS(status);
    yes("the fork child has our mask", bits & 1);
    yes("the fork child has our pending signal", bits & 2);
    yes("the fork child has our handler", bits & 4);
    count = 0;
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("ours is still pending: unblocked, the handler ran %d time(s)\n", count);
}

static void errors(void)
{
    struct sigaction sa = { .sa_handler = on_sig }, old;
    char kold[32];
    sigset_t set;

    sigemptyset(&sa.sa_mask);
    check("kill(getpid(), 0)", kill(getpid(), 0));
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    check("kill(reaped child, 0)", kill(pid, 0));
    check("kill(reaped child, SIGUSR1)", kill(pid, SIGUSR1));
    check("kill signal 65", kill(getpid(), 65));
    check("kill signal -1", kill(getpid(), -1));
    check("tgkill tid 0", tgkill(getpid(), 0, SIGUSR1));
    check("tgkill a reaped child", tgkill(pid, pid, SIGUSR1));
    check("tgkill ourselves, signal 0", tgkill(getpid(), gettid(), 0));
    check("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    sa.sa_handler = SIG_IGN;
    check("sigaction SIGSTOP SIG_IGN", sigaction(SIGSTOP, &sa, NULL));
    sa.sa_handler = SIG_DFL;
    check("sigaction SIGKILL SIG_DFL", sigaction(SIGKILL, &sa, NULL));
    check("sigaction SIGKILL, only reading", sigaction(SIGKILL, NULL, &old));
    check("sigaction signal 0", sigaction(0, &sa, NULL));
    check("sigaction signal 65", sigaction(65, &sa, NULL));
    check("rt_sigaction sigsetsize 16", syscall(SYS_rt_sigaction, SIGUSR1, NULL, kold, 16));
    check("rt_sigaction bad act pointer", syscall(SYS_rt_sigaction, SIGUSR1, 1, NULL, 8));
    check("rt_sigaction bad oldact pointer", syscall(SYS_rt_sigaction, SIGUSR1, NULL, 1, 8));
    errno = 0;
    yes("signal(SIGKILL, handler) is SIG_ERR, EINVAL",
        signal(SIGKILL, on_sig) == SIG_ERR && errno == EINVAL);
    check("sigaddset signal 0", sigaddset(&set, 0));
    check("sigaddset signal 65", sigaddset(&set, 65));
    sigemptyset(&set);
    check_val("sigismember signal 64", sigismember(&set, 64));
}

// ppoll, pselect and epoll_pwait with a mask of their own, returning without a signal (a
// timeout of 0): the old mask is back when they return - and stays back. A SIGUSR1 blocked
// afterwards stays blocked across a handler's run (its frame saves the mask of the moment,
// not the one from before the call).
static void temp_masks(void)
{
    static const char *const names[] = { "ppoll", "pselect", "epoll_pwait" };
    sigset_t none = just(0), usr1 = just(SIGUSR1), now;
    struct timespec zero = { 0, 0 };
    int p[2];

    handle(SIGUSR2, 0, 0);
    if (pipe(p) < 0)
        return;
    for (int kind = 0; kind < 3; kind++) {
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        fd_set rd;
        struct epoll_event ev = { .events = EPOLLIN }, out;
        int ep = epoll_create1(0), r = -1;

        sigprocmask(SIG_SETMASK, &none, NULL);
        FD_ZERO(&rd);
        FD_SET(p[0], &rd);
        epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
        if (kind == 0)
            r = ppoll(&pfd, 1, &zero, &usr1);
        else if (kind == 1)
            r = pselect(p[0] + 1, &rd, NULL, NULL, &zero, &usr1);
        else
            r = epoll_pwait(ep, &out, 1, 0, &usr1);
        close(ep);
        sigprocmask(SIG_SETMASK, NULL, &now);
        printf("%s with a mask, timed out: %d, SIGUSR1 blocked after: %d\n", names[kind], r,
               sigismember(&now, SIGUSR1));
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        count = 0;
        raise(SIGUSR2);
        sigprocmask(SIG_SETMASK, NULL, &now);
        printf("  then SIGUSR1 blocked, a handler ran (%d): SIGUSR1 still blocked: %d\n", count,
               sigismember(&now, SIGUSR1));
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    begin("t_signal");
    default_signals();
    handlers();
    siginfo();
    masks();
    temp_masks();
    delivery_order();
    in_handler();
    one_shot();
    children();
    errors();
    return done();
}
