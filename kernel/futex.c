// futex.c: fast user-space locking (Linux's futex(2)).
//
// A futex is an ordinary 32-bit word in user memory. Threads take and release locks on it
// with atomic instructions in user mode alone; only when one must wait does it call
// futex(FUTEX_WAIT, expected value), and the kernel puts it to sleep *if the word still
// holds that value* - checked with interrupts off, so no wake can slip in between the check
// and the sleep. A thread that changes the word calls futex(FUTEX_WAKE, n) to wake up to n
// sleepers. pthread mutexes, condition variables, joins and the Go runtime's locks all sit
// on these two operations.
//
// Waiters are found by a key naming the word: (mm, address) for memory private to a
// process, (shared-memory object, offset) for MAP_SHARED memory when the caller does not
// say FUTEX_PRIVATE_FLAG - so processes sharing a page meet on it whatever its address.
//
// Locking: the waiter list is touched only with interrupts off (one CPU). Each waiter lives
// on its sleeping thread's kernel stack; it is on the list exactly while that thread waits.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "futex.h"
#include "ksignal.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_FD              2
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_CMD_MASK        (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

struct futex_key { uintptr_t object, offset; };

struct futex_waiter {
    struct futex_key key;
    uint32_t bitset;
    bool woken;
    struct proc *thread;
    struct futex_waiter *next;
};

static struct futex_waiter *waiters;     // every waiting thread; interrupts off to touch

// The key for the word at uaddr in the current process. -EINVAL if misaligned, -EFAULT
// if it is not user memory.
static long get_key(uint64_t uaddr, bool private, struct futex_key *key) {
    if (uaddr & 3)
        return -EINVAL;
    if (uaddr >= USER_TOP - 4)
        return -EFAULT;
    struct mm *mm = current()->mm;
    struct vma *vma = private ? NULL : mm_find(mm, uaddr);
    if (!private && !vma)
        return -EFAULT;                  // a shared futex must be memory (Linux looks the page up)
    if (vma && vma->shm) {
        uint64_t page = vma->shm_pgoff + (uaddr - vma->start) / PAGE_SIZE;
        *key = (struct futex_key){ (uintptr_t)vma->shm, page * PAGE_SIZE + (uaddr & (PAGE_SIZE - 1)) };
    } else {
        *key = (struct futex_key){ (uintptr_t)mm, uaddr };
    }
    return 0;
}

static bool same_key(const struct futex_key *a, const struct futex_key *b) {
    return a->object == b->object && a->offset == b->offset;
}

static void unlink_waiter(struct futex_waiter *w) {
    for (struct futex_waiter **pp = &waiters; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            return;
        }
    }
}

// Wakes up to n waiters on key whose bitset meets `bitset`; returns how many. As Linux
// counts, n of 0 or less still wakes one. Interrupts off.
static int wake_key(const struct futex_key *key, int n, uint32_t bitset) {
    int woken = 0;
    for (struct futex_waiter **pp = &waiters; *pp;) {
        struct futex_waiter *w = *pp;
        if (same_key(&w->key, key) && (w->bitset & bitset)) {
            *pp = w->next;
            w->woken = true;
            sched_make_runnable(w->thread);
            if (++woken >= n)
                break;
        } else {
            pp = &w->next;
        }
    }
    return woken;
}

// Moves up to n waiters from one key to another (FUTEX_REQUEUE); returns how many.
static int requeue_key(const struct futex_key *from, const struct futex_key *to, int n) {
    int moved = 0;
    for (struct futex_waiter *w = waiters; w && moved < n; w = w->next) {
        if (same_key(&w->key, from)) {
            w->key = *to;
            moved++;
        }
    }
    return moved;
}

void futex_wake_address(uint64_t uaddr, int n) {
    struct futex_key key;
    if (get_key(uaddr, false, &key))
        return;
    uint64_t f = local_irq_save();
    wake_key(&key, n, FUTEX_BITSET_MATCH_ANY);
    local_irq_restore(f);
}

// The timeout argument as a deadline in ns since boot (0: none). Relative for FUTEX_WAIT,
// absolute for FUTEX_WAIT_BITSET, on CLOCK_REALTIME if asked.
static long get_deadline(uint64_t utime, bool absolute, bool realtime, uint64_t *deadline) {
    *deadline = 0;
    if (!utime)
        return 0;
    struct { int64_t sec, nsec; } ts;
    if (copy_from_user(&ts, (const void *)utime, sizeof ts))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    uint64_t now = time_since_boot_ns();
    uint64_t sec = (uint64_t)ts.sec, ns;
    if (sec > UINT64_MAX / 1000000000 - 1)
        ns = UINT64_MAX / 2;                 // so far ahead it is "never"
    else
        ns = sec * 1000000000 + (uint64_t)ts.nsec;
    if (!absolute)
        *deadline = now + ns < now ? UINT64_MAX / 2 : now + ns;
    else if (realtime) {
        uint64_t real = time_realtime_ns();
        *deadline = ns <= real ? 1 : now + (ns - real);
    } else {
        *deadline = ns ? ns : 1;             // already since boot (CLOCK_MONOTONIC)
    }
    return 0;
}

