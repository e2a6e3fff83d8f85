// t_personality.c: personality(2) and address space layout randomisation. Two execs of the
// same program see a different stack, mmap area and heap start (the program itself is not
// position-independent: its code stays put); with personality(ADDR_NO_RANDOMIZE) - what
// `setarch -R` sets - the same ones. The persona is kept across fork and exec, except
// READ_IMPLIES_EXEC, which x86_64's exec drops; 0xffffffff only asks.
//
// The program execs itself (argv[0]) with "report", which writes its addresses down a pipe;
// no address is printed, only whether two runs agree. tests/system/test_pagecache.py boots
// it with `norandmaps` too, where every run agrees.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define SYS_personality_ 135
#define ADDR_NO_RANDOMIZE 0x0040000
#define READ_IMPLIES_EXEC 0x0400000

struct layout { unsigned long stack, mmap, brk, code, at_random, persona; };

static long persona(unsigned long p) { return syscall(SYS_personality_, p); }

static int report(void) {
    int local;
    struct layout l = {
        .stack = (unsigned long)&local,
        .mmap = (unsigned long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
        .brk = (unsigned long)sbrk(0),
        .code = (unsigned long)report,
        .at_random = getauxval(AT_RANDOM),
        .persona = (unsigned long)persona(0xffffffff),
    };
    return write(1, &l, sizeof l) == sizeof l ? 0 : 1;
}

static char *self;

// Runs "self report" and reads its layout.
static int run(struct layout *l) {
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        char *argv[] = { self, "report", NULL };
        execv(self, argv);
        _exit(127);
    }
    close(p[1]);
    long n = read(p[0], l, sizeof *l);
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    return n == sizeof *l && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static const char *same(unsigned long a, unsigned long b) { return a == b ? "same" : "differ"; }

static void compare(const char *what) {
    struct layout a, b;
    if (run(&a) || run(&b)) {
        printf("%s: a run failed\n", what);
        return;
    }
    printf("%s: stack %s, mmap %s, brk %s, AT_RANDOM %s, code %s\n", what,
           same(a.stack, b.stack), same(a.mmap, b.mmap), same(a.brk, b.brk),
           same(a.at_random, b.at_random), same(a.code, b.code));
    printf("%s: the exec'd program's persona %#lx\n", what, a.persona);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return report();
    self = argv[0];
    begin("t_personality");
    default_signals();
    printf("persona at start: %#lx\n", persona(0xffffffff));
    compare("randomised");

    printf("set ADDR_NO_RANDOMIZE, returns the old: %#lx\n", persona(ADDR_NO_RANDOMIZE));
    printf("asking again: %#lx\n", persona(0xffffffff));
    pid_t pid = fork();
    if (pid == 0) {
        printf("a child has: %#lx\n", persona(0xffffffff));
        _exit(0);
    }
    wait_and_print("child", pid);
    compare("ADDR_NO_RANDOMIZE");

    printf("add READ_IMPLIES_EXEC: %#lx\n", persona(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC));
    compare("READ_IMPLIES_EXEC");
    printf("this process keeps it: %#lx\n", persona(0xffffffff));

    printf("an unknown domain 0x1f: %#lx\n", persona(0x1f));
    printf("kept as given: %#lx\n", persona(0xffffffff));
    printf("back to 0: %#lx\n", persona(0));
    printf("now: %#lx\n", persona(0xffffffff));
    compare("back to randomised");
    return done();
}
