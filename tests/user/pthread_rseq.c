// pthread_rseq: restartable sequences (rseq(2)) and membarrier(2) as per-CPU data structures
// and userspace RCU use them. sched_getcpu (glibc reads its rseq area's cpu_id, musl makes
// the getcpu call) agrees with getcpu and with the area after each move to another CPU, in
// several threads at once; rseq's registration errors; per-CPU counters updated by rseq
// critical sections stay exact while the adders are preempted, moved between CPUs, and sent
// signals; membarrier's registrations and errors; a section is aborted by a signal (the
// handler's frame resumes at the abort address), a move, and membarrier's RSEQ command
// (before the call returns, on the spinner's CPU, on all with cpu -1).
// glibc registers an rseq area for every thread (<sys/rseq.h>'s __rseq_offset); musl does
// not, so with musl each thread registers its own. Only relations are printed - the host
// has 2 CPUs, Lantern 1 or 4 - never CPU numbers or counts. Linux is the oracle.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <sys/rseq.h>
#endif

#include "thr_util.h"

// <linux/rseq.h> and <linux/membarrier.h>'s ABI (musl-gcc has no kernel headers).
#define RSEQ_SIG 0x53053053
#define RSEQ_FLAG_UNREGISTER 1
struct lrseq {
    uint32_t cpu_id_start, cpu_id;
    uint64_t rseq_cs;
    uint32_t flags, node_id, mm_cid;
} __attribute__((aligned(32)));

enum {
    MB_QUERY = 0, MB_GLOBAL = 1 << 0, MB_GLOBAL_EXPEDITED = 1 << 1,
    MB_REGISTER_GLOBAL_EXPEDITED = 1 << 2, MB_PRIVATE_EXPEDITED = 1 << 3,
    MB_REGISTER_PRIVATE_EXPEDITED = 1 << 4, MB_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 5,
    MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 6, MB_PRIVATE_EXPEDITED_RSEQ = 1 << 7,
    MB_REGISTER_PRIVATE_EXPEDITED_RSEQ = 1 << 8, MB_GET_REGISTRATIONS = 1 << 9,
    MB_FLAG_CPU = 1 << 0,
};

static long membarrier(int cmd, unsigned flags, int cpu)
{
    return syscall(SYS_membarrier, cmd, flags, cpu);
}

static long sys_rseq(void *area, uint32_t len, int flags, uint32_t sig)
{
    return syscall(SYS_rseq, area, len, flags, sig);
}

// ---------------------------------------------------------------- the thread's rseq area

// Areas for the threads that register their own (musl's, or glibc's if it did not).
enum { MAXAREAS = 64 };
static struct lrseq areas[MAXAREAS];
static int areas_used;
static __thread struct lrseq *my_rseq;

// The calling thread's registered struct rseq, or NULL (said once, by the caller).
static struct lrseq *thread_rseq(void)
{
    if (my_rseq)
        return my_rseq;
#ifdef __GLIBC__
    if (__rseq_size > 0) {
        my_rseq = (struct lrseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
        return my_rseq;
    }
#endif
    int i = __atomic_fetch_add(&areas_used, 1, __ATOMIC_SEQ_CST);
    if (i >= MAXAREAS)
        return NULL;
    if (sys_rseq(&areas[i], sizeof areas[i], 0, RSEQ_SIG) != 0)
        return NULL;
    my_rseq = &areas[i];
    return my_rseq;
}

static uint32_t read_cpu_id(struct lrseq *rs)
{
    return __atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED);
}

// The CPUs the program may run on (the host's, or Lantern's 1 or 4).
enum { MAXCPU = 64 };
static int cpus[MAXCPU], ncpus;
static cpu_set_t all_cpus;

static int pin(pid_t tid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof set, &set);
}

static void unpin(pid_t tid)
{
    sched_setaffinity(tid, sizeof all_cpus, &all_cpus);
}

