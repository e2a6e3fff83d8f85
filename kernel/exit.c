// exit.c: the end of a thread, of a process, and a parent collecting it (Linux's
// kernel/exit.c).
//
// A thread that exits lets go of what it holds - its references to the memory, files,
// working directory and handlers - and is gone. When it was the last thread of its process,
// the process is over: its children get a new parent, and the process becomes a zombie - the
// leader's slot with an exit status - until its parent collects it with wait4. That is what
// lets a parent learn how its child ended even long after. A child whose parent does not
// care (SIGCHLD ignored) is freed at once instead.
//
// exit_group (and a fatal signal) ends every thread: the others are sent SIGKILL, and each
// leaves through here on its way back to user mode. The leader thread, if it ends before
// the others, stays as a zombie that wait4 does not take until the last one has gone.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "futex.h"
#include "ipc_sem.h"
#include "leakcheck.h"
#include "ksignal.h"
#include "panic.h"
#include "pidfd.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
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

// Every thread of every child process of `dying` gets the new parent. The exit signal goes
// back to SIGCHLD: a child's chosen signal was meant for its first parent (and must not
// hurt init). A child already a zombie is news for its new parent.
static void reparent_children(struct proc *dying) {
    struct proc *reaper = new_parent_for_orphans(dying);
    for (struct proc *c = proc_next(NULL); c; c = proc_next(c)) {
        if (c->state == PROC_UNUSED || c->parent != dying)
            continue;
        c->parent = reaper;
        if (thread_group_leader(c))
            c->exit_signal = SIGCHLD;
        if (c->state == PROC_ZOMBIE)
            wakeup(reaper->signal);          // a zombie to collect
    }
}

// Linux's mm_release, at exit and at exec, in the old memory: robust futexes are released;
// CLONE_CHILD_CLEARTID's word is zeroed and a futex waiter woken (pthread_join) if someone
// else still uses the memory, and forgotten either way (an exec's new program has none).
void mm_release(struct proc *p) {
    futex_exit_robust_list(p);
    uint32_t zero = 0;
    if (p->clear_child_tid && p->mm && p->mm->refs >= 2 &&
        copy_to_user((void *)p->clear_child_tid, &zero, sizeof zero) == 0)
        futex_wake_address(p->clear_child_tid, 1);
    p->clear_child_tid = 0;
}

static void release_resources(struct proc *p) {
    mm_release(p);
    sem_exit(p);                             // SEM_UNDO: before the parent can hear of us
    files_put(p->files);
    p->files = NULL;
    fs_struct_put(p->fs);
    p->fs = NULL;
    struct mm *mm = p->mm;
    // Off its tables, if other threads go on with them: the last user frees them only once
    // no CPU has them loaded (vm_destroy). If we are the last, vm_destroy itself switches
    // away - after mm_put_dropping_bkl has let the BKL go. Either way the CR3 load, under
    // QEMU a flush of its whole software TLB, is made with the lock let go: it is no work
    // for the lock. (Should the others all go meanwhile, we are the last after all: off the
    // tables already, which is as vm_destroy wants them.)
    if (mm->refs > 1) {
        uint64_t irq;
        bool dropped = bkl_drop(&irq);
        vm_switch(NULL);
        bkl_retake(dropped, irq);
    }
    p->mm = NULL;                            // first: mm_put_dropping_bkl lets the BKL go
    sched_cid_moved(p);                      // (its mm_cid goes back before the memory)
    mm_put_dropping_bkl(mm);
}

// Can thread t become the maker of another's children? Not once it has exited, nor while
// it is on its way out (signal_exit has marked it; Linux's find_alive_thread skips
// PF_EXITING): its own creator_gone, a moment later, would pass them on again - and send
// their pdeath signals a second time. (Two threads exiting at once: since exit lets the
// BKL go around its CR3 load, one may run creator_gone while the other is midway.)
static bool alive(struct proc *t) {
    return t->state != PROC_ZOMBIE && t->state != PROC_DEAD && !t->exiting;
}

// A live thread of process leader (the leader itself if it still runs), or NULL.
static struct proc *live_thread(struct proc *leader) {
    if (alive(leader))
        return leader;
    for (struct proc *t = next_thread(leader, leader); t; t = next_thread(leader, t))
        if (alive(t))
            return t;
    return NULL;
}

