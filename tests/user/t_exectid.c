// t_exectid.c: what execve does with the caller's CLONE_CHILD_CLEARTID word (the address
// set_tid_address or clone set, which the kernel zeroes when the thread is gone so that
// pthread_join can wait for it). Linux's execve lets go of the old memory through
// mm_release, as exit does:
//  1. if another process still uses the old memory (a CLONE_VM child execs), the word is
//     zeroed there and one futex waiter on it is woken: to that process, the exec is the
//     thread's end;
//  2. the same for a thread of a multi-threaded process that execs while another process
//     shares the memory (the other threads are gone by then: execve ended them);
//  3. either way the word is forgotten: when the new program exits, the old address (which
//     may be something else in the new memory) is left alone.
//
// The program execs itself: argv[0], with "as-..." as the first argument saying what the
// new program does. On Lantern it is PID 1, so orphans come back to it; on the host,
// prctl(PR_SET_CHILD_SUBREAPER) makes them come back to the process that asks.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define SYS_futex_ 202
#define FUTEX_WAIT 0
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SYSVSEM)
#define STACK_SIZE 65536
// Where case 3 keeps its word, in the old program's memory and in the new one's: far from
// the program, its heap, its stack and mmap's choices, on both systems.
#define WORD_ADDR  ((int *)0x100000000000ul)
#define WORD_VALUE 0x1234567

static char *self;
static char stack_a[STACK_SIZE] __attribute__((aligned(16)));
static char stack_b[STACK_SIZE] __attribute__((aligned(16)));
static int started[2], go[2];    // the exec'd program says it runs; we let it end

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// clone(flags) onto the top of a stack of its own; the child runs fn() and exits with 0.
// In assembly, so that the child touches nothing of ours before fn (it may share our memory).
static long clone_on_stack(unsigned long flags, char *stack, int *ptid, int *ctid, void (*fn)(void))
{
    void **sp = (void **)(stack + STACK_SIZE) - 2;
    sp[0] = (void *)fn;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "pop %%rax\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%%rax\n\t"
                     "mov $60, %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "1:"
                     : "=a"(ret)
                     : "a"(SYS_clone), "D"(flags), "S"(sp), "d"(ptid), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    if (ret < 0) {
        errno = (int)-ret;
        return -1;
    }
    return ret;
}

static long futex_wait(int *word, int val, long seconds)
{
    struct timespec t = { seconds, 0 };
    return syscall(SYS_futex_, word, FUTEX_WAIT, val, &t, 0, 0);
}

// ---- the exec'd side

// "as-wait STARTED GO": say we run, then wait for the word to end.
static int as_wait(char **argv)
{
    char c = 'x';
    write(atoi(argv[2]), &c, 1);
    read(atoi(argv[3]), &c, 1);
    return 0;
}

// Case 3's watcher: shares the new program's memory; once that program has exited (the
// pipe's write end closes then), it says whether the word at WORD_ADDR was left alone.
static int watch_pipe[2];
static void watcher(void)
{
    char c;
    close(watch_pipe[1]);
    while (read(watch_pipe[0], &c, 1) > 0)
        ;
    syscall(SYS_exit, *WORD_ADDR == WORD_VALUE ? 0 : 1);
}

// "as-forgetful": the new program of a thread whose CLONE_CHILD_CLEARTID word was at
// WORD_ADDR. Maps that address again, puts a value there, shares the memory with a
// watcher (so that an exit would zero a remembered word) and exits.
static int as_forgetful(void)
{
    int *w = mmap(WORD_ADDR, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                  -1, 0);
    if (w != WORD_ADDR)
        return 3;
    *w = WORD_VALUE;
    pipe(watch_pipe);
    if (clone_on_stack(CLONE_VM | SIGCHLD, stack_a, NULL, NULL, watcher) < 0)
        return 4;
    close(watch_pipe[0]);
    return 0;
}

static void exec_self(const char *how)
{
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", started[1]);
    snprintf(b, sizeof b, "%d", go[0]);
    char *argv[] = { self, (char *)how, a, b, NULL };
    execve(self, argv, environ);
    syscall(SYS_exit_group, 127);
}

// ---- case 1: a CLONE_VM child execs

static int word1;

