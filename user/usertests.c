// usertests: an in-OS test suite, in the spirit of xv6's usertests.
//
// Each test runs in a forked child, so a crash fails only that test, and prints one line,
// "ok   NAME" or "FAIL NAME: why"; the last line is "N passed, N failed". The suite runs
// twice: the first round is reported and warms the kernel's caches up; the second, silent
// unless something fails, is measured with sysinfo(2): if free pages were lost across it,
// the "leak" test fails. As PID 1 (booted with rdinit=/bin/usertests) it then powers the
// machine off; on the host it exits 0 if everything passed, else 1.
//
// "usertests NAME..." runs only the tests named, which may include the big ones: those need
// a machine of their own size (tests/system/test_memory.py boots them).
// Re-executed by some tests as "usertests --argcheck ..." or "--fdcheck ...".
#include <stdarg.h>
#include <sys/reboot.h>
#include "usertests.h"

const char *ut_name = "";
const char *ut_self = "/bin/usertests";
pid_t ut_reaper;
int ut_lantern;

static const struct test {
    const char *name;
    void (*fn)(void);
    int orphan_status;     // >= 0: an orphan with this exit status must reach the harness
} tests[] = {
    { "badptr", t_badptr, -1 },
    { "badptr_exec", t_badptr_exec, -1 },
    { "fork_storm", t_fork_storm, -1 },
    { "exec_storm", t_exec_storm, -1 },
    { "reparent", t_reparent, 7 },
    { "subreaper", t_subreaper, -1 },
    { "signal_handler", t_signals, -1 },
    { "sigkill", t_sigkill, -1 },
    { "signal_blocked", t_sigblock, -1 },
    { "pipe_1mb", t_pipe_1mb, -1 },
    { "pipe_eof", t_pipe_eof, -1 },
    { "epipe", t_epipe, -1 },
    { "brk", t_brk, -1 },
    { "faults", t_faults, -1 },
    { "kernel_read", t_kernel_read, -1 },
    { "stack_guard", t_stack_guard, -1 },
    { "exec_args", t_exec_args, -1 },
    { "nproc", t_nproc, -1 },
    { "oom", t_oom, -1 },
    { "mmap_huge", t_mmap_huge, -1 },
    { "cow", t_cow, -1 },
    { "files", t_files, -1 },
    { "dup2", t_dup2, -1 },
    { "cloexec", t_cloexec, -1 },
    { "devices", t_devices, -1 },
    { "proc", t_proc, -1 },
    { "proc_links", t_proc_links, -1 },
    { "slabinfo", t_slabinfo, -1 },
    { "fds_4000", t_fds_4000, -1 },
    { "oom_threads", t_oom_threads, -1 },
};
#define NTESTS (sizeof tests / sizeof tests[0])

// Run only when named.
static const struct test big_tests[] = {
    { "forks_cow", t_forks_cow, -1 },      // in 64 MiB of RAM
    { "procs_5000", t_procs_5000, -1 },    // in 1 GiB
    { "highmem", t_highmem, -1 },          // in 8 GiB
};
#define NBIG (sizeof big_tests / sizeof big_tests[0])

static const struct test *plan[NTESTS + NBIG];   // what this run runs, in order
static size_t nplan;

// Every ordinary test, or those named (a name that is no test counts as a failure).
static int make_plan(int argc, char **argv) {
    int unknown = 0;
    for (size_t i = 0; i < NTESTS + NBIG; i++) {
        const struct test *t = i < NTESTS ? &tests[i] : &big_tests[i - NTESTS];
        int named = 0;
        for (int a = 1; a < argc; a++)
            named |= strcmp(argv[a], t->name) == 0;
        if (named || (argc < 2 && i < NTESTS))
            plan[nplan++] = t;
    }
    for (int a = 1; a < argc; a++) {
        size_t i = 0;
        while (i < nplan && strcmp(argv[a], plan[i]->name) != 0)
            i++;
        if (i == nplan) {
            dprintf(1, "FAIL %s: no such test\n", argv[a]);
            unknown++;
        }
    }
    return unknown;
}

static int quiet;          // the measured round: print failures only
static int round_no = 1;

