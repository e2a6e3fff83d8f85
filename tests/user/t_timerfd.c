// t_timerfd.c: timerfd_create, timerfd_settime, timerfd_gettime - one-shot and periodic
// timers, relative and absolute, read (the expiry count, EAGAIN, blocking), poll and epoll,
// fork sharing the timer, the old value, a disarmed timer's interval, and every error.
//
// Times are never printed, only relations that hold whatever the machine's load: a
// periodic timer read after at least ten periods has counted at least ten.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define TFD_NONBLOCK 04000
#define TFD_CLOEXEC  02000000
#define TFD_TIMER_ABSTIME 1
#define MS 1000000L

struct its { struct timespec interval, value; };

static long tfd_create(int clock, int flags)
{
    return syscall(SYS_timerfd_create, (long)clock, (long)flags);
}

static long tfd_set(int fd, int flags, long value_ns, long interval_ns, struct its *old)
{
    struct its it = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
                      { value_ns / 1000000000L, value_ns % 1000000000L } };
    return syscall(SYS_timerfd_settime, (long)fd, (long)flags, &it, old);
}

static long ns_of(const struct timespec *ts) { return ts->tv_sec * 1000000000L + ts->tv_nsec; }

static void show_read(const char *what, int fd, uint64_t at_least)
{
    uint64_t n = 0;
    long r = read(fd, &n, sizeof n);
    if (r < 0)
        check(what, r);
    else
        printf("%s: %ld bytes, count at least %llu: %s\n", what, r, (unsigned long long)at_least,
               n >= at_least ? "yes" : "no");
}

static void one_shot(void)
{
    struct its cur;
    struct pollfd p;
    int fd = (int)tfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);

    check("timerfd_create MONOTONIC NONBLOCK", fd);
    show_read("read, never set", fd, 0);
    check("timerfd_gettime, never set", syscall(SYS_timerfd_gettime, (long)fd, &cur));
    yes("  disarmed: value and interval 0", ns_of(&cur.value) == 0 && ns_of(&cur.interval) == 0);
    check("timerfd_settime 50 ms", tfd_set(fd, 0, 50 * MS, 0, NULL));
    syscall(SYS_timerfd_gettime, (long)fd, &cur);
    yes("  left: more than 0, at most 50 ms", ns_of(&cur.value) > 0 && ns_of(&cur.value) <= 50 * MS);
    p = (struct pollfd){ fd, POLLIN, 0 };
    check_val("poll, timeout 0", poll(&p, 1, 0));
    check_val("poll, timeout 5 s", poll(&p, 1, 5000));
    yes("  POLLIN", p.revents == POLLIN);
    show_read("read", fd, 1);
    show_read("read again", fd, 0);
    syscall(SYS_timerfd_gettime, (long)fd, &cur);
    yes("  expired: value 0", ns_of(&cur.value) == 0);
    uint32_t small;
    check("read 4 bytes", read(fd, &small, sizeof small));
    struct its far = { { 0, 0 }, { 1L << 62, 0 } };   // a time no clock reaches
    check("timerfd_settime 2^62 s", syscall(SYS_timerfd_settime, (long)fd, 0L, &far, NULL));
    show_read("read", fd, 0);
    syscall(SYS_timerfd_gettime, (long)fd, &cur);
    yes("  left: more than 100 years", cur.value.tv_sec > 100L * 365 * 86400);
    close(fd);
}

