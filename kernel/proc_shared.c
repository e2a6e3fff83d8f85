// proc_shared.c: what the threads of a process share, and how clone shares or copies it.
//
// Each struct is reference-counted by the threads pointing at it. clone with the flag
// (CLONE_FILES, CLONE_FS, CLONE_SIGHAND, CLONE_THREAD) takes one more reference; without
// it, the child gets a copy (fork). exit drops the references; the last one frees.
//
// Locking: one CPU, and these are changed only by system calls of their own threads,
// never from interrupt handlers - except signal_struct's shared pending set (see proc.h).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "flock.h"
#include "fs.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "string.h"

// Linux's defaults for a process started by the kernel (what PID 1 sees on Linux).
static const struct rlimit64 default_rlimits[RLIM_NLIMITS] = {
    [0]  = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_CPU
    [1]  = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_FSIZE
    [2]  = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_DATA
    [3]  = { 8ull << 20, RLIM_INFINITY },         // RLIMIT_STACK
    [4]  = { 0, RLIM_INFINITY },                  // RLIMIT_CORE
    [5]  = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_RSS
    [6]  = { 0, 0 },                              // RLIMIT_NPROC (set at boot from memory)
    [7]  = { 1024, 4096 },                        // RLIMIT_NOFILE
    [8]  = { 8ull << 20, 8ull << 20 },            // RLIMIT_MEMLOCK
    [9]  = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_AS
    [10] = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_LOCKS
    [11] = { 0, 0 },                              // RLIMIT_SIGPENDING (as NPROC)
    [12] = { 819200, 819200 },                    // RLIMIT_MSGQUEUE
    [13] = { 0, 0 },                              // RLIMIT_NICE
    [14] = { 0, 0 },                              // RLIMIT_RTPRIO
    [15] = { RLIM_INFINITY, RLIM_INFINITY },      // RLIMIT_RTTIME
};

struct signal_struct *signal_alloc(void) {
    struct signal_struct *sig = kzalloc(sizeof *sig);
    if (!sig)
        return NULL;
    sig->refs = sig->nr_threads = 1;
    memcpy(sig->rlim, default_rlimits, sizeof sig->rlim);
    uint64_t half = (uint64_t)max_threads() / 2;  // Linux's fork_init: half of threads-max
    sig->rlim[6] = sig->rlim[11] = (struct rlimit64){ half, half };
    return sig;
}

void signal_put(struct signal_struct *sig) {
    if (sig && --sig->refs == 0) {
        signal_flush_process(sig);       // queued instances of pending signals
        ptimers_delete_all(sig);
        kfree(sig);
    }
}

struct sighand_struct *sighand_alloc(void) {
    struct sighand_struct *sh = kzalloc(sizeof *sh);
    if (sh)
        sh->refs = 1;
    return sh;
}

void sighand_put(struct sighand_struct *sh) {
    if (sh && --sh->refs == 0)
        kfree(sh);
}

struct fs_struct *fs_struct_alloc(struct inode *cwd) {
    struct fs_struct *fs = kzalloc(sizeof *fs);
    if (!fs)
        return NULL;
    fs->refs = 1;
    fs->cwd = cwd;
    fs_get(cwd);
    fs->root = fs_root();
    fs_get(fs->root);
    fs->umask = 022;                 // Linux's init_fs umask
    return fs;
}

struct fs_struct *fs_struct_copy(struct fs_struct *old) {
    struct fs_struct *fs = fs_struct_alloc(old->cwd);
    if (fs) {
        fs->umask = old->umask;
        fs_get(old->root);
        fs_put(fs->root);
        fs->root = old->root;
    }
    return fs;
}

void fs_struct_put(struct fs_struct *fs) {
    if (!fs || --fs->refs > 0)
        return;
    fs_put(fs->cwd);
    fs_put(fs->root);
    kfree(fs);
}

// ---------------------------------------------------------------- descriptor tables

static bool table_alloc(unsigned n, struct file ***fd, uint64_t **cloexec) {
    *fd = kzalloc(n * sizeof **fd);
    *cloexec = kzalloc(n / 8);
    if (*fd && *cloexec)
        return true;
    kfree(*fd);
    kfree(*cloexec);
    return false;
}

