// socket_scm.c: ancillary data - what a sendmsg(2) on an AF_UNIX socket carries besides
// its bytes, and what recvmsg(2) hands over with them: open files (SCM_RIGHTS: the
// receiver gets new descriptors for the sender's open files) and credentials
// (SCM_CREDENTIALS: who sent it, checked, as the receiver asked with SO_PASSCRED).
//
// A send's control buffer is a list of cmsghdrs (Linux's layout: a 64-bit length, a
// level, a type, then data aligned to 8 bytes). The files it names are held from the send
// (struct scm, below) until a receive installs them, or the message or socket is dropped
// unreceived: then they are closed. socket.c carries an scm inside a message, or beside a
// stream's bytes.
//
// A socket in flight inside its own ring (or a ring of one so held), with no descriptor
// left, is collected by socket_gc.c, which counts here which socket files are in flight.
// Left out: Linux's limit on files in flight (ETOOMANYREFS).
//
// Locking: descriptors are looked up and installed under the BKL, taken here.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "proc.h"
#include "smp.h"
#include "sock.h"
#include "string.h"
#include "uaccess.h"

#define SOL_SOCKET      1
#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD      253           // files in one message, as Linux
#define CONTROL_MAX     131072        // Linux's net.core.optmem_max: a longer buffer ENOBUFS

struct cmsghdr_k {
    uint64_t len;
    int32_t level, type;
};

#define CMSG_ALIGN(n) (((n) + 7) & ~(uint64_t)7)
#define CMSG_LEN(n)   (sizeof(struct cmsghdr_k) + (n))
#define CMSG_SPACE(n) (sizeof(struct cmsghdr_k) + CMSG_ALIGN(n))

struct scm {
    int refs;                         // atomic: the message or mark, and any look (peek)
    struct scm *next;                 // on `later` (below)
    int nfiles;
    struct file *files[SCM_MAX_FD];
    bool given;                       // SCM_CREDENTIALS was sent
    struct ucred cred;
};

// The BKL, if the caller does not hold it: returns whether it took it.
static bool bkl_take(void) {
    if (bkl_held())
        return false;
    bkl_lock();
    return true;
}

// A file the data held goes: a socket's is no longer in flight (socket_gc.c). BKL.
static void let_go(struct file *f) {
    if (file_is_socket(f))
        sock_inflight(f->priv, -1);
    file_close(f);
}

// The last put's work: the files still held go. Its closes may close sockets whose rings
// hold more data, and so on down a chain of any length: those wait on `later` for the
// outermost put to do, one at a time, instead of nesting on the kernel stack. BKL.
static struct scm *later;
static bool putting;

static void free_now(struct scm *scm) {
    for (int i = 0; i < scm->nfiles; i++)
        if (scm->files[i])
            let_go(scm->files[i]);
    kfree(scm);
}

void scm_chain(struct scm *scm, struct scm **list) {
    if (scm) {
        scm->next = *list;
        *list = scm;
    }
}

void scm_put_chain(struct scm *list) {
    while (list) {
        struct scm *next = list->next;
        scm_put(list);
        list = next;
    }
}

void scm_get(struct scm *scm) { __atomic_add_fetch(&scm->refs, 1, __ATOMIC_RELAXED); }

