// sh_exec.c: running commands - pipelines, and-or lists, background jobs, redirections.
//
// Job control, the minimum: every foreground pipeline gets a process group of its own
// (its first process leads it) and, when the shell reads from a terminal, the terminal:
// then Ctrl-C sends SIGINT to that group alone, not to the shell. Both the parent and the
// child call setpgid and tcsetpgrp, because either may run first; whichever does it
// second does nothing new. When the pipeline is done the shell takes the terminal back.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

#define MAXJOBS 64
#define DEFAULT_PATH "/bin:/sbin:/usr/bin"

static pid_t jobs[MAXJOBS];     // background jobs not yet waited for
static int njobs;

int status_of(int ws)
{
    return WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
}

// ---- finding and starting programs

void exec_failed(const char *name, int err)
{
    if (err == ENOENT || err == ENOTDIR) {
        sh_error("%s: not found", name);
        exit(127);
    }
    sh_error("%s: %s", name, err == EACCES ? "Permission denied" : strerror(err));
    exit(126);
}

// A file execve will not run (no ELF header, no #! the kernel knows) is a shell script,
// as POSIX says: this process becomes a new shell reading it.
static void run_as_script(const char *path, char **argv)
{
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return;
    int n = 0;
    while (argv[n] != NULL)
        n++;
    // Copies that outlive the line: sh_free_all runs after every line of the script.
    sh.argv = malloc((n + 1) * sizeof(char *));
    for (int i = 0; i <= n; i++)
        sh.argv[i] = argv[i] ? strdup(argv[i]) : NULL;
    sh.argc = n;
    sh.arg0 = strdup(path);
    sh.lineno = 0;
    sh.interactive = sh.jobctl = 0;
    njobs = 0;
    exit(run_file(fd));
}

static int try_exec(const char *path, char **argv, char **env)
{
    execve(path, argv, env);
    int err = errno;
    if (err == ENOEXEC)
        run_as_script(path, argv);
    return err;
}

// Searches $PATH (unless the name has a '/') and execs. Returns the error if it can't.
int find_and_exec(char **argv)
{
    char **env = var_environ();
    const char *dirs = var_get("PATH");
    int err = ENOENT;
    char path[4096];

    if (strchr(argv[0], '/') != NULL)
        return try_exec(argv[0], argv, env);
    if (dirs == NULL)
        dirs = DEFAULT_PATH;
    for (const char *d = dirs;; d++) {
        size_t len = strcspn(d, ":");
        if (snprintf(path, sizeof path, "%.*s%s%s", (int)len, d, len ? "/" : "", argv[0]) <
            (int)sizeof path) {
            int e = try_exec(path, argv, env);
            if (e != ENOENT && e != ENOTDIR && err != EACCES)
                err = e;                    // EACCES and the like beat "not found"
        }
        d += len;
        if (*d == '\0')
            break;
    }
    return err;
}

// ---- simple commands

// Splits a command's words into the leading assignments (X=1) and the expanded rest.
static char **prepare(struct cmd *c, int *nassign, int *argc)
{
    int k = 0;

    while (k < c->nwords && is_assignment(c->words[k]))
        k++;
    *nassign = k;
    return expand_words(c->words + k, c->nwords - k, argc);
}

static void assign_all(struct cmd *c, int n, int export)
{
    for (int i = 0; i < n; i++)
        var_assign(expand_one(c->words[i]), export);
}

// The words of a command, expanded once: $(cmd) in them must run once, not again in the
// child that runs the command.
struct prepared {
    char **argv;
    int argc, nassign;
};

// In a child process: runs command c and never returns. pre: its words, if the shell
// expanded them already.
static __attribute__((noreturn)) void command_in_child(struct cmd *c, struct prepared *pre)
{
    int nassign, argc;
    char **argv = pre ? pre->argv : prepare(c, &nassign, &argc);

    if (pre != NULL)
        nassign = pre->nassign, argc = pre->argc;
    assign_all(c, nassign, 1);      // X=1 cmd: X is in cmd's environment only
    if (apply_redirs(c->redirs, NULL) < 0)
        exit(2);
    if (argc == 0)
        exit(0);
    builtin_fn b = find_builtin(argv[0]);
    if (b != NULL)
        exit(b(argc, argv));
    exec_failed(argv[0], find_and_exec(argv));
}

// A builtin, or a command of only assignments and redirections, runs in the shell itself.
static int command_in_shell(struct cmd *c, char **argv, int argc, int nassign)
{
    int save[10];

    for (int i = 0; i < 10; i++)
        save[i] = -1;
    assign_all(c, nassign, 0);
    if (apply_redirs(c->redirs, save) < 0) {
        restore_fds(save);
        return 2;
    }
    int status = argc > 0 ? find_builtin(argv[0])(argc, argv) :
                 sh.subst_status >= 0 ? sh.subst_status : 0;
    if (argc == 1 && strcmp(argv[0], "exec") == 0) {
        for (int i = 0; i < 10; i++)     // `exec >file`: the redirections stay
            if (save[i] >= 0)
                close(save[i]);
        return status;
    }
    restore_fds(save);
    return status;
}

// ---- pipelines

static int wait_for(pid_t pid, int *sigint)
{
    int ws;

    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            return 127;
    if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGINT)
        *sigint = 1;
    return status_of(ws);
}

