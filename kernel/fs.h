// fs.h: the in-memory filesystem (ramfs.c) and the initramfs unpacker (initramfs.c).
//
// Everything returns 0 (or a count) on success and a negative errno (-ENOENT, ...) on failure,
// with the values and the choice of error Linux makes for the same call. Nothing panics on bad
// input, and a call that fails with -ENOMEM has changed nothing.
//
// Inode lifetime: an inode lives while a directory names it (nlink > 0) or someone holds a
// reference to it (refcount > 0, via fs_get/fs_put: open files, a process's cwd). Pointers
// handed out by fs_lookup() and friends are borrowed: they stay valid until the next call that
// removes a name (fs_unlink, fs_rmdir, fs_init). Keep one longer than that with fs_get().
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sleeplock.h"
#include "spinlock.h"

// File types and permission bits in the mode, with Linux's values. User space gets the same
// names from <sys/stat.h>; if that header came first, its (equal) definitions are used.
#ifndef S_IFMT
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#endif
#ifndef S_ISUID
#define S_ISUID  04000
#define S_ISGID  02000
#define S_ISVTX  01000
#define S_IXGRP  00010
#endif

// Directory entry types reported by fs_readdir (Linux's d_type values, as in <dirent.h>).
#ifndef DT_DIR
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12
#endif

#define FS_NAME_MAX      255              // bytes in one path component (Linux's NAME_MAX)
#define FS_PATH_MAX      4096             // bytes in a path, with its NUL (Linux's PATH_MAX)
#define FS_SYMLINK_MAX   40               // symlinks followed in one lookup (Linux's MAXSYMLINKS)
#define FS_FILE_MAX      (1ull << 40)     // the largest regular file: 1 TiB (holes are free)

#define FS_FOLLOW 1      // fs_lookup: if the last component is a symlink, follow it

// A time stamp: seconds and nanoseconds since the epoch (UTC), as struct timespec.
struct fs_time {
    int64_t sec;
    int64_t nsec;                    // 0..999999999
};

struct inode {
    uint64_t ino;        // 1 for the root, then counting up; never reused
    uint32_t mode;       // S_IF* type | permission bits (07777)
    uint32_t uid, gid;
    uint32_t nlink;      // names for it; a directory has 2 + its subdirectories, as in Linux
    uint64_t size;       // bytes of data; a symlink's target length; see ramfs.c for directories
    // Access, modification (of the data or the entries) and status-change times, from the
    // clock given to fs_set_clock (all zero without one). See fs_touch for who sets which.
    struct fs_time atime, mtime, ctime;
    int refcount;        // references from outside the tree (fs_get/fs_put; atomic)
    int writecount;      // > 0: writers, < 0: execs denying them (fs_get_write_access)
    uint64_t cut_at;     // mm.c's count of truncates when this file's last began (BKL)
    uint32_t rdev;       // S_IFCHR/S_IFBLK: the device number, as Linux's new_encode_dev:
                         // minor's low 8 bits | major << 8 | minor's other bits << 20
    bool mountpoint;     // a filesystem is mounted here: rmdir and rename say -EBUSY
    // A directory with a filesystem mounted on it (procfs), or an inode of that filesystem:
    // lookups, readdir and reads go to these operations instead of the tree.
    const struct fs_mount_ops *mnt;
    uint64_t key;        // what the mounted filesystem needs to know about the inode
    struct file_lock *locks;   // advisory locks on it (flock.c; under the BKL)
    // A memfd (memfd.c): its name as /proc/<pid>/fd shows it ("memfd:NAME", kmalloc'd,
    // freed with the inode), and its seals (F_SEAL_*, which ramfs_data.c's writes and
    // truncates obey). NULL and 0 for every other file.
    char *memfd_name;
    unsigned seals;
    // A regular file's table of pages, its size and its borrowed bytes (ramfs_data.c):
    // changed under this lock, read under it - read(2) reads under it alone. Taken last
    // but for the page and kmalloc locks.
    struct spinlock data_lock;
    // Held by whoever changes a regular file's bytes or size - a write, a truncate, a new
    // seal - for the whole change (Linux's i_rwsem): one at a time, and write(2) without
    // the BKL. Only the fault path fills holes without it (ramfs_data.c says how).
    struct sleeplock write_lock;
    union {
        struct {                     // S_IFREG: see ramfs_data.c
            char ***leaves;          // nleaves tables of 512 page pointers (NULL: a hole)
            uint64_t nleaves;
            uint64_t npages;         // data pages allocated (st_blocks)
            const char *borrowed;    // or: the initramfs's own bytes (fs_adopt), not ours
        } file;                      // to free; copied into pages at the first change
        struct {                     // S_IFDIR
            struct dentry *first, *last;   // in insertion order
            struct inode *parent;    // NULL once removed (nlink == 0); the root's is itself
            uint64_t next_cookie;    // readdir position of the next entry added
        } dir;
        char *target;                // S_IFLNK: NUL-terminated, 1..FS_PATH_MAX-1 bytes
        struct pipe *fifo;           // S_IFIFO: its pipe while an end is open (pipe.c)
        struct sock *sock;           // S_IFSOCK: the socket bound to it, if any (BKL;
                                     // socket_name.c), which holds the inode
    };
};

