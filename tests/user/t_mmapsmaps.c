// t_mmapsmaps.c: /proc/self/smaps_rollup. Its lines, in Linux's order, and how they move:
// touching 1 MiB of private memory adds it to Rss, Anonymous and Private_Dirty; after fork
// those pages are shared, so they move to Shared_Dirty and Pss drops by about half of them;
// reading 256 KiB of a file through a mapping adds it to Pss_File and Private_*. Only
// relations are printed, never sizes: the C library and the program differ in size.
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

#define KB 1024L
#define NFIELDS 32

struct rollup { int n; char name[NFIELDS][24]; long kb[NFIELDS]; };

static void read_rollup(struct rollup *r) {
    char buf[4096];
    int fd = open("/proc/self/smaps_rollup", O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    r->n = 0;
    if (n <= 0)
        return;
    buf[n] = 0;
    char *line = strchr(buf, '\n');              // the first line is the [rollup] range
    while (line && *++line && r->n < NFIELDS) {
        char *colon = strchr(line, ':');
        if (!colon)
            break;
        int len = colon - line < 23 ? (int)(colon - line) : 23;
        memcpy(r->name[r->n], line, len);
        r->name[r->n][len] = 0;
        r->kb[r->n++] = strtol(colon + 1, NULL, 10);
        line = strchr(colon, '\n');
    }
}

static long field(struct rollup *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->name[i], name) == 0)
            return r->kb[i];
    return -1;
}

#define GREW(what, a, b, name, at_least) \
    yes(what, field(b, name) - field(a, name) >= (at_least))

int main(void)
{
    begin("t_mmapsmaps");
    default_signals();
    if (access("/proc/self/smaps_rollup", R_OK) != 0) {
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);   // as init on Lantern nobody has yet
    }
    struct rollup a, b, c, d;
    read_rollup(&a);
    printf("fields:");
    for (int i = 0; i < a.n; i++)
        printf(" %s", a.name[i]);
    printf("\n");
    yes("Rss >= Pss > 0", field(&a, "Rss") >= field(&a, "Pss") && field(&a, "Pss") > 0);
    yes("Rss = Shared + Private", field(&a, "Rss") == field(&a, "Shared_Clean") +
        field(&a, "Shared_Dirty") + field(&a, "Private_Clean") + field(&a, "Private_Dirty"));

    char *p = mmap(NULL, 1024 * KB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, 1024 * KB);
    read_rollup(&b);
    GREW("touching 1 MiB: Rss grew by 1 MiB", &a, &b, "Rss", 1024);
    GREW("Anonymous too", &a, &b, "Anonymous", 1024);
    GREW("Private_Dirty too", &a, &b, "Private_Dirty", 1024);
    GREW("Pss_Anon too", &a, &b, "Pss_Anon", 1024);

    int pipefd[2];
    pipe(pipefd);
    pid_t pid = fork();
    if (pid == 0) {
        char x;
        read(pipefd[0], &x, 1);                  // stay until the parent has looked
        _exit(0);
    }
    read_rollup(&c);
    GREW("after fork: Shared_Dirty has the 1 MiB", &b, &c, "Shared_Dirty", 1024);
    yes("Pss fell by about half of it", field(&b, "Pss") - field(&c, "Pss") >= 500);
    yes("Rss stayed", field(&c, "Rss") >= field(&b, "Rss"));
    write(pipefd[1], "x", 1);
    wait_and_print("child", pid);

    int fd = open("mmapsmaps.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[4096];
    memset(page, 'f', sizeof page);
    for (int i = 0; i < 64; i++)
        write(fd, page, sizeof page);
    char *f = mmap(NULL, 256 * KB, PROT_READ, MAP_SHARED, fd, 0);
    long sum = 0;
    for (long i = 0; i < 256 * KB; i += 4096)
        sum += f[i];
    read_rollup(&d);
    printf("read the file: %ld\n", sum);
    GREW("Pss_File grew by 256 KiB", &c, &d, "Pss_File", 256);
    // Clean or dirty: a file just written is dirty in the page cache until written back
    // to its disk, and on tmpfs or ramfs (Lantern's files) for good.
    yes("Private_Clean + Private_Dirty too", field(&d, "Private_Clean") + field(&d, "Private_Dirty") -
        field(&c, "Private_Clean") - field(&c, "Private_Dirty") >= 256);
    yes("Anonymous did not", field(&d, "Anonymous") - field(&c, "Anonymous") < 64);
    munmap(f, 256 * KB);
    munmap(p, 1024 * KB);
    close(fd);
    unlink("mmapsmaps.tmp");
    return done();
}
