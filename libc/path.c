// path.c: system calls that name files and are not in file.c: renaming, hard and symbolic
// links. Each is one Linux system call.
#include <stdio.h>
#include <unistd.h>
#include "internal.h"

// Atomically give the file oldpath the name newpath, replacing whatever was there. Both
// names must be on the same file system (else EXDEV: mv then copies).
int rename(const char *oldpath, const char *newpath)
{
    return (int)__syscall_ret(sys2(SYS_rename, oldpath, newpath));
}

// A second name for the same inode: both names are equal, and the file lives until both
// are unlinked (st_nlink counts them).
int link(const char *oldpath, const char *newpath)
{
    return (int)__syscall_ret(sys2(SYS_link, oldpath, newpath));
}

// A small file that holds the path target; opening linkpath opens target. target need not
// exist.
int symlink(const char *target, const char *linkpath)
{
    return (int)__syscall_ret(sys2(SYS_symlink, target, linkpath));
}

// Copy a symlink's target into buf, without a terminating NUL; returns its length
// (truncated to size).
ssize_t readlink(const char *path, char *buf, size_t size)
{
    return __syscall_ret(sys3(SYS_readlink, path, buf, size));
}
