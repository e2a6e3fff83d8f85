// fuzz.c: /bin/fuzz, a system-call fuzzer for Lantern - the driver. See fuzz.h.
//
//   fuzz [--seed S] [--seconds N] [--workers N] [--calls N] [--tolerance PAGES]
//        run as init (rdinit=/bin/fuzz): batches of workers until N seconds have passed
//        [--design calls|threads]
//        calls: one random call at a time, hostile arguments (fuzz_calls.c), the default;
//        threads: threads of one process hammering one address space (fuzz_threads.c)
//   fuzz --seed S --worker W [--calls N]
//        replay worker W alone, printing each call before making it (anywhere; as init,
//        it powers off afterwards)
//
// A worker is a forked process in its own process group. Its seed is mix(S, W), so what
// it does depends on S and W only. The driver watches each worker's call counter (in a
// shared page): a worker stuck in one call for 50 ms is poked (SIGCONT, SIGUSR1: most
// blocking calls end with EINTR); stuck for 150 ms, or alive after 3 s, it is killed with
// its whole group. After each batch the driver kills every process but itself, reaps them,
// empties /tmp, and compares free memory with what it was after the first batch: pages
// that do not come back are a leak. Memory the kernel keeps on purpose, unused, is not:
// /proc/slabinfo says how much its caches hold - the process table's spare struct procs
// (task_struct: kept for reuse, one per thread that ever existed at once, so bounded by
// threads-max) and kmalloc's free objects - and the check adds that to the free pages.
// The first batch is the warm-up (it makes the page tables of the kernel's own that stay),
// so the tolerance is small: 64 pages by default (--tolerance); runs so far stay within 8.
//
// Its output, for `make fuzz` and tests/system/test_fuzz.py to judge:
//   fuzz: batch B: ...          one line per batch (progress: a silent 60 s is a hang)
//   fuzz: LEAK: ...             pages did not come back
//   fuzz: N calls in T s: R calls/s ...
//   fuzz: PASS | fuzz: FAIL
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#define MAX_WORKERS 16
#define SYS_sysinfo 99
#define POKE_MS     50        // stuck this long in one call: SIGCONT + SIGUSR1
#define STALL_MS    150       // stuck this long: killed
#define WORKER_MS   3000      // no worker lives longer
#define BATCH       16        // workers between two leak checks
#define REPLAY_SLACK 20       // a replay waits this many times longer before it calls a
                              // worker stuck: it prints each call first, to a console a
                              // busy host slows, and a kill would change what it shows

static long slack = 1;        // REPLAY_SLACK when replaying

struct options {
    uint64_t seed;
    long seconds, workers, calls, tolerance;
    long replay;              // worker number to replay, or -1
    int threads;              // --design threads (fuzz_threads.c)
};

struct slot {                 // one running worker
    int id;
    pid_t pid;                // 0: finished
    pid_t pgid;               // its process group: its pid
    int status;
    uint64_t last_count;      // its call counter when we last saw it move
    double last_move;
    double started;
    int poked;
};

struct totals {
    uint64_t calls;
    long workers, by_signal, stalled, overtime;
    long stuck_in[512];       // stuck workers, by the system call they were stuck in
    long signal[65];          // workers ended by a signal, by signal
};

// Shared with the workers (a MAP_SHARED page): for slot i, counters[2i] is how many calls
// it has started, counters[2i+1] the number of the system call it is making now. Workers
// write, the driver reads; a torn read would only make one stall check wrong.
static volatile uint64_t *counters;
volatile uint64_t *current_nr;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- a worker
static void worker(int slot, int id, const struct options *o, int log_fd)
{
    rnd_seed(mix(o->seed, (uint64_t)id));
    current_nr = &counters[2 * slot + 1];
    if (o->threads)
        threads_worker(mix(o->seed, (uint64_t)id), &counters[2 * slot], (uint64_t)o->calls);
    world_make(id, log_fd);
    for (long n = 0; n < o->calls; n++) {
        counters[2 * slot] = n + 1;
        fuzz_one(n);
    }
    _exit(0);
}

static pid_t start_worker(int slot, int id, const struct options *o, int log_fd)
{
    counters[2 * slot] = counters[2 * slot + 1] = 0;
    pid_t pid = fork();
    if (pid == 0)
        worker(slot, id, o, log_fd);
    if (pid > 0)
        setpgid(pid, pid);            // as the child does: whoever runs first
    return pid;
}

// ---------------------------------------------------------------- watching a batch
static void kill_worker(struct slot *s)
{
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL);
}

