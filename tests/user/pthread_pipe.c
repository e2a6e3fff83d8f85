// pthread_pipe: one pipe, many threads - writers whose PIPE_BUF-sized writes must never
// interleave, readers that must each get different bytes, big copies in both directions at
// once, buffers that fault partway, and readers asleep in one pipe interrupted one by one
// (a reader waiting for bytes must not keep another from its signal); readv and writev as
// Linux has them: a readv does not wait for its second buffer once the first is filled
// (musl's stdio reads that way), a small writev goes in whole, and a socket's readv and
// writev move one message. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "thr_util.h"

#define WRITERS 4
#define RECORDS 300                    // per writer
#define RECORD 4096                    // PIPE_BUF: each write of one must arrive whole

static int fds[2];

// A record: its writer and number in every 8-byte word.
static void *record_writer(void *arg)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    static __thread uint64_t rec[RECORD / 8];
    for (uint64_t seq = 0; seq < RECORDS; seq++) {
        for (int i = 0; i < RECORD / 8; i++)
            rec[i] = id << 32 | seq;
        if (write(fds[1], rec, RECORD) != RECORD)
            break;
    }
    return NULL;
}

static void atomic_records(void)
{
    pipe(fds);
    pthread_t t[WRITERS];
    for (uintptr_t i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, record_writer, (void *)i);
    static uint64_t rec[RECORD / 8];
    uint64_t next[WRITERS] = { 0 };
    int whole = 1, in_order = 1, count = 0;
    size_t have = 0;
    char piece[3000];                  // reads of odd sizes, across records
    while (count < WRITERS * RECORDS) {
        ssize_t n = read(fds[0], piece, sizeof piece);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            ((char *)rec)[have++] = piece[i];
            if (have < RECORD)
                continue;
            have = 0;
            count++;
            for (int w = 1; w < RECORD / 8; w++)
                whole &= rec[w] == rec[0];
            uint64_t id = rec[0] >> 32, seq = rec[0] & 0xffffffff;
            if (id >= WRITERS || seq != next[id])
                in_order = 0;
            else
                next[id]++;
        }
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    printf("records: %d of %d\n", count, WRITERS * RECORDS);
    yes("no record interleaved with another", whole);
    yes("each writer's records in order", in_order);
    close(fds[0]);
    close(fds[1]);
}

#define TOKENS 20000
#define READERS 4
static unsigned char seen[TOKENS];
static long taken[READERS];

static void *token_reader(void *arg)
{
    long me = (long)(intptr_t)arg;
    uint64_t tok;
    for (;;) {
        ssize_t n = read(fds[0], &tok, sizeof tok);
        if (n != sizeof tok)
            break;                     // end of file
        if (tok < TOKENS)
            __atomic_fetch_add(&seen[tok], 1, __ATOMIC_RELAXED);
        taken[me]++;
    }
    return NULL;
}

static void shared_readers(void)
{
    pipe(fds);
    pthread_t t[READERS];
    for (intptr_t i = 0; i < READERS; i++)
        pthread_create(&t[i], NULL, token_reader, (void *)i);
    for (uint64_t tok = 0; tok < TOKENS; tok++)
        write(fds[1], &tok, sizeof tok);
    close(fds[1]);
    long total = 0;
    int once = 1;
    for (int i = 0; i < READERS; i++) {
        pthread_join(t[i], NULL);
        total += taken[i];
    }
    for (int i = 0; i < TOKENS; i++)
        once &= seen[i] == 1;
    printf("tokens read: %ld of %d\n", total, TOKENS);
    yes("every token read exactly once", once);
    close(fds[0]);
}

#define BIG (8 << 20)
#define WRITE_SIZE 100000

static void *big_writer(void *arg)
{
    (void)arg;
    unsigned char *buf = malloc(WRITE_SIZE);
    uint32_t x = 1;
    for (long done = 0; done < BIG; done += WRITE_SIZE) {
        long n = BIG - done < WRITE_SIZE ? BIG - done : WRITE_SIZE;
        for (long i = 0; i < n; i++)
            buf[i] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
        for (long off = 0; off < n;) {
            ssize_t k = write(fds[1], buf + off, n - off);
            if (k <= 0)
                goto out;
            off += k;
        }
    }
out:
    free(buf);
    close(fds[1]);
    return NULL;
}

