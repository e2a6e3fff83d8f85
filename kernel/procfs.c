// procfs.c: /proc, the kernel's state as files, generated when they are read.
//
// Mounted on a directory of the tree (mount -t proc proc /proc), it answers that
// directory's lookups and readdir itself (fs.h: struct fs_mount_ops). Every read formats
// the file anew, in Linux's format, so ps, top, free and uptime from any Linux system can
// read them. This file holds the names and the inodes; the contents are made by
// procfs_pid.c (one process) and procfs_sys.c (the machine: /proc/stat, /proc/sys, ...).
//
//   /proc/self -> <pid>    /proc/{meminfo,uptime,loadavg,stat,cpuinfo,version,cmdline,mounts}
//   /proc/locks (flock.c), /proc/{filesystems,slabinfo,interrupts,trace}
//   /proc/sys/kernel/{hostname,ostype,osrelease,pid_max,threads-max,ngroups_max}
//   /proc/<pid>/{stat,status,cmdline,comm,exe,cwd,root,environ,maps,fd/,fdinfo/,task/}
//   /proc/<pid>/task/<tid>/...: the same for each thread of the process. /proc lists
//   processes (thread group leaders); a thread's own id also works as /proc/<tid>.
//
// Inodes: a procfs inode is not in the tree. They come from a fixed pool, handed out by
// key (procfs.h: what the inode is, for which pid and fd), and reused once nobody holds
// them (refcount back at BASE_REFS) - the same inode for the same key while it is held.
// Lookups lend their result, as in the tree, until the next lookup: a walk takes a few
// pool entries, far fewer than there are. A directory in the pool is the ".." of its
// entries, so it is not reused while one of them is held (someone's cwd). Keys name pids,
// not table slots: a file opened for a process that has exited reads as -ESRCH.
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mount.h"
#include "proc.h"
#include "procfs.h"
#include "string.h"

#define POOL 256
#define BASE_REFS (1 << 30)          // a pool inode's refcount when nobody holds it
#define GEN_SIZE ((int)(4 * PAGE_SIZE))     // the most a generated file shows

static const struct fs_mount_ops procfs_ops;
static struct inode pool[POOL];      // refcount 0: never used yet
static int pool_next;                // where the search for a free one starts
static struct inode *proc_root;

static bool held(struct inode *ip) { return ip->refcount > BASE_REFS; }
static bool in_pool(struct inode *ip) { return ip >= pool && ip < pool + POOL; }

// Is ip the ".." (or further up) of an inode someone holds?
static bool pinned(struct inode *ip) {
    for (int i = 0; i < POOL; i++) {
        struct inode *h = &pool[i];
        if (!held(h) || !S_ISDIR(h->mode))
            continue;
        struct inode *up = h->dir.parent;
        for (int depth = 0; up && in_pool(up) && depth < 8; up = up->dir.parent, depth++)
            if (up == ip)
                return true;
    }
    return false;
}

static void forget(struct inode *ip) {
    if (S_ISLNK(ip->mode))
        kfree(ip->target);
    memset(ip, 0, sizeof *ip);
}

// The pool inode for key: the one already made if it still exists, else a free one.
static struct inode *inode_for(uint64_t key) {
    for (int i = 0; i < POOL; i++)
        if (pool[i].mnt == &procfs_ops && pool[i].key == key)
            return &pool[i];
    for (int n = 0; n < POOL; n++) {
        struct inode *ip = &pool[pool_next];
        pool_next = (pool_next + 1) % POOL;
        if (!held(ip) && !pinned(ip)) {
            forget(ip);
            ip->refcount = BASE_REFS;    // never freed by fs_put: nlink stays 1
            ip->key = key;
            ip->ino = key + 0x1000;
            struct fs_time now = fs_now();
            ip->atime = ip->mtime = ip->ctime = now;
            return ip;
        }
    }
    return NULL;                         // every one is held
}

