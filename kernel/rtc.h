// rtc.h: the battery-backed CMOS real-time clock, read once at boot for CLOCK_REALTIME.
#pragma once
#include <stdint.h>
int64_t rtc_read_epoch(void);   // seconds since 1970-01-01 UTC
