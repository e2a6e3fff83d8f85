// init.c: the first user program. The kernel starts it as process 1, with argv[0] "/init"
// and a small environment (HOME=/ and so on). Like busybox's init, it
//
//   1. runs /etc/rc, the boot script, with /bin/sh, and waits for it;
//   2. reads /etc/inittab (inittab.c) and starts what it says: the sysinit and wait entries
//      one at a time, each to completion, then the once and respawn entries together;
//   3. supervises (supervise.c): collects every process that ends - its own children and
//      the orphans the kernel gives it - and starts the respawn entries again;
//   4. goes down when poweroff, reboot or halt sends it SIGUSR2, SIGTERM or SIGUSR1:
//      the shutdown entries, SIGTERM to every process, SIGKILL, then reboot(2).
//
// init never returns: when PID 1 ends, the kernel panics.
//
// Run on Linux as an ordinary program, it prints what it was given and exits - unless
// INIT_INITTAB or INIT_RC (in its environment) name an inittab or an rc script to use
// instead of /etc's: then it is a supervisor like on Lantern (orphans included), and it
// exits, instead of rebooting, at the end of the shutdown. That is how it is tested on
// the host. (On Lantern they work too, from the kernel command line.)
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "init.h"

// If /proc/cmdline has init=PATH (PATH not us), exec PATH in our place, as PID 1.
static void hand_over_if_asked(char **argv, char **envp)
{
    char line[2048];
    FILE *f = fopen("/proc/cmdline", "r");
    if (!f)
        return;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *save;
    for (char *word = strtok_r(line, " \n", &save); word; word = strtok_r(NULL, " \n", &save)) {
        if (strcmp(word, "--") == 0)
            break;                          // the rest belongs to us, not to the kernel
        if (strncmp(word, "init=", 5) == 0 && strcmp(word + 5, "/init") != 0) {
            printf("init: init=%s on the command line: handing over\n", word + 5);
            argv[0] = word + 5;
            execve(word + 5, argv, envp);
            printf("init: cannot run %s; carrying on\n", word + 5);
            return;
        }
    }
}

int main(int argc, char **argv, char **envp)
{
    // Every line out at once: init's messages and its children's must come in order.
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("init: Lantern init starting (pid %d)\n", getpid());
    for (int i = 0; i < argc; i++)
        printf("init: argv[%d] = \"%s\"\n", i, argv[i]);
    for (int i = 0; envp[i] != NULL; i++)
        printf("init: envp[%d] = \"%s\"\n", i, envp[i]);

    const char *inittab_path = getenv("INIT_INITTAB"), *rc = getenv("INIT_RC");
    if (getpid() == 1) {
        if (inittab_path == NULL)
            inittab_path = "/etc/inittab";
        if (rc == NULL)
            rc = "/etc/rc";
    } else {                // on the host, only what was named: never the host's /etc files
        if (inittab_path == NULL && rc == NULL) {
            printf("init: not PID 1, exiting\n");
            return 0;
        }
        prctl(PR_SET_CHILD_SUBREAPER, 1);   // orphans come to us, not to the host's init
    }

    // 0. /proc, and the rescue trick: init=PROGRAM on the kernel command line. The kernel
    //    itself runs /init from an initramfs whatever init= says (as Linux does), so, like
    //    the /init of Linux distributions' initramfs, we look for it and hand over.
    if (getpid() == 1) {
        mount("proc", "/proc", "proc", 0, NULL);
        hand_over_if_asked(argv, envp);
    }

    // The console: fds 0, 1 and 2 are already the console the kernel opened for us.
    // What children find in their environment, besides what the kernel gave us:
    setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 0);
    setenv("SHELL", "/bin/sh", 0);
    catch_signals();         // SIGUSR2, SIGTERM, SIGUSR1: power off, reboot, halt

    // 1. The boot script.
    if (rc != NULL && access(rc, R_OK) == 0) {
        char command[256];
        snprintf(command, sizeof command, "/bin/sh %s", rc);
        run(command);
    }

    // 2. What inittab says; without one, a shell on the console.
    if (inittab_path != NULL && !inittab_read(inittab_path))
        inittab_add(RESPAWN, "", "-/bin/sh");
    run_all(SYSINIT);
    run_all(WAIT);
    start_all(ONCE);
    start_all(RESPAWN);
    start_all(ASKFIRST);

    // 3. Supervise, until a shutdown signal comes.
    int sig = supervise();

    // 4. Shut down.
    go_down(sig);
}
