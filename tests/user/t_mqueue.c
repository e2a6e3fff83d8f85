// t_mqueue.c: POSIX message queues through their system calls (mq_open's name without
// the '/' glibc strips): names and their errors, the attributes and their limits, messages
// by priority, full and empty queues (O_NONBLOCK, absolute timeouts), poll and read() on
// the descriptor, mq_notify's signal, a queue between two processes, unlink, and
// RLIMIT_MSGQUEUE.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define SYS_mq_open_ 240
#define SYS_mq_unlink_ 241
#define SYS_mq_timedsend_ 242
#define SYS_mq_timedreceive_ 243
#define SYS_mq_notify_ 244
#define SYS_mq_getsetattr_ 245
#define SYS_prlimit64_ 302

struct mq_attr_ { long flags, maxmsg, msgsize, curmsgs, reserved[4]; };
struct sigevent_ { long value; int signo, notify, tid, pad[11]; };

static long mq_open_(const char *name, int oflag, int mode, struct mq_attr_ *attr)
{
    return syscall(SYS_mq_open_, name, oflag, mode, attr);
}
static long send_(int fd, const char *msg, size_t len, unsigned prio, const struct timespec *ts)
{
    return syscall(SYS_mq_timedsend_, fd, msg, len, prio, ts);
}
static long recv_(int fd, char *buf, size_t len, unsigned *prio, const struct timespec *ts)
{
    return syscall(SYS_mq_timedreceive_, fd, buf, len, prio, ts);
}
static long attr_(int fd, struct mq_attr_ *new, struct mq_attr_ *old)
{
    return syscall(SYS_mq_getsetattr_, fd, new, old);
}

static void print_attr(int fd)
{
    struct mq_attr_ a;
    memset(&a, 0xff, sizeof a);
    if (attr_(fd, NULL, &a) != 0) {
        printf("getattr: %s\n", err_name(errno));
        return;
    }
    printf("flags %s maxmsg %ld msgsize %ld curmsgs %ld\n", a.flags & O_NONBLOCK ? "O_NONBLOCK" : "0",
           a.maxmsg, a.msgsize, a.curmsgs);
}

static void names(void)
{
    check("open a queue that is not there", mq_open_("t_mq_none", O_RDONLY, 0, NULL));
    check("empty name", mq_open_("", O_RDWR | O_CREAT, 0600, NULL));
    check("name with a slash", mq_open_("a/b", O_RDWR | O_CREAT, 0600, NULL));
    check("name .", mq_open_(".", O_RDWR | O_CREAT, 0600, NULL));
    check("name ..", mq_open_("..", O_RDWR | O_CREAT, 0600, NULL));
    char longname[300];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    check("name of 299 bytes", mq_open_(longname, O_RDWR | O_CREAT, 0600, NULL));
    check("name, bad pointer", mq_open_(bad_ptr(1), O_RDWR | O_CREAT, 0600, NULL));
    check("attr, bad pointer (no O_CREAT)", mq_open_("t_mq_none", O_RDWR, 0600, bad_ptr(1)));
    check("unlink a queue that is not there", syscall(SYS_mq_unlink_, "t_mq_none"));
    check("unlink, empty name", syscall(SYS_mq_unlink_, ""));
}

