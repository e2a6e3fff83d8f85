// sys_path.c: system calls that take a path: open, stat, access, readlink, chdir, getcwd,
// and getdents64, the directory reader.
//
// A path from user space is copied in first (at most PATH_MAX bytes, or -ENAMETOOLONG),
// then resolved by the filesystem from the process's working directory, or from a directory
// descriptor for the *at() calls.
#include <stdint.h>
#include "dev.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "path.h"
#include "perm.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define UMASK (current()->fs->umask)

char *path_from_user(uint64_t upath, long *err) {
    char *path = kmalloc(FS_PATH_MAX);
    if (!path) {
        *err = -ENOMEM;
        return NULL;
    }
    long n = strncpy_from_user(path, (const char *)upath, FS_PATH_MAX);
    if (n < 0) {
        kfree(path);
        *err = n;
        return NULL;
    }
    return path;
}

// As in Linux, dirfd is not even looked at for an absolute path, nor for an empty one
// (which is -ENOENT).
long path_start_dir(int dirfd, const char *path, struct inode **out) {
    if (dirfd == AT_FDCWD || path[0] == '/' || path[0] == '\0') {
        *out = current()->fs->cwd;
        return 0;
    }
    struct file *f = fd_get(dirfd);
    if (!f)
        return -EBADF;
    if (!f->ip || !S_ISDIR(f->ip->mode))
        return -ENOTDIR;
    *out = f->ip;
    return 0;
}

long path_inode_at(int dirfd, uint64_t upath, int flags, struct inode **out) {
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    struct inode *dir;
    err = 0;
    if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(dirfd);
        if (dirfd != AT_FDCWD && !f)
            err = -EBADF;
        else
            *out = f ? f->ip : current()->fs->cwd;
    } else if (!(err = path_start_dir(dirfd, path, &dir))) {
        err = fs_lookup(dir, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : FS_FOLLOW, out);
    }
    kfree(path);
    return err;
}

// Finds the file open() should open, creating it for O_CREAT (*created says so: a new
// file opens whatever its mode, as on Linux).
static long open_inode(struct inode *dir, const char *path, int flags, uint32_t mode,
                       struct inode **ip, bool *created) {
    int follow = (flags & O_NOFOLLOW) ? 0 : FS_FOLLOW;
    if (!(flags & O_CREAT))
        return fs_lookup(dir, path, follow, ip);
    struct fs_last last;
    long err = fs_lookup_parent(dir, path, &last);
    if (err)
        return err;
    if (last.must_be_dir)
        return -EISDIR;              // open("name/", O_CREAT), whatever name is (Linux's first)
    err = fs_lookup(dir, path, follow, ip);
    if (err == 0 && (flags & O_EXCL))
        return -EEXIST;
    if (err == 0)
        return S_ISDIR((*ip)->mode) ? -EISDIR : 0;   // O_CREAT never opens a directory
    if (err != -ENOENT)
        return err;
    if (last.dir->mnt)
        return last.dir->mnt->create_err;    // procfs, sysfs: no new files
    if (last.dir->nlink && (err = may_change_dir(last.dir)))
        return err;
    err = fs_create(last.dir, last.name, mode & ~UMASK & 07777, ip);
    if (!err) {
        inode_init_owner(last.dir, *ip);
        *created = true;
    }
    return err;
}

// open's permission check on an existing file (Linux's may_open): read and/or write as the
// access mode says, and write for O_TRUNC.
static long may_open(struct inode *ip, int flags) {
    int acc = flags & O_ACCMODE, mask = 0;
    if (acc == O_RDONLY || acc == O_RDWR)
        mask |= MAY_READ;
    if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
        mask |= MAY_WRITE;
    return inode_permission(ip, mask);
}

