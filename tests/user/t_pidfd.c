// t_pidfd.c: process file descriptors - pidfd_open, pidfd_send_signal (with and without a
// siginfo), waitid(P_PIDFD) with WNOHANG, WNOWAIT and PIDFD_NONBLOCK, poll and epoll
// (readable once the process is over, hung up once reaped), /proc/self/fdinfo's Pid line,
// a child reaped as it exits (SIGCHLD ignored), clone's and clone3's CLONE_PIDFD,
// pidfd_getfd, fork and dup sharing a pidfd, threads (a thread's id has no pidfd; a leader
// that exits first is not news, and a signal through its pidfd still ends the rest; an
// exec by a thread keeps the pidfd), edge-triggered epoll (news at the exit, and again at
// the reap) - and every error.
// Then a 0-byte write to /proc/self/comm, which empties the name.
//
// Pids are never printed, only whether they are the ones expected. The program runs itself
// again as "t_pidfd as-exit N" (exit with N) for the exec case.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define SYS_pidfd_send_signal 424
#define SYS_pidfd_open        434
#define SYS_clone3_           435
#define SYS_pidfd_getfd       438
#define P_PIDFD        3
#define PIDFD_NONBLOCK O_NONBLOCK
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_PIDFD          0x00001000
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_DETACHED       0x00400000
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SYSVSEM)
#define STACK_SIZE 65536

struct clone_args {
    unsigned long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static char *self;
static char stack_a[STACK_SIZE] __attribute__((aligned(16)));

static long pidfd_open(int pid, int flags) { return syscall(SYS_pidfd_open, pid, flags); }
static long send_sig(int fd, int sig, siginfo_t *info, int flags)
{
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}
static long getfd(int pidfd, int fd, int flags) { return syscall(SYS_pidfd_getfd, pidfd, fd, flags); }
static long waitid_fd(int fd, siginfo_t *si, int options)
{
    return syscall(SYS_waitid, P_PIDFD, fd, si, options, NULL);
}

// clone(flags) onto the top of a stack of its own; the child runs fn() and exits with 0.
// In assembly, so that the child touches nothing of ours before fn (it shares our memory).
static long clone_on_stack(unsigned long flags, char *stack, void (*fn)(void))
{
    void **sp = (void **)(stack + STACK_SIZE) - 2;
    sp[0] = (void *)fn;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "pop %%rax\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%%rax\n\t"
                     "mov $60, %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "1:"
                     : "=a"(ret)
                     : "a"(SYS_clone), "D"(flags), "S"(sp), "d"(0), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    if (ret < 0) {
        errno = (int)-ret;
        return -1;
    }
    return ret;
}

static void show_revents(const char *what, int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    long n = poll(&p, 1, 0);
    printf("%s: %ld%s%s%s\n", what, n, p.revents & POLLIN ? " POLLIN" : "",
           p.revents & POLLHUP ? " POLLHUP" : "", p.revents & POLLOUT ? " POLLOUT" : "");
}

// The "Pid:" line of fd's /proc/self/fdinfo entry, as a number; -2 if there is none.
static int fdinfo_pid(int fd)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    long n = f < 0 ? -1 : read(f, buf, sizeof buf - 1);
    close(f);
    buf[n > 0 ? n : 0] = '\0';
    char *at = strstr(buf, "\nPid:\t");
    char *ns = strstr(buf, "\nNSpid:\t");
    if (!at || !ns || atoi(at + 6) != atoi(ns + 8))
        return -2;
    return atoi(at + 6);
}

static void print_info(const char *what, const siginfo_t *si, pid_t pid)
{
    printf("%s: signo %s code %d status %d pid ours %s\n", what, sig_name(si->si_signo),
           si->si_code, si->si_status, si->si_pid == pid ? "yes" : "no");
}

static pid_t child_waiting(int *wake)   // a child that exits 0 once wake's write end closes
{
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(0);
    }
    close(p[0]);
    *wake = p[1];
    return pid;
}

