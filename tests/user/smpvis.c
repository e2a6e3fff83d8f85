// smpvis.c: what a user can see of several CPUs (booted as init by tests/system/test_smp.py,
// Lantern only: the host has another number of CPUs and another load).
//
//   smpvis psr    one child pinned to each CPU (sched_setaffinity); each reads its own
//                 /proc/self/stat field 39 (processor) and getcpu, the parent reads the
//                 child's field 39 while it sleeps, then runs `ps -e -o pid,psr,comm`;
//                 then /proc/cpuinfo's and /proc/stat's CPUs, and /proc/interrupts whole.
//   smpvis load   /proc/loadavg and sysinfo's loads: after 6 s of idle, then while one
//                 process spins until the 1-minute load has moved (at most 60 s).
//   smpvis bkl    runs /bin/true 5 times, then prints /proc/bkl_stat read 7 bytes at a
//                 time; writes 0 to it, and 1 (which must fail), then prints it again.
//
// Lines start with "smpvis: "; the test reads them. At the end it powers the machine off
// (which also writes the event trace out, when the kernel was booted with `trace`).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SYS_sysinfo 99                   // Linux x86_64
#define SYS_getcpu_ 309
struct k_sysinfo {                       // Linux's struct sysinfo
    long uptime; unsigned long loads[3], totalram, freeram, sharedram, bufferram;
    unsigned long totalswap, freeswap; unsigned short procs, pad;
    unsigned long totalhigh, freehigh; unsigned int mem_unit; char reserved[4];
};
#define MAX_CPUS 64

static void fail(const char *what) {
    printf("smpvis: FAIL %s: %s\n", what, strerror(errno));
    reboot(RB_POWER_OFF);
    exit(1);
}

static long read_file(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

// Field 39 of /proc/<pid>/stat (pid 0: self), counted after the last ')' (field 2 ends there).
static long stat_processor(int pid) {
    char path[64], buf[1024];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
    else
        snprintf(path, sizeof path, "/proc/self/stat");
    if (read_file(path, buf, sizeof buf) <= 0)
        return -1;
    char *p = strrchr(buf, ')');
    for (int field = 2; p && field < 39; field++)
        p = strchr(p + 1, ' ');
    return p ? strtol(p + 1, NULL, 10) : -1;
}

static int cpus_online(void) {
    unsigned long mask[MAX_CPUS / 64] = { 0 };
    if (syscall(SYS_sched_getaffinity, 0, sizeof mask, mask) < 0)
        fail("sched_getaffinity");
    int n = 0;
    for (unsigned long m = mask[0]; m; m &= m - 1)
        n++;
    return n;
}

static void pinned_child(int cpu, int ready) {
    unsigned long mask = 1ul << cpu;
    if (syscall(SYS_sched_setaffinity, 0, sizeof mask, &mask) < 0)
        fail("sched_setaffinity");
    unsigned here = 99;
    syscall(SYS_getcpu_, &here, NULL, NULL);
    printf("smpvis: child %d: getcpu %u, own stat field 39 %ld\n", cpu, here, stat_processor(0));
    fflush(stdout);
    write(ready, "x", 1);
    for (;;)
        pause();                         // sleeps until the parent's SIGKILL
}

static void run_ps(void) {
    fflush(stdout);
    int pid = fork();
    if (pid == 0) {
        char *argv[] = { "ps", "-e", "-o", "pid,psr,comm", NULL }, *envp[] = { NULL };
        execve("/bin/ps", argv, envp);
        fail("execve /bin/ps");
    }
    int status;
    waitpid(pid, &status, 0);
    printf("smpvis: ps exit status %d\n", status);
}

// /proc/cpuinfo's processor and apicid lines, and /proc/stat's per-CPU lines: their names
// and whether the CPU has spent any time at all.
static void show_cpus(void) {
    static char buf[65536];
    if (read_file("/proc/cpuinfo", buf, sizeof buf) <= 0)
        fail("/proc/cpuinfo");
    char *save;
    printf("smpvis: cpuinfo:");
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, "processor", 9) || !strncmp(line, "apicid", 6))
            printf(" %s%s", line[0] == 'p' ? "processor " : "apicid ", strchr(line, ':') + 2);
    printf("\n");
    if (read_file("/proc/stat", buf, sizeof buf) <= 0)
        fail("/proc/stat");
    printf("smpvis: stat:");
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "cpu", 3) != 0 || line[3] == ' ')
            continue;
        char *end;
        unsigned long sum = 0;
        for (char *p = strchr(line, ' '); p && *p; p = end) {
            sum += strtoul(p, &end, 10);
            if (end == p)
                break;
        }
        *strchr(line, ' ') = '\0';
        printf(" %s:%s", line, sum ? "ticks" : "none");
    }
    printf("\n");
    if (read_file("/proc/interrupts", buf, sizeof buf) <= 0)
        fail("/proc/interrupts");
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        printf("smpvis: interrupts:%s\n", line);
}

