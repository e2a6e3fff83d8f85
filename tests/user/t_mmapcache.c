// t_mmapcache.c: a file's mappings and its read() and write() share one copy of its pages
// (the page cache). A store through a MAP_SHARED mapping is seen at once - without msync -
// by read(), by another shared mapping and by a private mapping that has not written that
// page; write() is seen by all of them; a private mapping's written page is its own. After
// fork the child's stores to a shared mapping are the parent's. mprotect of a shared
// mapping keeps it shared. Truncate takes the pages past the new end away from every
// mapping (SIGBUS there, private copies too), and the tail of the last page reads zeros.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define NAME "mmapcache.tmp"
#define PG 4096

static char *touch;           // where the in_child functions touch

static void read_it(void) { printf("read: %d\n", touch[0]); }
static void write_it(void) { touch[0] = 'q'; printf("written\n"); }

static void show(const char *what, const char *p, int n) {
    printf("%s: %.*s\n", what, n, p);
}

int main(void)
{
    begin("t_mmapcache");
    default_signals();
    int fd = open(NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("open", fd);
    char buf[3 * PG];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    check_val("write 3 pages", write(fd, buf, sizeof buf));

    char *sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *sh2 = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
    char *pr = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    yes("three mappings", sh != MAP_FAILED && sh2 != MAP_FAILED && pr != MAP_FAILED);
    show("private, before", pr, 4);
    pr[PG] = 'P';                                  // page 1 of the private mapping is its own
    memcpy(sh, "ONE", 3);                          // no msync: the page cache is the file
    memcpy(sh + PG, "TWO", 3);
    char got[8] = { 0 };
    pread(fd, got, 3, 0);
    show("read() sees the shared store", got, 3);
    show("the other shared mapping sees it", sh2, 3);
    show("the private mapping's untouched page sees it", pr, 3);
    show("the private mapping's written page does not", pr + PG, 3);
    lseek(fd, 2 * PG, SEEK_SET);
    check_val("write at page 2", write(fd, "xyz", 3));
    show("shared mapping sees write()", sh + 2 * PG, 3);
    show("private mapping sees write() too", pr + 2 * PG, 3);
    pr[2 * PG + 1] = '!';
    show("until it writes the page", pr + 2 * PG, 3);
    pread(fd, got, 3, 2 * PG);
    show("the file keeps its bytes", got, 3);

    pid_t pid = fork();
    if (pid == 0) {
        memcpy(sh + 10, "child", 5);
        pr[10] = '#';
        _exit(0);
    }
    wait_and_print("child", pid);
    show("the child's shared store", sh + 10, 5);
    show("the child's private store stays its own", pr + 10, 1);

    check("mprotect read-only", mprotect(sh, 3 * PG, PROT_READ));
    check("mprotect read-write", mprotect(sh, 3 * PG, PROT_READ | PROT_WRITE));
    memcpy(sh + 20, "again", 5);
    show("after mprotect the store is shared still", sh2 + 20, 5);
    pid = fork();
    if (pid == 0) {
        check("child mprotect read-only", mprotect(sh, PG, PROT_READ));
        check("child mprotect read-write", mprotect(sh, PG, PROT_READ | PROT_WRITE));
        memcpy(sh + 30, "forked", 6);
        _exit(0);
    }
    wait_and_print("child", pid);
    show("a child's store after its mprotect", sh2 + 30, 6);

    // Truncate to one and a half pages: page 2 leaves every mapping, the private copy of
    // it too; the rest of page 1 reads zeros.
    check("ftruncate to 6000", ftruncate(fd, 6000));
    printf("shared, byte 5999: %c, byte 6000: %d, byte 8191: %d\n", sh[5999], sh[6000], sh[8191]);
    printf("private page 1 is its own copy: %c\n", pr[PG]);
    touch = sh + 2 * PG;
    in_child("shared mapping past the new end", read_it);
    touch = pr + 2 * PG;
    in_child("private copy past the new end", read_it);
    in_child("private write past the new end", write_it);
    check("ftruncate back to 3 pages", ftruncate(fd, 3 * PG));
    printf("page 2 again, zeros: shared %d, private %d, other %d\n",
           sh[2 * PG], pr[2 * PG], sh2[2 * PG + 5]);
    sh[2 * PG] = 'Z';
    pread(fd, got, 1, 2 * PG);
    show("a store to the new page reaches the file", got, 1);

    // A store beyond the end of the file in its last page is in the page, not the file.
    check("ftruncate to 100", ftruncate(fd, 100));
    sh[200] = 'B';
    check("ftruncate to 300", ftruncate(fd, 300));
    pread(fd, got, 1, 200);
    printf("growing the file again shows zeros there: %d\n", got[0]);

    // mincore of a file mapping looks in the page cache: written pages are in memory
    // before they are touched; a hole is not.
    int fd2 = open("mmapcache2.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    check_val("write 2 pages", write(fd2, buf, 2 * PG));
    check("ftruncate to 4 pages", ftruncate(fd2, 4 * PG));
    char *m2 = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd2, 0);
    unsigned char vec[4];
    check("mincore", mincore(m2, 4 * PG, vec));
    printf("in memory before any touch: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    munmap(m2, 4 * PG);
    close(fd2);
    unlink("mmapcache2.tmp");

    check("munmap", munmap(sh, 3 * PG));
    check("munmap", munmap(sh2, 3 * PG));
    check("munmap", munmap(pr, 3 * PG));
    check("close", close(fd));
    check("unlink", unlink(NAME));
    return done();
}
