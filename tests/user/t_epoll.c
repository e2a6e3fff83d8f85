// t_epoll.c: epoll and eventfd. Level-triggered, edge-triggered (EPOLLET) and one-shot
// (EPOLLONESHOT) registrations on pipes and eventfds; EPOLLHUP and EPOLLERR reported
// unasked; a registration that outlives its fd's close because another fd keeps the file
// open (Linux keys them on file and fd); an epoll fd inside poll and inside another epoll;
// timeouts, a wait ended by a child's write or by a signal; eventfd's counter, semaphore
// mode, O_NONBLOCK, overflow and sizes; and every error of epoll_create, epoll_ctl,
// epoll_wait and eventfd.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

// /proc/self/status. As init on Lantern nobody has mounted /proc yet: mount it then (never
// on the host, where it is there).
static int open_proc_status(void)
{
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) {
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
        fd = open("/proc/self/status", O_RDONLY);
    }
    return fd;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int by_data(const void *a, const void *b)
{
    const struct epoll_event *x = a, *y = b;
    return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

// epoll_wait with timeout 0; prints the events sorted by data (the order of several ready
// ones is the kernel's business).
static void show(const char *what, int ep)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    if (n < 0) {
        printf("%s: error %s\n", what, err_name(errno));
        return;
    }
    qsort(ev, n, sizeof ev[0], by_data);
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++)
        printf(" [data %llu events %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void level(void)
{
    int ep = epoll_create1(0), p[2];
    char buf[8];
    pipe(p);
    check("add read end EPOLLIN", add(ep, p[0], EPOLLIN, 1));
    check("add write end EPOLLOUT", add(ep, p[1], EPOLLOUT, 2));
    show("empty pipe", ep);
    write(p[1], "ab", 2);
    show("with data", ep);
    show("again: still ready (level)", ep);
    read(p[0], buf, sizeof buf);
    check("mod read end to EPOLLOUT (never for a reader)", mod(ep, p[0], EPOLLOUT, 3));
    write(p[1], "c", 1);
    show("data, reader waits for EPOLLOUT", ep);
    check("del write end", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    close(p[1]);
    show("writer closed: EPOLLHUP unasked", ep);
    close(p[0]);
    show("reader closed too: gone", ep);

    pipe(p);
    add(ep, p[1], EPOLLOUT, 4);
    close(p[0]);
    show("reader closed: writer EPOLLERR", ep);
    close(p[1]);
    close(ep);
}

static void edge(void)
{
    int ep = epoll_create(1), p[2];
    char buf[8];
    pipe(p);
    check("add EPOLLIN|EPOLLET", add(ep, p[0], EPOLLIN | EPOLLET, 1));
    show("empty", ep);
    write(p[1], "a", 1);
    show("one write", ep);
    show("again: nothing new", ep);
    write(p[1], "b", 1);
    show("another write, still unread", ep);
    read(p[0], buf, 1);
    show("a read (no new data)", ep);
    check("mod re-arms", mod(ep, p[0], EPOLLIN | EPOLLET, 5));
    show("after mod", ep);
    close(p[1]);
    show("writer closed", ep);
    show("again", ep);
    close(p[0]);
    close(ep);

    ep = epoll_create1(0);
    pipe(p);
    check("add EPOLLIN|EPOLLONESHOT", add(ep, p[0], EPOLLIN | EPOLLONESHOT, 7));
    write(p[1], "a", 1);
    show("oneshot, data", ep);
    show("again: switched off", ep);
    write(p[1], "b", 1);
    close(p[1]);
    show("more data and EOF: still off", ep);
    check("mod switches it on", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 8));
    show("after mod", ep);
    check("add again: EEXIST", add(ep, p[0], EPOLLIN, 9));
    close(p[0]);
    close(ep);
}

// The registration is keyed on (file, fd) and lives as long as the file.
static void lifetime(void)
{
    int ep = epoll_create1(0), p[2];
    pipe(p);
    add(ep, p[0], EPOLLIN, 10);
    int copy = dup(p[0]);
    check("add the dup too", add(ep, copy, EPOLLIN, 11));
    write(p[1], "x", 1);
    show("both fds", ep);
    close(p[0]);
    show("first fd closed, file open: both still", ep);
    check("del the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    check("del the dup", epoll_ctl(ep, EPOLL_CTL_DEL, copy, NULL));
    show("after del", ep);
    check("add the dup again", add(ep, copy, EPOLLIN, 12));
    close(copy);
    show("file closed: gone", ep);
    int q[2];
    pipe(q);                                  // likely the same fd numbers again
    write(q[1], "y", 1);
    show("a new pipe in the old fds: not registered", ep);
    check("del the old fd number", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    close(q[0]);
    close(q[1]);
    close(p[1]);
    close(ep);
}

static void nested(void)
{
    int inner = epoll_create1(0), outer = epoll_create1(0), p[2];
    pipe(p);
    add(inner, p[0], EPOLLIN, 1);
    check("add inner epoll to outer", add(outer, inner, EPOLLIN, 2));
    struct pollfd pfd = { inner, POLLIN | POLLOUT, 0 };
    check_val("poll the inner epoll, nothing ready", poll(&pfd, 1, 0));
    show("outer, nothing ready", outer);
    write(p[1], "x", 1);
    check_val("poll the inner epoll, pipe ready", poll(&pfd, 1, 0));
    printf("  revents %#x\n", pfd.revents);
    show("outer, pipe ready", outer);
    check("add outer to inner: ELOOP", add(inner, outer, EPOLLIN, 3));
    check("add epoll to itself: EINVAL", add(inner, inner, EPOLLIN, 4));
    check("add epoll with EPOLLEXCLUSIVE: EINVAL", add(outer, epoll_create1(0), EPOLLIN | EPOLLEXCLUSIVE, 5));
    close(inner);
    close(outer);
    close(p[0]);
    close(p[1]);
}

static void eventfds(void)
{
    uint64_t v = 0;
    int efd = eventfd(3, 0);
    check("eventfd(3)", efd);
    check_val("F_GETFL", fcntl(efd, F_GETFL));
    check_val("F_GETFD", fcntl(efd, F_GETFD));
    check_val("read 8", read(efd, &v, 8));
    printf("  value %llu\n", (unsigned long long)v);
    check_val("read 4", read(efd, &v, 4));
    v = 5;
    check_val("write 8", write(efd, &v, 8));
    check_val("write 4", write(efd, &v, 4));
    v = 2;
    check_val("write 16 (8 are taken)", write(efd, &v, 16));
    uint64_t two[2] = { 0, 0 };
    check_val("read 16", read(efd, two, 16));
    printf("  value %llu\n", (unsigned long long)two[0]);
    v = ~0ull;
    check_val("write 0xffffffffffffffff", write(efd, &v, 8));
    v = 0;
    check_val("write 0", write(efd, &v, 8));
    check("eventfd_write 0xfffffffffffffffe", eventfd_write(efd, 0xfffffffffffffffeull));
    struct pollfd pfd = { efd, POLLIN | POLLOUT, 0 };
    poll(&pfd, 1, 0);
    printf("poll at the maximum: revents %#x\n", pfd.revents);
    check("read it all", eventfd_read(efd, &v));
    printf("  value %llx\n", (unsigned long long)v);
    poll(&pfd, 1, 0);
    printf("poll at 0: revents %#x\n", pfd.revents);
    close(efd);

    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE);
    check("eventfd(0, NONBLOCK|CLOEXEC|SEMAPHORE)", efd);
    check_val("F_GETFL", fcntl(efd, F_GETFL));
    check_val("F_GETFD", fcntl(efd, F_GETFD));
    check_val("read at 0", read(efd, &v, 8));
    eventfd_write(efd, 2);
    check_val("semaphore read", read(efd, &v, 8));
    printf("  value %llu\n", (unsigned long long)v);
    check_val("semaphore read", read(efd, &v, 8));
    printf("  value %llu\n", (unsigned long long)v);
    check_val("semaphore read at 0", read(efd, &v, 8));
    eventfd_write(efd, 0xfffffffffffffffeull);
    check_val("write 1 over the maximum", eventfd_write(efd, 1));
    check("read from bad address", read(efd, bad_ptr(8), 8));
    check("write from bad address", write(efd, bad_ptr(8), 8));
    close(efd);

    check("eventfd bad flags", eventfd(0, 2));
    check("eventfd O_RDWR flag", eventfd(0, O_RDWR));
    check("raw eventfd (no flags)", efd = (int)syscall(SYS_eventfd, 1));
    check_val("  F_GETFL", fcntl(efd, F_GETFL));
    close(efd);

    int ep = epoll_create1(0);
    efd = eventfd(0, EFD_NONBLOCK);
    add(ep, efd, EPOLLIN | EPOLLET, 20);
    show("eventfd 0 in epoll (ET)", ep);
    eventfd_write(efd, 1);
    show("after a write", ep);
    show("again", ep);
    eventfd_write(efd, 1);
    show("another write", ep);
    eventfd_read(efd, &v);
    show("read: 0 again", ep);
    close(efd);
    close(ep);
}

static void ctl_errors(void)
{
    int ep = epoll_create1(0), p[2];
    pipe(p);
    struct epoll_event ev = { .events = EPOLLIN };
    check("epoll_create(0)", epoll_create(0));
    check("epoll_create(-1)", epoll_create(-1));
    check("epoll_create1(1)", epoll_create1(1));
    check("epoll_create1(O_NONBLOCK)", epoll_create1(O_NONBLOCK));
    int cl = epoll_create1(EPOLL_CLOEXEC);
    check_val("EPOLL_CLOEXEC: F_GETFD", fcntl(cl, F_GETFD));
    close(cl);

    int fd = open("etc/parity/hello.txt", O_RDONLY);
    check("ctl add regular file", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    close(fd);
    fd = open("/dev/null", O_RDWR);
    check("ctl add /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    check("ctl with /dev/null as epfd", epoll_ctl(fd, EPOLL_CTL_ADD, p[0], &ev));
    close(fd);
    fd = open_proc_status();
    check("ctl add /proc/self/status", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    close(fd);
    check("ctl with a pipe as epfd", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
    check("ctl bad epfd", epoll_ctl(99, EPOLL_CTL_ADD, p[0], &ev));
    check("ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
    check("ctl bad event pointer", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], bad_ptr(8)));
    check("ctl del, bad event pointer ignored", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], bad_ptr(8)));
    check("ctl mod not added", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    check("ctl op 0", epoll_ctl(ep, 0, p[0], &ev));
    check("ctl op 4", epoll_ctl(ep, 4, p[0], &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    check("ctl add EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    check("ctl mod it", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ev.events = EPOLLIN;
    check("ctl mod it without EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    check("ctl add EPOLLEXCLUSIVE|EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    ev.events = EPOLLOUT;
    check("ctl add write end", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
    check("ctl mod to EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    check("ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    check("ctl del again", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

    struct epoll_event out[4];
    check("wait maxevents 0", epoll_wait(ep, out, 0, 0));
    check("wait maxevents -1", epoll_wait(ep, out, -1, 0));
    check("wait bad events pointer", epoll_wait(ep, bad_ptr(8), 4, 0));
    check("wait bad epfd", epoll_wait(99, out, 4, 0));
    check("wait on a pipe", epoll_wait(p[0], out, 4, 0));
    check("wait on a pipe, maxevents 0", epoll_wait(p[0], out, 0, 0));
    check("wait bad epfd, maxevents 0", epoll_wait(99, out, 0, 0));
    void *kernel = bad_ptr(0xffff800000000000ul);
    check("wait kernel events pointer", epoll_wait(ep, kernel, 4, 0));
    check("wait kernel events pointer, maxevents 0", epoll_wait(ep, kernel, 0, 0));
    check("wait on a pipe, kernel events pointer", epoll_wait(p[0], kernel, 4, 0));
    check("wait bad epfd, kernel events pointer", epoll_wait(99, kernel, 4, 0));
    sigset_t none;
    sigemptyset(&none);
    check("raw pwait sigsetsize 4", syscall(SYS_epoll_pwait, ep, out, 4, 0, &none, 4));
    check("raw pwait bad sigmask", syscall(SYS_epoll_pwait, ep, out, 4, 0, bad_ptr(8), 8));
    struct timespec bad = { 0, -1 };
    check("pwait2 bad timespec", epoll_pwait2(ep, out, 4, &bad, NULL));
    check("pwait2 bad timespec pointer", epoll_pwait2(ep, out, 4, bad_ptr(8), NULL));
    check("read an epoll fd", read(ep, out, sizeof out));
    close(p[0]);
    close(p[1]);
    close(ep);
}

static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }
static int stop[2];

static pid_t start_interrupter(void)
{
    char c;
    pipe(stop);
    pid_t pid = fork();
    if (pid == 0) {
        close(stop[1]);
        fcntl(stop[0], F_SETFL, O_NONBLOCK);
        while (read(stop[0], &c, 1) < 0) {
            kill(getppid(), SIGUSR1);
            usleep(20000);
        }
        _exit(0);
    }
    close(stop[0]);
    return pid;
}

static void waits(void)
{
    int ep = epoll_create1(0), p[2];
    struct epoll_event out[4];
    struct timespec t0;
    pipe(p);
    add(ep, p[0], EPOLLIN, 1);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("wait 50 ms", epoll_wait(ep, out, 4, 50));
    long ms = ms_since(&t0);
    yes("  took 50 ms or more, under a second", ms >= 50 && ms < 1000);
    struct timespec ts = { 0, 30000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_val("pwait2 30 ms", epoll_pwait2(ep, out, 4, &ts, NULL));
    ms = ms_since(&t0);
    yes("  took 30 ms or more, under a second", ms >= 30 && ms < 1000);

    pid_t pid = fork();
    if (pid == 0) {
        usleep(30000);
        write(p[1], "wake", 4);
        _exit(0);
    }
    int n = epoll_wait(ep, out, 4, -1);
    printf("wait forever, a child writes: %d events %#x data %llu\n", n, out[0].events,
           (unsigned long long)out[0].data.u64);
    waitpid(pid, NULL, 0);
    char buf[8];
    read(p[0], buf, sizeof buf);

    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pid = start_interrupter();
    n = epoll_wait(ep, out, 4, -1);
    int e = errno;
    sigset_t none;
    sigemptyset(&none);
    int n2 = epoll_pwait(ep, out, 4, -1, &none);
    int e2 = errno;
    close(stop[1]);
    waitpid(pid, NULL, 0);
    printf("wait forever, a signal (SA_RESTART): %d %s\n", n, err_name(e));
    printf("pwait forever, a signal: %d %s\n", n2, err_name(e2));
    yes("handler ran", got_usr1 > 0);

    // Many registrations, fewer maxevents: each wait returns some, none is starved.
    int efd[6];
    for (int i = 0; i < 6; i++) {
        efd[i] = eventfd(1, 0);
        add(ep, efd[i], EPOLLIN, 100 + i);
    }
    int seen[6] = { 0 };
    for (int round = 0; round < 3; round++) {
        n = epoll_wait(ep, out, 2, 0);
        for (int i = 0; i < n; i++)
            seen[out[i].data.u64 - 100]++;
        printf("round %d: %d events\n", round, n);
    }
    int all = 1;
    for (int i = 0; i < 6; i++)
        all &= seen[i] == 1;
    yes("  each of 6 ready fds reported once in 3 waits of 2", all);
    for (int i = 0; i < 6; i++)
        close(efd[i]);
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void)
{
    begin("t_epoll");
    default_signals();
    level();
    edge();
    lifetime();
    nested();
    eventfds();
    ctl_errors();
    waits();
    return done();
}
