// t_sigframe.c: the signal frame, Linux's x86_64 ABI that a kernel must reproduce exactly:
// what a handler finds when it starts (registers, stack, the ucontext_t and siginfo_t and
// where they are), and what rt_sigreturn restores: every general register, the flags, the
// FPU/SSE state and the signal mask, as the handler left them in the frame - which is how
// a handler can "fix" a fault and carry on. (t_sigfault: what each CPU exception reports.)
//
// The code under test is assembly (below), so that the exact instruction and register
// values are known. Each part runs in a child: if the kernel gets it wrong, the child dies
// and the test goes on.
//
// The frame, from the stack pointer at the handler's first instruction:
//     rsp + 0     return address: sa_restorer (rsp + 8 is 16-byte aligned, as after a call)
//     rsp + 8     ucontext_t (304 bytes): uc_flags, uc_link, uc_stack, uc_mcontext (256,
//                 with a pointer to the FPU state), uc_sigmask
//     rsp + 312   siginfo_t (128 bytes)
//     above:      the FPU state (64-byte aligned), then 128 bytes of red zone kept free,
//                 then the interrupted stack.
// and rdi = signal, rsi = &siginfo, rdx = &ucontext, rax = 0, the direction flag clear.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include "parity.h"

#define DF 0x400                 // EFLAGS: the direction flag
#define CF 0x001                 // EFLAGS: the carry flag

// ---- part 1: the handler's first instruction, probed by sf_probe
//
// sf_raise_std(pid, tid, sig) sends the signal with tgkill, the direction flag set, and
// returns the flags as they are after the handler.
unsigned long sf_entry[6];       // rsp, rax, rdi, rsi, rdx, rflags at the handler's entry
unsigned long sf_raise_rsp;
void sf_probe(int sig, siginfo_t *si, void *uc);
void sf_probe_handler(int sig, siginfo_t *si, void *uc);
unsigned long sf_raise_std(long pid, long tid, long sig);
extern char sf_raise_after[];
__asm__(".pushsection .text\n"
        "sf_probe:\n"
        "    mov %rsp, sf_entry(%rip)\n"
        "    mov %rax, sf_entry+8(%rip)\n"
        "    mov %rdi, sf_entry+16(%rip)\n"
        "    mov %rsi, sf_entry+24(%rip)\n"
        "    mov %rdx, sf_entry+32(%rip)\n"
        "    pushfq\n"
        "    popq sf_entry+40(%rip)\n"
        "    jmp sf_probe_handler\n"
        "sf_raise_std:\n"
        "    std\n"
        "    mov %rsp, sf_raise_rsp(%rip)\n"
        "    mov $234, %eax\n"                  // tgkill
        "    syscall\n"
        "sf_raise_after:\n"
        "    pushfq\n"
        "    pop %rax\n"
        "    cld\n"
        "    ret\n"
        ".popsection\n");

// The kernel's 64 signals: the first 8 bytes of any C library's sigset_t.
static unsigned long word0(const sigset_t *set)
{
    unsigned long w;

    memcpy(&w, set, sizeof w);
    return w;
}

static ucontext_t seen_uc;
static siginfo_t seen_info;
static void *seen_uc_at, *seen_info_at;
static sigset_t mask_inside;

void sf_probe_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    seen_uc = *(ucontext_t *)uc;
    seen_info = *si;
    seen_uc_at = uc;
    seen_info_at = si;
    sigprocmask(SIG_BLOCK, NULL, &mask_inside);
}