static int raw_getcpu_node(unsigned *node)
{
    unsigned cpu = ~0u;
    *node = ~0u;
    if (syscall(SYS_getcpu, &cpu, node, NULL) < 0)
        return -1;
    return (int)cpu;
}

static int raw_getcpu(void)
{
    unsigned node;
    return raw_getcpu_node(&node);
}

// ---------------------------------------------------------------- 1. sched_getcpu

enum { NHOPPERS = 4, ROUNDS = 5 };
static int hop_bad_sched, hop_bad_getcpu, hop_bad_rseq, hop_bad_node, hop_bad_cid, hop_no_area, hop_go;

static void *hopper_main(void *arg)
{
    (void)arg;
    struct lrseq *rs = thread_rseq();
    if (!rs) {
        __atomic_add_fetch(&hop_no_area, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    while (!__atomic_load_n(&hop_go, __ATOMIC_ACQUIRE))
        sched_yield();
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < ncpus; i++) {
            int c = cpus[(i + round) % ncpus];
            if (pin(0, c) != 0) {
                __atomic_add_fetch(&hop_bad_sched, 1, __ATOMIC_SEQ_CST);
                continue;
            }
            // Pinned to one CPU: every way of asking must name it, each time.
            for (int k = 0; k < 3; k++) {
                if (sched_getcpu() != c)
                    __atomic_add_fetch(&hop_bad_sched, 1, __ATOMIC_SEQ_CST);
                unsigned node;
                if (raw_getcpu_node(&node) != c)
                    __atomic_add_fetch(&hop_bad_getcpu, 1, __ATOMIC_SEQ_CST);
                if (__atomic_load_n(&rs->node_id, __ATOMIC_RELAXED) != node)
                    __atomic_add_fetch(&hop_bad_node, 1, __ATOMIC_SEQ_CST);
                if (__atomic_load_n(&rs->mm_cid, __ATOMIC_RELAXED) >= (uint32_t)ncpus)
                    __atomic_add_fetch(&hop_bad_cid, 1, __ATOMIC_SEQ_CST);
                if (read_cpu_id(rs) != (uint32_t)c ||
                    __atomic_load_n(&rs->cpu_id_start, __ATOMIC_RELAXED) != (uint32_t)c)
                    __atomic_add_fetch(&hop_bad_rseq, 1, __ATOMIC_SEQ_CST);
                sched_yield();
            }
        }
    }
    return NULL;
}

static void getcpu_section(void)
{
    printf("-- sched_getcpu, getcpu and rseq's cpu_id, pinned to each CPU in turn\n");
    struct lrseq *rs = thread_rseq();
    yes("the main thread has an rseq area", rs != NULL);
    if (rs) {
        // Pinned where it is, so that nothing moves it between the two looks.
        int c = raw_getcpu();
        pin(0, c);
        yes("cpu_id is where getcpu says the thread runs", read_cpu_id(rs) == (uint32_t)c);
        yes("cpu_id_start equals cpu_id", rs->cpu_id_start == rs->cpu_id);
        yes("rseq_cs is 0 outside a section", rs->rseq_cs == 0);
        unsigned node;
        raw_getcpu_node(&node);
        yes("node_id is getcpu's node", rs->node_id == node);
        yes("mm_cid of a process of one thread is 0", rs->mm_cid == 0);
        unpin(0);
    }
    pthread_t t[NHOPPERS];
    for (int i = 0; i < NHOPPERS; i++)
        check_rc("create hopper", pthread_create(&t[i], NULL, hopper_main, NULL));
    __atomic_store_n(&hop_go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < NHOPPERS; i++)
        pthread_join(t[i], NULL);
    yes("every hopper had an rseq area", hop_no_area == 0);
    yes("sched_getcpu named the pinned CPU every time", hop_bad_sched == 0);
    yes("the getcpu call named the pinned CPU every time", hop_bad_getcpu == 0);
    yes("rseq's cpu_id and cpu_id_start named it every time", hop_bad_rseq == 0);
    yes("node_id was getcpu's node every time", hop_bad_node == 0);
    yes("mm_cid was below the number of CPUs allowed every time", hop_bad_cid == 0);
}

