// t_mmapfile.c: mmap of regular files. A private mapping starts as the file's bytes and
// keeps its own writes; a shared one writes through to the file (at msync and munmap at
// the latest); past the end of the file the last page reads zeros and the pages after it
// are no memory at all (SIGBUS). And Linux's errors: EACCES for a shared writable mapping
// of a read-only descriptor or any mapping of a write-only one, ENODEV for what is not a
// regular file, EINVAL for an unaligned offset, EBADF, EOVERFLOW.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "parity.h"

#define NAME "mmapfile.tmp"

static char *map;

static void touch_past_end(void) { printf("read past the end: %d\n", map[8192]); }

static void write_readonly_private(void) { map[0] = 'x'; }

int main(void)
{
    begin("t_mmapfile");
    default_signals();
    int fd = open(NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("open", fd);
    char buf[6000];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    check_val("write 6000 bytes", write(fd, buf, sizeof buf));

    map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    yes("MAP_PRIVATE of the file", map != MAP_FAILED);
    printf("bytes 0..3: %.4s, at 5000: %c, at 5999: %c, at 6000: %d, at 8191: %d\n",
           map, map[5000], map[5999], map[6000], map[8191]);
    map[0] = 'Z';
    char first;
    pread(fd, &first, 1, 0);
    printf("a private write stays private: file still starts with %c\n", first);
    in_child("a page wholly past the end of the file", touch_past_end);
    check("munmap", munmap(map, 3 * 4096));

    char *at4k = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    yes("a mapping at offset 4096", at4k != MAP_FAILED);
    printf("it starts with byte 4096 of the file: %c\n", at4k[0]);
    munmap(at4k, 4096);

    char *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    yes("MAP_SHARED of the file", sh != MAP_FAILED);
    memcpy(sh, "SHARED", 6);
    check("msync(MS_SYNC)", msync(sh, 4096, MS_SYNC));
    char got[7] = { 0 };
    pread(fd, got, 6, 0);
    printf("after msync the file has: %s\n", got);
    memcpy(sh + 100, "again", 5);
    check("munmap", munmap(sh, 4096));
    pread(fd, got, 5, 100);
    got[5] = 0;
    printf("after munmap the file has: %s\n", got);
    check("msync(MS_ASYNC|MS_SYNC)", msync(sh, 4096, MS_ASYNC | MS_SYNC));
    check("msync(unaligned)", msync(sh + 1, 4096, MS_SYNC));
    check("msync(unmapped)", msync(sh, 4096, MS_SYNC));

    int ro = open(NAME, O_RDONLY);
    map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    yes("MAP_SHARED read-only of an O_RDONLY fd", map != MAP_FAILED);
    check("mprotect(PROT_WRITE) on it", mprotect(map, 4096, PROT_READ | PROT_WRITE));
    munmap(map, 4096);
    map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    yes("MAP_PRIVATE writable of an O_RDONLY fd", map != MAP_FAILED);
    map[1] = 'w';
    printf("private copy written: %c\n", map[1]);
    munmap(map, 4096);
    map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
    in_child("write to a PROT_READ private mapping", write_readonly_private);
    munmap(map, 4096);
    check("MAP_SHARED|PROT_WRITE of O_RDONLY", (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    int wo = open(NAME, O_WRONLY);
    check("mmap of O_WRONLY", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0));
    check("unaligned offset", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 100));
    check("closed fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0));
    int dir = open(".", O_RDONLY);
    check("a directory", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dir, 0));
    int p[2];
    pipe(p);
    check("a pipe", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p[0], 0));
    check("offset + length wraps", (long)mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, ro, -4096L));

    // The mapping keeps the file: unlinked and closed, its bytes are still there.
    map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
    close(ro);
    close(wo);
    close(fd);
    check("unlink", unlink(NAME));
    printf("after unlink and close: %.6s\n", map);
    check("munmap", munmap(map, 4096));
    return done();
}
