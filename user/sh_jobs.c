// sh_jobs.c: the job table, and the builtins that work on it: jobs, fg, bg, wait, kill.
//
// A job is one pipeline the shell forked (or one `list &`, run by a child shell). With job
// control (an interactive shell on a terminal) each job is a process group of its own, and
// the terminal belongs to the foreground job while it runs: Ctrl-C and Ctrl-Z reach it, not
// the shell. The shell learns what happened to its children from waitpid(-1, ...
// WUNTRACED | WCONTINUED): a child exited, was killed, stopped or continued. A stopped
// foreground job stays in the table and the shell takes the terminal back; `fg` gives it
// back and continues the job, `bg` just continues it.
//
// The messages are bash's, to the byte (checked against bash 5.2 on a pty):
//     [1] 1234                                    a job started with &
//     [1]+  Stopped                 sleep 100     Ctrl-Z, and in `jobs`
//     [2]-  Running                 sleep 200 &   in `jobs`
//     [1]+  Done                    sleep 1       before the prompt, once it ended
//     [1]+ sleep 100 &                            bg
// "+" marks the current job (what fg and bg take by default), "-" the previous one; they
// are chosen as bash chooses them (set_current, reset_current below). Error messages are
// dash's, like the rest of the shell's: "sh: 1: fg: No such job: %3".
//
// Only the shell's one thread touches the table; no signal handler does (the shell polls
// for news before each prompt instead of catching SIGCHLD).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

#define MAXJOBS 64

enum state { RUNNING, STOPPED, DONE };

struct jproc {
    pid_t pid;
    enum state state;
    int ws;                 // its last wait status (STOPPED: why, DONE: how it ended)
};

struct job {                // jobs[i] is %(i+1); used == 0: a free slot
    int used;
    pid_t pgid;             // its process group; without job control, the shell's
    struct jproc *procs;    // every process of the pipeline, in order (malloc'd)
    int nprocs;
    char *text;             // the command as jobs shows it (malloc'd)
    int notified;           // the job's last change of state has been reported
};

static struct job jobs[MAXJOBS];
static int cur = -1, prev = -1;   // the current (+) and previous (-) jobs' indexes
static int fg = -1;               // the job running in the foreground: never + or - then

// The table outlives the line, so its memory is malloc'd, not sh_alloc'd.
static void *grow(void *p, size_t n)
{
    if ((p = realloc(p, n)) == NULL) {
        sh_error("out of memory");
        exit(2);
    }
    return p;
}

// ---- the text of a command, for jobs: the words as typed, one space between them

static void add(char **s, size_t *len, const char *more)
{
    size_t n = strlen(more);

    *s = grow(*s, *len + n + 1);
    memcpy(*s + *len, more, n + 1);
    *len += n;
}

static void add_pipeline(char **s, size_t *len, struct pipeline *p)
{
    static const char *ops[] = { [R_IN] = "<", [R_OUT] = ">", [R_APPEND] = ">>" };
    char buf[16];

    for (int i = 0; i < p->ncmds; i++) {
        if (i > 0)
            add(s, len, " | ");
        for (int w = 0; w < p->cmds[i]->nwords; w++)
            add(s, len, w ? " " : ""), add(s, len, p->cmds[i]->words[w]);
        for (struct redir *r = p->cmds[i]->redirs; r; r = r->next) {   // as bash: "> f", "2>&1"
            int dfl = r->op == R_IN ? 0 : 1;
            if (r->op == R_DUP)
                snprintf(buf, sizeof buf, " %d>&", r->fd);
            else if (r->fd != dfl)
                snprintf(buf, sizeof buf, " %d%s ", r->fd, ops[r->op]);
            else
                snprintf(buf, sizeof buf, " %s ", ops[r->op]);
            add(s, len, buf);
            add(s, len, r->word);
        }
    }
}

char *pipeline_text(struct pipeline *p)
{
    char *s = NULL;
    size_t len = 0;

    add(&s, &len, "");
    add_pipeline(&s, &len, p);
    return s;
}

char *andor_text(struct andor *a)
{
    char *s = NULL;
    size_t len = 0;

    add(&s, &len, "");
    for (int i = 0; i < a->n; i++) {
        if (i > 0)
            add(&s, &len, a->op[i - 1] == T_AND ? " && " : " || ");
        add_pipeline(&s, &len, a->p[i]);
    }
    return s;
}

