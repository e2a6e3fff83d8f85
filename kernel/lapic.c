// lapic.c: the local APIC, one per CPU, at the same physical address on every CPU (each
// CPU sees its own). It takes the interrupts the I/O APIC (ioapic.c) routes to this CPU and
// wants an EOI for each, has a timer of its own, and sends interrupts to other CPUs by
// writing the interrupt command register (ICR): a reschedule, a TLB flush, a stop, and at
// boot the INIT and STARTUP messages that wake the other CPUs (smp.c).
//
// Only xAPIC mode (memory-mapped registers) is used; QEMU's default CPU has no x2APIC.
// All registers are 32 bits wide, 16-byte aligned.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "lapic.h"
#include "memlayout.h"
#include "panic.h"
#include "printk.h"
#include "time.h"
#include "vm.h"
#include "x86.h"

enum {
    LAPIC_ID = 0x20, LAPIC_VER = 0x30, LAPIC_TPR = 0x80, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0,
    LAPIC_ESR = 0x280, LAPIC_ICR_LO = 0x300, LAPIC_ICR_HI = 0x310, LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_LINT0 = 0x350, LAPIC_LVT_LINT1 = 0x360, LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INIT = 0x380, LAPIC_TIMER_CUR = 0x390, LAPIC_TIMER_DIV = 0x3e0,
};
#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define LVT_PERIODIC      (1u << 17)
#define ICR_FIXED         (0u << 8)
#define ICR_NMI           (4u << 8)
#define ICR_INIT          (5u << 8)
#define ICR_STARTUP       (6u << 8)
#define ICR_PENDING       (1u << 12)
#define ICR_ASSERT        (1u << 14)
#define ICR_LEVEL         (1u << 15)
#define ICR_ALL_BUT_SELF  (3u << 18)
#define TIMER_DIV_16      0x3

static volatile uint32_t *regs;          // NULL until lapic_init()
static uint32_t timer_count;             // timer ticks (divided by 16) per jiffy

static uint32_t rd(uint32_t reg) { return regs[reg / 4]; }
static void wr(uint32_t reg, uint32_t v) { regs[reg / 4] = v; (void)regs[LAPIC_ID / 4]; }

// Device registers in the kernel half, uncached (PCD|PWT), at their direct-map address.
// RAM above them may already be direct-mapped with huge pages: then they are there too.
static void *map_mmio(uint64_t pa) {
    uint64_t va = DIRECT_MAP_BASE + pa;
    if (pa + PAGE_SIZE <= vm_direct_map_end())
        return (void *)va;
    int err = vm_map_page(vm_current(), va, pa, VM_READ | VM_WRITE);
    if (err != 0 && err != -EEXIST)
        return NULL;
    pte_t *pte = vm_walk(vm_current(), va, false);
    if (pte)
        *pte |= (1ull << 3) | (1ull << 4);       // PWT, PCD: no caching of device registers
    invlpg(va);
    return (void *)va;
}

void *ioremap_page(uint64_t pa) { return map_mmio(pa); }

bool lapic_init(uint64_t phys) {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(d & (1u << 9)) || !phys)
        return false;                            // no local APIC
    regs = map_mmio(phys);
    return regs != NULL;
}

bool lapic_active(void) { return regs != NULL; }

