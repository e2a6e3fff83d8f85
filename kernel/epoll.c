// epoll.c: epoll_create, epoll_ctl, epoll_wait - a set of registrations kept in the kernel,
// so that a program waiting for many fds does not pass them all on every call.
//
// An epoll instance is a file whose priv is a struct eventpoll: a list of registrations,
// each keyed on (file, fd) as on Linux. A registration holds no reference on its file: it
// dies when the file is finally closed (file_close calls epoll_file_closed), not when one
// of several fds of the file is closed - then it stays, reported under the old fd.
//
// Readiness is asked of each file when epoll_wait scans (level-triggered: report whatever
// is ready). Edge-triggered registrations (EPOLLET) report only what happened since the
// last report: poll_notify() arms them when their file's object changes, a scan that
// reports them or finds them not ready disarms them. EPOLLONESHOT ones switch themselves
// off after one report, until EPOLL_CTL_MOD.
//
// Locking: one CPU, interrupts off. poll_notify (so epoll_event) runs in the tty's
// interrupt handler and walks every instance's list: all lists and the `armed` flags are
// changed only with interrupts off.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)
#define EPOLL_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK  (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLL_MAX_NESTS 4          // epoll in epoll in ...: Linux's limit
#define EP_MAX_EVENTS (0x7fffffff / sizeof(struct epoll_event))

