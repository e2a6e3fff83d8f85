// flock.c: advisory file locks, as Linux keeps them (fs/locks.c there).
//
// Three kinds of lock, all advisory (read and write never look at them):
//  - flock(2) locks: the whole file, shared or exclusive, owned by the open file
//    description (struct file): dup'd descriptors and a fork's child share them, and they
//    go when the last reference to the description does (file_close calls flock_release).
//  - POSIX record locks, fcntl(F_SETLK/F_SETLKW/F_GETLK): byte ranges, read or write,
//    owned by the process's descriptor table (struct files_struct, Linux's fl_owner: the
//    threads of a process share it, a fork's child has its own, so locks are not
//    inherited, and exec keeps them). The classic POSIX rule: the owner's locks on a file
//    ALL go when it closes ANY descriptor of that file (flock_close, from every close).
//  - Open file description locks, fcntl(F_OFD_*): POSIX's byte ranges and conflicts, but
//    owned like flock locks by the struct file.
// flock locks never conflict with the two others (Linux keeps them apart too); POSIX and
// OFD locks conflict with each other whenever their owners differ.
//
// Where they live: a list per inode (inode.locks), unordered. A file without an inode (a
// pipe, an eventfd, the console) has its locks on one global list instead, each marked
// with what it locks (its key: the pipe, the eventfd, the ops of the console).
//
// Who touches what (everything here runs in system calls and in close/exit paths, which
// all hold the big kernel lock; sleepers hold it up to their switch away, so no wakeup is
// lost between the look at the list and the sleep):
//   inode.locks, unbacked_locks, every struct file_lock:  the BKL.
//   waiters (the POSIX waiters, for deadlock detection):  the BKL; each entry lives on the
//       stack of the thread that waits, which unlinks it before it returns.
//   all_locks (every lock in any list, newest first, for /proc/locks):  the BKL.
// A thread that waits sleeps on the list's address; every change that can let a waiter go
// (an unlock, a downgrade, a shrink) wakes the list: the waiters look again. Nothing here
// sleeps but wait_for_change (kzalloc does not), so what a waiter saw free after its last
// look is still free when it inserts its lock.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "flock.h"
#include "fs.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define OFFSET_MAX INT64_MAX           // a lock "to EOF" ends here
#define MAX_DEADLK_ITERATIONS 10       // Linux's bound on the walk of the waits-for chain
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

enum lock_kind { LK_FLOCK, LK_POSIX, LK_OFD };

struct file_lock {
    struct file_lock *next;
    struct file_lock *all_next;  // on all_locks
    struct inode *ip;        // the inode locked, or NULL (a pipe...): /proc/locks's dev:ino
    enum lock_kind kind;
    int type;                // F_RDLCK or F_WRLCK
    const void *owner;       // struct file * (flock, OFD) or struct files_struct * (POSIX)
    const void *key;         // what is locked (see lock_key)
    int pid;                 // the process that set it: F_GETLK's l_pid for a POSIX lock
    int64_t start, end;      // bytes start..end, both included; end OFFSET_MAX: to EOF
};

// A POSIX waiter, for EDEADLK: owner waits until blocked_on (an owner) lets go.
struct lock_waiter {
    struct lock_waiter *next;
    const void *owner, *blocked_on;
};

static struct file_lock *unbacked_locks;
static struct file_lock *all_locks;
static struct lock_waiter *waiters;

// ---------------------------------------------------------------- the lists

static const void *lock_key(struct file *f) {
    if (f->ip)
        return f->ip;
    return f->priv ? f->priv : (const void *)f->ops;
}

static struct file_lock **lock_list(struct file *f) {
    return f->ip ? &f->ip->locks : &unbacked_locks;
}

static void wake_list(struct file_lock **list) { wakeup(list); }

// Every lock enters all_locks as it enters its list, and leaves it as it is freed.
static void link_all(struct file_lock *l) {
    l->all_next = all_locks;
    all_locks = l;
}

// Takes *pp out of its list (and all_locks) and frees it.
static void unlink_lock(struct file_lock **pp) {
    struct file_lock *l = *pp;
    *pp = l->next;
    struct file_lock **ap = &all_locks;
    while (*ap != l)
        ap = &(*ap)->all_next;
    *ap = l->all_next;
    kfree(l);
}

