// sh_lex.c: cutting a command line into tokens.
//
// A word keeps its raw text, quotes and backslashes included: only sh_expand.c, when the
// command runs, takes them away. The lexer just has to know where a word ends, which means
// following the quotes: `echo "a;b"` is two words, not a word, a ';' and another word.
#include <string.h>
#include "sh.h"

static int is_op_char(char c)
{
    return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

// The end of the word that starts at s, or NULL if a quote or a backslash is left open.
static const char *word_end(const char *s)
{
    while (*s && !is_blank(*s) && *s != '\n' && !is_op_char(*s)) {
        if (*s == '\\') {
            if (s[1] == '\0' || (s[1] == '\n' && s[2] == '\0'))
                return NULL;    // the word goes on on the next line
            s += 2;
        } else if (*s == '$' && s[1] == '(') {
            if ((s = skip_subst(s)) == NULL)
                return NULL;
        } else if (*s == '\'') {
            const char *q = strchr(s + 1, '\'');
            if (q == NULL)
                return NULL;
            s = q + 1;
        } else if (*s == '"') {
            for (s++; *s != '"'; s++) {
                if (*s == '\0')
                    return NULL;
                if (*s == '\\' && s[1] != '\0')
                    s++;
            }
            s++;
        } else {
            s++;
        }
    }
    return s;
}

// Copies s[0..n) without the backslash-newline pairs (line continuations).
static char *copy_word(const char *s, size_t n)
{
    char *w = sh_alloc(n + 1), *d = w;
    int in_single = 0, in_double = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' && !in_double)
            in_single = !in_single;
        else if (s[i] == '"' && !in_single)
            in_double = !in_double;
        else if (s[i] == '\\' && !in_single) {
            if (s[++i] == '\n')
                continue;        // a continuation: drop both
            *d++ = '\\';        // an escape: keep it, and the next byte, whatever it is
        }
        *d++ = s[i];
    }
    *d = '\0';
    return w;
}

// An operator at s: fills t and returns its length; 0 for ( and ), which this shell does
// not know, and -1 after reporting one it refuses (<<).
static int lex_op(const char *s, struct token *t)
{
    int fd = -1, len = 0;

    if (*s >= '0' && *s <= '9') {     // "2>": an fd number glued to < or >
        fd = *s - '0';
        s++;
        len = 1;
    }
    t->type = T_REDIR;
    if (s[0] == '<' && s[1] == '<') {
        sh_error("Syntax error: here-documents (<<) are not supported");
        return -1;
    }
    if (s[0] == '<') {
        t->fd = fd < 0 ? 0 : fd;
        t->op = s[1] == '&' ? R_DUP : R_IN;
        return len + (s[1] == '&' ? 2 : 1);
    }
    if (s[0] == '>') {
        t->fd = fd < 0 ? 1 : fd;
        t->op = s[1] == '>' ? R_APPEND : s[1] == '&' ? R_DUP : R_OUT;
        return len + (s[1] == '>' || s[1] == '&' || s[1] == '|' ? 2 : 1);
    }
    if (s[0] == '&' && s[1] == '&')
        return t->type = T_AND, 2;
    if (s[0] == '|' && s[1] == '|')
        return t->type = T_OR, 2;
    if (s[0] == '|')
        return t->type = T_PIPE, 1;
    if (s[0] == '&')
        return t->type = T_AMP, 1;
    if (s[0] == ';')
        return t->type = T_SEMI, 1;
    return 0;
}

// A newline ends a command, as ';' does - except right after |, && or ||, or where there
// is no command to end.
static int newline_ends_command(struct token *toks, int n)
{
    return n > 0 && (toks[n - 1].type == T_WORD);
}

int lex(const char *line, struct token *toks, int max)
{
    const char *s = line;
    int n = 0;

    for (;;) {
        while (is_blank(*s) || (*s == '\\' && s[1] == '\n')) {
            if (*s == '\\' && s[2] == '\0')
                return LEX_MORE;               // the line ended in a backslash
            s += *s == '\\' ? 2 : 1;
        }
        if (*s == '\0')
            break;
        if (n >= max - 1) {
            sh_error("line too long");
            return LEX_ERROR;
        }
        struct token *t = &toks[n];
        if (*s == '#') {                       // a comment, to the end of the line
            s += strcspn(s, "\n");
            continue;
        }
        if (*s == '\n') {
            if (newline_ends_command(toks, n))
                toks[n++] = (struct token){ .type = T_SEMI };
            s++;
            continue;
        }
        int len = (is_op_char(*s) || (*s >= '0' && *s <= '9' && (s[1] == '<' || s[1] == '>')))
                  ? lex_op(s, t) : 0;
        if (len < 0)
            return LEX_ERROR;
        if (len > 0) {
            n++;
            s += len;
            continue;
        }
        if (*s == '(' || *s == ')') {
            sh_error("Syntax error: \"%c\" unexpected", *s);
            return LEX_ERROR;
        }
        const char *e = word_end(s);
        if (e == NULL)
            return LEX_MORE;
        *t = (struct token){ .type = T_WORD, .text = copy_word(s, e - s) };
        n++;
        s = e;
    }
    if (n > 0 && (toks[n - 1].type == T_PIPE || toks[n - 1].type == T_AND ||
                  toks[n - 1].type == T_OR))
        return LEX_MORE_OP;
    toks[n] = (struct token){ .type = T_END };
    return n;
}
