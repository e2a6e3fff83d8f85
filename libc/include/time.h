// time.h: clocks and sleeping.
#pragma once
#include <sys/types.h>

struct timespec {
    time_t tv_sec;
    long   tv_nsec;    // 0 .. 999999999
};

#define CLOCK_REALTIME  0    // wall-clock time, since 1970; may jump when it is set
#define CLOCK_MONOTONIC 1    // since some point at boot; never goes backwards
#define CLOCK_PROCESS_CPUTIME_ID 2   // CPU time used by the process
#define CLOCK_THREAD_CPUTIME_ID  3   // ... by the calling thread
#define CLOCK_MONOTONIC_RAW      4   // MONOTONIC without frequency corrections
#define CLOCK_REALTIME_COARSE    5   // REALTIME and MONOTONIC as of the last timer tick:
#define CLOCK_MONOTONIC_COARSE   6   //   cheaper, less precise
#define CLOCK_BOOTTIME           7   // MONOTONIC, counting time suspended too
#define CLOCK_TAI                11  // International Atomic Time
#define TIMER_ABSTIME 1              // clock_nanosleep: req is a time to wake, not a length

// clock_gettime (and gettimeofday, time) go through the vDSO when the kernel maps one:
// no system call (libc/vdso.c).
int clock_gettime(clockid_t clock, struct timespec *ts);
int clock_getres(clockid_t clock, struct timespec *res);
// Returns 0 or an error number (not -1 and errno: POSIX says so for this one).
int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem);
// Sleep for *req. If a signal interrupts it, fails with EINTR and stores the time left in
// *rem (unless rem is NULL).
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);

// A time broken into calendar fields (libc/gmtime.c). Only UTC: there are no time zones.
struct tm {
    int tm_sec, tm_min, tm_hour;   // 0-60 (60: a leap second), 0-59, 0-23
    int tm_mday, tm_mon, tm_year;  // 1-31, 0-11 (January is 0), years since 1900
    int tm_wday, tm_yday;          // days since Sunday 0-6, since January 1st 0-365
    int tm_isdst;                  // always 0
};
struct tm *gmtime_r(const time_t *t, struct tm *tm);
struct tm *gmtime(const time_t *t);     // into a static struct tm
