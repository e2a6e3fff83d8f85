// sys_limits.c: resource limits (getrlimit, setrlimit, prlimit64) and which CPUs a process
// may run on (sched_getaffinity, sched_setaffinity, getcpu).
//
// Limits are per process (struct signal_struct, shared by its threads, inherited by fork,
// kept across exec); the defaults are Linux's, as its init sees them (proc_shared.c).
// Only the process's own threads and prlimit64 callers touch them, never an interrupt
// handler; with SMP, a lock (Linux: task_lock of the group leader) must cover each read or
// update of a pair, so that nobody sees a soft limit from one update and a hard from another.
//
// Linux's mask size (cpumask_size()) is that of a kernel built for at most 64 CPUs: 8 bytes.
// A mask is cut to the CPUs that are online (smp.c's ncpus) and must keep one; the
// scheduler honours it (sched.c's pick_next), and a thread that excludes the CPU it runs on
// moves at once.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "proc.h"
#include "smp.h"
#include "sched.h"
#include "syscall.h"
#include "uaccess.h"

// pid 0 is the caller; anyone else must be a live process (or thread).
static struct proc *find_target(int pid) {
    return pid == 0 ? current() : pid > 0 ? proc_find(pid) : NULL;
}

// Linux: raising a hard limit takes CAP_SYS_RESOURCE (and so does changing another
// user's limits). Every process is root with every capability today; when credentials
// arrive, this is where the check goes.
static bool capable_sys_resource(void) { return true; }

// Linux's do_prlimit: reads the old limit into *old and sets *new (either may be NULL).
static int do_prlimit(struct proc *p, unsigned resource, const struct rlimit64 *new,
                      struct rlimit64 *old) {
    if (resource >= RLIM_NLIMITS)
        return -EINVAL;
    struct rlimit64 *lim = &p->signal->rlim[resource];
    if (new) {
        if (new->rlim_cur > new->rlim_max)
            return -EINVAL;
        if (resource == RLIMIT_NOFILE && new->rlim_max > NR_OPEN_MAX)
            return -EPERM;       // even for root
        if (new->rlim_max > lim->rlim_max && !capable_sys_resource())
            return -EPERM;
    }
    if (old)
        *old = *lim;
    if (new)
        *lim = *new;
    return 0;
}

SYSCALL(getrlimit) {
    unsigned resource = (unsigned)a0;
    uint64_t rlim = a1;
    struct rlimit64 value;       // struct rlimit is the same two 64-bit values on x86_64
    int err = do_prlimit(current(), resource, NULL, &value);
    if (err)
        return err;
    return copy_to_user((void *)rlim, &value, sizeof value);
}

SYSCALL(setrlimit) {
    unsigned resource = (unsigned)a0;
    uint64_t rlim = a1;
    struct rlimit64 value;
    if (copy_from_user(&value, (const void *)rlim, sizeof value))
        return -EFAULT;          // before the resource is looked at, as on Linux
    return do_prlimit(current(), resource, &value, NULL);
}

// prlimit64(pid, resource, new, old). Linux's order: copy new in, find the process, check
// and change, copy old out (a failure there leaves the new limit in place).
SYSCALL(prlimit64) {
    int pid = (int)a0;
    unsigned resource = (unsigned)a1;
    uint64_t new_limit = a2, old_limit = a3;
    struct rlimit64 new, old;
    const void *unew = (const void *)new_limit;
    void *uold = (void *)old_limit;
    if (unew && copy_from_user(&new, unew, sizeof new))
        return -EFAULT;
    struct proc *p = find_target(pid);
    if (!p)
        return -ESRCH;
    int err = do_prlimit(p, resource, unew ? &new : NULL, uold ? &old : NULL);
    if (!err && uold && copy_to_user(uold, &old, sizeof old))
        return -EFAULT;
    return err;
}

// ---------------------------------------------------------------- CPU affinity

#define CPUMASK_SIZE 8            // bytes: the mask of a kernel built for up to 64 CPUs
#define NR_CPU_IDS   ((uint64_t)ncpus)   // CPUs that exist

static uint64_t online_mask(void) { return ncpus >= 64 ? ~0ull : (1ull << ncpus) - 1; }

SYSCALL(sched_getaffinity) {
    int pid = (int)a0;
    uint64_t umask = a2;
    uint64_t len = (uint32_t)a1;         // an unsigned int in Linux
    // Linux: the buffer must hold a bit for every CPU id and be a whole number of longs.
    if (len * 8 < NR_CPU_IDS || (len & (sizeof(long) - 1)))
        return -EINVAL;
    struct proc *p = find_target(pid);
    if (!p)
        return -ESRCH;
    uint64_t mask = p->cpus_allowed ? p->cpus_allowed : online_mask();
    uint64_t n = len < CPUMASK_SIZE ? len : CPUMASK_SIZE;
    if (copy_to_user((void *)umask, &mask, n))
        return -EFAULT;
    return (long)n;              // bytes written (the C library zeroes the rest)
}

// A shorter mask than Linux's is zero-extended, a longer one cut to its size; it must then
// contain a CPU that exists.
SYSCALL(sched_setaffinity) {
    int pid = (int)a0;
    uint64_t umask = a2;
    uint64_t len = (uint32_t)a1, mask = 0;
    if (copy_from_user(&mask, (const void *)umask, len < CPUMASK_SIZE ? len : CPUMASK_SIZE))
        return -EFAULT;
    struct proc *p = find_target(pid);
    if (!p)
        return -ESRCH;
    mask &= online_mask();
    if (!mask)
        return -EINVAL;
    p->cpus_allowed = mask == online_mask() ? 0 : mask;
    sched_affinity_changed(p);   // a halted CPU it may run on takes it now
    if (p == current() && !sched_allowed_here(p))
        yield();                 // to a CPU it may run on
    return 0;
}

// getcpu(cpu, node, tcache): where the caller runs. Either pointer may be NULL; the third
// argument is unused since Linux 2.6.24.
SYSCALL(getcpu) {
    uint64_t cpu = a0, node = a1;
    unsigned zero = 0, me = (unsigned)this_cpu()->id;
    int err = 0;                 // Linux tries both before saying EFAULT
    if (cpu && copy_to_user((void *)cpu, &me, sizeof me))
        err = -EFAULT;
    if (node && copy_to_user((void *)node, &zero, sizeof zero))
        err = -EFAULT;
    return err;
}