static void open_errors(void)
{
    check("pidfd_open flags 1", pidfd_open(getpid(), 1));
    check("pidfd_open O_NONBLOCK|O_CLOEXEC", pidfd_open(getpid(), O_NONBLOCK | O_CLOEXEC));
    check("pidfd_open pid 0", pidfd_open(0, 0));
    check("pidfd_open pid -1", pidfd_open(-1, 0));
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    check("pidfd_open a reaped child", pidfd_open(gone, 0));
}

static void the_file(void)
{
    int fd = (int)pidfd_open(getpid(), 0);
    int nb = (int)pidfd_open(getpid(), PIDFD_NONBLOCK);
    check("pidfd_open self", fd);
    check("pidfd_open self PIDFD_NONBLOCK", nb);
    printf("F_GETFD: %d, F_GETFL: 0%o, nonblocking: 0%o\n", fcntl(fd, F_GETFD),
           fcntl(fd, F_GETFL), fcntl(nb, F_GETFL));
    struct stat st;
    fstat(fd, &st);
    printf("fstat: mode 0%o nlink %ld size %ld\n", st.st_mode, (long)st.st_nlink, (long)st.st_size);
    char path[64], link[64] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = readlink(path, link, sizeof link - 1);
    printf("link: %s\n", n > 0 ? link : "?");
    yes("fdinfo: Pid is ours", fdinfo_pid(fd) == getpid());
    char buf[8] = "";
    check("read", read(fd, buf, sizeof buf));
    check("read 0 bytes", read(fd, buf, 0));
    check("write", write(fd, buf, sizeof buf));
    check("write 0 bytes", write(fd, buf, 0));
    check("lseek", lseek(fd, 0, SEEK_SET));
    show_revents("poll self (IN|OUT)", fd, POLLIN | POLLOUT);
    int d = dup(fd);
    check("dup", d);
    yes("dup: fdinfo Pid is ours", fdinfo_pid(d) == getpid());
    close(d);
    close(nb);
    close(fd);
}

static void send_to_self(void)
{
    int fd = (int)pidfd_open(getpid(), 0), p[2];
    pipe(p);
    check("send: not a descriptor", send_sig(p[1] + 1, 0, NULL, 0));
    check("send: a pipe", send_sig(p[0], 0, NULL, 0));
    check("send: flags 8", send_sig(fd, 0, NULL, 8));
    check("send: signal 0", send_sig(fd, 0, NULL, 0));
    check("send: signal 65", send_sig(fd, 65, NULL, 0));
    check("send: signal -1", send_sig(fd, -1, NULL, 0));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    check("send: si_signo not sig", send_sig(fd, SIGUSR2, &si, 0));
    check("send: info a bad pointer", send_sig(fd, SIGUSR1, bad_ptr(8), 0));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    check("send SIGUSR1, no info", send_sig(fd, SIGUSR1, NULL, 0));
    siginfo_t got;
    memset(&got, 0, sizeof got);
    int sig = sigwaitinfo(&set, &got);
    printf("  taken: %s, code %d, pid ours %s\n", sig_name(sig), got.si_code,
           got.si_pid == getpid() ? "yes" : "no");
    si.si_pid = getpid();
    si.si_value.sival_int = 42;
    check("send SIGUSR1, SI_QUEUE info", send_sig(fd, SIGUSR1, &si, 0));
    memset(&got, 0, sizeof got);
    sig = sigwaitinfo(&set, &got);
    printf("  taken: %s, code %d, value %d\n", sig_name(sig), got.si_code, got.si_value.sival_int);
    si.si_code = SI_USER;
    check("send SIGUSR1, SI_USER info, to self", send_sig(fd, SIGUSR1, &si, 0));
    memset(&got, 0, sizeof got);
    sig = sigwaitinfo(&set, &got);
    printf("  taken: %s, code %d\n", sig_name(sig), got.si_code);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    close(p[0]);
    close(p[1]);
    close(fd);
}

