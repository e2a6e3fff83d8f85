// grep: print the lines that contain a fixed string, like GNU grep -F.
//
//     grep [-vicnF] pattern [file...]
//
//   -v  print the lines that do NOT contain it    -c  print only how many lines match
//   -i  ignore the case of ASCII letters          -n  put the line number before each line
//   -F  accepted for compatibility: patterns are always fixed strings here (no regexps)
//
// With several files each line (or count) starts with "file:". The exit status is 0 if
// some line was selected, 1 if none, and 2 on an error - even if lines were selected.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int invert, ignore_case, count_only, number;
static const char *pattern;
static size_t pattern_len;

static void usage(void)
{
    fprintf(stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
                    "Try 'grep --help' for more information.\n");
    exit(2);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

// Does line[0..len) contain the pattern? The simple quadratic search: fine for lines.
static int contains(const char *line, size_t len)
{
    if (pattern_len > len)
        return 0;
    for (size_t i = 0; i + pattern_len <= len; i++) {
        size_t j = 0;
        if (ignore_case)
            while (j < pattern_len && lower((unsigned char)line[i + j]) == lower((unsigned char)pattern[j]))
                j++;
        else
            while (j < pattern_len && line[i + j] == pattern[j])
                j++;
        if (j == pattern_len)
            return 1;
    }
    return 0;
}

// Read one line (without its '\n') into *buf, growing it as needed. Returns the length, or
// -1 at the end of the input. A last line without a newline still counts as a line.
static long read_line(FILE *f, char **buf, size_t *cap)
{
    size_t len = 0;
    int c;

    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (len + 1 >= *cap) {
            *cap = *cap ? *cap * 2 : 256;
            *buf = realloc(*buf, *cap);
            if (*buf == NULL) {
                fprintf(stderr, "grep: out of memory\n");
                exit(2);
            }
        }
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return -1;
    return (long)len;
}

// Search one open file; prefix is "name:" or "". Returns how many lines were selected.
static unsigned long grep(FILE *f, const char *prefix)
{
    static char *line;
    static size_t cap;
    unsigned long lineno = 0, selected = 0;
    long len;

    while ((len = read_line(f, &line, &cap)) >= 0) {
        lineno++;
        if (contains(line, (size_t)len) == invert)
            continue;
        selected++;
        if (count_only)
            continue;
        fputs(prefix, stdout);
        if (number)
            printf("%lu:", lineno);
        fwrite(line, 1, (size_t)len, stdout);
        putchar('\n');
    }
    if (count_only)
        printf("%s%lu\n", prefix, selected);
    return selected;
}

int main(int argc, char **argv)
{
    int c, errors = 0;
    unsigned long selected = 0;

    while ((c = getopt(argc, argv, "vicnF")) != -1) {
        switch (c) {
        case 'v': invert = 1; break;
        case 'i': ignore_case = 1; break;
        case 'c': count_only = 1; break;
        case 'n': number = 1; break;
        case 'F': break;
        default: usage();
        }
    }
    if (optind >= argc)
        usage();
    pattern = argv[optind++];
    pattern_len = strlen(pattern);

    int nfiles = argc - optind;
    if (nfiles == 0)
        return grep(stdin, "") ? 0 : 1;
    for (int i = optind; i < argc; i++) {
        int stdin_ = strcmp(argv[i], "-") == 0;
        const char *name = stdin_ ? "(standard input)" : argv[i];
        FILE *f = stdin_ ? stdin : fopen(argv[i], "r");
        if (f == NULL) {
            fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
            errors = 1;
            continue;
        }
        // "name:" before each line when there are several files.
        char *prefix = malloc(strlen(name) + 2);
        if (prefix == NULL)
            return 2;
        strcpy(prefix, nfiles > 1 ? name : "");
        if (nfiles > 1)
            strcat(prefix, ":");
        selected += grep(f, prefix);
        if (ferror(f)) {       // a directory, say: read() fails with EISDIR
            fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
            errors = 1;
        }
        free(prefix);
        if (!stdin_)
            fclose(f);
    }
    return errors ? 2 : selected ? 0 : 1;
}
