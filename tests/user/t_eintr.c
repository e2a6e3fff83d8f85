// t_eintr.c: system calls that sleep, woken by a signal whose handler runs. Without
// SA_RESTART they fail with EINTR; with it, read, write and wait4 carry on as if nothing
// had happened, while pause and nanosleep fail with EINTR all the same (Linux's rule for
// calls that wait for time or for a signal).
//
// Nothing tells a child when its parent has gone to sleep, so an "interrupter" child
// sends SIGUSR1 every 20 ms until told to stop: a signal that comes too early only runs the
// handler before the call, and the next one interrupts it. The results are printed after
// the interrupter has stopped, so that printing itself is never interrupted.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

static volatile int count;
static int stop[2];

static void on_usr1(int sig)
{
    (void)sig;
    count++;
}

static void handle_usr1(int flags)
{
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    count = 0;
}

// Signal the parent until it closes stop[1]. If data_fd >= 0, write "late" to it after
// the fifth signal, for a restarted read to find.
static pid_t start_interrupter(int data_fd)
{
    char c;

    pipe(stop);
    pid_t pid = fork();
    if (pid == 0) {
        close(stop[1]);
        fcntl(stop[0], F_SETFL, O_NONBLOCK);
        for (int i = 1; read(stop[0], &c, 1) < 0; i++) {      // EAGAIN until it closes
            kill(getppid(), SIGUSR1);
            if (i == 5 && data_fd >= 0)
                write(data_fd, "late", 4);
            usleep(20000);
        }
        _exit(0);
    }
    close(stop[0]);
    return pid;
}

static void stop_interrupter(pid_t pid)
{
    int status;

    close(stop[1]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

// A child that sleeps for ms milliseconds and exits with 3.
static pid_t sleeper(int ms)
{
    pid_t pid = fork();

    if (pid == 0) {
        usleep(ms * 1000);
        _exit(3);
    }
    return pid;
}

static void reads(void)
{
    int p[2], e;
    char buf[8];
    long n;

    pipe(p);
    handle_usr1(0);
    pid_t pid = start_interrupter(-1);
    n = read(p[0], buf, sizeof buf);
    e = errno;
    stop_interrupter(pid);
    printf("read, no SA_RESTART: %ld, %s\n", n, n < 0 ? err_name(e) : "-");

    handle_usr1(SA_RESTART);
    pid = start_interrupter(p[1]);
    n = read(p[0], buf, sizeof buf);
    stop_interrupter(pid);
    print_escaped("read, SA_RESTART: gets the data written later", buf, n > 0 ? n : 0);
    yes("the handler ran meanwhile", count > 0);
    close(p[0]);
    close(p[1]);
}

static void writes(void)
{
    int p[2], e;
    static char block[4096];
    long n;

    pipe(p);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    while (write(p[1], block, sizeof block) > 0)
        ;                                        // full
    fcntl(p[1], F_SETFL, 0);
    handle_usr1(0);
    pid_t pid = start_interrupter(-1);
    n = write(p[1], "x", 1);
    e = errno;
    stop_interrupter(pid);
    printf("write to a full pipe, no SA_RESTART: %ld, %s\n", n, n < 0 ? err_name(e) : "-");
    close(p[0]);
    close(p[1]);
}

static void waits(void)
{
    int status, e;

    handle_usr1(0);
    pid_t child = sleeper(1000);                 // long enough to be interrupted first
    pid_t pid = start_interrupter(-1);
    pid_t r = waitpid(child, &status, 0);
    e = errno;
    stop_interrupter(pid);
    printf("waitpid, no SA_RESTART: %s\n", r < 0 ? err_name(e) : "returned the child");
    wait_and_print("then waitpid again", child);

    handle_usr1(SA_RESTART);
    child = sleeper(300);
    pid = start_interrupter(-1);
    r = waitpid(child, &status, 0);
    stop_interrupter(pid);
    yes("waitpid, SA_RESTART: returns the child", r == child);
    print_status("it", status);
}

static void sleeps(void)
{
    struct timespec ten = { 10, 0 }, rem = { 0, 0 };
    int e;

    handle_usr1(SA_RESTART);
    pid_t pid = start_interrupter(-1);
    long r = pause();
    e = errno;
    stop_interrupter(pid);
    printf("pause, SA_RESTART: %ld, %s\n", r, err_name(e));

    pid = start_interrupter(-1);
    r = nanosleep(&ten, &rem);
    e = errno;
    stop_interrupter(pid);
    printf("nanosleep 10 s, SA_RESTART: %ld, %s\n", r, r < 0 ? err_name(e) : "-");
    // Linux's answer can exceed the 10 s asked for by the timer's slack (50 us).
    yes("the time left is over 9 s, and 10 s give or take a little",
        rem.tv_sec == 9 || (rem.tv_sec == 10 && rem.tv_nsec < 1000000));
}

int main(void)
{
    begin("t_eintr");
    default_signals();
    reads();
    writes();
    waits();
    sleeps();
    return done();
}
