// t_memory.c: the program break (brk, sbrk), malloc on top of it, and memory mappings
// (mmap, munmap, mprotect), with their errors. Nothing here touches memory it has unmapped
// or made inaccessible: that would kill the process, and signals are for later.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "parity.h"

#define PAGE 4096

static int all_bytes(const char *p, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] != (unsigned char)value)
            return 0;
    return 1;
}

// Runs before malloc is first used, so the break is all ours.
static void program_break(void)
{
    char *b0 = sbrk(0);
    yes("sbrk(0) works", b0 != (void *)-1);
    char *p = sbrk(4 * PAGE + 100);
    yes("sbrk(+16484) returns the old break", p == b0);
    yes("the break moved by exactly 16484", (char *)sbrk(0) == b0 + 4 * PAGE + 100);
    yes("new memory reads as zero", all_bytes(p, 4 * PAGE + 100, 0));
    memset(p, 0xab, 4 * PAGE + 100);
    yes("and keeps what is written", all_bytes(p, 4 * PAGE + 100, 0xab));
    yes("sbrk(-8192) returns the old break", sbrk(-2 * PAGE) == b0 + 4 * PAGE + 100);
    yes("the break moved back", (char *)sbrk(0) == b0 + 2 * PAGE + 100);
    check("brk back to the start", brk(b0));
    yes("the break is back", sbrk(0) == b0);
    p = sbrk(16 << 20);
    yes("sbrk(+16 MiB) works", p == b0);
    p[0] = 1;
    p[(16 << 20) - 1] = 2;
    yes("its first and last bytes are usable", p[0] == 1 && p[(16 << 20) - 1] == 2);
    check("brk back to the start", brk(b0));
    check("brk into the kernel's half", brk((void *)0xffffffff80000000));
    check("brk to 1 MiB (below the program)", brk((void *)0x100000));
    yes("the failures left the break alone", sbrk(0) == b0);
}

// Allocate, fill, reallocate and free thousands of blocks in a pseudo-random but fixed
// order, checking that every block keeps its own bytes and is 16-byte aligned.
#define SLOTS 1000
static unsigned char *blocks[SLOTS];
static size_t sizes[SLOTS];
static unsigned char tags[SLOTS];

static unsigned long rng = 12345;
static unsigned long next_random(void)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return rng >> 33;
}

static int intact(int i)
{
    for (size_t j = 0; j < sizes[i]; j++)
        if (blocks[i][j] != (unsigned char)(tags[i] + j))
            return 0;
    return 1;
}

static int fill(int i, size_t size)
{
    if (blocks[i] == NULL || (uintptr_t)blocks[i] % 16 != 0)
        return 0;
    sizes[i] = size;
    tags[i] = (unsigned char)next_random();
    for (size_t j = 0; j < size; j++)
        blocks[i][j] = (unsigned char)(tags[i] + j);
    return 1;
}

