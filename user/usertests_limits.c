// usertests_limits.c: limits that grow with the machine - thousands of descriptors, thousands
// of processes, a thousand copy-on-write forks - and memory above 4 GiB.
//
// The big ones (forks_cow, procs_5000, highmem) run only when named on the command line
// (usertests NAME...), in a machine of the right size: tests/system/test_memory.py boots
// them. fds_4000 is cheap and runs with the others.
#include <poll.h>
#include "usertests.h"

#define RLIMIT_NOFILE_ 7

static long free_pages_now(void) {
    struct ut_sysinfo si;
    CHECK(__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) == 0, "sysinfo: errno %d", errno);
    return (long)(si.freeram * si.mem_unit / 4096);
}

// 4,000 descriptors open at once, after raising RLIMIT_NOFILE: the table grows past its
// first sizes, every descriptor works, poll sees the highest, and EMFILE comes at the limit.
static int fds[4000];

void t_fds_4000(void) {
    unsigned long lim[2] = { 4096, 4096 };
    CHECK(__syscall(SYS_setrlimit_, RLIMIT_NOFILE_, (long)lim, 0, 0, 0, 0) == 0,
          "setrlimit NOFILE 4096: errno %d", errno);
    int p[2];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    for (int n = 0; n < 4000; n++) {      // even n: the read end; odd n: the write end
        fds[n] = dup(p[n % 2]);
        CHECK(fds[n] >= 0, "dup number %d: errno %d", n, errno);
        CHECK(n == 0 || fds[n] > fds[n - 1], "dup gave %d after %d", fds[n], fds[n - 1]);
    }
    // On Lantern nothing else is open: the descriptors are contiguous.
    CHECK(!ut_lantern || fds[3999] == fds[0] + 3999, "4000 dups from %d ended at %d", fds[0], fds[3999]);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0, "close the pipe: errno %d", errno);
    CHECK(write(fds[1], "z", 1) == 1, "write through fd %d: errno %d", fds[1], errno);
    struct pollfd pfd = { fds[3998], POLLIN, 0 };
    CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN), "poll of fd %d: revents %#x",
          fds[3998], pfd.revents);
    char c;
    CHECK(read(fds[3998], &c, 1) == 1 && c == 'z', "read through fd %d", fds[3998]);
    int fd, last = -1;
    while ((fd = dup(fds[0])) >= 0)
        last = fd;
    CHECK(errno == EMFILE && last == 4095, "dup up to the limit: errno %d, last fd %d", errno, last);
    CHECK(dup2(fds[0], 4096) < 0 && errno == EBADF, "dup2 to 4096: errno %d", errno);
    for (int i = 0; i < 4000; i++)
        CHECK(close(fds[i]) == 0, "close %d: errno %d", fds[i], errno);
    // The rest, from the fill: whatever is still open above the first is ours.
    for (fd = fds[0]; fd <= 4095; fd++)
        close(fd);
}

// 1,000 forks of a process that has written 16 MiB, one after another, in a 64 MiB machine:
// without copy-on-write the second copy would not fit. Each child reads a page and writes
// one (its own copy); at the end every page is back.
#define COW_MIB 16
static int nforks;

static void forks_cow_body(void) {
    unsigned long len = COW_MIB << 20;
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mem != MAP_FAILED, "mmap: errno %d", errno);
    for (unsigned long i = 0; i < len; i += 4096)
        mem[i] = (char)(i >> 12);
    long before = 0;
    for (int k = 0; k < nforks; k++) {
        if (k == 1)
            before = free_pages_now();   // after the first: the process table has its entry
        pid_t pid = fork();
        CHECK(pid >= 0, "fork %d: errno %d", k, errno);
        if (pid == 0) {
            unsigned long page = (unsigned long)k * 4099 % (len / 4096);
            int ok = mem[page * 4096] == (char)page;
            mem[page * 4096] = 'c';
            _exit(ok ? 0 : 9);
        }
        int st = wait_for(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d %s", k, describe(st));
    }
    long after = free_pages_now();
    CHECK(!ut_lantern || after >= before, "%ld pages lost over %d forks", before - after, nforks);
    for (unsigned long i = 0; i < len; i += 4096)
        CHECK(mem[i] == (char)(i >> 12), "the parent's page %lu changed", i >> 12);
    CHECK(munmap(mem, len) == 0, "munmap: errno %d", errno);
}