// Forks the i-th process of a pipeline: its stdin is in_fd, its stdout the pipe out[1].
static pid_t start_process(struct cmd *c, struct prepared *pre, pid_t pgid, int in_fd,
                           int out[2])
{
    pid_t pid = fork();

    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (sh.jobctl) {
            setpgid(0, pgid);
            tcsetpgrp(0, pgid ? pgid : getpid());
        }
        child_signals();
        if (in_fd != 0) {
            dup2(in_fd, 0);
            close(in_fd);
        }
        if (out != NULL) {
            dup2(out[1], 1);
            close(out[1]);
            close(out[0]);
        }
        sh.interactive = sh.jobctl = 0;
        command_in_child(c, pre);
    }
    if (sh.jobctl)
        setpgid(pid, pgid ? pgid : pid);
    return pid;
}

static int run_forked(struct pipeline *p, struct prepared *pre)
{
    pid_t pids[p->ncmds], pgid = 0;
    int in_fd = 0, n = 0;

    for (int i = 0; i < p->ncmds; i++) {
        int fds[2], last = i == p->ncmds - 1;
        if (!last && pipe(fds) < 0) {
            sh_error("pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = start_process(p->cmds[i], pre, pgid, in_fd, last ? NULL : fds);
        if (in_fd != 0)
            close(in_fd);
        if (!last) {
            close(fds[1]);
            in_fd = fds[0];
        }
        if (pid < 0)
            break;
        pids[n++] = pid;
        if (pgid == 0)
            pgid = pid;
    }
    if (sh.jobctl && pgid)
        tcsetpgrp(0, pgid);
    int status = 1, sigint = 0;
    for (int i = 0; i < n; i++)
        status = wait_for(pids[i], &sigint);    // the last one's status is the pipeline's
    if (sh.jobctl)
        tcsetpgrp(0, sh.pgid);
    if (sigint && sh.interactive)
        write(2, "\n", 1);     // as dash: the terminal echoed ^C, the prompt needs a new line
    return status;
}

int run_pipeline(struct pipeline *p)
{
    if (p->ncmds == 1) {
        struct cmd *c = p->cmds[0];
        struct prepared pre;
        sh.subst_status = -1;
        pre.argv = prepare(c, &pre.nassign, &pre.argc);
        if (pre.argc == 0 || find_builtin(pre.argv[0]) != NULL)
            return command_in_shell(c, pre.argv, pre.argc, pre.nassign);
        return run_forked(p, &pre);
    }
    return run_forked(p, NULL);
}

// ---- lists

static int run_andor(struct andor *a)
{
    sh.status = run_pipeline(a->p[0]);
    for (int i = 1; i < a->n; i++) {
        // a && b runs b only if a succeeded; a || b only if it failed.
        if ((a->op[i - 1] == T_AND) == (sh.status == 0))
            sh.status = run_pipeline(a->p[i]);
    }
    return sh.status;
}

// `list &`: a child runs the whole and-or list, in a process group of its own, and the
// shell goes on at once.
static void start_background(struct andor *a)
{
    pid_t pid = fork();

    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        if (sh.jobctl)
            setpgid(0, 0);
        child_signals();
        sh.interactive = sh.jobctl = 0;
        njobs = 0;
        if (a->n == 1 && a->p[0]->ncmds == 1)
            command_in_child(a->p[0]->cmds[0], NULL);     // exec in place: $! is the program
        exit(run_andor(a));
    }
    if (sh.jobctl)
        setpgid(pid, pid);
    if (sh.interactive)
        dprintf(2, "[%d]\n", pid);
    if (njobs < MAXJOBS)
        jobs[njobs++] = pid;
    sh.last_bg = pid;
    sh.status = 0;
}

void run_lists(struct andor *a)
{
    for (; a != NULL; a = a->next) {
        if (a->background)
            start_background(a);
        else
            run_andor(a);
    }
}

// ---- background jobs

static int forget_job(pid_t pid)
{
    for (int i = 0; i < njobs; i++) {
        if (jobs[i] == pid) {
            jobs[i] = jobs[--njobs];
            return 1;
        }
    }
    return 0;
}

// Collects every child that has ended: background jobs, and as PID 1 the orphans the
// kernel gave us too. With report, says which jobs ended.
void reap_jobs(int report)
{
    pid_t pid;
    int ws;

    while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
        if (!forget_job(pid) || !report)
            continue;
        if (WIFSIGNALED(ws))
            dprintf(2, "[%d] Killed by signal %d\n", pid, WTERMSIG(ws));
        else if (WEXITSTATUS(ws) != 0)
            dprintf(2, "[%d] Exited %d\n", pid, WEXITSTATUS(ws));
        else
            dprintf(2, "[%d] Done\n", pid);
    }
}

// Waits for one job: its status, or -1 if Ctrl-C interrupted the wait.
static int wait_one(pid_t pid)
{
    int ws;

    if (waitpid(pid, &ws, 0) < 0)
        return errno == EINTR ? -1 : 127;
    return status_of(ws);
}

// The wait builtin: pid -1 waits for all jobs (status 0), else for that one (127 if it
// is no job of ours). Ctrl-C stops the waiting, with status 130.
int wait_job(pid_t pid)
{
    int status;

    if (pid > 0) {
        if (!forget_job(pid))
            return 127;
        status = wait_one(pid);
        return status < 0 ? 128 + SIGINT : status;
    }
    while (njobs > 0) {
        if (wait_one(jobs[njobs - 1]) < 0)
            return 128 + SIGINT;
        njobs--;
    }
    return 0;
}
