// usertests_mem.c: bad pointers, user faults, the stack guard, brk, running out of memory.
#include "usertests.h"

#define TOP_MINUS_8 0x7fffffffeff8ul     // USER_TOP - 8: with a large length, runs off the top
static const unsigned long bad[] = {
    0, 1, 0xffffffff80000000ul, 0x8000000000000000ul, TOP_MINUS_8,
};
#define NBAD (sizeof bad / sizeof bad[0])
static unsigned long len_for(unsigned long p) { return p == TOP_MINUS_8 ? 1ul << 20 : 4096; }

#define EXPECT_EFAULT(call, what, p) do {                                                  \
        long r_ = (call);                                                                  \
        CHECK(r_ == -EFAULT, "%s with %#lx: returned %ld, not -EFAULT", what, p, r_);     \
    } while (0)

static long sc(long n, long a, long b, long c, long d) { return __syscall(n, a, b, c, d, 0, 0); }

void t_badptr(void) {
    int zero = open("/dev/zero", O_RDONLY), fds[2], dir = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(zero >= 0 && dir >= 0 && pipe(fds) == 0, "setup: errno %d", errno);
    struct stat st;
    struct timespec ts = { 0, 1000 };
    for (size_t i = 0; i < NBAD; i++) {
        unsigned long p = bad[i], len = len_for(p);
        EXPECT_EFAULT(sc(SYS_read, zero, p, len, 0), "read", p);
        EXPECT_EFAULT(sc(SYS_write, fds[1], p, len, 0), "write to a pipe", p);
        EXPECT_EFAULT(sc(SYS_open, p, O_RDONLY, 0, 0), "open path", p);
        EXPECT_EFAULT(sc(SYS_stat, p, (long)&st, 0, 0), "stat path", p);
        EXPECT_EFAULT(sc(SYS_stat, (long)"/", p, 0, 0), "stat buffer", p);
        EXPECT_EFAULT(sc(SYS_fstat, zero, p, 0, 0), "fstat buffer", p);
        EXPECT_EFAULT(sc(SYS_pipe, p, 0, 0, 0), "pipe fds", p);
        EXPECT_EFAULT(sc(SYS_nanosleep, p, 0, 0, 0), "nanosleep request", p);
        EXPECT_EFAULT(sc(SYS_clock_gettime, CLOCK_MONOTONIC, p, 0, 0), "clock_gettime", p);
        EXPECT_EFAULT(sc(SYS_uname, p, 0, 0, 0), "uname", p);
        EXPECT_EFAULT(sc(SYS_getcwd, p, len, 0, 0), "getcwd", p);
        if (p) {    // NULL is allowed for these: "no new action", "no old one", "no status"
            EXPECT_EFAULT(sc(SYS_rt_sigaction, SIGUSR1, p, 0, 8), "rt_sigaction act", p);
            EXPECT_EFAULT(sc(SYS_rt_sigaction, SIGUSR1, 0, p, 8), "rt_sigaction oldact", p);
            EXPECT_EFAULT(sc(SYS_rt_sigprocmask, SIG_BLOCK, p, 0, 8), "rt_sigprocmask set", p);
            EXPECT_EFAULT(sc(SYS_rt_sigprocmask, SIG_BLOCK, 0, p, 8), "rt_sigprocmask oldset", p);
        }
        EXPECT_EFAULT(sc(SYS_getdents64, dir, p, len, 0), "getdents64", p);
        EXPECT_EFAULT(sc(SYS_sysinfo_, p, 0, 0, 0), "sysinfo", p);
        EXPECT_EFAULT(sc(SYS_chdir, p, 0, 0, 0), "chdir", p);
        EXPECT_EFAULT(sc(SYS_mkdir, p, 0755, 0, 0), "mkdir", p);
        EXPECT_EFAULT(sc(SYS_unlink, p, 0, 0, 0), "unlink", p);
        EXPECT_EFAULT(sc(SYS_writev, fds[1], p, 1, 0), "writev iov", p);
        if (!p)
            continue;
        pid_t pid = fork();
        CHECK(pid >= 0, "fork: errno %d", errno);
        if (pid == 0)
            _exit(3);
        EXPECT_EFAULT(sc(SYS_wait4, pid, p, 0, 0), "wait4 status", p);
        waitpid(pid, NULL, 0);     // in case the kernel kept the zombie
    }
    // The calls still work: nothing was left half done.
    char buf[8];
    CHECK(read(zero, buf, sizeof buf) == 8, "read after: errno %d", errno);
    CHECK(nanosleep(&ts, NULL) == 0, "nanosleep after: errno %d", errno);
    CHECK(write(fds[1], "x", 1) == 1 && read(fds[0], buf, 8) == 1 && buf[0] == 'x',
          "the pipe lost its way after the bad writes");
}

