// signal.c: signals - the kernel's way of interrupting a sequential program.
//
// A signal is only a bit in the target's pending set until the target is about to return
// to user mode (at the end of every syscall and of every interrupt or fault taken in user
// mode, return_to_user_unlocked in trap.c looks for one, and return_to_user, under the
// BKL, calls signal_deliver_one). There the kernel either
// carries out the default action (terminate, stop, or ignore), or builds a frame on the
// user stack, exactly as Linux does, so that the program "calls" its handler; the
// handler's return goes through the restorer into rt_sigreturn, which puts the
// interrupted state back.
//
// The frame, from the user's stack pointer downwards (Linux's x86_64 rt_sigframe):
//   [red zone, 128 bytes][x87/SSE state, 512 bytes, 64-aligned]
//   [siginfo, 128][ucontext: flags, link, stack, sigcontext (the registers), sigmask]
//   [return address = sa_restorer]  <- rsp at the handler's first instruction (8 mod 16)
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "gdt.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "proc.h"
#include "rseq.h"
#include "sched.h"
#include "smp.h"
#include "string.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "time.h"
#include "uaccess.h"
#include "x86.h"

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

struct sigcontext_k {          // Linux's struct sigcontext (asm/sigcontext.h)
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    uint64_t rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
};
struct ucontext_k {
    uint64_t uc_flags, uc_link;
    struct { uint64_t ss_sp; int32_t ss_flags, pad; uint64_t ss_size; } uc_stack;
    struct sigcontext_k uc_mcontext;
    uint64_t uc_sigmask;
};
struct siginfo_k {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct { int32_t pid; uint32_t uid; int32_t status; } proc;   // kill, SIGCHLD
        uint64_t addr;                                                  // faults
        uint8_t bytes[112];
    };
};
struct rt_sigframe {
    uint64_t pretcode;
    struct ucontext_k uc;
    struct siginfo_k info;
};
_Static_assert(sizeof(struct sigcontext_k) == 256, "struct sigcontext is 256 bytes");
_Static_assert(sizeof(struct ucontext_k) == 304, "struct ucontext is 304 bytes");
_Static_assert(sizeof(struct siginfo_k) == 128, "siginfo_t is 128 bytes");

#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
// The flags a program may change through sigreturn: CF PF AF ZF SF TF DF OF AC RF.
#define FIX_EFLAGS 0x50dd5ull

// Default actions: these are ignored; the stop signals stop the process (job control);
// the rest terminate it.
static bool default_ignores(int sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static bool is_stop_signal(int sig) {
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}
#define STOP_SIGNALS (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))

static bool ignored(struct proc *p, int sig) {
    uint64_t h = p->sighand->action[sig].handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignores(sig));
}

// What sending and delivering ignore: the above, and for init (PID 1, which no signal may
// kill) every signal it has no handler for - unless blocked or being waited for in
// rt_sigtimedwait (busybox init collects its signals that way), when it is kept.
static bool dropped(struct proc *p, int sig) {
    if ((p->sig_blocked | p->real_blocked) & BIT(sig))
        return false;
    return ignored(p, sig) || (p->tgid == 1 && p->sighand->action[sig].handler == SIG_DFL);
}

// Signals p could take now: its own and its process's, less those it blocks.
static uint64_t deliverable(struct proc *p) {
    return (p->sig_pending | p->signal->shared_pending) & ~p->sig_blocked;
}

// A stop that waits for p to park counts too (Linux's TIF_SIGPENDING for JOBCTL_STOP_PENDING):
// an interruptible sleep ends for it, and the call is restarted after SIGCONT.
bool signal_pending(struct proc *p) { return deliverable(p) != 0 || p->stop_pending; }

bool fatal_signal_pending(struct proc *p) { return p->sig_pending & BIT(SIGKILL); }

// Makes thread t look at its signals soon (Linux's signal_wake_up): a sleeper is woken (an
// interruptible sleep then ends; another goes back to sleep), and one running on another
// CPU - in user mode, where it would run on until its next tick - gets a reschedule IPI,
// which brings it through return_to_user_unlocked (trap.c). BKL, interrupts off.
void signal_kick(struct proc *t) { sched_kick(t); }

// No thread of p's process waits to park any more (SIGCONT, SIGKILL). Interrupts off.
static void cancel_stop(struct proc *p) {
    p->stop_pending = false;
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t))
        t->stop_pending = false;
    p->signal->group_stop_count = 0;
}

// SIGKILL, to a thread or a process, ends the whole process at once.
static void kill_group(struct proc *p) {
    struct signal_struct *sig = p->signal;
    if (!sig->group_exit) {
        sig->group_exit = true;
        sig->group_exit_status = SIGKILL;
    }
    p->sig_pending |= BIT(SIGKILL);
    signal_kick(p);
    zap_other_threads(p);
    cancel_stop(p);                      // an ending process does not stop
}

// Can thread t take a process-directed sig? Not if it blocks it, nor once it has begun
// to exit: it never looks at its signals again (Linux's wants_signal, PF_EXITING).
static bool wants_signal(struct proc *t, int sig) {
    return t->state != PROC_ZOMBIE && !t->exiting && !(t->sig_blocked & BIT(sig));
}

// Which thread of p's process should take a process-directed signal? p itself if it can
// (Linux's choice too), else any thread that can; NULL: none can, it waits in the shared
// set until one unblocks it.
static struct proc *choose_thread(struct proc *p, int sig) {
    if (wants_signal(p, sig))
        return p;
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t))
        if (wants_signal(t, sig))
            return t;
    return NULL;
}

