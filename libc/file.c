// file.c: system calls on files and file descriptors. Each is one system call; where the
// C interface differs from the kernel's (stat, getcwd, isatty), the comment says how.
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include "internal.h"

ssize_t read(int fd, void *buf, size_t count)
{
    return __syscall_ret(sys3(SYS_read, fd, buf, count));
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
    return __syscall_ret(sys4(SYS_pread64, fd, buf, count, offset));
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    return __syscall_ret(sys4(SYS_pwrite64, fd, buf, count, offset));
}

int fsync(int fd)
{
    return __syscall_ret(sys1(SYS_fsync, fd));
}

int fdatasync(int fd)
{
    return __syscall_ret(sys1(SYS_fdatasync, fd));
}

ssize_t write(int fd, const void *buf, size_t count)
{
    return __syscall_ret(sys3(SYS_write, fd, buf, count));
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    return __syscall_ret(sys3(SYS_readv, fd, iov, iovcnt));
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    return __syscall_ret(sys3(SYS_writev, fd, iov, iovcnt));
}

// The mode argument exists only when a file may be created; reading it otherwise would
// fetch garbage, harmless but pointless.
static mode_t create_mode(int flags, va_list ap)
{
    return (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;

    va_start(ap, flags);
    mode_t mode = create_mode(flags, ap);
    va_end(ap);
    return __syscall_ret(sys3(SYS_open, path, flags, mode));
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;

    va_start(ap, flags);
    mode_t mode = create_mode(flags, ap);
    va_end(ap);
    return __syscall_ret(sys4(SYS_openat, dirfd, path, flags, mode));
}

int close(int fd)
{
    return __syscall_ret(sys1(SYS_close, fd));
}

off_t lseek(int fd, off_t offset, int whence)
{
    return __syscall_ret(sys3(SYS_lseek, fd, offset, whence));
}

int fstat(int fd, struct stat *st)
{
    return __syscall_ret(sys2(SYS_fstat, fd, st));
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    return __syscall_ret(sys4(SYS_newfstatat, dirfd, path, st, flags));
}

// stat and lstat are both newfstatat, which modern Linux prefers to the old calls 4 and 6.
int stat(const char *path, struct stat *st)
{
    return fstatat(AT_FDCWD, path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t getdents64(int fd, void *buf, size_t size)
{
    return __syscall_ret(sys3(SYS_getdents64, fd, buf, size));
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;

    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return __syscall_ret(sys3(SYS_ioctl, fd, request, arg));
}

int tcgetattr(int fd, struct termios *t)
{
    return ioctl(fd, TCGETS, t);
}

int tcsetattr(int fd, int when, const struct termios *t)
{
    if (when < TCSANOW || when > TCSAFLUSH) {
        errno = EINVAL;
        return -1;
    }
    return ioctl(fd, TCSETS + when, t);   // TCSETS, TCSETSW, TCSETSF follow each other
}

// The terminal's foreground process group: the one whose processes may read from it, and
// which ^C signals. The ioctls pass the group through a pointer to an int.
pid_t tcgetpgrp(int fd)
{
    int pgrp;

    if (ioctl(fd, TIOCGPGRP, &pgrp) < 0)
        return -1;
    return pgrp;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
    int p = pgrp;

    return ioctl(fd, TIOCSPGRP, &p);
}

// A terminal is whatever answers TCGETS. On failure errno says why (ENOTTY, or EBADF).
int isatty(int fd)
{
    struct termios t;

    return tcgetattr(fd, &t) == 0;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;

    va_start(ap, cmd);
    long arg = va_arg(ap, long);   // not every cmd has one; then the kernel ignores it
    va_end(ap);
    return __syscall_ret(sys3(SYS_fcntl, fd, cmd, arg));
}

int flock(int fd, int operation)
{
    return __syscall_ret(sys2(SYS_flock, fd, operation));
}

int dup(int fd)
{
    return __syscall_ret(sys1(SYS_dup, fd));
}

int dup2(int oldfd, int newfd)
{
    return __syscall_ret(sys2(SYS_dup2, oldfd, newfd));
}

// pipe is pipe2 without flags, so the kernel needs only the one call.
int pipe(int fds[2])
{
    return pipe2(fds, 0);
}

int pipe2(int fds[2], int flags)
{
    return __syscall_ret(sys2(SYS_pipe2, fds, flags));
}

int access(const char *path, int mode)
{
    return __syscall_ret(sys2(SYS_access, path, mode));
}

int chdir(const char *path)
{
    return __syscall_ret(sys1(SYS_chdir, path));
}

int chroot(const char *path)
{
    return __syscall_ret(sys1(SYS_chroot, path));
}

// The kernel's getcwd returns the length; C's returns the buffer. Like glibc, buf == NULL
// means "allocate one" (size bytes, or PATH_MAX if size is 0).
char *getcwd(char *buf, size_t size)
{
    char *mine = NULL;

    if (buf == NULL) {
        size = size ? size : PATH_MAX;
        buf = mine = malloc(size);
        if (buf == NULL)
            return NULL;
    }
    if (__syscall_ret(sys2(SYS_getcwd, buf, size)) < 0) {
        free(mine);
        return NULL;
    }
    return buf;
}

int mkdir(const char *path, mode_t mode)
{
    return __syscall_ret(sys2(SYS_mkdir, path, mode));
}

int unlink(const char *path)
{
    return __syscall_ret(sys1(SYS_unlink, path));
}

int rmdir(const char *path)
{
    return __syscall_ret(sys1(SYS_rmdir, path));
}