void fail(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    dprintf(1, "FAIL %s: %s%s\n", ut_name, buf, round_no > 1 ? " (second round)" : "");
    _exit(1);
}

const char *describe(int status) {
    static char buf[40];
    if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, sizeof buf, "status %#x", status);
    return buf;
}

int wait_for(pid_t pid) {
    int status;
    pid_t r;
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    CHECK(r == pid, "waitpid(%d) = %d, errno %d", pid, r, errno);
    return status;
}

int in_child(void (*fn)(void)) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    return wait_for(pid);
}

unsigned long total_ram_bytes(void) {
    struct ut_sysinfo si;
    if (__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) != 0)
        return 0;
    return (si.totalram + si.totalswap) * si.mem_unit;
}

static long free_pages(void) {
    struct ut_sysinfo si;
    if (__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) != 0)
        return -1;
    return (long)(si.freeram * si.mem_unit / 4096);
}

// Runs one test; returns 1 if it passed.
static int run(const struct test *t) {
    ut_name = t->name;
    pid_t pid = fork();
    if (pid < 0) {
        dprintf(1, "FAIL %s: fork: errno %d\n", t->name, errno);
        return 0;
    }
    if (pid == 0) {
        t->fn();
        _exit(0);
    }
    int status, ok;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            dprintf(1, "FAIL %s: waitpid: errno %d\n", t->name, errno);
            return 0;
        }
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 1))
        dprintf(1, "FAIL %s: %s%s\n", t->name, describe(status), round_no > 1 ? " (second round)" : "");
    // Whatever is left is an orphan that came to us: reap it (tests leave none running).
    int orphans = 0, orphan_ok = 0, st;
    while (waitpid(-1, &st, 0) > 0) {
        orphans++;
        if (WIFEXITED(st) && WEXITSTATUS(st) == t->orphan_status)
            orphan_ok = 1;
    }
    if (ok && t->orphan_status >= 0 && !orphan_ok) {
        dprintf(1, "FAIL %s: the orphan never reached us (%d reaped)%s\n", t->name, orphans,
                round_no > 1 ? " (second round)" : "");
        ok = 0;
    }
    if (ok && !quiet)
        dprintf(1, "ok   %s\n", t->name);
    return ok;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--argcheck") == 0)
        return argcheck_main(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--fdcheck") == 0)
        return fdcheck_main(argc, argv);

    static char self[512];
    if (argc > 0 && argv[0][0] == '/') {
        ut_self = argv[0];
    } else if (argc > 0 && strchr(argv[0], '/') && getcwd(self, sizeof self - 64)) {
        size_t n = strlen(self);
        snprintf(self + n, sizeof self - n, "/%s", argv[0]);
        ut_self = self;
    }
    ut_lantern = getpid() == 1;
    if (!ut_lantern)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);   // be init for our descendants
    ut_reaper = getpid();

    int passed = 0, failed = make_plan(argc, argv);
    for (size_t i = 0; i < nplan; i++)
        run(plan[i]) ? passed++ : failed++;

    // The second round: measured, after the first has warmed the kernel's caches up.
    quiet = 1;
    round_no = 2;
    long before = free_pages();
    int failed2 = 0;
    for (size_t i = 0; i < nplan; i++)
        failed2 += !run(plan[i]);
    long after = free_pages();
    failed += failed2;
    // On the host, other processes move the free count: it proves nothing there.
    if (before < 0 || after < 0) {
        dprintf(1, "FAIL leak: sysinfo failed: errno %d\n", errno);
        failed++;
    } else if (ut_lantern && after < before) {
        dprintf(1, "FAIL leak: %ld pages lost (free %ld before, %ld after)\n",
                before - after, before, after);
        failed++;
    } else {
        dprintf(1, "ok   leak\n");
        passed++;
    }
    dprintf(1, "%d passed, %d failed\n", passed, failed);
    if (ut_lantern) {
        reboot(RB_POWER_OFF);
        dprintf(1, "usertests: reboot: errno %d\n", errno);
        for (;;)          // PID 1 must never exit
            pause();
    }
    return failed ? 1 : 0;
}
