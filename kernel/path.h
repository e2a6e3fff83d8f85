// path.h: turning a system call's (dirfd, user path) into an inode, for sys_path.c and
// sys_attr.c.
#pragma once
#include <stdint.h>
struct inode;

// Copies a user path into a new kernel buffer (kfree it). NULL with *err set on failure.
char *path_from_user(uint64_t upath, long *err);
// The directory a relative path starts from: the cwd, or the directory open at dirfd.
long path_start_dir(int dirfd, const char *path, struct inode **out);
// The inode (dirfd, upath) names. flags: AT_SYMLINK_NOFOLLOW (do not follow a last
// symlink), AT_EMPTY_PATH (an empty path means dirfd itself; then *out may be NULL: an
// open file with no inode, such as a pipe). The caller has checked which flags it allows.
long path_inode_at(int dirfd, uint64_t upath, int flags, struct inode **out);
// May the caller add last's name (write and search permission on its directory)? 0 when the
// name exists or cannot be added anyway: the call then gives its own error.
struct fs_last;
long path_may_create(struct fs_last *last);
// mknod(2) of a kernel path, the umask applied (sys_attr.c; bind(2) makes a socket's node
// with it): 0 with *out the new inode, or an error (-EEXIST if the name exists).
long mknod_path(int dirfd, const char *path, uint32_t mode, uint32_t dev, struct inode **out);