static void attributes(void)
{
    int fd = (int)mq_open_("t_mq_a", O_RDWR | O_CREAT | O_EXCL, 0640, NULL);
    check("create with the defaults", fd);
    print_attr(fd);
    struct stat st;
    check("fstat", fstat(fd, &st));
    printf("regular %d mode %o\n", S_ISREG(st.st_mode), (unsigned)(st.st_mode & 07777));
    check("O_EXCL again", mq_open_("t_mq_a", O_RDWR | O_CREAT | O_EXCL, 0640, NULL));
    check("O_ACCMODE 3", mq_open_("t_mq_a", 3, 0, NULL));
    int fd2 = (int)mq_open_("t_mq_a", O_RDONLY | O_CREAT, 0600, &(struct mq_attr_){ 0, 3, 16, 0, { 0 } });
    check("O_CREAT on an existing one (attr unused)", fd2);
    print_attr(fd2);
    close(fd2);
    check("unlink", syscall(SYS_mq_unlink_, "t_mq_a"));
    check("unlink again", syscall(SYS_mq_unlink_, "t_mq_a"));
    check("open after unlink", mq_open_("t_mq_a", O_RDWR, 0, NULL));
    print_attr(fd);                  // still there while open
    check("fstat after unlink", fstat(fd, &st));
    printf("nlink %ld\n", (long)st.st_nlink);
    close(fd);

    struct mq_attr_ a = { 0, 0, 16, 0, { 0 } };
    check("maxmsg 0", mq_open_("t_mq_b", O_RDWR | O_CREAT, 0600, &a));
    a = (struct mq_attr_){ 0, 4, -1, 0, { 0 } };
    check("msgsize -1", mq_open_("t_mq_b", O_RDWR | O_CREAT, 0600, &a));
    a = (struct mq_attr_){ 0, 70000, 16, 0, { 0 } };
    check("maxmsg 70000", mq_open_("t_mq_b", O_RDWR | O_CREAT, 0600, &a));
    a = (struct mq_attr_){ 0, 4, 32 << 20, 0, { 0 } };
    check("msgsize 32 MiB", mq_open_("t_mq_b", O_RDWR | O_CREAT, 0600, &a));
    a = (struct mq_attr_){ O_NONBLOCK, 4, 64, 99, { 0 } };
    fd = (int)mq_open_("t_mq_b", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
    check("4 messages of 64 bytes, O_NONBLOCK", fd);
    print_attr(fd);
    a.flags = 0;
    check("setattr: blocking", attr_(fd, &a, NULL));
    print_attr(fd);
    a.flags = O_NONBLOCK | O_APPEND;
    check("setattr: other flags", attr_(fd, &a, NULL));
    check("getattr, bad pointer", attr_(fd, NULL, bad_ptr(1)));
    check("setattr, bad pointer", attr_(fd, bad_ptr(1), NULL));
    check("getattr on a pipe", attr_(0 + fd + 100, NULL, &a));
    close(fd);
    syscall(SYS_mq_unlink_, "t_mq_b");
}

static void messages(void)
{
    struct mq_attr_ a = { 0, 4, 64, 0, { 0 } };
    int fd = (int)mq_open_("t_mq_m", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
    check("create 4 x 64", fd);
    const char *text[] = { "a1", "b5", "c1", "d5" };
    unsigned prio[] = { 1, 5, 1, 5 };
    for (int i = 0; i < 4; i++)
        check("send", send_(fd, text[i], 2, prio[i], NULL));
    check("send to a full queue", send_(fd, "e", 1, 0, NULL));
    struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
    poll(&pfd, 1, 0);
    printf("full: revents %#x\n", pfd.revents);
    char buf[128];
    long n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    print_escaped("read()", buf, n);
    check("receive into 63 bytes", recv_(fd, buf, 63, NULL, NULL));
    for (int i = 0; i < 4; i++) {
        unsigned p = 99;
        memset(buf, 0, sizeof buf);
        n = recv_(fd, buf, sizeof buf, &p, NULL);
        printf("received %ld: %s prio %u\n", n, buf, p);
    }
    check("receive from an empty queue", recv_(fd, buf, sizeof buf, NULL, NULL));
    pfd.revents = 0;
    poll(&pfd, 1, 0);
    printf("empty: revents %#x\n", pfd.revents);
    check("send 65 bytes", send_(fd, buf, 65, 0, NULL));
    check("send prio 32768", send_(fd, "x", 1, 32768, NULL));
    check("send prio 32767", send_(fd, "x", 1, 32767, NULL));
    check("send 0 bytes", send_(fd, "", 0, 0, NULL));
    n = recv_(fd, buf, sizeof buf, NULL, NULL);
    check_val("receive the 32767", n);
    check_val("receive the empty one", recv_(fd, buf, sizeof buf, NULL, NULL));
    check("send, bad pointer", send_(fd, bad_ptr(1), 4, 0, NULL));
    send_(fd, "lost", 4, 0, NULL);
    check("receive into a bad buffer", recv_(fd, bad_ptr(1), 64, NULL, NULL));
    check("the message went with it", recv_(fd, buf, sizeof buf, NULL, NULL));

    // timeouts (absolute, CLOCK_REALTIME), on a blocking descriptor
    struct mq_attr_ blocking = { 0, 0, 0, 0, { 0 } };
    attr_(fd, &blocking, NULL);
    struct timespec now, ts;
    clock_gettime(CLOCK_REALTIME, &now);
    ts = now;
    ts.tv_nsec += 50000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check("receive, 50 ms timeout", recv_(fd, buf, sizeof buf, NULL, &ts));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    yes("waited 40 ms or more", ms >= 40);
    check("receive, timeout already past", recv_(fd, buf, sizeof buf, NULL, &now));
    struct timespec bad = { now.tv_sec, 1000000000 };
    check("receive, nsec 1e9", recv_(fd, buf, sizeof buf, NULL, &bad));
    send_(fd, "x", 1, 0, NULL);
    check("send, nsec 1e9, room enough", send_(fd, "y", 1, 0, &bad));
    check("receive, bad timeout pointer", recv_(fd, buf, sizeof buf, NULL, bad_ptr(1)));
    for (int i = 0; i < 3; i++)
        send_(fd, "z", 1, 0, NULL);
    check("send to a full queue, timeout past", send_(fd, "z", 1, 0, &now));
    close(fd);

    int ro = (int)mq_open_("t_mq_m", O_RDONLY, 0, NULL);
    int wo = (int)mq_open_("t_mq_m", O_WRONLY, 0, NULL);
    check("send on a read-only descriptor", send_(ro, "x", 1, 0, NULL));
    check("receive on a write-only one", recv_(wo, buf, sizeof buf, NULL, NULL));
    int p[2];
    pipe(p);
    check("send on a pipe", send_(p[1], "x", 1, 0, NULL));
    check("receive on a closed descriptor", recv_(999, buf, sizeof buf, NULL, NULL));
    close(p[0]);
    close(p[1]);
    close(ro);
    close(wo);
    syscall(SYS_mq_unlink_, "t_mq_m");
}

static volatile int got_sig, got_code, got_pid_is_sender;
static volatile long got_value;
static pid_t sender;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    int *w = (int *)info;
    got_sig = sig;
    got_code = w[2];                 // si_code
    got_pid_is_sender = w[4] == sender;   // si_pid
    got_value = ((long *)info)[3];   // si_value
}

static void notify_child(void)
{
    int fd = (int)mq_open_("t_mq_n", O_RDWR, 0, NULL);
    struct sigevent_ ev = { 0, SIGUSR2, 0, 0, { 0 } };
    check("child: mq_notify while the parent has it", syscall(SYS_mq_notify_, fd, &ev));
    check("child: mq_notify NULL (not its own)", syscall(SYS_mq_notify_, fd, NULL));
    close(fd);
}

static void notifications(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sender = getpid();
    int fd = (int)mq_open_("t_mq_n", O_RDWR | O_CREAT | O_NONBLOCK, 0600, NULL);
    struct sigevent_ ev = { 42, SIGUSR1, 0, 0, { 0 } };
    check("mq_notify SIGEV_SIGNAL", syscall(SYS_mq_notify_, fd, &ev));
    char buf[8192];
    long n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    char *pid = strstr(buf, "NOTIFY_PID:");
    long who = 0;
    for (char *d = pid ? pid + 11 : buf; pid && *d >= '0' && *d <= '9'; d++)
        who = who * 10 + (*d - '0');
    if (pid)
        pid[11] = '\0';
    print_escaped("read()", buf, (long)strlen(buf));
    yes("NOTIFY_PID is ours", who == getpid());
    check("again", syscall(SYS_mq_notify_, fd, &ev));
    in_child("notify", notify_child);
    check("send", send_(fd, "hi", 2, 0, NULL));
    printf("signal %d code %d from the sender %d value %ld\n", got_sig, got_code, got_pid_is_sender, got_value);
    got_sig = 0;
    check("send another (one signal only)", send_(fd, "ho", 2, 0, NULL));
    printf("signal %d\n", got_sig);
    check("mq_notify again", syscall(SYS_mq_notify_, fd, &ev));
    check("send to a queue not empty", send_(fd, "hu", 2, 0, NULL));
    printf("signal %d\n", got_sig);
    recv_(fd, buf, sizeof buf, NULL, NULL);
    recv_(fd, buf, sizeof buf, NULL, NULL);
    recv_(fd, buf, sizeof buf, NULL, NULL);
    check("send to the empty queue", send_(fd, "hy", 2, 0, NULL));
    printf("signal %d\n", got_sig);
    check("mq_notify NULL", syscall(SYS_mq_notify_, fd, NULL));
    check("mq_notify NULL again", syscall(SYS_mq_notify_, fd, NULL));
    ev.notify = 7;
    check("notify 7", syscall(SYS_mq_notify_, fd, &ev));
    ev = (struct sigevent_){ 0, 65, 0, 0, { 0 } };
    check("signal 65", syscall(SYS_mq_notify_, fd, &ev));
    ev = (struct sigevent_){ 0, 999, 2, 0, { 0 } };
    check("SIGEV_THREAD, no cookie", syscall(SYS_mq_notify_, fd, &ev));
    static char cookie[32];
    ev = (struct sigevent_){ (long)cookie, 999, 2, 0, { 0 } };
    check("SIGEV_THREAD, a closed descriptor", syscall(SYS_mq_notify_, fd, &ev));
    int p[2];
    pipe(p);
    ev = (struct sigevent_){ (long)cookie, p[0], 2, 0, { 0 } };
    check("SIGEV_THREAD, a pipe", syscall(SYS_mq_notify_, fd, &ev));
    close(p[0]);
    close(p[1]);
    ev = (struct sigevent_){ 0, 0, 1, 0, { 0 } };
    check("SIGEV_NONE", syscall(SYS_mq_notify_, fd, &ev));
    check("mq_notify, bad pointer", syscall(SYS_mq_notify_, fd, bad_ptr(1)));
    check("mq_notify on a closed descriptor", syscall(SYS_mq_notify_, 999, NULL));
    close(fd);
    syscall(SYS_mq_unlink_, "t_mq_n");
    signal(SIGUSR1, SIG_DFL);
}

// A child sends 200 messages, blocking when the queue is full; the parent receives them,
// blocking when it is empty. Priorities alternate, so order within a priority is checked.
static void two_processes(void)
{
    struct mq_attr_ a = { 0, 5, 16, 0, { 0 } };
    int fd = (int)mq_open_("t_mq_p", O_RDWR | O_CREAT, 0600, &a);
    check("create 5 x 16", fd);
    pid_t c = fork();
    if (c == 0) {
        for (int i = 0; i < 200; i++) {
            char m[16];
            int len = snprintf(m, sizeof m, "%d", i);
            if (send_(fd, m, (size_t)len, (unsigned)(i % 2), NULL) != 0)
                _exit(1);
        }
        _exit(0);
    }
    long sum = 0, bad = 0, last[2] = { -1, -1 };
    for (int i = 0; i < 200; i++) {
        char m[16] = { 0 };
        unsigned p;
        if (recv_(fd, m, sizeof m, &p, NULL) < 0) {
            bad++;
            break;
        }
        long v = 0;
        for (char *s = m; *s; s++)
            v = v * 10 + (*s - '0');
        if ((long)(v % 2) != (long)p || v <= last[p])
            bad++;
        last[p] = v;
        sum += v;
    }
    wait_and_print("sender", c);
    printf("received sum %ld, out of order or wrong %ld\n", sum, bad);
    close(fd);
    syscall(SYS_mq_unlink_, "t_mq_p");
}

struct rlimit_ { unsigned long cur, max; };

// Each user's queues may take RLIMIT_MSGQUEUE bytes: a default queue counts 82880 (10
// messages of 8192 bytes, and 96 bytes of bookkeeping each).
static void rlimit(void)
{
    struct rlimit_ old, lim = { 2 * 82880 + 40000, 2 * 82880 + 40000 };
    syscall(SYS_prlimit64_, 0, 12, NULL, &old);
    check("RLIMIT_MSGQUEUE 205760", syscall(SYS_prlimit64_, 0, 12, &lim, NULL));
    int fds[3];
    const char *nm[3] = { "t_mq_r0", "t_mq_r1", "t_mq_r2" };
    for (int i = 0; i < 3; i++) {
        fds[i] = (int)mq_open_(nm[i], O_RDWR | O_CREAT, 0600, NULL);
        check(nm[i], fds[i]);
    }
    struct mq_attr_ small = { 0, 2, 100, 0, { 0 } };
    int f = (int)mq_open_("t_mq_r3", O_RDWR | O_CREAT, 0600, &small);
    check("a small one still fits", f);
    close(f);
    syscall(SYS_mq_unlink_, "t_mq_r3");
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        syscall(SYS_mq_unlink_, nm[i]);
    }
    syscall(SYS_prlimit64_, 0, 12, &old, NULL);
}

int main(void)
{
    begin("t_mqueue");
    default_signals();
    umask(022);
    names();
    attributes();
    messages();
    notifications();
    two_processes();
    rlimit();
    return done();
}
