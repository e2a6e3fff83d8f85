// time.c: clocks and sleeping.
#include <time.h>
#include <unistd.h>
#include "internal.h"

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    return __syscall_ret(sys2(SYS_clock_gettime, clock, ts));
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
