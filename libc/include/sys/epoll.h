// sys/epoll.h: epoll - a set of file descriptors to wait for, kept in the kernel.
#pragma once
#include <signal.h>
#include <stdint.h>
#include <time.h>

#define EPOLL_CLOEXEC 02000000

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLIN        0x001
#define EPOLLPRI       0x002
#define EPOLLOUT       0x004
#define EPOLLERR       0x008     // always reported
#define EPOLLHUP       0x010     // always reported
#define EPOLLRDNORM    0x040
#define EPOLLRDBAND    0x080
#define EPOLLWRNORM    0x100
#define EPOLLWRBAND    0x200
#define EPOLLMSG       0x400
#define EPOLLRDHUP     0x2000
#define EPOLLEXCLUSIVE (1U << 28) // one of several waiters on the same file is woken
#define EPOLLWAKEUP    (1U << 29)
#define EPOLLONESHOT   (1U << 30) // report once, then nothing until EPOLL_CTL_MOD
#define EPOLLET        (1U << 31) // edge-triggered: report changes, not states

typedef union epoll_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
} epoll_data_t;

struct epoll_event {
    uint32_t events;
    epoll_data_t data;
} __attribute__((packed));        // 12 bytes on x86_64, as the kernel has it

int epoll_create(int size);       // size is ignored, but must be > 0
int epoll_create1(int flags);     // flags: 0 or EPOLL_CLOEXEC
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
// timeout in ms, negative: forever. Returns how many events were stored, 0 on timeout.
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
                const sigset_t *sigmask);
int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                 const struct timespec *timeout, const sigset_t *sigmask);
