// cpu.h: what this CPU can do, learned once at boot from CPUID.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
    bool nx;        // no-execute page bit (EFER.NXE)
    bool smep;      // supervisor mode execution prevention (CR4.SMEP)
    bool smap;      // supervisor mode access prevention (CR4.SMAP, stac/clac)
    bool pdpe1gb;   // 1 GiB pages
    bool pge;       // global pages
};

extern struct cpu_features cpu;

void cpu_detect(void);
void cpu_enable_protection(void);   // SMEP and SMAP on, where the CPU has them
void cpu_enable_fpu(void);          // x87 and SSE for user programs
// The x87/SSE registers, as fxsave stores them (512 bytes, 16-byte aligned).
void fpu_save(uint8_t *area);
void fpu_restore(const uint8_t *area);
void fpu_reset(uint8_t *area);      // the state a new program starts with