// ---- states

static enum state job_state(struct job *j)
{
    int stopped = 0;

    for (int i = 0; i < j->nprocs; i++) {
        if (j->procs[i].state == RUNNING)
            return RUNNING;
        stopped |= j->procs[i].state == STOPPED;
    }
    return stopped ? STOPPED : DONE;
}

static int is(int i, enum state s)
{
    return i >= 0 && jobs[i].used && job_state(&jobs[i]) == s;
}

// The newest job below index `below` in state s, or -1.
static int last_in(enum state s, int below)
{
    for (int i = below - 1; i >= 0; i--)
        if (is(i, s) && i != fg)
            return i;
    return -1;
}

// Makes job j current; the old current job becomes previous if it is stopped, else the
// newest stopped or running job older than j does (bash's set_current_job).
static void set_current(int j)
{
    if (cur != j) {
        prev = cur;
        cur = j;
    }
    if (prev != cur && is(prev, STOPPED))
        return;
    int c = is(cur, STOPPED) ? last_in(STOPPED, cur) : -1;
    if (c < 0)
        c = last_in(RUNNING, is(cur, RUNNING) ? cur : MAXJOBS);
    prev = c >= 0 ? c : cur;
}

// After jobs changed: a stopped job is preferred as current, then the newest running one
// (bash's reset_current).
static void reset_current(void)
{
    int c = cur;

    if (!is(cur, STOPPED)) {
        c = is(prev, STOPPED) ? prev : last_in(STOPPED, MAXJOBS);
        if (c < 0)
            c = last_in(RUNNING, MAXJOBS);
    }
    if (c >= 0)
        set_current(c);
    else
        cur = prev = -1;
}

// The status $? gets: the last process's (a pipeline's is its last command's).
static int job_status(struct job *j)
{
    if (j->nprocs == 0)
        return 1;          // not one process could start (fork failed): said so already
    struct jproc *last = &j->procs[j->nprocs - 1];

    if (last->state == STOPPED)
        return 128 + WSTOPSIG(last->ws);
    return status_of(last->ws);
}

// What strsignal says in glibc, which bash prints for a job a signal ended.
static const char *signal_text[32] = {
    "Signal 0", "Hangup", "Interrupt", "Quit", "Illegal instruction",
    "Trace/breakpoint trap", "Aborted", "Bus error", "Floating point exception", "Killed",
    "User defined signal 1", "Segmentation fault", "User defined signal 2", "Broken pipe",
    "Alarm clock", "Terminated", "Stack fault", "Child exited", "Continued",
    "Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
    "Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded",
    "Virtual timer expired", "Profiling timer expired", "Window changed", "I/O possible",
    "Power failure", "Bad system call",
};

// "[1]+  Stopped                 sleep 100": one write, so it does not mix with others.
static void print_job(int i, int fd)
{
    struct job *j = &jobs[i];
    enum state s = job_state(j);
    int ws = j->procs[j->nprocs - 1].ws;
    char what[64];

    if (s == RUNNING || s == STOPPED)
        strcpy(what, s == RUNNING ? "Running" : "Stopped");
    else if (WIFSIGNALED(ws))
        snprintf(what, sizeof what, "%s%s", WTERMSIG(ws) < 32 ? signal_text[WTERMSIG(ws)] :
                 "Real-time signal", WCOREDUMP(ws) ? " (core dumped)" : "");
    else if (WEXITSTATUS(ws) != 0)
        snprintf(what, sizeof what, "Exit %d", WEXITSTATUS(ws));
    else
        strcpy(what, "Done");
    dprintf(fd, "[%d]%c  %-24s%s%s\n", i + 1, i == cur ? '+' : i == prev ? '-' : ' ', what,
            j->text, s == RUNNING ? " &" : "");
    j->notified = 1;
}

// ---- the table

void job_remove(int i)
{
    free(jobs[i].procs);
    free(jobs[i].text);
    memset(&jobs[i], 0, sizeof jobs[i]);
    if (i == cur || i == prev)
        reset_current();
}

// In a child: the jobs are the parent's, not ours to wait for. (The memory goes with exec.)
void jobs_forget(void)
{
    memset(jobs, 0, sizeof jobs);
    cur = prev = -1;
}

