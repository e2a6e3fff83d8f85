// pthread_splice: splice, tee and vmsplice - a producer thread's pipe spliced into another
// pipe and into a file, a file spliced into a pipe at an offset, tee's copy that leaves the
// data, vmsplice in and out, and the errors. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

#define CHUNKS 1000

static int produce_fd;

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHUNKS; i++)
        if (write(produce_fd, "0123456789abcdef", 16) != 16)
            break;
    close(produce_fd);
    return NULL;
}

static void pipe_to_pipe(void)
{
    int a[2], b[2];
    pipe(a);
    pipe(b);
    pid_t pid = fork();
    if (pid == 0) {                      // the reader of b
        close(b[1]);
        close(a[0]);
        close(a[1]);
        char buf[4096];
        long total = 0, sum = 0;
        for (long n; (n = read(b[0], buf, sizeof buf)) > 0; total += n)
            for (long i = 0; i < n; i++)
                sum += buf[i];
        printf("  the reader: %ld bytes, sum %ld\n", total, sum);
        _exit(0);
    }
    close(b[0]);
    produce_fd = a[1];
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    long total = 0, k;
    while ((k = splice(a[0], NULL, b[1], NULL, 65536, 0)) > 0)
        total += k;
    check_val("splice pipe to pipe, until end of file", k);
    pthread_join(t, NULL);
    printf("  spliced %ld bytes\n", total);
    close(a[0]);
    close(b[1]);
    int status;
    waitpid(pid, &status, 0);
    print_status("  the reader", status);
}

