// sys_attr.c: system calls that read or change a file's attributes rather than its data or
// its names: umask, chmod, chown, the time stamps (utimensat and its elders), truncate,
// statfs, mknod.
//
// Permission rules as Linux's (perm.c): chmod and explicit times need the owner or root,
// chown root (or the owner changing the group to one of its own), truncate and "now" times
// write permission; side effects as Linux's (chown clears set-user-id, every change sets
// ctime). procfs's files accept changes as Linux's do for root, but keep nothing: their
// attributes are made up on every lookup.
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "page_alloc.h"
#include "path.h"
#include "perm.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"

static struct fs_time wall_clock(void) {
    uint64_t ns = time_realtime_ns();
    return (struct fs_time){ (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
}

void fs_boot(void) {
    fs_set_clock(wall_clock);
    fs_set_page_limit(nr_managed_pages() / 2);
    fs_init();
    perm_init();
}

SYSCALL(umask) {
    unsigned mask = (unsigned)a0;
    struct fs_struct *fs = current()->fs;
    unsigned old = fs->umask;
    fs->umask = mask & 0777;
    return old;
}

// ---------------------------------------------------------------- chmod

// Only the owner (or root) may; set-group-id goes unless the file's group is the caller's.
static long set_mode(struct inode *ip, uint32_t mode) {
    if (!ip)
        return 0;
    if (!owner_or_capable(ip))
        return -EPERM;
    if (ip->mnt)
        return 0;
    if (!capable() && !in_group(ip->gid))
        mode &= ~(uint32_t)S_ISGID;
    ip->mode = (ip->mode & S_IFMT) | (mode & 07777);
    fs_touch(ip, FS_CTIME);
    return 0;
}

SYSCALL(chmod) {
    uint64_t pathname = a0;
    uint32_t mode = (uint32_t)a1;
    struct inode *ip;
    long err = path_inode_at(AT_FDCWD, pathname, 0, &ip);
    return err ? err : set_mode(ip, mode);
}

SYSCALL(fchmod) {
    int fd = (int)a0;
    uint32_t mode = (uint32_t)a1;
    struct file *f = fd_get(fd);
    return f ? set_mode(f->ip, mode) : -EBADF;
}

SYSCALL(fchmodat) {                  // no flags argument: Linux's fchmodat has none
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    uint32_t mode = (uint32_t)a2;
    struct inode *ip;
    long err = path_inode_at(dirfd, pathname, 0, &ip);
    return err ? err : set_mode(ip, mode);
}

// ---------------------------------------------------------------- chown

// (uid_t)-1 leaves that id as it is. As Linux, even root's chown of a non-directory clears
// set-user-id, and set-group-id when group execute is set (otherwise it means locking).
// Root may give a file to anyone; its owner may only change its group, to one of its own.
static bool chown_ok(struct inode *ip, uint32_t uid, uint32_t gid) {
    if (capable())
        return true;
    bool owner = current()->cred.fsuid == ip->uid;
    if (uid != (uint32_t)-1 && (!owner || uid != ip->uid))
        return false;
    if (gid != (uint32_t)-1 && (!owner || (gid != ip->gid && !in_group(gid))))
        return false;
    return true;
}

static long set_owner(struct inode *ip, uint32_t uid, uint32_t gid) {
    if (!ip)
        return 0;
    if (!chown_ok(ip, uid, gid))
        return -EPERM;
    if (ip->mnt)
        return 0;
    if (uid != (uint32_t)-1)
        ip->uid = uid;
    if (gid != (uint32_t)-1)
        ip->gid = gid;
    if (!S_ISDIR(ip->mode)) {
        ip->mode &= ~(uint32_t)S_ISUID;
        if (ip->mode & S_IXGRP)
            ip->mode &= ~(uint32_t)S_ISGID;
    }
    fs_touch(ip, FS_CTIME);
    return 0;
}

static long do_fchownat(int dirfd, uint64_t upath, uint32_t uid, uint32_t gid, int flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct inode *ip;
    long err = path_inode_at(dirfd, upath, flags, &ip);
    return err ? err : set_owner(ip, uid, gid);
}

SYSCALL(chown) {
    uint64_t pathname = a0;
    uint32_t owner = (uint32_t)a1, group = (uint32_t)a2;
    return do_fchownat(AT_FDCWD, pathname, owner, group, 0);
}
SYSCALL(lchown) {
    uint64_t pathname = a0;
    uint32_t owner = (uint32_t)a1, group = (uint32_t)a2;
    return do_fchownat(AT_FDCWD, pathname, owner, group, AT_SYMLINK_NOFOLLOW);
}
SYSCALL(fchownat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    uint32_t owner = (uint32_t)a2, group = (uint32_t)a3;
    int flags = (int)a4;
    return do_fchownat(dirfd, pathname, owner, group, flags);
}

SYSCALL(fchown) {
    int fd = (int)a0;
    uint32_t owner = (uint32_t)a1, group = (uint32_t)a2;
    struct file *f = fd_get(fd);
    return f ? set_owner(f->ip, owner, group) : -EBADF;
}

// ---------------------------------------------------------------- time stamps

#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)

struct timespec_u { int64_t sec, nsec; };    // struct timespec and struct timeval alike

static bool nsec_valid(int64_t nsec) {
    return (nsec >= 0 && nsec <= 999999999) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

// Sets atime and mtime from t[0], t[1] (NULL: both now); ctime becomes now.
// Setting a time of one's choice needs ownership (-EPERM); setting "now" needs ownership
// or write permission (-EACCES), as Linux's setattr_prepare.
static long may_set_times(struct inode *ip, const struct timespec_u *t) {
    bool explicit = t && ((t[0].nsec != UTIME_NOW && t[0].nsec != UTIME_OMIT) ||
                          (t[1].nsec != UTIME_NOW && t[1].nsec != UTIME_OMIT));
    if (owner_or_capable(ip))
        return 0;
    if (explicit)
        return -EPERM;
    return inode_permission(ip, MAY_WRITE);
}

static long set_times(struct inode *ip, const struct timespec_u *t) {
    if (t && (!nsec_valid(t[0].nsec) || !nsec_valid(t[1].nsec)))
        return -EINVAL;
    if (!ip)
        return 0;
    long err = may_set_times(ip, t);
    if (err || ip->mnt)
        return err;
    struct fs_time now = fs_now(), *dst[2] = { &ip->atime, &ip->mtime };
    for (int i = 0; i < 2; i++) {
        if (!t || t[i].nsec == UTIME_NOW)
            *dst[i] = now;
        else if (t[i].nsec != UTIME_OMIT)
            *dst[i] = (struct fs_time){ t[i].sec, t[i].nsec };
    }
    ip->ctime = now;
    return 0;
}

// Linux's order: a NULL path with a real dirfd means that file (no flags allowed), else the
// flags are checked, then the path is resolved, and only then are the nanoseconds checked.
static long do_utimes(int dirfd, uint64_t upath, const struct timespec_u *t, int flags) {
    struct inode *ip;
    long err;
    if (upath == 0 && dirfd != AT_FDCWD) {
        if (flags)
            return -EINVAL;
        struct file *f = fd_get(dirfd);
        if (!f)
            return -EBADF;
        ip = f->ip;
    } else {
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
            return -EINVAL;
        if ((err = path_inode_at(dirfd, upath, flags, &ip)))
            return err;
    }
    return set_times(ip, t);
}

SYSCALL(utimensat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1, times = a2;
    int flags = (int)a3;
    struct timespec_u t[2];
    if (times) {
        if (copy_from_user(t, (const void *)times, sizeof t))
            return -EFAULT;
        if (t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT)
            return 0;                    // nothing to do: Linux does not even look at the path
    }
    return do_utimes(dirfd, pathname, times ? t : NULL, flags);
}

// utimes and futimesat take struct timeval pairs: microseconds, checked before the path.
static long do_futimesat(int dirfd, uint64_t upath, uint64_t utv) {
    struct timespec_u t[2];
    if (utv) {
        if (copy_from_user(t, (const void *)utv, sizeof t))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (t[i].nsec < 0 || t[i].nsec >= 1000000)
                return -EINVAL;
            t[i].nsec *= 1000;
        }
    }
    return do_utimes(dirfd, upath, utv ? t : NULL, 0);
}

SYSCALL(utimes) {
    uint64_t filename = a0, times = a1;
    return do_futimesat(AT_FDCWD, filename, times);
}
SYSCALL(futimesat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1, times = a2;
    return do_futimesat(dirfd, pathname, times);
}

SYSCALL(utime) {                     // struct utimbuf: two whole seconds
    uint64_t filename = a0, times = a1;
    struct timespec_u t[2];
    int64_t secs[2];
    if (times) {
        if (copy_from_user(secs, (const void *)times, sizeof secs))
            return -EFAULT;
        t[0] = (struct timespec_u){ secs[0], 0 };
        t[1] = (struct timespec_u){ secs[1], 0 };
    }
    return do_utimes(AT_FDCWD, filename, times ? t : NULL, 0);
}

// ---------------------------------------------------------------- truncate

SYSCALL(truncate) {
    uint64_t path = a0, length = a1;
    if ((int64_t)length < 0)
        return -EINVAL;
    struct inode *ip;
    long err = path_inode_at(AT_FDCWD, path, 0, &ip);
    if (err)
        return err;
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    if (!S_ISREG(ip->mode))
        return -EINVAL;
    if ((err = inode_permission(ip, MAY_WRITE)))
        return err;
    if ((err = fs_get_write_access(ip)))
        return err;                  // a program being started from it: ETXTBSY
    fs_get(ip);                      // the truncate may sleep, and lets the BKL go while it
    err = fs_truncate(ip, length);   // frees pages: an unlink of the last name meanwhile
    fs_put_write_access(ip);         // must not free the file under it
    fs_put(ip);
    return err;
}

// Linux: the length first, then the descriptor; a file not open for writing, or not a
// regular file, is -EINVAL.
SYSCALL(ftruncate) {
    int fd = (int)a0;
    uint64_t length = a1;
    if ((int64_t)length < 0)
        return -EINVAL;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!f->ip || !S_ISREG(f->ip->mode) || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    return fs_truncate(f->ip, length);
}

#define FALLOC_FL_KEEP_SIZE      0x01
#define FALLOC_FL_PUNCH_HOLE     0x02
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE     0x10
#define FALLOC_FL_INSERT_RANGE   0x20
#define FALLOC_FL_UNSHARE_RANGE  0x40
#define FALLOC_FL_WRITE_ZEROES   0x80
#define FALLOC_FL_SUPPORTED      0xff   // every flag Linux knows (vfs_fallocate)

// Linux's checks of the mode alone (vfs_fallocate): one mode, with KEEP_SIZE where it
// makes sense. 0 or -EOPNOTSUPP.
static long falloc_mode_ok(int mode) {
    if (mode & ~FALLOC_FL_SUPPORTED)
        return -EOPNOTSUPP;
    bool keep = mode & FALLOC_FL_KEEP_SIZE;
    switch (mode & ~FALLOC_FL_KEEP_SIZE) {
    case 0: case FALLOC_FL_UNSHARE_RANGE: case FALLOC_FL_ZERO_RANGE:
        return 0;
    case FALLOC_FL_PUNCH_HOLE:
        return keep ? 0 : -EOPNOTSUPP;
    case FALLOC_FL_COLLAPSE_RANGE: case FALLOC_FL_INSERT_RANGE: case FALLOC_FL_WRITE_ZEROES:
        return keep ? -EOPNOTSUPP : 0;
    default:
        return -EOPNOTSUPP;          // two modes at once
    }
}

// fallocate(fd, mode, offset, len), as tmpfs answers it: mode 0 makes the file at least
// offset + len long (the new bytes read as zeros; no page is set aside for them ahead, so a
// full tmpfs says ENOSPC at the write, not here); FALLOC_FL_KEEP_SIZE alone changes
// nothing; with FALLOC_FL_PUNCH_HOLE the range reads as zeros afterwards (its pages are
// zeroed, not freed: ramfs_data.c's fs_zero_range). The other modes:
// EOPNOTSUPP, as from tmpfs. glibc's posix_fallocate comes here first.
SYSCALL(fallocate) {
    int fd = (int)a0, mode = (int)a1;
    int64_t offset = (int64_t)a2, len = (int64_t)a3;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (offset < 0 || len <= 0)
        return -EINVAL;
    long err = falloc_mode_ok(mode);
    if (err)
        return err;
    if (!open_writes(f->flags))
        return -EBADF;
    if (file_pipe(f))
        return -ESPIPE;
    if (f->ip && S_ISDIR(f->ip->mode))
        return -EISDIR;
    if (!f->ip || !S_ISREG(f->ip->mode))
        return -ENODEV;
    uint64_t end = (uint64_t)offset + (uint64_t)len;
    if (end > FS_FILE_MAX)
        return -EFBIG;
    if (f->ip->mnt || (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
        return -EOPNOTSUPP;          // (procfs's files, and the modes tmpfs lacks)
    struct inode *ip = f->ip;
    if (mode & FALLOC_FL_PUNCH_HOLE) {
        if (ip->seals & (FS_SEAL_WRITE | FS_SEAL_FUTURE_WRITE))
            return -EPERM;
        return fs_zero_range(ip, (uint64_t)offset, end);
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ip->size)
        return fs_truncate(ip, end);
    return 0;
}

// ---------------------------------------------------------------- statfs

#define TMPFS_MAGIC      0x01021994
#define ST_VALID         0x0020      // f_flags is filled in
#define ST_RELATIME      0x1000

struct kstatfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

// tmpfs's default size is half the RAM, in pages, and as many inodes; procfs has no blocks.
static void fill_statfs(struct inode *ip, struct kstatfs *s) {
    memset(s, 0, sizeof *s);
    s->f_bsize = s->f_frsize = 4096;
    s->f_namelen = FS_NAME_MAX;
    s->f_flags = ST_VALID | ST_RELATIME;
    if (ip && ip->mnt) {
        s->f_type = ip->mnt->magic;      // procfs's or sysfs's
        return;
    }
    s->f_type = TMPFS_MAGIC;
    uint64_t used = fs_pages_used(), limit = fs_page_limit(), free = nr_free_pages();
    if (limit > nr_managed_pages())
        limit = nr_managed_pages() / 2;
    s->f_blocks = limit;
    s->f_bfree = s->f_bavail = used < limit ? (limit - used < free ? limit - used : free) : 0;
    s->f_files = nr_managed_pages() / 2;
    s->f_ffree = s->f_files > fs_nr_inodes() ? s->f_files - fs_nr_inodes() : 0;
}

SYSCALL(statfs) {
    uint64_t path = a0, buf = a1;
    struct inode *ip;
    long err = path_inode_at(AT_FDCWD, path, 0, &ip);
    if (err)
        return err;
    struct kstatfs s;
    fill_statfs(ip, &s);
    return copy_to_user((void *)buf, &s, sizeof s);
}

SYSCALL(fstatfs) {
    int fd = (int)a0;
    uint64_t buf = a1;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    struct kstatfs s;
    fill_statfs(f->ip, &s);
    return copy_to_user((void *)buf, &s, sizeof s);
}

// ---------------------------------------------------------------- mknod

// The type is checked before the path (a directory: -EPERM; no type at all means a regular
// file; an unknown one -EINVAL), then the umask applies. dev is Linux's 32-bit encoding,
// stored as it is: stat gives it back the same way.
static long do_mknodat(int dirfd, uint64_t upath, uint32_t mode, uint32_t dev) {
    switch (mode & S_IFMT) {
    case 0: mode |= S_IFREG; break;
    case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK: break;
    case S_IFDIR: return -EPERM;
    default: return -EINVAL;
    }
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    struct inode *ip;
    err = mknod_path(dirfd, path, mode, dev, &ip);
    kfree(path);
    return err;
}

long mknod_path(int dirfd, const char *path, uint32_t mode, uint32_t dev, struct inode **out) {
    struct inode *dir;
    struct fs_last last;
    long err;
    if (!(err = path_start_dir(dirfd, path, &dir)))
        err = fs_lookup_parent(dir, path, &last);
    if (!err && last.must_be_dir) {      // "mknod name/": EEXIST if it exists, else ENOENT
        struct inode *ip;
        err = fs_lookup(last.dir, last.name, 0, &ip) == 0 ? -EEXIST : -ENOENT;
    }
    bool dev_node = S_ISCHR(mode) || S_ISBLK(mode);
    if (!err)
        err = path_may_create(&last);
    if (!err && dev_node && !capable())
        err = -EPERM;                    // Linux: device nodes need CAP_MKNOD
    if (!err) {
        uint32_t perm = mode & 07777 & ~current()->fs->umask;
        err = fs_mknod(last.dir, last.name, (mode & S_IFMT) | perm, dev_node ? dev : 0, out);
        if (!err)
            inode_init_owner(last.dir, *out);
    }
    return err;
}

SYSCALL(mknod) {
    uint64_t pathname = a0;
    uint32_t mode = (uint32_t)a1, dev = (uint32_t)a2;
    return do_mknodat(AT_FDCWD, pathname, mode, dev);
}
SYSCALL(mknodat) {
    int dirfd = (int)a0;
    uint64_t pathname = a1;
    uint32_t mode = (uint32_t)a2, dev = (uint32_t)a3;
    return do_mknodat(dirfd, pathname, mode, dev);
}
