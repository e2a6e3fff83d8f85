// gdt.h: segments and the task-state segment. The selectors are Linux's, so an exception
// dump here reads "RIP: 0010:..." exactly as it does on Linux.
#pragma once
#include <stdint.h>

#define KERNEL_CS   0x10
#define KERNEL_DS   0x18
#define USER32_CS   0x23    // unused, but syscall/sysret expects this layout (see STAR)
#define USER_DS     0x2b
#define USER_CS     0x33
#define TSS_SEL     0x40
#define CPUNODE_SEL 0x50    // its limit is the CPU number (vdso/vclock.c reads it with lsl)

// Interrupt stack table slots (1-based, as the IDT gate's IST field counts them).
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

void gdt_init(void);                 // the boot CPU's
void gdt_init_cpu(int cpu);          // CPU number cpu's, on that CPU
// The stack the CPU switches to on an interrupt from user mode (TSS.RSP0).
void tss_set_kernel_stack(uint64_t rsp0);
// True if [addr, addr+len) lies inside one of the IST stacks.
int ist_stack_contains(uint64_t addr, uint64_t len);