// execve in a grandchild: if a bad pointer were accepted, it would become /bin/true and
// exit 0, not 42.
static void badptr_exec_child(void) {
    char *argv[] = { "true", NULL }, *envp[] = { NULL };
    for (size_t i = 0; i < NBAD; i++) {
        unsigned long p = bad[i];
        EXPECT_EFAULT(sc(SYS_execve, p, (long)argv, (long)envp, 0), "execve path", p);
        if (p) {     // Linux takes NULL argv and envp as empty
            EXPECT_EFAULT(sc(SYS_execve, (long)"/bin/true", p, (long)envp, 0), "execve argv", p);
            EXPECT_EFAULT(sc(SYS_execve, (long)"/bin/true", (long)argv, p, 0), "execve envp", p);
            char *argv2[] = { "true", (char *)p, NULL }, *envp2[] = { (char *)p, NULL };
            EXPECT_EFAULT(sc(SYS_execve, (long)"/bin/true", (long)argv2, (long)envp, 0),
                          "execve argv[1]", p);
            EXPECT_EFAULT(sc(SYS_execve, (long)"/bin/true", (long)argv, (long)envp2, 0),
                          "execve envp[0]", p);
        }
    }
    _exit(42);
}

void t_badptr_exec(void) {
    int st = in_child(badptr_exec_child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "child %s", describe(st));
}

// ---------------------------------------------------------------- faults

static void f_null(void)         { *(volatile int *)0 = 1; }
static void f_kernel(void)       { *(volatile int *)0xffffffff80000000ul = 1; }
static void f_noncanonical(void) { (void)*(volatile int *)0x0000800000000000ul; }
static void f_write_text(void)   { *(volatile unsigned char *)(void *)f_null = 0xc3; }
static void f_exec_data(void) {
    static unsigned char ret[1] = { 0xc3 };
    ((void (*)(void))(void *)ret)();
}
static void f_ud2(void)  { __asm__ volatile("ud2"); }
static void f_int3(void) { __asm__ volatile("int3"); }
static void f_hlt(void)  { __asm__ volatile("hlt"); }
static void f_div0(void) {
    unsigned long a = 1, zero = 0;
    __asm__ volatile("xor %%edx, %%edx; divq %1" : "+a"(a) : "r"(zero) : "rdx");
}
static void f_read_ktext(void)  { (void)*(volatile long *)0xffffffff80000000ul; }
static void f_read_kdirect(void){ (void)*(volatile long *)0xffff888000000000ul; }
static void f_read_ktop(void)   { (void)*(volatile long *)0xfffffffffffff000ul; }

static const struct fault { const char *name; void (*fn)(void); int sig; } faults[] = {
    { "NULL write", f_null, SIGSEGV }, { "kernel write", f_kernel, SIGSEGV },
    { "noncanonical read", f_noncanonical, SIGSEGV }, { "write to text", f_write_text, SIGSEGV },
    { "exec data", f_exec_data, SIGSEGV }, { "ud2", f_ud2, SIGILL }, { "int3", f_int3, SIGTRAP },
    { "hlt", f_hlt, SIGSEGV }, { "divide by zero", f_div0, SIGFPE },
};
static const struct fault kreads[] = {
    { "read kernel text", f_read_ktext, SIGSEGV }, { "read direct map", f_read_kdirect, SIGSEGV },
    { "read top page", f_read_ktop, SIGSEGV }, { "write own text", f_write_text, SIGSEGV },
};

static void expect_faults(const struct fault *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int st = in_child(f[i].fn);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == f[i].sig, "%s: %s, not signal %d", f[i].name,
              describe(st), f[i].sig);
    }
}
void t_faults(void)      { expect_faults(faults, sizeof faults / sizeof faults[0]); }
void t_kernel_read(void) { expect_faults(kreads, sizeof kreads / sizeof kreads[0]); }

static int depth;
static void recurse(void) {
    volatile char big[4096];
    big[0] = (char)depth;
    if (++depth > 0)
        recurse();
    big[1] = big[0];
}
void t_stack_guard(void) {
    int st = in_child(recurse);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "infinite recursion: %s", describe(st));
}

// ---------------------------------------------------------------- brk

void t_brk(void) {
    char *cur = (char *)__syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
    CHECK(cur && (long)cur > 0, "brk(0) = %p", (void *)cur);
    char *want = cur + 64 * 1024;
    CHECK((char *)__syscall(SYS_brk, (long)want, 0, 0, 0, 0, 0) == want, "grow by 64K refused");
    for (char *q = cur; q < want; q++)
        CHECK(*q == 0, "new break memory not zero at +%ld", (long)(q - cur));
    memset(cur, 0xa5, 64 * 1024);
    CHECK((char *)__syscall(SYS_brk, (long)cur, 0, 0, 0, 0, 0) == cur, "shrink refused");
    CHECK((char *)__syscall(SYS_brk, (long)want, 0, 0, 0, 0, 0) == want, "regrow refused");
    for (char *q = cur; q < want; q += 1024)
        CHECK(*q == 0, "regrown memory kept old bytes at +%ld", (long)(q - cur));
    unsigned long ram = total_ram_bytes();
    long huge = (long)cur + (long)(4 * ram) + (1l << 30);
    long r = __syscall(SYS_brk, huge, 0, 0, 0, 0, 0);
    CHECK(r == (long)want, "brk(+%lu MB, more than RAM) = %#lx, not the old break %p",
          (unsigned long)(huge - (long)cur) >> 20, r, (void *)want);
    r = __syscall(SYS_brk, 0x800000000000l, 0, 0, 0, 0, 0);
    CHECK(r == (long)want, "brk(noncanonical) = %#lx, not the old break", r);
    CHECK((char *)__syscall(SYS_brk, (long)cur, 0, 0, 0, 0, 0) == cur, "shrink back refused");
    // sbrk, as libc does it
    char *s = sbrk(8192);
    CHECK(s != (char *)-1, "sbrk: errno %d", errno);
    for (int i = 0; i < 8192; i++)
        CHECK(s[i] == 0, "sbrk memory not zero at +%d", i);
    CHECK(sbrk(-8192) == s + 8192, "sbrk(-8192) failed");
}

