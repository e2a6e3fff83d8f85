// time.h: time since boot (from the TSC) and the periodic timer tick (from the PIT).
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define HZ 100                      // timer interrupts per second

extern volatile uint64_t jiffies;   // timer ticks since the timer started

void time_init(void);               // start measuring the TSC against the PIT (no console yet)
void time_calibrate(void);          // finish it: timestamps run from here
bool timer_tick_needs_bkl(void);     // the boot CPU's tick (IRQ 0) takes the BKL?
void timer_init(void);              // start the periodic tick (IRQ 0)
uint64_t time_since_boot_ns(void);  // 0 until time_init() has run
uint64_t time_tsc_khz(void);       // the TSC's rate, as calibrated (0 before)
uint64_t time_realtime_ns(void);    // wall-clock time: ns since 1970 (UTC)
uint64_t time_coarse_ns(void);      // time since boot at the last timer tick
int64_t time_realtime_offset_ns(void);   // wall-clock time minus time since boot
int time_set_realtime_ns(uint64_t ns);   // 0, or -1 if ns is before boot
void time_get_tz(int32_t *minuteswest, int32_t *dsttime);
void time_set_tz(int32_t minuteswest, int32_t dsttime);
struct vvar;
void time_attach_vvar(struct vvar *v);   // keep the vDSO's page up to date from now on
void mdelay(uint64_t ms);           // busy-wait; for early boot and panic only

// timerfd.c: the boot CPU's tick wakes whoever waits for a timerfd; setting the wall clock
// cancels those that asked (TFD_TIMER_CANCEL_ON_SET).
void timerfd_tick(uint64_t now);
uint64_t timerfd_next_expiry(void);
void timerfd_clock_was_set(void);

// The timespec and itimerspec of the timer calls' user interface (POSIX timers, timerfd).
struct k_timespec { int64_t sec, nsec; };
struct k_itimerspec { struct k_timespec interval, value; };

static inline bool k_timespec_valid(const struct k_timespec *ts) {
    return ts->sec >= 0 && ts->nsec >= 0 && ts->nsec < 1000000000;
}

// In ns; a time too far to count (over about 292 years) is cut there: it never comes.
static inline uint64_t k_timespec_ns(const struct k_timespec *ts) {
    uint64_t max_sec = UINT64_MAX / 1000000000ull / 2;
    uint64_t sec = (uint64_t)ts->sec < max_sec ? (uint64_t)ts->sec : max_sec;
    return sec * 1000000000ull + (uint64_t)ts->nsec;
}

static inline struct k_timespec ns_k_timespec(uint64_t ns) {
    return (struct k_timespec){ (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) };
}
