// signal.c: signals - the kernel's way of interrupting a sequential program.
//
// A signal is only a bit in the target's pending set until the target is about to return
// to user mode (return_to_user, at the end of every syscall and of every interrupt or fault
// taken in user mode). There the kernel either carries out the default action (terminate,
// or ignore), or builds a frame on the user stack, exactly as Linux does, so that the
// program "calls" its handler; the handler's return goes through the restorer into
// rt_sigreturn, which puts the interrupted state back.
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
#include "ksignal.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "uaccess.h"

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

// Default actions: these are ignored; SIGSTOP and friends too, until there is job control.
static bool default_ignores(int sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
           sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool ignored(struct proc *p, int sig) {
    uint64_t h = p->sigaction[sig].handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignores(sig));
}

bool signal_pending(struct proc *p) {
    return (p->sig_pending & ~p->sig_blocked) != 0;
}

void signal_send(struct proc *p, int sig, int code, int from, uint64_t addr, int status) {
    if (sig < 1 || sig > NSIG_MAX)
        return;
    // An ignored signal is dropped at once, unless blocked (it might be unignored first).
    if (ignored(p, sig) && !(p->sig_blocked & BIT(sig)) && sig != SIGKILL)
        return;
    p->sig_pending |= BIT(sig);
    p->sig_info[sig] = (struct ksiginfo){ code, from, status, addr };
    if (sig == SIGKILL || !(p->sig_blocked & BIT(sig)))
        sched_make_runnable(p);         // interrupt its sleep
}

void signal_force(struct proc *p, int sig, int code, uint64_t addr) {
    p->sig_blocked &= ~BIT(sig);
    if (p->sigaction[sig].handler == SIG_IGN)
        p->sigaction[sig].handler = SIG_DFL;
    p->sig_pending |= BIT(sig);
    p->sig_info[sig] = (struct ksiginfo){ code, 0, 0, addr };
}

void signal_exec(struct proc *p) {
    for (int sig = 1; sig <= NSIG_MAX; sig++) {
        struct k_sigaction *ka = &p->sigaction[sig];
        if (ka->handler != SIG_IGN)
            memset(ka, 0, sizeof *ka);
    }
}

static int next_signal(struct proc *p) {
    uint64_t ready = p->sig_pending & ~p->sig_blocked;
    return ready ? __builtin_ctzll(ready) + 1 : 0;
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

// Builds the frame and points the user's registers at the handler. false: the user's
// stack is unusable (the caller then kills the process with SIGSEGV, as Linux does).
static bool setup_frame(struct proc *p, struct trapframe *tf, int sig, struct k_sigaction *ka) {
    static uint8_t fpu[512] __attribute__((aligned(16)));   // one CPU: one at a time
    uint64_t sp = tf->rsp - 128;                               // skip the red zone
    uint64_t fpstate = (sp - sizeof fpu) & ~63ull;
    uint64_t frame = ((fpstate - sizeof(struct rt_sigframe)) & ~15ull) - 8;
    struct rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = ka->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    fill_sigcontext(&f.uc.uc_mcontext, tf);
    f.uc.uc_mcontext.fpstate = fpstate;
    f.uc.uc_mcontext.oldmask = p->sig_blocked;
    f.uc.uc_mcontext.cr2 = p->sig_info[sig].addr;
    f.uc.uc_sigmask = p->sig_blocked;
    struct ksiginfo *ki = &p->sig_info[sig];
    f.info.si_signo = sig;
    f.info.si_code = ki->code;
    if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP)
        f.info.addr = ki->addr;
    else
        f.info.proc.pid = ki->pid, f.info.proc.status = ki->status;
    f.uc.uc_stack.ss_flags = 2;          // SS_DISABLE: there is no alternate signal stack
    fpu_save(fpu);
    if (copy_to_user((void *)fpstate, fpu, sizeof fpu) || copy_to_user((void *)frame, &f, sizeof f))
        return false;
    fpu_reset(fpu);                      // the handler starts with a clean FPU, as on Linux
    fpu_restore(fpu);
    tf->rsp = frame;
    tf->rip = ka->handler;
    tf->rdi = (uint64_t)sig;
    tf->rsi = frame + offsetof(struct rt_sigframe, info);
    tf->rdx = frame + offsetof(struct rt_sigframe, uc);
    tf->rax = 0;
    tf->rflags &= ~(uint64_t)((1 << 8) | (1 << 10));            // TF and DF clear, as the ABI wants
    tf->cs = USER_CS;
    tf->ss = USER_DS;
    p->sig_blocked |= ka->mask | ((ka->flags & SA_NODEFER) ? 0 : BIT(sig));
    p->sig_blocked &= ~UNBLOCKABLE;
    if (ka->flags & SA_RESETHAND)
        ka->handler = SIG_DFL;
    return true;
}

