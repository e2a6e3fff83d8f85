// t_madvise.c: madvise (what each advice does to private and shared anonymous memory, to
// file mappings, to locked memory, and to a fork's child) and mincore (which pages are in
// memory), with their errors.
// The mappings here are small (no transparent huge pages on the host) and there is no swap,
// so which pages are resident is the same answer on Linux and on Lantern.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define PAGE 4096
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)

static int all_bytes(const char *p, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] != (unsigned char)value)
            return 0;
    return 1;
}

static char *map(size_t pages, int prot, int flags)
{
    char *p = mmap(NULL, pages * PAGE, prot, flags, -1, 0);
    if (p == MAP_FAILED)
        printf("mmap %zu pages: error %s\n", pages, err_name(errno));
    return p;
}

// "what: 1001" (one digit per page: in memory or not), or the error.
static void residency(const char *what, char *p, size_t pages)
{
    unsigned char vec[64];
    char line[65];

    memset(vec, 0xee, sizeof vec);
    if (mincore(p, pages * PAGE, vec) < 0) {
        printf("%s: error %s\n", what, err_name(errno));
        return;
    }
    for (size_t i = 0; i < pages; i++)
        line[i] = vec[i] == 0xee ? '?' : (char)('0' + (vec[i] & 1));
    line[pages] = '\0';
    printf("%s: %s\n", what, line);
}

