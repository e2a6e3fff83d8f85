// thr_util.c: the helpers of thr_util.h.
#include "thr_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The watchdog's handler: a handler, not SIGALRM's default action, because the kernel
// does not let a default action kill init.
static void watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "watchdog: still running after 60 s, giving up\n";
    write(1, msg, sizeof msg - 1);
    _exit(124);
}

void begin(const char *program)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    // A program stuck on a kernel without working threads ends after 60 s (and as init,
    // the boot with it) instead of holding the test until its timeout.
    signal(SIGALRM, watchdog);
    alarm(60);
    printf("%s: start\n", program);
}

int done(void)
{
    printf("done\n");
    fflush(stdout);
    return 0;
}

// Only the errors these programs can meet; the C libraries' strerror texts differ
// (glibc's ETIMEDOUT is "Connection timed out", musl's "Operation timed out").
const char *err_name(int e)
{
    static char other[16];
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case ENOTTY: return "ENOTTY";
    case EPIPE: return "EPIPE";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EDEADLK: return "EDEADLK";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOTSUP: return "ENOTSUP";
    case EEXIST: return "EEXIST";
    case EACCES: return "EACCES";
    case ENOSPC: return "ENOSPC";
    case EIDRM: return "EIDRM";
    }
    snprintf(other, sizeof other, "E%d", e);
    return other;
}

const char *sig_name(int sig)
{
    static char other[16];
    switch (sig) {
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGABRT: return "SIGABRT";
    case SIGTERM: return "SIGTERM";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    }
    snprintf(other, sizeof other, "SIG%d", sig);
    return other;
}

void check(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: ok\n", what);
}

void check_val(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: %ld\n", what, ret);
}

void check_rc(const char *what, int rc)
{
    printf("%s: %s\n", what, rc == 0 ? "ok" : err_name(rc));
}

void yes(const char *what, int cond)
{
    printf("%s: %s\n", what, cond ? "yes" : "no");
}

void print_status(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by %s\n", what, sig_name(WTERMSIG(status)));
    else
        printf("%s: status 0x%x\n", what, status);
}

void in_child(const char *what, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        check(what, pid);
        return;
    }
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        check(what, -1);
    else
        print_status(what, status);
}

pid_t gettid_(void)
{
    return (pid_t)syscall(SYS_gettid);
}

long long now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct timespec ts_after(clockid_t clock, long long ns)
{
    long long t = now_ns(clock) + ns;
    struct timespec ts = { t / 1000000000LL, t % 1000000000LL };
    return ts;
}

void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

long futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

void *bad_address(void)
{
    static volatile unsigned long addr;
    return (void *)addr;
}

void wait_until_sleeping(pid_t tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    for (int tries = 0; tries < 5000; tries++) {
        FILE *f = fopen(path, "r");
        char *state = f && fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
        if (f)
            fclose(f);
        if (state && state[2] == 'S')
            return;
        sleep_ms(1);
    }
    printf("the thread never slept\n");
}
