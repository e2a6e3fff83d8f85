// pthread_filewrite: threads writing regular files at once - write(2), writev, pwrite64 and
// pwritev of a RAM file run without the big kernel lock on Lantern (one writer per file
// under the inode's write lock, the shared position under the file's position lock), so
// these are the checks that it still does what Linux's does: threads writing files of
// their own in large and odd-sized pieces read back every byte; records appended through
// one O_APPEND descriptor or through descriptors of their own are whole, all there and in
// each writer's order; records written through one descriptor without O_APPEND each take
// a place of their own, and the position ends at the end (and never goes back meanwhile);
// pwrites of regions of their own move no position; writers racing a truncator leave only
// their bytes or zeros; a pwrite and a store through a shared mapping that fill the same
// holes at once both stay; a write from a partly bad buffer is short or EFAULT with the
// position where Linux leaves it, and one cut short beside another writer leaves no gap;
// a write seal stops every write that starts after it, waits for one in progress, and
// loses none before; and a truncate by name or an open with O_TRUNC survives an unlink of
// the file's last name while it cuts. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "thr_util.h"

// (Buffers are static or on the threads' stacks, never __thread: every pthread program
// shares one binary's static TLS. musl's threads have 128 KiB stacks: big ones are static.)

#define THREADS 4
#define PAGE 4096

static char path[64];

// A new, empty regular file in /tmp (not a memfd: Linux gives a memfd no position lock).
static int make_file(const char *name, int flags)
{
    snprintf(path, sizeof path, "/tmp/pthread_filewrite.%d.%s", (int)getpid(), name);
    return open(path, O_RDWR | O_CREAT | O_TRUNC | flags, 0600);
}

// Runs fn(0..n-1) on n threads started together; how many returned non-NULL.
static pthread_barrier_t start;

static int run_threads(int n, void *(*fn)(void *))
{
    pthread_t t[THREADS + 1];
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (uintptr_t i = 0; i < (uintptr_t)n; i++)
        pthread_create(&t[i], NULL, fn, (void *)i);
    int good = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        good += r != NULL;
    }
    pthread_barrier_destroy(&start);
    return good;
}

// A byte that depends on its offset in the file and a seed, never 0 (the truncate race
// tells a written byte from a hole's zero), and differs from its neighbours' (a piece
// written one byte off shows).
static unsigned char pat(uint64_t off, unsigned seed)
{
    return (unsigned char)(1 + (off * 131 + off / PAGE * 7 + seed * 53) % 255);
}

static void fill(unsigned char *buf, uint64_t off, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pat(off + i, seed);
}

// 1. Files of their own, written in pieces of 64 KiB and of 1000 bytes in turn (pieces that
// start and end inside pages), then read back whole.
#define OWN_SIZE (5 * (65536 + 1000))
static unsigned char own_buf[THREADS][65536];