// Reaps whatever has ended (workers, their orphans, CLONE_PARENT siblings).
static void reap(struct slot *slots, int n)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
        for (int i = 0; i < n; i++)
            if (slots[i].pid == pid) {
                slots[i].status = status;
                slots[i].pid = 0;
            }
}

// One check of one running worker: poke it or kill it if it is stuck.
static void watch(struct slot *s, int index, struct totals *t)
{
    double t_now = now();
    uint64_t count = counters[2 * index];
    if (count != s->last_count) {
        s->last_count = count;
        s->last_move = t_now;
        s->poked = 0;
        return;
    }
    double idle_ms = (t_now - s->last_move) * 1000;
    if (count == 0 && idle_ms < 1000)
        return;                       // still making its world (no handlers yet): let it

    if (idle_ms > STALL_MS * slack || (t_now - s->started) * 1000 > WORKER_MS * slack) {
        if (idle_ms > STALL_MS * slack) {
            t->stalled++;
            t->stuck_in[counters[2 * index + 1] % 512]++;
        } else {
            t->overtime++;
        }
        kill_worker(s);
        s->last_move = t_now + 3600;  // counted once
    } else if (idle_ms > POKE_MS * slack && !s->poked) {
        kill(s->pid, SIGCONT);
        kill(s->pid, SIGUSR1);
        s->poked = 1;
    }
}

// A worker has ended: count what it did.
static void finish(struct slot *s, int index, const struct options *o, int log_fd,
                   struct totals *t)
{
    uint64_t calls = counters[2 * index];
    if (calls > (uint64_t)o->calls) {          // it wrote over the shared page: say so
        printf("fuzz: worker %d: its call counter reads %#lx\n", s->id, (unsigned long)calls);
        calls = 0;
    }
    t->calls += calls;
    t->workers++;
    if (WIFSIGNALED(s->status)) {
        t->by_signal++;
        t->signal[WTERMSIG(s->status) % 65]++;
    }
    if (log_fd >= 0) {
        if (WIFSIGNALED(s->status))
            printf("fuzz: worker %d: killed by signal %d after %lu calls\n", s->id,
                   WTERMSIG(s->status), (unsigned long)calls);
        else
            printf("fuzz: worker %d: exited %d after %lu calls\n", s->id,
                   WEXITSTATUS(s->status), (unsigned long)calls);
    }
    kill(-s->pgid, SIGKILL);                    // what it left behind in its group
    s->pgid = 0;
}

// Runs workers first_id .. first_id + count - 1, o->workers at a time: a slot whose worker
// has ended gets the next one at once.
static void run_batch(int first_id, int count, const struct options *o, int log_fd,
                      struct totals *t)
{
    struct slot slots[MAX_WORKERS];
    int n = count < o->workers ? count : (int)o->workers, next = 0;

    memset(slots, 0, sizeof slots);
    for (;;) {
        int running = 0;
        reap(slots, n);
        for (int i = 0; i < n; i++) {
            struct slot *s = &slots[i];
            if (s->pgid && !s->pid)
                finish(s, i, o, log_fd, t);
            if (!s->pgid && next < count) {
                memset(s, 0, sizeof *s);
                s->id = first_id + next++;
                s->started = s->last_move = now();
                s->pid = s->pgid = start_worker(i, s->id, o, log_fd);
                if (s->pid < 0) {
                    printf("fuzz: fork: %s\n", strerror(errno));
                    s->pid = s->pgid = 0;
                }
            }
            if (s->pid) {
                running++;
                watch(s, i, t);
            }
        }
        if (!running && next >= count)
            break;
        usleep(2000);
    }
}

// ---------------------------------------------------------------- between batches
// Every process but us: as init, everything left over (orphans, processes that left their
// worker's group with setsid or setpgid) is ours to end. Only as init.
static void kill_everyone_else(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        long pid = strtol(e->d_name, NULL, 10);
        if (pid > 1)
            kill((pid_t)pid, SIGKILL);
    }
    closedir(d);
}

// Reaps until no child is left; false if one would not go within 5 s (a kernel bug: a
// process SIGKILL cannot end).
static int reap_all(void)
{
    double deadline = now() + 5;
    int status;
    for (;;) {
        if (getpid() == 1)
            kill_everyone_else();
        pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        if (pid < 0 && errno == ECHILD)
            return 1;
        if (pid == 0) {
            if (now() > deadline)
                return 0;
            usleep(5000);
        }
    }
}

// rm -rf path's contents (and path itself if remove_self).
static void remove_tree(const char *path, int remove_self)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char child[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            if (unlink(child) != 0)
                remove_tree(child, 1);
        }
        closedir(d);
    }
    if (remove_self)
        rmdir(path);
}

