// file.h: open files. A file descriptor is an index into the process's table of
// struct file pointers; a struct file is one open: a position, the open flags, and what
// it reads from and writes to (an inode of the filesystem, or a device like the console).
// Several descriptors (dup, fork) may share one struct file: it counts its references.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs.h"
#include "sleeplock.h"

struct file;
struct kstat;

// readv's and writev's vector, and sendmsg's and recvmsg's (sys_file.c, socket.c).
struct iovec { uint64_t base, len; };

struct file_ops {
    // Kernel buffers: the system-call layer copies to and from user space.
    long (*read)(struct file *f, void *buf, size_t n);
    long (*write)(struct file *f, const void *buf, size_t n);
    // Optional, before read and write: the file copies from and to user memory itself
    // (a socket, whose messages must not be cut into the pieces read and write copy in; a
    // pipe, which copies straight to and from its ring, without the BKL: pipe.c).
    long (*read_user)(struct file *f, uint64_t ubuf, size_t n, bool nowait);
    long (*write_user)(struct file *f, uint64_t ubuf, size_t n);
    // Optional: readv and writev as one call (a socket: one message, as Linux's).
    long (*vector_user)(struct file *f, const struct iovec *iov, int cnt, bool write);
    long (*ioctl)(struct file *f, unsigned long cmd, uint64_t arg);   // arg is a user pointer
    void (*stat)(struct file *f, struct kstat *st);
    // Readiness now, as POLLIN|POLLOUT|... (poll.h), with interrupts off. Optional: without
    // it poll() sees the file always ready and epoll refuses it, as Linux does.
    unsigned (*poll)(struct file *f);
    void (*release)(struct file *f);   // the last close (optional)
    // An anonymous inode's name, as /proc/<pid>/fd shows it: "[eventpoll]" (optional).
    const char *anon_name;
};

struct file {
    int refs;
    unsigned int flags;       // O_ACCMODE bits, O_APPEND, O_NONBLOCK (as given to open)
    uint64_t pos;             // under the BKL - and, for a read of a shared regular file
                              // without it, under pos_lock too (sys_file.c's read_regular)
    struct sleeplock pos_lock;   // Linux's f_pos_lock, for those reads alone
    struct inode *ip;         // NULL for devices and pipes
    void *priv;               // what the ops need (the pipe)
    const struct file_ops *ops;
};

// struct stat as Linux's x86_64 fstat() fills it in user space.
struct kstat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec, st_ctime_sec, st_ctime_nsec;
    int64_t unused[3];
};

// open() flags, Linux's values.
#define O_ACCMODE   00000003
// Linux's OPEN_FMODE: the access mode plus one is a read bit and a write bit (so 3, which
// Linux keeps for ioctl-only opens, gives neither).
static inline bool open_reads(unsigned int flags) { return ((flags & O_ACCMODE) + 1) & 1; }
static inline bool open_writes(unsigned int flags) { return ((flags & O_ACCMODE) + 1) & 2; }
#define O_RDONLY    00000000
#define O_WRONLY    00000001
#define O_RDWR      00000002
#define O_CREAT     00000100
#define O_EXCL      00000200
#define O_NOCTTY    00000400
#define O_TRUNC     00001000
#define O_APPEND    00002000
#define O_NONBLOCK  00004000
#define O_LARGEFILE 00100000    // always set by open() on 64-bit Linux; F_GETFL shows it
#define O_DIRECTORY 00200000
#define O_NOFOLLOW  00400000
#define O_CLOEXEC   02000000
#define AT_FDCWD    (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH       0x1000

struct file *file_alloc(const struct file_ops *ops, struct inode *ip, unsigned int flags);
struct file *file_dup(struct file *f);
void file_close(struct file *f);          // drops a reference; the last frees it (BKL)
void file_put(struct file *f);            // the same, from a caller without the BKL
void inode_stat(struct inode *ip, struct kstat *st);
// Inode numbers for what is in no filesystem of the tree, as Linux's get_next_ino gives
// them: a new one for each pipe, socket end and pidfs process (never a kernel address).
// Linux's anonymous-inode files (eventfd, epoll, signalfd, timerfd) all share one inode.
uint64_t pseudo_ino(void);
#define ANON_INODE_INO 1038
void anon_inode_stat(struct file *f, struct kstat *st);   // their fstat: mode 0600, no type
// readv (is_write false) or writev on an open file, at its position (sys_file.c).
long file_vector(struct file *f, uint64_t uiov, uint64_t cnt, bool is_write);
bool file_is_socket(struct file *f);   // an AF_UNIX socket (socket.c)
void sock_file_unref(struct file *f);  // a reference to a socket's went, not the last (BKL)
bool sock_file_in_flight(struct file *f);   // a socket's, held by a message (no lock)
struct pipe *sock_tx_pipe(struct file *f);   // the pipe a socket's sends go into
struct pipe *sock_stream_rx_pipe(struct file *f);   // a stream end's receives' (else NULL)
// The pipe behind a pipe's or a FIFO's end (pipe.c), else NULL.
struct pipe *file_pipe(struct file *f);
// Opens a FIFO's end (pipe.c), waiting for the other end as Linux does; 0 with *out set.
long fifo_open(struct inode *ip, unsigned int flags, struct file **out);

extern const struct file_ops inode_file_ops;   // regular files and directories (sys_file.c)
extern const struct file_ops console_ops;      // tty.c
