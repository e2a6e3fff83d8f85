// mqueue.c: POSIX message queues - mq_open, mq_unlink, mq_timedsend, mq_timedreceive,
// mq_notify, mq_getsetattr (Linux's ipc/mqueue.c).
//
// A queue has a name (glibc's mq_open("/name") passes "name"), an owner and a mode, and
// holds up to mq_maxmsg messages of up to mq_msgsize bytes each, every one with a priority
// (0 .. MQ_PRIO_MAX-1): a receive takes the oldest message of the highest priority. A
// process opens a queue as a file descriptor, which poll and epoll watch (readable: a
// message waits; writable: there is room) and read() describes ("QSIZE:..."). A send to a
// full queue and a receive from an empty one wait (O_NONBLOCK: EAGAIN) until there is room
// or a message, or until an absolute CLOCK_REALTIME timeout (ETIMEDOUT); a signal ends the
// wait (restarted under SA_RESTART). mq_notify asks for one signal when a message arrives
// in an empty queue that nobody is waiting on. A queue lives until it is unlinked and its
// last descriptor closed.
//
// Limits, Linux's defaults (/proc/sys/fs/mqueue): 10 messages of 8192 bytes when mq_open
// gives no attributes, and at most that without CAP_SYS_RESOURCE (root: up to 65536
// messages of 16 MiB); 256 queues without it; and each user's queues may take at most
// RLIMIT_MSGQUEUE bytes (819200), counted as Linux counts them (EMFILE beyond).
//
// Locking: every call here runs under the big kernel lock (E in syscall.c's table); a
// waiter looks at its queue and sleeps with interrupts off (sleep_on), and every change
// wakes all of the queue's waiters, who look again. Messages are copied in before the
// queue is looked at, and out after the message is off it (a fault in a copy may sleep).
// Not here: the mqueue filesystem (mount -t mqueue), SIGEV_THREAD (glibc's needs a
// netlink socket), and changing the limits.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

#define MQ_PRIO_MAX      32768
#define MSG_MAX          10          // /proc/sys/fs/mqueue/msg_max (and msg_default)
#define MSGSIZE_MAX      8192        // msgsize_max (and msgsize_default)
#define QUEUES_MAX       256
#define HARD_MSGMAX      65536       // what even CAP_SYS_RESOURCE may ask for
#define HARD_MSGSIZEMAX  (16 << 20)
#define NAME_MAX_        255
#define RLIMIT_MSGQUEUE  12
#define SI_MESGQ         (-3)
#define SIGEV_SIGNAL     0
#define SIGEV_NONE       1
#define SIGEV_THREAD     2
// What Linux charges a queue against RLIMIT_MSGQUEUE: per message, its bytes, a struct
// msg_msg (48) and a priority tree node (48, at most MQ_PRIO_MAX of them).
#define MSG_OVERHEAD     48
#define NODE_OVERHEAD    48

struct mq_attr_k { int64_t flags, maxmsg, msgsize, curmsgs, reserved[4]; };
struct sigevent_k { uint64_t value; int32_t signo, notify, tid, pad[11]; };   // 64 bytes

struct mq_msg {
    struct mq_msg *next;
    unsigned prio;
    size_t len;
    char text[];
};

struct mqueue {
    struct mqueue *next;             // in `all`, every queue that exists
    char name[NAME_MAX_ + 1];        // "" once unlinked
    uint32_t mode, uid, gid;         // its creator's fs ids; mode after the umask
    int64_t maxmsg, msgsize;
    int64_t curmsgs;
    uint64_t qsize;                  // bytes of text queued (read()'s QSIZE)
    uint64_t charged;                // what its creator's RLIMIT_MSGQUEUE pays for it
    uint64_t ino;
    struct mq_msg *head;             // highest priority first; oldest first within one
    int refs;                        // its name (until unlinked) and each open file
    int receivers;                   // waiting in mq_timedreceive (mq_notify's condition)
    int notify_pid;                  // mq_notify's process (tgid), 0: nobody
    uint64_t notify_start;           // ... and when it started: the pid may be reused
    struct sigevent_k notify;
};

static struct mqueue *all;
static int nqueues;
static uint64_t next_ino = 1;