static struct file_lock *new_lock(struct file *f, enum lock_kind kind, int type,
                                  const void *owner, int64_t start, int64_t end) {
    struct file_lock *l = kzalloc(sizeof *l);
    if (!l)
        return NULL;
    const void *key = lock_key(f);
    l->ip = f->ip;
    l->kind = kind;
    l->type = type;
    l->owner = owner;
    l->key = key;
    l->pid = current()->tgid;
    l->start = start;
    l->end = end;
    return l;
}

static void push(struct file_lock **list, struct file_lock *l) {
    l->next = *list;
    *list = l;
    link_all(l);
}

// Linux's order for byte-range locks, which F_GETLK's "first conflict" follows: each
// owner's locks together, by start; a new owner's go at the end.
static void insert_ranged(struct file_lock **list, struct file_lock *l) {
    bool in_group = false;
    struct file_lock **pp = list;
    for (; *pp; pp = &(*pp)->next) {
        struct file_lock *o = *pp;
        if (o->owner == l->owner && o->key == l->key && o->kind != LK_FLOCK) {
            in_group = true;
            if (o->start > l->start)
                break;
        } else if (in_group) {
            break;
        }
    }
    l->next = *pp;
    *pp = l;
    link_all(l);
}

// Removes every lock of this owner and kind group on key (flock: kind LK_FLOCK; POSIX
// and OFD: the owner tells them apart). Returns whether any went.
static bool remove_owned(struct file_lock **list, const void *key, const void *owner, bool flock) {
    bool any = false;
    for (struct file_lock **pp = list; *pp;) {
        struct file_lock *l = *pp;
        if (l->key == key && l->owner == owner && (l->kind == LK_FLOCK) == flock) {
            unlink_lock(pp);
            any = true;
        } else {
            pp = &l->next;
        }
    }
    return any;
}

// Waits (interrupts off, BKL held) for a change of the list: -ERESTARTSYS if a signal
// came first (Linux's wait_event_interruptible: SA_RESTART restarts the call).
static long wait_for_change(struct file_lock **list) {
    if (signal_pending(current()))
        return -ERESTARTSYS;
    sleep_on(list);
    return 0;
}

// ---------------------------------------------------------------- flock(2)

static bool flock_conflict(const struct file_lock *l, const void *key, const void *owner, int type) {
    return l->kind == LK_FLOCK && l->key == key && l->owner != owner &&
           (type == F_WRLCK || l->type == F_WRLCK);
}

