// t_retarget.c: a process-wide signal sent to a thread that then cannot take it - it exits,
// or a handler's mask blocks it - must still reach a thread that can.
//
// The kernel picks one thread to wake for a signal sent to the process (kill): one that
// does not block it. If that thread then goes where it never looks at the signal - into
// its exit, or into a handler whose sa_mask blocks it - a thread asleep in pause() that
// could take it sleeps on. Linux's exit_signals (an exiting thread is passed over:
// PF_EXITING) and set_current_blocked (every change of the mask) pass such signals on to
// another thread (retarget_shared_pending).
//
// 1. Exit. main blocks SIGUSR1; a taker thread waits for it in pause(); and each round a
//    quitter thread, which does not block it, spins until main says go and then calls exit
//    at once, while main sends SIGUSR1 to the process. Whichever thread takes it, the
//    handler must run within 2 seconds. The quitters are made where the kernel looks
//    first: Lantern looks at threads in the order of its process table, and four threads
//    that are gone before the taker is made leave slots below it for the quitters to reuse.
// 2. A handler's mask. A spinner thread takes SIGUSR1 and SIGUSR2, the taker only SIGUSR2;
//    main sends SIGUSR1, then SIGUSR2, to the process. SIGUSR1 can only go to the spinner,
//    and its handler (sa_mask: SIGUSR2) waits up to 2 seconds for SIGUSR2's to have run -
//    in the taker, if SIGUSR2 was meant for the spinner: the spinner's handler blocks it.
//
// Threads are parity.c's raw ones (clone, raw system calls: this C library's errno and
// stdio are not for threads); the main thread prints.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define ROUNDS 300

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static void unblock_usr1(void)
{
    uint64_t set = 1ull << (SIGUSR1 - 1);
    raw_syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8);
}

// ---- the threads
static volatile int handled, go, ready, quit, early_quit;

static void on_usr1(int sig)
{
    (void)sig;
    __atomic_fetch_add(&handled, 1, __ATOMIC_SEQ_CST);
}

static void gone_at_once(void *arg) { (void)arg; }

static void early_waiter(void *arg)
{
    (void)arg;
    unblock_usr1();
    while (!early_quit)
        raw_syscall(SYS_pause, 0, 0, 0, 0);
}

static void taker(void *arg)
{
    (void)arg;
    unblock_usr1();
    while (!quit)
        raw_syscall(SYS_pause, 0, 0, 0, 0);
}

static void quitter(void *arg)
{
    (void)arg;
    unblock_usr1();
    ready = 1;
    for (int n = 1; !go; n++)            // spin: the send comes right after go (but let
        if (n % 1024 == 0)               // main run, on one CPU)
            raw_syscall(SYS_sched_yield, 0, 0, 0, 0);
}

static struct raw_thread early[4], take, quit_thread;

// ---- 1. exit
static void exit_section(void)
{
    for (int i = 0; i < 4; i++)
        raw_thread_start(&early[i], early_waiter, NULL);  // (alive until the taker is made)
    pause_ms(20);
    raw_thread_start(&take, taker, NULL);
    early_quit = 1;
    for (int i = 0; i < 4; i++) {
        raw_syscall(SYS_tgkill, getpid(), early[i].id, SIGUSR1, 0);   // out of pause()
        raw_thread_join(&early[i]);
    }
    pause_ms(20);
    int lost = 0, rounds = 0, before = handled;
    for (; rounds < ROUNDS && !lost; rounds++) {
        go = ready = 0;
        raw_thread_start(&quit_thread, quitter, NULL);
        while (!ready)
            raw_syscall(SYS_sched_yield, 0, 0, 0, 0);
        before = handled;
        go = 1;
        kill(getpid(), SIGUSR1);
        long long until = now_ms() + 2000;
        while (handled == before && now_ms() < until)
            raw_syscall(SYS_sched_yield, 0, 0, 0, 0);   // (not a sleep: 1 ms is a 10 ms tick at -smp 1)
        lost += handled == before;
        raw_thread_join(&quit_thread);
    }
    printf("process-wide signals sent as the thread they could go to exits: %d\n", rounds);
    printf("every one was handled within 2 s: %s\n", lost ? "no" : "yes");
    quit = 1;
    raw_syscall(SYS_tgkill, getpid(), take.id, SIGUSR1, 0);
    raw_thread_join(&take);
}

// ---- 2. a handler's mask
#define MASK_ROUNDS 100
static volatile int usr2_seen, usr1_result, spin_quit;
static struct raw_thread spinner_thread, taker2;

static void on_usr2(int sig)
{
    (void)sig;
    usr2_seen = 1;
}

// SIGUSR1's handler, with SIGUSR2 blocked: did SIGUSR2's run elsewhere meanwhile?
static void on_usr1_wait(int sig)
{
    (void)sig;
    long long until = now_ms() + 2000;
    while (!usr2_seen && now_ms() < until)
        raw_syscall(SYS_sched_yield, 0, 0, 0, 0);
    usr1_result = usr2_seen;
}

static void unblock_both(void)
{
    uint64_t set = (1ull << (SIGUSR1 - 1)) | (1ull << (SIGUSR2 - 1));
    raw_syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8);
}

static void spinner(void *arg)
{
    (void)arg;
    unblock_both();
    for (int n = 1; !spin_quit; n++)
        if (n % 1024 == 0)
            raw_syscall(SYS_sched_yield, 0, 0, 0, 0);
}

static void taker_of_usr2(void *arg)
{
    (void)arg;
    uint64_t set = 1ull << (SIGUSR2 - 1);
    raw_syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8);
    while (!spin_quit)
        raw_syscall(SYS_pause, 0, 0, 0, 0);
}

static void handler_mask_section(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1_wait;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    raw_thread_start(&spinner_thread, spinner, NULL);     // (first: where Lantern looks first)
    raw_thread_start(&taker2, taker_of_usr2, NULL);
    pause_ms(20);
    int late = 0, rounds = 0;
    for (; rounds < MASK_ROUNDS && !late; rounds++) {
        usr2_seen = 0;
        usr1_result = -1;
        kill(getpid(), SIGUSR1);
        kill(getpid(), SIGUSR2);
        long long until = now_ms() + 5000;
        while ((usr1_result < 0 || !usr2_seen) && now_ms() < until)
            raw_syscall(SYS_sched_yield, 0, 0, 0, 0);
        late += usr1_result != 1;
    }
    printf("SIGUSR1 then SIGUSR2 sent to the process, SIGUSR1's handler blocking SIGUSR2: %d\n",
           rounds);
    printf("SIGUSR2's handler ran in the other thread meanwhile every time: %s\n",
           late ? "no" : "yes");
    spin_quit = 1;
    raw_syscall(SYS_tgkill, getpid(), taker2.id, SIGUSR2, 0);
    raw_thread_join(&spinner_thread);
    raw_thread_join(&taker2);
}

int main(void)
{
    begin("t_retarget");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigprocmask(SIG_BLOCK, &both, NULL);
    exit_section();
    handler_mask_section();
    sigprocmask(SIG_UNBLOCK, &both, NULL);    // (a lost one is taken here, at the latest)
    raw_thread_start(&quit_thread, gone_at_once, NULL);
    raw_thread_join(&quit_thread);
    return done();
}