// Tells the parent of p's process that it stopped or went on (CLD_STOPPED, CLD_CONTINUED):
// SIGCHLD unless it asked not to (SA_NOCLDSTOP), and a wakeup for its wait4.
static void notify_parent_stop(struct proc *p, int why, int sig) {
    struct proc *leader = p->group_leader, *parent = leader->parent;
    if (!parent)
        return;
    if (!(parent->sighand->action[SIGCHLD].flags & SA_NOCLDSTOP))
        signal_send(parent, SIGCHLD, why, leader->tgid, 0, sig);
    wakeup(parent->signal);
}

// ---------------------------------------------------------------- the pending queues
// Each pending instance of a signal is a struct sigqueue (proc.h), charged to a user: the
// real uid of the thread it was sent to, as Linux's ucounts. A user may have at most the
// target's RLIMIT_SIGPENDING at once. What may not fail goes over it (Linux's
// override_rlimit): a standard signal from kill() or the kernel, and a POSIX timer's (Linux
// preallocates those). The counts are a small table of the users who have any; like the
// queues, under the BKL with interrupts off.
#define SIGQ_USERS 32
static struct { uint32_t uid; unsigned count; } sigq_users[SIGQ_USERS];   // count 0: free

// uid's count; with `add`, a free entry for it if it has none (NULL if the table is full).
static unsigned *sigq_count(uint32_t uid, bool add) {
    unsigned *free = NULL;
    for (int i = 0; i < SIGQ_USERS; i++) {
        if (sigq_users[i].count && sigq_users[i].uid == uid)
            return &sigq_users[i].count;
        if (!sigq_users[i].count && !free) {
            free = &sigq_users[i].count;
            sigq_users[i].uid = uid;     // harmless until the count leaves 0
        }
    }
    return add ? free : NULL;
}

static struct sigqueue *sigqueue_alloc(struct proc *t, int sig, bool override_rlimit) {
    unsigned *count = sigq_count(t->cred.uid, true);
    if (!count || (!override_rlimit && *count >= t->signal->rlim[RLIMIT_SIGPENDING].rlim_cur))
        return NULL;
    struct sigqueue *q = kmalloc(sizeof *q);   // (kmalloc's lock is taken with irqsave)
    if (!q)
        return NULL;
    (*count)++;
    *q = (struct sigqueue){ .next = NULL, .sig = sig, .uid = t->cred.uid };
    return q;
}

static void sigqueue_free(struct sigqueue *q) {
    unsigned *count = sigq_count(q->uid, false);
    if (count)
        (*count)--;
    kfree(q);
}

// One more instance of sig in a pending set (*pending, *queue) of t or of t's process
// (Linux's __send_signal_locked). A standard signal already pending is merged into the
// pending one, whose info stays. -EAGAIN: a real-time signal that sigqueue, tgkill or
// rt_tgsigqueueinfo sent over the limit; from kill() or the kernel it is sent without its
// info instead (the bit alone), as Linux does, since those may not fail.
static long add_pending(struct proc *t, uint64_t *pending, struct sigqueue **queue, int sig,
                        const struct ksiginfo *info) {
    // A POSIX timer's is never merged: each timer has its own instance (Linux's
    // send_sigqueue, with the timer's preallocated one), even of a standard signal.
    if (sig < SIGRTMIN && (*pending & BIT(sig)) && !info->timer)
        return 0;
    struct sigqueue *q = NULL;
    if (sig != SIGKILL) {
        bool must = info->timer || (sig < SIGRTMIN && info->code >= 0);   // (not a user's SI_TIMER)
        q = sigqueue_alloc(t, sig, must);
    }
    if (q) {
        q->info = *info;
        while (*queue)                   // oldest first: to the end
            queue = &(*queue)->next;
        *queue = q;
    } else if (sig >= SIGRTMIN && info->code != SI_USER && info->code != SI_KERNEL &&
               info->code != SI_TIMER) {
        return -EAGAIN;
    }
    *pending |= BIT(sig);
    signalfd_notify();                   // a reader of a signalfd may want it (signalfd.c)
    return 0;
}

// Takes the oldest instance of pending signal sig off a set into *info (Linux's
// collect_signal); the bit stays while another instance remains. With no instance its info
// was lost, and it reads as a kill() from nobody (SI_USER, pid 0), as on Linux.
static void take_pending(uint64_t *pending, struct sigqueue **queue, int sig,
                         struct ksiginfo *info) {
    struct sigqueue **first = NULL;
    bool more = false;
    for (struct sigqueue **qp = queue; *qp && !more; qp = &(*qp)->next) {
        if ((*qp)->sig == sig) {
            more = first != NULL;
            first = first ? first : qp;
        }
    }
    if (!more)
        *pending &= ~BIT(sig);
    if (!first) {
        *info = (struct ksiginfo){ SI_USER, 0, 0, 0, false };
        return;
    }
    struct sigqueue *q = *first;
    *first = q->next;
    *info = q->info;
    sigqueue_free(q);
}

// Throws away every pending instance of the signals in `which` from one set.
static void flush_pending(uint64_t *pending, struct sigqueue **queue, uint64_t which) {
    *pending &= ~which;
    while (*queue) {
        struct sigqueue *q = *queue;
        if (which & BIT(q->sig)) {
            *queue = q->next;
            sigqueue_free(q);
        } else {
            queue = &q->next;
        }
    }
}

// A thread's slot is reaped, or a process's signal_struct freed: what is still pending
// goes (Linux's flush_sigqueue in __exit_signal). Pending signals survive execve.
void signal_flush_thread(struct proc *t) {
    uint64_t f = local_irq_save();
    flush_pending(&t->sig_pending, &t->sig_queue, ~0ull);
    local_irq_restore(f);
}