// A child from running to zombie to reaped, as its pidfd tells it.
static void life_of_a_child(void)
{
    int wake, p[2];
    pipe(p);
    pid_t pid = child_waiting(&wake);
    int fd = (int)pidfd_open(pid, 0), nb = (int)pidfd_open(pid, PIDFD_NONBLOCK);
    int self = (int)pidfd_open(getpid(), 0);
    show_revents("running: poll", fd, POLLIN);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    check("send SI_USER info to another", send_sig(fd, SIGUSR1, &si, 0));
    si.si_code = SI_TKILL;
    check("send SI_TKILL info to another", send_sig(fd, SIGUSR1, &si, 0));
    si.si_code = SI_QUEUE;
    si.si_signo = 0;
    check("send signal 0, SI_QUEUE info", send_sig(fd, 0, &si, 0));
    memset(&si, 0xff, sizeof si);
    check("waitid PIDFD_NONBLOCK", waitid_fd(nb, &si, WEXITED));
    printf("  infop: signo %d code %d pid %d status %d\n", si.si_signo, si.si_code,
           si.si_pid, si.si_status);
    memset(&si, 0xff, sizeof si);
    check("waitid WNOHANG", waitid_fd(fd, &si, WEXITED | WNOHANG));
    printf("  infop: signo %d code %d pid %d status %d\n", si.si_signo, si.si_code,
           si.si_pid, si.si_status);
    check("waitid PIDFD_NONBLOCK WNOHANG", waitid_fd(nb, &si, WEXITED | WNOHANG));
    check("waitid a pipe", waitid_fd(p[0], &si, WEXITED));
    check("waitid not a descriptor", waitid_fd(p[1] + 10, &si, WEXITED));
    check("waitid fd -1", waitid_fd(-1, &si, WEXITED));
    check("waitid our own pidfd", waitid_fd(self, &si, WEXITED));
    check("waitid options 0", waitid_fd(fd, &si, 0));
    int ep = epoll_create1(0);
    struct epoll_event ev = { EPOLLIN, { 0 } };
    check("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    check_val("running: epoll_wait", epoll_wait(ep, &ev, 1, 0));
    int et = epoll_create1(0);
    struct epoll_event edge = { EPOLLIN | EPOLLET, { 0 } };
    check("epoll_ctl ADD, EPOLLET", epoll_ctl(et, EPOLL_CTL_ADD, fd, &edge));
    check_val("running: epoll_wait, EPOLLET", epoll_wait(et, &edge, 1, 0));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    int comm = open(path, O_WRONLY);
    check("0-byte write to another's comm", write(comm, "", 0));
    close(comm);
    check("send SIGTERM", send_sig(fd, SIGTERM, NULL, 0));
    struct pollfd pf = { fd, POLLIN, 0 };
    check_val("poll, 5 s", poll(&pf, 1, 5000));
    show_revents("zombie: poll", fd, POLLIN);
    ev.events = 0;
    check_val("zombie: epoll_wait", epoll_wait(ep, &ev, 1, 0));
    yes("  EPOLLIN", ev.events == EPOLLIN);
    check_val("zombie: epoll_wait, EPOLLET", epoll_wait(et, &edge, 1, 0));
    check_val("zombie: epoll_wait, EPOLLET, again", epoll_wait(et, &edge, 1, 0));
    check("zombie: send signal 0", send_sig(fd, 0, NULL, 0));
    check("zombie: send signal 65", send_sig(fd, 65, NULL, 0));
    int again = (int)pidfd_open(pid, 0);
    check("zombie: pidfd_open", again);
    yes("zombie: fdinfo Pid is the child's", fdinfo_pid(again) == pid);
    close(again);
    memset(&si, 0, sizeof si);
    check("waitid WNOWAIT", waitid_fd(fd, &si, WEXITED | WNOWAIT));
    print_info("  infop", &si, pid);
    memset(&si, 0, sizeof si);
    check("waitid PIDFD_NONBLOCK", waitid_fd(nb, &si, WEXITED));
    print_info("  infop", &si, pid);
    show_revents("reaped: poll", fd, POLLIN);
    show_revents("reaped: poll, no events", fd, 0);
    ev.events = 0;
    check_val("reaped: epoll_wait", epoll_wait(ep, &ev, 1, 0));
    yes("  EPOLLIN|EPOLLHUP", ev.events == (EPOLLIN | EPOLLHUP));
    edge.events = 0;
    check_val("reaped: epoll_wait, EPOLLET", epoll_wait(et, &edge, 1, 0));   // the reap: news
    yes("  EPOLLIN|EPOLLHUP", edge.events == (EPOLLIN | EPOLLHUP));
    check_val("reaped: epoll_wait, EPOLLET, again", epoll_wait(et, &edge, 1, 0));
    check("reaped: waitid", waitid_fd(fd, &si, WEXITED));
    check("reaped: waitid WNOHANG", waitid_fd(fd, &si, WEXITED | WNOHANG));
    check("reaped: send signal 0", send_sig(fd, 0, NULL, 0));
    check("reaped: send signal 65", send_sig(fd, 65, NULL, 0));
    check("reaped: pidfd_open", pidfd_open(pid, 0));
    printf("reaped: fdinfo Pid %d\n", fdinfo_pid(fd));
    check("reaped: pidfd_getfd", getfd(fd, 0, 0));
    close(wake);
    close(ep);
    close(et);
    close(fd);
    close(nb);
    close(self);
    close(p[0]);
    close(p[1]);
}

// A blocking waitid, a child's pidfd inherited by another child and a dup of it.
static void waits_and_sharing(void)
{
    int wake;
    pid_t pid = child_waiting(&wake);
    int fd = (int)pidfd_open(pid, 0);
    pid_t sender = fork();
    if (sender == 0) {
        _exit(send_sig(fd, SIGKILL, NULL, 0) == 0 ? 0 : 1);
    }
    wait_and_print("the child that sent SIGKILL through an inherited pidfd", sender);
    int d = dup(fd);
    close(fd);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("waitid through a dup, blocking", waitid_fd(d, &si, WEXITED));
    print_info("  infop", &si, pid);
    close(d);
    close(wake);

    pid = child_waiting(&wake);
    fd = (int)pidfd_open(pid, 0);
    close(wake);                       // it exits 0 now; waitid waits for it
    memset(&si, 0, sizeof si);
    check("waitid, blocking", waitid_fd(fd, &si, WEXITED));
    print_info("  infop", &si, pid);
    close(fd);
}

// With SIGCHLD ignored, a child is reaped as it exits (no zombie): its pidfd hangs up.
static void autoreaped(void)
{
    signal(SIGCHLD, SIG_IGN);
    int wake;
    pid_t pid = child_waiting(&wake);
    int fd = (int)pidfd_open(pid, 0);
    close(wake);
    struct pollfd pf = { fd, POLLIN, 0 };
    int i;
    for (i = 0; i < 500 && !(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLHUP)); i++)
        usleep(10000);
    yes("autoreaped: POLLIN|POLLHUP", i < 500 && pf.revents == (POLLIN | POLLHUP));
    siginfo_t si;
    check("  waitid", waitid_fd(fd, &si, WEXITED));
    check("  send signal 0", send_sig(fd, 0, NULL, 0));
    close(fd);
    signal(SIGCHLD, SIG_DFL);
}

