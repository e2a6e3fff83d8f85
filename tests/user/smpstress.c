// smpstress: what only goes wrong with several CPUs - run as init on Lantern at -smp 4 by
// tests/system/test_smp.py, and on the host, where it must pass too. Static glibc (threads).
// Every "smpstress: " line is deterministic and compared with the host's; "info: " lines
// are about this machine (CPUs seen, free memory) and are checked by the test itself.
//   forkexec  4 processes fork+exec+wait /bin/true at once
//   pipes     4 pairs of processes ping-pong through pipes (on different CPUs)
//   futex     4 threads on one mutex and a condition variable
//   firsttouch  4 threads touch the same fresh pages at once, some reading first (the zero
//             page, then a copy on write), round after round: a fault on a page another
//             CPU has just mapped must be retried, never a SIGSEGV, and no write may be lost
//   munmap    threads read a page while another thread unmaps it: once munmap has
//             returned, no thread may read the page any more (a stale TLB entry would)
//   scribble  a thread writes a page as fast as it can while another unmaps it and then
//             fills fresh memory (likely the very page, freed): once munmap has returned,
//             no write may land, in the old page or in the fresh memory
//   affinity  two threads pinned to two CPUs ping-pong through pipes: each wakeup must
//             wake the CPU the thread is pinned to (info: the round trip's time)
//   groupkill a process whose 4 threads spin on other CPUs is killed by a signal
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- CPUs seen

static atomic_uint cpu_seen_mask;

static void *spin_and_look(void *arg) {
    (void)arg;
    double end = now() + 0.5;
    while (now() < end) {
        int cpu = sched_getcpu();
        if (cpu >= 0 && cpu < 32)
            atomic_fetch_or(&cpu_seen_mask, 1u << cpu);
    }
    return NULL;
}

static void cpus_seen(void) {
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, spin_and_look, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("info: cpus seen %d\n", __builtin_popcount(atomic_load(&cpu_seen_mask)));
}

// ---------------------------------------------------------------- fork + exec + wait

