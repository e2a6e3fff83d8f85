// init.c: the first user program. The kernel starts it as process 1, with argv[0] "/init"
// and a small environment (HOME=/ and so on).
//
// For now it only shows that a user program runs: it prints what it was given, then waits
// forever, because when init ends, the kernel has nothing left to run. Later it will start
// a shell and collect orphaned processes.
//
// Run on Linux as an ordinary program it says so and exits; that is how its output is
// tested on the host.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
    printf("init: Lantern init starting (pid %d)\n", getpid());
    for (int i = 0; i < argc; i++)
        printf("init: argv[%d] = \"%s\"\n", i, argv[i]);
    for (int i = 0; envp[i] != NULL; i++)
        printf("init: envp[%d] = \"%s\"\n", i, envp[i]);

    if (getpid() != 1) {
        printf("init: not PID 1, exiting\n");
        return 0;
    }

    // stdout may be fully buffered (if fd 1 is not a terminal), and init never exits to
    // flush it: do it now, before waiting.
    fflush(stdout);
    // Nothing to do yet. Sleep rather than spin, so the CPU stays idle.
    for (;;) {
        struct timespec hour = { 3600, 0 };
        nanosleep(&hour, NULL);
    }
}
