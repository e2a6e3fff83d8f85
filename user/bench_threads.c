// bench_threads.c: what threads cost, in CPU cycles - the companion of bench.c, built with
// the host's static glibc (bench.c uses our libc, which has no threads).
//
// Booted as init (rdinit=/bin/bench_threads), on Lantern and on Linux in the same QEMU,
// it prints `bench: NAME median_cycles=N ...` lines, `bench: done`, and powers the machine
// off; tools/bench.py shows them beside bench.c's. On the host it prints and exits.
//
//   thread_create   pthread_create + pthread_join of a thread that returns at once
//   futex_pingpong  one round trip between two threads, each waking the other through a
//                   futex word (FUTEX_WAKE, then FUTEX_WAIT until the other answers)
//   go_first_line   fork, exec /bin/goinit with GOMAXPROCS=4, until its first line
//                   arrives on a pipe (then it is told to exit, and reaped)
//
// As in bench.c: a warm-up batch, then the median of RUNS batches.
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 10
#define GOINIT "/bin/goinit"

static inline uint64_t cycles(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static const char *errname(int err)
{
    const char *name = strerrorname_np(err);
    return name ? name : "unknown";
}

static void *nothing(void *arg)
{
    return arg;
}

static int bench_thread_create(int iters, uint64_t *took)
{
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++) {
        pthread_t t;
        int err = pthread_create(&t, NULL, nothing, NULL);
        if (err)
            return err;
        if ((err = pthread_join(t, NULL)))
            return err;
    }
    *took = cycles() - start;
    return 0;
}

// The ball: odd while the partner has it, even while main has it. Each side waits in
// FUTEX_WAIT while the ball is not theirs, and wakes the other after passing it.
static int ball;
static int rounds_left;

static long futex(int *uaddr, int op, int val)
{
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void wait_for(int want_odd)
{
    for (;;) {
        int v = __atomic_load_n(&ball, __ATOMIC_ACQUIRE);
        if ((v & 1) == want_odd)
            return;
        futex(&ball, 128 /* FUTEX_WAIT_PRIVATE */, v);
    }
}

static void pass(void)
{
    __atomic_add_fetch(&ball, 1, __ATOMIC_RELEASE);
    futex(&ball, 129 /* FUTEX_WAKE_PRIVATE */, 1);
}

static void *partner(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds_left; i++) {
        wait_for(1);
        pass();
    }
    return NULL;
}

static int bench_futex_pingpong(int iters, uint64_t *took)
{
    pthread_t t;
    ball = 0;
    rounds_left = iters;
    int err = pthread_create(&t, NULL, partner, NULL);
    if (err)
        return err;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++) {
        pass();
        wait_for(0);
    }
    *took = cycles() - start;
    pthread_join(t, NULL);
    return 0;
}

// goinit with the word "bench" prints its hello line and exits (user/go/goinit).
static int bench_go_first_line(int iters, uint64_t *took)
{
    char *argv[] = { GOINIT, "bench", NULL };
    char *envp[] = { "GOMAXPROCS=4", NULL };
    uint64_t total = 0;
    for (int i = 0; i < iters; i++) {
        int fds[2];
        if (pipe(fds) < 0)
            return errno;
        uint64_t start = cycles();
        pid_t pid = fork();
        if (pid < 0)
            return errno;
        if (pid == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            execve(GOINIT, argv, envp);
            _exit(errno);
        }
        close(fds[1]);
        char c = 0;
        ssize_t r;
        while ((r = read(fds[0], &c, 1)) == 1 && c != '\n')
            ;
        total += cycles() - start;
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        if (c != '\n' || status != 0)
            return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : ECHILD;
    }
    *took = total;
    return 0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void run(const char *name, int (*batch)(int, uint64_t *), int iters)
{
    uint64_t per_op[RUNS], took = 0;
    int err = batch(iters, &took);

    for (int i = 0; i < RUNS && err == 0; i++) {
        err = batch(iters, &took);
        per_op[i] = took / (uint64_t)iters;
    }
    if (err != 0) {
        printf("bench: %s unsupported (error %s)\n", name, errname(err));
        return;
    }
    qsort(per_op, RUNS, sizeof *per_op, compare_u64);
    printf("bench: %s median_cycles=%llu runs=%d iters=%d\n", name,
           (unsigned long long)(per_op[RUNS / 2 - 1] + per_op[RUNS / 2]) / 2, RUNS, iters);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench: threads start\n");
    run("thread_create", bench_thread_create, 100);
    run("futex_pingpong", bench_futex_pingpong, 200);
    if (access(GOINIT, X_OK) == 0)
        run("go_first_line", bench_go_first_line, 1);
    else
        printf("bench: go_first_line skipped (no %s)\n", GOINIT);
    printf("bench: done\n");
    if (getpid() != 1)
        return 0;
    fflush(stdout);
    reboot(RB_POWER_OFF);
    printf("bench: power off failed (error %s)\n", errname(errno));
    for (;;)
        pause();
}