void signal_flush_process(struct signal_struct *s) {
    uint64_t f = local_irq_save();
    flush_pending(&s->shared_pending, &s->shared_queue, ~0ull);
    local_irq_restore(f);
}

static void drop_pending(struct proc *p, uint64_t which) {
    flush_pending(&p->signal->shared_pending, &p->signal->shared_queue, which);
    flush_pending(&p->sig_pending, &p->sig_queue, which);
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t))
        flush_pending(&t->sig_pending, &t->sig_queue, which);
}

// What sending does at once, before any thread takes the signal (Linux's prepare_signal):
// SIGCONT wakes a stopped process even if it is ignored or blocked, and cancels pending
// stops; a stop signal cancels a pending SIGCONT. Interrupts off.
static void prepare_signal(struct proc *p, int sig) {
    struct signal_struct *s = p->signal;
    if (sig == SIGCONT) {
        drop_pending(p, STOP_SIGNALS);
        if (s->stopped) {
            // A stop not yet complete (a thread has not parked) is, as on Linux, told as
            // if it had completed and the continue's SIGCHLD were lost: SIGCHLD says
            // CLD_STOPPED (si_status 0), wait says "continued" (WCONTINUED), not "stopped".
            bool midway = s->group_stop_count > 0;
            cancel_stop(p);
            s->stopped = false;
            s->stop_unreported = false;
            s->cont_unreported = true;
            wakeup(&s->stopped);         // its threads park on this
            notify_parent_stop(p, midway ? CLD_STOPPED : CLD_CONTINUED, midway ? 0 : SIGCONT);
        }
    } else if (is_stop_signal(sig)) {
        drop_pending(p, BIT(SIGCONT));
    }
}

// The process stops (p, the current thread, took the stop signal): every live thread parks
// on its way back to user mode until SIGCONT. The parent hears of the stop once the last of
// them has parked or exited (signal_stop_participate), as on Linux: each is made to come by now -
// woken from an interruptible sleep (the call restarts after SIGCONT), or interrupted in
// user mode on its CPU. One in an uninterruptible wait (vfork's) delays the news.
static void group_stop(struct proc *p, int sig) {
    struct signal_struct *s = p->signal;
    s->stopped = true;
    s->stop_signal = sig;
    s->stop_unreported = false;
    s->cont_unreported = false;
    p->stop_pending = true;
    s->group_stop_count = 1;
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t)) {
        if (t->state == PROC_ZOMBIE)
            continue;                    // (an exited leader: nothing left to stop)
        t->stop_pending = true;
        s->group_stop_count++;
        signal_kick(t);
    }
}

// Thread p, the current one, parks for its process's stop or exits: if the stop waited for
// it and it was the last, the parent hears of the stop now - unless the process is ending.
// Interrupts off, BKL.
void signal_stop_participate(struct proc *p) {
    struct signal_struct *s = p->signal;
    if (!p->stop_pending)
        return;
    p->stop_pending = false;
    if (--s->group_stop_count > 0 || s->group_exit || s->nr_threads == 0)
        return;
    s->stop_unreported = true;
    notify_parent_stop(p, CLD_STOPPED, s->stop_signal);
}

// A process group is orphaned when no member has a parent in another group of the same
// session: nobody is left to continue it, so terminal stop signals are not obeyed there.
bool pgrp_orphaned(int pgid) {
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state == PROC_UNUSED || p->state == PROC_DEAD || p->state == PROC_ZOMBIE ||
            p->pgid != pgid || !p->parent || p->parent->tgid == 1)
            continue;
        if (p->parent->pgid != pgid && p->parent->sid == p->sid)
            return false;
    }
    return true;
}

// May be called from interrupt handlers (the tty's Ctrl-C): interrupts off inside.
static long send_process(struct proc *p, int sig, const struct ksiginfo *info) {
    if (sig < 1 || sig > NSIG_MAX || p->state == PROC_UNUSED || p->state == PROC_DEAD ||
        p->signal->nr_threads == 0)
        return 0;                        // (a zombie process drops every signal)
    long err = 0;
    uint64_t f = local_irq_save();
    prepare_signal(p, sig);
    if (sig == SIGKILL) {
        kill_group(p);
    } else if (!dropped(p, sig)) {
        // (An ignored signal is dropped at once, unless blocked: it might be unignored first.)
        struct signal_struct *shared = p->signal;
        err = add_pending(p, &shared->shared_pending, &shared->shared_queue, sig, info);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);   // then the masks (rt_sigprocmask)
        struct proc *t = err ? NULL : choose_thread(p, sig);
        if (t)
            signal_kick(t);                 // interrupt its sleep, or its user code elsewhere
    }
    local_irq_restore(f);
    return err;
}

long signal_send(struct proc *p, int sig, int code, int from, uint64_t addr, int status) {
    return send_process(p, sig, &(struct ksiginfo){ code, from, status, addr, false });
}

static long send_thread(struct proc *t, int sig, const struct ksiginfo *info) {
    if (sig < 1 || sig > NSIG_MAX || t->state == PROC_UNUSED || t->state == PROC_DEAD ||
        t->state == PROC_ZOMBIE)
        return 0;
    long err = 0;
    uint64_t f = local_irq_save();
    prepare_signal(t, sig);
    if (sig == SIGKILL) {
        kill_group(t);
    } else if (!dropped(t, sig)) {
        err = add_pending(t, &t->sig_pending, &t->sig_queue, sig, info);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);   // then the mask (rt_sigprocmask)
        if (!err && !(t->sig_blocked & BIT(sig)))
            signal_kick(t);
    }
    local_irq_restore(f);
    return err;
}

