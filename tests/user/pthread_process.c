// pthread_process: what a thread does to its whole process - exit() from a second thread
// ends every thread, execve from a second thread replaces the process (same pid, one
// thread), a SIGSEGV in one thread kills them all, and fork from a thread copies only
// that thread. Each runs in a forked child; the parent reports how it ended.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

static const char *self_path;

static void *sleep_forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *exit_seven(void *arg)
{
    (void)arg;
    sleep_ms(10);
    exit(7);
}

// main blocks in join on a thread that never ends; the third thread's exit() must end all.
static void exit_from_thread(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, sleep_forever, NULL);
    pthread_create(&b, NULL, exit_seven, NULL);
    pthread_join(a, NULL);
    printf("exit from thread: join returned (wrong)\n");
}

static void *exit_thread_only(void *arg)
{
    (void)arg;
    pthread_exit((void *)(intptr_t)11);
}

// pthread_exit in main: the process lives on until its last thread ends.
static void *last_thread(void *arg)
{
    (void)arg;
    sleep_ms(20);
    printf("main has called pthread_exit; the last thread still runs\n");
    fflush(stdout);
    exit(3);
}

static void main_pthread_exit(void)
{
    pthread_t t;
    pthread_create(&t, NULL, exit_thread_only, NULL);
    void *ret;
    pthread_join(t, &ret);
    printf("pthread_exit value: %ld\n", (long)(intptr_t)ret);
    pthread_create(&t, NULL, last_thread, NULL);
    fflush(stdout);
    pthread_exit(NULL);
}

static char pid_arg[32];

static void *exec_self(void *arg)
{
    (void)arg;
    char *argv[] = { (char *)self_path, "--after-exec", pid_arg, NULL };
    char *envp[] = { NULL };
    execve(self_path, argv, envp);
    printf("execve from thread: error %s\n", err_name(errno));
    fflush(stdout);
    _exit(99);
}

static void exec_from_thread(void)
{
    snprintf(pid_arg, sizeof pid_arg, "%d", (int)getpid());
    pthread_t a, b;
    pthread_create(&a, NULL, sleep_forever, NULL);
    pthread_create(&b, NULL, exec_self, NULL);
    pthread_join(a, NULL);
    printf("exec from thread: join returned (wrong)\n");
}

static void *after_exec_thread(void *arg)
{
    return arg;
}

// The program again, started by exec_from_thread's execve: same process, new image.
static int after_exec(const char *old_pid)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    yes("after exec from a thread: pid is the old process's", getpid() == atoi(old_pid));
    yes("after exec: the only thread has tid == pid", gettid_() == getpid());
    pthread_t t;
    void *ret;
    int rc = pthread_create(&t, NULL, after_exec_thread, (void *)(intptr_t)5);
    pthread_join(t, &ret);
    yes("after exec: threads still work", rc == 0 && (intptr_t)ret == 5);
    return 42;
}

static void *crash(void *arg)
{
    (void)arg;
    sleep_ms(10);
    *(volatile int *)bad_address() = 1;
    return NULL;
}

static void segv_in_thread(void)
{
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);   // the host may be set to write core files
    pthread_t a, b;
    pthread_create(&a, NULL, sleep_forever, NULL);
    pthread_create(&b, NULL, crash, NULL);
    pthread_join(a, NULL);
    printf("segv in thread: join returned (wrong)\n");
}

static volatile int forker_ok;

static void *fork_from_thread(void *arg)
{
    (void)arg;
    pid_t pid = fork();
    if (pid == 0) {
        // One thread in the child: this one, now its main thread.
        int ok = gettid_() == getpid();
        pthread_t t;
        void *ret;
        ok &= pthread_create(&t, NULL, after_exec_thread, (void *)(intptr_t)9) == 0;
        ok &= pthread_join(t, &ret) == 0 && (intptr_t)ret == 9;
        _exit(ok ? 21 : 22);
    }
    int status;
    waitpid(pid, &status, 0);
    print_status("fork from a thread: child", status);
    return NULL;
}

static void fork_in_thread(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, sleep_forever, NULL);
    pthread_create(&b, NULL, fork_from_thread, NULL);
    pthread_join(b, NULL);
    printf("fork from a thread: the parent's threads go on\n");
}

