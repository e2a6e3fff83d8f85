// fuzz_script.c: libFuzzer harness for execve's "#!" line parser (kernel/exec_parse.c).
// The input is a file's first bytes (at most SCRIPT_LINE_MAX, as exec.c reads). Besides the
// sanitizers: a script's interpreter is a non-empty word without blanks, its argument has
// no blank at either end, both lie inside the line buffer and are NUL-terminated there,
// and neither holds a newline.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "errno.h"
#include "exec_parse.h"

static char line[SCRIPT_LINE_MAX + 1];

static int inside(const char *s)
{
    return s >= line && s <= line + SCRIPT_LINE_MAX && memchr(s, 0, (size_t)(line + SCRIPT_LINE_MAX + 1 - s));
}

static int blank(char c) { return c == ' ' || c == '\t'; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < SCRIPT_LINE_MAX ? size : SCRIPT_LINE_MAX;
    memset(line, 0x55, sizeof line);
    memcpy(line, data, n);
    const char *interp = NULL, *arg = NULL;
    long r = script_parse(line, n, &interp, &arg);
    int is_script = n >= 2 && data[0] == '#' && data[1] == '!';
    if (r == 1)
        return is_script ? (abort(), 0) : 0;
    if (!is_script || (r != 0 && r != -ENOEXEC) || !inside(interp) || !inside(arg))
        abort();
    if (r == 0 && (!*interp || strpbrk(interp, " \t\n")))
        abort();
    if (strchr(arg, '\n') || (*arg && (blank(arg[0]) || blank(arg[strlen(arg) - 1]))))
        abort();
    return 0;
}
