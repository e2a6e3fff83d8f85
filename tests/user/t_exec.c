// t_exec.c: execve and friends: the new program's arguments and environment, what it keeps
// from the old one (pid, parent, open files unless close-on-exec, ignored signals, the
// signal mask, pending signals) and what it loses (handlers, unflushed stdio), execv and
// execvp's $PATH search, and the errors, after each of which the caller is still intact.
//
// The program execs itself: argv[0] ("/bin/t_exec" on Lantern, the full path of the
// binary on the host; never printed), with a first argument saying what to do. Each exec
// happens in a child, so the test goes on whatever happens. The files execve must refuse
// as not executable (ENOEXEC) are made at run time in /tmp, which both systems have.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define HELLO "etc/parity/hello.txt"

static char *self;

// ---- the exec'd side: main() sends argv[1] == "as-..." here

// Print the arguments after argv[0] and the whole environment, and exit with 7.
static int as_show(int argc, char **argv, char **envp)
{
    printf("  exec'd: argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("  exec'd: argv[%d] = \"%s\"\n", i, argv[i]);
    yes("  exec'd: argv[argc] is NULL", argv[argc] == NULL);
    for (int i = 0; envp[i] != NULL; i++)
        printf("  exec'd: envp[%d] = \"%s\"\n", i, envp[i]);
    yes("  exec'd: environ is envp", environ == envp);
    yes("  exec'd: the current directory is kept", access(HELLO, R_OK) == 0);
    return 7;
}

// argv[2..]: a label, then a file descriptor number, for each descriptor to look at.
static int as_fds(int argc, char **argv)
{
    char buf[8];

    for (int i = 2; i + 1 < argc; i += 2) {
        int fd = atoi(argv[i + 1]);
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
            printf("  exec'd: %s: %s\n", argv[i], err_name(errno));
        else
            printf("  exec'd: %s: open, FD_CLOEXEC %d\n", argv[i], flags & FD_CLOEXEC);
    }
    long n = read(atoi(argv[3]), buf, 6);        // the first one: the file, read 8 bytes in
    print_escaped("  exec'd: it reads on from the same offset", buf, n);
    return 0;
}

static int as_signals(void)
{
    struct sigaction sa;
    sigset_t set;

    sigaction(SIGUSR1, NULL, &sa);
    yes("  exec'd: the SIGUSR1 handler is back to SIG_DFL", sa.sa_handler == SIG_DFL);
    sigaction(SIGUSR2, NULL, &sa);
    yes("  exec'd: SIGUSR2 is still ignored", sa.sa_handler == SIG_IGN);
    sigprocmask(SIG_BLOCK, NULL, &set);
    yes("  exec'd: SIGTERM is still blocked", sigismember(&set, SIGTERM) == 1);
    yes("  exec'd: SIGUSR1 is not", sigismember(&set, SIGUSR1) == 0);
    sigpending(&set);
    yes("  exec'd: SIGTERM is still pending", sigismember(&set, SIGTERM) == 1);
    return 0;
}

static int as_same_process(char **argv)
{
    yes("  exec'd: the pid is the same", getpid() == atoi(argv[2]));
    yes("  exec'd: the parent is the same", getppid() == atoi(argv[3]));
    return 0;
}

// Each argument's length, so that long ones need not be printed.
static int as_lengths(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        printf("  exec'd: argv[%d] has %zu bytes, all 'a': %s\n", i, strlen(argv[i]),
               strspn(argv[i], "a") == strlen(argv[i]) ? "yes" : "no");
    return 0;
}

// argv[2]: what /proc/self/exe said before the exec. It names the file, links followed,
// whatever path the exec was given.
static int as_exe(char **argv)
{
    char exe[4096];
    long n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    exe[n < 0 ? 0 : n] = '\0';
    yes("  exec'd: /proc/self/exe names the same file as before", strcmp(exe, argv[2]) == 0);
    return 0;
}

// A child that runs this program on after we exit: it waits for fd 3 to read EOF, and
// holds fd 4 open until it exits.
static int as_hold(void)
{
    char c;

    if (fork() == 0) {
        read(3, &c, 1);
        _exit(0);
    }
    return 0;
}

static int exec_side(int argc, char **argv, char **envp)
{
    if (strcmp(argv[1], "as-hold") == 0)
        return as_hold();
    if (strcmp(argv[1], "as-lengths") == 0)
        return as_lengths(argc, argv);
    if (strcmp(argv[1], "as-exe") == 0)
        return as_exe(argv);
    if (strcmp(argv[1], "as-show") == 0)
        return as_show(argc, argv, envp);
    if (strcmp(argv[1], "as-fds") == 0)
        return as_fds(argc, argv);
    if (strcmp(argv[1], "as-signals") == 0)
        return as_signals();
    if (strcmp(argv[1], "as-same-process") == 0)
        return as_same_process(argv);
    return 8;                                    // "as-quiet": just exit
}

// ---- the test's side

// Run fn in a child (which execs), and print how the child ended.
static void exec_in_child(const char *what, void (*fn)(void))
{
    pid_t pid = fork();

    if (pid == 0) {
        fn();
        printf("  execve failed: %s\n", err_name(errno));
        _exit(127);
    }
    wait_and_print(what, pid);
}

static void exec_show(void)
{
    char *argv[] = { self, "as-show", "one", "two words", "", NULL };
    char *envp[] = { "A=1", "B=two", "EMPTY=", NULL };

    printf("  written before execve\n");
    printf("  lost in execve: never flushed");     // no newline, so still in the buffer
    execve(self, argv, envp);
}

static void exec_empty_env(void)
{
    char *argv[] = { self, "as-show", NULL };
    char *envp[] = { NULL };

    execve(self, argv, envp);
}

static void exec_execv(void)
{
    static char *env[] = { "ONLY=this", NULL };
    char *argv[] = { self, "as-show", "via execv", NULL };

    environ = env;                               // execv passes environ
    execv(self, argv);
}

// $PATH holds a missing directory, one without the program, and the program's own.
static void exec_execvp(void)
{
    static char path[4096];
    char *slash = strrchr(self, '/');
    char *argv[] = { "t_exec", "as-quiet", NULL };

    snprintf(path, sizeof path, "/no/such/dir:etc/parity:%.*s",
             slash ? (int)(slash - self) : 1, slash ? self : ".");
    setenv("PATH", path, 1);
    execvp(slash ? slash + 1 : self, argv);
}

// Arguments of a page and more: Linux takes up to 32 pages for one (MAX_ARG_STRLEN),
// with its NUL; one byte more is E2BIG.
static char *run_of_a(size_t n)
{
    char *s = malloc(n + 1);

    memset(s, 'a', n);
    s[n] = '\0';
    return s;
}

static void exec_long_arguments(void)
{
    char *argv[] = { self, "as-lengths", run_of_a(4095), run_of_a(4096), run_of_a(10000),
                     run_of_a(131071), NULL };

    execve(self, argv, environ);
}

static void long_arguments(void)
{
    char *too_long[] = { self, "as-lengths", run_of_a(131072), NULL };

    exec_in_child("execve with arguments of 4095 to 131071 bytes", exec_long_arguments);
    check("execve with an argument of 131072 bytes", execve(self, too_long, environ));
    free(too_long[2]);
}

// The same program through a symbolic link, a path with "//", "." and "..", and a path
// relative to the current directory: /proc/self/exe shows the one real path each time.
static char exe_before[4096], exe_path[4200];

static void exec_for_exe(void)
{
    char *argv[] = { self, "as-exe", exe_before, NULL };

    execve(exe_path, argv, environ);
}

static void exec_relative_for_exe(void)
{
    char *argv[] = { self, "as-exe", exe_before, NULL };

    chdir("/");
    execve(exe_before + 1, argv, environ);       // "bin/t_exec" from "/"
}

static void exe_paths(void)
{
    if (getpid() == 1)                           // as init on Lantern: nobody mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    long n = readlink("/proc/self/exe", exe_before, sizeof exe_before - 1);
    char link[64], *slash = strrchr(exe_before, '/');

    exe_before[n < 0 ? 0 : n] = '\0';
    snprintf(link, sizeof link, "/tmp/t_exec.%d.link", getpid());
    symlink(exe_before, link);
    snprintf(exe_path, sizeof exe_path, "%s", exe_before);
    exec_in_child("execve by the real path", exec_for_exe);
    snprintf(exe_path, sizeof exe_path, "%s", link);
    exec_in_child("execve through a symbolic link", exec_for_exe);
    *slash = '\0';                               // "//bin/./../bin/t_exec" on Lantern
    snprintf(exe_path, sizeof exe_path, "/%s/./..%s/%s", exe_before, strrchr(exe_before, '/'),
             slash + 1);
    *slash = '/';
    exec_in_child("execve by //dir/./..<real path>", exec_for_exe);
    exec_in_child("execve by a path relative to /", exec_relative_for_exe);
    check("unlink the link", unlink(link));
}

static void arguments(void)
{
    long_arguments();
    exe_paths();
    exec_in_child("execve as-show", exec_show);
    exec_in_child("execve with an empty environment", exec_empty_env);
    exec_in_child("execv", exec_execv);
    exec_in_child("execvp, found in the third $PATH directory", exec_execvp);
}

static void exec_fds(void)
{
    char buf[8], num[6][8];
    int pipefds[2];
    int plain = open(HELLO, O_RDONLY);
    int cloexec = open(HELLO, O_RDONLY | O_CLOEXEC);
    int setfd = open(HELLO, O_RDONLY);
    int duped = dup(cloexec);                    // dup does not copy the flag
    int dupfd_cloexec = fcntl(plain, F_DUPFD_CLOEXEC, 0);

    read(plain, buf, 8);
    fcntl(setfd, F_SETFD, FD_CLOEXEC);
    pipe2(pipefds, O_CLOEXEC);
    int fds[6] = { plain, cloexec, setfd, duped, dupfd_cloexec, pipefds[0] };
    for (int i = 0; i < 6; i++)
        snprintf(num[i], sizeof num[i], "%d", fds[i]);
    char *argv[] = { self, "as-fds", "plain", num[0], "O_CLOEXEC", num[1],
                     "F_SETFD FD_CLOEXEC", num[2], "dup of O_CLOEXEC", num[3],
                     "F_DUPFD_CLOEXEC", num[4], "pipe2 O_CLOEXEC", num[5], NULL };
    execve(self, argv, environ);
}

static void on_signal(int sig)
{
    (void)sig;
}

static void exec_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };   // exec must not keep it
    sigset_t set;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGTERM);                              // pending: it would end the new program
    char *argv[] = { self, "as-signals", NULL };
    execve(self, argv, environ);
}

