// t_cow.c: fork's memory semantics, which copy-on-write must keep exactly: after fork
// parent and child each see their own writes only (private memory, heap, stack, data);
// MAP_SHARED memory is one memory for both; protection survives fork (a read-only page is
// still read-only in the child, even though the kernel shares the page); a page only read
// before (the zero page) gets its own copy when written; a child's mprotect back to
// read-write gives it a private writable page.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static int data_var = 41;
static volatile char *priv, *shared, *ro, *untouched;

static void child_writes(void)
{
    data_var = 1;
    priv[0] = 'c';
    shared[0] = 'c';
    printf("child sees: data %d, private %c, shared %c\n", data_var, priv[0], shared[0]);
}

static void write_ro(void) { ro[0] = 'x'; }

static void mprotect_then_write(void)
{
    check("child mprotect(PROT_READ|PROT_WRITE)", mprotect((void *)ro, 4096, PROT_READ | PROT_WRITE));
    ro[0] = 'w';
    printf("child's ro page now: %c\n", ro[0]);
}

static void zero_then_write(void)
{
    printf("untouched page reads: %d\n", untouched[100]);
    untouched[100] = 9;
    printf("after writing: %d\n", untouched[100]);
}

int main(void)
{
    begin("t_cow");
    default_signals();
    priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    untouched = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    priv[0] = 'p';
    shared[0] = 'p';
    ro[0] = 'r';
    check("mprotect(ro, PROT_READ)", mprotect((void *)ro, 4096, PROT_READ));
    printf("untouched reads zero before fork: %d\n", untouched[0]);

    in_child("child_writes", child_writes);
    printf("parent sees: data %d, private %c, shared %c\n", data_var, priv[0], shared[0]);

    in_child("write to a read-only page", write_ro);
    in_child("mprotect_then_write", mprotect_then_write);
    printf("parent's ro page: %c\n", ro[0]);
    in_child("zero_then_write", zero_then_write);
    printf("parent's untouched page: %d %d\n", untouched[100], untouched[4096]);

    // The parent writes after the children have gone: its pages are its own again.
    priv[0] = 'q';
    data_var++;
    printf("parent after: data %d, private %c\n", data_var, priv[0]);

    // A chain: child forks a grandchild; each level writes; nobody sees another's write.
    pid_t c = fork();
    if (c == 0) {
        priv[0] = '1';
        pid_t g = fork();
        if (g == 0) {
            priv[0] = '2';
            _exit(priv[0] == '2' ? 0 : 1);
        }
        int st;
        waitpid(g, &st, 0);
        _exit(priv[0] == '1' && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
    }
    wait_and_print("chain of forks, each writing", c);
    printf("parent's private page at the end: %c\n", priv[0]);
    return done();
}