static void big_copies(void)
{
    pipe(fds);
    pthread_t t;
    pthread_create(&t, NULL, big_writer, NULL);
    unsigned char *buf = malloc(65536);
    uint32_t x = 1;
    long total = 0, wrong = 0;
    for (ssize_t n; (n = read(fds[0], buf, 65536)) > 0; total += n)
        for (ssize_t i = 0; i < n; i++)
            wrong += buf[i] != (unsigned char)((x = x * 1103515245 + 12345) >> 16);
    pthread_join(t, NULL);
    printf("big copies: %ld bytes, %ld wrong\n", total, wrong);
    free(buf);
    close(fds[0]);
}

// Reads and writes through a buffer whose second page is PROT_NONE.
static void faulting_buffers(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(area + pg, pg, PROT_NONE);
    char *src = malloc(3 * pg), *dst = malloc(3 * pg);
    for (long i = 0; i < 3 * pg; i++)
        src[i] = (char)(i * 7 + 1);
    pipe(fds);

    write(fds[1], src, 2 * pg);
    check_val("read 2 pages into 1 good page", read(fds[0], area, 2 * pg));
    check_val("then the rest", read(fds[0], dst, 3 * pg));
    yes("  it is the second page", memcmp(dst, src + pg, pg) == 0);

    write(fds[1], src, 3000);
    check_val("read 3000 bytes, 100 before the bad page", read(fds[0], area + pg - 100, 3000));
    check_val("then the 3000 again", read(fds[0], dst, 3 * pg));
    yes("  all of them", memcmp(dst, src, 3000) == 0);

    memcpy(area, src, pg);
    check_val("write 2 pages from 1 good page", write(fds[1], area, 2 * pg));
    check_val("the pipe then holds", read(fds[0], dst, 3 * pg));
    yes("  the good page", memcmp(dst, src, pg) == 0);

    check_val("write 200 bytes from 100 before the bad page", write(fds[1], area + pg - 100, 200));
    close(fds[1]);
    check_val("the pipe then holds", read(fds[0], dst, 3 * pg));
    close(fds[0]);
    free(src);
    free(dst);
    munmap(area, 2 * pg);
}

static volatile pid_t sleeper_tid[2];
static volatile long sleeper_result[2], sleeper_errno[2];

static void on_usr1(int sig) { (void)sig; }

static void *sleeping_reader(void *arg)
{
    long me = (long)(intptr_t)arg;
    sleeper_tid[me] = gettid_();
    char c = 0;
    sleeper_result[me] = read(fds[0], &c, 1);
    sleeper_errno[me] = errno;
    if (sleeper_result[me] == 1)
        sleeper_result[me] = c;
    return NULL;
}

static void interrupted_readers(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 };   // no SA_RESTART: EINTR
    sigaction(SIGUSR1, &sa, NULL);
    mount("proc", "/proc", "proc", 0, NULL);   // as init, on Lantern (on the host: EPERM)
    pipe(fds);
    pthread_t t[2];
    for (intptr_t i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, sleeping_reader, (void *)i);
        while (!sleeper_tid[i])
            sleep_ms(1);
        wait_until_sleeping(sleeper_tid[i]);
    }
    pthread_kill(t[1], SIGUSR1);       // the second to sleep: is it stuck behind the first?
    pthread_join(t[1], NULL);
    errno = (int)sleeper_errno[1];
    check("the second reader, interrupted", sleeper_result[1]);
    write(fds[1], "x", 1);
    pthread_join(t[0], NULL);
    printf("the first reader got '%c'\n", (char)sleeper_result[0]);
    close(fds[0]);
    close(fds[1]);
}

// Each writev: a header, a body and a trailer, 4096 bytes in all - one PIPE_BUF record.
static void *vector_writer(void *arg)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    static __thread uint64_t head[2], body[RECORD / 8 - 4], tail[2];
    for (uint64_t seq = 0; seq < RECORDS; seq++) {
        head[0] = head[1] = tail[0] = tail[1] = id << 32 | seq;
        for (int i = 0; i < RECORD / 8 - 4; i++)
            body[i] = id << 32 | seq;
        struct iovec v[3] = { { head, sizeof head }, { body, sizeof body }, { tail, sizeof tail } };
        if (writev(fds[1], v, 3) != RECORD)
            break;
    }
    return NULL;
}

static char line_unused[64];

