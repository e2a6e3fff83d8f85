// perm.c: may the current thread read, write or execute an inode? Linux's generic_permission
// with the traditional Unix rules: the owner's bits if the thread's filesystem uid owns the
// file, else the group's if the file's group is one of the thread's, else the others'.
// Root (uid 0) may read and write anything and search any directory, and execute a file
// that has at least one x bit. (No ACLs; "root" stands for Linux's CAP_DAC_OVERRIDE.)
//
// Path walks ask too (fs_walk_ops, set at boot): every directory a path goes through needs
// search (x) permission, as Linux's may_lookup; and "/" is the caller's root (chroot).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "fs.h"
#include "perm.h"
#include "proc.h"

static bool has_group(const struct cred *c, uint32_t gid, uint32_t primary) {
    if (gid == primary)
        return true;
    for (int i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid)
            return true;
    return false;
}

int inode_permission_as(struct inode *ip, int mask, uint32_t uid, uint32_t gid) {
    mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
    if (uid == 0) {
        if (!(mask & MAY_EXEC) || S_ISDIR(ip->mode) || (ip->mode & 0111))
            return 0;
        return -EACCES;
    }
    uint32_t mode = ip->mode;
    if (uid == ip->uid)
        mode >>= 6;
    else if (has_group(&current()->cred, ip->gid, gid))
        mode >>= 3;
    return (mask & ~mode & 7) ? -EACCES : 0;
}

int inode_permission(struct inode *ip, int mask) {
    const struct cred *c = &current()->cred;
    return inode_permission_as(ip, mask, c->fsuid, c->fsgid);
}

bool owner_or_capable(struct inode *ip) {
    return current()->cred.fsuid == ip->uid || capable();
}

// A new inode belongs to the thread's filesystem ids; in a set-group-id directory it takes
// the directory's group instead, and a new directory there is set-group-id too (Linux's
// inode_init_owner).
void inode_init_owner(struct inode *dir, struct inode *ip) {
    const struct cred *c = &current()->cred;
    ip->uid = c->fsuid;
    ip->gid = c->fsgid;
    if (dir->mode & S_ISGID) {
        ip->gid = dir->gid;
        if (S_ISDIR(ip->mode))
            ip->mode |= S_ISGID;
    }
}

// Adding or removing a name in dir needs write and search permission on it.
int may_change_dir(struct inode *dir) {
    return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

// Removing victim's name from dir: may_change_dir, and in a sticky directory (/tmp) only the
// owner of the file or of the directory may (-EPERM), as Linux's may_delete.
int may_delete(struct inode *dir, struct inode *victim) {
    int err = may_change_dir(dir);
    if (err)
        return err;
    uint32_t fsuid = current()->cred.fsuid;
    if ((dir->mode & S_ISVTX) && fsuid != victim->uid && fsuid != dir->uid && !capable())
        return -EPERM;
    return 0;
}

// ---------------------------------------------------------------- how paths are walked

// Where "/" is for the current thread: its root directory (chroot), or the tree's before
// there is a thread.
static struct inode *caller_root(void) {
    struct proc *p = current_or_null();
    return p && p->fs ? p->fs->root : NULL;
}

// Searching a directory needs x for the caller (root: always, for a directory).
static int may_lookup(struct inode *dir) {
    return current_or_null() ? inode_permission(dir, MAY_EXEC) : 0;
}

static const struct fs_walk_ops kernel_walk_ops = { .root = caller_root, .may_lookup = may_lookup };

void perm_init(void) { fs_set_walk_ops(&kernel_walk_ops); }
