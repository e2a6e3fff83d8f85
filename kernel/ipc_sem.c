// ipc_sem.c: System V semaphores - semget, semop, semtimedop, semctl (Linux's ipc/sem.c).
//
// A semaphore set is an array of counters, each 0..SEMVMX, that processes name by an id,
// found from a key (semget). semop applies an array of operations to one set all at once
// or not at all: add a positive number; subtract one, waiting until the counter is big
// enough; or wait until the counter is zero. An operation that cannot go on waits, unless
// IPC_NOWAIT says EAGAIN; semtimedop waits up to a time (then EAGAIN), and a signal ends
// the wait with EINTR, never restarted (Linux's rule for these calls). SEM_UNDO makes the
// kernel remember the opposite of each change, per process and set, and apply it when the
// process exits: a worker that dies holding a semaphore as a lock gives it back.
//
// As Linux does, a semop that must wait is queued on its set (struct sem_queue, on the
// waiter's kernel stack), and whoever changes the set then performs the queued operations
// that can now go on, in the order they came, and wakes their threads with the result.
// The semaphore is handed over: a process that adds 1 for a waiter and at once tries to take
// it back (IPC_NOWAIT) finds it gone, as on Linux. Wait-for-zero operations are looked at
// first, and again after each queued change (Linux's do_smart_update). A woken waiter
// never touches the set again: IPC_RMID may have freed it, after handing every waiter EIDRM.
//
// Undo adjustments: a thread points at a sem_undo_list (NULL until it first needs one),
// shared by clone(CLONE_SYSVSEM) - pthread_create passes it - and not inherited by fork.
// The list holds a struct sem_undo per set the process used with SEM_UNDO; each is on its
// set's list too, so that SETVAL and SETALL can clear them and IPC_RMID free them. The last
// thread to let go of the list (sem_exit, from exit) applies them, clamped to 0..SEMVMX.
//
// Locking: every call here runs under the big kernel lock (E in syscall.c's table), and so
// does a thread's exit (sem_exit). A waiter looks at its q.status and sleeps with interrupts
// off (sleep_on), so neither a waker (BKL) nor a signal or the wake timer (interrupts) can
// slip in between. User memory is copied before a set is looked up, or after the call is
// done with it: a fault in a copy may sleep, letting the BKL go, and the set may be gone
// when it comes back (SETALL, which must copy in between, looks it up again).
//
// Not here: IPC namespaces, /proc/sysvipc/sem, and writing the limits through
// /proc/sys/kernel/sem (they are Linux's defaults, fixed).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "ipc.h"
#include "ipc_sem.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

// Linux's limits (include/uapi/linux/sem.h; /proc/sys/kernel/sem reads
// "SEMMSL SEMMNS SEMOPM SEMMNI").
#define SEMMSL 32000                 // semaphores in one set
#define SEMMNS (SEMMSL * SEMMNI)     // in all sets together
#define SEMOPM 500                   // operations in one semop
#define SEMMNI 32000                 // sets
#define SEMVMX 32767                 // the largest value
#define SEMAEM SEMVMX                // the largest undo adjustment, either way
#define SEMUME SEMOPM                // (IPC_INFO reports these three; nothing uses them)
#define SEMUSZ 20
#define SEMMAP SEMMNS

#define SEM_UNDO    0x1000

// semctl's commands, besides ipc.h's.
#define GETPID   11
#define GETVAL   12
#define GETALL   13
#define GETNCNT  14
#define GETZCNT  15
#define SETVAL   16
#define SETALL   17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20

#define NS_PER_SEC 1000000000ull

// ---------------------------------------------------------------- the user's structures

struct sembuf_k {                    // struct sembuf: one operation
    uint16_t sem_num;
    int16_t sem_op;
    int16_t sem_flg;
};
_Static_assert(sizeof(struct sembuf_k) == 6, "struct sembuf is 6 bytes");