static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static void files(void)
{
    char path[] = "/tmp/splice.XXXXXX";
    mkdir("/tmp", 0777);
    int fd = mkstemp(path);
    check("a file", fd);
    unlink(path);
    int p[2];
    pipe(p);
    check_val("write 10 to the pipe", write(p[1], "abcdefghij", 10));
    check_val("splice 6 pipe to file", splice(p[0], NULL, fd, NULL, 6, 0));
    loff_t off = 100;
    check_val("splice the rest to the file at offset 100",
              splice(p[0], NULL, fd, &off, 64, SPLICE_F_NONBLOCK));
    check_val("  the offset now", off);
    check_val("  the file's position", lseek(fd, 0, SEEK_CUR));
    struct stat st;
    fstat(fd, &st);
    check_val("  the file's size", st.st_size);
    off = 2;
    check_val("splice 3 from the file at offset 2 to the pipe", splice(fd, &off, p[1], NULL, 3, 0));
    check_val("  the offset now", off);
    char buf[16] = { 0 };
    check_val("read the pipe", read(p[0], buf, sizeof buf));
    printf("  \"%s\"\n", buf);
    lseek(fd, 0, SEEK_SET);
    check_val("splice from the file's position, 4", splice(fd, NULL, p[1], NULL, 4, 0));
    check_val("  the file's position", lseek(fd, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    int q[2];
    pipe(q);
    check_val("tee", tee(p[0], q[1], 64, 0));
    check_val("read the copy", read(q[0], buf, sizeof buf));
    printf("  \"%s\"\n", buf);
    memset(buf, 0, sizeof buf);
    check_val("the original is still there", read(p[0], buf, sizeof buf));
    printf("  \"%s\"\n", buf);
    check_val("splice from an empty pipe, SPLICE_F_NONBLOCK",
              splice(p[0], NULL, fd, NULL, 4, SPLICE_F_NONBLOCK));

    struct iovec v[2] = { { "vm", 2 }, { "splice", 6 } };
    check_val("vmsplice into the pipe", vmsplice(p[1], v, 2, 0));
    char x[3] = { 0 }, y[6] = { 0 };
    struct iovec r[2] = { { x, 2 }, { y, 5 } };
    check_val("vmsplice out of the pipe", vmsplice(p[0], r, 2, 0));
    printf("  \"%s\" \"%s\"\n", x, y);

    // Errors.
    check("splice, neither end a pipe", splice(fd, NULL, fd, NULL, 4, 0));
    check("splice, an offset for a pipe", splice(p[0], &off, fd, NULL, 4, 0));
    check("splice, a pipe into itself", splice(p[0], NULL, p[1], NULL, 4, 0));
    check("splice, unknown flag", splice(p[0], NULL, fd, NULL, 4, 0x100));
    check("splice, fd 99", splice(99, NULL, p[1], NULL, 4, 0));
    check("splice into the read end", splice(fd, NULL, p[0], NULL, 4, 0));
    check_val("splice of 0 bytes", splice(p[0], NULL, fd, NULL, 0, 0));
    off = -1;
    check("splice, a negative offset", splice(fd, &off, p[1], NULL, 4, 0));
    check("splice, unknown flag and fd 99", splice(99, NULL, p[1], NULL, 4, 0x100));
    check_val("splice of 0 bytes, fd 99", splice(99, NULL, p[1], NULL, 0, 0));
    off = INT64_MAX - 2;
    check("splice from the file at offset 2^63-3", splice(fd, &off, p[1], NULL, 16, 0));
    check("splice of (size_t)-1 bytes from the file", splice(fd, NULL, p[1], NULL, (size_t)-1, 0));
    check("tee, a file", tee(fd, p[1], 4, 0));
    check("vmsplice on a file", vmsplice(fd, v, 2, 0));
    write(p[1], "tee", 3);
    close(q[0]);                         // q has no reader now
    struct sigaction sa = { .sa_handler = on_sigpipe }, old;
    sigaction(SIGPIPE, &sa, &old);
    check("tee into a pipe with no reader", tee(p[0], q[1], 3, 0));
    printf("  SIGPIPEs: %d\n", sigpipes);
    sigaction(SIGPIPE, &old, NULL);
    close(fd);
    close(p[0]);
    close(p[1]);
    close(q[1]);
}

// A splice out of a stream socket into a pipe with less room than the socket has bytes:
// what the pipe does not take stays in the socket. (Lantern once read them out of the
// socket and, the socket having no position to wind back, lost them.) How much moves
// differs - Linux counts the pipe's room in pages - so only the sum is printed.
static void socket_into_a_fuller_pipe(void)
{
    static char buf[70000];
    int sv[2], p[2];
    check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    check("pipe2", pipe2(p, O_NONBLOCK));
    check_val("fill the pipe but for 5536 bytes", write(p[1], buf, 60000));
    check_val("send", send(sv[0], buf, 10000, 0));
    long moved = splice(sv[1], NULL, p[1], NULL, 10000, SPLICE_F_NONBLOCK);
    long left = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
    printf("splice moved some: %s; moved and left in the socket: %ld\n", moved > 0 ? "yes" : "no",
           (moved > 0 ? moved : 0) + (left > 0 ? left : 0));
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
}

// A splice out of a pipe that a writer keeps full, into a pipe a slow reader empties: every
// word arrives, in order. (Lantern once took the bytes, gave back what the output did not
// take - and found the room they left refilled by the writer, whose write(2) runs without
// the BKL: they were lost.)
#define SEQ_WORDS (1 << 18)                // 2 MiB of counting 8-byte words

static int seq_in[2], seq_out[2];

static void *seq_writer(void *arg)
{
    (void)arg;
    uint64_t words[512], next = 0;
    while (next < SEQ_WORDS) {
        for (int i = 0; i < 512; i++)
            words[i] = next++;
        if (write(seq_in[1], words, sizeof words) != (ssize_t)sizeof words)
            break;
    }
    close(seq_in[1]);
    return NULL;
}

static void *seq_splicer(void *arg)
{
    (void)arg;
    while (splice(seq_in[0], NULL, seq_out[1], NULL, 65536, 0) > 0)
        ;
    close(seq_out[1]);
    return NULL;
}

static void splice_from_a_refilled_pipe(void)
{
    pipe(seq_in);
    pipe(seq_out);
    pthread_t w, s;
    pthread_create(&w, NULL, seq_writer, NULL);
    pthread_create(&s, NULL, seq_splicer, NULL);
    uint64_t expect = 0, word = 0;
    size_t have = 0;
    int in_order = 1;
    unsigned char piece[1000];             // reads of odd sizes, across words
    for (ssize_t n; (n = read(seq_out[0], piece, sizeof piece)) > 0; )
        for (ssize_t i = 0; i < n; i++) {
            ((unsigned char *)&word)[have++] = piece[i];
            if (have < sizeof word)
                continue;
            have = 0;
            in_order &= word == expect++;
        }
    pthread_join(w, NULL);
    pthread_join(s, NULL);
    yes("splice from a pipe a writer refills: every word, in order",
        in_order && expect == SEQ_WORDS);
    close(seq_in[0]);
    close(seq_out[0]);
}

// A splice that must wait for room in its output holds no bytes of its input meanwhile: a
// signal that ends the wait leaves the input as it was, in order (Lantern once took the
// bytes, slept in the write, and lost them when the input had filled up again).
static int in_pipe[2], out_pipe[2];
static volatile pid_t splicer_tid;
static long splice_result, splice_errno;

static void on_usr1(int sig) { (void)sig; }

static void *splicer(void *arg)
{
    (void)arg;
    splicer_tid = gettid_();
    splice_result = splice(in_pipe[0], NULL, out_pipe[1], NULL, 4096, 0);
    splice_errno = errno;
    return NULL;
}

static void interrupted_splice(void)
{
    mount("proc", "/proc", "proc", 0, NULL);   // as init, on Lantern (on the host: EPERM)
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);
    pipe(in_pipe);
    pipe(out_pipe);
    fcntl(out_pipe[1], F_SETFL, O_NONBLOCK);
    char block[4096];
    memset(block, 'b', sizeof block);
    while (write(out_pipe[1], block, sizeof block) > 0)
        ;                                  // the output is full
    fcntl(out_pipe[1], F_SETFL, 0);
    memset(block, 'a', sizeof block);
    write(in_pipe[1], block, sizeof block);
    pthread_t t;
    pthread_create(&t, NULL, splicer, NULL);
    while (!splicer_tid)
        sleep_ms(1);
    wait_until_sleeping(splicer_tid);
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    memset(block, 'c', sizeof block);
    while (write(in_pipe[1], block, sizeof block) > 0)
        ;                                  // the input fills up behind the splice
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    errno = (int)splice_errno;
    check("splice waiting for room, interrupted by a signal", splice_result);
    char first = 0;
    read(in_pipe[0], &first, 1);
    printf("  the input still starts with '%c'\n", first);
    for (int i = 0; i < 2; i++) {
        close(in_pipe[i]);
        close(out_pipe[i]);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_splice");
    pipe_to_pipe();
    files();
    socket_into_a_fuller_pipe();
    splice_from_a_refilled_pipe();
    interrupted_splice();
    return done();
}