static void *own_writer(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    unsigned char *buf = own_buf[id];
    char mine[64];                      // (not make_file: its path is everyone's)
    snprintf(mine, sizeof mine, "/tmp/pthread_filewrite.%d.own%d", (int)getpid(), (int)id);
    int fd = open(mine, O_RDWR | O_CREAT | O_TRUNC, 0600);
    pthread_barrier_wait(&start);
    int bad = fd < 0;
    uint64_t off = 0;
    for (int i = 0; off < OWN_SIZE; i++) {
        size_t len = i % 2 ? 1000 : 65536;
        fill(buf, off, len, (unsigned)id);
        bad += write(fd, buf, len) != (ssize_t)len;
        off += len;
    }
    lseek(fd, 0, SEEK_SET);
    uint64_t got = 0;
    ssize_t n;
    while ((n = read(fd, buf, 65536)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            bad += buf[i] != pat(got + (uint64_t)i, (unsigned)id);
        got += (uint64_t)n;
    }
    close(fd);
    unlink(mine);
    return (void *)(uintptr_t)(bad == 0 && got == OWN_SIZE);
}

// Records: thread, sequence number, and 92 bytes that depend on both.
#define REC 100
#define RECS 300                          // per thread
#define TOTAL ((off_t)THREADS * RECS * REC)

struct record {
    uint32_t thread, seq;
    unsigned char data[REC - 8];
};

static void make_record(struct record *r, unsigned thread, unsigned seq)
{
    r->thread = thread;
    r->seq = seq;
    for (int i = 0; i < REC - 8; i++)
        r->data[i] = (unsigned char)(thread * 73 + seq * 31 + (unsigned)i * 7 + 1);
}

static int record_intact(const struct record *r)
{
    if (r->thread >= THREADS || r->seq >= RECS)
        return 0;
    struct record good;
    make_record(&good, r->thread, r->seq);
    return memcmp(r, &good, REC) == 0;
}

// Writes a record with write, or with writev in three pieces, in turn.
static ssize_t put_record(int fd, unsigned thread, unsigned seq)
{
    struct record r;
    make_record(&r, thread, seq);
    if (seq % 2 == 0)
        return write(fd, &r, REC);
    char *p = (char *)&r;
    struct iovec v[3] = { { p, 7 }, { p + 7, 50 }, { p + 57, REC - 57 } };
    return writev(fd, v, 3);
}

static int shared_fd;
static int own_flags;                     // for descriptors of their own (O_APPEND)

static int writers_done, backwards;

// The fifth thread watches the shared descriptor's position meanwhile: as Linux moves it
// under the file's position lock, one write at a time, it never goes back.
static void *position_watcher(void)
{
    pthread_barrier_wait(&start);
    off_t last = 0;
    while (__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE) < THREADS) {
        off_t now = lseek(shared_fd, 0, SEEK_CUR);
        backwards += now < last;
        last = now;
    }
    return (void *)1;
}

static void *record_writer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    if (id == THREADS)
        return position_watcher();
    int fd = own_flags ? open(path, O_WRONLY | own_flags) : shared_fd;
    pthread_barrier_wait(&start);
    int bad = fd < 0;
    for (unsigned seq = 0; seq < RECS; seq++)
        bad += put_record(fd, id, seq) != REC;
    if (own_flags)
        close(fd);
    __atomic_add_fetch(&writers_done, 1, __ATOMIC_RELEASE);
    return (void *)(uintptr_t)(bad == 0);
}

// The file holds whole records, each thread's once each and in its order.
static void check_records(int fd)
{
    static struct record recs[THREADS * RECS + 1];
    struct stat st;
    fstat(fd, &st);
    check_val("  size", st.st_size);
    ssize_t n = pread(fd, recs, sizeof recs, 0);
    int intact = 0, in_order = 1;
    unsigned next[THREADS] = { 0 };
    for (ssize_t i = 0; i < n / REC; i++) {
        if (!record_intact(&recs[i]))
            continue;
        intact++;
        in_order &= recs[i].seq == next[recs[i].thread]++;
    }
    printf("  records intact: %d of %d\n", intact, THREADS * RECS);
    yes("  each thread's records once each, in its order", in_order);
}

static void records(const char *what, int flags, int own)
{
    shared_fd = make_file("records", flags);
    own_flags = own ? flags : 0;
    writers_done = backwards = 0;
    int good = run_threads(THREADS + 1, record_writer) - 1;
    printf("%s: %d of %d threads wrote every record whole\n", what, good, THREADS);
    printf("  times the position went back: %d\n", backwards);
    check_records(shared_fd);
    if (!own)
        check_val("  the position at the end", lseek(shared_fd, 0, SEEK_CUR));
    close(shared_fd);
    unlink(path);
}

// 5. pwrite and pwritev (in two pieces) of chunks of 8000 bytes, each thread every fourth:
// the threads' chunks share pages.
#define CHUNK 8000
#define CHUNKS 64

static void *pwriter(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    unsigned char buf[CHUNK];
    pthread_barrier_wait(&start);
    int bad = 0;
    for (uint64_t k = id; k < CHUNKS; k += THREADS) {
        fill(buf, k * CHUNK, CHUNK, 5);
        struct iovec v[2] = { { buf, 3000 }, { buf + 3000, CHUNK - 3000 } };
        ssize_t n = k / THREADS % 2 ? pwrite(shared_fd, buf, CHUNK, (off_t)(k * CHUNK))
                                    : pwritev(shared_fd, v, 2, (off_t)(k * CHUNK));
        bad += n != CHUNK;
    }
    return (void *)(uintptr_t)(bad == 0);
}