// ---------------------------------------------------------------- out of memory

// Touches memory, 1 MB at a time, until the kernel kills it. On the host, an address
// space limit stands in for the small machine: mmap fails and it exits 3.
static void hog(void) {
    if (!ut_lantern) {
        unsigned long lim[2] = { 256ul << 20, 256ul << 20 };
        __syscall(SYS_setrlimit_, 9 /* RLIMIT_AS */, (long)lim, 0, 0, 0, 0);
    }
    unsigned long limit = total_ram_bytes() * 4 + (64ul << 20);
    for (unsigned long done = 0; done < limit; done += 1 << 20) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            _exit(3);
        for (int i = 0; i < 1 << 20; i += 4096)
            p[i] = 1;
    }
    _exit(4);     // never killed
}

static void exit5(void) { _exit(5); }

void t_oom(void) {
    int st = in_child(hog);
    if (ut_lantern)
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "memory hog %s, not SIGKILL", describe(st));
    else
        CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (WIFEXITED(st) && WEXITSTATUS(st) == 3),
              "memory hog %s", describe(st));
    for (int i = 0; i < 3; i++) {
        st = in_child(exit5);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "fork after OOM: child %s", describe(st));
    }
}

void t_mmap_huge(void) {
    unsigned long ram = total_ram_bytes();
    CHECK(ram > 0, "sysinfo: errno %d", errno);
    unsigned long len = (ram * 2 + 4095) & ~4095ul;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p == MAP_FAILED && errno == ENOMEM, "mmap of %lu MB (twice RAM) = %p, errno %d, not ENOMEM",
          len >> 20, p, p == MAP_FAILED ? errno : 0);
    p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "a 1 MB mmap after: errno %d", errno);
    CHECK(munmap(p, 1 << 20) == 0, "munmap: errno %d", errno);
}

// Copy-on-write fork: four children of a process with 12 MiB written, alive at once, in a
// 32 MiB machine - 60 MiB if fork copied. Each sees the parent's data, writes its own page,
// and nobody sees anyone else's writes.
#define COW_LEN (12ul << 20)
#define COW_KIDS 4

static int cow_child(volatile char *p, int k, int release) {
    int bad = 0;
    for (unsigned long i = 0; i < COW_LEN / 4096; i++)
        bad += p[i * 4096] != (char)(i * 7);
    p[k * 4096] = 'c';                       // its own copy of this page from now on
    char c;
    read(release, &c, 1);                    // until the parent has written too
    bad += p[k * 4096] != 'c' || p[COW_KIDS * 4096] != (char)(COW_KIDS * 7);
    return bad ? 1 : 0;
}

void t_cow(void) {
    volatile char *p = mmap(NULL, COW_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: errno %d", errno);
    for (unsigned long i = 0; i < COW_LEN / 4096; i++)
        p[i * 4096] = (char)(i * 7);
    int gate[2];
    CHECK(pipe(gate) == 0, "pipe: errno %d", errno);
    pid_t kids[COW_KIDS];
    for (int k = 0; k < COW_KIDS; k++) {
        kids[k] = fork();
        CHECK(kids[k] >= 0, "fork %d: errno %d", k, errno);
        if (kids[k] == 0) {
            close(gate[1]);
            _exit(cow_child(p, k, gate[0]));
        }
    }
    p[COW_KIDS * 4096 + 1] = 'p';            // the parent writes a shared page as well
    close(gate[1]);                          // let them check and go
    close(gate[0]);
    for (int k = 0; k < COW_KIDS; k++) {
        int st;
        CHECK(waitpid(kids[k], &st, 0) == kids[k], "waitpid: errno %d", errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d %s", k, describe(st));
    }
    for (int k = 0; k < COW_KIDS; k++)
        CHECK(p[k * 4096] == (char)(k * 7), "page %d: a child's write reached the parent", k);
    CHECK(p[COW_KIDS * 4096 + 1] == 'p', "the parent lost its own write");
    CHECK(munmap((void *)p, COW_LEN) == 0, "munmap: errno %d", errno);
}