// Linux's flock_lock_inode: a conversion drops the old lock first (not atomic: a waiter
// may get in between, and LOCK_NB's failure leaves the file unlocked).
static long flock_set(struct file *f, int type, bool wait) {
    struct file_lock **list = lock_list(f);
    const void *key = lock_key(f);
    for (struct file_lock **pp = list; *pp; pp = &(*pp)->next) {
        struct file_lock *l = *pp;
        if (l->kind != LK_FLOCK || l->owner != f)
            continue;
        if (l->type == type)
            return 0;
        unlink_lock(pp);
        wake_list(list);
        break;
    }
    if (type == F_UNLCK)
        return 0;
    long err = 0;
    uint64_t irq = local_irq_save();
    for (;;) {
        bool busy = false;
        for (struct file_lock *l = *list; l && !busy; l = l->next)
            busy = flock_conflict(l, key, f, type);
        if (!busy)
            break;
        if (!wait) { err = -EWOULDBLOCK; break; }
        if ((err = wait_for_change(list)) < 0)
            break;
    }
    local_irq_restore(irq);
    if (err)
        return err;
    struct file_lock *l = new_lock(f, LK_FLOCK, type, f, 0, OFFSET_MAX);
    if (!l)
        return -ENOLCK;
    push(list, l);
    return 0;
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

SYSCALL(flock) {
    int fd = (int)a0;
    unsigned cmd = (unsigned)a1;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (cmd & LOCK_MAND)             // Linux 5.18+: ignored, with a warning in its log
        return 0;
    int type;
    switch (cmd & ~LOCK_NB) {
    case LOCK_SH: type = F_RDLCK; break;
    case LOCK_EX: type = F_WRLCK; break;
    case LOCK_UN: type = F_UNLCK; break;
    default: return -EINVAL;
    }
    file_dup(f);                     // a sleeper's file stays whole if its fd is closed
    long err = flock_set(f, type, !(cmd & LOCK_NB));
    file_close(f);
    return err;
}

// ---------------------------------------------------------------- POSIX and OFD locks

static bool ranges_overlap(const struct file_lock *l, int64_t start, int64_t end) {
    return l->start <= end && start <= l->end;
}

// A lock of another owner (POSIX or OFD) that a request for type on start..end meets.
static struct file_lock *posix_conflict(struct file_lock *list, const void *key,
                                        const void *owner, int type, int64_t start, int64_t end) {
    for (struct file_lock *l = list; l; l = l->next)
        if (l->kind != LK_FLOCK && l->key == key && l->owner != owner &&
            ranges_overlap(l, start, end) && (type == F_WRLCK || l->type == F_WRLCK))
            return l;
    return NULL;
}

// Linux's posix_locks_deadlock: does the chain "blocker waits for an owner that waits
// for ..." come back to me? Only POSIX owners are followed (OFD waiters are not entered).
static bool posix_deadlock(const void *me, const void *blocker) {
    for (int i = 0; i <= MAX_DEADLK_ITERATIONS; i++) {
        struct lock_waiter *w = waiters;
        while (w && w->owner != blocker)
            w = w->next;
        if (!w)
            return false;
        blocker = w->blocked_on;
        if (blocker == me)
            return true;
    }
    return false;
}

static bool adjacent_or_overlapping(const struct file_lock *l, int64_t start, int64_t end) {
    bool before = l->end < start && l->end + 1 == start;            // l ends where we start
    bool after = l->start > end && end + 1 == l->start;             // end < OFFSET_MAX here
    return ranges_overlap(l, start, end) || before || after;
}

// Linux's posix_lock_inode once nothing conflicts: the owner's locks on start..end are
// replaced by the request (F_UNLCK: by nothing); same-type neighbours that touch it merge
// with it; a lock of the other type that it cuts in two keeps its two ends. Allocates
// what it may need first, so that it fails (ENOLCK) before changing anything.
static long posix_apply(struct file *f, enum lock_kind kind, const void *owner, int type,
                        int64_t start, int64_t end) {
    struct file_lock **list = lock_list(f);
    const void *key = lock_key(f);
    struct file_lock *fresh = type != F_UNLCK ? new_lock(f, kind, type, owner, start, end) : NULL;
    struct file_lock *spare = new_lock(f, kind, type, owner, 0, 0);   // for a split
    if ((type != F_UNLCK && !fresh) || !spare) {
        kfree(fresh);
        kfree(spare);
        return -ENOLCK;
    }
    // Same type and touching: absorb into the request.
    for (struct file_lock **pp = list; fresh && *pp;) {
        struct file_lock *l = *pp;
        if (l->key == key && l->owner == owner && l->kind != LK_FLOCK && l->type == type &&
            adjacent_or_overlapping(l, start, end)) {
            start = l->start < start ? l->start : start;
            end = l->end > end ? l->end : end;
            unlink_lock(pp);
        } else {
            pp = &l->next;
        }
    }
    // Whatever else of the owner's overlaps: cut start..end out of it.
    for (struct file_lock **pp = list; *pp;) {
        struct file_lock *l = *pp;
        if (l->key != key || l->owner != owner || l->kind == LK_FLOCK || !ranges_overlap(l, start, end)) {
            pp = &l->next;
            continue;
        }
        if (l->start < start && l->end > end) {          // split: the tail goes to spare
            *spare = *l;
            spare->start = end + 1;
            l->end = start - 1;
            insert_ranged(list, spare);
            spare = NULL;
            break;                                       // nothing else of ours can overlap
        }
        if (l->start < start)
            l->end = start - 1;
        else if (l->end > end)
            l->start = end + 1;
        else {
            unlink_lock(pp);
            continue;
        }
        pp = &l->next;
    }
    kfree(spare);
    if (fresh) {
        fresh->start = start;
        fresh->end = end;
        insert_ranged(list, fresh);
    }
    wake_list(list);                 // an unlock, a downgrade or a shrink may free a waiter
    return 0;
}

// The request's range from a struct flock (Linux's flock_to_posix_lock), then its type.
static long to_range(struct file *f, const struct flock *fl, int64_t *start, int64_t *end) {
    int64_t base;
    switch (fl->l_whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)f->pos; break;
    case SEEK_END: base = f->ip ? (int64_t)f->ip->size : 0; break;
    default: return -EINVAL;
    }
    if (fl->l_start > OFFSET_MAX - base)
        return -EOVERFLOW;
    int64_t s = base + fl->l_start;
    if (s < 0)
        return -EINVAL;
    if (fl->l_len > 0) {
        if (fl->l_len - 1 > OFFSET_MAX - s)
            return -EOVERFLOW;
        *start = s;
        *end = s + (fl->l_len - 1);
    } else if (fl->l_len < 0) {
        if (s + fl->l_len < 0)
            return -EINVAL;
        *start = s + fl->l_len;
        *end = s - 1;
    } else {
        *start = s;
        *end = OFFSET_MAX;
    }
    if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
        return -EINVAL;
    return 0;
}