static void exec_same_process(void)
{
    char pid[16], ppid[16];

    snprintf(pid, sizeof pid, "%d", getpid());
    snprintf(ppid, sizeof ppid, "%d", getppid());
    char *argv[] = { self, "as-same-process", pid, ppid, NULL };
    execve(self, argv, environ);
}

static void inheritance(void)
{
    exec_in_child("execve as-fds", exec_fds);
    exec_in_child("execve as-signals", exec_signals);
    exec_in_child("execve as-same-process", exec_same_process);
}

// A file with execute permission whose content is not a program.
static void make_file(const char *path, const char *content, long n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

    write(fd, content, n);
    close(fd);
}

static int canary = 42;

static void try_exec(const char *what, const char *path, char *const *argv, char *const *envp)
{
    long r = execve(path, argv, envp);
    int fd = dup(1);                             // the caller goes on: memory and files intact

    check(what, r);
    if (canary != 42 || fd < 0)
        printf("  ...and the caller is damaged\n");
    close(fd);
}

static void errors(void)
{
    char empty[64], garbage[64], elf[64];
    char *argv[] = { "x", NULL }, *envp[] = { NULL };
    char *bad_arg[] = { "x", (char *)1, NULL };

    snprintf(empty, sizeof empty, "/tmp/t_exec.%d.empty", getpid());
    snprintf(garbage, sizeof garbage, "/tmp/t_exec.%d.garbage", getpid());
    snprintf(elf, sizeof elf, "/tmp/t_exec.%d.elf", getpid());
    make_file(empty, "", 0);
    make_file(garbage, "garbage\n", 8);
    make_file(elf, "\177ELF\2\1\1", 7);          // an ELF header's first bytes, and no more

    try_exec("execve a missing file", "etc/parity/missing", argv, envp);
    try_exec("execve \"\"", "", argv, envp);
    try_exec("execve " HELLO " (mode 0644)", HELLO, argv, envp);
    try_exec("execve a directory", "etc/parity", argv, envp);
    try_exec("execve " HELLO "/x", HELLO "/x", argv, envp);
    try_exec("execve an empty executable file", empty, argv, envp);
    try_exec("execve an executable text file", garbage, argv, envp);
    try_exec("execve a truncated ELF file", elf, argv, envp);
    try_exec("execve path pointer 1", (char *)1, argv, envp);
    try_exec("execve argv pointer 1", self, (char **)1, envp);
    try_exec("execve argv[1] pointer 1", self, bad_arg, envp);
    try_exec("execve envp pointer 1", self, argv, (char **)1);
    try_exec("execve a missing file, argv pointer 1", "etc/parity/missing", (char **)1, envp);
    check("unlink the empty file", unlink(empty));
    check("unlink the text file", unlink(garbage));
    check("unlink the ELF file", unlink(elf));

    // execvp: a directory where the name exists but cannot be run gives EACCES, even if
    // later ones do not have it at all.
    setenv("PATH", "etc/parity:/no/such/dir", 1);
    check("execvp hello.txt, PATH=etc/parity:/no/such/dir", execvp("hello.txt", argv));
    check("execvp dir (a directory)", execvp("dir", argv));
    check("execvp missing", execvp("missing", argv));
    check("execvp \"\"", execvp("", argv));
    check("execvp etc/parity/hello.txt (has a slash: no search)",
          execvp("etc/parity/hello.txt", argv));
    unsetenv("PATH");
}

