// t_nice.c: what nice values and real-time policies do to who gets the CPU, on one CPU
// (everything here is pinned to CPU 0): two CPU-bound processes at nice 0 and nice 10 share
// it about 9 : 1 (Linux's weights 1024 and 110), a SCHED_IDLE one gets almost nothing
// beside a normal one, and a SCHED_FIFO one has the CPU to itself while it runs. Shares are
// measured, so the program prints only whether each is well inside Linux's.
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

struct shared {
    volatile int stop;
    volatile int publish;            // spinners keep cpu_ns up to date as they go
    volatile long cpu_ns[2];         // each child's CPU time when told to stop
};

static struct shared *sh;

static long ns_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void pin_to_cpu0(void)
{
    unsigned long m = 1;
    syscall(SYS_sched_setaffinity, 0, sizeof m, &m);
}

// A child that spins until told to stop, then says how much CPU it had.
static pid_t spinner(int slot, int nice_value, int policy)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (nice_value)
            setpriority(PRIO_PROCESS, 0, nice_value);
        if (policy) {
            struct sched_param sp = { 0 };
            sched_setscheduler(0, policy, &sp);
        }
        while (!sh->stop)
            if (sh->publish)
                sh->cpu_ns[slot] = ns_of(CLOCK_PROCESS_CPUTIME_ID);
        sh->cpu_ns[slot] = ns_of(CLOCK_PROCESS_CPUTIME_ID);
        _exit(0);
    }
    return pid;
}

// Two spinners for 1.5 s: the ratio of their CPU times (the first's over the second's).
static double share(int nice0, int policy0, int nice1, int policy1)
{
    sh->stop = 0;
    sh->cpu_ns[0] = sh->cpu_ns[1] = 0;
    pid_t a = spinner(0, nice0, policy0), b = spinner(1, nice1, policy1);
    struct timespec t = { 1, 500000000 };
    nanosleep(&t, NULL);
    sh->stop = 1;
    waitpid(a, NULL, 0);
    waitpid(b, NULL, 0);
    return sh->cpu_ns[1] ? (double)sh->cpu_ns[0] / (double)sh->cpu_ns[1] : 1e9;
}

// A SCHED_FIFO child spins for 0.3 s of wall time beside a normal spinner: its share of
// the CPU time the two had meanwhile. (Not of the wall time: a busy host may stop the
// whole machine for a while, which neither of them sees as its own.)
static double fifo_alone(void)
{
    sh->stop = 0;
    sh->publish = 1;
    sh->cpu_ns[1] = 0;
    pid_t n = spinner(1, 0, 0);
    pid_t f = fork();
    if (f == 0) {
        struct sched_param sp = { 10 };
        if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
            _exit(2);
        long w0 = ns_of(CLOCK_MONOTONIC), c0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), n0 = sh->cpu_ns[1];
        while (ns_of(CLOCK_MONOTONIC) - w0 < 300000000L)
            ;
        long c1 = ns_of(CLOCK_PROCESS_CPUTIME_ID), n1 = sh->cpu_ns[1];
        long both = (c1 - c0) + (n1 - n0);
        sh->cpu_ns[0] = both > 0 ? (c1 - c0) * 1000 / both : 0;     // per mille
        _exit(0);
    }
    int status;
    waitpid(f, &status, 0);
    sh->stop = 1;
    waitpid(n, NULL, 0);
    sh->publish = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return (double)sh->cpu_ns[0] / 1000.0;
}

int main(void)
{
    begin("t_nice");
    pin_to_cpu0();
    sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    double r = share(0, 0, 0, 0);
    yes("nice 0 beside nice 0: within 1 : 2 either way", r > 0.5 && r < 2.0);
    r = share(0, 0, 10, 0);
    yes("nice 0 beside nice 10: more than 4 times the CPU (Linux: about 9)", r > 4.0);
    r = share(0, 0, 0, SCHED_IDLE);
    yes("a normal process beside a SCHED_IDLE one: more than 20 times (Linux: about 340)", r > 20.0);
    double f = fifo_alone();
    yes("a SCHED_FIFO process beside a normal one: 90% of their CPU time or more", f >= 0.9);
    return done();
}
