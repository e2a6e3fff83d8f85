// bench.c: how long a few basic kernel operations take, in CPU cycles.
//
// Booted as init (rdinit=/bin/bench), on Lantern and on Linux in the same QEMU, it prints
// one line per benchmark and powers the machine off; tools/bench.py boots both and puts the
// numbers side by side. Run on the host as an ordinary program, it prints the same lines
// (except the boot time, which only means something for PID 1) and exits. Names on the
// command line run only those rows (`rdinit=/bin/bench -- fault_storm`, to profile one).
//
//     bench: getpid median_cycles=870 runs=10 iters=1000
//     bench: fork unsupported (error ENOSYS)
//     bench: pingpong_xcpu unsupported (needs 2 CPUs)
//     bench: done
//
// Every benchmark runs in batches: a batch repeats the operation `iters` times between two
// reads of the time-stamp counter, and gives one cost per operation. The first batch only
// warms up (caches, TLB, first-touch page faults); the median of the next RUNS is printed.
// The median, not the mean: one timer interrupt or host hiccup in a batch must not move it.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_bkl_stat.h"

#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7    // Linux's number: like CLOCK_MONOTONIC, but counts suspend too
#endif

#define RUNS 10
#define EXIT_ARG "--exit-at-once"   // argv[1] of the copy fork_exec starts

// The path this program was started by (argv[0]), for fork_exec to run it again.
static char *self;

// The rows asked for by name on the command line (`bench fault_storm getpid`), for a
// profile of one row; none named: every row.
static char **only;
static int n_only;

static int wanted(const char *name)
{
    for (int i = 0; i < n_only; i++)
        if (strcmp(only[i], name) == 0)
            return 1;
    return n_only == 0;
}

// The time-stamp counter. rdtsc is not ordered with the instructions around it: the CPU may
// read the counter before earlier work has finished, or start later work first. An lfence
// on each side keeps the measured code between the two reads.
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

// A one-byte read or write must move exactly one byte. 0 means the other end went away,
// which has no errno of its own: call it EPIPE.
static int moved_one(ssize_t r)
{
    return r == 1 ? 0 : r < 0 ? errno : EPIPE;
}

// ---------------------------------------------------------------- the benchmarks
// Each is one batch: do the operation `iters` times, store the cycles that took in *took,
// and return 0 - or the errno of the first call that failed, to report as unsupported.

// The cheapest system call there is: the cost of entering and leaving the kernel.
static int bench_getpid(int iters, uint64_t *took)
{
    // getpid() cannot report an error, so ask once through syscall(), which can.
    if (syscall(SYS_getpid) < 0)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++)
        getpid();
    *took = cycles() - start;
    return 0;
}

// Reading the clock through the vDSO, as our libc's clock_gettime does when the kernel maps
// one (libc/vdso.c): no system call at all, if the vDSO can answer.
static int bench_vdso_clock(int iters, uint64_t *took)
{
    struct timespec t;

    if (!getauxval(AT_SYSINFO_EHDR))
        return ENOSYS;
    if (clock_gettime(CLOCK_MONOTONIC, &t) < 0)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++)
        clock_gettime(CLOCK_MONOTONIC, &t);
    *took = cycles() - start;
    return 0;
}

// The same clock through the system call, for comparison.
static int bench_syscall_clock(int iters, uint64_t *took)
{
    struct timespec t;

    if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t) < 0)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++)
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    *took = cycles() - start;
    return 0;
}

// One byte into a pipe and back out, in one process: two system calls and the pipe's
// buffer, with no process switch.
static int bench_pipe(int iters, uint64_t *took)
{
    int fds[2], err = 0;
    char c = 'x';

    if (pipe(fds) < 0)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters && err == 0; i++) {
        err = moved_one(write(fds[1], &c, 1));
        if (err == 0)
            err = moved_one(read(fds[0], &c, 1));
    }
    *took = cycles() - start;
    close(fds[0]);
    close(fds[1]);
    return err;
}

