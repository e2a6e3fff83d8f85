// acpi.h: just enough ACPI to turn the machine off and to reset it.
//
// The firmware describes the machine in tables. We follow the chain
//   RSDP -> RSDT or XSDT -> FADT ("FACP") -> DSDT
// and pick out three facts: the PM1 control registers (I/O ports), the \_S5_ (soft-off)
// sleep type values written into them, and the optional reset register. There is no AML
// interpreter: \_S5_ is found by pattern-matching its Name() definition in the DSDT bytes.
//
// acpi_init() (acpi.c) only reads memory, through a map function, so the unit test can feed
// it fake physical memory. acpi_power_off() and acpi_reset() touch I/O ports and live in
// power.c, next to their callers.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"

// What acpi_init() learned. A port number of 0 means "absent".
struct acpi_power {
    bool s5_ok;             // PM1a_CNT and \_S5_ both found: acpi_power_off() can work
    uint16_t pm1a_cnt;      // PM1a control register (I/O port)
    uint16_t pm1b_cnt;      // PM1b control register, 0 if the chipset has none
    uint8_t slp_typa;       // \_S5_ package elements 0 and 1 (3-bit SLP_TYP values)
    uint8_t slp_typb;
    uint16_t smi_cmd;       // writing acpi_enable here switches the firmware into ACPI mode
    uint8_t acpi_enable;

    bool reset_ok;          // FADT has a usable I/O-port RESET_REG
    uint16_t reset_port;
    uint8_t reset_value;

    uint64_t rsdp;          // physical address of the RSDP used (0: the boot loader's copy)
    uint64_t fadt, dsdt;    // physical addresses of the tables used, 0 if not found
};

// What the MADT ("APIC" table) says about interrupt controllers and CPUs, for SMP (smp.c).
#define ACPI_MAX_CPUS 8
struct acpi_madt {
    bool found;
    uint64_t lapic_addr;             // physical address of every CPU's local APIC registers
    int ncpus;                       // enabled processors, the boot CPU among them
    uint8_t apic_id[ACPI_MAX_CPUS];  // their local APIC ids, in table order
    uint64_t ioapic_addr;            // the first I/O APIC (0: none)
    uint32_t ioapic_gsi_base;
    // The ISA IRQ -> global system interrupt map (identity unless overridden), and the
    // override's polarity/trigger flags (MPS INTI flags; 0 = the bus default, ISA's edge/high).
    uint32_t isa_gsi[16];
    uint16_t isa_flags[16];
};
const struct acpi_madt *acpi_get_madt(void);

// Finds the tables (bi->rsdp_copy, else bi->rsdp, else a scan of the BIOS areas) and fills
// the struct above, logging each table like Linux does. Every read goes through `map`, which
// must return NULL for anything it cannot map; in the kernel, for example,
//   pa < BOOT_DIRECT_MAP_SIZE && len <= BOOT_DIRECT_MAP_SIZE - pa ? phys_to_virt(pa) : NULL
// bi->rsdp_copy is used only if rsdp_copy_len covers the whole RSDP (36 bytes from revision 2).
// Returns 0 if acpi_power_off() can work, -1 otherwise (reset may still be available).
int acpi_init(const struct boot_info *bi, phys_map_fn map);
const struct acpi_power *acpi_get_power(void);

// Enter S5 (soft off). Returns only if that is unavailable or did not work.
// Call with interrupts disabled. (In power.c.)
void acpi_power_off(void);
// Write RESET_VALUE to the reset register. Returns if unsupported or if nothing happened.
// (In power.c.)
void acpi_reset(void);
