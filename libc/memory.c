// memory.c: the program break and memory mappings.
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

// The kernel's brk(addr) moves the break and returns where it now is: addr on success, the
// old break on failure (and brk(0) just asks). It never returns an error code, so we
// compare. We remember the break to answer sbrk without a system call.
static uintptr_t cur_brk;

int brk(void *addr)
{
    cur_brk = (uintptr_t)sys1(SYS_brk, addr);
    if (cur_brk != (uintptr_t)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *sbrk(intptr_t increment)
{
    if (cur_brk == 0)
        cur_brk = (uintptr_t)sys1(SYS_brk, 0);
    uintptr_t old = cur_brk;
    if (increment != 0 && brk((void *)(old + increment)) < 0)
        return (void *)-1;
    return (void *)old;
}

// A successful mmap returns an address, which as a long may look negative; only -4095..-1
// are errors, and __syscall_ret's -1 is MAP_FAILED.
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    return (void *)__syscall_ret(sys6(SYS_mmap, addr, length, prot, flags, fd, offset));
}

int munmap(void *addr, size_t length)
{
    return __syscall_ret(sys2(SYS_munmap, addr, length));
}

int msync(void *addr, size_t length, int flags)
{
    return __syscall_ret(sys3(SYS_msync, addr, length, flags));
}

int mprotect(void *addr, size_t length, int prot)
{
    return __syscall_ret(sys3(SYS_mprotect, addr, length, prot));
}

int madvise(void *addr, size_t length, int advice)
{
    return __syscall_ret(sys3(SYS_madvise, addr, length, advice));
}

int mlock(const void *addr, size_t length)
{
    return __syscall_ret(sys2(SYS_mlock, addr, length));
}

int munlock(const void *addr, size_t length)
{
    return __syscall_ret(sys2(SYS_munlock, addr, length));
}

int mincore(void *addr, size_t length, unsigned char *vec)
{
    return __syscall_ret(sys3(SYS_mincore, addr, length, vec));
}
