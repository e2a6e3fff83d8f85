// t_limits.c: resource limits (getrlimit, setrlimit, prlimit64), with their errors.
// Of the default limits, those that depend on the machine's memory or the host's settings
// are shown only as relations.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static const char *const names[RLIMIT_NLIMITS] = {
    "CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS",
    "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
};

static void print_value(rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf(" unlimited");
    else
        printf(" %lu", v);
}

static void show(const char *what, int resource)
{
    struct rlimit r;
    if (getrlimit(resource, &r) < 0) {
        printf("%s: error %s\n", what, err_name(errno));
        return;
    }
    printf("%s:", what);
    print_value(r.rlim_cur);
    print_value(r.rlim_max);
    printf("\n");
}

static void defaults(void)
{
    for (int i = 0; i < RLIMIT_NLIMITS; i++) {
        char what[64];
        snprintf(what, sizeof what, "default RLIMIT_%s", names[i]);
        if (i == RLIMIT_NPROC || i == RLIMIT_NOFILE || i == RLIMIT_MEMLOCK || i == RLIMIT_SIGPENDING) {
            struct rlimit r;
            check(what, getrlimit(i, &r));
            snprintf(what, sizeof what, "RLIMIT_%s: soft <= hard, both > 0", names[i]);
            yes(what, r.rlim_cur <= r.rlim_max && r.rlim_cur > 0);
        } else {
            show(what, i);
        }
    }
}

