// procfs.c: /proc, the kernel's state as files, generated when they are read.
//
// Mounted on a directory of the tree (mount -t proc proc /proc), it answers that
// directory's lookups and readdir itself (fs.h: struct fs_mount_ops). Its inodes are not
// in the tree: a fixed pool, one set per process-table slot plus the global files, reused
// as processes come and go. Every read formats the file anew, in Linux's format, so ps,
// free and uptime from any Linux system can read them.
//
//   /proc/self -> <pid>            /proc/meminfo  /proc/uptime  /proc/loadavg
//   /proc/<pid>/{stat,status,cmdline,comm,exe}     /proc/version /proc/cmdline /proc/mounts
//   /proc/<pid>/task/<tid>/...: the same for each thread of the process. /proc lists
//   processes (thread group leaders); a thread's own id also works as /proc/<tid>.
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mount.h"
#include "page_alloc.h"
#include "proc.h"
#include "string.h"
#include "time.h"
#include "trace.h"
#include "vm.h"

enum kind { K_DIR, K_STAT, K_STATUS, K_CMDLINE, K_COMM, K_EXE, K_TASK, K_MAPS, K_SMAPS_ROLLUP, K_NKINDS };
static const char *const pid_files[K_NKINDS] = { NULL, "stat", "status", "cmdline", "comm", "exe", "task",
                                                 "maps", "smaps_rollup" };
enum global { G_SELF, G_MEMINFO, G_UPTIME, G_LOADAVG, G_VERSION, G_CMDLINE, G_MOUNTS, G_TRACE,
              G_NGLOBAL };
static const char *const global_files[G_NGLOBAL] = {
    "self", "meminfo", "uptime", "loadavg", "version", "cmdline", "mounts", "trace",
};

static const struct fs_mount_ops procfs_ops;
static struct inode pid_inodes[NPROC][K_NKINDS];
static struct inode global_inodes[G_NGLOBAL];
static char link_targets[NPROC + 1][160];   // exe per slot, and "self"
static struct inode *proc_root;
static const char *kernel_cmdline, *kernel_version;

#define KEY(slot, kind) ((uint64_t)(slot) << 8 | (kind))
#define GLOBAL_KEY(g)   (0xffffull << 8 | (g))

#define BASE_REFS (1 << 30)

static struct inode *prepare(struct inode *ip, uint32_t mode, uint64_t key, uint64_t ino) {
    ip->mode = mode;
    ip->nlink = 1;
    if (ip->refcount < BASE_REFS)
        ip->refcount = BASE_REFS;        // never freed; more than BASE_REFS: in use
    ip->mnt = &procfs_ops;
    ip->key = key;
    ip->ino = ino;
    if (S_ISDIR(mode))
        ip->dir.parent = proc_root;
    return ip;
}

static int slot_of(struct proc *p) {
    for (int i = 0; i < NPROC; i++)
        if (proc_at(i) == p)
            return i;
    return -1;
}

static struct inode *pid_inode(struct proc *p, int kind) {
    int slot = slot_of(p);
    uint32_t mode = kind == K_DIR || kind == K_TASK ? S_IFDIR | 0555 :
                    kind == K_EXE ? S_IFLNK | 0777 : S_IFREG | 0444;
    struct inode *ip = prepare(&pid_inodes[slot][kind], mode, KEY(slot, kind),
                               ((uint64_t)p->pid << 8) + kind + 0x100000);
    if (kind == K_EXE) {
        strlcpy(link_targets[slot], p->exe[0] ? p->exe : "/", sizeof link_targets[slot]);
        ip->target = link_targets[slot];
        ip->size = strlen(ip->target);
    }
    return ip;
}

static int parse_pid(const char *name, size_t len) {
    int pid = 0;
    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        pid = pid * 10 + (name[i] - '0');
    }
    return pid;
}

