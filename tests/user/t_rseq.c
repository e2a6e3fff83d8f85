// t_rseq.c: restartable sequences (rseq(2)). Registration and its errors; cpu_id kept true
// as the process moves between CPUs; a critical section cut short by a signal or by being
// switched out resumes at its abort address (with rseq_cs cleared), one that runs through
// does not; a bad descriptor, a forged signature, or an unmapped struct rseq is SIGSEGV.
// Our libc registers no rseq of its own (glibc would), so each step registers its own.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define SYS_rseq_ 334
#define RSEQ_SIG 0x53053053u
#define RSEQ_FLAG_UNREGISTER 1

struct rseq_area {
    uint32_t cpu_id_start, cpu_id;
    uint64_t rseq_cs;
    uint32_t flags, node_id, mm_cid;
} __attribute__((aligned(32)));

struct rseq_cs {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
} __attribute__((aligned(32)));

static struct rseq_area rs;

static long rseq(void *area, unsigned len, int flags, unsigned sig)
{
    return syscall(SYS_rseq_, area, len, flags, sig);
}

// spin_in_section(&rs, count, &flag, &cs): points rs.rseq_cs at cs (the section's own
// descriptor, good_cs, or a spoiled copy), then, inside the section, counts down from
// count, stopping early when flag is set. 0: it ran through; 1: it resumed at the abort
// address. The signature precedes the abort address, as the kernel checks.
int spin_in_section(struct rseq_area *r, long count, volatile int *flag, const struct rseq_cs *cs);
extern char section_start[], section_end[], section_abort[];
__asm__(
    "    .text\n"
    "    .globl spin_in_section\n"
    "spin_in_section:\n"
    "    movq %rcx, 8(%rdi)\n"
    "section_start:\n"
    "    cmpl $0, (%rdx)\n"
    "    jne section_end\n"
    "    subq $1, %rsi\n"
    "    jnz section_start\n"
    "section_end:\n"
    "    xorl %eax, %eax\n"
    "    ret\n"
    "    .long 0x53053053\n"
    "section_abort:\n"
    "    movl $1, %eax\n"
    "    ret\n"
    );

static struct rseq_cs good_cs, bad_cs;
static const char *self_path;

static void make_descriptors(void)
{
    good_cs = (struct rseq_cs){ 0, 0, (uint64_t)section_start,
                                (uint64_t)(section_end - section_start), (uint64_t)section_abort };
}

static volatile int flag;
static volatile uint64_t handler_rip;

static void on_alarm(int sig, siginfo_t *info, void *ucv)
{
    (void)sig;
    (void)info;
    ucontext_t *uc = ucv;
    handler_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    flag = 1;
}

static void pin(int cpu)
{
    unsigned long m = 1UL << cpu;
    syscall(SYS_sched_setaffinity, 0, sizeof m, &m);
}

static int current_cpu(void)
{
    unsigned cpu = 99;
    syscall(SYS_getcpu, &cpu, NULL, NULL);
    return (int)cpu;
}