static void pwrites(void)
{
    shared_fd = make_file("pwrite", 0);
    lseek(shared_fd, 12345, SEEK_SET);
    int good = run_threads(THREADS, pwriter);
    printf("pwrite and pwritev of regions of their own: %d of %d threads wrote them all\n",
           good, THREADS);
    static unsigned char buf[CHUNK * CHUNKS + 1];
    ssize_t n = pread(shared_fd, buf, sizeof buf, 0);
    check_val("  bytes in the file", n);
    int bad = 0;
    for (ssize_t i = 0; i < n; i++)
        bad += buf[i] != pat((uint64_t)i, 5);
    printf("  bytes out of place: %d\n", bad);
    check_val("  the position", lseek(shared_fd, 0, SEEK_CUR));
    close(shared_fd);
    unlink(path);
}

// 6. Writers (pwrite, pwritev, and write at an lseek'd place through descriptors of their
// own) rewrite a 256 KiB file with the pattern while a truncator cuts it to nothing and
// back: each byte ends either the pattern's or 0 (a hole, or the zeros of a cut).
#define TRUNC_SIZE (256 * 1024)
static volatile int racing;

static void *trunc_writer(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    unsigned char buf[5000];
    int fd = open(path, O_WRONLY);
    pthread_barrier_wait(&start);
    for (uint64_t i = id; racing; i += 7) {
        uint64_t off = i * 1237 % (TRUNC_SIZE - sizeof buf);
        fill(buf, off, sizeof buf, 6);
        struct iovec v[2] = { { buf, 1234 }, { buf + 1234, sizeof buf - 1234 } };
        if (id == 0)
            pwrite(fd, buf, sizeof buf, (off_t)off);
        else if (id == 1)
            pwritev(fd, v, 2, (off_t)off);
        else if (lseek(fd, (off_t)off, SEEK_SET) == (off_t)off)
            write(fd, buf, sizeof buf);
    }
    close(fd);
    return (void *)1;
}

static void *truncator(void *arg)
{
    if ((uintptr_t)arg != THREADS - 1)
        return trunc_writer(arg);
    pthread_barrier_wait(&start);
    int bad = 0;
    long long until = now_ns(CLOCK_MONOTONIC) + 200000000;
    // 300 rounds, or fewer if they take over 0.2 s (with one CPU the writers take turns).
    for (int i = 0; i < 300 && now_ns(CLOCK_MONOTONIC) < until; i++) {
        bad += ftruncate(shared_fd, 0) != 0;
        bad += ftruncate(shared_fd, i % 2 ? TRUNC_SIZE / 3 : TRUNC_SIZE) != 0;
        if (i % 16 == 0)
            sched_yield();
    }
    ftruncate(shared_fd, TRUNC_SIZE);
    racing = 0;
    return (void *)(uintptr_t)(bad == 0);
}

static void truncate_race(void)
{
    shared_fd = make_file("trunc", 0);
    racing = 1;
    run_threads(THREADS, truncator);
    printf("writers racing a truncator:\n");
    static unsigned char buf[TRUNC_SIZE + 1];
    ssize_t n = pread(shared_fd, buf, sizeof buf, 0);
    check_val("  bytes in the file", n);
    int bad = 0;
    for (ssize_t i = 0; i < n; i++)
        bad += buf[i] != 0 && buf[i] != pat((uint64_t)i, 6);
    printf("  bytes neither 0 nor the pattern's: %d\n", bad);
    close(shared_fd);
    unlink(path);
}

// 7. A sparse file: one thread pwrites 'A' at byte 0 of each page while another stores 'B'
// at byte 1 of the same pages through a shared mapping - both fill the same holes at once
// (the write under the write lock, the fault without it); neither byte may be lost.
#define HOLES 256
#define ROUNDS 8
static char *hole_map;
static int reverse;                       // the mapping's thread goes from the top
static int progress[2];                   // lockstep: how far each thread has gone

