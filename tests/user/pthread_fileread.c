// pthread_fileread: threads reading one regular file at once - read(2) of a RAM file runs
// without the big kernel lock on Lantern, so these are the checks that it still does what
// Linux's does: threads sharing one descriptor get every byte exactly once between them,
// with read and with readv (Linux serializes them on the file's position lock), threads
// with descriptors of their own each read the whole file, reads racing writes to the same
// bytes find every word in its place, reads racing a truncate find the file's bytes or
// zeros and never more than it held (and so do preads racing a file that grows sparsely
// far and is cut to nothing), a read or readv into a bad buffer leaves the position where
// the bytes stopped, with one descriptor or two, a read into a shared mapping of the file
// itself finds its own pages, preads at once move no position, and a read cut short by a
// bad buffer beside another reader of the file leaves no byte unread between them, and a
// sendfile or splice at an offset of its own, whose write into a file waits for that file's
// other writers, lends no position that a read or write of the same descriptor would see
// meanwhile. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "thr_util.h"

// (Buffers are on the threads' stacks, never __thread: every pthread program shares one
// binary's static TLS, and pthread_sync makes threads of 64 KiB stacks, TLS and all.)

#define THREADS 4
#define WORDS (256 * 1024)                 // 2 MiB of 8-byte words
#define SIZE ((off_t)WORDS * 8)

static int shared_fd;
static unsigned char seen[WORDS];          // how often each word was read (shared readers)
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int bad_words;                      // words not where they belong (atomic)

// Each word holds its own index, shifted up a byte: the low byte is a generation.
static uint64_t tag(uint64_t index, unsigned gen) { return index << 8 | gen; }

// A regular file in /tmp (a memfd would not do: Linux gives it no position lock).
static char path[64];

static int make_file(const char *name)
{
    mkdir("/tmp", 01777);                  // (as init, on Lantern)
    snprintf(path, sizeof path, "/tmp/pthread_fileread.%d.%s", (int)getpid(), name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    static uint64_t block[4096];
    for (uint64_t w = 0; w < WORDS; w += 4096) {
        for (int i = 0; i < 4096; i++)
            block[i] = tag(w + i, 0);
        if (write(fd, block, sizeof block) != sizeof block)
            return -1;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

// Reads of 1600 bytes, so that they start and end inside pages; each piece is checked and
// its words counted.
static int use_readv;                      // read the pieces with readv, into two buffers

static void *shared_reader(void *arg)
{
    (void)arg;
    unsigned char buf[200 * 8];
    for (;;) {
        struct iovec two[2] = { { buf, 96 * 8 }, { buf + 96 * 8, sizeof buf - 96 * 8 } };
        ssize_t n = use_readv ? readv(shared_fd, two, 2) : read(shared_fd, buf, sizeof buf);
        if (n <= 0)
            break;
        // The piece starts somewhere unknown, on a word: its first word says where.
        uint64_t first;
        memcpy(&first, buf, 8);
        uint64_t index = first >> 8;
        pthread_mutex_lock(&seen_lock);
        for (ssize_t off = 0; off + 8 <= n; off += 8) {
            uint64_t w;
            memcpy(&w, buf + off, 8);
            if (w >> 8 != index + (uint64_t)off / 8)
                __atomic_add_fetch(&bad_words, 1, __ATOMIC_RELAXED);
            else
                seen[index + off / 8]++;
        }
        pthread_mutex_unlock(&seen_lock);
    }
    return NULL;
}

static void shared_descriptor(int vectors)
{
    use_readv = vectors;
    memset(seen, 0, sizeof seen);
    bad_words = 0;
    shared_fd = make_file("shared");
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, shared_reader, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int once = 0, twice = 0, never = 0;
    for (int i = 0; i < WORDS; i++)
        once += seen[i] == 1, twice += seen[i] > 1, never += seen[i] == 0;
    printf("shared descriptor, %d readers%s: words read once %d, more than once %d, never %d\n",
           THREADS, vectors ? " with readv" : "", once, twice, never);
    yes("  every word in its place", bad_words == 0);
    check_val("  the position at the end", lseek(shared_fd, 0, SEEK_CUR));
    check_val("  a read there", read(shared_fd, seen, 1));
    close(shared_fd);
    unlink(path);
}

static void *own_reader(void *arg)
{
    (void)arg;
    int fd = open(path, O_RDONLY);
    uint64_t buf[8192];
    uint64_t next = 0;
    int bad = 0;
    for (int round = 0; round < 3; round++) {
        lseek(fd, 0, SEEK_SET);
        next = 0;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n / 8; i++)
                bad += buf[i] != tag(next++, 0);
    }
    close(fd);
    return (void *)(uintptr_t)(bad == 0 && next == WORDS);
}

static void own_descriptors(void)
{
    int fd = make_file("own");
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, own_reader, NULL);
    int whole = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        whole += r != NULL;
    }
    printf("own descriptors: %d of %d readers read the whole file 3 times, intact\n", whole,
           THREADS);
    close(fd);
    unlink(path);
}

