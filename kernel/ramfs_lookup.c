// ramfs_lookup.c: path lookup and readdir for the in-memory filesystem.
//
// Lookup follows Linux's rules (fs/namei.c): repeated slashes count as one; "." and ".." are
// components like any other, so "file/.." is -ENOTDIR; ".." at the root stays there; every
// symlink before the last component is followed, the last one only with FS_FOLLOW or a
// trailing slash; a relative target is resolved from the symlink's directory; more than 40
// symlinks in one lookup is -ELOOP; a trailing slash needs a directory at the end. Checks
// come in Linux's order: not a directory, then a component too long, then not found.
#include <errno.h>
#include <string.h>
#include "fs.h"

static const struct fs_walk_ops *walk_ops;

void fs_set_walk_ops(const struct fs_walk_ops *ops)
{
    walk_ops = ops;
}

struct inode *fs_walk_root(void)
{
    struct inode *root = walk_ops ? walk_ops->root() : NULL;
    return root ? root : fs_root();
}

// May the walk go through dir (search permission)? Checked before every component.
static int may_lookup(struct inode *dir)
{
    return walk_ops ? walk_ops->may_lookup(dir) : 0;
}

// One lookup's symlink budget, shared with the walks of the targets it follows (Linux counts
// all the symlinks of one lookup, not only nested ones).
struct walk {
    int links;
};

static int walk(struct walk *w, struct inode *cur, const char *p, const char *end, int flags,
                struct inode **out);

// The inode one component names in cur. "." and ".." are made up here.
static int step(struct inode *cur, const char *name, size_t len, struct inode **out)
{
    if (!S_ISDIR(cur->mode))
        return -ENOTDIR;
    int err = may_lookup(cur);
    if (err)
        return err;
    if (len > FS_NAME_MAX)
        return -ENAMETOOLONG;
    if (ramfs_is_dot(name, len)) {
        // ".." at the root - the caller's, after chroot - stays there.
        *out = len == 1 || cur == fs_walk_root() ? cur : cur->dir.parent;
        return *out ? 0 : -ENOENT;       // a removed directory has no ".."
    }
    if (cur->mnt)
        return cur->mnt->lookup(cur, name, len, out);
    struct dentry *d = ramfs_find(cur, name, len, NULL);
    if (!d)
        return -ENOENT;
    *out = d->inode;
    return 0;
}

// Replaces *ip, a symlink in directory dir, by the inode its target names.
static int follow(struct walk *w, struct inode *dir, struct inode **ip)
{
    if (++w->links > FS_SYMLINK_MAX)
        return -ELOOP;
    const char *t = (*ip)->target;
    return walk(w, dir, t, t + strlen(t), FS_FOLLOW, ip);
}

// Walks the path [p, end) from cur. Recursion only through follow(), at most 40 deep.
static int walk(struct walk *w, struct inode *cur, const char *p, const char *end, int flags,
                struct inode **out)
{
    if (p == end)
        return -ENOENT;
    bool trailing_slash = end[-1] == '/';
    if (*p == '/')
        cur = fs_walk_root();
    for (;;) {
        while (p < end && *p == '/')
            p++;
        if (p == end)
            break;
        const char *name = p;
        while (p < end && *p != '/')
            p++;
        const char *rest = p;
        while (rest < end && *rest == '/')
            rest++;
        bool last = rest == end;

        struct inode *next;
        int err = step(cur, name, (size_t)(p - name), &next);
        if (!err && S_ISLNK(next->mode) && (!last || (flags & FS_FOLLOW) || trailing_slash))
            err = follow(w, cur, &next);
        if (err)
            return err;
        cur = next;
    }
    if (trailing_slash && !S_ISDIR(cur->mode))
        return -ENOTDIR;
    *out = cur;
    return 0;
}

// A path's length, or -ENAMETOOLONG if it does not fit PATH_MAX with its NUL.
static long path_len(const char *path)
{
    size_t n = strnlen(path, FS_PATH_MAX);
    if (n == FS_PATH_MAX)
        return -ENAMETOOLONG;
    return n == 0 ? -ENOENT : (long)n;
}

int fs_lookup(struct inode *cwd, const char *path, int flags, struct inode **out)
{
    int links;
    return fs_lookup_links(cwd, path, flags, out, &links);
}

int fs_lookup_links(struct inode *cwd, const char *path, int flags, struct inode **out, int *links)
{
    long n = path_len(path);
    if (n < 0)
        return (int)n;
    struct walk w = { 0 };
    int err = walk(&w, cwd ? cwd : fs_root(), path, path + n, flags, out);
    *links = w.links;
    return err;
}

// Splits the path before its last component and walks the first part (following every
// symlink in it). The last component is only copied out: what happens to it is the caller's.
int fs_lookup_parent(struct inode *cwd, const char *path, struct fs_last *last)
{
    long n = path_len(path);
    if (n < 0)
        return (int)n;
    const char *end = path + n;
    while (end > path && end[-1] == '/')
        end--;
    const char *name = end;
    while (name > path && name[-1] != '/')
        name--;
    size_t len = (size_t)(end - name);

    struct inode *dir = cwd ? cwd : fs_root();
    bool only_slashes = len == 0;
    if (len == 0) {                         // only slashes: "/"
        dir = fs_walk_root();
        name = ".";
        len = 1;
    } else if (name > path) {
        struct walk w = { 0 };
        int err = walk(&w, dir, path, name, FS_FOLLOW, &dir);
        if (err)
            return err;
    }
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    int err = only_slashes ? 0 : may_lookup(dir);   // the last component's directory too
    if (err)
        return err;
    if (len > FS_NAME_MAX)
        return -ENAMETOOLONG;
    last->dir = dir;
    last->must_be_dir = end < path + n;
    memcpy(last->name, name, len);
    last->name[len] = '\0';
    return 0;
}

// ---------------------------------------------------------------- readdir

static void fill_dirent(struct fs_dirent *out, struct inode *ip, const char *name)
{
    out->ino = ip->ino;
    out->type = (uint8_t)((ip->mode & S_IFMT) >> 12);   // Linux's DT_* are the type bits
    memcpy(out->name, name, strlen(name) + 1);     // names are at most FS_NAME_MAX bytes
}

// *pos is 0 for ".", 1 for "..", else a cookie: the next entry is the first whose cookie is
// >= *pos. Cookies only grow along the list, so if the directory changes between calls,
// every entry present throughout is still returned exactly once, a removed entry is not
// returned after its removal, and an added one is returned (a name removed and added again
// is a new entry and may be seen twice). Finding the position is O(entries): fine for now.
int fs_readdir(struct inode *dir, uint64_t *pos, struct fs_dirent *out)
{
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    if (*pos < 2) {
        struct inode *parent = dir->dir.parent ? dir->dir.parent : dir;
        fill_dirent(out, *pos == 0 ? dir : parent, *pos == 0 ? "." : "..");
        *pos += 1;
        return 1;
    }
    if (dir->mnt)
        return dir->mnt->readdir(dir, pos, out);
    for (struct dentry *d = dir->dir.first; d; d = d->next) {
        if (d->cookie >= *pos) {
            fill_dirent(out, d->inode, d->name);
            *pos = d->cookie + 1;
            return 1;
        }
    }
    return 0;
}