static void registration(void)
{
    check("rseq 32 bytes", rseq(&rs, 32, 0, RSEQ_SIG));
    yes("cpu_id is getcpu's", rs.cpu_id == (uint32_t)current_cpu());
    yes("cpu_id_start is too", rs.cpu_id_start == rs.cpu_id);
    yes("node_id 0", rs.node_id == 0);
    check("rseq again", rseq(&rs, 32, 0, RSEQ_SIG));
    check("rseq again, another signature", rseq(&rs, 32, 0, RSEQ_SIG + 1));
    check("rseq again, another length", rseq(&rs, 64, 0, RSEQ_SIG));
    static struct rseq_area other;
    check("rseq another area", rseq(&other, 32, 0, RSEQ_SIG));
    check("rseq flags 2", rseq(&rs, 32, 2, RSEQ_SIG));
    check("unregister, another signature", rseq(&rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1));
    check("unregister, another length", rseq(&rs, 64, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    check("unregister, another area", rseq(&other, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    check("unregister, flags 3", rseq(&rs, 32, 3, RSEQ_SIG));
    check("unregister", rseq(&rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    yes("cpu_id now -1", rs.cpu_id == 0xffffffffu);
    yes("cpu_id_start now 0", rs.cpu_id_start == 0);
    check("unregister again", rseq(&rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));

    static char buf[256] __attribute__((aligned(64)));
    check("rseq 16 bytes", rseq(buf, 16, 0, RSEQ_SIG));
    check("rseq 31 bytes", rseq(buf, 31, 0, RSEQ_SIG));
    check("rseq 32 bytes, 16-aligned", rseq(buf + 16, 32, 0, RSEQ_SIG));
    check("rseq 64 bytes, 16-aligned", rseq(buf + 16, 64, 0, RSEQ_SIG));
    check("rseq into the kernel", rseq(bad_ptr(0xffffffff81000000UL), 32, 0, RSEQ_SIG));
    check("rseq running past user space", rseq(bad_ptr(0x7fffffffffe0UL), 64, 0, RSEQ_SIG));
    check("rseq 64 bytes", rseq(buf, 64, 0, RSEQ_SIG));
    check("unregister it", rseq(buf, 64, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
}

// cpu_id follows the process from CPU to CPU (pinned to each one it may use).
static void follows_the_cpu(void)
{
    unsigned long all = 0;
    syscall(SYS_sched_getaffinity, 0, sizeof all, &all);
    check("rseq", rseq(&rs, 32, 0, RSEQ_SIG));
    int bad = 0, cpus = 0;
    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < 64; c++) {
            if (!(all & (1UL << c)))
                continue;
            pin(c);
            cpus++;
            if (rs.cpu_id != (uint32_t)c || rs.cpu_id_start != (uint32_t)c || current_cpu() != c)
                bad++;
        }
    }
    syscall(SYS_sched_setaffinity, 0, sizeof all, &all);
    yes("pinned to each CPU in turn, cpu_id said which every time", cpus > 0 && bad == 0);
}

// A signal while the thread spins inside the section: the handler's frame holds the abort
// address, and the thread goes on there.
static void signal_aborts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    flag = 0;
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    // (A switch may abort a spin before the signal comes: spin again until it has.)
    int r;
    do
        r = spin_in_section(&rs, 1L << 62, &flag, &good_cs);
    while (!flag);
    printf("the spin the signal ended: %s\n", r == 1 ? "aborted" : "ran through");
    yes("the handler's frame held an address inside the section",
        handler_rip >= (uint64_t)section_start && handler_rip < (uint64_t)section_end);
    yes("the handler's frame held the abort address", handler_rip == (uint64_t)section_abort);
    yes("rseq_cs cleared", rs.rseq_cs == 0);

    // Set, but not inside it: a signal leaves the thread where it was, clears rseq_cs.
    rs.rseq_cs = 0;
    flag = 1;
    r = spin_in_section(&rs, 1, &flag, &good_cs);
    printf("a section run through: %s\n", r == 1 ? "aborted" : "ran through");
    // (Whether rseq_cs is still set now depends on whether anything made the kernel look
    // since: on Linux, any interrupt that preempts us clears it.)
    flag = 0;
    raise(SIGALRM);
    yes("a signal outside the section clears rseq_cs", rs.rseq_cs == 0);
    yes("and its handler saw its own address", handler_rip != (uint64_t)section_abort);
    signal(SIGALRM, SIG_DFL);
}

// Switched out inside the section: a child spins on the same CPU, so the scheduler must
// take turns; the section counts down long enough to be cut short by one.
static void preemption_aborts(void)
{
    unsigned long all = 0;
    syscall(SYS_sched_getaffinity, 0, sizeof all, &all);
    int cpu = current_cpu();
    pin(cpu);
    pid_t child = fork();
    if (child == 0) {
        for (;;)
            __asm__ volatile("pause");
    }
    flag = 0;
    int r = spin_in_section(&rs, 1L << 30, &flag, &good_cs);
    printf("a long spin beside a busy process: %s\n", r == 1 ? "aborted" : "ran through");
    yes("rseq_cs cleared", rs.rseq_cs == 0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    syscall(SYS_sched_setaffinity, 0, sizeof all, &all);
}

static void fork_keeps_it(void)
{
    check("child: rseq again", rseq(&rs, 32, 0, RSEQ_SIG));
    yes("child: cpu_id is getcpu's", rs.cpu_id == (uint32_t)current_cpu());
}

static void handler_noop(int sig) { (void)sig; }
static void set_flag(int sig) { (void)sig; flag = 1; }

// The child's rseq_cs points at bad_cs; a signal makes the kernel read it.
static void signal_with_bad_cs(void)
{
    signal(SIGUSR1, handler_noop);
    rs.rseq_cs = (uint64_t)&bad_cs;
    raise(SIGUSR1);
    printf("child: still here\n");
}

static void bad_version(void)
{
    bad_cs = good_cs;
    bad_cs.version = 1;
    signal_with_bad_cs();
}

static void forged_signature(void)
{
    // abort_ip at section_end: the 4 bytes before it are code, not the signature
    bad_cs = (struct rseq_cs){ 0, 0, (uint64_t)section_start, 4, (uint64_t)section_end };
    signal_with_bad_cs();
}

static void abort_inside(void)
{
    bad_cs = good_cs;
    bad_cs.abort_ip = (uint64_t)section_start + 2;
    signal_with_bad_cs();
}

static void cs_in_kernel(void)
{
    signal(SIGUSR1, handler_noop);
    rs.rseq_cs = 0xffffffff81000000UL;
    raise(SIGUSR1);
    printf("child: still here\n");
}

// A descriptor with nonzero (deprecated) flags, or the struct rseq's own flags set: refused
// when the thread is inside the section (outside, they are not looked at).
static void spin_until_alarm(const struct rseq_cs *cs)
{
    flag = 0;
    signal(SIGALRM, set_flag);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    spin_in_section(&rs, 1L << 62, &flag, cs);
    printf("child: still here\n");
}

static void cs_flags(void)
{
    bad_cs = good_cs;
    bad_cs.flags = 1;
    signal(SIGUSR1, handler_noop);
    rs.rseq_cs = (uint64_t)&bad_cs;
    raise(SIGUSR1);
    printf("child: outside the section, still here\n");
    spin_until_alarm(&bad_cs);
}

static void area_flags(void)
{
    rs.flags = 2;
    signal(SIGUSR1, handler_noop);
    raise(SIGUSR1);
    printf("child: outside the section, still here\n");
    spin_until_alarm(&good_cs);
}

// The struct rseq itself unmapped: the next time the kernel writes it, SIGSEGV.
static void unregister_inherited(void)
{
    check("child: unregister the inherited one", rseq(&rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
}

static void unmapped_area(void)
{
    unregister_inherited();
    struct rseq_area *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("child: rseq in a fresh page", rseq(a, 32, 0, RSEQ_SIG));
    munmap(a, 4096);
    signal(SIGUSR1, handler_noop);
    raise(SIGUSR1);
    printf("child: still here\n");
}

static void registered_unmapped(void)
{
    unregister_inherited();
    struct rseq_area *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(a, 4096);
    check("child: rseq in an unmapped page", rseq(a, 32, 0, RSEQ_SIG));
    printf("child: still here\n");
}

static void read_only_area(void)
{
    unregister_inherited();
    struct rseq_area *a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("child: rseq in a read-only page", rseq(a, 32, 0, RSEQ_SIG));
    printf("child: still here\n");
}

static void exec_forgets(void)
{
    char *argv[] = { (char *)self_path, "after-exec", NULL };
    execv(argv[0], argv);
    printf("child: execv failed\n");
}

int main(int argc, char **argv)
{
    if (argc > 1) {                  // exec_forgets's child, in the new program
        check("after exec: rseq the same area", rseq(&rs, 32, 0, RSEQ_SIG));
        return 0;
    }
    begin("t_rseq");
    self_path = argv[0];
    make_descriptors();
    default_signals();
    registration();
    follows_the_cpu();
    signal_aborts();
    preemption_aborts();
    in_child("fork", fork_keeps_it);
    in_child("bad version", bad_version);
    in_child("forged signature", forged_signature);
    in_child("abort address inside", abort_inside);
    in_child("rseq_cs in the kernel", cs_in_kernel);
    in_child("flagged descriptor", cs_flags);
    in_child("flagged struct rseq", area_flags);
    in_child("unmapped struct rseq", unmapped_area);
    in_child("registered unmapped", registered_unmapped);
    in_child("registered read-only", read_only_area);
    in_child("exec", exec_forgets);
    check("unregister", rseq(&rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    return done();
}
