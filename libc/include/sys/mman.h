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
#define MAP_GROWSDOWN 0x0100   // a stack: accepted, as Linux does for private mappings
#define MAP_NORESERVE 0x4000   // no swap to reserve anyway: accepted
#define MAP_STACK     0x20000  // a hint for thread stacks: accepted
#define MAP_FIXED_NOREPLACE 0x100000   // at addr, or fail with EEXIST

// madvise's advice (Linux's numbers).
#define MADV_NORMAL      0
#define MADV_RANDOM      1
#define MADV_SEQUENTIAL  2
#define MADV_WILLNEED    3
#define MADV_DONTNEED    4     // private pages read back as zero; shared ones keep their data
#define MADV_FREE        8     // private pages may be freed (here: are)
#define MADV_REMOVE      9
#define MADV_DONTFORK   10     // the child of a fork does not get this range
#define MADV_DOFORK     11
#define MADV_MERGEABLE  12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE   14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP   16
#define MADV_DODUMP     17
#define MADV_WIPEONFORK 18     // the child of a fork gets zero-filled pages here
#define MADV_KEEPONFORK 19
#define MADV_COLD       20
#define MADV_PAGEOUT    21
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23

#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);
// msync: write a shared file mapping's changes back to the file.
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4
int msync(void *addr, size_t length, int flags);
int madvise(void *addr, size_t length, int advice);
// Keep the pages of [addr, addr+length) in memory (faulted in now), or no longer.
int mlock(const void *addr, size_t length);
int munlock(const void *addr, size_t length);
// One byte per page of [addr, addr+length): bit 0 set if the page is in memory.
int mincore(void *addr, size_t length, unsigned char *vec);
