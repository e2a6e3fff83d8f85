// sys/stat.h: file status. struct stat is laid out exactly as Linux x86_64's, because the
// kernel copies it to us as it is.
#pragma once
#include <sys/types.h>
#include <time.h>

struct stat {
    dev_t     st_dev;      // the device the file is on
    ino_t     st_ino;      // its inode number there
    nlink_t   st_nlink;    // (before st_mode: on x86_64 the order differs from i386)
    mode_t    st_mode;     // type (S_IFMT bits) and permissions
    uid_t     st_uid;
    gid_t     st_gid;
    int       __pad0;
    dev_t     st_rdev;     // for device files: which device
    off_t     st_size;     // bytes
    blksize_t st_blksize;  // the preferred I/O size
    blkcnt_t  st_blocks;   // 512-byte blocks allocated
    struct timespec st_atim, st_mtim, st_ctim;   // access, modify, status-change times
    long      __unused[3];
};

#define S_IFMT   0170000   // the type bits:
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#define S_ISUID  04000     // set-user-id on execution
#define S_ISGID  02000     // set-group-id
#define S_ISVTX  01000     // sticky
#define S_IRWXU  00700
#define S_IXGRP  00010

// utimensat/futimens: special tv_nsec values (Linux's).
#define UTIME_NOW  ((1l << 30) - 1)    // set that time to now
#define UTIME_OMIT ((1l << 30) - 2)    // leave it

int stat(const char *path, struct stat *st);     // follows a final symlink
int lstat(const char *path, struct stat *st);    // does not
int fstat(int fd, struct stat *st);
int fstatat(int dirfd, const char *path, struct stat *st, int flags);
int mkdir(const char *path, mode_t mode);
int chmod(const char *path, mode_t mode);
int fchmod(int fd, mode_t mode);
int fchmodat(int dirfd, const char *path, mode_t mode, int flags);   // flags must be 0
mode_t umask(mode_t mask);                       // returns the previous mask
int mknod(const char *path, mode_t mode, dev_t dev);
int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
// times[0] is the access time, times[1] the modification time; NULL means both now.
int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags);
int futimens(int fd, const struct timespec times[2]);
