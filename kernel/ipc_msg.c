// ipc_msg.c: System V message queues - msgget, msgsnd, msgrcv, msgctl (Linux's ipc/msg.c).
//
// A queue holds messages, each a type (a long, 1 or more) and up to MSGMAX bytes of text,
// in the order they were sent, up to msg_qbytes bytes of text in all. msgsnd waits while
// the message does not fit (or IPC_NOWAIT: EAGAIN); msgrcv takes the first message of a
// type - msgtyp 0: any; above 0: that type (with MSG_EXCEPT: any other); below 0: the
// lowest type up to -msgtyp - and waits while there is none (or IPC_NOWAIT: ENOMSG). A
// message longer than msgrcv's buffer stays queued (E2BIG) unless MSG_NOERROR cuts it.
// A signal ends either wait with EINTR after a handler, as Linux (they are never restarted
// then); IPC_RMID ends every wait with EIDRM.
//
// The message is copied in from user memory before the queue is looked up, and out after
// it is off the queue: a fault in a copy may sleep, letting the BKL go, and the queue may
// be removed meanwhile. A thread waiting on a queue holds a reference to it (refs), so that
// IPC_RMID, which takes it out of the table at once, frees it only when the last one leaves.
//
// Locking: every call here runs under the big kernel lock (E in syscall.c's table). A
// waiter looks at the queue and sleeps with interrupts off (sleep_on); every change wakes
// all its waiters (wakeup), who look again. Not here: MSG_COPY, /proc/sysvipc/msg, and
// changing the limits through /proc/sys/kernel/msg* (they are Linux's defaults, fixed).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "ipc.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

// Linux's limits (include/uapi/linux/msg.h).
#define MSGMAX 8192                  // bytes of text in one message
#define MSGMNB 16384                 // bytes of text in one queue, by default
#define MSGMNI 32000                 // queues

#define MSG_NOERROR 010000
#define MSG_EXCEPT  020000
#define MSG_COPY    040000
#define MSG_STAT     11
#define MSG_INFO     12
#define MSG_STAT_ANY 13

struct msqid64_ds_k {                // Linux x86_64's struct msqid64_ds (120 bytes)
    struct ipc64_perm_k msg_perm;
    int64_t msg_stime, msg_rtime, msg_ctime;
    uint64_t msg_cbytes, msg_qnum, msg_qbytes;
    int32_t msg_lspid, msg_lrpid;
    uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct msqid64_ds_k) == 120, "struct msqid64_ds is 120 bytes");

struct msginfo_k {                   // IPC_INFO and MSG_INFO's answer
    int msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg;
};

struct msg {
    struct msg *next;
    int64_t type;
    size_t len;
    char text[];
};

struct msg_queue {
    struct kern_ipc_perm perm;       // first: the table's pointer is the queue's
    struct msg *head, *tail;
    uint64_t cbytes, qnum, qbytes;
    int64_t stime, rtime, ctime;
    int lspid, lrpid;
    int refs;                        // the table's (until IPC_RMID), and each waiter's
    bool removed;
};

static struct ipc_ids msg_ids = IPC_IDS_INIT;
static uint64_t all_bytes, all_msgs; // in every queue (MSG_INFO)

static int64_t now_seconds(void) { return (int64_t)(time_realtime_ns() / 1000000000ull); }

static struct msg_queue *queue_find(int id) {
    return (struct msg_queue *)ipc_find_id(&msg_ids, id);
}

static void queue_put(struct msg_queue *q) {
    if (--q->refs > 0)
        return;
    for (struct msg *m = q->head, *next; m; m = next) {
        next = m->next;
        all_bytes -= m->len;
        all_msgs--;
        kfree(m);
    }
    kfree(q);
}

// msgget(key_t key, int msgflg)
SYSCALL(msgget) {
    int32_t key = (int32_t)a0;
    int flag = (int)a1;
    struct kern_ipc_perm *found;
    long err = ipc_get_key(&msg_ids, key, flag, &found);
    if (err || found)
        return err ? err : found->id;
    struct msg_queue *q = kzalloc(sizeof *q);
    if (!q)
        return -ENOMEM;
    q->perm.key = key;
    q->perm.mode = (uint32_t)flag & 0777;
    q->qbytes = MSGMNB;
    q->ctime = now_seconds();
    q->refs = 1;
    int id = ipc_add(&msg_ids, &q->perm, MSGMNI);
    if (id < 0)
        kfree(q);
    return id;
}