// Fills in an inode for key under parent, owned by p's effective ids (root for globals).
static int make(struct inode *parent, uint64_t key, uint32_t mode, struct proc *p,
                struct inode **out) {
    struct inode *ip = inode_for(key);
    if (!ip)
        return -ENFILE;
    ip->mnt = &procfs_ops;
    ip->uid = p ? p->cred.euid : 0;
    ip->gid = p ? p->cred.egid : 0;
    ip->nlink = S_ISDIR(mode) ? 2 : 1;
    if (S_ISLNK(ip->mode) && ip->target) {   // a link's target may have changed: made anew
        kfree(ip->target);
        ip->target = NULL;
    }
    ip->mode = mode;
    if (S_ISDIR(mode))
        ip->dir.parent = parent;
    if (S_ISLNK(mode)) {
        char *t = kmalloc(FS_PATH_MAX);
        long len = !t ? -ENOMEM : p ? procfs_link_target(p, PROCFS_KIND(key), PROCFS_FD(key), t, FS_PATH_MAX)
                                   : procfs_gen_global(PROCFS_ID(key), t, FS_PATH_MAX);
        char *fit = len < 0 ? NULL : kmalloc((size_t)len + 1);
        if (fit)
            memcpy(fit, t, (size_t)len + 1);
        kfree(t);
        if (!fit) {
            ip->mode = 0;
            ip->key = ~0ull;             // unusable: free for the next one
            return len < 0 ? (int)len : -ENOMEM;
        }
        // Kept as long as the pool entry is (until it is reused): at its own size, not
        // FS_PATH_MAX, or the pool would pin a page per link inode (up to POOL pages).
        ip->target = fit;
        ip->size = (uint64_t)len;
    }
    *out = ip;
    return 0;
}

// A process procfs may show: alive or a zombie, and made completely (fork fills in its
// shared parts before anyone else runs; this says so instead of assuming it).
static struct proc *find(int pid) {
    struct proc *p = proc_find(pid);
    return p && p->signal ? p : NULL;
}

static int parse_num(const char *name, size_t len) {
    int n = 0;
    if (len == 0 || len > 9 || (len > 1 && name[0] == '0'))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n;
}

static bool same_name(const char *a, const char *name, size_t len) {
    return strlen(a) == len && memcmp(a, name, len) == 0;
}

// The mode of /proc/<pid>'s entries, as Linux shows them.
static uint32_t pid_mode(int kind, struct file *f) {
    switch (kind) {
    case K_PID: case K_TASK: return S_IFDIR | 0555;
    case K_FD: case K_FDINFO: return S_IFDIR | 0500;
    case K_EXE: case K_CWD: case K_ROOTLINK: return S_IFLNK | 0777;
    case K_ENVIRON: return S_IFREG | 0400;
    case K_COMM: return S_IFREG | 0644;
    case K_FDLINK: {                     // lr-x------, l-wx------ or lrwx------: how it is open
        int acc = f ? (int)(f->flags & O_ACCMODE) : O_RDWR;
        return S_IFLNK | (acc != O_WRONLY ? 0500 : 0) | (acc != O_RDONLY ? 0300 : 0);
    }
    default: return S_IFREG | 0444;
    }
}

static int lookup_global(struct inode *dir, int parent, const char *name, size_t len,
                         struct inode **out) {
    for (int g = 0; g < procfs_nglobals; g++)
        if (procfs_globals[g].parent == parent && same_name(procfs_globals[g].name, name, len))
            return make(dir, PROCFS_KEY(K_GLOBAL, g, 0), procfs_globals[g].mode, NULL, out);
    return -ENOENT;
}