static void dontneed_private(void)
{
    char *p = map(4, RW, ANON);
    residency("fresh 4 pages resident", p, 4);
    memset(p, 0x5a, 4 * PAGE);
    residency("written", p, 4);
    check("MADV_DONTNEED pages 1-2", madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
    residency("after DONTNEED", p, 4);
    yes("pages 1-2 read back as zero", all_bytes(p + PAGE, 2 * PAGE, 0));
    yes("pages 0 and 3 kept their bytes", all_bytes(p, PAGE, 0x5a) && all_bytes(p + 3 * PAGE, PAGE, 0x5a));
    residency("reading made them resident again", p, 4);
    p[PAGE] = 1;
    yes("and they are writable", p[PAGE] == 1);
    check("MADV_DONTNEED unaligned length (rounded up)", madvise(p, 100, MADV_DONTNEED));
    yes("page 0 is zero", all_bytes(p, PAGE, 0));
    check("MADV_DONTNEED length 0", madvise(p + 3 * PAGE, 0, MADV_DONTNEED));
    yes("changed nothing", all_bytes(p + 3 * PAGE, PAGE, 0x5a));
    check("mprotect PROT_NONE", mprotect(p, 4 * PAGE, PROT_NONE));
    check("MADV_DONTNEED on PROT_NONE pages", madvise(p, 4 * PAGE, MADV_DONTNEED));
    check("mprotect back", mprotect(p, 4 * PAGE, RW));
    yes("they are zero", all_bytes(p, 4 * PAGE, 0));
    munmap(p, 4 * PAGE);
}

static void free_private(void)
{
    char *p = map(2, RW, ANON);
    memset(p, 0x33, 2 * PAGE);
    check("MADV_FREE", madvise(p, 2 * PAGE, MADV_FREE));
    // Linux frees lazily, when memory runs short: either answer is right.
    yes("reads old bytes or zero", all_bytes(p, PAGE, 0x33) || all_bytes(p, PAGE, 0));
    memset(p, 0x44, 2 * PAGE);
    yes("written after MADV_FREE: kept", all_bytes(p, 2 * PAGE, 0x44));
    munmap(p, 2 * PAGE);
}

static void shared(void)
{
    char *s = map(3, RW, SHARED);
    residency("shared, fresh", s, 3);
    memset(s, 0x77, 2 * PAGE);
    residency("shared, 2 written", s, 3);
    check("MADV_DONTNEED on shared memory", madvise(s, 3 * PAGE, MADV_DONTNEED));
    residency("shared pages stay in memory", s, 3);
    yes("and keep their data", all_bytes(s, 2 * PAGE, 0x77) && all_bytes(s + 2 * PAGE, PAGE, 0));
    check("MADV_FREE on shared memory", madvise(s, PAGE, MADV_FREE));
    check("MADV_WIPEONFORK on shared memory", madvise(s, PAGE, MADV_WIPEONFORK));
    check("MADV_WILLNEED on shared memory", madvise(s, 3 * PAGE, MADV_WILLNEED));
    munmap(s, 3 * PAGE);
}

static void no_ops(void)
{
    static const struct { int advice; const char *name; } ok[] = {
        { MADV_NORMAL, "MADV_NORMAL" }, { MADV_RANDOM, "MADV_RANDOM" },
        { MADV_SEQUENTIAL, "MADV_SEQUENTIAL" }, { MADV_WILLNEED, "MADV_WILLNEED" },
        { MADV_HUGEPAGE, "MADV_HUGEPAGE" }, { MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE" },
        { MADV_DONTDUMP, "MADV_DONTDUMP" }, { MADV_DODUMP, "MADV_DODUMP" },
        { MADV_DOFORK, "MADV_DOFORK" }, { MADV_KEEPONFORK, "MADV_KEEPONFORK" },
        { MADV_COLD, "MADV_COLD" }, { MADV_PAGEOUT, "MADV_PAGEOUT" },
    };
    char *p = map(2, RW, ANON);
    memset(p, 0x11, 2 * PAGE);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s", ok[i].name);
        check(what, madvise(p, 2 * PAGE, ok[i].advice));
    }
    yes("the bytes are all still there", all_bytes(p, 2 * PAGE, 0x11));
    munmap(p, 2 * PAGE);
}

static void errors(void)
{
    char *p = map(3, RW, ANON);
    memset(p, 0x22, 3 * PAGE);
    check("madvise unaligned start", madvise(p + 1, PAGE, MADV_DONTNEED));
    check("madvise unknown advice 5", madvise(p, PAGE, 5));
    check("madvise unknown advice 999", madvise(p, PAGE, 999));
    check("madvise unknown advice, length 0", madvise(p, 0, 999));
    check("madvise length 0, unaligned start", madvise(p + 1, 0, MADV_NORMAL));
    check("madvise length wraps around", madvise(p, (size_t)-PAGE / 2 * 2, MADV_NORMAL));
    check("madvise length rounds up past the end", madvise(p, (size_t)-1, MADV_NORMAL));
    yes("nothing changed", all_bytes(p, 3 * PAGE, 0x22));

    check("munmap the middle page", munmap(p + PAGE, PAGE));
    check("MADV_DONTNEED over the hole", madvise(p, 3 * PAGE, MADV_DONTNEED));
    yes("still applied to both sides", all_bytes(p, PAGE, 0) && all_bytes(p + 2 * PAGE, PAGE, 0));
    check("MADV_NORMAL over the hole", madvise(p, 3 * PAGE, MADV_NORMAL));
    check("MADV_WILLNEED just the hole", madvise(p + PAGE, PAGE, MADV_WILLNEED));
    check("madvise in the kernel's half", madvise((void *)0xffff800000000000UL, PAGE, MADV_NORMAL));
    check("madvise at the top of user space",
          madvise((void *)0x7ffffffff000UL, PAGE, MADV_NORMAL));
    munmap(p, 3 * PAGE);
}

static char *dontfork_page, *wipe_page;

static void child_reads_dontfork(void)
{
    printf("child: reading the DONTFORK page\n");
    fflush(stdout);
    volatile char c = dontfork_page[0];
    (void)c;
    printf("child: it was there\n");
}

static void child_reads_wipe(void)
{
    yes("child: the WIPEONFORK page is zero", all_bytes(wipe_page, PAGE, 0));
    memset(wipe_page, 1, PAGE);
}

static void fork_advice(void)
{
    dontfork_page = map(1, RW, ANON);
    dontfork_page[0] = 9;
    check("MADV_DONTFORK", madvise(dontfork_page, PAGE, MADV_DONTFORK));
    in_child("child of DONTFORK", child_reads_dontfork);
    yes("the parent still has it", dontfork_page[0] == 9);
    check("MADV_DOFORK", madvise(dontfork_page, PAGE, MADV_DOFORK));
    in_child("child of DOFORK", child_reads_dontfork);
    munmap(dontfork_page, PAGE);

    wipe_page = map(1, RW, ANON);
    memset(wipe_page, 0x66, PAGE);
    check("MADV_WIPEONFORK", madvise(wipe_page, PAGE, MADV_WIPEONFORK));
    in_child("child of WIPEONFORK", child_reads_wipe);
    yes("the parent keeps its bytes", all_bytes(wipe_page, PAGE, 0x66));
    check("MADV_KEEPONFORK", madvise(wipe_page, PAGE, MADV_KEEPONFORK));
    in_child("child of KEEPONFORK", child_reads_wipe);
    munmap(wipe_page, PAGE);
}

static void populate(void)
{
    char *p = map(4, RW, ANON);
    check("MADV_POPULATE_READ", madvise(p, 2 * PAGE, MADV_POPULATE_READ));
    check("MADV_POPULATE_WRITE", madvise(p + 2 * PAGE, 2 * PAGE, MADV_POPULATE_WRITE));
    residency("populated", p, 4);
    yes("populated pages read as zero", all_bytes(p, 4 * PAGE, 0));
    check("mprotect read-only", mprotect(p, 4 * PAGE, PROT_READ));
    check("MADV_POPULATE_WRITE on read-only pages", madvise(p, PAGE, MADV_POPULATE_WRITE));
    check("MADV_POPULATE_READ on read-only pages", madvise(p, PAGE, MADV_POPULATE_READ));
    check("mprotect PROT_NONE", mprotect(p, 4 * PAGE, PROT_NONE));
    check("MADV_POPULATE_READ on PROT_NONE pages", madvise(p, PAGE, MADV_POPULATE_READ));
    check("mprotect PROT_WRITE only", mprotect(p, 4 * PAGE, PROT_WRITE));
    check("MADV_POPULATE_READ on write-only pages", madvise(p, PAGE, MADV_POPULATE_READ));
    check("MADV_POPULATE_WRITE on write-only pages", madvise(p, PAGE, MADV_POPULATE_WRITE));
    check("mprotect read-write", mprotect(p, 4 * PAGE, RW));
    munmap(p + PAGE, PAGE);
    check("MADV_POPULATE_READ over a hole", madvise(p, 4 * PAGE, MADV_POPULATE_READ));
    munmap(p, 4 * PAGE);
}

static void mincore_errors(void)
{
    unsigned char vec[8];
    char *p = map(4, RW, ANON);
    p[0] = 1;
    p[2 * PAGE] = 1;
    check("mincore unaligned start", mincore(p + 1, PAGE, vec));
    check("mincore length 0", mincore(p, 0, vec));
    check("mincore length 0, vector NULL", mincore(p, 0, NULL));
    check("mincore vector NULL", mincore(p, PAGE, NULL));
    check("mincore vector in the kernel", mincore(p, PAGE, bad_ptr(0xffffffff81000000UL)));
    check("mincore vector read-only", mincore(p, PAGE, (unsigned char *)"abc"));
    check("mincore unaligned start, vector NULL", mincore(p + 1, PAGE, NULL));
    check("mincore in the kernel's half", mincore((void *)0xffff800000000000UL, PAGE, vec));
    check("mincore past the end of user space", mincore((void *)0x7ffffffff000UL, 2 * PAGE, vec));
    check("mincore length wraps around", mincore(p, (size_t)-PAGE, vec));
    memset(vec, 7, sizeof vec);
    check("mincore 100 bytes (one page)", mincore(p, 100, vec));
    yes("one byte written", vec[0] == 1 && vec[1] == 7);
    residency("first and third touched", p, 4);
    check("munmap the fourth page", munmap(p + 3 * PAGE, PAGE));
    memset(vec, 7, sizeof vec);
    check("mincore over the end of the mapping", mincore(p, 4 * PAGE, vec));
    printf("vector before the hole: %d %d %d\n", vec[0], vec[1], vec[2]);
    check("mincore of unmapped memory", mincore(p + 3 * PAGE, PAGE, vec));
    munmap(p, 3 * PAGE);

    char *n = map(2, PROT_NONE, ANON);
    residency("PROT_NONE pages", n, 2);
    munmap(n, 2 * PAGE);
}

// A file's pages: a private mapping's copies go, and it reads the file again; a shared
// mapping's writes are the file's, and stay. MADV_FREE is for anonymous memory only.
static void files(void)
{
    int fd = open("madvise.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[PAGE];
    memset(buf, 'f', sizeof buf);
    if (fd < 0 || write(fd, buf, PAGE) != PAGE || write(fd, buf, PAGE) != PAGE) {
        printf("madvise.tmp: error %s\n", err_name(errno));
        return;
    }
    char *p = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);
    char *s = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || s == MAP_FAILED) {
        printf("mmap madvise.tmp: error %s\n", err_name(errno));
        return;
    }
    memset(p, 'p', PAGE);
    check("MADV_FREE on a private file mapping", madvise(p, PAGE, MADV_FREE));
    yes("the private copy is still there", all_bytes(p, PAGE, 'p'));
    check("MADV_DONTNEED on a private file mapping", madvise(p, 2 * PAGE, MADV_DONTNEED));
    yes("it reads the file again", all_bytes(p, 2 * PAGE, 'f'));
    memset(s, 's', PAGE);
    check("MADV_FREE on a shared file mapping", madvise(s, PAGE, MADV_FREE));
    check("MADV_DONTNEED on a shared file mapping", madvise(s, 2 * PAGE, MADV_DONTNEED));
    yes("its writes stay", all_bytes(s, PAGE, 's') && all_bytes(s + PAGE, PAGE, 'f'));
    yes("and read() sees them", pread(fd, buf, PAGE, 0) == PAGE && all_bytes(buf, PAGE, 's'));
    munmap(p, 2 * PAGE);
    munmap(s, 2 * PAGE);
    close(fd);
    unlink("madvise.tmp");
}

