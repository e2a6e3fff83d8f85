// futex.c: fast user-space locking (Linux's futex(2)).
//
// A futex is an ordinary 32-bit word in user memory. Threads take and release locks on it
// with atomic instructions in user mode alone; only when one must wait does it call
// futex(FUTEX_WAIT, expected value), and the kernel puts it to sleep *if the word still
// holds that value* - checked under the futex lock, so no wake can slip in between the
// check and the sleep. A thread that changes the word calls futex(FUTEX_WAKE, n) to wake up to n
// sleepers. pthread mutexes, condition variables, joins and the Go runtime's locks all sit
// on these two operations.
//
// Waiters are found by a key naming the word: (mm, address) for memory private to a
// process, (shared-memory object, offset) or (file, offset in it) for MAP_SHARED memory
// when the caller does not say FUTEX_PRIVATE_FLAG - so processes sharing a page meet on it
// whatever its address.
//
// Locking: the waiter list has a lock of its own, futex_lock, and the calls that wait and
// wake run without the big kernel lock (syscall.c's U entries), on every CPU at once: a
// mutex's lock and unlock in one process do not wait for another's system calls. A
// waiter looks at the word and joins the list under futex_lock, and sleeps with it
// (sleep_on_locked); a waker takes it to find and wake waiters. So a wake either comes
// before the look (which then sees the word changed: EAGAIN) or finds the waiter. Each
// waiter lives on its sleeping thread's kernel stack; it is on the list exactly while that
// thread waits. Lock order: the BKL, futex_lock, an mm's lock, sched_lock.
//
// Under futex_lock a fault on the word cannot be handled (handling one may sleep, and takes
// the BKL, which comes first): the word is read with the _nofault copies, and a call that
// meets a page not there yet lets go of the lock, faults the page in, and starts again
// (struct refault), as Linux's futex code does.
//
// Priority-inheritance futexes (FUTEX_LOCK_PI and friends, below the robust lists) keep
// their waiters on the same list, marked pi.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "futex.h"
#include "ksignal.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "spinlock.h"
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
#define FUTEX_LOCK_PI         6
#define FUTEX_UNLOCK_PI       7
#define FUTEX_TRYLOCK_PI      8
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI  12
#define FUTEX_LOCK_PI2        13
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_CMD_MASK        (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
// The bits of a PI or robust lock's word: the owner's thread id, and two flags.
#define FUTEX_WAITERS         0x80000000u    // the kernel has (had) waiters: unlock in the kernel
#define FUTEX_OWNER_DIED      0x40000000u    // the owner died holding it (robust locks)
#define FUTEX_TID_MASK        0x3fffffffu

struct futex_key { uintptr_t object, offset; };

// Every field is read and written under futex_lock, by the waiting thread or by the one
// that wakes it, moves it, or hands it a PI lock.
struct futex_waiter {
    struct futex_key key;
    uint32_t bitset;
    bool woken;
    struct proc *thread;
    struct futex_waiter *next;
    // A FUTEX_LOCK_PI waiter: woken only by a handoff (unlock or the owner's exit), which
    // makes it the owner. owner: the thread id that holds the lock, as the kernel knows it
    // (Linux's pi_state->owner): the same in every pi waiter of a key. owner_gone: the
    // owner exited, so the waiter writes its own id into the word when it runs.
    bool pi, owner_gone;
    int owner;
    // A FUTEX_WAIT_REQUEUE_PI waiter, still on its condition (key): woken only by
    // FUTEX_CMP_REQUEUE_PI to pi_key, which makes it a pi waiter there (or the owner).
    bool requeue_pi;
    struct futex_key pi_key;
};

static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct futex_waiter *waiters;     // every waiting thread (futex_lock)

static uint64_t lock_futexes(void) { return spin_lock_irqsave(&futex_lock); }

// The wakeups made under the lock send their IPIs once it is let go (sched_wake_locked).
static void unlock_futexes(uint64_t flags) {
    spin_unlock_irqrestore(&futex_lock, 0);
    sched_send_ipis();
    local_irq_restore(flags);
}

// A page that a call under futex_lock could not fault in there, to fault in once the lock
// is let go (fault_in) before the call starts again. again: there is one.
struct refault {
    bool again, write;
    uint64_t addr;
};

// The word's accesses under futex_lock: 0, or -EFAULT with rf noting the page.
static int get_word(uint64_t uaddr, uint32_t *value, struct refault *rf) {
    if (copy_from_user_nofault(value, (const void *)uaddr, sizeof *value) == 0)
        return 0;
    *rf = (struct refault){ .again = true, .write = false, .addr = uaddr };
    return -EFAULT;
}

static int cmpxchg_word(uint64_t uaddr, uint32_t *old, uint32_t new, struct refault *rf) {
    if (cmpxchg_user_u32_nofault((uint32_t *)uaddr, old, new) == 0)
        return 0;
    *rf = (struct refault){ .again = true, .write = true, .addr = uaddr };
    return -EFAULT;
}

// No lock held: the page rf noted is brought in as any user access would (it may sleep).
// True if the call may go again; false if the address is bad (the call says -EFAULT). A
// write fault is brought in by a compare-and-exchange that writes the value found back:
// a copy-on-write page becomes the process's own, a read-only one fails.
static bool fault_in(struct refault *rf) {
    uint32_t v;
    rf->again = false;
    if (copy_from_user(&v, (const void *)rf->addr, sizeof v))
        return false;
    return !rf->write || cmpxchg_user_u32((uint32_t *)rf->addr, &v, v) == 0;
}

// Sleeps until a waker, a signal or the deadline (0: none). wake_at is read by the wake
// timer's walk of the table, which holds the BKL (sched.c): atomic stores.
static void sleep_until_woken(struct proc *p, struct futex_waiter *w, uint64_t deadline) {
    __atomic_store_n(&p->wake_at, deadline, __ATOMIC_SEQ_CST);
    sleep_on_locked(w, &futex_lock);
    __atomic_store_n(&p->wake_at, 0, __ATOMIC_SEQ_CST);
}

// The key for the word at uaddr in the current process. -EINVAL if misaligned, -EFAULT
// if it is not user memory. A shared key is looked up in the VMAs under the mm's lock.
static long get_key(uint64_t uaddr, bool private, struct futex_key *key) {
    if (uaddr & 3)
        return -EINVAL;
    if (uaddr >= USER_TOP - 4)
        return -EFAULT;
    struct mm *mm = current()->mm;
    *key = (struct futex_key){ (uintptr_t)mm, uaddr };
    if (private)
        return 0;
    uint64_t flags = mm_lock(mm);
    struct vma *vma = mm_find(mm, uaddr);
    // A shared futex must be memory whose page Linux can look up: not PROT_NONE, and not
    // a read-only private anonymous page (Linux's get_futex_key: EFAULT for those).
    bool ok = vma && (vma->prot & (VM_READ | VM_WRITE | VM_EXEC)) &&
              (vma->shm || vma->file || (vma->prot & VM_WRITE));
    if (ok && vma->shm) {
        uint64_t page = vma->shm_pgoff + (uaddr - vma->start) / PAGE_SIZE;
        uint64_t offset = page * PAGE_SIZE + (uaddr & (PAGE_SIZE - 1));
        *key = (struct futex_key){ (uintptr_t)vma->shm, offset };
    } else if (ok && (vma->flags & VMA_SHARED_FILE)) {
        // A shared mapping of a file (a memfd, shm_open's /dev/shm file, any file): the
        // word is the file's, wherever each process maps it - named semaphores and
        // process-shared mutexes live there. (A private mapping's word is the process's
        // own copy, as Linux keys a page it has written.)
        *key = (struct futex_key){ (uintptr_t)vma->file, vma->file_off + (uaddr - vma->start) };
    }
    mm_unlock(mm, flags);
    return ok ? 0 : -EFAULT;
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
// counts, n of 0 or less still wakes one. futex_lock held.
static int wake_key(const struct futex_key *key, int n, uint32_t bitset) {
    int woken = 0;
    for (struct futex_waiter **pp = &waiters; *pp;) {
        struct futex_waiter *w = *pp;
        if (same_key(&w->key, key) && !w->pi && !w->requeue_pi && (w->bitset & bitset)) {
            *pp = w->next;
            w->woken = true;
            sched_wake_locked(w->thread);
            if (++woken >= n)
                break;
        } else {
            pp = &w->next;
        }
    }
    return woken;
}

// Moves up to n waiters from one key to another (FUTEX_REQUEUE); returns how many.
// futex_lock held.
static int requeue_key(const struct futex_key *from, const struct futex_key *to, int n) {
    int moved = 0;
    for (struct futex_waiter *w = waiters; w && moved < n; w = w->next) {
        if (same_key(&w->key, from) && !w->pi && !w->requeue_pi) {
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
    uint64_t f = lock_futexes();
    wake_key(&key, n, FUTEX_BITSET_MATCH_ANY);
    unlock_futexes(f);
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
    struct refault rf;
    uint32_t value;
    uint64_t f = lock_futexes();
    while (get_word(uaddr, &value, &rf)) {
        unlock_futexes(f);
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    if (value != expected) {
        unlock_futexes(f);
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
            // A timed wait: EINTR if a handler runs (Linux's restart block), else it
            // starts again after a stop - to the same deadline if it was absolute.
            ret = deadline ? -ERESTARTNOHAND : -ERESTARTSYS;
            break;
        }
        sleep_until_woken(p, &w, deadline);
    }
    if (!w.woken)
        unlink_waiter(&w);
    unlock_futexes(f);
    return w.woken ? 0 : ret;
}

// FUTEX_WAKE_OP's operation on *uaddr2, encoded in val3 as Linux does:
// [31:28] op (bit 31: oparg is a shift), [27:24] comparison, [23:12] oparg, [11:0] cmparg.
// Atomic, as Linux's: a compare-and-exchange, tried again if user space moved the word.
// futex_lock held.
static long wake_op_apply(uint64_t uaddr2, uint32_t encoded, bool *cmp_true, struct refault *rf) {
    int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
    if (encoded & (8u << 28))
        oparg = 1 << (oparg & 31);
    int32_t old, new;
    if (op > 4 || cmp > 5)
        return -ENOSYS;
    for (uint32_t found;;) {
        if (get_word(uaddr2, (uint32_t *)&old, rf))
            return -EFAULT;
        switch (op) {
        case 0: new = oparg; break;                          // SET
        case 1: new = (int32_t)((uint32_t)old + (uint32_t)oparg); break;   // ADD
        case 2: new = old | oparg; break;                    // OR
        case 3: new = old & ~oparg; break;                   // ANDN
        default: new = old ^ oparg; break;                   // XOR
        }
        found = (uint32_t)old;
        if (cmpxchg_word(uaddr2, &found, (uint32_t)new, rf))
            return -EFAULT;
        if (found == (uint32_t)old)
            break;
    }
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
    struct refault rf;
    bool cmp_true = false;
    uint64_t f = lock_futexes();
    while ((err = wake_op_apply(uaddr2, encoded, &cmp_true, &rf)) == -EFAULT) {
        unlock_futexes(f);
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    if (!err) {
        err = wake_key(&k1, n, FUTEX_BITSET_MATCH_ANY);
        if (cmp_true)
            err += wake_key(&k2, n2, FUTEX_BITSET_MATCH_ANY);
    }
    unlock_futexes(f);
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
    struct refault rf;
    long ret;
    uint32_t value;
    uint64_t f = lock_futexes();
    while (compare && get_word(uaddr, &value, &rf)) {
        unlock_futexes(f);
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    if (compare && value != expected)
        ret = -EAGAIN;
    else
        ret = (nr_wake ? wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY) : 0) +
              requeue_key(&k1, &k2, nr_requeue);
    unlock_futexes(f);
    return ret;
}

static long futex_lock_pi(uint64_t uaddr, bool private, uint64_t deadline, bool trylock);
static long futex_unlock_pi(uint64_t uaddr, bool private);
static long futex_wait_requeue_pi(uint64_t uaddr, uint64_t uaddr2, bool private, uint32_t val,
                                  uint64_t deadline);
static long futex_cmp_requeue_pi(uint64_t uaddr, uint64_t uaddr2, bool private, int nr_wake,
                                 int nr_requeue, uint32_t expected);
static bool has_pi_waiter(const struct futex_key *key);
static long futex_pi(uint64_t uaddr, uint64_t uaddr2, bool private, bool realtime, int cmd,
                     uint32_t val, uint64_t utime, uint32_t val3);

// futex(uaddr, op, val, timeout or val2, uaddr2, val3)
SYSCALL(futex) {
    uint64_t uaddr = a0, utime = a3, uaddr2 = a4;
    int op = (int)a1, cmd = op & FUTEX_CMD_MASK;
    uint32_t val = (uint32_t)a2, val3 = (uint32_t)a5;
    bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
    if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2 &&
        cmd != FUTEX_WAIT_REQUEUE_PI)
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
        uint64_t f = lock_futexes();
        // A PI lock's waiters are woken only by its unlock: Linux says EINVAL to a wake.
        long n = has_pi_waiter(&key) ? -EINVAL : wake_key(&key, (int)val, bitset);
        unlock_futexes(f);
        return n;
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        return futex_requeue(uaddr, uaddr2, private, (int)val, (int)utime,
                             cmd == FUTEX_CMP_REQUEUE, val3);
    case FUTEX_WAKE_OP:
        return futex_wake_op(uaddr, uaddr2, private, (int)val, (int)utime, val3);
    case FUTEX_LOCK_PI:                  // an absolute CLOCK_REALTIME timeout, always
    case FUTEX_LOCK_PI2:                 // absolute, CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME
    case FUTEX_TRYLOCK_PI:
    case FUTEX_UNLOCK_PI:
    case FUTEX_WAIT_REQUEUE_PI:          // absolute, CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME
    case FUTEX_CMP_REQUEUE_PI:
        bkl_lock();                      // the PI calls look up threads (below)
        err = futex_pi(uaddr, uaddr2, private, realtime, cmd, val, utime, val3);
        bkl_unlock();
        return err;
    default:
        return -ENOSYS;                  // FUTEX_FD (gone from Linux too)
    }
}

// The PI calls, under the BKL: the owner a word names is a thread to look up, its
// scheduling policy to read (the process table's, the BKL's); and futex_lock.
static long futex_pi(uint64_t uaddr, uint64_t uaddr2, bool private, bool realtime, int cmd,
                     uint32_t val, uint64_t utime, uint32_t val3) {
    uint64_t deadline;
    long err;
    switch (cmd) {
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
        err = get_deadline(utime, true, cmd == FUTEX_LOCK_PI || realtime, &deadline);
        if (err)
            return err;
        return futex_lock_pi(uaddr, private, deadline, false);
    case FUTEX_TRYLOCK_PI:
        return futex_lock_pi(uaddr, private, 0, true);
    case FUTEX_UNLOCK_PI:
        return futex_unlock_pi(uaddr, private);
    case FUTEX_WAIT_REQUEUE_PI:
        err = get_deadline(utime, true, realtime, &deadline);
        if (err)
            return err;
        return futex_wait_requeue_pi(uaddr, uaddr2, private, val, deadline);
    default:
        return futex_cmp_requeue_pi(uaddr, uaddr2, private, (int)val, (int)utime, val3);
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
            futex_wake_address(uaddr, 1);   // PI locks: handed over by futex_exit_pi
        return 0;
    }
}

static void walk_robust_list(struct proc *p) {
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

static void futex_exit_pi(struct proc *p);

// Linux's futex_cleanup: the robust list first, which marks robust PI locks
// FUTEX_OWNER_DIED; then the PI locks p still holds go to their waiters.
void futex_exit_robust_list(struct proc *p) {
    walk_robust_list(p);
    futex_exit_pi(p);
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

// ---------------------------------------------------------------- priority-inheritance futexes
//
// A PI lock's word holds its owner's thread id (FUTEX_TID_MASK), or 0 when free. User
// space takes a free lock by compare-and-exchange 0 -> tid and gives it back by tid -> 0;
// only when that fails does it call the kernel:
//   FUTEX_LOCK_PI    the lock is held: set FUTEX_WAITERS in the word (so that the owner's
//                    unlock comes to the kernel too) and sleep until it is handed over;
//   FUTEX_UNLOCK_PI  hand the lock to the first waiter: the word becomes its tid, with
//                    FUTEX_WAITERS (Linux keeps that bit while the kernel knows the lock),
//                    or 0 if nobody waits;
//   FUTEX_TRYLOCK_PI the same as LOCK_PI without the sleep (EAGAIN).
// Unlike FUTEX_WAIT, the kernel, not user space, decides who owns the lock next: the
// waiters get it one after another in the order they came - real-time threads first, by
// priority, as Linux - and none can be overtaken.
//
// "Priority inheritance" on Linux means the owner runs at the priority of its most urgent
// waiter, so a low-priority owner cannot hold up a real-time waiter. Lantern's threads
// may be given nice values and real-time policies, which its scheduler weighs (sched.c),
// but an owner is never lent a waiter's priority: nothing is boosted. What programs observe of a PI futex is all here - the owner's id in the word,
// the handoff in order, the errors - except the boost itself (Linux's /proc/<pid>/stat
// shows a boosted owner's priority; Lantern's shows the one it was given).
//
// The kernel's view of a lock (Linux's pi_state) exists only while threads wait on it, and
// lives in those waiters: each pi waiter of a key records the same owner id. No memory is
// allocated, so none can leak. When the owner exits or execs (futex_exit_robust_list: the
// robust-list walk marks its robust locks FUTEX_OWNER_DIED, then futex_exit_pi), its locks
// pass to their first waiters, the word marked FUTEX_OWNER_DIED (as Linux, robust list or
// not): glibc's and musl's robust mutexes then report EOWNERDEAD. A thread named in a word
// that has exited, or is exiting with its locks handed over already (pi_locks_gone),
// cannot be waited for: ESRCH, as Linux (its futex_state FUTEX_STATE_DEAD). The mark is
// made under futex_lock, in the hold that hands the locks over, so a waiter comes either
// before (and is handed the lock) or after (ESRCH). No BKL is needed for that, and none
// is held across the whole exit: an exiting thread lets it go before its memory does.
//
// Locking: the BKL (they look up threads by id), and futex_lock for the list, as above.
// (owner_alive's look-up walks the process table under futex_lock: for that long, a PI call
// holds up the other futex calls. Linux keeps a pi_state per lock instead.)
// User space on other CPUs may change a word at any moment, so every change the kernel
// makes to one is a compare-and-exchange, tried again if the word moved.

// Whether a thread with id tid exists and can still give a lock back.
static bool owner_alive(int tid) {
    struct proc *t = proc_find(tid);
    return t && t->state != PROC_ZOMBIE && t->mm && !t->pi_locks_gone;
}

// How urgent a waiter is, as Linux's rt_mutex orders them: a real-time thread's priority
// (SCHED_FIFO or SCHED_RR, 1..99, set by sched_setscheduler), 0 for every other thread.
static int pi_rank(const struct proc *t) {
    return t->policy == 1 || t->policy == 2 ? t->rt_priority : 0;
}

// The pi waiter on key that gets the lock next (NULL: none): the most urgent, and of
// those the one that came first (the list keeps pi waiters in arrival order).
static struct futex_waiter *pi_top_waiter(const struct futex_key *key) {
    struct futex_waiter *top = NULL;
    for (struct futex_waiter *w = waiters; w; w = w->next)
        if (w->pi && same_key(&w->key, key) && (!top || pi_rank(w->thread) > pi_rank(top->thread)))
            top = w;
    return top;
}

// Any waiter FUTEX_WAKE must not wake (Linux: EINVAL): pi, or waiting for a requeue to pi.
static bool has_pi_waiter(const struct futex_key *key) {
    for (struct futex_waiter *w = waiters; w; w = w->next)
        if ((w->pi || w->requeue_pi) && same_key(&w->key, key))
            return true;
    return false;
}

// FUTEX_WAIT sleepers on a word used as a PI lock: user space mixed the two up (EINVAL).
static bool has_plain_waiter(const struct futex_key *key) {
    for (struct futex_waiter *w = waiters; w; w = w->next)
        if (!w->pi && same_key(&w->key, key))
            return true;
    return false;
}

static void append_waiter(struct futex_waiter *w) {
    struct futex_waiter **pp = &waiters;
    while (*pp)
        pp = &(*pp)->next;
    w->next = NULL;
    *pp = w;
}

// Writes the new owner's id into a word whose owner has exited, with FUTEX_WAITERS and
// FUTEX_OWNER_DIED, as Linux's fixup_pi_state_owner does (robust list or not). Under
// futex_lock if rf is given (a fault then fails it, rf noting the page), else without.
static long pi_claim_word(uint64_t uaddr, int tid, struct refault *rf) {
    for (;;) {
        uint32_t uval, found, want = FUTEX_OWNER_DIED | FUTEX_WAITERS | (uint32_t)tid;
        if (rf ? get_word(uaddr, &uval, rf)
               : copy_from_user(&uval, (const void *)uaddr, sizeof uval))
            return -EFAULT;
        found = uval;
        if (rf ? cmpxchg_word(uaddr, &found, want, rf)
               : cmpxchg_user_u32((uint32_t *)uaddr, &found, want))
            return -EFAULT;
        if (found == uval)
            return 0;
    }
}

// Makes waiter w the owner: off the list, the other waiters of its key now wait for it,
// and it runs again. owner_gone: the word still names the dead owner (w rewrites it).
// futex_lock held.
static void pi_hand_over(struct futex_waiter *w, bool owner_gone) {
    unlink_waiter(w);
    for (struct futex_waiter *o = waiters; o; o = o->next)
        if (o->pi && same_key(&o->key, &w->key))
            o->owner = w->thread->pid;
    w->owner_gone = owner_gone;
    w->woken = true;
    sched_wake_locked(w->thread);
}

// One try at taking the lock for thread tid, as Linux's futex_lock_pi_atomic: 1 if it was
// free and is tid's now (with FUTEX_WAITERS if set_waiters), 0 if thread *owner holds it
// (FUTEX_WAITERS is set in the word by then), or an error (-EFAULT: see rf). futex_lock
// held.
static long pi_try_take(uint64_t uaddr, const struct futex_key *key, int tid, bool set_waiters,
                        int *owner, struct refault *rf) {
    for (;;) {
        uint32_t uval, found;
        if (get_word(uaddr, &uval, rf))
            return -EFAULT;
        uint32_t holder = uval & FUTEX_TID_MASK;
        if (holder == (uint32_t)tid)
            return -EDEADLK;
        if (has_plain_waiter(key))
            return -EINVAL;
        struct futex_waiter *top = pi_top_waiter(key);
        if (top) {
            // Others wait already: the word must name the owner they wait for, or nobody
            // with FUTEX_OWNER_DIED (a dead robust owner's lock not yet handed over).
            if (holder != (uint32_t)top->owner && !(holder == 0 && (uval & FUTEX_OWNER_DIED)))
                return -EINVAL;
            *owner = top->owner;
            return 0;
        }
        uint32_t want = holder ? uval | FUTEX_WAITERS : (uval & FUTEX_OWNER_DIED) | (uint32_t)tid |
                                                        (set_waiters ? FUTEX_WAITERS : 0);
        found = uval;
        if (cmpxchg_word(uaddr, &found, want, rf))
            return -EFAULT;
        if (found != uval)
            continue;                    // user space changed it meanwhile: look again
        if (!holder)
            return 1;                    // it was free (maybe with a flag left): ours now
        if (!owner_alive((int)holder)) {
            // Linux looks once more: a word that changed is tried again, else no such owner.
            if (get_word(uaddr, &found, rf))
                return -EFAULT;
            if (found != want)
                continue;
            return -ESRCH;
        }
        *owner = (int)holder;
        return 0;
    }
}

// FUTEX_LOCK_PI, LOCK_PI2 and (trylock) TRYLOCK_PI. deadline: ns since boot, 0 for none.
// A signal does not end the wait with EINTR: Linux restarts the call after the handler.
static long futex_lock_pi(uint64_t uaddr, bool private, uint64_t deadline, bool trylock) {
    struct proc *p = current();
    struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .thread = p, .pi = true };
    long ret = get_key(uaddr, private, &w.key);
    if (ret)
        return ret;
    struct refault rf;
    uint64_t f = lock_futexes();
    while ((ret = pi_try_take(uaddr, &w.key, p->pid, false, &w.owner, &rf)) == -EFAULT) {
        unlock_futexes(f);
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    if (ret != 0 || trylock) {
        unlock_futexes(f);
        return ret == 1 ? 0 : ret == 0 ? -EAGAIN : ret;
    }
    append_waiter(&w);                   // last: the lock goes round in arrival order
    while (!w.woken) {
        if (deadline && time_since_boot_ns() >= deadline) {
            ret = -ETIMEDOUT;
            break;
        }
        if (signal_pending(p)) {
            ret = -ERESTARTNOINTR;
            break;
        }
        sleep_until_woken(p, &w, deadline);
    }
    if (!w.woken)
        unlink_waiter(&w);               // FUTEX_WAITERS stays in the word, as on Linux
    unlock_futexes(f);
    if (w.woken)                         // (the lock is ours: nobody else writes our id)
        ret = w.owner_gone ? pi_claim_word(uaddr, p->pid, NULL) : 0;
    return ret;
}

// As Linux, the word is read and its owner checked before the address is (EPERM first):
// once without futex_lock, then again under it.
static long futex_unlock_pi(uint64_t uaddr, bool private) {
    uint32_t tid = (uint32_t)current()->pid, uval, found;
    if (copy_from_user(&uval, (const void *)uaddr, sizeof uval))
        return -EFAULT;
    if ((uval & FUTEX_TID_MASK) != tid)
        return -EPERM;                   // only the owner may unlock
    struct futex_key key;
    long err = get_key(uaddr, private, &key);
    if (err)
        return err;
    struct refault rf = { .again = false };
    uint64_t f = lock_futexes();
    for (;;) {
        if (rf.again) {                  // the last try met a page not there
            unlock_futexes(f);
            if (!fault_in(&rf))
                return -EFAULT;
            f = lock_futexes();
        }
        if (get_word(uaddr, &uval, &rf))
            continue;
        if ((uval & FUTEX_TID_MASK) != tid) {
            err = -EPERM;
            break;
        }
        struct futex_waiter *top = pi_top_waiter(&key);
        if (has_plain_waiter(&key) || (top && top->owner != (int)tid)) {
            err = -EINVAL;               // the word and the waiters disagree: user space erred
            break;
        }
        found = uval;
        if (cmpxchg_word(uaddr, &found, top ? FUTEX_WAITERS | (uint32_t)top->thread->pid : 0, &rf))
            continue;
        if (found != uval && top)
            continue;                    // moved under us (another CPU): again
        if (found != uval) {
            err = -EAGAIN;               // as Linux: user space changed it, let it look
            break;
        }
        if (top)
            pi_hand_over(top, false);
        break;
    }
    unlock_futexes(f);
    return err;
}

// The address of key's word in mm, if mm maps it.
static bool key_address(struct mm *mm, const struct futex_key *key, uint64_t *uaddr) {
    if (key->object == (uintptr_t)mm) {
        *uaddr = key->offset;
        return true;
    }
    for (struct vma *v = mm->vmas; v; v = v->next) {
        uint64_t first = v->shm_pgoff * PAGE_SIZE, len = v->end - v->start;
        if ((uintptr_t)v->shm == key->object && key->offset - first < len) {
            *uaddr = v->start + (key->offset - first);
            return true;
        }
    }
    return false;
}

// Do PI waiters that name owner id mean p? Its id, or the one an execve from a thread
// other than the leader has just exchanged for the leader's (de_thread): the waiters that
// came before still name that (Linux's pi_state points at the task, whatever its id).
static bool known_as(const struct proc *p, int id) {
    return id == p->pid || (p->tid_before_exec && id == p->tid_before_exec);
}

// Thread p (the current one, its memory still attached) exits or execs: every PI lock it
// holds that has waiters passes to the first of them, as Linux's exit_pi_state_list. The
// word is rewritten here if p maps it, else by the new owner when it runs.
// A word whose page is not there is faulted in with futex_lock let go (the BKL stays, and
// no PI call runs meanwhile), and the walk starts again; one p does not map, or a bad
// address, the new owner rewrites when it runs.
static void futex_exit_pi(struct proc *p) {
    struct futex_key bad = { 0, 0 };     // a key whose word cannot be brought in
    uint64_t f = lock_futexes();
    p->pi_locks_gone = true;             // (owner_alive: from now on nobody waits for p)
    for (struct futex_waiter *w = waiters; w;) {
        if (!w->pi || !known_as(p, w->owner)) {
            w = w->next;
            continue;
        }
        w = pi_top_waiter(&w->key);      // the one of its key to have the lock next
        uint64_t uaddr;
        struct refault rf = { .again = false };
        bool rewritten = !same_key(&w->key, &bad) && p->mm &&
                         key_address(p->mm, &w->key, &uaddr) &&
                         pi_claim_word(uaddr, w->thread->pid, &rf) == 0;
        if (rf.again) {
            struct futex_key key = w->key;
            unlock_futexes(f);
            if (!fault_in(&rf))
                bad = key;
            f = lock_futexes();
            w = waiters;                 // the list may have changed meanwhile: again
            continue;
        }
        pi_hand_over(w, !rewritten);
        w = waiters;                     // the list changed: from the start again
    }
    unlock_futexes(f);
}

// ---------------------------------------------------------------- requeue onto a PI lock
//
// A condition variable whose mutex is a PI lock may be built on two more operations
// (glibc's condvars used them before 2.25; today's glibc and musl do not):
//   FUTEX_WAIT_REQUEUE_PI(cond, val, deadline, lock)  wait on cond, as FUTEX_WAIT, for a
//                          move onto lock; return 0 owning lock;
//   FUTEX_CMP_REQUEUE_PI(cond, 1, n, lock, val)  if cond still holds val: take lock for the
//                          first waiter if it is free (and wake it), and move the others,
//                          up to n (n + 1 if none was woken), to wait on lock as
//                          FUTEX_LOCK_PI does. Returns how many were woken or moved.
// A moved waiter is an ordinary pi waiter from then on (w->pi): the unlock hands it the
// lock. Before the move, a signal restarts the wait and a timeout ends it; after it, a
// signal ends it with EAGAIN (Linux's EWOULDBLOCK: the condition has been signalled).

static long futex_wait_requeue_pi(uint64_t uaddr, uint64_t uaddr2, bool private, uint32_t val,
                                  uint64_t deadline) {
    struct proc *p = current();
    struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .thread = p, .requeue_pi = true };
    if (uaddr == uaddr2)
        return -EINVAL;
    long ret = get_key(uaddr2, private, &w.pi_key);
    if (!ret)
        ret = get_key(uaddr, private, &w.key);
    if (ret)
        return ret;
    struct refault rf;
    uint32_t value;
    uint64_t f = lock_futexes();
    while (get_word(uaddr, &value, &rf)) {
        unlock_futexes(f);
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    if (value != val) {
        unlock_futexes(f);
        return -EAGAIN;
    }
    append_waiter(&w);                   // last: CMP_REQUEUE_PI takes them in arrival order
    while (!w.woken) {
        if (deadline && time_since_boot_ns() >= deadline) {
            ret = -ETIMEDOUT;
            break;
        }
        if (signal_pending(p)) {
            ret = w.pi ? -EAGAIN : -ERESTARTNOINTR;
            break;
        }
        sleep_until_woken(p, &w, deadline);
    }
    if (!w.woken)
        unlink_waiter(&w);
    unlock_futexes(f);
    if (w.woken)
        ret = w.owner_gone ? pi_claim_word(uaddr2, p->pid, NULL) : 0;
    return ret;
}

// The first waiter on key, of any kind, in list order (pi and requeue waiters are in
// arrival order).
static struct futex_waiter *first_waiter(const struct futex_key *key) {
    for (struct futex_waiter *w = waiters; w; w = w->next)
        if (same_key(&w->key, key))
            return w;
    return NULL;
}

// Moves the waiters on k1 onto the PI lock k2 (see above). futex_lock held; -EFAULT (see
// rf) only before anything has moved.
static long requeue_to_pi(uint64_t uaddr2, const struct futex_key *k1, const struct futex_key *k2,
                          int nr_requeue, struct refault *rf) {
    struct futex_waiter *w = first_waiter(k1);
    if (!w)
        return 0;
    if (!w->requeue_pi || !same_key(&w->pi_key, k2))
        return -EINVAL;                  // not waiting for a move onto this lock
    int owner, count = 0;
    long r = pi_try_take(uaddr2, k2, w->thread->pid, nr_requeue > 0, &owner, rf);
    if (r < 0)
        return r;
    if (r == 1) {                        // it was free: w owns it now
        unlink_waiter(w);
        w->pi = true;
        w->requeue_pi = false;
        w->key = *k2;
        w->woken = true;
        sched_wake_locked(w->thread);
        owner = w->thread->pid;
        count = 1;
    }
    while (count - 1 < nr_requeue && (w = first_waiter(k1))) {
        if (!w->requeue_pi || !same_key(&w->pi_key, k2))
            return -EINVAL;
        unlink_waiter(w);
        w->pi = true;
        w->requeue_pi = false;
        w->key = *k2;
        w->owner = owner;
        append_waiter(w);                // behind those already waiting for the lock
        count++;
    }
    return count;
}

static long futex_cmp_requeue_pi(uint64_t uaddr, uint64_t uaddr2, bool private, int nr_wake,
                                 int nr_requeue, uint32_t expected) {
    if (nr_wake < 0 || nr_requeue < 0 || uaddr == uaddr2 || nr_wake != 1)
        return -EINVAL;                  // Linux wakes exactly one: no thundering herd
    struct futex_key k1, k2;
    long ret = get_key(uaddr, private, &k1);
    if (!ret)
        ret = get_key(uaddr2, private, &k2);
    if (!ret && same_key(&k1, &k2))
        ret = -EINVAL;                   // one shared word at two addresses
    if (ret)
        return ret;
    struct refault rf = { .again = false };
    uint32_t value, lock;
    uint64_t f = lock_futexes();
    for (;;) {
        if (get_word(uaddr, &value, &rf))
            ret = -EFAULT;
        else if (value != expected)
            ret = -EAGAIN;
        else if (get_word(uaddr2, &lock, &rf))
            ret = -EFAULT;               // as Linux: the lock is looked at, waiters or not
        else
            ret = requeue_to_pi(uaddr2, &k1, &k2, nr_requeue, &rf);
        if (!rf.again)
            break;
        unlock_futexes(f);               // a page not there: bring it in, and again
        if (!fault_in(&rf))
            return -EFAULT;
        f = lock_futexes();
    }
    unlock_futexes(f);
    return ret;
}
