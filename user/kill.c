// kill: send a signal to processes, like procps kill.
//
//     kill [-s SIG | -SIG] pid...     SIG is a name (TERM, SIGTERM) or a number; TERM
//                                     by default. A negative pid means a process group.
//     kill -l [SIG]                   list the signal names, or translate one: a number to
//                                     its name, a name to its number
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

// Names of signals 1..31, without "SIG"; index 0 is unused.
static const char *names[32] = {
    NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
    "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
};

static void usage(void)
{
    fprintf(stderr, "Usage: kill [-s SIG | -SIG] pid...\n       kill -l [SIG]\n");
    exit(1);
}

// A signal from a name ("TERM", "SIGTERM", case-insensitive) or a number; -1 if neither.
// Two names have aliases: IOT is ABRT, IO is POLL.
static int parse_signal(const char *s)
{
    if (*s >= '0' && *s <= '9') {
        char *end;
        long n = strtol(s, &end, 10);
        return *end == '\0' && n >= 0 && n < NSIG ? (int)n : -1;
    }
    char up[16];
    size_t i;
    for (i = 0; s[i] && i < sizeof up - 1; i++)
        up[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
    up[i] = '\0';
    const char *name = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
    for (int sig = 1; sig < 32; sig++)
        if (strcmp(name, names[sig]) == 0)
            return sig;
    if (strcmp(name, "IOT") == 0)
        return SIGABRT;
    if (strcmp(name, "IO") == 0)
        return SIGPOLL;
    return -1;
}

// kill -l: all names, 16 to a line, as procps prints them.
static int list(const char *arg)
{
    if (arg == NULL) {
        for (int sig = 1; sig < 32; sig++)
            printf("%s%c", names[sig], sig == 16 || sig == 31 ? '\n' : ' ');
        return 0;
    }
    int sig = parse_signal(arg);
    // A number may also be an exit status from a shell, 128 + the signal.
    if (sig < 0 && arg[0] >= '0' && arg[0] <= '9' && atoi(arg) > 128 && atoi(arg) < 128 + 32)
        sig = atoi(arg) - 128;
    if (sig <= 0 || sig >= 32) {
        fprintf(stderr, "kill: unknown signal name %s\n", arg);
        return 1;
    }
    if (arg[0] >= '0' && arg[0] <= '9')
        printf("%s\n", names[sig]);
    else
        printf("%d\n", sig);
    return 0;
}

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1;

    if (argc < 2)
        usage();
    if (strcmp(argv[1], "-l") == 0 || strcmp(argv[1], "-L") == 0)
        return list(argc > 2 ? argv[2] : NULL);
    if (strcmp(argv[1], "-s") == 0) {
        if (argc < 3)
            usage();
        sig = parse_signal(argv[2]);
        if (sig < 0) {
            fprintf(stderr, "kill: unknown signal name %s\n", argv[2]);
            return 1;
        }
        i = 3;
    } else if (strcmp(argv[1], "--") == 0) {
        i = 2;                  // only pids follow: "kill -- -123" signals group 123
    } else if (argv[1][0] == '-' && argv[1][1] != '\0') {
        sig = parse_signal(argv[1] + 1);           // -9 or -KILL
        if (sig < 0) {
            fprintf(stderr, "kill: unknown signal name %s\n", argv[1] + 1);
            return 1;
        }
        i = 2;
        if (i < argc && strcmp(argv[i], "--") == 0)
            i++;
    }
    if (i >= argc)
        usage();

    int status = 0;
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (argv[i][0] == '\0' || *end != '\0') {
            fprintf(stderr, "kill: invalid process id '%s'\n", argv[i]);
            status = 1;
            continue;
        }
        if (kill((pid_t)pid, sig) < 0) {
            fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
            status = 1;
        }
    }
    return status;
}
