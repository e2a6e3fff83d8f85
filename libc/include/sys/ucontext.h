// sys/ucontext.h: the machine state a signal interrupted, as the kernel saves it on the user
// stack for the handler (the third argument of a SA_SIGINFO handler points to a ucontext_t).
// The layout is Linux's x86_64 one (the kernel's struct ucontext and struct sigcontext, in
// asm/ucontext.h and asm/sigcontext.h); glibc's names. rt_sigreturn restores the registers,
// the FPU state and the signal mask from here, so a handler that changes them changes what
// the interrupted code continues with.
#pragma once
#include <signal.h>    // sigset_t (signal.h includes this file after defining it)
#include <stdint.h>

// An alternate signal stack (sigaltstack). Without one, a signal frame holds zeros here
// (sigaltstack itself would report SS_DISABLE).
typedef struct {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;
#define SS_ONSTACK 1
#define SS_DISABLE 2

// The general registers, in the kernel's struct sigcontext order. REG_CSGSFS holds the
// 16-bit cs, gs, fs and ss selectors; REG_ERR, REG_TRAPNO and REG_CR2 describe the CPU
// exception behind a fault (error code, vector, faulting address).
#define REG_R8      0
#define REG_R9      1
#define REG_R10     2
#define REG_R11     3
#define REG_R12     4
#define REG_R13     5
#define REG_R14     6
#define REG_R15     7
#define REG_RDI     8
#define REG_RSI     9
#define REG_RBP    10
#define REG_RBX    11
#define REG_RDX    12
#define REG_RAX    13
#define REG_RCX    14
#define REG_RSP    15
#define REG_RIP    16
#define REG_EFL    17
#define REG_CSGSFS 18
#define REG_ERR    19
#define REG_TRAPNO 20
#define REG_OLDMASK 21
#define REG_CR2    22
#define NGREG      23

typedef long long greg_t;
typedef greg_t gregset_t[NGREG];

// The FPU and SSE state: the 512-byte area the fxsave instruction writes (xsave writes the
// same first 512 bytes, then more).
struct _libc_fpxreg {
    unsigned short significand[4];
    unsigned short exponent;
    unsigned short __pad[3];
};
struct _libc_xmmreg {
    uint32_t element[4];
};
struct _libc_fpstate {
    uint16_t cwd, swd, ftw, fop;     // x87 control, status, tag word; last opcode
    uint64_t rip, rdp;               // last x87 instruction and data pointers
    uint32_t mxcsr, mxcr_mask;       // SSE control and status
    struct _libc_fpxreg _st[8];      // offset 32
    struct _libc_xmmreg _xmm[16];    // offset 160
    uint32_t __reserved[24];
};
typedef struct _libc_fpstate *fpregset_t;

typedef struct {
    gregset_t gregs;                 // 23 registers, 184 bytes
    fpregset_t fpregs;               // where the kernel put the FPU state (on the stack)
    unsigned long long __reserved1[8];
} mcontext_t;                        // 256 bytes: the kernel's struct sigcontext

typedef struct ucontext_t {
    unsigned long uc_flags;          // 0
    struct ucontext_t *uc_link;      // 8: NULL
    stack_t uc_stack;                // 16: the alternate stack, as sigaltstack reports it
    mcontext_t uc_mcontext;          // 40
    sigset_t uc_sigmask;             // 296: the mask to restore (the one before the handler)
} ucontext_t;                        // 304 bytes: the kernel's struct ucontext