// open's work on the file found (or made): ip, which the caller holds a reference to.
static long open_found(struct inode *ip, int flags, bool created) {
    long err;
    int acc = flags & O_ACCMODE;
    if (S_ISLNK(ip->mode))
        return -ELOOP;               // O_NOFOLLOW on a symlink
    if (S_ISDIR(ip->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
        return -EISDIR;
    if ((flags & O_DIRECTORY) && !S_ISDIR(ip->mode))
        return -ENOTDIR;
    if (!created && (err = may_open(ip, flags)))
        return err;
    // A file another process is starting as its program may not be written: ETXTBSY. The
    // file opened for writing keeps the access (file.c gives it back at the last close).
    bool keeps = open_writes(flags);     // the open file keeps it (file.c)
    bool writes = S_ISREG(ip->mode) && (keeps || (flags & O_TRUNC));
    if (writes && (err = fs_get_write_access(ip)))
        return err;
    // Linux truncates even for O_RDONLY (POSIX leaves that case open).
    if ((flags & O_TRUNC) && S_ISREG(ip->mode))
        err = fs_truncate(ip, 0);
    if (writes && (err || !keeps))
        fs_put_write_access(ip);
    if (err)
        return err;
    const struct file_ops *ops = &inode_file_ops;
    if (S_ISCHR(ip->mode) && !(ops = dev_file_ops(ip->rdev)))
        return -ENXIO;                   // a node for a device this kernel does not have
    if (S_ISBLK(ip->mode) || S_ISSOCK(ip->mode))
        return -ENXIO;                   // no block devices; a socket's name never opens
    unsigned int fflags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
    struct file *f = NULL;
    if (S_ISFIFO(ip->mode)) {
        if ((err = fifo_open(ip, fflags, &f)))
            return err;
    } else if (!(f = file_alloc(ops, ip, fflags))) {
        if (writes && keeps)
            fs_put_write_access(ip);
        return -ENOMEM;
    }
    int fd = fd_install(current(), f, flags & O_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd;
}

// The file found is held (fs_get) until the open file holds it: the open may sleep - a
// FIFO's open waits for the other end, O_TRUNC for the file's write lock, and the
// truncate lets the BKL go while it frees the pages - and the file's last name may be
// unlinked meanwhile (which would free it under the open, and under the truncate).
static long do_openat(int dirfd, uint64_t upath, int flags, uint32_t mode) {
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    struct inode *dir, *ip = NULL;
    bool created = false;
    err = path_start_dir(dirfd, path, &dir);
    if (!err)
        err = open_inode(dir, path, flags, mode, &ip, &created);
    kfree(path);
    if (err)
        return err;
    fs_get(ip);
    err = open_found(ip, flags, created);
    fs_put(ip);
    return err;
}

SYSCALL(open) {
    uint64_t pathname = a0;
    int flags = (int)a1;
    uint32_t mode = (uint32_t)a2;
    return do_openat(AT_FDCWD, pathname, flags, mode);
}
SYSCALL(creat) {                 // open(path, O_CREAT | O_WRONLY | O_TRUNC, mode)
    uint64_t pathname = a0;
    uint32_t mode = (uint32_t)a1;
    return do_openat(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
SYSCALL(openat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    int flags = (int)a2;
    uint32_t mode = (uint32_t)a3;
    return do_openat(dirfd, pathname, flags, mode);
}

#define AT_NO_AUTOMOUNT    0x800     // accepted, as by Linux: there is nothing to automount
#define AT_STATX_SYNC_TYPE 0x6000    // accepted, as by Linux: nothing is remote

// What fstatat and statx say of the file at (dirfd, upath): into *st.
static long stat_at(int dirfd, uint64_t upath, int flags, struct kstat *st) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
        return -EINVAL;
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    err = 0;
    if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(dirfd);
        if (dirfd == AT_FDCWD)
            inode_stat(current()->fs->cwd, st);
        else if (f)
            f->ops->stat(f, st);
        else
            err = -EBADF;
    } else {
        struct inode *dir, *ip;
        err = path_start_dir(dirfd, path, &dir);
        if (!err)
            err = fs_lookup(dir, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : FS_FOLLOW, &ip);
        if (!err)
            inode_stat(ip, st);
    }
    kfree(path);
    return err;
}

static long do_stat(int dirfd, uint64_t upath, uint64_t ustat, int flags) {
    struct kstat st;
    long err = stat_at(dirfd, upath, flags, &st);
    return err ? err : copy_to_user((void *)ustat, &st, sizeof st);
}

// struct statx, Linux's 256 bytes, and the fields a mask can ask for.
struct statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t pad; };
struct statx_k {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint64_t spare[13];
};
_Static_assert(sizeof(struct statx_k) == 256, "struct statx is 256 bytes");
#define STATX_BASIC_STATS 0x7ffu        // type, mode, nlink, uid, gid, times, ino, size, blocks
#define STATX_MNT_ID      0x1000u
#define STATX__RESERVED   0x80000000u

static struct statx_timestamp stamp(uint64_t sec, uint64_t nsec) {
    return (struct statx_timestamp){ (int64_t)sec, (uint32_t)nsec, 0 };
}

// statx(int dirfd, const char *pathname, int flags, unsigned int mask,
//       struct statx *statxbuf): what fstatat says, in statx's shape. Every basic field is
// filled whatever the mask asks (as Linux's filesystems do); no birth time is kept.
SYSCALL(statx) {
    int dirfd = (int)a0, flags = (int)a2;
    uint64_t pathname = a1, ubuf = a4;
    unsigned mask = (unsigned)a3;
    if ((mask & STATX__RESERVED) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
        return -EINVAL;
    struct kstat st;
    long err = stat_at(dirfd, pathname, flags, &st);
    if (err)
        return err;
    struct statx_k x = {
        .stx_mask = STATX_BASIC_STATS | STATX_MNT_ID, .stx_blksize = (uint32_t)st.st_blksize,
        .stx_nlink = (uint32_t)st.st_nlink, .stx_uid = st.st_uid, .stx_gid = st.st_gid,
        .stx_mode = (uint16_t)st.st_mode, .stx_ino = st.st_ino, .stx_size = (uint64_t)st.st_size,
        .stx_blocks = (uint64_t)st.st_blocks,
        .stx_atime = stamp(st.st_atime_sec, st.st_atime_nsec),
        .stx_ctime = stamp(st.st_ctime_sec, st.st_ctime_nsec),
        .stx_mtime = stamp(st.st_mtime_sec, st.st_mtime_nsec),
        .stx_rdev_major = (uint32_t)(st.st_rdev >> 8),
        .stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff),
        .stx_dev_major = (uint32_t)(st.st_dev >> 8), .stx_dev_minor = (uint32_t)(st.st_dev & 0xff),
        .stx_mnt_id = st.st_dev,
    };
    return copy_to_user((void *)ubuf, &x, sizeof x);
}

SYSCALL(stat) {
    uint64_t pathname = a0, statbuf = a1;
    return do_stat(AT_FDCWD, pathname, statbuf, 0);
}
SYSCALL(lstat) {
    uint64_t pathname = a0, statbuf = a1;
    return do_stat(AT_FDCWD, pathname, statbuf, AT_SYMLINK_NOFOLLOW);
}
SYSCALL(newfstatat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1, statbuf = a2;
    int flags = (int)a3;
    return do_stat(dirfd, pathname, statbuf, flags);
}

#define F_OK 0
#define X_OK 1
#define AT_EACCESS 0x200

// access, faccessat, faccessat2: checked as the real user and group (AT_EACCESS: as the
// effective ones), with perm.c's rules: root may read and write anything, and execute what
// has some x bit, or a directory.
static long do_faccessat(int dirfd, uint64_t upath, int mode, int flags) {
    if (mode & ~7)
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct inode *ip;
    long err = path_inode_at(dirfd, upath, flags & ~AT_EACCESS, &ip);
    if (err || !ip)
        return err;
    const struct cred *c = &current()->cred;
    if (flags & AT_EACCESS)
        return inode_permission(ip, mode);
    return inode_permission_as(ip, mode, c->uid, c->gid);   // the real ids, as access(2)
}

SYSCALL(access) {
    uint64_t pathname = a0;
    int mode = (int)a1;
    return do_faccessat(AT_FDCWD, pathname, mode, 0);
}
SYSCALL(faccessat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    int mode = (int)a2;
    return do_faccessat(dirfd, pathname, mode, 0);
}
SYSCALL(faccessat2) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    int mode = (int)a2, flags = (int)a3;
    return do_faccessat(dirfd, pathname, mode, flags);
}

// readlink and readlinkat. An empty path names dirfd's own file, which is never a link
// here (no O_PATH): -ENOENT, as Linux says for a file that is not one.
static long do_readlinkat(int dirfd, uint64_t pathname, uint64_t ubuf, int bufsiz) {
    if (bufsiz <= 0)
        return -EINVAL;
    struct inode *ip;
    long err = path_inode_at(dirfd, pathname, AT_SYMLINK_NOFOLLOW, &ip);
    if (err)
        return err;
    if (!S_ISLNK(ip->mode))
        return -EINVAL;
    char *buf = kmalloc(ip->size);   // a target is up to FS_PATH_MAX - 1 bytes
    if (!buf)
        return -ENOMEM;
    long n = fs_readlink(ip, buf, (size_t)bufsiz);   // bufsiz is an int, > 0 here
    if (n > 0 && copy_to_user((void *)ubuf, buf, n))
        n = -EFAULT;
    kfree(buf);
    return n;
}

SYSCALL(readlink) {
    uint64_t pathname = a0, ubuf = a1;
    int bufsiz = (int)a2;
    return do_readlinkat(AT_FDCWD, pathname, ubuf, bufsiz);
}
SYSCALL(readlinkat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1, ubuf = a2;
    int bufsiz = (int)a3;
    return do_readlinkat(dirfd, pathname, ubuf, bufsiz);
}

// The directory chdir and chroot go to: it must be one, and searchable (Linux's order).
static long dir_for(uint64_t upath, struct inode **out) {
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    err = fs_lookup(current()->fs->cwd, path, FS_FOLLOW, out);
    kfree(path);
    if (!err && !S_ISDIR((*out)->mode))
        err = -ENOTDIR;
    return err ? err : inode_permission(*out, MAY_EXEC);
}

// Replaces the directory *slot holds a reference to.
static void set_dir(struct inode **slot, struct inode *ip) {
    fs_get(ip);
    fs_put(*slot);
    *slot = ip;
}

SYSCALL(chdir) {
    uint64_t upath = a0;
    struct inode *ip;
    long err = dir_for(upath, &ip);
    if (!err)
        set_dir(&current()->fs->cwd, ip);
    return err;
}

// fchdir(fd): to the directory fd has open (find and nftw go back this way).
SYSCALL(fchdir) {
    int fd = (int)a0;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!f->ip || !S_ISDIR(f->ip->mode))
        return -ENOTDIR;
    long err = inode_permission(f->ip, MAY_EXEC);
    if (!err)
        set_dir(&current()->fs->cwd, f->ip);
    return err;
}

