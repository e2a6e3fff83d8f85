// t_sched.c: scheduling parameters - nice values (getpriority, setpriority) and policies
// (sched_setscheduler, sched_getscheduler, sched_setparam, sched_getparam, the priority
// ranges, sched_rr_get_interval): what each sets and reads back, what fork passes on
// (and SCHED_RESET_ON_FORK does not), /proc/<pid>/stat's fields 18, 19, 40 and 41, the
// permission rules for an unprivileged user, and every error.
//
// On the host this runs as root too. Nothing here may touch another process there: the
// group and user calls name only a group or a user this test made for itself.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define LONELY_UID 4242                          // a user with no other process
#define NO_PID 999999

// getpriority's -1 is a nice value as well as the error: errno tells.
static void show_nice(const char *what, int which, int who)
{
    errno = 0;
    int n = getpriority(which, who);
    if (n == -1 && errno)
        printf("%s: error %s\n", what, err_name(errno));
    else
        printf("%s: %d\n", what, n);
}

static void show_policy(const char *what)
{
    struct sched_param sp = { -1 };
    int policy = sched_getscheduler(0);

    sched_getparam(0, &sp);
    printf("%s: policy %#x, priority %d\n", what, policy, sp.sched_priority);
}

// Fields 18 (priority), 19 (nice), 40 (rt_priority) and 41 (policy) of /proc/self/stat.
static void show_stat(const char *what)
{
    char buf[1024], *p;
    int fd = open("/proc/self/stat", O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    close(fd);
    if (n <= 0 || !(p = strrchr(buf, ')'))) {
        printf("%s: no /proc/self/stat\n", what);
        return;
    }
    buf[n] = '\0';
    long field[53] = { 0 };
    p += 4;                                      // past ") S ": field 4, the parent's pid
    for (int i = 4; i < 53 && *p; i++) {
        field[i] = strtol(p, &p, 10);
        while (*p == ' ')
            p++;
    }
    printf("%s: stat priority %ld, nice %ld, rt_priority %ld, policy %ld\n", what, field[18],
           field[19], field[40], field[41]);
}

static void nice_values(void)
{
    show_nice("getpriority self", PRIO_PROCESS, 0);
    check("setpriority self 5", setpriority(PRIO_PROCESS, 0, 5));
    show_nice("getpriority self", PRIO_PROCESS, 0);
    show_nice("getpriority by pid", PRIO_PROCESS, getpid());
    show_stat("at nice 5");
    check("setpriority self 100 (cut to 19)", setpriority(PRIO_PROCESS, 0, 100));
    show_nice("getpriority self", PRIO_PROCESS, 0);
    check("setpriority self -100 (root: cut to -20)", setpriority(PRIO_PROCESS, 0, -100));
    show_nice("getpriority self", PRIO_PROCESS, 0);
    check("setpriority which 3", setpriority(3, 0, 0));
    show_nice("getpriority which 3", 3, 0);
    show_nice("getpriority which -1", -1, 0);
    check("setpriority a missing pid", setpriority(PRIO_PROCESS, NO_PID, 0));
    show_nice("getpriority a missing pid", PRIO_PROCESS, NO_PID);
    check("setpriority a user with no process", setpriority(PRIO_USER, LONELY_UID + 1, 0));
    show_nice("getpriority a user with no process", PRIO_USER, LONELY_UID + 1);
    check("setpriority self 0", setpriority(PRIO_PROCESS, 0, 0));
}

static void inherited_nice(void)
{
    show_nice("  child: getpriority self", PRIO_PROCESS, 0);
}

// A group of our own: this process and a child, at different nice values. The group's
// priority is the most favoured of its members'.
static void group_member(void)
{
    check("  child: setpriority self 3", setpriority(PRIO_PROCESS, 0, 3));
    sleep(1);                                    // stays in the group while the parent asks
}

static void process_groups(void)
{
    setpgid(0, 0);
    pid_t pid = fork();
    if (pid == 0) {
        group_member();
        _exit(0);
    }
    usleep(200000);
    check("setpriority self 10", setpriority(PRIO_PROCESS, 0, 10));
    show_nice("getpriority of our group", PRIO_PGRP, 0);
    show_nice("getpriority of our group by id", PRIO_PGRP, getpgrp());
    check("setpriority of our group 12", setpriority(PRIO_PGRP, 0, 12));
    show_nice("getpriority of our group", PRIO_PGRP, 0);
    show_nice("getpriority of the child", PRIO_PROCESS, pid);
    wait_and_print("group member", pid);
    check("setpriority self 0", setpriority(PRIO_PROCESS, 0, 0));
}

// As a user with no privilege: no lower nice value, nobody else's process, no real-time.
static void unprivileged(void)
{
    struct rlimit zero = { 0, 0 };
    struct sched_param fifo = { 10 };

    setrlimit(RLIMIT_NICE, &zero);
    setrlimit(RLIMIT_RTPRIO, &zero);
    check("  child: setpriority self 7", setpriority(PRIO_PROCESS, 0, 7));
    check("  child: setuid", syscall(SYS_setuid, LONELY_UID));
    check("  child: setpriority self 9", setpriority(PRIO_PROCESS, 0, 9));
    check("  child: setpriority self 8 (lower)", setpriority(PRIO_PROCESS, 0, 8));
    show_nice("  child: getpriority self", PRIO_PROCESS, 0);
    show_nice("  child: getpriority of its user", PRIO_USER, LONELY_UID);
    check("  child: setpriority of its user 11", setpriority(PRIO_USER, LONELY_UID, 11));
    show_nice("  child: getpriority self", PRIO_PROCESS, 0);
    check("  child: setpriority of its parent", setpriority(PRIO_PROCESS, getppid(), 5));
    check("  child: sched_setscheduler FIFO", sched_setscheduler(0, SCHED_FIFO, &fifo));
    check("  child: sched_setscheduler BATCH", sched_setscheduler(0, SCHED_BATCH,
                                                                 &(struct sched_param){ 0 }));
    show_policy("  child");
}

static void ranges(void)
{
    static const int policies[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE,
                                    SCHED_DEADLINE, 4, 8, -1 };
    char what[64];

    for (unsigned i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        snprintf(what, sizeof what, "sched_get_priority_min(%d)", policies[i]);
        check_val(what, sched_get_priority_min(policies[i]));
        snprintf(what, sizeof what, "sched_get_priority_max(%d)", policies[i]);
        check_val(what, sched_get_priority_max(policies[i]));
    }
}

static void show_interval(const char *what)
{
    struct timespec ts = { -1, -1 };
    long r = sched_rr_get_interval(0, &ts);

    if (r < 0)
        check(what, r);
    else
        printf("%s: %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
}

static void reset_child(void)
{
    show_policy("  child");
    show_nice("  child: getpriority self", PRIO_PROCESS, 0);
}

static void policies(void)
{
    struct sched_param p0 = { 0 }, p5 = { 5 }, p10 = { 10 }, p20 = { 20 }, p100 = { 100 };

    show_policy("at start");
    check("sched_setscheduler FIFO 10", sched_setscheduler(0, SCHED_FIFO, &p10));
    show_policy("FIFO");
    show_stat("FIFO 10");
    show_interval("sched_rr_get_interval FIFO");
    check("sched_setparam 20", sched_setparam(0, &p20));
    show_policy("after sched_setparam");
    check("sched_setparam 0 (FIFO needs 1..99)", sched_setparam(0, &p0));
    check("sched_setscheduler RR 5", sched_setscheduler(0, SCHED_RR, &p5));
    show_policy("RR");
    show_interval("sched_rr_get_interval RR");
    check("sched_setscheduler FIFO 0", sched_setscheduler(0, SCHED_FIFO, &p0));
    check("sched_setscheduler FIFO 100", sched_setscheduler(0, SCHED_FIFO, &p100));
    check("sched_setscheduler OTHER 5", sched_setscheduler(0, SCHED_OTHER, &p5));
    check("sched_setscheduler policy 4", sched_setscheduler(0, 4, &p0));
    check("sched_setscheduler policy -1", sched_setscheduler(0, -1, &p0));
    check("sched_setscheduler DEADLINE", sched_setscheduler(0, SCHED_DEADLINE, &p0));
    check("sched_setscheduler pid -1", sched_setscheduler(-1, SCHED_OTHER, &p0));
    check("sched_setscheduler NULL param", sched_setscheduler(0, SCHED_OTHER, NULL));
    check("sched_setscheduler bad param", sched_setscheduler(0, SCHED_OTHER, bad_ptr(1)));
    check("sched_setscheduler a missing pid", sched_setscheduler(NO_PID, SCHED_OTHER, &p0));
    check("sched_getscheduler pid -1", sched_getscheduler(-1));
    check("sched_getscheduler a missing pid", sched_getscheduler(NO_PID));
    check("sched_getparam NULL", sched_getparam(0, NULL));
    check("sched_getparam bad param", sched_getparam(0, bad_ptr(1)));
    check("sched_getparam a missing pid", sched_getparam(NO_PID, &p0));
    check("sched_rr_get_interval a missing pid", sched_rr_get_interval(NO_PID, NULL));
    check("sched_rr_get_interval pid -1", sched_rr_get_interval(-1, NULL));
    check("sched_setscheduler RR 3 | RESET_ON_FORK",
          sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &(struct sched_param){ 3 }));
    check("setpriority self -4", setpriority(PRIO_PROCESS, 0, -4));
    show_policy("RR with RESET_ON_FORK");
    in_child("child of RESET_ON_FORK", reset_child);
    check("sched_setscheduler BATCH", sched_setscheduler(0, SCHED_BATCH, &p0));
    show_policy("BATCH");
    in_child("child of BATCH at nice -4", reset_child);
    check("sched_setscheduler IDLE", sched_setscheduler(0, SCHED_IDLE, &p0));
    show_policy("IDLE");
    check("sched_setscheduler OTHER", sched_setscheduler(0, SCHED_OTHER, &p0));
    check("setpriority self 0", setpriority(PRIO_PROCESS, 0, 0));
    show_policy("at the end");
    show_stat("at the end");
}

int main(void)
{
    begin("t_sched");
    if (getpid() == 1)                           // as init on Lantern: nobody mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    nice_values();
    check("setpriority self 6", setpriority(PRIO_PROCESS, 0, 6));
    in_child("child at nice 6", inherited_nice);
    check("setpriority self 0", setpriority(PRIO_PROCESS, 0, 0));
    process_groups();
    in_child("unprivileged child", unprivileged);
    ranges();
    policies();
    return done();
}
