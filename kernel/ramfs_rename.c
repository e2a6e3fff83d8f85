// ramfs_rename.c: device nodes and rename for the in-memory filesystem.
//
// rename(2) moves a name, atomically replacing what the new name pointed to, with Linux's
// rules: a directory may only replace an empty directory, a file only a non-directory;
// renaming something onto itself does nothing; a directory cannot move into itself.
#include <errno.h>
#include <string.h>
#include "fs.h"
#include "kmalloc.h"

// Any type but a directory or a symlink (those have their own calls): a regular file, a
// device node, a FIFO or a socket's name.
int fs_mknod(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev, struct inode **out)
{
    if (S_ISDIR(mode) || S_ISLNK(mode))
        return -EPERM;
    long len = ramfs_check_new_name(dir, name);
    if (len < 0)
        return (int)len;
    struct inode *ip;
    int err = ramfs_add_new(dir, name, (size_t)len, mode, NULL, &ip);
    if (err)
        return err;
    ip->rdev = rdev;
    if (out)
        *out = ip;
    return 0;
}

// Is `dir` (a directory) inside `ancestor`'s subtree, or ancestor itself?
static bool inside(struct inode *dir, struct inode *ancestor)
{
    for (struct inode *d = dir; d; d = d->dir.parent == d ? NULL : d->dir.parent)
        if (d == ancestor)
            return true;
    return false;
}

// What may the new name replace? 0 if allowed (or nothing is there).
static int check_replace(struct inode *ip, struct inode *victim)
{
    if (!victim)
        return 0;
    if (S_ISDIR(ip->mode) && !S_ISDIR(victim->mode))
        return -ENOTDIR;
    if (!S_ISDIR(ip->mode) && S_ISDIR(victim->mode))
        return -EISDIR;
    if (S_ISDIR(victim->mode) && victim->dir.first)
        return -ENOTEMPTY;
    return 0;
}

int fs_rename(struct inode *olddir, const char *oldname, struct inode *newdir, const char *newname)
{
    size_t olen = strlen(oldname), nlen = strlen(newname);
    if (ramfs_is_dot(oldname, olen) || ramfs_is_dot(newname, nlen))
        return -EBUSY;                   // Linux: "." and ".." cannot be renamed
    if (nlen > FS_NAME_MAX)
        return -ENAMETOOLONG;
    if (olddir->mnt || newdir->mnt)      // procfs: no renaming in it, nor across it
        return olddir->mnt && newdir->mnt ? -EPERM : -EXDEV;
    struct dentry *oprev, *od = ramfs_find(olddir, oldname, olen, &oprev);
    if (!od)
        return -ENOENT;
    if (newdir->nlink == 0)
        return -ENOENT;                  // a removed directory takes no new names
    struct inode *ip = od->inode;
    struct dentry *nprev, *nd = ramfs_find(newdir, newname, nlen, &nprev);
    struct inode *victim = nd ? nd->inode : NULL;
    if (victim == ip)
        return 0;                        // two names for one file: nothing to do
    if (ip->mountpoint || (victim && victim->mountpoint))
        return -EBUSY;                   // Linux: a mount point stays where it is
    if (S_ISDIR(ip->mode) && inside(newdir, ip))
        return -EINVAL;                  // into its own subtree
    int err = check_replace(ip, victim);
    if (err)
        return err;
    struct dentry *moved = ramfs_dentry_alloc(newname, nlen);
    if (!moved)
        return -ENOMEM;
    if (victim)                          // the replaced name goes first
        err = S_ISDIR(victim->mode) ? fs_rmdir(newdir, newname) : fs_unlink(newdir, newname);
    if (err) {
        kfree(moved);
        return err;
    }
    ramfs_find(olddir, oldname, olen, &oprev);   // unlinking may have moved the predecessor
    ramfs_dir_remove(olddir, od, oprev);
    ramfs_dir_append(newdir, moved, ip);
    fs_touch(ip, FS_CTIME);
    if (S_ISDIR(ip->mode) && olddir != newdir) {
        ip->dir.parent = newdir;
        olddir->nlink--;                 // its ".." moved with it
        newdir->nlink++;
    }
    return 0;
}
