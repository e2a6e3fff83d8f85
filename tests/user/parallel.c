// parallel.c: parallel programs of the kinds people run, for SMP parity with Linux.
//
// Built with the host's static glibc (parallel_glibc) and with musl (parallel_musl); run on
// the host Linux for the expected output, then booted as init on Lantern at several CPU
// counts (tests/system/test_parallel.py): the lines must be the same. Every case prints
// only what does not depend on timing or on which CPU ran what: totals, checksums, counts,
// "ok" for invariants that held. Threads never print; the main thread prints after joins.
//
//   parallel [CASE...]      no CASE: all of them, in order
//
// Each case runs in a child process (a crash or a hang in one is reported as its own line
// and the others still run); "CASE: exit 0" follows each; "done" ends the run.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *self_path;   // argv[0], to exec ourselves again

// One write per line: lines of different processes never mix, and nothing sits in a
// stdio buffer when we fork.
static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    if (write(1, buf, n) != n)
        _exit(99);
}

static void must(int ok, const char *what)
{
    if (!ok) {
        say("FAIL: %s (errno %d)", what, errno);
        _exit(98);
    }
}

static void must_rc(int rc, const char *what)
{
    if (rc != 0) {
        say("FAIL: %s: %s", what, strerror(rc));
        _exit(98);
    }
}

static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    must_rc(pthread_create(&t, NULL, fn, arg), "pthread_create");
    return t;
}

static void *join(pthread_t t)
{
    void *ret;
    must_rc(pthread_join(t, &ret), "pthread_join");
    return ret;
}

static pid_t tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t mix(uint64_t x)   // a cheap, fixed hash (splitmix64's finaliser)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

#define NT 4   // worker threads in most cases: one per CPU at -smp 4

// ---------------------------------------------------------------- sum: split, join, add
#define SUM_N (1 << 20)
static uint64_t *sum_data;
#define MAT 72
static double mat_a[MAT][MAT], mat_b[MAT][MAT], mat_c[MAT][MAT];

static void *sum_part(void *arg)
{
    long t = (long)arg;
    uint64_t s = 0;
    for (long i = t * (SUM_N / NT); i < (t + 1) * (SUM_N / NT); i++)
        s += sum_data[i];
    uint64_t *out = malloc(sizeof *out);
    *out = s;
    return out;
}

static void *mat_rows(void *arg)
{
    long t = (long)arg;
    for (int i = t; i < MAT; i += NT)
        for (int j = 0; j < MAT; j++) {
            double s = 0;
            for (int k = 0; k < MAT; k++)
                s += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = s;
        }
    return NULL;
}

static void case_sum(void)
{
    sum_data = malloc(SUM_N * sizeof *sum_data);
    must(sum_data != NULL, "malloc");
    uint64_t serial = 0;
    for (long i = 0; i < SUM_N; i++)
        serial += sum_data[i] = mix(i) >> 20;
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        t[i] = spawn(sum_part, (void *)i);
    uint64_t total = 0;
    for (int i = 0; i < NT; i++) {
        uint64_t *p = join(t[i]);
        total += *p;
        free(p);
    }
    say("sum: total %llu, same as serial: %s", (unsigned long long)total, total == serial ? "yes" : "no");

    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            mat_a[i][j] = (double)((i * 7 + j * 3) % 11) - 5;
            mat_b[i][j] = (double)((i * 5 + j * 13) % 17) - 8;
        }
    for (long i = 0; i < NT; i++)
        t[i] = spawn(mat_rows, (void *)i);
    for (int i = 0; i < NT; i++)
        join(t[i]);
    long long trace = 0, check = 0;
    for (int i = 0; i < MAT; i++) {
        trace += (long long)mat_c[i][i];
        for (int j = 0; j < MAT; j++)
            check = check * 31 + (long long)mat_c[i][j];
    }
    say("sum: matrix %dx%d trace %lld checksum %lld", MAT, MAT, trace, check);
}

// ---------------------------------------------------------------- condvar: bounded queue
#define Q_CAP 8
#define PRODUCERS 3
#define CONSUMERS 3
#define ITEMS 3000
static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    long buf[Q_CAP];
    int head, count;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0 };

static void q_put(long v)
{
    pthread_mutex_lock(&q.lock);
    while (q.count == Q_CAP)
        pthread_cond_wait(&q.not_full, &q.lock);
    q.buf[(q.head + q.count++) % Q_CAP] = v;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
}

static long q_get(void)
{
    pthread_mutex_lock(&q.lock);
    while (q.count == 0)
        pthread_cond_wait(&q.not_empty, &q.lock);
    long v = q.buf[q.head];
    q.head = (q.head + 1) % Q_CAP;
    q.count--;
    pthread_cond_signal(&q.not_full);
    pthread_mutex_unlock(&q.lock);
    return v;
}

static void *producer(void *arg)
{
    long p = (long)arg;
    for (long i = 1; i <= ITEMS; i++)
        q_put(p * 1000000 + i);
    return NULL;
}

struct consumed { long count, sum, out_of_order; };