static void malloc_storm(void)
{
    int ok = 1;

    for (int round = 0; round < 20000 && ok; round++) {
        int i = (int)(next_random() % SLOTS);
        size_t size = next_random() % 10 == 0 ? next_random() % 100000 : next_random() % 300;
        if (blocks[i] == NULL) {
            blocks[i] = malloc(size);
            ok = fill(i, size);
        } else if (!intact(i)) {
            ok = 0;
        } else if (next_random() % 4 == 0) {
            size++;                                   // realloc(p, 0) would free p
            sizes[i] = sizes[i] < size ? sizes[i] : size;   // the bytes realloc keeps
            blocks[i] = realloc(blocks[i], size);
            ok = blocks[i] != NULL && intact(i) && fill(i, size);
        } else {
            free(blocks[i]);
            blocks[i] = NULL;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (blocks[i] != NULL && !intact(i))
            ok = 0;
        free(blocks[i]);
    }
    yes("malloc storm: blocks aligned and intact", ok);

    int *z = calloc(1000, sizeof(int));
    int zero = z != NULL;
    for (int i = 0; zero && i < 1000; i++)
        zero = z[i] == 0;
    yes("calloc memory is zero", zero);
    free(z);
    yes("malloc(0) is not NULL", (z = malloc(0)) != NULL);
    free(z);
    errno = 0;
    yes("calloc overflow fails", calloc(SIZE_MAX / 2, 4) == NULL && errno == ENOMEM);
    errno = 0;
    yes("malloc(64 TiB) fails with ENOMEM", malloc(1UL << 46) == NULL && errno == ENOMEM);
    yes("malloc works after that", (z = malloc(100)) != NULL);
    free(z);
}

static void mappings(void)
{
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("mmap 3 pages anonymous", p == MAP_FAILED ? -1 : 0);
    yes("page-aligned", (uintptr_t)p % PAGE == 0);
    yes("zero-filled", all_bytes(p, 3 * PAGE, 0));
    memset(p, 0x5a, 3 * PAGE);
    yes("writable", all_bytes(p, 3 * PAGE, 0x5a));

    char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    yes("MAP_FIXED over the middle page lands there", q == p + PAGE);
    yes("the new page is zero", all_bytes(q, PAGE, 0));
    yes("its neighbours are untouched",
        all_bytes(p, PAGE, 0x5a) && all_bytes(p + 2 * PAGE, PAGE, 0x5a));
    check("mprotect first page read-only", mprotect(p, PAGE, PROT_READ));
    yes("still readable", all_bytes(p, PAGE, 0x5a));
    check("mprotect it back to read-write", mprotect(p, PAGE, PROT_READ | PROT_WRITE));
    p[0] = 1;
    yes("writable again", p[0] == 1);
    check("mprotect unaligned", mprotect(p + 1, PAGE, PROT_READ));
    check("munmap unaligned", munmap(p + 1, PAGE));
    check("munmap length 0", munmap(p, 0));
    check("munmap the 3 pages", munmap(p, 3 * PAGE));
    check("munmap them again (nothing there is fine)", munmap(p, 3 * PAGE));

    char *n = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("mmap PROT_NONE", n == MAP_FAILED ? -1 : 0);
    check("mprotect it read-write", mprotect(n, PAGE, PROT_READ | PROT_WRITE));
    n[100] = 7;
    yes("then usable", n[100] == 7 && n[0] == 0);
    check("munmap", munmap(n, PAGE));

    char *big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("mmap 64 MiB", big == MAP_FAILED ? -1 : 0);
    big[0] = 1;
    big[(64 << 20) - 1] = 2;
    yes("first and last bytes usable", big[0] == 1 && big[(64 << 20) - 1] == 2);
    check("munmap 64 MiB", munmap(big, 64 << 20));

    int rw = PROT_READ | PROT_WRITE;
    check("mmap neither MAP_PRIVATE nor MAP_SHARED",
          mmap(NULL, PAGE, rw, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    check("mmap length 0", mmap(NULL, 0, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    check("mmap offset unaligned",
          mmap(NULL, PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED ? -1 : 0);
    check("mmap MAP_FIXED unaligned", mmap((void *)0x10000001, PAGE, rw,
          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
    check("mmap a file from fd -1", mmap(NULL, PAGE, rw, MAP_PRIVATE, -1, 0) == MAP_FAILED ? -1 : 0);
}

static void mapping_edges(void)
{
    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    char *p = mmap(NULL, 2 * PAGE, rw, anon, -1, 0);

    p[0] = 1;
    check("mmap MAP_FIXED_NOREPLACE over a mapping",
          mmap(p, PAGE, rw, anon | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0);
    check("mmap MAP_FIXED | MAP_FIXED_NOREPLACE over a mapping",
          mmap(p, PAGE, rw, anon | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0);
    yes("the mapping kept its contents", p[0] == 1);
    check("mprotect length 0, bad prot", mprotect(p, 0, 0x100));
    check("mprotect bad prot", mprotect(p, PAGE, 0x100));
    check("mprotect length wraps around", mprotect(p, (size_t)-1, PROT_READ));
    check("mprotect length wraps, bad prot", mprotect(p, (size_t)-1, 0x100));
    munmap(p, 2 * PAGE);

    // Reserving a large range of address space, as Go and the sanitizers do, costs no
    // memory; nor do changing its protection and unmapping it.
    size_t huge = 1UL << 45;    // 32 TiB
    char *r = mmap(NULL, huge, PROT_NONE, anon, -1, 0);
    check("mmap 32 TiB PROT_NONE", r == MAP_FAILED ? -1 : 0);
    check("mprotect all of it PROT_READ", mprotect(r, huge, PROT_READ));
    yes("a page in the middle reads as zero", all_bytes(r + huge / 2, PAGE, 0));
    check("mprotect all of it PROT_NONE", mprotect(r, huge, PROT_NONE));
    check("mprotect one page in the middle read-write", mprotect(r + huge / 2, PAGE, rw));
    r[huge / 2] = 5;
    yes("written", r[huge / 2] == 5);
    check("MAP_FIXED over most of it", mmap(r + PAGE, huge - 2 * PAGE, PROT_READ, anon | MAP_FIXED, -1, 0)
                                           == MAP_FAILED ? -1 : 0);
    yes("a page there is fresh", all_bytes(r + huge / 2, PAGE, 0));
    check("munmap all of it", munmap(r, huge));

    // Many small mappings (a malloc serving large blocks with mmap makes them): finding
    // room for the next one must not get slower with every one already there.
    enum { MANY = 4000 };
    static char *many[MANY];
    int ok = 1;
    for (int i = 0; i < MANY; i++) {
        many[i] = mmap(NULL, PAGE, rw, anon, -1, 0);
        ok = ok && many[i] != MAP_FAILED;
        if (ok)
            many[i][0] = (char)i;
    }
    yes("4000 one-page mappings", ok);
    yes("each right below the one before (top-down, no holes)", many[1] == many[0] - PAGE &&
        many[MANY - 1] == many[MANY - 2] - PAGE);
    munmap(many[10], PAGE);
    munmap(many[20], PAGE);
    char *again = mmap(NULL, PAGE, rw, anon, -1, 0);
    yes("the next one fills the highest hole", again == many[10]);
    again[0] = 10;
    again = mmap(NULL, 2 * PAGE, rw, anon, -1, 0);
    yes("two pages do not fit a one-page hole", again != MAP_FAILED && again < many[MANY - 1]);
    munmap(again, 2 * PAGE);
    many[20] = mmap(NULL, PAGE, rw, anon, -1, 0);
    many[20][0] = 20;
    for (int i = 0; i < MANY && ok; i++)
        ok = many[i][0] == (char)i && munmap(many[i], PAGE) == 0;
    yes("each kept its byte, and unmapped", ok);
}

int main(void)
{
    begin("t_memory");
    program_break();
    malloc_storm();
    mappings();
    mapping_edges();
    return done();
}