// A name in a directory. Private to the ramfs*.c files (the rest of the kernel has fs_readdir).
struct dentry {
    struct dentry *next;
    struct inode *inode;
    uint64_t cookie;                 // readdir position: strictly increasing along the list
    uint8_t len;
    char name[];                     // len bytes and a NUL
};

struct fs_dirent;
struct fs_mount_ops {
    int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
    int (*readdir)(struct inode *dir, uint64_t *pos, struct fs_dirent *out);   // pos >= 2
    long (*write)(struct inode *ip, uint64_t off, const void *buf, size_t n);   // optional
    // Its files' text, made when read (procfs, sysfs): the whole text, kmalloc'd into *text
    // (the caller frees it); its length, or a negative errno (-EISDIR for a directory).
    // file.c gives each open file one text, as Linux's seq_file does; a read without an
    // open file makes it anew (ramfs_data.c's read_generated).
    long (*generate)(struct inode *ip, char **text);
    // A file's path (/proc/<pid>/fd shows it), from what its inode says: its length, or
    // a negative errno. The number stat gives as st_dev (the tree's is 1), and statfs's
    // f_type (Linux's magic number for the filesystem).
    long (*path)(struct inode *ip, char *buf, size_t size);
    unsigned dev;
    long magic;
    // What making a new name in it says, as Linux: mkdir, symlink, mknod, a rename's
    // target (procfs: -ENOENT, its lookups know no such name; sysfs: -EPERM, no mkdir),
    // and open(O_CREAT) (sysfs: -EACCES, no create).
    int new_name_err, create_err;
};

struct fs_dirent {
    uint64_t ino;
    uint8_t type;                    // DT_*
    char name[FS_NAME_MAX + 1];
};

// The result of fs_lookup_parent: where a create-like call (mkdir, open O_CREAT, symlink,
// unlink...) should act. For "/", dir is the root and name is ".".
struct fs_last {
    struct inode *dir;
    bool must_be_dir;                // the path ended with '/' ("mkdir a/" is fine, "creat a/" not)
    char name[FS_NAME_MAX + 1];      // may be "." or "..": the calls below refuse those as Linux
};

// ---- ramfs.c, ramfs_lookup.c, ramfs_data.c
void fs_init(void);                  // (re)creates an empty root, freeing any previous tree
void fs_boot(void);                  // sys_attr.c: the kernel's fs_init: the real-time clock,
                                     // and half the memory as the size limit (tmpfs's default)
struct inode *fs_root(void);
void fs_get(struct inode *ip);
void fs_put(struct inode *ip);       // frees the inode if this was the last reference and name
// Who may write a regular file's bytes, and who forbids it meanwhile (exec), as Linux's
// i_writecount: the one who comes second gets -ETXTBSY. See ramfs.c.
int fs_get_write_access(struct inode *ip);   // an open for writing, a writable shared mapping
void fs_put_write_access(struct inode *ip);
int fs_deny_write_access(struct inode *ip);  // exec, while it reads the program
void fs_allow_write_access(struct inode *ip);
bool fs_data_stable(const struct inode *ip); // denied, and reading it changes nothing: no lock needed
uint64_t fs_nr_inodes(void);         // inodes alive, for leak checks

