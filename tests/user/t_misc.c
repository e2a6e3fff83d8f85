// t_misc.c: the calls a C library makes at start-up or for threads (arch_prctl,
// set_tid_address), clocks and sleeping, ioctl, and an unknown system call number.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

// A stand-in for a thread's TLS block: as on x86_64 Linux, its first word points to itself.
static unsigned long tls_block[2];

static unsigned long read_fs_word(int index)
{
    unsigned long v;

    __asm__ volatile("mov %%fs:(,%1,8), %0" : "=r"(v) : "r"((long)index));
    return v;
}

static void fs_base(void)
{
    unsigned long old, now;

    check("ARCH_GET_FS", arch_prctl(ARCH_GET_FS, (unsigned long)&old));
    tls_block[0] = (unsigned long)tls_block;
    tls_block[1] = 0x1234abcd;
    check("ARCH_SET_FS", arch_prctl(ARCH_SET_FS, (unsigned long)tls_block));
    check("ARCH_GET_FS", arch_prctl(ARCH_GET_FS, (unsigned long)&now));
    yes("it returns the new base", now == (unsigned long)tls_block);
    yes("%fs:0 and %fs:8 read through it",
        read_fs_word(0) == (unsigned long)tls_block && read_fs_word(1) == 0x1234abcd);
    check("ARCH_SET_FS back", arch_prctl(ARCH_SET_FS, old));   // our libc keeps nothing there
    arch_prctl(ARCH_GET_FS, (unsigned long)&now);
    yes("restored", now == old);
    check("ARCH_SET_FS kernel address", arch_prctl(ARCH_SET_FS, 0xffffffff80000000UL));
    check("ARCH_GET_FS bad pointer", arch_prctl(ARCH_GET_FS, 1));
    check("arch_prctl code 0x9999", arch_prctl(0x9999, 0));
    check("ARCH_GET_FS, junk above", syscall(SYS_arch_prctl, (1L << 32) | ARCH_GET_FS, &now));

    int tid_slot = 0;
    yes("set_tid_address returns the tid (== pid)", set_tid_address(&tid_slot) == getpid());
}