long signal_send_thread(struct proc *t, int sig, int code, int from, uint64_t value) {
    return send_thread(t, sig, &(struct ksiginfo){ code, from, 0, value, false });
}

// Timer id's own instance of sig if it is still queued where signal_send_timer put it (the
// process's set, or thread p's), else NULL. Another instance of sig - another timer's, or
// sigqueue's - is not its. Its info's status is the timer's seq when it was sent.
// Interrupts off.
struct ksiginfo *signal_timer_queued(struct proc *p, int sig, int id, bool to_thread) {
    struct sigqueue *q = to_thread ? p->sig_queue : p->signal->shared_queue;
    for (; q; q = q->next)
        if (q->sig == sig && q->info.timer && q->info.pid == id)
            return &q->info;
    return NULL;
}

void signal_send_timer(struct proc *p, int sig, int id, uint64_t value, bool to_thread,
                       unsigned seq) {
    struct ksiginfo info = { SI_TIMER, id, (int)seq, value, true };
    if (to_thread)
        send_thread(p, sig, &info);
    else
        send_process(p, sig, &info);
}

void signal_force(struct proc *p, int sig, int code, uint64_t addr) {
    uint64_t f = local_irq_save();
    // Linux's force_sig_info_to_task: a fault signal that is blocked (a SIGSEGV inside its
    // own handler) or ignored gets its default action back, or the fault would repeat forever.
    if ((p->sig_blocked & BIT(sig)) || p->sighand->action[sig].handler == SIG_IGN)
        p->sighand->action[sig].handler = SIG_DFL;
    p->sig_blocked &= ~BIT(sig);
    struct ksiginfo info = { code, 0, 0, addr, false };
    (void)add_pending(p, &p->sig_pending, &p->sig_queue, sig, &info);   // (never fails: code > 0)
    p->sig_forced |= BIT(sig);           // not even init may ignore it (Linux's force_sig)
    local_irq_restore(f);
}

// A POSIX timer's signals still pending go with its timers at exec (Linux's
// flush_itimer_signals): their instances, and their bits unless another instance of the
// same signal, not a timer's, stays. Interrupts off.
static void flush_timer_signals(uint64_t *pending, struct sigqueue **queue) {
    uint64_t timers = 0, kept = 0;
    while (*queue) {
        struct sigqueue *q = *queue;
        if (q->info.timer) {
            timers |= BIT(q->sig);
            *queue = q->next;
            sigqueue_free(q);
        } else {
            kept |= BIT(q->sig);
            queue = &q->next;
        }
    }
    *pending &= ~(timers & ~kept);
}

void signal_exec(struct proc *p) {
    // The timers first, then what they sent, then the handlers: a timer that fired in
    // between would otherwise find its signal's default action in the new program.
    ptimers_delete_all(p->signal);       // (itimers stay: POSIX)
    uint64_t f = local_irq_save();
    flush_timer_signals(&p->sig_pending, &p->sig_queue);
    flush_timer_signals(&p->signal->shared_pending, &p->signal->shared_queue);
    local_irq_restore(f);
    for (int sig = 1; sig <= NSIG_MAX; sig++) {
        struct k_sigaction *ka = &p->sighand->action[sig];
        if (ka->handler != SIG_IGN)
            memset(ka, 0, sizeof *ka);
    }
    p->sas_sp = p->sas_size = 0;         // exec: no alternate stack
    p->sas_flags = 0;
}

static void set_blocked(struct proc *p, uint64_t mask);

void signal_set_temp_mask(uint64_t mask) {
    struct proc *p = current();
    if (!p->restore_sigmask) {
        p->saved_sigmask = p->sig_blocked;
        p->restore_sigmask = true;
    }
    set_blocked(p, mask);
}

// Takes the lowest-numbered deliverable signal in `among` off p's pending sets - its own
// first (faults, tgkill), then the process's - and fills *info: one instance of it (a
// real-time signal sent three times is taken three times). 0 if there is none.
// Interrupts off.
// A POSIX timer's signal from before its timer was deleted or set again is stale: it is
// thrown away here and the next one looked for (Linux's posixtimer_deliver_signal).
static int dequeue_signal(struct proc *p, uint64_t among, struct ksiginfo *info) {
    for (;;) {
        uint64_t mine = p->sig_pending & among, shared = p->signal->shared_pending & among;
        int sig = 0;
        if (mine) {
            sig = __builtin_ctzll(mine) + 1;
            take_pending(&p->sig_pending, &p->sig_queue, sig, info);
        } else if (shared) {
            sig = __builtin_ctzll(shared) + 1;
            take_pending(&p->signal->shared_pending, &p->signal->shared_queue, sig, info);
        }
        if (!sig || !info->timer)
            return sig;
        // status: the timer's seq when queued; now the overruns until now (ptimer.c)
        unsigned seq = (unsigned)info->status;
        int overruns = ptimer_overruns_at_delivery(p->signal, info->pid, seq);
        if (overruns >= 0) {
            info->status = overruns;
            return sig;
        }
    }
}

int signal_dequeue(struct proc *p, uint64_t among, struct ksiginfo *info) {
    return dequeue_signal(p, among, info);
}

bool signal_pending_in(struct proc *p, uint64_t set) {
    return ((p->sig_pending | p->signal->shared_pending) & set) != 0;
}

