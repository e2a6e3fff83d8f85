// memfd.c: memfd_create(2) and its seals (fcntl F_ADD_SEALS, F_GET_SEALS), as Linux's
// mm/memfd.c.
//
// A memfd is a regular ramfs file that no directory names (fs_create_unlinked), opened
// O_RDWR: read, write, ftruncate and mmap are those of any ramfs file, so a MAP_SHARED
// mapping of it is the file's own pages (the page cache, ramfs_data.c), the same memory in
// every process that maps it, before and after fork. It lives while a descriptor or a
// mapping holds it. /proc/<pid>/fd shows it as Linux does: "/memfd:NAME (deleted)".
//
// Seals (Linux's F_SEAL_*): the inode's `seals`. Without MFD_ALLOW_SEALING a memfd is
// born with F_SEAL_SEAL (no more seals). SHRINK and GROW make ramfs_data.c refuse a
// truncate or write that would change the size (-EPERM); WRITE and FUTURE_WRITE refuse
// writes and new writable shared mappings (sys_mem.c), and WRITE is refused (-EBUSY) while
// a writable shared mapping exists; EXEC is recorded (and implies the others for an
// executable memfd, as Linux's), but chmod does not check it yet.
// Pages pinned by other means (Linux's memfd_wait_for_pins) do not exist here.
//
// Locking: the big kernel lock, as every system call here.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "memfd.h"
#include "mm.h"
#include "perm.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define MFD_CLOEXEC       0x0001u
#define MFD_ALLOW_SEALING 0x0002u
#define MFD_HUGETLB       0x0004u
#define MFD_NOEXEC_SEAL   0x0008u
#define MFD_EXEC          0x0010u
#define MFD_NAME_PREFIX   "memfd:"
#define MFD_NAME_MAX      (FS_NAME_MAX - (sizeof MFD_NAME_PREFIX - 1))   // 249
#define ALL_SEALS         (FS_SEAL_SEAL | FS_SEAL_SHRINK | FS_SEAL_GROW | FS_SEAL_WRITE | \
                           FS_SEAL_FUTURE_WRITE | FS_SEAL_EXEC)

// int memfd_create(const char *name, unsigned int flags). Linux's checks, in its order:
// the flags (EINVAL; MFD_HUGETLB too: there are no huge pages here), the name (EFAULT,
// EINVAL past 249 bytes).
SYSCALL(memfd_create) {
    uint64_t uname = a0;
    unsigned flags = (unsigned)a1;
    if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
        return -EINVAL;
    if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
        return -EINVAL;
    char *name = kmalloc(FS_NAME_MAX + 1);
    if (!name)
        return -ENOMEM;
    memcpy(name, MFD_NAME_PREFIX, sizeof MFD_NAME_PREFIX - 1);
    long len = strncpy_from_user(name + sizeof MFD_NAME_PREFIX - 1, (const char *)uname,
                                 MFD_NAME_MAX + 1);
    if (len < 0) {
        kfree(name);
        return len == -ENAMETOOLONG ? -EINVAL : len;
    }
    struct inode *ip;
    struct file *f = NULL;
    if (fs_create_unlinked((flags & MFD_NOEXEC_SEAL) ? 0666 : 0777, &ip) == 0) {
        inode_init_owner(fs_root(), ip);
        ip->memfd_name = name;          // the inode frees it from now on
        name = NULL;
        ip->seals = (flags & MFD_NOEXEC_SEAL) ? FS_SEAL_EXEC
                  : (flags & MFD_ALLOW_SEALING) ? 0 : FS_SEAL_SEAL;
        fs_get(ip);                     // (the file takes its own; this one frees on failure)
        f = file_alloc(&inode_file_ops, ip, O_RDWR | O_LARGEFILE);
        if (f)
            fs_get_write_access(ip);    // (a new inode has no exec denying it: cannot fail)
        fs_put(ip);
    }
    kfree(name);
    if (!f)
        return -ENOMEM;
    int fd = fd_install(current(), f, flags & MFD_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd < 0 ? -EMFILE : fd;
}

// Linux's memfd_add_seals. Under the file's write lock, as Linux's under the inode lock: a
// write in progress (which runs without the BKL) ends before a seal that forbids it comes.
static long seal_locked(struct inode *ip, unsigned seals) {
    if (ip->seals & FS_SEAL_SEAL)
        return -EPERM;
    if ((seals & FS_SEAL_WRITE) && !(ip->seals & FS_SEAL_WRITE) && mm_file_mapped_writable(ip))
        return -EBUSY;
    if ((seals & FS_SEAL_EXEC) && (ip->mode & 0111))
        seals |= FS_SEAL_SHRINK | FS_SEAL_GROW | FS_SEAL_WRITE | FS_SEAL_FUTURE_WRITE;
    ip->seals |= seals;
    return 0;
}

static long add_seals(struct file *f, unsigned seals) {
    if (!open_writes(f->flags))
        return -EPERM;
    if (seals & ~ALL_SEALS)
        return -EINVAL;
    fs_lock_write(f->ip);
    long err = seal_locked(f->ip, seals);
    fs_unlock_write(f->ip);
    return err;
}

long memfd_fcntl(struct file *f, unsigned int cmd, uint64_t arg) {
    if (!f->ip || !f->ip->memfd_name)
        return -EINVAL;                 // only a memfd has seals
    if (cmd == F_GET_SEALS)
        return f->ip->seals;
    return add_seals(f, (unsigned)arg);
}