static bool ofd_cmd(unsigned cmd) { return cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW; }

static long posix_getlk(struct file *f, unsigned cmd, uint64_t uarg) {
    struct flock fl;
    if (copy_from_user(&fl, (const void *)uarg, sizeof fl))
        return -EFAULT;
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
        return -EINVAL;
    int64_t start, end;
    long err = to_range(f, &fl, &start, &end);
    if (err)
        return err;
    if (ofd_cmd(cmd) && fl.l_pid != 0)
        return -EINVAL;
    const void *owner = ofd_cmd(cmd) ? (const void *)f : (const void *)current()->files;
    struct file_lock *l = posix_conflict(*lock_list(f), lock_key(f), owner, fl.l_type, start, end);
    if (!l) {
        fl.l_type = F_UNLCK;             // the rest as the caller gave it (Linux)
    } else {
        fl.l_type = (short)l->type;
        fl.l_whence = SEEK_SET;
        fl.l_start = l->start;
        fl.l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
        fl.l_pid = l->kind == LK_OFD ? -1 : l->pid;
    }
    return copy_to_user((void *)uarg, &fl, sizeof fl) ? -EFAULT : 0;
}

// Waits until nothing of another owner conflicts: 0, -EAGAIN (no wait), -EDEADLK,
// -ERESTARTSYS. A POSIX waiter is on the waiters list meanwhile, for posix_deadlock.
static long posix_wait(struct file_lock **list, enum lock_kind kind, const void *key,
                       const void *owner, int type, int64_t start, int64_t end, bool wait) {
    struct lock_waiter me = {.owner = owner};
    bool queued = false;
    long err = 0;
    uint64_t irq = local_irq_save();
    for (;;) {
        struct file_lock *l = type == F_UNLCK ? NULL : posix_conflict(*list, key, owner, type, start, end);
        if (!l)
            break;
        if (!wait) { err = -EAGAIN; break; }
        if (kind == LK_POSIX && l->kind == LK_POSIX && posix_deadlock(owner, l->owner)) {
            err = -EDEADLK;
            break;
        }
        me.blocked_on = l->owner;
        if (kind == LK_POSIX && !queued) {
            me.next = waiters;
            waiters = &me;
            queued = true;
        }
        if ((err = wait_for_change(list)) < 0)
            break;
    }
    if (queued) {
        struct lock_waiter **pp = &waiters;
        while (*pp != &me)
            pp = &(*pp)->next;
        *pp = me.next;
    }
    local_irq_restore(irq);
    return err;
}

