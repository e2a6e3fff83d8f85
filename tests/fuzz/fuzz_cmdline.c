// fuzz_cmdline.c: libFuzzer harness for the kernel command-line parser (kernel/cmdline.c).
// The input is the command line (made NUL-terminated). Besides the sanitizers' checks, the
// result must keep cmdline.h's promises: counts in range, lists NULL-terminated, every
// string inside the parser's own buffer and NUL-terminated there.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"

static struct kernel_params kp;

static int inside(const char *s)
{
    return s >= kp.buf && s < kp.buf + sizeof kp.buf && memchr(s, 0, kp.buf + sizeof kp.buf - s);
}

static void check_list(const char *const *v, int n, int max)
{
    if (n < 0 || n > max || v[n] != NULL)
        abort();
    for (int i = 0; i < n; i++)
        if (!v[i] || !inside(v[i]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = 0;
    cmdline_parse(&kp, line);
    free(line);
    check_list(kp.init_argv, kp.init_argc, CMDLINE_MAX_INIT_ARGS);
    check_list(kp.init_envp, kp.init_envc, CMDLINE_MAX_INIT_ENVS);
    if (kp.nr_consoles < 0 || kp.nr_consoles > CMDLINE_MAX_CONSOLES)
        abort();
    for (int i = 0; i < kp.nr_consoles; i++)
        if (!inside(kp.console[i]))
            abort();
    const char *opt[] = { kp.init, kp.rdinit, kp.ktest };
    for (int i = 0; i < 3; i++)
        if (opt[i] && !inside(opt[i]))
            abort();
    if (!memchr(kp.unknown, 0, sizeof kp.unknown))
        abort();
    return 0;
}
