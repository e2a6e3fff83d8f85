// t_pipe.c: pipes: data between processes, end of file when the last writer goes, EPIPE and
// SIGPIPE when the last reader goes, a transfer larger than the pipe's buffer (the writer
// sleeps until the reader drains it), O_NONBLOCK and EAGAIN, pipe2's flags, fcntl on a
// pipe, dup2 of stdout into one, the errors, and a read into a bad buffer (the bytes that
// did not reach it stay in the pipe).
//
// How much a pipe holds differs (64 KiB on Linux), so no output depends on it.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static void basics(void)
{
    int p[2];
    char buf[64];
    struct stat st;

    check("pipe", pipe(p));
    yes("two new descriptors", p[0] >= 3 && p[1] == p[0] + 1);
    check_val("write 5", write(p[1], "hello", 5));
    check_val("write 0", write(p[1], "", 0));
    long n = read(p[0], buf, 3);
    print_escaped("read 3", buf, n);
    n = read(p[0], buf, sizeof buf);             // only what is there: no waiting for more
    print_escaped("read 64 gets the rest", buf, n);
    check_val("read 0 from an empty pipe", read(p[0], buf, 0));
    check_val("write to the read end", write(p[0], "x", 1));
    check_val("read from the write end", read(p[1], buf, 1));
    check_val("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
    check("fstat", fstat(p[0], &st));
    yes("S_ISFIFO", S_ISFIFO(st.st_mode));
    check_val("F_GETFL read end", fcntl(p[0], F_GETFL));
    check_val("F_GETFL write end", fcntl(p[1], F_GETFL));
    check_val("F_GETFD", fcntl(p[0], F_GETFD));
    close(p[0]);
    close(p[1]);
    check("pipe(NULL)", pipe(bad_ptr(0)));
    check("pipe(pointer 1)", pipe(bad_ptr(1)));
    check("pipe2 O_TRUNC", pipe2(p, O_TRUNC));
}

static void flags(void)
{
    int p[2];
    char c;

    check("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
    check_val("F_GETFD read end", fcntl(p[0], F_GETFD));
    check_val("F_GETFD write end", fcntl(p[1], F_GETFD));
    close(p[0]);
    close(p[1]);
    check("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
    check_val("F_GETFL read end", fcntl(p[0], F_GETFL));
    check_val("read an empty pipe", read(p[0], &c, 1));
    close(p[0]);
    close(p[1]);

    pipe(p);
    check("F_SETFL O_NONBLOCK on the read end", fcntl(p[0], F_SETFL, O_NONBLOCK));
    check_val("F_GETFL", fcntl(p[0], F_GETFL));
    check_val("read an empty pipe", read(p[0], &c, 1));
    write(p[1], "y", 1);
    check_val("read after a write", read(p[0], &c, 1));
    check("F_SETFL 0", fcntl(p[0], F_SETFL, 0));
    check_val("F_GETFL", fcntl(p[0], F_GETFL));

    // Fill it: a non-blocking write takes what fits, then fails.
    static char block[1000];
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    long total = 0, n;
    while ((n = write(p[1], block, sizeof block)) > 0)
        total += n;
    printf("filling the pipe ends in: %s\n", err_name(errno));
    yes("some was written first", total >= 4096);
    close(p[0]);
    close(p[1]);
}

static void through_fork(void)
{
    int p[2];
    char buf[64];

    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "from the child", 14);
        _exit(0);
    }
    close(p[1]);                                 // else we would never see end of file
    long n = read(p[0], buf, sizeof buf);
    print_escaped("the parent reads", buf, n);
    check_val("then end of file", read(p[0], buf, sizeof buf));
    close(p[0]);
    wait_and_print("the writer", pid);

    // End of file comes only when the last writer has gone: while the child holds a write
    // end, an empty non-blocking pipe says EAGAIN.
    int gate[2];
    pipe(p);
    pipe(gate);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        close(gate[1]);
        read(gate[0], buf, 1);
        _exit(0);                                // closes its write end of p
    }
    close(p[1]);
    close(gate[0]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    check_val("read while a child holds the write end", read(p[0], buf, 1));
    close(gate[1]);
    wait_and_print("the child", pid);
    check_val("read after it exited", read(p[0], buf, 1));
    close(p[0]);
}

// 100 KiB one way: the writer blocks whenever the pipe is full.
#define BIG (100 * 1024)

static void big_transfer(void)
{
    static char data[BIG];
    int p[2];

    for (int i = 0; i < BIG; i++)
        data[i] = (char)(i * 7 + i / 256);
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        long n = write(p[1], data, BIG);         // one call: it returns when all is in
        _exit(n == BIG ? 0 : 1);
    }
    close(p[1]);
    static char got[BIG + 1];
    long total = 0, n;
    while (total <= BIG && (n = read(p[0], got + total, BIG + 1 - total)) > 0)
        total += n;
    printf("received: %ld bytes\n", total);
    yes("the same bytes", total == BIG && memcmp(got, data, BIG) == 0);
    close(p[0]);
    wait_and_print("the writer (one write of 100 KiB)", pid);
}

