// t_flock.c: advisory file locks. flock(2): shared and exclusive whole-file locks owned by
// the open file description (dup and fork share them; the last close lets go), a
// conversion that is not atomic, LOCK_NB. fcntl's POSIX record locks: byte ranges from
// SEEK_SET/CUR/END, to EOF, negative lengths, merged and split ranges, F_GETLK's report,
// EAGAIN, a waiter woken, EINTR and SA_RESTART, EDEADLK, the fd's mode, every close of the
// file dropping all the process's locks, not inherited by fork, kept across exec, gone at
// exit. OFD locks: owned by the open file description, l_pid 0, reported with l_pid -1.
// What another process sees is asked by a forked child (F_GETLK), which prints it.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define F "flock.tmp"

static int lk(int fd, int cmd, int type, int whence, long start, long len)
{
    struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static const char *type_name(int t)
{
    return t == F_RDLCK ? "read" : t == F_WRLCK ? "write" : t == F_UNLCK ? "unlocked" : "?";
}

static void print_getlk(const char *what, int ret, const struct flock *fl, pid_t holder)
{
    if (ret < 0)
        printf("%s: error %s\n", what, err_name(errno));
    else if (fl->l_type == F_UNLCK)
        printf("%s: unlocked\n", what);
    else
        printf("%s: %s from %ld len %ld, pid %s\n", what, type_name(fl->l_type), (long)fl->l_start,
               (long)fl->l_len, fl->l_pid == holder ? "the holder's" : fl->l_pid == -1 ? "-1" : "other");
}

// What another process sees: a child, with its own open of F, asks F_GETLK for a lock of
// type on start..+len. holder: the pid a POSIX lock found should name.
static void seen_by(const char *what, int type, long start, long len, pid_t holder)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(F, O_RDWR);
        struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
        print_getlk(what, fcntl(fd, F_GETLK, &fl), &fl, holder);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

static void seen(const char *what, int type, long start, long len)
{
    seen_by(what, type, start, len, getpid());
}

// Waits until process pid sleeps (its /proc/pid/stat state is S): it is blocked in a lock.
static void wait_sleeping(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 2000; i++) {
        int fd = open(path, O_RDONLY);
        long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'S')
                return;
        }
        usleep(5000);
    }
    printf("wait_sleeping: the child never slept\n");
}

static void wait_byte(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        printf("wait_byte: no byte\n");
}

// ---------------------------------------------------------------- flock

