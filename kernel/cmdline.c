// cmdline.c: split the kernel command line the way Linux does (kernel/params.c parse_args,
// lib/cmdline.c next_arg, init/main.c unknown_bootoption), so that what works on a Linux
// command line works here.
//
// Rules, as in Linux:
//  - words are separated by white space; a double quote starts a stretch in which spaces do
//    not separate. A word that starts with a quote, or a value that does (key="a b"), loses
//    that quote and a quote at the very end of the word. Quotes elsewhere stay.
//  - the first `--` ends the kernel's part: every later word goes to init's argv (with
//    key=value rejoined, quotes stripped as above). A second `--` is just an argument there
//    (Linux silently loses everything after it).
//  - parameters we know are consumed. Unknown key=value words go to init's environment (a
//    later one with the same key replaces the earlier), unknown bare words to its argv.
//  - words whose key contains a '.' are module parameters and are dropped quietly, as are
//    the loader's own BOOT_IMAGE=... and kexec... words.
// Our choices where Linux differs:
//  - a full argv/envp drops the word and counts it in p->dropped (Linux panics later).
//  - malformed values of known parameters (loglevel=x, loglevel=9, panic=1x, an empty
//    console=/init=/rdinit=/ktest=, a 5th console=) are dropped and counted; Linux warns.
//    loglevel takes 0..7 only; panic takes a signed decimal int.
//  - an empty word before `--` (`""`) is counted as dropped, not passed on.
//  - init= does not erase the arguments collected before it (an old LILO workaround).

