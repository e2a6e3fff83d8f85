// pidfd.c: process file descriptors - pidfd_open, pidfd_send_signal, pidfd_getfd, and the
// file clone's CLONE_PIDFD and waitid's P_PIDFD use (fork.c, exit.c).
//
// A pid is a number, and numbers come back: once a process is reaped, a later one may get
// its pid, and a kill(pid) meant for the first reaches the second. A pidfd names the
// process itself. It holds a struct pidlink (pidfd.h), which points at the process's
// leader until the reap and at nothing after: a signal sent through it then fails with
// ESRCH, and a waitid finds no child, whatever has the number now. The file is readable
// (poll, epoll: POLLIN) once the process has ended - all its threads gone, whether or not
// it is reaped yet - and hung up (POLLHUP) once it is reaped, as Linux's. read and write:
// EINVAL.
//
// What the file holds is the pidlink, not the struct proc: a process with a pidfd open on
// it is reaped and its slot reused as any other, and the pidlink goes with its last
// reference - the last pidfd closed, or the reap, whichever comes last.
//
// Not here: PIDFD_THREAD (a pidfd for one thread) and pidfd_send_signal's flags that go
// with it (Linux 6.9): both are EINVAL, as on the kernels before, and so CLONE_PIDFD with
// CLONE_THREAD. The /proc/<pid> directory's descriptor, which Linux's pidfd_send_signal
// also takes, is EBADF here.
//
// Locking: the BKL, for everything - the pidlinks' fields and counts, and proc->pidlink:
// the calls below are under it (syscall.c's E entries; waitid takes it: exit.c), and so
// are the exit and the reap that change the process's state, and a file's last close.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "pidfd.h"
#include "poll.h"
#include "printk.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define PIDFD_NONBLOCK O_NONBLOCK

static const struct file_ops pidfd_ops;

// The process's pidlink, made at its first pidfd. NULL: out of memory.
static struct pidlink *pidlink_get(struct proc *leader) {
    struct pidlink *l = leader->pidlink;
    if (!l) {
        if (!(l = kmalloc(sizeof *l)))
            return NULL;
        *l = (struct pidlink){ .refs = 1, .leader = leader, .pid = leader->pid, .ino = pseudo_ino() };
        leader->pidlink = l;             // the process's own reference, until the reap
    }
    l->refs++;
    return l;
}

void pidlink_put(struct pidlink *l) {
    if (l && --l->refs == 0)
        kfree(l);
}

struct pidlink *pidlink_of(struct file *f, bool *nonblock) {
    if (!f || f->ops != &pidfd_ops)
        return NULL;
    struct pidlink *l = f->priv;
    l->refs++;
    *nonblock = f->flags & O_NONBLOCK;
    return l;
}

// Has the process ended: its leader a zombie (or reaped) and no thread left? Linux's
// pidfd_poll: a leader that exited before its other threads is not news yet.
static bool process_over(struct pidlink *l) {
    struct proc *p = l->leader;
    return !p || ((p->state == PROC_ZOMBIE || p->state == PROC_DEAD) && p->signal->nr_threads == 0);
}

static unsigned pidfd_poll(struct file *f) {
    struct pidlink *l = f->priv;
    if (!l->leader)
        return POLLIN | POLLRDNORM | POLLHUP;
    return process_over(l) ? POLLIN | POLLRDNORM : 0;
}

static void pidfd_release(struct file *f) { pidlink_put(f->priv); }

// Linux's pidfs inode shows mode 0700 and no file type.
static void pidfd_stat(struct file *f, struct kstat *st) {
    memset(st, 0, sizeof *st);
    st->st_mode = 0700;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = ((struct pidlink *)f->priv)->ino;   // one per process, as pidfs's
}

static const struct file_ops pidfd_ops = {
    .poll = pidfd_poll, .release = pidfd_release, .stat = pidfd_stat,
    .anon_name = "[pidfd]",
};

int pidfd_fdinfo(struct file *f, char *buf, size_t size) {
    if (f->ops != &pidfd_ops)
        return 0;
    struct pidlink *l = f->priv;
    int pid = l->leader ? l->pid : -1;       // Linux: -1 once reaped
    return snprintf(buf, size, "Pid:\t%d\nNSpid:\t%d\n", pid, pid);
}

int pidfd_create(struct proc *leader, unsigned flags) {
    struct pidlink *l = pidlink_get(leader);
    struct file *f = l ? file_alloc(&pidfd_ops, NULL, O_RDWR | (flags & O_NONBLOCK)) : NULL;
    if (!f) {
        pidlink_put(l);
        return -ENOMEM;
    }
    f->priv = l;
    int fd = fd_install(current(), f, true);     // always close-on-exec, as Linux's
    if (fd < 0)
        file_close(f);
    return fd;
}

// ---------------------------------------------------------------- the process's life