// chroot: the directory becomes "/" for this process (and whoever shares its fs_struct);
// its ".." leads nowhere higher. The working directory stays where it is, as in Linux.
SYSCALL(chroot) {
    uint64_t upath = a0;
    struct inode *ip;
    long err = dir_for(upath, &ip);
    if (!err && !capable())
        err = -EPERM;                    // CAP_SYS_CHROOT, checked last
    if (!err)
        set_dir(&current()->fs->root, ip);
    return err;
}

// The name `child` has in directory `dir`, found by reading the directory.
// getcwd: the working directory's path (fs_path.c builds it from the end).
SYSCALL(getcwd) {
    uint64_t ubuf = a0, size = a1;
    char *buf = kmalloc(FS_PATH_MAX);
    if (!buf)
        return -ENOMEM;
    long at = fs_dir_path(current()->fs->cwd, buf, FS_PATH_MAX), len = at;
    if (at >= 0) {
        size_t need = FS_PATH_MAX - (size_t)at;
        len = need > size ? -ERANGE : copy_to_user((void *)ubuf, buf + at, need) ? -EFAULT : (long)need;
    }
    kfree(buf);
    return len;
}

// struct linux_dirent64, 8-byte aligned records; and getdents's older struct linux_dirent,
// with no d_type in its head: that is the record's last byte, after the name's NUL.
struct dirent64_head { uint64_t d_ino; int64_t d_off; uint16_t d_reclen; uint8_t d_type; } __attribute__((packed));
struct dirent_head { uint64_t d_ino; int64_t d_off; uint16_t d_reclen; } __attribute__((packed));

