// pthread_timers.c: POSIX timers as glibc and musl use them - timer_create with a signal
// (its si_code, si_value and si_timerid), to one thread (SIGEV_THREAD_ID), with a callback
// on a thread of the C library's (SIGEV_THREAD, which both libraries build on
// SIGEV_THREAD_ID), intervals, overruns, absolute CLOCK_REALTIME times, timer_gettime,
// timer_delete, fork (the child has none) and the errors; clock_nanosleep on a thread's
// CPU-time clock, and timers on the CPU-time clocks.
//
// Times differ, so only relations are printed.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L
#ifndef sigev_notify_thread_id           // glibc before 2.35 names it only this way
#define sigev_notify_thread_id _sigev_un._tid
#endif

static const char *err(int r) { return r == 0 ? "ok" : strerror(errno); }

static struct itimerspec every(long first_ms, long interval_ms)
{
    struct itimerspec it = { { interval_ms / 1000, interval_ms % 1000 * MS },
                             { first_ms / 1000, first_ms % 1000 * MS } };
    return it;
}

// A timer's signals, taken by sigwaitinfo with the signal blocked.
static void signal_timer(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 42;
    timer_t id;
    printf("timer_create CLOCK_MONOTONIC, SIGUSR1: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    struct itimerspec it = every(20, 20), cur;
    printf("timer_settime 20 ms, every 20 ms: %s\n", err(timer_settime(id, 0, &it, NULL)));
    timer_gettime(id, &cur);
    printf("timer_gettime: interval %ld ns, value within it: %s\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 20 * MS
               ? "yes" : "no");
    int good = 0;
    for (int i = 0; i < 3; i++) {
        siginfo_t si;
        if (sigwaitinfo(&set, &si) == SIGUSR1 && si.si_code == SI_TIMER &&
            si.si_value.sival_int == 42)
            good++;
    }
    printf("3 signals, each SI_TIMER with si_value 42: %d\n", good);
    // Blocked and not taken for 200 ms: one signal stays pending, the rest are overruns.
    struct timespec wait = { 0, 200 * MS };
    nanosleep(&wait, NULL);
    siginfo_t si;
    sigwaitinfo(&set, &si);
    printf("after 200 ms unseen: si_overrun >= 5: %s, timer_getoverrun agrees: %s\n",
           si.si_overrun >= 5 ? "yes" : "no",
           timer_getoverrun(id) == si.si_overrun ? "yes" : "no");
    printf("timer_delete: %s\n", err(timer_delete(id)));
    printf("timer_gettime of it: %s\n", err(timer_gettime(id, &cur)));
    printf("timer_delete again: %s\n", err(timer_delete(id)));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

// Timers sharing one signal: each has its own pending instance (Linux preallocates one per
// timer), even of a standard signal, and a sigqueue'd one of the same signal does not stop
// a timer's. Lantern once kept a timer's signal back, as an overrun, whenever that signal
// was pending at all: of three timers on one signal only the first was ever heard.
static void shared_signal(void)
{
    int signos[2] = { SIGRTMIN + 4, SIGALRM };
    for (int k = 0; k < 2; k++) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, signos[k]);
        sigprocmask(SIG_BLOCK, &set, NULL);
        union sigval v = { .sival_int = 99 };
        if (k == 0)
            sigqueue(getpid(), signos[k], v);   // pending first, from user space
        timer_t id[3];
        for (int i = 0; i < 3; i++) {
            struct sigevent ev = { 0 };
            ev.sigev_notify = SIGEV_SIGNAL;
            ev.sigev_signo = signos[k];
            ev.sigev_value.sival_int = i;
            timer_create(CLOCK_MONOTONIC, &ev, &id[i]);
            struct itimerspec it = every(10 * (i + 1), 0);
            timer_settime(id[i], 0, &it, NULL);
        }
        struct timespec wait = { 0, 100 * MS }, none = { 0, 0 };
        nanosleep(&wait, NULL);
        int n = 0, timers = 0;
        siginfo_t si;
        while (n < 8 && sigtimedwait(&set, &si, &none) == signos[k]) {
            n++;
            if (si.si_code == SI_TIMER && si.si_value.sival_int == timers)
                timers++;                // in the order they fired
        }
        // Periodic now, unseen for 60 ms: one signal each, carrying its overruns.
        for (int i = 0; i < 3; i++) {
            struct itimerspec it = every(5, 5);
            timer_settime(id[i], 0, &it, NULL);
        }
        wait.tv_nsec = 60 * MS;
        nanosleep(&wait, NULL);
        int periodic = 0, overruns = 0;
        while (periodic < 8 && sigtimedwait(&set, &si, &none) == signos[k]) {
            periodic++;
            overruns += si.si_overrun >= 5;
        }
        for (int i = 0; i < 3; i++)
            timer_delete(id[i]);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        printf("3 one-shot timers on %s: %d signals, %d from the timers in order; "
               "periodic: %d signals, %d with si_overrun >= 5\n",
               k == 0 ? "SIGRTMIN+4 (one sigqueue'd first)" : "SIGALRM", n, timers,
               periodic, overruns);
    }
}

