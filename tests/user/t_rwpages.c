// t_rwpages.c: read, write, pread, pwrite, readv and writev on regular files in RAM (tmpfs
// on the host, ramfs on Lantern), page by page, with user buffers that go bad part way.
//
// Lantern copies straight between the user's buffer and the file's pages, so a fault in
// the middle of a copy is now the file system's business. Linux's rules, pinned here:
//  - a write whose buffer turns bad (unmapped, PROT_NONE) part way writes the bytes before
//    the bad page and returns their count; one with no good byte at all is EFAULT and
//    changes no byte and not the position. (Past the end, Linux 6.14 and later move the
//    size up to where the write began, tmpfs and ext4 alike - older kernels, which touched
//    the buffer before the file's page, leave it alone: not asked here.)
//  - a read into a buffer that turns bad (unmapped, PROT_READ, PROT_NONE) returns the
//    bytes it stored, and the position moves by exactly that; with nothing stored it is
//    EFAULT and the position stays; at or past the end it is 0, the buffer never touched;
//  - pread and pwrite the same, the position untouched; O_APPEND grows the file only by
//    what was written; readv and writev stop at the first bad iovec, with the count so far;
//  - holes read as zeros; a file shrunk and grown again has zeros where it was cut;
//  - the buffer may be a mapping of the very file being read or written: the copy goes
//    forward, so bytes already written are copied again further on (a byte at a time, as
//    far as a program can tell when source and destination are 1000 bytes apart: closer,
//    Linux's result depends on the CPU's rep movsb), and a private mapping not yet written
//    to shows the file's bytes as they change;
//  - a write is one step against ftruncate (Linux holds the inode's lock for both), and
//    pread/pwrite by another process on the same open file never move its position.
// Each case prints the count or error, the position and size after it, whether the file
// (or buffer) holds exactly what that count says, and the bytes where the copy stopped.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define PG      4096L
#define MAXFILE (16 * PG)          // no scratch file here grows past this
#define FILE3   (3 * PG)           // the usual scratch file: three pages

// Where the scratch files go: tmpfs on the host, /tmp (ramfs) on Lantern, which has no
// /dev/shm.
static const char *dir = "/tmp";
static char names[64][64];   // each scratch file's, by descriptor

// The bytes a scratch file starts with, and those a write brings: 'a'..'z', 'A'..'Z' by
// position, so that a byte in the wrong place shows.
static void old_bytes(char *p, long n, long at)
{
    for (long i = 0; i < n; i++)
        p[i] = (char)('a' + (at + i) % 26);
}

static void new_bytes(char *p, long n)
{
    for (long i = 0; i < n; i++)
        p[i] = (char)('A' + i % 26);
}

// A new scratch file of `size` old bytes. drop() closes and removes it.
static int scratch(long size)
{
    static int serial;
    static char buf[MAXFILE], path[64];

    snprintf(path, sizeof path, "%s/t_rwpages.%d.%d", dir, getpid(), serial++);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || fd >= 64) {
        printf("open %s: error %s\n", "a scratch file", err_name(errno));
        exit(1);
    }
    strcpy(names[fd], path);
    old_bytes(buf, size, 0);
    if (size > 0 && pwrite(fd, buf, size, 0) != size)
        printf("filling a scratch file: short\n");
    return fd;
}

static void drop(int fd)
{
    close(fd);
    unlink(names[fd]);
}

static long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) < 0 ? -1 : (long)st.st_size;
}

// The file's bytes into img (zeros after the end); its size.
static long image(int fd, char *img)
{
    long size = size_of(fd);
    memset(img, 0, MAXFILE);
    if (pread(fd, img, size < MAXFILE ? size : MAXFILE, 0) < 0)
        printf("  pread of the whole file: error %s\n", err_name(errno));
    return size;
}

// ---- buffers that go bad

enum bad { UNMAPPED, NOACCESS, READONLY };
static const char *const bad_name[] = { "unmapped", "PROT_NONE", "PROT_READ" };

