// percpu.h: data each CPU has its own copy of, found through the GS segment base.
//
// In the kernel, GS's base points at this CPU's struct percpu; while user code runs, the
// user's GS base is loaded instead and ours waits in MSR_KERNEL_GS_BASE. `swapgs` on every
// entry from and exit to user mode exchanges the two. The syscall entry needs this most:
// it arrives with the user's stack pointer and must find the kernel stack from nothing.
// Each CPU has one struct percpu in cpus[] (smp.c); cpus[0] is the boot CPU.
//
// Who touches what: every field belongs to its own CPU and is only read or written by code
// running on that CPU with interrupts off - except `online`, `apic_id` and `id` (written
// once during bring-up, read by anyone), `idle` (under the run queue's lock: set by the CPU
// itself, cleared by a waker that claims it, sched.c), `idle_state` and `kicked` (read and
// set by a waker: smp.c's smp_send_reschedules and smp_idle_wait), `tlb_flush_gen` (written
// by the TLB shootdown's sender, see smp.c), `pml4` and `tlb_lazy` (read by the shootdown's
// sender: vm_switch and smp.c say in which order). `uaccess_open` and `uaccess_no*` are written
// with interrupts on as well, but only by the thread that runs on this CPU, around its own
// user copy; this CPU's interrupt handlers only read it.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct proc;
struct spinlock;

#define MAX_CPUS 8
#define LOCKDEP_MAX_HELD 8

// The assembly reaches these fields by the offsets asm_offsets.c generates. Each CPU's
// struct starts a cache line (64 bytes): a neighbour's fields sharing a line with ours
// would make both CPUs take it from each other at every system call (false sharing).
struct percpu {
    struct percpu *self;      // gs:0  - so C can get a normal pointer to this struct
    uint64_t kernel_rsp;      // gs:8  - top of the current process's kernel stack
    uint64_t user_rsp;        // gs:16 - scratch for the syscall entry
    struct proc *current;     // gs:24 - the process running on this CPU
    int id;                   // 0 .. ncpus-1: the index in cpus[] (Linux's CPU number)
    uint32_t apic_id;         // its local APIC's id (the MADT's), the target of IPIs
    volatile bool online;     // has finished bring-up and runs the scheduler
    volatile bool idle;       // in the idle loop with nothing to run: a waker may claim it
    volatile uint32_t idle_state;   // IDLE_BUSY, IDLE_POLLING or IDLE_HALTED (smp_idle_wait)
    volatile uint32_t kicked;       // a reschedule for it since smp_idle_wait last ended
    bool need_resched;        // its thread should yield: its slice is used up (its own tick,
                              // interrupts off), or a woken real-time thread takes this
                              // CPU (another's rt_preempt, under sched_lock); both only set it
    struct proc *skip;        // it just called sched_yield: the next pick passes it over (sched.c)
    // Real-time threads' time on this CPU since rt_period_start (sched.c's rt throttling):
    // charged by its own tick, read by its idle loop and its wakeups, interrupts off.
    uint64_t rt_period_start, rt_ns;
    bool irq_user;            // the interrupt being handled came from user mode (trap.c)
    bool wake_here;           // its thread exits: whom it wakes runs here next (sched.c)
    struct proc *wake_next;   // a woken process that preempts the running one (sched.c)
    struct proc *dead;        // the thread that just exited here, for the idle loop to reap
    int bkl_depth;            // how many times this CPU entered the big kernel lock (smp.c)
    uint32_t kicks;           // idle CPUs to wake when it lets go of the BKL (smp.c)
    uint32_t resched_ipis;    // ... and when it lets go of the run queue's lock (sched.c)
    bool wake_timer_owed;     // the boot CPU's wake timer must look again: an IPI, then too
    int bkl_who;              // what holds it now, and since when (bklstat.c)
    int bkl_who_dropped;      // ... and before bkl_drop let it go for a while
    uint64_t bkl_since;
    uint64_t scheduler_rsp;   // the idle loop's saved stack pointer (sched.c)
    volatile uint64_t tlb_flush_gen;   // the last TLB shootdown this CPU has carried out
    uint64_t *pml4;           // the user page tables loaded here (NULL: the kernel's)
    volatile uint32_t tlb_lazy;   // halted for a lock: catches up before a user access (smp.c)
    int nheld;                // spinlocks held right now, in order (lockdep, spinlock.c)
    struct spinlock *held[LOCKDEP_MAX_HELD];
    bool uaccess_open;        // inside a user-copy's window (stac..clac), uaccess.c
    bool uaccess_nosleep;     // the copy's faults must not wait for the OOM killer (uaccess.c)
    bool uaccess_nofault;     // the copy's faults are not handled at all: it fails (uaccess.c)
} __attribute__((aligned(64)));

#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

extern struct percpu cpus[MAX_CPUS];
extern bool percpu_ready;                // percpu_init() has run
extern int ncpus;                        // CPUs online (1 until smp_boot() started the rest)
void percpu_init(void);                  // the boot CPU's GS base (smp.c)
void percpu_init_cpu(struct percpu *c);  // any CPU's, on that CPU

static inline struct percpu *this_cpu(void) {
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

// For /proc/cpuinfo and /proc/stat: for (int i = 0; i < ncpus; i++) cpus[i]...
#define for_each_online_cpu(c) for (struct percpu *c = cpus; c < cpus + ncpus; c++)
