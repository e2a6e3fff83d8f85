// parity.c: see parity.h.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

void begin(const char *program)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("%s: start\n", program);
}

int done(void)
{
    printf("done\n");
    return 0;
}

const char *err_name(int e)
{
    static char buf[16];
    const char *name = strerrorname_np(e);

    if (name != NULL)
        return name;
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

void check(const char *what, long ret)
{
    int e = errno;

    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: ok\n", what);
}

void check_val(const char *what, long ret)
{
    int e = errno;

    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: %ld\n", what, ret);
}

void yes(const char *what, int cond)
{
    printf("%s: %s\n", what, cond ? "yes" : "no");
}

void print_escaped(const char *label, const char *s, long n)
{
    printf("%s: \"", label);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            printf("\\n");
        else if (c < ' ' || c >= 0x7f || c == '"' || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    printf("\"\n");
}

static const char *const signal_names[] = {
    [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
    [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
    [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
    [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
    [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
    [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
    [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
    [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

const char *sig_name(int sig)
{
    static char buf[16];

    if (sig > 0 && sig < (int)(sizeof signal_names / sizeof signal_names[0]) &&
        signal_names[sig] != NULL)
        return signal_names[sig];
    snprintf(buf, sizeof buf, "SIG%d", sig);
    return buf;
}

void print_status(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by %s\n", what, sig_name(WTERMSIG(status)));
    else
        printf("%s: status 0x%x\n", what, status);
}

void wait_and_print(const char *what, pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) < 0)
        printf("%s: waitpid error %s\n", what, err_name(errno));
    else
        print_status(what, status);
}

void in_child(const char *what, void (*fn)(void))
{
    int status;
    pid_t pid = fork();

    if (pid < 0) {
        printf("%s: fork error %s\n", what, err_name(errno));
        return;
    }
    if (pid == 0) {
        fn();
        _exit(0);
    }
    if (waitpid(pid, &status, 0) < 0)
        printf("%s: waitpid error %s\n", what, err_name(errno));
    else if (status != 0)
        print_status(what, status);
}

void default_signals(void)
{
    sigset_t none;
    struct sigaction sa;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
            signal(sig, SIG_DFL);
}

void *bad_ptr(unsigned long addr)
{
    return (void *)addr;
}

// ---------------------------------------------------------------- raw threads

long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define CLONE_THREAD_FLAGS 0x00350f00    // VM FS FILES SIGHAND THREAD SYSVSEM PARENT_SETTID
                                         // CHILD_CLEARTID
#define SYS_futex_ 202                   // (not in every C library's <sys/syscall.h>)
#define FUTEX_WAIT_ 0

static void raw_thread_main(struct raw_thread *t)
{
    t->fn(t->arg);
    raw_syscall(SYS_exit, 0, 0, 0, 0);
}

// In assembly from the clone on, so that the child touches nothing of ours - not even
// this function's frame - before raw_thread_main, on its own stack.
void raw_thread_start(struct raw_thread *t, void (*fn)(void *arg), void *arg)
{
    void **sp = (void **)(t->stack + RAW_STACK_SIZE) - 2;
    sp[0] = (void *)raw_thread_main;
    sp[1] = t;
    t->fn = fn;
    t->arg = arg;
    t->tid = 1;
    register long r10 __asm__("r10") = (long)&t->tid;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "pop %%rax\n\t"
                     "pop %%rdi\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%%rax\n\t"
                     "1:"
                     : "=a"(ret)
                     : "a"(SYS_clone), "D"(CLONE_THREAD_FLAGS), "S"(sp), "d"(&t->id), "r"(r10),
                       "r"(r8)
                     : "rcx", "r11", "memory");
    if (ret < 0)
        printf("clone: error %s\n", err_name((int)-ret));
}

void raw_thread_join(struct raw_thread *t)
{
    int v;
    while ((v = t->tid) != 0)
        raw_syscall(SYS_futex_, (long)&t->tid, FUTEX_WAIT_, v, 0);
}
