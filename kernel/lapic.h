// lapic.h: each CPU's local APIC (xAPIC, memory-mapped): its timer, end-of-interrupt, and
// inter-processor interrupts (IPIs). See lapic.c.
#pragma once
#include <stdbool.h>
#include <stdint.h>

// Vectors above the legacy IRQs (IRQ_BASE..IRQ_BASE+15), highest priority last.
#define T_LAPIC_TIMER  0xf0
#define T_IPI_RESCHED  0xf1     // "look at the run queue": wakes an idle CPU
#define T_IPI_TLB      0xf2     // "reload your TLB": a shared mm's page tables changed
#define T_IPI_STOP     0xf3     // "stop": another CPU panicked or the machine powers off
#define T_WAKE_TIMER   0xf4     // a sleeper's time has come: the boot CPU's one-shot timer,
                                // or another CPU's IPI asking it to set that timer (sched.c)
#define T_SPURIOUS     0xff     // the local APIC's spurious vector (no EOI)

bool lapic_init(uint64_t phys);          // boot CPU: map the registers; false if absent
void lapic_init_cpu(void);               // every CPU: enable its local APIC, mask LINT0/1
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, int vector);
void lapic_send_ipi_others(int vector);  // every CPU but this one (the ICR shorthand)
void lapic_send_nmi_others(void);
void lapic_start_ap(uint32_t apic_id, uint64_t trampoline_pa);   // INIT, SIPI, SIPI
void lapic_timer_calibrate(void);        // against the TSC (time.c's mdelay), once
void lapic_timer_start(void);            // periodic, HZ times a second, on this CPU
void lapic_timer_oneshot(uint64_t ns, int vector);   // one interrupt, ns from now, on this CPU
bool lapic_active(void);                 // lapic_init() succeeded
void *ioremap_page(uint64_t pa);         // one page of device registers, uncached