// A timer's signal still pending when the timer is deleted or set again is stale: Linux
// (since 6.13) throws it away when it would be taken, though sigpending still shows it
// until then; set again and fired again, the timer has one signal pending. Lantern once
// delivered the stale one.
static void stale_signals(void)
{
    static const char *what[3] = { "deleted", "disarmed", "set again and fired again" };
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 5);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int how = 0; how < 3; how++) {
        struct sigevent ev = { 0 };
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGRTMIN + 5;
        timer_t id;
        timer_create(CLOCK_MONOTONIC, &ev, &id);
        struct itimerspec it = every(5, 0);
        timer_settime(id, 0, &it, NULL);
        struct timespec wait = { 0, 30 * MS }, none = { 0, 0 };
        nanosleep(&wait, NULL);
        if (how == 0) {
            timer_delete(id);
        } else {
            it = every(how == 1 ? 0 : 2, 0);
            timer_settime(id, 0, &it, NULL);
            nanosleep(&wait, NULL);
        }
        sigset_t pending;
        sigpending(&pending);
        int taken = 0;
        siginfo_t si;
        while (taken < 4 && sigtimedwait(&set, &si, &none) == SIGRTMIN + 5)
            taken++;
        if (how)
            timer_delete(id);
        printf("fired, blocked, then %s: sigpending shows it %s, signals taken %d\n", what[how],
               sigismember(&pending, SIGRTMIN + 5) ? "yes" : "no", taken);
    }
    // si_code SI_TIMER from rt_sigqueueinfo is no timer's: never stale.
    siginfo_t si = { 0 }, got;
    si.si_signo = SIGRTMIN + 5;
    si.si_code = SI_TIMER;
    si.si_value.sival_int = 77;
    int sent = (int)syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 5, &si);
    struct timespec none = { 0, 0 };
    int taken = sigtimedwait(&set, &got, &none) == SIGRTMIN + 5;
    printf("SI_TIMER from rt_sigqueueinfo: sent %s, taken %s, si_value %d\n", err(sent),
           taken ? "yes" : "no", taken ? got.si_value.sival_int : -1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

// Many timers, as a program with a timer per thread may have: Linux allows thousands (its
// limit is RLIMIT_SIGPENDING). Lantern once had room for 64 (EAGAIN after). One armed
// early must still fire after the table grew beneath it.
static void many_timers(void)
{
    enum { N = 300 };
    static timer_t id[N];
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 6);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int created = 0;
    for (int i = 0; i < N; i++) {
        struct sigevent ev = { 0 };
        ev.sigev_notify = i == 3 ? SIGEV_SIGNAL : SIGEV_NONE;
        ev.sigev_signo = SIGRTMIN + 6;
        ev.sigev_value.sival_int = i;
        if (timer_create(CLOCK_MONOTONIC, &ev, &id[i]) != 0)
            break;
        created++;
        if (i == 3) {
            struct itimerspec it = every(30, 0);
            timer_settime(id[i], 0, &it, NULL);
        }
    }
    struct timespec two = { 2, 0 };
    siginfo_t si;
    int fired = sigtimedwait(&set, &si, &two) == SIGRTMIN + 6 && si.si_value.sival_int == 3;
    for (int i = 0; i < created; i++)
        timer_delete(id[i]);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("%d timers: created %d; the one armed early fired: %s\n", N, created,
           fired ? "yes" : "no");
}

