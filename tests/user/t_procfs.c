// t_procfs.c: /proc as programs read it, and its errors: the links of /proc/self/fd (a file,
// a directory, a pipe, an eventfd, an epoll), fdinfo's flags, the stat line's 52 fields,
// status, environ, /proc/sys/kernel, and what may not be done to these files (EACCES for a
// user writing the host name, EIO/EACCES/EPERM/ENOENT where Linux says so).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

extern char **environ;
static char buf[8192];

// As init on Lantern nobody has mounted /proc yet: mount it then (never on the host).
static void mount_proc(void)
{
    if (access("/proc/self", F_OK) == 0)
        return;
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
}

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = 0, k;
    while (n < (long)sizeof buf - 1 && (k = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += k;
    close(fd);
    buf[n] = '\0';
    return n;
}

// The link's target, with the digits of "pipe:[123]" and the like shown as N.
static void show_link(const char *what, const char *path)
{
    char t[256];
    long n = readlink(path, t, sizeof t - 1);
    if (n < 0) {
        check(what, n);
        return;
    }
    t[n] = '\0';
    char *d = strchr(t, '[');
    if (d && (d[1] >= '0' && d[1] <= '9'))
        strcpy(d, "[N]");
    printf("%s: %s\n", what, t);
}

static void fd_link(const char *what, int fd)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    show_link(what, path);
}

static void fdinfo_flags(const char *what, int fd)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    if (slurp(path) < 0) {
        check(what, -1);
        return;
    }
    char *f = strstr(buf, "flags:");
    char *end = f ? strchr(f, '\n') : NULL;
    if (end)
        *end = '\0';
    printf("%s: %s\n", what, f ? f : "(no flags line)");
}

