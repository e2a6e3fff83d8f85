// parity.c: see parity.h.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "parity.h"

void begin(const char *program)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("%s: start\n", program);
}

int done(void)
{
    printf("done\n");
    return 0;
}

const char *err_name(int e)
{
    static char buf[16];
    const char *name = strerrorname_np(e);

    if (name != NULL)
        return name;
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

void check(const char *what, long ret)
{
    int e = errno;

    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: ok\n", what);
}

void check_val(const char *what, long ret)
{
    int e = errno;

    if (ret < 0)
        printf("%s: error %s\n", what, err_name(e));
    else
        printf("%s: %ld\n", what, ret);
}

void yes(const char *what, int cond)
{
    printf("%s: %s\n", what, cond ? "yes" : "no");
}

void print_escaped(const char *label, const char *s, long n)
{
    printf("%s: \"", label);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            printf("\\n");
        else if (c < ' ' || c >= 0x7f || c == '"' || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    printf("\"\n");
}
