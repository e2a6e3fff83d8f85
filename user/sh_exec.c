// sh_exec.c: running commands - pipelines, and-or lists, background jobs, redirections.
//
// Every pipeline the shell forks is a job (sh_jobs.c). With job control each gets a process
// group of its own (its first process leads it) and, in the foreground, the terminal: then
// Ctrl-C and Ctrl-Z reach that group alone, not the shell. Both the parent and the child
// call setpgid and tcsetpgrp, because either may run first; whichever does it second does
// nothing new. When the job ends or stops the shell takes the terminal back.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

#define DEFAULT_PATH "/bin:/sbin:/usr/bin"

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
    jobs_forget();
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

// Forks the i-th process of a pipeline: its stdin is in_fd, its stdout the pipe out[1].
// pgid: its process group, 0 for a new one it leads; fg: the terminal is the group's.
static pid_t start_process(struct cmd *c, struct prepared *pre, pid_t pgid, int fg,
                           int in_fd, int out[2])
{
    pid_t pid = fork();

    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (sh.jobctl) {
            setpgid(0, pgid);
            if (fg)
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

// Forks every process of pipeline p, as a new job; the job's number, or -1.
static int fork_pipeline(struct pipeline *p, struct prepared *pre, int fg)
{
    int job = job_new(pipeline_text(p)), in_fd = 0;
    pid_t lead = 0;

    if (job < 0)
        return -1;
    for (int i = 0; i < p->ncmds; i++) {
        int fds[2], last = i == p->ncmds - 1;
        if (!last && pipe(fds) < 0) {
            sh_error("pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = start_process(p->cmds[i], pre, lead, fg, in_fd, last ? NULL : fds);
        if (in_fd != 0)
            close(in_fd);
        if (!last) {
            close(fds[1]);
            in_fd = fds[0];
        }
        if (pid < 0)
            break;
        if (lead == 0)
            lead = pid;
        job_add_process(job, pid, sh.jobctl ? lead : sh.pgid);
    }
    if (lead == 0) {
        job_remove(job);
        return -1;
    }
    return job;
}

static int run_forked(struct pipeline *p, struct prepared *pre)
{
    int job = fork_pipeline(p, pre, 1);

    return job < 0 ? 1 : job_foreground(job);    // the last process's status is the pipeline's
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

// `list &`: the shell goes on at once. A pipeline is forked as usual, into a process group
// of its own; a longer list is run by a child shell in a group of its own.
static void start_background(struct andor *a)
{
    int job;

    if (a->n == 1) {
        job = fork_pipeline(a->p[0], NULL, 0);
    } else if ((job = job_new(andor_text(a))) >= 0) {
        pid_t pid = fork();
        if (pid == 0) {
            if (sh.jobctl)
                setpgid(0, 0);
            child_signals();
            sh.interactive = sh.jobctl = 0;
            jobs_forget();
            exit(run_andor(a));
        }
        if (pid < 0) {
            sh_error("fork: %s", strerror(errno));
            job_remove(job);
            job = -1;
        } else {
            if (sh.jobctl)
                setpgid(pid, pid);
            job_add_process(job, pid, sh.jobctl ? pid : sh.pgid);
        }
    }
    if (job < 0) {
        sh.status = 2;
        return;
    }
    sh.last_bg = job_last_pid(job);    // $!: the pipeline's last process
    job_background(job);
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
