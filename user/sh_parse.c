// sh_parse.c: from tokens to the tree of lists, pipelines and commands.
//
//     line     := andor (( ';' | '&' ) andor)* [ ';' | '&' ]
//     andor    := pipeline (( '&&' | '||' ) pipeline)*
//     pipeline := command ( '|' command )*
//     command  := ( WORD | REDIR WORD )+
//
// A recursive-descent parser, one function per rule. Everything is sh_alloc'd: the tree
// lives until the line has run.
#include <string.h>
#include "sh.h"

struct parser {
    struct token *t;      // the next token
    int err;
};

static const char *tok_name(struct token *t)
{
    switch (t->type) {
    case T_PIPE: return "|";
    case T_AND:  return "&&";
    case T_OR:   return "||";
    case T_SEMI: return ";";
    case T_AMP:  return "&";
    case T_REDIR: return t->op == R_IN ? "<" : t->op == R_APPEND ? ">>" : ">";
    case T_END:  return "end of file";
    default:     return t->text;
    }
}

static void unexpected(struct parser *ps)
{
    if (!ps->err)
        sh_error("Syntax error: \"%s\" unexpected", tok_name(ps->t));
    ps->err = 1;
}

// A growing array of pointers: the parser does not know in advance how many there are.
static void **push(void **v, int n, void *item)
{
    void **nv = sh_alloc((n + 1) * sizeof(void *));
    if (n > 0)
        memcpy(nv, v, n * sizeof(void *));
    nv[n] = item;
    return nv;
}

static struct cmd *parse_command(struct parser *ps)
{
    struct cmd *c = sh_alloc(sizeof *c);
    struct redir **tail = &c->redirs;

    memset(c, 0, sizeof *c);
    for (;; ps->t++) {
        if (ps->t->type == T_WORD) {
            c->words = (char **)push((void **)c->words, c->nwords++, ps->t->text);
        } else if (ps->t->type == T_REDIR) {
            struct redir *r = sh_alloc(sizeof *r);
            *r = (struct redir){ .op = ps->t->op, .fd = ps->t->fd };
            ps->t++;
            if (ps->t->type != T_WORD) {
                unexpected(ps);
                return NULL;
            }
            r->word = ps->t->text;
            *tail = r;
            tail = &r->next;
        } else {
            break;
        }
    }
    if (c->nwords == 0 && c->redirs == NULL) {
        unexpected(ps);
        return NULL;
    }
    c->words = (char **)push((void **)c->words, c->nwords, NULL);
    return c;
}

static struct pipeline *parse_pipeline(struct parser *ps)
{
    struct pipeline *p = sh_alloc(sizeof *p);

    p->cmds = NULL;
    p->ncmds = 0;
    for (;;) {
        struct cmd *c = parse_command(ps);
        if (c == NULL)
            return NULL;
        p->cmds = (struct cmd **)push((void **)p->cmds, p->ncmds++, c);
        if (ps->t->type != T_PIPE)
            return p;
        ps->t++;
    }
}

static struct andor *parse_andor(struct parser *ps)
{
    struct andor *a = sh_alloc(sizeof *a);

    memset(a, 0, sizeof *a);
    for (;;) {
        struct pipeline *p = parse_pipeline(ps);
        if (p == NULL)
            return NULL;
        a->p = (struct pipeline **)push((void **)a->p, a->n, p);
        enum tok op = ps->t->type;
        if (op != T_AND && op != T_OR)
            return a->n++, a;
        // The operators sit in an array of their own, op[i] between p[i] and p[i+1].
        enum tok *ops = sh_alloc((a->n + 1) * sizeof *ops);
        if (a->n > 0)
            memcpy(ops, a->op, a->n * sizeof *ops);
        ops[a->n++] = op;
        a->op = ops;
        ps->t++;
    }
}

struct andor *parse(struct token *toks, int ntoks, int *err)
{
    struct parser ps = { .t = toks, .err = 0 };
    struct andor *first = NULL, **tail = &first;

    (void)ntoks;              // toks[ntoks] is T_END: the parser stops there
    while (ps.t->type != T_END) {
        struct andor *a = parse_andor(&ps);
        if (a == NULL)
            break;
        if (ps.t->type == T_AMP)
            a->background = 1;
        if (ps.t->type == T_AMP || ps.t->type == T_SEMI)
            ps.t++;
        else if (ps.t->type != T_END)
            unexpected(&ps);
        *tail = a;
        tail = &a->next;
        if (ps.err)
            break;
    }
    *err = ps.err;
    return ps.err ? NULL : first;
}
