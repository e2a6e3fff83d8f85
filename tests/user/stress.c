// stress.c: multitasking checks that only make sense on Lantern itself (booted as init by
// tests/system/test_multitasking.py, never as a parity program): scheduling fairness, CPU
// use of a sleeper, page accounting over thousands of forks, a fork bomb, Ctrl-C, the OOM
// killer, madvise freeing pages.
// Each mode prints "stress: MODE: ..." lines the test reads, then powers the machine off.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SYS_sysinfo 99                         // Linux x86_64
struct k_sysinfo {                       // Linux's struct sysinfo
    long uptime; unsigned long loads[3], totalram, freeram, sharedram, bufferram;
    unsigned long totalswap, freeswap; unsigned short procs, pad;
    unsigned long totalhigh, freehigh; unsigned int mem_unit; char reserved[4];
};
struct k_rusage { long utime_sec, utime_usec, stime_sec, stime_usec, rest[14]; };

static unsigned long free_pages(void) {
    struct k_sysinfo si;
    syscall(SYS_sysinfo, &si);
    return si.freeram;
}
static int nprocs(void) {
    struct k_sysinfo si;
    syscall(SYS_sysinfo, &si);
    return si.procs;
}
static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// Two CPU-bound children for a second: both must get the CPU. Both on CPU 0: fairness is
// the scheduler's time slicing; on CPUs of their own, under QEMU, it would be how the host
// shares its cores among the virtual CPUs (at -smp 4 on a busy host, often not within 3x).
static void cpu(void) {
    int fd[2];
    pipe(fd);
    unsigned long cpu0 = 1, all = ~0ul;
    syscall(SYS_sched_setaffinity, 0, sizeof cpu0, &cpu0);    // the children inherit it
    for (int i = 0; i < 2; i++) {
        if (fork() == 0) {
            long end = now_ms() + 1000, n = 0;
            while (now_ms() < end)
                n++;
            write(fd[1], &n, sizeof n);
            _exit(0);
        }
    }
    syscall(SYS_sched_setaffinity, 0, sizeof all, &all);
    long a, b;
    read(fd[0], &a, sizeof a);
    read(fd[0], &b, sizeof b);
    while (wait(NULL) > 0)
        ;
    printf("stress: cpu: both progressed: %s\n", a > 1000 && b > 1000 ? "yes" : "no");
    printf("stress: cpu: fair within 3x: %s\n", a < 3 * b && b < 3 * a ? "yes" : "no");
}

// A child that sleeps for a second must use (almost) no CPU time.
static void sleeper(void) {
    pid_t c = fork();
    if (c == 0) {
        struct timespec t = { 1, 0 };
        nanosleep(&t, NULL);
        _exit(0);
    }
    int st;
    struct k_rusage ru;
    long t0 = now_ms();
    syscall(SYS_wait4, c, &st, 0, &ru);
    long cpu_ms = ru.utime_sec * 1000 + ru.utime_usec / 1000;
    printf("stress: sleep: slept a second: %s\n", now_ms() - t0 >= 990 ? "yes" : "no");
    printf("stress: sleep: used under 50 ms of CPU: %s (%ld ms)\n", cpu_ms < 50 ? "yes" : "no", cpu_ms);
}

static void cycle(int n) {
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(i & 0x7f);
        int st;
        if (waitpid(c, &st, 0) != c || WEXITSTATUS(st) != (i & 0x7f))
            printf("stress: forkloop: cycle %d went wrong\n", i);
    }
}

static void forkloop(void) {
    cycle(10);                           // warm up: slabs and page tables settle
    unsigned long before = free_pages();
    cycle(3000);
    unsigned long after = free_pages();
    printf("stress: forkloop: 3000 cycles, free pages unchanged: %s (%lu -> %lu)\n",
           before == after ? "yes" : "no", before, after);
}

// Every child forks until the kernel says no; then the whole group is killed. Run twice:
// the first bomb may leave the kernel's caches bigger (page tables for 128 kernel stacks,
// a spare slab per size); after the second, every page must be back.
static void bomb(int round) {
    cycle(10);
    unsigned long before = free_pages();
    int go[2], report[2];
    pipe(go);
    pipe(report);
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        for (;;) {
            pid_t c = fork();
            if (c < 0) {
                int e = errno;
                write(report[1], &e, sizeof e);
                break;
            }
        }
        char x;
        read(go[0], &x, 1);              // wait here to be killed
        _exit(0);
    }
    int e;
    read(report[0], &e, sizeof e);       // the first child that hit the limit
    int peak = nprocs();
    printf("stress: forkbomb: hit the limit with %s: yes\n", e == EAGAIN ? "EAGAIN" : e == ENOMEM ? "ENOMEM" : strerror(e));
    kill(-leader, SIGKILL);
    close(go[0]);                        // (each pipe holds a 64 KiB buffer: 16 pages)
    close(go[1]);
    close(report[0]);
    close(report[1]);
    int reaped = 0;
    while (wait(NULL) > 0)               // the leader; its descendants come to us as orphans
        reaped++;
    printf("stress: forkbomb: peak %d processes, all gone: %s\n", peak, nprocs() == 1 ? "yes" : "no");
    cycle(10);                           // the same warm-up as before the bomb
    unsigned long after = free_pages();
    if (round == 2)
        printf("stress: forkbomb: every page back: %s (%lu -> %lu)\n",
               after == before ? "yes" : "no", before, after);
    (void)reaped;
}

static void forkbomb(void) {
    bomb(1);
    bomb(2);
}

