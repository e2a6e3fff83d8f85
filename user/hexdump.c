// hexdump: show bytes in hex and ASCII, in util-linux's canonical format (hexdump -C).
//
//     hexdump -C [file...]
//
// The files are read as one stream. Each line shows the offset, 16 bytes in hex (in two
// groups of 8) and the same bytes as characters, '.' for those that are not printable:
//
//     00000000  68 65 6c 6c 6f 0a                                 |hello.|
//     00000006
//
// A line equal to the previous one is not repeated: a single "*" stands for any number of
// them. The last line is the offset just past the end.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char line[16], prev[16];
static int fill;             // bytes in line[]
static unsigned long offset; // of line[0] in the stream
static int have_prev, squeezing;

static void print_line(void)
{
    if (have_prev && fill == 16 && memcmp(line, prev, 16) == 0) {
        if (!squeezing)
            printf("*\n");
        squeezing = 1;
        return;
    }
    squeezing = 0;
    printf("%08lx ", offset);
    for (int i = 0; i < 16; i++) {
        if (i == 8)
            putchar(' ');
        if (i < fill)
            printf(" %02x", line[i]);
        else
            printf("   ");
    }
    printf("  |");
    for (int i = 0; i < fill; i++)
        putchar(line[i] >= ' ' && line[i] <= '~' ? line[i] : '.');
    printf("|\n");
    memcpy(prev, line, 16);
    have_prev = 1;
}

// Feed one file's bytes into the 16-byte lines.
static int dump(int fd, const char *name)
{
    unsigned char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "hexdump: %s: %s\n", name, strerror(errno));
            return -1;
        }
        for (ssize_t i = 0; i < n; i++) {
            line[fill++] = buf[i];
            if (fill == 16) {
                print_line();
                offset += 16;
                fill = 0;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int c, canonical = 0, status = 0;

    while ((c = getopt(argc, argv, "C")) != -1) {
        if (c == 'C') {
            canonical = 1;
        } else {
            fprintf(stderr, "Try 'hexdump --help' for more information.\n");
            return 1;
        }
    }
    if (!canonical) {
        // util-linux's default is 16-bit words, a format nobody needs to read; only -C here.
        fprintf(stderr, "hexdump: only the canonical format (-C) is supported\n");
        return 1;
    }
    if (optind == argc) {
        status = dump(0, "stdin") < 0;
    } else {
        for (int i = optind; i < argc; i++) {
            int fd = open(argv[i], O_RDONLY);
            if (fd < 0) {
                fprintf(stderr, "hexdump: %s: %s\n", argv[i], strerror(errno));
                status = 1;
                continue;
            }
            status |= dump(fd, argv[i]) < 0;
            close(fd);
        }
    }
    if (fill > 0)
        print_line();
    if (offset + fill > 0)
        printf("%08lx\n", offset + fill);
    return status;
}