static int race_fd;
static volatile int racing;

// Rewrites every word with a new generation, again and again: same index, new low byte.
static void *rewriter(void *arg)
{
    (void)arg;
    static uint64_t block[4096];
    for (unsigned gen = 1; racing; gen = gen % 255 + 1)
        for (uint64_t w = 0; w < WORDS / 8 && racing; w += 4096) {
            for (int i = 0; i < 4096; i++)
                block[i] = tag(w + i, gen);
            pwrite(race_fd, block, sizeof block, (off_t)w * 8);
        }
    return NULL;
}

// Shrinks the file to a quarter and lets it grow back (zeros), again and again.
static void *truncator(void *arg)
{
    (void)arg;
    while (racing) {
        ftruncate(race_fd, SIZE / 32);
        ftruncate(race_fd, SIZE / 8);
    }
    return NULL;
}

// Readers with descriptors of their own read the first eighth of the file (which the
// writer or the truncator changes meanwhile); a word must be its index (any generation)
// or, with the truncator, 0, and no read may return more than the file ever held.
static void race(const char *what, void *(*changer)(void *))
{
    race_fd = make_file("race");
    ftruncate(race_fd, SIZE / 8);
    int fds[THREADS];
    for (int i = 0; i < THREADS; i++)
        fds[i] = open(path, O_RDONLY);
    racing = 1;
    pthread_t t;
    pthread_create(&t, NULL, changer, NULL);
    static uint64_t buf[WORDS / 8 + 512];
    int bad = 0, too_long = 0;
    for (int round = 0; round < 300; round++) {
        int fd = fds[round % THREADS];
        lseek(fd, 0, SEEK_SET);
        ssize_t n = read(fd, buf, sizeof buf);
        too_long += n > SIZE / 8;
        for (ssize_t i = 0; i < n / 8; i++)
            bad += buf[i] >> 8 != (uint64_t)i && buf[i] != 0;
    }
    racing = 0;
    pthread_join(t, NULL);
    printf("reads racing %s: words out of place %d, reads longer than the file %d\n", what, bad,
           too_long);
    for (int i = 0; i < THREADS; i++)
        close(fds[i]);
    close(race_fd);
    unlink(path);
}

// A read into a buffer whose second page is gone: the first page's bytes, and the position
// moved by as many; a read into no buffer at all: EFAULT, the position where it was. With a
// second descriptor for the open file (dup), the read claims its bytes before the copy and
// gives back what it could not copy (Lantern's read_regular, shared): the same positions.
static void bad_buffers(int dup_it)
{
    int fd = make_file("bad");
    int second = dup_it ? dup(fd) : -1;
    if (dup_it)
        printf("with a second descriptor for the file:\n");
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    lseek(fd, 100, SEEK_SET);
    check_val("read into a buffer that ends after 4096 bytes", read(fd, two, 8192));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("read into a bad buffer", read(fd, bad_address(), 100));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("read of 0 bytes into a bad buffer", read(fd, bad_address(), 0));
    lseek(fd, SIZE, SEEK_SET);
    check_val("read at the end into a bad buffer", read(fd, bad_address(), 100));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    lseek(fd, 100, SEEK_SET);
    struct iovec v[3] = { { two, 10 }, { bad_address(), 10 }, { two + 10, 10 } };
    check_val("readv whose second buffer is bad", readv(fd, v, 3));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    struct iovec w[2] = { { two, 4000 }, { two + 4000, 200 } };
    check_val("readv across the end of a buffer's page", readv(fd, w, 2));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    struct iovec k[2] = { { two, 10 }, { (void *)-4096L, 10 } };
    check_val("readv with a kernel address", readv(fd, k, 2));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("readv at the end", (lseek(fd, SIZE, SEEK_SET), readv(fd, w, 2)));
    munmap(two, 4096);
    if (dup_it)
        close(second);
    close(fd);
    unlink(path);
}

