// env: print the environment, or run a command in a changed one, like coreutils env.
//
//     env [-i] [-u NAME]... [NAME=VALUE]... [command [arg...]]
//
//   -i (or a lone "-")  start from an empty environment
//   -u NAME             remove NAME from it
//
// Without a command, print the resulting environment, one NAME=VALUE a line. With one,
// replace this process by it (execvp searches $PATH - the new $PATH, if it was set here).
// Exit status: 125 for env's own errors, 126 if the command cannot run, 127 if not found.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage_hint(void)
{
    fprintf(stderr, "Try 'env --help' for more information.\n");
    exit(125);
}

int main(int argc, char **argv)
{
    static char *empty[] = {NULL};
    int c;

    while ((c = getopt(argc, argv, "iu:")) != -1) {
        switch (c) {
        case 'i':
            environ = empty;
            break;
        case 'u':
            if (unsetenv(optarg) < 0) {
                fprintf(stderr, "env: cannot unset '%s': %s\n", optarg, strerror(errno));
                return 125;
            }
            break;
        default:
            usage_hint();
        }
    }
    if (optind < argc && strcmp(argv[optind], "-") == 0) {
        environ = empty;
        optind++;
    }

    // NAME=VALUE words, until the first word without '='.
    for (; optind < argc; optind++) {
        char *eq = strchr(argv[optind], '=');
        if (eq == NULL)
            break;
        *eq = '\0';
        if (setenv(argv[optind], eq + 1, 1) < 0) {
            *eq = '=';
            fprintf(stderr, "env: cannot set '%s': %s\n", argv[optind], strerror(errno));
            return 125;
        }
    }

    if (optind == argc) {
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    execvp(argv[optind], argv + optind);
    int err = errno;
    fprintf(stderr, "env: '%s': %s\n", argv[optind], strerror(err));
    return err == ENOENT ? 127 : 126;
}