static struct files_struct *files_alloc_size(unsigned n) {
    struct files_struct *files = kzalloc(sizeof *files);
    if (!files)
        return NULL;
    if (!table_alloc(n, &files->fd, &files->cloexec)) {
        kfree(files);
        return NULL;
    }
    files->lock = (struct spinlock)SPINLOCK_INIT("files");
    files->refs = 1;
    files->max_fds = n;
    return files;
}

struct files_struct *files_alloc(void) { return files_alloc_size(NR_OPEN_DEFAULT); }

struct files_struct *files_copy(struct files_struct *old) {
    struct files_struct *files = files_alloc_size(old->max_fds);
    if (!files)
        return NULL;
    for (unsigned fd = 0; fd < old->max_fds; fd++)
        if (old->fd[fd])
            files->fd[fd] = file_dup(old->fd[fd]);
    memcpy(files->cloexec, old->cloexec, old->max_fds / 8);
    return files;
}

static void files_free(struct files_struct *files) {
    kfree(files->fd);
    kfree(files->cloexec);
    kfree(files);
}

void files_put(struct files_struct *files) {
    if (!files || --files->refs > 0)
        return;
    for (unsigned fd = 0; fd < files->max_fds; fd++) {
        if (files->fd[fd]) {
            flock_close(files->fd[fd], files);   // its POSIX locks (no owner outlives this)
            file_close(files->fd[fd]);
        }
    }
    files_free(files);
}

// execve: descriptors marked FD_CLOEXEC close; the others stay open across the exec.
void files_close_on_exec(struct files_struct *files) {
    for (unsigned fd = 0; fd < files->max_fds; fd++) {
        struct file *f = files->fd[fd];
        if (f && (files->cloexec[fd / 64] & (1ull << (fd % 64)))) {
            uint64_t held = spin_lock_irqsave(&files->lock);
            files->fd[fd] = NULL;
            spin_unlock_irqrestore(&files->lock, held);
            flock_close(f, files);       // a close as any other: POSIX locks go
            file_close(f);
        }
    }
    memset(files->cloexec, 0, files->max_fds / 8);
}

// Linux's alloc_fdtable: a table for descriptor fd holds a power of two times 128 entries
// (1 KiB of pointers), but no more than nr_open.
static unsigned size_for(unsigned fd) {
    unsigned n = 128;
    while (n <= fd)
        n *= 2;
    return n < NR_OPEN_MAX ? n : NR_OPEN_MAX;
}

// Linux's expand_files: make room for descriptor fd. Copies the table into a bigger one,
// and puts it in place under the lock; the old arrays are freed after it (fd_get_unlocked
// reads them only under it).
static int files_expand(struct files_struct *files, unsigned fd) {
    if (fd < files->max_fds)
        return 0;
    if (fd >= NR_OPEN_MAX)
        return -EMFILE;
    unsigned n = size_for(fd);
    struct file **table;
    uint64_t *cloexec;
    if (!table_alloc(n, &table, &cloexec))
        return -ENOMEM;
    memcpy(table, files->fd, files->max_fds * sizeof *table);
    memcpy(cloexec, files->cloexec, files->max_fds / 8);
    struct file **old_table = files->fd;
    uint64_t *old_cloexec = files->cloexec;
    uint64_t held = spin_lock_irqsave(&files->lock);
    files->fd = table;
    files->cloexec = cloexec;
    files->max_fds = n;
    spin_unlock_irqrestore(&files->lock, held);
    kfree(old_table);
    kfree(old_cloexec);
    return 0;
}

uint64_t fd_limit(struct proc *p) {
    uint64_t cur = p->signal->rlim[RLIMIT_NOFILE].rlim_cur;
    return cur < NR_OPEN_MAX ? cur : NR_OPEN_MAX;
}

void fd_set_cloexec(struct proc *p, int fd, bool on) {
    uint64_t bit = 1ull << (fd % 64);
    if (on)
        p->files->cloexec[fd / 64] |= bit;
    else
        p->files->cloexec[fd / 64] &= ~bit;
}

