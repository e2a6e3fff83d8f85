// t_pdeath_exit.c: a child's PR_SET_PDEATHSIG comes once for its maker thread's end,
// even when another thread of the maker's process is on its way out at that moment.
//
// A child's "parent death" is its maker thread's (Linux's forget_original_parent): when
// that thread ends, the child gets its pdeath signal and another thread of the process
// becomes its maker - one that is not exiting itself (find_alive_thread skips PF_EXITING),
// or the signal would come again at once, when that one's exit ends too.
//
// Each round runs in a process of its own, R. R's main thread makes a quitter thread Q,
// a maker thread T and a keeper thread K (in that order: Lantern looks for the new maker
// in the order of its process table), and exits. T forks the child C, which asks for
// SIGUSR1 at its maker's end and counts what it gets, in shared memory. Then Q exits, and
// T, which waits for Q's CLONE_CHILD_CLEARTID word - cleared once Q has begun to exit -
// exits at once: while Q closes the thousand descriptors it has for itself. C must get its
// signal once, and K become its maker: K's own end comes only once the count is read.
//
// The race is narrow on Lantern: T must reach its exit's end while Q has let the BKL go
// around its CR3 load and not yet taken it back. With T taking Q for its heir, the child
// got the signal twice in 4 of 1200 rounds (3 of 12 boots, -smp 2 to 4); since, in none of
// 1000. On Linux, whose clearing of Q's word comes after PF_EXITING is set, always once.
//
// Threads are made with clone and make only raw system calls; the main process prints.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define SYS_futex_ 202
#define FUTEX_WAIT 0
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
#define STACK_SIZE 16384

static long raw(long n, long a, long b, long c, long d)
{
    register long r10 __asm__("r10") = d;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

// ---- threads: clone onto a stack of their own; tid is cleared and woken at the end.
struct thread {
    volatile int tid;                // nonzero until the kernel clears it at the thread's end
    int id;                          // the thread's id (CLONE_PARENT_SETTID)
    void (*fn)(void);
    char stack[STACK_SIZE] __attribute__((aligned(16)));
};

static void thread_main(struct thread *t)
{
    t->fn();
    raw(SYS_exit, 0, 0, 0, 0);
}

static void start(struct thread *t, void (*fn)(void))
{
    void **sp = (void **)(t->stack + STACK_SIZE) - 2;
    sp[0] = (void *)thread_main;
    sp[1] = t;
    t->fn = fn;
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
                     : "a"(SYS_clone), "D"(THREAD_FLAGS), "S"(sp), "d"(&t->id), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    if (ret < 0)
        printf("clone: error %s\n", err_name((int)-ret));
}

#define ROUNDS 100
#define SYS_unshare_ 272
#define CLONE_FILES_ 0x400
#define FDS 1000

struct shared {
    volatile int sigs, c_ready, t_ready, q_ready, go, k_quit, c_quit;
};
static struct shared *sh;

static void on_usr1(int sig)
{
    (void)sig;
    __atomic_fetch_add(&sh->sigs, 1, __ATOMIC_SEQ_CST);
}

static void nap_ms(long ms)              // (raw: no errno in threads)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    raw(SYS_nanosleep, (long)&t, 0, 0, 0);
}

static struct thread quit_thread, make, keep;

static void quitter(void)
{
    raw(SYS_unshare_, CLONE_FILES_, 0, 0, 0);
    for (int i = 0; i < FDS; i++)
        raw(SYS_dup, 1, 0, 0, 0);
    sh->q_ready = 1;
    while (!sh->go)
        nap_ms(1);
}

static void maker(void)
{
    long pid = raw(SYS_fork, 0, 0, 0, 0);
    if (pid == 0) {                      // C
        raw(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0);
        sh->c_ready = 1;
        while (!sh->c_quit)
            nap_ms(1);
        raw(SYS_exit_group, 0, 0, 0, 0);
    }
    while (!sh->c_ready)
        nap_ms(1);
    sh->t_ready = 1;
    int v;
    while ((v = quit_thread.tid) != 0)   // Q has begun to exit once it is 0
        raw(SYS_futex_, (long)&quit_thread.tid, FUTEX_WAIT, v, 0);
}

static void keeper(void)
{
    while (!sh->q_ready || !sh->t_ready)
        nap_ms(1);
    nap_ms(20);                          // (R's main thread long gone)
    sh->go = 1;
    while (!sh->k_quit)
        nap_ms(1);
    raw(SYS_exit_group, 0, 0, 0, 0);
}

static void round_process(void)          // R
{
    start(&quit_thread, quitter);
    start(&make, maker);
    start(&keep, keeper);
    raw(SYS_exit, 0, 0, 0, 0);
}

int main(void)
{
    begin("t_pdeath_exit");
    sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1);    // orphans come here, on Linux as on Lantern
    int counts[4] = { 0 };
    for (int r = 0; r < ROUNDS; r++) {
        memset((void *)sh, 0, sizeof *sh);
        pid_t pid = fork();
        if (pid == 0)
            round_process();
        while (!sh->go)
            nap_ms(1);
        nap_ms(100);                     // Q and T gone, and their signals sent
        int n = sh->sigs;
        counts[n < 3 ? n : 3]++;
        sh->c_quit = 1;
        sh->k_quit = 1;
        while (wait(NULL) > 0)
            ;
    }
    printf("rounds where the child got its pdeath signal once: %d of %d\n", counts[1], ROUNDS);
    if (counts[0] || counts[2] || counts[3])
        printf("  never: %d, twice: %d, more: %d\n", counts[0], counts[2], counts[3]);
    return done();
}