static void queue_put(struct mqueue *q) {
    if (--q->refs > 0)
        return;
    for (struct mqueue **pp = &all; *pp; pp = &(*pp)->next) {
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    }
    nqueues--;
    for (struct mq_msg *m = q->head, *next; m; m = next) {
        next = m->next;
        kfree(m);
    }
    kfree(q);
}

static struct mqueue *find_name(const char *name) {
    for (struct mqueue *q = all; q; q = q->next)
        if (q->name[0] && strcmp(q->name, name) == 0)
            return q;
    return NULL;
}

// The name from user memory, as Linux takes it: not empty (-ENOENT), not "." or "..", no
// '/' (-EACCES: lookup_one_len's rules); at most NAME_MAX bytes (-ENAMETOOLONG).
static long name_from_user(uint64_t uname, char *name) {
    char *buf = kmalloc(FS_PATH_MAX);
    if (!buf)
        return -ENOMEM;
    long n = strncpy_from_user(buf, (const char *)uname, FS_PATH_MAX);
    long err = n < 0 ? n : 0;
    if (!err && n == 0)
        err = -ENOENT;
    if (!err && (strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0 || strchr(buf, '/')))
        err = -EACCES;
    if (!err && n > NAME_MAX_)
        err = -ENAMETOOLONG;
    if (!err)
        memcpy(name, buf, (size_t)n + 1);
    kfree(buf);
    return err;
}

// May the caller read (4) or write (2) q? Root may do anything (CAP_DAC_OVERRIDE).
static long mq_permission(struct mqueue *q, unsigned mask) {
    struct cred *c = &current()->cred;
    unsigned bits = c->fsuid == q->uid ? q->mode >> 6 : in_group(q->gid) ? q->mode >> 3 : q->mode;
    return (bits & mask) == mask || capable() ? 0 : -EACCES;
}

// ---------------------------------------------------------------- the descriptor

static void fill_mq_stat(struct file *f, struct kstat *st) {
    struct mqueue *q = f->priv;
    memset(st, 0, sizeof *st);
    st->st_dev = 4;                  // the mqueue filesystem's
    st->st_ino = q->ino;
    st->st_mode = S_IFREG | q->mode;
    st->st_nlink = q->name[0] ? 1 : 0;
    st->st_uid = q->uid;
    st->st_gid = q->gid;
    st->st_size = 80;                // Linux's FILENT_SIZE
    st->st_blksize = 4096;
}

// The process mq_notify's request is for, if it still lives; else the request is dropped
// (Linux holds the process's struct pid, and drops it at each close the process makes).
static struct proc *notify_owner(struct mqueue *q) {
    struct proc *p = q->notify_pid ? proc_find(q->notify_pid) : NULL;
    if (p && (!p->signal || p->signal->nr_threads == 0 || p->start_ns != q->notify_start))
        p = NULL;
    if (!p)
        q->notify_pid = 0;
    return p;
}

// read(): the queue's state, as Linux's mqueue_read_file shows it.
static long mq_read(struct file *f, void *buf, size_t n) {
    struct mqueue *q = f->priv;
    char text[96];
    notify_owner(q);
    int sig = q->notify_pid && q->notify.notify == SIGEV_SIGNAL ? q->notify.signo : 0;
    int len = snprintf(text, sizeof text, "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
                       (unsigned long long)q->qsize, q->notify_pid ? q->notify.notify : 0, sig,
                       q->notify_pid);
    if (f->pos >= (uint64_t)len)
        return 0;
    size_t got = (size_t)len - f->pos < n ? (size_t)len - f->pos : n;
    memcpy(buf, text + f->pos, got);
    f->pos += got;
    return (long)got;
}

static unsigned mq_poll(struct file *f) {
    struct mqueue *q = f->priv;
    return (q->curmsgs ? POLLIN | POLLRDNORM : 0) | (q->curmsgs < q->maxmsg ? POLLOUT | POLLWRNORM : 0);
}

// The last close. Linux also drops the caller's mq_notify at each close (flush): here at
// the last one, if the caller's process asked.
static void mq_release(struct file *f) {
    struct mqueue *q = f->priv;
    if (q->notify_pid == current()->tgid)
        q->notify_pid = 0;
    queue_put(q);
}

static const struct file_ops mq_ops = {
    .read = mq_read, .poll = mq_poll, .release = mq_release, .stat = fill_mq_stat,
};

