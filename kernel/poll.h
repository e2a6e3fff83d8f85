// poll.h: waiting for several files at once (poll.c, epoll.c) and the readiness bits that
// a file's poll operation (file.h) reports. The values are Linux's (asm-generic/poll.h);
// epoll's EPOLLIN... are the same numbers.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;

#define POLLIN     0x0001    // there is data to read
#define POLLPRI    0x0002    // urgent data
#define POLLOUT    0x0004    // writing will not block
#define POLLERR    0x0008    // an error (a pipe's writer with no reader left)
#define POLLHUP    0x0010    // hung up (a pipe's reader with no writer left)
#define POLLNVAL   0x0020    // not an open fd (poll only)
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLRDHUP  0x2000

// What poll reports for a file that cannot tell (regular files, /dev/null...): always
// ready. Linux's DEFAULT_POLLMASK. epoll refuses such files (EPERM).
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

#define NO_DEADLINE UINT64_MAX

// The file's readiness now. Call with interrupts off (the tty's state changes in its
// interrupt handler).
unsigned file_poll(struct file *f);

// Something that a file's readiness follows changed: `src` is that object (the pipe, the
// eventfd, the epoll instance: the file's priv; the console: &console_ops) and `events`
// what may have become true (0: anything). Wakes every poller, which rescans, and arms
// the edge-triggered epoll registrations watching `src`. Safe from interrupt handlers.
void poll_notify(const void *src, unsigned events);

// The wait every poller does: scan(arg) runs with interrupts off and returns how many
// things are ready (> 0), a negative errno, or 0 to keep waiting - until `deadline` (ns
// since boot; NO_DEADLINE: forever; already past: scan once), or a signal (-EINTR).
long poll_wait(long (*scan)(void *arg), void *arg, uint64_t deadline);
// Is any thread polling, or any epoll registration there? A change made without the BKL
// calls poll_notify (under it) only then; look after the change (poll.c says why).
bool poll_watched(void);

// A relative timeout as a deadline: ms < 0 means none (poll, epoll_wait).
uint64_t deadline_after_ms(long ms);
// struct timespec from user space (NULL: none): 0, -EFAULT, or -EINVAL when not valid.
long deadline_from_timespec(uint64_t uts, uint64_t *deadline);
// What is left of a deadline, in ns (0 when past).
uint64_t deadline_left(uint64_t deadline);

// epoll.c: arm edge-triggered registrations on `src`; forget every registration of a file
// that is going away (its last close).
void epoll_event(const void *src, unsigned events);
void epoll_file_closed(struct file *f);
bool epoll_watching(void);               // is any file registered in an epoll instance?