static void fill_sigcontext(struct sigcontext_k *sc, const struct trapframe *tf) {
    *sc = (struct sigcontext_k){
        .r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11, .r12 = tf->r12,
        .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15, .rdi = tf->rdi, .rsi = tf->rsi,
        .rbp = tf->rbp, .rbx = tf->rbx, .rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx,
        .rsp = tf->rsp, .rip = tf->rip, .eflags = tf->rflags, .cs = USER_CS, .ss = USER_DS,
        .err = tf->vector < 32 ? tf->error_code : 0, .trapno = tf->vector < 32 ? tf->vector : 0,
    };
}

static void fill_siginfo(struct siginfo_k *si, int sig, const struct ksiginfo *ki) {
    memset(si, 0, sizeof *si);
    si->si_signo = sig;
    si->si_code = ki->code;
    if (ki->code == SI_TIMER) {              // POSIX timers: si_tid, si_overrun, si_value
        si->proc.pid = ki->pid;
        si->proc.uid = (uint32_t)ki->status;
        memcpy(&si->proc.status, &ki->addr, sizeof ki->addr);
    } else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
        si->addr = ki->addr;
    } else {
        si->proc.pid = ki->pid;
        if (sig == SIGCHLD)
            si->proc.status = ki->status;
        else                                 // si_value (sigqueue), where SIGCHLD's status is
            memcpy(&si->proc.status, &ki->addr, sizeof ki->addr);
    }
}

// ---------------------------------------------------------------- the alternate stack

#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

struct stack_k { uint64_t ss_sp; int32_t ss_flags, pad; uint64_t ss_size; };

// Is sp on p's alternate signal stack? (It grows down: sp == top is still on it.)
static bool on_sig_stack(struct proc *p, uint64_t sp) {
    if (p->sas_flags & SS_AUTODISARM)
        return false;
    return p->sas_size && sp > p->sas_sp && sp - p->sas_sp <= p->sas_size;
}

// The stack_t that sigaltstack and the signal frame report, seen from user sp.
static struct stack_k altstack_state(struct proc *p, uint64_t sp) {
    int flags = !p->sas_size ? SS_DISABLE : on_sig_stack(p, sp) ? SS_ONSTACK : 0;
    return (struct stack_k){ p->sas_sp, flags | (p->sas_flags & (int)SS_AUTODISARM), 0, p->sas_size };
}

// Sets the alternate stack from *ss, as seen from user sp (Linux's do_sigaltstack).
static long set_altstack(struct proc *p, const struct stack_k *ss, uint64_t sp) {
    if (on_sig_stack(p, sp))
        return -EPERM;                   // not while running on it
    int mode = ss->ss_flags & ~(int)SS_AUTODISARM;
    if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        p->sas_sp = p->sas_size = 0;
    } else {
        if (ss->ss_size < MINSIGSTKSZ)
            return -ENOMEM;
        p->sas_sp = ss->ss_sp;
        p->sas_size = ss->ss_size;
    }
    p->sas_flags = ss->ss_flags & (int)SS_AUTODISARM;
    return 0;
}

// Builds the frame and points the user's registers at the handler. false: the user's
// stack is unusable (the caller then kills the process with SIGSEGV, as Linux does).
static bool setup_frame(struct proc *p, struct trapframe *tf, int sig, struct k_sigaction *ka,
                        const struct ksiginfo *ki) {
    static uint8_t fpu[512] __attribute__((aligned(16)));   // one CPU: one at a time
    uint64_t sp = tf->rsp - 128;                               // skip the red zone
    struct stack_k uc_stack = altstack_state(p, tf->rsp);
    if ((ka->flags & SA_ONSTACK) && p->sas_size && !on_sig_stack(p, tf->rsp))
        sp = p->sas_sp + p->sas_size;                          // the alternate stack's top
    uint64_t fpstate = (sp - sizeof fpu) & ~63ull;
    uint64_t frame = ((fpstate - sizeof(struct rt_sigframe)) & ~15ull) - 8;
    uint64_t old_mask = p->restore_sigmask ? p->saved_sigmask : p->sig_blocked;
    struct rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = ka->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    fill_sigcontext(&f.uc.uc_mcontext, tf);
    f.uc.uc_mcontext.fpstate = fpstate;
    f.uc.uc_mcontext.oldmask = old_mask;
    f.uc.uc_mcontext.cr2 = ki->addr;
    f.uc.uc_sigmask = old_mask;
    memcpy(&f.uc.uc_stack, &uc_stack, sizeof uc_stack);
    fill_siginfo(&f.info, sig, ki);
    fpu_save(fpu);
    if (copy_to_user((void *)fpstate, fpu, sizeof fpu) || copy_to_user((void *)frame, &f, sizeof f))
        return false;
    fpu_reset(fpu);                      // the handler starts with a clean FPU, as on Linux
    fpu_restore(fpu);
    if (p->sas_flags & SS_AUTODISARM) {  // the handler may set up another one
        p->sas_sp = p->sas_size = 0;
        p->sas_flags = 0;                // reported as plain SS_DISABLE, as Linux's sas_ss_reset
    }
    tf->rsp = frame;
    tf->rip = ka->handler;
    tf->rdi = (uint64_t)sig;
    tf->rsi = frame + offsetof(struct rt_sigframe, info);
    tf->rdx = frame + offsetof(struct rt_sigframe, uc);
    tf->rax = 0;
    tf->rflags &= ~(uint64_t)((1 << 8) | (1 << 10));            // TF and DF clear, as the ABI wants
    tf->cs = USER_CS;
    tf->ss = USER_DS;
    p->restore_sigmask = false;          // the frame keeps the mask to go back to
    set_blocked(p, p->sig_blocked | ka->mask | ((ka->flags & SA_NODEFER) ? 0 : BIT(sig)));
    if (ka->flags & SA_RESETHAND)
        ka->handler = SIG_DFL;
    return true;
}