static void *consumer(void *arg)
{
    struct consumed *c = arg;
    long last[PRODUCERS] = {0};
    for (long v; (v = q_get()) >= 0;) {
        long p = v / 1000000, i = v % 1000000;
        if (i <= last[p])
            c->out_of_order++;
        last[p] = i;
        c->count++;
        c->sum += v;
    }
    return NULL;
}

static pthread_mutex_t bc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bc_cv = PTHREAD_COND_INITIALIZER;
static int bc_go, bc_waiting, bc_woken;

static void *bc_waiter(void *a)
{
    (void)a;
    pthread_mutex_lock(&bc_lock);
    bc_waiting++;
    while (!bc_go)
        pthread_cond_wait(&bc_cv, &bc_lock);
    bc_woken++;
    pthread_mutex_unlock(&bc_lock);
    return NULL;
}

static void case_condvar(void)
{
    pthread_t prod[PRODUCERS], cons[CONSUMERS];
    struct consumed got[CONSUMERS];
    memset(got, 0, sizeof got);
    for (long i = 0; i < CONSUMERS; i++)
        cons[i] = spawn(consumer, &got[i]);
    for (long i = 0; i < PRODUCERS; i++)
        prod[i] = spawn(producer, (void *)i);
    for (int i = 0; i < PRODUCERS; i++)
        join(prod[i]);
    for (int i = 0; i < CONSUMERS; i++)
        q_put(-1);
    long count = 0, sum = 0, bad = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        join(cons[i]);
        count += got[i].count;
        sum += got[i].sum;
        bad += got[i].out_of_order;
    }
    say("condvar: %ld items, sum %ld, out of order %ld, left in queue %d", count, sum, bad, q.count);

    // A broadcast wakes every waiter: NT threads wait for a flag, one broadcast.
    pthread_t w[NT];
    for (int i = 0; i < NT; i++)
        w[i] = spawn(bc_waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&bc_lock);
        int all = bc_waiting == NT;
        if (all) {
            bc_go = 1;
            pthread_cond_broadcast(&bc_cv);
        }
        pthread_mutex_unlock(&bc_lock);
        if (all)
            break;
        sleep_us(1000);
    }
    for (int i = 0; i < NT; i++)
        join(w[i]);
    say("condvar: broadcast woke %d of %d", bc_woken, NT);

    // A timed wait nobody signals times out.
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 20 * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&bc_lock);
    int rc = pthread_cond_timedwait(&bc_cv, &bc_lock, &dl);
    pthread_mutex_unlock(&bc_lock);
    say("condvar: timedwait: %s", rc == ETIMEDOUT ? "ETIMEDOUT" : strerror(rc));
}

// ---------------------------------------------------------------- barrier: lock-step rounds
#define ROUNDS 300
static pthread_barrier_t bar;
static long slots[NT];
static atomic_int serials, mismatches;

static void *barrier_worker(void *arg)
{
    long t = (long)arg;
    for (long r = 1; r <= ROUNDS; r++) {
        slots[t] = r * (t + 1);
        if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
            serials++;
        for (int j = 0; j < NT; j++)
            if (slots[j] != r * (j + 1))
                mismatches++;
        if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
            serials++;
    }
    return NULL;
}

static void case_barrier(void)
{
    must_rc(pthread_barrier_init(&bar, NULL, NT), "barrier_init");
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        t[i] = spawn(barrier_worker, (void *)i);
    for (int i = 0; i < NT; i++)
        join(t[i]);
    say("barrier: %d rounds, serial threads %d, mismatches %d", ROUNDS, serials, mismatches);
    must_rc(pthread_barrier_destroy(&bar), "barrier_destroy");
}

// ---------------------------------------------------------------- rwlock: readers see whole updates
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;         // rw_a + rw_b == 0 whenever the lock is free
static atomic_long rw_reads, rw_torn;

// Readers read a fixed number of times: glibc's rwlock prefers readers, and readers that
// looped until the writers were done could keep them out for ever.
static void *rw_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (rw_a + rw_b != 0)
            rw_torn++;
        rw_reads++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *rw_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_rwlock_wrlock(&rw);
        rw_a++;
        for (volatile int k = 0; k < 20; k++)
            ;
        rw_b--;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *rw_try(void *arg)
{
    int *rc = arg;
    rc[0] = pthread_rwlock_tryrdlock(&rw);
    rc[1] = pthread_rwlock_trywrlock(&rw);
    return NULL;
}

