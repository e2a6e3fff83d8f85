// parity.h: helpers for the parity test programs (t_*.c).
//
// Each program runs twice: on the host Linux, as an ordinary process with its current
// directory in tests/user/rootfs, and on Lantern, as init with the same files in its
// initramfs. The two outputs must be identical, so the programs print only what is the
// same on both: results, error names and relations ("getpid > 0: yes"), never pids,
// addresses or times. The last line is "done".
#pragma once

// Call first: makes stdout line-buffered, so output written straight to fd 1 and through
// printf comes out in program order, whatever fd 1 is.
void begin(const char *program);
// Print "done" and return 0, for main to return.
int done(void);

// "what: ok", or "what: error ENOENT" if ret < 0 (read errno before anything else can
// change it: call as check("...", f(...))).
void check(const char *what, long ret);
// The same, but print the value: "what: 17".
void check_val(const char *what, long ret);
// "what: yes" or "what: no".
void yes(const char *what, int cond);
// The name of an error number: "ENOENT", or "E<n>" for one the C library does not name.
const char *err_name(int e);
// s, with newlines and other control characters shown as \n, \xNN.
void print_escaped(const char *label, const char *s, long n);

// ---- processes (t_fork, t_signal, ...): report how children end, never their pids.
#include <sys/types.h>
// The name of a signal: "SIGSEGV", or "SIG<n>" for one without a name here.
const char *sig_name(int sig);
// How a child ended, from its wait status: "what: exited 3", "what: killed by SIGSEGV".
// Not whether it dumped core: Linux sets that bit only if it wrote a core file, which
// depends on the host's settings.
void print_status(const char *what, int status);
// waitpid(pid) and print_status, or "what: waitpid error ECHILD".
void wait_and_print(const char *what, pid_t pid);
// fork, and in the child run fn, then _exit(0); in the parent wait for it and, if it did
// not exit with 0, print_status what happened. For checks that may kill the process that
// makes them: the test goes on either way. fn's output comes before the parent's next.
void in_child(const char *what, void (*fn)(void));
// Every signal unblocked and none ignored, whatever the process that started us left
// (both survive execve, and would change how children die).
void default_signals(void);
// addr as a pointer, out of the compiler's sight: it warns when it sees a bad pointer
// passed where an array is expected, and these tests pass them on purpose.
void *bad_ptr(unsigned long addr);

// ---- raw threads (t_futex_pi, t_retarget, t_pdeath_exit): this C library has no pthreads,
// so a test that needs threads makes them with clone itself. They make only raw system
// calls (errno and stdio are not for threads); the main thread prints.
// A system call straight to the kernel: the result, or -errno; errno is left alone.
long raw_syscall6(long n, long a, long b, long c, long d, long e, long f);
static inline long raw_syscall(long n, long a, long b, long c, long d)
{
    return raw_syscall6(n, a, b, c, d, 0, 0);
}
#define RAW_STACK_SIZE 65536
struct raw_thread {
    volatile int tid;                // nonzero until the kernel clears it at the thread's end
    int id;                          // the thread's id (CLONE_PARENT_SETTID)
    void (*fn)(void *arg);
    void *arg;
    char stack[RAW_STACK_SIZE] __attribute__((aligned(16)));
};
// fn(arg) in a new thread of this process, on t's stack; then the thread exits. Prints
// "clone: error E..." if there is none.
void raw_thread_start(struct raw_thread *t, void (*fn)(void *arg), void *arg);
// Until t's thread has exited: the kernel clears t->tid and wakes the futex on it
// (CLONE_CHILD_CLEARTID), as pthread_join waits.
void raw_thread_join(struct raw_thread *t);