// Path lookup from cwd (NULL = the root) for a NUL-terminated kernel string. Errors: -ENOENT,
// -ENOTDIR, -ELOOP, -ENAMETOOLONG. An empty path is -ENOENT, as in Linux.
int fs_lookup(struct inode *cwd, const char *path, int flags, struct inode **out);
// The same, and how many symbolic links the walk followed (exec: is the path already real?).
int fs_lookup_links(struct inode *cwd, const char *path, int flags, struct inode **out, int *links);
int fs_lookup_parent(struct inode *cwd, const char *path, struct fs_last *last);
// Who walks, for the kernel (fs_boot sets it): where "/" is for the caller (chroot), and
// whether the caller may search a directory (-EACCES, Linux's may_lookup). Without it, as
// in the unit tests, "/" is the tree's root and every directory may be searched.
struct fs_walk_ops {
    struct inode *(*root)(void);
    int (*may_lookup)(struct inode *dir);
};
void fs_set_walk_ops(const struct fs_walk_ops *ops);
struct inode *fs_walk_root(void);

// A regular file with no name (memfd_create), perm its permission bits, and no reference
// yet: the caller's first fs_get keeps it, the last fs_put frees it. 0 or -ENOMEM.
int fs_create_unlinked(uint32_t perm, struct inode **out);
// Seals (Linux's values): what ramfs_data.c refuses with -EPERM once they are set.
#define FS_SEAL_SEAL         0x01
#define FS_SEAL_SHRINK       0x02
#define FS_SEAL_GROW         0x04
#define FS_SEAL_WRITE        0x08
#define FS_SEAL_FUTURE_WRITE 0x10
#define FS_SEAL_EXEC         0x20

// Names in a directory. `name` is one component (no '/'); out may be NULL.
int fs_create(struct inode *dir, const char *name, uint32_t perm, struct inode **out);
int fs_mkdir(struct inode *dir, const char *name, uint32_t perm, struct inode **out);
int fs_symlink(struct inode *dir, const char *name, const char *target, struct inode **out);
int fs_link(struct inode *dir, const char *name, struct inode *ip);   // a hard link
int fs_unlink(struct inode *dir, const char *name);
int fs_rmdir(struct inode *dir, const char *name);

// Data. Buffers are kernel memory. fs_read returns bytes read (0 at or past the end of file);
// fs_write returns bytes written, growing the file and zero-filling any hole before off.
long fs_read(struct inode *ip, uint64_t off, void *buf, size_t n);
// The same for a file fs_data_stable says is stable, without the BKL: no access time.
long fs_read_stable(struct inode *ip, uint64_t off, void *buf, size_t n);
long fs_write(struct inode *ip, uint64_t off, const void *buf, size_t n);
// fallocate's PUNCH_HOLE: [start, end) of a regular file, inside its size, reads as zeros.
// Its pages are zeroed in place (a mapping may hold them), holes stay holes: it needs no
// memory - but for a file still borrowing the initramfs's bytes, which gets pages of its
// own first (-ENOMEM if there are none). Under the file's write lock; 0 or -errno.
int fs_zero_range(struct inode *ip, uint64_t start, uint64_t end);
// The same with a user buffer, for a file whose bytes are pages of its own (a regular file
// not of procfs: fs_copies_direct): copied straight between them (uaccess.h's copies).
// fs_read_user needs no BKL (the inode's data_lock: ramfs_data.c), and leaves the access
// time to its caller; fs_size is the size read under that lock.
bool fs_copies_direct(const struct inode *ip);
long fs_read_user(struct inode *ip, uint64_t off, uint64_t ubuf, size_t n);
uint64_t fs_size(struct inode *ip);
// fs_write_user runs without the BKL, the caller holding the file's write lock
// (fs_lock_write) around it, and around all of a writev: *off is where it writes (with
// append: the end, whatever *off said), moved past what it wrote.
void fs_lock_write(struct inode *ip);
void fs_unlock_write(struct inode *ip);
long fs_write_user(struct inode *ip, uint64_t *off, uint64_t ubuf, size_t n, bool append);
int fs_truncate(struct inode *ip, uint64_t size);
// Makes a regular file's contents `size` bytes at `data`, in place, without copying: memory
// that outlives the file (the initramfs archive, which the kernel never frees).
int fs_adopt(struct inode *ip, const char *data, uint64_t size);
uint64_t fs_blocks(struct inode *ip);     // 512-byte blocks of data, for st_blocks
// The page cache (ramfs_data.c): the physical page holding the file's page pgoff, allocated
// if it was a hole; the caller takes its own reference to map it. -ENODEV: no page cache.
int fs_map_page(struct inode *ip, uint64_t pgoff, uint64_t *pa);
uint64_t fs_page_pa(struct inode *ip, uint64_t pgoff);   // the page if it has one, else 0
// File pages are counted against a limit, like tmpfs's size=: past it writes get -ENOSPC.
void fs_set_page_limit(uint64_t pages);
uint64_t fs_page_limit(void);
uint64_t fs_pages_used(void);

