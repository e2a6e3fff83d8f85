// t_mmap.c: what the Go runtime and thread libraries ask of mmap beyond the basics
// (t_memory.c): address hints, MAP_FIXED_NOREPLACE, the flags Linux accepts, large
// reservations, mprotect over a hole - and what a fork's child may touch.
#include <errno.h>
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

#define MAP_SHARED_VALIDATE 0x03
#define MAP_LOCKED   0x2000
#define MAP_POPULATE 0x8000

static long result(void *p) { return p == MAP_FAILED ? -1 : 0; }

static void hints(void)
{
    // Go reserves its heap arenas at fixed-looking addresses and checks it got them.
    char *want = (char *)0xc000000000UL;
    char *p = mmap(want, 64 << 20, PROT_NONE, ANON, -1, 0);
    yes("a free hint is honoured (0xc000000000, 64 MiB)", p == want);
    char *q = mmap(want, PAGE, RW, ANON, -1, 0);
    yes("a hint inside a mapping is not", q != MAP_FAILED && q != want &&
        (q + PAGE <= want || q >= want + (64 << 20)));
    munmap(q, PAGE);
    q = mmap(want + 4 * PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    yes("MAP_FIXED inside the reservation", q == want + 4 * PAGE);
    q[0] = 1;
    yes("usable", q[0] == 1);
    check("MAP_FIXED_NOREPLACE over the reservation",
          result(mmap(want + 8 * PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0)));
    check("munmap the reservation", munmap(want, 64 << 20));
    q = mmap(want + 8 * PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    yes("MAP_FIXED_NOREPLACE where it is free", q == want + 8 * PAGE);
    check("MAP_FIXED_NOREPLACE unaligned",
          result(mmap(want + 1, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0)));
    munmap(q, PAGE);

    q = mmap(want + 123, PAGE, RW, ANON, -1, 0);
    yes("an unaligned hint is rounded down", q == want);
    munmap(q, PAGE);
    q = mmap((void *)0x7ffffffff000UL, PAGE, RW, ANON, -1, 0);
    yes("a hint at the top of user space is ignored", q != MAP_FAILED && (uintptr_t)q < 0x7ffffffff000UL);
    munmap(q, PAGE);
    q = mmap((void *)0x7fffffffe000UL, 2 * PAGE, RW, ANON, -1, 0);
    yes("a hint running past it is ignored", q != MAP_FAILED && (uintptr_t)q < 0x7fffffffe000UL);
    munmap(q, 2 * PAGE);
    q = mmap((void *)0xffff800000000000UL, PAGE, RW, ANON, -1, 0);
    yes("a hint in the kernel's half is ignored", q != MAP_FAILED && (uintptr_t)q < 0x7ffffffff000UL);
    munmap(q, PAGE);
    check("MAP_FIXED in the kernel's half",
          result(mmap((void *)0xffff800000000000UL, PAGE, RW, ANON | MAP_FIXED, -1, 0)));
    check("MAP_FIXED_NOREPLACE running past user space",
          result(mmap((void *)0x7fffffffe000UL, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0)));
}

static void flags(void)
{
    static const struct { int flags; const char *name; } accepted[] = {
        { ANON | MAP_NORESERVE, "MAP_NORESERVE" },
        { ANON | MAP_STACK, "MAP_STACK" },
        { ANON | MAP_GROWSDOWN, "MAP_GROWSDOWN" },
        { ANON | MAP_STACK | MAP_NORESERVE, "MAP_STACK | MAP_NORESERVE" },
        { ANON | MAP_POPULATE, "MAP_POPULATE" },
        { ANON | MAP_LOCKED, "MAP_LOCKED" },
        { SHARED | MAP_NORESERVE, "MAP_SHARED | MAP_NORESERVE" },
        { ANON | 0x40000000, "an unknown flag" },
        { SHARED | 0x40000000, "MAP_SHARED with an unknown flag" },
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        char *p = mmap(NULL, 4 * PAGE, RW, accepted[i].flags, -1, 0);
        char what[80];
        snprintf(what, sizeof what, "mmap %s", accepted[i].name);
        check(what, result(p));
        if (p == MAP_FAILED)
            continue;
        p[0] = 1;
        p[4 * PAGE - 1] = 2;
        snprintf(what, sizeof what, "%s: usable", accepted[i].name);
        yes(what, p[0] == 1 && p[4 * PAGE - 1] == 2);
        munmap(p, 4 * PAGE);
    }
    // Linux's default overcommit policy refuses a private writable mapping larger than
    // memory, unless told not to reserve for it.
    size_t huge = 1UL << 46;
    check("mmap 64 TiB read-write", result(mmap(NULL, huge, RW, ANON, -1, 0)));
    char *n = mmap(NULL, huge, RW, ANON | MAP_NORESERVE, -1, 0);
    check("mmap 64 TiB read-write MAP_NORESERVE", result(n));
    if (n != MAP_FAILED) {
        n[huge / 2] = 1;
        yes("a byte in the middle is usable", n[huge / 2] == 1);
        check("munmap it", munmap(n, huge));
    }
    check("mmap MAP_SHARED | MAP_GROWSDOWN",
          result(mmap(NULL, PAGE, RW, SHARED | MAP_GROWSDOWN, -1, 0)));
    check("mmap MAP_SHARED_VALIDATE anonymous",
          result(mmap(NULL, PAGE, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0)));
    check("mmap MAP_SHARED | MAP_PRIVATE | 0x4 (type 7)",
          result(mmap(NULL, PAGE, RW, 0x7 | MAP_ANONYMOUS, -1, 0)));
}

static void reservations(void)
{
    // Go reserves hundreds of GiB with PROT_NONE and commits pieces with MAP_FIXED.
    size_t huge = 256UL << 30;
    char *r = mmap(NULL, huge, PROT_NONE, ANON | MAP_NORESERVE, -1, 0);
    check("reserve 256 GiB PROT_NONE", result(r));
    for (int i = 0; i < 64; i++) {
        char *c = mmap(r + (size_t)i * (4UL << 30), 64 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
        if (c == MAP_FAILED || (c[0] = (char)i, c[64 * PAGE - 1] = (char)i, 0)) {
            printf("commit %d failed\n", i);
            break;
        }
    }
    int ok = 1;
    for (int i = 0; i < 64; i++)
        ok = ok && r[(size_t)i * (4UL << 30)] == (char)i;
    yes("64 pieces committed and used", ok);
    check("MADV_DONTNEED all 256 GiB", madvise(r, huge, MADV_DONTNEED));
    yes("committed pieces read as zero", r[0] == 0 && r[63 * (4UL << 30)] == 0);
    check("munmap all of it", munmap(r, huge));
}

static char *target;
static void child_writes(void);

// Linux changes the pages up to the hole, then says ENOMEM.
static void protect_holes(void)
{
    char *p = mmap(NULL, 3 * PAGE, RW, ANON, -1, 0);
    p[0] = 1;
    p[2 * PAGE] = 3;
    check("munmap the middle page", munmap(p + PAGE, PAGE));
    check("mprotect over the hole", mprotect(p, 3 * PAGE, PROT_READ));
    target = p;
    in_child("child writes the page before the hole", child_writes);
    p[2 * PAGE] = 4;
    yes("the page after the hole is still writable", p[2 * PAGE] == 4);
    check("mprotect starting in the hole", mprotect(p + PAGE, 2 * PAGE, PROT_NONE));
    yes("the page after it is still readable", p[2 * PAGE] == 4);
    check("mprotect the first page read-write", mprotect(p, PAGE, RW));
    p[0] = 2;
    yes("writable again", p[0] == 2);
    munmap(p, 3 * PAGE);
}

static void child_reads(void)
{
    printf("child: reading\n");
    fflush(stdout);
    volatile char c = target[0];
    printf("child: read %d\n", c);
}

static void child_writes(void)
{
    printf("child: writing\n");
    fflush(stdout);
    target[0] = 42;
    printf("child: wrote\n");
}

// A fuzzer found this: a shared page made PROT_NONE was readable in a fork's child.
static void fork_protections(void)
{
    target = mmap(NULL, PAGE, RW, SHARED, -1, 0);
    target[0] = 7;
    check("mprotect shared page PROT_NONE", mprotect(target, PAGE, PROT_NONE));
    in_child("child reads shared PROT_NONE", child_reads);
    check("mprotect it read-only", mprotect(target, PAGE, PROT_READ));
    in_child("child reads shared read-only", child_reads);
    in_child("child writes shared read-only", child_writes);
    check("mprotect it read-write", mprotect(target, PAGE, RW));
    in_child("child writes shared read-write", child_writes);
    yes("the parent sees the child's write", target[0] == 42);
    munmap(target, PAGE);

    target = mmap(NULL, PAGE, RW, ANON, -1, 0);
    target[0] = 5;
    check("mprotect private page PROT_NONE", mprotect(target, PAGE, PROT_NONE));
    in_child("child reads private PROT_NONE", child_reads);
    check("mprotect it read-only", mprotect(target, PAGE, PROT_READ));
    in_child("child writes private read-only", child_writes);
    munmap(target, PAGE);

    target = mmap(NULL, PAGE, PROT_NONE, SHARED, -1, 0);
    in_child("child reads untouched shared PROT_NONE", child_reads);
    munmap(target, PAGE);
}

// x86 pages cannot be write-only: PROT_WRITE alone lets the program read too (Linux maps
// it readable). A review found the first read of such a page SIGSEGV'd here.
static void write_only(void)
{
    char *p = mmap(NULL, 2 * PAGE, PROT_WRITE, ANON, -1, 0);
    volatile char first = p[0];
    yes("a PROT_WRITE page reads as zero before any write", first == 0);
    yes("and again", p[0] == 0);
    p[0] = 9;
    yes("then holds what was written", p[0] == 9);
    p[PAGE] = 8;
    yes("a page written first reads back", p[PAGE] == 8);
    target = p;
    in_child("child reads a PROT_WRITE page", child_reads);
    munmap(p, 2 * PAGE);
}

int main(void)
{
    begin("t_mmap");
    default_signals();
    hints();
    flags();
    reservations();
    protect_holes();
    fork_protections();
    write_only();
    return done();
}
