// t_misc.c: the calls a C library makes at start-up or for threads (arch_prctl,
// set_tid_address), clocks and sleeping, ioctl, and an unknown system call number.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

// A stand-in for a thread's TLS block: as on x86_64 Linux, its first word points to itself.
static unsigned long tls_block[2];

static unsigned long read_fs_word(int index)
{
    unsigned long v;

    __asm__ volatile("mov %%fs:(,%1,8), %0" : "=r"(v) : "r"((long)index));
    return v;
}

static void fs_base(void)
{
    unsigned long old, now;

    check("ARCH_GET_FS", arch_prctl(ARCH_GET_FS, (unsigned long)&old));
    tls_block[0] = (unsigned long)tls_block;
    tls_block[1] = 0x1234abcd;
    check("ARCH_SET_FS", arch_prctl(ARCH_SET_FS, (unsigned long)tls_block));
    check("ARCH_GET_FS", arch_prctl(ARCH_GET_FS, (unsigned long)&now));
    yes("it returns the new base", now == (unsigned long)tls_block);
    yes("%fs:0 and %fs:8 read through it",
        read_fs_word(0) == (unsigned long)tls_block && read_fs_word(1) == 0x1234abcd);
    check("ARCH_SET_FS back", arch_prctl(ARCH_SET_FS, old));   // our libc keeps nothing there
    arch_prctl(ARCH_GET_FS, (unsigned long)&now);
    yes("restored", now == old);
    check("ARCH_SET_FS kernel address", arch_prctl(ARCH_SET_FS, 0xffffffff80000000UL));
    check("ARCH_GET_FS bad pointer", arch_prctl(ARCH_GET_FS, 1));
    check("arch_prctl code 0x9999", arch_prctl(0x9999, 0));

    int tid_slot = 0;
    yes("set_tid_address returns the tid (== pid)", set_tid_address(&tid_slot) == getpid());
}

static long ns_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void clocks(void)
{
    struct timespec t0, t1, now;

    check("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &t0));
    yes("tv_nsec in range", t0.tv_nsec >= 0 && t0.tv_nsec < 1000000000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    yes("MONOTONIC does not go back", ns_between(&t0, &t1) >= 0);
    check("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &now));
    yes("REALTIME is in 2024 or later", now.tv_sec >= 1704067200);
    time_t t = time(NULL);
    yes("time() agrees with REALTIME", t >= now.tv_sec && t - now.tv_sec <= 2);
    check("clock_gettime clock 12345", clock_gettime(12345, &now));
    check("clock_gettime bad pointer", clock_gettime(CLOCK_MONOTONIC, (void *)1));

    struct timespec ten_ms = { 0, 10000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check("nanosleep 10 ms", nanosleep(&ten_ms, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    yes("at least 10 ms passed", ns_between(&t0, &t1) >= 10000000);
    yes("less than 5 s passed", ns_between(&t0, &t1) < 5000000000L);
    struct timespec zero = { 0, 0 }, big_ns = { 0, 2000000000 }, neg_ns = { 0, -1 },
                    neg_s = { -1, 0 };
    check("nanosleep 0", nanosleep(&zero, NULL));
    check("nanosleep tv_nsec 2e9", nanosleep(&big_ns, NULL));
    check("nanosleep tv_nsec -1", nanosleep(&neg_ns, NULL));
    check("nanosleep tv_sec -1", nanosleep(&neg_s, NULL));
    check("nanosleep NULL", nanosleep(NULL, NULL));
    check_val("sleep(0)", sleep(0));
    check("usleep(1000)", usleep(1000));
}

static void ioctls(void)
{
    struct winsize ws;
    struct termios tio;

    // Whether fd 1 is a terminal differs (a pipe on the host, the console on Lantern), so
    // print only whether the answers are consistent.
    int r = ioctl(1, TIOCGWINSZ, &ws);
    int e = errno;
    int tty = isatty(1);
    yes("TIOCGWINSZ on fd 1 agrees with isatty(1)", r == 0 ? tty : !tty && e == ENOTTY);

    int fd = open("etc/parity/hello.txt", O_RDONLY);
    check("ioctl TCGETS on a file", ioctl(fd, TCGETS, &tio));
    check("ioctl TIOCGWINSZ on a file", ioctl(fd, TIOCGWINSZ, &ws));
    errno = 0;
    yes("isatty on a file is 0, errno ENOTTY", isatty(fd) == 0 && errno == ENOTTY);
    close(fd);
    check("ioctl fd 99", ioctl(99, TCGETS, &tio));
    errno = 0;
    yes("isatty fd 99 is 0, errno EBADF", isatty(99) == 0 && errno == EBADF);
}

int main(void)
{
    begin("t_misc");
    fs_base();
    clocks();
    ioctls();
    check("syscall 1000", syscall(1000));
    check("syscall 100000", syscall(100000));
    check("syscall -1", syscall(-1));
    return done();
}
