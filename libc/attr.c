// attr.c: file attributes: modes, owners, times, sizes, file system statistics, device
// nodes, and the host name. One system call each.
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "internal.h"

int chmod(const char *path, mode_t mode) { return __syscall_ret(sys2(SYS_chmod, path, mode)); }
int fchmod(int fd, mode_t mode) { return __syscall_ret(sys2(SYS_fchmod, fd, mode)); }
mode_t umask(mode_t mask) { return (mode_t)sys1(SYS_umask, mask); }   // cannot fail

// The kernel's fchmodat has no flags; glibc's refuses AT_SYMLINK_NOFOLLOW likewise.
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    if (flags)
        return __syscall_ret(-EOPNOTSUPP);
    return __syscall_ret(sys3(SYS_fchmodat, dirfd, path, mode));
}

int chown(const char *path, uid_t o, gid_t g) { return __syscall_ret(sys3(SYS_chown, path, o, g)); }
int fchown(int fd, uid_t o, gid_t g) { return __syscall_ret(sys3(SYS_fchown, fd, o, g)); }
int lchown(const char *path, uid_t o, gid_t g) { return __syscall_ret(sys3(SYS_lchown, path, o, g)); }
int fchownat(int dirfd, const char *path, uid_t o, gid_t g, int flags)
{
    return __syscall_ret(__syscall(SYS_fchownat, dirfd, (long)path, o, g, flags, 0));
}

int truncate(const char *path, off_t len) { return __syscall_ret(sys2(SYS_truncate, path, len)); }
int ftruncate(int fd, off_t len) { return __syscall_ret(sys2(SYS_ftruncate, fd, len)); }

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    return __syscall_ret(sys4(SYS_faccessat2, dirfd, path, mode, flags));
}

int mknod(const char *path, mode_t mode, dev_t dev)
{
    return __syscall_ret(sys3(SYS_mknod, path, mode, dev));
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
    return __syscall_ret(sys4(SYS_mknodat, dirfd, path, mode, dev));
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
    return __syscall_ret(sys4(SYS_utimensat, dirfd, path, times, flags));
}

int futimens(int fd, const struct timespec times[2])
{
    return utimensat(fd, NULL, times, 0);
}

int statfs(const char *path, struct statfs *buf) { return __syscall_ret(sys2(SYS_statfs, path, buf)); }
int fstatfs(int fd, struct statfs *buf) { return __syscall_ret(sys2(SYS_fstatfs, fd, buf)); }

ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
    return __syscall_ret(sys4(SYS_sendfile, out_fd, in_fd, offset, count));
}

int sethostname(const char *name, size_t len)
{
    return __syscall_ret(sys2(SYS_sethostname, name, len));
}

// As glibc: the nodename, or ENAMETOOLONG if it does not fit with its NUL.
int gethostname(char *name, size_t len)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -1;
    size_t n = strlen(u.nodename) + 1;
    if (n > len)
        return __syscall_ret(-ENAMETOOLONG);
    memcpy(name, u.nodename, n);
    return 0;
}
