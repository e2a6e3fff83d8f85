// echo: prints its arguments, separated by spaces, and a newline (none with -n). Like
// coreutils' echo without -e: backslashes are printed as they are.
#include <string.h>
#include <unistd.h>

static char buf[4096];
static size_t n;

// Collects the output and writes it in as few pieces as it can: a pipe's reader sees one
// line, not one write per word.
static void out(char c)
{
    if (n == sizeof buf) {
        if (write(1, buf, n) < 0)
            _exit(1);
        n = 0;
    }
    buf[n++] = c;
}

int main(int argc, char **argv)
{
    int i = 1, newline = 1;

    if (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = 0;
        i++;
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            out(' ');
        for (const char *s = argv[i]; *s; s++)
            out(*s);
    }
    if (newline)
        out('\n');
    return n > 0 && write(1, buf, n) < 0;
}