// A new job, numbered one more than the highest in use, as bash numbers them; text is
// malloc'd and becomes the job's. NULL if the table is full even of live jobs.
int job_new(char *text)
{
    int i = MAXJOBS;

    while (i > 0 && !jobs[i - 1].used)
        i--;
    for (int k = 0; i == MAXJOBS && k < MAXJOBS; k++)
        if (!jobs[k].used || job_state(&jobs[k]) == DONE)   // full: reuse, oldest first
            i = k;
    if (i == MAXJOBS) {
        sh_error("too many jobs");
        free(text);
        return -1;
    }
    if (jobs[i].used)
        job_remove(i);
    jobs[i].used = 1;
    jobs[i].text = text;
    jobs[i].notified = 1;
    return i;
}

void job_add_process(int i, pid_t pid, pid_t pgid)
{
    struct job *j = &jobs[i];

    j->procs = grow(j->procs, (j->nprocs + 1) * sizeof *j->procs);
    j->procs[j->nprocs++] = (struct jproc){ .pid = pid, .state = RUNNING };
    j->pgid = pgid;
}

pid_t job_last_pid(int i)
{
    return jobs[i].procs[jobs[i].nprocs - 1].pid;
}

// Records what waitpid said about pid.
static void note_status(pid_t pid, int ws)
{
    for (int i = 0; i < MAXJOBS; i++) {
        for (int k = 0; jobs[i].used && k < jobs[i].nprocs; k++) {
            struct jproc *p = &jobs[i].procs[k];
            if (p->pid != pid)
                continue;
            p->state = WIFSTOPPED(ws) ? STOPPED : WIFCONTINUED(ws) ? RUNNING : DONE;
            if (!WIFCONTINUED(ws))
                p->ws = ws;
            jobs[i].notified = 0;
            if (p->state != DONE)
                reset_current();
            return;
        }
    }
    // Not ours: a child the table had no room for, or, as PID 1, an orphan.
}

// Takes one piece of news from the kernel about a child: 1 if there was some, 0 if none
// yet (WNOHANG), -1 if a signal interrupted the wait, -2 if there are no children.
static int collect(int options)
{
    int ws;

    if (sh.jobctl)
        options |= WUNTRACED | WCONTINUED;
    pid_t pid = waitpid(-1, &ws, options);
    if (pid > 0) {
        note_status(pid, ws);
        return 1;
    }
    return pid == 0 ? 0 : errno == EINTR ? -1 : -2;
}

// No children left, yet job i seemed to run: someone else reaped them. Call them gone.
static void lost(int i)
{
    for (int k = 0; k < jobs[i].nprocs; k++)
        if (jobs[i].procs[k].state != DONE)
            jobs[i].procs[k] = (struct jproc){ jobs[i].procs[k].pid, DONE, 127 << 8 };
}

// Waits until job i no longer runs; -1 if a signal (Ctrl-C) interrupted the wait.
static int wait_while_running(int i, int interruptible)
{
    while (job_state(&jobs[i]) == RUNNING) {
        int r = collect(0);
        if (r == -1 && interruptible)
            return -1;
        if (r == -2)
            lost(i);
    }
    return 0;
}

// Runs job i in the foreground until it ends or stops: the terminal is the job's till then.
// Returns its status. A job that ended leaves the table; one that stopped stays, reported.
int job_foreground(int i)
{
    struct job *j = &jobs[i];

    if (sh.jobctl)
        tcsetpgrp(0, j->pgid);
    fg = i;
    wait_while_running(i, 0);
    fg = -1;
    if (sh.jobctl)
        tcsetpgrp(0, sh.pgid);
    int status = job_status(j);
    if (job_state(j) == STOPPED) {
        set_current(i);
        write(2, "\n", 1);       // the terminal echoed ^Z: the report needs a line of its own
        print_job(i, 2);
        return status;
    }
    int sigint = 0;
    for (int k = 0; k < j->nprocs; k++)
        sigint |= WIFSIGNALED(j->procs[k].ws) && WTERMSIG(j->procs[k].ws) == SIGINT;
    if (sigint && sh.interactive)
        write(2, "\n", 1);     // as dash: the terminal echoed ^C, the prompt needs a new line
    job_remove(i);
    return status;
}

