// loadavg.h: the load averages - how many threads wanted a CPU, averaged over the last
// 1, 5 and 15 minutes - as /proc/loadavg, uptime(1) and sysinfo(2) show them.
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define FSHIFT  11                      // Linux's fixed point: FIXED_1 is 1.0
#define FIXED_1 (1 << FSHIFT)

void loadavg_tick(uint64_t jiffies);    // the boot CPU's timer tick, under the BKL
bool loadavg_due(uint64_t jiffies);     // will loadavg_tick(jiffies) take a sample?
void loadavg_get(uint64_t avg[3]);      // the three averages, fixed point (FSHIFT bits)
// Threads that are running or want to (Linux's nr_running()), and all not yet reaped
// (nr_threads). Under the BKL: it walks the process table.
void loadavg_count(int *running, int *total);