// `good` usable bytes at p, then a page of the kind given, right after them.
struct buf {
    char *base, *p;
    long len, good;
};

static struct buf bad_buffer(long good, enum bad kind)
{
    long pages = (good + PG - 1) / PG;
    struct buf b;

    b.len = (pages + 1) * PG;
    b.base = mmap(NULL, b.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    b.p = b.base + pages * PG - good;
    b.good = good;
    if (kind == UNMAPPED)
        munmap(b.base + pages * PG, PG);
    else
        mprotect(b.base + pages * PG, PG, kind == NOACCESS ? PROT_NONE : PROT_READ);
    return b;
}

static void free_buffer(struct buf b)
{
    munmap(b.base, b.len);
}

// The bytes of img from 4 before `at` to 4 after, within [0, size).
static void around(const char *label, const char *img, long size, long at)
{
    long to = at + 4 > size ? size : at + 4, from = at - 4 < 0 ? 0 : at - 4;
    if (from > to)
        from = to;
    char what[64];

    snprintf(what, sizeof what, "  %s, bytes %ld..%ld", label, from, to);
    print_escaped(what, img + from, to - from);
}

// ---- 1, 2, 3, 5: writes from a buffer that goes bad

enum how { WRITE, PWRITE, APPEND };
static const char *const how_name[] = { "write", "pwrite", "O_APPEND write" };

struct wcase {
    long size, pos, good, count;   // the file's size, where to write, the buffer
};

static long do_write(int fd, enum how how, const char *p, long count, long pos)
{
    if (how == PWRITE) {
        lseek(fd, 7, SEEK_SET);    // where the position must stay
        return pwrite(fd, p, count, pos);
    }
    lseek(fd, pos, SEEK_SET);
    return write(fd, p, count);
}

static void one_write(enum how how, enum bad kind, struct wcase c)
{
    static char before[MAXFILE], after[MAXFILE];
    int file = scratch(c.size);
    int fd = how == APPEND ? open(names[file], O_RDWR | O_APPEND) : file;
    struct buf b = bad_buffer(c.good, kind);

    new_bytes(b.p, c.good);
    image(fd, before);
    printf("%s of %ld from %ld good bytes then %s, at %ld of %ld bytes\n", how_name[how],
           c.count, c.good, bad_name[kind], how == APPEND ? c.size : c.pos, c.size);
    long r = do_write(fd, how, b.p, c.count, c.pos);
    check_val("  returned", r);
    long pos = lseek(fd, 0, SEEK_CUR);
    long size = image(fd, after);
    long at = how == APPEND ? c.size : c.pos, n = r > 0 ? r : 0;
    long readable = kind == READONLY ? c.count : c.good;   // a PROT_READ page reads as 0s
    if (n > readable) {
        printf("  more than the good bytes were written\n");
        n = readable;
    }
    memcpy(before + at, b.p, n);
    printf("  position %ld, size %ld\n", pos, size);
    yes("  the old bytes, and the returned count of new ones (zeros after the old end)",
        memcmp(before, after, MAXFILE) == 0);
    around("where the write stopped", after, size, at + n);
    free_buffer(b);
    if (fd != file)
        close(fd);
    drop(file);
}

static const struct wcase partial_writes[] = {
    { 0, 0, PG, 2 * PG },          // a page-aligned buffer: a page, then the bad one
    { 0, 0, 100, 2 * PG },         // 100 bytes before the bad page
    { FILE3, 50, 100, 2 * PG },    // over old bytes, unaligned in the file
    { FILE3, 4000, 300, 2 * PG },  // across the file's first page boundary
    { FILE3, 1000, 5000, 12000 },  // two good pages of buffer
    { FILE3, 20000, 100, 2 * PG }, // past the end: a hole, then 100 bytes
    { 0, 0, 0, 2 * PG },           // no good byte at all: EFAULT
    { FILE3, 5000, 0, 100 },       // in the middle of the data
    { FILE3, FILE3, 0, 100 },      // at the end
    // Not asked: no good byte past the end. Linux 6.14 and later move the size up to where
    // such a write began (EFAULT all the same); older kernels, Debian 12's 6.1 among them,
    // and Lantern leave it - the answer would be the host's kernel version.
};

// O_APPEND: the position given is not used.
static const struct wcase appends[] = {
    { 0, 0, PG, 2 * PG },
    { 0, 0, 100, 2 * PG },
    { FILE3, 0, 300, 2 * PG },     // across the file's page boundary after the end
    { 100, 0, 5000, 12000 },
    { 0, 0, 0, 2 * PG },
    { FILE3, 0, 0, 100 },          // nothing good: the file must not grow
};

static void writes(void)
{
    int n = sizeof partial_writes / sizeof partial_writes[0];
    int na = sizeof appends / sizeof appends[0];
    for (enum how how = WRITE; how <= PWRITE; how++)
        for (enum bad kind = UNMAPPED; kind <= NOACCESS; kind++)
            for (int i = 0; i < n; i++)
                one_write(how, kind, partial_writes[i]);
    for (enum bad kind = UNMAPPED; kind <= NOACCESS; kind++)
        for (int i = 0; i < na; i++)
            one_write(APPEND, kind, appends[i]);
    // The later page only readable: no fault, the whole count.
    one_write(WRITE, READONLY, (struct wcase){ FILE3, 50, 100, 100 + PG });
    one_write(PWRITE, READONLY, (struct wcase){ 0, 0, 5000, 5000 + PG });
}

// ---- 4, 5: reads into a buffer that goes bad

struct rcase {
    long pos, good, count;         // in a FILE3 file
};

static void one_read(int pread_it, enum bad kind, struct rcase c)
{
    static char img[MAXFILE];
    int fd = scratch(FILE3);
    struct buf b = bad_buffer(c.good, kind);
    long r;

    memset(b.p, '#', c.good);
    printf("%s of %ld into %ld good bytes then %s, at %ld of %ld bytes\n",
           pread_it ? "pread" : "read", c.count, c.good, bad_name[kind], c.pos, FILE3);
    if (pread_it) {
        lseek(fd, 7, SEEK_SET);
        r = pread(fd, b.p, c.count, c.pos);
    } else {
        lseek(fd, c.pos, SEEK_SET);
        r = read(fd, b.p, c.count);
    }
    check_val("  returned", r);
    printf("  position %ld\n", lseek(fd, 0, SEEK_CUR));
    image(fd, img);
    long n = r > 0 ? r : 0, rest = 0;
    if (n > c.good) {
        printf("  more than the good bytes were stored\n");
        n = c.good;
    }
    for (long i = n; i < c.good; i++)
        rest += b.p[i] != '#';
    yes("  the file's bytes, as many as returned, and nothing more",
        memcmp(b.p, img + c.pos, n) == 0 && rest == 0);
    around("the buffer where the read stopped", b.p, c.good, n);
    free_buffer(b);
    drop(fd);
}

static const struct rcase partial_reads[] = {
    { 0, PG, 2 * PG },
    { 0, 100, 2 * PG },
    { 4000, 300, 2 * PG },         // across the file's first page boundary
    { 1000, 5000, 12000 },
    { 12200, 100, 2 * PG },        // the end of the file comes first: 88, no fault
    { 12188, 100, 2 * PG },        // the end and the bad page at once
    { 0, 0, 2 * PG },              // nothing good: EFAULT, the position stays
    { 5000, 0, 100 },
    { FILE3, 0, 100 },             // at the end: 0, the buffer never touched
    { 20000, 0, 100 },             // past it: the same
};

static void reads(void)
{
    int n = sizeof partial_reads / sizeof partial_reads[0];
    for (int pread_it = 0; pread_it <= 1; pread_it++)
        for (enum bad kind = UNMAPPED; kind <= READONLY; kind++)
            for (int i = 0; i < n; i++)
                one_read(pread_it, kind, partial_reads[i]);
}

// A file of the initramfs (on Lantern, its bytes are the archive's, borrowed): 36 bytes.
static void read_archive_file(void)
{
    int fd = open("etc/parity/hello.txt", O_RDONLY);
    struct buf b = bad_buffer(10, UNMAPPED);
    check_val("read etc/parity/hello.txt into 10 good bytes then unmapped", read(fd, b.p, 36));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    print_escaped("  the buffer", b.p, 10);
    check_val("  pread at 10 into the bad page", pread(fd, b.p + 10, 10, 10));
    check_val("  pread at 36 into the bad page", pread(fd, b.p + 10, 10, 36));
    free_buffer(b);
    close(fd);
}

// ---- 6: holes

static long nonzero(const char *p, long n, long *first)
{
    long count = 0;
    *first = -1;
    for (long i = 0; i < n; i++)
        if (p[i]) {
            if (count++ == 0)
                *first = i;
        }
    return count;
}

static void holes(void)
{
    static char buf[MAXFILE];
    long first, count;
    int fd = scratch(0);

    check("ftruncate an empty file to 3 pages", ftruncate(fd, FILE3));
    check_val("pwrite 1 byte at 2*4096+5", pwrite(fd, "X", 1, 2 * PG + 5));
    memset(buf, '#', sizeof buf);
    check_val("read it all", read(fd, buf, sizeof buf));
    count = nonzero(buf, FILE3, &first);
    printf("  bytes not zero: %ld, the first at %ld, it is %c\n", count, first, buf[first]);
    struct buf b = bad_buffer(5000, UNMAPPED);
    memset(b.p, '#', 5000);
    check_val("pread the holes into 5000 good bytes then unmapped", pread(fd, b.p, 2 * PG, 100));
    count = nonzero(b.p, 5000, &first);
    printf("  bytes not zero: %ld\n", count);
    free_buffer(b);
    drop(fd);

    fd = scratch(FILE3);
    check("ftruncate 3 pages of data to 100 bytes", ftruncate(fd, 100));
    check("ftruncate back to 3 pages", ftruncate(fd, FILE3));
    check_val("pread it all", pread(fd, buf, sizeof buf, 0));
    count = nonzero(buf, FILE3, &first);
    printf("  bytes not zero: %ld, from %ld\n", count, first);
    check("ftruncate to 4096+10", ftruncate(fd, PG + 10));
    check_val("pwrite 1 byte at 3*4096", pwrite(fd, "Y", 1, 3 * PG));
    check_val("pread it all", pread(fd, buf, sizeof buf, 0));
    count = nonzero(buf, 3 * PG + 1, &first);
    printf("  bytes not zero: %ld, from %ld\n", count, first);
    drop(fd);
}

// ---- 7: the buffer is a mapping of the file itself

// What the file holds after n bytes go from src to dst (offsets in img): a copy forward, a
// byte at a time, and a copy of the bytes as they were before it.
static void models(const char *img, long src, long dst, long n, char *forward, char *moved)
{
    memcpy(forward, img, MAXFILE);
    memcpy(moved, img, MAXFILE);
    for (long i = 0; i < n; i++)
        forward[dst + i] = forward[src + i];
    memmove(moved + dst, img + src, n);
}

static void compare(int fd, const char *forward, const char *moved, long dst, long n)
{
    static char now[MAXFILE];
    long size = image(fd, now);
    check_val("  size", size);
    yes("  as a copy forward a byte at a time", memcmp(now, forward, MAXFILE) == 0);
    yes("  as a copy of the bytes from before the call", memcmp(now, moved, MAXFILE) == 0);
    print_escaped("  the first 12 bytes written", now + dst, 12);
    around("the last bytes written", now, size, dst + n);
}

// pwrite (or pread, the other way) of n bytes at file offset dst from (into) the mapping
// m of the same file, at offset src.
static void through_mapping(const char *what, int fd, char *m, int reading, long src, long dst,
                            long n)
{
    static char img[MAXFILE], forward[MAXFILE], moved[MAXFILE];

    image(fd, img);
    models(img, src, dst, n, forward, moved);
    printf("%s: file %ld..%ld %s the mapping at %ld\n", what, reading ? src : dst,
           (reading ? src : dst) + n, reading ? "read into" : "written from", reading ? dst : src);
    if (reading)
        check_val("  returned", pread(fd, m + dst, n, src));
    else
        check_val("  returned", pwrite(fd, m + src, n, dst));
    compare(fd, forward, moved, dst, n);
}

static void shared_mapping(void)
{
    int fd = scratch(4 * PG);
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    through_mapping("MAP_SHARED, apart", fd, m, 0, 2 * PG, 0, 100);
    print_escaped("  the mapping at 0 sees", m, 12);
    through_mapping("MAP_SHARED, overlapping, forward by 1000", fd, m, 0, 0, 1000, 3000);
    through_mapping("MAP_SHARED, overlapping, back by 100", fd, m, 0, 300, 200, 300);
    through_mapping("MAP_SHARED, overlapping, forward by 5000", fd, m, 0, 0, 5000, 2 * PG);
    through_mapping("MAP_SHARED read, apart", fd, m, 1, 3 * PG, 100, 200);
    through_mapping("MAP_SHARED read, overlapping, forward by 1000", fd, m, 1, 0, 1000, 3000);
    through_mapping("MAP_SHARED read, overlapping, back by 100", fd, m, 1, 300, 200, 300);
    munmap(m, 4 * PG);
    drop(fd);
}

static void private_mapping(void)
{
    static char img[MAXFILE];
    int fd = scratch(4 * PG);
    char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

    // Not yet written to: its pages are the file's, and show the write as it goes.
    through_mapping("MAP_PRIVATE untouched, overlapping, forward by 1000", fd, p, 0, 0, 1000, 3000);
    image(fd, img);
    yes("  the private mapping shows the new bytes", memcmp(p, img, 4 * PG) == 0);
    munmap(p, 4 * PG);
    // A read into it: the first byte stored makes the page its own; the file stays.
    p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    image(fd, img);
    printf("MAP_PRIVATE read: file 0..300 read into the mapping at 100\n");
    check_val("  returned", pread(fd, p + 100, 300, 0));
    static char now[MAXFILE];
    image(fd, now);
    yes("  the file unchanged", memcmp(now, img, MAXFILE) == 0);
    yes("  the mapping holds the file's first 300 bytes at 100", memcmp(p + 100, img, 300) == 0);
    yes("  and the file's own bytes around them",
        memcmp(p, img, 100) == 0 && memcmp(p + 400, img + 400, 4 * PG - 400) == 0);
    munmap(p, 4 * PG);
    drop(fd);
}

// A shared mapping two pages long of a one-page file: its second page is past the end
// (a program touching it gets SIGBUS), and to read or write the kernel it is a bad page.
static void mapping_past_the_end(void)
{
    int one = scratch(PG);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, one, 0);

