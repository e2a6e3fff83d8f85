// time.c: clocks and sleeping.
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

void *__vdso_sym(const char *version, const char *name);    // vdso.c

// The vDSO's functions, looked up on first use (NULL: none, make the system call). They
// return 0 or -errno, as the system call does.
static int (*vdso_clock_gettime)(clockid_t, struct timespec *);
static int (*vdso_gettimeofday)(struct timeval *, struct timezone *);
static int looked_up;

static void find_vdso(void)
{
    if (looked_up)
        return;
    vdso_clock_gettime = (int (*)(clockid_t, struct timespec *))
        __vdso_sym("LINUX_2.6", "__vdso_clock_gettime");
    vdso_gettimeofday = (int (*)(struct timeval *, struct timezone *))
        __vdso_sym("LINUX_2.6", "__vdso_gettimeofday");
    looked_up = 1;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    find_vdso();
    if (vdso_clock_gettime)
        return __syscall_ret(vdso_clock_gettime(clock, ts));
    return __syscall_ret(sys2(SYS_clock_gettime, clock, ts));
}

int clock_getres(clockid_t clock, struct timespec *res)
{
    return __syscall_ret(sys2(SYS_clock_getres, clock, res));
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    return (int)-sys4(SYS_clock_nanosleep, clock, flags, req, rem);
}

int gettimeofday(struct timeval *tv, struct timezone *tz)
{
    find_vdso();
    if (vdso_gettimeofday)
        return __syscall_ret(vdso_gettimeofday(tv, tz));
    return __syscall_ret(sys2(SYS_gettimeofday, tv, tz));
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
    return __syscall_ret(sys2(SYS_settimeofday, tv, tz));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    return __syscall_ret(sys2(SYS_nanosleep, req, rem));
}

time_t time(time_t *t)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return -1;
    if (t != NULL)
        *t = ts.tv_sec;
    return ts.tv_sec;
}

// Returns the seconds not slept: 0, unless a signal cut the sleep short. (Only EINTR
// fills in rem; after any other error we claim no sleep at all.)
unsigned int sleep(unsigned int seconds)
{
    struct timespec req = { seconds, 0 }, rem;

    if (nanosleep(&req, &rem) == 0)
        return 0;
    if (errno != EINTR)
        return seconds;
    return (unsigned int)rem.tv_sec + (rem.tv_nsec > 0);   // round up, as glibc does
}

int usleep(unsigned long usec)
{
    struct timespec req = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 };

    return nanosleep(&req, NULL);
}

int getitimer(int which, struct itimerval *curr_value)
{
    return __syscall_ret(sys2(SYS_getitimer, which, curr_value));
}

int setitimer(int which, const struct itimerval *new_value, struct itimerval *old_value)
{
    return __syscall_ret(sys3(SYS_setitimer, which, new_value, old_value));
}
