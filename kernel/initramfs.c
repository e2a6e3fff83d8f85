// initramfs.c: unpacking the initramfs (cpio "newc" archives, read by cpio.c) into the
// in-memory filesystem at boot, as Linux's init/initramfs.c does.
//
// Like Linux:
//  - directories, regular files and symlinks get the entry's mode, uid, gid and mtime. An
//    existing entry of another type is removed first (any existing symlink is); an existing
//    file is overwritten, an existing directory takes the new attributes. "." (or "/") is
//    the root itself: its attributes change.
//  - regular files with nlink >= 2 and the same (ino, devmajor, devminor, type) are hard
//    links: the first is created, the later ones linked to it; a later entry's data replaces
//    the shared data (GNU cpio stores it with the last name). "TRAILER!!!" forgets them.
//  - symlinks with a target of PATH_MAX or more, and directories carrying data are skipped.
//    A failure to create one entry is logged and the next one tried; a broken archive or a
//    failed write stops everything, and what was unpacked before stays.
// Our choices where Linux differs (all logged):
//  - leading "/" and "./" are stripped and names with a ".." component are skipped, so
//    nothing lands outside the intended tree. Missing parent directories are created (0755,
//    owned by root); Linux skips the entry. Device nodes, fifos and sockets are skipped.
//  - of the compressed formats, only gzip is supported (inflate.c); the others are refused
//    in the words of a Linux lacking their decompressor. A gzip member must expand into one
//    buffer of at most 64 MiB (Linux streams it).
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "cpio.h"
#include "fs.h"
#include "inflate.h"
#include "kmalloc.h"
#include "printk.h"

// A regular file seen with nlink >= 2, for the later entries that are links to it.
struct hardlink {
    struct hardlink *next;
    uint32_t ino, major, minor, type;
    struct inode *ip;             // a reference is held
};

struct unpack {
    const char *error;            // the first fatal problem, as Linux's `message`
    int err;                      // and its errno
    char *path;                   // FS_PATH_MAX bytes: the entry's name, cleaned
    char *target;                 // FS_PATH_MAX bytes: a symlink's target
    struct hardlink *links;
    bool in_place;                // the archive being read is the boot module: files adopt it
    unsigned files, dirs, symlinks, skipped;
    uint64_t bytes;
};

static void fail(struct unpack *u, int err, const char *why)
{
    if (!u->error) {
        u->error = why;
        u->err = err;
    }
}

// ---------------------------------------------------------------- names

// Copies the name to u->path without leading "/" and "./" and trailing "/"; "" becomes ".".
// Returns false (after logging) for a name with a ".." component.
static bool clean_name(struct unpack *u, const char *name)
{
    for (;;) {
        if (name[0] == '/')
            name++;
        else if (name[0] == '.' && name[1] == '/')
            name += 2;
        else
            break;
    }
    size_t n = strlen(name);
    while (n > 0 && name[n - 1] == '/')
        n--;
    for (size_t i = 0; i < n; i++) {
        bool starts = i == 0 || name[i - 1] == '/';
        if (starts && name[i] == '.' && name[i + 1] == '.' && (i + 2 == n || name[i + 2] == '/')) {
            pr_warn("initramfs: skipping %s: \"..\" in the name\n", name);
            return false;
        }
    }
    memcpy(u->path, n ? name : ".", n ? n : 1);
    u->path[n ? n : 1] = '\0';
    return true;
}

// Finds (creating what is missing) the directory that holds the last component of u->path.
// On success *lastp is that component, inside u->path.
static int make_parents(struct unpack *u, struct inode **dirp, char **lastp)
{
    struct inode *dir = fs_root();
    char *p = u->path;
    for (char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        if (slash == p)
            continue;                        // "a//b"
        *slash = '\0';
        struct inode *next;
        int err = fs_lookup(dir, p, FS_FOLLOW, &next);
        if (err == -ENOENT) {
            pr_warn("initramfs: creating the missing directory %s\n", u->path);
            err = fs_mkdir(dir, p, 0755, &next);
        }
        *slash = '/';
        if (err)
            return err;
        if (!S_ISDIR(next->mode))
            return -ENOTDIR;
        dir = next;
    }
    *dirp = dir;
    *lastp = p;
    return 0;
}

