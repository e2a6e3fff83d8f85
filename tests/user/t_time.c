// t_time.c: the clocks and sleeps: clock_gettime, clock_getres, clock_settime,
// clock_nanosleep, nanosleep, gettimeofday, settimeofday and time, through the raw system
// call (our libc's clock_gettime and gettimeofday use the vDSO: checked against it here).
//
// Times differ between the host and Lantern, so only relations are printed: "slept at
// least 50 ms", "agrees with CLOCK_REALTIME". The clock is never set: on the host that
// would change the real machine's time. Only the errors that come before any change are
// tried (bad pointers, bad values, clocks that cannot be set).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define MS 1000000LL

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now(clockid_t c)
{
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return ns_of(t);
}

// Linux's dynamic CPU-time clock of a process (clock_getcpuclockid) or thread.
static clockid_t cpu_clock(pid_t pid, int type, int thread)
{
    return (clockid_t)((~(unsigned)pid << 3) | (unsigned)type | (thread ? 4u : 0u));
}

static void gettime_clocks(void)
{
    struct timespec t;
    char what[64];

    for (int c = -8; c <= 12; c++) {
        snprintf(what, sizeof what, "clock_gettime(%d)", c);
        check(what, syscall(SYS_clock_gettime, c, &t));
    }
    check("clock_gettime(REALTIME, NULL)", syscall(SYS_clock_gettime, CLOCK_REALTIME, NULL));
    check("clock_gettime(MONOTONIC, bad)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad_ptr(1)));
    check("clock_gettime(99, NULL)", syscall(SYS_clock_gettime, 99, NULL));
    long long a = now(CLOCK_MONOTONIC), b = now(CLOCK_MONOTONIC);
    yes("MONOTONIC does not go back", b >= a);
    yes("BOOTTIME >= MONOTONIC", now(CLOCK_BOOTTIME) >= b);
    yes("REALTIME is after 2024", now(CLOCK_REALTIME) / 1000000000LL > 1704067200);
    long long tai = now(CLOCK_TAI), real = now(CLOCK_REALTIME);
    yes("TAI within 40 s of REALTIME", tai - real < 40 * 1000 * MS && real - tai < 40 * 1000 * MS);
    yes("MONOTONIC_COARSE at most 20 ms behind", now(CLOCK_MONOTONIC) - now(CLOCK_MONOTONIC_COARSE) < 20 * MS);
    yes("REALTIME_COARSE at most 20 ms behind", now(CLOCK_REALTIME) - now(CLOCK_REALTIME_COARSE) < 20 * MS);
}

// CPU-time clocks: our own, by the static ids and the dynamic ones; a child's; a dead one's.
static void cpu_clocks(void)
{
    struct timespec t;
    volatile unsigned long spin = 0;

    // Spin until 20 ms of CPU time show (Lantern counts it in 10 ms timer ticks), or 5 s.
    long long before = now(CLOCK_PROCESS_CPUTIME_ID), start = now(CLOCK_MONOTONIC), used = 0;
    while (now(CLOCK_MONOTONIC) - start < 5000 * MS &&
           (used = now(CLOCK_PROCESS_CPUTIME_ID) - before) < 20 * MS)
        spin++;
    yes("spinning shows in PROCESS_CPUTIME_ID", used >= 20 * MS);
    yes("THREAD_CPUTIME_ID counts too", now(CLOCK_THREAD_CPUTIME_ID) >= 20 * MS);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    check("child's process clock", syscall(SYS_clock_gettime, cpu_clock(child, 2, 0), &t));
    check("child's thread clock", syscall(SYS_clock_gettime, cpu_clock(child, 2, 1), &t));
    check("own pid's process clock", syscall(SYS_clock_gettime, cpu_clock(getpid(), 2, 0), &t));
    check("own tid's thread clock", syscall(SYS_clock_gettime, cpu_clock(getpid(), 2, 1), &t));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    check("reaped child's clock", syscall(SYS_clock_gettime, cpu_clock(child, 2, 0), &t));
}

static void getres(void)
{
    struct timespec r;
    char what[64];

    for (int c = 0; c <= 12; c++) {
        snprintf(what, sizeof what, "clock_getres(%d)", c);
        r.tv_sec = r.tv_nsec = -1;
        long ret = syscall(SYS_clock_getres, c, &r);
        int coarse = c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE;
        if (ret < 0)
            check(what, ret);
        else if (coarse)    // a timer tick: 4 ms on Debian's Linux (HZ=250), 10 ms here
            yes(what, r.tv_sec == 0 && r.tv_nsec >= MS && r.tv_nsec <= 10 * MS);
        else
            check_val(what, r.tv_sec * 1000000000L + r.tv_nsec);
    }
    check("clock_getres(MONOTONIC, NULL)", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    check("clock_getres(MONOTONIC, bad)", syscall(SYS_clock_getres, CLOCK_MONOTONIC, bad_ptr(1)));
    check("clock_getres(-1, NULL)", syscall(SYS_clock_getres, -1, NULL));
    check("clock_getres(own cpu clock)", syscall(SYS_clock_getres, cpu_clock(0, 2, 0), &r));
}

static void wall_clock(void)
{
    struct timeval tv;
    struct timezone tz = { 7, 7 };

    long long before = now(CLOCK_REALTIME);
    check("gettimeofday", syscall(SYS_gettimeofday, &tv, &tz));
    long long after = now(CLOCK_REALTIME), us = tv.tv_sec * 1000000LL + tv.tv_usec;
    yes("gettimeofday agrees with REALTIME", us >= before / 1000 && us <= after / 1000);
    yes("tv_usec < 1000000", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    yes("time zone is UTC", tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
    check("gettimeofday(NULL, NULL)", syscall(SYS_gettimeofday, NULL, NULL));
    check("gettimeofday(bad, NULL)", syscall(SYS_gettimeofday, bad_ptr(1), NULL));
    check("gettimeofday(NULL, bad)", syscall(SYS_gettimeofday, NULL, bad_ptr(1)));

    long t1 = syscall(SYS_time, NULL), t2;
    long t3 = syscall(SYS_time, &t2);
    yes("time(NULL) agrees with REALTIME", t1 <= now(CLOCK_REALTIME) / 1000000000LL && t1 >= before / 1000000000LL - 1);
    yes("time(&t) stores what it returns", t2 == t3);
    check("time(bad)", syscall(SYS_time, bad_ptr(1)));

    // Our libc goes through the vDSO: the same clocks.
    struct timespec ts;
    before = now(CLOCK_MONOTONIC);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    yes("libc clock_gettime agrees", ns_of(ts) >= before && ns_of(ts) <= now(CLOCK_MONOTONIC));
    before = now(CLOCK_REALTIME);
    gettimeofday(&tv, NULL);
    us = tv.tv_sec * 1000000LL + tv.tv_usec;
    yes("libc gettimeofday agrees", us >= before / 1000 && us <= now(CLOCK_REALTIME) / 1000);
    yes("libc time agrees", time(NULL) >= before / 1000000000LL);
    yes("AT_SYSINFO_EHDR is set", getauxval(AT_SYSINFO_EHDR) != 0);
    long long mono = now(CLOCK_MONOTONIC);
    pid_t child = fork();
    if (child == 0) {       // the vDSO and its clock page survive fork
        clock_gettime(CLOCK_MONOTONIC, &ts);
        _exit(ns_of(ts) >= mono && ns_of(ts) - mono < 1000 * MS ? 0 : 1);
    }
    wait_and_print("child's clock_gettime", child);
}

// Never a valid change: see the top of the file.
static void setting_fails(void)
{
    struct timespec ok = { 1000000000, 0 }, badns = { 1000000000, 2000000000 }, neg = { -1, 0 };
    struct timeval tv_badus = { 1000000000, 1000000 }, tv_negus = { 1000000000, -1 }, tv_neg = { -1, 0 };
    struct timezone tz_bad = { 16 * 60, 0 };

    check("clock_settime(MONOTONIC)", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ok));
    check("clock_settime(BOOTTIME)", syscall(SYS_clock_settime, CLOCK_BOOTTIME, &ok));
    check("clock_settime(PROCESS_CPUTIME_ID)", syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ok));
    check("clock_settime(99)", syscall(SYS_clock_settime, 99, &ok));
    check("clock_settime(REALTIME, NULL)", syscall(SYS_clock_settime, CLOCK_REALTIME, NULL));
    check("clock_settime(REALTIME, nsec 2e9)", syscall(SYS_clock_settime, CLOCK_REALTIME, &badns));
    check("clock_settime(REALTIME, sec -1)", syscall(SYS_clock_settime, CLOCK_REALTIME, &neg));
    check("clock_settime(own cpu clock)", syscall(SYS_clock_settime, cpu_clock(0, 2, 0), &ok));
    check("clock_settime(-1)", syscall(SYS_clock_settime, -1, &ok));
    check("clock_settime(own cpu clock, NULL)", syscall(SYS_clock_settime, cpu_clock(0, 2, 0), NULL));
    check("settimeofday(NULL, NULL)", syscall(SYS_settimeofday, NULL, NULL));
    check("settimeofday(usec 1000000)", syscall(SYS_settimeofday, &tv_badus, NULL));
    check("settimeofday(usec -1)", syscall(SYS_settimeofday, &tv_negus, NULL));
    check("settimeofday(sec -1)", syscall(SYS_settimeofday, &tv_neg, NULL));
    check("settimeofday(bad, NULL)", syscall(SYS_settimeofday, bad_ptr(1), NULL));
    check("settimeofday(sec -1, bad tz)", syscall(SYS_settimeofday, &tv_neg, bad_ptr(1)));
    check("settimeofday(NULL, tz 16 h)", syscall(SYS_settimeofday, NULL, &tz_bad));
}

// Sleeps `req` on clock c (flags as clock_nanosleep takes them) and says whether it slept
// at least that long, measured on CLOCK_MONOTONIC, and not absurdly longer.
static void sleep_50ms(const char *what, clockid_t c, int abs)
{
    struct timespec req = { 0, 50 * MS };
    char line[96];
    long long start = now(CLOCK_MONOTONIC), target = now(c) + 50 * MS;
    if (abs)
        req = (struct timespec){ target / 1000000000LL, target % 1000000000LL };
    long r = c < 0 ? syscall(SYS_nanosleep, &req, NULL)
                   : syscall(SYS_clock_nanosleep, c, abs ? TIMER_ABSTIME : 0, &req, NULL);
    long long slept = now(CLOCK_MONOTONIC) - start;
    snprintf(line, sizeof line, "%s: slept 50 ms (not 2 s)", what);
    if (r < 0)
        check(what, r);
    else
        yes(line, slept >= 50 * MS && slept < 2000 * MS && (!abs || now(c) >= target));
}

static void sleeping(void)
{
    // past: 1 ns after each clock's zero, long gone (the CPU clocks too, after cpu_clocks).
    struct timespec zero = { 0, 0 }, past = { 0, 1 }, bad = { 0, 1000000000 };
    struct timespec neg = { -1, 0 }, negns = { 0, -1 };
    char what[64];

    sleep_50ms("nanosleep", -1, 0);
    sleep_50ms("clock_nanosleep(MONOTONIC)", CLOCK_MONOTONIC, 0);
    sleep_50ms("clock_nanosleep(REALTIME)", CLOCK_REALTIME, 0);
    sleep_50ms("clock_nanosleep(BOOTTIME)", CLOCK_BOOTTIME, 0);
    sleep_50ms("clock_nanosleep(TAI)", CLOCK_TAI, 0);
    sleep_50ms("clock_nanosleep(MONOTONIC, ABSTIME)", CLOCK_MONOTONIC, 1);
    sleep_50ms("clock_nanosleep(REALTIME, ABSTIME)", CLOCK_REALTIME, 1);
    sleep_50ms("clock_nanosleep(BOOTTIME, ABSTIME)", CLOCK_BOOTTIME, 1);

    check("nanosleep(0)", syscall(SYS_nanosleep, &zero, NULL));
    check("nanosleep(0, bad rem)", syscall(SYS_nanosleep, &zero, bad_ptr(1)));
    check("nanosleep(nsec 1e9)", syscall(SYS_nanosleep, &bad, NULL));
    check("nanosleep(sec -1)", syscall(SYS_nanosleep, &neg, NULL));
    check("nanosleep(nsec -1)", syscall(SYS_nanosleep, &negns, NULL));
    check("nanosleep(NULL)", syscall(SYS_nanosleep, NULL, NULL));
    check("nanosleep(bad)", syscall(SYS_nanosleep, bad_ptr(1), NULL));
    for (int c = -8; c <= 12; c++) {     // which clocks can sleep: 0 s, or a time long past
        snprintf(what, sizeof what, "clock_nanosleep(%d, 0)", c);
        check(what, syscall(SYS_clock_nanosleep, c, 0, &zero, NULL));
        // Linux's PROF and VIRT clocks (-8, -7) count sampled ticks of user time: they may
        // still be 0 here, and an absolute sleep on them would never end.
        if (c == -8 || c == -7)
            continue;
        snprintf(what, sizeof what, "clock_nanosleep(%d, ABSTIME, 1 ns)", c);
        check(what, syscall(SYS_clock_nanosleep, c, TIMER_ABSTIME, &past, NULL));
    }
    check("clock_nanosleep(MONOTONIC, flags 2)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, &zero, NULL));
    check("clock_nanosleep(MONOTONIC, flags -1)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, -1, &past, NULL));
    check("clock_nanosleep(REALTIME, ABSTIME, sec -1)", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &neg, NULL));
    check("clock_nanosleep(nsec 1e9)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
    check("clock_nanosleep(NULL)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL));
    check("clock_nanosleep(99, NULL)", syscall(SYS_clock_nanosleep, 99, 0, NULL, NULL));
    check("clock_nanosleep(MONOTONIC_RAW, NULL)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, NULL, NULL));
    check("clock_nanosleep(-1, NULL)", syscall(SYS_clock_nanosleep, -1, 0, NULL, NULL));
    check("clock_nanosleep(PROCESS_CPUTIME_ID, NULL)", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, NULL, NULL));
    check("clock_nanosleep(0, bad rem)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &zero, bad_ptr(1)));
    yes("libc clock_nanosleep returns the error number",
        clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &zero, NULL) == EOPNOTSUPP);
}

static void on_usr1(int sig) { (void)sig; }

// A child that sends SIGUSR1 to its parent every 100 ms until stop_child: one that comes
// before the parent sleeps only runs the handler, and the next one interrupts the sleep.
static pid_t alarm_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;) {
            usleep(100000);
            kill(getppid(), SIGUSR1);
        }
    }
    return pid;
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

// One interrupted sleep: EINTR, and rem (if asked for) says most of the 5 s were left.
static void interrupted(const char *what, clockid_t c, int abs, int use_rem)
{
    struct timespec req = { 5, 0 }, rem = { -1, -1 };
    char line[96];
    if (abs) {
        long long t = now(c) + 5000 * MS;
        req = (struct timespec){ t / 1000000000LL, t % 1000000000LL };
    }
    pid_t child = alarm_child();
    long long start = now(CLOCK_MONOTONIC);
    long r = c < 0 ? syscall(SYS_nanosleep, &req, use_rem ? &rem : NULL)
                   : syscall(SYS_clock_nanosleep, c, abs ? TIMER_ABSTIME : 0, &req, use_rem ? &rem : NULL);
    int saved = errno;
    long long slept = now(CLOCK_MONOTONIC) - start;
    stop_child(child);
    errno = saved;
    check(what, r);
    snprintf(line, sizeof line, "%s: woke early", what);
    yes(line, slept < 4000 * MS);
    if (!use_rem)
        return;
    snprintf(line, sizeof line, "%s: rem", what);
    if (abs)
        yes(line, rem.tv_sec == -1 && rem.tv_nsec == -1);       // untouched
    else
        yes(line, rem.tv_sec >= 3 && rem.tv_sec <= 4 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);
}

static void signals(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    interrupted("nanosleep", -1, 0, 1);
    interrupted("nanosleep without rem", -1, 0, 0);
    interrupted("clock_nanosleep(MONOTONIC)", CLOCK_MONOTONIC, 0, 1);
    interrupted("clock_nanosleep(REALTIME, ABSTIME)", CLOCK_REALTIME, 1, 1);
    sa.sa_flags = SA_RESTART;        // nanosleep is not restarted after a handler, even so
    sigaction(SIGUSR1, &sa, NULL);
    interrupted("nanosleep under SA_RESTART", -1, 0, 1);
    interrupted("clock_nanosleep(BOOTTIME) under SA_RESTART", CLOCK_BOOTTIME, 0, 1);

    // A sleep longer than KTIME_MAX (292 years) ends then, since boot: rem says so.
    for (int i = 0; i < 2; i++) {
        struct timespec req = { i ? 9223372036 : 10000000000, 999999999 }, rem = { -1, -1 };
        pid_t child = alarm_child();
        long r = syscall(SYS_nanosleep, &req, &rem);
        int saved = errno;
        long long end = rem.tv_sec + now(CLOCK_MONOTONIC) / 1000000000LL;
        stop_child(child);
        errno = saved;
        check(i ? "nanosleep(9223372036.999999999 s)" : "nanosleep(1e10 s)", r);
        yes(i ? "nanosleep(9223372036.999999999 s): rem to KTIME_MAX" : "nanosleep(1e10 s): rem to KTIME_MAX",
            end >= 9223372035LL && end <= 9223372037LL);
    }

    // A CPU-time sleep: a sleeping process uses no CPU, so only the signal ends it.
    struct timespec req = { 5, 0 }, rem = { -1, -1 };
    pid_t child = alarm_child();
    long r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &req, &rem);
    int saved = errno;
    stop_child(child);
    errno = saved;
    check("clock_nanosleep(PROCESS_CPUTIME_ID, 5 s)", r);
    yes("clock_nanosleep(PROCESS_CPUTIME_ID): rem near 5 s", rem.tv_sec >= 4 && rem.tv_sec <= 5);

    // A sleep on another process's CPU clock, which exits and is reaped meanwhile: its
    // time stands still, and only the signal ends the sleep (Lantern once read the reaped
    // process's freed struct proc at its next tick, and panicked).
    int fds[2];
    pipe(fds);
    pid_t middle = fork();
    if (middle == 0) {
        pid_t spinner = fork();
        if (spinner == 0)
            for (;;) {}
        write(fds[1], &spinner, sizeof spinner);
        usleep(100000);
        kill(spinner, SIGKILL);
        waitpid(spinner, NULL, 0);
        for (int i = 0; i < 3; i++) {    // (new processes, in the memory it had)
            pid_t c = fork();
            if (c == 0)
                _exit(0);
            waitpid(c, NULL, 0);
        }
        usleep(200000);                  // (the sleeper looks at its clock meanwhile)
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    pid_t spinner = 0;
    read(fds[0], &spinner, sizeof spinner);
    close(fds[0]);
    close(fds[1]);
    req = (struct timespec){ 5, 0 };
    long long start = now(CLOCK_MONOTONIC);
    r = syscall(SYS_clock_nanosleep, cpu_clock(spinner, 2, 0), 0, &req, NULL);
    saved = errno;
    long long slept = now(CLOCK_MONOTONIC) - start;
    waitpid(middle, NULL, 0);
    errno = saved;
    check("clock_nanosleep(a process's CPU clock) as it is reaped", r);
    yes("clock_nanosleep(a reaped process's CPU clock): until the signal",
        slept >= 250 * MS && slept < 4000 * MS);
    signal(SIGUSR1, SIG_DFL);

    // Stopped and continued without a handler: the sleep goes on, no EINTR.
    pid_t sleeper = fork();
    if (sleeper == 0) {
        struct timespec nap = { 0, 300 * MS };
        _exit(syscall(SYS_nanosleep, &nap, NULL) == 0 ? 0 : 1);
    }
    usleep(50000);
    kill(sleeper, SIGSTOP);
    usleep(50000);
    kill(sleeper, SIGCONT);
    wait_and_print("nanosleep across SIGSTOP and SIGCONT", sleeper);
}

int main(void)
{
    begin("t_time");
    default_signals();
    gettime_clocks();
    cpu_clocks();
    getres();
    wall_clock();
    setting_fails();
    sleeping();
    signals();
    return done();
}
