// trap.h: interrupts and exceptions. trapentry.asm saves the interrupted state as a
// struct trapframe and calls trap(); the field order mirrors the pushes there (and
// asm_offsets.c checks it, and gives the assembly its offsets).
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    // pushed by the CPU
    uint64_t rip, cs, rflags, rsp, ss;
};

// Exception vectors.
enum {
    T_DIVIDE = 0, T_DEBUG = 1, T_NMI = 2, T_BREAKPOINT = 3, T_OVERFLOW = 4, T_BOUND = 5,
    T_INVALID_OPCODE = 6, T_DEVICE_NA = 7, T_DOUBLE_FAULT = 8, T_INVALID_TSS = 10,
    T_SEGMENT_NP = 11, T_STACK = 12, T_GPF = 13, T_PAGE_FAULT = 14, T_X87 = 16,
    T_ALIGNMENT = 17, T_MACHINE_CHECK = 18, T_SIMD = 19, T_VIRT = 20, T_CONTROL_PROT = 21,
};
#define IRQ_BASE 32         // the PIC delivers IRQ n as vector IRQ_BASE + n

// Page-fault error code bits.
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_USER    (1u << 2)
#define PF_RSVD    (1u << 3)
#define PF_INSTR   (1u << 4)

typedef void (*irq_handler_fn)(void);

void idt_init(void);
void idt_load(void);                    // on each CPU
bool irq_registered(int irq);
void irq_register(int irq, irq_handler_fn fn, const char *name);
const char *irq_name(int irq);          // the name it was registered with; NULL if none
uint64_t irq_count(int irq);            // IRQs 0..15 handled since boot (/proc/stat's intr)
bool irq_from_user(void);               // did the IRQ being handled interrupt user mode?
void trap(struct trapframe *tf);
const char *trap_name(uint64_t vector);
void trap_dump(const struct trapframe *tf);
void user_trap(struct trapframe *tf);   // usertrap.c
bool user_fault_without_bkl(struct trapframe *tf);   // usertrap.c: a page fault's fast path
void return_to_user(struct trapframe *tf);   // preemption and signals, on the way out
void return_to_user_unlocked(struct trapframe *tf);   // the same, from a path without the BKL
