// t_mremap.c: mremap(2) - growing a mapping in place or by moving it (MREMAP_MAYMOVE),
// shrinking it, moving it to a chosen place (MREMAP_FIXED, replacing what was there),
// moving it and leaving the old range mapped but empty (MREMAP_DONTUNMAP), a piece from the
// middle of a mapping, file and shared mappings (SIGBUS past the file's end or the shared
// object's), a second mapping of shared memory (old_size 0), fork after a move. And Linux's
// errors, in its order. No addresses are printed: only how they relate.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define PG 4096L
#define SYS_mremap_ 25
#define MAYMOVE   1
#define FIXED     2
#define DONTUNMAP 4

static long remap(void *old, long old_len, long new_len, long flags, void *new_addr) {
    long r = syscall(SYS_mremap_, (long)old, old_len, new_len, flags, (long)new_addr);
    return r;
}

// "what: ok" or the error; the address itself is never printed.
static char *remap_ok(const char *what, void *old, long old_len, long new_len, long flags,
                      void *new_addr) {
    long r = remap(old, old_len, new_len, flags, new_addr);
    check(what, r < 0 ? r : 0);
    return r < 0 ? NULL : (char *)r;
}

static int mapped(void *p) {
    unsigned char v;
    return mincore(p, PG, &v) == 0;
}

