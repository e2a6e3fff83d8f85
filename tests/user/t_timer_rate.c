// t_timer_rate.c: real-time timers with periods shorter than a scheduler tick fire on
// time, as Linux's hrtimers do: an ITIMER_REAL of 2 ms, a POSIX timer of 2 ms and a
// timerfd of 1 ms, each for a few hundred milliseconds. A kernel that looks at its timers
// only at its tick (10 ms on Lantern, HZ=100) gets a fifth or a tenth of the signals, or
// wakes a timerfd's reader ten times less often.
//
// Times differ run to run (and under QEMU the machine may stall), so only bounds with
// room to spare are printed: about 150 signals are due where 60 to 200 are asked for, and 60
// reads of a 1 ms timerfd take about 60 ms where 400 are allowed.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define MS 1000000L
#define WINDOW_MS 300

static volatile int alarms, timer_signals;

static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_timer(int sig) { (void)sig; timer_signals++; }

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void catch(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

// Waits WINDOW_MS of wall-clock time, the signals coming meanwhile.
static void wait_window(void)
{
    long long end = now_ns() + WINDOW_MS * MS;
    while (now_ns() < end) {
        struct timespec ms = { 0, MS };
        nanosleep(&ms, NULL);                // (a signal may end it early: fine)
    }
}

static void itimer_real(void)
{
    catch(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };   // every 2 ms
    check("setitimer ITIMER_REAL 2 ms", setitimer(ITIMER_REAL, &it, NULL));
    wait_window();
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    int n = alarms;
    yes("ITIMER_REAL every 2 ms, 300 ms: at least 60 SIGALRM", n >= 60);
    yes("... and at most 200", n <= 200);
}

struct k_sigevent { long value; int signo; int notify; int tid; int pad[11]; };   // Linux's

#define NR_timer_create  222                 // Linux x86_64 (our libc's headers lack them)
#define NR_timer_settime 223
#define NR_timer_delete  226
struct k_itimerspec { struct timespec interval, value; };

static void posix_timer(void)
{
    catch(SIGUSR1, on_timer);
    struct k_sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.signo = SIGUSR1;
    ev.notify = 0;                           // SIGEV_SIGNAL
    int id = -1;
    check("timer_create MONOTONIC SIGUSR1", syscall(NR_timer_create, (long)CLOCK_MONOTONIC, &ev, &id));
    struct k_itimerspec its = { { 0, 2 * MS }, { 0, 2 * MS } };
    check("timer_settime 2 ms", syscall(NR_timer_settime, (long)id, 0L, &its, NULL));
    wait_window();
    check("timer_delete", syscall(NR_timer_delete, (long)id));
    int n = timer_signals;
    yes("POSIX timer every 2 ms, 300 ms: at least 60 signals", n >= 60);
    yes("... and at most 200", n <= 200);
}

static void timerfd_reads(void)
{
    int fd = (int)syscall(SYS_timerfd_create, (long)CLOCK_MONOTONIC, 0L);
    check("timerfd_create MONOTONIC", fd);
    struct k_itimerspec its = { { 0, MS }, { 0, MS } };
    check("timerfd_settime 1 ms", syscall(SYS_timerfd_settime, (long)fd, 0L, &its, NULL));
    long long start = now_ns();
    uint64_t total = 0;
    int reads = 0;
    while (reads < 60) {
        uint64_t n = 0;
        if (read(fd, &n, sizeof n) != sizeof n)
            break;
        total += n;
        reads++;
    }
    long long took_ms = (now_ns() - start) / MS;
    close(fd);
    printf("timerfd every 1 ms: %d reads\n", reads);
    yes("... each counted at least one expiry", total >= (uint64_t)reads);
    yes("... and they took under 400 ms", took_ms < 400);
}

int main(void)
{
    begin("t_timer_rate");
    default_signals();
    itimer_real();
    posix_timer();
    timerfd_reads();
    return done();
}