// An interrupted system call: restart it, or make it fail with EINTR. handler: a handler
// is about to run (sa_restart: with SA_RESTART); otherwise none did.
static void restart_or_eintr(struct proc *p, struct trapframe *tf, bool handler, bool sa_restart) {
    if (tf->vector != SYSCALL_VECTOR)
        return;
    bool restart;
    if ((long)tf->rax == -ERESTARTSYS)
        restart = !handler || sa_restart;
    else if ((long)tf->rax == -ERESTARTNOHAND)
        restart = !handler;
    else if ((long)tf->rax == -ERESTARTNOINTR)
        restart = true;
    else
        return;
    if (restart) {
        tf->rax = p->syscall_nr;
        tf->rip -= 2;                    // the `syscall` instruction is two bytes long
    } else {
        tf->rax = (uint64_t)-EINTR;
    }
}

// One step of the way back to user mode (return_to_user in trap.c calls it until it says
// false): a dying process's thread exits, a stopped one waits for SIGCONT, and one pending
// signal gets its default action or its handler's frame. Interrupts off: a signal sent by
// an interrupt handler is either seen here or arrives before the next look.
bool signal_deliver_one(struct trapframe *tf) {
    struct proc *p = current();
    if (p->signal->group_exit || fatal_signal_pending(p))
        proc_exit(p->signal->group_exit ? p->signal->group_exit_status : SIGKILL);
    if (p->signal->stopped) {            // job control: wait here for SIGCONT (or SIGKILL)
        signal_stop_participate(p);
        sleep_on(&p->signal->stopped);
        return true;
    }
    struct ksiginfo info;
    int sig = dequeue_signal(p, ~p->sig_blocked, &info);
    if (!sig && p->restore_sigmask) {    // ppoll, sigsuspend...: their mask ends here,
        set_blocked(p, p->saved_sigmask);    // which may make more signals deliverable
        p->restore_sigmask = false;
        return true;
    }
    if (!sig) {
        restart_or_eintr(p, tf, false, false);   // interrupted, but no handler ran: restart
        return false;
    }
    struct k_sigaction *ka = &p->sighand->action[sig];
    bool forced = p->sig_forced & BIT(sig);
    p->sig_forced &= ~BIT(sig);
    if (!forced && dropped(p, sig))
        return true;
    TRACE(TR_SIGNAL, p->pid, sig, 0);
    if (ka->handler == SIG_DFL && is_stop_signal(sig)) {
        // Ctrl-Z and background tty access do not stop an orphaned group (SIGSTOP does).
        if (sig == SIGSTOP || !pgrp_orphaned(p->pgid))
            group_stop(p, sig);
        return true;
    }
    if (ka->handler == SIG_DFL)
        proc_group_exit(sig);            // terminated by the signal, every thread
    restart_or_eintr(p, tf, true, ka->flags & SA_RESTART);
    // The frame is built from the action as dequeued: rseq_signal may reset SIGSEGV's
    // (Linux's force_sigsegv), which must not turn this frame's handler into SIG_DFL.
    struct k_sigaction act = *ka;
    rseq_signal(tf, sig);                // out of a restartable sequence first (rseq.c)
    if (!setup_frame(p, tf, sig, &act, &info))
        proc_group_exit(SIGSEGV);
    if (act.flags & SA_RESETHAND)        // (setup_frame reset the copy)
        ka->handler = SIG_DFL;
    // Another deliverable signal gets its frame on top of this one, so its handler runs
    // first and returns into this one's - as on Linux.
    return true;
}

// ---------------------------------------------------------------- system calls

SYSCALL(rt_sigaction) {
    int sig = (int)a0;
    uint64_t act = a1, oact = a2, sigsetsize = a3;
    if (sig < 1 || sig > NSIG_MAX || sigsetsize != 8)
        return -EINVAL;
    struct proc *p = current();
    struct k_sigaction new, old = p->sighand->action[sig];
    if (act) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        if (copy_from_user(&new, (const void *)act, sizeof new))
            return -EFAULT;
    }
    if (oact && copy_to_user((void *)oact, &old, sizeof old))
        return -EFAULT;
    if (act) {
        new.mask &= ~UNBLOCKABLE;
        uint64_t f = local_irq_save();
        p->sighand->action[sig] = new;
        if (ignored(p, sig))             // POSIX: setting SIG_IGN discards pending ones,
            drop_pending(p, BIT(sig));   // every queued instance (Linux's do_sigaction)
        local_irq_restore(f);
    }
    return 0;
}

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

// A thread has just blocked signals that wait in its process's shared set, or begun to
// exit: a sender may have chosen it for them before it saw the new mask, or the exit, so a
// thread that can take them is kicked (Linux's retarget_shared_pending). BKL.
static void retarget_shared(struct proc *p, uint64_t sigs) {
    uint64_t f = local_irq_save();
    sigs &= p->signal->shared_pending;
    for (int sig = 1; sig <= NSIG_MAX; sig++) {
        struct proc *t = sigs & BIT(sig) ? choose_thread(p, sig) : NULL;
        if (t)
            signal_kick(t);
    }
    local_irq_restore(f);
}