static void case_rwlock(void)
{
    pthread_t r[3], w[2];
    for (int i = 0; i < 3; i++)
        r[i] = spawn(rw_reader, NULL);
    for (int i = 0; i < 2; i++)
        w[i] = spawn(rw_writer, NULL);
    for (int i = 0; i < 2; i++)
        join(w[i]);
    for (int i = 0; i < 3; i++)
        join(r[i]);
    say("rwlock: a %ld b %ld, torn reads %ld, reads %ld", rw_a, rw_b, (long)rw_torn, (long)rw_reads);
    int rc[2];
    pthread_rwlock_wrlock(&rw);
    join(spawn(rw_try, rc));
    pthread_rwlock_unlock(&rw);
    say("rwlock: while written: tryrdlock %s, trywrlock %s", rc[0] == EBUSY ? "EBUSY" : strerror(rc[0]),
        rc[1] == EBUSY ? "EBUSY" : strerror(rc[1]));
    pthread_rwlock_rdlock(&rw);
    join(spawn(rw_try, rc));
    say("rwlock: while read: tryrdlock %s, trywrlock %s", rc[0] == 0 ? "ok" : strerror(rc[0]),
        rc[1] == EBUSY ? "EBUSY" : strerror(rc[1]));
    if (rc[0] == 0)
        pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
}

// ---------------------------------------------------------------- sem: threads and processes
static sem_t sem_items, sem_slots;
static long sem_ring[4];
static void *sem_prod(void *arg)
{
    (void)arg;
    for (long i = 1; i <= 4000; i++) {
        sem_wait(&sem_slots);
        sem_ring[i % 4] = i;
        sem_post(&sem_items);
    }
    return NULL;
}

struct shm_counter { sem_t lock; long counter; };

static void case_sem(void)
{
    sem_init(&sem_items, 0, 0);
    sem_init(&sem_slots, 0, 4);
    pthread_t p = spawn(sem_prod, NULL);
    long sum = 0;
    for (long i = 1; i <= 4000; i++) {
        while (sem_wait(&sem_items) != 0)
            ;
        sum += sem_ring[i % 4];
        sem_post(&sem_slots);
    }
    join(p);
    say("sem: ring of 4 passed sum %ld", sum);

    // A process-shared semaphore as the lock of a counter in shared memory: 4 processes.
    struct shm_counter *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(s != MAP_FAILED, "mmap shared");
    must(sem_init(&s->lock, 1, 1) == 0, "sem_init pshared");
    pid_t kids[4];
    for (int k = 0; k < 4; k++) {
        kids[k] = fork();
        must(kids[k] >= 0, "fork");
        if (kids[k] == 0) {
            for (int i = 0; i < 3000; i++) {
                sem_wait(&s->lock);
                long v = s->counter;
                if ((i & 63) == 0)
                    sched_yield();
                s->counter = v + 1;
                sem_post(&s->lock);
            }
            _exit(0);
        }
    }
    int ok = 0;
    for (int k = 0; k < 4; k++) {
        int st;
        must(waitpid(kids[k], &st, 0) == kids[k], "waitpid");
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    int v;
    sem_getvalue(&s->lock, &v);
    say("sem: 4 processes counted %ld, %d exited 0, value %d", s->counter, ok, v);

    sem_t zero;
    sem_init(&zero, 0, 0);
    int rc = sem_trywait(&zero);
    say("sem: trywait on 0: %s", rc == -1 && errno == EAGAIN ? "EAGAIN" : "other");
    struct timespec past = { 1, 0 };
    rc = sem_timedwait(&zero, &past);
    say("sem: timedwait in the past: %s", rc == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "other");
}

// ---------------------------------------------------------------- tls: each thread its own
static __thread long tls_count = 5;
static __thread char tls_buf[64];
static pthread_key_t key;
static atomic_int dtor_calls;
static atomic_long dtor_sum;

static void key_dtor(void *v)
{
    dtor_calls++;
    dtor_sum += *(long *)v;
    free(v);
}

static void *tls_worker(void *arg)
{
    long t = (long)arg;
    for (long i = 0; i < 1000 * (t + 1); i++)
        tls_count++;
    snprintf(tls_buf, sizeof tls_buf, "thread %ld", t);
    long *v = malloc(sizeof *v);
    *v = t * 10;
    pthread_setspecific(key, v);
    sched_yield();
    char expect[64];
    snprintf(expect, sizeof expect, "thread %ld", t);
    long ok = tls_count == 5 + 1000 * (t + 1) && strcmp(tls_buf, expect) == 0 &&
              pthread_getspecific(key) == v;
    return (void *)ok;
}

static void case_tls(void)
{
    must_rc(pthread_key_create(&key, key_dtor), "key_create");
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        t[i] = spawn(tls_worker, (void *)i);
    long ok = 0;
    for (int i = 0; i < 8; i++)
        ok += (long)join(t[i]);
    say("tls: %ld of 8 threads saw only their own, main's count %ld, destructors %d sum %ld", ok,
        tls_count, dtor_calls, (long)dtor_sum);
}

// ---------------------------------------------------------------- cancel
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ccv = PTHREAD_COND_INITIALIZER;
static atomic_int cleanups, cancel_ready;
static int cancel_pipe[2];

static void cleanup_unlock(void *m)
{
    cleanups++;
    pthread_mutex_unlock(m);
}

static void cleanup_count(void *a)
{
    (void)a;
    cleanups++;
}

static void *cancel_condwait(void *a)
{
    (void)a;
    pthread_mutex_lock(&cm);
    pthread_cleanup_push(cleanup_unlock, &cm);
    cancel_ready++;
    for (;;)
        pthread_cond_wait(&ccv, &cm);
    pthread_cleanup_pop(1);
    return NULL;
}

static void *cancel_read(void *a)
{
    (void)a;
    char c;
    pthread_cleanup_push(cleanup_count, NULL);
    cancel_ready++;
    for (;;)
        if (read(cancel_pipe[0], &c, 1) < 0)
            break;
    pthread_cleanup_pop(0);
    return NULL;
}

static void *cancel_sleep(void *a)
{
    (void)a;
    pthread_cleanup_push(cleanup_count, NULL);
    cancel_ready++;
    for (;;)
        sleep(100);
    pthread_cleanup_pop(0);
    return NULL;
}

static void *cancel_testcancel(void *a)
{
    (void)a;
    pthread_cleanup_push(cleanup_count, NULL);
    cancel_ready++;
    for (volatile long i = 0;; i++)
        if ((i & 1023) == 0)
            pthread_testcancel();
    pthread_cleanup_pop(0);
    return NULL;
}

static volatile long async_spins;
static void *cancel_async(void *a)
{
    (void)a;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
    cancel_ready++;
    for (;;)
        async_spins++;
    return NULL;
}

static void *cancel_disabled(void *a)
{
    (void)a;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    cancel_ready++;
    while (cancel_ready < 100)   // main sets 100 after pthread_cancel
        sleep_us(1000);
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    pthread_testcancel();
    return (void *)1;   // not reached
}

static void case_cancel(void)
{
    must(pipe(cancel_pipe) == 0, "pipe");
    void *(*fns[])(void *) = { cancel_condwait, cancel_read, cancel_sleep, cancel_testcancel,
                               cancel_async, cancel_disabled };
    const char *names[] = { "cond_wait", "read", "sleep", "testcancel", "async spin", "disabled then enabled" };
    for (int round = 0; round < 5; round++) {
        for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++) {
            cancel_ready = 0;
            pthread_t t = spawn(fns[i], NULL);
            while (cancel_ready == 0)
                sleep_us(200);
            sleep_us(1000);
            must_rc(pthread_cancel(t), "pthread_cancel");
            cancel_ready = 100;
            void *ret = join(t);
            if (round == 0)
                say("cancel: %s: %s", names[i], ret == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "returned");
            else if (ret != PTHREAD_CANCELED)
                say("cancel: round %d %s: returned", round, names[i]);
        }
    }
    // cond_wait's handler ran with the mutex held (and unlocked it): the lock is free.
    say("cancel: cleanup handlers ran %d, mutex free: %s", (int)cleanups,
        pthread_mutex_trylock(&cm) == 0 ? "yes" : "no");
    pthread_mutex_unlock(&cm);
}

