// mount.c: mount(2) and umount2(2), as far as a RAM-only system needs them.
//
// The root is already a RAM filesystem (Linux's rootfs is a tmpfs too), so "mounting" a
// tmpfs only records it; proc puts procfs on the directory; devtmpfs is what dev.c made at
// boot. The table is what /proc/mounts shows.
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
struct mount { char source[32], target[128], type[16]; };
static struct mount mounts[NMOUNTS] = { { "rootfs", "/", "rootfs" } };

void mount_record(const char *source, const char *target, const char *type) {
    for (int i = 0; i < NMOUNTS; i++) {
        if (!mounts[i].type[0]) {
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
    char source[32], type[16], *target = kmalloc(FS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    long err = copy_string(a2, type, sizeof type);
    if (!err)
        err = copy_string(a0, source, sizeof source);
    if (!err)
        err = copy_string(a1, target, FS_PATH_MAX);
    struct inode *dir = NULL;
    if (!err)
        err = fs_lookup(current()->fs->cwd, target, FS_FOLLOW, &dir);
    if (!err && !S_ISDIR(dir->mode))
        err = -ENOTDIR;
    if (!err) {
        if (strcmp(type, "proc") == 0)
            err = procfs_mount(dir);
        else if (strcmp(type, "tmpfs") && strcmp(type, "ramfs") && strcmp(type, "devtmpfs"))
            err = -ENODEV;               // no such filesystem type in this kernel
    }
    if (!err)
        mount_record(source, target, type);
    kfree(target);
    return err;
}
