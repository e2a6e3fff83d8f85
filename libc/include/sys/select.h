// sys/select.h: select and pselect - poll with bit sets of file descriptors.
#pragma once
#include <signal.h>
#include <time.h>

#ifndef __DEFINED_struct_timeval
#define __DEFINED_struct_timeval
struct timeval {
    time_t tv_sec;
    long   tv_usec;    // 0 .. 999999
};
#endif

#define FD_SETSIZE 1024
typedef struct {
    unsigned long fds_bits[FD_SETSIZE / (8 * sizeof(unsigned long))];
} fd_set;

#define __FD_WORD(fd) ((fd) / (8 * (int)sizeof(unsigned long)))
#define __FD_MASK(fd) (1UL << ((fd) % (8 * (int)sizeof(unsigned long))))
#define FD_ZERO(s)     __builtin_memset((s), 0, sizeof(fd_set))
#define FD_SET(fd, s)   ((s)->fds_bits[__FD_WORD(fd)] |= __FD_MASK(fd))
#define FD_CLR(fd, s)   ((s)->fds_bits[__FD_WORD(fd)] &= ~__FD_MASK(fd))
#define FD_ISSET(fd, s) (((s)->fds_bits[__FD_WORD(fd)] & __FD_MASK(fd)) != 0)

// Waits until an fd of readfds is readable, of writefds writable, or of exceptfds has an
// exceptional condition; the sets come back holding just those. timeout NULL waits
// forever; Linux writes what is left of the time back into *timeout.
int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout);
// The same with a timespec, left unchanged (as glibc), and a signal mask for the wait.
int pselect(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
            const struct timespec *timeout, const sigset_t *sigmask);
