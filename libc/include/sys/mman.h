// sys/mman.h: mapping memory.
#pragma once
#include <sys/types.h>

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01     // exactly one of these two is required
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10     // exactly at addr, replacing whatever is mapped there
#define MAP_ANONYMOUS 0x20     // not backed by a file: zero-filled memory
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_FIXED_NOREPLACE 0x100000   // at addr, or fail with EEXIST

#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);