// One entry as a record of either format, into rec (big enough); its length.
static size_t dirent_record(char *rec, const struct fs_dirent *d, int64_t off, bool old) {
    size_t namelen = strlen(d->name);
    size_t head = old ? sizeof(struct dirent_head) : sizeof(struct dirent64_head);
    size_t reclen = (head + namelen + 1 + old + 7) & ~7ul;
    memset(rec, 0, reclen);
    if (old) {
        struct dirent_head h = { d->ino, off, (uint16_t)reclen };
        memcpy(rec, &h, sizeof h);
        rec[reclen - 1] = (char)d->type;
    } else {
        struct dirent64_head h = { d->ino, off, (uint16_t)reclen, d->type };
        memcpy(rec, &h, sizeof h);
    }
    memcpy(rec + head, d->name, namelen);
    return reclen;
}

static long do_getdents(int fd, uint64_t dirp, uint64_t count, bool old) {
    if (count > INT32_MAX)
        count = 0;                       // Linux keeps it in an int: nothing fits (EINVAL)
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!f->ip || !S_ISDIR(f->ip->mode))
        return -ENOTDIR;
    if (f->ip->nlink == 0)
        return -ENOENT;                  // Linux: a removed directory lists nothing at all
    struct fs_dirent *d = kmalloc(sizeof *d);
    char *rec = kmalloc(sizeof(struct dirent64_head) + FS_NAME_MAX + 16);   // either format
    long done = 0;
    if (!d || !rec)
        done = -ENOMEM;
    while (done >= 0) {
        uint64_t pos = f->pos;
        if (fs_readdir(f->ip, &pos, d) != 1)
            break;
        size_t reclen = dirent_record(rec, d, (int64_t)pos, old);
        if ((uint64_t)done + reclen > count) {
            if (done == 0)
                done = -EINVAL;                 // not even one entry fits
            break;
        }
        if (copy_to_user((void *)(dirp + done), rec, reclen)) {
            done = done ? done : -EFAULT;
            break;
        }
        done += (long)reclen;
        f->pos = pos;
    }
    kfree(d);
    kfree(rec);
    return done;
}