struct semid64_ds_k {                // Linux x86_64's struct semid64_ds (104 bytes)
    struct ipc64_perm_k sem_perm;
    int64_t sem_otime;
    uint64_t unused1;
    int64_t sem_ctime;
    uint64_t unused2;
    uint64_t sem_nsems;
    uint64_t unused3, unused4;
};
_Static_assert(__builtin_offsetof(struct semid64_ds_k, sem_nsems) == 80, "sem_nsems at 80");
_Static_assert(sizeof(struct semid64_ds_k) == 104, "struct semid64_ds is 104 bytes");

struct seminfo_k {                   // IPC_INFO and SEM_INFO's answer
    int semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

// ---------------------------------------------------------------- sets, waiters, undos

struct sem {
    int semval;
    int sempid;                      // the process that changed it last (GETPID)
};

struct sem_queue;
struct queue_list { struct sem_queue *head, *tail; };

struct sem_array {
    struct kern_ipc_perm perm;
    int64_t otime, ctime;            // last semop, last change by semctl (s since 1970)
    int nsems;
    // Waiting semops, oldest first: those that would change values, and those that only
    // wait for zeros. Linux keeps per-semaphore lists too; one list each does the same
    // work in the same order, only slower with many waiters.
    struct queue_list pending_alter, pending_const;
    struct sem_undo *undos;          // every process's adjustments for this set
    struct sem sems[];
};

// A semop waiting for its set to change: on its thread's kernel stack, on one of the
// set's lists exactly while status is QUEUED.
#define QUEUED 1
struct sem_queue {
    struct sem_queue *prev, *next;
    struct sembuf_k *sops;
    unsigned nsops;
    int tgid;                        // the waiter's process (what GETPID shows)
    struct sem_undo *undo;           // where SEM_UNDO's adjustments go, or NULL
    const struct sembuf_k *blocking; // the first operation that could not go on
    int status;                      // QUEUED, then set by the waker: 0 or -errno
};

// One process's undo adjustments for one set: on its list (struct sem_undo_list, by
// proc_next) and on the set's (set_next). Freed by the process's exit, or the set's removal.
struct sem_undo {
    struct sem_undo *proc_next, *set_next;
    struct sem_undo_list *ulp;
    struct sem_array *sma;
    int16_t semadj[];                // what to add back to each semaphore at exit
};

struct sem_undo_list {
    int refs;                        // threads pointing at it (clone CLONE_SYSVSEM)
    struct sem_undo *list;
};

static struct ipc_ids sem_ids = IPC_IDS_INIT;
static long used_sems;               // semaphores in all sets (SEMMNS, SEM_INFO)

static int64_t now_seconds(void) { return (int64_t)(time_realtime_ns() / NS_PER_SEC); }

static struct sem_array *sem_find(int semid) {
    return (struct sem_array *)ipc_find_id(&sem_ids, semid);   // (perm comes first)
}

static void queue_add(struct queue_list *l, struct sem_queue *q) {
    q->next = NULL;
    q->prev = l->tail;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
}

static void queue_del(struct queue_list *l, struct sem_queue *q) {
    if (q->prev)
        q->prev->next = q->next;
    else
        l->head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        l->tail = q->prev;
}

// Tries q's operations in order (Linux's perform_atomic_semop_slow: each sees what the
// ones before it did, so two on one semaphore work). 0: all were done. 1: one must wait
// (q->blocking says which) and nothing changed. -EAGAIN (it must wait, with IPC_NOWAIT),
// -ERANGE (a value or an undo adjustment out of range): nothing changed either.
static int perform(struct sem_array *sma, struct sem_queue *q) {
    unsigned i;
    int result = 0;
    for (i = 0; i < q->nsops; i++) {
        const struct sembuf_k *sop = &q->sops[i];
        struct sem *s = &sma->sems[sop->sem_num];
        int val = s->semval + sop->sem_op;
        if ((sop->sem_op == 0 && s->semval != 0) || val < 0) {
            q->blocking = sop;
            result = (sop->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
            break;
        }
        if (val > SEMVMX) {
            result = -ERANGE;
            break;
        }
        if (sop->sem_flg & SEM_UNDO) {
            int adj = q->undo->semadj[sop->sem_num] - sop->sem_op;
            if (adj < -SEMAEM - 1 || adj > SEMAEM) {
                result = -ERANGE;
                break;
            }
            q->undo->semadj[sop->sem_num] = (int16_t)adj;
        }
        s->semval = val;
    }
    if (result == 0) {
        for (i = 0; i < q->nsops; i++)
            sma->sems[q->sops[i].sem_num].sempid = q->tgid;
        return 0;
    }
    while (i-- > 0) {                            // take back those done before
        const struct sembuf_k *sop = &q->sops[i];
        sma->sems[sop->sem_num].semval -= sop->sem_op;
        if (sop->sem_flg & SEM_UNDO)
            q->undo->semadj[sop->sem_num] += sop->sem_op;
    }
    return result;
}

// A waiter's semop is over, with this result: off its list, and its thread woken.
static void finish(struct queue_list *l, struct sem_queue *q, int status) {
    queue_del(l, q);
    q->status = status;
    wakeup(q);
}

// Performs every waiting semop of the list that can now go on, oldest first. True if
// one of them was done.
static bool retry_list(struct sem_array *sma, struct queue_list *l, bool stop_at_change) {
    bool done = false;
    for (struct sem_queue *q = l->head, *next; q; q = next) {
        next = q->next;
        int r = perform(sma, q);
        if (r > 0)
            continue;                            // still waits
        finish(l, q, r);
        if (r == 0) {
            done = true;
            if (stop_at_change)
                break;
        }
    }
    return done;
}

// The set's values changed: waiters for zeros first, then those that change values - after
// each of those the zeros again, and the list from the start, since an earlier waiter
// may now go on. True if a waiting semop was done (then it is a semop time: otime).
static bool update_queue(struct sem_array *sma) {
    bool done = false;
    for (;;) {
        done |= retry_list(sma, &sma->pending_const, false);
        if (!retry_list(sma, &sma->pending_alter, true))
            return done;
        done = true;
    }
}

static struct sem_undo_list *undo_list_alloc(struct proc *p) {
    if (!p->sysvsem && (p->sysvsem = kzalloc(sizeof *p->sysvsem)))
        p->sysvsem->refs = 1;
    return p->sysvsem;
}

// The caller's undo adjustments for sma, made (all zero) if it has none yet; NULL if out
// of memory.
static struct sem_undo *find_alloc_undo(struct sem_array *sma) {
    struct sem_undo_list *ulp = undo_list_alloc(current());
    if (!ulp)
        return NULL;
    for (struct sem_undo *un = ulp->list; un; un = un->proc_next)
        if (un->sma == sma)
            return un;
    struct sem_undo *un = kzalloc(sizeof *un + (size_t)sma->nsems * sizeof un->semadj[0]);
    if (!un)
        return NULL;
    un->ulp = ulp;
    un->sma = sma;
    un->proc_next = ulp->list;
    ulp->list = un;
    un->set_next = sma->undos;
    sma->undos = un;
    return un;
}

static void unlink_undo(struct sem_undo **link, struct sem_undo *un, bool set_list) {
    while (*link != un)
        link = set_list ? &(*link)->set_next : &(*link)->proc_next;
    *link = set_list ? un->set_next : un->proc_next;
}

// ---------------------------------------------------------------- semget

static long newary(int32_t key, int nsems, int semflg) {
    if (nsems == 0)
        return -EINVAL;
    if (used_sems + nsems > SEMMNS)
        return -ENOSPC;
    struct sem_array *sma = kzalloc(sizeof *sma + (size_t)nsems * sizeof sma->sems[0]);
    if (!sma)
        return -ENOMEM;
    sma->perm.key = key;                     // (ipc_add gives it the caller as owner)
    sma->perm.mode = (uint32_t)semflg & 0777;
    sma->nsems = nsems;
    sma->ctime = now_seconds();
    int id = ipc_add(&sem_ids, &sma->perm, SEMMNI);
    if (id < 0) {
        kfree(sma);
        return id;
    }
    used_sems += nsems;
    return id;
}

// semget(key, nsems, semflg): the set with this key - made, if IPC_CREAT and there is
// none - or a new one for IPC_PRIVATE. nsems: how many semaphores a new set has; an
// existing one must have at least as many.
SYSCALL(semget) {
    int32_t key = (int32_t)a0;
    int nsems = (int)a1, semflg = (int)a2;
    if (nsems < 0 || nsems > SEMMSL)
        return -EINVAL;
    if (key == IPC_PRIVATE)
        return newary(key, nsems, semflg);
    struct sem_array *sma = (struct sem_array *)ipc_find_key(&sem_ids, key);
    if (!sma)
        return (semflg & IPC_CREAT) ? newary(key, nsems, semflg) : -ENOENT;
    if ((semflg & IPC_CREAT) && (semflg & IPC_EXCL))
        return -EEXIST;
    if (nsems > sma->nsems)
        return -EINVAL;
    if (!ipc_may(&sma->perm, semflg))
        return -EACCES;
    return sma->perm.id;
}

// ---------------------------------------------------------------- semop, semtimedop

// Waits until a waker has done q (or refused it), the deadline (ns since boot; 0: none)
// has come (-EAGAIN), or a signal (-EINTR). q is on list l.
static int wait_queued(struct queue_list *l, struct sem_queue *q, uint64_t deadline) {
    struct proc *p = current();
    uint64_t f = local_irq_save();
    while (q->status == QUEUED) {
        if (deadline && time_since_boot_ns() >= deadline)
            finish(l, q, -EAGAIN);
        else if (signal_pending(p))
            finish(l, q, -EINTR);                // not restarted, even with SA_RESTART
        else {
            p->wake_at = deadline;
            sleep_on(q);
            p->wake_at = 0;
        }
    }
    local_irq_restore(f);
    return q->status;
}

// The part of a semop that looks at the set; sops are in the kernel.
static long do_semop(int semid, struct sembuf_k *sops, unsigned nsops, uint64_t deadline) {
    struct sem_array *sma = sem_find(semid);
    if (!sma)
        return -EINVAL;
    unsigned max = 0;
    bool undos = false, alter = false;
    for (unsigned i = 0; i < nsops; i++) {
        max = sops[i].sem_num > max ? sops[i].sem_num : max;
        undos |= (sops[i].sem_flg & SEM_UNDO) != 0;
        alter |= sops[i].sem_op != 0;
    }
    if (max >= (unsigned)sma->nsems)
        return -EFBIG;
    if (!ipc_may(&sma->perm, alter ? MAY_WRITE_IPC : MAY_READ_IPC))
        return -EACCES;
    struct sem_queue q = { .sops = sops, .nsops = nsops, .tgid = current()->tgid };
    if (undos && !(q.undo = find_alloc_undo(sma)))
        return -ENOMEM;
    int r = perform(sma, &q);
    if (r == 0) {
        sma->otime = now_seconds();
        if (alter)
            update_queue(sma);                   // may let waiters go on
        return 0;
    }
    if (r < 0)
        return r;
    struct queue_list *l = alter ? &sma->pending_alter : &sma->pending_const;
    q.status = QUEUED;
    queue_add(l, &q);
    return wait_queued(l, &q, deadline);
}

// semtimedop's timeout as a deadline in ns since boot, never 0 (which means none).
static uint64_t deadline_after(int64_t sec, int64_t nsec) {
    uint64_t now = time_since_boot_ns();
    if ((uint64_t)sec >= (UINT64_MAX - now) / NS_PER_SEC - 1)
        return UINT64_MAX;
    uint64_t at = now + (uint64_t)sec * NS_PER_SEC + (uint64_t)nsec;
    return at ? at : 1;                          // (a zero timeout at time 0: already past)
}

// The checks in Linux's order: the timeout's copy, the count, the operations' copy, the
// timeout's values; then the set (do_semop).
static long semtimedop(int semid, uint64_t usops, unsigned nsops, uint64_t utimeout) {
    struct { int64_t sec, nsec; } ts = { 0, 0 };
    if (utimeout && copy_from_user(&ts, (const void *)utimeout, sizeof ts))
        return -EFAULT;
    if (nsops < 1 || semid < 0)
        return -EINVAL;
    if (nsops > SEMOPM)
        return -E2BIG;
    struct sembuf_k *sops = kmalloc(nsops * sizeof *sops);
    if (!sops)
        return -ENOMEM;
    long err;
    if (copy_from_user(sops, (const void *)usops, nsops * sizeof *sops))
        err = -EFAULT;
    else if (utimeout && (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NS_PER_SEC))
        err = -EINVAL;
    else
        err = do_semop(semid, sops, nsops, utimeout ? deadline_after(ts.sec, ts.nsec) : 0);
    kfree(sops);
    return err;
}

// semop(semid, sops, nsops): the operations, all or none, waiting as long as it takes.
SYSCALL(semop) { return semtimedop((int)a0, a1, (unsigned)a2, 0); }

// semtimedop(semid, sops, nsops, timeout): the same, waiting at most *timeout (NULL: as
// long as it takes); then EAGAIN.
SYSCALL(semtimedop) { return semtimedop((int)a0, a1, (unsigned)a2, a3); }

// ---------------------------------------------------------------- semctl

// IPC_RMID: every waiter gets EIDRM, every process's adjustments for the set go, the id
// and key are free again.
static void freeary(struct sem_array *sma) {
    while (sma->undos) {
        struct sem_undo *un = sma->undos;
        sma->undos = un->set_next;
        unlink_undo(&un->ulp->list, un, false);
        kfree(un);
    }
    while (sma->pending_const.head)
        finish(&sma->pending_const, sma->pending_const.head, -EIDRM);
    while (sma->pending_alter.head)
        finish(&sma->pending_alter, sma->pending_alter.head, -EIDRM);
    ipc_remove(&sem_ids, &sma->perm);
    used_sems -= sma->nsems;
    kfree(sma);
}

// How many waiters wait on semaphore semnum, for it to grow (GETNCNT) or to be zero
// (GETZCNT): those whose first operation that could not go on is on it.
static int count_waiters(struct sem_array *sma, int semnum, bool zero) {
    int n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (struct sem_queue *q = (pass ? sma->pending_alter : sma->pending_const).head; q;
             q = q->next)
            if (q->blocking->sem_num == semnum && (zero ? q->blocking->sem_op == 0
                                                        : q->blocking->sem_op < 0))
                n++;
    return n;
}

static long sem_info(int cmd, uint64_t ubuf) {
    struct seminfo_k info = {
        .semmni = SEMMNI, .semmns = SEMMNS, .semmsl = SEMMSL, .semopm = SEMOPM,
        .semvmx = SEMVMX, .semmnu = SEMMNS, .semmap = SEMMAP, .semume = SEMUME,
        .semusz = cmd == SEM_INFO ? sem_ids.in_use : SEMUSZ,
        .semaem = cmd == SEM_INFO ? (int)used_sems : SEMAEM,
    };
    if (copy_to_user((void *)ubuf, &info, sizeof info))
        return -EFAULT;
    int max = ipc_max_index(&sem_ids);
    return max < 0 ? 0 : max;
}

// IPC_STAT by id; SEM_STAT and SEM_STAT_ANY by index, returning the id (ipcs walks them).
static long sem_stat(int semid, int cmd, uint64_t ubuf) {
    struct sem_array *sma = cmd == IPC_STAT ? sem_find(semid)
                                            : (struct sem_array *)ipc_at_index(&sem_ids, semid);
    if (!sma)
        return -EINVAL;
    if (cmd != SEM_STAT_ANY && !ipc_may(&sma->perm, MAY_READ_IPC))
        return -EACCES;
    struct semid64_ds_k ds;
    memset(&ds, 0, sizeof ds);
    ipc_perm_out(&sma->perm, &ds.sem_perm);
    ds.sem_otime = sma->otime;
    ds.sem_ctime = sma->ctime;
    ds.sem_nsems = (uint64_t)sma->nsems;
    int id = sma->perm.id;
    if (copy_to_user((void *)ubuf, &ds, sizeof ds))
        return -EFAULT;
    return cmd == IPC_STAT ? 0 : id;
}

// SETVAL's and SETALL's common end: the values changed, which may let waiters go on.
static void values_set(struct sem_array *sma) {
    sma->ctime = now_seconds();
    if (update_queue(sma))
        sma->otime = now_seconds();
}

static long sem_setval(int semid, int semnum, int val) {
    if (val < 0 || val > SEMVMX)
        return -ERANGE;
    struct sem_array *sma = sem_find(semid);
    if (!sma)
        return -EINVAL;
    if (semnum < 0 || semnum >= sma->nsems)
        return -EINVAL;
    if (!ipc_may(&sma->perm, MAY_WRITE_IPC))
        return -EACCES;
    for (struct sem_undo *un = sma->undos; un; un = un->set_next)
        un->semadj[semnum] = 0;              // a value set is not undone at exit
    sma->sems[semnum].semval = val;
    sma->sems[semnum].sempid = current()->tgid;
    values_set(sma);
    return 0;
}

// GETALL's copy out and SETALL's copy in, through a buffer: user memory is not touched
// while the set is half read or written. A fault in a copy may sleep, letting the BKL go,
// and another process may remove the set meanwhile: SETALL looks it up again after. (A
// removed set's id is not given again until its sequence number has gone round, 65535
// sets later in the same slot: sem_find finds the same set, or none.)
static long sem_getall(struct sem_array *sma, uint64_t uarray) {
    int nsems = sma->nsems;
    uint16_t *vals = kmalloc((size_t)nsems * sizeof *vals);
    if (!vals)
        return -ENOMEM;
    for (int i = 0; i < nsems; i++)
        vals[i] = (uint16_t)sma->sems[i].semval;
    long err = copy_to_user((void *)uarray, vals, (size_t)nsems * sizeof *vals) ? -EFAULT : 0;
    kfree(vals);
    return err;
}

static long sem_setall(int semid, struct sem_array *sma, uint64_t uarray) {
    int nsems = sma->nsems;
    uint16_t *vals = kmalloc((size_t)nsems * sizeof *vals);
    if (!vals)
        return -ENOMEM;
    long err = 0;
    if (copy_from_user(vals, (const void *)uarray, (size_t)nsems * sizeof *vals))
        err = -EFAULT;
    for (int i = 0; i < nsems && !err; i++)
        if (vals[i] > SEMVMX)
            err = -ERANGE;
    if (!err && sem_find(semid) != sma)
        err = -EIDRM;                            // removed while the copy slept
    if (!err) {
        for (int i = 0; i < nsems; i++) {
            sma->sems[i].semval = vals[i];
            sma->sems[i].sempid = current()->tgid;
        }
        for (struct sem_undo *un = sma->undos; un; un = un->set_next)
            memset(un->semadj, 0, (size_t)nsems * sizeof un->semadj[0]);
        values_set(sma);
    }
    kfree(vals);
    return err;
}

// GETALL, SETALL, GETVAL, GETPID, GETNCNT, GETZCNT (Linux's semctl_main).
static long semctl_main(int semid, int semnum, int cmd, uint64_t arg) {
    struct sem_array *sma = sem_find(semid);
    if (!sma)
        return -EINVAL;
    if (!ipc_may(&sma->perm, cmd == SETALL ? MAY_WRITE_IPC : MAY_READ_IPC))
        return -EACCES;
    if (cmd == GETALL)
        return sem_getall(sma, arg);
    if (cmd == SETALL)
        return sem_setall(semid, sma, arg);
    if (semnum < 0 || semnum >= sma->nsems)
        return -EINVAL;
    switch (cmd) {
    case GETVAL:  return sma->sems[semnum].semval;
    case GETPID:  return sma->sems[semnum].sempid;
    case GETNCNT: return count_waiters(sma, semnum, false);
    default:      return count_waiters(sma, semnum, true);   // GETZCNT
    }
}

// IPC_SET (ds: the new owner and mode) and IPC_RMID: the owner's, creator's or root's.
static long semctl_down(int semid, int cmd, const struct semid64_ds_k *ds) {
    struct sem_array *sma = sem_find(semid);
    if (!sma)
        return -EINVAL;
    if (!ipc_owner(&sma->perm))
        return -EPERM;
    if (cmd == IPC_RMID) {
        freeary(sma);
        return 0;
    }
    long err = ipc_perm_set(&sma->perm, &ds->sem_perm);
    if (err)
        return err;
    sma->ctime = now_seconds();
    return 0;
}

// semctl(semid, semnum, cmd, arg): arg is union semun - an int for SETVAL (the register's
// low half), else a pointer - as glibc and musl pass it.
SYSCALL(semctl) {
    int semid = (int)a0, semnum = (int)a1, cmd = (int)a2;
    uint64_t arg = a3;
    if (semid < 0)
        return -EINVAL;
    switch (cmd) {
    case IPC_INFO:
    case SEM_INFO:
        return sem_info(cmd, arg);
    case IPC_STAT:
    case SEM_STAT:
    case SEM_STAT_ANY:
        return sem_stat(semid, cmd, arg);
    case GETALL:
    case GETVAL:
    case GETPID:
    case GETNCNT:
    case GETZCNT:
    case SETALL:
        return semctl_main(semid, semnum, cmd, arg);
    case SETVAL:
        return sem_setval(semid, semnum, (int)arg);
    case IPC_SET: {
        struct semid64_ds_k ds;
        if (copy_from_user(&ds, (const void *)arg, sizeof ds))
            return -EFAULT;
        return semctl_down(semid, cmd, &ds);
    }
    case IPC_RMID:
        return semctl_down(semid, cmd, NULL);
    default:
        return -EINVAL;
    }
}

// ---------------------------------------------------------------- fork and exit

long sem_clone(struct proc *child, struct proc *self, bool share) {
    child->sysvsem = NULL;
    if (!share)
        return 0;                                // fork: the child starts with no undos
    if (!undo_list_alloc(self))
        return -ENOMEM;
    self->sysvsem->refs++;
    child->sysvsem = self->sysvsem;
    return 0;
}

// The last thread using the list applies its adjustments (clamped to 0..SEMVMX, as
// Linux), which may let waiters go on, and frees it.
void sem_exit(struct proc *p) {
    struct sem_undo_list *ulp = p->sysvsem;
    if (!ulp)
        return;
    p->sysvsem = NULL;
    if (--ulp->refs > 0)
        return;
    while (ulp->list) {
        struct sem_undo *un = ulp->list;
        struct sem_array *sma = un->sma;
        ulp->list = un->proc_next;
        unlink_undo(&sma->undos, un, true);
        for (int i = 0; i < sma->nsems; i++) {
            if (!un->semadj[i])
                continue;
            int val = sma->sems[i].semval + un->semadj[i];
            sma->sems[i].semval = val < 0 ? 0 : val > SEMVMX ? SEMVMX : val;
            sma->sems[i].sempid = p->tgid;
        }
        sma->otime = now_seconds();
        update_queue(sma);
        kfree(un);
    }
    kfree(ulp);
}