    int fd = scratch(0);
    check_val("write 8192 from a 2-page mapping of a 1-page file", write(fd, m, 2 * PG));
    check_val("  size", size_of(fd));
    drop(fd);
    fd = scratch(FILE3);
    lseek(fd, 100, SEEK_SET);
    check_val("read 8192 at 100 into it", read(fd, m, 2 * PG));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    check_val("  the mapped file's size", size_of(one));
    print_escaped("  the mapped file's first bytes", m, 8);
    drop(fd);
    // From the mapping into the mapped file itself, after its end: the first page written
    // makes the file two pages long, so the mapping's second page is good by the time the
    // copy gets there, and it copies the page just written.
    check_val("pwrite 8192 at 4096 from a 2-page mapping of the 1-page file itself",
              pwrite(one, m, 2 * PG, PG));
    static char img[MAXFILE];
    long size = image(one, img);
    check_val("  size", size);
    yes("  pages 1 and 2 are copies of page 0", memcmp(img + PG, img, PG) == 0 &&
        memcmp(img + 2 * PG, img, PG) == 0);
    munmap(m, 2 * PG);
    drop(one);
}

// ---- 8: readv and writev with a bad iovec

static void vectors(void)
{
    static char img[MAXFILE];
    struct buf b = bad_buffer(0, UNMAPPED), none = bad_buffer(0, NOACCESS);
    struct buf half = bad_buffer(100, UNMAPPED);
    char a[10], c[5];
    struct iovec out[3] = { { (void *)"0123456789", 10 }, { b.p, 10 }, { (void *)"abcde", 5 } };
    struct iovec in[3] = { { a, 10 }, { b.p, 10 }, { c, 5 } };

    int fd = scratch(0);
    check_val("writev 10 good, 10 unmapped, 5 good", writev(fd, out, 3));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    check_val("  size", size_of(fd));
    out[1].iov_base = none.p;
    check_val("writev 10 good, 10 PROT_NONE, 5 good", writev(fd, out, 3));
    check_val("  size", size_of(fd));
    out[0].iov_base = b.p;
    check_val("writev 10 unmapped first", writev(fd, out, 3));
    check_val("  size", size_of(fd));
    new_bytes(half.p, 100);
    struct iovec halfway[2] = { { half.p, 200 }, { (void *)"abcde", 5 } };
    check_val("writev 200 of which 100 good, then 5 good", writev(fd, halfway, 2));
    check_val("  size", size_of(fd));
    out[0].iov_base = (void *)"0123456789";
    out[1].iov_base = b.p;
    check_val("pwritev at 1000, the second unmapped", syscall(SYS_pwritev, (long)fd, out, 3L, 1000L, 0L));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    long size = image(fd, img);
    check_val("  size", size);
    around("the end", img, size, size);
    drop(fd);

    fd = scratch(FILE3);
    memset(c, '#', sizeof c);
    check_val("readv 10 good, 10 unmapped, 5 good", readv(fd, in, 3));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    print_escaped("  the first", a, 10);
    print_escaped("  the third", c, 5);
    in[1].iov_base = none.p;
    check_val("readv 10 good, 10 PROT_NONE, 5 good", readv(fd, in, 3));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    in[0].iov_base = b.p;
    check_val("readv 10 unmapped first", readv(fd, in, 3));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    memset(half.p, '#', 100);
    check_val("readv 200 of which 100 good, then 5 good", readv(fd, halfway, 2));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    print_escaped("  the last good bytes", half.p + 96, 4);
    in[0].iov_base = a;
    in[1].iov_base = b.p;
    check_val("preadv at 100, the second unmapped", syscall(SYS_preadv, (long)fd, in, 3L, 100L, 0L));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    print_escaped("  the first", a, 10);
    drop(fd);
    free_buffer(b);
    free_buffer(none);
    free_buffer(half);
}