// ---- a running program's file is busy (ETXTBSY)

static char copy[64];

static void copy_self(void)
{
    static char buf[65536];
    int in = open(self, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    long n;

    while ((n = read(in, buf, sizeof buf)) > 0)
        write(out, buf, n);
    close(in);
    close(out);
}

static void exec_copy(void)
{
    char *argv[] = { "x", "as-quiet", NULL };

    execv(copy, argv);
}

// While the copy is open for writing, execve refuses it; while a process runs it - even a
// child of the one that exec'd it - it may not be opened for writing or truncated.
static void text_busy(void)
{
    int go[2], done[2], fd;
    char c;

    snprintf(copy, sizeof copy, "/tmp/t_exec.%d.copy", getpid());
    copy_self();
    fd = open(copy, O_WRONLY);
    exec_in_child("execve a file open for writing", exec_copy);
    close(fd);
    fd = open(copy, O_RDONLY);
    exec_in_child("execve a file open for reading", exec_copy);
    close(fd);

    pipe(go);
    pipe(done);
    pid_t pid = fork();
    if (pid == 0) {
        int g = dup(go[0]), d = dup(done[1]);    // (above 4: the dup2s cannot close them)
        close(go[0]);
        close(go[1]);
        close(done[0]);
        close(done[1]);
        dup2(g, 3);
        dup2(d, 4);
        close(g);
        close(d);
        char *argv[] = { "x", "as-hold", NULL };
        execv(copy, argv);
        _exit(127);
    }
    close(go[0]);
    close(done[1]);
    wait_and_print("the copy, which forks a child that runs on", pid);
    check("open it for writing while the child runs it", open(copy, O_WRONLY));
    check("open it O_RDONLY|O_TRUNC meanwhile", open(copy, O_RDONLY | O_TRUNC));
    check("open it O_RDWR meanwhile", open(copy, O_RDWR));
    check("truncate it meanwhile", truncate(copy, 0));
    fd = open(copy, O_ACCMODE);                  // 3: no access at all, so no writer
    yes("open it with access mode 3 meanwhile", fd >= 0);
    close(fd);
    fd = open(copy, O_RDONLY);
    yes("open it for reading meanwhile", fd >= 0);
    close(fd);
    close(go[1]);                                // the child ends...
    yes("the child has ended", read(done[0], &c, 1) == 0);
    fd = open(copy, O_WRONLY);                   // ...and the file is free again
    yes("open it for writing after", fd >= 0);
    close(fd);
    close(done[0]);
    // A private mapping of the file opened for writing keeps that open file's access.
    copy_self();
    fd = open(copy, O_RDWR);
    void *map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    yes("map it privately from a descriptor open for writing", map != MAP_FAILED);
    close(fd);
    exec_in_child("execve it while that mapping stays", exec_copy);
    munmap(map, 4096);
    exec_in_child("execve it once the mapping has gone", exec_copy);
    check("truncate it after", truncate(copy, 0));
    check("unlink the copy", unlink(copy));
}

int main(int argc, char **argv, char **envp)
{
    if (argc >= 2 && strncmp(argv[1], "as-", 3) == 0)
        return exec_side(argc, argv, envp);
    self = argv[0];
    begin("t_exec");
    arguments();
    inheritance();
    errors();
    text_busy();
    return done();
}
