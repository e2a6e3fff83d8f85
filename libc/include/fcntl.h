// fcntl.h: open() and its flags, and fcntl(). The values are Linux's (octal, as in its
// headers).
#pragma once
#include <sys/types.h>

#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_ACCMODE   03          // the bits holding one of the three above
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000     // fail with ENOTDIR unless the path is a directory
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000

// The "at" calls take a directory fd that relative paths start from; AT_FDCWD means the
// current directory.
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200   // faccessat: the effective ids (the same value)
#define AT_EMPTY_PATH       0x1000

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC      1

// Advisory record locks (fcntl's lock commands): POSIX locks belong to the process, OFD
// locks to the open file description.
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_OFD_GETLK     36
#define F_OFD_SETLK     37
#define F_OFD_SETLKW    38
#define F_RDLCK         0
#define F_WRLCK         1
#define F_UNLCK         2

struct flock {
    short l_type;       // F_RDLCK, F_WRLCK or F_UNLCK
    short l_whence;     // SEEK_SET, SEEK_CUR or SEEK_END: what l_start counts from
    off_t l_start;
    off_t l_len;        // 0: to the end of the file, however far it grows; < 0: before l_start
    pid_t l_pid;        // F_GETLK: the holder's process (-1 for an OFD lock); OFD: 0
};

int open(const char *path, int flags, ...);               // ... is the mode, with O_CREAT
int openat(int dirfd, const char *path, int flags, ...);
int fcntl(int fd, int cmd, ...);