// The count is an unsigned int in Linux: the upper half is not used.
SYSCALL(getdents64) { return do_getdents((int)a0, a1, (uint32_t)a2, false); }
SYSCALL(getdents)   { return do_getdents((int)a0, a1, (uint32_t)a2, true); }

// ---------------------------------------------------------------- creating and removing names

// Resolves the directory a create-like call acts in: dirfd and path to (dir, last name).
static long at_parent(int dirfd, uint64_t upath, struct fs_last *last) {
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    struct inode *dir;
    err = path_start_dir(dirfd, path, &dir);
    if (!err)
        err = fs_lookup_parent(dir, path, last);
    kfree(path);
    return err;
}

// May the caller add last's name? If the name exists, or cannot be added anyway (a removed
// directory, procfs, "." or ".."), the call itself gives its error (EEXIST, ENOENT) first,
// as Linux's lookup does before the permission check.
long path_may_create(struct fs_last *last) {
    struct inode *ip;
    if (ramfs_is_dot(last->name, strlen(last->name)) || last->dir->nlink == 0 || last->dir->mnt
        || fs_lookup(last->dir, last->name, 0, &ip) == 0)
        return 0;
    return may_change_dir(last->dir);
}

// May the caller remove last's name? Missing or unremovable names: the call's own error.
static long path_may_remove(struct fs_last *last) {
    struct inode *ip;
    if (ramfs_is_dot(last->name, strlen(last->name)) || last->dir->mnt
        || fs_lookup(last->dir, last->name, 0, &ip) != 0)
        return 0;
    return may_delete(last->dir, ip);
}

static long do_mkdirat(int dirfd, uint64_t upath, uint32_t mode) {
    struct fs_last last;
    struct inode *ip;
    long err = at_parent(dirfd, upath, &last);
    if (!err)
        err = path_may_create(&last);
    if (!err && !(err = fs_mkdir(last.dir, last.name, mode & ~UMASK & 07777, &ip)))
        inode_init_owner(last.dir, ip);
    return err;
}

#define AT_REMOVEDIR 0x200

static long do_unlinkat(int dirfd, uint64_t upath, int flags) {
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    struct fs_last last;
    long err = at_parent(dirfd, upath, &last);
    if (!err)
        err = path_may_remove(&last);
    if (err)
        return err;
    if (flags & AT_REMOVEDIR)
        return fs_rmdir(last.dir, last.name);
    if (last.must_be_dir) {              // unlink("file/"): Linux says ENOTDIR, or EISDIR
        struct inode *ip;
        long e = fs_lookup(last.dir, last.name, 0, &ip);
        return e ? e : S_ISDIR(ip->mode) ? -EISDIR : -ENOTDIR;
    }
    return fs_unlink(last.dir, last.name);
}

