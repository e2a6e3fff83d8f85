// fs_path.c: from an inode back to a path name - what getcwd(2) and /proc/<pid>/exe show.
//
// The tree stores names only in directories, and each directory knows its parent, so a
// directory's path is built from the end: its name, found in its parent, then the parent's,
// up to the root. A file's path is its directory's plus its own name; for that we follow
// the path as given, symbolic links included, to the directory that really holds it.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "fs.h"
#include "kmalloc.h"
#include "string.h"

// Finds the name of child in dir (readdir until its inode number shows up).
static bool name_in(struct inode *dir, struct inode *child, struct fs_dirent *d) {
    uint64_t pos = 0;
    while (fs_readdir(dir, &pos, d) == 1)
        if (d->ino == child->ino && strcmp(d->name, ".") && strcmp(d->name, ".."))
            return true;
    return false;
}

// Writes dir's absolute path, NUL-terminated, at the END of buf[0..size): returns where it
// starts, or a negative errno (-ENOENT: the directory was removed; -ENAMETOOLONG). The path
// is the caller's: it starts at its root (chroot); from outside that root, at the tree's.
long fs_dir_path(struct inode *dir, char *buf, size_t size) {
    struct fs_dirent *d = kmalloc(sizeof *d);
    if (!d)
        return -ENOMEM;
    size_t at = size - 1;
    long err = 0;
    buf[at] = '\0';
    while (dir != fs_root() && dir != fs_walk_root() && !err) {
        struct inode *parent = dir->dir.parent;
        size_t n;
        if (dir->nlink == 0 || !parent || !name_in(parent, dir, d))   // removed
            err = -ENOENT;
        else if ((n = strlen(d->name)) + 1 > at)
            err = -ENAMETOOLONG;
        else {
            at -= n;
            memcpy(buf + at, d->name, n);
            buf[--at] = '/';
            dir = parent;
        }
    }
    kfree(d);
    if (!err && at == size - 1)
        buf[--at] = '/';                 // the root itself
    return err ? err : (long)at;
}

// The absolute path of what `path` (from cwd) names, with every symbolic link followed,
// the last one too - as /proc/<pid>/exe shows a program. Into buf (size FS_PATH_MAX).
long fs_real_path(struct inode *cwd, const char *path, char *buf) {
    struct fs_last *last = kmalloc(sizeof *last);
    char *next = kmalloc(FS_PATH_MAX);
    long err = last && next ? 0 : -ENOMEM;
    if (!err)
        strlcpy(next, path, FS_PATH_MAX);
    for (int links = 0; !err; links++) {
        struct inode *ip;
        if ((err = fs_lookup_parent(cwd, next, last)))
            break;
        if (fs_lookup(last->dir, last->name, 0, &ip))
            ip = NULL;
        if (!ip || !S_ISLNK(ip->mode)) {
            long at = fs_dir_path(last->dir, buf, FS_PATH_MAX);
            size_t dlen = at < 0 ? 0 : strlen(buf + at), nlen = strlen(last->name);
            if (at < 0)
                err = at;
            else if (dlen + 1 + nlen + 1 > FS_PATH_MAX)
                err = -ENAMETOOLONG;
            else {
                memmove(buf, buf + at, dlen);
                if (dlen > 1)
                    buf[dlen++] = '/';   // "/" already ends with one
                memcpy(buf + dlen, last->name, nlen + 1);
            }
            break;
        }
        if (links >= 40) {               // Linux's limit on links followed in one lookup
            err = -ELOOP;
            break;
        }
        cwd = last->dir;                 // a link's target is relative to its directory
        strlcpy(next, ip->target, FS_PATH_MAX);
    }
    kfree(last);
    kfree(next);
    return err;
}

// ---------------------------------------------------------------- any inode's path

#define SEARCH_DEPTH 64                  // directories deeper than this are not searched

// Appends "/name" to the path of dir (at the end of buf) and moves it to buf's start.
static long join(struct inode *dir, const char *name, char *buf, size_t size) {
    long at = fs_dir_path(dir, buf, size);
    if (at < 0)
        return at;
    size_t dlen = strlen(buf + at), nlen = strlen(name);
    if (dlen + 1 + nlen + 1 > size)
        return -ENAMETOOLONG;
    memmove(buf, buf + at, dlen);
    if (dlen > 1)
        buf[dlen++] = '/';
    memcpy(buf + dlen, name, nlen + 1);
    return (long)(dlen + nlen);
}

// A file knows no name of its own: look for it, depth first, from the caller's root,
// without entering mounted filesystems (procfs). Iterative: one readdir position per
// level, and each directory's parent to climb back.
static long search(struct inode *ip, char *buf, size_t size) {
    uint64_t *pos = kmalloc(SEARCH_DEPTH * sizeof *pos);
    struct fs_dirent *d = kmalloc(sizeof *d);
    long found = -ENOENT;
    struct inode *dir = fs_walk_root(), *child;
    int depth = 0;
    if (pos && d)
        pos[0] = 2;                      // after "." and ".."
    while (pos && d && depth >= 0 && found == -ENOENT) {
        if (fs_readdir(dir, &pos[depth], d) != 1) {      // this directory is done
            dir = dir->dir.parent;
            depth--;
            continue;
        }
        if (d->ino == ip->ino && fs_lookup(dir, d->name, 0, &child) == 0 && child == ip)
            found = join(dir, d->name, buf, size);
        else if (d->type == DT_DIR && depth + 1 < SEARCH_DEPTH &&
                 fs_lookup(dir, d->name, 0, &child) == 0 && !child->mnt && S_ISDIR(child->mode)) {
            dir = child;
            pos[++depth] = 2;
        }
    }
    if (!pos || !d)
        found = -ENOMEM;
    kfree(pos);
    kfree(d);
    return found;
}

long fs_inode_path(struct inode *ip, char *buf, size_t size) {
    if (!S_ISDIR(ip->mode))
        return ip->nlink ? search(ip, buf, size) : -ENOENT;
    long at = fs_dir_path(ip, buf, size);
    if (at < 0)
        return at;
    size_t n = strlen(buf + at);
    memmove(buf, buf + at, n + 1);
    return (long)n;
}