static void links(void)
{
    int file = open("procfs.tmp", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int p[2];
    pipe(p);
    int ev = eventfd(0, EFD_CLOEXEC);
    int ep = epoll_create1(0);
    int app = open("procfs.tmp", O_WRONLY | O_APPEND);
    char cwd[256], t[256];
    long n = readlink("/proc/self/fd/3", t, sizeof t - 1);
    snprintf(t, sizeof t, "/proc/self/fd/%d", file);
    n = readlink(t, t, sizeof t - 1);
    char want[300];
    getcwd(cwd, sizeof cwd);
    snprintf(want, sizeof want, "%s/procfs.tmp", strcmp(cwd, "/") ? cwd : "");
    yes("a file's link is its path", n > 0 && (size_t)n == strlen(want) && memcmp(t, want, n) == 0);
    fd_link("a pipe's read end", p[0]);
    fd_link("a pipe's write end", p[1]);
    fd_link("an eventfd", ev);
    fd_link("an epoll", ep);
    snprintf(t, sizeof t, "/proc/self/fd/%d", dir);
    n = readlink(t, t, sizeof t - 1);
    yes("a directory's link is getcwd()", n > 0 &&
        (size_t)n == strlen(cwd) && memcmp(t, cwd, n) == 0);
    n = readlink("/proc/self/cwd", t, sizeof t - 1);
    yes("/proc/self/cwd is getcwd()", n > 0 && (size_t)n == strlen(cwd) && memcmp(t, cwd, n) == 0);
    show_link("/proc/self/root", "/proc/self/root");
    fdinfo_flags("fdinfo O_RDWR", file);
    fdinfo_flags("fdinfo O_WRONLY|O_APPEND", app);
    fdinfo_flags("fdinfo pipe read end", p[0]);
    fdinfo_flags("fdinfo O_CLOEXEC eventfd", ev);
    fdinfo_flags("fdinfo directory", dir);
    lseek(file, 5, SEEK_SET);
    snprintf(t, sizeof t, "/proc/self/fdinfo/%d", file);
    slurp(t);
    yes("fdinfo pos follows lseek", strncmp(buf, "pos:\t5\n", 7) == 0);
    struct stat st;
    snprintf(t, sizeof t, "/proc/self/fd/%d", file);
    check("lstat an fd link", lstat(t, &st));
    printf("its mode: %o\n", st.st_mode & 07777);
    snprintf(t, sizeof t, "/proc/self/fd/%d", app);
    lstat(t, &st);
    printf("a write-only one's: %o\n", st.st_mode & 07777);
    check("readlink a closed fd", readlink("/proc/self/fd/999", t, sizeof t));
    check("readlink fd/ with a letter", readlink("/proc/self/fd/x", t, sizeof t));
    check("open fdinfo of a closed fd", open("/proc/self/fdinfo/999", O_RDONLY));
    close(file);
    close(dir);
    close(p[0]);
    close(p[1]);
    close(ev);
    close(ep);
    close(app);
    unlink("procfs.tmp");
}

static void stat_line(void)
{
    check("read /proc/self/stat", slurp("/proc/self/stat") > 0 ? 0 : -1);
    int fields = 2;                      // pid and (comm), then one per space
    for (char *s = strrchr(buf, ')'); s && *s; s++)
        fields += *s == ' ';
    printf("stat fields: %d\n", fields);
    char *rest = strrchr(buf, ')');
    int pid = (int)strtol(buf, NULL, 10), threads;
    char state = rest ? rest[2] : 0;
    int ppid = rest ? (int)strtol(rest + 4, NULL, 10) : -1;
    unsigned long long f[52] = { 0 };
    char *s = rest ? rest + 2 : buf;
    for (int i = 3; i <= 52 && s; i++) {
        if (i != 3)
            f[i - 1] = strtoull(s, NULL, 10);
        s = strchr(s, ' ');
        s = s ? s + 1 : NULL;
    }
    threads = (int)f[19];
    yes("pid is getpid()", pid == getpid());
    printf("state: %c\n", state);
    yes("ppid is getppid()", ppid == getppid());
    printf("threads: %d\n", threads);
    yes("vsize > 0", f[22] > 0);
    yes("arg_start < arg_end", f[47] < f[48]);
    yes("env_start < env_end", f[49] < f[50]);
    check("read /proc/self/status", slurp("/proc/self/status") > 0 ? 0 : -1);
    yes("status: State: R (running)", strstr(buf, "\nState:\tR (running)\n") != NULL);
    yes("status: Name: t_procfs", strncmp(buf, "Name:\tt_procfs\n", 15) == 0);
    yes("status: Threads: 1", strstr(buf, "\nThreads:\t1\n") != NULL);
}

static void environ_file(void)
{
    long n = slurp("/proc/self/environ");
    long want = 0;
    for (char **e = environ; *e; e++)
        want += (long)strlen(*e) + 1;
    int same = n == want;
    char *s = buf;
    for (char **e = environ; *e && same; e++, s += strlen(s) + 1)
        same = strcmp(s, *e) == 0;
    yes("environ is our environment", same);
}

static void sys_kernel(void)
{
    slurp("/proc/sys/kernel/ostype");
    printf("ostype: %s", buf);
    slurp("/proc/sys/kernel/pid_max");
    printf("pid_max: %s", buf);
    slurp("/proc/sys/kernel/hostname");
    struct { char s[65], n[65], r[65], v[65], m[65], d[65]; } u;
    syscall(SYS_uname, &u);
    yes("hostname is uname's nodename", strncmp(buf, u.n, strlen(u.n)) == 0 && buf[strlen(u.n)] == '\n');
    slurp("/proc/sys/kernel/osrelease");
    yes("osrelease is uname's release", strncmp(buf, u.r, strlen(u.r)) == 0);
    printf("uname sysname: %s\n", u.s);
}

static void as_user(void)
{
    check("setuid 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
    check("open hostname for writing", open("/proc/sys/kernel/hostname", O_WRONLY));
    check("sethostname", sethostname("x", 1));
    check("open /proc/1/environ", open("/proc/1/environ", O_RDONLY));
}

static void errors(void)
{
    char b[8];
    check("open /proc/self/stat O_WRONLY", open("/proc/self/stat", O_WRONLY));
    int fd = open("/proc/self/stat", O_RDONLY);
    check("write to it opened O_RDONLY", write(fd, "x", 1));
    close(fd);
    check("creat in /proc", open("/proc/newfile", O_CREAT | O_WRONLY, 0644));
    check("mkdir in /proc/self", mkdir("/proc/self/newdir", 0755));
    check("unlink /proc/self/stat", unlink("/proc/self/stat"));
    check("open /proc/self/nonexistent", open("/proc/self/nonexistent", O_RDONLY));
    check("open /proc/999999/stat", open("/proc/999999/stat", O_RDONLY));
    check("readlink /proc/self/stat", readlink("/proc/self/stat", b, sizeof b));
    check("read /proc/self/fd (a directory)", read(open("/proc/self/fd", O_RDONLY), b, sizeof b));
}

int main(void)
{
    begin("t_procfs");
    mount_proc();
    links();
    stat_line();
    environ_file();
    sys_kernel();
    errors();
    in_child("as uid 1000", as_user);
    return done();
}
