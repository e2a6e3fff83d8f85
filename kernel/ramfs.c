// ramfs.c: the in-memory filesystem's tree: inodes, names in directories, their lifetime.
// Path lookup and readdir are in ramfs_lookup.c, file data in ramfs_data.c.
//
// Shapes:
//  - a directory holds a singly linked list of dentries (name -> inode) in insertion order.
//    "." and ".." are not stored: lookup and readdir make them up (the root's ".." is itself).
//  - a regular file's data is a table of pages (see ramfs_data.c).
//  - a symlink holds its target string.
// As in Linux's tmpfs, a directory's size is 40 plus 20 per entry (a made-up but stable
// number for ls -l), and its nlink is 2 plus the number of subdirectories.
//
// Single-threaded for now: callers serialise (one big lock once there are several CPUs).
#include <errno.h>
#include <string.h>
#include "fs.h"
#include "kmalloc.h"
#include "panic.h"

#define BOGO_DIRENT_SIZE 20   // tmpfs's directory size per entry

static struct inode *root;
static struct fs_time (*clock)(void);
static uint64_t next_ino = 1;
static uint64_t nr_inodes;

// ---------------------------------------------------------------- inodes

static struct inode *inode_alloc(uint32_t mode, uint32_t nlink)
{
    struct inode *ip = kzalloc(sizeof *ip);
    if (!ip)
        return NULL;
    ip->ino = next_ino++;
    ip->mode = mode;
    ip->nlink = nlink;
    ip->data_lock = (struct spinlock)SPINLOCK_INIT("inode data");
    ip->write_lock = (struct sleeplock)SLEEPLOCK_INIT("inode write");
    ip->atime = ip->mtime = ip->ctime = fs_now();
    nr_inodes++;
    return ip;
}

// A directory is empty when it gets here: rmdir checks, fs_init empties it first.
static void inode_free(struct inode *ip)
{
    struct inode *parent = NULL;
    if (S_ISREG(ip->mode))
        ramfs_free_data(ip);
    else if (S_ISLNK(ip->mode))
        kfree(ip->target);
    else if (S_ISDIR(ip->mode) && !ip->mnt && ip->dir.parent != ip)
        parent = ip->dir.parent;         // a removed directory's hold on its old parent
    kfree(ip->memfd_name);
    kfree(ip);
    nr_inodes--;
    if (parent)
        fs_put(parent);
}

static void free_if_unused(struct inode *ip)
{
    if (ip->nlink == 0 && ip->refcount == 0)
        inode_free(ip);
}

// The count is atomic: exec building a program's image without the BKL takes references
// for its file mappings (exec.c, fs_data_stable). It holds one of its own meanwhile, so a
// count it changes never reaches 0 there: the inode is freed only under the BKL.
void fs_get(struct inode *ip)
{
    __atomic_add_fetch(&ip->refcount, 1, __ATOMIC_RELAXED);
}

void fs_put(struct inode *ip)
{
    if (__atomic_sub_fetch(&ip->refcount, 1, __ATOMIC_ACQ_REL) < 0)
        panic("fs_put: inode %llu has no reference to drop", (unsigned long long)ip->ino);
    free_if_unused(ip);
}

// ---------------------------------------------------------------- write access

// Linux's i_writecount, for the files whose bytes this file system keeps (regular, not
// procfs): > 0 counts the open files and shared mappings that may write them, < 0 counts
// the execs reading them (deny). Both at once cannot be: the second asker gets ETXTBSY,
// as on Linux ("text file busy"). Under the BKL.
static bool counts_writers(const struct inode *ip)
{
    return S_ISREG(ip->mode) && !ip->mnt;
}

int fs_get_write_access(struct inode *ip)
{
    if (!counts_writers(ip))
        return 0;
    if (ip->writecount < 0)
        return -ETXTBSY;
    ip->writecount++;
    return 0;
}