static void periodic(void)
{
    struct its cur, old;
    struct timespec now;
    int fd = (int)tfd_create(CLOCK_MONOTONIC, 0);

    check("timerfd_settime every 10 ms", tfd_set(fd, 0, 10 * MS, 10 * MS, NULL));
    usleep(105000);
    show_read("read after 105 ms (blocking fd)", fd, 10);
    show_read("read again: waits for the next period", fd, 1);
    syscall(SYS_timerfd_gettime, (long)fd, &cur);
    yes("  interval 10 ms", ns_of(&cur.interval) == 10 * MS);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (ns_of(&now) < 400 * MS)                  // (Lantern booted a moment ago)
        usleep((400 * MS - ns_of(&now)) / 1000);
    clock_gettime(CLOCK_MONOTONIC, &now);
    check("timerfd_settime ABSTIME 300 ms ago, every 100 ms",
          tfd_set(fd, TFD_TIMER_ABSTIME, ns_of(&now) - 300 * MS, 100 * MS, NULL));
    show_read("read: the periods since then", fd, 4);
    check("timerfd_settime 10 s", tfd_set(fd, 0, 10000 * MS, 0, &old));
    yes("  old interval 100 ms", ns_of(&old.interval) == 100 * MS);
    check("timerfd_settime 0 (disarm), interval 1 s", tfd_set(fd, 0, 0, 1000 * MS, &old));
    yes("  old value more than 9 s", ns_of(&old.value) > 9000 * MS);
    syscall(SYS_timerfd_gettime, (long)fd, &cur);
    yes("  disarmed: value 0, interval 1 s", ns_of(&cur.value) == 0 && ns_of(&cur.interval) == 1000 * MS);
    close(fd);
}

static void shared(void)
{
    int fd = (int)tfd_create(CLOCK_BOOTTIME, 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = { EPOLLIN, { .u64 = 7 } }, got;

    check("epoll_ctl ADD a timerfd", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    check("timerfd_settime 30 ms", tfd_set(fd, 0, 30 * MS, 0, NULL));
    check_val("epoll_wait, timeout 0", epoll_wait(ep, &got, 1, 0));
    check_val("epoll_wait, timeout 5 s", epoll_wait(ep, &got, 1, 5000));
    yes("  EPOLLIN, data 7", got.events == EPOLLIN && got.data.u64 == 7);
    pid_t pid = fork();
    if (pid == 0) {
        show_read("  child: read the shared timer", fd, 1);
        _exit(0);
    }
    wait_and_print("child", pid);
    check_val("epoll_wait after the child read it", epoll_wait(ep, &got, 1, 0));
    close(ep);
    close(fd);
}

static void errors(void)
{
    struct its it = { { 0, 0 }, { 0, 1000000000 } }, cur;
    int p[2];
    int fd = (int)tfd_create(CLOCK_REALTIME, TFD_CLOEXEC);

    check("timerfd_create REALTIME CLOEXEC", fd);
    check_val("  FD_CLOEXEC", fcntl(fd, F_GETFD));
    check("timerfd_create clock 5", tfd_create(5, 0));
    check("timerfd_create clock -1", tfd_create(-1, 0));
    check("timerfd_create flags 1", tfd_create(CLOCK_MONOTONIC, 1));
    int alarm = (int)tfd_create(8, 0);
    check("timerfd_create REALTIME_ALARM (root)", alarm);
    close(alarm);
    check("timerfd_settime nsec 1e9", syscall(SYS_timerfd_settime, (long)fd, 0L, &it, NULL));
    check("timerfd_settime flags 4", tfd_set(fd, 4, MS, 0, NULL));
    check("timerfd_settime bad new", syscall(SYS_timerfd_settime, (long)fd, 0L, bad_ptr(1), NULL));
    check("timerfd_settime bad old", tfd_set(fd, 0, 0, 0, bad_ptr(1)));
    check("timerfd_gettime bad pointer", syscall(SYS_timerfd_gettime, (long)fd, bad_ptr(1)));
    pipe(p);
    check("timerfd_settime a pipe", tfd_set(p[0], 0, MS, 0, NULL));
    check("timerfd_gettime a pipe", syscall(SYS_timerfd_gettime, (long)p[0], &cur));
    check("timerfd_settime fd 99", tfd_set(99, 0, MS, 0, NULL));
    check("timerfd_gettime fd 99", syscall(SYS_timerfd_gettime, 99L, &cur));
    check("timerfd_settime bad new, fd 99", syscall(SYS_timerfd_settime, 99L, 0L, bad_ptr(1), NULL));
    check("write to a timerfd", write(fd, "12345678", 8));
    if (getpid() == 1)                           // as init on Lantern: nobody mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    char path[64], link[64] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = readlink(path, link, sizeof link - 1);
    link[n < 0 ? 0 : n] = '\0';
    printf("/proc/self/fd link: %s\n", link);
    close(p[0]);
    close(p[1]);
    close(fd);
}

int main(void)
{
    begin("t_timerfd");
    one_shot();
    periodic();
    shared();
    errors();
    return done();
}