// ---------------------------------------------------------------- signals to threads on other CPUs
#define SIG_THREADS 3
#define SIG_ROUNDS 20
static __thread int my_index = -1;
static atomic_int hits[SIG_THREADS], wrong_thread, usr2_hits;
static atomic_int sig_stop, sig_started;
static pid_t usr2_tid, usr2_handler_tid;

static void on_usr1(int sig)
{
    (void)sig;
    if (my_index >= 0)
        hits[my_index]++;
    else
        wrong_thread++;
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_handler_tid = tid();
    usr2_hits++;
}

static void *sig_spinner(void *arg)
{
    my_index = (int)(long)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    if (my_index == 1) {  // only thread 1 takes the process-directed SIGUSR2
        usr2_tid = tid();
        pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    }
    sig_started++;
    while (!sig_stop)
        ;
    return NULL;
}

static void *sigwaiter(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    long got = 0;
    for (;;) {
        int sig;
        if (sigwait(&s, &sig) != 0)
            return (void *)-1L;
        if (++got == 20)
            return (void *)got;
    }
}

static void case_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGINT);     // for the sigwait thread: blocked everywhere
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t w = spawn(sigwaiter, NULL);
    sigdelset(&s, SIGINT);
    pthread_t t[SIG_THREADS];
    for (long i = 0; i < SIG_THREADS; i++)
        t[i] = spawn(sig_spinner, (void *)i);
    while (sig_started < SIG_THREADS)
        sleep_us(100);
    // pthread_kill each spinner in turn; wait for its handler before the next (signals of
    // one number do not queue).
    for (int r = 0; r < SIG_ROUNDS; r++)
        for (int i = 0; i < SIG_THREADS; i++) {
            int before = hits[i];
            must_rc(pthread_kill(t[i], SIGUSR1), "pthread_kill");
            while (hits[i] == before)
                sched_yield();
        }
    // Process-directed: only thread 1 has SIGUSR2 unblocked.
    for (int r = 0; r < 20; r++) {
        int before = usr2_hits;
        kill(getpid(), SIGUSR2);
        while (usr2_hits == before)
            sched_yield();
    }
    int usr2_right = usr2_handler_tid == usr2_tid;
    // SIGINT to the process: only the sigwait thread takes it (all others block it).
    for (int r = 0; r < 20; r++) {
        kill(getpid(), SIGINT);
        sleep_us(r % 3 == 0 ? 2000 : 100);   // some are merged while pending: the count is sent
        sigset_t p;
        while (sigpending(&p) == 0 && sigismember(&p, SIGINT))
            sleep_us(100);
    }
    void *got = join(w);
    sig_stop = 1;
    for (int i = 0; i < SIG_THREADS; i++)
        join(t[i]);
    say("signals: pthread_kill hits %d %d %d, wrong thread %d", hits[0], hits[1], hits[2], wrong_thread);
    say("signals: process-directed SIGUSR2 %d, taken by the one thread that allows it: %s", usr2_hits,
        usr2_right ? "yes" : "no");
    say("signals: sigwait thread took %ld SIGINTs", (long)got);
}

