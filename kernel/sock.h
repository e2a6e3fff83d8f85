// sock.h: an AF_UNIX socket's end, shared by the files that make up Lantern's sockets:
// socket.c (the ends, what they send and receive), socket_name.c (socketpair, socket,
// bind, listen, connect, accept: names in the filesystem and in the abstract namespace),
// socket_opt.c (the options), socket_scm.c (what a message carries besides its bytes:
// descriptors, credentials) and socket_gc.c (sockets that only messages in flight hold).
//
// Every end receives into a ring of its own, `rx` (a pipe, pipe.h); sending is writing into
// the peer's rx. A connected pair - socketpair(2), or connect(2) and the accept(2) that
// takes it - is two ends each the other's peer. A datagram end may have a peer (connect
// chose its default destination) or none, and may be sent to by any end that names it.
//
// Lifetime: an end counts its references (`refs`, atomic): its file (or, before accept,
// its listener's queue), its peer's link to it, and any send under way into it. The last
// put frees its ring and itself; what an end owns besides - its name, the descriptors in
// its ring - goes at its close (sock_release), under the BKL.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "spinlock.h"

struct file;
struct inode;
struct pipe;
struct scm;

#define AF_UNIX        1
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3          // AF_UNIX takes it as SOCK_DGRAM, as Linux does
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK  O_NONBLOCK
#define SOCK_CLOEXEC   O_CLOEXEC

// A sockaddr_un as an end was named: `len` bytes, the family (2) and then the path (NUL
// ended, as Linux keeps it - a path of the whole 108 bytes gets its NUL past the sockaddr's
// end, as on Linux) or, for an abstract name, a NUL and the name's bytes.
#define UNIX_ADDR_MAX 110         // sizeof(struct sockaddr_un)
#define UNIX_PATH_OFF 2           // offsetof(struct sockaddr_un, sun_path)
struct unix_addr {
    uint32_t len;                 // up to UNIX_ADDR_MAX + 1: a 108-byte path and its NUL
    char bytes[UNIX_ADDR_MAX + 1];
};

// struct ucred: SO_PEERCRED's and SCM_CREDENTIALS's.
struct ucred {
    int32_t pid;
    uint32_t uid, gid;
};

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define RCV  1                    // Linux's RCV_SHUTDOWN: sock.shut's bits
#define SEND 2                    // Linux's SEND_SHUTDOWN

enum sock_state { SS_UNCONNECTED, SS_LISTENING, SS_CONNECTED };

// What a stream's receiver must hand over with some of its bytes: the ancillary data sent
// with them (socket_scm.c), from stream position `at`, for `len` bytes.
struct scm_mark {
    uint64_t at, len;
    struct scm *scm;
    struct scm_mark *next;
};

struct sock {
    int refs;                     // atomic (above)
    int type;                     // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
    enum sock_state state;        // BKL
    unsigned shut;                // RCV, SEND (socket.c): changed under the BKL
    bool closed;                  // its file is released (BKL)
    uint64_t ino;                 // its inode number (pseudo_ino, fixed at birth): fstat, socket:[N]
    bool passcred;                // SO_PASSCRED
    bool carried;                 // ancillary data was ever sent into rx (atomic)
    int err;                      // SO_ERROR: a pending error (atomic exchange takes it)
    int sndbuf, rcvbuf;           // what SO_SNDBUF and SO_RCVBUF say (the rings are PIPE_SIZE)
    // Options only kept to be read back (socket.c): flags, SO_PRIORITY, SO_RCVLOWAT,
    // SO_LINGER's two ints. BKL.
    unsigned opt_flags;
    int priority, rcvlowat, linger[2];
    uint64_t rcvtimeo, sndtimeo;  // SO_RCVTIMEO, SO_SNDTIMEO in ns (0: none)
    struct pipe *rx;              // what it receives; NULL for a listener, or a stream end
                                  // before its connect (set once, under the BKL)
    // The peer (counted): set at connect and socketpair under the BKL, and - a datagram
    // end's - cleared and changed under `lock` too, which senders look at it under.
    struct sock *peer;
    // Taken after a pipe's lock (a stream send's mark is put in under the ring's), and
    // nothing is taken under it.
    struct spinlock lock;         // peer, marks
    // The end it sends into by default (its peer, while it has one), and the list of ends
    // that send into it by default - their POLLOUT follows its ring (socket.c's
    // ring_changed). BKL.
    struct sock *sending_to, *senders, *next_sender;
    struct scm_mark *marks;       // a stream's, in order of `at`; the rest ride in messages
    struct ucred peercred;        // SO_PEERCRED: who made the peer, or who connected
    // Its name (kmalloc'd; NULL: unnamed), and the socket node a path name made (held).
    struct unix_addr *addr;
    struct inode *node;
    bool bound;                   // it made its name (an accepted end shares its listener's)
    struct sock *next_named;      // on socket_name.c's list of abstract names (BKL)
    // A listener's queue of connections not yet accepted, oldest first (BKL).
    struct sock *queue, *next_queued;
    int queued, backlog;
    // Its file (NULL before accept, and after the close), and how many of the file's
    // references ancillary data in flight holds; socket_gc.c's list and marks. BKL.
    struct file *file;
    int inflight;
    struct sock *next_inflight, *gc_next;
    bool gc_candidate, gc_alive;
    int gc_refs;
    unsigned gc_epoch;
};

