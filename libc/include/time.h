// time.h: clocks and sleeping.
#pragma once
#include <sys/types.h>

struct timespec {
    time_t tv_sec;
    long   tv_nsec;    // 0 .. 999999999
};

#define CLOCK_REALTIME  0    // wall-clock time, since 1970; may jump when it is set
#define CLOCK_MONOTONIC 1    // since some point at boot; never goes backwards

int clock_gettime(clockid_t clock, struct timespec *ts);
// Sleep for *req. If a signal interrupts it, fails with EINTR and stores the time left in
// *rem (unless rem is NULL).
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);