struct epoll_event {               // packed on x86_64, as in Linux's uapi
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

struct epitem {
    struct epitem *next;           // in its instance's list, in the order added
    struct file *file;             // not a reference: the item dies with the file
    int fd;
    struct epoll_event ev;         // events always include POLLERR and POLLHUP
    bool armed;                    // EPOLLET: something happened since the last report
};

struct eventpoll {
    struct eventpoll *next;        // every instance, for epoll_event and epoll_file_closed
    struct epitem *items;
};

static struct eventpoll *instances;
// In all instances: 0 makes the notifications free. Changed under the BKL, atomically:
// a pipe's change made without it reads it (epoll_watching, for poll.c's poll_watched).
static int nr_items;

static const struct file_ops epoll_ops;
static bool is_epoll(struct file *f) { return f->ops == &epoll_ops; }

// The object whose poll_notify() calls tell about f (poll.h): its priv, or for a device
// without state per open (the console) its ops.
static const void *poll_source(struct file *f) { return f->priv ? f->priv : (const void *)f->ops; }

// What the item reports now (interrupts off). A disabled EPOLLONESHOT item: nothing.
static unsigned item_ready(struct epitem *it) {
    if (!(it->ev.events & ~EPOLL_PRIVATE_BITS))
        return 0;
    if ((it->ev.events & EPOLLET) && !it->armed)
        return 0;
    return file_poll(it->file) & it->ev.events;
}

static unsigned epoll_poll(struct file *f) {
    struct eventpoll *ep = f->priv;
    for (struct epitem *it = ep->items; it; it = it->next)
        if (item_ready(it))
            return POLLIN | POLLRDNORM;
    return 0;
}

void epoll_event(const void *src, unsigned events) {
    if (nr_items == 0)
        return;
    for (struct eventpoll *ep = instances; ep; ep = ep->next)
        for (struct epitem *it = ep->items; it; it = it->next) {
            bool watched = poll_source(it->file) == src;
            if (watched && (events == 0 || (events & it->ev.events)) && !it->armed) {
                it->armed = true;
                epoll_event(ep, POLLIN);     // an epoll watching this one: ep changed too
            }
        }
}

static void unlink_item(struct epitem **link) {
    struct epitem *it = *link;
    *link = it->next;
    __atomic_sub_fetch(&nr_items, 1, __ATOMIC_SEQ_CST);
    kfree(it);
}

bool epoll_watching(void) { return __atomic_load_n(&nr_items, __ATOMIC_SEQ_CST) != 0; }

void epoll_file_closed(struct file *f) {
    uint64_t flags = local_irq_save();
    for (struct eventpoll *ep = instances; ep && nr_items; ep = ep->next)
        for (struct epitem **link = &ep->items; *link;)
            if ((*link)->file == f)
                unlink_item(link);
            else
                link = &(*link)->next;
    local_irq_restore(flags);
}

static void epoll_release(struct file *f) {
    struct eventpoll *ep = f->priv;
    uint64_t flags = local_irq_save();
    while (ep->items)
        unlink_item(&ep->items);
    for (struct eventpoll **link = &instances; *link; link = &(*link)->next)
        if (*link == ep) {
            *link = ep->next;
            break;
        }
    local_irq_restore(flags);
    kfree(ep);
}


static const struct file_ops epoll_ops = {
    .poll = epoll_poll, .release = epoll_release, .stat = anon_inode_stat, .anon_name = "[eventpoll]",
};

// ---------------------------------------------------------------- epoll_create

static long do_epoll_create(int flags) {
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    struct eventpoll *ep = kzalloc(sizeof *ep);
    struct file *f = ep ? file_alloc(&epoll_ops, NULL, O_RDWR) : NULL;
    if (!f) {
        kfree(ep);
        return -ENOMEM;
    }
    f->priv = ep;
    uint64_t irq = local_irq_save();
    ep->next = instances;
    instances = ep;
    local_irq_restore(irq);
    int fd = fd_install(current(), f, flags & O_CLOEXEC);
    if (fd < 0)
        file_close(f);
    return fd < 0 ? -EMFILE : fd;
}

SYSCALL(epoll_create) {
    int size = (int)a0;
    return size <= 0 ? -EINVAL : do_epoll_create(0);
}
SYSCALL(epoll_create1) {
    int flags = (int)a0;
    return do_epoll_create(flags);
}

// ---------------------------------------------------------------- epoll_ctl

static struct epitem **tail(struct eventpoll *ep) {
    struct epitem **link = &ep->items;
    while (*link)
        link = &(*link)->next;
    return link;
}

static struct epitem **find_item(struct eventpoll *ep, struct file *f, int fd) {
    struct epitem **link = &ep->items;
    while (*link && ((*link)->file != f || (*link)->fd != fd))
        link = &(*link)->next;
    return link;
}

// How deep the epoll instances reachable from ep nest (1: ep watches no epoll), or a
// number over the limit if `target` is among them (adding ep to target makes a loop).
static int nest_depth(struct eventpoll *ep, struct eventpoll *target) {
    if (ep == target)
        return EPOLL_MAX_NESTS + 2;
    int deepest = 0;
    for (struct epitem *it = ep->items; it; it = it->next)
        if (is_epoll(it->file)) {
            int d = nest_depth(it->file->priv, target);
            deepest = d > deepest ? d : deepest;
        }
    return deepest + 1;
}

// How many epoll instances watch ep, counting down the longest chain.
static int watched_depth(struct eventpoll *ep) {
    int deepest = 0;
    for (struct eventpoll *w = instances; w; w = w->next)
        for (struct epitem *it = w->items; it; it = it->next)
            if (it->file->priv == ep && is_epoll(it->file)) {
                int d = watched_depth(w) + 1;
                deepest = d > deepest ? d : deepest;
            }
    return deepest;
}

static long add_item(struct eventpoll *ep, struct file *tf, int fd, struct epoll_event *ev) {
    if (is_epoll(tf) &&
        nest_depth(tf->priv, ep) + watched_depth(ep) > EPOLL_MAX_NESTS)
        return -ELOOP;
    struct epitem *it = kzalloc(sizeof *it);
    if (!it)
        return -ENOMEM;
    it->file = tf;
    it->fd = fd;
    it->ev = *ev;
    it->armed = true;              // whatever is ready now counts as having just happened
    *tail(ep) = it;
    __atomic_add_fetch(&nr_items, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static long check_ctl(int op, struct file *epf, struct file *tf, uint32_t events) {
    if (!tf->ops->poll)
        return -EPERM;             // regular files, /dev/null: always ready, nothing to wait for
    if (epf == tf || !is_epoll(epf))
        return -EINVAL;
    if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE) &&
        (op == EPOLL_CTL_MOD || is_epoll(tf) || (events & ~EPOLLEXCLUSIVE_OK)))
        return -EINVAL;
    return 0;
}

static long ctl(struct eventpoll *ep, int op, struct file *tf, int fd, struct epoll_event *ev) {
    struct epitem **link = find_item(ep, tf, fd), *it = *link;
    switch (op) {
    case EPOLL_CTL_ADD:
        return it ? -EEXIST : add_item(ep, tf, fd, ev);
    case EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        unlink_item(link);
        return 0;
    case EPOLL_CTL_MOD:
        if (!it)
            return -ENOENT;
        if (it->ev.events & EPOLLEXCLUSIVE)
            return -EINVAL;
        it->ev = *ev;
        it->armed = true;          // re-armed: Linux polls the file again
        return 0;
    default:
        return -EINVAL;
    }
}

// epoll_ctl(epfd, op, fd, event): the event is not read for EPOLL_CTL_DEL.
SYSCALL(epoll_ctl) {
    int epfd = (int)a0;
    int op = (int)a1, fd = (int)a2;
    uint64_t event = a3;
    struct epoll_event ev = { 0, 0 };
    if (op != EPOLL_CTL_DEL && copy_from_user(&ev, (const void *)event, sizeof ev))
        return -EFAULT;
    struct file *epf = fd_get(epfd), *tf = fd_get(fd);
    if (!epf || !tf)
        return -EBADF;
    ev.events |= POLLERR | POLLHUP;
    long err = check_ctl(op, epf, tf, ev.events);
    if (err)
        return err;
    uint64_t flags = local_irq_save();
    err = ctl(epf->priv, op, tf, fd, &ev);
    local_irq_restore(flags);
    if (err == 0)
        poll_notify(epf->priv, POLLIN);    // whoever waits on this instance: rescan
    return err;
}

// ---------------------------------------------------------------- epoll_wait

struct epscan {
    struct eventpoll *ep;
    struct epoll_event *out;
    int max;
};

// Moves the item to the end of the list, so that the next scan starts with the others
// (Linux's ready list works so: with maxevents < ready, nobody starves).
static void to_tail(struct eventpoll *ep, struct epitem *it) {
    struct epitem **link = &ep->items;
    while (*link != it)
        link = &(*link)->next;
    *link = it->next;
    it->next = NULL;
    *tail(ep) = it;
}

// Interrupts off (poll_wait). Fills s->out with up to s->max events.
static long scan_epoll(void *arg) {
    struct epscan *s = arg;
    struct epitem *reported[64];   // rotated to the end: the first 64 are plenty
    int n = 0;
    for (struct epitem *it = s->ep->items; it && n < s->max; it = it->next) {
        unsigned ready = item_ready(it);
        it->armed = false;         // an edge reported, or nothing to report: used up
        if (!ready)
            continue;
        s->out[n].events = ready;
        s->out[n].data = it->ev.data;
        if (it->ev.events & EPOLLONESHOT)
            it->ev.events &= EPOLL_PRIVATE_BITS;   // off until EPOLL_CTL_MOD
        if (n < 64)
            reported[n] = it;
        n++;
    }
    for (int i = 0; i < n && i < 64; i++)
        to_tail(s->ep, reported[i]);
    return n;
}

// The checks in Linux 6.18's order: the fd, maxevents, the buffer's range, the fd's kind.
static long do_epoll_wait(int epfd, uint64_t uevents, int max, uint64_t deadline) {
    struct file *f = fd_get(epfd);
    if (!f)
        return -EBADF;
    if (max <= 0 || (uint64_t)max > EP_MAX_EVENTS)
        return -EINVAL;
    uint64_t bytes = (uint64_t)max * sizeof(struct epoll_event);
    if (uevents >= USER_TOP || bytes > USER_TOP - uevents)    // Linux's access_ok
        return -EFAULT;
    if (!is_epoll(f))
        return -EINVAL;
    struct epscan s = { f->priv, NULL, max < 1024 ? max : 1024 };
    if (!(s.out = kmalloc((size_t)s.max * sizeof(struct epoll_event))))
        return -ENOMEM;
    file_dup(f);                   // the instance stays while we sleep, even if closed
    long n = poll_wait(scan_epoll, &s, deadline);
    if (n == -ERESTARTNOHAND)
        n = -EINTR;                // epoll_wait is never restarted, as on Linux
    if (n > 0 && copy_to_user((void *)uevents, s.out, (size_t)n * sizeof(struct epoll_event)))
        n = -EFAULT;
    file_close(f);
    kfree(s.out);
    return n;
}

// epoll_wait(epfd, events, maxevents, timeout in ms: negative waits forever)
SYSCALL(epoll_wait) {
    int epfd = (int)a0;
    uint64_t events = a1;
    int maxevents = (int)a2, timeout = (int)a3;
    return do_epoll_wait(epfd, events, maxevents, deadline_after_ms(timeout));
}

// epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize)
static long with_mask(int epfd, uint64_t uevents, int max, uint64_t deadline, uint64_t umask,
                      uint64_t size) {
    uint64_t mask, old = current()->sig_blocked;
    if (umask) {
        if (size != sizeof mask)
            return -EINVAL;
        if (copy_from_user(&mask, (const void *)umask, sizeof mask))
            return -EFAULT;
        signal_set_temp_mask(mask);
    }
    long n = do_epoll_wait(epfd, uevents, max, deadline);
    if (umask && n != -EINTR)
        signal_set_temp_mask(old);  // not interrupted: the old mask is back at once
    return n;
}

SYSCALL(epoll_pwait) {
    int epfd = (int)a0;
    uint64_t events = a1;
    int maxevents = (int)a2, timeout = (int)a3;
    uint64_t sigmask = a4, sigsetsize = a5;
    return with_mask(epfd, events, maxevents, deadline_after_ms(timeout), sigmask, sigsetsize);
}

// epoll_pwait2: the timeout is a struct timespec (NULL: forever).
SYSCALL(epoll_pwait2) {
    int epfd = (int)a0;
    uint64_t events = a1;
    int maxevents = (int)a2;
    uint64_t timeout = a3, sigmask = a4, sigsetsize = a5;
    uint64_t deadline;
    long err = deadline_from_timespec(timeout, &deadline);
    return err ? err : with_mask(epfd, events, maxevents, deadline, sigmask, sigsetsize);
}
