// ex_times.c: the "add a system call" exercise (docs/page-fault.md and kernel/README.md).
//
// times(2), number 100, is not in Lantern's table: until it is, this program says so and
// stops, and `make test` reports the exercise as skipped. Once it is, the output must equal
// Linux's (tests/system/test_exercises.py runs it on the host for the expected text):
// the return value counts clock ticks since some fixed moment (so it grows), the process's
// own CPU time is counted in tms_utime + tms_stime, a NULL buffer is allowed, and a bad
// pointer is EFAULT.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SYS_times_nr 100

struct k_tms { long utime, stime, cutime, cstime; };   // struct tms, in clock ticks

static long sys_times(void *buf)
{
    return syscall(SYS_times_nr, buf);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct k_tms t;
    long first = sys_times(&t);
    if (first == -1 && errno == ENOSYS) {
        printf("ex_times: times is not implemented yet (ENOSYS)\n");
        return 0;
    }
    printf("times returns a tick count: %s\n", first != -1 ? "yes" : strerror(errno));
    // Spin until the CPU time shows at least 5 ticks, or give up after 10 s of wall time.
    long start = now_ms();
    volatile unsigned long n = 0;
    while (now_ms() - start < 10000) {
        n++;
        if ((n & 0xffff) == 0 && sys_times(&t) != -1 && t.utime + t.stime >= 5)
            break;
    }
    printf("cpu time counted: %s\n", t.utime + t.stime >= 5 ? "yes" : "no");
    printf("children's time zero: %s\n", t.cutime == 0 && t.cstime == 0 ? "yes" : "no");
    long later = sys_times(NULL);
    printf("NULL buffer: %s\n", later != -1 ? "allowed" : strerror(errno));
    printf("the count grows: %s\n", later - first >= 5 ? "yes" : "no");
    errno = 0;
    long bad = sys_times((void *)1);
    printf("bad pointer: %s\n", bad == -1 ? strerror(errno) : "accepted");
    printf("done\n");
    return 0;
}
