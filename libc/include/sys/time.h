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

int gettimeofday(struct timeval *tv, struct timezone *tz);
int settimeofday(const struct timeval *tv, const struct timezone *tz);