// Thread p, which made processes, ends: each it is the creator of gets another thread of
// p's process as its creator - or, when p is the last, one of the process its orphans go
// to - and is sent its pdeath_signal (prctl PR_SET_PDEATHSIG), as Linux's
// forget_original_parent does at every thread's end: a child's "parent death" is its maker
// thread's, and then its new parent's. Interrupts off.
static void creator_gone(struct proc *p) {
    if (!p->made_children)
        return;
    struct proc *heir = NULL;
    for (struct proc *t = next_thread(p, p); t && !heir; t = next_thread(p, t))
        if (alive(t))
            heir = t;
    if (!heir)
        heir = live_thread(new_parent_for_orphans(p->group_leader));
    if (heir == p)
        heir = NULL;
    if (heir)
        heir->made_children = true;
    for (struct proc *c = proc_next(NULL); c; c = proc_next(c)) {
        if (c->creator != p)
            continue;
        c->creator = heir;
        if (c->pdeath_signal && c->state != PROC_ZOMBIE && c->state != PROC_DEAD)
            signal_send(c, c->pdeath_signal, SI_USER, p->tgid, 0, 0);
    }
}

// The process is over (its last thread has gone): tell the parent, as the leader.
static void notify_parent(struct proc *leader) {
    reparent_children(leader);
    struct proc *parent = leader->parent;
    struct k_sigaction *ka = &parent->sighand->action[SIGCHLD];
    int status = leader->exit_status;
    if (leader->exit_signal == SIGCHLD && (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT))) {
        leader->state = PROC_DEAD;           // nobody will wait: freed at once
    } else {
        leader->state = PROC_ZOMBIE;
        bool killed = (status & 0x7f) != 0;
        if (leader->exit_signal > 0)
            signal_send(parent, leader->exit_signal, killed ? CLD_KILLED : CLD_EXITED,
                        leader->pid, 0, killed ? (status & 0x7f) : (status >> 8));
    }
    wakeup(parent->signal);                  // a wait4 may be waiting (even for "no children")
    pidfd_exited(leader);                    // and a poll on a pidfd (pidfd.c)
}

// Ends the calling thread; with it, maybe its process. status is a wait status. The
// handlers and the signal_struct stay until the slot is reaped: a zombie leader still
// stands for its process, and kill() may name it.
void proc_exit(int status) {
    struct proc *p = current();
    struct signal_struct *sig = p->signal;
    TRACE(TR_EXIT, p->pid, status, 0);
    signal_exit(p);                          // no more process-wide signals for it
    release_resources(p);
    cli();
    sched_wake_here();                       // whom we wake (the parent) takes our CPU
    if (p->vfork_parent) {
        wakeup(p->vfork_parent);
        p->vfork_parent = NULL;
    }
    p->exit_status = sig->group_exit ? sig->group_exit_status : status;
    creator_gone(p);
    if (p != p->group_leader)
        sig->dead_ticks += p->ticks;
    bool last = --sig->nr_threads == 0;
    if (sig->exec_thread)
        wakeup(sig->exec_thread);            // an execve waits for the others to go
    if (last && p->tgid == 1)
        leakcheck_report();                  // a test boot's end: was everything given back?
    if (last && p->tgid == 1)
        panic("Attempted to kill init! exitcode=0x%08x", p->exit_status);
    struct proc *leader = p->group_leader;
    if (p == leader) {
        p->state = PROC_ZOMBIE;              // kept for the parent, even while threads run on
        if (last)
            notify_parent(p);
    } else {
        p->state = PROC_DEAD;                // a thread's slot: the scheduler frees it
        if (last) {
            if (sig->group_exit)
                leader->exit_status = sig->group_exit_status;
            notify_parent(leader);
            if (leader->state == PROC_DEAD)
                proc_reap(leader);           // autoreaped; it is not running anywhere
        }
    }
    signal_stop_participate(p);              // a stop waited for us? we are as good as stopped
    schedule();                              // an exited thread never runs again
    panic("proc_exit: pid %d ran again after exit", p->pid);
}

