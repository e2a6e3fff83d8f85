// t_rtqueue.c: real-time signals queue (signal(7)). Each sigqueue of a real-time signal
// (SIGRTMIN..SIGRTMAX) is its own instance, with its own si_value, taken in order: lower
// numbers first, and first sent, first taken among the same number. A standard signal does
// not queue: a second one while the first is pending is merged into it, and the first
// one's siginfo stays. RLIMIT_SIGPENDING caps the instances queued for one user: over it,
// sigqueue and tgkill of a real-time signal fail with EAGAIN, kill() still sends it but
// without its info. SIG_IGN throws away what is pending; fork's child starts with nothing
// pending; execve keeps it all.
//
// The limit's count is per user over the whole machine, and on the host other processes
// of the same user may have a signal queued: the test prints relations between counts it
// measured (the same count twice, one less), never the counts themselves.
//
// On Lantern this program is PID 1: every signal sent to it here is blocked or handled.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define RT(n) (SIGRTMIN + (n))

static const struct timespec zero = { 0, 0 };

static void block(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
}

static int queue(int sig, int value)
{
    union sigval v = { .sival_int = value };
    return sigqueue(getpid(), sig, v);
}

static int is_pending(int sig)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}

// Takes one instance of sig without waiting: its value, or -1 and errno.
static int take(int sig, siginfo_t *si)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    int got = sigtimedwait(&s, si, &zero);
    return got == sig ? si->si_value.sival_int : -1;
}

// Takes every pending instance of sig; prints their values in the order taken.
static int drain(const char *what, int sig)
{
    char line[400];
    int n = 0, len = snprintf(line, sizeof line, "%s:", what);
    siginfo_t si;
    int v;
    while ((v = take(sig, &si)) >= 0 && len < 380) {
        len += snprintf(line + len, sizeof line - len, " %d", v);
        n++;
    }
    printf("%s (%d taken; then %s)\n", line, n, err_name(errno));
    return n;
}

// ---- several queued while blocked, then unblocked: what the handler sees

static volatile int seen_sig[16], seen_val[16], seen_code_ok[16], n_seen;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (n_seen < 16) {
        seen_sig[n_seen] = sig - SIGRTMIN;
        seen_val[n_seen] = si->si_value.sival_int;
        seen_code_ok[n_seen] = si->si_code == SI_QUEUE && si->si_pid == getpid() && si->si_signo == sig;
        n_seen++;
    }
}

static void handle_rt(int sig, int mask_all_three)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (mask_all_three)
        for (int i = 0; i < 3; i++)
            sigaddset(&sa.sa_mask, RT(i));
    sigaction(sig, &sa, NULL);
}

// Six instances of three real-time signals, sent out of order while blocked. With all
// three in sa_mask one handler runs at a time, in the order they are taken; without, each
// handler's frame goes on top of the last one's, so the last taken runs first.
static void handler_order(int mask_all_three)
{
    static const int sig[6] = { 2, 0, 1, 0, 2, 0 }, val[6] = { 1, 2, 3, 4, 5, 6 };
    for (int i = 0; i < 3; i++) {
        handle_rt(RT(i), mask_all_three);
        block(RT(i));
    }
    for (int i = 0; i < 6; i++)
        check("  sigqueue", queue(RT(sig[i]), val[i]));
    yes("  SIGRTMIN, +1, +2 pending", is_pending(RT(0)) && is_pending(RT(1)) && is_pending(RT(2)));
    n_seen = 0;
    sigset_t s;
    sigemptyset(&s);
    for (int i = 0; i < 3; i++)
        sigaddset(&s, RT(i));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    int ok = 1;
    printf("  handled %d:", n_seen);
    for (int i = 0; i < n_seen; i++) {
        printf(" SIGRTMIN+%d=%d", seen_sig[i], seen_val[i]);
        ok = ok && seen_code_ok[i];
    }
    printf("\n");
    yes("  each with si_code SI_QUEUE and our pid", ok);
    yes("  nothing left pending", !is_pending(RT(0)) && !is_pending(RT(1)) && !is_pending(RT(2)));
    for (int i = 0; i < 3; i++)
        signal(RT(i), SIG_DFL);
}

// ---- sigtimedwait takes them one by one; rt_sigpending shows the bit while any remain

static void one_by_one(void)
{
    block(RT(3));
    for (int v = 10; v < 14; v++)
        queue(RT(3), v);
    siginfo_t si;
    for (int i = 0; i < 4; i++) {
        int v = take(RT(3), &si);
        printf("  took %d (si_code %s, our pid: %s); still pending: %s\n", v,
               si.si_code == SI_QUEUE ? "SI_QUEUE" : "other", si.si_pid == getpid() ? "yes" : "no",
               is_pending(RT(3)) ? "yes" : "no");
    }
    int v = take(RT(3), &si);
    printf("  a fifth: %d %s\n", v, err_name(errno));
}

