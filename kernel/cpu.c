// cpu.c: CPU feature detection, and switching on the protection features the CPU offers.
//
// SMEP stops the kernel from executing user pages; SMAP stops it from even reading or
// writing them, except inside an explicit window (stac ... clac) that only the user-copy
// functions open. Both turn a whole class of kernel bugs and exploits into clean faults.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "string.h"
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
// FPU or vector registers (-mgeneral-regs-only), so they always hold user state: the
// scheduler saves them when a process is switched out and loads the next one's. Turn them
// on: CR0.MP and no EM, CR4.OSFXSR and OSXMMEXCPT (SSE instructions and SSE exceptions),
// and keep the state a fresh program starts with (fninit, MXCSR 0x1f80) as a template.
static uint8_t fpu_initial[512] __attribute__((aligned(16)));

void cpu_enable_fpu(void) {
    write_cr0((read_cr0() & ~(1ull << 2)) | (1ull << 1));
    write_cr4(read_cr4() | (1ull << 9) | (1ull << 10));
    uint32_t mxcsr = 0x1f80;                // all SSE exceptions masked, round to nearest
    __asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
    fpu_save(fpu_initial);
}

void fpu_save(uint8_t *area)    { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
void fpu_restore(const uint8_t *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }
void fpu_reset(uint8_t *area)   { memcpy(area, fpu_initial, sizeof fpu_initial); }
