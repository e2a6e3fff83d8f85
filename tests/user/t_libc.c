// t_libc.c: the C library itself: printf formats, stdio streams on a file, number parsing,
// sorting, the environment, error messages, and exit() running atexit handlers and then
// flushing stdout. stdout keeps its default buffering here (full on a pipe, line on a
// terminal), and the output must be the same either way.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parity.h"

#define HELLO "etc/parity/hello.txt"

static void formats(void)
{
    char buf[32];

    printf("ints: [%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%i]\n", 42, 42, 42, -42, 42, 42, -7);
    printf("hex and octal: [%x] [%X] [%#x] [%#o] [%o] [%8.3x]\n", 255, 255, 255, 8, 0, 0xab);
    printf("lengths: [%ld] [%lld] [%zu] [%hhd] [%hu] [%lu]\n", -1L, -9223372036854775807LL - 1,
           (size_t)123, (signed char)-3, (unsigned short)65535, 18446744073709551615UL);
    printf("strings: [%s] [%.3s] [%8s] [%-8s] [%c] [%%]\n", "hello", "hello", "hi", "hi", 'z');
    printf("null: [%p] [%s]\n", (void *)0, (char *)0);
    int n = snprintf(buf, 8, "%s", "truncated output");
    printf("snprintf to 8 bytes: %d \"%s\"\n", n, buf);
    n = sprintf(buf, "%d-%d", 1, 2);
    printf("sprintf: %d \"%s\"\n", n, buf);
    puts("puts adds a newline");
    fputs("fputs does not\n", stdout);
    putchar('c');
    fputc('\n', stdout);
    fprintf(stdout, "fprintf(stdout): %s\n", "ok");
}

static void streams(void)
{
    char line[64];
    FILE *f = fopen(HELLO, "r");

    yes("fopen " HELLO, f != NULL);
    while (fgets(line, sizeof line, f) != NULL)
        print_escaped("fgets", line, (long)strlen(line));
    yes("feof after the last line", feof(f));
    yes("fgets at EOF returns NULL", fgets(line, sizeof line, f) == NULL);
    yes("fclose", fclose(f) == 0);

    f = fopen(HELLO, "r");
    print_escaped("fgets with room for 5", fgets(line, 6, f), 5);
    printf("fgetc: '%c'\n", fgetc(f));
    size_t got = fread(line, 1, sizeof line, f);
    printf("fread the rest: %zu bytes\n", got);
    yes("fgetc at the end is EOF", fgetc(f) == EOF);
    fclose(f);

    errno = 0;
    f = fopen("etc/parity/missing", "r");
    printf("fopen missing: %s %s\n", f ? "FILE" : "NULL", err_name(errno));
    f = fopen(HELLO, "z");
    printf("fopen mode \"z\": %s %s\n", f ? "FILE" : "NULL", err_name(errno));
    f = fopen("etc/parity/dir", "w");
    printf("fopen a directory for writing: %s %s\n", f ? "FILE" : "NULL", err_name(errno));

    // More than BUFSIZ (4096) bytes, so a full buffer is written out mid-way.
    for (int i = 0; i < 60; i++)
        printf("buffer line %02d: abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n", i);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void stdlib_parts(void)
{
    char *end;

    errno = 0;
    long v = strtol("  -0x1fz", &end, 0);
    printf("strtol(\"  -0x1fz\", 0): %ld, rest \"%s\"\n", v, end);
    v = strtol("99999999999999999999", &end, 10);
    printf("strtol overflow: %ld %s\n", v, err_name(errno));
    printf("strtoul(\"-1\"): %lu\n", strtoul("-1", NULL, 10));
    printf("atoi(\"123abc\"): %d\n", atoi("123abc"));

    char *words[] = { "pear", "apple", "fig", "banana", "cherry", "apple" };
    qsort(words, 6, sizeof words[0], by_string);
    printf("qsort:");
    for (int i = 0; i < 6; i++)
        printf(" %s", words[i]);
    printf("\n");

    yes("getenv of an unset name is NULL", getenv("LANTERN_TEST_VAR") == NULL);
    setenv("LANTERN_TEST_VAR", "one", 1);
    printf("after setenv: %s\n", getenv("LANTERN_TEST_VAR"));
    setenv("LANTERN_TEST_VAR", "two", 0);
    printf("setenv without overwrite keeps: %s\n", getenv("LANTERN_TEST_VAR"));
    setenv("LANTERN_TEST_VAR", "three", 1);
    printf("setenv with overwrite: %s\n", getenv("LANTERN_TEST_VAR"));
    unsetenv("LANTERN_TEST_VAR");
    yes("unsetenv removes it", getenv("LANTERN_TEST_VAR") == NULL);
    yes("setenv with '=' in the name fails", setenv("A=B", "x", 1) == -1 && errno == EINVAL);

    char *s = strdup("duplicate");
    s = realloc(s, 1000);
    printf("strdup + realloc keeps the text: %s\n", s);
    free(s);

    printf("strerror(ENOENT): %s\n", strerror(ENOENT));
    printf("strerror(0): %s\n", strerror(0));
    printf("strerror(9999): %s\n", strerror(9999));
    printf("abs(-5) labs(-6): %d %ld\n", abs(-5), labs(-6));
}

// atexit handlers run last registered first; the first one prints the final line.
static void first_registered(void)
{
    done();
}

static void second_registered(void)
{
    printf("atexit: the last registered handler runs first\n");
}

int main(void)
{
    printf("t_libc: start\n");
    formats();
    streams();
    stdlib_parts();
    atexit(first_registered);
    atexit(second_registered);
    printf("main returns\n");
    return 0;   // exit(0): the handlers, then stdout is flushed
}
