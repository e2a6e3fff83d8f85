// poll.c: poll, select, epoll and eventfd - waiting for several file descriptors.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>
#include "internal.h"

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    return (int)__syscall_ret(sys3(SYS_poll, fds, nfds, timeout));
}

// The kernel writes the time left back into the timespec; POSIX says ppoll and pselect
// leave it alone, so (as glibc) the kernel gets a copy.
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask)
{
    struct timespec copy, *t = timeout ? &copy : NULL;
    if (timeout)
        copy = *timeout;
    return (int)__syscall_ret(__syscall(SYS_ppoll, (long)fds, (long)nfds, (long)t, (long)sigmask,
                                        sizeof(sigset_t), 0));
}

int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout)
{
    return (int)__syscall_ret(__syscall(SYS_select, nfds, (long)readfds, (long)writefds,
                                        (long)exceptfds, (long)timeout, 0));
}

int pselect(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
            const struct timespec *timeout, const sigset_t *sigmask)
{
    struct timespec copy, *t = timeout ? &copy : NULL;
    if (timeout)
        copy = *timeout;
    long mask[2] = { (long)sigmask, sizeof(sigset_t) };   // pselect6's sixth argument
    return (int)__syscall_ret(sys6(SYS_pselect6, nfds, readfds, writefds, exceptfds, t, mask));
}

int epoll_create(int size)
{
    return (int)__syscall_ret(sys1(SYS_epoll_create, size));
}

int epoll_create1(int flags)
{
    return (int)__syscall_ret(sys1(SYS_epoll_create1, flags));
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
    return (int)__syscall_ret(sys4(SYS_epoll_ctl, epfd, op, fd, event));
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    return (int)__syscall_ret(sys4(SYS_epoll_wait, epfd, events, maxevents, timeout));
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
                const sigset_t *sigmask)
{
    return (int)__syscall_ret(sys6(SYS_epoll_pwait, epfd, events, maxevents, timeout, sigmask,
                                   sizeof(sigset_t)));
}

int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                 const struct timespec *timeout, const sigset_t *sigmask)
{
    return (int)__syscall_ret(sys6(SYS_epoll_pwait2, epfd, events, maxevents, timeout, sigmask,
                                   sizeof(sigset_t)));
}

int eventfd(unsigned int initval, int flags)
{
    return (int)__syscall_ret(sys2(SYS_eventfd2, initval, flags));
}

int eventfd_read(int fd, eventfd_t *value)
{
    return read(fd, value, sizeof *value) == sizeof *value ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
    return write(fd, &value, sizeof value) == sizeof value ? 0 : -1;
}
