// pthread_futex: the futex system call as the C libraries and Go use it, called directly -
// FUTEX_WAIT and its errors (EAGAIN, ETIMEDOUT relative and absolute, EINVAL, EFAULT),
// FUTEX_WAKE's count, FUTEX_REQUEUE and FUTEX_CMP_REQUEUE moving waiters, FUTEX_WAKE_OP -
// and clock_nanosleep (relative, TIMER_ABSTIME, EINTR, errors); futex words on pages not
// there yet, copy-on-write, read-only or PROT_NONE. Linux is the oracle.
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "thr_util.h"

#define MS 1000000LL

// <linux/futex.h>'s numbers (musl-gcc has no kernel headers): the Linux ABI.
enum {
    FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
    FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
    FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256,
};
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY (-1)
enum { FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_OR = 2, FUTEX_OP_OPARG_SHIFT = 8 };
enum { FUTEX_OP_CMP_EQ = 0, FUTEX_OP_CMP_GT = 4 };
// FUTEX_WAKE_OP's val3: what to do to the second word, and the test of its old value.
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static void wait_errors(void)
{
    int word = 5;
    check("FUTEX_WAIT, value differs", futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0));
    check("FUTEX_WAIT shared, value differs", futex(&word, FUTEX_WAIT, 4, NULL, NULL, 0));

    struct timespec rel = { 0, 20 * MS };
    long long start = now_ns(CLOCK_MONOTONIC);
    check("FUTEX_WAIT 20ms relative", futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0));
    yes("  waited at least 20ms", now_ns(CLOCK_MONOTONIC) - start >= 20 * MS);

    struct timespec abs_rt = ts_after(CLOCK_REALTIME, 20 * MS);
    check("FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, absolute +20ms",
          futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs_rt, NULL,
                FUTEX_BITSET_MATCH_ANY));
    long long rt = now_ns(CLOCK_REALTIME);
    yes("  realtime now past the deadline",
        rt >= abs_rt.tv_sec * 1000000000LL + abs_rt.tv_nsec);

    struct timespec abs_mono = ts_after(CLOCK_MONOTONIC, 20 * MS);
    check("FUTEX_WAIT_BITSET, absolute monotonic +20ms",
          futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs_mono, NULL, FUTEX_BITSET_MATCH_ANY));
    yes("  monotonic now past the deadline",
        now_ns(CLOCK_MONOTONIC) >= abs_mono.tv_sec * 1000000000LL + abs_mono.tv_nsec);
    struct timespec past = { 1, 0 };
    check("FUTEX_WAIT_BITSET, absolute deadline long past",
          futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY));
    struct timespec zero = { 0, 0 };
    check("FUTEX_WAIT, zero timeout", futex(&word, FUTEX_WAIT_PRIVATE, 5, &zero, NULL, 0));

    check("FUTEX_WAIT_BITSET, bitset 0",
          futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &rel, NULL, 0));
    check("FUTEX_WAKE_BITSET, bitset 0", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0));
    check("FUTEX_WAIT|FUTEX_CLOCK_REALTIME (only WAIT_BITSET takes it)",
          futex(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &rel, NULL, 0));
    check("FUTEX_WAKE|FUTEX_CLOCK_REALTIME", futex(&word, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    check("op 99", futex(&word, 99, 0, NULL, NULL, 0));
    check("op 99|FUTEX_PRIVATE_FLAG", futex(&word, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));
    struct timespec bad_ns = { 0, 1000000000L };
    check("FUTEX_WAIT, tv_nsec 1e9", futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad_ns, NULL, 0));
    struct timespec neg = { -1, 0 };
    check("FUTEX_WAIT, tv_sec -1", futex(&word, FUTEX_WAIT_PRIVATE, 5, &neg, NULL, 0));
    check("FUTEX_WAIT, timeout pointer bad",
          futex(&word, FUTEX_WAIT_PRIVATE, 5, (struct timespec *)((char *)bad_address() + 8), NULL, 0));

    char *bytes = (char *)&word;
    check("FUTEX_WAIT, unaligned address", futex((int *)(bytes + 1), FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0));
    check("FUTEX_WAKE, unaligned address", futex((int *)(bytes + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    check("FUTEX_WAIT, NULL address", futex(bad_address(), FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    check("FUTEX_WAIT shared, NULL address", futex(bad_address(), FUTEX_WAIT, 0, &rel, NULL, 0));
    // A private wake only hashes the address; a shared one must look the page up.
    check_val("FUTEX_WAKE_PRIVATE, NULL address", futex(bad_address(), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    check("FUTEX_WAKE shared, NULL address", futex(bad_address(), FUTEX_WAKE, 1, NULL, NULL, 0));
    check("FUTEX_WAIT, kernel address", futex((int *)0xffffffff81000000UL, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    check_val("FUTEX_WAKE, nobody waiting", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
}

// Waiters: each does one FUTEX_WAIT on its word and records what it returned.
enum { MAXW = 8 };
struct waiter {
    pthread_t thread;
    int *word;
    int op;
    int result;                 // 0 woken, else errno
    int finished;
    int created;
};
static struct waiter waiters[MAXW];
static int nwaiters, arrived;

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    long r = futex(w->word, w->op, 0, NULL, NULL, 0);
    w->result = r < 0 ? errno : 0;
    __atomic_store_n(&w->finished, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

// Start n waiters on word and give them time to block in the kernel: they have announced
// themselves, and 100 ms is long for the few instructions from there to FUTEX_WAIT.
static void start_waiters(int n, int *word, int op)
{
    arrived = 0;
    nwaiters = n;
    int created = 0;
    for (int i = 0; i < n; i++) {
        waiters[i] = (struct waiter){ .word = word, .op = op };
        int rc = pthread_create(&waiters[i].thread, NULL, waiter_main, &waiters[i]);
        waiters[i].created = rc == 0;
        if (rc != 0)
            check_rc("  pthread_create", rc);
        created += rc == 0;
    }
    for (int ms = 0; ms < 5000 && __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < created; ms++)
        sleep_ms(1);
    sleep_ms(100);
}

// How many waiters have finished, once at least `woken` have (the count the wake returned;
// up to 5 s, a loaded machine with several CPUs may be slow to run them) and 50 ms more have
// passed for any that should not have been woken to show up too.
static int count_finished(void)
{
    int n = 0;
    for (int i = 0; i < nwaiters; i++)
        n += __atomic_load_n(&waiters[i].finished, __ATOMIC_SEQ_CST);
    return n;
}

static int finished_count(int woken)
{
    for (int ms = 0; ms < 5000 && count_finished() < woken; ms++)
        sleep_ms(1);
    sleep_ms(50);
    return count_finished();
}

// What the waiters' FUTEX_WAITs returned: "0" (woken), an error name, or "mixed".
static void join_waiters(const char *what)
{
    int same = 1;
    for (int i = 0; i < nwaiters; i++) {
        if (waiters[i].created)
            pthread_join(waiters[i].thread, NULL);
        same &= waiters[i].created && waiters[i].result == waiters[0].result;
    }
    printf("%s: the waiters' FUTEX_WAIT returned %s\n", what,
           !same ? "mixed" : waiters[0].result ? err_name(waiters[0].result) : "0");
}

static void wake_counts(void)
{
    static int word;
    start_waiters(3, &word, FUTEX_WAIT_PRIVATE);
    check_val("FUTEX_WAKE 3 waiters, count 2", futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0));
    printf("  finished: %d\n", finished_count(2));
    check_val("FUTEX_WAKE 1 left, count 5", futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0));
    check_val("FUTEX_WAKE none left", futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0));
    join_waiters("FUTEX_WAKE");

    start_waiters(1, &word, FUTEX_WAIT);
    check_val("FUTEX_WAKE shared wakes a shared waiter", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    join_waiters("shared");

    start_waiters(2, &word, FUTEX_WAIT_PRIVATE);
    check_val("FUTEX_WAKE count 0",
              futex(&word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0));
    check_val("FUTEX_WAKE INT_MAX", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    join_waiters("FUTEX_WAKE INT_MAX");
}

static void requeue(void)
{
    static int a, b;
    start_waiters(3, &a, FUTEX_WAIT_PRIVATE);
    // FUTEX_REQUEUE: wake 1, move up to INT_MAX (passed in the timeout slot) to b.
    check_val("FUTEX_REQUEUE wake 1, move the rest: woken+moved",
              futex(&a, FUTEX_REQUEUE_PRIVATE, 1, (struct timespec *)(uintptr_t)INT_MAX, &b, 0));
    printf("  finished: %d\n", finished_count(1));
    check_val("  FUTEX_WAKE on a (moved away)", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    check_val("  FUTEX_WAKE on b", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    join_waiters("FUTEX_REQUEUE");

    a = 7;
    start_waiters(3, &a, FUTEX_WAIT_PRIVATE);      // they wait for 0: a is 7, so EAGAIN...
    join_waiters("waiters expecting 0, word is 7"); // ...and report it
    a = 0;

    start_waiters(3, &a, FUTEX_WAIT_PRIVATE);
    check("FUTEX_CMP_REQUEUE, *a != val3",
          futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (struct timespec *)1, &b, 1));
    check_val("FUTEX_CMP_REQUEUE wake 1 move 1: woken+moved",
              futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (struct timespec *)1, &b, 0));
    printf("  finished: %d\n", finished_count(1));
    check_val("  FUTEX_WAKE on b", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    check_val("  FUTEX_WAKE on a", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    join_waiters("FUTEX_CMP_REQUEUE");
    check("FUTEX_CMP_REQUEUE, negative count",
          futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, -1, (struct timespec *)1, &b, 0));
    check("FUTEX_CMP_REQUEUE onto itself",
          futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (struct timespec *)1, &a, 0));
}

static void wake_op(void)
{
    static int a, b;
    // Two waiters on a, two on b. Set b to 1; wake 1 on a; if b was 0, wake 1 on b too.
    start_waiters(2, &a, FUTEX_WAIT_PRIVATE);
    struct waiter on_a[2];
    memcpy(on_a, waiters, sizeof on_a);
    start_waiters(2, &b, FUTEX_WAIT_PRIVATE);
    struct waiter on_b[2];
    memcpy(on_b, waiters, sizeof on_b);
    int op = FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0);
    check_val("FUTEX_WAKE_OP set b=1, b was 0: woken",
              futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &b, op));
    printf("  b is now %d\n", b);
    op = FUTEX_OP(FUTEX_OP_ADD, 4, FUTEX_OP_CMP_EQ, 0);
    check_val("FUTEX_WAKE_OP add 4 to b, b was 1 (compare fails): woken",
              futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &b, op));
    printf("  b is now %d\n", b);
    op = FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_GT, 1);
    check_val("FUTEX_WAKE_OP b |= 1<<4, b was 5 (> 1): woken",
              futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &b, op));
    printf("  b is now %d\n", b);
    check("FUTEX_WAKE_OP, bad op 7", futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &b,
                                          FUTEX_OP(7, 0, FUTEX_OP_CMP_EQ, 0)));
    check("FUTEX_WAKE_OP, bad cmp 9", futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &b,
                                           FUTEX_OP(FUTEX_OP_SET, 0, 9, 0)));
    check("FUTEX_WAKE_OP, b NULL", futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1,
                                        bad_address(), FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)));
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        if (on_a[i].created)
            pthread_join(on_a[i].thread, NULL);
        if (on_b[i].created)
            pthread_join(on_b[i].thread, NULL);
        ok &= on_a[i].created && on_b[i].created && on_a[i].result == 0 && on_b[i].result == 0;
    }
    yes("FUTEX_WAKE_OP: all four waiters returned 0 (woken)", ok);
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void *poke(void *arg)
{
    pthread_t main_thread = *(pthread_t *)arg;
    sleep_ms(30);
    pthread_kill(main_thread, SIGUSR1);
    return NULL;
}

static long cns(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    return syscall(SYS_clock_nanosleep, clock, flags, req, rem);
}

static void clock_sleeps(void)
{
    struct timespec req = { 0, 20 * MS }, rem;
    long long start = now_ns(CLOCK_MONOTONIC);
    check("clock_nanosleep MONOTONIC 20ms", cns(CLOCK_MONOTONIC, 0, &req, &rem));
    yes("  slept at least 20ms", now_ns(CLOCK_MONOTONIC) - start >= 20 * MS);
    start = now_ns(CLOCK_MONOTONIC);
    check("clock_nanosleep REALTIME 20ms", cns(CLOCK_REALTIME, 0, &req, NULL));
    yes("  slept at least 20ms", now_ns(CLOCK_MONOTONIC) - start >= 20 * MS);

    struct timespec when = ts_after(CLOCK_MONOTONIC, 20 * MS);
    check("clock_nanosleep MONOTONIC TIMER_ABSTIME +20ms", cns(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL));
    yes("  now past the deadline", now_ns(CLOCK_MONOTONIC) >= when.tv_sec * 1000000000LL + when.tv_nsec);
    when = ts_after(CLOCK_REALTIME, 20 * MS);
    check("clock_nanosleep REALTIME TIMER_ABSTIME +20ms", cns(CLOCK_REALTIME, TIMER_ABSTIME, &when, NULL));
    yes("  now past the deadline", now_ns(CLOCK_REALTIME) >= when.tv_sec * 1000000000LL + when.tv_nsec);
    struct timespec past = { 1, 0 };
    start = now_ns(CLOCK_MONOTONIC);
    check("clock_nanosleep TIMER_ABSTIME in the past", cns(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    yes("  at once (< 10ms)", now_ns(CLOCK_MONOTONIC) - start < 10 * MS);
    check("clock_nanosleep BOOTTIME 1ms", cns(CLOCK_BOOTTIME, 0, &(struct timespec){ 0, MS }, NULL));

    check("clock_nanosleep clock 12345", cns(12345, 0, &req, NULL));
    check("clock_nanosleep CLOCK_THREAD_CPUTIME_ID", cns(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL));
    check("clock_nanosleep flags 2", cns(CLOCK_MONOTONIC, 2, &(struct timespec){ 0, MS }, NULL));
    check("clock_nanosleep tv_nsec 1e9", cns(CLOCK_MONOTONIC, 0, &(struct timespec){ 0, 1000000000L }, NULL));
    check("clock_nanosleep tv_sec -1", cns(CLOCK_MONOTONIC, 0, &(struct timespec){ -1, 0 }, NULL));
    check("clock_nanosleep req NULL", cns(CLOCK_MONOTONIC, 0, bad_address(), NULL));

    // Interrupted: EINTR, and the time left in rem (relative only).
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;                      // no SA_RESTART
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t self = pthread_self(), t;
    pthread_create(&t, NULL, poke, &self);
    req = (struct timespec){ 2, 0 };
    rem = (struct timespec){ 0, 0 };
    check("clock_nanosleep 2s, a signal after 30ms", cns(CLOCK_MONOTONIC, 0, &req, &rem));
    yes("  rem between 1s and 2s", rem.tv_sec == 1 && rem.tv_nsec > 0);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, poke, &self);
    when = ts_after(CLOCK_MONOTONIC, 2000 * MS);
    rem = (struct timespec){ 9, 9 };
    check("clock_nanosleep TIMER_ABSTIME +2s, a signal after 30ms",
          cns(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, &rem));
    yes("  rem untouched", rem.tv_sec == 9 && rem.tv_nsec == 9);
    pthread_join(t, NULL);
}

// Words on pages the call itself must bring in: Lantern reads and changes a futex word
// under the futex lock, where a fault is not handled, and faults the page in after letting
// go of it, then tries again (kernel/futex.c). Each case on a page never touched before.
static int *fresh_page(int prot)
{
    void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int cow_word = 7;

static void cow_child(void)
{
    // The page is the parent's too until this write, which FUTEX_WAKE_OP makes.
    check_val("  child: FUTEX_WAKE_OP on a copy-on-write page",
              futex(&cow_word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &cow_word,
                    FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 7)));
    check_val("  child: its word now", cow_word);
}

static void pages_not_there(void)
{
    int *w = fresh_page(PROT_READ | PROT_WRITE);
    check("FUTEX_WAIT on an untouched page, value differs",
          futex(w, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0));
    struct timespec rel = { 0, 5 * MS };
    w = fresh_page(PROT_READ | PROT_WRITE);
    check("FUTEX_WAIT shared on an untouched page, 5ms", futex(w, FUTEX_WAIT, 0, &rel, NULL, 0));
    w = fresh_page(PROT_READ | PROT_WRITE);
    check_val("FUTEX_WAKE_OP on an untouched page",
              futex(w, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, w,
                    FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)));
    check_val("  the word now", *w);
    w = fresh_page(PROT_READ | PROT_WRITE);
    check("FUTEX_CMP_REQUEUE on an untouched page, value differs",
          futex(w, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, w + 1, 3));
    w[0] = 9;
    madvise(w, 4096, MADV_DONTNEED);
    check("FUTEX_WAIT after MADV_DONTNEED (the word is 0 again), expects 9",
          futex(w, FUTEX_WAIT_PRIVATE, 9, NULL, NULL, 0));

    int *ro = fresh_page(PROT_READ);
    check("FUTEX_WAIT on a read-only untouched page, 5ms",
          futex(ro, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    check("FUTEX_WAKE_OP on a read-only page",
          futex(ro, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, ro,
                FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)));
    check("FUTEX_WAIT shared on a read-only anonymous page",
          futex(ro, FUTEX_WAIT, 0, &rel, NULL, 0));
    int *none = fresh_page(PROT_NONE);
    check("FUTEX_REQUEUE shared onto a PROT_NONE page",
          futex(w, FUTEX_REQUEUE, 1, (void *)1, none, 0));
    check("FUTEX_WAIT on a PROT_NONE page", futex(none, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    check("FUTEX_CMP_REQUEUE on a PROT_NONE page",
          futex(none, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, w, 0));

    cow_word = 7;
    in_child("FUTEX_WAKE_OP in a child, on a copy-on-write page", cow_child);
    check_val("  parent: its word still", cow_word);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_futex");
    wait_errors();
    wake_counts();
    requeue();
    wake_op();
    pages_not_there();
    clock_sleeps();
    return done();
}