static int procfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out) {
    if (dir->key != GLOBAL_KEY(0xff) && (dir->key & 0xff) == K_TASK) {   // /proc/<pid>/task
        struct proc *p = proc_at((int)(dir->key >> 8));
        struct proc *t = proc_find(parse_pid(name, len));
        if (!t || t->tgid != p->tgid)
            return -ENOENT;
        *out = pid_inode(t, K_DIR);
        return 0;
    }
    if (dir->key != GLOBAL_KEY(0xff)) {  // inside /proc/<pid>
        struct proc *p = proc_at((int)(dir->key >> 8));
        for (int k = 1; k < K_NKINDS; k++) {
            if (strlen(pid_files[k]) == len && memcmp(pid_files[k], name, len) == 0) {
                *out = pid_inode(p, k);
                return 0;
            }
        }
        return -ENOENT;
    }
    for (int g = 0; g < G_NGLOBAL; g++) {
        if (strlen(global_files[g]) == len && memcmp(global_files[g], name, len) == 0) {
            uint32_t mode = g == G_SELF ? S_IFLNK | 0777 : S_IFREG | 0444;
            struct inode *ip = prepare(&global_inodes[g], mode, GLOBAL_KEY(g), 0x200000 + g);
            if (g == G_SELF) {
                snprintf(link_targets[NPROC], sizeof link_targets[NPROC], "%d", current()->tgid);
                ip->target = link_targets[NPROC];
                ip->size = strlen(ip->target);
            }
            *out = ip;
            return 0;
        }
    }
    struct proc *p = proc_find(parse_pid(name, len));
    if (!p)
        return -ENOENT;
    *out = pid_inode(p, K_DIR);
    return 0;
}

static void dirent(struct fs_dirent *out, uint64_t ino, uint8_t type, const char *name) {
    out->ino = ino;
    out->type = type;
    strlcpy(out->name, name, sizeof out->name);
}

// /proc/<pid>/task: positions 2.. one per process-table slot, the threads of p's process.
static int readdir_tasks(struct proc *p, uint64_t *pos, struct fs_dirent *out) {
    for (; *pos < 2 + NPROC; (*pos)++) {
        struct proc *t = proc_at((int)(*pos - 2));
        if (t->state != PROC_UNUSED && t->state != PROC_DEAD && t->signal == p->signal) {
            char name[16];
            snprintf(name, sizeof name, "%d", t->pid);
            dirent(out, ((uint64_t)t->pid << 8) + 0x100000, DT_DIR, name);
            *pos += 1;
            return 1;
        }
    }
    return 0;
}

// Positions: 2.. the global files, then one per process-table slot in use.
static int procfs_readdir(struct inode *dir, uint64_t *pos, struct fs_dirent *out) {
    if (dir->key != GLOBAL_KEY(0xff) && (dir->key & 0xff) == K_TASK)
        return readdir_tasks(proc_at((int)(dir->key >> 8)), pos, out);
    if (dir->key != GLOBAL_KEY(0xff)) {
        if (*pos - 2 + 1 >= K_NKINDS)
            return 0;
        int k = (int)(*pos - 2 + 1);
        dirent(out, dir->ino + k, k == K_EXE ? DT_LNK : k == K_TASK ? DT_DIR : DT_REG, pid_files[k]);
        *pos += 1;
        return 1;
    }
    for (; *pos < 2 + G_NGLOBAL + NPROC; (*pos)++) {
        uint64_t i = *pos - 2;
        if (i < G_NGLOBAL) {
            dirent(out, 0x200000 + i, i == G_SELF ? DT_LNK : DT_REG, global_files[i]);
            *pos += 1;
            return 1;
        }
        struct proc *p = proc_at((int)(i - G_NGLOBAL));
        if (p->state != PROC_UNUSED && p->state != PROC_DEAD && thread_group_leader(p)) {
            char name[16];
            snprintf(name, sizeof name, "%d", p->pid);
            dirent(out, ((uint64_t)p->pid << 8) + 0x100000, DT_DIR, name);
            *pos += 1;
            return 1;
        }
    }
    return 0;
}

// ---------------------------------------------------------------- the files' contents

static char state_letter(struct proc *p) {
    if (p->state != PROC_ZOMBIE && p->signal->stopped)
        return 'T';                      // stopped by job control
    switch (p->state) {
    case PROC_RUNNING: case PROC_RUNNABLE: return 'R';
    case PROC_SLEEPING: return 'S';
    case PROC_ZOMBIE: return 'Z';
    default: return 'X';
    }
}