static struct mqueue *queue_of(struct file *f) { return f && f->ops == &mq_ops ? f->priv : NULL; }

// ---------------------------------------------------------------- mq_open, mq_unlink

// The bytes RLIMIT_MSGQUEUE counts for a queue of these sizes (Linux's mqueue_get_inode).
static uint64_t charge_of(int64_t maxmsg, int64_t msgsize) {
    int64_t nodes = maxmsg < MQ_PRIO_MAX ? maxmsg : MQ_PRIO_MAX;
    return (uint64_t)(maxmsg * MSG_OVERHEAD + nodes * NODE_OVERHEAD + maxmsg * msgsize);
}

static uint64_t charged_to(uint32_t uid) {
    uint64_t sum = 0;
    for (struct mqueue *q = all; q; q = q->next)
        if (q->uid == uid)
            sum += q->charged;
    return sum;
}

// A new queue under name, with attr's sizes (NULL: the defaults), checked as Linux checks
// them: -EINVAL, -EOVERFLOW, -ENOSPC (too many queues), -EMFILE (over RLIMIT_MSGQUEUE).
static long create(const char *name, uint32_t mode, const struct mq_attr_k *attr, struct mqueue **out) {
    int64_t maxmsg = MSG_MAX, msgsize = MSGSIZE_MAX;
    if (attr) {
        if (attr->maxmsg <= 0 || attr->msgsize <= 0)
            return -EINVAL;
        int64_t maxm = capable() ? HARD_MSGMAX : MSG_MAX, maxs = capable() ? HARD_MSGSIZEMAX : MSGSIZE_MAX;
        if (attr->maxmsg > maxm || attr->msgsize > maxs)
            return -EINVAL;
        maxmsg = attr->maxmsg;
        msgsize = attr->msgsize;
    }
    if (nqueues >= QUEUES_MAX && !capable())
        return -ENOSPC;
    struct proc *p = current();
    uint64_t charge = charge_of(maxmsg, msgsize);
    if (charged_to(p->cred.fsuid) + charge > p->signal->rlim[RLIMIT_MSGQUEUE].rlim_cur)
        return -EMFILE;
    struct mqueue *q = kzalloc(sizeof *q);
    if (!q)
        return -ENOMEM;
    strlcpy(q->name, name, sizeof q->name);
    q->mode = mode & ~p->fs->umask & 0777;
    q->uid = p->cred.fsuid;
    q->gid = p->cred.fsgid;
    q->maxmsg = maxmsg;
    q->msgsize = msgsize;
    q->charged = charge;
    q->ino = next_ino++;
    q->refs = 1;                     // its name's
    q->next = all;
    all = q;
    nqueues++;
    *out = q;
    return 0;
}

