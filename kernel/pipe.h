// pipe.h: a pipe's ring with its two ends, for the files made of pipes besides pipe(2) and
// FIFOs (pipe.c): a socketpair's ends (socket.c) are two pipes, one each way. The calls
// take the pipe's own locks, with or without the BKL held (pipe_drop, pipe_shut and
// pipe_watch need it), and may sleep as pipe(2)'s read and write do.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PIPE_SIZE 65536        // Linux's default pipe capacity
#define PIPE_MAX_SIZE (1 << 20) // /proc/sys/fs/pipe-max-size: what F_SETPIPE_SZ allows non-root
#define PIPE_BUF  4096         // POSIX: writes up to this size are not interleaved

struct pipe;

// A pipe with one reader and one writer open. packets: each send is one message, and a
// receive takes one (SOCK_DGRAM, SOCK_SEQPACKET). NULL when out of memory.
struct pipe *pipe_new(bool packets);
void pipe_free(struct pipe *pp);         // (NULL: nothing) its ends' users are gone
long pipe_set_size(struct pipe *pp, uint64_t size);   // fcntl F_SETPIPE_SZ: the new size
long pipe_size(struct pipe *pp);                      // F_GETPIPE_SZ
// Also fn(arg, events) whenever the pipe's readiness changes, under the BKL: a socket's
// ring tells its end and those that send into it (socket.c). Set once, under the BKL.
void pipe_watch(struct pipe *pp, void (*fn)(void *arg, unsigned events), void *arg);

#define PIPE_NONBLOCK 1        // -EAGAIN instead of a sleep
#define PIPE_PEEK     2        // receive, but leave it in the pipe (MSG_PEEK)
#define PIPE_NOSIGNAL 4        // -EPIPE without SIGPIPE (MSG_NOSIGNAL)
#define PIPE_TIMED    8        // the caller's io_deadline (proc.h): -EAGAIN once it has come
                               // (a socket's SO_RCVTIMEO and SO_SNDTIMEO)

// Up to n bytes, or the next message cut to n bytes (*whole, if not NULL: its length);
// 0 at end of file, -EAGAIN, -ERESTARTSYS.
long pipe_recv(struct pipe *pp, void *dst, size_t n, unsigned how, size_t *whole);
// Bytes, or one message (-EMSGSIZE if it can never fit); -EPIPE when no reader is left.
long pipe_send(struct pipe *pp, const void *src, size_t n, unsigned how);
// A stream socket's send that carries ancillary data (socket.c): fn(arg, at) is called
// under the pipe's lock with the stream position of the send's first byte, once, just
// before a reader could see it.
struct pipe_mark {
    void (*fn)(void *arg, uint64_t at);
    void *arg;
};
long pipe_send_marked(struct pipe *pp, const void *src, size_t n, unsigned how,
                      const struct pipe_mark *mark);
uint64_t pipe_read_pos(struct pipe *pp);   // the stream position of the next byte to read
// Sleeps until a send of n bytes would not wait (or no reader is left): 0, or -ERESTARTSYS.
long pipe_wait_room(struct pipe *pp, size_t n);
// splice's move out of a pipe: up to n bytes copied into buf are offered to out, and only
// what it returns (> 0) is taken. Returns how many were offered (*put: out's return), or
// 0 at end of file, -EAGAIN, -ERESTARTSYS. out may sleep; it must not read this pipe.
long pipe_splice_out(struct pipe *pp, void *buf, size_t n, unsigned how,
                     long (*out)(void *arg, const void *buf, size_t n), void *arg, long *put);
// What a socket's receive (socket.c) does as it takes bytes or a message, holding the
// pipe's rlock, so that no other receiver of the pipe comes between: limit(arg, at, n) may
// offer fewer than n bytes (at least 1), at being the stream position of the first on
// offer - under the pipe's lock too, so it sees every mark a send put in for them; took(arg,
// at, buf, n) sees the n bytes taken (or looked at) in the kernel buffer buf (n may be 0:
// a receive of 0 bytes from a pipe that held some). Either may be NULL; neither may sleep.
struct pipe_hook {
    size_t (*limit)(void *arg, uint64_t at, size_t n);
    void (*took)(void *arg, uint64_t at, const void *buf, size_t n);
    void *arg;
};
long pipe_recv_hooked(struct pipe *pp, void *dst, size_t n, unsigned how, size_t *whole,
                      const struct pipe_hook *hook);
long pipe_splice_out_at(struct pipe *pp, void *buf, size_t n, unsigned how,
                        long (*out)(void *arg, const void *buf, size_t n), void *arg, long *put,
                        const struct pipe_hook *hook);
// A reading end, a writing end, or both, close: readers see end of file once no writer is
// left, writers EPIPE once no reader is. pipe_drop frees the pipe after the last, and says
// so; pipe_shut leaves that to its caller (pipe_free).
bool pipe_drop(struct pipe *pp, bool reader, bool writer);
void pipe_shut(struct pipe *pp, bool reader, bool writer);
// A datagram end shut for receiving (socket.c): a receive that finds the pipe empty returns
// 0 from then on instead of waiting, and one waiting now wakes to return it.
void pipe_stop_waits(struct pipe *pp);
// The bytes buffered (FIONREAD); in packet mode the lengths of the messages, all of them
// or the first one's, less the header a socket puts at each message's start (whose first
// byte says how long it is: socket.c).
long pipe_queued(struct pipe *pp, bool first_only);
// Calls fn with the first PIPE_HEAD_PEEK bytes of each message waiting (packet mode), under
// the pipe's lock: fn takes no other lock but a socket's. For socket_gc.c's walk.
#define PIPE_HEAD_PEEK 32
void pipe_each_message(struct pipe *pp, void (*fn)(void *arg, const char *head), void *arg);
#define FIONREAD 0x541b        // ioctl: how many bytes a read would find now (int *)
// poll's bits for an end that reads, writes, or both (interrupts off).
unsigned pipe_ready(struct pipe *pp, bool reader, bool writer);