#include <limits.h>
#include <string.h>
#include "cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static char *skip_spaces(char *s)
{
    while (is_space(*s))
        s++;
    return s;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

// Cuts the word at `s` (not a space) out in place. Sets *key to it and, if it has a '='
// after its first character, cuts it there and sets *val to the value (else NULL).
// Returns where the next word starts.
static char *next_word(char *s, char **key, char **val)
{
    bool quoted = false, in_quote = false;
    size_t i, eq = 0;
    char *rest;

    if (*s == '"') {
        s++;
        quoted = in_quote = true;
    }
    for (i = 0; s[i] != '\0' && (in_quote || !is_space(s[i])); i++) {
        if (s[i] == '=' && eq == 0)
            eq = i;
        if (s[i] == '"')
            in_quote = !in_quote;
    }
    rest = s[i] != '\0' ? s + i + 1 : s + i;
    s[i] = '\0';
    *key = s;
    *val = NULL;
    if (eq != 0) {
        s[eq] = '\0';
        *val = s + eq + 1;
        if (**val == '"') {
            (*val)++;
            if (s[i - 1] == '"')
                s[i - 1] = '\0';
        }
    }
    if (quoted && i > 0 && s[i - 1] == '"')
        s[i - 1] = '\0';
    return skip_spaces(rest);
}

// Puts the '=' back between key and value, closing the gap a stripped quote left,
// so that `key` is the whole "key=value" word again.
static void rejoin(char *key, char *val)
{
    size_t n;

    if (val == NULL)
        return;
    n = strlen(key);
    if (val == key + n + 1) {
        val[-1] = '=';
    } else if (val == key + n + 2) {   // key="value": one quote to squeeze out
        val[-2] = '=';
        memmove(val - 1, val, strlen(val) + 1);
    }
}

// A decimal int with an optional sign, nothing after it, within [lo, hi].
static bool parse_int(const char *s, long lo, long hi, int *out)
{
    bool neg = *s == '-';
    long v = 0;

    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
        if (v > (long)INT_MAX + 1)   // stop before overflowing long
            return false;
    }
    v = neg ? -v : v;
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool set_string(struct kernel_params *p, const char **field, const char *val)
{
    if (*val == '\0')
        p->dropped++;
    else
        *field = val;
    return true;
}

static bool set_int(struct kernel_params *p, int *field, const char *val, long lo, long hi)
{
    if (!parse_int(val, lo, hi, field))
        p->dropped++;
    return true;
}

// Handles the parameters the kernel knows; false for anything else.
static bool kernel_param(struct kernel_params *p, const char *key, char *val)
{
    if (strcmp(key, "quiet") == 0) {
        p->quiet = true;
        return true;
    }
    if (strcmp(key, "kmon") == 0) {
        p->kmon = true;
        return true;
    }
    if (strcmp(key, "trace") == 0) {
        p->trace = true;
        return true;
    }
    if (strcmp(key, "bkl_stat") == 0) {
        p->bkl_stat = true;
        return true;
    }
    if (strcmp(key, "norandmaps") == 0) {
        p->norandmaps = true;
        return true;
    }
    if (strcmp(key, "leakcheck") == 0) {
        p->leakcheck = true;
        return true;
    }
    if (strcmp(key, "nosmp") == 0) {    // Linux: the same as maxcpus=0
        p->maxcpus = 0;
        return true;
    }
    if (val == NULL)   // the others all take a value; bare "init" etc. is just a word
        return false;
    if (strcmp(key, "console") == 0) {
        if (*val != '\0' && p->nr_consoles < CMDLINE_MAX_CONSOLES)
            p->console[p->nr_consoles++] = val;
        else
            p->dropped++;
        return true;
    }
    if (strcmp(key, "loglevel") == 0)
        return set_int(p, &p->loglevel, val, 0, 7);
    if (strcmp(key, "panic") == 0)
        return set_int(p, &p->panic_timeout, val, INT_MIN, INT_MAX);
    if (strcmp(key, "init") == 0)
        return set_string(p, &p->init, val);
    if (strcmp(key, "rdinit") == 0)
        return set_string(p, &p->rdinit, val);
    if (strcmp(key, "ktest") == 0)
        return set_string(p, &p->ktest, val);
    if (strcmp(key, "maxcpus") == 0)
        return set_int(p, &p->maxcpus, val, 0, INT_MAX);
    return false;
}

static void add_arg(struct kernel_params *p, const char *word)
{
    if (p->init_argc == CMDLINE_MAX_INIT_ARGS)
        p->dropped++;
    else
        p->init_argv[p->init_argc++] = word;
}

// `word` is "key=value" with a key of keylen bytes.
static void add_env(struct kernel_params *p, const char *word, size_t keylen)
{
    for (int i = 0; i < p->init_envc; i++)
        if (strncmp(p->init_envp[i], word, keylen + 1) == 0) {
            p->init_envp[i] = word;   // same key: the later one wins
            return;
        }
    if (p->init_envc == CMDLINE_MAX_INIT_ENVS)
        p->dropped++;
    else
        p->init_envp[p->init_envc++] = word;
}

// An unknown word before `--`: hand it to init, unless it is one Linux ignores.
static void pass_to_init(struct kernel_params *p, char *key, char *val)
{
    size_t keylen = strlen(key);

    rejoin(key, val);
    if (keylen == 0) {
        p->dropped++;
        return;
    }
    if (starts_with(key, "BOOT_IMAGE=") || starts_with(key, "kexec"))
        return;   // the boot loader's own notes
    for (size_t i = 0; i < keylen; i++)
        if (key[i] == '.')
            return;   // an unused module parameter (foo.bar=1)
    if (val != NULL)
        add_env(p, key, keylen);
    else
        add_arg(p, key);
}

static void append(char *dst, size_t size, const char *word)
{
    size_t n = strlen(dst), w = strlen(word);

    if (n > 0 && n + 1 < size)
        dst[n++] = ' ';
    if (w > size - 1 - n)
        w = size - 1 - n;
    memcpy(dst + n, word, w);
    dst[n + w] = '\0';
}

void cmdline_parse(struct kernel_params *p, const char *line)
{
    size_t n = 0;
    int nr_unknown_args = -1;   // init_argc when `--` was seen
    char *s, *key, *val;

    memset(p, 0, sizeof *p);
    p->loglevel = -1;
    p->maxcpus = -1;
    while (line != NULL && line[n] != '\0' && n < sizeof p->buf - 1) {
        p->buf[n] = line[n];
        n++;
    }
    p->buf[n] = '\0';

    s = skip_spaces(p->buf);
    while (*s != '\0') {
        s = next_word(s, &key, &val);
        if (nr_unknown_args >= 0) {          // after `--`: everything is an argument
            rejoin(key, val);
            add_arg(p, key);
        } else if (val == NULL && strcmp(key, "--") == 0) {
            nr_unknown_args = p->init_argc;
        } else if (!kernel_param(p, key, val)) {
            pass_to_init(p, key, val);
        }
    }
    if (nr_unknown_args < 0)
        nr_unknown_args = p->init_argc;

    // What Linux prints as "Unknown kernel command line parameters": args, then env.
    for (int i = 0; i < nr_unknown_args; i++)
        append(p->unknown, sizeof p->unknown, p->init_argv[i]);
    for (int i = 0; i < p->init_envc; i++)
        append(p->unknown, sizeof p->unknown, p->init_envp[i]);
}