static void clone_pidfd(void)
{
    int pfd = -1;
    long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pfd, 0, 0);
    if (pid == 0)
        _exit(7);
    check("clone CLONE_PIDFD", pid);
    printf("  pidfd: F_GETFD %d, F_GETFL 0%o, fdinfo Pid the child's %s\n", fcntl(pfd, F_GETFD),
           fcntl(pfd, F_GETFL), fdinfo_pid(pfd) == pid ? "yes" : "no");
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("  waitid", waitid_fd(pfd, &si, WEXITED));
    print_info("  infop", &si, (pid_t)pid);
    close(pfd);
    check("clone CLONE_PIDFD|CLONE_PARENT_SETTID",
          syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pfd, 0, 0));
    check("clone CLONE_PIDFD|CLONE_DETACHED",
          syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, &pfd, 0, 0));
    pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, bad_ptr(8), 0, 0);
    if (pid == 0)
        _exit(0);
    check("clone CLONE_PIDFD, a bad pointer", pid);
    check("  then no child", waitpid(-1, NULL, WNOHANG));

    int ptid = 0;
    struct clone_args args = { .flags = CLONE_PIDFD | CLONE_PARENT_SETTID,
                               .pidfd = (unsigned long)&pfd, .parent_tid = (unsigned long)&pfd,
                               .exit_signal = SIGCHLD };
    check("clone3 CLONE_PIDFD|CLONE_PARENT_SETTID, one address",
          syscall(SYS_clone3_, &args, sizeof args));
    args.parent_tid = (unsigned long)&ptid;
    pid = syscall(SYS_clone3_, &args, sizeof args);
    if (pid == 0)
        _exit(9);
    check("clone3 CLONE_PIDFD|CLONE_PARENT_SETTID", pid);
    yes("  parent_tid is the child's pid", ptid == pid);
    memset(&si, 0, sizeof si);
    check("  waitid", waitid_fd(pfd, &si, WEXITED));
    print_info("  infop", &si, (pid_t)pid);
    close(pfd);
}

