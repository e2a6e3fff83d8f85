// poweroff, reboot, halt: one program under three names, as in busybox; argv[0] says which.
//
//     poweroff [-f]    reboot [-f]    halt [-f]
//
// Each asks init to take the system down in order (init/supervise.c): it sends PID 1
// SIGUSR2 (power off), SIGTERM (reboot) or SIGUSR1 (halt). With -f it does not ask: it
// calls reboot(2) itself, at once, without stopping any process first.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *name = argc > 0 ? argv[0] : "poweroff";
    const char *slash = strrchr(name, '/');
    if (slash != NULL)
        name = slash + 1;

    int sig = SIGUSR2, how = RB_POWER_OFF;
    if (strcmp(name, "reboot") == 0) {
        sig = SIGTERM;
        how = RB_AUTOBOOT;
    } else if (strcmp(name, "halt") == 0) {
        sig = SIGUSR1;
        how = RB_HALT_SYSTEM;
    }

    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0) {
            force = 1;
        } else {
            fprintf(stderr, "Usage: %s [-f]\n"
                            "  -f  at once, without asking init to stop every process first\n", name);
            return 1;
        }
    }

    if (force) {
        reboot(how);                          // returns only if it failed
        fprintf(stderr, "%s: reboot: %s\n", name, strerror(errno));
    } else if (kill(1, sig) != 0) {
        fprintf(stderr, "%s: can't signal init: %s\n", name, strerror(errno));
    } else {
        return 0;
    }
    return 1;
}