static void entry(void)
{
    struct sigaction sa = { .sa_sigaction = sf_probe, .sa_flags = SA_SIGINFO };
    sigset_t usr2, now;

    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &sa);               // sa_restorer: what the kernel was given
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_SETMASK, &usr2, NULL);
    unsigned long flags_after = sf_raise_std(getpid(), gettid(), SIGUSR1);
    sigprocmask(SIG_SETMASK, NULL, &now);

    unsigned long rsp = sf_entry[0];
    greg_t *g = seen_uc.uc_mcontext.gregs;
    char *fp = (char *)seen_uc.uc_mcontext.fpregs;
    yes("entry: rsp + 8 is 16-byte aligned", (rsp + 8) % 16 == 0);
    yes("entry: [rsp] is sa_restorer", *(unsigned long *)rsp == (unsigned long)sa.sa_restorer);
    yes("entry: rdi is the signal", sf_entry[2] == SIGUSR1);
    yes("entry: rsi is &siginfo, at rsp + 312", sf_entry[3] == (unsigned long)seen_info_at &&
        sf_entry[3] == rsp + 312);
    yes("entry: rdx is &ucontext, at rsp + 8", sf_entry[4] == (unsigned long)seen_uc_at &&
        sf_entry[4] == rsp + 8);
    yes("entry: rax is 0", sf_entry[1] == 0);
    yes("entry: the direction flag is clear", !(sf_entry[5] & DF));
    printf("siginfo: %s, si_code %d\n", sig_name(seen_info.si_signo), seen_info.si_code);
    yes("uc_flags has UC_SIGCONTEXT_SS and UC_STRICT_RESTORE_SS", (seen_uc.uc_flags & 6) == 6);
    yes("uc_link is NULL", seen_uc.uc_link == NULL);
    yes("uc_stack: all zero, as there is no alternate stack", seen_uc.uc_stack.ss_sp == NULL &&
        seen_uc.uc_stack.ss_flags == 0 && seen_uc.uc_stack.ss_size == 0);
    yes("saved rip: after the syscall instruction", g[REG_RIP] == (greg_t)sf_raise_after);
    yes("saved rsp: the caller's", g[REG_RSP] == (greg_t)sf_raise_rsp);
    yes("saved rax: tgkill's result, 0", g[REG_RAX] == 0);
    yes("saved rdi, rsi, rdx: its arguments", g[REG_RDI] == getpid() &&
        g[REG_RSI] == gettid() && g[REG_RDX] == SIGUSR1);
    yes("saved eflags: the direction flag set", (g[REG_EFL] & DF) != 0);
    yes("fpregs: set, 64-byte aligned", fp != NULL && (unsigned long)fp % 64 == 0);
    yes("fpregs: above the frame, below the red zone",
        (unsigned long)fp >= rsp + 440 && (unsigned long)fp + 512 <= sf_raise_rsp - 128);
    yes("uc_sigmask: the mask before, just SIGUSR2",
        word0(&seen_uc.uc_sigmask) == word0(&usr2));
    yes("oldmask: its first word too", (unsigned long)g[REG_OLDMASK] == word0(&usr2));
    yes("in the handler: SIGUSR2, SIGUSR1 and sa_mask's SIGTERM blocked",
        sigismember(&mask_inside, SIGUSR2) == 1 && sigismember(&mask_inside, SIGUSR1) == 1 &&
        sigismember(&mask_inside, SIGTERM) == 1);
    yes("after: the mask is back to just SIGUSR2", word0(&now) == word0(&usr2));
    yes("after: the direction flag is set again", (flags_after & DF) != 0);
}

// ---- part 2: every register through the frame and back
//
// sf_regs_test fills the red zone, sets the 15 general registers to 0x11111111111111NN
// (NN: the register's REG_ index), and faults. The handler checks the saved values,
// changes each to 0x22222222222222NN, sets the carry flag, and resumes at sf_regs_resume,
// which stores the registers (in REG_ order), the red zone and the flags.
#define OLD(i) (0x1111111111111100LL + (i))
#define NEW(i) (0x2222222222222200LL + (i))
unsigned long sf_regs_rsp, sf_regs_out[15], sf_redzone_out[16], sf_regs_flags;
void sf_regs_test(void);
extern char sf_regs_fault[], sf_regs_resume[];
__asm__(".pushsection .text\n"
        "sf_regs_test:\n"
        "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
        "    mov $0x5a5a5a5a5a5a5a5a, %rax\n"
        "    .irp off, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128\n"
        "    mov %rax, -\\off(%rsp)\n"
        "    .endr\n"
        "    mov %rsp, sf_regs_rsp(%rip)\n"
        "    mov $0x1111111111111100, %r8\n"
        "    mov $0x1111111111111101, %r9\n"
        "    mov $0x1111111111111102, %r10\n"
        "    mov $0x1111111111111103, %r11\n"
        "    mov $0x1111111111111104, %r12\n"
        "    mov $0x1111111111111105, %r13\n"
        "    mov $0x1111111111111106, %r14\n"
        "    mov $0x1111111111111107, %r15\n"
        "    mov $0x1111111111111108, %rdi\n"
        "    mov $0x1111111111111109, %rsi\n"
        "    mov $0x111111111111110a, %rbp\n"
        "    mov $0x111111111111110b, %rbx\n"
        "    mov $0x111111111111110c, %rdx\n"
        "    mov $0x111111111111110d, %rax\n"
        "    mov $0x111111111111110e, %rcx\n"
        "sf_regs_fault:\n"
        "    movl $1, 0\n"
        "sf_regs_resume:\n"
        "    mov %r8, sf_regs_out(%rip)\n"
        "    mov %r9, sf_regs_out+8(%rip)\n"
        "    mov %r10, sf_regs_out+16(%rip)\n"
        "    mov %r11, sf_regs_out+24(%rip)\n"
        "    mov %r12, sf_regs_out+32(%rip)\n"
        "    mov %r13, sf_regs_out+40(%rip)\n"
        "    mov %r14, sf_regs_out+48(%rip)\n"
        "    mov %r15, sf_regs_out+56(%rip)\n"
        "    mov %rdi, sf_regs_out+64(%rip)\n"
        "    mov %rsi, sf_regs_out+72(%rip)\n"
        "    mov %rbp, sf_regs_out+80(%rip)\n"
        "    mov %rbx, sf_regs_out+88(%rip)\n"
        "    mov %rdx, sf_regs_out+96(%rip)\n"
        "    mov %rax, sf_regs_out+104(%rip)\n"
        "    mov %rcx, sf_regs_out+112(%rip)\n"
        "    .irp off, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128\n"
        "    mov -\\off(%rsp), %rax\n"
        "    mov %rax, sf_redzone_out+\\off-8(%rip)\n"
        "    .endr\n"
        "    pushfq\n"
        "    popq sf_regs_flags(%rip)\n"
        "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
        "    ret\n"
        ".popsection\n");

