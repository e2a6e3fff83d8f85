// t_pgrp.c: process groups and sessions: getpgrp, getpgid, setpgid (by a process on itself
// and by a parent on its child) and setsid with their errors, kill and waitpid aimed at a
// group, and tcgetpgrp/tcsetpgrp on what is not a terminal.
//
// The test process's own group and session differ between the host (whatever the runner
// gave it) and Lantern (it is PID 1), so it never changes them, and prints only relations;
// the children do the changing. On Lantern, orphans come back to PID 1; on the host,
// prctl(SUBREAPER) brings them back to the test process too.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static char *self;
static pid_t my_pgrp, my_sid, gone;     // gone: the pid of a child already reaped

// A child that waits until gate[1] closes (in every process holding it), then exits 0.
static pid_t gated(int gate[2])
{
    char c;
    pid_t pid = fork();

    if (pid == 0) {
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(0);
    }
    return pid;
}

static void queries(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    gone = pid;
    my_pgrp = getpgrp();
    my_sid = getsid(0);
    yes("getpgid(0) is getpgrp()", getpgid(0) == my_pgrp);
    yes("getpgid(getpid()) too", getpgid(getpid()) == my_pgrp);
    yes("getsid(getpid()) is getsid(0)", getsid(getpid()) == my_sid);
    check("getpgid(a reaped child)", getpgid(gone));
    check("getsid(a reaped child)", getsid(gone));
    check("setpgid(0, -1)", setpgid(0, -1));
    check("setpgid(-1, 0)", setpgid(-1, 0));
}

static void child_on_itself(void)
{
    yes("a child starts in its parent's group", getpgrp() == my_pgrp);
    yes("and session", getsid(0) == my_sid);
    check("setpgid(0, 0)", setpgid(0, 0));
    yes("then getpgrp() is its pid", getpgrp() == getpid());
    check("setpgid(0, 0) again", setpgid(0, 0));
    check("setsid as a group leader", setsid());
    check("setpgid(0, parent's group): back", setpgid(0, my_pgrp));
    yes("back in the parent's group", getpgrp() == my_pgrp);
    check("setpgid(0, a group that does not exist)", setpgid(0, gone));
    yes("setsid returns its pid", setsid() == getpid());
    yes("now its session and group are its pid", getsid(0) == getpid() && getpgrp() == getpid());
    yes("the parent's session is unchanged", getsid(getppid()) == my_sid);
    check("setsid again", setsid());
    check("setpgid(0, 0) as a session leader", setpgid(0, 0));
    check("setpgid(0, parent's group) from another session", setpgid(0, my_pgrp));
}

// The exec'd side of parent_on_child: say so on one pipe, then wait for the other to close.
static int as_execed(char **argv)
{
    char c;

    write(atoi(argv[3]), "e", 1);
    read(atoi(argv[2]), &c, 1);
    return 0;
}

static void parent_on_child(void)
{
    int gate[2], ready[2], status;
    char c;
    pid_t g;

    pipe(gate);
    pid_t pid = gated(gate);
    check("setpgid(child, child)", setpgid(pid, pid));
    yes("getpgid(child) is the child", getpgid(pid) == pid);
    check("setpgid(child, our group)", setpgid(pid, my_pgrp));
    yes("getpgid(child) is our group", getpgid(pid) == my_pgrp);
    check("setpgid(child, 0)", setpgid(pid, 0));
    yes("getpgid(child) is the child again", getpgid(pid) == pid);

    pipe(ready);
    pid_t mid = fork();
    if (mid == 0) {                              // a grandchild is not ours to move
        close(gate[1]);
        if ((g = fork()) == 0) {
            read(gate[0], &c, 1);
            _exit(0);
        }
        write(ready[1], &g, sizeof g);
        waitpid(g, NULL, 0);
        _exit(0);
    }
    read(ready[0], &g, sizeof g);
    check("setpgid(grandchild, grandchild)", setpgid(g, g));

    pid_t leader = fork();
    if (leader == 0) {                           // in a session of its own
        setsid();
        write(ready[1], "s", 1);
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(0);
    }
    read(ready[0], &c, 1);
    check("setpgid(child in another session, ...)", setpgid(leader, leader));

    pid_t execed = fork();
    if (execed == 0) {
        char in[16], out[16];
        snprintf(in, sizeof in, "%d", gate[0]);
        snprintf(out, sizeof out, "%d", ready[1]);
        char *argv[] = { self, "as-execed", in, out, NULL };
        close(gate[1]);
        execve(self, argv, environ);
        _exit(127);
    }
    read(ready[0], &c, 1);
    check("setpgid(child after execve, ...)", setpgid(execed, execed));

    close(gate[0]);
    close(gate[1]);
    int good = 0;
    pid_t kids[] = { pid, mid, leader, execed };
    for (int i = 0; i < 4; i++)
        good += waitpid(kids[i], &status, 0) == kids[i] && status == 0;
    printf("the four children exited 0: %d\n", good);
    close(ready[0]);
    close(ready[1]);
}

