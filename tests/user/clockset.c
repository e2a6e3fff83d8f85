// clockset.c: the wall clock set under timers (tests/system/test_clockset.py; Lantern and
// a fresh Linux machine only: it sets the clock, which a test must never do on the host).
// A CLOCK_REALTIME timerfd at an absolute time moves with the clock, one set with
// TFD_TIMER_CANCEL_ON_SET is cancelled (ECANCELED), a relative or MONOTONIC one stays.
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TFD_NONBLOCK 04000
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

struct its { struct timespec interval, value; };

static int timer(int clock, int flags, long sec)
{
    int fd = (int)syscall(SYS_timerfd_create, (long)clock, (long)TFD_NONBLOCK);
    struct timespec now;
    clock_gettime(clock, &now);
    struct its it = { { 0, 0 }, { (flags & TFD_TIMER_ABSTIME ? now.tv_sec : 0) + sec, 0 } };
    long r = syscall(SYS_timerfd_settime, (long)fd, (long)flags, &it, NULL);
    if (r < 0)
        printf("timerfd_settime: errno %d\n", errno);
    return fd;
}

static void show(const char *what, int fd)
{
    uint64_t n = 0;
    struct pollfd p = { fd, POLLIN, 0 };
    int ready = poll(&p, 1, 0);
    long r = read(fd, &n, sizeof n);
    if (r < 0)
        printf("%s: poll %d, read: %s\n", what, ready,
               errno == ECANCELED ? "ECANCELED" : errno == EAGAIN ? "EAGAIN" : "other error");
    else
        printf("%s: poll %d, read: count %llu\n", what, ready, (unsigned long long)n);
}

int main(void)
{
    int cancel = timer(CLOCK_REALTIME, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, 100);
    int wall = timer(CLOCK_REALTIME, TFD_TIMER_ABSTIME, 100);
    int relative = timer(CLOCK_REALTIME, 0, 100);
    int mono = timer(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME, 100);
    show("before: cancel-on-set", cancel);
    show("before: absolute wall clock", wall);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_sec += 3600;
    if (syscall(SYS_clock_settime, (long)CLOCK_REALTIME, &now) < 0)
        printf("clock_settime: errno %d\n", errno);
    usleep(20000);                               // (Linux expires the moved timer a moment later)
    show("after: cancel-on-set", cancel);
    show("after: cancel-on-set, again", cancel);
    show("after: absolute wall clock", wall);
    show("after: relative wall clock", relative);
    show("after: absolute monotonic", mono);
    struct its it = { { 0, 0 }, { 50, 0 } };
    syscall(SYS_timerfd_settime, (long)cancel, 0L, &it, NULL);
    show("set again: cancel-on-set", cancel);
    printf("clockset: done\n");
    return 0;
}
