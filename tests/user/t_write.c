// t_write.c: write and writev to stdout, and how they fail: bad descriptors, bad pointers
// (unmapped, in the kernel's half of the address space, or straddling the end of user
// space), bad iovec counts. A kernel must check every user pointer before using it. Then
// pwrite at an offset, and fsync and fdatasync, on a scratch file in /tmp.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
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
    check("fsync a pipe", fsync(p[1]));
    check("fdatasync a pipe", fdatasync(p[0]));
    close(p[0]);
    close(p[1]);
    check("fsync fd 99", fsync(99));
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
    return done();
}