// Every other thread of the group must go: each gets SIGKILL, which ends it on its way back
// to user mode or out of any sleep. Interrupts off.
void zap_other_threads(struct proc *p) {
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t)) {
        if (t->state == PROC_ZOMBIE)
            continue;
        t->sig_pending |= 1ull << (SIGKILL - 1);
        signal_kick(t);
    }
}

// exit_group, or a fatal signal: the whole process ends with this status.
void proc_group_exit(int status) {
    struct proc *p = current();
    uint64_t f = local_irq_save();
    struct signal_struct *sig = p->signal;
    if (!sig->group_exit) {
        sig->group_exit = true;
        sig->group_exit_status = status;
        zap_other_threads(p);
    }
    local_irq_restore(f);
    proc_exit(sig->group_exit_status);
}

// ---------------------------------------------------------------- wait4, waitid

#define WNOHANG    1
#define WUNTRACED  2
#define WSTOPPED   2
#define WEXITED    4
#define WCONTINUED 8
#define WNOWAIT    0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL      0x40000000
#define __WCLONE    0x80000000

// What the caller asked for, in a form both wait4 and waitid use.
struct wait_query {
    int idtype;              // P_ALL, P_PID, P_PGID, P_PIDFD (waitid's terms)
    int id;
    int options;
    struct pidlink *link;    // P_PIDFD: the pidfd's (pidfd.h), held by the wait
};
#define P_ALL   0
#define P_PID   1
#define P_PGID  2
#define P_PIDFD 3