// Reads into a shared mapping of the file being read: the copy's faults map the file's own
// pages (made, for a hole) while the read holds one of them. Into the same bytes it changes
// nothing; past the end of the file the copy faults for good: EFAULT, the position unmoved.
static void into_own_mapping(void)
{
    int fd = make_file("own-map");
    ftruncate(fd, 16384);
    uint64_t *m = mmap(NULL, 32768, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check_val("pread into its own mapping, the same bytes", pread(fd, m + 512, 8192, 4096));
    int intact = 1;
    for (int i = 0; i < 2048; i++)
        intact &= m[i] == tag((uint64_t)i, 0);
    yes("  the file intact", intact);
    check_val("pread into its own mapping past the end", pread(fd, m + 2048, 4096, 0));
    check_val("read into its own mapping past the end", read(fd, m + 2048, 4096));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    ftruncate(fd, 32768);                  // 16384..32768: a hole
    check_val("pread into its own mapping over a hole", pread(fd, m + 2048, 8192, 0));
    intact = 1;
    for (int i = 0; i < 1024; i++)
        intact &= m[2048 + i] == tag((uint64_t)i, 0);
    yes("  the hole holds the bytes", intact);
    munmap(m, 32768);
    close(fd);
    unlink(path);
}

// Writes words far apart over 24 MiB - the file's table of pages outgrows its top array,
// which is reallocated - and near its start, and cuts the file to nothing now and then (the
// top array is freed), while readers with descriptors of their own pread its start: a word
// is its index or 0, and no pread returns more than it asked.
#define SPARSE_WORDS (3u << 20)

static void *sparse_grower(void *arg)
{
    (void)arg;
    static uint64_t block[64];
    for (uint64_t i = 0; racing; i++) {
        uint64_t w = i % 2 ? i * 7919 * 64 % (SPARSE_WORDS - 64) : i * 61 * 64 % 65536;
        for (int k = 0; k < 64; k++)
            block[k] = tag(w + (uint64_t)k, 1);
        pwrite(race_fd, block, sizeof block, (off_t)w * 8);
        if (i % 64 == 63)
            ftruncate(race_fd, 0);
    }
    return NULL;
}

static void *sparse_reader(void *arg)
{
    int fd = open(path, O_RDONLY);
    uint64_t buf[4096];
    int bad = 0;
    for (int round = 0; round < 2000; round++) {
        off_t off = (off_t)((uintptr_t)arg * 1000 + (unsigned)round * 4099 % 60000) * 8;
        ssize_t n = pread(fd, buf, sizeof buf, off);
        bad += n > (ssize_t)sizeof buf;
        for (ssize_t i = 0; i < n / 8; i++)
            bad += buf[i] != 0 && buf[i] >> 8 != (uint64_t)(off / 8 + i);
    }
    close(fd);
    return (void *)(uintptr_t)(bad == 0);
}

static void sparse_race(void)
{
    race_fd = make_file("sparse");
    racing = 1;
    pthread_t g, t[THREADS];
    pthread_create(&g, NULL, sparse_grower, NULL);
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, sparse_reader, (void *)i);
    int good = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        good += r != NULL;
    }
    racing = 0;
    pthread_join(g, NULL);
    printf("preads racing a sparse grower: %d of %d readers found every word in its place\n",
           good, THREADS);
    close(race_fd);
    unlink(path);
}

// Threads pread the shared descriptor's file at offsets of their own, all of it, at once:
// every word in its place, and the position where it was.
static void *preader(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t buf[1000];
    int bad = 0;
    for (uint64_t w = id * 1000; w + 1000 <= WORDS; w += THREADS * 1000) {
        bad += pread(shared_fd, buf, sizeof buf, (off_t)w * 8) != sizeof buf;
        for (int i = 0; i < 1000; i++)
            bad += buf[i] != tag(w + (uint64_t)i, 0);
    }
    return (void *)(uintptr_t)(bad == 0);
}

static void preads(void)
{
    shared_fd = make_file("pread");
    lseek(shared_fd, 12345, SEEK_SET);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, preader, (void *)i);
    int good = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        good += r != NULL;
    }
    printf("preads: %d of %d threads found every word in its place\n", good, THREADS);
    check_val("  the position", lseek(shared_fd, 0, SEEK_CUR));
    char c;
    check_val("pread at the end", pread(shared_fd, &c, 1, SIZE));
    check_val("pread at the end into a bad buffer", pread(shared_fd, bad_address(), 1, SIZE));
    check_val("pread into a bad buffer", pread(shared_fd, bad_address(), 1, 0));
    check_val("pread at a negative offset", pread(shared_fd, &c, 1, -1));
    check_val("pread of 0 bytes", pread(shared_fd, &c, 0, 0));
    check_val("pread from a closed descriptor", pread(999, &c, 1, 0));
    int wr = open(path, O_WRONLY);
    check_val("pread from a write-only descriptor", pread(wr, &c, 1, 0));
    close(wr);
    close(shared_fd);
    unlink(path);
}

// Two threads read one open file at once, the first into a buffer whose last page is gone
// (a read cut short): Linux serializes them on the file's position lock, so whichever goes
// second starts where the first stopped - no byte is left unread between them, none read
// twice. (Without the lock, the second could claim bytes past the first's claim, and the
// first could not give back the bytes it could not copy.)
#define CUT (1 << 20)