// A group of three (a leader and its two children), all waiting; kill(-group) ends all of
// them. The leader's children come back to us when it dies.
static void kill_group(void)
{
    int gate[2], ready[2], status;
    char c;

    pipe(gate);
    pipe(ready);
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        for (int i = 0; i < 2; i++)
            if (fork() == 0)
                break;
        write(ready[1], "r", 1);
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(0);
    }
    for (int i = 0; i < 3; i++)
        read(ready[0], &c, 1);
    check("kill(-group, SIGTERM)", kill(-leader, SIGTERM));
    int killed = 0;
    for (int i = 0; i < 3; i++)
        killed += wait(&status) > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
    printf("processes killed by SIGTERM: %d\n", killed);
    check_val("and no child is left", wait(&status));
    check("kill(-reaped group, 0)", kill(-leader, 0));
    check("killpg(-1, 0)", killpg(-1, 0));
    close(gate[0]);
    close(gate[1]);
    close(ready[0]);
    close(ready[1]);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
    (void)sig;
    got_usr1 = 1;
}

// In a group of its own: kill(0) and waitpid(0) mean "my group", waitpid(-g) "group g".
static void own_group(void)
{
    int gate[2], status;

    setpgid(0, 0);
    pipe(gate);
    pid_t same = fork();                         // SIGUSR1 is SIG_DFL: it will end it
    if (same == 0) {
        close(gate[1]);
        char c;
        read(gate[0], &c, 1);
        _exit(0);
    }
    pid_t other = gated(gate);
    setpgid(other, other);
    signal(SIGUSR1, on_usr1);
    check("kill(0, SIGUSR1)", kill(0, SIGUSR1));
    yes("our handler ran", got_usr1);
    close(gate[0]);
    close(gate[1]);
    yes("waitpid(0) returns the child in our group", waitpid(0, &status, 0) == same);
    print_status("it", status);
    check_val("waitpid(0) again", waitpid(0, &status, 0));
    yes("waitpid(-other group) returns the other child", waitpid(-other, &status, 0) == other);
    print_status("it", status);
}

// waitid with P_PGID: id 0 means "my group" (Linux 5.4+); a negative id, or P_PID 0, is
// EINVAL. Run in a group of its own.
static void waitid_groups(void)
{
    int gate[2];
    siginfo_t si;

    setpgid(0, 0);
    pipe(gate);
    pid_t same = gated(gate), other = gated(gate);
    setpgid(other, other);
    unsigned char ru[144];                        // a struct rusage's size on x86_64
    memset(ru, 0xff, sizeof ru);
    check("waitid(P_ALL, WNOHANG) with a rusage, nothing to tell",
          syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, ru));
    yes("the rusage is left as it was", ru[0] == 0xff && ru[sizeof ru - 1] == 0xff);
    close(gate[0]);
    close(gate[1]);
    check("waitid(P_PID, 0)", waitid(P_PID, 0, &si, WEXITED));
    check("waitid(P_PGID, -1)", waitid(P_PGID, -1, &si, WEXITED));
    memset(&si, 0, sizeof si);
    check("waitid(P_PGID, 0)", waitid(P_PGID, 0, &si, WEXITED));
    yes("it was the child in our group", si.si_pid == same && si.si_code == CLD_EXITED);
    check("waitid(P_PGID, 0, WNOHANG) again", waitid(P_PGID, 0, &si, WEXITED | WNOHANG));
    memset(&si, 0, sizeof si);
    check("waitid(P_PGID, other group)", waitid(P_PGID, other, &si, WEXITED));
    yes("it was the other child", si.si_pid == other && si.si_status == 0);
}

static void terminals(void)
{
    int p[2], fd = open("etc/parity/hello.txt", O_RDONLY);

    pipe(p);
    check("tcgetpgrp on a pipe", tcgetpgrp(p[0]));
    check("tcgetpgrp on a file", tcgetpgrp(fd));
    check("tcgetpgrp fd 99", tcgetpgrp(99));
    check("tcsetpgrp on a pipe", tcsetpgrp(p[1], my_pgrp));
    close(p[0]);
    close(p[1]);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "as-execed") == 0)
        return as_execed(argv);
    self = argv[0];
    begin("t_pgrp");
    default_signals();
    check("prctl PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    queries();
    in_child("a child on itself", child_on_itself);
    parent_on_child();
    kill_group();
    in_child("a child with a group of its own", own_group);
    in_child("waitid in a group of its own", waitid_groups);
    terminals();
    return done();
}