static void pidfd_getfd(void)
{
    int self = (int)pidfd_open(getpid(), 0), p[2];
    pipe(p);
    check("pidfd_getfd flags 1", getfd(self, p[1], 1));
    check("pidfd_getfd a closed fd", getfd(self, p[1] + 10, 0));
    check("pidfd_getfd on a pipe", getfd(p[0], p[1], 0));
    int fd = (int)getfd(self, p[1], 0);
    check("pidfd_getfd our own pipe", fd);
    printf("  F_GETFD %d\n", fcntl(fd, F_GETFD));
    char c = 0;
    write(fd, "x", 1);
    read(p[0], &c, 1);
    printf("  through it: %c\n", c);
    close(fd);
    close(p[1]);
    int wake;
    pid_t pid = child_waiting(&wake);
    int child = (int)pidfd_open(pid, 0);
    fd = (int)getfd(child, p[0], 0);     // the child has our p[0] too (fork): the same file
    check("pidfd_getfd a child's", fd);
    struct stat a, b;
    fstat(fd, &a);
    fstat(p[0], &b);
    yes("  the same pipe", a.st_ino == b.st_ino);
    close(fd);
    close(wake);
    waitpid(pid, NULL, 0);
    close(child);
    close(p[0]);
    close(self);
}

// ---- threads

static int thread_tid, release[2], ready[2];
static void sleeper(void)              // a thread that waits for a byte, then exits alone
{
    char c;
    thread_tid = (int)syscall(SYS_gettid);
    write(ready[1], "t", 1);
    read(release[0], &c, 1);
    syscall(SYS_exit, 0);
}

static void thread_id(void)
{
    pipe(release);
    pipe(ready);
    char c;
    clone_on_stack(THREAD_FLAGS, stack_a, sleeper);
    read(ready[0], &c, 1);
    check("pidfd_open a thread's id", pidfd_open(thread_tid, 0));
    write(release[1], "x", 1);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", thread_tid);
    for (int i = 0, f; i < 500 && (f = open(path, O_RDONLY)) >= 0; i++) {   // until it is gone
        close(f);
        usleep(10000);
    }
    close(release[0]);
    close(release[1]);
    close(ready[0]);
    close(ready[1]);
}

// Is process pid's leader a zombie (/proc/<pid>/stat's state Z)?
static int leader_zombie(pid_t pid)
{
    char path[64], buf[256] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int f = open(path, O_RDONLY);
    long n = f < 0 ? -1 : read(f, buf, sizeof buf - 1);
    close(f);
    char *end = n > 0 ? strrchr(buf, ')') : NULL;
    return end && end[1] == ' ' && end[2] == 'Z';
}