static void child_execs(void)
{
    struct timespec pause_50ms = { 0, 50000000 };
    nanosleep(&pause_50ms, NULL);        // mostly, the parent is in FUTEX_WAIT by now
    exec_self("as-wait");
}

// Waits on *word (which holds a tid, or 0 once cleared) until the exec'd program runs,
// then says what the word holds, lets the program end and collects it.
static void wait_for_exec(const char *who, int *word, pid_t pid)
{
    char c;
    double start = now();
    int seen = 0;
    while (!(seen = *(volatile int *)word) && now() - start < 2)
        usleep(1000);
    long r = seen ? futex_wait(word, seen, 5) : 0;
    int e = errno;
    yes("  FUTEX_WAIT on the word ends at the execve, not at the 5 s timeout",
        (r == 0 || e == EAGAIN) && now() - start < 4);
    check("  the exec'd program says it runs", read(started[0], &c, 1));
    yes("  the word is 0 in the memory the execve left", *(volatile int *)word == 0);
    write(go[1], &c, 1);
    wait_and_print(who, pid);
}

static void clone_vm_child_execs(void)
{
    printf("a CLONE_VM child with CLONE_CHILD_CLEARTID execs:\n");
    long pid = clone_on_stack(CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
                              stack_a, &word1, &word1, child_execs);
    check("  clone", pid);
    if (pid < 0)
        return;
    yes("  CLONE_PARENT_SETTID put the child's tid in the word", word1 == pid);
    wait_for_exec("  the child", &word1, (pid_t)pid);
}

// ---- case 2: a thread of a process that shares memory with us execs

static int word2;

static void thread_execs(void)
{
    struct timespec pause_50ms = { 0, 50000000 };
    nanosleep(&pause_50ms, NULL);
    exec_self("as-wait");
}

static void process_with_a_thread(void)
{
    if (clone_on_stack(THREAD_FLAGS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, stack_b,
                       &word2, &word2, thread_execs) < 0)
        syscall(SYS_exit_group, 5);
    for (;;)
        pause();                         // until the thread's execve ends us
}

static void thread_of_clone_vm_process_execs(void)
{
    printf("a thread of a CLONE_VM process, with CLONE_CHILD_CLEARTID, execs:\n");
    long pid = clone_on_stack(CLONE_VM | SIGCHLD, stack_a, NULL, NULL, process_with_a_thread);
    check("  clone", pid);
    if (pid >= 0)
        wait_for_exec("  the process", &word2, (pid_t)pid);
}

// ---- case 3: the word is forgotten

static void thread_execs_forgetful(void)
{
    exec_self("as-forgetful");
}

static void process_whose_thread_execs(void)
{
    int *w = mmap(WORD_ADDR, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                  -1, 0);
    if (w != WORD_ADDR)
        _exit(6);
    *w = 1;
    if (clone_on_stack(THREAD_FLAGS | CLONE_CHILD_CLEARTID, stack_b, NULL, w,
                       thread_execs_forgetful) < 0)
        _exit(7);
    for (;;)
        pause();
}

static void exec_forgets_the_word(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);  // the watcher comes back to us
    syscall(37, 20);                          // alarm(20): a hang ends as SIGALRM
    pid_t pid = fork();
    if (pid == 0)
        process_whose_thread_execs();
    int status, st_process = -1, st_watcher = -1;
    for (int i = 0; i < 2; i++) {
        pid_t w = waitpid(-1, &status, 0);
        if (w == pid)
            st_process = status;
        else if (w > 0)
            st_watcher = status;
    }
    print_status("  the process whose thread exec'd", st_process);
    yes("  its new program's exit left the old CLONE_CHILD_CLEARTID address alone",
        st_watcher != -1 && WIFEXITED(st_watcher) && WEXITSTATUS(st_watcher) == 0);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "as-wait") == 0 && argc == 4)
        return as_wait(argv);
    if (argc >= 2 && strcmp(argv[1], "as-forgetful") == 0)
        return as_forgetful();
    self = argv[0];
    begin("t_exectid");
    default_signals();
    pipe(started);
    pipe(go);
    clone_vm_child_execs();
    thread_of_clone_vm_process_execs();
    printf("a thread with CLONE_CHILD_CLEARTID execs; the new program exits, sharing its memory:\n");
    in_child("  the test", exec_forgets_the_word);
    return done();
}
