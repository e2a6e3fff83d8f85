// usertrap.c: exceptions raised by user code.
//
// A page fault may just be the first touch of memory the process owns (mm_fault makes the
// page present, and the instruction is restarted). Anything else is the program's own
// error: Linux logs one line about it, and sends the signal the CPU exception maps to.
// The signal is forced (signal_force): a handler may catch it; if none does, it ends the
// process - and when that process is PID 1, the kernel panics ("Attempted to kill init!").
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "mm.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "trace.h"
#include "ksignal.h"
#include "trap.h"
#include "vm.h"
#include "x86.h"

// Linux's print_vma_addr(): " in name[start+size]" for the mapping the address is in.
static void print_where(struct proc *p, uint64_t ip) {
    struct vma *v = mm_find(p->mm, ip);
    if (v)
        pr_cont(" in %s[%llx+%llx]", p->comm, (unsigned long long)v->start,
                (unsigned long long)(v->end - v->start));
    pr_cont("\n");
}

static void log_segfault(struct proc *p, struct trapframe *tf, uint64_t addr) {
    pr_info("%s[%d]: segfault at %llx ip %016llx sp %016llx error %llx", p->comm, p->pid,
            (unsigned long long)addr, (unsigned long long)tf->rip, (unsigned long long)tf->rsp,
            (unsigned long long)tf->error_code);
    struct vma *v = mm_find(p->mm, tf->rip);
    if (v)
        pr_cont(" in %s[%llx+%llx]", p->comm, (unsigned long long)v->start,
                (unsigned long long)(v->end - v->start));
    pr_cont(" likely on CPU 0 (core 0, socket 0)\n");   // Linux 6.1 says where it ran
}

static void log_trap(struct proc *p, struct trapframe *tf, const char *what) {
    pr_info("traps: %s[%d] %s ip:%llx sp:%llx error:%llx", p->comm, p->pid, what,
            (unsigned long long)tf->rip, (unsigned long long)tf->rsp,
            (unsigned long long)tf->error_code);
    print_where(p, tf->rip);
}

// Which signal each exception sends, its si_code, and how Linux logs it ("trap <name>"),
// if it does.
static int trap_signal(struct trapframe *tf, int *code, const char **what, uint64_t *addr) {
    *what = NULL;
    *code = SI_KERNEL;
    *addr = tf->rip;                     // si_addr: the instruction, unless said otherwise
    switch (tf->vector) {
    case T_DIVIDE:         *what = "trap divide error"; *code = FPE_INTDIV; return SIGFPE;
    case T_INVALID_OPCODE: *what = "trap invalid opcode"; *code = ILL_ILLOPN; return SIGILL;
    case T_GPF:            *what = "general protection fault"; *addr = 0; return SIGSEGV;
    case T_STACK:          *what = "trap stack segment"; return SIGBUS;
    case T_SEGMENT_NP:     *what = "trap segment not present"; return SIGBUS;
    case T_ALIGNMENT:      *what = "trap alignment check"; *code = BUS_ADRERR; return SIGBUS;
    case T_OVERFLOW:       *what = "trap overflow"; return SIGSEGV;
    case T_BOUND:          *what = "trap bounds"; return SIGSEGV;
    case T_BREAKPOINT:     *addr = 0; return SIGTRAP;       // SI_KERNEL, as Linux's int3
    case T_DEBUG:          *code = TRAP_BRKPT; return SIGTRAP;
    case T_X87:
    case T_SIMD:           return SIGFPE;
    default:               *what = "trap"; return SIGSEGV;
    }
}

// Linux logs an unhandled fault only when nothing catches the signal.
static bool will_be_caught(struct proc *p, int sig) {
    return p->sighand->action[sig].handler > SIG_IGN && !(p->sig_blocked & (1ull << (sig - 1)));
}

// A page fault from user mode, before the big kernel lock (trap.c): the first touch of
// private anonymous memory is made present under the mm's own lock (mm_fault_fast), and
// the process goes back to user mode without the BKL - unless it must yield or take a
// signal first, which needs the lock. False: the fault goes the ordinary way (user_trap).
bool user_fault_without_bkl(struct trapframe *tf) {
    struct proc *p = current();
    uint64_t addr = read_cr2();
    if (!mm_fault_fast(p->mm, addr, tf->error_code & PF_WRITE, tf->error_code & PF_INSTR))
        return false;
    TRACE(TR_EXCEPTION, tf->vector, p->pid, 0);
    return_to_user_unlocked(tf);
    return true;
}

// Does a mapping of mm cover addr?
static bool mapped_at(struct mm *mm, uint64_t addr) {
    uint64_t f = mm_lock_for_fault(mm);
    bool in = mm_find(mm, addr) != NULL;
    mm_unlock(mm, f);
    return in;
}

void user_trap(struct trapframe *tf) {
    struct proc *p = current();
    if (tf->vector == T_PAGE_FAULT) {
        uint64_t addr = read_cr2();
        bool write = tf->error_code & PF_WRITE, exec = tf->error_code & PF_INSTR;
        int err = mm_fault(p->mm, addr, write, exec);   // also a write to a copy-on-write page
        if (err == 0)
            return;                  // first touch of its own memory: carry on
        if (err == -ENOMEM)          // the OOM killer chose it (SIGKILL is pending), or
            return;                  // the fault is simply tried again (oom.c)
        if (err == -EIO) {           // a file mapping past the end of its file
            signal_force(p, SIGBUS, BUS_ADRERR, addr);
            return;
        }
        if (!will_be_caught(p, SIGSEGV))
            log_segfault(p, tf, addr);
        // Linux: SEGV_ACCERR when a mapping covers the address but forbids the access
        // (PROT_NONE, a write to read-only memory), page or no page there yet; a kernel
        // address is never "mapped" as far as user space is concerned.
        bool accerr = addr < USER_TOP && ((tf->error_code & PF_PRESENT) || mapped_at(p->mm, addr));
        signal_force(p, SIGSEGV, accerr ? SEGV_ACCERR : SEGV_MAPERR, addr);
        return;
    }
    int code;
    const char *what;
    uint64_t addr;
    int sig = trap_signal(tf, &code, &what, &addr);
    if (what && !will_be_caught(p, sig))
        log_trap(p, tf, what);
    signal_force(p, sig, code, addr);
}
