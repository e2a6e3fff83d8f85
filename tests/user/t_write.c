// t_write.c: write and writev to stdout, and how they fail: bad descriptors, bad pointers
// (unmapped, in the kernel's half of the address space, or straddling the end of user
// space), bad iovec counts. A kernel must check every user pointer before using it.
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include "parity.h"

#define KERNEL_ADDR ((void *)0xffffffff80000000)   // where kernels (ours too) live
#define USER_END    0x00007ffffffff000UL           // just below: the top user page

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
    return done();
}
