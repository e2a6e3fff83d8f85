// t_futex_pi_exec.c: a PI lock whose owner thread - not its process's leader - runs
// execve passes to its waiter, as at the owner's exit (Linux: exec_mm_release ->
// exit_pi_state_list).
//
// A process's second thread takes a PI lock in shared memory; a waiter in another process
// sleeps in FUTEX_LOCK_PI for it; then the owner thread execs. The exec ends the leader and
// gives the owner the leader's id (de_thread), which the waiter does not know it by: the
// lock must be handed over all the same. Lantern matched waiters by the new id only, and
// the waiter slept until its 2-second timeout (ETIMEDOUT; without one, for ever).
//
// The thread is made with clone and makes only raw system calls.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"
#define FUTEX_LOCK_PI 6
#define CLONE_FLAGS (0x100|0x200|0x400|0x800|0x10000|0x40000)
static long raw(long n, long a, long b, long c, long d)
{
    register long r10 __asm__("r10") = d;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}
struct shared { volatile uint32_t lock; volatile int held, waiting, exec_now, exec_failed; };
static struct shared *sh;
static char stack[16384] __attribute__((aligned(16)));
static char self_path[256];
static void nap_ms(long ms) { struct timespec t = { ms / 1000, (ms % 1000) * 1000000L }; raw(SYS_nanosleep, (long)&t, 0, 0, 0); }
static void thread_fn(void)
{
    sh->lock = (uint32_t)raw(SYS_gettid, 0, 0, 0, 0);    // taken, as user space takes a free PI lock
    sh->held = 1;
    while (!sh->exec_now)
        nap_ms(1);
    static char *argv[] = { self_path, "execd", NULL };
    raw(SYS_execve, (long)self_path, (long)argv, 0, 0);
    sh->exec_failed = 1;
    raw(SYS_exit, 1, 0, 0, 0);
}
static void start_thread(void)
{
    void **sp = (void **)(stack + sizeof stack) - 2;
    sp[0] = (void *)thread_fn;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\ttest %%rax, %%rax\n\tjnz 1f\n\txor %%ebp, %%ebp\n\tpop %%rax\n\t"
                     "and $-16, %%rsp\n\tcall *%%rax\n1:"
                     : "=a"(ret) : "a"(SYS_clone), "D"(CLONE_FLAGS), "S"(sp), "d"(0), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
}
int main(int argc, char **argv_)
{
        if (argc > 1) { nap_ms(3000); return 0; }       // the exec'd program: lives a while
    begin("t_futex_pi_exec");
    strncpy(self_path, argv_[0], sizeof self_path - 1);
    sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t owner = fork();
    if (owner == 0) {
        start_thread();
        for (;;) nap_ms(1000);                       // (killed by the thread's exec)
    }
    while (!sh->held) nap_ms(1);
    pid_t waiter = fork();
    if (waiter == 0) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 2;
        sh->waiting = 1;
        long r = raw(202, (long)&sh->lock, FUTEX_LOCK_PI, 0, (long)&dl);
        printf("waiter's LOCK_PI: %s\n", r == 0 ? "0 (handed the lock)" : err_name((int)-r));
        fflush(stdout);
        _exit(0);
    }
    while (!sh->waiting) nap_ms(1);
    nap_ms(200);                                     // the waiter asleep in the kernel
    sh->exec_now = 1;
    int st;
    waitpid(waiter, &st, 0);
    printf("the owner thread's exec failed: %s\n", sh->exec_failed ? "yes" : "no");
    fflush(stdout);
    if (sh->exec_failed)
        kill(owner, SIGKILL);
    waitpid(owner, &st, 0);
    return done();
}