static int lookup_in_pid(struct inode *dir, struct proc *p, const char *name, size_t len,
                         struct inode **out) {
    int kind = PROCFS_KIND(dir->key), n;
    uint64_t in_task = dir->key & PROCFS_IN_TASK;
    if (kind == K_TASK) {                // /proc/<pid>/task/<tid>: a thread of p's process
        struct proc *t = find(parse_num(name, len));
        if (!t || t->tgid != p->tgid)
            return -ENOENT;
        return make(dir, PROCFS_KEY(K_PID, t->pid, 0) | PROCFS_IN_TASK, S_IFDIR | 0555, t, out);
    }
    if (kind == K_FD || kind == K_FDINFO) {
        struct file *f = procfs_file_of(p, n = parse_num(name, len));
        if (!f)
            return -ENOENT;
        int k = kind == K_FD ? K_FDLINK : K_FDINFO_FILE;
        return make(dir, PROCFS_KEY(k, p->pid, n) | in_task, pid_mode(k, f), p, out);
    }
    for (int k = K_FIRST_LISTED; k <= K_LAST_LISTED; k++)
        if (same_name(procfs_pid_names[k], name, len) && !(k == K_TASK && in_task))
            return make(dir, PROCFS_KEY(k, p->pid, 0) | in_task, pid_mode(k, NULL), p, out);
    return -ENOENT;
}

static int procfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out) {
    int kind = PROCFS_KIND(dir->key);
    if (kind == K_GLOBAL)
        return lookup_global(dir, PROCFS_ID(dir->key), name, len, out);
    if (kind != K_ROOT) {
        struct proc *p = find(PROCFS_ID(dir->key));
        return p ? lookup_in_pid(dir, p, name, len, out) : -ENOENT;
    }
    if (lookup_global(dir, -1, name, len, out) == 0)
        return 0;
    struct proc *p = find(parse_num(name, len));
    if (!p)
        return -ENOENT;
    return make(dir, PROCFS_KEY(K_PID, p->pid, 0), S_IFDIR | 0555, p, out);
}

// ---------------------------------------------------------------- readdir

static void dirent(struct fs_dirent *out, uint64_t key, uint32_t mode, const char *name) {
    out->ino = key + 0x1000;
    out->type = (uint8_t)((mode & S_IFMT) >> 12);
    strlcpy(out->name, name, sizeof out->name);
}

static bool live(struct proc *p) { return p->state != PROC_UNUSED && p->state != PROC_DEAD && p->signal; }

// Positions 2.. the global entries (those in dir), then, in /proc, one per table slot
// (proc_next walks the table in slot order, so a position names where to go on from).
static int readdir_global(int parent, uint64_t *pos, struct fs_dirent *out) {
    for (; *pos < 2 + (uint64_t)procfs_nglobals; (*pos)++) {
        int g = (int)(*pos - 2);
        if (procfs_globals[g].parent == parent) {
            dirent(out, PROCFS_KEY(K_GLOBAL, g, 0), procfs_globals[g].mode, procfs_globals[g].name);
            *pos += 1;
            return 1;
        }
    }
    if (parent != -1)
        return 0;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        uint64_t at = 2 + (uint64_t)procfs_nglobals + (uint64_t)p->slot;
        if (at >= *pos && live(p) && thread_group_leader(p)) {
            char name[16];
            snprintf(name, sizeof name, "%d", p->pid);
            dirent(out, PROCFS_KEY(K_PID, p->pid, 0), S_IFDIR, name);
            *pos = at + 1;
            return 1;
        }
    }
    return 0;
}

// /proc/<pid>/task: one position per table slot, the threads of p's process.
static int readdir_tasks(struct proc *p, uint64_t *pos, struct fs_dirent *out) {
    for (struct proc *t = proc_next(NULL); t; t = proc_next(t)) {
        uint64_t at = 2 + (uint64_t)t->slot;
        if (at >= *pos && live(t) && t->signal == p->signal) {
            char name[16];
            snprintf(name, sizeof name, "%d", t->pid);
            dirent(out, PROCFS_KEY(K_PID, t->pid, 0) | PROCFS_IN_TASK, S_IFDIR, name);
            *pos = at + 1;
            return 1;
        }
    }
    return 0;
}

