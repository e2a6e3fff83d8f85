// sh.h: what the parts of /bin/sh share.
//
// The shell reads a line, cuts it into tokens (sh_lex.c), builds a small tree from them
// (sh_parse.c), and runs it (sh_exec.c). Words stay raw - quotes and $NAME still in them -
// until the moment their command runs (sh_expand.c), because `X=1; echo $X` must see the
// X the first command set. Builtins are in sh_builtin.c, redirections in sh_redir.c, the
// shell's variables and the environment they make in sh_var.c.
#pragma once
#include <stddef.h>
#include <sys/types.h>

// ---- tokens (sh_lex.c)
enum tok {
    T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR, T_END,
};

enum redir_op {
    R_IN,      // <   open for reading
    R_OUT,     // >   create or truncate
    R_APPEND,  // >>  create, append
    R_DUP,     // N>&M or N<&M: fd N becomes a copy of M ("-" closes N)
};

struct token {
    enum tok type;
    char *text;            // T_WORD: the raw word, quotes included
    enum redir_op op;      // T_REDIR: which kind,
    int fd;                // and the fd it changes
};

// Cuts line into tokens (at most max). Returns how many, or a negative LEX_* value.
#define LEX_MORE  (-1)     // an open quote or a trailing \: needs the next line
#define LEX_ERROR (-2)     // already reported
#define LEX_MORE_OP (-3)   // a trailing | && or ||: needs the next line too
int lex(const char *line, struct token *toks, int max);

// ---- the tree (sh_parse.c)
struct redir {
    enum redir_op op;
    int fd;
    char *word;            // the file, or for R_DUP the fd to copy (or "-")
    struct redir *next;
};

struct cmd {               // a simple command: words and redirections
    char **words;          // raw words, NULL-terminated, assignments (X=1) first
    int nwords;
    struct redir *redirs;
};

struct pipeline {
    struct cmd **cmds;
    int ncmds;
};

// An and-or list: p[0] op[0] p[1] op[1] ... where op is T_AND or T_OR; the whole list
// runs in the background when it ended with '&'.
struct andor {
    struct pipeline **p;
    enum tok *op;
    int n;
    int background;
    struct andor *next;    // the next list on the line
};

// Parses one whole line. Returns the lists (NULL for an empty line) and sets *err on a
// syntax error (already reported).
struct andor *parse(struct token *toks, int ntoks, int *err);

// ---- running (sh_exec.c)
void run_lists(struct andor *a);
int run_pipeline(struct pipeline *p);
int status_of(int wstatus);        // 128+sig or the exit code
int find_and_exec(char **argv);    // the exec builtin, and children: returns only on error
__attribute__((noreturn)) void exec_failed(const char *name, int err);   // exits 127 or 126
int apply_redirs(struct redir *r, int save_fds[10]);
void restore_fds(int save_fds[10]);

// ---- jobs (sh_jobs.c): the pipelines the shell started, by number (%1 is index 0)
int job_new(char *text);           // a new job (text malloc'd, the job's now), -1 if full
void job_add_process(int i, pid_t pid, pid_t pgid);
pid_t job_last_pid(int i);         // $! for a job started with &
int job_foreground(int i);         // waits till it ends or stops: its status
void job_background(int i);        // says "[1] 1234" when interactive
void job_remove(int i);
void jobs_forget(void);            // in a child shell: the jobs are the parent's
int stopped_jobs_keep_shell(void); // exit's check: 1 if the shell must not exit yet
void reap_jobs(int report);        // news of children; report: the changed jobs, at a prompt
char *pipeline_text(struct pipeline *p);   // "a | b", as jobs shows it (malloc'd)
char *andor_text(struct andor *a);
int b_jobs(int argc, char **argv);
int b_fg(int argc, char **argv);
int b_bg(int argc, char **argv);
int b_wait(int argc, char **argv);
int b_kill(int argc, char **argv);

// ---- words (sh_expand.c)
// Expands raw words into fields: variables, quotes, field splitting. Returns a
// NULL-terminated array (sh_alloc'd); *n is its length.
char **expand_words(char **raw, int nraw, int *n);
char *expand_one(const char *raw);     // no field splitting: for X=... and redirections
const char *skip_subst(const char *s); // s is at "$(": past its ')', or NULL if open
int is_assignment(const char *raw);    // NAME=... with a valid, unquoted NAME

// ---- variables (sh_var.c)
const char *var_get(const char *name);
void var_set(const char *name, const char *value, int export);
void var_export(const char *name);
void var_unset(const char *name);
void var_assign(const char *word, int export);   // "NAME=value", expanded already
char **var_environ(void);                        // exported ones, for execve
void var_init(char **envp);
int valid_name(const char *s, size_t len);

// ---- builtins (sh_builtin.c)
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn find_builtin(const char *name);

// ---- the shell (sh.c)
struct shell {
    const char *arg0;      // for messages: "sh: 1: ..."
    int lineno;
    int status;            // $?
    int subst_status;      // the last $(cmd)'s status, -1 if none: `X=$(false)` fails
    pid_t last_bg;         // $!
    int interactive;
    int jobctl;            // job control: own process groups and the terminal
    pid_t pid;             // $$: the shell's, even in a subshell
    pid_t pgid;            // the shell's process group
    int argc;              // positional parameters $1..: argv[0] is $0
    char **argv;
    int exiting;           // the exit builtin ran
};
extern struct shell sh;

void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *sh_alloc(size_t n);          // freed by sh_free_all, after each line
char *sh_strdup(const char *s);
void sh_free_all(void);
int run_string(const char *text);  // runs lines from memory (sh -c, scripts)
int run_file(int fd);              // runs lines read from fd
void child_signals(void);          // default signal handling, for a new child
void shell_signals(void);          // the shell's own (interactive: Ctrl-C gives a prompt)
__attribute__((noreturn)) void sh_exit(int status);