// /proc/<pid>/maps, Linux's format: range, permissions (p: private, s: shared), offset,
// device and inode of a file mapping, and a name: the program's file for its image,
// [heap], [stack], [vvar], [vdso]; anonymous memory has none.
static int gen_maps(struct proc *p, char *buf, size_t size) {
    size_t n = 0;
    for (struct vma *v = p->mm->vmas; v && n < size; v = v->next) {
        const char *name = v->kind == VMA_IMAGE ? p->exe : v->kind == VMA_HEAP ? "[heap]" :
                           v->kind == VMA_STACK ? "[stack]" : "";
        if (v->shm && v->shm->pinned)    // the kernel's own pages: the vDSO (vdso.c)
            name = v->shm_pgoff == 0 ? "[vvar]" : "[vdso]";
        bool file = v->file != NULL;
        int len = snprintf(buf + n, size - n, "%08llx-%08llx %c%c%c%c %08llx %s %llu ",
                           (unsigned long long)v->start, (unsigned long long)v->end,
                           (v->prot & VM_READ) ? 'r' : '-', (v->prot & VM_WRITE) ? 'w' : '-',
                           (v->prot & VM_EXEC) ? 'x' : '-',
                           (v->shm || (v->flags & VMA_SHARED_FILE)) ? 's' : 'p',
                           (unsigned long long)(file ? v->file_off : 0), file ? "00:01" : "00:00",
                           (unsigned long long)(file ? v->file->ino : 0));
        // The name starts in column 73, as Linux pads it (seq_pad).
        len += snprintf(buf + n + len, size - n - len, "%*s%s\n", *name && len < 73 ? 73 - len : 0,
                        "", name);
        n += len > 0 ? (size_t)len : 0;
    }
    return n < size ? (int)n : (int)size;
}

static int gen_pid(struct proc *p, int kind, char *buf, size_t size) {
    int ppid = p->parent ? p->parent->tgid : 0;
    uint64_t vsize = 0, rss = 0;
    if (p->mm)
        for (struct vma *v = p->mm->vmas; v; v = v->next)
            vsize += v->end - v->start;
    switch (kind) {
    case K_STAT:   // Linux's 52 fields; what we do not track is 0
        return snprintf(buf, size, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %llu 0 %llu 0 20 0 %d 0 0 "
                        "%llu %llu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                        p->pid, p->comm, state_letter(p), ppid, p->pgid, p->sid, 0x501, 1,
                        (unsigned long long)p->ticks, (unsigned long long)p->signal->child_ticks,
                        p->signal->nr_threads, (unsigned long long)vsize, (unsigned long long)rss);
    case K_STATUS:
        return snprintf(buf, size, "Name:\t%s\nState:\t%c\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                        "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nVmSize:\t%8llu kB\nThreads:\t%d\n",
                        p->comm, state_letter(p), p->tgid, p->pid, ppid,
                        p->cred.uid, p->cred.euid, p->cred.suid, p->cred.fsuid,
                        p->cred.gid, p->cred.egid, p->cred.sgid, p->cred.fsgid,
                        (unsigned long long)(vsize >> 10), p->signal->nr_threads);
    case K_COMM:
        return snprintf(buf, size, "%s\n", p->comm);
    case K_MAPS:
        return p->mm ? gen_maps(p, buf, size) : 0;
    case K_SMAPS_ROLLUP:                 // proc_maps.c
        return p->mm ? proc_smaps_rollup(p->mm, buf, size) : 0;
    case K_CMDLINE: {
        if (!p->mm || p->mm->arg_end <= p->mm->arg_start)
            return 0;
        size_t n = p->mm->arg_end - p->mm->arg_start;
        return (int)mm_peek(p->mm, p->mm->arg_start, buf, n < size ? n : size);
    }
    default:
        return 0;
    }
}