static void get_and_set(void)
{
    struct rlimit r, saved;
    check("getrlimit resource 16", getrlimit(16, &r));
    check("getrlimit resource -1", getrlimit(-1, &r));
    check("getrlimit NULL", getrlimit(RLIMIT_STACK, NULL));
    check("getrlimit into the kernel", getrlimit(RLIMIT_STACK, bad_ptr(0xffffffff81000000UL)));
    check("getrlimit resource 16 into NULL", getrlimit(16, NULL));

    getrlimit(RLIMIT_STACK, &saved);
    r.rlim_cur = 4 << 20;
    r.rlim_max = RLIM_INFINITY;
    check("setrlimit STACK soft 4 MiB", setrlimit(RLIMIT_STACK, &r));
    show("RLIMIT_STACK now", RLIMIT_STACK);
    r.rlim_cur = 5 << 20;
    r.rlim_max = 4 << 20;
    check("setrlimit soft above hard", setrlimit(RLIMIT_STACK, &r));
    check("setrlimit resource 16", setrlimit(16, &saved));
    check("setrlimit NULL", setrlimit(RLIMIT_STACK, NULL));
    check("setrlimit resource 16 from NULL", setrlimit(16, NULL));
    show("RLIMIT_STACK unchanged", RLIMIT_STACK);
    check("setrlimit STACK back", setrlimit(RLIMIT_STACK, &saved));
    show("RLIMIT_STACK back", RLIMIT_STACK);

    r.rlim_cur = 100;
    r.rlim_max = 200;
    check("setrlimit CORE 100 200", setrlimit(RLIMIT_CORE, &r));
    show("RLIMIT_CORE", RLIMIT_CORE);
    r.rlim_max = 150;
    check("lower the hard limit to 150", setrlimit(RLIMIT_CORE, &r));
    show("RLIMIT_CORE", RLIMIT_CORE);
    // (Raising it again takes CAP_SYS_RESOURCE, which the host's test runner may lack and
    // Lantern's root always has: not compared here.)
    r.rlim_cur = r.rlim_max = 1048577;
    check("setrlimit NOFILE above fs.nr_open", setrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = r.rlim_max = 1024;
    check("setrlimit NOFILE 1024 1024", setrlimit(RLIMIT_NOFILE, &r));
    show("RLIMIT_NOFILE", RLIMIT_NOFILE);
    r.rlim_cur = 0;
    r.rlim_max = 0;
    check("setrlimit RTPRIO 0 0", setrlimit(RLIMIT_RTPRIO, &r));
}

// RLIMIT_AS caps the address space: mmap and brk fail with ENOMEM beyond it, but a
// MAP_FIXED mapping that replaces one already there does not grow it.
static void address_space(void)
{
    struct rlimit r = { 1UL << 30, RLIM_INFINITY }, saved;
    getrlimit(RLIMIT_AS, &saved);
    check("setrlimit AS 1 GiB", setrlimit(RLIMIT_AS, &r));
    char *a = mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("mmap 512 MiB PROT_NONE", a == MAP_FAILED ? -1 : 0);
    check("mmap 512 MiB more", mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                                   == MAP_FAILED ? -1 : 0);
    check("mmap 2 GiB", mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                            == MAP_FAILED ? -1 : 0);
    check("MAP_FIXED 512 MiB over the first", mmap(a, 512 << 20, PROT_READ, MAP_PRIVATE |
                                                   MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
    char *b0 = sbrk(0);
    yes("sbrk(+600 MiB) fails", sbrk(600 << 20) == (void *)-1 && errno == ENOMEM);
    yes("the break did not move", sbrk(0) == b0);
    check("munmap the 512 MiB", munmap(a, 512 << 20));
    a = mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("then 512 MiB fits again", a == MAP_FAILED ? -1 : 0);
    munmap(a, 512 << 20);
    check("setrlimit AS back", setrlimit(RLIMIT_AS, &saved));
}

static void child_shows_core(void)
{
    show("child: RLIMIT_CORE", RLIMIT_CORE);
}

static void prlimits(void)
{
    struct rlimit r = { 50, 100 }, old;
    check("prlimit self: set CORE, get the old one", prlimit(0, RLIMIT_CORE, &r, &old));
    printf("old CORE: %lu %lu\n", old.rlim_cur, old.rlim_max);
    check("prlimit self by pid", prlimit(getpid(), RLIMIT_CORE, NULL, &old));
    printf("CORE: %lu %lu\n", old.rlim_cur, old.rlim_max);
    check("prlimit neither new nor old", prlimit(0, RLIMIT_CORE, NULL, NULL));
    check("prlimit unknown pid", prlimit(99999, RLIMIT_CORE, NULL, &old));
    check("prlimit pid -1", prlimit(-1, RLIMIT_CORE, NULL, &old));
    check("prlimit unknown pid, resource 16", prlimit(99999, 16, NULL, &old));
    check("prlimit resource 16", prlimit(0, 16, NULL, &old));
    check("prlimit resource 16, nothing asked", prlimit(0, 16, NULL, NULL));
    check("prlimit new from NULL+1, unknown pid", prlimit(99999, RLIMIT_CORE, bad_ptr(1), NULL));
    struct rlimit bad = { 10, 5 };
    check("prlimit soft above hard", prlimit(0, RLIMIT_CORE, &bad, NULL));
    r.rlim_cur = 30;
    r.rlim_max = 40;
    check("prlimit old into the kernel", prlimit(0, RLIMIT_CORE, &r, bad_ptr(0xffffffff81000000UL)));
    show("the new limit was set anyway", RLIMIT_CORE);
    in_child("child", child_shows_core);

    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    r.rlim_cur = 7;
    r.rlim_max = 8;
    check("prlimit a child's CORE", prlimit(child, RLIMIT_CORE, &r, NULL));
    check("read it back", prlimit(child, RLIMIT_CORE, NULL, &old));
    printf("child's CORE: %lu %lu\n", old.rlim_cur, old.rlim_max);
    show("ours is unchanged", RLIMIT_CORE);
    kill(child, SIGKILL);
    wait_and_print("the child", child);
}


// ---------------------------------------------------------------- RLIMIT_NOFILE

// Descriptors we opened (everything from 3 up), closed again.
static void close_from(int lowest, int highest)
{
    for (int fd = lowest; fd <= highest; fd++)
        close(fd);
}

static int set_nofile(rlim_t cur, rlim_t max)
{
    struct rlimit r = { cur, max };
    return setrlimit(RLIMIT_NOFILE, &r);
}

// Fills the table up to the limit: returns the last descriptor dup gave, and prints how
// the next one failed.
static int fill(const char *what)
{
    int fd, last = -1;
    while ((fd = dup(0)) >= 0)
        last = fd;
    printf("%s: dup until it fails: error %s\n", what, err_name(errno));
    return last;
}

static void nofile_errors(void)
{
    check("setrlimit NOFILE 64 4096", set_nofile(64, 4096));
    int last = fill("NOFILE 64");
    check_val("the last descriptor", last);
    check("open past the limit", open("/", O_RDONLY));
    check("fcntl F_DUPFD 0 past the limit", fcntl(0, F_DUPFD, 0));
    int fds[2];
    close(last);
    check("pipe with one descriptor free", pipe(fds));
    check_val("the free one is still free: dup", dup(0));
    check("dup2 to 64 (= the limit)", dup2(0, 64));
    check("dup2 to 63", dup2(1, 63));
    check("dup3 to 64", syscall(292, 0, 64, 0));
    check("dup2 to -1", dup2(0, -1));
    check("dup2 from a bad fd to 64", dup2(99, 64));
    check("fcntl F_DUPFD 64", fcntl(0, F_DUPFD, 64));
    check("fcntl F_DUPFD_CLOEXEC 64", fcntl(0, F_DUPFD_CLOEXEC, 64));
    check("fcntl F_DUPFD 63 (taken)", fcntl(0, F_DUPFD, 63));
    check("fcntl F_DUPFD -1", fcntl(0, F_DUPFD, -1));
    close_from(3, 63);

    // A lower limit leaves descriptors above it open and working.
    check("setrlimit NOFILE 4096 4096", set_nofile(4096, 4096));
    check_val("dup2 to 4000", dup2(1, 4000));
    check_val("fcntl F_DUPFD 3000", fcntl(0, F_DUPFD, 3000));
    check_val("fcntl F_DUPFD_CLOEXEC 3000", fcntl(0, F_DUPFD_CLOEXEC, 3000));
    check_val("fcntl F_GETFD of 3001", fcntl(3001, F_GETFD));
    check("dup2 to 4096", dup2(0, 4096));
    check("setrlimit NOFILE 10 4096", set_nofile(10, 4096));
    struct stat st;
    check("fstat 4000 above the new limit", fstat(4000, &st));
    check("dup of 4000 (3 is free)", dup(4000));
    check("dup2 to 3000 (open, above the limit)", dup2(0, 3000));
    check("close 4000", close(4000));
    check("close 3000", close(3000));
    check("close 3001", close(3001));
    check("close 3", close(3));
    fill("NOFILE 10");
    close_from(3, 9);
    check("setrlimit NOFILE 0 4096", set_nofile(0, 4096));
    check("dup with NOFILE 0", dup(0));
    check("poll of 1 fd with NOFILE 0", poll(NULL, 1, 0));
    check("setrlimit NOFILE back to 1024 4096", set_nofile(1024, 4096));
}

// poll, select and epoll see descriptors far up the table.
static void high_fds(void)
{
    check("setrlimit NOFILE 4096 4096", set_nofile(4096, 4096));
    int p[2];
    check("pipe", pipe(p));
    check_val("dup2 the read end to 3999", dup2(p[0], 3999));
    check_val("dup2 the write end to 1000", dup2(p[1], 1000));
    check("write", write(1000, "x", 1));
    struct pollfd pfd[2] = { { 3999, POLLIN, 0 }, { 1000, POLLOUT, 0 } };
    check_val("poll 3999 and 1000", poll(pfd, 2, 0));
    printf("revents: %#x %#x\n", pfd[0].revents, pfd[1].revents);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(1000, &r);
    check_val("dup2 the read end to 1023", dup2(p[0], 1023));
    FD_ZERO(&r);
    FD_SET(1023, &r);
    struct timeval tv = { 0, 0 };
    check_val("select 1023 readable", select(1024, &r, NULL, NULL, &tv));
    yes("1023 is set", FD_ISSET(1023, &r));
    close_from(3, 4095);
    check("setrlimit NOFILE back to 1024 4096", set_nofile(1024, 4096));
}

// ---------------------------------------------------------------- RLIMIT_NPROC

// A user other than root may have at most RLIMIT_NPROC processes (zombies count); root is
// not held to it. Run in a child that gives up root.
static void nproc_as_user(void)
{
    struct rlimit r = { 3, 3 };
    check("setrlimit NPROC 3 3", setrlimit(RLIMIT_NPROC, &r));
    check("setuid 12345", syscall(105, 12345));
    pid_t kids[8];
    int n = 0;
    for (; n < 8; n++) {
        kids[n] = fork();
        if (kids[n] < 0)
            break;
        if (kids[n] == 0)
            _exit(0);             // a zombie until waited for: still counts
    }
    printf("forks before the limit: %d, then error %s\n", n, err_name(errno));
    wait_and_print("the first child", kids[0]);
    kids[0] = fork();
    if (kids[0] == 0)
        _exit(0);
    check("fork after one was reaped", kids[0]);
    pid_t again = fork();
    if (again == 0)
        _exit(0);
    check("fork again", again);
    for (int i = 0; i < n; i++)
        waitpid(-1, NULL, 0);
}

static void nproc_as_root(void)
{
    struct rlimit r = { 1, 1 };
    check("root: setrlimit NPROC 1 1", setrlimit(RLIMIT_NPROC, &r));
    pid_t pid = fork();
    if (pid == 0)
        _exit(4);
    check("root: fork over the limit", pid);
    wait_and_print("root's child", pid);
}

static void nproc(void)
{
    in_child("nproc as a user", nproc_as_user);
    in_child("nproc as root", nproc_as_root);
}

// ---------------------------------------------------------------- RLIMIT_STACK

// The stack grows on demand up to RLIMIT_STACK, as the limit is at the time of the fault.
static long recurse(int depth)
{
    volatile char frame[4000];
    frame[0] = (char)depth;
    frame[sizeof frame - 1] = 1;
    if (depth == 0)
        return frame[0];
    return recurse(depth - 1) + frame[sizeof frame - 1];
}

static rlim_t stack_mib;     // the limit to set, in MiB
static int use_mib;          // how deep to go

static void deep_stack(void)
{
    struct rlimit r = { stack_mib << 20, RLIM_INFINITY };
    check("setrlimit STACK", setrlimit(RLIMIT_STACK, &r));
    long sum = recurse(use_mib * 256);          // 4000 bytes and more a level
    printf("went %d MiB deep: %s\n", use_mib, sum == use_mib * 256 ? "yes" : "no");
}

static void stack_limit(void)
{
    static const struct { rlim_t limit; int use; } cases[] = {
        { 8, 6 }, { 16, 12 }, { 64, 40 }, { 1, 4 }, { 4, 6 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[64];
        stack_mib = cases[i].limit;
        use_mib = cases[i].use;
        snprintf(what, sizeof what, "RLIMIT_STACK %lu MiB, %d MiB used", stack_mib, use_mib);
        in_child(what, deep_stack);
    }
}

int main(void)
{
    begin("t_limits");
    default_signals();
    defaults();
    nofile_errors();          // first: get_and_set lowers the hard limit
    high_fds();
    get_and_set();
    prlimits();
    address_space();
    nproc();
    stack_limit();
    return done();
}
