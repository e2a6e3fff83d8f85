// rseq.c: restartable sequences (rseq(2)), Linux's per-thread "which CPU am I on" word and
// its critical sections that the kernel restarts rather than lets be cut in two.
//
// A thread registers a struct rseq in its own memory (glibc does so for every thread it
// starts). From then on the kernel keeps two things true each time the thread goes back to
// user mode after it was switched out, moved, or given a signal:
//   - cpu_id_start and cpu_id hold the CPU it runs on (sched_getcpu reads them: no system
//     call), node_id the NUMA node (always 0 here) and mm_cid a small id, unique among
//     the threads of its process on a CPU at the moment (sched.c);
//   - if rseq_cs points at a critical section's descriptor and the thread was stopped
//     inside it ([start_ip, start_ip + post_commit_offset)), it resumes at abort_ip instead,
//     and rseq_cs is cleared. So a section that reads the CPU number, works on that CPU's
//     data, and commits with one store either ran through without being switched out, or
//     starts over: per-CPU data without atomic instructions or locks.
// The abort address must be preceded by the 32-bit signature given at registration, so a
// forged descriptor cannot send the thread just anywhere. Anything wrong with the structures
// (unmapped, a bad version or flags, a bad signature) is the thread's fault: SIGSEGV, as on
// Linux.
//
//   struct rseq    { u32 cpu_id_start, cpu_id; u64 rseq_cs; u32 flags, node_id, mm_cid; }
//                  (32 bytes, 32-aligned)
//   struct rseq_cs { u32 version, flags; u64 start_ip, post_commit_offset, abort_ip; }
//
// When: the scheduler marks a registered thread's rseq "due" each time it is switched in
// (rseq_switched_in), the registration marks it too, and a signal's delivery does the work
// itself before the handler's frame is built (so the frame saves abort_ip, not an address
// inside the section). The way back to user mode (trap.c) does it if due. Only the thread
// itself reads or writes its rseq fields (proc.h), so no lock guards them - but for the
// due mark, which membarrier's RSEQ command may set from another CPU (rseq_mark_running),
// atomically. The user memory is written through the checked doors (uaccess.h), where a
// fault may sleep.
#include <stddef.h>
#include <stdint.h>
#include "errno.h"
#include "ksignal.h"
#include "proc.h"
#include "rseq.h"
#include "percpu.h"
#include "smp.h"
#include "syscall.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"

#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_ORIG_SIZE 32            // the struct's first size, and its alignment
#define RSEQ_CPU_ID_UNINITIALIZED ((uint32_t)-1)

// The fields' offsets in struct rseq.
#define OFF_CPU_ID_START 0
#define OFF_CPU_ID       4
#define OFF_RSEQ_CS      8
#define OFF_FLAGS        16
#define OFF_NODE_ID      20
#define OFF_MM_CID       24

struct rseq_cs {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
};

// The CPU's numbers into the thread's struct rseq: 0 or -EFAULT.
static int update_cpu(struct proc *p, uint32_t cpu) {
    uint32_t ids[2] = { cpu, cpu };          // cpu_id_start, cpu_id
    // node_id: one node. mm_cid: a small id, unique among the threads of the process on a
    // CPU now (sched.c's cid_take; fixed while this thread runs).
    uint32_t more[2] = { 0, (uint32_t)p->mm_cid };
    if (copy_to_user((void *)(p->rseq_addr + OFF_CPU_ID_START), ids, sizeof ids))
        return -EFAULT;
    return copy_to_user((void *)(p->rseq_addr + OFF_NODE_ID), more, sizeof more);
}