// ---------------------------------------------------------------- mm_cid, packed from 0
// mm_cid is a small id unique among the process's threads on a CPU at the moment: below
// the number of its threads, whatever CPUs they run on. Two threads (main and one more),
// pinned to the last two CPUs allowed, read theirs while they spin and yield. (Lantern
// once gave a thread of a threaded process its CPU's number: 2 and 3 at -smp 4.)
enum { CID_READS = 20000 };
static int cid_too_big, cid_no_area;

static void cid_reads(int cpu)
{
    struct lrseq *rs = thread_rseq();
    if (!rs) {
        __atomic_add_fetch(&cid_no_area, 1, __ATOMIC_SEQ_CST);
        return;
    }
    pin(0, cpu);
    for (int i = 0; i < CID_READS; i++) {
        if (__atomic_load_n(&rs->mm_cid, __ATOMIC_RELAXED) >= 2)
            __atomic_add_fetch(&cid_too_big, 1, __ATOMIC_SEQ_CST);
        if (i % 1000 == 999)
            sched_yield();
    }
}

static void *cid_thread(void *arg)
{
    cid_reads((int)(intptr_t)arg);
    return NULL;
}

static void cid_section(void)
{
    printf("-- mm_cid of two threads pinned to the last two CPUs\n");
    pthread_t t;
    check_rc("create", pthread_create(&t, NULL, cid_thread,
                                      (void *)(intptr_t)cpus[ncpus > 1 ? ncpus - 2 : 0]));
    cid_reads(cpus[ncpus - 1]);
    pthread_join(t, NULL);
    unpin(0);
    yes("both threads had an rseq area", cid_no_area == 0);
    yes("mm_cid was below the number of threads every time", cid_too_big == 0);
}

// ---------------------------------------------------------------- rseq registration errors

static struct lrseq spare;
static char misaligned_buf[96] __attribute__((aligned(32)));