static void psr(void) {
    int n = cpus_online(), pids[MAX_CPUS], ready[2];
    printf("smpvis: cpus %d\n", n);
    if (pipe(ready) < 0)
        fail("pipe");
    for (int cpu = 0; cpu < n; cpu++) {
        fflush(stdout);
        if ((pids[cpu] = fork()) == 0)
            pinned_child(cpu, ready[1]);
        if (pids[cpu] < 0)
            fail("fork");
    }
    char c;
    for (int i = 0; i < n; i++)          // every child has pinned itself and said where
        if (read(ready[0], &c, 1) != 1)
            fail("read");
    for (int cpu = 0; cpu < n; cpu++)
        printf("smpvis: pid %d pinned to %d: stat field 39 %ld\n", pids[cpu], cpu,
               stat_processor(pids[cpu]));
    run_ps();
    show_cpus();
    for (int cpu = 0; cpu < n; cpu++) {
        kill(pids[cpu], SIGKILL);
        waitpid(pids[cpu], NULL, 0);
    }
}

// /proc/loadavg's line, and sysinfo's loads printed the way /proc/loadavg prints them
// (sysinfo has 16 fraction bits, /proc/loadavg rounds to two decimals from 11).
static void show_load(const char *when) {
    char line[128];
    if (read_file("/proc/loadavg", line, sizeof line) <= 0)
        fail("/proc/loadavg");
    struct k_sysinfo si;
    if (syscall(SYS_sysinfo, &si) < 0)
        fail("sysinfo");
    line[strcspn(line, "\n")] = '\0';
    printf("smpvis: %s: loadavg %s\n", when, line);
    printf("smpvis: %s: sysinfo", when);
    for (int i = 0; i < 3; i++) {
        unsigned long a = (si.loads[i] >> 5) + 2048 / 200;
        printf(" %lu.%02lu", a >> 11, ((a & 2047) * 100) >> 11);
    }
    printf("\n");
}

// The 1-minute load in hundredths ("0.08" -> 8).
static long load1(void) {
    char line[128], *end;
    if (read_file("/proc/loadavg", line, sizeof line) <= 0)
        return -1;
    long whole = strtol(line, &end, 10);
    return *end == '.' ? whole * 100 + strtol(end + 1, NULL, 10) : -1;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void load(void) {
    struct timespec six = { 6, 0 };
    nanosleep(&six, NULL);               // idle: the 5 s sample finds nothing running
    show_load("idle");
    fflush(stdout);
    int pid = fork();
    if (pid == 0) {                      // spins until the 1-minute load has moved
        long start = now_ms();
        while (load1() == 0 && now_ms() - start < 60000)
            for (volatile int i = 0; i < 1000000; i++)
                ;
        show_load("busy");
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    char line[128];                      // the last pid used is the child's
    read_file("/proc/loadavg", line, sizeof line);
    char *last = strrchr(line, ' ');
    printf("smpvis: last pid %ld, child %d\n", last ? strtol(last + 1, NULL, 10) : -1L, pid);
}

// The file read in pieces of 7 bytes, each line printed after "smpvis: <what>: ".
static void show_in_pieces(const char *path, const char *what) {
    static char text[8192];
    size_t len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail(path);
    long n;
    while (len + 7 < sizeof text && (n = read(fd, text + len, 7)) > 0)
        len += (size_t)n;
    close(fd);
    text[len] = '\0';
    for (char *line = text, *end; *line; line = end + 1) {
        if (!(end = strchr(line, '\n')))
            end = line + strlen(line) - 1;   // (a last line without its newline)
        else
            *end = '\0';
        printf("smpvis: %s: %s\n", what, line);
    }
}

static void bkl(void) {
    for (int i = 0; i < 5; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *argv[] = { "true", NULL };
            execv("/bin/true", argv);
            _exit(127);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
            fail("fork+exec /bin/true");
    }
    show_in_pieces("/proc/bkl_stat", "bkl");
    int fd = open("/proc/bkl_stat", O_WRONLY);
    long cleared = fd < 0 ? -1 : write(fd, "0\n", 2);
    long one = fd < 0 ? -1 : write(fd, "1\n", 2);
    printf("smpvis: write 0: %ld, write 1: %ld %s\n", cleared, one, one < 0 ? strerror(errno) : "");
    if (fd >= 0)
        close(fd);
    show_in_pieces("/proc/bkl_stat", "bkl after");
}

int main(int argc, char **argv) {
    mount("proc", "/proc", "proc", 0, NULL);   // as init, nobody has mounted it yet
    if (argc > 1 && !strcmp(argv[1], "psr"))
        psr();
    else if (argc > 1 && !strcmp(argv[1], "load"))
        load();
    else if (argc > 1 && !strcmp(argv[1], "bkl"))
        bkl();
    else
        printf("usage: smpvis psr|load|bkl\n");
    printf("smpvis: done\n");
    fflush(stdout);
    reboot(RB_POWER_OFF);
    return 0;
}
