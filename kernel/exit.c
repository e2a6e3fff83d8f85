// exit.c: the end of a process, and its parent collecting it (Linux's kernel/exit.c).
//
// exit lets go of everything that can go at once - memory, files, the working directory -
// hands its children to a new parent, and becomes a zombie: just a slot with an exit
// status, until the parent collects it with wait4. That is what lets a parent learn how
// its child ended even long after. A child whose parent does not care (SIGCHLD ignored)
// is freed at once instead.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "ksignal.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "time.h"
#include "syscall.h"
#include "trace.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

// Orphans go to the nearest ancestor that asked for them (prctl PR_SET_CHILD_SUBREAPER),
// or else to init.
static struct proc *new_parent_for_orphans(struct proc *dying) {
    for (struct proc *a = dying->parent; a; a = a->parent)
        if (a->subreaper && a->state != PROC_ZOMBIE)
            return a;
    return proc_find(1);
}

static void reparent_children(struct proc *dying) {
    struct proc *reaper = new_parent_for_orphans(dying);
    for (int i = 0; i < NPROC; i++) {
        struct proc *c = proc_at(i);
        if (c->state == PROC_UNUSED || c->parent != dying)
            continue;
        c->parent = reaper;
        if (c->state == PROC_ZOMBIE)
            wakeup(reaper);              // a zombie to collect
    }
}

static void release_resources(struct proc *p) {
    for (int fd = 0; fd < NOFILE; fd++) {
        if (p->files[fd]) {
            file_close(p->files[fd]);
            p->files[fd] = NULL;
        }
    }
    fs_put(p->cwd);
    p->cwd = NULL;
    if (p->clear_child_tid) {           // CLONE_CHILD_CLEARTID: tell whoever waits on it
        uint32_t zero = 0;
        copy_to_user((void *)p->clear_child_tid, &zero, sizeof zero);
    }
    vm_switch(NULL);
    mm_put(p->mm);
    p->mm = NULL;
}

void proc_exit(int status) {
    struct proc *p = current();
    if (p->pid == 1)
        panic("Attempted to kill init! exitcode=0x%08x", status);
    TRACE(TR_EXIT, p->pid, status, 0);
    release_resources(p);
    cli();
    if (p->vfork_parent) {
        wakeup(p->vfork_parent);
        p->vfork_parent = NULL;
    }
    reparent_children(p);
    p->exit_status = status;
    struct proc *parent = p->parent;
    struct k_sigaction *ka = &parent->sigaction[SIGCHLD];
    if (p->exit_signal == SIGCHLD && (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT))) {
        p->state = PROC_DEAD;            // nobody will wait: the scheduler frees it
        wakeup(parent);                  // but a wait4 may be waiting for "no children"
    } else {
        p->state = PROC_ZOMBIE;
        bool killed = (status & 0x7f) != 0;
        signal_send(parent, p->exit_signal, killed ? CLD_KILLED : CLD_EXITED, p->pid, 0,
                    killed ? (status & 0x7f) : (status >> 8));
        wakeup(parent);
    }
    schedule();                          // a zombie never runs again
    panic("proc_exit: zombie %d ran again", p->pid);
}

// Does child c match wait4's pid argument, as seen from parent p?
static bool wait_matches(struct proc *p, struct proc *c, int pid) {
    if (pid > 0)
        return c->pid == pid;
    if (pid == 0)
        return c->pgid == p->pgid;
    if (pid < -1)
        return c->pgid == -pid;
    return true;
}

// Linux's struct rusage: CPU time as timevals, then 14 longs of counters (all zero here).
struct rusage { int64_t utime_sec, utime_usec, stime_sec, stime_usec, counters[14]; };

// Ticks are counted as user time: the split between user and kernel is not measured yet.
static void rusage_from_ticks(struct rusage *ru, uint64_t ticks) {
    uint64_t us = ticks * (1000000 / HZ);
    memset(ru, 0, sizeof *ru);
    ru->utime_sec = (int64_t)(us / 1000000);
    ru->utime_usec = (int64_t)(us % 1000000);
}

#define RUSAGE_SELF      0
#define RUSAGE_CHILDREN (-1)

SYSCALL(getrusage) {
    struct proc *p = current();
    struct rusage ru;
    if ((int)a0 == RUSAGE_SELF)
        rusage_from_ticks(&ru, p->ticks);
    else if ((int)a0 == RUSAGE_CHILDREN)
        rusage_from_ticks(&ru, p->child_ticks);
    else
        return -EINVAL;
    return copy_to_user((void *)a1, &ru, sizeof ru);
}

#define WNOHANG    1
#define WUNTRACED  2
#define WCONTINUED 8
#define __WNOTHREAD 0x20000000
#define __WALL      0x40000000
#define __WCLONE    0x80000000

// One pass over the children: a zombie to reap (returned), or whether any child matches.
static struct proc *find_zombie(struct proc *p, int pid, bool *any) {
    *any = false;
    for (int i = 0; i < NPROC; i++) {
        struct proc *c = proc_at(i);
        if (c->state == PROC_UNUSED || c->state == PROC_DEAD || c->parent != p ||
            !wait_matches(p, c, pid))
            continue;
        *any = true;
        if (c->state == PROC_ZOMBIE)
            return c;
    }
    return NULL;
}

SYSCALL(wait4) {
    int pid = (int)a0, options = (int)a2;
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;                   // -pid would overflow: Linux says "no such group"
    struct proc *p = current();
    uint64_t f = local_irq_save();
    long ret;
    for (;;) {
        bool any;
        struct proc *z = find_zombie(p, pid, &any);
        if (z) {
            int status = z->exit_status, zpid = z->pid;
            uint64_t ticks = z->ticks + z->child_ticks;
            p->child_ticks += ticks;
            proc_reap(z);
            local_irq_restore(f);
            struct rusage ru;
            rusage_from_ticks(&ru, ticks);
            if ((a1 && copy_to_user((void *)a1, &status, sizeof status)) ||
                (a3 && copy_to_user((void *)a3, &ru, sizeof ru)))
                return -EFAULT;
            return zpid;
        }
        if (!any) { ret = -ECHILD; break; }
        if (options & WNOHANG) { ret = 0; break; }
        if (signal_pending(p)) { ret = -ERESTARTSYS; break; }
        sleep_on(p);                     // exit() wakes the parent
    }
    local_irq_restore(f);
    return ret;
}

SYSCALL(exit)       { proc_exit((int)(a0 & 0xff) << 8); }
SYSCALL(exit_group) { proc_exit((int)(a0 & 0xff) << 8); }
