// time.h: time since boot (from the TSC) and the periodic timer tick (from the PIT).
#pragma once
#include <stdint.h>

#define HZ 100                      // timer interrupts per second

extern volatile uint64_t jiffies;   // timer ticks since the timer started

void time_init(void);               // start measuring the TSC against the PIT (no console yet)
void time_calibrate(void);          // finish it: timestamps run from here
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
void timerfd_clock_was_set(void);
