// t_futex_pi.c: priority-inheritance futexes, called directly as the C libraries' PI
// mutexes call them: FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_LOCK_PI2.
//
// The lock's word holds its owner's thread id, FUTEX_WAITERS (someone waits in the kernel,
// so the unlock must come there too) and FUTEX_OWNER_DIED. Checked against the host: the
// words the kernel writes (taking a free lock, handing it to the first waiter, an owner's
// death with and without a robust list), the order waiters get the lock in, that a signal
// does not end the wait, and every error: EDEADLK, ESRCH, EPERM, EINVAL, EFAULT, EAGAIN,
// ETIMEDOUT with each clock, ENOSYS.
//
// Threads are parity.c's raw ones: made with clone, they do only raw system calls (this C
// library's errno and stdio are not for threads); the main thread prints. "Waits in the kernel" is seen from
// the word: a locker sets FUTEX_WAITERS and queues itself in one step, under the kernel's
// lock, so once the bit is there an unlock finds it queued.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define SYS_futex_        202
#define SYS_set_robust_list_ 273
enum {
    FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7,
    FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12,
    FUTEX_LOCK_PI2 = 13, FUTEX_PRIVATE_FLAG = 128,
    FUTEX_CLOCK_REALTIME = 256,
};
#define PRIV(op) ((op) | FUTEX_PRIVATE_FLAG)
#define WAITERS    0x80000000u
#define OWNER_DIED 0x40000000u
#define NO_THREAD  0x3fffffffu       // a thread id no system has handed out (above pid_max)
#define MS 1000000LL


static long fx(volatile uint32_t *word, int op, const struct timespec *ts)
{
    return raw_syscall6(SYS_futex_, (long)word, op, 0, (long)ts, 0, 0);
}

static void report(const char *what, long r)
{
    if (r < 0)
        printf("%s: error %s\n", what, err_name((int)-r));
    else
        printf("%s: %ld\n", what, r);
}

static int gettid_(void)
{
    return (int)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * MS };
    nanosleep(&t, NULL);
}

static long long now_ns(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// An absolute time ms from now on clock.
static struct timespec in_ms(int clock, long ms)
{
    long long t = now_ns(clock) + ms * MS;
    return (struct timespec){ t / 1000000000LL, t % 1000000000LL };
}

// Until thread tid sleeps (state S in /proc), for at most 10 s. The threads here sleep
// only in the futex call they make first, so then they wait in it, however slow the
// machine is.
static void wait_asleep(int tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (int i = 0; i < 10000; i++) {
        int fd = open(path, O_RDONLY);
        long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        buf[n > 0 ? n : 0] = 0;
        char *end = strrchr(buf, ')');
        if (end && end[1] == ' ' && end[2] == 'S')
            return;
        pause_ms(1);
    }
    printf("thread did not fall asleep\n");
}

// ---- threads: parity.c's raw ones, with what each reports back.
struct thread {
    struct raw_thread rt;            // rt.id: the thread's id
    void (*fn)(struct thread *);
    volatile long result;            // what fn reports back
    volatile uint32_t seen;          // the word as fn saw it
    int prio;                        // rt_locker: its SCHED_FIFO priority, 0 for none
};
static struct thread thr[3];

static void thread_main(void *arg)
{
    struct thread *t = arg;
    t->fn(t);
}

static void start(struct thread *t, void (*fn)(struct thread *))
{
    t->fn = fn;
    t->result = 12345;
    t->seen = 0;
    raw_thread_start(&t->rt, thread_main, t);
}

static void join(struct thread *t)
{
    raw_thread_join(&t->rt);
}

// Until (*word & bits) == bits, for at most 10 s. Says whether it came.
static int wait_bits(volatile uint32_t *word, uint32_t bits)
{
    for (int i = 0; i < 10000; i++) {
        if ((*word & bits) == bits)
            return 1;
        pause_ms(1);
    }
    return 0;
}

static volatile uint32_t lock;       // the PI word of most cases
static volatile uint32_t gate;       // threads wait on it until main says go
static int me;

static void wait_gate(void)
{
    while (gate == 0)
        raw_syscall6(SYS_futex_, (long)&gate, PRIV(FUTEX_WAIT), 0, 0, 0, 0);
}

static void open_gate(void)
{
    gate = 1;
    raw_syscall6(SYS_futex_, (long)&gate, PRIV(FUTEX_WAKE), 100, 0, 0, 0);
}

// ---- thread bodies
static char order[8];
static volatile int order_len;

// Takes the lock (waiting), notes the word, lets go of it.
static void locker(struct thread *t)
{
    t->result = fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    t->seen = lock;
    order[order_len++] = (char)('A' + (t - thr));
    if (t->result == 0)
        fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL);
}