static long ns_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void clocks(void)
{
    struct timespec t0, t1, now;

    check("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &t0));
    yes("tv_nsec in range", t0.tv_nsec >= 0 && t0.tv_nsec < 1000000000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    yes("MONOTONIC does not go back", ns_between(&t0, &t1) >= 0);
    check("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &now));
    yes("REALTIME is in 2024 or later", now.tv_sec >= 1704067200);
    time_t t = time(NULL);
    yes("time() agrees with REALTIME", t >= now.tv_sec && t - now.tv_sec <= 2);
    check("clock_gettime clock 12345", clock_gettime(12345, &now));
    // The system call: through the vDSO (our libc's and glibc's clock_gettime) a bad pointer
    // is a SIGSEGV in user mode, not EFAULT.
    check("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1));
    check("clock_gettime MONOTONIC, junk above", syscall(SYS_clock_gettime, (1L << 32) | CLOCK_MONOTONIC, &now));

    struct timespec ten_ms = { 0, 10000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check("nanosleep 10 ms", nanosleep(&ten_ms, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    yes("at least 10 ms passed", ns_between(&t0, &t1) >= 10000000);
    yes("less than 5 s passed", ns_between(&t0, &t1) < 5000000000L);
    struct timespec zero = { 0, 0 }, big_ns = { 0, 2000000000 }, neg_ns = { 0, -1 },
                    neg_s = { -1, 0 };
    check("nanosleep 0", nanosleep(&zero, NULL));
    check("nanosleep tv_nsec 2e9", nanosleep(&big_ns, NULL));
    check("nanosleep tv_nsec -1", nanosleep(&neg_ns, NULL));
    check("nanosleep tv_sec -1", nanosleep(&neg_s, NULL));
    check("nanosleep NULL", nanosleep(NULL, NULL));
    check_val("sleep(0)", sleep(0));
    check("usleep(1000)", usleep(1000));
}

static void ioctls(void)
{
    struct winsize ws;
    struct termios tio;

    // Whether fd 1 is a terminal differs (a pipe on the host, the console on Lantern), so
    // print only whether the answers are consistent.
    int r = ioctl(1, TIOCGWINSZ, &ws);
    int e = errno;
    int tty = isatty(1);
    yes("TIOCGWINSZ on fd 1 agrees with isatty(1)", r == 0 ? tty : !tty && e == ENOTTY);
    errno = 0;
    long r2 = syscall(SYS_ioctl, 1, (1L << 32) | TIOCGWINSZ, &ws);
    yes("the same with junk in the upper half of the request", r2 == r && errno == (r ? e : 0));

    int fd = open("etc/parity/hello.txt", O_RDONLY);
    check("ioctl TCGETS on a file", ioctl(fd, TCGETS, &tio));
    check("ioctl TIOCGWINSZ on a file", ioctl(fd, TIOCGWINSZ, &ws));
    errno = 0;
    yes("isatty on a file is 0, errno ENOTTY", isatty(fd) == 0 && errno == ENOTTY);
    close(fd);
    check("ioctl fd 99", ioctl(99, TCGETS, &tio));
    errno = 0;
    yes("isatty fd 99 is 0, errno EBADF", isatty(99) == 0 && errno == EBADF);
}

// What the kernel put on the initial stack (System V x86_64 ABI): argc on a 16-byte
// boundary, argv, envp, and the auxiliary vector after envp's NULL. Only entries whose
// values both kernels must agree on are printed.
struct elf_header {
    unsigned char ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum;
};
extern const struct elf_header __ehdr_start;   // the linker's name for our own ELF header
void _start(void);

static void initial_stack(int argc, char **argv, char **envp)
{
    yes("argc is on a 16-byte boundary", ((uintptr_t)argv - 8) % 16 == 0);
    yes("argv[argc] is NULL", argv[argc] == NULL);
    char **p = envp;
    while (*p != NULL)
        p++;
    unsigned long *auxv = (unsigned long *)(p + 1), at[64] = { 0 };
    int n = 0, seen_null = 0;
    for (; n < 100; n++) {
        unsigned long type = auxv[2 * n], value = auxv[2 * n + 1];
        if (type == 0) {
            seen_null = 1;
            break;
        }
        if (type < 64)
            at[type] = value;
    }
    yes("auxv ends with AT_NULL", seen_null);
    printf("AT_PAGESZ: %lu\n", at[6]);
    printf("AT_PHENT: %lu\n", at[4]);
    yes("AT_PHNUM is ours", at[5] == __ehdr_start.phnum);
    yes("AT_PHDR points at our program headers",
        at[3] == (uintptr_t)&__ehdr_start + __ehdr_start.phoff);
    yes("AT_ENTRY is _start", at[9] == (uintptr_t)_start);
    yes("AT_BASE is 0 (no interpreter)", at[7] == 0);
    printf("AT_SECURE: %lu\n", at[23]);
    printf("AT_CLKTCK: %lu\n", at[17]);
    yes("AT_PLATFORM is x86_64", at[15] != 0 && strcmp((char *)at[15], "x86_64") == 0);
    yes("AT_EXECFN is argv[0]", at[31] != 0 && strcmp((char *)at[31], argv[0]) == 0);
    yes("AT_SYSINFO_EHDR is an ELF image (the vDSO)",
        at[33] != 0 && memcmp((const char *)at[33], "\177ELF", 4) == 0);
    unsigned char *rnd = (unsigned char *)at[25];
    int zeros = 0;
    for (int i = 0; rnd != NULL && i < 16; i++)
        zeros += rnd[i] == 0;
    yes("AT_RANDOM: 16 bytes, not all zero", rnd != NULL && zeros < 16);
    yes("AT_RANDOM is above argv", (uintptr_t)rnd > (uintptr_t)argv);
}

// prctl(PR_SET_NAME) then PR_GET_NAME: all 16 bytes come back, padded with zeros. The
// longer name first leaves its bytes where the kernel may build the next one.
#define SYS_prctl_  157
#define PR_SET_NAME_ 15
#define PR_GET_NAME_ 16

static void task_name(void)
{
    char name[16];

    check("PR_SET_NAME abcdefghijklmnopq", syscall(SYS_prctl_, PR_SET_NAME_, "abcdefghijklmnopq"));
    check("PR_GET_NAME", syscall(SYS_prctl_, PR_GET_NAME_, name));
    print_escaped("name, all 16 bytes", name, 16);
    check("PR_SET_NAME ab", syscall(SYS_prctl_, PR_SET_NAME_, "ab"));
    memset(name, 'x', sizeof name);
    check("PR_GET_NAME", syscall(SYS_prctl_, PR_GET_NAME_, name));
    print_escaped("name, all 16 bytes", name, 16);
    check("PR_SET_NAME t_misc", syscall(SYS_prctl_, PR_SET_NAME_, "t_misc"));   // as it was
}

// execve with an empty argv: since 5.18 Linux gives the program argc 1 and argv[0] "", so
// that nothing mistakes envp[0] for argv[1] (CVE-2021-4034, pkexec).
static void empty_argv(const char *self)
{
    char *none[] = { NULL }, *env[] = { "T_MISC_CHILD=1", NULL };
    int status;

    for (int with_null = 0; with_null < 2; with_null++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve(self, with_null ? NULL : none, env);
            printf("execve: error %s\n", err_name(errno));
            _exit(1);
        }
        waitpid(pid, &status, 0);
        yes("and it exited with 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

#define SYS_getrandom_ 318

static void random_bytes(void)
{
    static unsigned char buf[5000];

    check_val("getrandom 16", syscall(SYS_getrandom_, buf, 16, 0));
    check_val("getrandom 1000", syscall(SYS_getrandom_, buf, 1000, 0));
    check_val("getrandom 4100 GRND_NONBLOCK", syscall(SYS_getrandom_, buf, 4100, 1));
    int zeros = 0;
    for (int i = 0; i < 4100; i++)
        zeros += buf[i] == 0;
    yes("the bytes look random (fewer than 100 zeros in 4100)", zeros < 100);
    check_val("getrandom 0", syscall(SYS_getrandom_, buf, 0, 0));
    check_val("getrandom GRND_RANDOM", syscall(SYS_getrandom_, buf, 16, 2));
    check_val("getrandom GRND_RANDOM | GRND_INSECURE", syscall(SYS_getrandom_, buf, 16, 6));
    check_val("getrandom flags 8", syscall(SYS_getrandom_, buf, 16, 8));
    check_val("getrandom flags 0, junk above", syscall(SYS_getrandom_, buf, 16, 1L << 32));
    check_val("getrandom bad pointer", syscall(SYS_getrandom_, (void *)1, 16, 0));
    check_val("getrandom kernel pointer", syscall(SYS_getrandom_, (void *)0xffffffff80000000UL, 16, 0));
}

int main(int argc, char **argv, char **envp)
{
    if (getenv("T_MISC_CHILD") != NULL) {        // run by empty_argv()
        printf("execve empty argv: argc %d, argv[0] %s, argv[argc] %s\n", argc,
               argc > 0 && argv[0] != NULL ? (argv[0][0] ? "not empty" : "\"\"") : "NULL",
               argv[argc] == NULL ? "NULL" : "not NULL");
        return 0;
    }
    begin("t_misc");
    initial_stack(argc, argv, envp);
    task_name();
    empty_argv(argv[0]);
    fs_base();
    clocks();
    ioctls();
    check("syscall 1000", syscall(1000));
    check("syscall 100000", syscall(100000));
    check("syscall -1", syscall(-1));
    // Linux reads the number from eax: the upper half of rax is not part of it.
    yes("syscall 2^32 + SYS_getpid is getpid", syscall((1L << 32) | SYS_getpid) == getpid());
    check("syscall 2^32 + 1000", syscall((1L << 32) | 1000));
    random_bytes();
    return done();
}
