// omp.c: par3omp (static) and par3omp_dyn (dynamic, libgomp.so.1): OpenMP as people use
// it, run with OMP_NUM_THREADS=4 (the third round of parallel programs:
// tests/system/test_parallel3.py). libgomp's threads spin a while, then sleep on futexes;
// the pauses between regions make them sleep. Every line is fixed whatever the timing.
//
// Finding (not in the test): with OMP_PLACES=cores (or threads, sockets) and
// OMP_PROC_BIND=true, libgomp reads /sys/devices/system/cpu/cpuN/topology/*_siblings_list.
// Lantern has no sysfs (mount "sysfs" fails), so libgomp prints "libgomp: Error reading
// core/socket topology" on stderr and places nothing; Linux, with the sysfs this program
// mounts as init, prints nothing. The other lines are the same.
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// reduction: one sum, three schedules, each region after a pause (the team sleeps).
static void reduction(void)
{
    const long n = 300000;
    uint64_t s1 = 0, s2 = 0, s3 = 0;
    double d = 0;
#pragma omp parallel for reduction(+ : s1) schedule(static)
    for (long i = 0; i < n; i++)
        s1 += mix((uint64_t)i) % 1000;
    pause_ms(30);
#pragma omp parallel for reduction(+ : s2) schedule(dynamic, 1000)
    for (long i = 0; i < n; i++)
        s2 += mix((uint64_t)i) % 1000;
    pause_ms(30);
#pragma omp parallel for reduction(+ : s3, d) schedule(guided)
    for (long i = 0; i < n; i++) {
        s3 += mix((uint64_t)i) % 1000;
        d += 1.0 / (double)(i + 1) / (double)(i + 1);
    }
    uint64_t mx = 0;
#pragma omp parallel for reduction(max : mx)
    for (long i = 0; i < n; i++)
        if (mix((uint64_t)i) % 1000003 > mx)
            mx = mix((uint64_t)i) % 1000003;
    printf("reduction: %llu %llu %llu max %llu, pi^2/6 ~ %.6f\n", (unsigned long long)s1,
           (unsigned long long)s2, (unsigned long long)s3, (unsigned long long)mx, d);
}

// team: the team's size and numbering, as the environment asked.
static void team(void)
{
    int size = 0, ids = 0;
#pragma omp parallel
    {
#pragma omp single
        size = omp_get_num_threads();
#pragma omp atomic
        ids += 1 << omp_get_thread_num();
    }
    printf("team: OMP_NUM_THREADS=%s, %d threads, ids mask %#x, max %d, in parallel %d\n",
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "(unset)", size, ids,
           omp_get_max_threads(), omp_in_parallel());
    int sizes[3];
    for (int k = 1; k <= 3; k++) {
#pragma omp parallel num_threads(k + 1)
#pragma omp master
        sizes[k - 1] = omp_get_num_threads();
    }
    printf("team: num_threads 2 3 4 -> %d %d %d\n", sizes[0], sizes[1], sizes[2]);
}

// tasks: a recursive Fibonacci with tasks and taskwait, and a taskgroup of 2000 tasks.
static long fib(int n)
{
    if (n < 2)
        return n;
    if (n < 16)
        return fib(n - 1) + fib(n - 2);
    long a, b;
#pragma omp task shared(a)
    a = fib(n - 1);
#pragma omp task shared(b)
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

static void tasks(void)
{
    long f = 0;
    uint64_t sum = 0;
#pragma omp parallel
#pragma omp single
    {
        f = fib(25);
#pragma omp taskgroup
        for (int i = 0; i < 2000; i++) {
#pragma omp task firstprivate(i)
            {
                uint64_t v = mix((uint64_t)i) % 997;
#pragma omp atomic
                sum += v;
            }
        }
    }
    printf("tasks: fib(25) %ld, 2000 tasks sum %llu\n", f, (unsigned long long)sum);
}

// critical: a histogram under a named critical section, a lock, and ordered output.
static void critical(void)
{
    static int hist[16];
    omp_lock_t lock;
    omp_init_lock(&lock);
    long locked = 0;
    char order[64];
    int pos = 0;
#pragma omp parallel for
    for (int i = 0; i < 40000; i++) {
        int b = (int)(mix((uint64_t)i) % 16);
#pragma omp critical(hist)
        hist[b]++;
        if (i % 7 == 0) {
            omp_set_lock(&lock);
            locked += i % 13;
            omp_unset_lock(&lock);
        }
    }
#pragma omp parallel for ordered schedule(dynamic)
    for (int i = 0; i < 40; i++) {
#pragma omp ordered
        order[pos++] = (char)('a' + i % 26);
    }
    order[pos] = 0;
    omp_destroy_lock(&lock);
    printf("critical: hist");
    for (int b = 0; b < 16; b++)
        printf(" %d", hist[b]);
    printf(", locked %ld, ordered %s\n", locked, order);
}

// barrier: 40 phases; each thread writes its slot, all wait, each reads its
// neighbour's; any thread ahead of a barrier would read an old value.
static void barrier(void)
{
    int slot[64];
    int bad = 0;
    memset(slot, 0, sizeof slot);
#pragma omp parallel reduction(+ : bad)
    {
        int me = omp_get_thread_num(), n = omp_get_num_threads();
        for (int phase = 1; phase <= 40; phase++) {
            slot[me] = phase;
#pragma omp barrier
            if (slot[(me + 1) % n] != phase)
                bad++;
#pragma omp barrier
        }
    }
    printf("barrier: 40 phases, stale reads %d\n", bad);
}

// sections and nested: three sections at once; a nested parallel region two deep.
static void sections(void)
{
    long a = 0, b = 0, c = 0;
#pragma omp parallel sections
    {
#pragma omp section
        for (int i = 0; i < 200000; i++) a += i % 3;
#pragma omp section
        for (int i = 0; i < 200000; i++) b += i % 5;
#pragma omp section
        for (int i = 0; i < 200000; i++) c += i % 7;
    }
    omp_set_max_active_levels(2);
    int inner_total = 0;
#pragma omp parallel num_threads(2) reduction(+ : inner_total)
    {
#pragma omp parallel num_threads(2) reduction(+ : inner_total)
        inner_total += omp_get_level() * 10 + omp_get_num_threads();
    }
    printf("sections: %ld %ld %ld, nested %d\n", a, b, c, inner_total);
}

// idle: 20 short regions with pauses of 0 to 4 ms between them: libgomp's threads wake
// from spinning and from futex sleeps, over and over.
static void idle(void)
{
    long total = 0;
    for (int r = 0; r < 20; r++) {
        long s = 0;
#pragma omp parallel for reduction(+ : s)
        for (int i = 0; i < 1000; i++)
            s += (i * r) % 11;
        total += s;
        if (r % 5)
            pause_ms(r % 5);
    }
    printf("idle: %ld\n", total);
}

int main(void)
{
    if (getpid() == 1) {                  // as init: nobody has mounted them
        mount("proc", "/proc", "proc", 0, NULL);
        mkdir("/sys", 0755);
        mount("sysfs", "/sys", "sysfs", 0, NULL);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    team();
    reduction();
    tasks();
    critical();
    barrier();
    sections();
    idle();
    printf("done\n");
    return 0;
}