SYSCALL(mkdir) {
    uint64_t pathname = a0;
    uint32_t mode = (uint32_t)a1;
    return do_mkdirat(AT_FDCWD, pathname, mode);
}
SYSCALL(mkdirat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    uint32_t mode = (uint32_t)a2;
    return do_mkdirat(dirfd, pathname, mode);
}
SYSCALL(unlink) {
    uint64_t pathname = a0;
    return do_unlinkat(AT_FDCWD, pathname, 0);
}
SYSCALL(rmdir) {
    uint64_t pathname = a0;
    return do_unlinkat(AT_FDCWD, pathname, AT_REMOVEDIR);
}
SYSCALL(unlinkat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    int flags = (int)a2;
    return do_unlinkat(dirfd, pathname, flags);
}

// ---------------------------------------------------------------- links and renaming

static long do_symlinkat(uint64_t utarget, int dirfd, uint64_t upath) {
    long err;
    char *target = path_from_user(utarget, &err);
    if (!target)
        return err;
    struct fs_last last;
    struct inode *ip;
    err = at_parent(dirfd, upath, &last);
    if (!err)
        err = last.must_be_dir ? -ENOENT : path_may_create(&last);
    if (!err && !(err = fs_symlink(last.dir, last.name, target, &ip)))
        inode_init_owner(last.dir, ip);
    kfree(target);
    return err;
}

#define AT_SYMLINK_FOLLOW 0x400

static long do_linkat(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, int flags) {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long err;
    char *old = path_from_user(uold, &err);
    if (!old)
        return err;
    struct inode *dir, *ip;
    err = path_start_dir(olddirfd, old, &dir);
    if (!err)
        err = fs_lookup(dir, old, (flags & AT_SYMLINK_FOLLOW) ? FS_FOLLOW : 0, &ip);
    kfree(old);
    if (err)
        return err;
    struct fs_last last;
    fs_get(ip);                          // keep it while the new name is looked up
    err = at_parent(newdirfd, unew, &last);
    if (!err)
        err = path_may_create(&last);
    if (!err)
        err = fs_link(last.dir, last.name, ip);
    fs_put(ip);
    return err;
}

static long do_renameat(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, unsigned flags) {
    if (flags)
        return -EINVAL;                  // RENAME_NOREPLACE and friends: not yet
    struct fs_last from, to;
    long err = at_parent(olddirfd, uold, &from);
    if (!err)
        err = at_parent(newdirfd, unew, &to);
    if (err)
        return err;
    struct inode *ip;
    if ((err = fs_lookup(from.dir, from.name, 0, &ip)))
        return err;
    if ((from.must_be_dir || to.must_be_dir) && !S_ISDIR(ip->mode))
        return -ENOTDIR;                 // "rename file/ x": the slash wants a directory
    if ((err = path_may_remove(&from)) || (err = path_may_remove(&to)) ||
        (err = path_may_create(&to)))
        return err;
    return fs_rename(from.dir, from.name, to.dir, to.name);
}

SYSCALL(symlink) {
    uint64_t target = a0, linkpath = a1;
    return do_symlinkat(target, AT_FDCWD, linkpath);
}
SYSCALL(symlinkat) {
    uint64_t target = a0;
    int newdirfd = (int)a1;
    uint64_t linkpath = a2;
    return do_symlinkat(target, newdirfd, linkpath);
}
SYSCALL(link) {
    uint64_t oldpath = a0, newpath = a1;
    return do_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
SYSCALL(linkat) {
    int olddirfd = (int)a0;
    uint64_t oldpath = a1;
    int newdirfd = (int)a2;
    uint64_t newpath = a3;
    int flags = (int)a4;
    return do_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}
SYSCALL(rename) {
    uint64_t oldpath = a0, newpath = a1;
    return do_renameat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
SYSCALL(renameat) {
    int olddirfd = (int)a0;
    uint64_t oldpath = a1;
    int newdirfd = (int)a2;
    uint64_t newpath = a3;
    return do_renameat(olddirfd, oldpath, newdirfd, newpath, 0);
}
SYSCALL(renameat2) {
    int olddirfd = (int)a0;
    uint64_t oldpath = a1;
    int newdirfd = (int)a2;
    uint64_t newpath = a3;
    unsigned flags = (unsigned)a4;
    return do_renameat(olddirfd, oldpath, newdirfd, newpath, flags);
}