void fs_put_write_access(struct inode *ip)
{
    if (counts_writers(ip) && ip->writecount-- <= 0)
        panic("fs_put_write_access: inode %llu has no writer", (unsigned long long)ip->ino);
}

int fs_deny_write_access(struct inode *ip)
{
    if (!counts_writers(ip))
        return 0;
    if (ip->writecount > 0)
        return -ETXTBSY;
    ip->writecount--;
    return 0;
}

void fs_allow_write_access(struct inode *ip)
{
    if (counts_writers(ip) && ip->writecount++ >= 0)
        panic("fs_allow_write_access: inode %llu was not denied", (unsigned long long)ip->ino);
}

void fs_set_clock(struct fs_time (*now)(void))
{
    clock = now;
}

struct fs_time fs_now(void)
{
    return clock ? clock() : (struct fs_time){ 0, 0 };
}

static bool time_after(struct fs_time a, struct fs_time b)
{
    return a.sec > b.sec || (a.sec == b.sec && a.nsec > b.nsec);
}

bool fs_atime_due(const struct inode *ip)
{
    return clock && (!time_after(ip->atime, ip->mtime) || !time_after(ip->atime, ip->ctime));
}

void fs_touch(struct inode *ip, int which)
{
    if (!clock)
        return;                          // no clock (unit tests): times stay as set
    struct fs_time now = fs_now();
    if ((which & FS_ATIME_RELATIVE) && !time_after(ip->atime, ip->mtime))
        which |= FS_ATIME;
    if ((which & FS_ATIME_RELATIVE) && !time_after(ip->atime, ip->ctime))
        which |= FS_ATIME;
    if (which & FS_ATIME)
        ip->atime = now;
    if (which & FS_MTIME)
        ip->mtime = now;
    if (which & FS_CTIME)
        ip->ctime = now;
}

struct inode *fs_root(void)
{
    return root;
}

uint64_t fs_nr_inodes(void)
{
    return nr_inodes;
}

// ---------------------------------------------------------------- directory entries

struct dentry *ramfs_find(struct inode *dir, const char *name, size_t len, struct dentry **prevp)
{
    struct dentry *prev = NULL;
    for (struct dentry *d = dir->dir.first; d; prev = d, d = d->next) {
        if (d->len == len && memcmp(d->name, name, len) == 0) {
            if (prevp)
                *prevp = prev;
            return d;
        }
    }
    return NULL;
}

struct dentry *ramfs_dentry_alloc(const char *name, size_t len)
{
    struct dentry *d = kmalloc(sizeof *d + len + 1);
    if (!d)
        return NULL;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->len = (uint8_t)len;
    return d;
}

// Appends: the new entry gets the largest cookie, which keeps cookies increasing.
void ramfs_dir_append(struct inode *dir, struct dentry *d, struct inode *ip)
{
    d->inode = ip;
    d->next = NULL;
    d->cookie = dir->dir.next_cookie++;
    if (dir->dir.last)
        dir->dir.last->next = d;
    else
        dir->dir.first = d;
    dir->dir.last = d;
    dir->size += BOGO_DIRENT_SIZE;
    fs_touch(dir, FS_MTIME | FS_CTIME);
}

void ramfs_dir_remove(struct inode *dir, struct dentry *d, struct dentry *prev)
{
    if (prev)
        prev->next = d->next;
    else
        dir->dir.first = d->next;
    if (dir->dir.last == d)
        dir->dir.last = prev;
    dir->size -= BOGO_DIRENT_SIZE;
    kfree(d);
    fs_touch(dir, FS_MTIME | FS_CTIME);
}

// Checks a one-component name; returns its length or a negative errno.
static long name_len(const char *name)
{
    size_t len = strnlen(name, FS_NAME_MAX + 1);
    if (len == 0)
        return -ENOENT;
    if (len > FS_NAME_MAX)
        return -ENAMETOOLONG;
    if (memchr(name, '/', len))
        return -EINVAL;       // a caller bug: lookups split paths into components
    return (long)len;
}

