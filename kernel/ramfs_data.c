// ramfs_data.c: the contents of regular files (and symlinks) in the in-memory filesystem.
//
// A file's data is one kmalloc'ed buffer, grown (see file_reserve) up to FS_FILE_MAX.
// Invariant: the bytes between size and capacity are zero, so a hole (a write past the end,
// a truncate upwards) reads as zeros without extra work. In practice kmalloc's largest block
// (4 MiB) bounds a file's size; a list of pages can replace the buffer when that matters.
#include <errno.h>
#include <string.h>
#include "fs.h"
#include "kmalloc.h"

// Makes room for `need` bytes (need <= FS_FILE_MAX). The capacity at least doubles, so
// appending byte by byte costs O(n) copying in total, but one big write (a file unpacked from
// the initramfs) gets just what it needs. If doubling asks for too much, need is tried.
static int file_reserve(struct inode *ip, uint64_t need)
{
    if (need <= ip->file.cap)
        return 0;
    uint64_t cap = 2 * ip->file.cap;
    if (cap < need)
        cap = need;
    if (cap < 64)
        cap = 64;
    if (cap > FS_FILE_MAX)
        cap = FS_FILE_MAX;
    char *data = kmalloc(cap);
    if (!data && cap > need)
        data = kmalloc(cap = need);
    if (!data)
        return -ENOMEM;
    if (ip->size)
        memcpy(data, ip->file.data, ip->size);
    memset(data + ip->size, 0, cap - ip->size);     // the invariant: zero past the end
    if (!ip->file.borrowed)
        kfree(ip->file.data);
    ip->file.borrowed = false;
    ip->file.data = data;
    ip->file.cap = cap;
    return 0;
}

// Reading or writing anything but a regular file: a directory is -EISDIR, others -EINVAL.
static int check_regular(struct inode *ip)
{
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    return S_ISREG(ip->mode) ? 0 : -EINVAL;
}

long fs_read(struct inode *ip, uint64_t off, void *buf, size_t n)
{
    if (ip->mnt && ip->mnt->read)
        return ip->mnt->read(ip, off, buf, n);
    int err = check_regular(ip);
    if (err)
        return err;
    if (off >= ip->size)
        return 0;
    if (n > ip->size - off)
        n = ip->size - off;
    memcpy(buf, ip->file.data + off, n);
    return (long)n;
}

// As Linux: a write starting at or past the size limit is -EFBIG, one crossing it is cut
// short at the limit, and a write of 0 bytes does nothing (and succeeds) anywhere.
long fs_write(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
    int err = check_regular(ip);
    if (err || n == 0)
        return err;
    if (off >= FS_FILE_MAX)
        return -EFBIG;
    if (n > FS_FILE_MAX - off)
        n = FS_FILE_MAX - off;
    err = file_reserve(ip, off + n);
    if (err)
        return err;
    memcpy(ip->file.data + off, buf, n);
    if (off + n > ip->size)
        ip->size = off + n;
    return (long)n;
}

int fs_truncate(struct inode *ip, uint64_t size)
{
    int err = check_regular(ip);
    if (err)
        return err;
    if (size > FS_FILE_MAX)
        return -EFBIG;
    if (size > ip->size) {
        err = file_reserve(ip, size);        // the new bytes are zero already
        if (err)
            return err;
    } else if (size == 0) {
        if (!ip->file.borrowed)
            kfree(ip->file.data);
        ip->file.data = NULL;
        ip->file.cap = 0;
        ip->file.borrowed = false;
    } else {
        memset(ip->file.data + size, 0, ip->size - size);
    }
    ip->size = size;
    return 0;
}

int fs_adopt(struct inode *ip, const char *data, uint64_t size)
{
    int err = check_regular(ip);
    if (err)
        return err;
    if (size > FS_FILE_MAX)
        return -EFBIG;
    fs_truncate(ip, 0);
    if (size == 0)
        return 0;
    ip->file.data = (char *)data;
    ip->file.cap = size;                    // full: the next write that grows it copies
    ip->file.borrowed = true;
    ip->size = size;
    return 0;
}

long fs_readlink(struct inode *ip, char *buf, size_t n)
{
    if (!S_ISLNK(ip->mode))
        return -EINVAL;
    if (n > ip->size)
        n = ip->size;
    memcpy(buf, ip->target, n);
    return (long)n;
}