// /proc/<pid>/fd and fdinfo: position 2 + fd.
static int readdir_fds(struct proc *p, uint64_t dkey, uint64_t *pos, struct fs_dirent *out) {
    int kind = PROCFS_KIND(dkey);
    for (; *pos < 2 + (uint64_t)procfs_max_fds(p); (*pos)++) {
        int fd = (int)(*pos - 2);
        struct file *f = procfs_file_of(p, fd);
        if (f) {
            char name[16];
            int k = kind == K_FD ? K_FDLINK : K_FDINFO_FILE;
            snprintf(name, sizeof name, "%d", fd);
            dirent(out, PROCFS_KEY(k, p->pid, fd) | (dkey & PROCFS_IN_TASK), pid_mode(k, f), name);
            *pos += 1;
            return 1;
        }
    }
    return 0;
}

static int procfs_readdir(struct inode *dir, uint64_t *pos, struct fs_dirent *out) {
    int kind = PROCFS_KIND(dir->key);
    if (kind == K_ROOT || kind == K_GLOBAL)
        return readdir_global(kind == K_ROOT ? -1 : PROCFS_ID(dir->key), pos, out);
    struct proc *p = find(PROCFS_ID(dir->key));
    if (!p)
        return 0;                        // gone: an empty directory, as Linux shows it
    if (kind == K_TASK)
        return readdir_tasks(p, pos, out);
    if (kind == K_FD || kind == K_FDINFO)
        return readdir_fds(p, dir->key, pos, out);
    uint64_t in_task = dir->key & PROCFS_IN_TASK;
    int k = (int)(*pos - 2) + K_FIRST_LISTED;
    if (k == K_TASK && in_task)          // a thread's directory has no task/ of its own
        k = (int)(++*pos - 2) + K_FIRST_LISTED;
    if (k > K_LAST_LISTED)
        return 0;
    dirent(out, PROCFS_KEY(k, p->pid, 0) | in_task, pid_mode(k, NULL), procfs_pid_names[k]);
    *pos += 1;
    return 1;
}

// ---------------------------------------------------------------- read and write

// The file's whole text, made now. (An open file reads one text: file.c keeps it.)
static long procfs_generate(struct inode *ip, char **text) {
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    struct proc *p = NULL;
    if (PROCFS_KIND(ip->key) != K_GLOBAL && !(p = find(PROCFS_ID(ip->key))))
        return -ESRCH;                   // the process has gone since the file was opened
    char *buf = kmalloc(GEN_SIZE);
    if (!buf)
        return -ENOMEM;
    int len = p ? procfs_gen_pid(p, PROCFS_KIND(ip->key), PROCFS_FD(ip->key), buf, GEN_SIZE)
                : procfs_gen_global(PROCFS_ID(ip->key), buf, GEN_SIZE);
    if (len > GEN_SIZE - 1)
        len = GEN_SIZE - 1;              // snprintf's count when it did not fit
    char *fit = len < 0 ? NULL : kmalloc((size_t)len + 1);   // kept while the file is open
    if (fit)
        memcpy(fit, buf, (size_t)len + 1);
    kfree(buf);
    if (len >= 0 && !fit)
        return -ENOMEM;
    *text = fit;
    return len;
}

// A thread's name, written by a thread of its own process (Linux's comm_write: glibc's
// pthread_setname_np for another thread): the first 15 bytes, as they are; EINVAL for a
// thread of another process.
static long write_comm(struct proc *p, const char *buf, size_t n) {
    if (p->tgid != current()->tgid)
        return -EINVAL;
    char name[TASK_COMM_LEN] = { 0 };
    memcpy(name, buf, n < TASK_COMM_LEN - 1 ? n : TASK_COMM_LEN - 1);
    memcpy(p->comm, name, sizeof name);
    return (long)n;
}

