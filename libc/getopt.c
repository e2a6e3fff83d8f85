// getopt.c: POSIX getopt, for the command-line tools in user/.
//
// optstring lists the option letters; a letter followed by ':' takes an argument, either
// glued on ("-n5") or as the next word ("-n 5"). Options may be grouped ("-la"). Parsing
// stops at the first word that is not an option, at "-" (which means stdin to most tools)
// and after "--". Unlike glibc's, this getopt does not move options that come after the
// operands to the front: "ls dir -l" treats -l as a file name, as POSIX (and busybox)
// say.
//
// On an unknown letter it returns '?', and on a missing argument '?' (or ':' if optstring
// starts with ':'), printing glibc's messages unless opterr is 0:
//     ls: invalid option -- 'z'
//     head: option requires an argument -- 'n'
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;        // the current option's argument
int optind = 1;      // the next argv element to look at
int opterr = 1;      // print messages on stderr
int optopt;          // the letter that caused the last error

int getopt(int argc, char *const argv[], const char *optstring)
{
    static int pos;  // where we are inside a group such as "-la"; 0 means a new word
    int quiet = optstring[0] == ':';

    // To parse again from the start, a program sets optind to 0 (as with glibc): forget
    // any half-read group.
    if (optind == 0) {
        optind = 1;
        pos = 0;
    }
    if (pos == 0) {
        if (optind >= argc || argv[optind][0] != '-' || argv[optind][1] == '\0')
            return -1;
        if (strcmp(argv[optind], "--") == 0) {
            optind++;
            return -1;
        }
        pos = 1;
    }

    char *word = argv[optind];
    int c = (unsigned char)word[pos++];
    const char *spec = c == ':' ? NULL : strchr(optstring, c);
    // Move to the next word if this group is used up.
    int last = word[pos] == '\0';

    if (spec == NULL) {
        optopt = c;
        if (opterr && !quiet)
            fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0], c);
        if (last) {
            optind++;
            pos = 0;
        }
        return '?';
    }
    if (spec[1] != ':') {
        if (last) {
            optind++;
            pos = 0;
        }
        return c;
    }
    // The option takes an argument: the rest of this word, or the next word.
    optind++;
    if (!last) {
        optarg = word + pos;
    } else if (optind < argc) {
        optarg = argv[optind++];
    } else {
        pos = 0;
        optopt = c;
        if (opterr && !quiet)
            fprintf(stderr, "%s: option requires an argument -- '%c'\n", argv[0], c);
        return quiet ? ':' : '?';
    }
    pos = 0;
    return c;
}
