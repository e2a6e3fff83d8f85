// head: print the first lines of each file (or stdin), like coreutils head.
//
//     head [-n N | -N] [file...]
//
// N is 10 by default. With several files, each is introduced by "==> name <==", and a
// blank line separates them.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage_hint(void)
{
    fprintf(stderr, "Try 'head --help' for more information.\n");
    exit(1);
}

// Parse N for -n: a decimal count.
static unsigned long parse_count(const char *s)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno) {
        fprintf(stderr, "head: invalid number of lines: '%s'\n", s);
        exit(1);
    }
    return n;
}

// Copy the first n lines of fd to stdout. Reads in blocks but writes only up to the n-th
// newline; the rest of the block is simply not printed (stdin may be a pipe, so nothing
// can be "put back" - coreutils seeks back on regular files, which only matters if
// another program reads the same descriptor afterwards).
static int head(int fd, const char *name, unsigned long n)
{
    char buf[8192];
    ssize_t len;

    while (n > 0 && (len = read(fd, buf, sizeof buf)) != 0) {
        if (len < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "head: error reading '%s': %s\n", name, strerror(errno));
            return -1;
        }
        ssize_t end = 0;
        while (end < len && n > 0)
            if (buf[end++] == '\n')
                n--;
        fwrite(buf, 1, end, stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long n = 10;
    int c, status = 0, first = 1;

    // The old form "head -5": a dash and digits as the first argument.
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
        n = parse_count(argv[1] + 1);
        argv[1] = argv[0];       // let getopt start after it
        argv++;
        argc--;
    }
    while ((c = getopt(argc, argv, "n:")) != -1) {
        if (c == 'n')
            n = parse_count(optarg);
        else
            usage_hint();
    }

    int nfiles = argc - optind;
    if (nfiles == 0)
        return head(0, "standard input", n) < 0;
    for (int i = optind; i < argc; i++) {
        int stdin_ = strcmp(argv[i], "-") == 0;
        int fd = stdin_ ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0) {
            fflush(stdout);      // keep the output and the message in order
            fprintf(stderr, "head: cannot open '%s' for reading: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        if (nfiles > 1)
            printf("%s==> %s <==\n", first ? "" : "\n", stdin_ ? "standard input" : argv[i]);
        first = 0;
        if (head(fd, argv[i], n) < 0)
            status = 1;
        if (!stdin_)
            close(fd);
    }
    return status;
}