// The current thread p's mask becomes `mask`, under the BKL (Linux's set_current_blocked):
// a handler's sa_mask as it starts, sigreturn's, a temporary mask set or put back. A
// signal it now blocks may have been meant for it (chosen while it did not): retarget.
static void set_blocked(struct proc *p, uint64_t mask) {
    uint64_t old = p->sig_blocked;
    mask &= ~UNBLOCKABLE;
    __atomic_store_n(&p->sig_blocked, mask, __ATOMIC_SEQ_CST);   // (as rt_sigprocmask's)
    if (mask & ~old & p->signal->shared_pending)
        retarget_shared(p, mask & ~old);
}

// A sender may have chosen p for a signal just before p began its exit - while p was still
// on its way into the kernel, say, waiting for the BKL - and p will not take it: so it
// goes to another thread, or a thread asleep that could take it sleeps on. Once p is
// marked, no sender chooses it, though its exit lets the BKL go later on (exit.c): the
// mark comes first, under the lock. (t_retarget: a quitter thread that exits as the
// process is sent a signal, a taker in pause().)
void signal_exit(struct proc *p) {
    p->exiting = true;
    retarget_shared(p, ~p->sig_blocked);
}

// Without the BKL (syscall.c's U entries): only the thread itself writes its own mask. Its
// senders, under the BKL, read it: a sender adds the signal, then (after a full fence)
// reads the mask; this writes the mask, then (the atomic store is a full fence on x86)
// reads what is pending - so one of the two sees the other (Dekker's pattern). Unblocked
// signals are found on the way out (return_to_user_unlocked); blocked ones that a sender
// may have meant for this thread go to another (retarget_shared).
SYSCALL(rt_sigprocmask) {
    uint64_t how = a0, uset = a1, oset = a2, sigsetsize = a3;
    if (sigsetsize != 8)
        return -EINVAL;
    struct proc *p = current();
    uint64_t old = p->sig_blocked, set, mask;
    if (uset) {
        if (copy_from_user(&set, (const void *)uset, sizeof set))
            return -EFAULT;
        switch (how) {
        case SIG_BLOCK:   mask = old | set; break;
        case SIG_UNBLOCK: mask = old & ~set; break;
        case SIG_SETMASK: mask = set; break;
        default:          return -EINVAL;
        }
        mask &= ~UNBLOCKABLE;
        __atomic_store_n(&p->sig_blocked, mask, __ATOMIC_SEQ_CST);
        if (mask & ~old & __atomic_load_n(&p->signal->shared_pending, __ATOMIC_SEQ_CST)) {
            bkl_lock();
            retarget_shared(p, mask & ~old);
            bkl_unlock();
        }
    }
    if (oset && copy_to_user((void *)oset, &old, sizeof old))
        return -EFAULT;
    return 0;
}

SYSCALL(rt_sigpending) {
    uint64_t set = a0, sigsetsize = a1;
    if (sigsetsize > 8)
        return -EINVAL;
    struct proc *p = current();
    uint64_t pending = (p->sig_pending | p->signal->shared_pending) & p->sig_blocked;
    return copy_to_user((void *)set, &pending, sigsetsize);
}

// rt_sigsuspend(mask, size): wait for a signal with `mask` blocked meanwhile; the handler
// runs with it too, and the old mask is back afterwards. -EINTR when a handler runs, as
// pause; restarted after a stop and continue.
SYSCALL(rt_sigsuspend) {
    uint64_t umask = a0, sigsetsize = a1;
    uint64_t mask;
    if (sigsetsize != 8)
        return -EINVAL;
    if (copy_from_user(&mask, (const void *)umask, sizeof mask))
        return -EFAULT;
    struct proc *p = current();
    uint64_t f = local_irq_save();
    signal_set_temp_mask(mask);
    while (!signal_pending(p))
        sleep_on(&p->sig_pending);       // signal_send wakes us
    local_irq_restore(f);
    return -ERESTARTNOHAND;
}

// rt_sigtimedwait(set, info, timeout, size): take a signal of `set` off the pending sets
// without running a handler. Waits (the set unblocked meanwhile) up to the timeout.
SYSCALL(rt_sigtimedwait) {
    uint64_t uset = a0, uinfo = a1, timeout = a2, sigsetsize = a3;
    uint64_t set, deadline = 0;
    if (sigsetsize != 8)
        return -EINVAL;
    if (copy_from_user(&set, (const void *)uset, sizeof set))
        return -EFAULT;
    set &= ~UNBLOCKABLE;
    if (timeout) {
        struct { int64_t sec, nsec; } ts;
        if (copy_from_user(&ts, (const void *)timeout, sizeof ts))
            return -EFAULT;
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
            return -EINVAL;
        uint64_t now = time_since_boot_ns(), sec = (uint64_t)ts.sec;
        deadline = sec > 1000000000ull ? UINT64_MAX / 2 : now + sec * 1000000000 + (uint64_t)ts.nsec;
        if (deadline == now)
            deadline = 1;                // {0, 0}: only a look
    }
    struct proc *p = current();
    struct ksiginfo info;
    uint64_t f = local_irq_save();
    int sig = dequeue_signal(p, set, &info);
    if (!sig && deadline != 1) {
        uint64_t blocked = p->sig_blocked;
        p->real_blocked = blocked;       // still "blocked" for dropped(): they are awaited
        p->sig_blocked &= ~set;          // the awaited signals may wake us
        while (!signal_pending(p) && (!deadline || time_since_boot_ns() < deadline)) {
            p->wake_at = deadline;
            sleep_on(&p->sig_pending);
            p->wake_at = 0;
        }
        set_blocked(p, blocked);
        p->real_blocked = 0;
        sig = dequeue_signal(p, set, &info);
        if (!sig && signal_pending(p))
            sig = -EINTR;
    }
    local_irq_restore(f);
    if (sig == -EINTR)
        return -EINTR;
    if (!sig)
        return -EAGAIN;
    if (uinfo) {
        struct siginfo_k si;
        fill_siginfo(&si, sig, &info);
        if (copy_to_user((void *)uinfo, &si, sizeof si))
            return -EFAULT;
    }
    return sig;
}

