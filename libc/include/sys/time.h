// sys/time.h: the microsecond clock of older interfaces.
#pragma once
#include <sys/types.h>

struct timeval {
    time_t      tv_sec;
    suseconds_t tv_usec;   // 0 .. 999999
};
struct timezone {
    int tz_minuteswest;    // only remembered by the kernel; nothing uses it
    int tz_dsttime;
};

// Interval timers: one value that runs down, then starts again from the interval (0: once).
#define ITIMER_REAL    0   // wall-clock time: SIGALRM
#define ITIMER_VIRTUAL 1   // the process's user-mode CPU time: SIGVTALRM
#define ITIMER_PROF    2   // all its CPU time: SIGPROF
struct itimerval {
    struct timeval it_interval;
    struct timeval it_value;
};
int getitimer(int which, struct itimerval *curr_value);
int setitimer(int which, const struct itimerval *new_value, struct itimerval *old_value);

int gettimeofday(struct timeval *tv, struct timezone *tz);
int settimeofday(const struct timeval *tv, const struct timezone *tz);