// ---- 9: counts of 0, and the end of the file

// A write that stops where its buffer goes bad, into an empty file and into a hole. What
// the file keeps is what the count says. (Not asked: st_blocks afterwards. Linux 6.1 keeps
// no page the write put no byte in; 6.14 and later keep the page made for the failed copy,
// past the end or in the hole, as the host's kernel shows. Lantern does as 6.1.)
static void blocks(void)
{
    struct buf half = bad_buffer(PG, UNMAPPED);
    char img[MAXFILE];
    int fd = scratch(0);
    check_val("write 8192 from a page, then an unmapped one, to an empty file", write(fd, half.p, 2 * PG));
    check_val("  size", image(fd, img));
    drop(fd);
    fd = scratch(FILE3);
    check("punch page 1 out: truncate to 1 page", ftruncate(fd, PG));
    check("  and back to 3", ftruncate(fd, FILE3));
    check_val("pwrite 10 into the hole from an unmapped page", pwrite(fd, half.p + PG, 10, PG + 5));
    image(fd, img);
    print_escaped("  bytes 4100..4116", img + PG + 4, 16);
    check_val("pwrite 8192 at 4096 from a page, then an unmapped one", pwrite(fd, half.p, 2 * PG, PG));
    check_val("  size", image(fd, img));
    print_escaped("  bytes 8188..8196", img + 2 * PG - 4, 8);
    drop(fd);
    free_buffer(half);
}

