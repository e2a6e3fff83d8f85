// proc_shared.c: what the threads of a process share, and how clone shares or copies it.
//
// Each struct is reference-counted by the threads pointing at it. clone with the flag
// (CLONE_FILES, CLONE_FS, CLONE_SIGHAND, CLONE_THREAD) takes one more reference; without
// it, the child gets a copy (fork). exit drops the references; the last one frees.
//
// Locking: one CPU, and these are changed only by system calls of their own threads,
// never from interrupt handlers - except signal_struct's shared pending set (see proc.h).
#include <stdint.h>
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "panic.h"
#include "proc.h"
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
    if (sig && --sig->refs == 0)
        kfree(sig);
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
    fs->umask = 022;                 // Linux's init_fs umask
    return fs;
}

struct fs_struct *fs_struct_copy(struct fs_struct *old) {
    struct fs_struct *fs = fs_struct_alloc(old->cwd);
    if (fs)
        fs->umask = old->umask;
    return fs;
}

void fs_struct_put(struct fs_struct *fs) {
    if (!fs || --fs->refs > 0)
        return;
    fs_put(fs->cwd);
    kfree(fs);
}

struct files_struct *files_alloc(void) {
    struct files_struct *files = kzalloc(sizeof *files);
    if (files)
        files->refs = 1;
    return files;
}

struct files_struct *files_copy(struct files_struct *old) {
    struct files_struct *files = files_alloc();
    if (!files)
        return NULL;
    for (int fd = 0; fd < NOFILE; fd++)
        if (old->fd[fd])
            files->fd[fd] = file_dup(old->fd[fd]);
    memcpy(files->cloexec, old->cloexec, sizeof files->cloexec);
    return files;
}

void files_put(struct files_struct *files) {
    if (!files || --files->refs > 0)
        return;
    for (int fd = 0; fd < NOFILE; fd++)
        if (files->fd[fd])
            file_close(files->fd[fd]);
    kfree(files);
}

// execve: descriptors marked FD_CLOEXEC close; the others stay open across the exec.
void files_close_on_exec(struct files_struct *files) {
    for (int fd = 0; fd < NOFILE; fd++) {
        if (files->fd[fd] && (files->cloexec[fd / 64] & (1ull << (fd % 64)))) {
            file_close(files->fd[fd]);
            files->fd[fd] = NULL;
        }
    }
    memset(files->cloexec, 0, sizeof files->cloexec);
}
