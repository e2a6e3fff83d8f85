// sys_sched.c: scheduling parameters - nice values (getpriority, setpriority) and
// scheduling policies (sched_setscheduler and the calls around it), as Linux keeps them.
//
// Each thread has a nice value (-20, most favoured, to 19), a policy (SCHED_OTHER, BATCH,
// IDLE, or the real-time FIFO and RR) and, under a real-time policy, a priority 1..99.
// fork and clone copy them (but SCHED_RESET_ON_FORK), exec keeps them, /proc/<pid>/stat
// shows them (fields 18, 19, 40 and 41), and these calls read back what was set.
//
// What the scheduler does with them (sched.c, "weights and priorities"): a real-time
// thread goes before every other, by priority, and SCHED_FIFO's turn has no slice; among
// the others, CPU time is shared by Linux's CFS weights (nice 0 is worth 1024, nice 19
// 15, SCHED_IDLE 3). SCHED_BATCH is scheduled as SCHED_OTHER.
//
// Locking: the fields are the thread's own ([self] in proc.h) but any process may change
// them through these calls; all of that runs under the BKL. The scheduler reads them
// without it, under its own lock (an int is read whole; a change counts from the next pick).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2
#define NICE_MIN     (-20)
#define NICE_MAX     19
#define RLIMIT_NICE   13
#define RLIMIT_RTPRIO 14
#define MAX_RT_PRIO   99
#define SCHED_DEADLINE 6                // not here: sched_setscheduler cannot set it
#define SCHED_RESET_ON_FORK 0x40000000
#define NS_PER_SEC   1000000000ull

static bool rt_policy(int policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }

static bool valid_policy(int policy) {
    return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ||
           rt_policy(policy);
}

// pid 0 is the caller; a negative pid is no process here (the calls check it first).
static struct proc *find_thread(int pid) {
    if (pid == 0)
        return current();
    struct proc *p = proc_find(pid);
    return p && p->state != PROC_ZOMBIE ? p : NULL;
}

// ---------------------------------------------------------------- nice values

// Linux's set_one_prio_perm: the target's real or effective uid is the caller's
// effective uid, or the caller is privileged (CAP_SYS_NICE).
static bool may_change(struct proc *p) {
    uint32_t euid = current()->cred.euid;
    return p->cred.uid == euid || p->cred.euid == euid || capable();
}

// Linux's can_nice: lowering p's nice value (more CPU) takes CAP_SYS_NICE, or an
// RLIMIT_NICE of p's of at least 20 - nice.
static bool may_lower_nice(struct proc *p, int nice) {
    return capable() || (uint64_t)(20 - nice) <= p->signal->rlim[RLIMIT_NICE].rlim_cur;
}

// Does p belong to what (which, who) names? who has been made concrete (0: the caller's).
static bool selected(struct proc *p, int which, int who) {
    if (p->state == PROC_UNUSED || p->state == PROC_DEAD || p->state == PROC_ZOMBIE)
        return false;
    return which == PRIO_PGRP ? p->pgid == who : p->cred.uid == (uint32_t)who;
}

static int concrete_who(int which, int who) {
    if (who)
        return who;
    return which == PRIO_PGRP ? current()->pgid : (int)current()->cred.uid;
}

// Returns 20 - nice (1..40), the most favoured among the targets, as Linux's system
// call does so that no success is negative; the C library turns it back into a nice value.
SYSCALL(getpriority) {
    int which = (int)a0, who = (int)a1, best = -ESRCH;
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -EINVAL;
    if (which == PRIO_PROCESS) {
        struct proc *p = find_thread(who);
        return p ? 20 - p->nice : -ESRCH;
    }
    who = concrete_who(which, who);
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        if (selected(p, which, who) && 20 - p->nice > best)
            best = 20 - p->nice;
    return best;
}

// Linux's set_one_prio: the error of the last target refused, else 0 once one was set.
static long set_one(struct proc *p, int nice, long error) {
    if (!may_change(p))
        return -EPERM;
    if (nice < p->nice && !may_lower_nice(p, nice))
        return -EACCES;
    p->nice = nice;
    return error == -ESRCH ? 0 : error;
}

SYSCALL(setpriority) {
    int which = (int)a0, who = (int)a1, nice = (int)a2;
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -EINVAL;
    nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
    if (which == PRIO_PROCESS) {
        struct proc *p = find_thread(who);
        return p ? set_one(p, nice, -ESRCH) : -ESRCH;
    }
    who = concrete_who(which, who);
    long error = -ESRCH;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        if (selected(p, which, who))
            error = set_one(p, nice, error);
    return error;
}

// ---------------------------------------------------------------- policies

struct sched_param_k { int sched_priority; };   // Linux's struct sched_param