static long procfs_write(struct inode *ip, uint64_t off, const void *buf, size_t n) {
    if (PROCFS_KIND(ip->key) == K_COMM) {
        struct proc *p = find(PROCFS_ID(ip->key));
        return p ? write_comm(p, buf, n) : -ESRCH;
    }
    if (PROCFS_KIND(ip->key) != K_GLOBAL || !(ip->mode & 0200))
        return -EIO;
    return procfs_write_global(PROCFS_ID(ip->key), off, buf, n);
}

static const struct fs_mount_ops procfs_ops = {
    .lookup = procfs_lookup, .readdir = procfs_readdir, .write = procfs_write,
    .generate = procfs_generate, .path = procfs_file_path, .dev = 2,
    .magic = 0x9fa0,                     // PROC_SUPER_MAGIC
    .new_name_err = -ENOENT, .create_err = -ENOENT,
};

void procfs_init(const char *cmdline, const char *version) {
    procfs_sys_init(cmdline, version);
}

// /proc's path, then the file's, built from its key.
long procfs_file_path(struct inode *ip, char *buf, size_t size) {
    long at = proc_root ? fs_dir_path(proc_root, buf, size) : -ENOENT;
    if (at < 0)
        return at;
    size_t n = strlen(buf + at);
    memmove(buf, buf + at, n + 1);
    int kind = PROCFS_KIND(ip->key), id = PROCFS_ID(ip->key), fd = PROCFS_FD(ip->key);
    if (kind == K_GLOBAL) {              // up to two levels: sys/kernel/<name>
        int g = id, up = procfs_globals[g].parent, top = up >= 0 ? procfs_globals[up].parent : -1;
        if (top >= 0)
            n += snprintf(buf + n, size - n, "/%s", procfs_globals[top].name);
        if (up >= 0 && n < size)
            n += snprintf(buf + n, size - n, "/%s", procfs_globals[up].name);
        if (n < size)
            n += snprintf(buf + n, size - n, "/%s", procfs_globals[g].name);
    } else if (kind == K_FDINFO_FILE || kind == K_FDLINK) {
        n += snprintf(buf + n, size - n, "/%d/%s/%d", id, kind == K_FDLINK ? "fd" : "fdinfo", fd);
    } else {
        n += snprintf(buf + n, size - n, "/%d/%s", id, procfs_pid_names[kind]);
    }
    return n < size ? (long)n : -ENAMETOOLONG;
}

// ---------------------------------------------------------------- mount and umount

// One procfs at a time, on an empty directory, which procfs holds a reference to: the
// parent of every /proc/<pid> (their "..").
int procfs_mount(struct inode *dir) {
    if (dir->dir.first || (proc_root && proc_root->mnt))
        return -EBUSY;                   // keep it simple: mount only on an empty directory
    if (proc_root)
        fs_put(proc_root);               // left by a detached umount: nothing uses it now
    fs_get(dir);
    proc_root = dir;
    dir->mnt = &procfs_ops;
    dir->key = PROCFS_KEY(K_ROOT, 0, 0);
    return 0;
}

// Is any procfs inode open, or someone's working directory?
static bool procfs_busy(void) {
    for (int i = 0; i < POOL; i++)
        if (held(&pool[i]))
            return true;
    return proc_root->refcount > 1;      // 1: our own
}

// Forgets every pool inode under the old mount (none is held).
static void pool_reset(void) {
    for (int i = 0; i < POOL; i++)
        if (pool[i].refcount)
            forget(&pool[i]);
}

// Detached while busy, the directory stays referenced (the ".." of a /proc/<pid> still in
// use); the next mount lets it go.
int procfs_umount(struct inode *dir, bool detach) {
    if (dir != proc_root || !dir->mnt)
        return -EINVAL;
    bool busy = procfs_busy();
    if (busy && !detach)
        return -EBUSY;
    dir->mnt = NULL;
    dir->key = 0;
    if (!busy) {
        pool_reset();
        proc_root = NULL;
        fs_put(dir);
    }
    return 0;
}