// Time stamps. fs_set_clock gives ramfs its clock (the kernel's real-time clock; unit tests
// have none: times are then 0 unless set by hand, and fs_touch does nothing). fs_touch sets the chosen times to now.
// FS_ATIME_RELATIVE sets atime only if it is not later than mtime or ctime (Linux's relatime).
void fs_set_clock(struct fs_time (*now)(void));
struct fs_time fs_now(void);
#define FS_ATIME 1
#define FS_MTIME 2
#define FS_CTIME 4
#define FS_ATIME_RELATIVE 8
void fs_touch(struct inode *ip, int which);
// Would fs_touch(ip, FS_ATIME_RELATIVE) change the access time? A look without the BKL
// may be torn: it only says whether to take the BKL and ask fs_touch.
bool fs_atime_due(const struct inode *ip);
long fs_readlink(struct inode *ip, char *buf, size_t n);   // no NUL added, as readlink(2)

// Iterates a directory: ".", "..", then the entries in the order they were added. Start with
// *pos = 0; returns 1 with an entry in *out, 0 at the end, or -ENOTDIR. See ramfs.c for what
// happens when the directory changes during the iteration.
int fs_readdir(struct inode *dir, uint64_t *pos, struct fs_dirent *out);

// Character devices (the /dev nodes) and renaming (ramfs_rename.c).
int fs_mknod(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev, struct inode **out);
int fs_rename(struct inode *olddir, const char *oldname, struct inode *newdir, const char *newname);

// Shared by the ramfs*.c files only.
struct dentry *ramfs_find(struct inode *dir, const char *name, size_t len, struct dentry **prev);
void ramfs_dir_append(struct inode *dir, struct dentry *d, struct inode *ip);
void ramfs_dir_remove(struct inode *dir, struct dentry *d, struct dentry *prev);
struct dentry *ramfs_dentry_alloc(const char *name, size_t len);
long ramfs_check_new_name(struct inode *dir, const char *name);
void ramfs_free_data(struct inode *ip);
int ramfs_add_new(struct inode *dir, const char *name, size_t len, uint32_t mode, char *target,
                  struct inode **out);
static inline bool ramfs_is_dot(const char *name, size_t len)    // "." or ".."
{
    return len >= 1 && len <= 2 && name[0] == '.' && name[len - 1] == '.';
}

// ---- fs_path.c: inodes back to path names (getcwd, /proc/<pid>/exe)
// dir's absolute path, written at the end of buf[0..size); returns its offset in buf.
long fs_dir_path(struct inode *dir, char *buf, size_t size);
// Any inode's absolute path, NUL-terminated in buf: a directory's as above, a file's found
// by searching the tree (its first name). Returns the length, or -ENOENT (no name left).
long fs_inode_path(struct inode *ip, char *buf, size_t size);
// The absolute path `path` names from cwd, every symlink followed; buf has FS_PATH_MAX bytes.
long fs_real_path(struct inode *cwd, const char *path, char *buf);

// ---- initramfs.c
// Unpacks cpio "newc" archives, plain or gzip-compressed (several may follow each other),
// into the tree. The files of a plain archive keep their data where it is (fs_adopt): the
// archive must stay in memory as long as they do. Returns 0, or a negative errno after logging "Initramfs unpacking failed:
// <why>"; what was unpacked before the problem stays, as in Linux.
int initramfs_unpack(const void *archive, size_t len);
