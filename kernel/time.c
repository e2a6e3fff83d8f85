// time.c: two clocks.
//
// The TSC counts CPU cycles: fine-grained and cheap to read, but its rate is unknown. We
// measure it against the PIT, whose input clock is fixed by history at 1.193182 MHz:
// see how many TSC cycles pass while PIT channel 2 counts down.
//
// The PIT's channel 0 then becomes the periodic timer: IRQ 0, HZ times a second, each one
// a "jiffy". The tick drives preemption (sched_tick counts the running process's time
// slice down); the TSC is what timestamps use.
//
// The clocks user space reads are built on these (sys_time.c; the vDSO reads the same
// numbers from the vvar page, see vdso/vvar.h):
//   CLOCK_MONOTONIC = TSC time since boot;  CLOCK_REALTIME = that + realtime_offset_ns;
//   the coarse clocks = CLOCK_MONOTONIC at the last tick (coarse_ns).
#include <stdint.h>
#include "loadavg.h"
#include "printk.h"
#include "rtc.h"
#include "sched.h"
#include "smp.h"
#include "spinlock.h"
#include "time.h"
#include "trap.h"
#include "../vdso/vvar.h"
#include "x86.h"

#define PIT_HZ        1193182
#define PIT_CH0       0x40
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61      // bit 0: channel 2 gate; bit 5: channel 2 output

// Written only by the timer interrupt (timer_tick); read anywhere (one aligned 64-bit load).
volatile uint64_t jiffies;

static uint64_t boot_tsc;       // TSC at time_init(), the first thing kmain does
static uint64_t khz;            // TSC cycles per millisecond
static uint64_t ns_mult;        // ns = (cycles * ns_mult) >> 32
// The clock's state and the vvar page. Written under clock_lock (the boot CPU's tick,
// settimeofday, the time zone): the vvar page's seqcount allows one writer at a time.
// Read anywhere without it (aligned 64-bit loads; user space through the seqcount).
static struct spinlock clock_lock = SPINLOCK_INIT("clock");
static int64_t realtime_offset_ns;     // CLOCK_REALTIME - CLOCK_MONOTONIC
static uint64_t coarse_ns;             // CLOCK_MONOTONIC at the last tick (the tick writes it)
static int32_t tz_minuteswest, tz_dsttime;   // settimeofday's time zone (only remembered)
static struct vvar *vvar;              // the vDSO's data page, once vdso_init() made it

// The measurement runs while the kernel boots instead of holding it up: time_init() starts
// PIT channel 2 counting down from its largest count (55 ms) and notes the TSC;
// time_calibrate() - a few milliseconds of boot later - reads how far the PIT got, and the
// TSC cycles that passed meanwhile give the rate. Until then timestamps read 0, as Linux's
// do before its clock is set up.
#define PIT_FULL_COUNT 0xffff
#define MIN_WINDOW_TICKS (3 * PIT_HZ / 1000)   // 3 ms at least

static uint64_t calibration_tsc;

static void start_pit_countdown(void) {
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);   // gate on, speaker off
    outb(PIT_CMD, 0xb0);                          // channel 2, lo/hi byte, mode 0
    outb(PIT_CH2, PIT_FULL_COUNT & 0xff);
    outb(PIT_CH2, PIT_FULL_COUNT >> 8);
    calibration_tsc = rdtsc();
}

static uint16_t pit_ch2_count(void) {
    outb(PIT_CMD, 0x80);                          // latch channel 2's count
    uint8_t lo = inb(PIT_CH2);
    return (uint16_t)(lo | inb(PIT_CH2) << 8);
}

void time_init(void) {
    boot_tsc = rdtsc();
    start_pit_countdown();
    // The TSC's zero is now, so CLOCK_MONOTONIC is 0 here: the offset is the date.
    realtime_offset_ns = rtc_read_epoch() * (int64_t)NSEC_PER_SEC;
}

void time_calibrate(void) {
    uint32_t ticks = PIT_FULL_COUNT - pit_ch2_count();
    // Too short a window (a very fast boot), or the countdown already ran out (output bit
    // 5 set: a slow one): wait for a clean window of the minimum length instead.
    if ((inb(PORT_B) & 0x20) || ticks < MIN_WINDOW_TICKS) {
        start_pit_countdown();
        for (uint64_t spins = 0; spins < 100000000; spins++)     // bounded: no PIT, no hang
            if ((ticks = PIT_FULL_COUNT - pit_ch2_count()) >= MIN_WINDOW_TICKS)
                break;
    }
    uint64_t cycles = rdtsc() - calibration_tsc;
    uint64_t k = ticks ? cycles * PIT_HZ / ticks / 1000 : 0;
    if (k == 0)
        k = 1000000;   // a 1 GHz guess beats dividing by zero
    ns_mult = (1000000ull << 32) / k;
    khz = k;
}

