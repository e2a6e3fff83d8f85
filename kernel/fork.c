// fork.c: new processes and threads (Linux's fork, vfork, clone and clone3).
//
// The child is a copy of its caller: the same registers (but rax = 0, so fork "returns 0"
// in the child), and - as the clone flags say - the very same or a copy of each thing a
// process has: memory (CLONE_VM), open files (CLONE_FILES), working directory (CLONE_FS),
// signal handlers (CLONE_SIGHAND). With CLONE_THREAD it is not a new process at all but a
// new thread of the caller's: same tgid, same parent, same process-wide signals. It starts
// life in proc_first_run, on its way back to user mode as if it had made the system call.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "ipc_sem.h"
#include "ksignal.h"
#include "memlayout.h"
#include "pidfd.h"
#include "proc.h"
#include "rseq.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

#define CSIGNAL              0x000000ff   // the signal sent to the parent at exit
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_PIDFD          0x00001000
#define CLONE_PTRACE         0x00002000
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_NEWNS          0x00020000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000   // ignored, as by Linux
#define CLONE_UNTRACED       0x00800000
#define CLONE_CHILD_SETTID   0x01000000
#define CLONE_NEWCGROUP      0x02000000
#define CLONE_NEWUTS         0x04000000
#define CLONE_NEWIPC         0x08000000
#define CLONE_NEWUSER        0x10000000
#define CLONE_NEWPID         0x20000000
#define CLONE_NEWNET         0x40000000
#define CLONE_IO             0x80000000

// What we do: everything but namespaces. CLONE_SYSVSEM shares the SEM_UNDO adjustments
// (ipc_sem.c); CLONE_PIDFD gives the parent a pidfd for the child (pidfd.c). CLONE_IO,
// CLONE_PTRACE and CLONE_UNTRACED are accepted and mean nothing here (one disk-less I/O
// context, no ptrace).
#define SUPPORTED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | \
                   CLONE_PTRACE | CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | \
                   CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
                   CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO)