// Sleeps on q until woken, holding a reference to it: 0, -EIDRM if it was removed
// meanwhile, or -ERESTARTNOHAND for a signal (EINTR after a handler). Interrupts off.
static long wait_on(struct msg_queue *q) {
    if (signal_pending(current()))
        return -ERESTARTNOHAND;
    q->refs++;
    sleep_on(q);
    bool removed = q->removed;
    queue_put(q);
    return removed ? -EIDRM : 0;
}

// msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg): msgp is a long type, then
// the text.
SYSCALL(msgsnd) {
    int id = (int)a0, flag = (int)a3;
    uint64_t umsg = a1, len = a2;
    if (id < 0 || (int64_t)len < 0 || len > MSGMAX)
        return -EINVAL;
    int64_t type;                            // (Linux's order: the type, then the text)
    if (copy_from_user(&type, (const void *)umsg, sizeof type))
        return -EFAULT;
    if (type < 1)
        return -EINVAL;
    struct msg *m = kmalloc(sizeof *m + len);
    if (!m)
        return -ENOMEM;
    if (copy_from_user(m->text, (const void *)(umsg + sizeof type), len)) {
        kfree(m);
        return -EFAULT;
    }
    m->type = type;
    m->len = len;
    m->next = NULL;
    uint64_t f = local_irq_save();
    long err;
    for (;;) {
        struct msg_queue *q = queue_find(id);
        err = !q ? -EINVAL : !ipc_may(&q->perm, MAY_WRITE_IPC) ? -EACCES : 0;
        if (err)
            break;
        if (len <= q->qbytes && q->cbytes + len <= q->qbytes && q->qnum + 1 <= q->qbytes) {
            if (q->tail)
                q->tail->next = m;
            else
                q->head = m;
            q->tail = m;
            q->cbytes += len;
            q->qnum++;
            all_bytes += len;
            all_msgs++;
            q->lspid = current()->tgid;
            q->stime = now_seconds();
            wakeup(q);                       // receivers look again
            m = NULL;
            break;
        }
        if (flag & IPC_NOWAIT) {
            err = -EAGAIN;
            break;
        }
        if ((err = wait_on(q)))
            break;
    }
    local_irq_restore(f);
    kfree(m);
    return err;
}

// The message msgrcv takes from q, or NULL.
static struct msg **choose(struct msg_queue *q, int64_t type, int flag) {
    struct msg **best = NULL;
    if (type == INT64_MIN)
        type = INT64_MIN + 1;                // -type must not overflow (Linux's convert_mode)
    for (struct msg **mp = &q->head; *mp; mp = &(*mp)->next) {
        int64_t t = (*mp)->type;
        if (type == 0)
            return mp;
        if (type > 0 && ((flag & MSG_EXCEPT) ? t != type : t == type))
            return mp;
        if (type < 0 && t <= -type && (!best || t < (*best)->type))
            best = mp;                       // the lowest type, the first of it
    }
    return best;
}

// Takes the chosen message off q: it is the caller's now. Interrupts off.
static struct msg *take(struct msg_queue *q, struct msg **mp) {
    struct msg *m = *mp, *prev = NULL;
    for (struct msg *p = q->head; p && p != m; p = p->next)
        prev = p;
    *mp = m->next;
    if (q->tail == m)
        q->tail = prev;
    q->cbytes -= m->len;
    q->qnum--;
    all_bytes -= m->len;
    all_msgs--;
    q->lrpid = current()->tgid;
    q->rtime = now_seconds();
    wakeup(q);                               // room for senders
    return m;
}

// msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg): the text's length.
SYSCALL(msgrcv) {
    int id = (int)a0, flag = (int)a4;
    uint64_t umsg = a1, size = a2;
    int64_t type = (int64_t)a3;
    if (id < 0 || (int64_t)size < 0)
        return -EINVAL;
    if (flag & MSG_COPY)
        return -ENOSYS;                      // Linux without CONFIG_CHECKPOINT_RESTORE
    uint64_t f = local_irq_save();
    struct msg *m = NULL;
    long err;
    for (;;) {
        struct msg_queue *q = queue_find(id);
        err = !q ? -EINVAL : !ipc_may(&q->perm, MAY_READ_IPC) ? -EACCES : 0;
        if (err)
            break;
        struct msg **mp = choose(q, type, flag);
        if (mp && (*mp)->len > size && !(flag & MSG_NOERROR)) {
            err = -E2BIG;                    // it stays queued
            break;
        }
        if (mp) {
            m = take(q, mp);
            break;
        }
        if (flag & IPC_NOWAIT) {
            err = -ENOMSG;
            break;
        }
        if ((err = wait_on(q)))
            break;
    }
    local_irq_restore(f);
    if (!m)
        return err;
    size_t n = m->len < size ? m->len : (size_t)size;
    if (copy_to_user((void *)umsg, &m->type, sizeof m->type) ||
        copy_to_user((void *)(umsg + sizeof m->type), m->text, n))
        err = -EFAULT;                       // the message is lost, as on Linux
    kfree(m);
    return err ? err : (long)n;
}

