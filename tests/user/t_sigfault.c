// t_sigfault.c: what the kernel tells a handler about each kind of CPU exception: the
// signal, si_code, si_addr, and in the saved context the RIP, the trap number, the error
// code and (for page faults) CR2 - all as Linux reports them. Linux's rules:
//   page fault (trap 14): SIGSEGV, SEGV_MAPERR if nothing is mapped there (user addresses
//       and any kernel address alike), SEGV_ACCERR if the access is not allowed; si_addr
//       and CR2 the address; the error code is the CPU's (1 present, 2 write, 4 user,
//       0x10 instruction fetch), with 1 added for any kernel address;
//   general protection (13: non-canonical address, privileged instruction): SIGSEGV,
//       SI_KERNEL, si_addr 0;
//   ud2 (6): SIGILL, ILL_ILLOPN; divide error (0): SIGFPE, FPE_INTDIV; both with si_addr
//       the instruction;
//   int3 (3): SIGTRAP, SI_KERNEL, the saved RIP after the instruction.
// The error code and trap number of other exceptions are 0 and the vector.
//
// Each fault is an instruction in the assembly below. The handler records what it is told
// and moves the saved RIP on, so one child goes through them all.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include "parity.h"

// Each snippet is called as a function: sf_s_X is where it starts, sf_f_X the faulting
// instruction, sf_r_X where the handler makes it resume. They use only registers that
// a call may clobber anyway.
__asm__(".pushsection .text\n"
        "sf_s_null: sf_f_null: movl $1, 0\n"
        "sf_r_null: ret\n"
        "sf_s_ktext: movabs $0xffffffff80000000, %rcx\n"
        "sf_f_ktext: movl (%rcx), %eax\n"
        "sf_r_ktext: ret\n"
        "sf_s_noncanon: movabs $0x0000800000000000, %rcx\n"
        "sf_f_noncanon: movl (%rcx), %eax\n"
        "sf_r_noncanon: ret\n"
        "sf_s_wtext: lea sf_r_null(%rip), %rcx\n"
        "sf_f_wtext: movb $0xc3, (%rcx)\n"
        "sf_r_wtext: ret\n"
        "sf_s_xdata: lea sf_data_ret(%rip), %rcx\n"
        "sf_f_xdata: call *%rcx\n"
        "sf_r_xdata: ret\n"
        "sf_s_ud2: sf_f_ud2: ud2\n"
        "sf_r_ud2: ret\n"
        "sf_s_int3: sf_f_int3: int3\n"
        "sf_r_int3: ret\n"
        "sf_s_hlt: sf_f_hlt: hlt\n"
        "sf_r_hlt: ret\n"
        "sf_s_jnull: xor %ecx, %ecx\n"
        "sf_f_jnull: call *%rcx\n"
        "sf_r_jnull: ret\n"
        "sf_s_outb: sf_f_outb: outb %al, $0x80\n"
        "sf_r_outb: ret\n"
        "sf_s_div0: xor %ecx, %ecx; mov $1, %eax; xor %edx, %edx\n"
        "sf_f_div0: div %rcx\n"
        "sf_r_div0: ret\n"
        ".popsection\n"
        ".pushsection .data\n"
        "sf_data_ret: .byte 0xc3\n"
        ".popsection\n");

#define SNIPPET(x) extern char sf_s_##x[], sf_f_##x[], sf_r_##x[]
SNIPPET(null); SNIPPET(ktext); SNIPPET(noncanon); SNIPPET(wtext); SNIPPET(xdata);
SNIPPET(jnull); SNIPPET(ud2); SNIPPET(int3); SNIPPET(hlt); SNIPPET(outb); SNIPPET(div0);
extern char sf_data_ret[];

static struct {
    int signo, code;
    void *addr;
    greg_t rip, trapno, err, cr2;
} seen;
static char *resume_at;
static int pop_return;       // the fault was a call: resume as if the callee returned

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;

    (void)sig;
    seen.signo = si->si_signo;
    seen.code = si->si_code;
    seen.addr = si->si_addr;
    seen.rip = g[REG_RIP];
    seen.trapno = g[REG_TRAPNO];
    seen.err = g[REG_ERR];
    seen.cr2 = g[REG_CR2];
    g[REG_RIP] = (greg_t)resume_at;
    if (pop_return)
        g[REG_RSP] += 8;
}

static void faults(void)
{
    static const struct {
        const char *name;
        char *start, *rip, *resume;
        const void *addr;        // what si_addr must be
    } cases[] = {
        { "NULL write", sf_s_null, sf_f_null, sf_r_null, NULL },
        { "read kernel text", sf_s_ktext, sf_f_ktext, sf_r_ktext, (void *)0xffffffff80000000 },
        { "non-canonical read", sf_s_noncanon, sf_f_noncanon, sf_r_noncanon, NULL },
        { "write to text", sf_s_wtext, sf_f_wtext, sf_r_wtext, sf_r_null },
        { "call into data", sf_s_xdata, sf_data_ret, sf_r_xdata, sf_data_ret },
        { "call NULL", sf_s_jnull, NULL, sf_r_jnull, NULL },
        { "ud2", sf_s_ud2, sf_f_ud2, sf_r_ud2, sf_f_ud2 },
        { "int3 (rip is after it)", sf_s_int3, sf_r_int3, sf_r_int3, NULL },
        { "hlt", sf_s_hlt, sf_f_hlt, sf_r_hlt, NULL },
        { "outb", sf_s_outb, sf_f_outb, sf_r_outb, NULL },
        { "divide by zero", sf_s_div0, sf_f_div0, sf_r_div0, sf_f_div0 },
    };
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
    const int sigs[] = { SIGSEGV, SIGILL, SIGTRAP, SIGFPE };

    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; i++)
        sigaction(sigs[i], &sa, NULL);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&seen, 0, sizeof seen);
        resume_at = cases[i].resume;
        pop_return = cases[i].start == sf_s_xdata || cases[i].start == sf_s_jnull;
        ((void (*)(void))(void *)cases[i].start)();
        printf("%s: %s si_code %d, trapno %lld, err %#llx, si_addr %s, rip %s", cases[i].name,
               sig_name(seen.signo), seen.code, seen.trapno, seen.err,
               seen.addr == cases[i].addr ? "right" : "wrong",
               seen.rip == (greg_t)cases[i].rip ? "right" : "wrong");
        if (seen.trapno == 14)                   // cr2 means something for page faults only
            printf(", cr2 %s", seen.cr2 == (greg_t)cases[i].addr ? "right" : "wrong");
        printf("\n");
    }
}

int main(void)
{
    begin("t_sigfault");
    default_signals();
    in_child("faults", faults);
    return done();
}