// No reader: SIGPIPE, which by default kills the writer; ignored, write fails with EPIPE.
static void no_reader(void)
{
    int p[2];

    pipe(p);
    close(p[0]);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        write(p[1], "x", 1);
        _exit(0);
    }
    wait_and_print("writing with no reader, SIGPIPE default", pid);
    check("signal(SIGPIPE, SIG_IGN)", signal(SIGPIPE, SIG_IGN) == SIG_ERR ? -1 : 0);
    check_val("write with no reader, SIGPIPE ignored", write(p[1], "x", 1));
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);

    // The reader goes away while the writer sleeps on a full pipe: it wakes with EPIPE.
    int ready[2];
    pipe(p);
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        static char block[4096];
        signal(SIGPIPE, SIG_IGN);
        close(p[0]);
        fcntl(p[1], F_SETFL, O_NONBLOCK);
        while (write(p[1], block, sizeof block) > 0)
            ;                                    // full now
        fcntl(p[1], F_SETFL, 0);
        write(ready[1], "r", 1);
        long n = write(p[1], block, sizeof block);   // sleeps until the reader closes
        _exit(n < 0 && errno == EPIPE ? 0 : 1);
    }
    close(p[1]);
    char c;
    read(ready[0], &c, 1);
    close(p[0]);
    wait_and_print("a writer sleeping on a full pipe, when the reader closes", pid);
    close(ready[0]);
    close(ready[1]);
}

// stdout into a pipe and back.
static void redirect(void)
{
    int p[2], saved = dup(1);
    char buf[64];

    pipe(p);
    int r = dup2(p[1], 1);
    printf("through the pipe\n");                // line-buffered: written at the newline
    dup2(saved, 1);
    yes("dup2(write end, 1) returned 1", r == 1);
    close(saved);
    close(p[1]);
    long n = read(p[0], buf, sizeof buf);
    print_escaped("what printf wrote", buf, n);
    close(p[0]);

    // The classic shell pipeline: a child's stdout is our pipe.
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        printf("the child's stdout\n");
        _exit(0);
    }
    close(p[1]);
    n = read(p[0], buf, sizeof buf);
    print_escaped("the child printed", buf, n);
    close(p[0]);
    wait_and_print("the child", pid);
}

// Linux's pipe consumes nothing it could not copy whole: a read into a bad buffer fails
// and leaves the bytes in the pipe - even when the buffer ends in an unmapped page and
// took a few of them (they are still written there: Linux's copies do that).
static void bad_buffer(void)
{
    int p[2];
    char buf[16];

    check("pipe", pipe(p));
    check_val("write 6", write(p[1], "abcdef", 6));
    check_val("read into pointer 1", read(p[0], bad_ptr(1), 6));
    long n = read(p[0], buf, sizeof buf);
    print_escaped("the bytes are still there", buf, n);
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    yes("mmap two pages", two != MAP_FAILED);
    check("munmap the second", munmap(two + 4096, 4096));
    check_val("write 8", write(p[1], "12345678", 8));
    check_val("read 8 into the last 3 bytes of a page", read(p[0], two + 4093, 8));
    print_escaped("what it got", two + 4093, 3);
    n = read(p[0], buf, sizeof buf);
    print_escaped("the next read gets the rest", buf, n);
    munmap(two, 4096);
    close(p[0]);
    close(p[1]);
    // A device's reads leave its position alone, bad buffer or not.
    int zero = open("/dev/zero", O_RDONLY);
    char *half = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(half + 4096, 4096);
    check_val("/dev/zero read 20 into the last 10 bytes of a page", read(zero, half + 4086, 20));
    check_val("its position after", lseek(zero, 0, SEEK_CUR));
    munmap(half, 4096);
    close(zero);
}

// A read of more than the pipe holds returns what is there, also when that is a whole
// number of pages (the kernel reads a pipe a page at a time): it must not wait for more.
static void whole_pages(void)
{
    static char buf[16384];
    int p[2];

    check("pipe", pipe(p));
    memset(buf, 'p', sizeof buf);
    check_val("write 4096", write(p[1], buf, 4096));
    alarm(5);                                    // a read that waited would end here
    check_val("read 8192 gets the 4096 there", read(p[0], buf, 8192));
    check_val("write 8192", write(p[1], buf, 8192));
    check_val("read 16384 gets the 8192 there", read(p[0], buf, 16384));
    alarm(0);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    begin("t_pipe");
    default_signals();
    basics();
    flags();
    through_fork();
    big_transfer();
    no_reader();
    redirect();
    bad_buffer();
    whole_pages();
    return done();
}