static void flock_basics(void)
{
    int a = open(F, O_RDWR), b = open(F, O_RDONLY);
    check("flock LOCK_EX", flock(a, LOCK_EX));
    check("flock LOCK_EX again (same description)", flock(a, LOCK_EX));
    check("another open: LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
    check("another open: LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
    int d = dup(a);
    check("a dup: LOCK_EX|LOCK_NB (the same lock)", flock(d, LOCK_EX | LOCK_NB));
    check("a dup: LOCK_UN", flock(d, LOCK_UN));
    check("another open after LOCK_UN: LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
    check("first open: LOCK_SH|LOCK_NB (shared with it)", flock(a, LOCK_SH | LOCK_NB));
    check("first open: convert to LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
    check("the failed conversion dropped the lock: other converts", flock(b, LOCK_EX | LOCK_NB));
    check("LOCK_UN", flock(b, LOCK_UN));
    check("LOCK_UN with no lock", flock(b, LOCK_UN));
    check("LOCK_EX on an O_RDONLY descriptor", flock(b, LOCK_EX | LOCK_NB));
    close(b);
    check("its close let go: LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
    close(d);
    int e = open(F, O_RDWR);
    check("a dup closed, the lock stays: LOCK_SH|LOCK_NB", flock(e, LOCK_SH | LOCK_NB));
    close(e);
    close(a);

    check("flock(-1)", flock(-1, LOCK_SH));
    check("flock(999)", flock(999, LOCK_SH));
    int c = open(F, O_RDWR);
    check("flock(fd, 0)", flock(c, 0));
    check("flock(fd, LOCK_SH|LOCK_EX)", flock(c, LOCK_SH | LOCK_EX));
    check("flock(fd, LOCK_NB)", flock(c, LOCK_NB));
    check("flock(fd, 16)", flock(c, 16));
    check("flock(fd, 32: LOCK_MAND, ignored)", flock(c, 32));
    check("flock(fd, LOCK_MAND|LOCK_EX)", flock(c, 32 | LOCK_EX));
    check("flock(fd, -1)", flock(c, -1));
    check("flock(fd, LOCK_UN|LOCK_NB)", flock(c, LOCK_UN | LOCK_NB));
    int p[2];
    pipe(p);
    check("flock on a pipe: LOCK_EX", flock(p[0], LOCK_EX));
    check("flock on the pipe's other end: LOCK_EX|LOCK_NB", flock(p[1], LOCK_EX | LOCK_NB));
    close(p[0]);
    close(p[1]);
    close(c);
}

static void flock_fork(void)
{
    int a = open(F, O_RDWR);
    check("parent: LOCK_EX", flock(a, LOCK_EX));
    pid_t pid = fork();
    if (pid == 0) {
        check("child: LOCK_EX|LOCK_NB on the inherited descriptor", flock(a, LOCK_EX | LOCK_NB));
        int mine = open(F, O_RDWR);
        check("child: LOCK_SH|LOCK_NB on its own open", flock(mine, LOCK_SH | LOCK_NB));
        check("child: LOCK_UN on the inherited descriptor", flock(a, LOCK_UN));
        check("child: now its own open: LOCK_EX|LOCK_NB", flock(mine, LOCK_EX | LOCK_NB));
        _exit(0);
    }
    wait_and_print("child", pid);
    check("parent after the child's exit: LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
    close(a);
}

static volatile int signals;
static void on_usr1(int sig) { (void)sig; signals++; }

static void handle_usr1(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
    signals = 0;
}

// A child that blocks: in flock (use_flock) or F_SETLKW, on its own open; parent holds the
// lock. signal: 0 none, 1 SIGUSR1 without SA_RESTART, 2 with. The child prints its result.
static void blocked_child(const char *what, int use_flock, int signal)
{
    int held = open(F, O_RDWR);
    if (use_flock)
        flock(held, LOCK_EX);
    else
        lk(held, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    int ready[2];
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        handle_usr1(signal == 2 ? SA_RESTART : 0);
        int fd = open(F, O_RDWR);
        write(ready[1], "r", 1);
        int r = use_flock ? flock(fd, LOCK_EX) : lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1);
        int e = errno;
        printf("%s: child's wait: %s, signals %d\n", what, r == 0 ? "ok" : err_name(e), (int)signals);
        _exit(0);
    }
    wait_byte(ready[0]);
    wait_sleeping(pid);
    if (signal) {
        kill(pid, SIGUSR1);
        if (signal == 1) {
            waitpid(pid, NULL, 0);         // EINTR: the child ends with the lock still ours
            close(held);
            return;
        }
        usleep(50000);
        wait_sleeping(pid);                // restarted: asleep again
    }
    if (use_flock)
        flock(held, LOCK_UN);
    else
        lk(held, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    waitpid(pid, NULL, 0);
    close(held);
    close(ready[0]);
    close(ready[1]);
}

// ---------------------------------------------------------------- POSIX locks

static void posix_ranges(int fd)
{
    check("F_SETLK write 0..+10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    check("F_SETLK read 20..+10", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    print_getlk("own F_GETLK: own locks never conflict", fcntl(fd, F_GETLK, &fl), &fl, getpid());
    seen("other: write at 5", F_WRLCK, 5, 1);
    seen("other: write at 10..+10", F_WRLCK, 10, 10);
    seen("other: read at 25", F_RDLCK, 25, 1);
    seen("other: write at 25", F_WRLCK, 25, 1);
    seen("other: write from 29 to EOF", F_WRLCK, 29, 0);

    check("F_SETLK write 0..+100 (absorbs both)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
    seen("merged: write at 50", F_WRLCK, 50, 1);
    check("F_UNLCK 40..+20 (splits it)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
    seen("split: at 39", F_WRLCK, 39, 1);
    seen("split: at 50", F_WRLCK, 50, 1);
    seen("split: at 60", F_WRLCK, 60, 1);
    check("F_SETLK write 40..+20 (merges the halves)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20));
    seen("merged again: at 0", F_WRLCK, 0, 1);
    check("F_SETLK read 10..+10 (a downgrade inside)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10));
    seen("downgraded: write at 15", F_WRLCK, 15, 1);
    seen("downgraded: read at 15", F_RDLCK, 15, 1);
    seen("downgraded: write at 5", F_WRLCK, 5, 1);
    seen("downgraded: write at 20", F_WRLCK, 20, 1);
    check("F_SETLK read 20..+80 (joins the read piece)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 80));
    seen("joined: write at 99", F_WRLCK, 99, 1);
    check("F_UNLCK everything", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    seen("nothing left", F_WRLCK, 0, 0);

    check("F_SETLK write from 200 to EOF", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
    seen("to EOF: at 1000000", F_WRLCK, 1000000, 1);
    check("F_UNLCK from 300 to EOF", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 300, 0));
    seen("cut: at 250", F_WRLCK, 250, 1);
    seen("cut: at 300", F_WRLCK, 300, 1);
    check("F_UNLCK 0 len 0", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    check("F_SETLK write 300 len -50", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 300, -50));
    seen("negative length: at 260", F_WRLCK, 260, 1);
    seen("negative length: at 300", F_WRLCK, 300, 1);
    lseek(fd, 500, SEEK_SET);
    check("F_SETLK read SEEK_CUR+10 len 5", lk(fd, F_SETLK, F_RDLCK, SEEK_CUR, 10, 5));
    seen("SEEK_CUR: at 500", F_WRLCK, 500, 20);
    check("F_SETLK write SEEK_END-10 len 10", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10));
    seen("SEEK_END: at 0..+100", F_WRLCK, 0, 100);
    check("F_UNLCK all", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
}

static void posix_errors(int fd)
{
    check("F_SETLK on fd -1", lk(-1, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    check("F_GETLK on fd 999", lk(999, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
    check("F_SETLK l_type 5", lk(fd, F_SETLK, 5, SEEK_SET, 0, 1));
    check("F_SETLK l_whence 7", lk(fd, F_SETLK, F_WRLCK, 7, 0, 1));
    check("F_SETLK l_start -1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
    check("F_SETLK start 10 len -11", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, -11));
    check("F_SETLK start 10 len -10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, -10));
    check("F_SETLK start INT64_MAX len 2", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2));
    check("F_SETLK start INT64_MAX len 1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 1));
    check("F_SETLK SEEK_END+INT64_MAX", lk(fd, F_SETLK, F_WRLCK, SEEK_END, INT64_MAX, 1));
    check("F_GETLK l_type F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
    check("F_GETLK l_type 9", lk(fd, F_GETLK, 9, SEEK_SET, 0, 1));
    check("F_GETLK bad whence", lk(fd, F_GETLK, F_RDLCK, 3, 0, 1));
    check("F_SETLK NULL", fcntl(fd, F_SETLK, NULL));
    check("F_GETLK bad pointer", fcntl(fd, F_GETLK, bad_ptr(16)));
    check("F_SETLKW bad pointer", fcntl(fd, F_SETLKW, bad_ptr(16)));
    check("F_SETLK l_type 5 and l_whence 7", lk(fd, F_SETLK, 5, 7, 0, 1));
    int ro = open(F, O_RDONLY), wo = open(F, O_WRONLY);
    check("F_SETLK write on O_RDONLY", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    check("F_SETLK read on O_WRONLY", lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    check("F_SETLK read on O_RDONLY", lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    check("F_SETLK write on O_WRONLY", lk(wo, F_SETLK, F_WRLCK, SEEK_SET, 10, 1));
    check("F_SETLK unlock on O_RDONLY", lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    check("F_GETLK write on O_RDONLY", lk(ro, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
    check("F_SETLKW write on O_RDONLY", lk(ro, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
    close(ro);
    close(wo);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 1};
    check("F_OFD_SETLK l_pid 1", fcntl(fd, F_OFD_SETLK, &fl));
    check("F_OFD_GETLK l_pid 1", fcntl(fd, F_OFD_GETLK, &fl));
    check("F_OFD_SETLKW l_pid 1", fcntl(fd, F_OFD_SETLKW, &fl));
    check("F_SETLK l_pid 1 (ignored)", fcntl(fd, F_SETLK, &fl));
    check("F_UNLCK", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
}

static void posix_closes(void)
{
    int a = open(F, O_RDWR);
    check("lock 0..+10 through one open", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    int b = open(F, O_RDONLY);
    check("close another descriptor of the file", close(b));
    seen("after that close", F_WRLCK, 0, 1);
    lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    int d = dup(a);
    close(d);
    seen("after closing a dup", F_WRLCK, 0, 1);
    lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    int e = open(F, O_RDONLY);
    dup2(e, 50);
    dup2(a, 50);                         // closes its open of F: the locks go
    seen("after dup2 over a descriptor of the file", F_WRLCK, 0, 1);
    close(50);
    close(e);
    lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    e = open(F, O_RDONLY);
    dup2(e, 60);
    close(e);
    syscall(436, 60, 70, 0);             // close_range(60, 70, 0)
    seen("after close_range over a descriptor of the file", F_WRLCK, 0, 1);
    lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    pid_t pid = fork();
    if (pid == 0) {
        check("child: F_SETLK on the inherited descriptor (not its lock)",
              lk(a, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
        check("child: close of the inherited descriptor", close(a));
        _exit(0);
    }
    wait_and_print("child", pid);
    seen("the child's close left the parent's lock", F_WRLCK, 0, 1);
    close(a);
    seen("the parent's close", F_WRLCK, 0, 1);

    // Exit drops them: a child locks, waits for a byte, exits.
    int go[2], ready[2];
    pipe(go);
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        int fd = open(F, O_RDWR);
        lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 5);
        write(ready[1], "r", 1);
        wait_byte(go[0]);
        _exit(0);
    }
    wait_byte(ready[0]);
    int fd = open(F, O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    print_getlk("a child's lock", fcntl(fd, F_GETLK, &fl), &fl, pid);
    check("F_SETLK against it", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 4, 1));
    write(go[1], "g", 1);
    waitpid(pid, NULL, 0);
    check("F_SETLK after the child's exit", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
    close(fd);
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
}

// Parent holds 0..+1, child 1..+1; the child waits for 0; the parent's wait for 1 would
// close the cycle: EDEADLK (F_SETLK just says EAGAIN).
static void posix_deadlock(void)
{
    int fd = open(F, O_RDWR), ready[2];
    pipe(ready);
    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
    pid_t pid = fork();
    if (pid == 0) {
        int mine = open(F, O_RDWR);
        lk(mine, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
        write(ready[1], "r", 1);
        int r = lk(mine, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        printf("deadlock: child's F_SETLKW: %s\n", r == 0 ? "ok" : err_name(errno));
        _exit(0);
    }
    wait_byte(ready[0]);
    wait_sleeping(pid);
    check("deadlock: parent's F_SETLK", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
    check("deadlock: parent's F_SETLKW", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
    check("deadlock: parent's F_SETLKW on a free byte", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 2, 1));
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    waitpid(pid, NULL, 0);
    close(fd);
    close(ready[0]);
    close(ready[1]);
}

// exec keeps the process's locks: run ourselves with "exec-check" after locking.
static void exec_check(void)
{
    seen("after exec, the lock set before it", F_WRLCK, 0, 1);
}

static void posix_exec(const char *self)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(F, O_RDWR);
        lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 3);
        char *argv[] = {(char *)"t_flock", (char *)"exec-check", NULL};
        execv(self, argv);
        _exit(9);
    }
    wait_and_print("exec child", pid);
    seen("after the exec'd child's exit", F_WRLCK, 0, 1);
}

// ---------------------------------------------------------------- OFD locks

static void ofd_locks(void)
{
    int a = open(F, O_RDWR), b = open(F, O_RDWR);
    check("F_OFD_SETLK write 0..+10", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    check("F_OFD_SETLK from another open, same process", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1));
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 9, .l_len = 5};
    print_getlk("F_OFD_GETLK from the other open", fcntl(b, F_OFD_GETLK, &fl), &fl, getpid());
    fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    print_getlk("F_GETLK (POSIX) in the same process", fcntl(b, F_GETLK, &fl), &fl, getpid());
    check("F_SETLK (POSIX) against it", lk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    check("F_SETLK (POSIX) beside it", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 10, 5));
    fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 12, .l_len = 1};
    print_getlk("F_OFD_GETLK of the POSIX lock", fcntl(a, F_OFD_GETLK, &fl), &fl, getpid());
    check("F_OFD_SETLK against the POSIX lock", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 12, 1));
    close(b);                            // drops the POSIX lock, not a's OFD lock
    seen("after closing the other open", F_WRLCK, 0, 20);
    int d = dup(a);
    close(d);
    seen("after closing a dup of the owner", F_WRLCK, 0, 20);
    pid_t pid = fork();
    if (pid == 0) {
        check("child: F_OFD_SETLK on the inherited description", lk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 5));
        _exit(0);
    }
    wait_and_print("child", pid);
    seen("the child changed the shared lock", F_WRLCK, 0, 20);
    check("F_OFD_SETLK unlock", lk(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    seen("after F_UNLCK", F_WRLCK, 0, 20);
    check("F_OFD_SETLK again", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0));
    close(a);
    seen("after the last close", F_WRLCK, 0, 20);
}

// ---------------------------------------------------------------- /proc/locks

static int by_string(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

// Our file's lines of /proc/locks, without what differs between machines (the lock's
// number, the device, the pid: "me" or -1), sorted (Linux lists per CPU).
static void print_proc_locks(ino_t ino)
{
    static char text[65536], lines[16][128];
    int fd = open("/proc/locks", O_RDONLY), n = 0;
    long len = 0, got;
    while (fd >= 0 && (got = read(fd, text + len, sizeof text - 1 - len)) > 0)
        len += got;
    close(fd);
    text[len] = 0;
    char suffix[32];
    snprintf(suffix, sizeof suffix, ":%lu", (unsigned long)ino);
    char *next;
    for (char *line = text; *line && n < 16; line = next) {
        next = strchr(line, '\n');
        next = next ? (*next = 0, next + 1) : line + strlen(line);
        // id: kind ADVISORY type pid dev:ino start end (our libc has no sscanf)
        char *tok[8];
        int nt = 0;
        for (char *p = line; *p && nt < 8;) {
            while (*p == ' ')
                *p++ = 0;
            if (!*p)
                break;
            tok[nt++] = p;
            while (*p && *p != ' ')
                p++;
        }
        size_t dl = nt == 8 ? strlen(tok[5]) : 0, sl = strlen(suffix);
        if (nt != 8 || dl < sl || strcmp(tok[5] + dl - sl, suffix) != 0)
            continue;
        int pid = atoi(tok[4]);
        snprintf(lines[n++], sizeof lines[0], "%s %s %s %s %s %s", tok[1], tok[2], tok[3],
                 pid == getpid() ? "me" : pid == -1 ? "-1" : "other", tok[6], tok[7]);
    }
    qsort(lines, (size_t)n, sizeof lines[0], by_string);
    for (int i = 0; i < n; i++)
        printf("/proc/locks: %s\n", lines[i]);
    printf("/proc/locks: %d lines for the file\n", n);
}

static void proc_locks(void)
{
    int a = open(F, O_RDWR), b = open(F, O_RDWR);
    struct stat st;
    fstat(a, &st);
    lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    flock(a, LOCK_SH);
    lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 20, 5);
    lk(a, F_SETLK, F_RDLCK, SEEK_SET, 100, 0);
    print_proc_locks(st.st_ino);
    close(b);                            // the POSIX locks go, and b's OFD lock
    print_proc_locks(st.st_ino);
    close(a);
    print_proc_locks(st.st_ino);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-check") == 0) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        exec_check();
        return 0;
    }
    begin("t_flock");
    default_signals();
    if (access("/proc/self/stat", R_OK) != 0) {   // as init on Lantern: nobody mounted it
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    int fd = open(F, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("create " F, fd);
    char block[100];
    memset(block, 'x', sizeof block);
    write(fd, block, sizeof block);

    flock_basics();
    flock_fork();
    blocked_child("flock, woken by LOCK_UN", 1, 0);
    blocked_child("flock, SIGUSR1", 1, 1);
    blocked_child("flock, SIGUSR1 with SA_RESTART", 1, 2);
    blocked_child("F_SETLKW, woken by F_UNLCK", 0, 0);
    blocked_child("F_SETLKW, SIGUSR1", 0, 1);
    blocked_child("F_SETLKW, SIGUSR1 with SA_RESTART", 0, 2);
    signal(SIGUSR1, SIG_DFL);

    posix_ranges(fd);
    posix_errors(fd);
    close(fd);
    posix_closes();
    posix_deadlock();
    posix_exec("/proc/self/exe");
    ofd_locks();
    proc_locks();
    check("unlink", unlink(F));
    return done();
}