// The OOM killer. A child touches memory until none is left: it must die of SIGKILL, not
// init. Then a child takes nearly all memory and waits, and init itself touches more: init's
// own page fault finds memory gone, the OOM killer kills the child (the largest process, and
// init is never chosen), and init's fault waits for its pages and carries on.
#define MiB (1ul << 20)
static void touch(char *p, unsigned long len) {
    for (unsigned long i = 0; i < len; i += 4096)
        p[i] = 1;
}

static void hog(int ready_fd) {
    for (;;) {
        char *p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            _exit(2);
        for (unsigned long i = 0; i < MiB; i += 4096) {
            p[i] = 1;
            if (ready_fd >= 0 && free_pages() < 32) {        // 128 KiB left: stop, and wait
                write(ready_fd, "r", 1);
                for (;;)
                    pause();
            }
        }
    }
}

static void oom_round(const char *what, int init_faults) {
    cycle(10);
    unsigned long before = free_pages();
    char *mine = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0)
        hog(init_faults ? ready[1] : -1);
    if (init_faults) {
        char x;
        read(ready[0], &x, 1);
        printf("stress: oom: %s: the hog has all but %lu pages: yes\n", what, free_pages());
        touch(mine, 2 * MiB);            // no memory left: this is where the OOM killer runs
        printf("stress: oom: %s: init's 2 MiB touched: yes\n", what);
    }
    int st;
    waitpid(c, &st, 0);
    printf("stress: oom: %s: the hog was killed by SIGKILL: %s\n", what,
           WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no");
    close(ready[0]);
    close(ready[1]);
    munmap(mine, 2 * MiB);
    cycle(10);
    unsigned long after = free_pages();
    printf("stress: oom: %s: its pages are back: %s (%lu -> %lu)\n", what,
           after + 16 >= before ? "yes" : "no", before, after);
}

static void oom(void) {
    oom_round("hog faults", 0);
    oom_round("init faults", 1);
}

// madvise(MADV_DONTNEED) and MADV_FREE give the pages back to the kernel at once; munmap
// of the rest leaves the free count where it started.
static void advice_frees(int advice, const char *name) {
    unsigned long before = free_pages();
    char *p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(p, 4 * MiB);
    unsigned long touched = free_pages();
    printf("stress: madvise: 4 MiB touched took 1024 pages or more: %s (%lu -> %lu)\n",
           before - touched >= 1024 ? "yes" : "no", before, touched);
    madvise(p, 4 * MiB, advice);
    unsigned long after = free_pages();
    printf("stress: madvise: %s gave them back: %s (%lu -> %lu)\n", name,
           after >= touched + 1024 ? "yes" : "no", touched, after);
    munmap(p, 4 * MiB);
    after = free_pages();
    printf("stress: madvise: after munmap, free pages as before: %s (%lu -> %lu)\n",
           after + 4 >= before ? "yes" : "no", before, after);
}

static void madvise_frees(void) {
    // A first round whose numbers nobody checks: exec maps this program from its file, so
    // the first run of the code below and the first writes to its data take pages (data is
    // copied on write, stdout's buffer is allocated), which the counts would see.
    printf("stress: warm-up: %lu free pages\n", free_pages());
    char *w = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(w, 4 * MiB);
    madvise(w, 4 * MiB, MADV_DONTNEED);
    munmap(w, 4 * MiB);
    advice_frees(MADV_DONTNEED, "MADV_DONTNEED");
    advice_frees(MADV_FREE, "MADV_FREE");
}

// A child reads the terminal; Ctrl-C typed on it must kill the child, not us (PID 1).
static void ctrlc(void) {
    pid_t c = fork();
    if (c == 0) {
        char buf[16];
        read(0, buf, sizeof buf);
        _exit(0);
    }
    struct timespec t = { 0, 200000000 };
    nanosleep(&t, NULL);
    printf("stress: ctrlc: ready\n");
    int st;
    waitpid(c, &st, 0);
    printf("stress: ctrlc: child killed by SIGINT: %s\n",
           WIFSIGNALED(st) && WTERMSIG(st) == SIGINT ? "yes" : "no");
}

static void show(const char *what, const char *buf, long n) {
    printf("stress: tty: %s: %ld \"", what, n);
    for (long i = 0; i < n; i++)
        printf(buf[i] == '\n' ? "\\n" : "%c", buf[i]);
    printf("\"\n");
}

// The terminal: lines with backspace editing, Ctrl-D for end of file, then raw mode.
static void tty(void) {
    char buf[64];
    printf("stress: tty: ready\n");
    show("line", buf, read(0, buf, sizeof buf));
    show("edited line", buf, read(0, buf, sizeof buf));
    show("end of file", buf, read(0, buf, sizeof buf));
    struct termios saved, raw;
    tcgetattr(0, &saved);
    raw = saved;
    raw.c_lflag &= ~(ICANON | ECHO);
    tcsetattr(0, TCSANOW, &raw);
    printf("stress: tty: raw\n");
    show("raw byte", buf, read(0, buf, 1));
    show("raw bytes", buf, read(0, buf, sizeof buf));
    tcsetattr(0, TCSANOW, &saved);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "cpu") == 0) cpu();
    else if (strcmp(mode, "sleep") == 0) sleeper();
    else if (strcmp(mode, "forkloop") == 0) forkloop();
    else if (strcmp(mode, "forkbomb") == 0) forkbomb();
    else if (strcmp(mode, "ctrlc") == 0) ctrlc();
    else if (strcmp(mode, "tty") == 0) tty();
    else if (strcmp(mode, "oom") == 0) oom();
    else if (strcmp(mode, "madvise") == 0) madvise_frees();
    else printf("stress: unknown mode %s\n", mode);
    printf("stress: done\n");
    if (getpid() == 1)
        reboot(RB_POWER_OFF);
    return 0;
}