// The POSIX message queues the workers may have made (fuzz_args.c's g_mq_name): like the
// files in /tmp, they outlive their makers, and would count as pages lost.
static void remove_queues(void)
{
    static const char *const names[] = { "fq0", "fq1", "fq2" };
    for (int i = 0; i < 3; i++)
        syscall(241 /* mq_unlink */, names[i]);
    char q[256];
    memset(q, 'q', 255);
    q[255] = '\0';
    syscall(241, q);
}

struct sysinfo_k {            // Linux x86_64's struct sysinfo (our libc has no sys/sysinfo.h)
    long uptime;
    unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned long totalhigh, freehigh;
    unsigned int mem_unit;
    char reserved[4];
};

// Pages the kernel's caches hold without using them, from /proc/slabinfo: for each cache,
// (num_objs - active_objs) * objsize bytes. 0 if there is no slabinfo.
static long cached_pages(void)
{
    static char buf[4096];
    int fd = open("/proc/slabinfo", O_RDONLY);
    long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1, bytes = 0;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    for (char *line = strchr(buf, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char *p = line + 1;
        if (*p == '#')
            continue;
        while (*p && *p != ' ')               // the name
            p++;
        long active = strtol(p, &p, 10), objects = strtol(p, &p, 10), size = strtol(p, &p, 10);
        bytes += (objects - active) * size;
    }
    return bytes / (long)PAGE;
}

// Free memory in pages, as sysinfo says, and as /proc/meminfo's MemFree says.
static long free_pages(long *meminfo_pages)
{
    struct sysinfo_k si;
    char buf[512];
    *meminfo_pages = -1;
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd >= 0) {
        long n = read(fd, buf, sizeof buf - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        char *p = strstr(buf, "MemFree:");
        if (p)
            *meminfo_pages = strtol(p + 8, NULL, 10) / 4;
    }
    if (syscall(SYS_sysinfo, &si) != 0)
        return -1;
    return (long)(si.freeram * (si.mem_unit ? si.mem_unit : 1) / PAGE);
}

// ---------------------------------------------------------------- signals to init
// No worker ever names init (g_pid never gives 1 or -1), so the only signal init may get is
// SIGCHLD. Anything else is a kernel bug (a child's exit signal that should have been reset,
// say): caught here and reported, with who sent it and how, instead of killing init.
static volatile int strange_sig, strange_code, strange_pid, strange_count;

static void strange_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    strange_sig = sig;
    strange_code = si->si_code;
    strange_pid = si->si_pid;
    strange_count++;
}

static void watch_signals_to_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = strange_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
}

// ---------------------------------------------------------------- the runs
// Where workers got stuck and what killed them: to see what the fuzzer spends time on.
static void print_histograms(const struct totals *t)
{
    printf("fuzz: stuck in:");
    for (int nr = 0; nr < 512; nr++)
        if (t->stuck_in[nr])
            printf(" %s %ld", call_name(nr), t->stuck_in[nr]);
    printf("\nfuzz: killed by signal:");
    for (int sig = 1; sig < 65; sig++)
        if (t->signal[sig])
            printf(" %d: %ld", sig, t->signal[sig]);
    printf("\n");
}

static int fuzz_run(const struct options *o)
{
    struct totals t = { 0 };
    double start = now();
    long baseline = -1, worst = 0;
    int failed = 0, batch = 0;

    printf("fuzz: seed %llu, %ld workers at a time, %ld calls each, %ld s, design %s\n",
           (unsigned long long)o->seed, o->workers, o->calls, o->seconds,
           o->threads ? "threads" : "calls");
    while (!failed && now() - start < o->seconds) {
        run_batch(batch * BATCH, BATCH, o, -1, &t);
        if (!reap_all()) {
            printf("fuzz: FAIL: a process did not die within 5 s of SIGKILL (batch %d)\n", batch);
            failed = 1;
            break;
        }
        remove_tree("/tmp", 0);
        remove_queues();
        long meminfo, free = free_pages(&meminfo), cached = cached_pages();
        if (baseline < 0)
            baseline = free + cached;
        if (baseline - free - cached > o->tolerance) {       // look again after a moment
            usleep(200000);
            free = free_pages(&meminfo);
            cached = cached_pages();
        }
        long missing = baseline - free - cached;
        if (missing > worst)
            worst = missing;
        printf("fuzz: batch %d: %lu calls so far, %ld workers (%ld killed by a signal, %ld stuck), "
               "free %ld pages (meminfo %ld) + %ld cached = %ld, baseline %ld\n", batch,
               (unsigned long)t.calls, t.workers, t.by_signal, t.stalled + t.overtime, free,
               meminfo, cached, free + cached, baseline);
        if (strange_count) {
            printf("fuzz: FAIL: init got %d signal(s) it never asked for; the last: signal %d, "
                   "si_code %d, si_pid %d\n", strange_count, strange_sig, strange_code, strange_pid);
            failed = 1;
        }
        if (missing > o->tolerance) {
            printf("fuzz: LEAK: %ld pages did not come back after batch %d (tolerance %ld)\n",
                   missing, batch, o->tolerance);
            failed = 1;
        }
        batch++;
    }
    long ms = (long)((now() - start) * 1000);
    printf("fuzz: %lu calls in %ld.%03ld s: %lu calls/s; %ld workers, %ld killed by a signal, "
           "%ld stuck in a call, %ld out of time; memory: at most %ld pages below the baseline\n",
           (unsigned long)t.calls, ms / 1000, ms % 1000,
           (unsigned long)(t.calls * 1000 / (ms > 0 ? ms : 1)),
           t.workers, t.by_signal, t.stalled, t.overtime, worst);
    print_histograms(&t);
    printf("fuzz: %s\n", failed ? "FAIL" : "PASS");
    return failed;
}

