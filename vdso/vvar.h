// vvar.h: the "vvar" page, shared by the kernel (kernel/time.c writes it) and the vDSO
// (vdso/vclock.c reads it). User space sees it read-only, one page below the vDSO's code.
//
// Every clock the vDSO serves is computed from these fields:
//   ns since boot      = ((rdtsc() - tsc_base) * ns_mult) >> 32   (MONOTONIC, BOOTTIME)
//   CLOCK_REALTIME     = ns since boot + realtime_offset_ns
//   the *_COARSE clocks use coarse_ns, the ns since boot at the last timer tick.
//
// Concurrency: the kernel writes with interrupts off (the timer tick, settimeofday), so on
// one CPU a reader is never inside a write. With SMP a reader on another CPU can be: seq
// is odd while a write is in progress, and changes with every write, so a reader retries
// until it read the same even seq before and after the fields (Linux's seqcount).
#pragma once
#include <stdint.h>

struct vvar {
    volatile uint32_t seq;        // odd: an update is in progress
    uint32_t ready;               // 0 until the TSC is calibrated: use the syscall then
    uint64_t tsc_base;            // the TSC at boot (CLOCK_MONOTONIC's zero)
    uint64_t ns_mult;             // TSC cycles to ns, in 32.32 fixed point
    int64_t  realtime_offset_ns;  // CLOCK_REALTIME - CLOCK_MONOTONIC
    uint64_t coarse_ns;           // CLOCK_MONOTONIC at the last timer tick
    uint64_t coarse_res_ns;       // the tick's length: the coarse clocks' resolution
    int32_t  tz_minuteswest;      // settimeofday's time zone, which gettimeofday returns
    int32_t  tz_dsttime;
};

// Clock ids (Linux's uapi/linux/time.h).
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11

#define NSEC_PER_SEC 1000000000ull

static inline uint64_t vvar_cycles_to_ns(const struct vvar *v, uint64_t tsc) {
    return (uint64_t)(((unsigned __int128)(tsc - v->tsc_base) * v->ns_mult) >> 32);
}