// The same, as a SCHED_FIFO thread of priority t->prio (if not 0).
static void rt_locker(struct thread *t)
{
    struct { int prio; } param = { t->prio };
    if (t->prio)
        t->seen = (uint32_t)raw_syscall6(SYS_sched_setscheduler, 0, 1 /* SCHED_FIFO */, (long)&param, 0, 0, 0);
    if (t->seen == 0)
        locker(t);
}

// Waits on the gate and ends: a live thread whose id can stand in a word.
static void idler(struct thread *t)
{
    (void)t;
    wait_gate();
}

static void quitter(struct thread *t)
{
    (void)t;
}

// ---- the cases
static void uncontended(void)
{
    lock = 0;
    report("LOCK_PI, free", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    yes("  the word is our tid", lock == (uint32_t)me);
    report("LOCK_PI, ours already", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    report("LOCK_PI2, ours already", fx(&lock, PRIV(FUTEX_LOCK_PI2), NULL));
    report("TRYLOCK_PI, ours already", fx(&lock, PRIV(FUTEX_TRYLOCK_PI), NULL));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    yes("  the word is 0", lock == 0);
    report("UNLOCK_PI, free", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("TRYLOCK_PI, free", fx(&lock, PRIV(FUTEX_TRYLOCK_PI), NULL));
    yes("  the word is our tid", lock == (uint32_t)me);
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("LOCK_PI2, free", fx(&lock, PRIV(FUTEX_LOCK_PI2), NULL));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("LOCK_PI shared, free", fx(&lock, FUTEX_LOCK_PI, NULL));
    report("UNLOCK_PI shared", fx(&lock, FUTEX_UNLOCK_PI, NULL));
    yes("  the word is 0", lock == 0);

    lock = OWNER_DIED;
    report("LOCK_PI, free with OWNER_DIED", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    yes("  the word is our tid | OWNER_DIED", lock == (me | OWNER_DIED));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    yes("  the word is 0", lock == 0);
    lock = WAITERS;
    report("LOCK_PI, free with WAITERS", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    yes("  the word is our tid", lock == (uint32_t)me);
    lock = me | WAITERS;
    report("UNLOCK_PI, WAITERS but nobody waits", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    yes("  the word is 0", lock == 0);
}

static void bad_words(void)
{
    volatile uint32_t *odd = (volatile uint32_t *)((char *)&lock + 1);
    report("LOCK_PI, misaligned", fx(odd, PRIV(FUTEX_LOCK_PI), NULL));
    report("TRYLOCK_PI, misaligned", fx(odd, PRIV(FUTEX_TRYLOCK_PI), NULL));
    report("UNLOCK_PI, misaligned (the word is read first)", fx(odd, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("LOCK_PI, NULL", fx(NULL, PRIV(FUTEX_LOCK_PI), NULL));
    report("LOCK_PI shared, NULL", fx(NULL, FUTEX_LOCK_PI, NULL));
    report("TRYLOCK_PI, NULL", fx(NULL, PRIV(FUTEX_TRYLOCK_PI), NULL));
    report("UNLOCK_PI, NULL", fx(NULL, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("LOCK_PI, kernel address", fx(bad_ptr(0xffffffff81000000ul), PRIV(FUTEX_LOCK_PI), NULL));

    uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[1] = me;
    page[2] = NO_THREAD;
    mprotect(page, 4096, PROT_READ);
    report("LOCK_PI, read-only page, free", fx(&page[0], PRIV(FUTEX_LOCK_PI), NULL));
    report("TRYLOCK_PI, read-only page, free", fx(&page[0], PRIV(FUTEX_TRYLOCK_PI), NULL));
    report("UNLOCK_PI, read-only page, ours", fx(&page[1], PRIV(FUTEX_UNLOCK_PI), NULL));
    report("UNLOCK_PI, read-only page, not ours", fx(&page[2], PRIV(FUTEX_UNLOCK_PI), NULL));
    mprotect(page, 4096, PROT_NONE);
    report("LOCK_PI, PROT_NONE page", fx(&page[1], PRIV(FUTEX_LOCK_PI), NULL));
    munmap(page, 4096);

    report("LOCK_PI | CLOCK_REALTIME", fx(&lock, PRIV(FUTEX_LOCK_PI) | FUTEX_CLOCK_REALTIME, NULL));
    report("TRYLOCK_PI | CLOCK_REALTIME", fx(&lock, PRIV(FUTEX_TRYLOCK_PI) | FUTEX_CLOCK_REALTIME, NULL));
    report("UNLOCK_PI | CLOCK_REALTIME", fx(&lock, PRIV(FUTEX_UNLOCK_PI) | FUTEX_CLOCK_REALTIME, NULL));
    yes("  the word is still 0", lock == 0);
}

static void no_owner(void)
{
    lock = NO_THREAD;
    report("LOCK_PI, owner tid names no thread", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    yes("  WAITERS was set all the same", lock == (NO_THREAD | WAITERS));
    report("TRYLOCK_PI, owner tid names no thread", fx(&lock, PRIV(FUTEX_TRYLOCK_PI), NULL));
    report("LOCK_PI2, owner tid names no thread", fx(&lock, PRIV(FUTEX_LOCK_PI2), NULL));
    report("UNLOCK_PI, someone else's", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    yes("  the word is unchanged", lock == (NO_THREAD | WAITERS));

    start(&thr[0], quitter);
    int gone = thr[0].rt.id;
    join(&thr[0]);
    lock = (uint32_t)gone;
    report("LOCK_PI, owner thread has exited", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    lock = 0;
}

// The lock held by a live thread that does not let go: the timeouts and trylock.
static void timeouts(void)
{
    gate = 0;
    start(&thr[0], idler);
    uint32_t holder = (uint32_t)thr[0].rt.id;
    lock = holder;

    struct timespec bad = { 0, 1000000000 };
    report("LOCK_PI, tv_nsec 1e9", fx(&lock, PRIV(FUTEX_LOCK_PI), &bad));
    report("LOCK_PI, timeout not readable", fx(&lock, PRIV(FUTEX_LOCK_PI), bad_ptr(8)));
    report("LOCK_PI2, tv_nsec 1e9", fx(&lock, PRIV(FUTEX_LOCK_PI2), &bad));
    yes("  the word untouched", lock == holder);
    bad = (struct timespec){ -1, 0 };
    report("LOCK_PI, tv_sec -1", fx(&lock, PRIV(FUTEX_LOCK_PI), &bad));
    report("TRYLOCK_PI, held (its timeout is not read)", fx(&lock, PRIV(FUTEX_TRYLOCK_PI), bad_ptr(8)));
    yes("  WAITERS is set now", lock == (holder | WAITERS));

    // t0 before the deadline is made: a wait that ends right at the deadline must count.
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec t = in_ms(CLOCK_REALTIME, 50);
    report("LOCK_PI, held, 50ms realtime deadline", fx(&lock, PRIV(FUTEX_LOCK_PI), &t));
    yes("  waited 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
    t = (struct timespec){ 1, 0 };
    report("LOCK_PI, held, deadline in 1970", fx(&lock, PRIV(FUTEX_LOCK_PI), &t));
    t0 = now_ns(CLOCK_MONOTONIC);
    t = in_ms(CLOCK_MONOTONIC, 50);
    report("LOCK_PI2, held, 50ms monotonic deadline", fx(&lock, PRIV(FUTEX_LOCK_PI2), &t));
    yes("  waited 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
    t0 = now_ns(CLOCK_MONOTONIC);
    t = in_ms(CLOCK_REALTIME, 50);
    report("LOCK_PI2 | CLOCK_REALTIME, held, 50ms", fx(&lock, PRIV(FUTEX_LOCK_PI2) | FUTEX_CLOCK_REALTIME, &t));
    yes("  waited 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
    yes("  the word still names the holder, with WAITERS", lock == (holder | WAITERS));

    lock = 0;
    t = (struct timespec){ 1, 0 };
    report("LOCK_PI, free, deadline in 1970", fx(&lock, PRIV(FUTEX_LOCK_PI), &t));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    open_gate();
    join(&thr[0]);
}

// Plain FUTEX_WAIT sleepers on a word then used as a PI lock: user space mixed them up.
static volatile uint32_t mixed;
static void plain_waiter(struct thread *t)
{
    t->result = raw_syscall6(SYS_futex_, (long)&mixed, PRIV(FUTEX_WAIT), (long)mixed, 0, 0, 0);
}

static void mixed_up(void)
{
    gate = 0;
    start(&thr[0], idler);
    mixed = (uint32_t)thr[0].rt.id;
    start(&thr[1], plain_waiter);
    wait_asleep(thr[1].rt.id);          // in FUTEX_WAIT
    report("LOCK_PI, a FUTEX_WAIT sleeper on the word", fx(&mixed, PRIV(FUTEX_LOCK_PI), NULL));
    report("TRYLOCK_PI, the same", fx(&mixed, PRIV(FUTEX_TRYLOCK_PI), NULL));
    mixed = me;
    report("UNLOCK_PI, the same", fx(&mixed, PRIV(FUTEX_UNLOCK_PI), NULL));
    report("FUTEX_WAKE the sleeper", raw_syscall6(SYS_futex_, (long)&mixed, PRIV(FUTEX_WAKE), 1, 0, 0, 0));
    join(&thr[1]);
    report("  its FUTEX_WAIT", thr[1].result);
    open_gate();
    join(&thr[0]);
}

// Two waiters queue behind us; each unlock hands the lock to the next, in arrival order.
static void handoff(void)
{
    lock = 0;
    order_len = 0;
    report("LOCK_PI", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    start(&thr[1], locker);
    yes("B waits (WAITERS set)", wait_bits(&lock, WAITERS));
    start(&thr[2], locker);
    wait_asleep(thr[2].rt.id);          // C queues behind B (the word does not show it)
    yes("the word is our tid | WAITERS", lock == (me | WAITERS));
    report("FUTEX_WAKE on the PI word", raw_syscall6(SYS_futex_, (long)&lock, PRIV(FUTEX_WAKE), 1, 0, 0, 0));
    lock = NO_THREAD | WAITERS;      // user space scribbles on a word the kernel knows
    report("LOCK_PI, word disagrees with the waiters' owner", fx(&lock, PRIV(FUTEX_LOCK_PI), NULL));
    report("UNLOCK_PI, not ours any more", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    lock = me | WAITERS;
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    join(&thr[1]);
    join(&thr[2]);
    order[order_len] = 0;
    printf("order: %s\n", order);
    report("B's LOCK_PI", thr[1].result);
    yes("  B saw its tid | WAITERS", thr[1].seen == (thr[1].seen & 0x3fffffff) + WAITERS &&
        (thr[1].seen & 0x3fffffff) != (uint32_t)me && (thr[1].seen & 0x3fffffff) != 0);
    report("C's LOCK_PI", thr[2].result);
    yes("  C saw its tid | WAITERS (set while the kernel knows the lock)",
        (thr[2].seen & WAITERS) && (thr[2].seen & 0x3fffffff) != (thr[1].seen & 0x3fffffff));
    yes("the word is 0 at the end", lock == 0);
}

// Real-time waiters get the lock first, the most urgent first (Linux's rt_mutex order);
// among the others, the first to come.
static void rt_order(void)
{
    lock = 0;
    order_len = 0;
    fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    int prios[3] = { 0, 10, 20 };
    for (int i = 0; i < 3; i++) {
        thr[i].prio = prios[i];
        thr[i].seen = 0;
        start(&thr[i], rt_locker);
        wait_asleep(thr[i].rt.id);      // in LOCK_PI, behind the ones before
    }
    yes("A, B (SCHED_FIFO 10), C (SCHED_FIFO 20) wait", lock == (me | WAITERS));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    for (int i = 0; i < 3; i++)
        join(&thr[i]);
    order[order_len] = 0;
    printf("order: %s\n", order);
    for (int i = 0; i < 3; i++) {
        printf("%c: ", 'A' + i);
        report("LOCK_PI", thr[i].result);
        thr[i].prio = 0;
    }
    yes("the word is 0 at the end", lock == 0);
}

// A signal to a thread waiting in LOCK_PI runs its handler; the wait goes on (no EINTR,
// even without SA_RESTART).
static volatile int handled;
static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void signalled(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    lock = 0;
    order_len = 0;
    fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    start(&thr[1], locker);
    yes("B waits", wait_bits(&lock, WAITERS));
    raw_syscall6(SYS_tgkill, getpid(), thr[1].rt.id, SIGUSR1, 0, 0, 0);
    for (int i = 0; i < 5000 && !handled; i++)
        pause_ms(1);
    wait_asleep(thr[1].rt.id);          // back in LOCK_PI
    yes("B's handler ran", handled == 1);
    yes("B still waits", thr[1].result == 12345 && lock == (me | WAITERS));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    join(&thr[1]);
    report("B's LOCK_PI", thr[1].result);
    signal(SIGUSR1, SIG_DFL);
}

// The owner exits holding the lock, with and without it on its robust list.
struct robust_lock { void *next; uint32_t word; };
struct robust_head { void *next; long futex_offset; void *pending; };
static struct robust_lock rlock;
static int robust;

static void owner(struct thread *t)
{
    struct robust_head *head = (void *)t->rt.stack;   // the stack's far end: unused
    if (robust) {
        head->next = (char *)&rlock.next + 1;      // bit 0: a PI lock
        head->futex_offset = 8;
        head->pending = NULL;
        rlock.next = head;
        raw_syscall6(SYS_set_robust_list_, (long)head, sizeof *head, 0, 0, 0, 0);
    }
    t->result = fx(&rlock.word, PRIV(FUTEX_LOCK_PI), NULL);
    wait_gate();
}

static void waiter(struct thread *t)
{
    t->result = fx(&rlock.word, PRIV(FUTEX_LOCK_PI), NULL);
    t->seen = rlock.word;
}

static void owner_dies(int with_robust_list, int with_waiter)
{
    robust = with_robust_list;
    rlock.word = 0;
    gate = 0;
    start(&thr[0], owner);
    int a = thr[0].rt.id;
    for (int i = 0; i < 5000 && thr[0].result == 12345; i++)   // it has the lock
        pause_ms(1);
    printf("owner %s robust list, %s waiter:\n", robust ? "on a" : "on no", with_waiter ? "a" : "no");
    report("  owner's LOCK_PI", thr[0].result);
    if (with_waiter) {
        start(&thr[1], waiter);
        yes("  waiter waits", wait_bits(&rlock.word, WAITERS));
    }
    open_gate();
    join(&thr[0]);
    if (with_waiter) {
        join(&thr[1]);
        report("  waiter's LOCK_PI", thr[1].result);
        uint32_t w = thr[1].seen;
        yes("  it saw its tid | WAITERS", (w & WAITERS) && (w & 0x3fffffff) && (w & 0x3fffffff) != (uint32_t)a);
        yes("  OWNER_DIED", (w & OWNER_DIED) != 0);
        return;
    }
    yes("  the word is OWNER_DIED alone", rlock.word == OWNER_DIED);
    yes("  the word is the dead owner's tid", rlock.word == (uint32_t)a);
    long r = fx(&rlock.word, PRIV(FUTEX_LOCK_PI), NULL);
    report("  LOCK_PI", r);
    yes("  the word is our tid | OWNER_DIED", rlock.word == (me | OWNER_DIED));
    if (r == 0)
        report("  UNLOCK_PI", fx(&rlock.word, PRIV(FUTEX_UNLOCK_PI), NULL));
}

// ---- FUTEX_WAIT_REQUEUE_PI / FUTEX_CMP_REQUEUE_PI: a condition variable's waiters, moved
// onto the PI lock (uaddr2) that they will take when they wake.
static volatile uint32_t cond;

static long wait_requeue(volatile uint32_t *c, uint32_t val, const struct timespec *ts,
                         volatile uint32_t *pi, int flags)
{
    return raw_syscall6(SYS_futex_, (long)c, PRIV(FUTEX_WAIT_REQUEUE_PI) | flags, val, (long)ts, (long)pi, 0);
}

static long cmp_requeue(volatile uint32_t *c, int nr_wake, long nr_requeue, volatile uint32_t *pi,
                        uint32_t val)
{
    return raw_syscall6(SYS_futex_, (long)c, PRIV(FUTEX_CMP_REQUEUE_PI), nr_wake, nr_requeue, (long)pi, val);
}

// Waits on cond for the requeue onto lock; takes note of the word once it has the lock.
static void cond_waiter(struct thread *t)
{
    t->result = wait_requeue(&cond, 0, NULL, &lock, 0);
    t->seen = lock;
    order[order_len++] = (char)('A' + (t - thr));
    if (t->result == 0)
        fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL);
}

static void requeue_errors(void)
{
    cond = 0;
    lock = 0;
    report("WAIT_REQUEUE_PI, uaddr2 == uaddr", wait_requeue(&cond, 0, NULL, &cond, 0));
    report("WAIT_REQUEUE_PI, value differs", wait_requeue(&cond, 1, NULL, &lock, 0));
    volatile uint32_t *odd = (volatile uint32_t *)((char *)&lock + 1);
    report("WAIT_REQUEUE_PI, uaddr2 misaligned", wait_requeue(&cond, 0, NULL, odd, 0));
    report("WAIT_REQUEUE_PI, uaddr misaligned", wait_requeue((volatile uint32_t *)((char *)&cond + 2), 0, NULL, &lock, 0));
    report("WAIT_REQUEUE_PI, uaddr NULL", wait_requeue(NULL, 0, NULL, &lock, 0));
    struct timespec bad = { 0, 1000000000 };
    report("WAIT_REQUEUE_PI, tv_nsec 1e9", wait_requeue(&cond, 0, &bad, &lock, 0));
    struct timespec t = in_ms(CLOCK_MONOTONIC, 50);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    report("WAIT_REQUEUE_PI, 50ms monotonic deadline", wait_requeue(&cond, 0, &t, &lock, 0));
    yes("  waited 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
    t = in_ms(CLOCK_REALTIME, 50);
    t0 = now_ns(CLOCK_MONOTONIC);
    report("WAIT_REQUEUE_PI | CLOCK_REALTIME, 50ms", wait_requeue(&cond, 0, &t, &lock, FUTEX_CLOCK_REALTIME));
    yes("  waited 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
    yes("  the PI word untouched", lock == 0);

    report("CMP_REQUEUE_PI, nobody waits", cmp_requeue(&cond, 1, 1, &lock, 0));
    report("CMP_REQUEUE_PI, value differs", cmp_requeue(&cond, 1, 1, &lock, 1));
    report("CMP_REQUEUE_PI, nr_wake 2", cmp_requeue(&cond, 2, 1, &lock, 0));
    report("CMP_REQUEUE_PI, nr_wake 0", cmp_requeue(&cond, 0, 1, &lock, 0));
    report("CMP_REQUEUE_PI, nr_requeue -1", cmp_requeue(&cond, 1, -1, &lock, 0));
    report("CMP_REQUEUE_PI, uaddr2 == uaddr", cmp_requeue(&cond, 1, 1, &cond, 0));
    report("CMP_REQUEUE_PI, uaddr2 misaligned", cmp_requeue(&cond, 1, 1, odd, 0));
    report("CMP_REQUEUE_PI, uaddr2 NULL", cmp_requeue(&cond, 1, 1, NULL, 0));
    report("CMP_REQUEUE_PI | CLOCK_REALTIME", raw_syscall6(SYS_futex_, (long)&cond,
           PRIV(FUTEX_CMP_REQUEUE_PI) | FUTEX_CLOCK_REALTIME, 1, 1, (long)&lock, 0));
}

// The lock is free: CMP_REQUEUE_PI takes it for the first waiter and wakes it.
static void requeue_free(void)
{
    cond = 0;
    lock = 0;
    order_len = 0;
    start(&thr[1], cond_waiter);
    wait_asleep(thr[1].rt.id);
    report("FUTEX_WAKE on the condition", raw_syscall6(SYS_futex_, (long)&cond, PRIV(FUTEX_WAKE), 1, 0, 0, 0));
    volatile uint32_t other = 0;
    report("CMP_REQUEUE_PI to another PI word", cmp_requeue(&cond, 1, 1, &other, 0));
    report("CMP_REQUEUE_PI, lock free", cmp_requeue(&cond, 1, 0, &lock, 0));
    join(&thr[1]);
    report("  the waiter's WAIT_REQUEUE_PI", thr[1].result);
    yes("  it saw its own tid alone", thr[1].seen == (uint32_t)thr[1].rt.id);
    yes("  the word is 0 after its unlock", lock == 0);
}

// The lock is held: both waiters move onto it, and get it one after the other.
static void requeue_held(void)
{
    cond = 0;
    lock = 0;
    order_len = 0;
    fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    start(&thr[1], cond_waiter);
    wait_asleep(thr[1].rt.id);
    start(&thr[2], cond_waiter);
    wait_asleep(thr[2].rt.id);
    cond = 1;
    report("CMP_REQUEUE_PI, lock held, requeue all", cmp_requeue(&cond, 1, 1000, &lock, 1));
    yes("  the word is our tid | WAITERS", lock == (me | WAITERS));
    report("  FUTEX_WAKE on the condition now", raw_syscall6(SYS_futex_, (long)&cond, PRIV(FUTEX_WAKE), 1, 0, 0, 0));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    join(&thr[1]);
    join(&thr[2]);
    order[order_len] = 0;
    printf("order: %s\n", order);
    report("  B's WAIT_REQUEUE_PI", thr[1].result);
    yes("  B saw its tid | WAITERS", thr[1].seen == (thr[1].rt.id | WAITERS));
    report("  C's WAIT_REQUEUE_PI", thr[2].result);
    yes("  C saw its tid | WAITERS", thr[2].seen == (thr[2].rt.id | WAITERS));
    yes("  the word is 0 at the end", lock == 0);
}

// The lock held, nr_requeue 0: one waiter moves onto the lock, one stays on the condition.
static void requeue_one(void)
{
    cond = 0;
    lock = 0;
    order_len = 0;
    fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    start(&thr[1], cond_waiter);
    wait_asleep(thr[1].rt.id);
    start(&thr[2], cond_waiter);
    wait_asleep(thr[2].rt.id);
    report("CMP_REQUEUE_PI, lock held, nr_requeue 0", cmp_requeue(&cond, 1, 0, &lock, 0));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    join(&thr[1]);
    report("  B's WAIT_REQUEUE_PI", thr[1].result);
    yes("  C still waits on the condition", thr[2].result == 12345);
    report("CMP_REQUEUE_PI, C next", cmp_requeue(&cond, 1, 0, &lock, 0));
    join(&thr[2]);
    report("  C's WAIT_REQUEUE_PI", thr[2].result);
    yes("  C saw its tid alone", thr[2].seen == (uint32_t)thr[2].rt.id);
    // The word names a thread that does not exist: the requeue cannot wait for it.
    start(&thr[1], cond_waiter);
    wait_asleep(thr[1].rt.id);
    lock = NO_THREAD;
    report("CMP_REQUEUE_PI, owner tid names no thread", cmp_requeue(&cond, 1, 1, &lock, 0));
    lock = 0;
    report("CMP_REQUEUE_PI, then free", cmp_requeue(&cond, 1, 1, &lock, 0));
    join(&thr[1]);
    report("  its WAIT_REQUEUE_PI", thr[1].result);
}

// A signal before the move: the handler runs and the wait goes on. After it, while the
// waiter waits for the lock: the call ends with EAGAIN (the condition was signalled).
static void requeue_signalled(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    cond = 0;
    lock = 0;
    order_len = 0;
    fx(&lock, PRIV(FUTEX_LOCK_PI), NULL);
    start(&thr[1], cond_waiter);
    wait_asleep(thr[1].rt.id);
    raw_syscall6(SYS_tgkill, getpid(), thr[1].rt.id, SIGUSR1, 0, 0, 0);
    for (int i = 0; i < 5000 && !handled; i++)
        pause_ms(1);
    wait_asleep(thr[1].rt.id);          // back in the wait
    yes("B's handler ran, B still waits", handled == 1 && thr[1].result == 12345);
    report("CMP_REQUEUE_PI, lock held", cmp_requeue(&cond, 1, 1, &lock, 0));
    pause_ms(100);
    raw_syscall6(SYS_tgkill, getpid(), thr[1].rt.id, SIGUSR1, 0, 0, 0);
    join(&thr[1]);
    yes("B's handler ran again", handled == 2);
    report("  B's WAIT_REQUEUE_PI, signalled after the move", thr[1].result);
    yes("  the word is still ours | WAITERS", lock == (me | WAITERS));
    report("UNLOCK_PI", fx(&lock, PRIV(FUTEX_UNLOCK_PI), NULL));
    yes("  the word is 0", lock == 0);
    signal(SIGUSR1, SIG_DFL);
}

// Two processes on a lock in MAP_SHARED memory (shared futexes: no PRIVATE flag): the
// child holds it while we wait, then unlocks, or exits still holding it.
static void across_processes(void)
{
    volatile uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    for (int dies = 0; dies < 2; dies++) {
        w[0] = 0;
        w[1] = 0;
        pid_t pid = fork();
        if (pid == 0) {
            long r = fx(w, FUTEX_LOCK_PI, NULL);
            w[1] = 1;
            while (!(w[0] & WAITERS))
                pause_ms(1);
            pause_ms(50);
            if (!dies)
                r = r ? r : fx(w, FUTEX_UNLOCK_PI, NULL);
            _exit(r == 0 ? 0 : 1);
        }
        while (!w[1])
            pause_ms(1);
        uint32_t child = w[0];
        printf("another process %s:\n", dies ? "exits holding the lock" : "unlocks");
        report("  LOCK_PI, shared, held by the other process", fx(w, FUTEX_LOCK_PI, NULL));
        yes("  the word is our tid | WAITERS", (w[0] & ~OWNER_DIED) == (me | WAITERS));
        yes("  OWNER_DIED", (w[0] & OWNER_DIED) != 0);
        yes("  the child's tid was there before", child != 0 && child != (uint32_t)me);
        wait_and_print("  the child", pid);
        report("  UNLOCK_PI, shared", fx(w, FUTEX_UNLOCK_PI, NULL));
        yes("  the word is 0", w[0] == 0);
    }
    munmap((void *)w, 4096);
}

int main(void)
{
    begin("t_futex_pi");
    default_signals();
    if (getpid() == 1)               // as init on Lantern: nobody has mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    me = gettid_();
    uncontended();
    bad_words();
    no_owner();
    timeouts();
    mixed_up();
    handoff();
    rt_order();
    signalled();
    owner_dies(0, 1);
    owner_dies(1, 1);
    owner_dies(1, 0);
    owner_dies(0, 0);
    requeue_errors();
    requeue_free();
    requeue_held();
    requeue_one();
    requeue_signalled();
    across_processes();
    return done();
}