// The leader exits first; its process is over only when the other thread has gone too -
// by itself, or killed by a signal sent through the pidfd (the leader a zombie).
static void leader_first(int kill_it)
{
    pipe(release);
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        clone_on_stack(THREAD_FLAGS, stack_a, sleeper);
        read(ready[0], &c, 1);
        syscall(SYS_exit, 0);          // this thread only
    }
    int fd = (int)pidfd_open(pid, 0);
    int i;
    for (i = 0; i < 500 && !leader_zombie(pid); i++)
        usleep(10000);
    yes("leader exited first: a zombie", i < 500);
    show_revents("  poll", fd, POLLIN);
    int again = (int)pidfd_open(pid, 0);
    check("  pidfd_open", again);
    close(again);
    if (kill_it)
        check("  send SIGTERM", send_sig(fd, SIGTERM, NULL, 0));
    else
        write(release[1], "x", 1);
    struct pollfd pf = { fd, POLLIN, 0 };
    check_val("  the other thread ends: poll, 5 s", poll(&pf, 1, 5000));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("  waitid", waitid_fd(fd, &si, WEXITED));
    print_info("  infop", &si, pid);
    close(fd);
    close(release[0]);
    close(release[1]);
    close(ready[0]);
    close(ready[1]);
}

static void exec_thread(void)          // the thread runs "t_pidfd as-exit 7"
{
    char *argv[] = { self, "as-exit", "7", NULL }, *envp[] = { NULL };
    execve(self, argv, envp);
    syscall(SYS_exit_group, 99);
}

// A thread that is not the leader execs: the process keeps its pid, and so its pidfd.
static void exec_by_thread(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        clone_on_stack(THREAD_FLAGS, stack_a, exec_thread);
        for (;;)
            pause();                   // until the exec ends this thread
    }
    int fd = (int)pidfd_open(pid, 0);
    check("exec by a thread: pidfd_open", fd);
    struct pollfd pf = { fd, POLLIN, 0 };
    check_val("  poll, 5 s", poll(&pf, 1, 5000));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("  waitid", waitid_fd(fd, &si, WEXITED));
    print_info("  infop", &si, pid);
    close(fd);
}

// ---- /proc/self/comm

static void show_comm(const char *what, const char *path)
{
    char buf[32];
    int f = open(path, O_RDONLY);
    long n = read(f, buf, sizeof buf);
    close(f);
    print_escaped(what, buf, n > 0 ? n : 0);
}

static void comm(void)
{
    char name[17] = "", task[64];
    prctl(PR_SET_NAME, "pidfd-test");
    int f = open("/proc/self/comm", O_WRONLY);
    check("0-byte write to /proc/self/comm", write(f, "", 0));
    close(f);
    show_comm("comm", "/proc/self/comm");
    prctl(PR_GET_NAME, name);
    printf("PR_GET_NAME: \"%s\"\n", name);
    prctl(PR_SET_NAME, "pidfd-test");
    snprintf(task, sizeof task, "/proc/self/task/%d/comm", getpid());
    f = open(task, O_WRONLY);
    check("0-byte write to task/<tid>/comm", write(f, "", 0));
    close(f);
    show_comm("comm", task);
    f = open("/proc/self/comm", O_WRONLY);
    check("write \"ab\"", write(f, "ab", 2));
    close(f);
    show_comm("comm", "/proc/self/comm");
    int e = (int)syscall(SYS_eventfd2, 0, 0);
    check("0-byte write to an eventfd", write(e, "", 0));
    close(e);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "as-exit") == 0)
        return atoi(argv[2]);
    self = argv[0];
    begin("t_pidfd");
    default_signals();
    if (access("/proc/self/fdinfo", F_OK) != 0) {   // Lantern's init: no /proc yet
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    open_errors();
    the_file();
    send_to_self();
    life_of_a_child();
    waits_and_sharing();
    autoreaped();
    clone_pidfd();
    pidfd_getfd();
    thread_id();
    leader_first(0);
    leader_first(1);
    exec_by_thread();
    comm();
    return done();
}
