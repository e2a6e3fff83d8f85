// thr_util.h: helpers for the thread parity programs (pthread_*.c, threadstress.c).
//
// Unlike the t_*.c programs, these are built with real C libraries - the host's static
// glibc and Debian's musl - so that Lantern runs the pthread implementations real programs
// use. Each binary runs on the host Linux and then as init on Lantern; the outputs must be
// identical, so they print results and relations ("gettid != getpid: yes"), error names,
// never tids, addresses or times. The first line is "NAME: start", the last "done".
#pragma once
#include <sys/types.h>
#include <time.h>

void begin(const char *program);
int done(void);
// "what: ok" if ret >= 0, else "what: error ENAME" (errno read first thing).
void check(const char *what, long ret);
// "what: VALUE" or "what: error ENAME".
void check_val(const char *what, long ret);
// For functions returning an error number (pthread_*, clock_nanosleep): "what: ok" or
// "what: ENAME".
void check_rc(const char *what, int rc);
void yes(const char *what, int cond);
const char *err_name(int e);
const char *sig_name(int sig);
// "what: exited N" or "what: killed by SIGNAME".
void print_status(const char *what, int status);
// fork; the child runs fn and exits 0; the parent waits and prints how it ended.
void in_child(const char *what, void (*fn)(void));
pid_t gettid_(void);
// Nanoseconds on a clock, and the difference helpers the timing checks use.
long long now_ns(clockid_t clock);
struct timespec ts_after(clockid_t clock, long long ns);
void sleep_ms(int ms);
// A raw futex call: the return value, -1 with errno on error.
long futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3);
// NULL, out of the compiler's sight (it would warn, or drop the faulting store).
void *bad_address(void);
// Until thread tid sleeps (its state in /proc/self/task/tid/stat is S) - in the one blocking
// call it makes - or about 5 s have passed (then it says so). /proc must be mounted.
void wait_until_sleeping(pid_t tid);
