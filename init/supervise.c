// supervise.c: how init starts its children, waits for them, starts the respawn entries
// again, and takes the system down.
//
// Signals: init has handlers for SIGUSR2 (power off), SIGTERM (reboot) and SIGUSR1 (halt),
// busybox's choice, which is what poweroff, reboot and halt send it; the handler only notes
// which one came. It is installed without SA_RESTART, so a waitpid() that init is sleeping
// in returns EINTR, and the loop looks at the note. SIGCHLD has a handler that does nothing,
// for the same reason: a child's end interrupts init's sleep.
//
// In supervise(), init keeps those signals blocked while it looks at its children and its
// table, and unblocks them only inside ppoll(), which sleeps and unblocks in one step: a
// signal that comes while init is looking stays pending and ends the next sleep at once.
// So init can sleep for good when nothing is due (the race sigsuspend() was made for).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#ifndef TIOCSCTTY
#define TIOCSCTTY 0x540E           // make this terminal my controlling terminal (not in libc yet)
#endif

volatile int shutdown_signal;

static void on_shutdown_signal(int sig) { shutdown_signal = sig; }
static void on_sigchld(int sig) { (void)sig; }

static const int shutdown_signals[] = { SIGUSR2, SIGTERM, SIGUSR1 };

static void set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;        // no SA_RESTART: interrupt init's sleep
    sigaction(sig, &sa, NULL);
}

void catch_signals(void)
{
    for (int i = 0; i < 3; i++)
        set_handler(shutdown_signals[i], on_shutdown_signal);
    set_handler(SIGCHLD, on_sigchld);
}

// ---- time

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Sleeps ms milliseconds, or less if a signal comes.
static void nap(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
    nanosleep(&ts, NULL);
}

// Sleeps with `mask` as the signal mask until a signal's handler has run, or for ms
// milliseconds if ms >= 0: ppoll with no descriptors, the signal-safe form of nap().
static void sleep_until_signal(long ms, const sigset_t *mask)
{
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
    ppoll(NULL, 0, ms >= 0 ? &ts : NULL, mask);
}

// ---- starting a child

// Characters that need a shell: with any of them, busybox runs "/bin/sh -c 'exec COMMAND'".
#define SHELL_CHARS "~`!$^&*()=|\\{}[];\"'<>?"

// In the child: turn the command line into argv, and execute it. Never returns.
static void exec_command(const char *command)
{
    bool login = command[0] == '-';
    if (login)
        command++;
    char line[sizeof inittab[0].command + 8];
    char *argv[32];
    int argc = 0;
    if (command[strcspn(command, SHELL_CHARS)] != '\0') {
        snprintf(line, sizeof line, "exec %s", command);
        argv[argc++] = "/bin/sh";
        argv[argc++] = "-c";
        argv[argc++] = line;
    } else {
        strlcpy(line, command, sizeof line);
        char *save = NULL;
        for (char *w = strtok_r(line, " \t", &save); w != NULL && argc < 31;
             w = strtok_r(NULL, " \t", &save))
            argv[argc++] = w;
    }
    argv[argc] = NULL;
    const char *path = argv[0];
    char arg0[64];
    if (login) {            // "-" and the program's own name: "-sh"
        const char *slash = strrchr(path, '/');
        snprintf(arg0, sizeof arg0, "-%s", slash ? slash + 1 : path);
        argv[0] = arg0;
    }
    execvp(path, argv);
    printf("init: can't run %s: %s\n", path, strerror(errno));
    _exit(127);
}

// A terminal's program - one whose entry names a terminal, or a shell (askfirst, or a
// login shell, "-sh") - makes its terminal its controlling one. A daemon on init's console
// does not: the first session leader to ask gets the terminal, and whether the console's
// shell or a daemon started first was a race (lost at 4 CPUs: the shell had no job control).
static bool wants_terminal(const struct entry *e)
{
    return e->tty[0] != '\0' || e->action == ASKFIRST || e->command[0] == '-';
}

// In the child: give it its own session, and its terminal as fds 0, 1, 2.
static void set_up_child(const struct entry *e)
{
    for (int i = 0; i < 3; i++)            // execve resets handlers anyway; askfirst reads first
        set_handler(shutdown_signals[i], SIG_DFL);
    set_handler(SIGCHLD, SIG_DFL);
    sigset_t none;                         // supervise() blocks some: the child starts clean
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();                              // Ctrl-C on its terminal reaches its group, not init
    if (e->tty[0] != '\0') {
        char path[48];
        snprintf(path, sizeof path, "/dev/%s", e->tty);
        int fd = open(path, O_RDWR);
        if (fd < 0) {
            printf("init: can't open %s: %s; using init's console\n", path, strerror(errno));
        } else {
            for (int i = 0; i < 3; i++)
                dup2(fd, i);
            if (fd > 2)
                close(fd);
        }
    }
    if (wants_terminal(e))
        ioctl(0, TIOCSCTTY, 0);            // its controlling terminal (fails if not a terminal)
    if (e->action == ASKFIRST) {
        printf("\nPlease press Enter to activate this console. ");
        fflush(stdout);
        char c;
        while (read(0, &c, 1) == 1 && c != '\n')
            ;
    }
}

static pid_t start(struct entry *e)
{
    fflush(NULL);                          // or the child would print init's unwritten output too
    pid_t pid = fork();
    if (pid == 0) {
        set_up_child(e);
        exec_command(e->command);
    }
    e->started = now_ms();
    e->waiting = false;
    if (pid < 0) {
        printf("init: can't fork for %s: %s\n", e->command, strerror(errno));
        pid = 0;
        if (e->action == RESPAWN || e->action == ASKFIRST) {
            e->waiting = true;              // try again in a second
            e->restart_at = e->started + 1000;
        }
    }
    e->pid = pid;
    return pid;
}