// stat() of a file: a path copied in from user space, a struct stat (144 bytes) copied out.
static int bench_stat(int iters, uint64_t *took)
{
    struct stat st;
    int err = 0;

    uint64_t start = cycles();
    for (int i = 0; i < iters && err == 0; i++)
        if (stat(self, &st) < 0)
            err = errno;
    *took = cycles() - start;
    return err;
}

// 64 KiB written to a file and read back: sixteen pages copied from user memory and
// sixteen copied to it - what the user-copy routines cost per byte.
#define RW_FILE "/bench-rw.tmp"
#define RW_SIZE (64 * 1024)

static int bench_rw_64k(int iters, uint64_t *took)
{
    static char buf[RW_SIZE];
    int err = 0;
    int fd = open(RW_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);

    if (fd < 0)
        return errno;
    memset(buf, 'r', sizeof buf);
    uint64_t start = cycles();
    for (int i = 0; i < iters && err == 0; i++)
        if (write(fd, buf, RW_SIZE) != RW_SIZE || pread(fd, buf, RW_SIZE, 0) != RW_SIZE ||
            lseek(fd, 0, SEEK_SET) != 0)
            err = errno ? errno : EIO;
    *took = cycles() - start;
    close(fd);
    unlink(RW_FILE);
    return err;
}

// nanosleep for 1 ms: how long until it returns. Linux's hrtimers end it on time; a kernel
// whose sleeps end at a timer tick takes until the next one (10 ms at HZ=100).
static int bench_sleep_1ms(int iters, uint64_t *took)
{
    struct timespec ms = { 0, 1000000 };
    int err = 0;
    uint64_t start = cycles();
    for (int i = 0; i < iters && err == 0; i++)
        if (nanosleep(&ms, NULL) < 0)
            err = errno;
    *took = cycles() - start;
    return err;
}

// The child of pingpong: send back every byte that comes, until the parent hangs up.
static void echo_bytes(int in, int out)
{
    char c;

    while (moved_one(read(in, &c, 1)) == 0 && moved_one(write(out, &c, 1)) == 0)
        ;
    _exit(0);
}

// ---------------------------------------------------------------- CPUs and affinity
// sched_getaffinity/sched_setaffinity through syscall(): our libc has no wrappers. The mask
// is glibc's cpu_set_t size (1024 CPUs), since the host may number its CPUs past 64; a
// kernel copies the bytes it has (Lantern 8, Linux its cpumask_size()) and we zero the rest.
#define MASK_WORDS 16

// The CPUs this process may run on: fills mask, returns how many, or -errno.
static int allowed_cpus(uint64_t mask[MASK_WORDS])
{
    int n = 0;

    memset(mask, 0, MASK_WORDS * sizeof *mask);
    if (syscall(SYS_sched_getaffinity, 0, MASK_WORDS * sizeof *mask, mask) < 0)
        return -errno;
    for (int cpu = 0; cpu < MASK_WORDS * 64; cpu++)
        n += mask[cpu / 64] >> (cpu % 64) & 1;
    return n;
}

// The id of the n-th CPU (from 0) in mask; -1 if it has fewer.
static int nth_cpu(const uint64_t mask[MASK_WORDS], int n)
{
    for (int cpu = 0; cpu < MASK_WORDS * 64; cpu++)
        if ((mask[cpu / 64] >> (cpu % 64) & 1) && n-- == 0)
            return cpu;
    return -1;
}

static int set_affinity(pid_t pid, const uint64_t mask[MASK_WORDS])
{
    return syscall(SYS_sched_setaffinity, pid, MASK_WORDS * sizeof *mask, mask) < 0 ? errno : 0;
}

// Keeps process pid (0: this one) on one CPU. Returns 0 or an errno.
static int pin(pid_t pid, int cpu)
{
    uint64_t mask[MASK_WORDS] = { 0 };

    mask[cpu / 64] = 1ull << (cpu % 64);
    return set_affinity(pid, mask);
}