// ---------------------------------------------------------------- fork while threads run
static atomic_int fork_stop;
static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;
static long fork_shared;

static void *fork_busy(void *arg)
{
    (void)arg;
    long n = 0;
    while (!fork_stop) {
        void *p = malloc(64 + (n++ % 2000));
        memset(p, 1, 64);
        pthread_mutex_lock(&fork_lock);
        fork_shared++;
        pthread_mutex_unlock(&fork_lock);
        free(p);
    }
    return NULL;
}

static void *child_thread(void *arg)
{
    return (void *)((long)arg * 2);
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&fork_lock);
}

static void fork_after(void)
{
    pthread_mutex_unlock(&fork_lock);
}

static void case_fork(void)
{
    // The program's own lock is taken across fork, as programs do: the child's copy of
    // it is free. (malloc's locks the C library handles itself.)
    pthread_atfork(fork_prepare, fork_after, fork_after);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = spawn(fork_busy, NULL);
    int good = 0;
    for (int k = 0; k < 15; k++) {
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0) {
            // One thread here; malloc, the mutex and new threads all work.
            void *p = malloc(100000);
            pthread_mutex_lock(&fork_lock);
            pthread_mutex_unlock(&fork_lock);
            pthread_t c;
            if (!p || pthread_create(&c, NULL, child_thread, (void *)21L) != 0)
                _exit(1);
            void *r;
            pthread_join(c, &r);
            free(p);
            _exit((long)r == 42 ? 7 : 2);
        }
        int st;
        must(waitpid(pid, &st, 0) == pid, "waitpid");
        good += WIFEXITED(st) && WEXITSTATUS(st) == 7;
    }
    fork_stop = 1;
    for (int i = 0; i < 3; i++)
        join(t[i]);
    say("fork: %d of 15 children of a busy threaded process exited 7, threads counted: %s", good,
        fork_shared > 0 ? "yes" : "no");
}

// ---------------------------------------------------------------- exec from a thread
static char exec_pid_arg[32];
static void *exec_thread(void *arg)
{
    (void)arg;
    sleep_us(2000);
    char *argv[] = { self_path, "--execd", exec_pid_arg, NULL };
    execv(self_path, argv);
    say("FAIL: execv %d", errno);
    _exit(3);
}

static void *spin_forever(void *arg)
{
    for (;;)
        if (arg == (void *)1)   // never: spin, but let the compiler see a way out
            return arg;
}

static int execd(const char *pid_arg)
{
    // What exec left: the thread group leader's pid, one thread.
    say("exec: after exec from a thread: pid same: %s, tid == pid: %s",
        getpid() == atoi(pid_arg) ? "yes" : "no", tid() == getpid() ? "yes" : "no");
    return 5;
}

static void case_exec(void)
{
    for (int k = 0; k < 5; k++) {
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0) {
            snprintf(exec_pid_arg, sizeof exec_pid_arg, "%d", getpid());
            if (k > 0)   // only the first prints
                close(1), open("/dev/null", O_WRONLY);
            for (int i = 0; i < 3; i++)
                spawn(spin_forever, NULL);
            spawn(exec_thread, NULL);
            for (;;)
                pause();
        }
        int st;
        must(waitpid(pid, &st, 0) == pid, "waitpid");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 5)
            say("exec: child %d ended with status %#x", k, st);
    }
    say("exec: 5 threaded children exec'd from a non-main thread");
}

// ---------------------------------------------------------------- churn: many short threads
// 10000 is the real test; the suite makes do with fewer (musl at -smp 2 took 47 s for
// 10000 on Lantern, 1.7 s at -smp 1: see the report in test_parallel.py's history).
#ifndef CHURN
#define CHURN 2000
#endif
static atomic_int detached_done;
static void *tiny(void *arg)
{
    return (void *)((long)arg + 1);
}

static void *tiny_detached(void *arg)
{
    (void)arg;
    detached_done++;
    return NULL;
}

static void *creator(void *arg)
{
    long n = (long)arg, sum = 0;
    for (long i = 0; i < n; i++)
        sum += (long)join(spawn(tiny, (void *)i));
    return (void *)sum;
}