// May `name` be added to dir? Linux's errors: "." and ".." exist already; a directory that
// was removed (nlink 0, Linux's IS_DEADDIR) takes no new names.
long ramfs_check_new_name(struct inode *dir, const char *name)
{
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    long len = name_len(name);
    if (len < 0)
        return len;
    if (ramfs_is_dot(name, (size_t)len))
        return -EEXIST;
    if (dir->nlink == 0)
        return -ENOENT;
    struct inode *there;
    if (dir->mnt)                    // procfs and sysfs make no new names
        return dir->mnt->lookup(dir, name, (size_t)len, &there) == 0 ? -EEXIST : dir->mnt->new_name_err;
    if (ramfs_find(dir, name, (size_t)len, NULL))
        return -EEXIST;
    return len;
}

// Finds an existing entry for unlink/rmdir (the caller has dealt with "." and "..").
static int find_entry(struct inode *dir, const char *name, struct dentry **dp,
                      struct dentry **prevp)
{
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    long len = name_len(name);
    if (len < 0)
        return (int)len;
    struct inode *there;
    if (dir->mnt)                    // procfs's and sysfs's names cannot be removed (Linux: EPERM)
        return dir->mnt->lookup(dir, name, (size_t)len, &there) == 0 ? -EPERM : -ENOENT;
    *dp = ramfs_find(dir, name, (size_t)len, prevp);
    return *dp ? 0 : -ENOENT;
}

// Creates an inode of `mode` under a name check_new_name accepted. A symlink's target
// (kmalloc'ed) passes to the inode only on success. Nothing changes unless both allocations
// succeed.
int ramfs_add_new(struct inode *dir, const char *name, size_t len, uint32_t mode, char *target,
                   struct inode **out)
{
    struct dentry *d = ramfs_dentry_alloc(name, len);
    struct inode *ip = d ? inode_alloc(mode, S_ISDIR(mode) ? 2 : 1) : NULL;
    if (!ip) {
        kfree(d);
        return -ENOMEM;
    }
    if (S_ISDIR(mode)) {
        ip->size = 2 * BOGO_DIRENT_SIZE;
        ip->dir.parent = dir;
        ip->dir.next_cookie = 2;      // 0 and 1 are "." and ".."
        dir->nlink++;                 // the new directory's ".."
    } else if (S_ISLNK(mode)) {
        ip->target = target;
        ip->size = strlen(target);
    }
    ramfs_dir_append(dir, d, ip);
    if (out)
        *out = ip;
    return 0;
}

int fs_create_unlinked(uint32_t perm, struct inode **out)
{
    struct inode *ip = inode_alloc(S_IFREG | (perm & 07777), 0);
    if (!ip)
        return -ENOMEM;
    *out = ip;
    return 0;
}

int fs_create(struct inode *dir, const char *name, uint32_t perm, struct inode **out)
{
    long len = ramfs_check_new_name(dir, name);
    if (len < 0)
        return (int)len;
    return ramfs_add_new(dir, name, (size_t)len, S_IFREG | (perm & 07777), NULL, out);
}

int fs_mkdir(struct inode *dir, const char *name, uint32_t perm, struct inode **out)
{
    long len = ramfs_check_new_name(dir, name);
    if (len < 0)
        return (int)len;
    return ramfs_add_new(dir, name, (size_t)len, S_IFDIR | (perm & 07777), NULL, out);
}

// Linux checks the target first: an empty one is -ENOENT, one of PATH_MAX bytes or more is
// -ENAMETOOLONG. Symlinks are always mode 0777, as in Linux.
int fs_symlink(struct inode *dir, const char *name, const char *target, struct inode **out)
{
    size_t tlen = strnlen(target, FS_PATH_MAX);
    if (tlen == 0)
        return -ENOENT;
    if (tlen == FS_PATH_MAX)
        return -ENAMETOOLONG;
    long len = ramfs_check_new_name(dir, name);
    if (len < 0)
        return (int)len;
    char *copy = kmalloc(tlen + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, target, tlen + 1);
    int err = ramfs_add_new(dir, name, (size_t)len, S_IFLNK | 0777, copy, out);
    if (err)
        kfree(copy);
    return err;
}