// The default event: SIGALRM, with the timer's id as si_value.
static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static void default_event(void)
{
    signal(SIGALRM, on_alarm);
    timer_t id;
    printf("timer_create with no event: %s\n", err(timer_create(CLOCK_REALTIME, NULL, &id)));
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct itimerspec it = { { 0, 0 }, now };
    it.it_value.tv_nsec += 50 * MS;
    if (it.it_value.tv_nsec >= 1000 * MS) {
        it.it_value.tv_sec++;
        it.it_value.tv_nsec -= 1000 * MS;
    }
    printf("TIMER_ABSTIME, CLOCK_REALTIME now + 50 ms: %s\n",
           err(timer_settime(id, TIMER_ABSTIME, &it, NULL)));
    for (int i = 0; i < 100 && !alarms; i++)
        usleep(10000);
    printf("SIGALRM came: %s\n", alarms == 1 ? "yes" : "no");
    timer_delete(id);
    signal(SIGALRM, SIG_DFL);
}

// SIGEV_THREAD: the C library runs the callback on a thread of its own.
static sem_t ticks;
static atomic_int calls;
static void callback(union sigval v)
{
    if (v.sival_int == 7)
        atomic_fetch_add(&calls, 1);
    sem_post(&ticks);
}

static void thread_timer(void)
{
    sem_init(&ticks, 0, 0);
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = callback;
    ev.sigev_value.sival_int = 7;
    timer_t id;
    printf("timer_create SIGEV_THREAD: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    struct itimerspec it = every(10, 30);
    timer_settime(id, 0, &it, NULL);
    for (int i = 0; i < 3; i++)
        sem_wait(&ticks);
    timer_delete(id);
    printf("the callback ran with its value, 3 times: %s\n", atomic_load(&calls) >= 3 ? "yes" : "no");
}

// SIGEV_THREAD_ID: the signal goes to that thread, which waits for it.
static pid_t waiter_tid;
static sem_t waiter_ready;
static void *waiter(void *arg)
{
    (void)arg;
    waiter_tid = gettid();
    sem_post(&waiter_ready);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    printf("the thread got %s with SI_TIMER: %s\n", sig == SIGUSR2 ? "SIGUSR2" : "something else",
           si.si_code == SI_TIMER ? "yes" : "no");
    return NULL;
}

static void thread_id_timer(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);     // here and, inherited, in the waiter
    sem_init(&waiter_ready, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    sem_wait(&waiter_ready);
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_notify_thread_id = waiter_tid;
    timer_t id;
    printf("timer_create SIGEV_THREAD_ID: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    struct itimerspec it = every(30, 0);
    timer_settime(id, 0, &it, NULL);
    pthread_join(t, NULL);
    timer_delete(id);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void fork_child_has_none(void)
{
    timer_t id;
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &id);
    struct itimerspec it = every(10000, 0), cur;
    timer_settime(id, 0, &it, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        printf("in the child, timer_gettime of the parent's timer: %s\n", err(timer_gettime(id, &cur)));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("in the parent: %s, still armed: %s\n", err(timer_gettime(id, &cur)),
           cur.it_value.tv_sec > 0 ? "yes" : "no");
    timer_delete(id);
}

static void errors(void)
{
    timer_t id;
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    printf("timer_create clock 100: %s\n", err(timer_create(100, &ev, &id)));
    ev.sigev_signo = 0;
    printf("timer_create signal 0: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    ev.sigev_signo = 65;
    printf("timer_create signal 65: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    ev.sigev_signo = SIGUSR1;
    ev.sigev_notify = 99;
    printf("timer_create notify 99: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_notify_thread_id = 1 << 22;
    printf("timer_create SIGEV_THREAD_ID of no thread: %s\n", err(timer_create(CLOCK_MONOTONIC, &ev, &id)));
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &id);
    struct itimerspec it = every(10, 0);
    it.it_value.tv_nsec = 1000 * MS;
    printf("timer_settime nsec 1000000000: %s\n", err(timer_settime(id, 0, &it, NULL)));
    it.it_value.tv_nsec = -1;
    printf("timer_settime nsec -1: %s\n", err(timer_settime(id, 0, &it, NULL)));
    timer_delete(id);
}

// clock_nanosleep on another thread's CPU-time clock (Linux allows it, not on one's own);
// and on one whose thread exits meanwhile: its time stands still, a signal ends the sleep.
static atomic_int spin_stop;
static void *spinner(void *arg) { (void)arg; while (!spin_stop) {} return NULL; }
static void *stopper(void *arg)
{
    (void)arg;
    struct timespec d = { 0, 100 * MS };
    nanosleep(&d, NULL);
    spin_stop = 1;
    return NULL;
}

static void thread_clock_sleeps(void)
{
    pthread_t t, k;
    clockid_t c, own;
    struct timespec req = { 0, 30 * MS }, before, after;
    spin_stop = 0;
    pthread_create(&t, NULL, spinner, NULL);
    pthread_getcpuclockid(t, &c);
    clock_gettime(c, &before);
    int r = clock_nanosleep(c, 0, &req, NULL);
    clock_gettime(c, &after);
    long used = (after.tv_sec - before.tv_sec) * 1000000000L + after.tv_nsec - before.tv_nsec;
    printf("clock_nanosleep(another thread's clock, 30 ms): %s, it ran 30 ms: %s\n",
           r ? strerror(r) : "ok", used >= 30 * MS ? "yes" : "no");
    pthread_getcpuclockid(pthread_self(), &own);
    r = clock_nanosleep(own, 0, &req, NULL);
    printf("clock_nanosleep(own thread's clock): %s\n", r ? strerror(r) : "ok");
    spin_stop = 1;
    pthread_join(t, NULL);

    spin_stop = 0;
    pthread_create(&t, NULL, spinner, NULL);
    pthread_getcpuclockid(t, &c);
    alarms = 0;
    signal(SIGALRM, on_alarm);
    alarm(1);
    pthread_create(&k, NULL, stopper, NULL);
    struct timespec big = { 5, 0 };
    r = clock_nanosleep(c, 0, &big, NULL);
    printf("clock_nanosleep(a thread's clock as it exits): %s, alarms %d\n",
           r ? strerror(r) : "ok", (int)alarms);
    pthread_join(k, NULL);
    pthread_join(t, NULL);
    signal(SIGALRM, SIG_DFL);
}

// Timers on the CPU-time clocks: the process's, which its threads' CPU time runs down, and
// a thread's, which only its own does (a sleep does not); a dynamic clock id
// (clock_getcpuclockid) too. Their signals are blocked and looked for with sigtimedwait
// or sigpending.
static atomic_int burning;

static void *burn(void *arg)
{
    (void)arg;
    while (atomic_load(&burning))
        ;
    return NULL;
}

static int cpu_timer(clockid_t clock, timer_t *id, long first_ms)
{
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    struct itimerspec it = every(first_ms, 0);
    return timer_create(clock, &ev, id) || timer_settime(*id, 0, &it, NULL) ? -1 : 0;
}

static int usr2_pending(void)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGUSR2);
}

static void cpu_clock_timers(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    timer_t id;
    printf("process CPU timer, 50 ms: %s\n", err(cpu_timer(CLOCK_PROCESS_CPUTIME_ID, &id, 50)));
    struct itimerspec cur;
    timer_gettime(id, &cur);
    printf("its value is within 50 ms: %s\n",
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50 * MS
               ? "yes" : "no");
    pthread_t b[2];
    atomic_store(&burning, 1);
    for (int i = 0; i < 2; i++)
        pthread_create(&b[i], NULL, burn, NULL);
    struct timespec five = { 5, 0 };
    siginfo_t si;
    int got = sigtimedwait(&set, &si, &five);
    printf("fired while two threads burned: %s\n",
           got == SIGUSR2 && si.si_code == SI_TIMER ? "yes" : "no");
    atomic_store(&burning, 0);
    for (int i = 0; i < 2; i++)
        pthread_join(b[i], NULL);
    timer_delete(id);

    printf("thread CPU timer, 50 ms: %s\n", err(cpu_timer(CLOCK_THREAD_CPUTIME_ID, &id, 50)));
    struct timespec nap = { 0, 300 * MS };
    nanosleep(&nap, NULL);
    printf("fired while the thread slept: %s\n", usr2_pending() ? "yes" : "no");
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while (!usr2_pending() && t.tv_sec - t0.tv_sec < 5);
    printf("fired while it ran: %s\n", usr2_pending() ? "yes" : "no");
    sigtimedwait(&set, &si, &five);
    timer_delete(id);

    clockid_t mine;
    clock_getcpuclockid(0, &mine);
    printf("a timer on clock_getcpuclockid(0): %s\n", err(cpu_timer(mine, &id, 1000)));
    timer_delete(id);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

// A process CPU timer outlives the main thread: after the main thread's exit, the threads
// left still run its clock down, and it keeps firing (in a child, whose main thread ends).
// Lantern once took the clock for gone with its leader, and disarmed the timer.
static void *burn_and_wait(void *arg)
{
    sigset_t *set = arg;
    atomic_store(&burning, 1);
    pthread_t b;
    pthread_create(&b, NULL, burn, NULL);
    struct timespec five = { 5, 0 };
    siginfo_t si;
    int fired = 0;
    while (fired < 3 && sigtimedwait(set, &si, &five) == SIGUSR2)
        fired++;
    atomic_store(&burning, 0);
    pthread_join(b, NULL);
    _exit(fired);
}

static void cpu_timer_after_main_exits(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        static sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigprocmask(SIG_BLOCK, &set, NULL);
        timer_t id;
        struct sigevent ev = { 0 };
        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = SIGUSR2;
        struct itimerspec it = every(20, 20);
        if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id) || timer_settime(id, 0, &it, NULL))
            _exit(100);
        pthread_t t;
        pthread_create(&t, NULL, burn_and_wait, &set);
        syscall(SYS_exit, 0);            // the main thread alone, as pthread_exit ends it
    }
    int status;
    waitpid(c, &status, 0);
    printf("process CPU timer, every 20 ms, after the main thread's exit: fired %d times of 3\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

// execve with a fast POSIX timer armed: the timers go, and so do the signals they sent
// that are still pending - the new program, with SIGUSR2's default action (to end it),
// must never get one (Linux's exit_itimers and flush_itimer_signals at exec).
static void on_usr2(int sig) { (void)sig; }

static void exec_with_timer_armed(const char *self)
{
    int killed = 0, ok = 0;
    for (int round = 0; round < 10; round++) {
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            signal(SIGUSR2, on_usr2);
            struct sigevent ev = { 0 };
            ev.sigev_notify = SIGEV_SIGNAL;
            ev.sigev_signo = SIGUSR2;
            timer_t id;
            struct itimerspec fast = { { 0, 100000 }, { 0, 100000 } };
            timer_create(round % 2 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ev, &id);
            timer_settime(id, 0, &fast, NULL);
            struct timespec t0, t;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            do
                clock_gettime(CLOCK_MONOTONIC, &t);
            while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec < 15 * MS);
            execl(self, self, "--after-exec", (char *)NULL);
            _exit(3);
        }
        int status;
        waitpid(c, &status, 0);
        killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2;
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    printf("10 execs with a 100 us timer armed: ended well %d, killed by its signal %d\n", ok,
           killed);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--after-exec") == 0) {
        struct timespec nap = { 0, 20 * MS };
        nanosleep(&nap, NULL);
        sigset_t p;
        sigpending(&p);
        return sigismember(&p, SIGUSR2) ? 4 : 0;    // (blocked at exec: would be pending)
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal_timer();
    shared_signal();
    stale_signals();
    many_timers();
    default_event();
    thread_timer();
    thread_id_timer();
    fork_child_has_none();
    errors();
    thread_clock_sleeps();
    cpu_clock_timers();
    cpu_timer_after_main_exits();
    exec_with_timer_armed(argv[0]);
    printf("done\n");
    return 0;
}
