// ps: list processes, from /proc, like procps ps.
//
//     ps        the processes on my terminal that are mine (same effective uid)
//     ps -e     every process (-A is the same)
//     ps -o pid,psr,comm    these columns instead of the default ones (pid,tname,time,ucmd)
//
//     PID TTY          TIME CMD          PID PSR COMMAND
//       1 ?        00:00:00 init           1   2 init
//
// The columns -o knows, with procps' headers and widths: pid, ppid, psr (the CPU it last
// ran on), tty and tname (its terminal), time (CPU time), comm and ucmd (its name).
//
// Everything comes from /proc/<pid>/stat, one line in Linux's format:
//     pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
//     cmajflt utime stime ... (field 39: processor, the CPU it last ran on)
// comm (the program's name, at most 15 bytes) may itself hold spaces and parentheses, so
// the fields after it are found from the LAST ')'. utime and stime are in clock ticks,
// which Linux always reports as 1/100 s (USER_HZ) whatever its real timer rate is.
// The effective uid is the second number of the "Uid:" line of /proc/<pid>/status.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USER_HZ 100

struct proc {
    int pid;
    char comm[64];
    char state;
    unsigned long tty;           // tty_nr: the controlling terminal's device number, or 0
    unsigned long ticks;         // utime + stime
    int ppid;
    int psr;                     // processor: the CPU it last ran on
};

// Read a small /proc file into buf, NUL-terminated. Returns its length, or -1.
static long read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += n;
    close(fd);
    buf[len] = '\0';
    return (long)len;
}

// Fill p from /proc/<pid>/stat. Returns -1 if the process is gone (it may exit at any
// moment while we look) or the line makes no sense.
static int read_stat(int pid, struct proc *p)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (read_file(path, buf, sizeof buf) <= 0)
        return -1;
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
        return -1;
    size_t len = close_paren - open_paren - 1;
    if (len >= sizeof p->comm)
        len = sizeof p->comm - 1;
    memcpy(p->comm, open_paren + 1, len);
    p->comm[len] = '\0';
    p->pid = pid;

    // Fields 3 on (state is field 3): split the rest at spaces.
    char *field[40], *save, *s = close_paren + 1;
    int n = 0;
    for (char *t = strtok_r(s, " ", &save); t && n < 40; t = strtok_r(NULL, " ", &save))
        field[n++] = t;
    if (n < 13)
        return -1;
    p->state = field[0][0];                       // field 3
    p->ppid = (int)strtol(field[1], NULL, 10);    // field 4
    p->tty = strtoul(field[4], NULL, 10);         // field 7
    p->ticks = strtoul(field[11], NULL, 10) + strtoul(field[12], NULL, 10);  // 14, 15
    p->psr = n > 36 ? (int)strtol(field[36], NULL, 10) : 0;                  // 39
    return 0;
}

// The effective uid from /proc/<pid>/status, or -1.
static long read_euid(int pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (read_file(path, buf, sizeof buf) <= 0)
        return -1;
    char *line = strstr(buf, "\nUid:");
    if (line == NULL)
        return -1;
    char *end;
    strtoul(line + 5, &end, 10);                  // the real uid, then the effective one
    return (long)strtoul(end, NULL, 10);
}

// A terminal's name from its device number, for the usual kinds of terminal: procps
// would also search /dev for others.
static void tty_name(unsigned long dev, char *buf, size_t size)
{
    unsigned major = (dev >> 8) & 0xfff, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    if (dev == 0)
        snprintf(buf, size, "?");
    else if (major == 4 && minor < 64)
        snprintf(buf, size, "tty%u", minor);      // virtual consoles
    else if (major == 4)
        snprintf(buf, size, "ttyS%u", minor - 64);   // serial ports
    else if (major >= 136 && major <= 143)
        snprintf(buf, size, "pts/%u", (major - 136) * 256 + minor);   // pseudo-terminals
    else if (major == 5 && minor == 1)
        snprintf(buf, size, "console");
    else if (major == 5 && minor == 0)
        snprintf(buf, size, "tty");
    else
        snprintf(buf, size, "?");
}

// ---------------------------------------------------------------- the columns

enum key { K_PID, K_PPID, K_PSR, K_TTY, K_TNAME, K_TIME, K_COMM, K_UCMD };
struct column {
    const char *name, *header;
    int width;                   // 0: as wide as the largest pid (pid_width)
    bool left;                   // left-aligned (the last column is not padded then)
};
static const struct column columns[] = {
    [K_PID] = { "pid", "PID", 0, false },      [K_PPID] = { "ppid", "PPID", 0, false },
    [K_PSR] = { "psr", "PSR", 3, false },      [K_TTY] = { "tty", "TT", 8, true },
    [K_TNAME] = { "tname", "TTY", 8, true },   [K_TIME] = { "time", "TIME", 8, false },
    [K_COMM] = { "comm", "COMMAND", 15, true }, [K_UCMD] = { "ucmd", "CMD", 15, true },
};
#define NKEYS (int)(sizeof columns / sizeof columns[0])
#define MAX_COLUMNS 32