// Is the process whose leader is c one the query waits for? (c's parent is the caller's.)
static bool wait_matches(const struct wait_query *q, struct proc *c) {
    bool clone_child = c->exit_signal != SIGCHLD;   // Linux: only __WCLONE waits for those
    if (!(q->options & __WALL) && clone_child != !!(q->options & __WCLONE))
        return false;
    if ((q->options & __WNOTHREAD) && c->creator != current())
        return false;                    // a child another thread of ours made
    if (q->idtype == P_PID)
        return c->pid == q->id;
    if (q->idtype == P_PGID)
        return c->pgid == q->id;
    if (q->idtype == P_PIDFD)
        return c == q->link->leader;     // NULL once reaped: no child matches (ECHILD)
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

// The CPU time of a whole process, in ticks: every thread's, live and gone (getrusage,
// and sys_time.c's CLOCK_PROCESS_CPUTIME_ID).
uint64_t group_ticks(struct proc *leader) {
    uint64_t ticks = leader->ticks + leader->signal->dead_ticks;
    for (struct proc *t = next_thread(leader, leader); t; t = next_thread(leader, t))
        ticks += t->ticks;
    return ticks;
}

#define RUSAGE_SELF      0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD    1

SYSCALL(getrusage) {
    int who = (int)a0;
    uint64_t usage = a1;
    struct proc *p = current();
    struct rusage ru;
    if (who == RUSAGE_SELF)
        rusage_from_ticks(&ru, group_ticks(p->group_leader));
    else if (who == RUSAGE_CHILDREN)
        rusage_from_ticks(&ru, p->signal->child_ticks);
    else if (who == RUSAGE_THREAD)
        rusage_from_ticks(&ru, p->ticks);
    else
        return -EINVAL;
    return copy_to_user((void *)usage, &ru, sizeof ru);
}

struct wait_result { int pid, status, code; uint64_t ticks; };

// Has child process c something to tell its parent's wait? Fills *r (status as wait4
// gives it, code as waitid's si_code) and says whether collecting it ends it.
static bool child_event(struct proc *c, int options, struct wait_result *r, bool *finished) {
    struct signal_struct *s = c->signal;
    *finished = false;
    *r = (struct wait_result){ c->pid, 0, 0, 0 };
    if (c->state == PROC_ZOMBIE && s->nr_threads == 0) {   // over: no thread left
        bool killed = (c->exit_status & 0x7f) != 0;
        r->status = c->exit_status;
        r->code = killed ? CLD_KILLED : CLD_EXITED;
        r->ticks = c->ticks + s->dead_ticks + s->child_ticks;
        *finished = (options & WEXITED) != 0;
        return *finished;
    }
    if ((options & WSTOPPED) && s->stopped && s->stop_unreported) {
        r->status = (s->stop_signal << 8) | 0x7f;
        r->code = CLD_STOPPED;
        return true;
    }
    if ((options & WCONTINUED) && s->cont_unreported) {
        r->status = 0xffff;
        r->code = CLD_CONTINUED;
        return true;
    }
    return false;
}

// One pass over the children: one with news (returned, *r filled), or whether any matches.
static struct proc *find_event(struct proc *self, const struct wait_query *q, bool *any,
                               struct wait_result *r, bool *finished) {
    *any = false;
    for (struct proc *c = proc_next(NULL); c; c = proc_next(c)) {
        if (c->state == PROC_UNUSED || c->state == PROC_DEAD || c->parent != self ||
            !thread_group_leader(c) || !wait_matches(q, c))
            continue;
        *any = true;
        if (child_event(c, q->options, r, finished))
            return c;
    }
    return NULL;
}

// Waits for a child as q says (a P_PGID id of 0: the caller's group). Returns 1 with *r
// filled, 0 (WNOHANG, none ready yet), or a negative errno. Unless WNOWAIT, the news is
// used up: a finished child's slot is freed, a stop or continue is reported once. Under
// the BKL; a freed slot's kernel stack is left in *stack for the caller to free after.
static long wait_for_child(const struct wait_query *query, struct wait_result *r,
                           uint64_t *stack) {
    struct proc *self = current()->group_leader;
    struct wait_query q1 = *query, *q = &q1;
    if (q->idtype == P_PGID && q->id == 0)
        q->id = current()->pgid;
    uint64_t f = local_irq_save();
    long ret;
    for (;;) {
        bool any, finished;
        struct proc *c = find_event(self, q, &any, r, &finished);
        if (c) {
            if (!(q->options & WNOWAIT)) {
                if (finished) {
                    self->signal->child_ticks += r->ticks;
                    *stack = proc_reap_but_stack(c);
                } else if (r->code == CLD_STOPPED) {
                    c->signal->stop_unreported = false;
                } else {
                    c->signal->cont_unreported = false;
                }
            }
            ret = 1;
            break;
        }
        if (!any) { ret = -ECHILD; break; }
        if (q->options & WNOHANG) { ret = 0; break; }
        if (signal_pending(current())) { ret = -ERESTARTSYS; break; }
        sleep_on(self->signal);          // a child's exit wakes its parent's process
    }
    local_irq_restore(f);
    return ret;
}

// waitid(P_PIDFD, fd): the pidfd's process is the child to wait for (its pid may be
// another's by now: the pidlink says). A pidfd made with PIDFD_NONBLOCK makes the wait
// WNOHANG, and one that then finds the child running fails with EAGAIN unless the caller
// asked for WNOHANG itself (Linux's kernel_waitid). EBADF if fd is no pidfd. Under the BKL:
// the wait holds its own reference to the pidlink, while another thread may close fd.
static long wait_pidfd(const struct wait_query *query, struct wait_result *r, uint64_t *stack) {
    struct wait_query q = *query;
    bool nonblock;
    if (!(q.link = pidlink_of(fd_get(q.id), &nonblock)))
        return -EBADF;
    if (nonblock)
        q.options |= WNOHANG;
    long ret = wait_for_child(&q, r, stack);
    pidlink_put(q.link);
    return ret == 0 && nonblock && !(query->options & WNOHANG) ? -EAGAIN : ret;
}

// wait4 and waitid run without the BKL (syscall.c's U calls) but here: what they copy out
// needs no lock, nor does the freed child's kernel stack (kstack.c) - the biggest part of
// a reap, which a fork+exec storm makes once an exec.
static long wait_locked(const struct wait_query *q, struct wait_result *r) {
    uint64_t stack = 0;
    bkl_lock();
    long ret = q->idtype == P_PIDFD ? wait_pidfd(q, r, &stack) : wait_for_child(q, r, &stack);
    bkl_unlock();
    if (stack)
        kstack_free(stack);
    return ret;
}

// wait4(pid, status, options, rusage): pid > 0 that child, 0 our group, -1 any, < -1 group -pid.
SYSCALL(wait4) {
    int pid = (int)a0, options = (int)a2;
    uint64_t wstatus = a1, urusage = a3;
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;                   // -pid would overflow: Linux says "no such group"
    struct wait_query q = { P_ALL, 0, options | WEXITED, NULL };
    if (pid > 0)
        q = (struct wait_query){ P_PID, pid, q.options, NULL };
    else if (pid == 0)
        q = (struct wait_query){ P_PGID, 0, q.options, NULL };     // our group
    else if (pid < -1)
        q = (struct wait_query){ P_PGID, -pid, q.options, NULL };
    struct wait_result r;
    long ret = wait_locked(&q, &r);
    if (ret <= 0)
        return ret;
    struct rusage ru;
    rusage_from_ticks(&ru, r.ticks);
    if ((wstatus && copy_to_user((void *)wstatus, &r.status, sizeof r.status)) ||
        (urusage && copy_to_user((void *)urusage, &ru, sizeof ru)))
        return -EFAULT;
    return r.pid;
}

// The part of siginfo_t that waitid fills in (SIGCHLD's layout).
struct waitid_info {
    int32_t si_signo, si_errno, si_code, pad;
    int32_t si_pid;
    uint32_t si_uid;
    int32_t si_status;
};

// Are waitid's arguments valid? P_PID needs a pid, P_PGID a group (Linux 5.4+: 0 is the
// caller's own: wait_for_child), P_PIDFD a descriptor (0 too).
static bool waitid_args_ok(int idtype, int id, int options) {
    if (options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL |
                    __WCLONE))
        return false;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return false;
    if (idtype == P_ALL)
        return true;
    if (idtype == P_PID)
        return id > 0;
    return (idtype == P_PGID || idtype == P_PIDFD) && id >= 0;
}

