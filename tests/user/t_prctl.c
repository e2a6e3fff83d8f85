// t_prctl.c: prctl's options that set and tell a flag or a number - the parent-death
// signal, dumpable, keepcaps, seccomp, the capability bounding set, timer slack, no new
// privileges, THP disable - with their EINVALs, and the parent-death
// signal itself: a child that asked for it gets it when the process that made it ends,
// and a fork's child starts without it. Go's os/exec sets it (SysProcAttr.Pdeathsig).
//
// The test process is PID 1 on Lantern and a subreaper on the host, so the orphan comes
// back to it either way. (Not here: Yama's PR_SET_PTRACER, which Lantern takes as Debian's
// kernel does, but a host without Yama refuses.)
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define PR_GET_KEEPCAPS         7
#define PR_SET_KEEPCAPS         8
#define PR_GET_SECCOMP         21
#define PR_CAPBSET_READ        23
#define PR_SET_TIMERSLACK      29
#define PR_GET_TIMERSLACK      30
#define PR_SET_NO_NEW_PRIVS    38
#define PR_GET_NO_NEW_PRIVS    39
#define PR_SET_THP_DISABLE     41
#define PR_GET_THP_DISABLE     42

static void values(void)
{
    int v = -7;
    check("SET_PDEATHSIG SIGTERM", prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0));
    check("GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0));
    yes("it is SIGTERM", v == SIGTERM);
    check("SET_PDEATHSIG 0", prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0));
    check("SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0));
    check("GET_PDEATHSIG to a bad address", prctl(PR_GET_PDEATHSIG, bad_ptr(8), 0, 0, 0));
    check_val("GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    check("SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0));
    check("SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
    check_val("GET_DUMPABLE then", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    check("SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
    check_val("GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    check("SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
    check_val("GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    check_val("CAPBSET_READ 0", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
    check("CAPBSET_READ 1000", prctl(PR_CAPBSET_READ, 1000, 0, 0, 0));
    check_val("GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    check("SET_TIMERSLACK 1000", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
    check_val("GET_TIMERSLACK then", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    check("SET_TIMERSLACK -1", prctl(PR_SET_TIMERSLACK, -1L, 0, 0, 0));
    check_val("GET_TIMERSLACK then", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    check("SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    check_val("GET_TIMERSLACK after 0", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    check("SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    check("GET_NO_NEW_PRIVS with an argument", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
    check_val("GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    check("SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
    check_val("GET_THP_DISABLE then", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    check("SET_THP_DISABLE 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
}

// No new privileges is for good, and a child inherits it: in a child.
static void no_new_privs(void)
{
    check("SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    check_val("GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    pid_t c = fork();
    if (c == 0)
        _exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
    wait_and_print("a child's GET_NO_NEW_PRIVS is 1", c);
}

static int report_fd;

static void on_parent_death(int sig)
{
    char m[] = "got SIGUSR1";
    if (sig == SIGUSR1)
        write(report_fd, m, sizeof m - 1);
    _exit(0);
}

// A middle process makes a child that asks for SIGUSR1 at its parent's death, waits until
// it has asked, and exits: the child - ours now - must get it.
static void parent_death(void)
{
    int report[2], ready[2];
    pipe(report);
    pipe(ready);
    pid_t middle = fork();
    if (middle == 0) {
        pid_t child = fork();
        if (child == 0) {
            int v = -1;
            prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
            report_fd = report[1];
            signal(SIGUSR1, on_parent_death);
            prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
            write(ready[1], v == 0 ? "0" : "?", 1);
            for (int i = 0; i < 500; i++)
                usleep(10000);
            write(report[1], "none", 4);
            _exit(0);
        }
        char c;
        read(ready[0], &c, 1);
        write(report[1], &c, 1);            // what the child's fork started it with
        _exit(0);
    }
    close(report[1]);
    close(ready[1]);
    waitpid(middle, NULL, 0);
    char buf[32] = { 0 };
    long n = 0, got;
    while (n < (long)sizeof buf - 1 && (got = read(report[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += got;
    printf("the child started with pdeath 0: %s\n", buf[0] == '0' ? "yes" : "no");
    printf("at its parent's death the child says: %s\n", buf + 1);
    close(report[0]);
    close(ready[0]);
    while (wait(NULL) > 0)
        ;
}

int main(void)
{
    begin("t_prctl");
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    values();
    in_child("no new privileges", no_new_privs);
    parent_death();
    return done();
}
