// pthread_signalfd: signalfd as event loops use it - blocked signals read as records
// (process-directed, thread-directed, queued real-time ones with their values, a child's
// SIGCHLD), a blocking read woken by another thread's signal, poll and edge-triggered
// epoll, changing the set, and the errors. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

static int sfd;

static void read_all(const char *what)
{
    struct signalfd_siginfo r[4];
    long n = read(sfd, r, sizeof r);
    if (n < 0) {
        check(what, n);
        return;
    }
    printf("%s: %ld records\n", what, n / (long)sizeof r[0]);
    for (long i = 0; i < n / (long)sizeof r[0]; i++)
        printf("  %s code %d int %d pid-is-mine %s\n", sig_name((int)r[i].ssi_signo),
               r[i].ssi_code, r[i].ssi_int, r[i].ssi_pid == (uint32_t)getpid() ? "yes" : "no");
}

static pthread_t main_thread;

static void *signal_later(void *arg)
{
    (void)arg;
    sleep_ms(30);
    pthread_kill(main_thread, SIGUSR2);   // to the thread blocked in read
    return NULL;
}

static void *read_in_thread(void *arg)
{
    (void)arg;
    struct signalfd_siginfo r;
    check("  another thread's read: the main thread's own signal is not its",
          read(sfd, &r, sizeof r));
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_signalfd");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    check("signalfd", sfd);
    check_val("  FD_CLOEXEC", fcntl(sfd, F_GETFD) & FD_CLOEXEC);
    read_all("read, nothing pending");

    struct pollfd p = { sfd, POLLIN, 0 };
    check_val("poll, nothing pending", poll(&p, 1, 0));
    kill(getpid(), SIGUSR1);
    check_val("poll after kill(SIGUSR1)", poll(&p, 1, 0));
    union sigval v = { .sival_int = 11 };
    sigqueue(getpid(), SIGRTMIN, v);
    v.sival_int = 22;
    sigqueue(getpid(), SIGRTMIN, v);
    raise(SIGUSR2);                        // to this thread
    read_all("read 4 records' room");
    read_all("read again");

    // A read of less than one record.
    char small[64];
    kill(getpid(), SIGUSR1);
    check("read of 64 bytes", read(sfd, small, sizeof small));
    read_all("the signal is still pending");

    // A child's exit.
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    struct signalfd_siginfo r;
    check("wait for the child's SIGCHLD with poll", poll(&p, 1, 5000));
    check_val("read it", read(sfd, &r, sizeof r));
    printf("  %s code %d status %d pid-is-the-child %s\n", sig_name((int)r.ssi_signo),
           r.ssi_code, r.ssi_status, r.ssi_pid == (uint32_t)pid ? "yes" : "no");
    waitpid(pid, NULL, 0);

    // Edge-triggered epoll.
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
    check("EPOLL_CTL_ADD, edge-triggered", epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev));
    check_val("epoll_wait, nothing", epoll_wait(ep, &got, 1, 0));
    kill(getpid(), SIGUSR1);
    check_val("epoll_wait after a kill", epoll_wait(ep, &got, 1, 0));
    check_val("epoll_wait again", epoll_wait(ep, &got, 1, 0));
    read_all("read");
    close(ep);

    // A blocking read, woken by another thread's pthread_kill; and a thread cannot read
    // another thread's own signal.
    int flags = fcntl(sfd, F_GETFL);
    fcntl(sfd, F_SETFL, flags & ~O_NONBLOCK);
    main_thread = pthread_self();
    pthread_t t;
    pthread_create(&t, NULL, signal_later, NULL);
    check_val("blocking read", read(sfd, &r, sizeof r));
    printf("  %s\n", sig_name((int)r.ssi_signo));
    pthread_join(t, NULL);
    fcntl(sfd, F_SETFL, flags);
    raise(SIGUSR2);
    pthread_create(&t, NULL, read_in_thread, NULL);
    pthread_join(t, NULL);
    read_all("the main thread's read");

    // A new set for the same fd.
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGUSR2);
    check_val("signalfd(fd, {SIGUSR2}) returns the fd", signalfd(sfd, &only, 0) == sfd);
    kill(getpid(), SIGUSR1);
    read_all("SIGUSR1 is not in the set now");
    raise(SIGUSR2);
    read_all("SIGUSR2 is");
    sigset_t pending;
    sigpending(&pending);
    yes("SIGUSR1 still pending", sigismember(&pending, SIGUSR1));
    struct timespec zero = { 0, 0 };
    check_val("sigtimedwait takes it", sigtimedwait(&set, NULL, &zero) == SIGUSR1);

    // Errors.
    check("signalfd, sizemask 4", syscall(SYS_signalfd4, -1, &set, 4, 0));
    check("signalfd, unknown flag", syscall(SYS_signalfd4, -1, &set, 8, 1));
    check("signalfd, mask unreadable", syscall(SYS_signalfd4, -1, bad_address(), 8, 0));
    check("signalfd, mask unreadable and an unknown flag",
          syscall(SYS_signalfd4, -1, bad_address(), 8, 1));
    check("signalfd on a pipe's fd", signalfd(1, &set, 0));
    check("signalfd on fd 99", signalfd(99, &set, 0));
    check("write to a signalfd", write(sfd, &r, sizeof r));
    check("read into a bad buffer", read(sfd, bad_address(), sizeof r));
    close(sfd);
    return done();
}