// socket.c
struct sock *sock_new(int type);                 // refs 1, no ring yet; NULL: no memory
long sock_make_rx(struct sock *s);               // its ring: 0 or -ENOMEM
void sock_get(struct sock *s);
void sock_put(struct sock *s);                   // the last frees it
void sock_link(struct sock *a, struct sock *b);  // a's peer is b and b's a (a pair)
void sock_sends_to(struct sock *s, struct sock *to);   // s's default destination (BKL)
void sock_close_end(struct sock *s);             // a close: what sock_release does (BKL)
void sock_shutdown(struct sock *s, int how);     // shutdown(2) (BKL)
struct file *sock_file(struct sock *s, unsigned flags);   // takes over a reference
long sock_of_fd(int fd, struct sock **s);        // 0, -EBADF or -ENOTSOCK (BKL)
void sock_notify(struct sock *s, unsigned events);
struct ucred sock_cred_now(bool effective);      // the caller's pid and ids

// socket_name.c
void sock_unname(struct sock *s);                // at close: its name goes (BKL)
void sock_drop_queue(struct sock *s);            // a listener's close: refuse the waiting
// The end named by a user address, counted, for s's datagram send: 0, or an error.
long sock_find_named(struct sock *s, uint64_t uaddr, uint32_t len, struct sock **out);
long sock_autobind(struct sock *s);              // an unnamed end gets an abstract name
long sock_copy_addr_out(const struct unix_addr *a, uint64_t uaddr, uint64_t ulen);

// The ancillary data s's queue holds (its ring, its marks, a listener's waiting
// connections'): fn(arg, t) for each socket t whose file it holds; and its dropping.
void sock_each_held(struct sock *s, void (*fn)(void *arg, struct sock *t), void *arg);
void sock_drop_held(struct sock *s);

// socket_gc.c
void sock_inflight(struct sock *s, int delta);   // s's file is held in flight (+1) or not
void sock_gc(void);
void sock_file_unref(struct file *f);            // a reference to a socket's file went

// socket_scm.c
struct msghdr_k;
long scm_from_user(const struct msghdr_k *m, struct sock *s, struct scm **out);
// An scm is counted: the message or mark it rides in, and any receive looking at it
// (MSG_PEEK). The last put closes the descriptors still in it (BKL or not).
void scm_get(struct scm *scm);
void scm_put(struct scm *scm);
// A list of scms to put later (scm_chain: onto *list, a reference handed over), and the
// putting of them all.
void scm_chain(struct scm *scm, struct scm **list);
void scm_put_chain(struct scm *list);
// recvmsg's control buffer: what scm carries (the caller's reference to it is put here)
// and, for a receiver with SO_PASSCRED, the sender's credentials. Returns the control bytes
// used (*flags gets MSG_CTRUNC if they were cut), or -EFAULT.
long scm_to_user(struct scm *scm, const struct ucred *cred, bool passcred, bool peek,
                 const struct msghdr_k *m, int flags, int *oflags);
struct ucred scm_cred(const struct scm *scm, bool *given);   // SCM_CREDENTIALS sent, if any
void scm_each_sock(struct scm *scm, void (*fn)(void *arg, struct sock *t), void *arg);

// struct msghdr as Linux's x86_64 lays it out.
struct msghdr_k {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};

#define MSG_PEEK       0x2
#define MSG_CTRUNC     0x8
#define MSG_TRUNC      0x20
#define MSG_DONTWAIT   0x40
#define MSG_WAITALL    0x100
#define MSG_NOSIGNAL   0x4000
#define MSG_CMSG_CLOEXEC 0x40000000
