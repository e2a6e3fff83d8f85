// trap.c: the interrupt descriptor table and the C side of every interrupt and exception.
//
// This is where the kernel is event-driven: the timer, the keyboard, the serial line and the
// CPU's own exceptions all arrive here, whenever they happen, through trapentry.asm.
//   - IRQs (vectors 32..47) go to the handler a driver registered, then get their EOI.
//   - Exceptions in kernel mode are bugs: dump everything we know and panic - except a
//     page fault in one of the user-copy routines (uaccess.c: uaccess_fault).
//   - Exceptions in user mode are the program's own: usertrap.c turns them into signals.
//
// Whatever entered from user mode leaves through return_to_user_unlocked (below), called at
// the end of trap() and of syscall_dispatch() (syscall.c) once they have let go of the big
// kernel lock: the one place that decides whether another process runs first and which
// signals to deliver (return_to_user, with the lock taken again for those). A timer tick
// that preempts a process, hop by hop: a stub and trap_common (trapentry.asm) -> trap ->
// handle_irq -> timer_tick (time.c) -> sched_tick (sched.c: the slice is used up) -> pic_eoi
// (pic.c) -> back in trap: kernel_exit (smp.c), return_to_user_unlocked -> yield -> swtch
// (swtch.asm); when the process runs again, trap_return (trapentry.asm) and iretq.
#include <stdint.h>
#include "bklstat.h"
#include "gdt.h"
#include "ioapic.h"
#include "ksignal.h"
#include "lapic.h"
#include "panic.h"
#include "pic.h"
#include "printk.h"
#include "sched.h"
#include "smp.h"
#include "time.h"
#include "trap.h"
#include "trace.h"
#include "uaccess.h"
#include "vm.h"
#include "proc.h"
#include "rseq.h"
#include "x86.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
};

static struct idt_gate idt[256];
static irq_handler_fn irq_handlers[16];
static const char *irq_names[16];       // the driver's name for it (/proc/interrupts)
static int oops_count;
// Written by handle_irq only, with interrupts off, on the boot CPU (where every device IRQ
// goes), under the BKL but for IRQ 0's unlocked ticks: how many of each IRQ. Whether
// the one being handled came from user mode (the timer charges user or system time by it)
// is per CPU: percpu.irq_user.
static uint64_t irq_counts[16];

uint64_t irq_count(int irq) { return irq >= 0 && irq < 16 ? irq_counts[irq] : 0; }
bool irq_from_user(void) { return this_cpu()->irq_user; }
extern const uint64_t trap_stubs[256];   // trapentry.asm

#define GATE_INTERRUPT 0x8e   // present, ring 0, 64-bit interrupt gate (interrupts off inside)

static void set_gate(int vector, int ist, int dpl) {
    uint64_t handler = trap_stubs[vector];
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xffff, .selector = KERNEL_CS, .ist = ist,
        .type_attr = GATE_INTERRUPT | (dpl << 5), .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = handler >> 32,
    };
}

void idt_init(void) {
    for (int v = 0; v < 256; v++)
        set_gate(v, 0, 0);
    // These run on their own known-good stacks: a double fault is often a stack overflow.
    set_gate(T_DOUBLE_FAULT, IST_DOUBLE_FAULT, 0);
    set_gate(T_NMI, IST_NMI, 0);
    set_gate(T_MACHINE_CHECK, IST_MACHINE_CHECK, 0);
    // int3 may be used from user mode (debuggers); everything else from user mode is a #GP.
    set_gate(T_BREAKPOINT, 0, 3);
    idt_load();
}

// Every CPU loads the same IDT (the other CPUs from smp.c's ap_entry).
void idt_load(void) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } p = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(p));
}

bool irq_registered(int irq) { return irq >= 0 && irq < 16 && irq_handlers[irq]; }

const char *irq_name(int irq) { return irq_registered(irq) ? irq_names[irq] : NULL; }

void irq_register(int irq, irq_handler_fn fn, const char *name) {
    if (irq < 0 || irq >= 16)
        panic("irq_register: IRQ %d out of range", irq);
    irq_handlers[irq] = fn;
    irq_names[irq] = name;
    if (irq_apic_mode())
        ioapic_route(irq, cpus[0].apic_id);
    else
        pic_unmask(irq);
}

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "int3", "overflow", "bounds", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
    "segment not present", "stack segment", "general protection fault", "page fault",
    "spurious interrupt bug", "coprocessor error", "alignment check", "machine check",
    "SIMD coprocessor error", "virtualization exception", "control protection fault",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved",
};

const char *trap_name(uint64_t vector) {
    return vector < 32 ? exception_names[vector] : "interrupt";
}

