// t_write.c: write and writev to stdout, and how they fail: bad descriptors, bad pointers
// (unmapped, in the kernel's half of the address space, or straddling the end of user
// space), bad iovec counts. A kernel must check every user pointer before using it. Then
// pwrite at an offset, preadv and pwritev (and their "2" forms), fsync and fdatasync, on a
// scratch file in /tmp.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "parity.h"

#define KERNEL_ADDR ((void *)0xffffffff80000000)   // where kernels (ours too) live
#define USER_END    0x00007ffffffff000UL           // just below: the top user page

// pwrite writes at the offset and leaves the position alone; with O_APPEND it appends
// anyway (Linux's documented exception). fsync and fdatasync: fine on a file or a
// directory, EINVAL on a pipe, EBADF on no file.
static void positional(void)
{
    char path[64], buf[32] = { 0 };
    snprintf(path, sizeof path, "/tmp/t_write.%d", getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check("open a scratch file", fd);
    check_val("write 10", write(fd, "0123456789", 10));
    check_val("pwrite 3 at offset 2", pwrite(fd, "abc", 3, 2));
    check_val("the position stays at", lseek(fd, 0, SEEK_CUR));
    check_val("pwrite past the end, at 12", pwrite(fd, "Z", 1, 12));
    check_val("pread it all", pread(fd, buf, sizeof buf, 0));
    print_escaped("the file", buf, 13);
    check_val("pwrite offset -1", pwrite(fd, "x", 1, -1));
    check_val("pwrite pointer 1", pwrite(fd, (void *)1, 1, 0));
    check_val("pwrite fd 99", pwrite(99, "x", 1, 0));
    check("fsync the file", fsync(fd));
    check("fdatasync the file", fdatasync(fd));
    check("syncfs the file's filesystem", syscall(SYS_syncfs, (long)fd));
    check("sync", syscall(SYS_sync));
    check("syncfs fd 99", syscall(SYS_syncfs, 99L));
    check("fadvise SEQUENTIAL", syscall(SYS_fadvise64, (long)fd, 0L, 0L, 2L));
    check("fadvise DONTNEED of a range", syscall(SYS_fadvise64, (long)fd, 4096L, 100L, 4L));
    check("fadvise advice 6", syscall(SYS_fadvise64, (long)fd, 0L, 0L, 6L));
    check("fadvise length -1", syscall(SYS_fadvise64, (long)fd, 0L, -1L, 0L));
    check("fadvise fd 99", syscall(SYS_fadvise64, 99L, 0L, 0L, 0L));
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);
    check_val("O_APPEND: pwrite at 0", pwrite(fd, "END", 3, 0));
    check_val("the size now", lseek(fd, 0, SEEK_END));
    close(fd);
    fd = open(path, O_RDONLY);
    check_val("pwrite to a read-only descriptor", pwrite(fd, "x", 1, 0));
    close(fd);
    unlink(path);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    check("fsync a directory", fsync(dir));
    close(dir);
    int p[2];
    pipe(p);
    check_val("pwrite to a pipe", pwrite(p[1], "x", 1, 0));
    check("fadvise a pipe", syscall(SYS_fadvise64, (long)p[0], 0L, 0L, 0L));
    check("fsync a pipe", fsync(p[1]));
    check("fdatasync a pipe", fdatasync(p[0]));
    close(p[0]);
    close(p[1]);
    check("fsync fd 99", fsync(99));
    if (getpid() == 1)                           // as init on Lantern: nobody mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    int status = open("/proc/self/status", O_RDONLY), procdir = open("/proc", O_RDONLY);
    check("fsync /proc/self/status", fsync(status));
    check("fsync /proc", fsync(procdir));
    close(status);
    close(procdir);
}

// The vectored positional calls through syscall(): every argument a long, or a negative
// int would reach the kernel as 4294967295. The offset's second half (32-bit callers
// only) is 0.
static long vec(long nr, int fd, struct iovec *iov, long cnt, long offset, long flags)
{
    return syscall(nr, (long)fd, iov, cnt, offset, 0L, flags);
}