static void *hole_filler(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    pthread_barrier_wait(&start);
    int lockstep = !reverse;
    for (int i = 0; i < HOLES; i++) {
        // Going the same way, the two would soon be apart (the faster ahead, in filled
        // pages): each waits a while for the other to reach its page, to fill it at the
        // same time - until the other is late once (with one CPU it is not running, and
        // waiting would only burn the time slice).
        __atomic_store_n(&progress[id], i, __ATOMIC_RELEASE);
        int spin = 0;
        while (lockstep && __atomic_load_n(&progress[!id], __ATOMIC_ACQUIRE) < i)
            if (++spin == 5000)
                lockstep = 0;
        int p = reverse && id ? HOLES - 1 - i : i;
        if (id == 0)
            pwrite(shared_fd, "A", 1, (off_t)p * PAGE);
        else
            hole_map[(size_t)p * PAGE + 1] = 'B';
    }
    return (void *)1;
}

static void holes(void)
{
    int by_read = 0, by_map = 0;
    for (int round = 0; round < ROUNDS; round++) {
        shared_fd = make_file("holes", 0);
        ftruncate(shared_fd, (off_t)HOLES * PAGE);
        hole_map = mmap(NULL, (size_t)HOLES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
                        shared_fd, 0);
        reverse = round % 4 == 3;
        progress[0] = progress[1] = 0;
        run_threads(2, hole_filler);
        for (int p = 0; p < HOLES; p++) {
            char two[2] = { 0, 0 };
            pread(shared_fd, two, 2, (off_t)p * PAGE);
            by_read += two[0] == 'A' && two[1] == 'B';
            by_map += hole_map[(size_t)p * PAGE] == 'A' && hole_map[(size_t)p * PAGE + 1] == 'B';
        }
        munmap(hole_map, (size_t)HOLES * PAGE);
        close(shared_fd);
        unlink(path);
    }
    printf("holes filled by pwrite and a shared mapping at once, %d rounds:\n", ROUNDS);
    printf("  pages with both bytes: %d of %d by read, %d by the mapping\n", by_read,
           ROUNDS * HOLES, by_map);
}

// 8. Writes from a buffer whose second page is gone, through a descriptor that is shared
// (dup): the bytes before the gap go in, and the position moves by as many; a buffer bad
// from its start is EFAULT and moves nothing; writev stops at a bad piece.
static void bad_buffers(int flags)
{
    int fd = make_file("bad", flags);
    int second = dup(fd);
    printf("bad buffers%s:\n", flags ? ", O_APPEND" : "");
    unsigned char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fill(two, 0, PAGE, 8);
    munmap(two + PAGE, PAGE);
    check_val("write from a buffer that ends after 4096 bytes", write(fd, two, 2 * PAGE));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    lseek(fd, 100, SEEK_SET);
    check_val("the same at 100", write(fd, two, 2 * PAGE));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("write from 100 bytes before the gap", write(fd, two + PAGE - 100, 1000));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("write from a bad buffer", write(fd, bad_address(), 100));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("write of 0 bytes from a bad buffer", write(fd, bad_address(), 0));
    struct iovec v[3] = { { two, 10 }, { bad_address(), 10 }, { two + 10, 10 } };
    check_val("writev whose second buffer is bad", writev(fd, v, 3));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    struct iovec w[2] = { { two, 4000 }, { two + 4000, 200 } };
    check_val("writev across the end of a buffer's page", writev(fd, w, 2));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    struct stat st;
    fstat(fd, &st);
    check_val("  size", st.st_size);
    static unsigned char back[4 * PAGE];
    ssize_t n = pread(fd, back, sizeof back, 0);
    // What went where, in one number (Linux's bytes are the oracle's).
    uint32_t hash = 2166136261u;
    for (ssize_t i = 0; i < n; i++)
        hash = (hash ^ back[i]) * 16777619u;
    printf("  the file's bytes: %zd, hash %08x\n", n, hash);
    munmap(two, PAGE);
    close(second);
    close(fd);
    unlink(path);
}

// 8b. Two threads write one open file at once, the first from a buffer whose last page is
// gone (a write cut short): Linux serializes them on the file's position lock, so whichever
// goes second starts where the first stopped - no gap of zeros between them, and the size
// is what both wrote. (Without the lock, the second could claim a place past the first's
// claim, which the first could not give back.)
#define CUT (256 * 1024)