// ---- a child ended

// What waitpid's status says, in words.
static void describe(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}

// The back-off: a respawn entry that dies within a second of starting is started again
// after 1 s, then 2, 4, 8, 16, 16...; one that lived 5 s or more, at once.
static void ended(pid_t pid, int status)
{
    struct entry *e = NULL;
    for (int i = 0; i < inittab_size; i++)
        if (inittab[i].pid == pid)
            e = &inittab[i];
    if (e == NULL)
        return;                            // an orphan init adopted: reaping it was all
    e->pid = 0;
    if ((e->action != RESPAWN && e->action != ASKFIRST) || shutdown_signal)
        return;
    long now = now_ms(), lived = now - e->started;
    if (lived < 1000)
        e->delay = e->delay == 0 ? 1000 : e->delay * 2 > 16000 ? 16000 : e->delay * 2;
    else if (lived >= 5000)
        e->delay = 0;
    e->waiting = true;
    e->restart_at = now + e->delay;
    char how[40];
    describe(status, how, sizeof how);
    const char *name = e->command + (e->command[0] == '-');
    if (e->delay == 0)
        printf("init: respawning %s (pid %d %s)\n", name, pid, how);
    else
        printf("init: respawning %s (pid %d %s) in %ld s\n", name, pid, how, e->delay / 1000);
}

// Collects every child that has ended, without waiting. Returns false when init has no
// children left at all.
static bool reap(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        ended(pid, status);
    return !(pid < 0 && errno == ECHILD);
}

// ---- the things init.c calls

// Starts e and waits for it to end, collecting any other child that ends meanwhile.
// A shutdown signal stops the wait, unless the system is already going down.
static void run_and_wait(struct entry *e, bool stop_on_signal)
{
    if (start(e) == 0)
        return;
    while (e->pid != 0 && !(stop_on_signal && shutdown_signal)) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == e->pid)
            e->pid = 0;
        else if (pid > 0)
            ended(pid, status);
        else if (errno == ECHILD)
            break;
    }
}

void run(const char *command)
{
    struct entry e = { .action = SYSINIT };
    strlcpy(e.command, command, sizeof e.command);
    run_and_wait(&e, true);
}

void run_all(enum action action)
{
    for (int i = 0; i < inittab_size; i++)
        if (inittab[i].action == action)
            run_and_wait(&inittab[i], action != SHUTDOWN);
}

void start_all(enum action action)
{
    for (int i = 0; i < inittab_size && !shutdown_signal; i++)
        if (inittab[i].action == action)
            start(&inittab[i]);
}

int supervise(void)
{
    sigset_t watched, unblocked;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    for (int i = 0; i < 3; i++)
        sigaddset(&watched, shutdown_signals[i]);
    sigprocmask(SIG_BLOCK, &watched, &unblocked);   // until ppoll opens the window
    while (!shutdown_signal) {
        reap();                              // our children, and orphans we adopted
        long now = now_ms(), wake = -1;      // -1: nothing due, sleep until a signal
        for (int i = 0; i < inittab_size && !shutdown_signal; i++) {
            struct entry *e = &inittab[i];
            if (e->waiting && e->restart_at <= now)
                start(e);
            else if (e->waiting && (wake < 0 || e->restart_at < wake))
                wake = e->restart_at;
        }
        if (!shutdown_signal)
            sleep_until_signal(wake < 0 ? -1 : wake - now, &unblocked);
    }
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    return shutdown_signal;
}

// ---- going down

// Sends sig to every process but init. On Lantern that is kill(-1, sig). Run on the host,
// kill(-1) would reach every process of the user: there, only to init's children (which
// include the orphans it adopted), as Linux lists them in /proc.
static void kill_all(int sig)
{
    if (getpid() == 1) {
        kill(-1, sig);
        return;
    }
    for (int i = 0; i < inittab_size; i++)
        if (inittab[i].pid > 0)
            kill(inittab[i].pid, sig);
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", getpid());
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf, *end; *p != '\0'; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        kill((pid_t)pid, sig);
    }
}

// Reaps children for up to ms milliseconds, or until there are none; sends sig again
// each time round (for processes adopted meanwhile), unless sig is 0.
static void reap_for(long ms, int sig)
{
    long deadline = now_ms() + ms;
    while (reap() && now_ms() < deadline) {
        if (sig != 0)
            kill_all(sig);
        nap(20);
    }
}

void go_down(int sig)
{
    run_all(SHUTDOWN);
    printf("init: The system is going down NOW!\n");
    kill_all(SIGTERM);
    printf("init: Sent SIGTERM to all processes\n");
    reap_for(2000, 0);
    kill_all(SIGKILL);
    printf("init: Sent SIGKILL to all processes\n");
    reap_for(1000, SIGKILL);
    // Here Linux's init calls sync(); Lantern's files all live in memory: nothing to write.
    if (getpid() != 1)
        exit(0);                             // on the host: the supervisor's job is done
    int how = sig == SIGTERM ? RB_AUTOBOOT : sig == SIGUSR1 ? RB_HALT_SYSTEM : RB_POWER_OFF;
    printf("init: Requesting system %s\n",
           sig == SIGTERM ? "reboot" : sig == SIGUSR1 ? "halt" : "poweroff");
    fflush(stdout);
    reboot(how);
    printf("init: reboot: %s\n", strerror(errno));
    for (;;)                                 // init must never end: the kernel would panic
        pause();
}