// Reads and checks the critical section rseq_cs points at (Linux's rseq_get_rseq_cs): 0
// with *cs filled in (all zero if there is none), or -EFAULT/-EINVAL.
static int get_cs(struct proc *p, struct rseq_cs *cs) {
    uint64_t ptr;
    if (copy_from_user(&ptr, (const void *)(p->rseq_addr + OFF_RSEQ_CS), sizeof ptr))
        return -EFAULT;
    *cs = (struct rseq_cs){ 0 };
    if (!ptr)
        return 0;
    if (ptr >= USER_TOP)
        return -EINVAL;
    if (copy_from_user(cs, (const void *)ptr, sizeof *cs))
        return -EFAULT;
    if (cs->version > 0 || cs->start_ip >= USER_TOP || cs->abort_ip >= USER_TOP ||
        cs->start_ip + cs->post_commit_offset >= USER_TOP)
        return -EINVAL;                  // (Linux's bounds: TASK_SIZE)
    uint64_t end = cs->start_ip + cs->post_commit_offset;
    if (end < cs->start_ip || cs->abort_ip - cs->start_ip < cs->post_commit_offset)
        return -EINVAL;              // wraps, or the abort address lies inside the section
    uint32_t sig;
    if (cs->abort_ip < sizeof sig ||
        copy_from_user(&sig, (const void *)(cs->abort_ip - sizeof sig), sizeof sig))
        return -EFAULT;
    return sig == p->rseq_sig ? 0 : -EINVAL;   // Linux warns: "Possible attack attempt"
}

// Was the thread stopped inside the section? Then it resumes at abort_ip, if anything
// happened (a switch, a move, a signal) since the last look: 0, or -errno.
static int fixup_ip(struct proc *p, struct trapframe *tf, bool event) {
    struct rseq_cs cs;
    int err = get_cs(p, &cs);
    if (err)
        return err;
    uint64_t zero = 0;
    if (tf->rip - cs.start_ip >= cs.post_commit_offset)   // (unsigned: below start wraps)
        return copy_to_user((void *)(p->rseq_addr + OFF_RSEQ_CS), &zero, sizeof zero);
    uint32_t flags;
    if (cs.flags || copy_from_user(&flags, (const void *)(p->rseq_addr + OFF_FLAGS), sizeof flags))
        return cs.flags ? -EINVAL : -EFAULT;
    if (flags)                       // the restart-suppressing flags are gone: Linux refuses them
        return -EINVAL;
    if (!event)
        return 0;
    if (copy_to_user((void *)(p->rseq_addr + OFF_RSEQ_CS), &zero, sizeof zero))
        return -EFAULT;
    tf->rip = cs.abort_ip;
    return 0;
}

// Linux's __rseq_handle_notify_resume: the critical section first (it reads where the
// thread is), then the CPU's numbers; due is what was owed (its mark, taken off already:
// another CPU may set it again meanwhile, and then the way out comes back). 0 or -errno.
static int rseq_update(struct proc *p, struct trapframe *tf, int due) {
    uint64_t zero = 0;
    int err = due != RSEQ_UPDATE ? fixup_ip(p, tf, due == RSEQ_EVENT) :
              // just registered: Linux clears rseq_cs
              copy_to_user((void *)(p->rseq_addr + OFF_RSEQ_CS), &zero, sizeof zero);
    if (!err)
        err = update_cpu(p, (uint32_t)this_cpu()->id);
    return err;
}

void rseq_switched_in(struct proc *p) {
    if (p->rseq_addr)
        __atomic_store_n(&p->rseq_due, RSEQ_EVENT, __ATOMIC_RELAXED);
}

// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) (sys_proc.c): every thread of mm
// running on another CPU (or on CPU only, if >= 0) is told to look at its rseq as if it
// had been switched out; the caller's IPI then brings each into the kernel, and on its way
// back out it aborts a section it was in. A thread seen here that has just left its CPU
// gets RSEQ_EVENT anyway when it is switched in again; one whose struct proc has since
// been reused for another thread finds a mark its rseq_return ignores if it has no rseq.
void rseq_mark_running(struct mm *mm, int only) {
    struct percpu *self = this_cpu();
    for_each_online_cpu(c) {
        struct proc *t = __atomic_load_n(&c->current, __ATOMIC_ACQUIRE);
        if (c != self && (only < 0 || c->id == only) && t && t->mm == mm && t->rseq_addr)
            __atomic_store_n(&t->rseq_due, RSEQ_EVENT, __ATOMIC_RELEASE);
    }
}

bool rseq_return(struct trapframe *tf) {
    struct proc *p = current();
    int due = __atomic_exchange_n(&p->rseq_due, RSEQ_NOT_DUE, __ATOMIC_ACQ_REL);
    if (due == RSEQ_NOT_DUE || !p->rseq_addr)   // (no rseq: a stale mark, rseq_mark_running)
        return false;
    if (rseq_update(p, tf, due)) {
        bkl_lock();                  // (signals are sent under it; it nests)
        signal_force(p, SIGSEGV, SI_KERNEL, 0);
        bkl_unlock();
    }
    return true;
}