// Removes what dir/name is now if it is in the way of a new entry of `type` (0: anything is).
static int clear_way(struct inode *dir, const char *name, uint32_t type, struct inode **oldp)
{
    struct inode *old;
    *oldp = NULL;
    if (fs_lookup(dir, name, 0, &old) != 0)
        return 0;
    if ((old->mode & S_IFMT) == type) {
        *oldp = old;
        return 0;
    }
    return S_ISDIR(old->mode) ? fs_rmdir(dir, name) : fs_unlink(dir, name);
}

// ---------------------------------------------------------------- entries

static void set_attrs(struct inode *ip, const struct cpio_entry *e)
{
    if (!S_ISLNK(ip->mode))
        ip->mode = (ip->mode & S_IFMT) | (e->f[CPIO_MODE] & 07777);
    ip->uid = e->f[CPIO_UID];
    ip->gid = e->f[CPIO_GID];
    ip->atime = ip->mtime = ip->ctime = (struct fs_time){ e->f[CPIO_MTIME], 0 };
}

static struct hardlink *find_link(struct unpack *u, const struct cpio_entry *e)
{
    for (struct hardlink *h = u->links; h; h = h->next)
        if (h->ino == e->f[CPIO_INO] && h->major == e->f[CPIO_MAJOR]
            && h->minor == e->f[CPIO_MINOR] && h->type == (e->f[CPIO_MODE] & S_IFMT))
            return h;
    return NULL;
}

static int remember_link(struct unpack *u, const struct cpio_entry *e, struct inode *ip)
{
    struct hardlink *h = kmalloc(sizeof *h);
    if (!h)
        return -ENOMEM;
    *h = (struct hardlink){ u->links, e->f[CPIO_INO], e->f[CPIO_MAJOR], e->f[CPIO_MINOR],
                            e->f[CPIO_MODE] & S_IFMT, ip };
    fs_get(ip);
    u->links = h;
    return 0;
}

static void forget_links(struct unpack *u)
{
    while (u->links) {
        struct hardlink *h = u->links;
        u->links = h->next;
        fs_put(h->ip);
        kfree(h);
    }
}

// A regular file, or a later name of a hard-linked one. `ip` is the regular file already at
// dir/name, if any: it is overwritten (Linux opens with O_TRUNC).
static int make_file(struct unpack *u, const struct cpio_entry *e, struct inode *dir,
                     const char *name, struct inode *ip)
{
    uint32_t size = e->f[CPIO_FILESIZE];
    struct hardlink *h = e->f[CPIO_NLINK] >= 2 ? find_link(u, e) : NULL;
    int err;
    if (h && ip != h->ip) {
        if (ip && (err = fs_unlink(dir, name)) != 0)
            return err;
        if ((err = fs_link(dir, name, h->ip)) != 0)
            return err;
    }
    if (h) {
        ip = h->ip;
    } else {
        if (!ip && (err = fs_create(dir, name, 0, &ip)) != 0)
            return err;
        if (e->f[CPIO_NLINK] >= 2 && (err = remember_link(u, e, ip)) != 0)
            return err;
    }
    set_attrs(ip, e);
    if (!h || size) {                 // a later link without data keeps the shared data
        long n;
        if (u->in_place)                      // no copy: the file is its bytes in the archive
            n = fs_adopt(ip, (const char *)e->data, size) ?: (long)size;
        else if ((n = fs_truncate(ip, 0)) == 0)
            n = fs_write(ip, 0, e->data, size);
        if (n != (long)size) {
            fail(u, n < 0 ? (int)n : -EFBIG, "write error");
            return 0;
        }
    }
    u->files++;
    u->bytes += size;
    return 0;
}

static int make_symlink(struct unpack *u, const struct cpio_entry *e, struct inode *dir,
                        const char *name)
{
    uint32_t size = e->f[CPIO_FILESIZE];
    if (size == 0 || size >= FS_PATH_MAX)
        return size ? -ENAMETOOLONG : -ENOENT;
    memcpy(u->target, e->data, size);
    u->target[size] = '\0';
    struct inode *ip;
    int err = fs_symlink(dir, name, u->target, &ip);
    if (err)
        return err;
    set_attrs(ip, e);
    u->symlinks++;
    return 0;
}

