// uname: print the system's name and version, from uname(2), like coreutils uname.
//
//     uname [-asnrvm]
//
//   -s kernel name (the default)   -n host name   -r kernel release   -v kernel version
//   -m machine                     -a all of these, in that order
//
// coreutils' -a also prints -p, -i and -o (the processor, platform and "GNU/Linux");
// there is no GNU userland here, so -a is exactly -snrvm.
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    enum { S = 1, N = 2, R = 4, V = 8, M = 16 };
    int c, which = 0;

    while ((c = getopt(argc, argv, "asnrvm")) != -1) {
        switch (c) {
        case 'a': which = S | N | R | V | M; break;
        case 's': which |= S; break;
        case 'n': which |= N; break;
        case 'r': which |= R; break;
        case 'v': which |= V; break;
        case 'm': which |= M; break;
        default:
            fprintf(stderr, "Try 'uname --help' for more information.\n");
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "uname: extra operand '%s'\nTry 'uname --help' for more information.\n",
                argv[optind]);
        return 1;
    }
    if (which == 0)
        which = S;

    struct utsname u;
    if (uname(&u) < 0) {
        perror("uname");
        return 1;
    }
    const char *fields[] = {u.sysname, u.nodename, u.release, u.version, u.machine};
    const char *sep = "";
    for (int i = 0; i < 5; i++) {
        if (which & (1 << i)) {
            printf("%s%s", sep, fields[i]);
            sep = " ";
        }
    }
    printf("\n");
    return 0;
}