// A job started with &: it becomes current, unless a stopped job is; then it becomes
// previous, unless that is a stopped job too (bash's rule: fg and bg first take stopped
// jobs). An interactive shell says "[1] 1234" (the last process's pid, which is $!).
void job_background(int i)
{
    if (!is(cur, STOPPED))
        set_current(i);
    else if (prev == cur || !is(prev, STOPPED))
        prev = i;
    if (sh.interactive)
        dprintf(2, "[%d] %d\n", i + 1, job_last_pid(i));
}

// Takes the jobs that ended and were reported out of the table. (Only after all reports,
// so that each report's + and - are those of the moment, as in bash.)
static void remove_reported(void)
{
    for (int i = 0; i < MAXJOBS; i++)
        if (jobs[i].used && jobs[i].notified && job_state(&jobs[i]) == DONE)
            job_remove(i);
}

// Collects the news about every child, and with report tells of the jobs that ended or
// stopped since it last did; ended jobs leave the table then. (Without report, ended jobs
// stay, so that `wait $!` can still get their status.)
void reap_jobs(int report)
{
    while (collect(WNOHANG) > 0)
        ;
    if (!report)
        return;
    for (int i = 0; i < MAXJOBS; i++) {
        if (!jobs[i].used || jobs[i].notified)
            continue;
        enum state s = job_state(&jobs[i]);
        if (s == RUNNING)
            jobs[i].notified = 1;            // a continue, or one process of many ended
        if (s == STOPPED)
            write(2, "\n", 1);               // bash starts every stop report on a new line
        if (s != RUNNING)
            print_job(i, 2);
    }
    remove_reported();
}

// An interactive shell asked to exit while jobs are stopped refuses, the first time: they
// would be left stopped for good. A second exit straight after does exit (bash's rule).
int stopped_jobs_keep_shell(void)
{
    static int warned_line = -1;
    int stopped = 0;

    if (!sh.interactive)
        return 0;
    reap_jobs(0);
    for (int i = 0; i < MAXJOBS; i++)
        stopped |= is(i, STOPPED);
    if (!stopped || warned_line == sh.lineno - 1)
        return 0;
    warned_line = sh.lineno;
    dprintf(2, "There are stopped jobs.\n");
    return 1;
}

// ---- naming jobs: %1, %% %+ (current), %- (previous), %sle (the one starting "sle");
// for jobs, fg and bg also a bare number, 1 (kill and wait take that for a pid)

// The job spec names (NULL: the current job), or -1 after telling cmd's user why not.
static int find_job(const char *cmd, const char *spec)
{
    int i = -1;

    if (spec == NULL || strcmp(spec, "%%") == 0 || strcmp(spec, "%+") == 0 ||
        strcmp(spec, "%") == 0) {
        if (cur < 0)
            sh_error("%s: No current job", cmd);
        return cur;
    }
    if (strcmp(spec, "%-") == 0)
        i = prev;
    else if ((spec[0] == '%' && spec[1] >= '0' && spec[1] <= '9') ||
             (spec[0] >= '0' && spec[0] <= '9')) {     // fg 1 is fg %1, as in bash
        char *end;
        long n = strtol(spec + (spec[0] == '%'), &end, 10);
        if (*end == '\0' && n >= 1 && n <= MAXJOBS && jobs[n - 1].used)
            i = n - 1;
    } else if (spec[0] == '%') {
        for (int k = 0; k < MAXJOBS; k++) {
            if (!jobs[k].used || strncmp(jobs[k].text, spec + 1, strlen(spec + 1)) != 0)
                continue;
            if (i >= 0) {
                sh_error("%s: %s: ambiguous", cmd, spec);
                return -1;
            }
            i = k;
        }
    }
    if (i < 0)
        sh_error("%s: No such job: %s", cmd, spec);
    return i;
}

// ---- the builtins

// jobs [-p] [%n...]: each job's state, or with -p its first process (which leads its
// group). A script is not told about the jobs that ended, as in bash: it has `wait`.
int b_jobs(int argc, char **argv)
{
    int pgids = argc > 1 && strcmp(argv[1], "-p") == 0, first = 1 + pgids, status = 0;
    char chosen[MAXJOBS];

    if (argc > first && argv[first][0] == '-') {
        sh_error("jobs: Illegal option %s", argv[first]);
        return 2;
    }
    reap_jobs(0);
    for (int i = 0; i < MAXJOBS; i++)
        chosen[i] = jobs[i].used && argc == first &&
                    (sh.interactive || job_state(&jobs[i]) != DONE);
    for (int a = first; a < argc; a++) {
        int i = find_job("jobs", argv[a]);
        if (i < 0)
            status = 2;
        else
            chosen[i] = 1;
    }
    for (int i = 0; i < MAXJOBS; i++) {
        if (chosen[i] && pgids)
            dprintf(1, "%d\n", jobs[i].procs[0].pid);
        else if (chosen[i])
            print_job(i, 1);
    }
    remove_reported();
    return status;
}