static int pid_width = 5;        // procps: as wide as kernel.pid_max's digits, at least 5

// Adds the columns of a -o list ("pid,psr,comm") to keys; -1 on a name it does not know.
static int parse_format(char *list, enum key *keys, int *nkeys)
{
    char *save;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < NKEYS && strcmp(columns[k].name, name) != 0)
            k++;
        if (k == NKEYS || *nkeys == MAX_COLUMNS) {
            fprintf(stderr, "ps: unknown -o column '%s' (pid ppid psr tty tname time comm ucmd)\n",
                    name);
            return -1;
        }
        keys[(*nkeys)++] = (enum key)k;
    }
    return 0;
}

// CPU time as [DD-]HH:MM:SS.
static void format_time(unsigned long ticks, char *buf, size_t size)
{
    unsigned long s = ticks / USER_HZ;
    if (s >= 86400)
        snprintf(buf, size, "%lu-%02lu:%02lu:%02lu", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%02lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static void value(const struct proc *p, enum key k, char *buf, size_t size)
{
    switch (k) {
    case K_PID:   snprintf(buf, size, "%d", p->pid); break;
    case K_PPID:  snprintf(buf, size, "%d", p->ppid); break;
    case K_PSR:   snprintf(buf, size, "%d", p->psr); break;
    case K_TTY: case K_TNAME: tty_name(p->tty, buf, size); break;
    case K_TIME:  format_time(p->ticks, buf, size); break;
    case K_COMM: case K_UCMD:
        snprintf(buf, size, "%s%s", p->comm, p->state == 'Z' ? " <defunct>" : "");
        break;
    }
}

// One line: the header (p == NULL) or a process's values, a space between columns.
static void print_row(const struct proc *p, const enum key *keys, int nkeys)
{
    for (int i = 0; i < nkeys; i++) {
        const struct column *c = &columns[keys[i]];
        char buf[96];
        if (p)
            value(p, keys[i], buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "%s", c->header);
        int width = c->width ? c->width : pid_width;
        if (c->left && i == nkeys - 1)
            width = 0;
        printf(c->left ? "%s%-*s" : "%s%*s", i ? " " : "", width, buf);
    }
    printf("\n");
}

static int by_pid(const void *a, const void *b)
{
    return ((const struct proc *)a)->pid - ((const struct proc *)b)->pid;
}

int main(int argc, char **argv)
{
    int all = 0, c, nkeys = 0;
    enum key keys[MAX_COLUMNS];

    while ((c = getopt(argc, argv, "eAo:")) != -1) {
        if (c == 'e' || c == 'A') {
            all = 1;
        } else if (c == 'o') {
            if (parse_format(optarg, keys, &nkeys) < 0)
                return 1;
        } else {
            fprintf(stderr, "Usage: ps [-e] [-o column,...]\n");
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ps: unsupported argument '%s'\nUsage: ps [-e] [-o column,...]\n",
                argv[optind]);
        return 1;
    }
    if (nkeys == 0) {                             // procps' default: pid,tname,time,ucmd
        static const enum key defaults[] = { K_PID, K_TNAME, K_TIME, K_UCMD };
        memcpy(keys, defaults, sizeof defaults);
        nkeys = 4;
    }

    DIR *d = opendir("/proc");
    if (d == NULL) {
        fprintf(stderr, "ps: cannot open /proc: %s (is proc mounted?)\n", strerror(errno));
        return 1;
    }
    struct proc self;
    if (read_stat(getpid(), &self) < 0) {
        fprintf(stderr, "ps: cannot read /proc/%d/stat\n", getpid());
        return 1;
    }
    long my_euid = geteuid();

    // Every directory whose name is a number is a process.
    struct proc *procs = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end != '\0')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            procs = realloc(procs, cap * sizeof *procs);
            if (procs == NULL) {
                fprintf(stderr, "ps: out of memory\n");
                return 1;
            }
        }
        if (read_stat((int)pid, &procs[n]) < 0)
            continue;
        if (!all && (procs[n].tty != self.tty || read_euid((int)pid) != my_euid))
            continue;
        n++;
    }
    closedir(d);
    qsort(procs, n, sizeof *procs, by_pid);

    // procps makes the PID column as wide as the largest possible pid (at least 5).
    char buf[32];
    if (read_file("/proc/sys/kernel/pid_max", buf, sizeof buf) > 0 &&
        (int)strcspn(buf, "\n") > pid_width)
        pid_width = (int)strcspn(buf, "\n");

    print_row(NULL, keys, nkeys);
    for (int i = 0; i < n; i++)
        print_row(&procs[i], keys, nkeys);
    return 0;
}