static volatile int cut_go, cut_ready;
static long cut_bgot;

// Ready before the first writer starts, and then a little later than it, more so each
// round: the second write comes during the first's copy in some rounds, before it in others.
static void *second_writer(void *arg)
{
    char b[100];
    memset(b, 'b', sizeof b);
    cut_ready = 1;
    while (!cut_go)
        sched_yield();                    // (with one CPU, let the first writer run)
    for (volatile long i = 0; i < (long)(uintptr_t)arg % 4 * 3000; i++)
        ;
    cut_bgot = write(shared_fd, b, sizeof b);
    return NULL;
}

static void cut_short_with_another_writer(void)
{
    shared_fd = make_file("cut", 0);
    char *a = mmap(NULL, CUT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'a', CUT);
    munmap(a + CUT - PAGE, PAGE);
    static char back[CUT + 200];
    int gaps = 0, sizes = 0, counts = 0;
    for (int round = 0; round < 30; round++) {
        ftruncate(shared_fd, 0);
        lseek(shared_fd, 0, SEEK_SET);
        cut_go = cut_ready = 0;
        pthread_t t;
        pthread_create(&t, NULL, second_writer, (void *)(uintptr_t)round);
        while (!cut_ready)
            sched_yield();
        cut_go = 1;
        long agot = write(shared_fd, a, CUT);
        pthread_join(t, NULL);
        counts += agot != CUT - PAGE || cut_bgot != 100;
        ssize_t n = pread(shared_fd, back, sizeof back, 0);
        sizes += n != agot + cut_bgot || lseek(shared_fd, 0, SEEK_CUR) != n;
        gaps += n > 0 && memchr(back, 0, (size_t)n) != NULL;
    }
    printf("a write cut short beside another writer, 30 rounds: wrong counts %d, size or "
           "position not the sum %d, gaps of zeros %d\n", counts, sizes, gaps);
    munmap(a, CUT - PAGE);
    close(shared_fd);
    unlink(path);
}

// 9. (6 times) A memfd's writer writes on, 64 KiB at a time, while a write seal comes: every write
// that starts after fcntl(F_ADD_SEALS) returned fails with EPERM, a write in progress ends
// before the seal comes (Linux adds it under the inode lock: the file does not change after
// the call returns), and the file holds exactly the bytes the writer was told it wrote.
#define SEAL_PIECE 65536
#define SEAL_MAX (2 << 20)
#define SEAL_ROUNDS 6
static int seal_fd;
static volatile int sealed;
static volatile long seal_written;
static int late_ok, late_eperm, late_other, early_err;
static unsigned char seal_buf[SEAL_PIECE];

static void *seal_writer(void *arg)
{
    (void)arg;
    long at = 0;
    for (int late = 0; late < 20;) {
        int after = sealed;               // read before the write starts
        if (!after && at >= SEAL_MAX) {
            sched_yield();                // (the sealer is late: wait for it)
            continue;
        }
        ssize_t n = write(seal_fd, seal_buf, SEAL_PIECE);
        int e = errno;
        if (n > 0)
            at += n;
        seal_written = at;
        if (after) {
            late++;
            late_ok += n >= 0;
            late_eperm += n < 0 && e == EPERM;
            late_other += n < 0 && e != EPERM;
        } else if (n < 0 && e != EPERM) {
            early_err++;                  // (EPERM: the seal came after we looked)
        }
    }
    return NULL;
}

