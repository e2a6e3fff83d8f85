// sh_expand.c: turning raw words into a command's arguments.
//
// In one left-to-right pass over a word: ~ at the start becomes $HOME; $NAME, ${NAME},
// ${NAME:-default} and the special $? $$ $! $# $0..$9 $@ $* become their values, $(cmd)
// what cmd prints; quotes and backslashes are removed. The value of an unquoted $NAME is split into fields at
// blanks (IFS is always " \t\n" here), and a field that ends up empty and was never quoted
// disappears: with X="a b", `echo $X` gets two arguments and `echo "$X"` one. No
// pathname expansion (*, ?), `cmd` or arithmetic.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

struct expander {
    char *buf;             // the field being built (malloc'd, reused)
    size_t len, cap;
    int has;               // the field exists, even empty: "" or '' was in it
    int split;             // split unquoted expansions into fields
    char **fields;         // the finished ones (sh_alloc'd)
    int n, fcap;
};

static void add_char(struct expander *e, char c)
{
    if (e->len + 1 >= e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->buf = realloc(e->buf, e->cap);
    }
    e->buf[e->len++] = c;
    e->has = 1;
}

static void end_field(struct expander *e)
{
    if (!e->has)
        return;
    if (e->n + 1 >= e->fcap) {
        int ncap = e->fcap ? e->fcap * 2 : 16;
        char **nf = sh_alloc(ncap * sizeof *nf);
        if (e->n > 0)
            memcpy(nf, e->fields, e->n * sizeof *nf);
        e->fields = nf;
        e->fcap = ncap;
    }
    char *s = sh_alloc(e->len + 1);
    memcpy(s, e->buf, e->len);
    s[e->len] = '\0';
    e->fields[e->n++] = s;
    e->len = 0;
    e->has = 0;
}

// Adds an expansion's value: as it is inside double quotes, else cut at blanks.
static void add_value(struct expander *e, const char *v, int quoted)
{
    for (; v && *v; v++) {
        if (!quoted && e->split && (*v == ' ' || *v == '\t' || *v == '\n'))
            end_field(e);
        else
            add_char(e, *v);
    }
}

// The value of a special parameter ($?, $1, ...), or NULL if c is not one. $@ and $* are
// handled by the caller.
static const char *special(char c, char *tmp, size_t size)
{
    if (c == '?')
        snprintf(tmp, size, "%d", sh.status);
    else if (c == '$')
        snprintf(tmp, size, "%d", sh.pid);
    else if (c == '!')
        snprintf(tmp, size, "%d", sh.last_bg);
    else if (c == '#')
        snprintf(tmp, size, "%d", sh.argc > 0 ? sh.argc - 1 : 0);
    else if (c >= '0' && c <= '9')
        return c - '0' < sh.argc ? sh.argv[c - '0'] : "";
    else
        return NULL;
    return tmp;
}

// "$@" makes one field per positional parameter; $*, "$*" and unquoted $@ join them with
// spaces first.
static void add_params(struct expander *e, char c, int quoted)
{
    for (int i = 1; i < sh.argc; i++) {
        if (i > 1) {
            if (c == '@' && quoted)
                e->has = 1, end_field(e);
            else
                add_value(e, " ", quoted);
        }
        add_value(e, sh.argv[i], quoted);
    }
}

// ${NAME}, ${NAME-word}, ${NAME:-word}: s points after "${". Returns the end, past '}'.
static const char *expand_braces(struct expander *e, const char *s, int quoted)
{
    const char *close = strchr(s, '}');
    char tmp[32];

    if (close == NULL) {
        sh_error("Syntax error: Missing '}'");
        return s + strlen(s);
    }
    size_t len = strcspn(s, ":-}");
    const char *op = s + len;
    char name[64];
    if (len == 0 || len >= sizeof name) {
        sh_error("${%.*s}: Bad substitution", (int)(close - s), s);
        return close + 1;
    }
    memcpy(name, s, len);
    name[len] = '\0';
    const char *v = len == 1 && special(name[0], tmp, sizeof tmp) ? special(name[0], tmp, sizeof tmp)
                                                                  : var_get(name);
    int colon = *op == ':';
    if (*op != '}' && op[colon] == '-' && (v == NULL || (colon && *v == '\0'))) {
        char *word = sh_alloc(close - (op + colon + 1) + 1);
        memcpy(word, op + colon + 1, close - (op + colon + 1));
        word[close - (op + colon + 1)] = '\0';
        v = expand_one(word);
    }
    add_value(e, v, quoted);
    return close + 1;
}

const char *skip_subst(const char *s)
{
    int depth = 0;

    for (s++; *s; s++) {
        if (*s == '(') {
            depth++;
        } else if (*s == ')') {
            if (--depth == 0)
                return s + 1;
        } else if (*s == '\'') {
            if ((s = strchr(s + 1, '\'')) == NULL)
                return NULL;
        } else if (*s == '"') {
            for (s++; *s != '"'; s++) {
                if (*s == '\0')
                    return NULL;
                if (*s == '\\' && s[1] != '\0')
                    s++;
            }
        } else if (*s == '\\' && s[1] != '\0') {
            s++;
        }
    }
    return NULL;
}