static int replay(const struct options *o)
{
    struct totals t = { 0 };
    slack = REPLAY_SLACK;
    int log_fd = dup2(1, 200);        // the worker closes 0-2; it prints its calls here
    if (log_fd < 0)
        printf("fuzz: dup2: %s\n", strerror(errno));
    printf("fuzz: replaying worker %ld of seed %llu, %ld calls\n", o->replay,
           (unsigned long long)o->seed, o->calls);
    fflush(stdout);
    run_batch((int)o->replay, 1, o, log_fd, &t);
    close(log_fd);
    reap_all();
    char dir[48];
    snprintf(dir, sizeof dir, "/tmp/fz%ld", o->replay);   // only the worker's own sandbox:
    remove_tree(dir, 1);                                    // this may be the host
    return 0;
}

static void usage(void)
{
    printf("usage: fuzz [--seed S] [--seconds N] [--workers N] [--calls N] [--tolerance PAGES]\n"
           "            [--design calls|threads]\n"
                      "       fuzz --seed S --worker W [--calls N]\n");
    exit(2);
}

static void parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){ .seed = 1, .seconds = 20, .workers = 4, .calls = -1,
                           .tolerance = -1, .replay = -1 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0)
            continue;
        if (!v)
            usage();
        if (strcmp(a, "--seed") == 0)
            o->seed = strtoull(v, NULL, 0);
        else if (strcmp(a, "--seconds") == 0)
            o->seconds = strtol(v, NULL, 0);
        else if (strcmp(a, "--workers") == 0)
            o->workers = strtol(v, NULL, 0);
        else if (strcmp(a, "--calls") == 0)
            o->calls = strtol(v, NULL, 0);
        else if (strcmp(a, "--tolerance") == 0)
            o->tolerance = strtol(v, NULL, 0);
        else if (strcmp(a, "--worker") == 0)
            o->replay = strtol(v, NULL, 0);
        else if (strcmp(a, "--design") == 0 && (strcmp(v, "calls") == 0 || strcmp(v, "threads") == 0))
            o->threads = strcmp(v, "threads") == 0;
        else
            usage();
        i++;
    }
    if (o->workers < 1 || o->workers > MAX_WORKERS)
        usage();
    // A threads worker's calls are mostly cheap and made by five threads at once: it gets
    // more of them, to live about as long (a second or so) as a calls worker.
    if (o->calls < 0)
        o->calls = o->threads ? 10000 : 2000;
    // (The process table's growth, which many threads per worker cause, is not counted:
    // /proc/slabinfo shows its spare entries, and the check adds them to the free pages.)
    if (o->tolerance < 0)
        o->tolerance = 64;
}

int main(int argc, char **argv)
{
    struct options o;
    int failed;

    setvbuf(stdout, NULL, _IOLBF, 0);
    parse(argc, argv, &o);
    counters = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (o.replay >= 0) {
        failed = replay(&o);
    } else if (getpid() != 1) {
        // Batches kill every process but the driver: only as init, in a machine of its own.
        printf("fuzz: batch runs only as init (rdinit=/bin/fuzz); use --worker to replay\n");
        return 2;
    } else {
        mount("proc", "/proc", "proc", 0, NULL);    // as init would (we are init instead)
        watch_signals_to_init();
        failed = fuzz_run(&o);
    }
    if (getpid() == 1) {
        reboot(RB_POWER_OFF);
        printf("fuzz: reboot: %s\n", strerror(errno));
        for (;;)
            pause();
    }
    return failed;
}
