// sys/eventfd.h: a counter behind a file descriptor, for waking a poller.
#pragma once
#include <stdint.h>

typedef uint64_t eventfd_t;

#define EFD_SEMAPHORE 1           // a read takes 1, not the whole count
#define EFD_CLOEXEC   02000000
#define EFD_NONBLOCK  04000

int eventfd(unsigned int initval, int flags);
int eventfd_read(int fd, eventfd_t *value);     // 0, or -1 with errno
int eventfd_write(int fd, eventfd_t value);
