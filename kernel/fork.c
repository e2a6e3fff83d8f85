// fork.c: new processes (Linux's fork, vfork and clone).
//
// The child is a copy of its parent: the same registers (but rax = 0, so fork "returns 0"
// in the child), a copy of its memory (or the very same memory, with CLONE_VM), the same
// open files, working directory, signal handlers and mask. It starts life in
// proc_first_run, on its way back to user mode as if it had just made the system call.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "ksignal.h"
#include "proc.h"
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
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000

// What we can do today: processes, with or without shared memory. Threads (CLONE_THREAD,
// CLONE_SIGHAND, CLONE_FILES, CLONE_FS, CLONE_SETTLS) come with the thread split.
#define SUPPORTED (CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | \
                   CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)

static void copy_files(struct proc *child, struct proc *parent) {
    for (int fd = 0; fd < NOFILE; fd++)
        if (parent->files[fd])
            child->files[fd] = file_dup(parent->files[fd]);
    memcpy(child->cloexec, parent->cloexec, sizeof child->cloexec);
    child->cwd = parent->cwd;
    fs_get(child->cwd);
}

static long do_fork(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid) {
    if (flags & ~(uint64_t)SUPPORTED)
        return -EINVAL;
    struct proc *parent = current();
    struct proc *child = proc_alloc();
    if (!child)
        return -EAGAIN;
    child->mm = (flags & CLONE_VM) ? mm_get(parent->mm) : mm_dup(parent->mm);
    if (!child->mm) {
        proc_reap(child);
        return -ENOMEM;
    }
    memcpy(child->comm, parent->comm, sizeof child->comm);
    memcpy(child->exe, parent->exe, sizeof child->exe);
    child->parent = parent;
    child->pgid = parent->pgid;
    child->sid = parent->sid;
    child->exit_signal = (int)(flags & CSIGNAL);
    child->fs_base = parent->fs_base;
    child->sig_blocked = parent->sig_blocked;
    memcpy(child->sigaction, parent->sigaction, sizeof child->sigaction);
    fpu_save(child->fpu);               // the parent's live x87/SSE registers
    copy_files(child, parent);
    *child->tf = *parent->tf;
    child->tf->rax = 0;                 // fork returns 0 in the child
    if (stack)
        child->tf->rsp = stack;
    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = child_tid;
    int pid = child->pid;
    if (flags & CLONE_PARENT_SETTID)
        (void)copy_to_user((void *)parent_tid, &pid, sizeof pid);   // Linux ignores a bad pointer too
    if (flags & CLONE_CHILD_SETTID)     // written in the child's memory
        mm_poke(child->mm, child_tid, &pid, sizeof pid);
    uint64_t f = local_irq_save();
    if (flags & CLONE_VFORK)
        child->vfork_parent = parent;
    TRACE(TR_FORK, parent->pid, pid, 0);
    proc_start(child);
    // vfork: the parent waits until the child has let go of the shared memory - by exec
    // or exit, which both clear vfork_parent and wake us.
    while (child->vfork_parent == parent && (child->state != PROC_UNUSED && child->pid == pid))
        sleep_on(parent);
    local_irq_restore(f);
    return pid;
}

SYSCALL(fork)  { return do_fork(SIGCHLD, 0, 0, 0); }
SYSCALL(vfork) { return do_fork(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0); }
// clone(flags, stack, parent_tid, child_tid, tls): Linux's x86_64 argument order.
SYSCALL(clone) { return do_fork(a0, a1, a2, a3); }
