// percpu.h: data each CPU has its own copy of, found through the GS segment base.
//
// In the kernel, GS's base points at this CPU's struct percpu; while user code runs, the
// user's GS base is loaded instead and ours waits in MSR_KERNEL_GS_BASE. `swapgs` on every
// entry from and exit to user mode exchanges the two. The syscall entry needs this most:
// it arrives with the user's stack pointer and must find the kernel stack from nothing.
// There is one CPU today; with SMP each gets its own struct percpu and the rest stays.
#pragma once
#include <stdint.h>

struct proc;

// The assembly reaches these fields by the offsets asm_offsets.c generates.
struct percpu {
    struct percpu *self;      // gs:0  - so C can get a normal pointer to this struct
    uint64_t kernel_rsp;      // gs:8  - top of the current process's kernel stack
    uint64_t user_rsp;        // gs:16 - scratch for the syscall entry
    struct proc *current;     // gs:24 - the process running on this CPU
};

#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

void percpu_init(void);

static inline struct percpu *this_cpu(void) {
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}