// One byte from this process to a child over one pipe, and back over another: each round
// trip is two process switches - what a scheduler and blocking reads cost. With here and
// there >= 0, this process is pinned to CPU `here` and the child to CPU `there`, so that
// every byte crosses between CPUs (a wake-up of a process on another CPU); with -1 the
// scheduler puts them where it likes. Our own affinity is given back before we return.
static int pingpong_between(int here, int there, int iters, uint64_t *took)
{
    int down[2], up[2], err = 0, status;
    uint64_t was[MASK_WORDS];
    char c = 'x';

    if (here >= 0) {
        int n = allowed_cpus(was);
        if (n < 0)
            return -n;
        if ((err = pin(0, here)) != 0)
            return err;
    }
    if (pipe(down) < 0) {
        err = errno;
        goto out;
    }
    if (pipe(up) < 0) {
        err = errno;
        close(down[0]);
        close(down[1]);
        goto out;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        echo_bytes(down[0], up[1]);
    }
    if (pid < 0)
        err = errno;
    // The parent moves the child, so that a failure has an errno to report. A kernel may
    // move it only when it next blocks - in the warm-up round trip at the latest.
    if (pid > 0 && there >= 0)
        err = pin(pid, there);
    close(down[0]);     // each end stays open in one process only, so that closing
    close(up[1]);       // ours below is an end of file for the child
    // One round trip before the clock starts: the child's start-up is not what we measure.
    if (err == 0)
        err = moved_one(write(down[1], &c, 1)) ?: moved_one(read(up[0], &c, 1));
    uint64_t start = cycles();
    for (int i = 0; i < iters && err == 0; i++)
        err = moved_one(write(down[1], &c, 1)) ?: moved_one(read(up[0], &c, 1));
    *took = cycles() - start;
    close(down[1]);
    close(up[0]);
    if (pid > 0 && waitpid(pid, &status, 0) < 0 && err == 0)
        err = errno;
out:
    if (here >= 0) {
        int restored = set_affinity(0, was);
        err = err ?: restored;
    }
    return err;
}

static int bench_pingpong(int iters, uint64_t *took)
{
    return pingpong_between(-1, -1, iters, took);
}

// The same between the first two CPUs we may use (CPU 0 and CPU 1 in QEMU). main runs it
// only with two CPUs or more.
static int bench_pingpong_xcpu(int iters, uint64_t *took)
{
    uint64_t mask[MASK_WORDS];
    int n = allowed_cpus(mask);

    if (n < 0)
        return -n;
    return pingpong_between(nth_cpu(mask, 0), nth_cpu(mask, 1), iters, took);
}

// A whole process life, without a program: copy this one, the copy exits, we collect it.
static int bench_fork(int iters, uint64_t *took)
{
    int status;
    uint64_t start = cycles();

    for (int i = 0; i < iters; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return errno;
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, &status, 0) < 0)
            return errno;
    }
    *took = cycles() - start;
    return 0;
}

// fork, then load a program: this one again, which exits at once (see main). If execve
// fails, the child has no other way to tell us why than its exit status, so it exits with
// the errno (all of Linux's fit in the 8 bits). Returns 0 or an errno.
static int fork_exec_once(void)
{
    char *argv[] = { self, EXIT_ARG, NULL };
    int status;

    pid_t pid = fork();
    if (pid < 0)
        return errno;
    if (pid == 0) {
        execve(self, argv, environ);
        _exit(errno);
    }
    if (waitpid(pid, &status, 0) < 0)
        return errno;
    if (status != 0)    // not a clean exit(0): execve failed, or the child crashed
        return WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
    return 0;
}

static int bench_fork_exec(int iters, uint64_t *took)
{
    uint64_t start = cycles();

    for (int i = 0; i < iters; i++) {
        int err = fork_exec_once();
        if (err)
            return err;
    }
    *took = cycles() - start;
    return 0;
}

// ---------------------------------------------------------------- memory

