// time.h: time since boot (from the TSC) and the periodic timer tick (from the PIT).
#pragma once
#include <stdint.h>

#define HZ 100                      // timer interrupts per second

extern volatile uint64_t jiffies;   // timer ticks since the timer started

void time_init(void);               // start measuring the TSC against the PIT (no console yet)
void time_calibrate(void);          // finish it: timestamps run from here
void timer_init(void);              // start the periodic tick (IRQ 0)
uint64_t time_since_boot_ns(void);  // 0 until time_init() has run
uint64_t time_realtime_ns(void);    // wall-clock time: ns since 1970 (UTC)
void mdelay(uint64_t ms);           // busy-wait; for early boot and panic only
