// t_poll.c: poll, ppoll, select and pselect6. Readiness of pipes (data, end of file, no
// reader left, full), of a regular file and /dev/null (always ready); POLLNVAL and
// ignored negative fds; timeouts of 0 and 50 ms (the time taken is measured); a wait ended
// by a child's write, or by a signal (EINTR, even with SA_RESTART); the time left written
// back by select, ppoll and pselect6 (raw calls: the C library hides it for the last two);
// the signal mask of ppoll and pselect; and the errors.
//
// How much a pipe holds differs, so the full pipe is filled until EAGAIN.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

// /proc/self/status. As init on Lantern nobody has mounted /proc yet: mount it then (never
// on the host, where it is there).
static int open_proc_status(void)
{
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) {
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
        fd = open("/proc/self/status", O_RDONLY);
    }
    return fd;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

// poll one fd for `events` without waiting; print the count and the revents.
static void poll1(const char *what, int fd, short events)
{
    struct pollfd p = { fd, events, 0x7fff };
    int n = poll(&p, 1, 0);
    if (n < 0)
        printf("%s: error %s\n", what, err_name(errno));
    else
        printf("%s: %d revents %#x\n", what, n, (unsigned)(unsigned short)p.revents);
}

static void pipes(void)
{
    int p[2];
    char buf[8];

    pipe(p);
    poll1("empty pipe, reader", p[0], POLLIN | POLLOUT);
    poll1("empty pipe, writer", p[1], POLLIN | POLLOUT);
    write(p[1], "abc", 3);
    poll1("with data, reader", p[0], POLLIN | POLLRDNORM);
    poll1("with data, reader asks POLLOUT", p[0], POLLOUT);
    close(p[1]);
    poll1("writer closed, data left", p[0], POLLIN);
    poll1("writer closed, events 0", p[0], 0);
    read(p[0], buf, sizeof buf);
    poll1("writer closed, drained", p[0], POLLIN);
    close(p[0]);

    pipe(p);
    close(p[0]);
    poll1("reader closed, writer", p[1], POLLOUT);
    poll1("reader closed, writer asks nothing", p[1], 0);
    close(p[1]);

    pipe2(p, O_NONBLOCK);
    static char block[4096];
    while (write(p[1], block, sizeof block) > 0)
        ;
    poll1("full pipe, writer", p[1], POLLOUT);
    while (read(p[0], block, sizeof block) > 0)
        ;
    poll1("drained pipe, writer", p[1], POLLOUT);
    close(p[0]);
    close(p[1]);
}

static void others(void)
{
    int fd = open("etc/parity/hello.txt", O_RDONLY);
    poll1("regular file", fd, POLLIN | POLLOUT | POLLPRI);
    close(fd);
    fd = open("/dev/null", O_RDWR);
    poll1("/dev/null", fd, POLLIN | POLLOUT);
    close(fd);
    poll1("closed fd", fd, POLLIN);
    fd = open_proc_status();
    poll1("/proc/self/status", fd, POLLIN | POLLOUT | POLLRDNORM);
    close(fd);

    int p[2];
    pipe(p);
    write(p[1], "x", 1);
    struct pollfd set[4] = {
        { p[0], POLLIN, 0x7fff }, { -1, POLLIN, 0x7fff }, { 99, POLLIN, 0x7fff }, { p[1], POLLOUT, 0x7fff },
    };
    check_val("poll 4 (one negative, one closed)", poll(set, 4, 0));
    for (int i = 0; i < 4; i++)
        printf("  fd %d revents %#x\n", i, (unsigned)(unsigned short)set[i].revents);
    close(p[0]);
    close(p[1]);
}