// The registers, as Linux's __show_regs() lays them out.
void trap_dump(const struct trapframe *tf) {
    pr_emerg("RIP: %04llx:", (unsigned long long)tf->cs);
    print_symbol_cont(tf->rip);
    pr_cont("\n");
    pr_emerg("RSP: %04llx:%016llx EFLAGS: %08llx\n", (unsigned long long)tf->ss,
             (unsigned long long)tf->rsp, (unsigned long long)tf->rflags);
    pr_emerg("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)tf->rax,
             (unsigned long long)tf->rbx, (unsigned long long)tf->rcx);
    pr_emerg("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)tf->rdx,
             (unsigned long long)tf->rsi, (unsigned long long)tf->rdi);
    pr_emerg("RBP: %016llx R08: %016llx R09: %016llx\n", (unsigned long long)tf->rbp,
             (unsigned long long)tf->r8, (unsigned long long)tf->r9);
    pr_emerg("R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)tf->r10,
             (unsigned long long)tf->r11, (unsigned long long)tf->r12);
    pr_emerg("R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)tf->r13,
             (unsigned long long)tf->r14, (unsigned long long)tf->r15);
    pr_emerg("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
             (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
             (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

// Linux's two-line page-fault explanation: who, what kind of access, and why it failed.
static void explain_page_fault(const struct trapframe *tf, uint64_t addr) {
    uint64_t e = tf->error_code;
    pr_emerg("BUG: unable to handle page fault for address: %016llx\n", (unsigned long long)addr);
    pr_emerg("#PF: %s %s in %s mode\n", (e & PF_USER) ? "user" : "supervisor",
             (e & PF_INSTR) ? "instruction fetch" : (e & PF_WRITE) ? "write access" : "read access",
             (e & PF_USER) ? "user" : "kernel");
    pr_emerg("#PF: error_code(0x%04llx) - %s\n", (unsigned long long)e,
             (e & PF_RSVD) ? "reserved bit violation" :
             (e & PF_PRESENT) ? "permissions violation" : "not-present page");
    if (!(e & PF_USER) && (e & PF_INSTR) && addr < USER_TOP)
        pr_emerg("unable to execute userspace code (SMEP?) (uid: 0)\n");
    else if (!(e & PF_USER) && (e & PF_INSTR) && (e & PF_PRESENT))
        pr_emerg("kernel tried to execute NX-protected page - exploit attempt? (uid: 0)\n");
    else if (!(e & PF_USER) && (e & PF_PRESENT) && addr < USER_TOP)
        pr_emerg("SMAP: kernel access to a user page outside a user-access window\n");
    if (!(e & PF_USER))
        uaccess_explain_fault(addr);
}

// A fault while running kernel code is a kernel bug. Say everything, then stop.
static void __attribute__((noreturn)) kernel_fault(struct trapframe *tf) {
    uint64_t cr2 = read_cr2();
    const char *what = trap_name(tf->vector);
    if (tf->vector == T_PAGE_FAULT)
        explain_page_fault(tf, cr2);
    if (tf->vector == T_DOUBLE_FAULT && stack_guard_hit(cr2)) {
        pr_emerg("BUG: stack guard page was hit at %016llx (stack is %016llx..%016llx)\n",
                 (unsigned long long)cr2, (unsigned long long)boot_stack_lo(),
                 (unsigned long long)boot_stack_hi() - 1);
        what = "kernel stack overflow (double-fault)";
    }
    pr_emerg("%s: %04llx [#%d] (vector %llu)\n", what, (unsigned long long)tf->error_code,
             ++oops_count, (unsigned long long)tf->vector);
    trap_dump(tf);
    dump_backtrace(tf->rip, tf->rbp);
    panic("Fatal exception");
}

static void handle_irq(struct trapframe *tf) {
    int irq = tf->vector - IRQ_BASE;
    if (!irq_apic_mode() && pic_is_spurious(irq))
        return;   // no EOI for a spurious IRQ 7 (and only the master's for IRQ 15)
    TRACE(TR_IRQ_ENTER, tf->vector, irq, 0);
    irq_counts[irq]++;
    this_cpu()->irq_user = (tf->cs & 3) == 3;
    if (irq_handlers[irq])
        irq_handlers[irq]();
    irq_eoi(irq);
    TRACE(TR_IRQ_EXIT, tf->vector, 0, 0);
}

static void unexpected(struct trapframe *tf);
static void trap_locked(struct trapframe *tf);

// The interrupts of the local APIC: a CPU's own timer and the other CPUs' messages. They
// are handled without the big kernel lock (smp.c), which another CPU may hold for long:
//   - TLB and stop: their sender waits for us (holding tlb_lock, or panicking).
//   - reschedule: it wakes an idle CPU from hlt (the idle loop does the rest), or brings a
//     thread in user mode through return_to_user_unlocked (a stop: smp_kick_cpu).
//   - the local timer: only this CPU's own counters change (sched_tick_local). The lock is
//     taken only if the process must now yield or has a signal to take, on its way back
//     to user mode. (The boot CPU's PIT tick, IRQ 0, does the global work, under the BKL
//     only when a timer's signal or the load average's sample is due: trap, below.)
//   - the wake timer (sched.c): sleepers are woken without the lock.
// Returns false for the vectors that are none of these, and for the wake timer's when a
// real-time timer is due: sending its signal needs the BKL.
static bool lapic_vector(struct trapframe *tf) {
    switch (tf->vector) {
    case T_IPI_TLB:
        cpu_stats[this_cpu()->id].tlb++;
        smp_handle_tlb_ipi();
        lapic_eoi();
        // Out the usual way, from user mode: membarrier's RSEQ command sends this IPI to
        // abort a restartable sequence, and the abort is made on the way out (rseq.c).
        if (tf->cs & 3)
            return_to_user_unlocked(tf);
        return true;
    case T_IPI_STOP:
        for (;;)
            cli(), hlt();
    case T_SPURIOUS:
        return true;                     // no EOI for the spurious vector
    case T_IPI_RESCHED:
        cpu_stats[this_cpu()->id].resched++;
        lapic_eoi();
        if (tf->cs & 3)
            return_to_user_unlocked(tf);
        return true;
    case T_LAPIC_TIMER:
        cpu_stats[this_cpu()->id].local_timer++;
        lapic_eoi();
        this_cpu()->irq_user = (tf->cs & 3) == 3;
        sched_tick_local();
        if (tf->cs & 3)
            return_to_user_unlocked(tf);
        return true;
    case T_WAKE_TIMER:
        // Acknowledged first: if a real-time timer is due, this is handled under the BKL
        // (trap_locked), and while the entry waits for the lock, its vector, in the top
        // priority class, would keep the CPU from taking the one IPI that says the lock
        // is free (T_IPI_RESCHED, the same class).
        lapic_eoi();
        if (!sched_wake_timer_unlocked())   // the sleepers' part takes no BKL (sched.c)
            return false;
        cpu_stats[this_cpu()->id].local_timer++;   // Linux's LOC counts its hrtimers too
        if (tf->cs & 3)
            return_to_user_unlocked(tf);
        return true;
    }
    return false;
}

// Every way into the kernel but the syscall instruction comes here. The big kernel lock
// (smp.c) is taken first: from here on, only this CPU runs kernel code. Four kinds of entry
// are the exceptions: the local APIC's interrupts, the boot CPU's tick when it has only
// sleepers to wake and its own counters to keep, a user page fault that mm_fault_fast
// can take under its mm's lock alone (mm.h): a first touch of private anonymous memory or
// of the program's own file, or a one-thread process's copy-on-write; and a fault in a
// _nofault user copy, which only fails it (uaccess.h).
void trap(struct trapframe *tf) {
    uaccess_trap_entry(tf);          // SMAP in force for every handler (uaccess.c)
    if (smp_stopping() && tf->vector == T_NMI)
        for (;;)
            cli(), hlt();                // another CPU panicked: stop here for good
    if (tf->vector >= T_LAPIC_TIMER && lapic_vector(tf))
        return;
    // Most page faults from user mode need only the faulting address space (usertrap.c);
    // one in a user copy under a spinlock, which may not fault (uaccess.h), fails it at once.
    if (tf->vector == T_PAGE_FAULT && ((tf->cs & 3) ? user_fault_without_bkl(tf)
                                                    : uaccess_fault_nofault(tf, read_cr2())))
        return;
    // The boot CPU's tick needs the BKL only now and then (time.c's timer_tick_needs_bkl).
    if (tf->vector == IRQ_BASE && !timer_tick_needs_bkl()) {
        handle_irq(tf);
        if (tf->cs & 3)
            return_to_user_unlocked(tf);
        return;
    }
    kernel_enter();
    if (this_cpu()->bkl_depth == 1)
        bkl_held_by(BKL_WHO_TRAP + (int)tf->vector);   // (bklstat.c)
    trap_locked(tf);
    cli();
    kernel_exit();
    // Back to user mode: a switch if the slice is up, signals (a fault's own among them),
    // with the BKL again only if a signal waits (return_to_user_unlocked, below).
    if (tf->cs & 3)
        return_to_user_unlocked(tf);
}

static void trap_locked(struct trapframe *tf) {
    if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + 16) {
        handle_irq(tf);
    } else if (tf->vector == T_WAKE_TIMER) {
        cpu_stats[this_cpu()->id].local_timer++;    // Linux's LOC counts its hrtimers too
        sched_wake_timer();          // the boot CPU's sleepers' timer (sched.c)
    } else if (tf->vector < 32 && (tf->cs & 3) == 0) {
        // A user copy's fault (uaccess.c) is the one kernel-mode fault that is no bug.
        if (tf->vector != T_PAGE_FAULT || !uaccess_fault(tf, read_cr2()))
            kernel_fault(tf);
    } else if (tf->vector < 32) {
        TRACE(TR_EXCEPTION, tf->vector, current()->pid, 0);
        user_trap(tf);               // the process's own fault: a signal (usertrap.c)
    } else {
        unexpected(tf);
    }
}

// The way back to user mode from every path, once it holds no BKL (a path under the lock
// lets go of it first): the lock is taken only if there is a signal to act on (a yield
// alone needs only the run queue's lock: sched.c). The look is without it, as the timer's
// is: a signal sent just after it is taken at the next kernel entry or tick, as for any
// thread already running in user mode on another CPU. One the thread sent itself in the
// system call it returns from, or a fault's own, was pending before the look, on this CPU.
// A temporary mask (ppoll, pselect6, epoll_pwait) still to be put back counts as something
// to do: signal_deliver_one puts the saved mask back - else a later handler's frame would
// save that stale mask for its sigreturn, undoing a sigprocmask made since.
static bool work_on_way_out(struct proc *p) {
    return signal_pending(p) || p->itimer_due || p->restore_sigmask;
}

// The self-checks, at the end of either way out: interrupts still off, no user-access
// window open.
static void check_way_out(void) {
    if (read_rflags() & RFLAGS_IF)
        panic("return_to_user: interrupts on between the last signal check and the return");
    uaccess_check_closed("the return to user mode");
}

// A thread switched in with a struct rseq (rseq.c) has it written - the CPU it is on now,
// and maybe an abort - with interrupts on, as in a system call (a fault there may sleep).
// Then the way out looks at everything again: a tick may have come, or a signal (SIGSEGV,
// if the struct was bad).
static bool rseq_done_unlocked(struct trapframe *tf) {
    if (!__atomic_load_n(&current()->rseq_due, __ATOMIC_ACQUIRE))
        return false;
    sti();
    rseq_return(tf);
    cli();
    return true;
}

void return_to_user_unlocked(struct trapframe *tf) {
    do {
        // A preemption alone needs no BKL: the run queue has a lock of its own (sched.c).
        if (sched_need_resched() && !work_on_way_out(current()))
            yield();
        if (sched_need_resched() || work_on_way_out(current())) {
            kernel_enter();
            return_to_user(tf);
            kernel_exit();
        }
    } while (rseq_done_unlocked(tf));
    check_way_out();
}

// The way back to user mode, under the BKL, after every system call (syscall_dispatch) and
// every interrupt or fault taken in user mode (trap, above) that has something to do here -
// return_to_user_unlocked, above, looks first - and after a call a signal cut short. It is
// where the kernel decides what runs next: if the timer said this process's time slice is
// used up, another process gets the CPU first (yield, sched.c); then pending signals are
// acted on - an exit, a stop, or a handler's frame on the user stack (signal.c). Interrupts
// stay off from the first look at the pending sets until the iret or sysret (a sleep turns
// them on meanwhile).
//
// What interrupt handlers write, and this path reads: the pending-signal sets and the
// siginfo of each thread and process (tty_receive -> signal_send from the serial and
// keyboard IRQs, the timer tick's interval timers), a group stop's state (SIGCONT from
// the tty), need_resched and the slice (the timer tick), sleepers' states (wakeups). All
// are written here only with interrupts off (proc.h, sched.c say so where declared). The
// self-checks: interrupts are still off, and no user-access window is open, at the end.
void return_to_user(struct trapframe *tf) {
    cli();
    if (current()->itimer_due)
        itimer_send_due(current());
    do {
        if (sched_need_resched())
            yield();
    } while (signal_deliver_one(tf) || rseq_return(tf));
    check_way_out();
}

// No other vector is wired to anything.
static void unexpected(struct trapframe *tf) {
    pr_warn("unexpected trap: vector %llu (%s) error code %llx from cs %llx\n",
            (unsigned long long)tf->vector, trap_name(tf->vector),
            (unsigned long long)tf->error_code, (unsigned long long)tf->cs);
}
