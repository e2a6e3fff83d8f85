// sh.c: /bin/sh, a small POSIX-flavoured shell. Reading lines, and the shell's state.
//
//     sh                  commands from stdin: interactive (prompts, job reports) when
//                         stdin and stderr are terminals, or with -i
//     sh FILE [ARGS]      commands from FILE; $0 is FILE, $1... are ARGS
//     sh -c CMD [ARG0 [ARGS]]
//
// Lines are read with plain read(): on a terminal, the kernel's canonical mode does the
// line editing (backspace, Ctrl-U) and read returns one line at a time. Messages follow
// dash: "sh: 3: nosuch: not found" names the shell (or script) and the line.
// See sh.h for how the other files divide the work.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sh.h"

#define MAXTOKENS 1024

struct shell sh;

// ---- memory: everything a line needs is freed together when it has run

struct block {
    struct block *next;
    char data[] __attribute__((aligned(16)));
};
static struct block *blocks;

void *sh_alloc(size_t n)
{
    struct block *b = malloc(sizeof *b + n);

    if (b == NULL) {
        sh_error("out of memory");
        exit(2);
    }
    b->next = blocks;
    blocks = b;
    return b->data;
}

char *sh_strdup(const char *s)
{
    return strcpy(sh_alloc(strlen(s) + 1), s);
}

void sh_free_all(void)
{
    while (blocks != NULL) {
        struct block *b = blocks;
        blocks = b->next;
        free(b);
    }
}

// ---- messages and signals

void sh_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    int n = snprintf(msg, sizeof msg, "%s: %d: ", sh.arg0, sh.lineno);

    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - n - 1, fmt, ap);
    va_end(ap);
    strcat(msg, "\n");
    write(2, msg, strlen(msg));     // one write, so messages do not interleave
}

void sh_exit(int status)
{
    exit(status);
}

static volatile int interrupted;     // Ctrl-C came (sig_atomic_t is an int)

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void set_signal(int sig, void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;       // no SA_RESTART: Ctrl-C must interrupt read()
    sigaction(sig, &sa, NULL);
}

// An interactive shell survives Ctrl-C (it just gives a new prompt) and Ctrl-\, and with
// job control ignores the signals that would stop it for touching the terminal.
void shell_signals(void)
{
    if (!sh.interactive)
        return;
    set_signal(SIGINT, on_sigint);
    set_signal(SIGQUIT, SIG_IGN);
    if (sh.jobctl) {
        set_signal(SIGTSTP, SIG_IGN);
        set_signal(SIGTTIN, SIG_IGN);
        set_signal(SIGTTOU, SIG_IGN);
    }
}

// What a new child should have: the defaults the shell changed. (A handler is reset by
// execve anyway; an ignored signal is not, so this matters.)
void child_signals(void)
{
    if (!sh.interactive)
        return;
    int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        set_signal(sigs[i], SIG_DFL);
}

// ---- reading lines

struct input {
    int fd;                // -1: read from str
    const char *str;
    char buf[4096];
    size_t pos, len;
};

#define INTERRUPTED ((char *)-1)
#define END_OF_INPUT (-100)

// The next line, newline included (sh_alloc'd), NULL at the end, or INTERRUPTED when
// Ctrl-C came while waiting for it.
static char *next_line(struct input *in)
{
    char *line = NULL;
    size_t n = 0;

    for (;;) {
        if (in->pos == in->len && in->fd >= 0) {
            ssize_t got = read(in->fd, in->buf, sizeof in->buf);
            if (got < 0 && errno == EINTR && interrupted)
                return INTERRUPTED;
            if (got < 0 && errno == EINTR)
                continue;
            in->pos = 0;
            in->len = got > 0 ? got : 0;
        }
        const char *src = in->fd >= 0 ? in->buf + in->pos : in->str;
        size_t avail = in->fd >= 0 ? in->len - in->pos : strlen(in->str);
        if (avail == 0)
            return line;            // the end: what there is, or NULL
        const char *nl = memchr(src, '\n', avail);
        size_t take = nl ? (size_t)(nl - src) + 1 : avail;
        char *l = sh_alloc(n + take + 1);
        if (n > 0)
            memcpy(l, line, n);
        memcpy(l + n, src, take);
        line = l;
        n += take;
        line[n] = '\0';
        if (in->fd >= 0)
            in->pos += take;
        else
            in->str += take;
        if (nl != NULL)
            return line;
    }
}