// sigaltstack(ss, old_ss): where handlers with SA_ONSTACK run.
// Without the BKL (syscall.c's U entries): the alternate stack is the calling thread's
// alone - only it reads it (delivering its own signals) and writes it (this, and the
// copy a fork or clone it makes takes).
SYSCALL(sigaltstack) {
    uint64_t uss = a0, old_ss = a1;
    struct proc *p = current();
    struct stack_k old = altstack_state(p, p->tf->rsp), ss;
    if (uss) {
        if (copy_from_user(&ss, (const void *)uss, sizeof ss))
            return -EFAULT;
        long err = set_altstack(p, &ss, p->tf->rsp);
        if (err)
            return err;
    }
    if (old_ss && copy_to_user((void *)old_ss, &old, sizeof old))
        return -EFAULT;
    return 0;
}

long signal_info_from_user(uint64_t uinfo, int *signo, int *code, uint64_t *value) {
    struct siginfo_k si;
    if (copy_from_user(&si, (const void *)uinfo, sizeof si))
        return -EFAULT;
    *signo = si.si_signo;
    *code = si.si_code;
    memcpy(value, &si.proc.status, sizeof *value);   // si_value: after si_pid and si_uid
    return 0;
}

// rt_sigqueueinfo(tgid, sig, info) and rt_tgsigqueueinfo(tgid, tid, sig, info): a signal
// with the sender's own siginfo (si_code and si_value). Only negative si_codes other than
// SI_TKILL may be claimed for someone else, as Linux checks.
static long queue_info(struct proc *target, int sig, uint64_t uinfo, bool thread) {
    int signo, code;
    uint64_t value;
    if (signal_info_from_user(uinfo, &signo, &code, &value))
        return -EFAULT;
    if ((code >= 0 || code == SI_TKILL) && target->tgid != current()->tgid)
        return -EPERM;
    if (sig == 0)
        return 0;
    if (thread)                          // -EAGAIN: over RLIMIT_SIGPENDING (a real-time signal)
        return signal_send_thread(target, sig, code, current()->tgid, value);
    return signal_send(target, sig, code, current()->tgid, value, 0);
}

SYSCALL(rt_sigqueueinfo) {
    int tgid = (int)a0;
    int sig = (int)a1;
    uint64_t info = a2;
    if (sig < 0 || sig > NSIG_MAX)
        return -EINVAL;
    struct proc *p = proc_find_process(tgid);   // (any of its threads' ids, as kill's)
    if (!p)
        return -ESRCH;
    return queue_info(p, sig, info, false);
}

SYSCALL(rt_tgsigqueueinfo) {
    int tgid = (int)a0, tid = (int)a1;
    int sig = (int)a2;
    uint64_t info = a3;
    if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG_MAX)
        return -EINVAL;
    struct proc *t = proc_find(tid);
    if (!t || t->tgid != tgid || t->state == PROC_ZOMBIE)
        return -ESRCH;
    return queue_info(t, sig, info, true);
}

// The handler returned into the restorer, which called us: put everything back.
SYSCALL(rt_sigreturn) {
    static uint8_t fpu[512] __attribute__((aligned(16)));
    struct proc *p = current();
    struct trapframe *tf = p->tf;
    struct ucontext_k uc;
    uint64_t frame = tf->rsp - 8;        // `ret` popped pretcode
    if (copy_from_user(&uc, (const void *)(frame + offsetof(struct rt_sigframe, uc)), sizeof uc))
        goto bad;
    struct sigcontext_k *sc = &uc.uc_mcontext;
    if (sc->fpstate) {
        if (copy_from_user(fpu, (const void *)sc->fpstate, sizeof fpu))
            goto bad;
        uint32_t *mxcsr = (uint32_t *)(fpu + 24);
        *mxcsr &= 0xffff;                // reserved MXCSR bits would make fxrstor fault
        fpu_restore(fpu);
    }
    tf->r8 = sc->r8; tf->r9 = sc->r9; tf->r10 = sc->r10; tf->r11 = sc->r11;
    tf->r12 = sc->r12; tf->r13 = sc->r13; tf->r14 = sc->r14; tf->r15 = sc->r15;
    tf->rdi = sc->rdi; tf->rsi = sc->rsi; tf->rbp = sc->rbp; tf->rbx = sc->rbx;
    tf->rdx = sc->rdx; tf->rax = sc->rax; tf->rcx = sc->rcx; tf->rsp = sc->rsp;
    tf->rip = sc->rip;
    tf->rflags = (tf->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
    tf->cs = USER_CS;
    tf->ss = USER_DS;
    tf->vector = 0;                      // no longer "in a syscall": nothing to restart
    set_blocked(p, uc.uc_sigmask);
    struct stack_k ss;                   // the alternate stack as it was (SS_AUTODISARM)
    memcpy(&ss, &uc.uc_stack, sizeof ss);
    (void)set_altstack(p, &ss, tf->rsp);   // errors ignored, as Linux's restore_altstack
    return (long)tf->rax;                // syscall_dispatch stores this back in rax
bad:
    signal_force(p, SIGSEGV, SI_KERNEL, 0);
    return (long)tf->rax;
}
