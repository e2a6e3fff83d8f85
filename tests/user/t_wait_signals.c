// t_wait_signals.c: how children die, as their parent's waitpid sees it: by the CPU
// exceptions of bad instructions and bad memory accesses, by abort(), by signals from
// kill() with their default actions (end the process, or be ignored), and by faults that a
// handler cannot catch: SIGSEGV ignored, blocked, or raised again inside its own handler.
//
// Each bad thing happens in a child, so the test itself goes on (and, as PID 1 on Lantern,
// survives). Core dumps are turned off first (PR_SET_DUMPABLE, inherited by the children),
// so the host writes no core files into the current directory; the status printed leaves
// the core bit out anyway.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static void null_write(void)     { *(volatile int *)0 = 1; }
static void null_read(void)      { (void)*(volatile int *)0; }
static void direct_map(void)     { (void)*(volatile int *)0xffff888000000000ul; }
static void kernel_text(void)    { (void)*(volatile int *)0xffffffff80000000ul; }
static void noncanonical(void)   { (void)*(volatile int *)0x0000800000000000ul; }
static void write_text(void)     { *(volatile unsigned char *)(void *)null_write = 0xc3; }
static void jump_null(void)      { ((void (*)(void))0)(); }
static void jump_kernel(void)    { ((void (*)(void))0xffffffff80000000ul)(); }
static void exec_data(void)
{
    static unsigned char ret[1] = { 0xc3 };      // "ret", in a data page
    ((void (*)(void))(void *)ret)();
}
static void exec_stack(void)
{
    volatile unsigned char ret[16] = { 0xc3 };   // the stack is not executable
    ((void (*)(void))(void *)ret)();
}
static void ud2(void)            { __asm__ volatile("ud2"); }
static void int3(void)           { __asm__ volatile("int3"); }
static void hlt(void)            { __asm__ volatile("hlt"); }   // privileged: #GP
static void cli(void)            { __asm__ volatile("cli"); }   // IOPL is 0: #GP
static void port_io(void)        { __asm__ volatile("outb %%al, $0x80" : : "a"(0)); }
static void divide_by_zero(void)
{
    unsigned long a = 1, zero = 0;
    __asm__ volatile("xor %%edx, %%edx; divq %1" : "+a"(a) : "r"(zero) : "rdx");
}
static void divide_overflow(void)    // INT64_MIN / -1 does not fit: #DE as well
{
    long a = (long)(1ul << 63), minus1 = -1;
    __asm__ volatile("cqo; idivq %1" : "+a"(a) : "r"(minus1) : "rdx");
}
static int depth;
static void stack_overflow(void)
{
    volatile char big[65536];
    big[0] = 1;
    if (++depth > 0)                             // always, but the compiler cannot tell
        stack_overflow();
    big[1] = big[0];
}
static void call_abort(void)     { abort(); }

static const struct {
    const char *name;
    void (*fn)(void);
} faults[] = {
    { "NULL write", null_write }, { "NULL read", null_read },
    { "read the kernel's direct map", direct_map }, { "read the kernel's text", kernel_text },
    { "non-canonical address", noncanonical }, { "write to text", write_text },
    { "jump to NULL", jump_null }, { "jump to a kernel address", jump_kernel },
    { "jump into data", exec_data }, { "jump into the stack", exec_stack },
    { "ud2", ud2 }, { "int3", int3 }, { "hlt", hlt }, { "cli", cli }, { "outb", port_io },
    { "divide by zero", divide_by_zero }, { "divide overflow", divide_overflow },
    { "stack overflow", stack_overflow }, { "abort()", call_abort },
};

static void faulting_children(void)
{
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            faults[i].fn();
            _exit(99);                           // it did not fault
        }
        wait_and_print(faults[i].name, pid);
    }
}

// A child blocked in read(), sent sig by kill. If the signal does not end it, closing the
// pipe does (exit 0). Ignored signals are thrown away when they are sent, so by the time
// kill returns the outcome is settled.
static void killed_child(int sig)
{
    int gate[2];
    char c, what[32];

    pipe(gate);
    pid_t pid = fork();
    if (pid == 0) {
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(0);
    }
    close(gate[0]);
    snprintf(what, sizeof what, "kill %s", sig_name(sig));
    if (kill(pid, sig) < 0)
        printf("%s: error %s\n", what, err_name(errno));
    close(gate[1]);
    wait_and_print(what, pid);
}

static void default_actions(void)
{
    static const int sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                SIGALRM, SIGPIPE, SIGSEGV, SIGSYS, SIGCHLD, SIGURG,
                                SIGWINCH, SIGCONT };

    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        killed_child(sigs[i]);
}

// A fault the process cannot handle is fatal all the same: Linux unblocks the signal and
// restores the default action, then delivers it.
static void fault_ignored(void)
{
    signal(SIGSEGV, SIG_IGN);
    null_write();
}

static void fault_blocked(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    null_write();
}

static void fault_again(int sig)
{
    (void)sig;
    null_write();      // SIGSEGV is blocked while its handler runs
}

static void fault_in_handler(void)
{
    signal(SIGSEGV, fault_again);
    null_write();
}

static void uncatchable(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        { "NULL write, SIGSEGV ignored", fault_ignored },
        { "NULL write, SIGSEGV blocked", fault_blocked },
        { "NULL write in the SIGSEGV handler", fault_in_handler },
    };

    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            cases[i].fn();
            _exit(99);
        }
        wait_and_print(cases[i].name, pid);
    }
}

int main(void)
{
    begin("t_wait_signals");
    default_signals();
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);     // whether it works does not matter on Lantern
    faulting_children();
    default_actions();
    uncatchable();
    return done();
}