static void *errors_main(void *arg)
{
    (void)arg;
    pin(0, cpus[ncpus - 1]);                 // (nothing moves it between two looks)
    struct lrseq *rs = thread_rseq();
    yes("the thread has an rseq area", rs != NULL);
    if (!rs)
        return NULL;
    check("register a second area", sys_rseq(&spare, 32, 0, RSEQ_SIG));
    // glibc 2.36 registers 32 bytes, as musl threads here do: the same answers for both.
    check("register the same area again", sys_rseq(rs, 32, 0, RSEQ_SIG));
    check("register the same area, another signature", sys_rseq(rs, 32, 0, RSEQ_SIG + 1));
    check("register the same area, another length", sys_rseq(rs, 64, 0, RSEQ_SIG));
    check("flags 2", sys_rseq(rs, 32, 2, RSEQ_SIG));
    check("unregister, another signature", sys_rseq(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1));
    check("unregister another area", sys_rseq(&spare, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    check("unregister, flags 3", sys_rseq(rs, 32, RSEQ_FLAG_UNREGISTER | 2, RSEQ_SIG));
    check("unregister", sys_rseq(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    yes("  cpu_id is then -1 (uninitialized)", rs->cpu_id == (uint32_t)-1);
    check("unregister again", sys_rseq(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    check("register a misaligned area", sys_rseq(misaligned_buf + 8, 32, 0, RSEQ_SIG));
    check("register a short area", sys_rseq(&spare, 16, 0, RSEQ_SIG));
    check("register an unmapped area", sys_rseq(bad_address(), 32, 0, RSEQ_SIG));
    check("register a kernel address", sys_rseq((void *)0xffffffff81000000UL, 32, 0, RSEQ_SIG));
    // sched_getcpu must work without one (glibc falls back to the call when cpu_id is -1).
    yes("sched_getcpu without an area equals getcpu", sched_getcpu() == raw_getcpu());
    check("register another area", sys_rseq(&spare, 32, 0, RSEQ_SIG));
    yes("  its cpu_id is then where getcpu says", spare.cpu_id == (uint32_t)raw_getcpu());
    // Leave it registered: glibc's area is the thread's own again only if we give it back.
    check("unregister it", sys_rseq(&spare, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    check("register the first area again", sys_rseq(rs, 32, 0, RSEQ_SIG));
    yes("  its cpu_id is where getcpu says", rs->cpu_id == (uint32_t)raw_getcpu());
    return NULL;
}

static void errors_section(void)
{
    printf("-- rseq registration and its errors (in a thread of its own)\n");
    pthread_t t;
    int rc = pthread_create(&t, NULL, errors_main, NULL);
    if (rc)
        check_rc("create", rc);
    else
        pthread_join(t, NULL);
}

// ---------------------------------------------------------------- 2. per-CPU counters

struct counter {
    long v;
    char pad[56];
} __attribute__((aligned(64)));
static struct counter counters[MAXCPU];

// One rseq critical section: counters[cpu_id].v += 1, committed by the one store at its end.
// 0 done, 1 aborted (the thread was switched out, moved or signalled inside it: try again),
// 2 cpu_id out of range. The descriptor: version 0, flags 0, start_ip, post_commit_offset,
// abort_ip; the 4 bytes before abort_ip are the signature (a ud1 instruction carrying it, as
// Linux's selftests do). Between the load and the store a little work, so that preemption
// and signals land inside now and then.
static __attribute__((noinline)) int percpu_inc(struct lrseq *rs, struct counter *c)
{
    __asm__ __volatile__ goto(
        ".pushsection __rseq_cs, \"aw\"\n\t"
        ".balign 32\n\t"
        "3:\n\t"
        ".long 0, 0\n\t"
        ".quad 1f, (2f - 1f), 4f\n\t"
        ".popsection\n\t"
        "leaq 3b(%%rip), %%rax\n\t"
        "movq %%rax, 8(%[rs])\n\t"
        "1:\n\t"
        "movl 4(%[rs]), %%eax\n\t"
        "cmpl %[max], %%eax\n\t"
        "jae %l[range]\n\t"
        "shlq $6, %%rax\n\t"
        "movq (%[c], %%rax), %%rcx\n\t"
        "movl $100, %%edx\n\t"
        "5:\n\t"
        "decl %%edx\n\t"
        "jnz 5b\n\t"
        "addq $1, %%rcx\n\t"
        "movq %%rcx, (%[c], %%rax)\n\t"
        "2:\n\t"
        ".pushsection __rseq_failure, \"ax\"\n\t"
        ".byte 0x0f, 0xb9, 0x3d\n\t"
        ".long 0x53053053\n\t"
        "4:\n\t"
        "jmp %l[aborted]\n\t"
        ".popsection\n\t"
        :
        : [rs] "r"(rs), [c] "r"(c), [max] "i"(MAXCPU)
        : "rax", "rcx", "rdx", "memory", "cc"
        : aborted, range);
    return 0;
aborted:
    return 1;
range:
    return 2;
}

enum { NADDERS = 6, ADDS = 200000 };
static pid_t adder_tids[NADDERS];
static int adders_ready, adders_finished, adders_go, add_no_area, add_range;
static volatile sig_atomic_t signals_seen;

static void count_signal(int sig)
{
    (void)sig;
    signals_seen = signals_seen + 1;
}

static void *adder_main(void *arg)
{
    int idx = (int)(intptr_t)arg;
    adder_tids[idx] = gettid_();
    struct lrseq *rs = thread_rseq();
    __atomic_add_fetch(&adders_ready, 1, __ATOMIC_SEQ_CST);
    if (!rs) {
        __atomic_add_fetch(&add_no_area, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&adders_finished, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    while (!__atomic_load_n(&adders_go, __ATOMIC_ACQUIRE))
        sched_yield();
    for (int i = 0; i < ADDS; i++) {
        int r;
        while ((r = percpu_inc(rs, counters)) == 1)
            ;                                // aborted: again
        if (r == 2) {
            __atomic_add_fetch(&add_range, 1, __ATOMIC_SEQ_CST);
            break;
        }
    }
    __atomic_add_fetch(&adders_finished, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

// Moves the adders from CPU to CPU, and signals them if with_signals, until they are done.
static int with_signals;
static void *disturber_main(void *arg)
{
    (void)arg;
    long long deadline = now_ns(CLOCK_MONOTONIC) + 20000000000LL;
    // The first round before the adders start: with signals, each has one waiting at its
    // first add.
    for (int n = 0; __atomic_load_n(&adders_finished, __ATOMIC_ACQUIRE) < NADDERS; n++) {
        for (int i = 0; i < NADDERS; i++) {
            pin(adder_tids[i], cpus[(n + i) % ncpus]);
            if (with_signals)
                syscall(SYS_tgkill, getpid(), adder_tids[i], SIGUSR1);
        }
        __atomic_store_n(&adders_go, 1, __ATOMIC_RELEASE);
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
        if (now_ns(CLOCK_MONOTONIC) > deadline) {
            printf("the adders are still adding after 20 s\n");
            break;
        }
    }
    for (int i = 0; i < NADDERS; i++)
        unpin(adder_tids[i]);
    return NULL;
}

// One round: NADDERS adders, each ADDS adds, moved around (and signalled). Without signals,
// only the aborts on a switch (preemption: more adders than CPUs) and on a move keep the sum
// exact; with them, the aborts on a signal's delivery too.
static void counters_round(int signals)
{
    memset(counters, 0, sizeof counters);
    adders_ready = adders_finished = adders_go = add_no_area = add_range = 0;
    signals_seen = 0;
    with_signals = signals;
    pthread_t t[NADDERS], d;
    for (int i = 0; i < NADDERS; i++) {
        int rc = pthread_create(&t[i], NULL, adder_main, (void *)(intptr_t)i);
        if (rc) {
            check_rc("create adder", rc);
            return;
        }
    }
    while (__atomic_load_n(&adders_ready, __ATOMIC_ACQUIRE) < NADDERS)
        sched_yield();
    check_rc("create disturber", pthread_create(&d, NULL, disturber_main, NULL));
    for (int i = 0; i < NADDERS; i++)
        pthread_join(t[i], NULL);
    pthread_join(d, NULL);
    long sum = 0;
    for (int i = 0; i < MAXCPU; i++)
        sum += counters[i].v;
    yes("  every adder had an rseq area", add_no_area == 0);
    yes("  cpu_id was always a CPU", add_range == 0);
    yes("  the counters' sum is exactly adders * adds", sum == (long)NADDERS * ADDS);
    if (signals)
        yes("  the adders were signalled", signals_seen > 0);
}

static void counters_section(void)
{
    printf("-- per-CPU counters by restartable sequences: %d adders, %d adds each\n", NADDERS, ADDS);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    printf("the adders moved from CPU to CPU\n");
    counters_round(0);
    printf("the adders moved and signalled\n");
    counters_round(1);
    signal(SIGUSR1, SIG_DFL);
}

static void print_mask(const char *what, long r);

// ---------------------------------------------------------------- 3. aborting a section

// The spinner's section, its gen-th: it stores gen in inside, then loops there until done
// is gen - the kick for this very section is over, and it is still inside: the kick did
// not abort it (0) - or until give_up is set (0 too). Only an abort (1) gets it out
// otherwise.
static int inside, done_gen, kick_gen, give_up;
static uint64_t spin_cs;                    // the descriptor's address, for the handler
static __attribute__((noinline)) int spin_in_section(struct lrseq *rs, int gen)
{
    __asm__ __volatile__ goto(
        ".pushsection __rseq_cs, \"aw\"\n\t"
        ".balign 32\n\t"
        "3:\n\t"
        ".long 0, 0\n\t"
        ".quad 1f, (2f - 1f), 4f\n\t"
        ".popsection\n\t"
        "leaq 3b(%%rip), %%rax\n\t"
        "movq %%rax, %[desc]\n\t"
        "movq %%rax, 8(%[rs])\n\t"
        "1:\n\t"
        "movl %[gen], %[inside]\n\t"
        "5:\n\t"
        "pause\n\t"
        "cmpl %[gen], %[done]\n\t"
        "je 2f\n\t"
        "cmpl $0, %[give_up]\n\t"
        "je 5b\n\t"
        "2:\n\t"
        ".pushsection __rseq_failure, \"ax\"\n\t"
        ".byte 0x0f, 0xb9, 0x3d\n\t"
        ".long 0x53053053\n\t"
        "4:\n\t"
        "jmp %l[aborted]\n\t"
        ".popsection\n\t"
        :
        : [rs] "r"(rs), [gen] "r"(gen), [desc] "m"(spin_cs), [inside] "m"(inside),
          [done] "m"(done_gen), [give_up] "m"(give_up)
        : "rax", "memory", "cc"
        : aborted);
    return 0;
aborted:
    return 1;
}

enum { KICK_SIGNAL, KICK_MOVE, KICK_MEMBARRIER, KICK_MEMBARRIER_CPU, KICK_MEMBARRIER_CPU_ALL };
static int spinner_result, spinner_no_area, handler_hit;
static pid_t spinner_tid;

static void spin_handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    // Only a signal that found the spinner inside its section counts: its frame must resume
    // at abort_ip, not inside the section (the kernel has cleared rseq_cs by now).
    const uint64_t *desc = (const uint64_t *)spin_cs;
    if ((uint64_t)uc->uc_mcontext.gregs[REG_RIP] == desc[3])
        __atomic_store_n(&handler_hit, 1, __ATOMIC_SEQ_CST);
}

// The spinner enters its section again after each abort that came before a kick (the host
// may preempt it any time; Lantern switches even a lone thread out and in again at the end
// of its time slice; with one CPU, this thread's running does): it is done at the first
// abort of a section that a kick was aimed at - for a signal, the first whose handler found
// it inside.
static void *spinner_main(void *arg)
{
    int kind = (int)(intptr_t)arg;
    pin(0, cpus[0]);
    __atomic_store_n(&spinner_tid, gettid_(), __ATOMIC_SEQ_CST);
    struct lrseq *rs = thread_rseq();
    if (!rs) {
        spinner_no_area = 1;
        __atomic_store_n(&inside, 1, __ATOMIC_SEQ_CST);
        __atomic_store_n(&spinner_result, 0, __ATOMIC_SEQ_CST);
        return NULL;
    }
    for (int gen = 1;; gen++) {
        int r = spin_in_section(rs, gen);
        if (r == 0 || (kind == KICK_SIGNAL ? __atomic_load_n(&handler_hit, __ATOMIC_SEQ_CST) :
                                            __atomic_load_n(&kick_gen, __ATOMIC_SEQ_CST) >= gen)) {
            __atomic_store_n(&spinner_result, r, __ATOMIC_SEQ_CST);
            break;
        }
    }
    rs->rseq_cs = 0;
    return NULL;
}

// A spinner on the first CPU, this thread on another if there is one; kick; the spinner must
// come out through its abort address. With one CPU, the spinner is switched out whenever this
// thread runs, which aborts the section too: the same lines either way. Each kick is aimed at
// the section the spinner said it was in (kick_gen, before); once the kick has returned, that
// section must be over (done_gen, after: a spinner still inside sees it and leaves through
// its end) - membarrier returns once every thread of the process on another CPU has taken
// its IPI, on whose way back to user mode it aborts. (Not checked for a signal, which may be
// delivered later, nor for a move: Linux's sched_setaffinity returns once the thread is off
// the CPU it may no longer use, Lantern's once that CPU has been told to let it go.) The
// kick is repeated every 50 ms (the spinner may have been aborted by something else first,
// and gone on in another section), for at most 5 s, generous: then the spinner is told to
// give up, and a kernel that never aborts says so.
static void abort_case(const char *what, int kind)
{
    int a = cpus[0], b = ncpus > 1 ? cpus[1] : cpus[0], to = ncpus > 2 ? cpus[2] : b;
    pin(0, b);
    __atomic_store_n(&inside, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&give_up, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&kick_gen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&done_gen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&handler_hit, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&spinner_result, -1, __ATOMIC_SEQ_CST);
    pthread_t t;
    int rc = pthread_create(&t, NULL, spinner_main, (void *)(intptr_t)kind);
    if (rc) {
        check_rc("create spinner", rc);
        return;
    }
    while (!__atomic_load_n(&inside, __ATOMIC_SEQ_CST))
        sleep_ms(1);
    long long deadline = now_ns(CLOCK_MONOTONIC) + 5000000000LL;
    int gave_up = 0;
    for (int n = 0; __atomic_load_n(&spinner_result, __ATOMIC_SEQ_CST) < 0; n++) {
        if (n % 50 == 0) {
            // This thread's wakeup may disturb the spinner's CPU too (a timer interrupt
            // there, a switch): a kick aimed at a section that something else is about to
            // abort would prove nothing. So the section must still be the same after 1 ms
            // of this thread's spinning on its own CPU.
            int gen;
            for (int tries = 0;; tries++) {
                gen = __atomic_load_n(&inside, __ATOMIC_SEQ_CST);
                long long settle = now_ns(CLOCK_MONOTONIC) + 1000000;
                while (now_ns(CLOCK_MONOTONIC) < settle)
                    __builtin_ia32_pause();
                if (gen == __atomic_load_n(&inside, __ATOMIC_SEQ_CST) || tries == 100)
                    break;
            }
            __atomic_store_n(&kick_gen, gen, __ATOMIC_SEQ_CST);
            long r = 0;
            switch (kind) {
            case KICK_SIGNAL:
                r = pthread_kill(t, SIGUSR2) == 0 ? 0 : -1;
                break;
            case KICK_MOVE:
                r = pin(spinner_tid, (n / 50) % 2 ? a : to);
                break;
            case KICK_MEMBARRIER:
                r = membarrier(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0);
                break;
            case KICK_MEMBARRIER_CPU:
                r = membarrier(MB_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, a);
                break;
            case KICK_MEMBARRIER_CPU_ALL:
                r = membarrier(MB_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, -1);
                break;
            }
            int e = errno;
            if (kind >= KICK_MEMBARRIER)      // (the membarrier kicks)
                __atomic_store_n(&done_gen, gen, __ATOMIC_SEQ_CST);
            errno = e;
            if (n == 0)
                check(what, r);
        }
        if (now_ns(CLOCK_MONOTONIC) > deadline) {
            __atomic_store_n(&give_up, 1, __ATOMIC_SEQ_CST);
            gave_up = 1;
            break;
        }
        sleep_ms(1);
    }
    pthread_join(t, NULL);
    if (spinner_no_area)
        printf("  the spinner has no rseq area\n");
    yes("  the spinner left through its abort address", spinner_result == 1);
    if (kind == KICK_SIGNAL)
        yes("  a handler found it there, its frame resuming at the abort address", handler_hit);
    if (gave_up)
        printf("  (it was still spinning in its section after 5 s)\n");
    else if (spinner_result == 0)
        printf("  (it was still in the section the kick was aimed at, after the kick)\n");
    unpin(0);
}

static void abort_section(void)
{
    printf("-- a critical section aborted: signal, move, membarrier's RSEQ command\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = spin_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    abort_case("signal the spinner", KICK_SIGNAL);
    abort_case("move the spinner to another CPU", KICK_MOVE);
    check("register PRIVATE_EXPEDITED_RSEQ", membarrier(MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    print_mask("  GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    abort_case("PRIVATE_EXPEDITED_RSEQ", KICK_MEMBARRIER);
    abort_case("PRIVATE_EXPEDITED_RSEQ, FLAG_CPU, the spinner's CPU", KICK_MEMBARRIER_CPU);
    abort_case("PRIVATE_EXPEDITED_RSEQ, FLAG_CPU, cpu -1", KICK_MEMBARRIER_CPU_ALL);
    signal(SIGUSR2, SIG_DFL);
}

// ---------------------------------------------------------------- membarrier's commands

static void print_mask(const char *what, long r)
{
    int e = errno;
    if (r < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: %#lx\n", what, r);
}

static void registrations_child(void)
{
    print_mask("  in a forked child, GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    check("  in a forked child, PRIVATE_EXPEDITED", membarrier(MB_PRIVATE_EXPEDITED, 0, 0));
}

static void membarrier_section(void)
{
    printf("-- membarrier: QUERY, registrations, errors\n");
    print_mask("QUERY", membarrier(MB_QUERY, 0, 0));
    print_mask("GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    check("PRIVATE_EXPEDITED, not registered", membarrier(MB_PRIVATE_EXPEDITED, 0, 0));
    check("PRIVATE_EXPEDITED_SYNC_CORE, not registered", membarrier(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    check("PRIVATE_EXPEDITED_RSEQ, not registered", membarrier(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    check("QUERY, flags 1", membarrier(MB_QUERY, 1, 0));
    check("PRIVATE_EXPEDITED, FLAG_CPU", membarrier(MB_PRIVATE_EXPEDITED, MB_FLAG_CPU, 0));
    check("PRIVATE_EXPEDITED_RSEQ, flags 2", membarrier(MB_PRIVATE_EXPEDITED_RSEQ, 2, 0));
    check("two commands at once", membarrier(MB_GLOBAL | MB_PRIVATE_EXPEDITED, 0, 0));
    check("command 1 << 10", membarrier(1 << 10, 0, 0));
    check("command -1", membarrier(-1, 0, 0));
    check("GLOBAL", membarrier(MB_GLOBAL, 0, 0));
    check("GLOBAL_EXPEDITED, nobody registered", membarrier(MB_GLOBAL_EXPEDITED, 0, 0));
    check("register PRIVATE_EXPEDITED_SYNC_CORE", membarrier(MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    print_mask("  GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    check("  PRIVATE_EXPEDITED_SYNC_CORE", membarrier(MB_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    check("  PRIVATE_EXPEDITED", membarrier(MB_PRIVATE_EXPEDITED, 0, 0));
    check("register PRIVATE_EXPEDITED", membarrier(MB_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    print_mask("  GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    check("  PRIVATE_EXPEDITED", membarrier(MB_PRIVATE_EXPEDITED, 0, 0));
    check("  PRIVATE_EXPEDITED_RSEQ", membarrier(MB_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    check("register PRIVATE_EXPEDITED again", membarrier(MB_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    check("register GLOBAL_EXPEDITED", membarrier(MB_REGISTER_GLOBAL_EXPEDITED, 0, 0));
    print_mask("  GET_REGISTRATIONS", membarrier(MB_GET_REGISTRATIONS, 0, 0));
    check("  GLOBAL_EXPEDITED", membarrier(MB_GLOBAL_EXPEDITED, 0, 0));
    check("register with flags 1", membarrier(MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 1, 0));
    in_child("forked child", registrations_child);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_rseq");
    sched_getaffinity(0, sizeof all_cpus, &all_cpus);
    for (int c = 0; c < CPU_SETSIZE && ncpus < MAXCPU; c++)
        if (CPU_ISSET(c, &all_cpus))
            cpus[ncpus++] = c;
    yes("at least one CPU allowed", ncpus > 0);
    getcpu_section();
    cid_section();
    errors_section();
    counters_section();
    membarrier_section();
    abort_section();
    return done();
}