// Locked memory must stay: MADV_DONTNEED and MADV_FREE refuse it (EINVAL), VMA by VMA in
// address order, so a range that starts unlocked loses that part first.
static void locked(void)
{
    char *p = map(3, RW, ANON);
    if (p == MAP_FAILED)
        return;
    memset(p, 0x5a, 3 * PAGE);
    check("mlock page 1", mlock(p + PAGE, PAGE));
    check("MADV_DONTNEED on the locked page", madvise(p + PAGE, PAGE, MADV_DONTNEED));
    check("MADV_FREE on the locked page", madvise(p + PAGE, PAGE, MADV_FREE));
    check("MADV_DONTNEED on pages 0-2", madvise(p, 3 * PAGE, MADV_DONTNEED));
    yes("page 0 is zero", all_bytes(p, PAGE, 0));
    yes("pages 1 and 2 kept their bytes", all_bytes(p + PAGE, 2 * PAGE, 0x5a));
    check("MADV_WILLNEED on the locked page", madvise(p + PAGE, PAGE, MADV_WILLNEED));
    check("munlock", munlock(p + PAGE, PAGE));
    check("MADV_DONTNEED after munlock", madvise(p, 3 * PAGE, MADV_DONTNEED));
    yes("all zero", all_bytes(p, 3 * PAGE, 0));
    munmap(p, 3 * PAGE);
}

int main(void)
{
    begin("t_madvise");
    default_signals();
    dontneed_private();
    free_private();
    shared();
    no_ops();
    errors();
    fork_advice();
    populate();
    files();
    locked();
    mincore_errors();
    return done();
}