static long futex_wait(uint64_t uaddr, bool private, uint32_t expected, uint64_t deadline,
                       uint32_t bitset) {
    if (!bitset)
        return -EINVAL;
    struct futex_waiter w = { .bitset = bitset, .thread = current() };
    long err = get_key(uaddr, private, &w.key);
    if (err)
        return err;
    struct proc *p = current();
    uint64_t f = local_irq_save();
    uint32_t value;
    if (copy_from_user(&value, (const void *)uaddr, sizeof value)) {
        local_irq_restore(f);
        return -EFAULT;
    }
    if (value != expected) {
        local_irq_restore(f);
        return -EAGAIN;                      // it changed already: don't sleep
    }
    w.next = waiters;
    waiters = &w;
    long ret = 0;
    while (!w.woken) {
        if (deadline && time_since_boot_ns() >= deadline) {
            ret = -ETIMEDOUT;
            break;
        }
        if (signal_pending(p)) {
            ret = deadline ? -EINTR : -ERESTARTSYS;
            break;
        }
        p->wake_at = deadline;
        sleep_on(&w);
        p->wake_at = 0;
    }
    if (!w.woken)
        unlink_waiter(&w);
    local_irq_restore(f);
    return w.woken ? 0 : ret;
}

// FUTEX_WAKE_OP's operation on *uaddr2, encoded in val3 as Linux does:
// [31:28] op (bit 31: oparg is a shift), [27:24] comparison, [23:12] oparg, [11:0] cmparg.
static long wake_op_apply(uint64_t uaddr2, uint32_t encoded, bool *cmp_true) {
    int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
    if (encoded & (8u << 28))
        oparg = 1 << (oparg & 31);
    int32_t old, new;
    if (op > 4 || cmp > 5)
        return -ENOSYS;
    if (copy_from_user(&old, (const void *)uaddr2, sizeof old))
        return -EFAULT;
    switch (op) {
    case 0: new = oparg; break;                          // SET
    case 1: new = (int32_t)((uint32_t)old + (uint32_t)oparg); break;   // ADD
    case 2: new = old | oparg; break;                    // OR
    case 3: new = old & ~oparg; break;                   // ANDN
    default: new = old ^ oparg; break;                   // XOR
    }
    if (copy_to_user((void *)uaddr2, &new, sizeof new))
        return -EFAULT;
    switch (cmp) {
    case 0: *cmp_true = old == cmparg; break;
    case 1: *cmp_true = old != cmparg; break;
    case 2: *cmp_true = old < cmparg; break;
    case 3: *cmp_true = old <= cmparg; break;
    case 4: *cmp_true = old > cmparg; break;
    default: *cmp_true = old >= cmparg; break;
    }
    return 0;
}

static long futex_wake_op(uint64_t uaddr, uint64_t uaddr2, bool private, int n, int n2,
                          uint32_t encoded) {
    struct futex_key k1, k2;
    long err = get_key(uaddr, private, &k1);
    if (!err)
        err = get_key(uaddr2, private, &k2);
    if (err)
        return err;
    uint64_t f = local_irq_save();
    bool cmp_true = false;
    err = wake_op_apply(uaddr2, encoded, &cmp_true);
    if (!err) {
        err = wake_key(&k1, n, FUTEX_BITSET_MATCH_ANY);
        if (cmp_true)
            err += wake_key(&k2, n2, FUTEX_BITSET_MATCH_ANY);
    }
    local_irq_restore(f);
    return err;
}

static long futex_requeue(uint64_t uaddr, uint64_t uaddr2, bool private, int nr_wake,
                          int nr_requeue, bool compare, uint32_t expected) {
    if (nr_wake < 0 || nr_requeue < 0)
        return -EINVAL;
    struct futex_key k1, k2;
    long err = get_key(uaddr, private, &k1);
    if (!err)
        err = get_key(uaddr2, private, &k2);
    if (err)
        return err;
    uint64_t f = local_irq_save();
    long ret;
    uint32_t value;
    if (compare && copy_from_user(&value, (const void *)uaddr, sizeof value))
        ret = -EFAULT;
    else if (compare && value != expected)
        ret = -EAGAIN;
    else
        ret = (nr_wake ? wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY) : 0) +
              requeue_key(&k1, &k2, nr_requeue);
    local_irq_restore(f);
    return ret;
}