// mq_open(const char *name, int oflag, mode_t mode, struct mq_attr *attr): a descriptor
// for the queue, made if O_CREAT asks. attr is read (EFAULT) whether or not it is used.
SYSCALL(mq_open) {
    uint64_t uname = a0, uattr = a3;
    int oflag = (int)a1;
    uint32_t mode = (uint32_t)a2;
    struct mq_attr_k attr;
    if (uattr && copy_from_user(&attr, (const void *)uattr, sizeof attr))
        return -EFAULT;
    char name[NAME_MAX_ + 1];
    long err = name_from_user(uname, name);
    if (err)
        return err;
    struct mqueue *q = find_name(name);
    if (q) {
        if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
            return -EEXIST;
        if ((oflag & O_ACCMODE) == O_ACCMODE)
            return -EINVAL;
        unsigned want = (open_reads((unsigned)oflag) ? 4 : 0) | (open_writes((unsigned)oflag) ? 2 : 0);
        if ((err = mq_permission(q, want)))
            return err;
    } else if (!(oflag & O_CREAT)) {
        return -ENOENT;
    } else if ((err = create(name, mode, uattr ? &attr : NULL, &q))) {
        return err;
    }
    struct file *f = file_alloc(&mq_ops, NULL, (unsigned)oflag & (O_ACCMODE | O_NONBLOCK));
    if (!f)
        return -ENOMEM;              // (a queue just made keeps its name, as Linux's would)
    f->priv = q;
    q->refs++;                       // the file's
    int fd = fd_install(current(), f, oflag & O_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd;
}

// mq_unlink(name): the name goes; the queue lives on while descriptors are open. Only its
// owner or root may (the queues' directory is sticky, as /tmp).
SYSCALL(mq_unlink) {
    uint64_t uname = a0;
    char name[NAME_MAX_ + 1];
    long err = name_from_user(uname, name);
    if (err)
        return err;
    struct mqueue *q = find_name(name);
    if (!q)
        return -ENOENT;
    if (q->uid != current()->cred.fsuid && !capable())
        return -EPERM;
    q->name[0] = '\0';
    queue_put(q);                    // its name's reference
    return 0;
}

// ---------------------------------------------------------------- send and receive

// An absolute CLOCK_REALTIME timeout from user memory, as ns since boot (0: none, wait for
// ever). -EFAULT, or -EINVAL for a timespec Linux would not take.
static long deadline_from_user(uint64_t uts, uint64_t *deadline) {
    *deadline = 0;
    if (!uts)
        return 0;
    struct k_timespec ts;
    if (copy_from_user(&ts, (const void *)uts, sizeof ts))
        return -EFAULT;
    if (!k_timespec_valid(&ts))
        return -EINVAL;
    int64_t boot = (int64_t)k_timespec_ns(&ts) - time_realtime_offset_ns();
    *deadline = boot > 0 ? (uint64_t)boot : 1;   // (already past: ETIMEDOUT at once)
    return 0;
}

// Waits until ready(q) holds: 0, -EAGAIN, -ETIMEDOUT or -ERESTARTSYS. Interrupts off.
static long wait_until(struct mqueue *q, struct file *f, bool (*ready)(struct mqueue *),
                       uint64_t deadline) {
    struct proc *p = current();
    long err = 0;
    while (!err && !ready(q)) {
        if (f->flags & O_NONBLOCK)
            err = -EAGAIN;
        else if (deadline && time_since_boot_ns() >= deadline)
            err = -ETIMEDOUT;
        else if (signal_pending(p))
            err = -ERESTARTSYS;
        else {
            p->wake_at = deadline;
            sleep_on(q);
            p->wake_at = 0;
        }
    }
    return err;
}

static bool has_room(struct mqueue *q) { return q->curmsgs < q->maxmsg; }
static bool has_message(struct mqueue *q) { return q->curmsgs > 0; }

static void changed(struct mqueue *q) {
    wakeup(q);
    poll_notify(q, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
}

// A message arrived in an empty queue that no receiver waits on: mq_notify's one signal,
// and the registration ends (Linux's __do_notify).
static void notify(struct mqueue *q) {
    if (!q->notify_pid || q->curmsgs != 1 || q->receivers)
        return;
    struct proc *owner = notify_owner(q);
    if (owner && q->notify.notify == SIGEV_SIGNAL && q->notify.signo)
        signal_send(owner, q->notify.signo, SI_MESGQ, current()->tgid, q->notify.value, 0);
    q->notify_pid = 0;
}

// In after every message of its priority or higher: oldest first within one priority.
static void insert(struct mqueue *q, struct mq_msg *m) {
    struct mq_msg **pp = &q->head;
    while (*pp && (*pp)->prio >= m->prio)
        pp = &(*pp)->next;
    m->next = *pp;
    *pp = m;
    q->curmsgs++;
    q->qsize += m->len;
}

// mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned msg_prio,
//     const struct timespec *abs_timeout)
SYSCALL(mq_timedsend) {
    int fd = (int)a0;
    uint64_t umsg = a1, len = a2, uts = a4;
    unsigned prio = (unsigned)a3;
    uint64_t deadline;
    long err = deadline_from_user(uts, &deadline);
    if (err)
        return err;
    if (prio >= MQ_PRIO_MAX)
        return -EINVAL;
    struct file *f = fd_get(fd);
    struct mqueue *q = queue_of(f);
    if (!q || !open_writes(f->flags))
        return -EBADF;
    if (len > (uint64_t)q->msgsize)
        return -EMSGSIZE;
    struct mq_msg *m = kmalloc(sizeof *m + len);
    if (!m)
        return -ENOMEM;
    m->prio = prio;
    m->len = len;
    if (copy_from_user(m->text, (const void *)umsg, len)) {
        kfree(m);
        return -EFAULT;
    }
    uint64_t flags = local_irq_save();
    err = wait_until(q, f, has_room, deadline);
    if (!err) {
        insert(q, m);
        notify(q);
        changed(q);
    }
    local_irq_restore(flags);
    if (err)
        kfree(m);
    return err;
}

// mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned *msg_prio,
//     const struct timespec *abs_timeout): the message's length. The message is off the
// queue before it is copied out: a bad buffer loses it (EFAULT), as on Linux.
SYSCALL(mq_timedreceive) {
    int fd = (int)a0;
    uint64_t ubuf = a1, len = a2, uprio = a3, uts = a4;
    uint64_t deadline;
    long err = deadline_from_user(uts, &deadline);
    if (err)
        return err;
    struct file *f = fd_get(fd);
    struct mqueue *q = queue_of(f);
    if (!q || !open_reads(f->flags))
        return -EBADF;
    if (len < (uint64_t)q->msgsize)
        return -EMSGSIZE;
    uint64_t flags = local_irq_save();
    q->receivers++;
    err = wait_until(q, f, has_message, deadline);
    q->receivers--;
    struct mq_msg *m = NULL;
    if (!err) {
        m = q->head;
        q->head = m->next;
        q->curmsgs--;
        q->qsize -= m->len;
        changed(q);
    }
    local_irq_restore(flags);
    if (err)
        return err;
    long n = (long)m->len;
    if ((uprio && copy_to_user((void *)uprio, &m->prio, sizeof m->prio)) ||
        copy_to_user((void *)ubuf, m->text, m->len))
        n = -EFAULT;
    kfree(m);
    return n;
}

// ---------------------------------------------------------------- notify, attributes

// mq_notify(mqd_t mqdes, const struct sigevent *sevp): one process at a time (EBUSY) asks
// for SIGEV_SIGNAL or SIGEV_NONE; NULL takes the caller's own request back.
SYSCALL(mq_notify) {
    int fd = (int)a0;
    uint64_t uev = a1;
    struct sigevent_k ev;
    if (uev) {
        if (copy_from_user(&ev, (const void *)uev, sizeof ev))
            return -EFAULT;
        if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_THREAD)
            return -EINVAL;
        if (ev.notify == SIGEV_SIGNAL && (ev.signo < 0 || ev.signo > NSIG_MAX))
            return -EINVAL;
        if (ev.notify == SIGEV_THREAD) {
            // A 32-byte cookie at value, and in signo a netlink socket: none here.
            char cookie[32];
            if (copy_from_user(cookie, (const void *)ev.value, sizeof cookie))
                return -EFAULT;
            struct file *s = fd_get(ev.signo);
            return !s ? -EBADF : file_is_socket(s) ? -EINVAL : -ENOTSOCK;
        }
    }
    struct mqueue *q = queue_of(fd_get(fd));
    if (!q)
        return -EBADF;
    int me = current()->tgid;
    if (!uev) {
        if (q->notify_pid == me)
            q->notify_pid = 0;
        return 0;
    }
    if (notify_owner(q))
        return -EBUSY;
    q->notify = ev;
    q->notify_pid = me;
    q->notify_start = current()->group_leader->start_ns;
    return 0;
}

// mq_getsetattr(mqd_t mqdes, const struct mq_attr *newattr, struct mq_attr *oldattr): only
// O_NONBLOCK (on this open file) may be changed.
SYSCALL(mq_getsetattr) {
    int fd = (int)a0;
    uint64_t unew = a1, uold = a2;
    struct mq_attr_k new, old;
    if (unew) {
        if (copy_from_user(&new, (const void *)unew, sizeof new))
            return -EFAULT;
        if (new.flags & ~(int64_t)O_NONBLOCK)
            return -EINVAL;
    }
    struct file *f = fd_get(fd);
    struct mqueue *q = queue_of(f);
    if (!q)
        return -EBADF;
    old = (struct mq_attr_k){ f->flags & O_NONBLOCK, q->maxmsg, q->msgsize, q->curmsgs, { 0 } };
    if (unew)
        f->flags = (f->flags & ~O_NONBLOCK) | (unsigned)(new.flags & O_NONBLOCK);
    if (uold && copy_to_user((void *)uold, &old, sizeof old))
        return -EFAULT;
    return 0;
}