static void forkexec(void) {
    enum { EACH = 40 };
    pid_t w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        if ((w[i] = fork()) == 0) {
            int ok = 0;
            for (int j = 0; j < EACH; j++) {
                pid_t c = fork();
                if (c == 0) {
                    execl("/bin/true", "true", (char *)NULL);
                    _exit(127);
                }
                int st;
                if (c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0)
                    ok++;
            }
            _exit(ok == EACH ? 0 : 1);
        }
    }
    int good = 0;
    for (int i = 0; i < WORKERS; i++) {
        int st;
        if (waitpid(w[i], &st, 0) == w[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    printf("smpstress: forkexec: %d of %d workers ran %d programs each\n", good, WORKERS, EACH);
}

// ---------------------------------------------------------------- pipes

static int pingpong(int rd, int wr, int first, int rounds) {
    unsigned char b = 0;
    for (int i = 0; i < rounds; i++) {
        if (first) {
            b = (unsigned char)i;
            if (write(wr, &b, 1) != 1 || read(rd, &b, 1) != 1 || b != (unsigned char)(i + 1))
                return 1;
        } else {
            if (read(rd, &b, 1) != 1 || b != (unsigned char)i)
                return 1;
            b++;
            if (write(wr, &b, 1) != 1)
                return 1;
        }
    }
    return 0;
}

static void pipes(void) {
    enum { ROUNDS = 2000 };
    pid_t kids[2 * WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        int ab[2], ba[2];
        pipe(ab);
        pipe(ba);
        if ((kids[2 * i] = fork()) == 0)
            _exit(pingpong(ba[0], ab[1], 1, ROUNDS));
        if ((kids[2 * i + 1] = fork()) == 0)
            _exit(pingpong(ab[0], ba[1], 0, ROUNDS));
        close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
    }
    int good = 0;
    for (int i = 0; i < 2 * WORKERS; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    printf("smpstress: pipes: %d of %d processes made %d round trips intact\n", good,
           2 * WORKERS, ROUNDS);
}

// ---------------------------------------------------------------- mutex and condvar

enum { INCREMENTS = 20000 };
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter, turn;

static void *add_many(void *arg) {
    long me = (long)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    // Then take turns, in order, 200 times each: a condition-variable relay.
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&mu);
        while (turn % WORKERS != me)
            pthread_cond_wait(&cv, &mu);
        turn++;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void futex(void) {
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, add_many, (void *)i);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("smpstress: futex: counter %ld of %d, relay %ld of %d turns\n", counter,
           WORKERS * INCREMENTS, turn, WORKERS * 200);
}

// ---------------------------------------------------------------- first touch, all at once

enum { FT_ROUNDS = 150, FT_PAGES = 8 };
static unsigned char *volatile ft_mem;
static pthread_barrier_t ft_start, ft_done;
static atomic_int ft_nonzero_reads;

// Thread `me` writes byte me of every page, in the same order as the others so that they
// collide; odd threads first read a byte nobody writes (the zero page, mapped read-only,
// which the writes then replace by a page of its own: copy-on-write racing first touch).
static void *toucher(void *arg) {
    long me = (long)arg;
    for (int r = 0; r < FT_ROUNDS; r++) {
        pthread_barrier_wait(&ft_start);
        unsigned char *m = ft_mem;
        for (int p = 0; p < FT_PAGES; p++) {
            if ((me & 1) && ((volatile unsigned char *)m)[p * 4096 + 2048] != 0)
                atomic_fetch_add(&ft_nonzero_reads, 1);
            ((volatile unsigned char *)m)[p * 4096 + me] = (unsigned char)(r + me + 1);
        }
        pthread_barrier_wait(&ft_done);
    }
    return NULL;
}

static void firsttouch(void) {
    pthread_t t[WORKERS];
    pthread_barrier_init(&ft_start, NULL, WORKERS + 1);
    pthread_barrier_init(&ft_done, NULL, WORKERS + 1);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, toucher, (void *)i);
    int lost = 0;
    for (int r = 0; r < FT_ROUNDS; r++) {
        unsigned char *m = mmap(NULL, FT_PAGES * 4096, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ft_mem = m;
        pthread_barrier_wait(&ft_start);
        pthread_barrier_wait(&ft_done);
        for (int p = 0; p < FT_PAGES; p++)
            for (int i = 0; i < WORKERS; i++)
                if (m[p * 4096 + i] != (unsigned char)(r + i + 1))
                    lost++;
        munmap(m, FT_PAGES * 4096);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("smpstress: firsttouch: %d rounds of %d threads on %d fresh pages, %d writes lost, "
           "%d reads not zero\n", FT_ROUNDS, WORKERS, FT_PAGES, lost, atomic_load(&ft_nonzero_reads));
}

// ---------------------------------------------------------------- munmap racing reads

static volatile unsigned char *page;
// gen is odd while the page is unmapped (from munmap's return until the next mmap starts).
static atomic_int gen, stop_readers, stale_reads;
static __thread sigjmp_buf fault_jmp;
static __thread volatile int in_read;

static void on_segv(int sig) {
    (void)sig;
    if (in_read)
        siglongjmp(fault_jmp, 1);
    _exit(99);
}

static void *reader(void *arg) {
    (void)arg;
    while (!atomic_load(&stop_readers)) {
        int before = atomic_load(&gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {     // no mask saved: no syscall per read
            in_read = 1;
            unsigned char v = page[0];
            in_read = 0;
            (void)v;
            // Unmapped all along, from before the read until after it: it had to fault.
            if ((before & 1) && atomic_load(&gen) == before)
                atomic_fetch_add(&stale_reads, 1);
        } else {
            in_read = 0;
        }
    }
    return NULL;
}

static void munmap_race(void) {
    enum { ROUNDS = 100 };
    struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    // One fixed address, mapped and unmapped again and again while the readers read it.
    // Three pages reserved: the raced page, a gap, and a page the next round's memory goes
    // to (at a fixed address: mmap(NULL) might hand back the raced page's own address).
    unsigned char *addr = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *other_at = addr + 2 * 4096;
    munmap(addr + 4096, 4096);
    page = addr;
    pthread_t t[WORKERS - 1];
    for (int i = 0; i < WORKERS - 1; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    int rounds = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r > 0)
            atomic_fetch_add(&gen, 1);       // even: mapped again from here on
        if (mmap(addr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) != addr)
            break;
        addr[0] = 1;
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        munmap(addr, 4096);
        atomic_fetch_add(&gen, 1);           // odd: unmapped
        // The freed page goes to someone else: a stale entry would now read their data.
        unsigned char *other = mmap(other_at, 4096, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        other[0] = 2;
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        rounds++;
    }
    atomic_store(&stop_readers, 1);
    for (int i = 0; i < WORKERS - 1; i++)
        pthread_join(t[i], NULL);
    munmap(addr, 3 * 4096);
    printf("smpstress: munmap: %d rounds, %d reads after munmap returned\n", rounds,
           atomic_load(&stale_reads));
}

// ---------------------------------------------------------------- munmap racing writes

// The same generation protocol as the readers': gen is odd from munmap's return until the
// next mmap starts. A write that did not fault while gen stayed odd went through a stale
// TLB entry into a freed page.
static volatile unsigned char *wpage;
static atomic_int stop_writers, stale_writes;
static atomic_long writes_done;

static void *writer(void *arg) {
    (void)arg;
    volatile unsigned off = 0;         // volatile: it lives across siglongjmp
    while (!atomic_load(&stop_writers)) {
        int before = atomic_load(&gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {
            in_read = 1;                        // (the SIGSEGV handler's flag: "expected")
            for (int i = 0; i < 64; i++, off = (off + 64) % 4096)
                wpage[off] = 0x5a;
            in_read = 0;
            atomic_fetch_add(&writes_done, 1);
            if ((before & 1) && atomic_load(&gen) == before)
                atomic_fetch_add(&stale_writes, 1);
        } else {
            in_read = 0;
        }
    }
    return NULL;
}

static void scribble(void) {
    enum { ROUNDS = 100, FRESH = 16 };
    unsigned char *addr = mmap(NULL, (2 + FRESH) * 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *fresh_at = addr + 2 * 4096;
    munmap(addr + 4096, (1 + FRESH) * 4096);
    wpage = addr;
    atomic_store(&gen, 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    int rounds = 0, scribbled = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r > 0)
            atomic_fetch_add(&gen, 1);          // even: mapped again from here on
        if (mmap(addr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) != addr)
            break;
        long w = atomic_load(&writes_done);      // let the writer get going on it
        for (int spin = 0; spin < 1000000 && atomic_load(&writes_done) < w + 3; spin++)
            ;
        munmap(addr, 4096);
        atomic_fetch_add(&gen, 1);              // odd: unmapped
        // Fresh memory, likely the page just freed: it must read as zeros, and keep what we
        // put in it while the writer goes on (faulting, now).
        unsigned char *fresh = mmap(fresh_at, FRESH * 4096, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        int bad = 0;
        for (int i = 0; i < FRESH * 4096; i += 64)
            bad += fresh[i] != 0;
        memset(fresh, 0x11, FRESH * 4096);
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        for (int i = 0; i < FRESH * 4096; i += 64)
            bad += fresh[i] != 0x11;
        munmap(fresh, FRESH * 4096);
        scribbled += bad != 0;
        rounds++;
    }
    atomic_store(&stop_writers, 1);
    pthread_join(t, NULL);
    munmap(addr, 4096);
    printf("smpstress: scribble: %d rounds, %d writes after munmap returned, fresh memory "
           "scribbled in %d rounds\n", rounds, atomic_load(&stale_writes), scribbled);
}

// ---------------------------------------------------------------- affinity and wakeups

enum { PINGS = 300 };
static int ping_cpu[2], off_cpu;

struct pinned { int cpu, rd, wr, first; };

static void *pinned_pingpong(void *arg) {
    struct pinned *p = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(p->cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return (void *)1;
    unsigned char b = 0;
    for (int i = 0; i < PINGS; i++) {
        if (p->first && write(p->wr, &b, 1) != 1)
            return (void *)1;
        if (read(p->rd, &b, 1) != 1)
            return (void *)1;
        if (sched_getcpu() != p->cpu)
            __atomic_fetch_add(&off_cpu, 1, __ATOMIC_RELAXED);
        if (!p->first && write(p->wr, &b, 1) != 1)
            return (void *)1;
    }
    return NULL;
}

// The two highest CPUs this process may use: CPUs 3 and 2 at -smp 4 (CPU 0 takes the
// interrupts), whatever the host has.
static int pick_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    int n = 0;
    for (int c = CPU_SETSIZE - 1; c >= 0 && n < 2; c--)
        if (CPU_ISSET(c, &set))
            ping_cpu[n++] = c;
    return n == 2 ? 0 : -1;
}

static void affinity(void) {
    if (pick_cpus() != 0) {
        printf("smpstress: affinity: fewer than 2 CPUs\n");
        return;
    }
    int ab[2], ba[2];
    pipe(ab);
    pipe(ba);
    struct pinned a = { ping_cpu[0], ba[0], ab[1], 1 }, b = { ping_cpu[1], ab[0], ba[1], 0 };
    pthread_t ta, tb;
    void *ra, *rb;
    double t0 = now();
    pthread_create(&ta, NULL, pinned_pingpong, &a);
    pthread_create(&tb, NULL, pinned_pingpong, &b);
    pthread_join(ta, &ra);
    pthread_join(tb, &rb);
    double us = (now() - t0) * 1e6 / PINGS;
    close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
    printf("smpstress: affinity: 2 threads pinned to 2 CPUs, %d round trips %s, %d wakeups "
           "off their CPU\n", PINGS, ra || rb ? "failed" : "made", off_cpu);
    printf("info: affinity round trip %.0f us\n", us);
}

// ---------------------------------------------------------------- a signal to a busy group

static void *spin_forever(void *arg) {
    (void)arg;
    for (;;)
        ;
    return NULL;
}

static void groupkill(void) {
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0) {
        pthread_t t;
        for (int i = 0; i < WORKERS; i++)
            pthread_create(&t, NULL, spin_forever, NULL);
        write(ready[1], "r", 1);
        spin_forever(NULL);
    }
    char b;
    read(ready[0], &b, 1);
    usleep(100000);
    kill(c, SIGTERM);
    int st = 0;
    waitpid(c, &st, 0);
    printf("smpstress: groupkill: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sysinfo si;
    sysinfo(&si);
    unsigned long free_before = si.freeram;
    cpus_seen();
    forkexec();
    pipes();
    futex();
    firsttouch();
    munmap_race();
    scribble();
    affinity();
    groupkill();
    sysinfo(&si);
    printf("info: free pages before %lu after %lu\n", free_before * si.mem_unit / 4096,
           si.freeram * si.mem_unit / 4096);
    printf("done\n");
    return 0;
}