void t_forks_cow(void) {
    nforks = 2;                          // a rehearsal: the kernel's tables and caches grow
    int st = in_child(forks_cow_body);   // to what this needs, and stay
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the rehearsal %s", describe(st));
    nforks = 1000;
    long before = free_pages_now();
    st = in_child(forks_cow_body);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the forking process %s", describe(st));
    long after = free_pages_now();
    CHECK(!ut_lantern || after >= before, "%ld pages not back at the end", before - after);
}

// 5,000 processes alive at once, each its own pid; then all killed, all reaped.
#define NPROCS 5000
static pid_t kids[NPROCS];

void t_procs_5000(void) {
    int n = 0;
    for (; n < NPROCS; n++) {
        kids[n] = fork();
        CHECK(kids[n] >= 0, "fork %d: errno %d", n, errno);
        if (kids[n] == 0)
            for (;;)
                pause();
    }
    for (int i = 1; i < n; i++)
        CHECK(kids[i] != kids[i - 1], "two children with pid %d", kids[i]);
    struct ut_sysinfo si;
    CHECK(__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) == 0, "sysinfo: errno %d", errno);
    CHECK(si.procs > NPROCS, "sysinfo counts %u processes", si.procs);
    CHECK(kill(kids[NPROCS - 1], 0) == 0, "kill(last, 0): errno %d", errno);
    for (int i = 0; i < n; i++)
        CHECK(kill(kids[i], SIGKILL) == 0, "kill %d: errno %d", kids[i], errno);
    for (int i = 0; i < n; i++) {
        int st = wait_for(kids[i]);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %d %s", i, describe(st));
    }
}

// Memory above 4 GiB (the boot page tables' reach) works: 1 GiB written and read back. In
// an 8 GiB machine the allocator hands out its highest free blocks first, so these pages
// come from above 4 GiB.
void t_highmem(void) {
    unsigned long len = 1ul << 30;
    unsigned long *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mem != MAP_FAILED, "mmap 1 GiB: errno %d", errno);
    unsigned long step = 4096 / sizeof *mem;
    for (unsigned long i = 0; i < len / sizeof *mem; i += step)
        mem[i] = i * 2654435761ul;
    for (unsigned long i = 0; i < len / sizeof *mem; i += step)
        CHECK(mem[i] == i * 2654435761ul, "word %lu lost its value", i);
    CHECK(munmap(mem, len) == 0, "munmap: errno %d", errno);
}

// The OOM killer and threads: a process of four threads, all taking memory until there is
// none. The killer picks the process (its threads share the memory), SIGKILL ends every
// thread, and the memory comes back: forks work again.
#define CLONE_THREAD_FLAGS 0x00010f00ul   // CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD

static void hog_thread(void) {
    for (;;) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            __syscall(SYS_exit_group, 3, 0, 0, 0, 0, 0);
        for (int i = 0; i < 1 << 20; i += 4096)
            p[i] = 1;
    }
}

// clone a thread that runs fn on the stack below stack_top (fn never returns).
static long spawn_thread(void (*fn)(void), char *stack_top) {
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    register void (*r9)(void) __asm__("r9") = fn;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%%r9\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(ret)
                     : "0"((long)SYS_clone), "D"(CLONE_THREAD_FLAGS), "S"(stack_top), "d"(0),
                       "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static char thread_stacks[3][16384] __attribute__((aligned(16)));

static void threaded_hog(void) {
    if (!ut_lantern) {
        unsigned long lim[2] = { 256ul << 20, 256ul << 20 };
        __syscall(SYS_setrlimit_, 9 /* RLIMIT_AS */, (long)lim, 0, 0, 0, 0);
    }
    for (int i = 0; i < 3; i++)
        CHECK(spawn_thread(hog_thread, thread_stacks[i] + sizeof thread_stacks[i]) > 0,
              "clone thread %d: errno %d", i, errno);
    hog_thread();
}

static void exit7(void) { _exit(7); }

void t_oom_threads(void) {
    int st = in_child(threaded_hog);
    if (ut_lantern)
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "threaded hog %s, not SIGKILL", describe(st));
    else
        CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (WIFEXITED(st) && WEXITSTATUS(st) == 3),
              "threaded hog %s", describe(st));
    for (int i = 0; i < 3; i++) {
        st = in_child(exit7);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork after OOM: child %s", describe(st));
    }
}
