// t_jobctl.c: job control as a parent sees it. A stop signal stops a child (whole
// process, every thread), SIGCONT continues it, and wait4 reports each change once when
// asked (WUNTRACED, WCONTINUED); SIGCHLD says CLD_STOPPED / CLD_CONTINUED unless the
// parent set SA_NOCLDSTOP. A stopped child still dies of SIGKILL. Terminal stop signals
// (SIGTSTP) are not obeyed in an orphaned process group; SIGSTOP is.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static volatile int chld_code, chld_status, chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_count++;
}

static const char *code_name(int code)
{
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

static void report(const char *what, pid_t child, int options)
{
    int status = 0;
    pid_t got = waitpid(child, &status, options);
    if (got < 0)
        printf("%s: waitpid error %s\n", what, err_name(errno));
    else if (got == 0)
        printf("%s: nothing to report\n", what);
    else if (WIFSTOPPED(status))
        printf("%s: stopped by %s\n", what, sig_name(WSTOPSIG(status)));
    else if (WIFCONTINUED(status))
        printf("%s: continued\n", what);
    else
        print_status(what, status);
}

static pid_t spinner(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

// Waits (with a short sleep per turn) until the SIGCHLD handler has run `count` times.
static void await_chld(int count)
{
    for (int i = 0; i < 200 && chld_count < count; i++)
        usleep(5000);
}

static void stop_and_continue(void)
{
    pid_t c = spinner();
    check("kill(child, SIGSTOP)", kill(c, SIGSTOP));
    await_chld(1);
    printf("SIGCHLD: %s %s\n", code_name(chld_code), sig_name(chld_status));
    report("waitpid(WUNTRACED)", c, WUNTRACED);
    report("again, WNOHANG|WUNTRACED (told once)", c, WNOHANG | WUNTRACED);
    check("kill(child, SIGCONT)", kill(c, SIGCONT));
    await_chld(2);
    printf("SIGCHLD: %s %s\n", code_name(chld_code), sig_name(chld_status));
    report("waitpid(WCONTINUED)", c, WCONTINUED);
    report("again, WNOHANG|WCONTINUED", c, WNOHANG | WCONTINUED);
    check("kill(child, SIGSTOP)", kill(c, SIGSTOP));
    report("waitpid(WUNTRACED)", c, WUNTRACED);
    check("kill(stopped child, SIGKILL)", kill(c, SIGKILL));
    report("waitpid", c, 0);
}

// SIGTSTP stops a group that is not orphaned: the spinner has a group of its own, and its
// parent (not init: a child of ours) is in another group of the same session.
static void tstp_in_child(void)
{
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    setpgid(c, c);
    kill(c, SIGTSTP);
    report("SIGTSTP, not orphaned: waitpid(WUNTRACED)", c, WUNTRACED);
    kill(c, SIGKILL);
    report("waitpid", c, 0);
}

static void nocldstop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    chld_count = 0;
    pid_t c = spinner();
    kill(c, SIGSTOP);
    report("SA_NOCLDSTOP: waitpid(WUNTRACED)", c, WUNTRACED);
    printf("SA_NOCLDSTOP: SIGCHLD count after stop: %d\n", chld_count);
    kill(c, SIGTERM);      // pending while stopped...
    usleep(20000);
    report("SIGTERM to a stopped child, WNOHANG", c, WNOHANG);
    kill(c, SIGCONT);      // ...and delivered once it goes on
    report("then SIGCONT", c, 0);
    printf("SA_NOCLDSTOP: SIGCHLD count at the end: %d\n", chld_count);
}

// A child in a new session is an orphaned process group (its parent is in another
// session): SIGTSTP does not stop it; SIGSTOP does.
static void orphaned(void)
{
    pid_t c = fork();
    if (c == 0) {
        setsid();
        for (;;)
            pause();
    }
    usleep(20000);
    kill(c, SIGTSTP);
    report("orphaned group, SIGTSTP, WNOHANG|WUNTRACED", c, WNOHANG | WUNTRACED);
    kill(c, SIGSTOP);
    report("orphaned group, SIGSTOP, WUNTRACED", c, WUNTRACED);
    kill(c, SIGKILL);
    report("waitpid", c, 0);
}

static void waitid_stops(void)
{
    pid_t c = spinner();
    kill(c, SIGSTOP);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("waitid(P_PID, WSTOPPED)", waitid(P_PID, c, &si, WSTOPPED));
    printf("waitid: %s %s, pid matches: %s\n", code_name(si.si_code), sig_name(si.si_status),
           si.si_pid == c ? "yes" : "no");
    kill(c, SIGCONT);
    memset(&si, 0, sizeof si);
    check("waitid(P_PID, WCONTINUED)", waitid(P_PID, c, &si, WCONTINUED));
    printf("waitid: %s %s\n", code_name(si.si_code), sig_name(si.si_status));
    memset(&si, 0, sizeof si);
    check("waitid(P_PID, WEXITED|WNOHANG) while it runs", waitid(P_PID, c, &si, WEXITED | WNOHANG));
    printf("waitid: si_pid %d si_signo %d\n", si.si_pid, si.si_signo);
    kill(c, SIGKILL);
    memset(&si, 0, sizeof si);
    check("waitid(P_PID, WEXITED|WNOWAIT)", waitid(P_PID, c, &si, WEXITED | WNOWAIT));
    printf("waitid: %s %s\n", code_name(si.si_code), sig_name(si.si_status));
    check("waitid(P_ALL, WEXITED) collects it", waitid(P_ALL, 0, &si, WEXITED));
    check("waitid(P_ALL, WEXITED) with none left", waitid(P_ALL, 0, &si, WEXITED));
    check("waitid without WEXITED/WSTOPPED/WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG));
    check("waitid(P_PID, 0)", waitid(P_PID, 0, &si, WEXITED));
    check("waitid(7)", waitid(7, 1, &si, WEXITED));
}

// A stop and a continue with no handler in between do not interrupt a waiting poll():
// it goes on waiting (Linux restarts it), and sees the data that comes later.
static void poll_survives_stop(void)
{
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        struct pollfd pfd = { p[0], POLLIN, 0 };
        int n = poll(&pfd, 1, -1);
        printf("poll after SIGSTOP and SIGCONT: %d%s\n", n, n < 0 && errno == EINTR ? " (EINTR)" : "");
        _exit(0);
    }
    usleep(20000);
    kill(c, SIGSTOP);
    report("poller: waitpid(WUNTRACED)", c, WUNTRACED);
    kill(c, SIGCONT);
    usleep(20000);
    write(p[1], "x", 1);
    report("poller", c, 0);
}

int main(void)
{
    begin("t_jobctl");
    default_signals();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    stop_and_continue();
    in_child("SIGTSTP", tstp_in_child);
    nocldstop();
    signal(SIGCHLD, SIG_DFL);
    orphaned();
    waitid_stops();
    poll_survives_stop();
    return done();
}
