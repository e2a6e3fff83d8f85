// cpu.c: CPU feature detection, and switching on the protection features the CPU offers.
//
// SMEP stops the kernel from executing user pages; SMAP stops it from even reading or
// writing them, except inside an explicit window (stac ... clac) that only the user-copy
// functions open. Both turn a whole class of kernel bugs and exploits into clean faults.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "printk.h"
#include "x86.h"

#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

struct cpu_features cpu;

void cpu_detect(void) {
    uint32_t a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    uint32_t max_leaf = a;
    cpuid(1, 0, &a, &b, &c, &d);
    cpu.pge = d & (1u << 13);
    if (max_leaf >= 7) {
        cpuid(7, 0, &a, &b, &c, &d);
        cpu.smep = b & (1u << 7);
        cpu.smap = b & (1u << 20);
    }
    cpuid(0x80000000, 0, &a, &b, &c, &d);
    if (a >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        cpu.nx = d & (1u << 20);
        cpu.pdpe1gb = d & (1u << 26);
    }
}

void cpu_enable_protection(void) {
    uint64_t cr4 = read_cr4();
    if (cpu.smep)
        cr4 |= CR4_SMEP;
    if (cpu.smap)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    pr_info("x86/cpu: NX %s, SMEP %s, SMAP %s\n", cpu.nx ? "on" : "unsupported",
            cpu.smep ? "on" : "unsupported", cpu.smap ? "on" : "unsupported");
}

// User programs use SSE (x86_64 compilers assume it); the kernel itself never touches the
// FPU or vector registers (-mgeneral-regs-only), so they always hold user state. Turn them
// on: CR0.MP and no EM, CR4.OSFXSR and OSXMMEXCPT (SSE instructions and SSE exceptions).
void cpu_enable_fpu(void) {
    write_cr0((read_cr0() & ~(1ull << 2)) | (1ull << 1));
    write_cr4(read_cr4() | (1ull << 9) | (1ull << 10));
    __asm__ volatile("fninit");
}