void rseq_signal(struct trapframe *tf, int sig) {
    struct proc *p = current();
    if (!p->rseq_addr)
        return;
    int due = __atomic_exchange_n(&p->rseq_due, RSEQ_NOT_DUE, __ATOMIC_ACQ_REL);
    if (!rseq_update(p, tf, due == RSEQ_UPDATE ? RSEQ_UPDATE : RSEQ_EVENT))
        return;
    // Linux's force_sigsegv: a SIGSEGV handler that itself cannot be entered is dropped.
    if (sig == SIGSEGV)
        p->sighand->action[SIGSEGV].handler = SIG_DFL;
    signal_force(p, SIGSEGV, SI_KERNEL, 0);
}

void rseq_fork(struct proc *child, struct proc *self) {
    child->rseq_addr = self->rseq_addr;
    child->rseq_len = self->rseq_len;
    child->rseq_sig = self->rseq_sig;
    child->rseq_due = self->rseq_addr ? RSEQ_EVENT : RSEQ_NOT_DUE;
}

void rseq_exec(struct proc *p) {
    p->rseq_addr = 0;
    p->rseq_len = p->rseq_sig = 0;
    __atomic_store_n(&p->rseq_due, RSEQ_NOT_DUE, __ATOMIC_RELAXED);
}

static long unregister(struct proc *p, uint64_t addr, uint32_t len, uint32_t sig) {
    if (!p->rseq_addr || p->rseq_addr != addr || p->rseq_len != len)
        return -EINVAL;
    if (p->rseq_sig != sig)
        return -EPERM;
    uint32_t reset[4] = { 0, RSEQ_CPU_ID_UNINITIALIZED, 0, 0 };
    if (copy_to_user((void *)(addr + OFF_CPU_ID_START), reset, 2 * sizeof(uint32_t)) ||
        copy_to_user((void *)(addr + OFF_NODE_ID), &reset[2], 2 * sizeof(uint32_t)))
        return -EFAULT;
    rseq_exec(p);
    return 0;
}

// rseq(struct rseq *rseq, u32 rseq_len, int flags, u32 sig): registers the calling
// thread's struct rseq (flags 0) or unregisters it (RSEQ_FLAG_UNREGISTER), with Linux's
// errors: a second registration of the same area, -EBUSY (of another, -EINVAL); a
// different signature, -EPERM; a short or misaligned area, -EINVAL; not in user space or
// not readable, -EFAULT. The area is first written on the way out (SIGSEGV if it cannot be).
SYSCALL(rseq) {
    uint64_t addr = a0;
    uint32_t len = (uint32_t)a1, sig = (uint32_t)a3;
    int flags = (int)a2;
    struct proc *p = current();
    if (flags & RSEQ_FLAG_UNREGISTER)
        return flags & ~RSEQ_FLAG_UNREGISTER ? -EINVAL : unregister(p, addr, len, sig);
    if (flags)
        return -EINVAL;
    if (p->rseq_addr) {
        if (p->rseq_addr != addr || p->rseq_len != len)
            return -EINVAL;
        return p->rseq_sig == sig ? -EBUSY : -EPERM;
    }
    if (len < RSEQ_ORIG_SIZE || addr % RSEQ_ORIG_SIZE)
        return -EINVAL;
    if (addr >= USER_TOP || len > USER_TOP - addr)
        return -EFAULT;
    // Linux (6.18) reads the fields at registration: an unmapped struct is -EFAULT now; a
    // read-only one passes, and its first update on the way out is SIGSEGV.
    uint32_t fields[RSEQ_ORIG_SIZE / sizeof(uint32_t)];
    if (copy_from_user(fields, (const void *)addr, sizeof fields))
        return -EFAULT;
    p->rseq_addr = addr;
    p->rseq_len = len;
    p->rseq_sig = sig;
    __atomic_store_n(&p->rseq_due, RSEQ_UPDATE, __ATOMIC_RELAXED);   // numbers before it returns
    return 0;
}
