// usertests_proc.c: fork, exec and wait in bulk, orphans, signals, execve's argument
// limits, the process limit, close-on-exec.
#include "usertests.h"

void t_fork_storm(void) {
    for (int i = 0; i < 500; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork %d: errno %d", i, errno);
        if (pid == 0)
            _exit(i & 0xff);
        int st = wait_for(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff), "child %d: %s", i, describe(st));
    }
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "children left over");
}

void t_exec_storm(void) {
    char *argv[] = { "true", NULL }, *envp[] = { NULL };
    for (int i = 0; i < 100; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork %d: errno %d", i, errno);
        if (pid == 0) {
            execve("/bin/true", argv, envp);
            _exit(99);
        }
        int st = wait_for(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "/bin/true %d: %s", i, describe(st));
    }
    // and a status that is not 0
    pid_t pid = fork();
    if (pid == 0) {
        char *fargv[] = { "false", NULL };
        execve("/bin/false", fargv, envp);
        _exit(99);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "/bin/false: %s", describe(st));
}

// A grandchild whose parent exits: it must be handed to `reaper` (the harness, init).
// It says who its parent became on the pipe, then exits 7; the harness reaps it.
static void orphan(int fd, pid_t reaper) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid > 0)
        _exit(0);                                  // the middle process
    for (int i = 0; i < 2000 && getppid() != reaper; i++)
        usleep(1000);
    pid_t pp = getppid();
    write(fd, &pp, sizeof pp);
    _exit(7);
}

void t_reparent(void) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t mid = fork();
    CHECK(mid >= 0, "fork: errno %d", errno);
    if (mid == 0) {
        close(fds[0]);
        orphan(fds[1], ut_reaper);
    }
    close(fds[1]);
    int st = wait_for(mid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "middle process %s", describe(st));
    pid_t pp = 0;
    CHECK(read(fds[0], &pp, sizeof pp) == sizeof pp, "no word from the orphan");
    CHECK(pp == ut_reaper, "the orphan's parent is %d, not %d", pp, ut_reaper);
}

void t_subreaper(void) {
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, "PR_SET_CHILD_SUBREAPER: errno %d", errno);
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t me = getpid(), mid = fork();
    CHECK(mid >= 0, "fork: errno %d", errno);
    if (mid == 0) {
        close(fds[0]);
        orphan(fds[1], me);
    }
    close(fds[1]);
    int st = wait_for(mid), got7 = 0;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "middle process %s", describe(st));
    pid_t pp = 0;
    CHECK(read(fds[0], &pp, sizeof pp) == sizeof pp, "no word from the orphan");
    CHECK(pp == me, "the orphan's parent is %d, not us (%d)", pp, me);
    while (waitpid(-1, &st, 0) > 0)
        got7 |= WIFEXITED(st) && WEXITSTATUS(st) == 7;
    CHECK(got7, "we never reaped the orphan");
}

static volatile int hits, last_sig;
static void on_sig(int sig) { hits++; last_sig = sig; }

void t_signals(void) {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_sig;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction: errno %d", errno);
    CHECK(raise(SIGUSR1) == 0, "raise: errno %d", errno);
    CHECK(hits == 1 && last_sig == SIGUSR1, "handler ran %d times", (int)hits);
    CHECK(kill(getpid(), SIGUSR1) == 0 && hits == 2, "kill(self): handler ran %d times", (int)hits);
    // from another process, waking pause()
    pid_t me = getpid(), pid = fork();
    if (pid == 0) {
        usleep(20000);
        kill(me, SIGUSR1);
        _exit(0);
    }
    while (hits < 3)
        pause();
    wait_for(pid);
}

static void sleeper(void) {
    for (;;)
        pause();
}

void t_sigkill(void) {
    signal(SIGTERM, SIG_IGN);   // inherited: only SIGKILL can end the child
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0)
        sleeper();
    usleep(10000);
    CHECK(kill(pid, SIGTERM) == 0, "kill SIGTERM: errno %d", errno);
    CHECK(waitpid(pid, NULL, WNOHANG) == 0, "SIGTERM ended a child that ignores it");
    CHECK(kill(pid, SIGKILL) == 0, "kill SIGKILL: errno %d", errno);
    int st = wait_for(pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %s", describe(st));
}

void t_sigblock(void) {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_sig;
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction: errno %d", errno);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "block: errno %d", errno);
    raise(SIGUSR2);
    CHECK(hits == 0, "a blocked signal's handler ran");
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2), "SIGUSR2 not pending");
    CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0, "unblock: errno %d", errno);
    CHECK(hits == 1 && last_sig == SIGUSR2, "after unblocking, the handler ran %d times", (int)hits);
}

// ---------------------------------------------------------------- execve's arguments

static int try_exec(char **argv) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        char *envp[] = { NULL };
        execve(ut_self, argv, envp);
        _exit(errno == E2BIG ? 100 : 101);
    }
    return wait_for(pid);
}

#define NARGS 100
#define ARGLEN 1000
int argcheck_main(int argc, char **argv) {
    if (argc != NARGS + 2)
        return 2;
    for (int i = 2; i < argc; i++) {
        if (strlen(argv[i]) != ARGLEN - 1)
            return 3;
        for (int j = 0; j < ARGLEN - 1; j++)
            if (argv[i][j] != 'a' + (i + j) % 26)
                return 4;
    }
    return 0;
}