static int make_entry(struct unpack *u, const struct cpio_entry *e)
{
    uint32_t type = e->f[CPIO_MODE] & S_IFMT;
    if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK) {
        pr_warn("initramfs: skipping %s: file type %o is not supported\n", e->name, type);
        return 1;
    }
    if (type == S_IFDIR && e->f[CPIO_FILESIZE]) {
        pr_warn("initramfs: skipping %s: a directory with data\n", e->name);
        return 1;
    }
    if (!clean_name(u, e->name))
        return 1;
    struct inode *dir, *old;
    char *name;
    int err = make_parents(u, &dir, &name);
    if (!err)
        err = clear_way(dir, name, type == S_IFLNK ? 0 : type, &old);
    if (!err && type == S_IFREG)
        err = make_file(u, e, dir, name, old);
    if (!err && type == S_IFLNK)
        err = make_symlink(u, e, dir, name);
    if (!err && type == S_IFDIR && !old)
        err = fs_mkdir(dir, name, 0, &old);
    if (!err && type == S_IFDIR) {
        set_attrs(old, e);
        u->dirs++;
    }
    if (err == -ENOMEM)
        fail(u, err, "out of memory");
    else if (err)
        pr_warn("initramfs: skipping %s: error %d\n", e->name, err);
    return err != 0;
}

// ---------------------------------------------------------------- archives

#define GUNZIP_MAX (64u << 20)    // the most a gzip member may expand to

static void unpack_all(struct unpack *u, const uint8_t *buf, size_t len, bool compressed);

// A gzip member at p: decompressed into one buffer, then unpacked like any archive. Its
// decompressed size is stored at its end, which is only found by decompressing, so the
// buffer's size is a guess, doubled until the output fits. *used: the member's length.
static void unpack_gzip(struct unpack *u, const uint8_t *p, size_t n, size_t *used)
{
    *used = n;                                       // if it fails, that is the end anyway
    for (size_t cap = n < (64u << 10) ? (256u << 10) : 4 * n; ; cap *= 2) {
        uint8_t *out = kmalloc(cap);
        if (!out) {
            fail(u, -ENOMEM, "out of memory");
            return;
        }
        const char *why;
        long r = gunzip(p, n, used, out, cap, &why);
        if (r >= 0)
            unpack_all(u, out, (size_t)r, true);     // copies what it keeps
        kfree(out);
        if (r == -EFBIG && cap < GUNZIP_MAX)
            continue;
        if (r < 0) {
            pr_err("initramfs: gzip: %s\n", why);
            fail(u, r == -ENOMEM ? -ENOMEM : -EINVAL, "decompressor failed");
        }
        return;
    }
}

// The entries of buf, which is decompressed data if `compressed`: then, as in Linux, more
// compressed data inside it is junk.
static void unpack_all(struct unpack *u, const uint8_t *buf, size_t len, bool compressed)
{
    size_t pos = 0, used;
    struct cpio_entry e;
    const char *why;
    bool outer = u->in_place;
    u->in_place = !compressed;            // decompressed data is a buffer that goes away
    while (!u->error) {
        int r = cpio_next(buf, len, &pos, &e, &why);
        if (r == CPIO_END)
            break;
        if (r < 0) {
            fail(u, r, why);
        } else if (r == CPIO_COMPRESSED && compressed) {
            fail(u, -EINVAL, "junk within compressed archive");
        } else if (r == CPIO_COMPRESSED && strcmp(why, "gzip") == 0) {
            unpack_gzip(u, buf + pos, len - pos, &used);
            pos += used;
        } else if (r == CPIO_COMPRESSED) {
            pr_err("compression method %s not configured\n", why);
            fail(u, -EINVAL, "decompressor failed");
        } else if (!e.name) {
            u->skipped++;
        } else if (strcmp(e.name, "TRAILER!!!") == 0) {
            forget_links(u);              // inode numbers start over in the next archive
        } else if (make_entry(u, &e) != 0) {
            u->skipped++;
        }
    }
    u->in_place = outer;
}

int initramfs_unpack(const void *archive, size_t len)
{
    struct unpack u = { 0 };
    pr_info("Trying to unpack rootfs image as initramfs...\n");
    u.path = kmalloc(2 * FS_PATH_MAX);
    if (!u.path)
        fail(&u, -ENOMEM, "can't allocate buffers");
    else
        u.target = u.path + FS_PATH_MAX;
    unpack_all(&u, archive, len, false);
    forget_links(&u);
    kfree(u.path);
    if (u.error)
        pr_emerg("Initramfs unpacking failed: %s\n", u.error);
    pr_info("initramfs: %u files, %u directories, %u symlinks, %llu KiB; %u entries skipped\n",
            u.files, u.dirs, u.symlinks, (unsigned long long)(u.bytes + 1023) / 1024, u.skipped);
    return u.error ? u.err : 0;
}