void scm_put(struct scm *scm) {
    if (!scm || __atomic_sub_fetch(&scm->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    bool took = bkl_take();
    if (putting) {
        scm->next = later;
        later = scm;
    } else {
        putting = true;
        free_now(scm);
        while (later) {
            struct scm *next = later;
            later = next->next;
            free_now(next);
        }
        putting = false;
    }
    if (took)
        bkl_unlock();
}

void scm_each_sock(struct scm *scm, void (*fn)(void *arg, struct sock *t), void *arg) {
    for (int i = 0; scm && i < scm->nfiles; i++)
        if (scm->files[i] && file_is_socket(scm->files[i]))
            fn(arg, scm->files[i]->priv);
}

struct ucred scm_cred(const struct scm *scm, bool *given) {
    *given = scm && scm->given;
    return *given ? scm->cred : (struct ucred){ 0, 0, 0 };
}

// SCM_CREDENTIALS must tell the truth: the sender's process and one of its ids (unless it
// is root), as Linux's scm_check_creds.
static long check_cred(const struct ucred *c) {
    struct cred *me = &current()->cred;
    bool root = capable();
    if (c->pid != current()->tgid && !root)
        return -EPERM;
    if (c->uid != me->uid && c->uid != me->euid && c->uid != me->suid && !root)
        return -EPERM;
    if (c->gid != me->gid && c->gid != me->egid && c->gid != me->sgid && !root)
        return -EPERM;
    return 0;
}

// One cmsghdr's data into scm: its files, held, or its credentials.
static long take_one(const struct cmsghdr_k *c, const char *data, struct scm *scm) {
    if (c->type == SCM_CREDENTIALS) {
        if (c->len != CMSG_LEN(sizeof(struct ucred)))
            return -EINVAL;
        memcpy(&scm->cred, data, sizeof scm->cred);
        scm->given = true;
        return check_cred(&scm->cred);
    }
    if (c->type != SCM_RIGHTS)
        return -EINVAL;
    int n = (int)((c->len - sizeof *c) / sizeof(int));
    if (n > SCM_MAX_FD || scm->nfiles + n > SCM_MAX_FD)
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        int fd;
        memcpy(&fd, data + i * sizeof fd, sizeof fd);
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        scm->files[scm->nfiles++] = file_dup(f);
        if (file_is_socket(f))
            sock_inflight(f->priv, 1);
    }
    return 0;
}

// Walks a control buffer (ctl, len bytes) as Linux's __scm_send: each header must fit in
// what is left; other levels are skipped.
static long take_all(const char *ctl, uint64_t len, struct scm *scm) {
    for (uint64_t at = 0; at + sizeof(struct cmsghdr_k) <= len;) {
        struct cmsghdr_k c;
        memcpy(&c, ctl + at, sizeof c);
        if (c.len < sizeof c || c.len > len - at)
            return -EINVAL;
        if (c.level == SOL_SOCKET) {
            long err = take_one(&c, ctl + at + sizeof c, scm);
            if (err)
                return err;
        }
        at += CMSG_ALIGN(c.len);
    }
    return 0;
}

long scm_from_user(const struct msghdr_k *m, struct sock *s, struct scm **out) {
    (void)s;
    *out = NULL;
    if (m->controllen == 0)
        return 0;
    if (m->controllen > CONTROL_MAX)
        return -ENOBUFS;
    char *ctl = kmalloc(m->controllen);
    struct scm *scm = kzalloc(sizeof *scm);
    long err = ctl && scm ? 0 : -ENOMEM;
    if (scm)
        scm->refs = 1;
    if (!err && copy_from_user(ctl, (const void *)m->control, m->controllen))
        err = -EFAULT;
    if (!err) {
        bool took = bkl_take();
        err = take_all(ctl, m->controllen, scm);
        if (took)
            bkl_unlock();
    }
    kfree(ctl);
    if (!err && (scm->nfiles || scm->given)) {
        *out = scm;
        return 0;
    }
    if (scm)
        scm_put(scm);
    return err;
}

// ---------------------------------------------------------------- receiving

// The control buffer being filled: where the next cmsghdr goes, and the room left.
struct control {
    uint64_t at, left;
    int *oflags;
};

// Linux's put_cmsg: a header and data, cut (MSG_CTRUNC) to the room left.
static long put_cmsg(struct control *c, int type, const void *data, uint64_t n) {
    if (c->left < sizeof(struct cmsghdr_k)) {
        *c->oflags |= MSG_CTRUNC;
        return 0;
    }
    uint64_t len = CMSG_LEN(n);
    if (c->left < len) {
        *c->oflags |= MSG_CTRUNC;
        len = c->left;
    }
    struct cmsghdr_k h = { len, SOL_SOCKET, type };
    if (copy_to_user((void *)c->at, &h, sizeof h) ||
        copy_to_user((void *)(c->at + sizeof h), data, len - sizeof h))
        return -EFAULT;
    uint64_t used = CMSG_SPACE(n) < c->left ? CMSG_SPACE(n) : c->left;
    c->at += used;
    c->left -= used;
    return 0;
}

// Linux's scm_detach_fds: as many of the files as fit become descriptors of the receiver
// (the rest are lost, MSG_CTRUNC).
static long put_files(struct control *c, struct scm *scm, bool peek, bool cloexec) {
    int room = c->left > sizeof(struct cmsghdr_k)
             ? (int)((c->left - sizeof(struct cmsghdr_k)) / sizeof(int)) : 0;
    int fds[SCM_MAX_FD], n = 0, held = 0;
    struct proc *p = current();
    for (int i = 0; i < scm->nfiles; i++) {
        struct file *f = scm->files[i];
        if (!f)
            continue;                 // (a receive took it while this one looked)
        held++;
        if (n == room)
            continue;
        int fd = fd_install(p, peek ? file_dup(f) : f, cloexec);
        if (fd < 0) {
            if (peek)
                file_close(f);
            room = n;                 // the table is full: no more
            continue;
        }
        fds[n++] = fd;
        if (!peek) {
            scm->files[i] = NULL;     // the receiver's now
            if (file_is_socket(f))
                sock_inflight(f->priv, -1);
        }
    }
    if (n < held || (held && room == 0))
        *c->oflags |= MSG_CTRUNC;
    if (n == 0)
        return 0;
    struct cmsghdr_k h = { CMSG_LEN(n * sizeof(int)), SOL_SOCKET, SCM_RIGHTS };
    if (copy_to_user((void *)c->at, &h, sizeof h) ||
        copy_to_user((void *)(c->at + sizeof h), fds, n * sizeof(int)))
        return -EFAULT;               // (the descriptors stay installed, as on Linux)
    uint64_t used = CMSG_SPACE(n * sizeof(int));
    used = used < c->left ? used : c->left;
    c->at += used;
    c->left -= used;
    return 0;
}

long scm_to_user(struct scm *scm, const struct ucred *cred, bool passcred, bool peek,
                 const struct msghdr_k *m, int flags, int *oflags) {
    if (!scm && !passcred)
        return 0;
    struct control c = { m->control, m->control ? m->controllen : 0, oflags };
    long err = 0;
    bool took = bkl_take();
    if (!m->control && (passcred || (scm && scm->nfiles)))
        *oflags |= MSG_CTRUNC;
    if (m->control && passcred) {
        bool given;
        struct ucred sent = scm_cred(scm, &given);
        err = put_cmsg(&c, SCM_CREDENTIALS, given ? &sent : cred, sizeof sent);
    }
    if (!err && m->control && scm && scm->nfiles)
        err = put_files(&c, scm, peek, flags & MSG_CMSG_CLOEXEC);
    if (!peek && scm)
        for (int i = 0; i < scm->nfiles; i++)
            if (scm->files[i]) {
                let_go(scm->files[i]);       // those that did not fit
                scm->files[i] = NULL;
            }
    scm_put(scm);                            // the caller's reference
    if (took)
        bkl_unlock();
    return err ? err : (long)(c.at - m->control);
}