// ---- standard signals do not queue: the first one's info stays

static void standard_merge(void)
{
    block(SIGUSR1);
    queue(SIGUSR1, 7);
    queue(SIGUSR1, 8);
    kill(getpid(), SIGUSR1);
    siginfo_t si;
    int v = take(SIGUSR1, &si);
    printf("  three sent, first taken: value %d, si_code %s\n", v, si.si_code == SI_QUEUE ? "SI_QUEUE" : "other");
    v = take(SIGUSR1, &si);
    printf("  then: %d %s\n", v, err_name(errno));
    kill(getpid(), SIGUSR1);
    queue(SIGUSR1, 9);
    take(SIGUSR1, &si);
    printf("  kill then sigqueue: si_code %s\n", si.si_code == SI_USER ? "SI_USER" : "other");
    yes("  nothing left", !is_pending(SIGUSR1));
}

// ---- the lowest number first, a thread's own before its process's

static long tgsigqueue(int sig, int value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_value.sival_int = value;
    return syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, &si);
}

static void mixed_order(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, RT(4));
    sigaddset(&s, RT(5));
    sigprocmask(SIG_BLOCK, &s, NULL);
    queue(RT(5), 1);
    queue(RT(4), 2);
    check("  rt_tgsigqueueinfo to this thread", tgsigqueue(RT(4), 3));
    queue(SIGUSR2, 4);
    check("  rt_tgsigqueueinfo again", tgsigqueue(RT(4), 5));
    printf("  taken:");
    siginfo_t si;
    int sig;
    while ((sig = sigtimedwait(&s, &si, &zero)) > 0)
        printf(" %s=%d", sig == SIGUSR2 ? "SIGUSR2" : sig == RT(4) ? "SIGRTMIN+4" : "SIGRTMIN+5",
               si.si_value.sival_int);
    printf(" (then %s)\n", err_name(errno));
}

// ---- RLIMIT_SIGPENDING

// Queues RT(6) until sigqueue fails: how many went in, and the error.
static int fill(int *err)
{
    int n = 0;
    while (n < 1000 && queue(RT(6), n) == 0)
        n++;
    *err = errno;
    return n;
}

// Runs as a user nobody else is (uid 4242, in a child: root on the host and init on
// Lantern both may), so that the per-user count starts at 0 on both.
static void limit(void)
{
    struct rlimit old, small;
    check("  setuid 4242", syscall(SYS_setresuid, 4242, 4242, 4242));
    check("  getrlimit", getrlimit(RLIMIT_SIGPENDING, &old));
    yes("  soft limit = hard limit, over 100", old.rlim_cur == old.rlim_max && old.rlim_cur > 100);
    small = (struct rlimit){ 8, old.rlim_max };
    check("  setrlimit 8", setrlimit(RLIMIT_SIGPENDING, &small));
    block(RT(6));
    block(RT(7));
    block(SIGUSR1);
    block(SIGUSR2);
    int err, n = fill(&err);
    printf("  sigqueue until it fails: %d, then %s\n", n, err_name(err));

    // Full: kill() still sends a real-time signal, without its info; tgkill may not.
    check("  kill SIGRTMIN+7", kill(getpid(), RT(7)));
    yes("  SIGRTMIN+7 pending", is_pending(RT(7)));
    siginfo_t si;
    take(RT(7), &si);
    printf("  taken: si_code %s, si_pid %s\n", si.si_code == SI_USER ? "SI_USER" : "other",
           si.si_pid == 0 ? "0" : "not 0");
    check("  tgkill SIGRTMIN+7", syscall(SYS_tgkill, getpid(), gettid(), RT(7)));
    check("  rt_tgsigqueueinfo SIGRTMIN+7", tgsigqueue(RT(7), 1));
    // A standard signal from sigqueue goes too, without its info.
    check("  sigqueue SIGUSR1", queue(SIGUSR1, 5));
    take(SIGUSR1, &si);
    printf("  taken: si_code %s, value %d\n", si.si_code == SI_USER ? "SI_USER" : "other", si.si_value.sival_int);

    // SIG_IGN throws the queued ones away, and gives their places back.
    signal(RT(6), SIG_IGN);
    yes("  SIG_IGN: SIGRTMIN+6 no longer pending", !is_pending(RT(6)));
    signal(RT(6), SIG_DFL);
    printf("  queued again: %d\n", fill(&err));
    drain("  drained", RT(6));

    // A pending standard signal takes a place too.
    kill(getpid(), SIGUSR2);
    printf("  with SIGUSR2 pending: %d\n", fill(&err));
    take(SIGUSR2, &si);
    drain("  drained", RT(6));
    check("  setrlimit back", setrlimit(RLIMIT_SIGPENDING, &old));
    n = 0;
    for (int i = 0; i < 50; i++)
        n += queue(RT(6), i) == 0;
    printf("  50 more queued: %d\n", n);
    check("  setrlimit 8 again", setrlimit(RLIMIT_SIGPENDING, &small));
    printf("  over the limit now: %s\n", queue(RT(6), 0) == 0 ? "queued" : err_name(errno));
    // ... and the process exits with all 50 pending: the next one must find them freed.
}