static char *map(long len, int prot, int flags) {
    return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static char *touch;
static void read_it(void) { printf("read: %d\n", touch[0]); }

static void fill(char *p, long len, char c) {
    for (long i = 0; i < len; i += PG)
        p[i] = (char)(c + i / PG);
}

static void show(const char *what, const char *p, long pages) {
    printf("%s:", what);
    for (long i = 0; i < pages; i++)
        printf(" %d", p[i * PG]);
    printf("\n");
}

static void growing(void) {
    // Room above: grows in place.
    char *area = map(8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    munmap(area + 2 * PG, 6 * PG);
    fill(area, 2 * PG, 'a');
    char *p = remap_ok("grow in place", area, 2 * PG, 4 * PG, 0, NULL);
    yes("same address", p == area);
    show("pages", p, 4);
    // Something in the way: ENOMEM, unless it may move.
    char *block = mmap(p + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    yes("blocker mapped", block == p + 4 * PG);
    check("grow blocked, no MAYMOVE", remap(p, 4 * PG, 6 * PG, 0, NULL));
    char *q = remap_ok("grow blocked, MAYMOVE", p, 4 * PG, 6 * PG, MAYMOVE, NULL);
    yes("moved", q != p);
    yes("old range unmapped", !mapped(p));
    yes("blocker still mapped", mapped(block));
    show("moved pages", q, 6);
    q[5 * PG] = 'z';
    pid_t pid = fork();
    if (pid == 0) {
        q[0] = 'C';
        printf("child sees: %c %c\n", q[PG], q[5 * PG]);
        _exit(0);
    }
    wait_and_print("child", pid);
    printf("parent keeps: %c\n", q[0]);
    // Shrinking: same address, the tail unmapped.
    char *r = remap_ok("shrink", q, 6 * PG, 2 * PG + 1, 0, NULL);
    yes("same address", r == q);
    yes("page 2 still mapped (2 pages + 1 byte)", mapped(q + 2 * PG));
    yes("page 3 unmapped", !mapped(q + 3 * PG));
    remap_ok("same size", q, 3 * PG, 3 * PG, 0, NULL);
    munmap(q, 3 * PG);
    munmap(block, PG);
}

static void fixed_and_dontunmap(void) {
    char *a = map(3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    char *b = map(5 * PG, PROT_READ, MAP_PRIVATE);     // will be replaced in part
    fill(a, 3 * PG, 'A');
    char *c = remap_ok("MREMAP_FIXED onto a mapping", a, 3 * PG, 3 * PG, MAYMOVE | FIXED, b + PG);
    yes("at the address asked", c == b + PG);
    show("moved", c, 3);
    yes("old unmapped", !mapped(a));
    yes("the rest of the old mapping there stays", mapped(b) && mapped(b + 4 * PG));
    c[0] = 'w';                                        // writable now: the moved one's prot
    printf("written: %c\n", c[0]);
    char *d = remap_ok("MREMAP_FIXED shrinking", c, 3 * PG, PG, MAYMOVE | FIXED, b + 4 * PG);
    show("moved", d, 1);
    yes("old gone", !mapped(c) && !mapped(c + PG));
    munmap(b, 5 * PG);

    char *e = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    fill(e, 2 * PG, 'e');
    char *f = remap_ok("MREMAP_DONTUNMAP", e, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, NULL);
    yes("moved", f != e);
    show("new", f, 2);
    yes("old still mapped", mapped(e) && mapped(e + PG));
    show("old reads zeros", e, 2);
    e[0] = 'n';
    printf("old writable: %c, new unchanged: %c\n", e[0], f[0]);
    munmap(e, 2 * PG);
    munmap(f, 2 * PG);
}

static void middle_and_prot(void) {
    char *m = map(6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    fill(m, 6 * PG, '0');
    char *n = remap_ok("move pages 2..3 out of the middle", m + 2 * PG, 2 * PG, 3 * PG, MAYMOVE, NULL);
    show("moved", n, 3);
    yes("hole left", mapped(m + PG) && !mapped(m + 2 * PG) && !mapped(m + 3 * PG) && mapped(m + 4 * PG));
    show("neighbours", m, 2);
    check("mprotect the moved range", mprotect(n, 3 * PG, PROT_READ));
    touch = n;
    pid_t pid = fork();
    if (pid == 0) {
        n[0] = 1;
        _exit(0);
    }
    wait_and_print("write to the read-only moved range", pid);
    // A range across two VMAs (different protections): EFAULT.
    check("mprotect page 1", mprotect(m + PG, PG, PROT_READ));
    check("grow across two VMAs", remap(m, 2 * PG, 3 * PG, MAYMOVE, NULL));
    munmap(m, 6 * PG);
    munmap(n, 3 * PG);
}

static void files_and_shared(void) {
    int fd = open("mremap.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[2 * PG];
    memset(buf, 'f', sizeof buf);
    check_val("write", write(fd, buf, sizeof buf));
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *t = remap_ok("grow a shared file mapping", s, PG, 4 * PG, MAYMOVE, NULL);
    t[PG] = 'S';
    char got = 0;
    pread(fd, &got, 1, PG);
    printf("the store through the grown part reaches the file: %c\n", got);
    touch = t + 2 * PG;
    in_child("past the end of the file", read_it);
    munmap(t, 4 * PG);
    close(fd);
    unlink("mremap.tmp");

    char *sh = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    sh[0] = 'x';
    char *dup = remap_ok("old_size 0 on shared memory: a second mapping", sh, 0, 2 * PG, MAYMOVE, NULL);
    yes("a different address", dup != sh);
    dup[PG] = 'y';
    printf("one memory: %c %c\n", dup[0], sh[PG]);
    char *big = remap_ok("grow shared memory", sh, 2 * PG, 4 * PG, MAYMOVE, NULL);
    printf("its pages: %c %c\n", big[0], big[PG]);
    touch = big + 3 * PG;
    in_child("past the shared object's end", read_it);
    char *priv = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    check("old_size 0 on private memory", remap(priv, 0, PG, MAYMOVE, NULL));
    munmap(priv, PG);
    munmap(dup, 2 * PG);
    munmap(big, 4 * PG);
}

static void errors(void) {
    char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    char *hole = map(PG, PROT_NONE, MAP_PRIVATE);
    munmap(hole, PG);
    check("unknown flag", remap(p, PG, 2 * PG, 8, NULL));
    check("FIXED without MAYMOVE", remap(p, PG, 2 * PG, FIXED, hole));
    check("DONTUNMAP without MAYMOVE", remap(p, PG, PG, DONTUNMAP, NULL));
    check("DONTUNMAP resizing", remap(p, PG, 2 * PG, MAYMOVE | DONTUNMAP, NULL));
    check("unaligned address", remap(p + 1, PG, 2 * PG, MAYMOVE, NULL));
    check("new size 0", remap(p, PG, 0, MAYMOVE, NULL));
    check("new size rounding past the top", remap(p, PG, -1L, MAYMOVE, NULL));
    check("unmapped address, growing", remap(hole, PG, 2 * PG, MAYMOVE, NULL));
    check("unmapped address, shrinking", remap(hole, 2 * PG, PG, 0, NULL));
    check("unmapped address, same size", remap(hole, PG, PG, 0, NULL));
    check("old size past the mapping's end", remap(p, 5 * PG, 6 * PG, MAYMOVE, NULL));
    check("FIXED overlapping", remap(p, 2 * PG, 2 * PG, MAYMOVE | FIXED, p + PG));
    check("FIXED unaligned", remap(p, PG, PG, MAYMOVE | FIXED, hole + 1));
    check("FIXED past the top", remap(p, PG, 2 * PG, MAYMOVE | FIXED, (void *)0x7ffffffff000L));
    check("DONTUNMAP unmapped", remap(hole, PG, PG, MAYMOVE | DONTUNMAP, NULL));
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = { 64L << 20, 64L << 20 };
        check("setrlimit(RLIMIT_AS, 64 MiB)", setrlimit(RLIMIT_AS, &rl));
        check("grow past RLIMIT_AS", remap(p, 4 * PG, 128L << 20, MAYMOVE, NULL));
        _exit(0);
    }
    wait_and_print("child", pid);
    yes("still mapped after all that", mapped(p) && mapped(p + 3 * PG));
    munmap(p, 4 * PG);
}

int main(void)
{
    begin("t_mremap");
    default_signals();
    growing();
    fixed_and_dontunmap();
    middle_and_prot();
    files_and_shared();
    errors();
    return done();
}
