// threadstress: thread stress in the spirit of xv6's usertests - 1000 threads created and
// joined in batches, a process killed while its threads sleep in futex, exit_group racing
// with thread creation. Built with static glibc; test_threads.py runs it on the host and
// as init on Lantern, and the outputs must match.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

enum { TOTAL = 1000, BATCH = 50 };

static void *add_one(void *arg)
{
    return (void *)((intptr_t)arg + 1);
}

static void thousand_threads(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    long created = 0, joined_sum = 0, expected = 0;
    for (int base = 0; base < TOTAL; base += BATCH) {
        pthread_t t[BATCH];
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            if (pthread_create(&t[n], &attr, add_one, (void *)(intptr_t)(base + i)) == 0)
                n++;
        }
        created += n;
        for (int i = 0; i < n; i++) {
            void *ret;
            pthread_join(t[i], &ret);
            joined_sum += (intptr_t)ret;
        }
    }
    for (int i = 0; i < TOTAL; i++)
        expected += i + 1;
    printf("1000 threads in batches of 50: created %ld, join values right: %s\n", created,
           joined_sum == expected ? "yes" : "no");
    pthread_attr_destroy(&attr);
}

static int never;

static void *futex_forever(void *arg)
{
    (void)arg;
    for (;;)
        futex(&never, 128 /* FUTEX_WAIT_PRIVATE */, 0, NULL, NULL, 0);
    return NULL;
}

// Every thread of the child sleeps in FUTEX_WAIT; SIGKILL must end them all.
static void killed_in_futex(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        for (int i = 0; i < 4; i++)
            pthread_create(&t, NULL, futex_forever, NULL);
        futex_forever(NULL);
    }
    sleep_ms(100);
    check("kill(child, SIGKILL) while its threads wait in futex", kill(pid, SIGKILL));
    int status;
    waitpid(pid, &status, 0);
    print_status("child in futex", status);
}

static void *spawn_forever(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, add_one, NULL) == 0)
            pthread_join(t, NULL);
    }
    return NULL;
}

// Threads creating threads as fast as they can while main calls exit: the process must
// end with main's status, whatever clone was halfway through.
static void exit_races_clone(void)
{
    int same = 0;
    for (int round = 0; round < 20; round++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            pthread_t t;
            for (int i = 0; i < 3; i++)
                pthread_create(&t, NULL, spawn_forever, NULL);
            sleep_ms(5 + round % 5);
            exit(round % 7 + 1);
        }
        int status;
        waitpid(pid, &status, 0);
        same += WIFEXITED(status) && WEXITSTATUS(status) == round % 7 + 1;
    }
    printf("exit racing clone: %d of 20 rounds ended with main's exit status\n", same);
}

// A thread calls exit_group (exit) while others are in FUTEX_WAIT and in sleep.
static void *exit_soon(void *arg)
{
    (void)arg;
    sleep_ms(20);
    exit(5);
}

static void exit_while_others_block(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, futex_forever, NULL);
        pthread_create(&t, NULL, exit_soon, NULL);
        for (;;)
            pause();
    }
    int status;
    waitpid(pid, &status, 0);
    print_status("exit while others wait in futex and pause", status);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("threadstress");
    thousand_threads();
    killed_in_futex();
    exit_races_clone();
    exit_while_others_block();
    return done();
}