static int cut_fd;
static volatile int cut_go;
static uint64_t cut_b[512];
static long cut_bgot;

static void *second_reader(void *arg)
{
    (void)arg;
    while (!cut_go)
        ;
    cut_bgot = read(cut_fd, cut_b, sizeof cut_b);
    return NULL;
}

static void cut_short_with_another_reader(void)
{
    cut_fd = make_file("cut");
    uint64_t *a = mmap(NULL, CUT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap((char *)a + CUT - 4096, 4096);
    int gaps = 0, twice = 0;
    for (int round = 0; round < 100; round++) {
        lseek(cut_fd, 0, SEEK_SET);
        cut_go = 0;
        pthread_t t;
        pthread_create(&t, NULL, second_reader, NULL);
        cut_go = 1;
        long agot = read(cut_fd, a, CUT);
        pthread_join(t, NULL);
        uint64_t astart = (a[0] >> 8) * 8, bstart = (cut_b[0] >> 8) * 8;
        uint64_t first_end = bstart == 0 ? (uint64_t)cut_bgot : (uint64_t)agot;
        uint64_t second = bstart == 0 ? astart : bstart;
        gaps += second > first_end;
        twice += second < first_end;
    }
    printf("a read cut short beside another reader: rounds with bytes nobody read %d, "
           "read twice %d\n", gaps, twice);
    munmap(a, CUT - 4096);
    close(cut_fd);
    unlink(path);
}

// sendfile with an offset of its own, and splice with an output offset, move no position:
// reads of the input file through the same descriptor meanwhile, and writes into the output
// file through its descriptor, go on from where the descriptor's position is, however long
// the sendfile's or splice's write into a file waits - here for the output file's other
// writers. (On Lantern such a write waits for the file's write lock with the BKL let go: a
// position lent to the call meanwhile would be seen.)
static int lend_in, lend_out, lend_other, lend_pipe[2];
static volatile int lending;

static void *lend_sender(void *arg)
{
    (void)arg;
    char c[512];
    memset(c, 's', sizeof c);
    while (lending) {
        off_t off = 0;
        sendfile(lend_other, lend_in, &off, 4096);
        if (write(lend_pipe[1], c, sizeof c) != sizeof c)
            break;
        loff_t out_off = 64 << 20;
        splice(lend_pipe[0], NULL, lend_out, &out_off, sizeof c, 0);
    }
    return NULL;
}

static void *lend_busy(void *arg)                  // keeps the output file's writers busy
{
    (void)arg;
    static char big[1 << 20];
    while (lending)
        pwrite(lend_other, big, sizeof big, 8 << 20);
    return NULL;
}

static void positions_not_lent(void)
{
    lend_in = make_file("lendin");
    char out_path[80];
    snprintf(out_path, sizeof out_path, "%s.out", path);
    lend_out = open(out_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    lend_other = open(out_path, O_RDWR);
    lseek(lend_other, 128 << 20, SEEK_SET);           // (sendfile's bytes go there)
    unlink(out_path);
    if (pipe(lend_pipe) != 0)
        return;
    lending = 1;
    pthread_t t[3];
    pthread_create(&t[0], NULL, lend_sender, NULL);
    pthread_create(&t[1], NULL, lend_busy, NULL);
    pthread_create(&t[2], NULL, lend_busy, NULL);
    int misread = 0, misplaced = 0;
    for (uint64_t w = 0; w < 16384; w++) {
        uint64_t got = 0;
        misread += read(lend_in, &got, 8) != 8 || got != tag(w, 0);
        misplaced += write(lend_out, &w, 8) != 8;
    }
    lending = 0;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (uint64_t w = 0; w < 16384; w++) {
        uint64_t got = ~0ull;
        misplaced += pread(lend_out, &got, 8, (off_t)(w * 8)) != 8 || got != w;
    }
    misplaced += lseek(lend_out, 0, SEEK_CUR) != 16384 * 8;
    printf("beside sendfile and splice at offsets of their own: reads off their place %d, "
           "writes off their place %d\n", misread != 0, misplaced != 0);
    close(lend_pipe[0]);
    close(lend_pipe[1]);
    close(lend_other);
    close(lend_out);
    close(lend_in);
    unlink(path);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_fileread");
    shared_descriptor(0);
    shared_descriptor(1);
    own_descriptors();
    race("a rewriter", rewriter);
    race("a truncator", truncator);
    sparse_race();
    bad_buffers(0);
    bad_buffers(1);
    into_own_mapping();
    preads();
    cut_short_with_another_reader();
    positions_not_lent();
    return done();
}