// $(text): a child shell runs text with its stdout on a pipe; we read all it prints, and
// drop the newlines at the end. A command of only assignments gets the child's status.
static char *command_output(const char *text)
{
    int fds[2], ws;

    if (pipe(fds) < 0)
        return "";
    pid_t pid = fork();
    if (pid == 0) {
        char *copy = strdup(text);    // the line's memory is freed as the child runs it
        close(fds[0]);
        dup2(fds[1], 1);
        close(fds[1]);
        child_signals();
        sh.interactive = sh.jobctl = 0;   // the jobs stay known: kill $(jobs -p)
        sh.lineno--;                  // its first line is still ours, for messages
        exit(run_string(copy));
    }
    close(fds[1]);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (ssize_t n = 1; n > 0 || (n < 0 && errno == EINTR);) {
        if (len + 1024 > cap)
            buf = realloc(buf, cap = cap * 2 + 4096);
        n = read(fds[0], buf + len, cap - len - 1);
        len += n > 0 ? n : 0;
    }
    close(fds[0]);
    if (pid > 0) {
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
            ;
        sh.subst_status = status_of(ws);
    }
    while (len > 0 && buf[len - 1] == '\n')
        len--;
    char *s = sh_alloc(len + 1);
    memcpy(s, buf, len);
    s[len] = '\0';
    free(buf);
    return s;
}

// A '$' at s[0]. Returns where the word goes on.
static const char *expand_dollar(struct expander *e, const char *s, int quoted)
{
    char tmp[32];
    const char *v;

    s++;
    if (*s == '{')
        return expand_braces(e, s + 1, quoted);
    if (s[0] == '(' && s[1] == '(') {
        sh_error("$((...)): arithmetic is not supported");
        return s + strlen(s);
    }
    const char *end = *s == '(' ? skip_subst(s - 1) : NULL;
    if (end != NULL) {
        char *text = sh_alloc(end - s - 1);
        memcpy(text, s + 1, end - s - 2);
        text[end - s - 2] = '\0';
        add_value(e, command_output(text), quoted);
        return end;
    }
    if (*s == '@' || *s == '*') {
        add_params(e, *s, quoted);
        return s + 1;
    }
    if (*s && (v = special(*s, tmp, sizeof tmp)) != NULL) {
        add_value(e, v, quoted);
        return s + 1;
    }
    size_t len = 0;
    while (valid_name(s, len + 1))
        len++;
    if (len == 0) {                 // "$" alone, or "$%": just a dollar sign
        add_char(e, '$');
        return s;
    }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    add_value(e, var_get(name), quoted);
    return s + len;
}

static void expand_word(struct expander *e, const char *s)
{
    int dq = 0;

    if (s[0] == '~' && (s[1] == '\0' || s[1] == '/')) {
        const char *home = var_get("HOME");
        add_value(e, home ? home : "~", 1);
        s++;
    }
    while (*s) {
        if (*s == '\'' && !dq) {
            e->has = 1;
            for (s++; *s && *s != '\''; s++)
                add_char(e, *s);
            s += *s == '\'';
        } else if (*s == '"') {
            e->has = 1;
            dq = !dq;
            s++;
        } else if (*s == '\\' && s[1]) {
            // Inside double quotes a backslash escapes only $ ` " \; elsewhere it stays.
            if (dq && !strchr("$`\"\\", s[1]))
                add_char(e, '\\');
            add_char(e, s[1]);
            s += 2;
        } else if (*s == '$') {
            s = expand_dollar(e, s, dq);
        } else {
            add_char(e, *s++);
        }
    }
    end_field(e);
}

char **expand_words(char **raw, int nraw, int *n)
{
    struct expander e = { .split = 1 };

    for (int i = 0; i < nraw; i++)
        expand_word(&e, raw[i]);
    free(e.buf);
    e.has = 1;                      // room for the NULL at the end
    end_field(&e);
    e.fields[--e.n] = NULL;
    *n = e.n;
    return e.fields;
}

char *expand_one(const char *raw)
{
    struct expander e = { .split = 0 };

    expand_word(&e, raw);
    free(e.buf);
    if (e.n == 0)
        return "";
    // "$@" may still have made several fields: join them, as in an assignment.
    size_t len = 0;
    for (int i = 0; i < e.n; i++)
        len += strlen(e.fields[i]) + 1;
    char *s = sh_alloc(len), *d = s;
    for (int i = 0; i < e.n; i++) {
        size_t flen = strlen(e.fields[i]);
        memcpy(d, e.fields[i], flen);
        d += flen;
        if (i + 1 < e.n)
            *d++ = ' ';
    }
    *d = '\0';
    return s;
}

int is_assignment(const char *raw)
{
    size_t len = strcspn(raw, "=");
    return raw[len] == '=' && valid_name(raw, len);
}