uint64_t time_realtime_ns(void) { return time_since_boot_ns() + (uint64_t)realtime_offset_ns; }
uint64_t time_coarse_ns(void) { return coarse_ns; }
int64_t time_realtime_offset_ns(void) { return realtime_offset_ns; }

// Copies the clock's state to the vvar page, under its sequence counter (vvar.h): odd
// while writing, so a reader that overlaps the write - on this CPU or another - retries.
// The caller holds clock_lock, so there is one writer; the compiler barriers keep the
// order of stores (x86 does not reorder stores with stores).
static void publish(void) {
    if (!vvar)
        return;
    vvar->seq++;
    __asm__ volatile("" ::: "memory");
    vvar->tsc_base = boot_tsc;
    vvar->ns_mult = ns_mult;
    vvar->realtime_offset_ns = realtime_offset_ns;
    vvar->coarse_ns = coarse_ns;
    vvar->coarse_res_ns = NSEC_PER_SEC / HZ;
    vvar->tz_minuteswest = tz_minuteswest;
    vvar->tz_dsttime = tz_dsttime;
    vvar->ready = khz != 0;
    __asm__ volatile("" ::: "memory");
    vvar->seq++;
}

// The coarse clock moves on to now, and the vvar page says so.
static void advance_coarse(void) {
    uint64_t f = spin_lock_irqsave(&clock_lock);
    coarse_ns = time_since_boot_ns();
    publish();
    spin_unlock_irqrestore(&clock_lock, f);
}

void time_attach_vvar(struct vvar *v) {
    vvar = v;
    advance_coarse();
}

int time_set_realtime_ns(uint64_t ns) {
    uint64_t f = spin_lock_irqsave(&clock_lock);
    uint64_t mono = time_since_boot_ns();
    int err = -1;                    // Linux: the wall clock cannot be set before boot
    if (ns >= mono) {
        realtime_offset_ns = (int64_t)(ns - mono);
        publish();
        err = 0;
    }
    spin_unlock_irqrestore(&clock_lock, f);
    return err;
}

void time_get_tz(int32_t *minuteswest, int32_t *dsttime) {
    uint64_t f = spin_lock_irqsave(&clock_lock);   // the pair as one settimeofday left it
    *minuteswest = tz_minuteswest;
    *dsttime = tz_dsttime;
    spin_unlock_irqrestore(&clock_lock, f);
}

void time_set_tz(int32_t minuteswest, int32_t dsttime) {
    uint64_t f = spin_lock_irqsave(&clock_lock);
    tz_minuteswest = minuteswest;
    tz_dsttime = dsttime;
    publish();
    spin_unlock_irqrestore(&clock_lock, f);
}

uint64_t time_since_boot_ns(void) {
    if (!khz)
        return 0;
    uint64_t cycles = rdtsc() - boot_tsc;
    return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

void mdelay(uint64_t ms) {
    uint64_t k = khz ? khz : 1000000;
    uint64_t end = rdtsc() + ms * k;
    while (rdtsc() < end)
        pause();
}

uint64_t time_tsc_khz(void) { return khz; }

// Does the boot CPU's next tick need the BKL? Only for what sends signals or looks at other
// processes: a real-time timer due (sched_wake_timer), a timer on a CPU-time clock armed,
// the load average's sample every 5 s. Otherwise it runs without the lock (trap.c), as
// the other CPUs' ticks do, and does not wait 10 ms after 10 ms for a CPU that holds it.
// With the 8259 PIC (one CPU) it always takes it: no contention, and no wake timer.
bool timer_tick_needs_bkl(void) {
    return !irq_apic_mode() || loadavg_due(jiffies + 1) || ptimer_cpu_timers_armed() ||
           time_since_boot_ns() >= itimer_next_expiry();
}

// The boot CPU's tick, under the BKL when timer_tick_needs_bkl said so (trap.c). The PIT's
// IRQ 0 goes to the boot CPU alone (the I/O APIC routes every device IRQ there, smp.c); the
// other CPUs' ticks come from their local APIC timers and only count their own time
// (sched_tick_local). So this is the one tick that advances jiffies and the coarse clock,
// republishes the vvar page and samples the load averages.
static void timer_tick(void) {
    jiffies++;
    advance_coarse();
    loadavg_tick(jiffies);
    sched_tick();
}

void timer_init(void) {
    uint16_t divisor = PIT_HZ / HZ;
    outb(PIT_CMD, 0x34);                          // channel 0, lo/hi byte, mode 2 (rate)
    outb(PIT_CH0, divisor & 0xff);
    outb(PIT_CH0, divisor >> 8);
    irq_register(0, timer_tick, "timer");
    pr_info("tsc: Detected %llu.%03llu MHz processor\n", (unsigned long long)(khz / 1000),
            (unsigned long long)(khz % 1000));
    pr_info("clocksource: pit: periodic timer at %d Hz (IRQ 0)\n", HZ);
}