struct clone_args {                      // clone3's argument block (Linux's, version 2)
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

// Linux's rules for flag combinations (copy_process), with its errors.
static long check_flags(uint64_t flags, struct proc *self) {
    if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;                  // threads share handlers...
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;                  // ... and handlers need the memory they live in
    if ((flags & CLONE_PARENT) && self->tgid == 1)
        return -EINVAL;                  // init has no siblings
    // A pidfd names a process: not a thread (Linux 6.9's PIDFD_THREAD is not here), and
    // CLONE_DETACHED is kept for it.
    if ((flags & CLONE_PIDFD) && (flags & (CLONE_THREAD | CLONE_DETACHED)))
        return -EINVAL;
    if (flags & ~(uint64_t)SUPPORTED)
        return -EINVAL;                  // namespaces: not here
    return 0;
}

// The copies a new process gets of its maker's descriptor table, working directory and
// signal handlers, and its own signal_struct, made before it is in the process table.
struct copies {
    uint64_t flags;
    struct files_struct *files;
    struct fs_struct *fs;
    struct sighand_struct *sighand;
    struct signal_struct *signal;
    uint64_t kstack;                     // the child's kernel stack (kstack_alloc)
};

// Made while mm_dup has let the BKL go, after its copy of the page tables: each copy only
// of a part the caller alone uses (refs == 1), which nothing else can change meanwhile -
// its one thread is here - and whose pointers are counted with atomics (file_dup, fs_get).
// What is shared goes under the BKL, in share_or_copy, as do the rlimits, which another
// process may change (prlimit). Under the BKL these took a fifth of fork's hold.
static void copy_unlocked(void *arg) {
    struct copies *c = arg;
    struct proc *self = current();
    if (!(c->flags & CLONE_FILES) && self->files->refs == 1)
        c->files = files_copy(self->files);
    if (!(c->flags & CLONE_FS) && self->fs->refs == 1)
        c->fs = fs_struct_copy(self->fs);
    if (!(c->flags & CLONE_SIGHAND) && self->sighand->refs == 1 && (c->sighand = sighand_alloc()))
        memcpy(c->sighand->action, self->sighand->action, sizeof c->sighand->action);
    if (!(c->flags & CLONE_THREAD))
        c->signal = signal_alloc();
    c->kstack = kstack_alloc();          // (kstack.c has a lock of its own)
}

// Copies not used after all (fork failed): under the BKL.
static void drop_copies(struct copies *c) {
    files_put(c->files);
    fs_struct_put(c->fs);
    sighand_put(c->sighand);
    signal_put(c->signal);
    if (c->kstack)
        kstack_free(c->kstack);
}

// Shares or copies each part of the caller in the child, as the flags say; the copy of
// the memory is made already, and maybe some of the others (c: see do_clone).
static long share_or_copy(struct proc *child, struct proc *self, uint64_t flags, struct mm *mm,
                          struct copies *c) {
    child->mm = (flags & CLONE_VM) ? mm_get(self->mm) : mm;
    if (flags & CLONE_FILES) {
        child->files = self->files;
        child->files->refs++;
    } else if (!(child->files = c->files ? c->files : files_copy(self->files))) {
        return -ENOMEM;
    }
    c->files = NULL;                     // the child's now
    if (flags & CLONE_FS) {
        child->fs = self->fs;
        child->fs->refs++;
    } else if (!(child->fs = c->fs ? c->fs : fs_struct_copy(self->fs))) {
        return -ENOMEM;
    }
    c->fs = NULL;
    if (flags & CLONE_SIGHAND) {
        child->sighand = self->sighand;
        child->sighand->refs++;
    } else if (c->sighand) {
        child->sighand = c->sighand;
    } else if ((child->sighand = sighand_alloc())) {
        memcpy(child->sighand->action, self->sighand->action, sizeof child->sighand->action);
    } else {
        return -ENOMEM;
    }
    c->sighand = NULL;
    if (flags & CLONE_THREAD) {
        child->signal = self->signal;
        child->signal->refs++;
        child->signal->nr_threads++;
    } else if ((child->signal = c->signal ? c->signal : signal_alloc())) {
        memcpy(child->signal->rlim, self->signal->rlim, sizeof child->signal->rlim);
        child->signal->membarrier = self->signal->membarrier;   // (Linux: with the mm)
    } else {
        return -ENOMEM;
    }
    c->signal = NULL;
    return sem_clone(child, self, flags & CLONE_SYSVSEM);   // SEM_UNDO's list: last
}

// A child that could not be finished: give back what it took.
static void undo_child(struct proc *child) {
    mm_put(child->mm);
    files_put(child->files);
    fs_struct_put(child->fs);
    sem_exit(child);
    if (child->signal)
        child->signal->nr_threads--;
    proc_reap(child);                    // drops the sighand and signal_struct references
}

static void set_identity(struct proc *child, struct proc *self, uint64_t flags, int exit_signal) {
    memcpy(child->comm, self->comm, sizeof child->comm);
    child->no_new_privs = self->no_new_privs;
    child->keep_caps = self->keep_caps;
    child->timer_slack_ns = self->timer_slack_ns;   // (pdeath_signal: 0, as Linux's fork)
    child->personality = self->personality;
    child->cred = self->cred;
    memcpy(child->exe, self->exe, sizeof child->exe);
    child->pgid = self->pgid;
    child->sid = self->sid;
    if (flags & CLONE_THREAD) {          // a new thread of our process
        child->tgid = self->tgid;
        child->group_leader = self->group_leader;
        child->parent = self->parent;
        child->creator = self->creator;
        child->exit_signal = -1;         // threads tell nobody when they end
    } else {                             // a new process: our child, or with CLONE_PARENT our sibling
        child->parent = (flags & CLONE_PARENT) ? self->parent : self->group_leader;
        child->creator = (flags & CLONE_PARENT) ? self->creator : self;
        if (child->creator == self)
            self->made_children = true;
        // A sibling tells our parent what we would (Linux): not a signal of its choosing.
        child->exit_signal = (flags & CLONE_PARENT) ? self->group_leader->exit_signal : exit_signal;
    }
}

static void set_registers(struct proc *child, struct proc *self, uint64_t flags,
                          uint64_t stack, uint64_t tls) {
    fpu_save(child->fpu);                // the caller's live x87/SSE registers
    *child->tf = *self->tf;
    child->tf->rax = 0;                  // clone returns 0 in the child
    if (stack)
        child->tf->rsp = stack;
    child->fs_base = (flags & CLONE_SETTLS) ? tls : self->fs_base;
    child->sig_blocked = self->sig_blocked;
    child->cpus_allowed = self->cpus_allowed;   // affinity is inherited (Linux)
    sched_params_fork(child, self);             // and so are nice and the policy
    // A thread on its own stack must not inherit the alternate one (Linux: sas_ss_reset).
    if ((flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
        child->sas_sp = self->sas_sp;
        child->sas_size = self->sas_size;
        child->sas_flags = self->sas_flags;
    }
    // Nor the struct rseq, in memory shared with its maker - a vfork child's either (its
    // way out would write the parent's): it starts unregistered (glibc registers a thread's).
    if (!(flags & CLONE_VM))
        rseq_fork(child, self);
}

// CLONE_PIDFD: a pidfd for the child, its number written at `where` (clone's parent_tid,
// clone3's pidfd) before the child runs. A bad address undoes the fork: EFAULT, as Linux.
static long give_pidfd(struct proc *child, uint64_t where) {
    int fd = pidfd_create(child, 0);
    if (fd < 0)
        return fd;
    if (copy_to_user((void *)where, &fd, sizeof fd) == 0)
        return 0;
    file_close(fd_remove(current(), fd));
    return -EFAULT;
}

static long do_clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                     uint64_t tls, int exit_signal, uint64_t pidfd) {
    struct proc *self = current();
    long err = check_flags(flags, self);
    if (err)
        return err;
    if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
        return -EPERM;                   // as arch_prctl(ARCH_SET_FS) would say
    if (self->signal->group_exit)
        return -EINTR;                   // the group is dying: no new members
    // The limits, told at once: a fork they refuse makes no copies and no kernel stack.
    // (proc_alloc_on looks again: they may change while mm_dup lets the BKL go.)
    if (!proc_room_for_thread(self))
        return -EAGAIN;
    // The copy of the memory comes first, before the child is in the process table: it
    // may let the BKL go (mm_dup), and no other CPU may meet a child half made.
    struct mm *mm = NULL;
    struct copies copies = { .flags = flags };
    if (!(flags & CLONE_VM) && !(mm = mm_dup(self->mm, copy_unlocked, &copies))) {
        drop_copies(&copies);            // (made even when the page tables' copy failed)
        return -ENOMEM;
    }
    // A signal that came meanwhile - kill(-pgrp), say - went to us but could not reach the
    // child, not yet in the table: as Linux, the fork has not happened; it is made again
    // after the handler (or never, if the signal ends us).
    if (mm && (self->signal->group_exit || signal_pending(self))) {
        mm_put(mm);
        drop_copies(&copies);
        return -ERESTARTNOINTR;
    }
    struct proc *child = proc_alloc_on(copies.kstack);
    if (child)
        copies.kstack = 0;               // the child's now
    if (!child) {
        if (mm)
            mm_put(mm);
        drop_copies(&copies);
        return -EAGAIN;
    }
    err = share_or_copy(child, self, flags, mm, &copies);
    drop_copies(&copies);                // those share_or_copy did not give the child
    if (err) {
        undo_child(child);
        return err;
    }
    set_identity(child, self, flags, exit_signal);
    set_registers(child, self, flags, stack, tls);
    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = child_tid;
    if (flags & CLONE_CHILD_SETTID)
        child->set_child_tid = child_tid;   // the child writes it, in its own memory
    if ((flags & CLONE_PIDFD) && (err = give_pidfd(child, pidfd))) {
        undo_child(child);
        return err;
    }
    int pid = child->pid;
    if (flags & CLONE_PARENT_SETTID)
        (void)copy_to_user((void *)parent_tid, &pid, sizeof pid);   // Linux ignores a bad pointer too
    uint64_t f = local_irq_save();
    if (flags & CLONE_VFORK)
        child->vfork_parent = self;
    TRACE(TR_FORK, self->pid, pid, 0);
    proc_start(child);
    // vfork: we wait until the child has let go of the shared memory - by exec or exit,
    // which both clear vfork_parent and wake us. A fatal signal ends the wait (Linux's
    // wait is killable); the child runs on regardless.
    while (child->vfork_parent == self && child->pid == pid && child->state != PROC_UNUSED &&
           !fatal_signal_pending(self))
        sleep_on(self);
    if (child->pid == pid && child->vfork_parent == self)
        child->vfork_parent = NULL;
    local_irq_restore(f);
    return pid;
}

// The child's first act, before it first reaches user mode (called from proc_first_run).
void proc_first_run_c(void) {
    struct proc *p = current();
    sched_first_run();                   // the run queue's lock let go, the BKL taken
    if (p->set_child_tid) {              // in its own memory, through the checked door
        int tid = p->pid;
        (void)copy_to_user((void *)p->set_child_tid, &tid, sizeof tid);
        p->set_child_tid = 0;
    }
    // A thread made while its process stops (its maker took the BKL before the stop was
    // told, or the stop came before its first run) runs no user code until SIGCONT.
    if (p->signal->stopped || p->stop_pending || rseq_return(p->tf))
        return_to_user(p->tf);           // (a stop; or its rseq was due: the SIGSEGV, a recheck)
}

SYSCALL(fork)  { return do_clone(0, 0, 0, 0, 0, SIGCHLD, 0); }
SYSCALL(vfork) { return do_clone(CLONE_VM | CLONE_VFORK, 0, 0, 0, 0, SIGCHLD, 0); }
// clone(flags, stack, parent_tid, child_tid, tls): Linux's x86_64 argument order. With
// CLONE_PIDFD the pidfd goes where parent_tid points: so not with CLONE_PARENT_SETTID.
SYSCALL(clone) {
    uint64_t flags = a0, stack = a1, parent_tid = a2, child_tid = a3, tls = a4;
    if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
        return -EINVAL;
    return do_clone(flags & ~(uint64_t)CSIGNAL, stack, parent_tid, child_tid, tls,
                    (int)(flags & CSIGNAL), parent_tid);
}

// clone3(args, size): the same, from a struct that can grow (glibc tries it first).
SYSCALL(clone3) {
    uint64_t cl_args = a0;
    size_t size = a1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    if (size < 64)                       // CLONE_ARGS_SIZE_VER0
        return -EINVAL;
    if (size > PAGE_SIZE)
        return -E2BIG;
    if (copy_from_user(&args, (const void *)cl_args, size < sizeof args ? size : sizeof args))
        return -EFAULT;
    for (size_t off = sizeof args; off < size; off++) {   // a newer struct: the rest must be 0
        uint8_t byte;
        if (copy_from_user(&byte, (const uint8_t *)cl_args + off, 1))
            return -EFAULT;
        if (byte)
            return -E2BIG;
    }
    if ((args.flags & CSIGNAL) || args.exit_signal > NSIG_MAX || args.set_tid || args.set_tid_size)
        return -EINVAL;
    if ((args.flags & (CLONE_THREAD | CLONE_PARENT)) && args.exit_signal)
        return -EINVAL;
    if ((args.stack == 0) != (args.stack_size == 0))
        return -EINVAL;
    uint64_t stack = args.stack ? args.stack + args.stack_size : 0;   // it grows down
    if ((args.flags & CLONE_PIDFD) && (args.flags & CLONE_PARENT_SETTID) &&
        args.pidfd == args.parent_tid)
        return -EINVAL;                  // both would be written in the same place
    return do_clone(args.flags, stack, args.parent_tid, args.child_tid, args.tls,
                    (int)args.exit_signal, args.pidfd);
}