static void case_churn(void)
{
    long per = CHURN / NT, sum = 0;
    pthread_t c[NT];
    for (int i = 0; i < NT; i++)
        c[i] = spawn(creator, (void *)per);
    for (int i = 0; i < NT; i++)
        sum += (long)join(c[i]);
    say("churn: %ld threads created and joined, sum %ld", per * NT, sum);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int made = 0;
    for (int i = 0; i < CHURN / 2; i++) {
        pthread_t t;
        int rc;
        while ((rc = pthread_create(&t, &attr, tiny_detached, NULL)) == EAGAIN)
            sleep_us(100);
        made += rc == 0;
    }
    while (detached_done < made)
        sleep_us(1000);
    say("churn: %d detached threads ran", (int)detached_done);
}

// ---------------------------------------------------------------- atomics: lock-free counting
#define ATOM_N 200000
static atomic_long a_add, a_cas;
static atomic_flag tas_lock = ATOMIC_FLAG_INIT;
static long plain_counter;
struct node { struct node *next; long v; };
static _Atomic(struct node *) stack_top;

static void *atom_worker(void *arg)
{
    long t = (long)arg;
    for (long i = 0; i < ATOM_N; i++) {
        atomic_fetch_add_explicit(&a_add, 1, memory_order_relaxed);
        long old = atomic_load(&a_cas);
        while (!atomic_compare_exchange_weak(&a_cas, &old, old + 2))
            ;
        if ((i & 15) == 0) {   // a test-and-set lock around a plain counter
            // It yields while it waits: a waiter that only spun could keep the holder
            // off its CPU (fewer CPUs than threads, or virtual CPUs the host preempts).
            while (atomic_flag_test_and_set_explicit(&tas_lock, memory_order_acquire))
                sched_yield();
            plain_counter++;
            atomic_flag_clear_explicit(&tas_lock, memory_order_release);
        }
    }
    // Push 1000 nodes onto a Treiber stack (pushes only: no ABA).
    for (long i = 0; i < 1000; i++) {
        struct node *n = malloc(sizeof *n);
        n->v = t * 1000 + i;
        n->next = atomic_load(&stack_top);
        while (!atomic_compare_exchange_weak(&stack_top, &n->next, n))
            ;
    }
    return NULL;
}

static void case_atomics(void)
{
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        t[i] = spawn(atom_worker, (void *)i);
    for (int i = 0; i < NT; i++)
        join(t[i]);
    long n = 0, sum = 0;
    for (struct node *p = atomic_load(&stack_top); p; p = p->next)
        n++, sum += p->v;
    say("atomics: fetch_add %ld, cas %ld, tas-locked %ld, stack %ld nodes sum %ld", (long)a_add,
        (long)a_cas, plain_counter, n, sum);
}

// ---------------------------------------------------------------- pool: workers and a queue
#define TASKS 3000
static struct {
    pthread_mutex_t lock;
    pthread_cond_t work, idle;
    int next, done, stop;
    long result[TASKS];
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, {0} };
static int pool_queued;

static long collatz(long n)
{
    long steps = 0;
    for (; n != 1; steps++)
        n = n & 1 ? 3 * n + 1 : n / 2;
    return steps;
}

static void *pool_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.next == pool_queued && !pool.stop)
            pthread_cond_wait(&pool.work, &pool.lock);
        if (pool.next == pool_queued)
            break;
        int task = pool.next++;
        pthread_mutex_unlock(&pool.lock);
        long r = collatz(task * 37 + 1);
        pthread_mutex_lock(&pool.lock);
        pool.result[task] = r;
        if (++pool.done == pool_queued)
            pthread_cond_signal(&pool.idle);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

