// t_cred.c: user and group ids. Root (where every test starts) may take any id; once a
// process has given root up it may only move among the ids it has, and it loses root's
// rights: setgroups, setting others' ids, signalling other users' processes.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static long sys(long n, long a, long b, long c) { return syscall(n, a, b, c); }

static void ids(const char *when)
{
    unsigned r, e, s;
    syscall(SYS_getresuid, &r, &e, &s);
    printf("%s: uid %u %u %u", when, r, e, s);
    syscall(SYS_getresgid, &r, &e, &s);
    printf(", gid %u %u %u\n", r, e, s);
}

static void unprivileged(void)
{
    unsigned groups[4] = { 5, 6, 7, 8 };
    check("setgroups(2)", sys(SYS_setgroups, 2, (long)groups, 0));
    check_val("getgroups(0, NULL)", sys(SYS_getgroups, 0, 0, 0));
    check("getgroups(1, buf) with 2 groups", sys(SYS_getgroups, 1, (long)groups, 0));
    check_val("getgroups(4, buf)", sys(SYS_getgroups, 4, (long)groups, 0));
    printf("groups: %u %u\n", groups[0], groups[1]);
    check("setresgid(100, 100, 100)", sys(SYS_setresgid, 100, 100, 100));
    check("setreuid(1000, 1000)", sys(SYS_setreuid, 1000, 1000, 0));
    ids("after setreuid");
    check("setresuid(-1, 2000, -1)", sys(SYS_setresuid, -1, 2000, -1));
    check("setuid(0)", sys(SYS_setuid, 0, 0, 0));
    check("setgid(0)", sys(SYS_setgid, 0, 0, 0));
    check("setgroups(0) without root", sys(SYS_setgroups, 0, 0, 0));
    check("setuid(1000)", sys(SYS_setuid, 1000, 0, 0));
    ids("after setuid(1000)");
    check_val("setfsuid(3000) returns the old", sys(SYS_setfsuid, 3000, 0, 0));
    check_val("setfsuid(-1) reads it", sys(SYS_setfsuid, -1, 0, 0));
    check("setuid(-1)", sys(SYS_setuid, -1, 0, 0));
    check("kill(init, 0) as a user", kill(1, 0));
    check("kill(root parent, SIGTERM)", kill(getppid(), SIGTERM));
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    check("kill(own child, 0)", kill(c, 0));
    check("kill(own child, SIGKILL)", kill(c, SIGKILL));
    wait_and_print("the child", c);
    check("getresuid(NULL...)", sys(SYS_getresuid, 0, 0, 0));
}

static void saved_id(void)
{
    check("setresuid(1000, 1000, 0)", sys(SYS_setresuid, 1000, 1000, 0));
    check("seteuid(0) through the saved id", sys(SYS_setresuid, -1, 0, -1));
    ids("back to root");
    check("setuid(0) as root gives everything", sys(SYS_setuid, 0, 0, 0));
    ids("all root");
    check("setreuid(-1, 500)", sys(SYS_setreuid, -1, 500, 0));
    ids("after setreuid(-1, 500)");
}

// The auxiliary vector tells a program its ids (AT_UID, AT_EUID, AT_GID, AT_EGID) and
// whether they differ (AT_SECURE: glibc's secure mode). Printed by a program exec'd with
// ids of its own: a real and an effective uid that differ.
#define AT_UID    11
#define AT_EUID   12
#define AT_GID    13
#define AT_EGID   14
#define AT_SECURE 23

static int after_exec(void)
{
    begin("t_cred (exec'd)");
    printf("auxv: uid %lu euid %lu gid %lu egid %lu secure %lu\n", getauxval(AT_UID),
           getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID), getauxval(AT_SECURE));
    fflush(stdout);
    return 0;
}

static char *self;

static void exec_with_ids(void)
{
    sys(SYS_setresgid, 300, 300, 300);
    sys(SYS_setresuid, 1000, 2000, 2000);
    char *argv[] = { self, "after-exec", NULL }, *envp[] = { NULL };
    execve(self, argv, envp);
    printf("execve: error %s\n", err_name(errno));
}

int main(int argc, char **argv)
{
    if (argc == 2 && argv[1][0] == 'a')
        return after_exec();
    self = argv[0];
    begin("t_cred");
    printf("auxv at the start: uid %lu secure %lu\n", getauxval(AT_UID), getauxval(AT_SECURE));
    ids("start");
    check_val("getgroups(0, NULL) as root, before", sys(SYS_getgroups, 0, 0, 0) >= 0);
    in_child("unprivileged", unprivileged);
    in_child("saved_id", saved_id);
    ids("the parent is still");
    in_child("exec with ids of its own", exec_with_ids);
    return done();
}