#define MIB (1024 * 1024L)
#define BUSYBOX "/bin/busybox"               // tools/bench.py adds it (Debian's, static)
#define DYNAMIC "/bin/dynamic_glibc"         // and this dynamically linked glibc program

// fork + exit + wait of a process that has touched 64 MiB: with copy-on-write the child
// gets the parent's pages read-only - page tables to copy, not 64 MiB.
static int bench_fork_64m(int iters, uint64_t *took)
{
    char *big = mmap(NULL, 64 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (big == MAP_FAILED)
        return errno;
    memset(big, 1, 64 * MIB);
    int err = bench_fork(iters, took);
    munmap(big, 64 * MIB);
    return err;
}

// fork + execve + wait of another program, its output thrown away. ENOENT when the
// program is not in the initramfs (bench.py puts it there).
static int spawn_wait(char *const argv[])
{
    int status;
    pid_t pid = fork();
    if (pid < 0)
        return errno;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execve(argv[0], argv, environ);
        _exit(errno);
    }
    if (waitpid(pid, &status, 0) < 0)
        return errno;
    return status == 0 ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
}

static int bench_exec_argv(char *const argv[], int iters, uint64_t *took)
{
    if (access(argv[0], X_OK) < 0)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++) {
        int err = spawn_wait(argv);
        if (err)
            return err;
    }
    *took = cycles() - start;
    return 0;
}

static int bench_exec_busybox(int iters, uint64_t *took)
{
    char *argv[] = { BUSYBOX, "true", NULL };
    return bench_exec_argv(argv, iters, took);
}

static int bench_exec_dynamic(int iters, uint64_t *took)
{
    char *argv[] = { DYNAMIC, NULL };
    return bench_exec_argv(argv, iters, took);
}

// A 64 MiB file (in the initramfs's filesystem: memory) mapped and read, a byte from every
// page: the cost of mapping the file's pages, per MiB.
#define MAPPED_FILE "/bench-64m.tmp"

static int make_file(void)
{
    struct stat st;
    if (stat(MAPPED_FILE, &st) == 0 && st.st_size == 64 * MIB)
        return 0;
    int fd = open(MAPPED_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return errno;
    static char chunk[64 * 1024];
    memset(chunk, 'f', sizeof chunk);
    for (long done = 0; done < 64 * MIB; done += (long)sizeof chunk)
        if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
            int err = errno ? errno : ENOSPC;
            close(fd);
            return err;
        }
    close(fd);
    return 0;
}

static int bench_mmap_file(int iters, uint64_t *took)
{
    int err = make_file();
    if (err)
        return err;
    int fd = open(MAPPED_FILE, O_RDONLY);
    if (fd < 0)
        return errno;
    volatile unsigned sum = 0;
    uint64_t start = cycles();
    for (int i = 0; i < iters && !err; i++) {
        char *p = mmap(NULL, 64 * MIB, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            err = errno;
            break;
        }
        for (long off = 0; off < 64 * MIB; off += 4096)
            sum += (unsigned char)p[off];
        munmap(p, 64 * MIB);
    }
    *took = (cycles() - start) / 64;     // run() divides by iters: cycles per MiB
    (void)sum;                           // read only so that the loads happen
    close(fd);
    return err;
}

// The first touch of a fresh anonymous page: the page fault, a zeroed page, the mapping.
static int bench_anon_fault(int iters, uint64_t *took)
{
    char *p = mmap(NULL, (size_t)iters * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return errno;
    uint64_t start = cycles();
    for (int i = 0; i < iters; i++)
        p[(long)i * 4096] = 1;
    *took = cycles() - start;
    munmap(p, (size_t)iters * 4096);
    return 0;
}

// N processes, each doing the same fixed CPU-bound work, started together: the wall time,
// in cycles. With N CPUs it should take as long as one alone (SMP); on one CPU, N times as
// long. The loop's result is the exit status, so the compiler must do the work.
#define SPIN_LOOPS 30000000u

static int spin_work(void)
{
    uint32_t x = 1;
    for (uint32_t i = 0; i < SPIN_LOOPS; i++)
        x = x * 1664525u + 1013904223u;
    return (int)(x & 1);
}

static int bench_parallel(int n, uint64_t *took)
{
    uint64_t start = cycles();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return errno;
        if (pid == 0)
            _exit(spin_work());
    }
    for (int i = 0; i < n; i++)
        if (wait(NULL) < 0)
            return errno;
    *took = cycles() - start;
    return 0;
}