// futex(uaddr, op, val, timeout or val2, uaddr2, val3)
SYSCALL(futex) {
    uint64_t uaddr = a0, utime = a3, uaddr2 = a4;
    int op = (int)a1, cmd = op & FUTEX_CMD_MASK;
    uint32_t val = (uint32_t)a2, val3 = (uint32_t)a5;
    bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
    if (realtime && cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS;                  // Linux: only the absolute waits take another clock
    uint64_t deadline;
    long err;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        err = get_deadline(utime, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
        if (err)
            return err;
        return futex_wait(uaddr, private, val, deadline,
                          cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
        struct futex_key key;
        if (!bitset)
            return -EINVAL;
        if ((err = get_key(uaddr, private, &key)))
            return err;
        uint64_t f = local_irq_save();
        long n = wake_key(&key, (int)val, bitset);
        local_irq_restore(f);
        return n;
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        return futex_requeue(uaddr, uaddr2, private, (int)val, (int)utime,
                             cmd == FUTEX_CMP_REQUEUE, val3);
    case FUTEX_WAKE_OP:
        return futex_wake_op(uaddr, uaddr2, private, (int)val, (int)utime, val3);
    default:
        return -ENOSYS;                  // FUTEX_FD (gone from Linux too) and the PI family
    }
}

// ---------------------------------------------------------------- robust futexes
//
// A robust mutex must not stay locked forever when its owner dies. Each thread registers
// (set_robust_list) the head of a list, in its own memory, of the robust locks it holds:
//     struct robust_list_head { struct robust_list *next; long futex_offset;
//                               struct robust_list *list_op_pending; };
// every entry is a `next` pointer inside a lock (bit 0: a PI lock), and the lock's futex
// word lies futex_offset bytes from it; list_op_pending is the lock being taken or released
// right now. When the thread exits (or execs), the kernel walks that list as Linux's
// exit_robust_list does: each word still holding the thread's tid gets FUTEX_OWNER_DIED
// (keeping FUTEX_WAITERS), and one waiter is woken - who then gets EOWNERDEAD from
// pthread_mutex_lock. The list is user memory and not trusted: every read and the
// compare-and-exchange go through uaccess.h, a fault ends the walk, and at most
// ROBUST_LIST_LIMIT entries are visited (a list made circular ends too).
#define ROBUST_LIST_HEAD_SIZE 24
#define ROBUST_LIST_LIMIT     2048
#define FUTEX_WAITERS         0x80000000u
#define FUTEX_OWNER_DIED      0x40000000u
#define FUTEX_TID_MASK        0x3fffffffu

// Reads a list pointer; bit 0 says "PI lock" and is split off. 0 or -EFAULT.
static int fetch_robust_entry(uint64_t at, uint64_t *entry, bool *pi) {
    uint64_t v;
    if (copy_from_user(&v, (const void *)at, sizeof v))
        return -EFAULT;
    *entry = v & ~1ull;
    *pi = v & 1;
    return 0;
}

// One lock whose owner, thread `tid`, is gone. pending: it was list_op_pending. -1 means
// the word is unusable (misaligned, not writable memory) and ends the walk.
static int handle_futex_death(uint64_t uaddr, int tid, bool pi, bool pending) {
    if (uaddr & 3)
        return -1;
    for (;;) {
        uint32_t uval;
        if (copy_from_user(&uval, (const void *)uaddr, sizeof uval))
            return -1;
        // The owner died between its user-space unlock (word 0) and the wake: do the wake.
        if (pending && !pi && uval == 0) {
            futex_wake_address(uaddr, 1);
            return 0;
        }
        if ((uval & FUTEX_TID_MASK) != (uint32_t)tid)
            return 0;                    // not ours (any more): leave it alone
        uint32_t found = uval, mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (cmpxchg_user_u32((uint32_t *)uaddr, &found, mval))
            return -1;
        if (found != uval)
            continue;                    // another thread changed it meanwhile: look again
        if (!pi && (uval & FUTEX_WAITERS))
            futex_wake_address(uaddr, 1);   // PI locks are handed over elsewhere (not here)
        return 0;
    }
}

void futex_exit_robust_list(struct proc *p) {
    uint64_t head = p->robust_list, entry, pending, next = 0;
    bool pi, pending_pi, next_pi = false;
    int64_t offset;
    p->robust_list = 0;                  // walked once (exec, then exit, must not repeat it)
    if (!head || !p->mm)
        return;
    if (fetch_robust_entry(head, &entry, &pi) ||
        copy_from_user(&offset, (const void *)(head + 8), sizeof offset) ||
        fetch_robust_entry(head + 16, &pending, &pending_pi))
        return;
    for (int limit = ROBUST_LIST_LIMIT; entry != head;) {
        int rc = fetch_robust_entry(entry, &next, &next_pi);   // before the lock changes
        if (entry != pending && handle_futex_death(entry + (uint64_t)offset, p->pid, pi, false))
            return;
        if (rc)
            return;                      // Linux too leaves the pending lock alone then
        if (--limit == 0)
            break;
        entry = next;
        pi = next_pi;
    }
    if (pending)
        handle_futex_death(pending + (uint64_t)offset, p->pid, pending_pi, true);
}

SYSCALL(set_robust_list) {
    uint64_t head = a0, len = a1;
    if (len != ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    current()->robust_list = head;
    current()->robust_len = len;
    return 0;
}

SYSCALL(get_robust_list) {
    uint64_t pid = a0, head_ptr = a1, len_ptr = a2;
    struct proc *t = pid ? proc_find((int)pid) : current();
    if (!t || t->state == PROC_ZOMBIE)
        return -ESRCH;
    uint64_t head = t->robust_list, len = ROBUST_LIST_HEAD_SIZE;
    if (copy_to_user((void *)len_ptr, &len, sizeof len) ||
        copy_to_user((void *)head_ptr, &head, sizeof head))
        return -EFAULT;
    return 0;
}