static void counts(void)
{
    struct buf b = bad_buffer(0, UNMAPPED);
    char buf[16];
    int fd = scratch(100);

    lseek(fd, 100, SEEK_SET);
    check_val("read 0 at the end", read(fd, buf, 0));
    check_val("read 10 at the end", read(fd, buf, 10));
    check_val("read 10 at the end into an unmapped page", read(fd, b.p, 10));
    check_val("read 10 at the end into a kernel address",
              read(fd, bad_ptr(0xffffffff80000000UL), 10));
    lseek(fd, 200, SEEK_SET);
    check_val("read 0 past the end", read(fd, buf, 0));
    check_val("read 10 past the end", read(fd, buf, 10));
    check_val("read 10 past the end into an unmapped page", read(fd, b.p, 10));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    check_val("pread 10 at 500 into an unmapped page", pread(fd, b.p, 10, 500));
    check_val("pread 10 at 100 into an unmapped page", pread(fd, b.p, 10, 100));
    check_val("pread 10 at 99 into an unmapped page", pread(fd, b.p, 10, 99));
    check_val("pread 0 at 0 into an unmapped page", pread(fd, b.p, 0, 0));
    check_val("read 0 into NULL", read(fd, NULL, 0));
    check_val("write 0 from NULL", write(fd, NULL, 0));
    check_val("  position", lseek(fd, 0, SEEK_CUR));
    check_val("  size", size_of(fd));
    check_val("pwrite 0 from NULL at 1000", pwrite(fd, NULL, 0, 1000));
    check_val("pwrite 0 from an unmapped page at 1000", pwrite(fd, b.p, 0, 1000));
    check_val("  size", size_of(fd));
    check_val("write 10 from NULL at 200, past the end", write(fd, bad_ptr(0), 10));
    // (its size afterwards: the host kernel's version, see partial_writes)
    drop(fd);
    // O_APPEND: a write that writes nothing does not move the position to the end.
    fd = scratch(100);
    int afd = open(names[fd], O_RDWR | O_APPEND);
    lseek(afd, 5, SEEK_SET);
    check_val("O_APPEND write 0 at position 5", write(afd, "x", 0));
    check_val("  position", lseek(afd, 0, SEEK_CUR));
    check_val("O_APPEND write 10 from NULL at position 5", write(afd, bad_ptr(0), 10));
    check_val("  position", lseek(afd, 0, SEEK_CUR));
    check_val("  size", size_of(afd));
    check_val("O_APPEND write 1 at position 5", write(afd, "x", 1));
    check_val("  position", lseek(afd, 0, SEEK_CUR));
    close(afd);
    drop(fd);
    free_buffer(b);
    blocks();
}

