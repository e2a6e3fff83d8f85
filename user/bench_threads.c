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
//   signal_spinner  one round trip of a signal (tgkill, SIGUSR1) to a thread that spins in
//                   user mode, until its handler has run (at 1 CPU: a sched_yield away)
//   go_first_line   fork, exec /bin/goinit with GOMAXPROCS=4, until its first line
//                   arrives on a pipe (then it is told to exit, and reaped)
//
// As in bench.c: a warm-up batch, then the median of RUNS batches. Then the parallel rows,
// timed like bench.c's storms: N threads of this one process (N: the CPUs it may use) each
// doing the same job at once, against one thread alone - the speed-up, N * t(1) / t(N):
//
//   threads_cpu         a CPU-bound loop (bench.c's spin_work)
//   threads_fault_storm first touches of a fresh 16 MiB anonymous map per thread, a few times
//   threads_malloc      malloc + free of mixed sizes (glibc's arenas, brk and mmap)
//   mutex_storm         lock, increment one shared counter, unlock (one pthread_mutex)
//   threads_read        read(2) of one 2 MiB RAM file, 64 KiB at a time, each thread with a
//                       descriptor of its own
//   threads_write       write(2) of a new 2 MiB RAM file of each thread's own (O_TRUNC),
//                       64 KiB at a time
//   threads_syscall     getppid(2), a system call Lantern runs under its big kernel lock
//   threads_dgram       sendto + recvfrom of a 64-byte message, a datagram socket pair each
//   go_cpu              /bin/goinit with GOMAXPROCS=N running N CPU-bound goroutines,
//                       against GOMAXPROCS=1 and one goroutine
//
// Names on the command line run only those rows (`rdinit=/bin/bench_threads -- threads_cpu`).
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_bkl_stat.h"

#define RUNS 10
#define GOINIT "/bin/goinit"

// The rows asked for by name on the command line; none named: every row (as in bench.c).
static char **only;
static int n_only;

static int wanted(const char *name)
{
    for (int i = 0; i < n_only; i++)
        if (strcmp(only[i], name) == 0)
            return 1;
    return n_only == 0;
}

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

static volatile int sig_got, spinner_stop;
static volatile pid_t spinner_tid;

static void on_usr1(int sig)
{
    (void)sig;
    sig_got++;
}

// Never enters the kernel of its own accord: only an interrupt brings it to its signals.
static void *spinner(void *arg)
{
    (void)arg;
    spinner_tid = (pid_t)syscall(SYS_gettid);
    while (!spinner_stop)
        __asm__ volatile("pause");
    return NULL;
}

static int bench_signal_spinner(int iters, uint64_t *took)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) < 0)
        return errno;
    pthread_t t;
    spinner_stop = 0;
    spinner_tid = 0;
    int err = pthread_create(&t, NULL, spinner, NULL);
    if (err)
        return err;
    while (!spinner_tid)
        sched_yield();
    uint64_t start = cycles();
    for (int i = 0; i < iters && !err; i++) {
        int want = sig_got + 1;
        if (syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1) < 0)
            err = errno;
        while (!err && sig_got < want)
            sched_yield();
    }
    *took = cycles() - start;
    spinner_stop = 1;
    pthread_join(t, NULL);
    return err;
}

// Starts goinit (user/go/goinit) with argv and envp, its standard output on a pipe whose
// read end goes to *out. Returns its pid, or -errno.
static pid_t start_goinit(char *argv[], char *envp[], int *out)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execve(GOINIT, argv, envp);
        _exit(errno);
    }
    close(fds[1]);
    *out = fds[0];
    return pid;
}