// Directories cannot be hard-linked (-EPERM), nor can a file whose last name is gone.
int fs_link(struct inode *dir, const char *name, struct inode *ip)
{
    long len = ramfs_check_new_name(dir, name);
    if (len < 0)
        return (int)len;
    if (S_ISDIR(ip->mode))
        return -EPERM;
    if (ip->nlink == 0)
        return -ENOENT;
    struct dentry *d = ramfs_dentry_alloc(name, (size_t)len);
    if (!d)
        return -ENOMEM;
    ip->nlink++;
    fs_touch(ip, FS_CTIME);
    ramfs_dir_append(dir, d, ip);
    return 0;
}

int fs_unlink(struct inode *dir, const char *name)
{
    struct dentry *d, *prev;
    if (S_ISDIR(dir->mode) && ramfs_is_dot(name, strlen(name)))
        return -EISDIR;
    int err = find_entry(dir, name, &d, &prev);
    if (err)
        return err;
    struct inode *ip = d->inode;
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    ramfs_dir_remove(dir, d, prev);
    ip->nlink--;
    fs_touch(ip, FS_CTIME);
    free_if_unused(ip);
    return 0;
}

// rmdir(".") is -EINVAL and rmdir("..") -ENOTEMPTY, as Linux says.
int fs_rmdir(struct inode *dir, const char *name)
{
    struct dentry *d, *prev;
    if (S_ISDIR(dir->mode) && strcmp(name, ".") == 0)
        return -EINVAL;
    if (S_ISDIR(dir->mode) && strcmp(name, "..") == 0)
        return -ENOTEMPTY;
    int err = find_entry(dir, name, &d, &prev);
    if (err)
        return err;
    struct inode *ip = d->inode;
    if (!S_ISDIR(ip->mode))
        return -ENOTDIR;
    if (ip->mountpoint)
        return -EBUSY;                   // Linux: a mount point cannot be removed
    if (ip->dir.first)
        return -ENOTEMPTY;
    ramfs_dir_remove(dir, d, prev);
    dir->nlink--;
    ip->nlink = 0;
    // It may live on (someone's cwd): its ".." still leads to dir, as in Linux, so it holds
    // a reference to dir until it is freed (inode_free).
    if (ip->refcount > 0)
        fs_get(dir);
    else
        ip->dir.parent = NULL;
    free_if_unused(ip);
    return 0;
}

// ---------------------------------------------------------------- the whole tree

// Drops every name under top, without recursion (a deep tree must not overflow the kernel
// stack): each directory met hands its entries over to one work list.
static void drop_tree(struct inode *top)
{
    struct dentry *work = top->dir.first;
    top->dir.first = top->dir.last = NULL;
    while (work) {
        struct dentry *d = work;
        struct inode *ip = d->inode;
        work = d->next;
        if (S_ISDIR(ip->mode)) {
            if (ip->dir.first) {
                ip->dir.last->next = work;
                work = ip->dir.first;
            }
            ip->dir.first = ip->dir.last = NULL;
            ip->dir.parent = NULL;
            ip->nlink = 0;
        } else {
            ip->nlink--;
        }
        kfree(d);
        free_if_unused(ip);
    }
}

void fs_init(void)
{
    if (root) {
        drop_tree(root);
        root->nlink = 0;
        root->dir.parent = NULL;
        free_if_unused(root);
    }
    root = inode_alloc(S_IFDIR | 0755, 2);
    if (!root)
        panic("fs_init: no memory for the root directory");
    root->size = 2 * BOGO_DIRENT_SIZE;
    root->dir.parent = root;
    root->dir.next_cookie = 2;
}