static long posix_setlk(int fd, struct file *f, unsigned cmd, uint64_t uarg) {
    struct flock fl;
    if (copy_from_user(&fl, (const void *)uarg, sizeof fl))
        return -EFAULT;
    int64_t start, end;
    long err = to_range(f, &fl, &start, &end);
    if (err)
        return err;
    unsigned acc = f->flags & O_ACCMODE;
    if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
        return -EBADF;
    if (ofd_cmd(cmd) && fl.l_pid != 0)
        return -EINVAL;
    enum lock_kind kind = ofd_cmd(cmd) ? LK_OFD : LK_POSIX;
    const void *owner = kind == LK_OFD ? (const void *)f : (const void *)current()->files;
    bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
    struct file_lock **list = lock_list(f);
    const void *key = lock_key(f);
    file_dup(f);                         // a sleeper's file stays whole if its fd is closed
    err = posix_wait(list, kind, key, owner, fl.l_type, start, end, wait);
    if (!err)
        err = posix_apply(f, kind, owner, fl.l_type, start, end);
    // Linux's fcntl_setlk: the descriptor closed while we waited took our locks with it;
    // a lock got since then must go too, or it would outlive every close.
    if (!err && kind == LK_POSIX && fl.l_type != F_UNLCK && fd_get(fd) != f) {
        posix_apply(f, kind, owner, F_UNLCK, start, end);
        err = -EBADF;
    }
    file_close(f);
    return err;
}

long flock_fcntl(int fd, struct file *f, unsigned cmd, uint64_t arg) {
    switch (cmd) {
    case F_GETLK:
    case F_OFD_GETLK:
        return posix_getlk(f, cmd, arg);
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return posix_setlk(fd, f, cmd, arg);
    default:
        return -EINVAL;
    }
}

// ---------------------------------------------------------------- closes

void flock_close(struct file *f, struct files_struct *files) {
    struct file_lock **list = lock_list(f);
    if (*list && remove_owned(list, lock_key(f), files, false))
        wake_list(list);
}

void flock_release(struct file *f) {
    struct file_lock **list = lock_list(f);
    if (!*list)
        return;
    bool any = remove_owned(list, lock_key(f), f, true);
    any |= remove_owned(list, lock_key(f), f, false);
    if (any)
        wake_list(list);
}

// ---------------------------------------------------------------- /proc/locks

// One line per lock, newest first, in Linux's format (fs/locks.c's lock_get_status):
//   1: POSIX  ADVISORY  WRITE 1234 00:01:5678 0 EOF
// (kind, type, the pid that set it (-1 for OFD locks), dev major:minor:inode as stat shows
// them, the range). Linux also lists each waiter under its blocker ("->"): not here.
int flock_proc_locks(char *buf, int size) {
    int n = 0, id = 0;
    for (struct file_lock *l = all_locks; l && n < size; l = l->all_next) {
        const char *kind = l->kind == LK_FLOCK ? "FLOCK  ADVISORY  "
                         : l->kind == LK_OFD ? (l->ip ? "OFDLCK ADVISORY  " : "OFDLCK *NOINODE* ")
                         : (l->ip ? "POSIX  ADVISORY  " : "POSIX  *NOINODE* ");
        n += snprintf(buf + n, (size_t)(size - n), "%d: %s%s %d ", ++id, kind,
                      l->type == F_WRLCK ? "WRITE" : "READ", l->kind == LK_OFD ? -1 : l->pid);
        if (n >= size)
            break;
        if (l->ip) {
            struct kstat st;
            inode_stat(l->ip, &st);
            n += snprintf(buf + n, (size_t)(size - n), "%02x:%02x:%llu ", (unsigned)(st.st_dev >> 8),
                          (unsigned)(st.st_dev & 0xff), (unsigned long long)st.st_ino);
        } else {
            n += snprintf(buf + n, (size_t)(size - n), "<none>:0 ");
        }
        if (n >= size)
            break;
        if (l->kind == LK_FLOCK || l->end == OFFSET_MAX)
            n += snprintf(buf + n, (size_t)(size - n), "%lld EOF\n", (long long)(l->kind == LK_FLOCK ? 0 : l->start));
        else
            n += snprintf(buf + n, (size_t)(size - n), "%lld %lld\n", (long long)l->start, (long long)l->end);
    }
    return n < size ? n : size - 1;
}