// goinit with the word "bench" prints its hello line and exits.
static int bench_go_first_line(int iters, uint64_t *took)
{
    char *argv[] = { GOINIT, "bench", NULL };
    char *envp[] = { "GOMAXPROCS=4", NULL };
    uint64_t total = 0;
    for (int i = 0; i < iters; i++) {
        int fd;
        uint64_t start = cycles();
        pid_t pid = start_goinit(argv, envp, &fd);
        if (pid < 0)
            return -pid;
        char c = 0;
        ssize_t r;
        while ((r = read(fd, &c, 1)) == 1 && c != '\n')
            ;
        total += cycles() - start;
        close(fd);
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

    if (!wanted(name))
        return;
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

// ---------------------------------------------------------------- parallel threads
// The rows below time n workers doing the same job at once against one alone, as bench.c's
// storms do with processes - but here the workers are threads of one process, the shape of
// most parallel programs: they share one mm (on Lantern its mm lock, on Linux mmap_lock and
// the page-table locks), one heap, one file table.
#define STORM_PAIRS 5       // times one worker, then n, are timed (odd: a true median)
#define WRONG (-1)          // a job's result that is not an errno: it computed a wrong answer
#define MIB (1024 * 1024L)
#define MAX_WORKERS 64      // more CPUs than this: this many threads

struct worker {
    pthread_t thread;
    int (*job)(void);       // returns 0, an errno, or WRONG
    int err;                // what job returned
};

static void *run_job(void *arg)
{
    struct worker *w = arg;
    w->err = w->job();
    return NULL;
}

// n threads each running job, started together; *took is the wall time from the first
// pthread_create to the last join. Returns 0, or the first error a thread (or
// pthread_create) gave.
static int run_threads(int n, int (*job)(void), uint64_t *took)
{
    struct worker w[MAX_WORKERS];
    int err = 0, started = 0;
    uint64_t start = cycles();

    for (; started < n; started++) {
        w[started].job = job;
        if ((err = pthread_create(&w[started].thread, NULL, run_job, &w[started])) != 0)
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (err == 0)
            err = w[i].err;
    }
    *took = cycles() - start;
    return err;
}

// The same CPU-bound loop as bench.c's spin_work. spin_answer is its result, found once
// before the timing starts (the warm-up); a thread that gets another is WRONG.
#define SPIN_LOOPS 30000000u

static uint32_t spin_answer;

static uint32_t spin_loop(uint32_t loops)
{
    uint32_t x = 1;
    for (uint32_t i = 0; i < loops; i++)
        x = x * 1664525u + 1013904223u;
    return x;
}

static int spin_job(void)
{
    return spin_loop(SPIN_LOOPS) == spin_answer ? 0 : WRONG;
}

static int threads_cpu(int n, uint64_t *took)
{
    return run_threads(n, spin_job, took);
}

// FAULT_ROUNDS times: map 16 MiB of fresh anonymous memory, write one byte of each page
// (4096 first-touch faults, a zeroed page each), unmap it - bench.c's touch_fresh_k.
// MADV_NOHUGEPAGE, or Debian's Linux (transparent huge pages "always") would fault 2 MiB
// at a time; a kernel without them at all says EINVAL, which is as good.
#define STORM_MAP (16 * MIB)
#define STORM_PAGES (STORM_MAP / 4096)
#define FAULT_ROUNDS 4

static int fault_job(void)
{
    for (int i = 0; i < FAULT_ROUNDS; i++) {
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

static int threads_fault_storm(int n, uint64_t *took)
{
    return run_threads(n, fault_job, took);
}

// MALLOC_OPS times: free a random one of MALLOC_SLOTS live blocks and malloc another of a
// random size - mostly small, sometimes pages, now and then past glibc's first mmap
// threshold (128 KiB). Each block carries its slot number in its first and last byte,
// checked before it is freed: a block that another thread's malloc also handed out, or
// that lost its page, is WRONG. Each thread draws the same sequence.
#define MALLOC_OPS 40000
#define MALLOC_SLOTS 64

static const size_t malloc_sizes[16] = {
    16, 16, 24, 32, 48, 64, 96, 128, 200, 256, 512, 1024, 4096, 16384, 65536, 262144,
};

static int check_block(const unsigned char *p, size_t size, int slot)
{
    return p[0] == slot && p[size - 1] == slot ? 0 : WRONG;
}

static int malloc_job(void)
{
    unsigned char *block[MALLOC_SLOTS] = { NULL };
    size_t size[MALLOC_SLOTS];
    uint32_t x = 1;
    int err = 0;

    for (int i = 0; i < MALLOC_OPS && err == 0; i++) {
        x = x * 1664525u + 1013904223u;
        int s = (int)(x >> 24) % MALLOC_SLOTS;
        if (block[s]) {
            err = check_block(block[s], size[s], s);
            free(block[s]);
        }
        size[s] = malloc_sizes[(x >> 12) & 15];
        if ((block[s] = malloc(size[s])) == NULL)
            return ENOMEM;
        block[s][0] = block[s][size[s] - 1] = (unsigned char)s;
    }
    for (int s = 0; s < MALLOC_SLOTS; s++)
        if (block[s]) {
            err = err ?: check_block(block[s], size[s], s);
            free(block[s]);
        }
    return err;
}

static int threads_malloc(int n, uint64_t *took)
{
    return run_threads(n, malloc_job, took);
}

// MUTEX_OPS times: lock, add one to the shared counter, unlock. With n threads the lock is
// contended: glibc's mutex then sleeps in FUTEX_WAIT and unlock wakes a waiter. The
// counter must end at n * MUTEX_OPS.
#define MUTEX_OPS 50000

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;        // under counter_lock

static int mutex_job(void)
{
    for (int i = 0; i < MUTEX_OPS; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return 0;
}

static int mutex_storm(int n, uint64_t *took)
{
    counter = 0;
    int err = run_threads(n, mutex_job, took);
    return err ?: counter == (long)n * MUTEX_OPS ? 0 : WRONG;
}

// READ_ROUNDS times: read the whole of READ_FILE (2 MiB, made before the timing: each
// 8-byte word is its index) through a descriptor of its own, 64 KiB per read(2). The first
// and last word of every page read are checked (one out of place is WRONG): checking every
// word would time the checking more than the reading.
#define READ_FILE "/tmp/bench_threads.read"
#define READ_WORDS (256 * 1024)
#define READ_CHUNK 65536
#define READ_ROUNDS 8

static int make_read_file(void)
{
    mkdir("/tmp", 01777);                // (as init)
    int fd = open(READ_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static uint64_t block[READ_CHUNK / 8];
    for (uint64_t w = 0; fd >= 0 && w < READ_WORDS; w += READ_CHUNK / 8) {
        for (uint64_t i = 0; i < READ_CHUNK / 8; i++)
            block[i] = w + i;
        if (write(fd, block, READ_CHUNK) != READ_CHUNK)
            return errno ?: EIO;
    }
    return fd < 0 ? errno : close(fd);
}

static int read_job(void)
{
    uint64_t buf[READ_CHUNK / 8];        // (on the stack: a __thread one would be in every
                                         // thread of every program of this binary)
    int fd = open(READ_FILE, O_RDONLY);
    if (fd < 0)
        return errno;
    int err = 0;
    for (int round = 0; round < READ_ROUNDS && !err; round++) {
        uint64_t next = 0;
        ssize_t n;
        lseek(fd, 0, SEEK_SET);
        while (!err && (n = read(fd, buf, READ_CHUNK)) > 0) {
            for (ssize_t i = 0; i < n / 8; i += 512)
                err = err ?: buf[i] == next + i && buf[i + 511] == next + i + 511 ? 0 : WRONG;
            next += (uint64_t)n / 8;
        }
        err = err ?: next == READ_WORDS ? 0 : WRONG;
    }
    close(fd);
    return err;
}

static int threads_read(int n, uint64_t *took)
{
    return run_threads(n, read_job, took);
}

// WRITE_ROUNDS times: make a file of the thread's own anew (O_TRUNC: its pages go, and
// come back with the writes) and write it whole, 64 KiB per write(2), each 8-byte word its
// index and the round; then read it back once and check two words a page, as read_job.
#define WRITE_ROUNDS 8
static int writers;                      // numbers the files of one batch's threads

static int write_job(void)
{
    uint64_t buf[READ_CHUNK / 8];
    char name[64];
    snprintf(name, sizeof name, "%s.%d", READ_FILE, __atomic_fetch_add(&writers, 1,
                                                                        __ATOMIC_RELAXED));
    int err = 0, fd = -1;
    for (int round = 0; round < WRITE_ROUNDS && !err; round++) {
        fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return errno;
        for (uint64_t w = 0; !err && w < READ_WORDS; w += READ_CHUNK / 8) {
            for (uint64_t i = 0; i < READ_CHUNK / 8; i++)
                buf[i] = (w + i) << 8 | (uint64_t)round;
            err = write(fd, buf, READ_CHUNK) == READ_CHUNK ? 0 : errno ?: WRONG;
        }
        if (round + 1 < WRITE_ROUNDS)
            close(fd);
    }
    for (uint64_t w = 0; !err && w < READ_WORDS; w += READ_CHUNK / 8) {
        uint64_t last = WRITE_ROUNDS - 1;
        err = pread(fd, buf, READ_CHUNK, (off_t)w * 8) == READ_CHUNK ? 0 : WRONG;
        for (uint64_t i = 0; !err && i < READ_CHUNK / 8; i += 512)
            err = buf[i] == ((w + i) << 8 | last) &&
                  buf[i + 511] == ((w + i + 511) << 8 | last) ? 0 : WRONG;
    }
    close(fd);
    unlink(name);
    return err;
}

static int threads_write(int n, uint64_t *took)
{
    writers = 0;
    return run_threads(n, write_job, took);
}

// SYSCALL_OPS getppid(2)s, the raw system call: one that Lantern runs under the big
// kernel lock, which is all it takes - what the row measures is the lock's cost when every
// CPU wants it, against Linux, which takes none. Each answer must be the parent's pid.
#define SYSCALL_OPS 20000
static pid_t parent_pid;

static int syscall_job(void)
{
    for (int i = 0; i < SYSCALL_OPS; i++)
        if (syscall(SYS_getppid) != parent_pid)
            return WRONG;
    return 0;
}

static int threads_syscall(int n, uint64_t *took)
{
    parent_pid = getppid();
    return run_threads(n, syscall_job, took);
}

// DGRAM_OPS times, on a datagram socket pair of the thread's own: send a 64-byte message
// on one end and receive it on the other (sendto and recvfrom), which must bring back the
// same bytes.
#define DGRAM_OPS 5000

static int dgram_job(void)
{
    int sv[2], err = 0;
    uint64_t out[8], in[8];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
        return errno;
    for (int i = 0; i < DGRAM_OPS && !err; i++) {
        for (int k = 0; k < 8; k++)
            out[k] = (uint64_t)i << 8 | (uint64_t)k;
        ssize_t sent = sendto(sv[0], out, sizeof out, 0, NULL, 0);
        ssize_t got = sent == sizeof out ? recvfrom(sv[1], in, sizeof in, 0, NULL, NULL) : 0;
        if (sent < 0 || got < 0)
            err = errno;
        else if (sent != sizeof out || got != sizeof in || memcmp(in, out, sizeof in) != 0)
            err = WRONG;
    }
    close(sv[0]);
    close(sv[1]);
    return err;
}

static int threads_dgram(int n, uint64_t *took)
{
    return run_threads(n, dgram_job, took);
}

// /bin/goinit spin LOOPS prints its first line, then runs GOMAXPROCS goroutines that each
// do spin_loop(LOOPS), and prints "goinit: spun N goroutines: x=X" (user/go/goinit). The
// time is from the first line to the second: the Go runtime's start is not in it. With n,
// GOMAXPROCS=n; X must be spin_answer.
static int go_cpu(int n, uint64_t *took)
{
    char loops[16], gomaxprocs[32], want[64], got[64];
    snprintf(loops, sizeof loops, "%u", SPIN_LOOPS);
    snprintf(gomaxprocs, sizeof gomaxprocs, "GOMAXPROCS=%d", n);
    snprintf(want, sizeof want, "goinit: spun %d goroutines: x=%u\n", n, spin_answer);
    char *argv[] = { GOINIT, "spin", loops, NULL };
    char *envp[] = { gomaxprocs, NULL };
    int fd, status;
    pid_t pid = start_goinit(argv, envp, &fd);
    if (pid < 0)
        return -pid;
    FILE *in = fdopen(fd, "r");
    int ok = in && fgets(got, sizeof got, in) != NULL;      // the first line: started
    uint64_t start = cycles();
    ok = ok && fgets(got, sizeof got, in) != NULL;          // the second: done
    *took = cycles() - start;
    if (in)
        fclose(in);
    else
        close(fd);
    if (waitpid(pid, &status, 0) < 0)
        return errno;
    if (status != 0)
        return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : ECHILD;
    return ok && strcmp(got, want) == 0 ? 0 : WRONG;
}

static uint64_t median(uint64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_u64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Hundredths as "1.23".
static const char *hundredths(char *buf, uint64_t v)
{
    snprintf(buf, 24, "%llu.%02llu", (unsigned long long)(v / 100), (unsigned long long)(v % 100));
    return buf;
}

// Prints name's line, as bench.c's run_storm: timed(1) then timed(n), STORM_PAIRS times;
// the median speed-up n * t(1) / t(n) and the lowest and highest, the median wall times,
// and - if per_op is not NULL - the cycles one of a worker's ops operations took, alone
// (per_op_1) and while all n ran (per_op): t / ops.
static void run_storm(const char *name, int n, int (*timed)(int, uint64_t *), long ops,
                      const char *per_op)
{
    uint64_t one[STORM_PAIRS], many[STORM_PAIRS], speedup[STORM_PAIRS];
    char a[24], b[24], c[24], per[96] = "";
    int err = 0;

    if (!wanted(name))
        return;
    for (int i = 0; i < STORM_PAIRS && err == 0; i++) {
        err = timed(1, &one[i]) ?: timed(n, &many[i]);
        if (err == 0)
            speedup[i] = n * one[i] * 100 / (many[i] ?: 1);
    }
    if (err == WRONG) {
        printf("bench: %s unsupported (wrong result)\n", name);
        return;
    }
    if (err != 0) {
        printf("bench: %s unsupported (error %s)\n", name, errname(err));
        return;
    }
    uint64_t t1 = median(one, STORM_PAIRS), tn = median(many, STORM_PAIRS);
    if (per_op)
        snprintf(per, sizeof per, " %s_1=%llu %s=%llu", per_op, (unsigned long long)(t1 / ops),
                 per_op, (unsigned long long)(tn / ops));
    median(speedup, STORM_PAIRS);       // sorts: [0] is the lowest, the last the highest
    printf("bench: %s workers=%d speedup=%s speedup_range=%s-%s cycles_1=%llu cycles_%d=%llu%s "
           "pairs=%d\n", name, n, hundredths(a, median(speedup, STORM_PAIRS)),
           hundredths(b, speedup[0]), hundredths(c, speedup[STORM_PAIRS - 1]),
           (unsigned long long)t1, n, (unsigned long long)tn, per, STORM_PAIRS);
}

// The CPUs this process may use (sched_getaffinity): the workers of the parallel rows.
// If the kernel cannot say, one.
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) < 0) {
        printf("bench: sched_getaffinity failed (error %s): one worker\n", errname(errno));
        return 1;
    }
    int n = CPU_COUNT(&set);
    return n < MAX_WORKERS ? n : MAX_WORKERS;
}

static void run_parallel(void)
{
    int n = usable_cpus();

    if (wanted("threads_cpu") || wanted("go_cpu"))
        spin_answer = spin_loop(SPIN_LOOPS);
    run_storm("threads_cpu", n, threads_cpu, 1, NULL);
    run_storm("threads_fault_storm", n, threads_fault_storm, FAULT_ROUNDS * STORM_PAGES,
              "per_page");
    run_storm("threads_malloc", n, threads_malloc, MALLOC_OPS, "per_malloc");
    run_storm("mutex_storm", n, mutex_storm, MUTEX_OPS, "per_lock");
    if (wanted("threads_read") && make_read_file() == 0)
        run_storm("threads_read", n, threads_read,
                  READ_ROUNDS * (READ_WORDS * 8 / READ_CHUNK), "per_read");
    unlink(READ_FILE);
    run_storm("threads_write", n, threads_write,
              WRITE_ROUNDS * (READ_WORDS * 8 / READ_CHUNK), "per_write");
    run_storm("threads_syscall", n, threads_syscall, SYSCALL_OPS, "per_call");
    run_storm("threads_dgram", n, threads_dgram, DGRAM_OPS, "per_message");
    if (!wanted("go_cpu"))
        return;
    if (access(GOINIT, X_OK) == 0)
        run_storm("go_cpu", n, go_cpu, 1, NULL);
    else
        printf("bench: go_cpu skipped (no %s)\n", GOINIT);
}

int main(int argc, char **argv)
{
    only = argv + 1;
    n_only = argc - 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench: threads start\n");
    run("thread_create", bench_thread_create, 100);
    run("futex_pingpong", bench_futex_pingpong, 200);
    run("signal_spinner", bench_signal_spinner, 50);
    if (access(GOINIT, X_OK) == 0)
        run("go_first_line", bench_go_first_line, 1);
    else if (wanted("go_first_line"))
        printf("bench: go_first_line skipped (no %s)\n", GOINIT);
    run_parallel();
    show_bkl_stat();
    printf("bench: done\n");
    if (getpid() != 1)
        return 0;
    fflush(stdout);
    reboot(RB_POWER_OFF);
    printf("bench: power off failed (error %s)\n", errname(errno));
    for (;;)
        pause();
}