static void seal_race(void)
{
    fill(seal_buf, 0, SEAL_PIECE, 9);
    int sealed_ok = 0, eperm_now = 0, unchanged = 0, told = 0, intact = 0;
    for (int round = 0; round < SEAL_ROUNDS; round++) {
        seal_fd = memfd_create("pthread_filewrite", MFD_ALLOW_SEALING);
        sealed = 0;
        seal_written = 0;
        pthread_t t;
        pthread_create(&t, NULL, seal_writer, NULL);
        while (seal_written < (round + 1) * SEAL_PIECE)
            sched_yield();
        sealed_ok += fcntl(seal_fd, F_ADD_SEALS, F_SEAL_WRITE) == 0;
        sealed = 1;
        struct stat at_seal, st;
        fstat(seal_fd, &at_seal);
        pthread_join(t, NULL);
        eperm_now += write(seal_fd, "x", 1) < 0 && errno == EPERM;
        fstat(seal_fd, &st);
        unchanged += st.st_size == at_seal.st_size;
        told += st.st_size == seal_written;
        static unsigned char buf[SEAL_MAX + SEAL_PIECE];
        ssize_t n = pread(seal_fd, buf, sizeof buf, 0);
        int bad = n != seal_written;
        for (ssize_t k = 0; k < n; k++)
            bad += buf[k] != seal_buf[k % SEAL_PIECE];
        intact += bad == 0;
        close(seal_fd);
    }
    printf("a write seal beside a writer, %d rounds: F_ADD_SEALS returned 0 %d times\n",
           SEAL_ROUNDS, sealed_ok);
    printf("  writes started after it: %d succeeded, %d failed with EPERM, %d otherwise\n",
           late_ok, late_eperm, late_other);
    printf("  a write at the end failed with EPERM: %d times\n", eperm_now);
    yes("  no write failed otherwise before it", early_err == 0);
    printf("  the size had not changed since it returned: %d times\n", unchanged);
    printf("  the size was what the writer was told it wrote: %d times\n", told);
    printf("  the bytes were the writer's: %d times\n", intact);
}

// 10. A truncate by name, and an open with O_TRUNC, of a 4 MiB file while another thread
// unlinks its last name (no descriptor holds it): the unlink may come while the truncate
// frees the pages (Lantern lets the BKL go then) - the truncate must still have its file.
#define UNLINK_SIZE (4 << 20)
#define UNLINK_ROUNDS 6
static volatile int unlink_go;

static void *unlinker(void *arg)
{
    (void)arg;
    while (!unlink_go)
        ;
    int tries = 0;
    while (unlink(path) != 0 && errno == ENOENT && ++tries < 1000000)
        ;
    return (void *)1;
}

static void truncate_beside_unlink(void)
{
    static char buf[UNLINK_SIZE];
    memset(buf, 'u', sizeof buf);
    int ok[2] = { 0, 0 };
    for (int r = 0; r < 2 * UNLINK_ROUNDS; r++) {
        int fd = make_file("unlink", 0);
        int whole = write(fd, buf, sizeof buf) == (ssize_t)sizeof buf;
        close(fd);
        unlink_go = 0;
        pthread_t t;
        pthread_create(&t, NULL, unlinker, NULL);
        unlink_go = 1;
        int e = 0;
        if (r % 2 == 0) {
            e = truncate(path, 0) == 0 ? 0 : errno;
        } else {
            int f = open(path, O_RDONLY | O_TRUNC);
            struct stat st;
            if (f < 0)
                e = errno;
            else if (fstat(f, &st) != 0 || st.st_size != 0)
                e = -1;
            if (f >= 0)
                close(f);
        }
        pthread_join(t, NULL);
        unlink(path);
        ok[r % 2] += whole && (e == 0 || e == ENOENT);
    }
    printf("an unlink of the last name beside:\n");
    printf("  a truncate by name: %d of %d rounds ended (0 or ENOENT)\n", ok[0], UNLINK_ROUNDS);
    printf("  an open with O_TRUNC: %d of %d rounds ended (0 or ENOENT, the file empty)\n",
           ok[1], UNLINK_ROUNDS);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_filewrite");
    mkdir("/tmp", 01777);                  // (as init, on Lantern)
    int good = run_threads(THREADS, own_writer);
    printf("files of their own, 64 KiB and 1000-byte writes: %d of %d threads read back every "
           "byte\n", good, THREADS);
    records("one O_APPEND descriptor", O_APPEND, 0);
    records("O_APPEND descriptors of their own", O_APPEND, 1);
    records("one descriptor without O_APPEND", 0, 0);
    pwrites();
    truncate_race();
    holes();
    bad_buffers(0);
    bad_buffers(O_APPEND);
    cut_short_with_another_writer();
    seal_race();
    truncate_beside_unlink();
    return done();
}