// A thread's wait: any thread may reap the process's children.
static void *reaper(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;
    int status;
    pid_t got = waitpid(pid, &status, 0);
    return (void *)(intptr_t)(got == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void wait_in_thread(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(13);
    pthread_t t;
    void *ret;
    pthread_create(&t, NULL, reaper, (void *)(intptr_t)pid);
    pthread_join(t, &ret);
    printf("a thread reaped main's child: exit %ld\n", (long)(intptr_t)ret);
}

// __WNOTHREAD: a wait for this thread's own children alone. The only child belongs to
// another thread of the process, still running: ECHILD, blocking or not; a plain wait
// from this thread takes it.
static volatile pid_t other_child;
static volatile int other_forked;

static void *fork_and_linger(void *arg)
{
    (void)arg;
    pid_t c = fork();
    if (c == 0) {
        sleep_ms(50);
        _exit(33);
    }
    other_child = c;
    other_forked = 1;
    sleep_ms(200);
    return NULL;
}

static void wnothread(void)
{
    pthread_t t;
    int status = 0;
    pthread_create(&t, NULL, fork_and_linger, NULL);
    while (!other_forked)
        sched_yield();
    check("waitpid(-1, __WNOTHREAD | WNOHANG)", waitpid(-1, &status, __WNOTHREAD | WNOHANG));
    check("waitpid(-1, __WNOTHREAD)", waitpid(-1, &status, __WNOTHREAD));
    yes("a plain waitpid takes the other thread's child", waitpid(-1, &status, 0) == other_child);
    print_status("it", status);
    pthread_join(t, NULL);
}

// pthread_setname_np and pthread_getname_np on another thread go through
// /proc/self/task/TID/comm (glibc's and musl's): written by a thread of the same process.
static volatile int names_done;

static void *named_thread(void *arg)
{
    (void)arg;
    while (!names_done)
        sleep_ms(1);
    return NULL;
}

static void names(void)
{
    if (access("/proc/self/task", F_OK) != 0)
        mount("proc", "/proc", "proc", 0, NULL);    // as init, on Lantern
    pthread_t t;
    char name[16] = "";
    pthread_create(&t, NULL, named_thread, NULL);
    check_rc("pthread_setname_np of another thread", pthread_setname_np(t, "worker-1"));
    check_rc("pthread_getname_np of it", pthread_getname_np(t, name, sizeof name));
    printf("its name: %s\n", name);
    check_rc("a name of 16 bytes", pthread_setname_np(t, "0123456789abcdef"));
    names_done = 1;
    pthread_join(t, NULL);
}

// PR_SET_PDEATHSIG is about the thread that made the child, not its process: the child
// gets its signal when that thread ends, though the process runs on (Linux's rule; Go's
// os/exec keeps the thread that starts a child alive for that reason).
static int pdeath_report[2];

static void on_pdeath(int sig)
{
    (void)sig;
    write(pdeath_report[1], "got", 3);
    _exit(0);
}

static void *make_watching_child(void *arg)
{
    (void)arg;
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0) {
        signal(SIGUSR1, on_pdeath);
        prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
        write(ready[1], "r", 1);
        sleep_ms(3000);
        write(pdeath_report[1], "none", 4);
        _exit(0);
    }
    char r;
    read(ready[0], &r, 1);
    return (void *)(intptr_t)c;
}

static void pdeath_of_thread(void)
{
    pipe(pdeath_report);
    pthread_t t;
    void *child;
    pthread_create(&t, NULL, make_watching_child, NULL);
    pthread_join(t, &child);                 // its maker is gone; this process is not
    char buf[8] = "";
    read(pdeath_report[0], buf, sizeof buf - 1);
    printf("the child of an ended thread says: %s\n", buf);
    waitpid((pid_t)(intptr_t)child, NULL, 0);
}

// setpgid from a thread that is not the main one: pid 0 means its process (Linux takes the
// group leader's id), and another thread's id is EINVAL. Lantern once took pid 0 for the
// calling thread's own id, and answered ESRCH.
static volatile pid_t pg_tid;

static void *setpgid_in_thread(void *arg)
{
    (void)arg;
    check("setpgid(0, 0) in a second thread", setpgid(0, 0));
    yes("the process leads its own group now", getpgrp() == getpid());
    return NULL;
}

static void setpgid_from_thread(void)
{
    pthread_t t;
    pthread_create(&t, NULL, setpgid_in_thread, NULL);
    pthread_join(t, NULL);
}

static volatile int quit_waiter;

static void *idle_thread(void *arg)
{
    (void)arg;
    pg_tid = gettid_();
    while (!quit_waiter)
        sleep_ms(1);
    return NULL;
}

static void setpgid_of_thread(void)
{
    pthread_t t;
    pg_tid = 0;
    pthread_create(&t, NULL, idle_thread, NULL);
    while (!pg_tid)
        sleep_ms(1);
    check("setpgid(another thread's id, 0)", setpgid(pg_tid, 0));
    quit_waiter = 1;
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--after-exec") == 0)
        return after_exec(argv[2]);
    self_path = argv[0];
    begin("pthread_process");
    in_child("exit(7) from a third thread, main in join", exit_from_thread);
    in_child("pthread_exit in main, exit(3) in the last thread", main_pthread_exit);
    in_child("execve from a thread", exec_from_thread);
    in_child("SIGSEGV in one thread", segv_in_thread);
    in_child("fork from a thread", fork_in_thread);
    wait_in_thread();
    in_child("__WNOTHREAD", wnothread);
    in_child("names of other threads", names);
    in_child("the parent-death signal of a thread's child", pdeath_of_thread);
    in_child("setpgid(0, 0) from a second thread", setpgid_from_thread);
    in_child("setpgid of a thread", setpgid_of_thread);
    return done();
}
