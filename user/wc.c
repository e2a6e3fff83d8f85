// wc: count lines, words and bytes in each file (or stdin), like coreutils wc.
//
//     wc [-lwc] [file...]
//
// A word is a run of bytes that are not white space. The counts print in the order lines,
// words, bytes whatever the order of the options, right-aligned in columns all of the
// same width, followed by the file name; with several files, a "total" line follows.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int show_lines, show_words, show_bytes;
static int width;        // of every number column

struct counts {
    unsigned long lines, words, bytes;
};

// Count fd into *c. Returns 0, or -1 after reporting a read error.
static int count(int fd, const char *name, struct counts *c)
{
    char buf[8192];
    int in_word = 0;     // the last byte seen was part of a word
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
            return -1;
        }
        c->bytes += n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char ch = buf[i];
            if (ch == '\n')
                c->lines++;
            if (ch == ' ' || (ch >= '\t' && ch <= '\r')) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                c->words++;
            }
        }
    }
    return 0;
}

static void print(const struct counts *c, const char *name)
{
    const char *sep = "";
    if (show_lines) {
        printf("%s%*lu", sep, width, c->lines);
        sep = " ";
    }
    if (show_words) {
        printf("%s%*lu", sep, width, c->words);
        sep = " ";
    }
    if (show_bytes)
        printf("%s%*lu", sep, width, c->bytes);
    if (name)
        printf(" %s", name);
    printf("\n");
}

// coreutils' column width: wide enough for the total size of the regular files, but at
// least 7 if some input is not a regular file (a pipe's size is unknown beforehand).
// A single count of a single input needs no padding at all.
static void compute_width(int nfiles, char **files)
{
    unsigned long total = 0;
    int minimum = 1;

    width = 1;
    if (show_lines + show_words + show_bytes == 1 && nfiles <= 1)
        return;
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        struct stat st;
        int r = nfiles == 0 || strcmp(files[i], "-") == 0 ? fstat(0, &st) : stat(files[i], &st);
        if (r < 0)
            continue;    // it will be reported when it cannot be opened
        if (S_ISREG(st.st_mode))
            total += st.st_size;
        else
            minimum = 7;
    }
    for (; total >= 10; total /= 10)
        width++;
    if (width < minimum)
        width = minimum;
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "lwc")) != -1) {
        switch (c) {
        case 'l': show_lines = 1; break;
        case 'w': show_words = 1; break;
        case 'c': show_bytes = 1; break;
        default:
            fprintf(stderr, "Try 'wc --help' for more information.\n");
            return 1;
        }
    }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;

    int nfiles = argc - optind;
    char **files = argv + optind;
    compute_width(nfiles, files);

    struct counts total = {0, 0, 0};
    if (nfiles == 0) {
        struct counts n = {0, 0, 0};
        status = count(0, "-", &n) < 0;
        print(&n, NULL);
        return status;
    }
    for (int i = 0; i < nfiles; i++) {
        struct counts n = {0, 0, 0};
        int stdin_ = strcmp(files[i], "-") == 0;
        int fd = stdin_ ? 0 : open(files[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "wc: %s: %s\n", files[i], strerror(errno));
            status = 1;
            continue;
        }
        if (count(fd, files[i], &n) < 0)
            status = 1;
        else
            print(&n, files[i]);
        if (!stdin_)
            close(fd);
        total.lines += n.lines;
        total.words += n.words;
        total.bytes += n.bytes;
    }
    if (nfiles > 1)
        print(&total, "total");
    return status;
}
