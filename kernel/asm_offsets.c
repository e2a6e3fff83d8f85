// asm_offsets.c: the numbers the assembly needs, taken from the C headers that define them.
//
// Not part of the kernel. The Makefile compiles this file to assembly only (-S) and turns
// each "->NAME value" line the DEFINEs below leave there into "%define NAME value" in
// build/kernel/asm_offsets.inc, which the .asm files %include. So a field moved in struct
// trapframe or struct percpu, or a selector changed in gdt.h, changes the assembly with it:
// nothing is written twice by hand. (Linux's asm-offsets.c works the same way.)
//
// What the compiler cannot see is the order of the pushes in regs.inc, trapentry.asm,
// syscall_entry.asm and swtch.asm: the _Static_asserts below pin the structs to that order,
// so reordering a struct without the pushes (or the reverse) fails the build.
#include <stddef.h>
#include "errno.h"
#include "gdt.h"
#include "percpu.h"
#include "sched.h"
#include "syscall.h"
#include "trap.h"

#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\"" : : "i"((long)(value)))
#define TF(field) offsetof(struct trapframe, field)

// regs.inc's PUSH_GPRS pushes rax first and r15 last, so r15 ends lowest: at offset 0.
_Static_assert(TF(r15) == 0 * 8 && TF(r14) == 1 * 8 && TF(r13) == 2 * 8 && TF(r12) == 3 * 8 &&
               TF(r11) == 4 * 8 && TF(r10) == 5 * 8 && TF(r9) == 6 * 8 && TF(r8) == 7 * 8 &&
               TF(rbp) == 8 * 8 && TF(rdi) == 9 * 8 && TF(rsi) == 10 * 8 &&
               TF(rdx) == 11 * 8 && TF(rcx) == 12 * 8 && TF(rbx) == 13 * 8 &&
               TF(rax) == 14 * 8, "struct trapframe: registers in PUSH_GPRS order (regs.inc)");
// Above them the stubs' two pushes (vector last), then the frame the CPU pushes on an
// interrupt (and syscall_entry.asm imitates): rip lowest, ss highest.
_Static_assert(TF(vector) == 15 * 8 && TF(error_code) == 16 * 8,
               "struct trapframe: vector and error code as trapentry.asm pushes them");
_Static_assert(TF(rip) == 17 * 8 && TF(cs) == 18 * 8 && TF(rflags) == 19 * 8 &&
               TF(rsp) == 20 * 8 && TF(ss) == 21 * 8 && sizeof(struct trapframe) == 22 * 8,
               "struct trapframe: the CPU's interrupt frame on top");
// swtch.asm pushes rbp, rbx, r12..r15 below the return address its caller's call pushed.
_Static_assert(offsetof(struct switch_frame, r15) == 0 * 8 &&
               offsetof(struct switch_frame, r14) == 1 * 8 &&
               offsetof(struct switch_frame, r13) == 2 * 8 &&
               offsetof(struct switch_frame, r12) == 3 * 8 &&
               offsetof(struct switch_frame, rbx) == 4 * 8 &&
               offsetof(struct switch_frame, rbp) == 5 * 8 &&
               offsetof(struct switch_frame, rip) == 6 * 8 &&
               sizeof(struct switch_frame) == 7 * 8, "struct switch_frame: swtch.asm's pushes");
// percpu_init() points GS's base at struct percpu; this_cpu() reads gs:0.
_Static_assert(offsetof(struct percpu, self) == 0, "this_cpu() reads the self pointer at gs:0");

void asm_offsets(void);
void asm_offsets(void) {
    // struct trapframe, for the entry paths
    DEFINE(TF_VECTOR, TF(vector));
    DEFINE(TF_RIP, TF(rip));
    DEFINE(TF_CS, TF(cs));
    DEFINE(TF_RFLAGS, TF(rflags));
    DEFINE(TF_RSP, TF(rsp));
    // struct percpu, at gs:0 in the kernel
    DEFINE(PERCPU_KERNEL_RSP, offsetof(struct percpu, kernel_rsp));
    DEFINE(PERCPU_USER_RSP, offsetof(struct percpu, user_rsp));
    // gdt.h, syscall.h, errno.h
    DEFINE(USER_CS, USER_CS);
    DEFINE(USER_DS, USER_DS);
    DEFINE(SYSCALL_VECTOR, SYSCALL_VECTOR);
    DEFINE(ENOSYS, ENOSYS);
}