static int rip_right, rsp_right, saved_right;

static void on_regs_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;

    (void)sig;
    (void)si;
    rip_right = g[REG_RIP] == (greg_t)sf_regs_fault;
    rsp_right = g[REG_RSP] == (greg_t)sf_regs_rsp;
    for (int i = 0; i < 15; i++)                 // REG_R8 .. REG_RCX: all but rsp, rip
        saved_right += g[i] == OLD(i);
    for (int i = 0; i < 15; i++)
        g[i] = NEW(i);
    g[REG_EFL] |= CF;
    g[REG_RIP] = (greg_t)sf_regs_resume;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void registers(void)
{
    struct sigaction sa = { .sa_sigaction = on_regs_fault, .sa_flags = SA_SIGINFO };
    sigset_t now;
    int back = 0, redzone = 0;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sf_regs_test();
    for (int i = 0; i < 15; i++)
        back += sf_regs_out[i] == (unsigned long)NEW(i);
    for (int i = 0; i < 16; i++)
        redzone += sf_redzone_out[i] == 0x5a5a5a5a5a5a5a5aUL;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("the handler found %d of 15 registers as they were at the fault\n", saved_right);
    yes("and rip and rsp", rip_right && rsp_right);
    printf("after rt_sigreturn, %d of 15 registers hold what the handler stored\n", back);
    yes("the carry flag it set is set", sf_regs_flags & CF);
    printf("red zone words intact: %d of 16\n", redzone);
    yes("SIGUSR2, added to uc_sigmask, is blocked now", sigismember(&now, SIGUSR2) == 1);
}

// ---- part 3: the FPU and SSE state
//
// sf_fp_test loads xmm0, xmm1 and MXCSR, then hits ud2. The handler looks at the saved
// state, clobbers its own xmm0, rewrites the saved xmm1, and resumes at sf_fp_resume,
// which stores xmm0, xmm1 and MXCSR.
unsigned int sf_fp_in[8] = { 0x01234567, 0x89abcdef, 0x0badf00d, 0xfeedface,
                             0x11112222, 0x33334444, 0x55556666, 0x77778888 };
unsigned int sf_fp_out[8], sf_mxcsr_in = 0x7f80, sf_mxcsr_out, sf_mxcsr_default = 0x1f80;
void sf_fp_test(void);
extern char sf_fp_resume[];
__asm__(".pushsection .text\n"
        "sf_fp_test:\n"
        "    movdqu sf_fp_in(%rip), %xmm0\n"
        "    movdqu sf_fp_in+16(%rip), %xmm1\n"
        "    ldmxcsr sf_mxcsr_in(%rip)\n"        // round toward zero: not the default
        "    ud2\n"
        "sf_fp_resume:\n"
        "    stmxcsr sf_mxcsr_out(%rip)\n"
        "    movdqu %xmm0, sf_fp_out(%rip)\n"
        "    movdqu %xmm1, sf_fp_out+16(%rip)\n"
        "    ldmxcsr sf_mxcsr_default(%rip)\n"
        "    ret\n"
        ".popsection\n");

static const unsigned int NEW_XMM1[4] = { 0xcafe0001, 0xcafe0002, 0xcafe0003, 0xcafe0004 };
static unsigned int saved_mxcsr, handler_mxcsr, saved_xmm0_right;

static void on_fp_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;

    (void)sig;
    (void)si;
    __asm__ volatile("stmxcsr %0" : "=m"(handler_mxcsr));
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0" : : : "xmm0");   // all ones
    saved_mxcsr = fp->mxcsr;
    saved_xmm0_right = memcmp(fp->_xmm[0].element, sf_fp_in, 16) == 0;
    memcpy(fp->_xmm[1].element, NEW_XMM1, 16);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)sf_fp_resume;
}

static void fpu(void)
{
    struct sigaction sa = { .sa_sigaction = on_fp_fault, .sa_flags = SA_SIGINFO };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, NULL);
    sf_fp_test();
    printf("saved MXCSR: %#x; the handler's own: %#x\n", saved_mxcsr, handler_mxcsr);
    yes("saved xmm0 is the interrupted code's", saved_xmm0_right);
    yes("after: xmm0 is back, whatever the handler did to it",
        memcmp(sf_fp_out, sf_fp_in, 16) == 0);
    yes("after: xmm1 is what the handler wrote into the frame",
        memcmp(sf_fp_out + 4, NEW_XMM1, 16) == 0);
    printf("after: MXCSR %#x\n", sf_mxcsr_out);
}

int main(void)
{
    begin("t_sigframe");
    default_signals();
    in_child("handler entry", entry);
    in_child("registers", registers);
    in_child("fpu", fpu);
    return done();
}