static long msg_info(int cmd, uint64_t ubuf) {
    struct msginfo_k info = {
        .msgpool = cmd == MSG_INFO ? msg_ids.in_use : MSGMNI * MSGMNB / 1024,
        .msgmap = cmd == MSG_INFO ? (int)all_msgs : MSGMNB,
        .msgtql = cmd == MSG_INFO ? (int)all_bytes : MSGMNB,
        .msgmax = MSGMAX, .msgmnb = MSGMNB, .msgmni = MSGMNI, .msgssz = 16, .msgseg = 0xffff,
    };
    if (copy_to_user((void *)ubuf, &info, sizeof info))
        return -EFAULT;
    int max = ipc_max_index(&msg_ids);
    return max < 0 ? 0 : max;
}

// IPC_STAT by id; MSG_STAT and MSG_STAT_ANY by index, returning the id (ipcs walks them).
static long msg_stat(int id, int cmd, uint64_t ubuf) {
    struct msg_queue *q = cmd == IPC_STAT ? queue_find(id)
                                          : (struct msg_queue *)ipc_at_index(&msg_ids, id);
    if (!q)
        return -EINVAL;
    if (cmd != MSG_STAT_ANY && !ipc_may(&q->perm, MAY_READ_IPC))
        return -EACCES;
    struct msqid64_ds_k ds;
    memset(&ds, 0, sizeof ds);
    ipc_perm_out(&q->perm, &ds.msg_perm);
    ds.msg_stime = q->stime;
    ds.msg_rtime = q->rtime;
    ds.msg_ctime = q->ctime;
    ds.msg_cbytes = q->cbytes;
    ds.msg_qnum = q->qnum;
    ds.msg_qbytes = q->qbytes;
    ds.msg_lspid = q->lspid;
    ds.msg_lrpid = q->lrpid;
    int qid = q->perm.id;
    if (copy_to_user((void *)ubuf, &ds, sizeof ds))
        return -EFAULT;
    return cmd == IPC_STAT ? 0 : qid;
}

// IPC_SET (a new owner, mode and msg_qbytes: above MSGMNB only for root) and IPC_RMID: the
// owner's, creator's or root's.
static long msg_down(int id, int cmd, const struct msqid64_ds_k *ds) {
    struct msg_queue *q = queue_find(id);
    if (!q)
        return -EINVAL;
    if (!ipc_owner(&q->perm))
        return -EPERM;
    if (cmd == IPC_RMID) {
        ipc_remove(&msg_ids, &q->perm);
        q->removed = true;
        wakeup(q);                           // every waiter: EIDRM
        queue_put(q);
        return 0;
    }
    if (ds->msg_qbytes > MSGMNB && !capable())
        return -EPERM;
    long err = ipc_perm_set(&q->perm, &ds->msg_perm);
    if (err)
        return err;
    q->qbytes = ds->msg_qbytes;
    q->ctime = now_seconds();
    wakeup(q);                               // more room, maybe
    return 0;
}

// msgctl(int msqid, int cmd, struct msqid_ds *buf)
SYSCALL(msgctl) {
    int id = (int)a0, cmd = (int)a1;
    uint64_t ubuf = a2;
    if (id < 0 && cmd != IPC_INFO && cmd != MSG_INFO)
        return -EINVAL;
    switch (cmd) {
    case IPC_INFO:
    case MSG_INFO:
        return msg_info(cmd, ubuf);
    case IPC_STAT:
    case MSG_STAT:
    case MSG_STAT_ANY:
        return msg_stat(id, cmd, ubuf);
    case IPC_SET: {
        struct msqid64_ds_k ds;
        if (copy_from_user(&ds, (const void *)ubuf, sizeof ds))
            return -EFAULT;
        return msg_down(id, cmd, &ds);
    }
    case IPC_RMID:
        return msg_down(id, cmd, NULL);
    default:
        return -EINVAL;
    }
}