// Continues job i where it stopped (its processes all get SIGCONT).
static void continue_job(int i)
{
    for (int k = 0; k < jobs[i].nprocs; k++)
        if (jobs[i].procs[k].state == STOPPED)
            jobs[i].procs[k].state = RUNNING;
    killpg(jobs[i].pgid, SIGCONT);
}

// fg [%n]: the job gets the terminal, continues, and the shell waits for it.
int b_fg(int argc, char **argv)
{
    if (!sh.jobctl) {
        sh_error("fg: no job control");
        return 1;
    }
    reap_jobs(0);                      // what state is it in now?
    int i = find_job("fg", argc > 1 ? argv[1] : NULL);
    if (i < 0)
        return 2;
    if (job_state(&jobs[i]) == DONE) {
        sh_error("fg: job has terminated");
        reap_jobs(1);
        return 1;
    }
    set_current(i);
    tcsetpgrp(0, jobs[i].pgid);        // the terminal first: it may read at once
    // Then its name: whoever sees it may type at the job - a ^C is the job's, not ours.
    // (We write from the background now, as SIGTTOU is ignored: sh.c.)
    dprintf(1, "%s\n", jobs[i].text);
    continue_job(i);
    return job_foreground(i);
}

// bg [%n...]: the jobs continue, in the background.
int b_bg(int argc, char **argv)
{
    if (!sh.jobctl) {
        sh_error("bg: no job control");
        return 1;
    }
    int status = 0;
    reap_jobs(0);
    for (int a = 1; a < argc || a == 1; a++) {
        int i = find_job("bg", argc > 1 ? argv[a] : NULL);
        if (i < 0) {
            status = 2;
            continue;
        }
        if (job_state(&jobs[i]) == DONE) {
            sh_error("bg: job has terminated");
            status = 1;
            continue;
        }
        if (job_state(&jobs[i]) == RUNNING) {
            sh_error("bg: job %d already in background", i + 1);
            continue;
        }
        dprintf(1, "[%d]%c %s &\n", i + 1, i == cur ? '+' : i == prev ? '-' : ' ',
                jobs[i].text);
        continue_job(i);
        reset_current();
    }
    return status;
}

// Waits for one job (after ended, it leaves the table): its status, or that of the
// process pid of it, if pid > 0. Interactive, its ending is reported, as bash does.
static int wait_for_job(int i, pid_t pid)
{
    if (wait_while_running(i, 1) < 0)
        return 128 + SIGINT;
    int status = job_status(&jobs[i]);
    for (int k = 0; k < jobs[i].nprocs; k++)
        if (jobs[i].procs[k].pid == pid && jobs[i].procs[k].state == DONE)
            status = status_of(jobs[i].procs[k].ws);
    if (job_state(&jobs[i]) != DONE)
        return status;
    if (sh.interactive)
        reap_jobs(1);
    else
        job_remove(i);
    return status;
}

// The job pid is a process of, or -1.
static int job_of(pid_t pid)
{
    for (int i = 0; i < MAXJOBS; i++)
        for (int k = 0; jobs[i].used && k < jobs[i].nprocs; k++)
            if (jobs[i].procs[k].pid == pid)
                return i;
    return -1;
}

// wait: every job (status 0); wait PID or %n: that one (127 if it is no job of ours). A
// stopped job counts as waited for (status 128+the signal). Ctrl-C stops the waiting: 130.
int b_wait(int argc, char **argv)
{
    int status = 0;

    reap_jobs(0);
    if (argc == 1) {
        for (int i = 0; i < MAXJOBS; i++)
            if (jobs[i].used && wait_while_running(i, 1) < 0)
                return 128 + SIGINT;
        for (int i = 0; !sh.interactive && i < MAXJOBS; i++)
            if (jobs[i].used && job_state(&jobs[i]) == DONE)
                job_remove(i);
        reap_jobs(sh.interactive);
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        int i = -1;
        long pid = 0;
        if (argv[a][0] == '%') {
            if ((i = find_job("wait", argv[a])) < 0) {
                status = 127;
                continue;
            }
        } else {
            char *end;
            pid = strtol(argv[a], &end, 10);
            if (argv[a][0] < '0' || argv[a][0] > '9' || *end != '\0' || pid <= 0) {
                sh_error("wait: Illegal number: %s", argv[a]);
                return 2;
            }
            i = job_of(pid);
        }
        status = i < 0 ? 127 : wait_for_job(i, pid);
        if (status == 128 + SIGINT && i >= 0 && job_state(&jobs[i]) == RUNNING)
            return status;
    }
    return status;
}