void t_exec_args(void) {
    // one argument of 200 KB: more than MAX_ARG_STRLEN (128 KB)
    size_t big = 200 * 1024;
    char *s = malloc(big + 1);
    CHECK(s, "malloc");
    memset(s, 'x', big);
    s[big] = 0;
    char *argv1[] = { "usertests", s, NULL };
    int st = try_exec(argv1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100, "a 200 KB argument: %s, not E2BIG", describe(st));
    free(s);
    // 100000 arguments of 32 bytes: 3.2 MB, more than a quarter of the 8 MB stack
    int n = 100000;
    char **many = malloc((n + 2) * sizeof *many);
    CHECK(many, "malloc");
    static char arg[32];
    memset(arg, 'y', sizeof arg - 1);
    many[0] = "usertests";
    for (int i = 1; i <= n; i++)
        many[i] = arg;
    many[n + 1] = NULL;
    st = try_exec(many);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100, "100000 arguments: %s, not E2BIG", describe(st));
    free(many);
    // 100 arguments of 1000 bytes: fine, and they arrive intact
    char *argv3[NARGS + 3];
    argv3[0] = "usertests";
    argv3[1] = "--argcheck";
    for (int i = 2; i < NARGS + 2; i++) {
        argv3[i] = malloc(ARGLEN);
        CHECK(argv3[i], "malloc");
        for (int j = 0; j < ARGLEN - 1; j++)
            argv3[i][j] = (char)('a' + (i + j) % 26);
        argv3[i][ARGLEN - 1] = 0;
    }
    argv3[NARGS + 2] = NULL;
    st = try_exec(argv3);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "100 x 1000-byte arguments: %s", describe(st));
}

// ---------------------------------------------------------------- the process limit

void t_nproc(void) {
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, "PR_SET_CHILD_SUBREAPER: errno %d", errno);
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    // On the host, root is not held to RLIMIT_NPROC: stop at a few hundred there.
    int cap = ut_lantern ? 100000 : 300;
    pid_t leader = fork();
    CHECK(leader >= 0, "fork: errno %d", errno);
    if (leader == 0) {
        setpgid(0, 0);
        close(fds[0]);
        int n = 0, err = 0;
        for (; n < cap; n++) {
            pid_t pid = fork();
            if (pid < 0) {
                err = errno;
                break;
            }
            if (pid == 0)
                sleeper();
        }
        int msg[2] = { n, err };
        write(fds[1], msg, sizeof msg);
        sleeper();
    }
    close(fds[1]);
    int msg[2] = { 0, 0 };
    int got = (int)read(fds[0], msg, sizeof msg);
    kill(-leader, SIGKILL);
    int reaped = 0;
    while (waitpid(-1, NULL, 0) > 0)
        reaped++;
    CHECK(got == sizeof msg, "no word from the group leader");
    if (ut_lantern || msg[0] < cap)
        CHECK(msg[1] == EAGAIN, "fork failed with errno %d after %d children, not EAGAIN", msg[1], msg[0]);
    CHECK(reaped == msg[0] + 1, "reaped %d of %d processes", reaped, msg[0] + 1);
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork after the limit: errno %d", errno);
        if (pid == 0)
            _exit(6);
        int st = wait_for(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6, "child after the limit: %s", describe(st));
    }
}

// ---------------------------------------------------------------- close-on-exec

// usertests --fdcheck CLOSED OPEN: CLOSED must be closed, OPEN open.
int fdcheck_main(int argc, char **argv) {
    if (argc != 4)
        return 2;
    if (fcntl(atoi(argv[2]), F_GETFD) != -1 || errno != EBADF)
        return 3;
    if (fcntl(atoi(argv[3]), F_GETFD) != 0)
        return 4;
    return 0;
}

void t_cloexec(void) {
    int a = open("/dev/null", O_RDONLY), b = dup(a), c = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(a >= 0 && b >= 0 && c >= 0, "open: errno %d", errno);
    CHECK(fcntl(a, F_GETFD) == 0, "F_GETFD of a fresh fd = %d", fcntl(a, F_GETFD));
    CHECK(fcntl(c, F_GETFD) == FD_CLOEXEC, "F_GETFD with O_CLOEXEC = %d", fcntl(c, F_GETFD));
    CHECK(fcntl(a, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD: errno %d", errno);
    CHECK(fcntl(a, F_GETFD) == FD_CLOEXEC, "F_GETFD after F_SETFD = %d", fcntl(a, F_GETFD));
    CHECK(fcntl(b, F_GETFD) == 0, "the flag is per descriptor, yet the dup has it");
    CHECK(fcntl(c, F_SETFD, 0) == 0 && fcntl(c, F_GETFD) == 0, "clearing FD_CLOEXEC");
    CHECK(fcntl(c, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD: errno %d", errno);
    char sa[16], sb[16], sc[16];
    snprintf(sa, sizeof sa, "%d", a);
    snprintf(sb, sizeof sb, "%d", b);
    snprintf(sc, sizeof sc, "%d", c);
    char *argv1[] = { "usertests", "--fdcheck", sa, sb, NULL };
    char *argv2[] = { "usertests", "--fdcheck", sc, sb, NULL };
    int st = try_exec(argv1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec with F_SETFD FD_CLOEXEC: %s", describe(st));
    st = try_exec(argv2);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec with O_CLOEXEC: %s", describe(st));
}