static void timeouts(void)
{
    struct timespec t0;
    int p[2];
    pipe(p);
    struct pollfd pfd = { p[0], POLLIN, 0 };

    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("poll timeout 0", poll(&pfd, 1, 0));
    yes("  returns without waiting (under 500 ms)", ms_since(&t0) < 500);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("poll timeout 50 ms", poll(&pfd, 1, 50));
    long ms = ms_since(&t0);
    yes("  took 50 ms or more, under a second", ms >= 50 && ms < 1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("poll no fds 30 ms", poll(NULL, 0, 30));
    ms = ms_since(&t0);
    yes("  took 30 ms or more, under a second", ms >= 30 && ms < 1000);

    struct timespec ts = { 0, 40000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("ppoll 40 ms", ppoll(&pfd, 1, &ts, NULL));
    ms = ms_since(&t0);
    yes("  took 40 ms or more, under a second", ms >= 40 && ms < 1000);
    yes("  libc left the timespec alone", ts.tv_sec == 0 && ts.tv_nsec == 40000000);
    ts = (struct timespec){ 0, 30000000 };
    check_val("raw ppoll 30 ms", syscall(SYS_ppoll, &pfd, 1, &ts, NULL, 8));
    printf("  time left written back: %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
    write(p[1], "x", 1);
    ts = (struct timespec){ 5, 0 };
    check_val("raw ppoll 5 s, ready", syscall(SYS_ppoll, &pfd, 1, &ts, NULL, 8));
    yes("  time left between 4 and 5 s", ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0));

    // select writes what is left back into the timeval.
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = { 5, 0 };
    check_val("select 5 s, ready", select(p[0] + 1, &r, NULL, NULL, &tv));
    yes("  time left between 4 and 5 s", tv.tv_sec == 4 || (tv.tv_sec == 5 && tv.tv_usec == 0));
    char c;
    read(p[0], &c, 1);
    FD_SET(p[0], &r);
    tv = (struct timeval){ 0, 40000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("select 40 ms, nothing", select(p[0] + 1, &r, NULL, NULL, &tv));
    ms = ms_since(&t0);
    yes("  took 40 ms or more, under a second", ms >= 40 && ms < 1000);
    printf("  timeval now %ld %ld, set now %d\n", (long)tv.tv_sec, tv.tv_usec, FD_ISSET(p[0], &r));
    tv = (struct timeval){ 0, 1500000 };     // usec over a second: carried into seconds
    FD_SET(p[0], &r);
    write(p[1], "x", 1);
    check_val("select usec 1500000", select(p[0] + 1, &r, NULL, NULL, &tv));
    struct timespec tsp = { 0, 20000000 };
    read(p[0], &c, 1);
    FD_SET(p[0], &r);
    check_val("raw pselect6 20 ms", syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &tsp, NULL));
    printf("  time left written back: %ld %ld\n", (long)tsp.tv_sec, tsp.tv_nsec);
    close(p[0]);
    close(p[1]);
}

static void select_sets(void)
{
    int p[2];
    pipe(p);
    fd_set r, w, e;
    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
    FD_SET(p[0], &r); FD_SET(p[1], &r);
    FD_SET(p[0], &w); FD_SET(p[1], &w);
    FD_SET(p[0], &e); FD_SET(p[1], &e);
    struct timeval tv = { 0, 0 };
    check_val("select empty pipe, both ends in all sets", select(p[1] + 1, &r, &w, &e, &tv));
    printf("  read end: r%d w%d e%d; write end: r%d w%d e%d\n", FD_ISSET(p[0], &r),
           FD_ISSET(p[0], &w), FD_ISSET(p[0], &e), FD_ISSET(p[1], &r), FD_ISSET(p[1], &w),
           FD_ISSET(p[1], &e));
    close(p[1]);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    check_val("select, writer closed: readable (EOF)", select(p[0] + 1, &r, NULL, NULL, &tv));
    close(p[0]);

    pipe(p);
    close(p[0]);
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(p[1], &r); FD_SET(p[1], &w);
    check_val("select, reader closed: writer in both", select(p[1] + 1, &r, &w, NULL, &tv));
    close(p[1]);
}

static void errors(void)
{
    struct pollfd pfd = { 0, POLLIN, 0 };
    check("poll nfds 0x7fffffff", poll(&pfd, 0x7fffffff, 0));
    check("poll bad pointer", poll(bad_ptr(8), 1, 0));
    check("poll NULL, nfds 1", poll(NULL, 1, 0));
    // nfds may not exceed RLIMIT_NOFILE's soft limit (64 here, for the test).
    struct rlimit old, lim;
    getrlimit(RLIMIT_NOFILE, &old);
    lim = (struct rlimit){ 64, old.rlim_max };
    setrlimit(RLIMIT_NOFILE, &lim);
    static struct pollfd many[65];
    for (int i = 0; i < 65; i++)
        many[i] = (struct pollfd){ -1, POLLIN, 0 };
    check_val("poll 64 fds, RLIMIT_NOFILE 64", poll(many, 64, 0));
    check("poll 65 fds, RLIMIT_NOFILE 64", poll(many, 65, 0));
    setrlimit(RLIMIT_NOFILE, &old);
    struct timespec bad = { 0, 1000000000 };
    check("ppoll nsec 1e9", ppoll(&pfd, 1, &bad, NULL));
    bad = (struct timespec){ -1, 0 };
    check("ppoll sec -1", ppoll(&pfd, 1, &bad, NULL));
    check("raw ppoll bad timespec pointer", syscall(SYS_ppoll, &pfd, 1, bad_ptr(8), NULL, 8));
    sigset_t set;
    sigemptyset(&set);
    struct timespec zero = { 0, 0 };
    check("raw ppoll sigsetsize 4", syscall(SYS_ppoll, &pfd, 1, &zero, &set, 4));
    check("raw ppoll bad sigmask", syscall(SYS_ppoll, &pfd, 1, &zero, bad_ptr(8), 8));

    fd_set r;
    FD_ZERO(&r);
    FD_SET(40, &r);
    struct timeval tv = { 0, 0 };
    check("select closed fd", select(41, &r, NULL, NULL, &tv));
    check("select nfds -1", select(-1, NULL, NULL, NULL, &tv));
    tv.tv_usec = -1;
    check("select usec -1", select(1, NULL, NULL, NULL, &tv));
    tv = (struct timeval){ -1, 0 };
    check("select sec -1", select(1, NULL, NULL, NULL, &tv));
    check("select bad timeval", select(1, NULL, NULL, NULL, bad_ptr(8)));
    tv = (struct timeval){ 0, 0 };
    check("select bad set", select(1, bad_ptr(8), NULL, NULL, &tv));
    long mask[2] = { (long)&set, 4 };
    FD_ZERO(&r);
    check("raw pselect6 sigsetsize 4", syscall(SYS_pselect6, 1, &r, NULL, NULL, &zero, mask));
    check("raw pselect6 bad sigmask pair", syscall(SYS_pselect6, 1, &r, NULL, NULL, &zero, bad_ptr(8)));
}

// ---- being woken: by a child's write, by a signal

static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

static void handle_usr1(int flags)
{
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    got_usr1 = 0;
}

static int stop[2];

// A child that signals us every 20 ms until we close stop[1] (a signal that arrives before
// we sleep is handled; a later one interrupts the sleep).
static pid_t start_interrupter(void)
{
    char c;
    pipe(stop);
    pid_t pid = fork();
    if (pid == 0) {
        close(stop[1]);
        fcntl(stop[0], F_SETFL, O_NONBLOCK);
        while (read(stop[0], &c, 1) < 0) {
            kill(getppid(), SIGUSR1);
            usleep(20000);
        }
        _exit(0);
    }
    close(stop[0]);
    return pid;
}

static void stop_interrupter(pid_t pid)
{
    close(stop[1]);
    waitpid(pid, NULL, 0);
}

static void woken(void)
{
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(30000);
        write(p[1], "wake", 4);
        _exit(0);
    }
    struct pollfd pfd = { p[0], POLLIN, 0 };
    int n = poll(&pfd, 1, -1);
    printf("poll forever, a child writes: %d revents %#x\n", n, (unsigned)pfd.revents);
    waitpid(pid, NULL, 0);
    close(p[1]);
    close(p[0]);

    pipe(p);
    handle_usr1(SA_RESTART);
    pfd.fd = p[0];
    pid = start_interrupter();
    n = poll(&pfd, 1, -1);
    int e = errno;
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    int n2 = select(p[0] + 1, &r, NULL, NULL, NULL);
    int e2 = errno;
    int n3 = ppoll(&pfd, 1, NULL, NULL);
    int e3 = errno;
    stop_interrupter(pid);
    printf("poll forever, a signal (SA_RESTART): %d %s\n", n, err_name(e));
    printf("select forever, a signal: %d %s\n", n2, err_name(e2));
    printf("ppoll forever, a signal: %d %s\n", n3, err_name(e3));
    yes("handler ran", got_usr1 > 0);
    close(p[0]);
    close(p[1]);
}

// ppoll/pselect with a mask: a signal blocked outside is let in during the wait only.
static void masks(void)
{
    int p[2];
    pipe(p);
    handle_usr1(0);
    sigset_t block, none, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);                  // pending, blocked
    struct pollfd pfd = { p[0], POLLIN, 0 };
    struct timespec ts = { 0, 20000000 };
    check("ppoll 20 ms, SIGUSR1 still blocked", ppoll(&pfd, 1, &ts, &block));
    yes("  handler not run", got_usr1 == 0);
    check("ppoll, mask lets SIGUSR1 in", ppoll(&pfd, 1, &ts, &none));
    yes("  handler ran once", got_usr1 == 1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    yes("  SIGUSR1 blocked again after", sigismember(&now, SIGUSR1));

    kill(getpid(), SIGUSR1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    check("pselect, mask lets SIGUSR1 in", pselect(p[0] + 1, &r, NULL, NULL, &ts, &none));
    yes("  handler ran again", got_usr1 == 2);

    // Ready at once: the call succeeds, and the mask is back before any handler can run.
    write(p[1], "x", 1);
    kill(getpid(), SIGUSR1);
    check_val("ppoll ready, SIGUSR1 pending, mask lets it in", ppoll(&pfd, 1, &ts, &none));
    yes("  handler not run (mask restored at once)", got_usr1 == 2);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    yes("  runs when unblocked", got_usr1 == 3);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    begin("t_poll");
    default_signals();
    pipes();
    others();
    timeouts();
    select_sets();
    errors();
    woken();
    masks();
    return done();
}