// The speed-up of n processes over one: n * time(1) / time(n), in hundredths.
static void run_parallel(int n)
{
    uint64_t one = 0, many = 0;
    char name[16];

    snprintf(name, sizeof name, "parallel_%d", n);
    if (!wanted(name))
        return;
    int err = bench_parallel(1, &one);
    if (!err)
        err = bench_parallel(n, &many);
    if (err != 0 || !many)
        printf("bench: parallel_%d unsupported (error %s)\n", n, errname(err));
    else
        printf("bench: parallel_%d speedup=%llu.%02llu cycles_1=%llu cycles_%d=%llu\n", n,
               (unsigned long long)(n * one * 100 / many / 100),
               (unsigned long long)(n * one * 100 / many % 100), (unsigned long long)one, n,
               (unsigned long long)many);
}

// ---------------------------------------------------------------- storms: the same work on every CPU
// One worker process per CPU, each doing the same k rounds of a kernel-heavy job at once;
// against one worker alone, the speed-up shows how much of the kernel runs in parallel
// (under one big lock: little). Measured like parallel_N: a wall time each, in cycles,
// from the first fork to the last wait; k makes each a fraction of a second in QEMU.
#define STORM_PAIRS 5       // times one worker, then n, are timed (odd: a true median)

// n workers, each running work(k) and exiting with its result (0 or an errno), started
// together; *took is the wall time. Returns 0 or the first errno a worker reported.
static int run_workers(int n, int (*work)(int), int k, uint64_t *took)
{
    int err = 0, started = 0, status;
    uint64_t start = cycles();

    for (; started < n; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0)
            _exit(work(k));
    }
    for (int i = 0; i < started; i++) {
        if (wait(&status) < 0)
            return errno;
        if (status != 0 && err == 0)
            err = WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
    }
    *took = cycles() - start;
    return err;
}

#define FORKEXEC_K 200      // fork + execs per worker: a few hundred ms, many timer ticks

// A worker of forkexec_storm: k times fork + execve + wait of the program fork_exec runs.
static int fork_exec_k(int k)
{
    for (int i = 0; i < k; i++) {
        int err = fork_exec_once();
        if (err)
            return err;
    }
    return 0;
}

// A worker of fault_storm: k times map 16 MiB of fresh anonymous memory, write one byte of
// each page (4096 first-touch faults: a zeroed page each), unmap it. MADV_NOHUGEPAGE, or a
// Linux with transparent huge pages "always" (Debian's) would fault 2 MiB at a time; a
// kernel without them at all says EINVAL, which is as good.
#define STORM_MAP (16 * MIB)
#define FAULT_K 4           // rounds per worker
#define STORM_PAGES (STORM_MAP / 4096)

