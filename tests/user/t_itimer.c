// t_itimer.c: interval timers - alarm, setitimer and getitimer: SIGALRM after wall-clock
// time, SIGVTALRM and SIGPROF after CPU time, intervals that rearm, what getitimer reads,
// alarm's result, fork (the child has none) and the errors.
//
// Times differ, so only relations are printed: "fired", "left <= 1 s", "interval 50000".
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

static volatile int alarms, vtalarms, profs;

static void on_signal(int sig)
{
    if (sig == SIGALRM)
        alarms++;
    else if (sig == SIGVTALRM)
        vtalarms++;
    else if (sig == SIGPROF)
        profs++;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void catch(int sig)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(sig, &sa, NULL);
}

static void alarm_calls(void)
{
    check_val("alarm(0) with none set", alarm(0));
    check_val("alarm(5)", alarm(5));
    check_val("alarm(0) returns what was left, rounded", alarm(0));
    struct itimerval it;
    check("getitimer(ITIMER_REAL)", getitimer(ITIMER_REAL, &it));
    yes("disarmed: value 0", it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0);
    alarms = 0;
    alarm(1);
    long long t0 = now_ms();
    while (!alarms && now_ms() - t0 < 5000)
        pause();
    yes("SIGALRM came", alarms == 1);
    yes("after about a second", now_ms() - t0 >= 900);
    check("getitimer after it fired", getitimer(ITIMER_REAL, &it));
    yes("disarmed again", it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0);
}

static void real_interval(void)
{
    struct itimerval it = { { 0, 50000 }, { 0, 50000 } }, old;
    alarms = 0;
    check("setitimer ITIMER_REAL 50 ms, interval 50 ms", setitimer(ITIMER_REAL, &it, &old));
    yes("the old one was disarmed", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    check("getitimer", getitimer(ITIMER_REAL, &old));
    check_val("interval (us)", old.it_interval.tv_usec);
    yes("value between 0 and 50 ms", old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0 &&
                                         old.it_value.tv_usec <= 50000);
    long long t0 = now_ms();
    while (alarms < 5 && now_ms() - t0 < 5000)
        pause();
    yes("5 SIGALRMs from one setitimer", alarms >= 5);
    check("setitimer(NULL) disarms", setitimer(ITIMER_REAL, NULL, &old));
    check_val("the interval it had (us)", old.it_interval.tv_usec);
    int before = alarms;
    usleep(150000);
    yes("no SIGALRM since", alarms == before);
}

// Spins until the signal has come n times, or 5 s of wall-clock time.
static void spin_until(volatile int *count, int n)
{
    long long t0 = now_ms();
    while (*count < n && now_ms() - t0 < 5000)
        ;
}

static void cpu_timers(void)
{
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;
    check("setitimer ITIMER_VIRTUAL 20 ms, interval 20 ms", setitimer(ITIMER_VIRTUAL, &it, NULL));
    check("getitimer(ITIMER_VIRTUAL)", getitimer(ITIMER_VIRTUAL, &cur));
    check_val("its interval (us)", cur.it_interval.tv_usec);
    spin_until(&vtalarms, 3);
    yes("SIGVTALRM 3 times while spinning", vtalarms >= 3);
    it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
    check("disarm it", setitimer(ITIMER_VIRTUAL, &it, NULL));
    it = (struct itimerval){ { 0, 0 }, { 0, 30000 } };
    check("setitimer ITIMER_PROF 30 ms, once", setitimer(ITIMER_PROF, &it, NULL));
    spin_until(&profs, 1);
    yes("SIGPROF came", profs == 1);
    check("getitimer(ITIMER_PROF)", getitimer(ITIMER_PROF, &cur));
    yes("disarmed after once", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
    // An interval shorter than the kernel's tick still fires again and again.
    profs = 0;
    it = (struct itimerval){ { 0, 3000 }, { 0, 3000 } };
    check("setitimer ITIMER_PROF 3 ms, interval 3 ms", setitimer(ITIMER_PROF, &it, NULL));
    spin_until(&profs, 10);
    yes("SIGPROF 10 times", profs >= 10);
    check("getitimer", getitimer(ITIMER_PROF, &cur));
    yes("still armed", cur.it_value.tv_sec || cur.it_value.tv_usec);
    it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
    check("disarm it", setitimer(ITIMER_PROF, &it, NULL));
}

static void child_has_none(void)
{
    struct itimerval it = { { 0, 0 }, { 10, 0 } }, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        getitimer(ITIMER_REAL, &cur);
        printf("the child's real timer: %s\n", cur.it_value.tv_sec || cur.it_value.tv_usec ?
               "armed" : "disarmed");
        _exit(0);
    }
    wait_and_print("the child", pid);
    getitimer(ITIMER_REAL, &cur);
    yes("the parent's still armed, under 10 s", cur.it_value.tv_sec < 10 &&
                                               (cur.it_value.tv_sec || cur.it_value.tv_usec));
    check_val("alarm(0) rounds its 10 s", alarm(0));
}

static void errors(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 0 } };
    check("getitimer(3)", getitimer(3, &it));
    check("getitimer(-1)", getitimer(-1, &it));
    check("setitimer(3)", setitimer(3, &it, NULL));
    check("getitimer to pointer 1", getitimer(ITIMER_REAL, bad_ptr(1)));
    check("setitimer from pointer 1", setitimer(ITIMER_REAL, bad_ptr(1), NULL));
    it.it_value.tv_usec = 1000000;
    check("setitimer usec 1000000", setitimer(ITIMER_REAL, &it, NULL));
    it.it_value.tv_usec = -1;
    check("setitimer usec -1", setitimer(ITIMER_REAL, &it, NULL));
    it.it_value = (struct timeval){ -1, 0 };
    check("setitimer sec -1", setitimer(ITIMER_REAL, &it, NULL));
    it.it_value = (struct timeval){ 0, 0 };
    it.it_interval.tv_usec = 1000000;
    check("setitimer interval usec 1000000", setitimer(ITIMER_REAL, &it, NULL));
}

int main(void)
{
    begin("t_itimer");
    default_signals();
    catch(SIGALRM);
    catch(SIGVTALRM);
    catch(SIGPROF);
    alarm_calls();
    real_interval();
    cpu_timers();
    child_has_none();
    errors();
    return done();
}