bool fd_cloexec(struct proc *p, int fd) { return (p->files->cloexec[fd / 64] >> (fd % 64)) & 1; }

// A descriptor's file changes under the table's lock too (and the BKL): fd_get_unlocked.
static void set_fd(struct files_struct *files, unsigned fd, struct file *f) {
    uint64_t held = spin_lock_irqsave(&files->lock);
    files->fd[fd] = f;
    spin_unlock_irqrestore(&files->lock, held);
}

// Linux's alloc_fd: the lowest free descriptor >= from, if it is below RLIMIT_NOFILE.
int fd_install_from(struct proc *p, struct file *f, int from, bool cloexec) {
    struct files_struct *files = p->files;
    unsigned fd = from < 0 ? 0 : (unsigned)from;
    while (fd < files->max_fds && files->fd[fd])
        fd++;
    if (fd >= fd_limit(p))
        return -EMFILE;
    int err = files_expand(files, fd);
    if (err)
        return err;
    set_fd(files, fd, f);
    fd_set_cloexec(p, (int)fd, cloexec);
    return (int)fd;
}

int fd_install(struct proc *p, struct file *f, bool cloexec) {
    return fd_install_from(p, f, 0, cloexec);
}

int fd_install_at(struct proc *p, struct file *f, int fd, bool cloexec) {
    int err = files_expand(p->files, (unsigned)fd);
    if (err)
        return err;
    struct file *old = p->files->fd[fd];
    set_fd(p->files, (unsigned)fd, f);
    fd_set_cloexec(p, fd, cloexec);
    if (old) {
        flock_close(old, p->files);    // dup2's implicit close drops POSIX locks, as close
        file_close(old);               // after: closing may sleep, fd is already f's
    }
    return fd;
}

static struct file *lookup(struct files_struct *files, int fd) {
    return fd >= 0 && (unsigned)fd < files->max_fds ? files->fd[fd] : NULL;
}

struct file *fd_remove(struct proc *p, int fd) {
    struct file *f = lookup(p->files, fd);
    if (f) {
        set_fd(p->files, (unsigned)fd, NULL);
        fd_set_cloexec(p, fd, false);
    }
    return f;
}

// Under the BKL a system call's file stays while the call runs, even if another thread
// closes its descriptor: the lookup takes a reference, which fd_unpin_all drops when the
// call returns. (Past FD_PINS lookups in one call - poll, select, epoll_ctl's loops over
// many descriptors, which look each up again after a sleep - it is not pinned.)
// Only a table that other threads share needs it (Linux's fdget): with one user, only this
// thread, in this call, could close the descriptor - and no call closes its own file under
// itself. A table becomes shared only by this thread's clone, never during another call.
// (Each pin is two atomic operations, which cost a 1-byte pipe write and read a fifth more.)
struct file *fd_get(int fd) {
    struct proc *p = current();
    struct file *f = lookup(p->files, fd);
    if (f && p->pin_files && p->npinned < FD_PINS && p->files->refs > 1)
        p->pinned[p->npinned++] = file_dup(f);
    return f;
}

// For read(2) and write(2), without the BKL. A table no other thread shares only this call
// could change, and it does not: a plain look-up, as fd_get's. Else the look-up is under the
// table's lock, with a reference of the caller's own (*ref), which another thread's close
// cannot take away: the caller lets go of it with file_put.
struct file *fd_get_unlocked(int fd, bool *ref) {
    struct files_struct *files = current()->files;
    *ref = files->refs > 1;
    if (!*ref)
        return lookup(files, fd);
    uint64_t held = spin_lock_irqsave(&files->lock);
    struct file *f = lookup(files, fd);
    if (f)
        file_dup(f);
    spin_unlock_irqrestore(&files->lock, held);
    return f;
}

void fd_unpin_all(void) {
    struct proc *p = current();
    p->pin_files = false;
    while (p->npinned > 0)
        file_close(p->pinned[--p->npinned]);   // the last reference: the file goes now
}