static void case_pool(void)
{
    pthread_t t[NT];
    for (int i = 0; i < NT; i++)
        t[i] = spawn(pool_worker, NULL);
    // Queue in three batches, waiting for each to drain.
    for (int batch = 1; batch <= 3; batch++) {
        pthread_mutex_lock(&pool.lock);
        pool_queued = TASKS * batch / 3;
        pthread_cond_broadcast(&pool.work);
        while (pool.done != pool_queued)
            pthread_cond_wait(&pool.idle, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
    pthread_mutex_lock(&pool.lock);
    pool.stop = 1;
    pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < NT; i++)
        join(t[i]);
    long sum = 0, max = 0;
    for (int i = 0; i < TASKS; i++) {
        sum += pool.result[i];
        if (pool.result[i] > max)
            max = pool.result[i];
    }
    say("pool: %d tasks, collatz steps sum %ld max %ld", pool.done, sum, max);
}

// ---------------------------------------------------------------- pipeline: N processes, pipes
#define STAGES 6
static void case_pipeline(void)
{
    int in = -1, fds[2];
    pid_t pids[STAGES + 1];
    for (int s = 0; s <= STAGES; s++) {
        must(pipe(fds) == 0, "pipe");
        pids[s] = fork();
        must(pids[s] >= 0, "fork");
        if (pids[s] == 0) {
            close(fds[0]);
            FILE *out = fdopen(fds[1], "w");
            if (s == 0) {     // the source: numbers
                for (long i = 1; i <= 20000; i++)
                    fprintf(out, "%ld\n", i);
            } else {          // a filter: adds its stage number, drops multiples of 7*stage
                FILE *src = fdopen(in, "r");
                long v;
                while (fscanf(src, "%ld", &v) == 1)
                    if ((v + s) % (7 * s) != 0)
                        fprintf(out, "%ld\n", v + s);
            }
            fclose(out);
            _exit(0);
        }
        close(fds[1]);
        if (in >= 0)
            close(in);
        in = fds[0];
    }
    FILE *src = fdopen(in, "r");
    long v, n = 0, sum = 0;
    uint64_t h = 0;
    while (fscanf(src, "%ld", &v) == 1)
        n++, sum += v, h = mix(h ^ v);
    fclose(src);
    int ok = 0;
    for (int s = 0; s <= STAGES; s++) {
        int st;
        waitpid(pids[s], &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    say("pipeline: %d processes, %ld numbers out, sum %ld, hash %016llx, %d exited 0", STAGES + 1, n, sum,
        (unsigned long long)h, ok);
}

// ---------------------------------------------------------------- pipe writes up to PIPE_BUF are atomic
#define WRITERS 8
#define RECORDS 300
static const int rec_size[4] = { 16, 512, 4000, PIPE_BUF };

static void case_pipeatomic(void)
{
    int fds[2];
    must(pipe(fds) == 0, "pipe");
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        must(pids[w] >= 0, "fork");
        if (pids[w] == 0) {
            close(fds[0]);
            static unsigned char rec[PIPE_BUF];
            int size = rec_size[w % 4];
            for (int r = 0; r < RECORDS; r++) {
                // a record: writer, sequence number, size, then its writer's byte to the end
                memset(rec, 'a' + w, size);
                rec[0] = w;
                rec[1] = r & 0xff;
                rec[2] = r >> 8;
                rec[3] = size & 0xff;
                rec[4] = size >> 8;
                if (write(fds[1], rec, size) != size)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(fds[1]);
    static unsigned char stream[WRITERS * RECORDS * PIPE_BUF];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], stream + len, sizeof stream - len)) > 0)
        len += n;
    int counts[WRITERS] = {0}, torn = 0, out_of_order = 0;
    for (size_t off = 0; off < len && !torn;) {
        unsigned char *r = stream + off;
        int w = r[0], seq = r[1] | r[2] << 8, size = r[3] | r[4] << 8;
        if (w >= WRITERS || size != rec_size[w % 4] || off + size > len) {
            torn++;
            break;
        }
        for (int i = 5; i < size; i++)
            if (r[i] != 'a' + w) {
                torn++;
                break;
            }
        if (seq != counts[w])
            out_of_order++;
        counts[w]++;
        off += size;
    }
    int ok = 0;
    for (int w = 0; w < WRITERS; w++) {
        int st;
        waitpid(pids[w], &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    say("pipeatomic: %zu bytes, torn records %d, out of order %d, %d writers exited 0", len, torn,
        out_of_order, ok);
    for (int w = 0; w < WRITERS; w++)
        if (counts[w] != RECORDS)
            say("pipeatomic: writer %d: %d records", w, counts[w]);
}

// ---------------------------------------------------------------- wait: reaping races
static atomic_int reaped_sum, reaped_n;
static void *reaper(void *arg)
{
    (void)arg;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0)
            return (void *)(long)errno;
        reaped_sum += WEXITSTATUS(st);
        reaped_n++;
    }
}

static void case_wait(void)
{
    // Wave 1: 40 children exit at once; waitpid for each pid, in reverse order.
    pid_t pids[40];
    for (int i = 0; i < 40; i++) {
        pids[i] = fork();
        must(pids[i] >= 0, "fork");
        if (pids[i] == 0)
            _exit(i);
    }
    int sum = 0;
    for (int i = 39; i >= 0; i--) {
        int st;
        if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st))
            sum += WEXITSTATUS(st);
    }
    say("wait: by pid in reverse: sum %d", sum);
    // Wave 2: 60 children, held on a pipe until three reaper threads run, then let go at
    // once; the reapers waitpid(-1) concurrently: each child is reaped exactly once, and
    // each reaper ends with ECHILD after the last.
    int gate[2];
    must(pipe(gate) == 0, "pipe");
    for (int i = 0; i < 60; i++) {
        pid_t p = fork();
        must(p >= 0, "fork");
        if (p == 0) {
            char c;
            close(gate[1]);
            if (read(gate[0], &c, 1) != 0)
                _exit(99);
            if (i % 3 == 0)
                sleep_us(1000 * (i % 7));
            _exit(i % 50);
        }
    }
    close(gate[0]);
    pthread_t r[3];
    for (int i = 0; i < 3; i++)
        r[i] = spawn(reaper, NULL);
    close(gate[1]);
    long errs[3];
    for (int i = 0; i < 3; i++)
        errs[i] = (long)join(r[i]);
    say("wait: three reaper threads: %d reaped, sum %d, reapers ended with %s", (int)reaped_n,
        (int)reaped_sum, errs[0] == ECHILD && errs[1] == ECHILD && errs[2] == ECHILD ? "ECHILD" : "other");
    // Wave 3: waitid with WNOHANG polls, WNOWAIT peeks before the reap.
    for (int i = 0; i < 20; i++) {
        pid_t p = fork();
        must(p >= 0, "fork");
        if (p == 0)
            _exit(100 + i);
    }
    int polled = 0, peeked_same = 0, total = 0;
    while (total < 20) {
        siginfo_t si, si2;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
            break;
        if (si.si_pid == 0) {
            polled++;
            sched_yield();
            continue;
        }
        memset(&si2, 0, sizeof si2);
        waitid(P_PID, si.si_pid, &si2, WEXITED);
        peeked_same += si2.si_pid == si.si_pid && si2.si_status == si.si_status;
        total += si2.si_status >= 100;
    }
    say("wait: waitid: %d reaped, %d peeks matched their reaps, then %s", total, peeked_same,
        waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? "ECHILD" : "more");
}