// The last thread has gone: pollers learn it (POLLIN). Interrupts off, BKL.
void pidfd_exited(struct proc *leader) {
    if (leader->pidlink)
        poll_notify(leader->pidlink, POLLIN | POLLRDNORM);
}

// The slot is freed: the pidlink forgets the process (POLLHUP), and the process lets go of
// its reference. BKL.
void pidfd_reaped(struct proc *p) {
    struct pidlink *l = p->pidlink;
    if (!l)
        return;
    p->pidlink = NULL;
    l->leader = NULL;
    poll_notify(l, POLLIN | POLLRDNORM | POLLHUP);
    pidlink_put(l);
}

// A thread other than the leader ran execve: it takes the leader's pid (exec.c's
// de_thread), and with it the leader's pidfds, before the old leader's slot is reaped.
void pidfd_new_leader(struct proc *p, struct proc *old) {
    p->pidlink = old->pidlink;
    old->pidlink = NULL;
    if (p->pidlink)
        p->pidlink->leader = p;
}

// ---------------------------------------------------------------- the system calls

// pidfd_open(pid, flags): a pidfd for process pid. EINVAL for a bad flag or pid; ESRCH if
// no thread has that id (a zombie has; a reaped process has not); ENOENT if one has but it
// is not a process's leader (Linux 6.15's hint: PIDFD_THREAD would take it).
SYSCALL(pidfd_open) {
    int pid = (int)a0;
    unsigned flags = (unsigned)a1;
    if (flags & ~(unsigned)PIDFD_NONBLOCK)
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;
    struct proc *p = proc_find(pid);
    if (!p)
        return -ESRCH;
    if (!thread_group_leader(p))
        return -ENOENT;
    return pidfd_create(p, flags);
}

// pidfd_send_signal(pidfd, sig, info, flags): kill(2) through a pidfd, with rt_sigqueueinfo's
// siginfo if info is given. Linux's order of checks: the flags, the descriptor (EBADF if it
// is no pidfd), the siginfo (EFAULT; EINVAL if its si_signo is not sig; EPERM for a kill's
// or tkill's si_code but to the caller itself), then the process (ESRCH once reaped), and
// only then the signal's number (EINVAL) and the permission (EPERM).
SYSCALL(pidfd_send_signal) {
    int pidfd = (int)a0, sig = (int)a1;
    uint64_t uinfo = a2;
    unsigned flags = (unsigned)a3;
    if (flags)                           // (Linux 6.9's scopes: not here, see the top)
        return -EINVAL;
    bool nonblock;
    struct pidlink *l = pidlink_of(fd_get(pidfd), &nonblock);
    if (!l)
        return -EBADF;
    long ret = 0;
    int code = SI_USER, signo = 0;
    uint64_t value = 0;
    if (uinfo && signal_info_from_user(uinfo, &signo, &code, &value))
        ret = -EFAULT;
    else if (uinfo && signo != sig)
        ret = -EINVAL;
    else if (uinfo && (code >= 0 || code == SI_TKILL) && l->leader != current())
        ret = -EPERM;                    // only to itself may a caller claim those
    else if (!l->leader)
        ret = -ESRCH;
    else if (sig < 0 || sig > NSIG_MAX)
        ret = -EINVAL;
    else                                 // a zombie takes it and drops it (0), as kill's
        ret = signal_kill_process(l->leader, sig, code, value);
    pidlink_put(l);
    return ret;
}

// May the caller take another process's files? Linux asks ptrace_may_access (the same
// real, effective and saved ids as the target's, or CAP_SYS_PTRACE); a teaching kernel
// without ptrace is content with the same user: the caller's real uid is each of the
// target's uids, or the caller is root.
static bool may_take_files(struct proc *p) {
    struct cred *me = &current()->cred, *it = &p->cred;
    return capable() || (me->uid == it->uid && me->uid == it->euid && me->uid == it->suid);
}

// pidfd_getfd(pidfd, targetfd, flags): a copy, in the caller's table, of the process's
// descriptor targetfd - the same open file, as dup gives (close-on-exec). ESRCH once the
// process is reaped or its leader has exited (its table gone), EBADF for a targetfd it has
// not open.
SYSCALL(pidfd_getfd) {
    int pidfd = (int)a0, targetfd = (int)a1;
    unsigned flags = (unsigned)a2;
    if (flags)
        return -EINVAL;
    bool nonblock;
    struct pidlink *l = pidlink_of(fd_get(pidfd), &nonblock);
    if (!l)
        return -EBADF;
    struct proc *p = l->leader;
    struct files_struct *files = p ? p->files : NULL;
    long ret;
    if (!files)
        ret = -ESRCH;
    else if (!may_take_files(p))
        ret = -EPERM;
    else if (targetfd < 0 || (unsigned)targetfd >= files->max_fds || !files->fd[targetfd])
        ret = -EBADF;
    else {
        struct file *f = file_dup(files->fd[targetfd]);
        if ((ret = fd_install(current(), f, true)) < 0)
            file_close(f);
    }
    pidlink_put(l);
    return ret;
}
