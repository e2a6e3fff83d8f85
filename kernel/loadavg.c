// loadavg.c: the load averages, computed as Linux computes them (kernel/sched/loadavg.c).
//
// Every LOAD_FREQ ticks (5 s) the boot CPU's timer tick counts the threads that are
// running or runnable - Linux adds those in uninterruptible sleep, which Lantern does not
// have: its sleepers all wake for signals - and folds the count into three exponentially
// decaying averages, in fixed point with FSHIFT fraction bits:
//
//     load = load * e + active * (1 - e),   e = exp(-5 s / 1, 5 or 15 min)
//
// EXP_1, EXP_5 and EXP_15 are those three e's times FIXED_1 (1/exp(5/60) = 0.920 ->
// 1884/2048). A load that rises is rounded up, so it can climb all the way to `active`.
// /proc/loadavg prints them with two decimals, rounded (procfs_sys.c); sysinfo(2) hands
// them out shifted to 16 fraction bits (SI_LOAD_SHIFT).
//
// Locking: avenrun and next_sample are written only by the boot CPU's tick (the PIT's
// IRQ 0 goes to the boot CPU alone), under the big kernel lock; readers (/proc/loadavg,
// sysinfo) hold the BKL too, so they see the three averages of one sample.
#include <stdint.h>
#include "loadavg.h"
#include "proc.h"
#include "time.h"

#define LOAD_FREQ (5 * HZ + 1)          // Linux's: 5 s and one tick, so it drifts over ticks
#define EXP_1  1884                     // 1/exp(5s/1min) in fixed point
#define EXP_5  2014                     // 1/exp(5s/5min)
#define EXP_15 2037                     // 1/exp(5s/15min)

static uint64_t avenrun[3];
static uint64_t next_sample = LOAD_FREQ;   // in jiffies: the first 5 s after boot, as Linux

static uint64_t calc_load(uint64_t load, uint64_t exp, uint64_t active) {
    uint64_t newload = load * exp + active * (FIXED_1 - exp);
    if (active >= load)
        newload += FIXED_1 - 1;
    return newload / FIXED_1;
}

void loadavg_count(int *running, int *total) {
    *running = *total = 0;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_UNUSED || p->state == PROC_DEAD)
            continue;
        ++*total;
        if ((p->state == PROC_RUNNING || p->state == PROC_RUNNABLE) && !p->signal->stopped)
            ++*running;
    }
}

bool loadavg_due(uint64_t now) { return now >= next_sample; }

void loadavg_tick(uint64_t now) {
    if (now < next_sample)
        return;
    next_sample += LOAD_FREQ;
    int running, total;
    loadavg_count(&running, &total);
    uint64_t active = (uint64_t)running * FIXED_1;
    avenrun[0] = calc_load(avenrun[0], EXP_1, active);
    avenrun[1] = calc_load(avenrun[1], EXP_5, active);
    avenrun[2] = calc_load(avenrun[2], EXP_15, active);
}

void loadavg_get(uint64_t avg[3]) {
    for (int i = 0; i < 3; i++)
        avg[i] = avenrun[i];
}