static void prompt(const char *ps)
{
    if (sh.interactive)
        write(2, ps, strlen(ps));
}

// Reads a whole command: more lines while a quote is open or the line ends in | && || or
// a backslash. Returns the number of tokens, LEX_ERROR, or END_OF_INPUT.
static int read_command(struct input *in, struct token *toks)
{
    char *text = next_line(in);

    if (text == INTERRUPTED) {
        write(2, "\n", 1);
        sh.status = 128 + SIGINT;
        return LEX_ERROR;
    }
    if (text == NULL)
        return END_OF_INPUT;
    sh.lineno++;
    for (;;) {
        int n = lex(text, toks, MAXTOKENS);
        if (n != LEX_MORE && n != LEX_MORE_OP)
            return n;
        prompt("> ");
        char *more = next_line(in);
        if (more == NULL || more == INTERRUPTED) {
            if (more == NULL)
                sh_error("Syntax error: %s", n == LEX_MORE ? "Unterminated quoted string"
                                                           : "end of file unexpected");
            return LEX_ERROR;
        }
        sh.lineno++;
        char *t = sh_alloc(strlen(text) + strlen(more) + 1);
        strcpy(t, text);
        text = strcat(t, more);
    }
}

static int run_input(struct input *in)
{
    static struct token toks[MAXTOKENS];

    for (;;) {
        if (sh.interactive) {
            reap_jobs(1);
            const char *ps1 = var_get("PS1");
            prompt(ps1 ? ps1 : geteuid() == 0 ? "# " : "$ ");
        }
        interrupted = 0;
        int n = read_command(in, toks), err = 0;
        if (n == END_OF_INPUT)
            break;
        if (n >= 0) {
            struct andor *a = parse(toks, n, &err);
            if (!err)
                run_lists(a);
        }
        sh_free_all();
        if ((n == LEX_ERROR && !interrupted) || err) {
            sh.status = 2;
            if (!sh.interactive)
                break;              // as dash: a syntax error ends a script
        }
    }
    return sh.status;
}

int run_string(const char *text)
{
    struct input *in = calloc(1, sizeof *in);

    in->fd = -1;
    in->str = text;
    return run_input(in);
}

int run_file(int fd)
{
    struct input *in = calloc(1, sizeof *in);

    // A script moves out of the way of redirections like 3>f, and of the programs it
    // starts; stdin stays where it is, for them to read too.
    in->fd = fd;
    if (fd != 0) {
        in->fd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
        close(fd);
    }
    return run_input(in);
}

// With job control the shell leads its own process group and owns the terminal; the
// foreground jobs get it in turn (sh_exec.c).
static void init_jobctl(void)
{
    sh.jobctl = sh.interactive && isatty(0);
    if (!sh.jobctl)
        return;
    if (sh.pgid != sh.pid && setpgid(0, 0) == 0)
        sh.pgid = sh.pid;
    tcsetpgrp(0, sh.pgid);
}

int main(int argc, char **argv)
{
    int i = 1, force_i = 0;
    const char *cmd = NULL;

    sh.pid = getpid();
    sh.pgid = getpgrp();
    sh.arg0 = argv[0] ? argv[0] : "sh";
    var_init(environ);
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            cmd = argv[++i];
        else if (strcmp(argv[i], "-i") == 0)
            force_i = 1;
        else if (strcmp(argv[i], "--") == 0 && ++i)
            break;
        else {
            sh_error("Illegal option %s", argv[i]);
            return 2;
        }
    }
    // $0 and the positional parameters: sh -c CMD NAME ARGS, sh FILE ARGS, or just sh.
    sh.argc = i < argc ? argc - i : 1;
    sh.argv = i < argc ? argv + i : argv;
    if (cmd != NULL) {
        if (i < argc)
            sh.arg0 = argv[i];
        return run_string(cmd);
    }
    if (i < argc) {                             // sh FILE ARGS
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            sh_error("cannot open %s: %s", argv[i], strerror(errno));
            return 2;
        }
        sh.arg0 = argv[i];
        return run_file(fd);
    }
    sh.interactive = force_i || (isatty(0) && isatty(2));
    init_jobctl();
    shell_signals();
    return run_file(0);
}