// The fields Linux's waitid writes, and only those (the rest of the caller's siginfo_t
// stays as it was): a child's news, or zeros (r NULL). 0 or -EFAULT; as Linux's, the
// whole 128 bytes must be user memory.
static long put_waitid_info(uint64_t infop, const struct wait_result *r) {
    struct waitid_info info;
    memset(&info, 0, sizeof info);
    if (r) {
        info.si_signo = SIGCHLD;
        info.si_code = r->code;
        info.si_pid = r->pid;
        info.si_status = r->code == CLD_KILLED ? (r->status & 0x7f) :
                         r->code == CLD_CONTINUED ? SIGCONT : (r->status >> 8) & 0xff;
    }
    size_t head = offsetof(struct waitid_info, pad), tail = offsetof(struct waitid_info, si_pid);
    if (infop >= USER_TOP || USER_TOP - infop < 128 || copy_to_user((void *)infop, &info, head) ||
        copy_to_user((void *)(infop + tail), &info.si_pid, sizeof info - tail))
        return -EFAULT;
    return 0;
}

// waitid(idtype, id, infop, options, rusage): wait4 with a siginfo_t, WNOWAIT and P_* ids.
SYSCALL(waitid) {
    int idtype = (int)a0, id = (int)a1, options = (int)a3;
    uint64_t infop = a2, urusage = a4;
    struct wait_query q = { idtype, id, options, NULL };
    struct wait_result r = { 0, 0, 0, 0 };
    long ret = waitid_args_ok(idtype, id, options) ? wait_locked(&q, &r) : -EINVAL;
    // As Linux: the rusage first, and only for a child reported; then infop, zeroed if none
    // - after an error too (EINVAL, ECHILD, a PIDFD_NONBLOCK pidfd's EAGAIN), which stays.
    if (ret == 1 && urusage) {
        struct rusage ru;
        rusage_from_ticks(&ru, r.ticks);
        if (copy_to_user((void *)urusage, &ru, sizeof ru))
            return -EFAULT;
    }
    if (infop && put_waitid_info(infop, ret == 1 ? &r : NULL))
        return -EFAULT;
    return ret < 0 ? ret : 0;
}

SYSCALL(exit) {
    uint64_t status = a0;
    proc_exit((int)(status & 0xff) << 8);
}
SYSCALL(exit_group) {
    uint64_t status = a0;
    proc_group_exit((int)(status & 0xff) << 8);
}
