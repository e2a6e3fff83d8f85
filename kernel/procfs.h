// procfs.h: the parts of /proc, for procfs.c (names, inodes, lookups), procfs_pid.c (the
// files about one process) and procfs_sys.c (the files about the whole machine).
#pragma once
#include <stddef.h>
#include <stdint.h>

struct proc;
struct inode;

// What a procfs inode is. Its key says which (and for whom): bits 0..7 the kind, 8..39 the
// pid (or the global file's index), 40..62 the fd, and bit 63 if it is under a task/
// directory (/proc/1/task/1/fd is another directory than /proc/1/fd, with another "..").
enum procfs_kind {
    K_ROOT,                          // the directory procfs is mounted on
    K_GLOBAL,                        // an entry of the global table (procfs_sys.c)
    K_PID,                           // /proc/<pid>, and /proc/<pid>/task/<tid>
    // /proc/<pid>'s entries, listed in this order.
    K_STAT, K_STATUS, K_CMDLINE, K_COMM, K_EXE, K_CWD, K_ROOTLINK, K_ENVIRON, K_MAPS,
    K_SMAPS_ROLLUP, K_TASK, K_FD, K_FDINFO,
    K_FDLINK,                        // /proc/<pid>/fd/<n>
    K_FDINFO_FILE,                   // /proc/<pid>/fdinfo/<n>
};
#define K_FIRST_LISTED K_STAT
#define K_LAST_LISTED  K_FDINFO

#define PROCFS_KEY(kind, id, fd) ((uint64_t)(kind) | (uint64_t)(uint32_t)(id) << 8 | (uint64_t)(fd) << 40)
#define PROCFS_KIND(key) ((int)((key) & 0xff))
#define PROCFS_ID(key)   ((int)(((key) >> 8) & 0xffffffffu))
#define PROCFS_FD(key)   ((int)(((key) >> 40) & 0x7fffff))
#define PROCFS_IN_TASK   (1ull << 63)

// ---- procfs_sys.c: the global files, a small tree: each has a parent (-1: /proc itself).
struct procfs_global {
    const char *name;
    int parent;
    uint32_t mode;
};
extern const struct procfs_global procfs_globals[];
extern const int procfs_nglobals;
// The text of global file g (a symlink's target for /proc/self); its length.
int procfs_gen_global(int g, char *buf, size_t size);
long procfs_write_global(int g, uint64_t off, const char *buf, size_t n);
void procfs_sys_init(const char *cmdline, const char *version);
int procfs_self_index(void);         // the entry that is /proc/self

// ---- procfs_pid.c
extern const char *const procfs_pid_names[];   // by kind, for K_FIRST_LISTED..K_LAST_LISTED
int procfs_gen_pid(struct proc *p, int kind, int fd, char *buf, size_t size);
// A symlink's target (exe, cwd, root, fd/<n>), NUL-terminated in buf; its length or -errno.
long procfs_link_target(struct proc *p, int kind, int fd, char *buf, size_t size);
struct file *procfs_file_of(struct proc *p, int fd);   // p's open file at fd, or NULL
int procfs_max_fds(struct proc *p);                     // fds to look at: 0..this-1

// ---- procfs.c: a procfs file's path (not a directory's: fs_dir_path knows those).
long procfs_file_path(struct inode *ip, char *buf, size_t size);
