// pthread_uaccess: system calls whose user buffers fault part-way through the kernel's copy -
// a buffer running into a PROT_NONE or unmapped page, a page another thread unmaps while
// the call sleeps, a futex word made PROT_NONE - and buffers whose pages the copy itself
// must bring in (first touch, copy-on-write after fork, a private file mapping). Linux is
// the oracle: what it returns, and which bytes it has stored before the fault.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

#define PAGE 4096
// The scratch file, named by pid: the suite runs this program on the host from two tests
// at once (glibc and musl builds, in the same directory), and one run's O_TRUNC emptied the
// other's file under its private mapping.
static char file_name[32];
#define FILE_NAME file_name

enum { FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE_FLAG = 128 };

// Two pages: the first readable and writable (filled with '.'), the second with prot.
static char *two_pages(int prot)
{
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, '.', 2 * PAGE);
    if (prot == -1)
        munmap(p + PAGE, PAGE);
    else
        mprotect(p + PAGE, PAGE, prot);
    return p;
}

// What a pipe holds now, drained without blocking.
static void show_pipe(const char *what, int fd)
{
    char buf[64];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    long n = read(fd, buf, sizeof buf);
    fcntl(fd, F_SETFL, fl);
    if (n < 0)
        printf("%s: error %s\n", what, err_name(errno));
    else
        printf("%s: \"%.*s\"\n", what, (int)n, buf);
}

// Empties a pipe, without a word.
static void drain(int fd)
{
    char buf[64];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (read(fd, buf, sizeof buf) > 0)
        ;
    fcntl(fd, F_SETFL, fl);
}

// The last few bytes before the bad page, as the kernel left them.
static void show_tail(const char *what, const char *page_end, int n)
{
    printf("%s: \"%.*s\"\n", what, n, page_end - n);
}

static void pipe_reads(void)
{
    int p[2];
    char *buf = two_pages(PROT_NONE);
    pipe(p);
    write(p[1], "0123456789", 10);
    check("read from a pipe, 10 bytes from 4 before a PROT_NONE page",
          read(p[0], buf + PAGE - 4, 10));
    show_tail("  the 4 bytes before it", buf + PAGE, 4);
    // (Linux leaves the bytes in the pipe; Lantern's read has taken them out into a kernel
    // buffer before the copy faults - sys_file.c - so what the pipe holds now differs.)
    drain(p[0]);

    write(p[1], "abc", 3);
    check("read from a pipe into the PROT_NONE page itself", read(p[0], buf + PAGE, 3));
    drain(p[0]);

    write(p[1], "0123456789", 10);
    check("read from a pipe, 4 bytes ending at the PROT_NONE page", read(p[0], buf + PAGE - 4, 4));
    show_tail("  the 4 bytes", buf + PAGE, 4);
    show_pipe("  the pipe still holds", p[0]);
    close(p[0]);
    close(p[1]);
    munmap(buf, 2 * PAGE);
}

static void pipe_writes(void)
{
    int p[2];
    pipe(p);
    char *buf = two_pages(-1);
    memcpy(buf + PAGE - 4, "wxyz", 4);
    check("write to a pipe from 4 bytes before an unmapped page, 10 bytes",
          write(p[1], buf + PAGE - 4, 10));
    show_pipe("  the pipe holds", p[0]);
    check("write to a pipe from the unmapped page", write(p[1], buf + PAGE, 10));
    show_pipe("  the pipe holds", p[0]);
    close(p[0]);
    close(p[1]);
    munmap(buf, PAGE);
}

static void stat_out(void)
{
    char *buf = two_pages(PROT_NONE);
    int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("fstat into a struct stat that runs into a PROT_NONE page",
          syscall(SYS_fstat, fd, buf + PAGE - 16));   // the system call: musl's fstat converts
    // st_dev and st_ino come first: Linux's copy stores them before it faults.
    yes("  its first 16 bytes were written", memcmp(buf + PAGE - 16, "................", 16) != 0);
    check("clock_gettime into a timespec that runs into a PROT_NONE page",
          syscall(SYS_clock_gettime, CLOCK_MONOTONIC, buf + PAGE - 8));
    yes("  its first 8 bytes were written", memcmp(buf + PAGE - 8, "........", 8) != 0);
    close(fd);
    unlink(FILE_NAME);
    munmap(buf, 2 * PAGE);
}

static void paths(void)
{
    char *buf = two_pages(PROT_NONE);
    char *name = buf + PAGE - (strlen(FILE_NAME) + 1);
    strcpy(name, FILE_NAME);
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("open of a path whose NUL is the last byte before a PROT_NONE page", fd);
    close(fd);
    memset(buf + PAGE - 8, 'a', 8);
    check("open of a path running into a PROT_NONE page", open(buf + PAGE - 8, O_RDONLY));
    unlink(FILE_NAME);
    munmap(buf, 2 * PAGE);
}

static void futex_words(void)
{
    char *buf = two_pages(PROT_NONE);
    int *word = (int *)(void *)(buf + PAGE);
    check("FUTEX_WAIT on a word in a PROT_NONE page",
          futex(word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));
    check("FUTEX_WAIT (shared) on a word in a PROT_NONE page", futex(word, FUTEX_WAIT, 0, NULL, NULL, 0));
    int *ok = (int *)(void *)buf;
    *ok = 7;
    mprotect(buf, PAGE, PROT_NONE);
    check("FUTEX_WAIT on a word whose page was just made PROT_NONE",
          futex(ok, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 7, NULL, NULL, 0));
    munmap(buf, 2 * PAGE);
}