void lapic_init_cpu(void) {
    wr(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
    wr(LAPIC_LVT_TIMER, LVT_MASKED);
    wr(LAPIC_LVT_LINT0, LVT_MASKED);             // the PIC's line: unused, the I/O APIC routes
    wr(LAPIC_LVT_LINT1, LVT_MASKED);
    wr(LAPIC_LVT_ERROR, LVT_MASKED);
    wr(LAPIC_ESR, 0);
    wr(LAPIC_ESR, 0);
    wr(LAPIC_EOI, 0);
    wr(LAPIC_TPR, 0);                            // accept every priority
}

uint32_t lapic_id(void) { return regs ? rd(LAPIC_ID) >> 24 : 0; }
void lapic_eoi(void) { wr(LAPIC_EOI, 0); }

static void wait_icr_idle(void) {
    for (int spins = 0; spins < 1000000 && (rd(LAPIC_ICR_LO) & ICR_PENDING); spins++)
        pause();
}

// Interrupts stay off between the two ICR writes: the high half says where the low half's
// write sends the message. As Linux's xAPIC code, it waits for the previous message to
// be delivered before it writes, not for this one after: the sender goes on at once (the
// next send waits if it must; start-up waits milliseconds anyway). Under QEMU each read
// of the ICR is an exit to the emulator's device code, paid on every IPI.
static void send_icr(uint32_t dest, uint32_t lo) {
    uint64_t f = local_irq_save();
    wait_icr_idle();
    wr(LAPIC_ICR_HI, dest << 24);
    wr(LAPIC_ICR_LO, lo);
    local_irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, int vector) { send_icr(apic_id, ICR_FIXED | (uint32_t)vector); }
void lapic_send_ipi_others(int vector) { send_icr(0, ICR_ALL_BUT_SELF | ICR_FIXED | (uint32_t)vector); }
void lapic_send_nmi_others(void) { send_icr(0, ICR_ALL_BUT_SELF | ICR_NMI); }

// The universal start-up algorithm (Intel SDM vol. 3, 8.4.4.1): INIT, 10 ms, then STARTUP
// twice, 200 us apart. The STARTUP vector is the page number of the real-mode entry point,
// so the trampoline must start on a page boundary below 1 MiB.
void lapic_start_ap(uint32_t apic_id, uint64_t trampoline_pa) {
    send_icr(apic_id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
    mdelay(10);
    for (int i = 0; i < 2; i++) {
        send_icr(apic_id, ICR_STARTUP | (uint32_t)(trampoline_pa >> 12));
        mdelay(1);
    }
}

// A read of the timer's current count, with the TSC just before and after it; false if the
// read itself took long (more than 50 us: the host descheduled this virtual CPU meanwhile).
static bool timer_sample(uint64_t khz, uint32_t *count, uint64_t *tsc) {
    uint64_t before = rdtsc();
    *count = rd(LAPIC_TIMER_CUR);
    uint64_t after = rdtsc();
    *tsc = before + (after - before) / 2;
    return (after - before) * 20 <= khz;          // khz cycles are 1 ms
}

// Count the timer down from the top for about 10 ms, against the TSC (time.c's calibrated
// rate). The rate comes from the TSC cycles that really passed between two samples, not
// from the 10 ms asked for: under QEMU on a busy host, a virtual CPU may lose hundreds of
// milliseconds anywhere in mdelay, while both clocks run on. A slow sample is taken again.
void lapic_timer_calibrate(void) {
    uint64_t khz = time_tsc_khz() ? time_tsc_khz() : 1000000;
    uint32_t c0 = 0, c1 = 0;
    uint64_t t0 = 0, t1 = 0;
    wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
    wr(LAPIC_LVT_TIMER, LVT_MASKED);
    for (int tries = 0; tries < 5; tries++) {
        wr(LAPIC_TIMER_INIT, 0xffffffff);
        bool good = timer_sample(khz, &c0, &t0);
        mdelay(10);
        good &= timer_sample(khz, &c1, &t1);
        if (good && t1 > t0 && c0 > c1)
            break;
    }
    wr(LAPIC_TIMER_INIT, 0);
    uint64_t per_10ms = t1 > t0 ? (uint64_t)(c0 - c1) * (10 * khz) / (t1 - t0) : 0;
    timer_count = (uint32_t)(per_10ms * 100 / HZ);   // 10 ms is 1/100 s
    if (timer_count == 0)
        timer_count = 1000000;
    uint64_t bus_khz = per_10ms * 16 / 10;           // bus cycles in 10 ms, per ms
    pr_info("APIC: timer: %llu.%03llu MHz bus clock, periodic at %d Hz on every CPU but the boot CPU\n",
            (unsigned long long)(bus_khz / 1000), (unsigned long long)(bus_khz % 1000), HZ);
}

// The boot CPU's own timer, which its PIT tick leaves free, wakes sleepers on time: one
// interrupt after at least ns (rounded up to the next count; at most the 32-bit counter's
// reach), which a new call moves.
void lapic_timer_oneshot(uint64_t ns, int vector) {
    uint64_t count = ns * timer_count / (1000000000ull / HZ) + 1;
    wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
    wr(LAPIC_LVT_TIMER, (uint32_t)vector);       // neither masked nor periodic: one shot
    wr(LAPIC_TIMER_INIT, count < UINT32_MAX ? (uint32_t)count : UINT32_MAX);
}

void lapic_timer_start(void) {
    wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
    wr(LAPIC_LVT_TIMER, LVT_PERIODIC | T_LAPIC_TIMER);
    wr(LAPIC_TIMER_INIT, timer_count);
}
