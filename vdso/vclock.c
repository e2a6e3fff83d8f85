// vclock.c: the vDSO's functions. They run in user mode, inside every process, and answer
// the common clock questions from the vvar page and the TSC without entering the kernel.
// Anything else (CPU-time clocks, a bad clock id, an uncalibrated TSC) becomes the real
// system call, so the answers and errors are always the kernel's.
//
// Constraints: position-independent, no libc, no writable data, no relocations (the image
// is mapped as it is, at any address); vvar_page is reached RIP-relative (vdso.lds).
#include <stddef.h>
#include <stdint.h>
#include "vvar.h"

struct timespec { int64_t tv_sec, tv_nsec; };
struct timeval { int64_t tv_sec, tv_usec; };
struct timezone { int32_t tz_minuteswest, tz_dsttime; };

// Not const: the kernel changes it under us, and a compiler may assume a const object never
// changes (it would hoist the loads out of the seqcount loop).
extern struct vvar vvar_page __attribute__((visibility("hidden")));

#define SYS_gettimeofday  96
#define SYS_time          201
#define SYS_clock_gettime 228
#define SYS_clock_getres  229

static long syscall3(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}

static uint64_t rdtsc_ordered(void) {
    uint32_t lo, hi;
    // lfence: the TSC is read after the loads before it, not speculatively early.
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return (uint64_t)hi << 32 | lo;
}

#define barrier() __asm__ volatile("" ::: "memory")

// A consistent reading of the clock: ns since boot (precise or coarse) and the realtime
// offset, under the seqcount (vvar.h). False if the kernel must answer instead.
static int read_clock(int coarse, uint64_t *mono, int64_t *offset) {
    const struct vvar *v = &vvar_page;
    uint32_t seq;
    do {
        while ((seq = v->seq) & 1)
            __asm__ volatile("pause");
        barrier();
        if (!v->ready)
            return 0;
        *mono = coarse ? v->coarse_ns : vvar_cycles_to_ns(v, rdtsc_ordered());
        *offset = v->realtime_offset_ns;
        barrier();
    } while (v->seq != seq);
    return 1;
}

// The clocks answered here, and whether each is coarse and/or counted from 1970.
static int clock_kind(int clock, int *coarse, int *real) {
    *coarse = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
    *real = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI;
    return *coarse || *real || clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_RAW ||
           clock == CLOCK_BOOTTIME;
}

int __vdso_clock_gettime(int clock, struct timespec *ts) {
    int coarse, real;
    uint64_t mono;
    int64_t offset;
    if (!clock_kind(clock, &coarse, &real) || !read_clock(coarse, &mono, &offset))
        return (int)syscall3(SYS_clock_gettime, clock, (long)ts, 0);
    uint64_t ns = real ? mono + (uint64_t)offset : mono;
    ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
    ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
    return 0;
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz) {
    uint64_t mono;
    int64_t offset;
    if (!read_clock(0, &mono, &offset))
        return (int)syscall3(SYS_gettimeofday, (long)tv, (long)tz, 0);
    if (tv) {
        uint64_t ns = mono + (uint64_t)offset;
        tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
        tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
    }
    if (tz) {
        tz->tz_minuteswest = vvar_page.tz_minuteswest;
        tz->tz_dsttime = vvar_page.tz_dsttime;
    }
    return 0;
}

// time() is the coarse realtime's seconds, as on Linux: it may lag clock_gettime by a tick.
int64_t __vdso_time(int64_t *t) {
    uint64_t mono;
    int64_t offset;
    if (!read_clock(1, &mono, &offset))
        return syscall3(SYS_time, (long)t, 0, 0);
    int64_t sec = (int64_t)((mono + (uint64_t)offset) / NSEC_PER_SEC);
    if (t)
        *t = sec;
    return sec;
}

int __vdso_clock_getres(int clock, struct timespec *res) {
    int coarse, real;
    if (!clock_kind(clock, &coarse, &real) || !vvar_page.ready)
        return (int)syscall3(SYS_clock_getres, clock, (long)res, 0);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = coarse ? (int64_t)vvar_page.coarse_res_ns : 1;
    }
    return 0;
}

// The CPU number is the limit of a segment in each CPU's own GDT (kernel/gdt.c's
// CPUNODE_SEL, 0x50 with RPL 3): `lsl` reads it from user mode, as Linux's vDSO does. Node 0.
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused) {
    (void)unused;
    unsigned limit = 0;
    __asm__ volatile("lsl %1, %0" : "+r"(limit) : "r"(0x53u) : "cc");
    if (cpu)
        *cpu = limit & 0xfff;
    if (node)
        *node = 0;
    return 0;
}

// The unversioned names Linux's vDSO also exports (weak, as there).
int clock_gettime(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