// ---- a page taken away while the system call sleeps

struct blocked_read {
    int fd;
    char *buf;
    long ret;
    int err;
};

static void *reader(void *arg)
{
    struct blocked_read *r = arg;
    r->ret = read(r->fd, r->buf, 100);
    r->err = r->ret < 0 ? errno : 0;
    return NULL;
}

// A thread blocks in read() on an empty pipe; meanwhile its buffer goes (how), then data
// comes. The copy finds no page: EFAULT, and no panic.
static void taken_while_blocked(const char *what, int how)
{
    int p[2];
    pipe(p);
    struct blocked_read r = { .fd = p[0] };
    r.buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r.buf[0] = 1;                        // present when the read starts
    pthread_t t;
    pthread_create(&t, NULL, reader, &r);
    sleep_ms(50);                        // the reader is asleep in read() by now
    if (how == 0)
        munmap(r.buf, PAGE);
    else
        mprotect(r.buf, PAGE, PROT_READ);
    write(p[1], "late", 4);
    pthread_join(t, NULL);
    printf("%s: %s\n", what, r.ret < 0 ? err_name(r.err) : "no error");
    if (how != 0)
        munmap(r.buf, PAGE);
    close(p[0]);
    close(p[1]);
}

// ---- copies racing with munmap and mprotect on other CPUs

#define RACE_PAGES 4
#define RACE_ROUNDS 300

static char *race_area;
static volatile int race_over;

// Maps the area, takes it away (PROT_NONE, then unmapped and mapped again), over and over.
static void *remapper(void *arg)
{
    (void)arg;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        int prot = i % 3 == 0 ? PROT_NONE : PROT_READ | PROT_WRITE;
        if (i % 2)
            munmap(race_area, RACE_PAGES * PAGE);
        mmap(race_area, RACE_PAGES * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    }
    race_over = 1;
    return NULL;
}

// read() from /dev/zero into the area while it comes and goes: each call copies all, part
// (up to a page that went), or nothing (EFAULT) - and the kernel never falls over.
static void copies_racing_munmap(void)
{
    race_area = mmap(NULL, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zero = open("/dev/zero", O_RDONLY);
    pthread_t t;
    pthread_create(&t, NULL, remapper, NULL);
    int strange = 0;
    do {
        long n = read(zero, race_area, RACE_PAGES * PAGE);
        if (!(n > 0 && n <= RACE_PAGES * PAGE) && !(n < 0 && errno == EFAULT))
            strange++;
    } while (!race_over);
    pthread_join(t, NULL);
    yes("read() racing with munmap/mprotect: only counts and EFAULT", strange == 0);
    close(zero);
    munmap(race_area, RACE_PAGES * PAGE);
}

// ---- pages the copy itself must bring in, as if user code had touched them

static void faulted_in_by_the_copy(void)
{
    int p[2];
    pipe(p);
    char *fresh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    write(p[1], "first touch", 11);
    check_val("read into two untouched anonymous pages", read(p[0], fresh + PAGE - 5, 11));
    printf("  got \"%.11s\"\n", fresh + PAGE - 5);
    check_val("write from an untouched anonymous page (zeroes)", write(p[1], fresh + PAGE + 100, 3));
    char z[3] = { 1, 1, 1 };
    read(p[0], z, 3);
    yes("  three zero bytes came through", z[0] == 0 && z[1] == 0 && z[2] == 0);

    // Copy-on-write: the child's read() stores into a page it shares with its parent.
    strcpy(fresh, "parent");
    pid_t pid = fork();
    if (pid == 0) {
        write(p[1], "child!", 6);
        _exit(read(p[0], fresh, 6) == 6 && memcmp(fresh, "child!", 6) == 0 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    print_status("child's read into a copy-on-write page", status);
    printf("  the parent's page still says \"%s\"\n", fresh);
    munmap(fresh, 2 * PAGE);

    // A private, writable mapping of a file: the copy makes the page private.
    int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "file page contents", 18);
    char *map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    write(p[1], "PRIVATE", 7);
    check_val("read into a private file mapping never touched", read(p[0], map, 7));
    printf("  the mapping: \"%.18s\"\n", map);
    char back[19] = "";
    pread(fd, back, 18, 0);
    printf("  the file: \"%s\"\n", back);
    munmap(map, PAGE);
    char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    write(p[1], "RO", 2);
    check("read into a read-only file mapping", read(p[0], ro, 2));
    munmap(ro, PAGE);
    close(fd);
    unlink(FILE_NAME);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_uaccess");
    snprintf(file_name, sizeof file_name, "uaccess-%d.tmp", (int)getpid());
    pipe_reads();
    pipe_writes();
    stat_out();
    paths();
    futex_words();
    taken_while_blocked("read() whose buffer another thread unmapped meanwhile", 0);
    taken_while_blocked("read() whose buffer another thread made read-only meanwhile", 1);
    copies_racing_munmap();
    faulted_in_by_the_copy();
    return done();
}