// Linux's __sched_setscheduler for a caller in user space: policy < 0 keeps p's own.
static long set_scheduler(struct proc *p, int policy, const struct sched_param_k *param) {
    bool reset = p->sched_reset_on_fork;
    if (policy < 0) {
        policy = p->policy;
    } else {
        reset = policy & SCHED_RESET_ON_FORK;
        policy &= ~SCHED_RESET_ON_FORK;
        if (!valid_policy(policy))
            return -EINVAL;
    }
    int prio = param->sched_priority;
    if (prio < 0 || prio > MAX_RT_PRIO || rt_policy(policy) != (prio != 0))
        return -EINVAL;
    if (!capable()) {
        uint64_t rtprio = p->signal->rlim[RLIMIT_RTPRIO].rlim_cur;   // the target's, as Linux
        if (rt_policy(policy) && ((policy != p->policy && !rtprio) ||
                                  (prio > p->rt_priority && (uint64_t)prio > rtprio)))
            return -EPERM;
        if (p->sched_reset_on_fork && !reset)
            return -EPERM;           // only the privileged may clear it
        if (!may_change(p))
            return -EPERM;
    }
    bool leaves_rt = rt_policy(p->policy) && !rt_policy(policy);
    p->policy = policy;
    p->rt_priority = prio;
    p->sched_reset_on_fork = reset;
    if (leaves_rt)
        sched_place(p);              // its fair share counts from now (sched.c)
    return 0;
}

// sched_setscheduler and sched_setparam: Linux's do_sched_setscheduler, in its order.
static long set_from_user(int pid, int policy, uint64_t uparam) {
    struct sched_param_k param;
    if (!uparam || pid < 0)
        return -EINVAL;
    if (copy_from_user(&param, (const void *)uparam, sizeof param))
        return -EFAULT;
    struct proc *p = find_thread(pid);
    return p ? set_scheduler(p, policy, &param) : -ESRCH;
}

SYSCALL(sched_setscheduler) {
    int pid = (int)a0, policy = (int)a1;
    uint64_t uparam = a2;
    if (policy < 0)
        return -EINVAL;
    return set_from_user(pid, policy, uparam);
}

SYSCALL(sched_setparam) {
    int pid = (int)a0;
    uint64_t uparam = a1;
    return set_from_user(pid, -1, uparam);
}

SYSCALL(sched_getscheduler) {
    int pid = (int)a0;
    if (pid < 0)
        return -EINVAL;
    struct proc *p = find_thread(pid);
    if (!p)
        return -ESRCH;
    return p->policy | (p->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYSCALL(sched_getparam) {
    int pid = (int)a0;
    uint64_t uparam = a1;
    if (!uparam || pid < 0)
        return -EINVAL;
    struct proc *p = find_thread(pid);
    if (!p)
        return -ESRCH;
    struct sched_param_k param = { rt_policy(p->policy) ? p->rt_priority : 0 };
    return copy_to_user((void *)uparam, &param, sizeof param);
}

SYSCALL(sched_get_priority_max) {
    int policy = (int)a0;
    if (rt_policy(policy))
        return MAX_RT_PRIO;
    return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

SYSCALL(sched_get_priority_min) {
    int policy = (int)a0;
    if (rt_policy(policy))
        return 1;
    return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

// The time slice the policy gives: none for FIFO (it runs until it yields), Linux's
// 100 ms for RR, and for the others the round robin's own slice.
SYSCALL(sched_rr_get_interval) {
    int pid = (int)a0;
    uint64_t utp = a1;
    if (pid < 0)
        return -EINVAL;
    struct proc *p = find_thread(pid);
    if (!p)
        return -ESRCH;
    uint64_t ns = p->policy == SCHED_FIFO ? 0 :
                  (uint64_t)(p->policy == SCHED_RR ? RR_SLICE_TICKS : TIME_SLICE_TICKS) * (NS_PER_SEC / HZ);
    struct { int64_t tv_sec, tv_nsec; } ts = { (int64_t)(ns / NS_PER_SEC),
                                               (int64_t)(ns % NS_PER_SEC) };
    return copy_to_user((void *)utp, &ts, sizeof ts);
}

// fork and clone: the child runs as its parent does, unless the parent asked for
// SCHED_RESET_ON_FORK - then a real-time parent's child starts as a normal thread at nice
// 0, and another's at nice 0 if the parent's was below (Linux's sched_fork).
void sched_params_fork(struct proc *child, const struct proc *parent) {
    child->nice = parent->nice;
    child->policy = parent->policy;
    child->rt_priority = parent->rt_priority;
    child->sched_reset_on_fork = false;
    if (parent->sched_reset_on_fork) {
        if (rt_policy(child->policy)) {
            child->policy = SCHED_OTHER;
            child->rt_priority = 0;
            child->nice = 0;
        } else if (child->nice < 0) {
            child->nice = 0;
        }
    }
}
