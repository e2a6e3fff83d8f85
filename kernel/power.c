// power.c: power-off, restart and halt. Also the hardware half of acpi.h, acpi_power_off()
// and acpi_reset(), kept here so that acpi.c (pure table parsing) can run in a host unit test.
//
// There is no timer here (interrupts are off), so delays are counted in io_wait() calls,
// each a write to port 0x80 that takes about a microsecond.
#include <stdint.h>
#include "acpi.h"
#include "power.h"
#include "trace.h"
#include "printk.h"
#include "x86.h"

static void delay_us(unsigned us) {
    while (us-- > 0)
        io_wait();
}

// ---- ACPI (the facts come from acpi_init())

#define SCI_EN        (1u << 0)    // PM1_CNT: the chipset is in ACPI mode
#define SLP_TYP_SHIFT 10           // PM1_CNT bits 12-10: the sleep type to enter
#define SLP_TYP_MASK  (7u << SLP_TYP_SHIFT)
#define SLP_EN        (1u << 13)   // PM1_CNT: write 1 to enter that sleep type

// Firmware may still be in legacy mode, with SMI handlers owning the power-management
// hardware. Writing ACPI_ENABLE to SMI_CMD asks it to hand over, and it sets SCI_EN when
// done (spec: "Legacy/ACPI Select and the SCI Interrupt"). Wait at most about 0.3 s.
static void enable_acpi_mode(const struct acpi_power *p) {
    if ((inw(p->pm1a_cnt) & SCI_EN) || !p->smi_cmd || !p->acpi_enable)
        return;
    outb(p->smi_cmd, p->acpi_enable);
    for (int i = 0; i < 300000 && !(inw(p->pm1a_cnt) & SCI_EN); i++)
        io_wait();
}

static uint16_t pm1_value(uint16_t port, uint8_t slp_typ) {
    uint16_t v = inw(port) & ~(SLP_TYP_MASK | SLP_EN);   // keep the other bits, e.g. SCI_EN
    return v | (uint16_t)((slp_typ & 7u) << SLP_TYP_SHIFT);
}

// As ACPICA does it: first write SLP_TYP alone, then SLP_TYP with SLP_EN; PM1a, then PM1b.
void acpi_power_off(void) {
    const struct acpi_power *p = acpi_get_power();
    if (!p->s5_ok)
        return;
    enable_acpi_mode(p);
    uint16_t a = pm1_value(p->pm1a_cnt, p->slp_typa);
    uint16_t b = p->pm1b_cnt ? pm1_value(p->pm1b_cnt, p->slp_typb) : 0;
    outw(p->pm1a_cnt, a);
    if (p->pm1b_cnt)
        outw(p->pm1b_cnt, b);
    outw(p->pm1a_cnt, a | SLP_EN);
    if (p->pm1b_cnt)
        outw(p->pm1b_cnt, b | SLP_EN);
    delay_us(1000000);   // give the power a second to go away
}

void acpi_reset(void) {
    const struct acpi_power *p = acpi_get_power();
    if (!p->reset_ok)
        return;
    outb(p->reset_port, p->reset_value);
    delay_us(100000);
}

// ---- The machine_* functions

static __attribute__((noreturn)) void halt_forever(void) {
    cli();
    for (;;)
        hlt();   // with interrupts off only an NMI wakes us, and then we halt again
}

void machine_halt(void) {
    cli();
    pr_emerg("reboot: System halted\n");
    halt_forever();
}

void machine_power_off(void) {
    cli();
    if (trace_on)
        pr_info("trace: %ld events written to COM2\n", trace_dump());
    if (acpi_get_power()->s5_ok) {
        pr_emerg("reboot: Power down\n");
        acpi_power_off();
        pr_err("reboot: ACPI power-off did not work\n");
    }
    // As in Linux's reboot(2): a power-off request that cannot be honoured becomes a halt.
    machine_halt();
}

// Bit 0 of the 8042 keyboard controller's output port drives the CPU's reset line, and
// command 0xFE pulses it. Before each command wait (bounded: the controller may be absent)
// for the input buffer to empty: status bit 1 of port 0x64. Linux tries ten times.
#define KBD_STATUS_PORT   0x64
#define KBD_STATUS_IBF    0x02
#define KBD_CMD_PULSE_RESET 0xFE

static void kbd_reset(void) {
    for (int attempt = 0; attempt < 10; attempt++) {
        for (int i = 0; i < 0x10000 && (inb(KBD_STATUS_PORT) & KBD_STATUS_IBF); i++)
            delay_us(2);
        delay_us(50);
        outb(KBD_STATUS_PORT, KBD_CMD_PULSE_RESET);
        delay_us(50);
    }
}

// The last resort. With an IDT of limit 0 the breakpoint exception cannot be delivered;
// that is a double fault, which cannot be delivered either: a triple fault, and the CPU
// resets (as Linux's BOOT_TRIPLE does).
static void triple_fault(void) {
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(idtr) : "memory");
}

void machine_restart(void) {
    cli();
    pr_emerg("reboot: Restarting system\n");
    acpi_reset();
    kbd_reset();
    triple_fault();
    halt_forever();
}
