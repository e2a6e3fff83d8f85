// ioapic.h: the I/O APIC, which replaces the 8259 PICs once SMP is on (see ioapic.c).
#pragma once
#include <stdbool.h>
#include <stdint.h>

bool ioapic_init(void);                        // from the MADT; false if there is none
// Sends ISA IRQ irq (0..15) to vector IRQ_BASE + irq on the CPU with this APIC id.
void ioapic_route(int irq, uint32_t apic_id);
void ioapic_mask(int irq);
bool ioapic_active(void);