// FIONREAD on a socket end its peer sent 3 bytes and then 5 to.
static void fionread_of_two_sends(int type, const char *what)
{
    int sv[2], queued = -1;
    socketpair(AF_UNIX, type, 0, sv);
    write(sv[0], "abc", 3);
    write(sv[0], "defgh", 5);
    ioctl(sv[1], FIONREAD, &queued);
    printf("FIONREAD on %s: %d\n", what, queued);
    close(sv[0]);
    close(sv[1]);
}

static void vectors(void)
{
    pipe(fds);
    write(fds[1], "0123456789", 10);
    int queued = -1;
    check("ioctl FIONREAD on the pipe", ioctl(fds[0], FIONREAD, &queued));
    printf("  it says %d\n", queued);
    check("ioctl TCGETS on the pipe", ioctl(fds[0], TCGETS, line_unused));
    check_val("fcntl F_GETPIPE_SZ", fcntl(fds[1], F_GETPIPE_SZ));
    char a[10], b[100];
    struct iovec v[2] = { { a, sizeof a }, { b, sizeof b } };
    check_val("readv, the first buffer filled exactly, the writer open", readv(fds[0], v, 2));
    write(fds[1], "one line\n", 9);
    FILE *in = fdopen(dup(fds[0]), "r");
    char line[100];
    printf("fgets through the C library's buffer: %s", fgets(line, sizeof line, in) ? line : "-\n");
    fclose(in);
    close(fds[0]);
    close(fds[1]);

    pipe(fds);
    pthread_t t[WRITERS];
    for (uintptr_t i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, vector_writer, (void *)i);
    static uint64_t rec[RECORD / 8];
    int whole = 1, count = 0;
    while (count < WRITERS * RECORDS) {
        size_t have = 0;
        while (have < RECORD) {
            ssize_t n = read(fds[0], (char *)rec + have, RECORD - have);
            if (n <= 0)
                break;
            have += n;
        }
        if (have < RECORD)
            break;
        count++;
        for (int w = 1; w < RECORD / 8; w++)
            whole &= rec[w] == rec[0];
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    printf("writev records: %d of %d\n", count, WRITERS * RECORDS);
    yes("no writev record interleaved with another", whole);
    close(fds[0]);
    close(fds[1]);

    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct iovec parts[3] = { { "abc", 3 }, { "defg", 4 }, { "h", 1 } };
    check_val("writev of 3 pieces into a datagram socket", writev(sv[0], parts, 3));
    check_val("then a second message", write(sv[0], "xyz", 3));
    queued = -1;
    ioctl(sv[1], FIONREAD, &queued);
    printf("FIONREAD on the datagram end: %d\n", queued);
    char c[5], d[10];
    struct iovec into[2] = { { c, sizeof c }, { d, sizeof d } };
    check_val("readv: one message, across both buffers", readv(sv[1], into, 2));
    printf("  they hold %.5s|%.3s\n", c, d);
    check_val("readv: the second message", readv(sv[1], into, 2));
    struct iovec none[1] = { { d, 0 } };
    check_val("readv of 0 bytes from an empty socket", readv(sv[1], none, 1));
    close(sv[0]);
    close(sv[1]);
    fionread_of_two_sends(SOCK_SEQPACKET, "a seqpacket end with 2 messages");
    fionread_of_two_sends(SOCK_STREAM, "a stream end");
}

// The ioctls every file answers (Linux's do_vfs_ioctl), on a pipe and on a regular file.
static void generic_ioctls(void)
{
    pipe(fds);
    int on = 1;
    check("FIONBIO on", ioctl(fds[0], FIONBIO, &on));
    yes("  O_NONBLOCK set", fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    char c;
    check("  a read of the empty pipe", read(fds[0], &c, 1));
    on = 0;
    check("FIONBIO off", ioctl(fds[0], FIONBIO, &on));
    yes("  O_NONBLOCK clear", !(fcntl(fds[0], F_GETFL) & O_NONBLOCK));
    check("FIONBIO from a bad pointer", ioctl(fds[0], FIONBIO, bad_address()));
    check("FIOCLEX", ioctl(fds[1], FIOCLEX));
    check_val("  F_GETFD", fcntl(fds[1], F_GETFD));
    check("FIONCLEX", ioctl(fds[1], FIONCLEX));
    check_val("  F_GETFD", fcntl(fds[1], F_GETFD));
    long long size = -1;
    check("FIOQSIZE on a pipe", ioctl(fds[0], FIOQSIZE, &size));
    close(fds[0]);
    close(fds[1]);

    int fd = memfd_create("ioctls", 0);
    static char block[100];
    write(fd, block, sizeof block);
    lseek(fd, 30, SEEK_SET);
    int left = -1;
    check("FIONREAD on a regular file at 30 of 100", ioctl(fd, FIONREAD, &left));
    printf("  it says %d\n", left);
    check("FIOQSIZE on it", ioctl(fd, FIOQSIZE, &size));
    printf("  it says %lld\n", size);
    check("TCGETS on it", ioctl(fd, TCGETS, line_unused));
    close(fd);
}

// fcntl F_SETPIPE_SZ: a power of two of pages, what is in the pipe kept, EBUSY if it would
// not fit, EINVAL past 2 GiB, EBADF for what is not a pipe; a writer waiting for room goes
// on when the pipe grows. (Not past pipe-max-size: that needs CAP_SYS_RESOURCE, which a
// host's container may not give even root.)
static int cap_fds[2];

static void *wait_for_room_writer(void *arg)
{
    (void)arg;
    char more[2000];
    memset(more, 'w', sizeof more);
    return (void *)(intptr_t)write(cap_fds[1], more, sizeof more);   // blocks: 4096 are full
}

static void capacity(void)
{
    pipe(cap_fds);
    check_val("F_GETPIPE_SZ of a new pipe", fcntl(cap_fds[1], F_GETPIPE_SZ));
    check_val("F_SETPIPE_SZ 1", fcntl(cap_fds[1], F_SETPIPE_SZ, 1));
    check_val("F_GETPIPE_SZ then", fcntl(cap_fds[0], F_GETPIPE_SZ));
    fcntl(cap_fds[1], F_SETFL, O_NONBLOCK);
    char chunk[1000];
    long n = 0, w;
    for (int i = 0; (w = write(cap_fds[1], memset(chunk, 'a' + i % 26, sizeof chunk),
                               sizeof chunk)) > 0; i++)
        n += w;
    printf("a non-blocking fill by 1000 bytes: %ld, then %s\n", n, strerror(errno));
    check_val("F_SETPIPE_SZ 100000 with 4000 in", fcntl(cap_fds[1], F_SETPIPE_SZ, 100000));
    check_val("F_SETPIPE_SZ 0 (one page) with 4000 in", fcntl(cap_fds[1], F_SETPIPE_SZ, 0));
    write(cap_fds[1], chunk, 96);
    check_val("F_SETPIPE_SZ 8192 with 4096 in", fcntl(cap_fds[1], F_SETPIPE_SZ, 8192));
    check_val("F_SETPIPE_SZ 4096 with 4096 in", fcntl(cap_fds[1], F_SETPIPE_SZ, 4096));
    write(cap_fds[1], chunk, 10);
    check_val("F_SETPIPE_SZ 4096 with 4096 in and no room", fcntl(cap_fds[1], F_SETPIPE_SZ, 4096));
    fcntl(cap_fds[1], F_SETFL, 0);
    pthread_t t;
    pthread_create(&t, NULL, wait_for_room_writer, NULL);
    sleep_ms(100);
    check_val("F_SETPIPE_SZ 65536 while a writer waits", fcntl(cap_fds[1], F_SETPIPE_SZ, 65536));
    void *wrote;
    pthread_join(t, &wrote);
    printf("the waiting writer wrote: %ld\n", (long)(intptr_t)wrote);
    check("F_SETPIPE_SZ 4096 with 6096 in", fcntl(cap_fds[1], F_SETPIPE_SZ, 4096));
    static char back[8192];
    long got = read(cap_fds[0], back, sizeof back), in_order = 1;
    for (long i = 0; i < 4000; i++)
        in_order &= back[i] == 'a' + (int)(i / 1000) % 26;
    printf("read back %ld bytes, the first 4000 in order: %s\n", got, in_order ? "yes" : "no");
    check("F_SETPIPE_SZ past 2 GiB", fcntl(cap_fds[1], F_SETPIPE_SZ, (1L << 31) + 1));
    int other[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, other);
    check("F_SETPIPE_SZ on a socket", fcntl(other[0], F_SETPIPE_SZ, 4096));
    check("F_GETPIPE_SZ on a socket", fcntl(other[0], F_GETPIPE_SZ));
    close(other[0]);
    close(other[1]);
    close(cap_fds[0]);
    close(cap_fds[1]);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_pipe");
    atomic_records();
    shared_readers();
    big_copies();
    faulting_buffers();
    interrupted_readers();
    vectors();
    generic_ioctls();
    capacity();
    return done();
}
