// power.h: turning the machine off, restarting it, or just stopping it (Linux's names).
// None of these return. They disable interrupts themselves.
#pragma once

// ACPI S5 (soft off) if acpi_init() found how; otherwise, or if that fails, machine_halt().
__attribute__((noreturn)) void machine_power_off(void);
// ACPI reset register, then the keyboard controller's reset line, then a triple fault.
__attribute__((noreturn)) void machine_restart(void);
// Stop the CPU for good: interrupts off, hlt forever.
__attribute__((noreturn)) void machine_halt(void);