static int touch_fresh_k(int k)
{
    for (int i = 0; i < k; i++) {
        char *p = mmap(NULL, STORM_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return errno;
        if (madvise(p, STORM_MAP, MADV_NOHUGEPAGE) < 0 && errno != EINVAL) {
            int err = errno;
            munmap(p, STORM_MAP);
            return err;
        }
        for (long off = 0; off < STORM_MAP; off += 4096)
            p[off] = 1;
        if (munmap(p, STORM_MAP) < 0)
            return errno;
    }
    return 0;
}

static uint64_t median(uint64_t *v, int n);

// Hundredths as "1.23".
static const char *hundredths(char *buf, uint64_t v)
{
    snprintf(buf, 24, "%llu.%02llu", (unsigned long long)(v / 100), (unsigned long long)(v % 100));
    return buf;
}

// Prints name's line: the speed-up of n workers over one, n * time(1) / time(n) as in
// run_parallel, and per_op: the cycles one of a worker's k * ops operations took while all
// n ran (time(n) / (k * ops)). A host busy with other work stretches one wall time or
// another, so the two are measured STORM_PAIRS times, one after the other, and the line
// gives the medians - and the lowest and highest speed-up, to show how much they moved.
static void run_storm(const char *name, int n, int (*work)(int), int k, int ops,
                      const char *per_op)
{
    uint64_t one[STORM_PAIRS], many[STORM_PAIRS], speedup[STORM_PAIRS];
    char a[24], b[24], c[24];
    int err = 0;

    if (!wanted(name))
        return;
    for (int i = 0; i < STORM_PAIRS && err == 0; i++) {
        err = run_workers(1, work, k, &one[i]) ?: run_workers(n, work, k, &many[i]);
        if (err == 0)
            speedup[i] = n * one[i] * 100 / (many[i] ?: 1);
    }
    if (err != 0) {
        printf("bench: %s unsupported (error %s)\n", name, errname(err));
        return;
    }
    median(speedup, STORM_PAIRS);       // sorts: [0] is the lowest, the last the highest
    printf("bench: %s workers=%d speedup=%s speedup_range=%s-%s cycles_1=%llu cycles_%d=%llu "
           "%s=%llu pairs=%d k=%d\n", name, n,
           hundredths(a, median(speedup, STORM_PAIRS)), hundredths(b, speedup[0]),
           hundredths(c, speedup[STORM_PAIRS - 1]), (unsigned long long)median(one, STORM_PAIRS),
           n, (unsigned long long)median(many, STORM_PAIRS), per_op,
           (unsigned long long)(median(many, STORM_PAIRS) / ((uint64_t)k * ops)), STORM_PAIRS, k);
}

// ---------------------------------------------------------------- running them

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_u64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void run(const char *name, int (*batch)(int, uint64_t *), int iters)
{
    uint64_t per_op[RUNS], took = 0;

    if (!wanted(name))
        return;
    int err = batch(iters, &took);      // the warm-up; it also finds out what fails

    for (int i = 0; i < RUNS && err == 0; i++) {
        err = batch(iters, &took);
        per_op[i] = took / (uint64_t)iters;
    }
    if (err != 0)
        printf("bench: %s unsupported (error %s)\n", name, errname(err));
    else
        printf("bench: %s median_cycles=%llu runs=%d iters=%d\n", name,
               (unsigned long long)median(per_op, RUNS), RUNS, iters);
}

// The rows that need several CPUs; on one CPU, pingpong_xcpu says so instead of a number.
static void run_smp(void)
{
    uint64_t mask[MASK_WORDS];
    int n = allowed_cpus(mask);

    if (n < 0) {
        if (wanted("pingpong_xcpu"))
            printf("bench: pingpong_xcpu unsupported (error %s)\n", errname(-n));
        n = 1;      // the storms still run, with one worker
    } else if (n < 2 && wanted("pingpong_xcpu"))
        printf("bench: pingpong_xcpu unsupported (needs 2 CPUs)\n");
    else if (n >= 2)
        run("pingpong_xcpu", bench_pingpong_xcpu, 100);
    run_storm("forkexec_storm", n, fork_exec_k, FORKEXEC_K, 1, "per_exec");
    run_storm("fault_storm", n, touch_fresh_k, FAULT_K, STORM_PAGES, "per_page");
}

static uint64_t ns_between(const struct timespec *a, const struct timespec *b)
{
    return (uint64_t)(b->tv_sec - a->tv_sec) * 1000000000u + (uint64_t)b->tv_nsec -
           (uint64_t)a->tv_nsec;
}

// How fast the TSC counts, in kHz: the cycles across a 50 ms sleep, against the kernel's
// clock. Returns 0 or an errno.
static int measure_tsc_khz(uint64_t *khz)
{
    struct timespec t0, t1, nap = { 0, 50 * 1000 * 1000 };

    if (clock_gettime(CLOCK_MONOTONIC, &t0) < 0)
        return errno;
    uint64_t c0 = cycles();
    if (nanosleep(&nap, NULL) < 0)
        return errno;
    if (clock_gettime(CLOCK_MONOTONIC, &t1) < 0)
        return errno;
    uint64_t c1 = cycles();
    uint64_t ns = ns_between(&t0, &t1);
    if (ns == 0)
        return EINVAL;    // a clock that did not move
    *khz = (c1 - c0) * 1000000 / ns;
    return 0;
}

// The time from kernel start to init's first instruction - as near as main gets to it -
// in milliseconds and, with the TSC rate, in cycles. Only PID 1 was started by the boot.
static void report_boot(const struct timespec *boot, int boot_err, uint64_t khz)
{
    if (getpid() != 1) {
        printf("bench: boot_to_init skipped (not pid 1)\n");
        return;
    }
    if (boot_err != 0) {
        printf("bench: boot_to_init unsupported (error %s)\n", errname(boot_err));
        return;
    }
    uint64_t us = (uint64_t)boot->tv_sec * 1000000 + (uint64_t)boot->tv_nsec / 1000;
    printf("bench: boot_to_init ms=%llu.%03llu cycles=%llu\n", (unsigned long long)(us / 1000),
           (unsigned long long)(us % 1000), (unsigned long long)(us * khz / 1000));
}

// Init must never end: on Lantern and on Linux that panics the kernel. Turn the machine
// off instead, which also ends QEMU.
static void power_off(void)
{
    fflush(stdout);
    reboot(RB_POWER_OFF);
    printf("bench: power off failed (error %s)\n", errname(errno));
    fflush(stdout);
    for (;;) {
        struct timespec hour = { 3600, 0 };
        nanosleep(&hour, NULL);
    }
}

int main(int argc, char **argv)
{
    // The copy that fork_exec starts: gone before its first system call.
    if (argc > 1 && strcmp(argv[1], EXIT_ARG) == 0)
        return 0;
    // The first system call, so as close to init's first instruction as C allows.
    struct timespec boot;
    int boot_err = clock_gettime(CLOCK_BOOTTIME, &boot) < 0 ? errno : 0;

    self = argv[0];
    only = argv + 1;
    n_only = argc - 1;
    // One write per line: the lines come out as they are made (stdout may be a pipe), and
    // a fork never finds half a line in the buffer to print twice.
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench: start pid=%d\n", getpid());

    uint64_t khz = 0;
    int err = measure_tsc_khz(&khz);
    if (err != 0)
        printf("bench: tsc unsupported (error %s)\n", errname(err));
    else
        printf("bench: tsc khz=%llu\n", (unsigned long long)khz);

    report_boot(&boot, boot_err, khz);
    run("getpid", bench_getpid, 1000);
    run("clock_vdso", bench_vdso_clock, 1000);
    run("clock_syscall", bench_syscall_clock, 1000);
    run("pipe", bench_pipe, 1000);
    run("pingpong", bench_pingpong, 200);
    run("stat", bench_stat, 1000);
    run("rw_64k", bench_rw_64k, 100);
    run("sleep_1ms", bench_sleep_1ms, 5);
    run("fork", bench_fork, 20);
    run("fork_exec", bench_fork_exec, 10);
    run("fork_64m", bench_fork_64m, 5);
    run("exec_busybox", bench_exec_busybox, 5);
    run("exec_dynamic", bench_exec_dynamic, 5);
    run("mmap_file_64m", bench_mmap_file, 1);
    unlink(MAPPED_FILE);
    run("anon_fault", bench_anon_fault, 256);
    run_parallel(2);
    run_parallel(4);
    run_smp();
    show_bkl_stat();
    printf("bench: done\n");

    if (getpid() == 1)
        power_off();
    return 0;
}
