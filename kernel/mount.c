// mount.c: mount(2) and umount2(2), as far as a RAM-only system needs them.
//
// The root is already a RAM filesystem (Linux's rootfs is a tmpfs too), so "mounting" a
// tmpfs only records it; proc puts procfs on the directory, sysfs sysfs; devtmpfs is what
// dev.c made at boot. The table is what /proc/mounts shows. A directory with something mounted on it is
// marked (inode->mountpoint): it cannot be removed or renamed (-EBUSY) until umount2.
// Unmounting a tmpfs forgets the record; its files stay (they were the tree's all along).
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "mount.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define NMOUNTS 16
struct mount {
    char source[32], target[128], type[16];
    struct inode *ip;                // the mount point (marked, so it stays while mounted)
};
static struct mount mounts[NMOUNTS] = { { "rootfs", "/", "rootfs", NULL } };

void mount_record(const char *source, const char *target, const char *type, struct inode *ip) {
    for (int i = 0; i < NMOUNTS; i++) {
        if (!mounts[i].type[0]) {
            mounts[i].ip = ip;
            ip->mountpoint = true;
            strlcpy(mounts[i].source, source, sizeof mounts[i].source);
            strlcpy(mounts[i].target, target, sizeof mounts[i].target);
            strlcpy(mounts[i].type, type, sizeof mounts[i].type);
            return;
        }
    }
}

int mount_table(char *buf, size_t size) {
    size_t n = 0;
    for (int i = 0; i < NMOUNTS && n < size; i++)
        if (mounts[i].type[0])
            n += snprintf(buf + n, size - n, "%s %s %s rw 0 0\n", mounts[i].source,
                          mounts[i].target, mounts[i].type);
    return (int)(n < size ? n : size);
}

static long copy_string(uint64_t u, char *dst, size_t size) {
    long n = strncpy_from_user(dst, (const char *)u, size);
    return n < 0 ? n : 0;
}

// mount(source, target, fstype, flags, data)
SYSCALL(mount) {
    uint64_t usource = a0, utarget = a1, filesystemtype = a2;
    char source[32], type[16], *target = kmalloc(FS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    long err = copy_string(filesystemtype, type, sizeof type);
    if (!err)
        err = copy_string(usource, source, sizeof source);
    if (!err)
        err = copy_string(utarget, target, FS_PATH_MAX);
    struct inode *dir = NULL;
    if (!err)
        err = fs_lookup(current()->fs->cwd, target, FS_FOLLOW, &dir);
    if (!err && !S_ISDIR(dir->mode))
        err = -ENOTDIR;
    if (!err) {
        if (strcmp(type, "proc") == 0)
            err = procfs_mount(dir);
        else if (strcmp(type, "sysfs") == 0)
            err = sysfs_mount(dir);
        else if (strcmp(type, "tmpfs") && strcmp(type, "ramfs") && strcmp(type, "devtmpfs"))
            err = -ENODEV;               // no such filesystem type in this kernel
    }
    if (!err)
        mount_record(source, target, type, dir);
    kfree(target);
    return err;
}

#define MNT_FORCE       1
#define MNT_DETACH      2
#define MNT_EXPIRE      4
#define UMOUNT_NOFOLLOW 8

// The last mount on ip (the one on top), or -1.
static int mount_on(struct inode *ip) {
    for (int i = NMOUNTS - 1; i > 0; i--)
        if (mounts[i].type[0] && mounts[i].ip == ip)
            return i;
    return -1;
}

// umount2(target, flags). Linux's errors: unknown flags or MNT_EXPIRE with another one,
// -EINVAL; then the path's; not a mount point, -EINVAL; in use (an open file, a working
// directory inside), -EBUSY unless MNT_DETACH. MNT_EXPIRE only ever marks: -EAGAIN.
SYSCALL(umount2) {
    uint64_t utarget = a0;
    int flags = (int)a1;
    if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
        return -EINVAL;
    if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
        return -EINVAL;
    char *target = kmalloc(FS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    struct inode *ip = NULL;
    long err = copy_string(utarget, target, FS_PATH_MAX);
    if (!err)
        err = fs_lookup(current()->fs->cwd, target, (flags & UMOUNT_NOFOLLOW) ? 0 : FS_FOLLOW, &ip);
    kfree(target);
    if (err)
        return err;
    int i = mount_on(ip);
    if (i < 0)
        return -EINVAL;
    if (flags & MNT_EXPIRE)
        return -EAGAIN;
    if (strcmp(mounts[i].type, "proc") == 0 && (err = procfs_umount(ip, flags & MNT_DETACH)))
        return err;
    if (strcmp(mounts[i].type, "sysfs") == 0 && (err = sysfs_umount(ip, flags & MNT_DETACH)))
        return err;
    mounts[i].type[0] = '\0';
    ip->mountpoint = mount_on(ip) >= 0;
    return 0;
}
