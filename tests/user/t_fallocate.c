// t_fallocate.c: fallocate(2) as tmpfs answers it (glibc's posix_fallocate calls it first):
// mode 0 makes a file longer, FALLOC_FL_KEEP_SIZE leaves the size, FALLOC_FL_PUNCH_HOLE
// zeroes a range, the modes tmpfs lacks are EOPNOTSUPP, and the errors of the arguments,
// the descriptor and the file, and of a sealed memfd.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define SYS_fallocate_ 285
#define SYS_memfd_create_ 319
#define KEEP 0x01
#define PUNCH 0x02
#define COLLAPSE 0x08
#define ZERO 0x10
#define INSERT 0x20
#define UNSHARE 0x40
#define F_ADD_SEALS_ 1033
#define F_SEAL_GROW_ 0x04
#define F_SEAL_WRITE_ 0x08

static long fa(int fd, int mode, long off, long len)
{
    return syscall(SYS_fallocate_, fd, mode, off, len);
}

static long size_of(int fd)
{
    struct stat st;
    fstat(fd, &st);
    return (long)st.st_size;
}

int main(void)
{
    begin("t_fallocate");
    // A memfd: tmpfs's answers on every machine (the host's /tmp may be another filesystem).
    int fd = (int)syscall(SYS_memfd_create_, "fa", 2 /* MFD_ALLOW_SEALING */);
    check("fallocate 0..10000", fa(fd, 0, 0, 10000));
    printf("size %ld\n", size_of(fd));
    char buf[64];
    memset(buf, 'x', sizeof buf);
    check_val("pread in it", pread(fd, buf, 16, 5000));
    yes("zeros", buf[0] == 0 && buf[15] == 0);
    check("fallocate inside (no change)", fa(fd, 0, 100, 100));
    printf("size %ld\n", size_of(fd));
    check("KEEP_SIZE past the end", fa(fd, KEEP, 20000, 5000));
    printf("size %ld\n", size_of(fd));
    memset(buf, 'a', sizeof buf);
    for (int i = 0; i < 100; i++)
        pwrite(fd, buf, sizeof buf, i * 64);
    check("PUNCH_HOLE|KEEP_SIZE 100..300", fa(fd, PUNCH | KEEP, 100, 200));
    pread(fd, buf, 8, 96);
    print_escaped("bytes 96..103", buf, 8);
    pread(fd, buf, 8, 296);
    print_escaped("bytes 296..303", buf, 8);
    check("PUNCH_HOLE past the end", fa(fd, PUNCH | KEEP, 9000, 9000));
    printf("size %ld\n", size_of(fd));
    // A hole punched over a huge sparse file takes no memory (and no time).
    int big = (int)syscall(SYS_memfd_create_, "big", 0);
    check("a sparse file of 512 GiB", ftruncate(big, 1L << 39));
    pwrite(big, "abc", 3, 1L << 38);
    check("PUNCH_HOLE over all of it", fa(big, PUNCH | KEEP, 0, 1L << 39));
    memset(buf, 'x', 4);
    pread(big, buf, 3, 1L << 38);
    yes("the written bytes read as zeros", buf[0] == 0 && buf[1] == 0 && buf[2] == 0);
    close(big);
    check("PUNCH_HOLE without KEEP_SIZE", fa(fd, PUNCH, 0, 10));
    check("PUNCH_HOLE|ZERO_RANGE", fa(fd, PUNCH | ZERO | KEEP, 0, 10));
    check("ZERO_RANGE", fa(fd, ZERO, 0, 10));
    check("COLLAPSE_RANGE", fa(fd, COLLAPSE, 0, 4096));
    check("COLLAPSE_RANGE|KEEP_SIZE", fa(fd, COLLAPSE | KEEP, 0, 4096));
    check("INSERT_RANGE|KEEP_SIZE", fa(fd, INSERT | KEEP, 0, 4096));
    check("INSERT_RANGE", fa(fd, INSERT, 0, 4096));
    check("UNSHARE_RANGE", fa(fd, UNSHARE, 0, 4096));
    check("UNSHARE_RANGE|PUNCH_HOLE", fa(fd, UNSHARE | PUNCH | KEEP, 0, 4096));
    check("mode 0x80", fa(fd, 0x80, 0, 10));
    check("mode 0x100", fa(fd, 0x100, 0, 10));
    check("offset -1", fa(fd, 0, -1, 10));
    check("len 0", fa(fd, 0, 0, 0));
    check("len -1", fa(fd, 0, 0, -1));
    check("past 2^63", fa(fd, 0, 0x7fffffffffffff00L, 0x1000));
    check("closed descriptor, bad offset", fa(999, 0, -1, 10));
    close(fd);
    const char *path = "/tmp/fallocate.tmp";
    close(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
    fd = open(path, O_RDONLY);
    check("read-only descriptor", fa(fd, 0, 0, 10));
    check("read-only descriptor, bad mode", fa(fd, 0x100, 0, 10));
    close(fd);
    check("closed descriptor", fa(999, 0, 0, 10));
    int p[2];
    pipe(p);
    check("pipe", fa(p[1], 0, 0, 10));
    close(p[0]);
    close(p[1]);
    fd = open("/dev/null", O_WRONLY);
    check("/dev/null", fa(fd, 0, 0, 10));
    close(fd);
    unlink(path);

    int m = (int)syscall(SYS_memfd_create_, "fa", 2 /* MFD_ALLOW_SEALING */);
    check("memfd fallocate", fa(m, 0, 0, 8192));
    printf("size %ld\n", size_of(m));
    check("seal: grow", fcntl(m, F_ADD_SEALS_, F_SEAL_GROW_));
    check("fallocate past the end, sealed", fa(m, 0, 0, 16384));
    check("fallocate inside, sealed", fa(m, 0, 0, 4096));
    check("seal: write", fcntl(m, F_ADD_SEALS_, F_SEAL_WRITE_));
    check("punch a hole, sealed", fa(m, PUNCH | KEEP, 0, 10));
    close(m);
    return done();
}