// Signal names, for kill -s NAME, kill -NAME and kill -l.
static const char *signal_name[32] = {
    "EXIT", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
    "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
};

// A signal from a number or a name (TERM or SIGTERM); -1 if it is neither.
static int parse_signal(const char *s)
{
    if (s[0] >= '0' && s[0] <= '9') {
        char *end;
        long n = strtol(s, &end, 10);
        return *end == '\0' && n < NSIG ? (int)n : -1;
    }
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (int sig = 0; sig < 32; sig++)
        if (strcmp(s, signal_name[sig]) == 0)
            return sig;
    return -1;
}

// kill -l [N]: the names, or the name of signal N (or of exit status N, 128+signal).
static int kill_list(const char *arg)
{
    if (arg == NULL) {
        for (int sig = 1; sig < 32; sig++)
            dprintf(1, "%s\n", signal_name[sig]);
        return 0;
    }
    char *end;
    long n = strtol(arg, &end, 10);
    int number = arg[0] >= '0' && arg[0] <= '9';
    int sig = !number ? parse_signal(arg) : *end || n > 128 + 31 ? -1 : n > 128 ? n - 128 : n;
    if (sig <= 0 || sig > 31) {
        sh_error("kill: invalid signal number or exit status: %s", arg);
        return 2;
    }
    if (number)
        dprintf(1, "%s\n", signal_name[sig]);
    else
        dprintf(1, "%d\n", sig);
    return 0;
}

// Sends sig to job i: to its process group, or without job control to each process. A
// stopped job told to end (TERM, HUP) is continued too, or it would not notice, as bash does.
static int kill_job(int i, int sig)
{
    struct job *j = &jobs[i];
    int err = 0;

    if (j->pgid != sh.pgid)
        err = killpg(j->pgid, sig);
    for (int k = 0; j->pgid == sh.pgid && k < j->nprocs; k++)
        if (j->procs[k].state != DONE && kill(j->procs[k].pid, sig) < 0)
            err = -1;
    if (err == 0 && job_state(j) == STOPPED && (sig == SIGTERM || sig == SIGHUP))
        killpg(j->pgid, SIGCONT);
    return err;
}

// kill [-s SIG | -SIG] PID|%n...; kill -l [N]. A builtin so that %n can name a job.
int b_kill(int argc, char **argv)
{
    int a = 1, status = 0;
    const char *name = "TERM";

    reap_jobs(0);
    if (argc > 1 && strcmp(argv[1], "-l") == 0)
        return kill_list(argc > 2 ? argv[2] : NULL);
    if (argc > 2 && strcmp(argv[1], "-s") == 0)
        name = argv[2], a = 3;
    else if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--") != 0 && argv[1][1])
        name = argv[1] + 1, a = 2;
    if (a < argc && strcmp(argv[a], "--") == 0)
        a++;
    int sig = parse_signal(name);
    if (sig < 0) {
        sh_error("kill: invalid signal: %s", name);
        return 2;
    }
    if (a >= argc) {
        sh_error("kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\n"
                 "kill -l [exitstatus]");
        return 2;
    }
    for (; a < argc; a++) {
        char *end;
        long pid = strtol(argv[a], &end, 10);
        int i = argv[a][0] == '%' ? find_job("kill", argv[a]) : -1;
        if (argv[a][0] == '%' && i < 0) {
            status = 2;
        } else if (argv[a][0] != '%' && (argv[a][0] == '\0' || *end != '\0')) {
            sh_error("kill: Illegal number: %s", argv[a]);
            status = 2;
        } else if (i >= 0 ? kill_job(i, sig) < 0 : kill(pid, sig) < 0) {
            sh_error("kill: %s", strerror(errno));
            status = 1;
        }
    }
    return status;
}