// preadv, pwritev, and their "2" forms with flags and the offset -1 (the file's own
// position, moved). The offset's second register is for 32-bit callers: 0 here.
static void vectored_positional(void)
{
    char path[64], a[4] = { 0 }, b[8] = { 0 };
    struct iovec out[2] = { { (void *)"ABC", 3 }, { (void *)"defgh", 5 } };
    struct iovec in[2] = { { a, 3 }, { b, 5 } };

    snprintf(path, sizeof path, "/tmp/t_write.v%d", getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check_val("write 10", write(fd, "0123456789", 10));
    check_val("pwritev 3+5 at 1", vec(SYS_pwritev, fd, out, 2, 1, 0));
    check_val("the position stays at", lseek(fd, 0, SEEK_CUR));
    check_val("preadv 3+5 at 2", vec(SYS_preadv, fd, in, 2, 2, 0));
    print_escaped("  first", a, 3);
    print_escaped("  second", b, 5);
    check_val("preadv at 8: short", vec(SYS_preadv, fd, in, 2, 8, 0));
    check_val("preadv at the end", vec(SYS_preadv, fd, in, 2, 10, 0));
    check_val("preadv offset -1", vec(SYS_preadv, fd, in, 2, -1, 0));
    check_val("preadv count -1", vec(SYS_preadv, fd, in, -1, 0, 0));
    check_val("preadv fd 99", vec(SYS_preadv, 99, in, 2, 0, 0));
    lseek(fd, 4, SEEK_SET);
    check_val("preadv2 offset -1 at position 4", vec(SYS_preadv2, fd, in, 2, -1, 0));
    print_escaped("  first", a, 3);
    check_val("  the position moved to", lseek(fd, 0, SEEK_CUR));
    check_val("pwritev2 offset -1", vec(SYS_pwritev2, fd, out, 1, -1, 0));
    check_val("  the position moved to", lseek(fd, 0, SEEK_CUR));
    check_val("preadv2 at 0 with RWF_HIPRI|RWF_SYNC",
              vec(SYS_preadv2, fd, in, 2, 0, 0x1 | 0x4));
    print_escaped("  second", b, 5);
    check_val("preadv2 with flag 0x40000000", vec(SYS_preadv2, fd, in, 2, 0, 0x40000000));
    check_val("pwritev2 offset -2", vec(SYS_pwritev2, fd, out, 1, -2, 0));
    close(fd);
    fd = open(path, O_RDONLY);
    check_val("pwritev to a read-only descriptor", vec(SYS_pwritev, fd, out, 2, 0, 0));
    close(fd);
    unlink(path);
    int p[2];
    pipe(p);
    check_val("pwritev to a pipe", vec(SYS_pwritev, p[1], out, 2, 0, 0));
    check_val("preadv from a pipe's write end", vec(SYS_preadv, p[1], in, 2, 0, 0));
    check_val("pwritev2 offset -1 to a pipe", vec(SYS_pwritev2, p[1], out, 2, -1, 0));
    check_val("preadv2 offset -1 from the pipe", vec(SYS_preadv2, p[0], in, 2, -1, 0));
    print_escaped("  first", a, 3);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    static const char hello[] = "hello from write\n";

    begin("t_write");
    check_val("write hello", write(1, hello, sizeof hello - 1));
    check_val("write count 0", write(1, hello, 0));
    check_val("write NULL count 0", write(1, NULL, 0));
    check_val("write fd -1", write(-1, hello, 5));
    check_val("write fd 99", write(99, hello, 5));
    check_val("write pointer 1", write(1, (void *)1, 10));
    check_val("write kernel pointer", write(1, KERNEL_ADDR, 10));
    check_val("write across the end of user space", write(1, (void *)(USER_END + 4090), 10));
    check_val("write NULL count 10", write(1, NULL, 10));

    struct iovec iov[3] = {
        { (void *)"writev ", 7 }, { (void *)"in three ", 9 }, { (void *)"parts\n", 6 },
    };
    check_val("writev three parts", writev(1, iov, 3));
    check_val("writev count 0", writev(1, iov, 0));
    check_val("writev count -1", writev(1, iov, -1));
    check_val("writev count 1025 (more than IOV_MAX)", writev(1, iov, 1025));
    check_val("writev fd -1", writev(-1, iov, 3));
    check_val("writev iov NULL", writev(1, NULL, 1));
    check_val("writev iov kernel pointer", writev(1, KERNEL_ADDR, 1));
    struct iovec bad = { (void *)1, 10 };
    check_val("writev bad base", writev(1, &bad, 1));
    struct iovec kbad = { KERNEL_ADDR, 10 };
    check_val("writev kernel base", writev(1, &kbad, 1));
    // Linux checks the whole vector before it writes anything: these print nothing.
    struct iovec later_kbad[2] = { { (void *)"not written\n", 12 }, { KERNEL_ADDR, 10 } };
    check_val("writev, second base in the kernel", writev(1, later_kbad, 2));
    struct iovec later_neg[2] = { { (void *)"not written\n", 12 }, { (void *)hello, (size_t)-1 } };
    check_val("writev, second length negative", writev(1, later_neg, 2));
    // 17 entries, the last one on an unmapped page: EFAULT, and nothing written.
    char *two = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    struct iovec *vec = (struct iovec *)(two + 4096 - 16 * sizeof(struct iovec));
    for (int i = 0; i < 16; i++)
        vec[i] = (struct iovec){ (void *)"-", 1 };
    check_val("writev, the 17th iovec is unmapped", writev(1, vec, 17));
    long r = writev(1, vec, 16);
    write(1, "\n", 1);
    check_val("writev, the first 16 of them", r);
    positional();
    vectored_positional();
    return done();
}
