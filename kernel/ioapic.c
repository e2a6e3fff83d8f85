// ioapic.c: the I/O APIC routes device interrupt lines (global system interrupts, GSIs) to
// a CPU's local APIC as a vector of our choice. The legacy ISA IRQs arrive on GSIs 0..15,
// except where the MADT's interrupt source overrides say otherwise (on QEMU's PC, the PIT's
// IRQ 0 is wired to GSI 2). Each GSI has a 64-bit redirection entry: vector, polarity,
// trigger mode, mask, and the destination APIC id. The device IRQs all go to the boot CPU,
// as Linux does by default; the other CPUs get only IPIs and their own timer.
//
// The registers are reached through an index (IOREGSEL) and a data window (IOWIN).
// Locking: written during boot (and by irq_register), with interrupts off, under the BKL.
#include <stdbool.h>
#include <stdint.h>
#include "acpi.h"
#include "ioapic.h"
#include "lapic.h"
#include "printk.h"
#include "trap.h"

#define IOREGSEL 0x00
#define IOWIN    0x10
#define IOAPIC_VER 0x01
#define IOREDTBL(n) (0x10 + 2 * (n))
#define RED_ACTIVE_LOW (1u << 13)
#define RED_LEVEL      (1u << 15)
#define RED_MASKED     (1u << 16)

static volatile uint32_t *regs;
static uint32_t gsi_base, nr_gsis;

static uint32_t rd(uint32_t reg) { regs[IOREGSEL / 4] = reg; return regs[IOWIN / 4]; }
static void wr(uint32_t reg, uint32_t v) { regs[IOREGSEL / 4] = reg; regs[IOWIN / 4] = v; }

bool ioapic_active(void) { return regs != NULL; }

bool ioapic_init(void) {
    const struct acpi_madt *m = acpi_get_madt();
    if (!m->found || !m->ioapic_addr || !(regs = ioremap_page(m->ioapic_addr)))
        return false;
    gsi_base = m->ioapic_gsi_base;
    uint32_t ver = rd(IOAPIC_VER);
    nr_gsis = ((ver >> 16) & 0xff) + 1;
    for (uint32_t i = 0; i < nr_gsis; i++) {
        wr(IOREDTBL(i), RED_MASKED);
        wr(IOREDTBL(i) + 1, 0);
    }
    pr_info("IOAPIC[0]: apic_id 0, version %u, address 0x%llx, GSI %u-%u\n", ver & 0xff,
            (unsigned long long)m->ioapic_addr, gsi_base, gsi_base + nr_gsis - 1);
    return true;
}

// The redirection entry for ISA IRQ irq, or -1 if its GSI is not on this I/O APIC.
static int entry_of(int irq) {
    uint32_t gsi = acpi_get_madt()->isa_gsi[irq];
    return gsi >= gsi_base && gsi - gsi_base < nr_gsis ? (int)(gsi - gsi_base) : -1;
}

void ioapic_route(int irq, uint32_t apic_id) {
    int n = entry_of(irq);
    if (n < 0)
        return;
    uint16_t flags = acpi_get_madt()->isa_flags[irq];
    uint32_t lo = (uint32_t)(IRQ_BASE + irq);       // fixed delivery, physical destination
    if ((flags & 3) == 3)
        lo |= RED_ACTIVE_LOW;                       // ISA's default is active high, edge
    if (((flags >> 2) & 3) == 3)
        lo |= RED_LEVEL;
    wr(IOREDTBL(n) + 1, apic_id << 24);
    wr(IOREDTBL(n), lo);
}

void ioapic_mask(int irq) {
    int n = entry_of(irq);
    if (n >= 0)
        wr(IOREDTBL(n), rd(IOREDTBL(n)) | RED_MASKED);
}
