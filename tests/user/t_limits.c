// t_limits.c: resource limits (getrlimit, setrlimit, prlimit64), with their errors.
// Of the default limits, those that depend on the machine's memory or the host's settings
// are shown only as relations.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
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

int main(void)
{
    begin("t_limits");
    default_signals();
    defaults();
    get_and_set();
    prlimits();
    address_space();
    return done();
}
