// t_mmapsplit.c: mprotect and munmap of sub-ranges, across anonymous and file mappings:
// the mappings split where the change starts and ends and join again when their
// neighbours become alike (Linux merges), as /proc/self/maps shows - printed here as each
// mapping's permissions, size and file offset in pages, never an address. mprotect stops
// at a hole (ENOMEM) after changing what comes before it; a page unmapped from the middle
// is SIGSEGV; mremap works across mappings that were merged.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define PG 4096L

// The mappings overlapping [base, base + pages): "rw-p 2 @0 | r--p 2 @2 ...".
static void show(const char *what, char *base, long pages) {
    unsigned long lo = (unsigned long)base, hi = lo + pages * PG;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    printf("%s:", what);
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        // "start-end perm offset ...", in hexadecimal
        char *p = line, perm[5] = { 0 };
        unsigned long s = strtoul(p, &p, 16), e = strtoul(p + 1, &p, 16);
        memcpy(perm, p + 1, 4);
        unsigned long off = strtoul(p + 6, &p, 16);
        char *dev_end = strchr(p + 1, ' ');                  // the device, "00:01"
        unsigned long ino = dev_end ? strtoul(dev_end, NULL, 10) : 0;
        if (e <= lo || s >= hi)
            continue;
        if (s < lo)
            s = lo;
        if (e > hi)
            e = hi;
        printf("%s %s %ld", n++ ? " |" : "", perm, (long)((e - s) / PG));
        if (ino)                                            // a file mapping
            printf(" @%ld", (long)(off / PG));
    }
    printf("\n");
    if (f)
        fclose(f);
}

static char *touch;
static void read_it(void) { printf("read: %d\n", touch[0]); }
static void write_it(void) { touch[0] = 1; printf("written\n"); }

int main(void)
{
    begin("t_mmapsplit");
    default_signals();
    if (access("/proc/self/maps", R_OK) != 0) {
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);   // as init on Lantern nobody has yet
    }
    // Anonymous memory: split by mprotect, joined again.
    char *a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'a', 8 * PG);
    show("anonymous", a, 8);
    check("mprotect pages 2-3 read-only", mprotect(a + 2 * PG, 2 * PG, PROT_READ));
    show("split", a, 8);
    touch = a + 2 * PG;
    in_child("write to a read-only page", write_it);
    check("mprotect pages 6-7 read-only", mprotect(a + 6 * PG, 2 * PG, PROT_READ));
    show("split again", a, 8);
    check("mprotect pages 2-3 back", mprotect(a + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE));
    show("joined", a, 8);
    check("mprotect all read-write", mprotect(a, 8 * PG, PROT_READ | PROT_WRITE));
    show("one again", a, 8);
    printf("contents kept: %c %c\n", a[3 * PG], a[7 * PG]);

    check("munmap page 4", munmap(a + 4 * PG, PG));
    show("a hole", a, 8);
    touch = a + 4 * PG;
    in_child("read the hole", read_it);
    check("mprotect over the hole", mprotect(a + 3 * PG, 3 * PG, PROT_READ));
    show("changed up to the hole", a, 8);
    check("munmap all", munmap(a, 8 * PG));

    // Two mappings made alike side by side are one, and mremap can grow over both.
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("munmap pages 2-3", munmap(m + 2 * PG, 2 * PG));
    check("mmap pages 2-3 alike", mmap(m + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
    show("side by side", m, 4);
    m[0] = 'm';
    m[3 * PG] = 'n';
    char *b = (char *)syscall(25, m, 4 * PG, 16 * PG, 1, 0);
    yes("mremap of the whole", b != MAP_FAILED);
    printf("after mremap: %c %c %d\n", b[0], b[3 * PG], b[15 * PG]);
    munmap(b, 16 * PG);

    // A file mapping: split with offsets, and across a file and an anonymous mapping.
    int fd = open("mmapsplit.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[6 * PG];
    for (int i = 0; i < 6; i++)
        memset(buf + i * PG, '0' + i, PG);
    check_val("write", write(fd, buf, sizeof buf));
    char *f = mmap(NULL, 8 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("map the file over pages 0-5", mmap(f, 6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED ? -1 : 0);
    show("file and anonymous", f, 8);
    check("mprotect file page 2", mprotect(f + 2 * PG, PG, PROT_READ));
    show("file split", f, 8);
    check("mprotect pages 4-7 (file and anonymous)", mprotect(f + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
    show("across both", f, 8);
    check("mprotect page 2 back", mprotect(f + 2 * PG, PG, PROT_READ | PROT_WRITE));
    show("file joined", f, 8);
    f[PG] = 'w';
    printf("pages: %c %c %c %c, anonymous %d\n", f[0], f[PG], f[3 * PG], f[5 * PG], f[6 * PG]);
    char c;
    pread(fd, &c, 1, PG);
    printf("the file keeps: %c\n", c);
    check("munmap pages 3-6 (file and anonymous)", munmap(f + 3 * PG, 4 * PG));
    show("after munmap", f, 8);
    touch = f + 5 * PG;
    in_child("read an unmapped file page", read_it);
    check("munmap the rest", munmap(f, 8 * PG));
    show("nothing", f, 8);

    // fork after mprotect: the child has the same mappings and its own copy.
    char *g = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    g[0] = 'p';
    check("mprotect read-only", mprotect(g, PG, PROT_READ));
    pid_t pid = fork();
    if (pid == 0) {
        show("the child's", g, 2);
        touch = g;
        in_child("the child writes the read-only page", write_it);
        mprotect(g, PG, PROT_READ | PROT_WRITE);
        g[0] = 'c';
        g[PG] = 'C';
        _exit(0);
    }
    wait_and_print("child", pid);
    printf("the parent still has: %c %c\n", g[0], g[PG]);
    munmap(g, 2 * PG);
    close(fd);
    unlink("mmapsplit.tmp");
    return done();
}