// ---------------------------------------------------------------- kill a process group
static void pg_member(int kind, int ready_fd)
{
    char c = 'r';
    if (write(ready_fd, &c, 1) != 1)
        _exit(1);
    if (kind == 0)
        for (volatile long i = 0;; i++)
            ;
    if (kind == 1)
        for (;;)
            pause();
    int fds[2];
    if (pipe(fds) == 0)
        read(fds[0], &c, 1);   // blocks for ever: nobody writes
    _exit(2);
}

static void case_killpg(void)
{
    int ready[2];
    must(pipe(ready) == 0, "pipe");
    pid_t pids[7], pgid = 0;
    for (int i = 0; i < 7; i++) {
        pids[i] = fork();
        must(pids[i] >= 0, "fork");
        if (pids[i] == 0) {
            setpgid(0, pgid);
            close(ready[0]);
            pg_member(i % 3, ready[1]);
        }
        setpgid(pids[i], pgid);   // both sides: no race with the kill below
        if (i == 0)
            pgid = pids[0];
    }
    close(ready[1]);
    char c;
    for (int i = 0; i < 7; i++)
        must(read(ready[0], &c, 1) == 1, "ready");
    int stopped = 0, continued = 0, termed = 0;
    must(kill(-pgid, SIGSTOP) == 0, "kill SIGSTOP");
    for (int i = 0; i < 7; i++) {
        int st;
        if (waitpid(pids[i], &st, WUNTRACED) == pids[i] && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)
            stopped++;
    }
    must(kill(-pgid, SIGCONT) == 0, "kill SIGCONT");
    for (int i = 0; i < 7; i++) {
        int st;
        if (waitpid(pids[i], &st, WCONTINUED) == pids[i] && WIFCONTINUED(st))
            continued++;
    }
    must(kill(-pgid, SIGTERM) == 0, "kill SIGTERM");
    for (int i = 0; i < 7; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) == pids[i] && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
            termed++;
    }
    int rc = kill(-pgid, 0);
    say("killpg: 7 in a group: stopped %d, continued %d, killed by SIGTERM %d, then kill: %s", stopped,
        continued, termed, rc == -1 && errno == ESRCH ? "ESRCH" : "other");
}

// ---------------------------------------------------------------- the driver
static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    { "sum", case_sum }, { "condvar", case_condvar }, { "barrier", case_barrier },
    { "rwlock", case_rwlock }, { "sem", case_sem }, { "tls", case_tls }, { "cancel", case_cancel },
    { "signals", case_signals }, { "fork", case_fork }, { "exec", case_exec }, { "churn", case_churn },
    { "atomics", case_atomics }, { "pool", case_pool }, { "pipeline", case_pipeline },
    { "pipeatomic", case_pipeatomic }, { "wait", case_wait }, { "killpg", case_killpg },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

// With PARALLEL_TIMES in the environment (a word on the kernel command line), each case's
// time too: "time: CASE N ms", not part of the compared output.
static void run_case(int i)
{
    long long start = now_ms();
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        cases[i].run();
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) != pid)
        ;
    if (WIFEXITED(st))
        say("%s: exit %d", cases[i].name, WEXITSTATUS(st));
    else
        say("%s: killed by signal %d", cases[i].name, WTERMSIG(st));
    if (getenv("PARALLEL_TIMES"))
        say("time: %s %lld ms", cases[i].name, now_ms() - start);
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 3 && strcmp(argv[1], "--execd") == 0)
        return execd(argv[2]);
    int ran = 0;
    for (int a = 1; a < argc; a++) {
        int found = 0;
        for (int i = 0; i < NCASES; i++)
            if (strcmp(argv[a], cases[i].name) == 0)
                run_case(i), found = 1;
        if (!found && strcmp(argv[a], "--") != 0) {
            say("parallel: no case %s", argv[a]);
            return 2;
        }
        ran += found;
    }
    if (!ran)
        for (int i = 0; i < NCASES; i++)
            run_case(i);
    say("done");
    return 0;
}
