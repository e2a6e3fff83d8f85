// poll.h: wait until one of several file descriptors is ready.
#pragma once
#include <signal.h>
#include <time.h>

struct pollfd {
    int   fd;          // negative: ignored (revents 0)
    short events;      // what to wait for: POLLIN, POLLOUT, ...
    short revents;     // what happened; POLLERR, POLLHUP and POLLNVAL are always reported
};
typedef unsigned long nfds_t;

#define POLLIN     0x0001    // data to read
#define POLLPRI    0x0002    // urgent data
#define POLLOUT    0x0004    // writing will not block
#define POLLERR    0x0008    // error (a pipe with no reader left)
#define POLLHUP    0x0010    // hung up (a pipe with no writer left)
#define POLLNVAL   0x0020    // fd is not open
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLRDHUP  0x2000

// timeout in ms; negative waits forever, 0 does not wait. Returns how many fds have
// revents, 0 on timeout.
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
// timeout NULL waits forever; sigmask (if not NULL) is the signal mask during the wait.
// Like glibc, *timeout is left as it was (the kernel writes back what is left of it).
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