static int gen_global(int g, char *buf, size_t size) {
    uint64_t ns = time_since_boot_ns();
    switch (g) {
    case G_MEMINFO: {
        unsigned long long total = nr_managed_pages() * 4, free = nr_free_pages() * 4;
        return snprintf(buf, size, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
                        "MemAvailable:   %8llu kB\nBuffers:               0 kB\nCached:                0 kB\n"
                        "SwapCached:            0 kB\nShmem:                 0 kB\nSReclaimable:          0 kB\n"
                        "SwapTotal:             0 kB\nSwapFree:              0 kB\n", total, free, free);
    }
    case G_UPTIME:
        return snprintf(buf, size, "%llu.%02llu 0.00\n", (unsigned long long)(ns / 1000000000),
                        (unsigned long long)(ns / 10000000 % 100));
    case G_LOADAVG: {
        int n = 0, last = 0;
        for (int i = 0; i < NPROC; i++)
            if (proc_at(i)->state != PROC_UNUSED) {
                n++;
                if (proc_at(i)->pid > last) last = proc_at(i)->pid;
            }
        return snprintf(buf, size, "0.00 0.00 0.00 1/%d %d\n", n, last);
    }
    case G_VERSION:
        return snprintf(buf, size, "%s\n", kernel_version);
    case G_CMDLINE:
        return snprintf(buf, size, "%s\n", kernel_cmdline);
    case G_MOUNTS:
        return mount_table(buf, size);
    case G_TRACE:                        // reading it writes the event trace out (COM2)
        if (!trace_on)
            return snprintf(buf, size, "trace: off (boot with 'trace' on the command line)\n");
        return snprintf(buf, size, "trace: %ld events written to COM2\n", trace_dump());
    default:
        return 0;
    }
}

static long procfs_read(struct inode *ip, uint64_t off, void *dst, size_t n) {
    if (S_ISDIR(ip->mode))
        return -EISDIR;
    char *buf = kmalloc(PAGE_SIZE);
    if (!buf)
        return -ENOMEM;
    int len;
    if ((ip->key >> 8) == 0xffff)
        len = gen_global((int)(ip->key & 0xff), buf, PAGE_SIZE);
    else
        len = gen_pid(proc_at((int)(ip->key >> 8)), (int)(ip->key & 0xff), buf, PAGE_SIZE);
    if (len > (int)PAGE_SIZE - 1)
        len = PAGE_SIZE - 1;
    long got = 0;
    if (len > 0 && off < (uint64_t)len) {
        got = (long)((size_t)len - off < n ? (size_t)len - off : n);
        memcpy(dst, buf + off, got);
    }
    kfree(buf);
    return got;
}

static const struct fs_mount_ops procfs_ops = {
    .lookup = procfs_lookup, .readdir = procfs_readdir, .read = procfs_read,
};

void procfs_init(const char *cmdline, const char *version) {
    kernel_cmdline = cmdline;
    kernel_version = version;
}

// Points the ".." of every procfs directory at the mount's directory.
static void reparent(struct inode *root) {
    for (int i = 0; i < NPROC; i++)
        for (int k = 0; k < K_NKINDS; k++)
            if (S_ISDIR(pid_inodes[i][k].mode))
                pid_inodes[i][k].dir.parent = root;
}

// One procfs at a time, on an empty directory, which procfs holds a reference to: the
// parent of every /proc/<pid> (their "..").
int procfs_mount(struct inode *dir) {
    if (dir->dir.first || (proc_root && proc_root->mnt))
        return -EBUSY;                   // keep it simple: mount only on an empty directory
    if (proc_root)
        fs_put(proc_root);               // left by a detached umount: nothing uses it now
    fs_get(dir);
    proc_root = dir;
    reparent(dir);
    dir->mnt = &procfs_ops;
    dir->key = GLOBAL_KEY(0xff);
    return 0;
}

// Is any procfs inode open, or someone's working directory?
static bool procfs_busy(void) {
    for (int i = 0; i < NPROC; i++)
        for (int k = 0; k < K_NKINDS; k++)
            if (pid_inodes[i][k].refcount > BASE_REFS)
                return true;
    for (int g = 0; g < G_NGLOBAL; g++)
        if (global_inodes[g].refcount > BASE_REFS)
            return true;
    return proc_root->refcount > 1;      // 1: our own
}

// Detached while busy, the directory stays referenced (the "..": of a /proc/<pid> still in
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
        proc_root = NULL;
        reparent(NULL);
        fs_put(dir);
    }
    return 0;
}