static void limit_after_exit(void)
{
    struct rlimit small = { 8, 8 };
    syscall(SYS_setresuid, 4242, 4242, 4242);
    setrlimit(RLIMIT_SIGPENDING, &small);
    block(RT(6));
    int err, n = fill(&err);
    printf("  the same user's next process queues: %d, then %s\n", n, err_name(err));
}

// ---- fork: the child starts with nothing pending; execve keeps everything

static void fork_child(void)
{
    sigset_t s;
    sigpending(&s);
    int any = 0;
    for (int sig = 1; sig < NSIG; sig++)
        any |= sigismember(&s, sig);
    yes("  child: anything pending", any);
    siginfo_t si;
    int v = take(RT(8), &si);
    printf("  child: take SIGRTMIN+8: %d %s\n", v, err_name(errno));
}

static void fork_and_exec(const char *self)
{
    block(RT(8));
    queue(RT(8), 1);
    queue(RT(8), 2);
    in_child("fork child", fork_child);
    drain("  parent keeps", RT(8));

    pid_t pid = fork();
    if (pid == 0) {
        block(RT(9));
        block(SIGUSR2);
        for (int v = 1; v <= 3; v++)
            queue(RT(9), v);
        queue(SIGUSR2, 4);
        queue(SIGUSR2, 5);
        char *argv[] = { (char *)self, "--after-exec", NULL };
        execve(self, argv, NULL);
        printf("  execve: %s\n", err_name(errno));
        _exit(1);
    }
    wait_and_print("  exec child", pid);
}

static int after_exec(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    yes("  after execve: SIGRTMIN+9 and SIGUSR2 pending", is_pending(RT(9)) && is_pending(SIGUSR2));
    drain("  after execve", RT(9));
    drain("  after execve", SIGUSR2);
    return 0;
}

// ---- errors

static void errors(void)
{
    union sigval v = { .sival_int = 0 };
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    check("  sigqueue signal 65", sigqueue(getpid(), 65, v));
    check("  sigqueue signal -1", sigqueue(getpid(), -1, v));
    check("  sigqueue signal 0 (a check)", sigqueue(getpid(), 0, v));
    check("  sigqueue to no process", sigqueue(0x3ffffff0, RT(0), v));
    check("  rt_sigqueueinfo bad info", syscall(SYS_rt_sigqueueinfo, getpid(), RT(0), bad_ptr(8)));
    si.si_code = SI_USER;
    check("  rt_sigqueueinfo to self as SI_USER", syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si));
    si.si_code = SI_TKILL;
    check("  rt_sigqueueinfo to self as SI_TKILL", syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si));
    check("  rt_tgsigqueueinfo tid 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, RT(0), &si));
    check("  rt_tgsigqueueinfo signal 65", syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), 65, &si));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, RT(0));
    struct timespec bad = { 0, 1000000000 };
    check("  sigtimedwait nsec 1e9", sigtimedwait(&s, &si, &bad));
    check("  sigtimedwait bad set", sigtimedwait(bad_ptr(8), &si, &zero));
    check("  sigtimedwait nothing pending", sigtimedwait(&s, &si, &zero));
    block(RT(0));
    queue(RT(0), 1);
    queue(RT(0), 2);
    check("  sigtimedwait bad info", sigtimedwait(&s, bad_ptr(8), &zero));
    drain("  then", RT(0));   // (Linux took the first one off before it failed to copy)
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--after-exec") == 0)
        return after_exec();
    begin("t_rtqueue");
    default_signals();
    printf("handler order, one at a time (sa_mask has all three):\n");
    handler_order(1);
    printf("handler order, nested (empty sa_mask):\n");
    handler_order(0);
    printf("sigtimedwait one by one:\n");
    one_by_one();
    printf("standard signals merge:\n");
    standard_merge();
    printf("lower numbers first, the thread's own first:\n");
    mixed_order();
    printf("RLIMIT_SIGPENDING:\n");
    in_child("limit", limit);
    in_child("limit after exit", limit_after_exit);
    printf("fork and execve:\n");
    fork_and_exec(argv[0]);
    printf("errors:\n");
    errors();
    return done();
}