// ---- 10: against other processes

#define ROUNDS 200
#define BIG    (64 * 1024)

// Each pwrite is 64 KiB of one value, from a buffer or from a fresh shared mapping of a
// file of that value (so that the copy faults on every page). Exits 0 if every one
// returned BIG.
static void writer(int fd, int src)
{
    static char buf[BIG];
    int bad = 0;

    for (int k = 0; k < ROUNDS; k++) {
        long r;
        if (k % 2) {
            char *m = mmap(NULL, BIG, PROT_READ, MAP_SHARED, src, 0);
            r = pwrite(fd, m, BIG, 0);
            munmap(m, BIG);
        } else {
            memset(buf, 1 + k % 250, BIG);
            r = pwrite(fd, buf, BIG, 0);
        }
        bad += r != BIG;
    }
    _exit(bad != 0);
}

static void write_against_truncate(void)
{
    static char img[BIG];
    int src = scratch(0);
    memset(img, 0x77, BIG);
    pwrite(src, img, BIG, 0);
    int fd = scratch(0);

    pid_t pid = fork();
    if (pid == 0)
        writer(fd, src);
    int truncs = 0;
    for (int k = 0; k < ROUNDS; k++)
        truncs += ftruncate(fd, k % 2 ? 0 : BIG / 2) == 0;
    int status;
    waitpid(pid, &status, 0);
    printf("pwrite 64 KiB %d times against ftruncate to 0 and 32 KiB %d times\n", ROUNDS, ROUNDS);
    print_status("  the writer", status);
    yes("  every ftruncate succeeded", truncs == ROUNDS);
    long size = size_of(fd);
    yes("  the size is 0, 32 KiB or 64 KiB", size == 0 || size == BIG / 2 || size == BIG);
    memset(img, 0, BIG);
    pread(fd, img, BIG, 0);
    int uniform = 1, same = 1;
    for (long pg = 0; pg < size / PG; pg++) {
        for (long i = 1; i < PG; i++)
            uniform &= img[pg * PG + i] == img[pg * PG];
        same &= img[pg * PG] == img[0];
    }
    yes("  every page is one byte value", uniform);
    yes("  every page the same value (each write and truncate whole)", same);
    drop(fd);
    drop(src);
}