// An interrupted system call: restart it, or make it fail with EINTR.
static void restart_or_eintr(struct proc *p, struct trapframe *tf, bool restart) {
    if (tf->vector != SYSCALL_VECTOR || (long)tf->rax != -ERESTARTSYS)
        return;
    if (restart) {
        tf->rax = p->syscall_nr;
        tf->rip -= 2;                    // the `syscall` instruction is two bytes long
    } else {
        tf->rax = (uint64_t)-EINTR;
    }
}

void return_to_user(struct trapframe *tf) {
    struct proc *p = current();
    for (;;) {
        if (sched_need_resched())
            yield();
        int sig = next_signal(p);
        if (!sig)
            break;
        p->sig_pending &= ~BIT(sig);
        struct k_sigaction *ka = &p->sigaction[sig];
        if (ignored(p, sig))
            continue;
        TRACE(TR_SIGNAL, p->pid, sig, 0);
        if (ka->handler == SIG_DFL)
            proc_exit(sig);              // terminated by the signal
        restart_or_eintr(p, tf, ka->flags & SA_RESTART);
        if (!setup_frame(p, tf, sig, ka))
            proc_exit(SIGSEGV);
        // Go on: another deliverable signal gets its frame on top of this one, so its
        // handler runs first and returns into this one's - as on Linux.
    }
    restart_or_eintr(p, tf, true);       // interrupted, but no handler ran: just restart
}

// ---------------------------------------------------------------- system calls

SYSCALL(rt_sigaction) {
    int sig = (int)a0;
    if (sig < 1 || sig > NSIG_MAX || a3 != 8)
        return -EINVAL;
    struct proc *p = current();
    struct k_sigaction new, old = p->sigaction[sig];
    if (a1) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        if (copy_from_user(&new, (const void *)a1, sizeof new))
            return -EFAULT;
    }
    if (a2 && copy_to_user((void *)a2, &old, sizeof old))
        return -EFAULT;
    if (a1) {
        new.mask &= ~UNBLOCKABLE;
        p->sigaction[sig] = new;
        if (ignored(p, sig))
            p->sig_pending &= ~BIT(sig);   // POSIX: setting SIG_IGN discards pending ones
    }
    return 0;
}

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

SYSCALL(rt_sigprocmask) {
    if (a3 != 8)
        return -EINVAL;
    struct proc *p = current();
    uint64_t old = p->sig_blocked, set;
    if (a1) {
        if (copy_from_user(&set, (const void *)a1, sizeof set))
            return -EFAULT;
        switch (a0) {
        case SIG_BLOCK:   p->sig_blocked |= set; break;
        case SIG_UNBLOCK: p->sig_blocked &= ~set; break;
        case SIG_SETMASK: p->sig_blocked = set; break;
        default:          return -EINVAL;
        }
        p->sig_blocked &= ~UNBLOCKABLE;
    }
    if (a2 && copy_to_user((void *)a2, &old, sizeof old))
        return -EFAULT;
    return 0;
}

SYSCALL(rt_sigpending) {
    if (a1 != 8)
        return -EINVAL;
    struct proc *p = current();
    uint64_t pending = p->sig_pending & p->sig_blocked;   // blocked ones are what waits
    return copy_to_user((void *)a0, &pending, sizeof pending);
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
    p->sig_blocked = uc.uc_sigmask & ~UNBLOCKABLE;
    return (long)tf->rax;                // syscall_dispatch stores this back in rax
bad:
    signal_force(p, SIGSEGV, SI_KERNEL, 0);
    return (long)tf->rax;
}