// One process preads and pwrites far out, through buffers that fault (fresh mappings,
// and ones that go bad), while the other reads the file's start byte by byte on the same
// open file: its position must move one byte a read.
static void positional_user(int fd, int src)
{
    char *m;
    for (int k = 0; k < ROUNDS; k++) {
        m = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE, src, 0);
        pwrite(fd, m, BIG, 5 * PG);
        pread(fd, m + 100, 2 * PG, 5 * PG);
        munmap(m + PG, PG);                  // the rest bad, from the second page on
        pwrite(fd, m + 100, 2 * PG, 5 * PG);
        pread(fd, m + 100, 2 * PG, 5 * PG);
        munmap(m, BIG);
    }
    _exit(0);
}

static void positions_under_pread(void)
{
    static char img[MAXFILE];
    int fd = scratch(5 * PG), src = scratch(BIG);
    image(fd, img);

    pid_t pid = fork();
    if (pid == 0)
        positional_user(fd, src);
    lseek(fd, 0, SEEK_SET);
    long wrong = 0;
    for (int round = 0; round < 8; round++) {
        for (long i = 0; i < 2 * PG; i++) {
            char ch;
            if (read(fd, &ch, 1) != 1 || ch != img[i])
                wrong++;
        }
        wrong += lseek(fd, 0, SEEK_CUR) != 2 * PG;
        lseek(fd, 0, SEEK_SET);
    }
    wait_and_print("pread/pwrite in another process on the same open file", pid);
    yes("  this process's reads each found the next byte", wrong == 0);
    drop(fd);
    drop(src);
}

int main(void)
{
    begin("t_rwpages");
    default_signals();
    if (access("/dev/shm", W_OK) == 0)
        dir = "/dev/shm";
    in_child("writes", writes);
    in_child("reads", reads);
    in_child("a file of the initramfs", read_archive_file);
    in_child("holes", holes);
    in_child("a shared mapping", shared_mapping);
    in_child("a private mapping", private_mapping);
    in_child("a mapping past the end", mapping_past_the_end);
    in_child("readv, writev", vectors);
    in_child("counts", counts);
    in_child("write against truncate", write_against_truncate);
    in_child("positions", positions_under_pread);
    return done();
}
