// smp.c: symmetric multiprocessing - every CPU of the machine runs processes.
//
// Bring-up. The firmware's MADT (acpi.c) lists the CPUs by local APIC id. The boot CPU
// (BSP) set itself up in kmain; smp_boot() wakes each other CPU (AP) in turn with INIT and
// two STARTUPs (lapic.c), which start it in 16-bit real mode at the trampoline (copied
// below 1 MiB, trampoline.asm). The trampoline takes it to long mode and into ap_entry()
// below, on a kernel stack of its own. There the AP loads what every CPU needs for itself:
// the kernel's page tables, its own GDT and TSS (gdt.c), the IDT, its GS base (percpu.h),
// the syscall MSRs, its local APIC with its own timer; then it joins the scheduler.
//
// Locking: the big kernel lock (BKL), as Linux 2.0 first did SMP. The kernel was written
// for one CPU, where "interrupts off" is the lock; the BKL keeps that true on many: at most
// one CPU at a time runs kernel code, so the old invariant holds unchanged for the code
// that runs under it. User code runs on all CPUs in parallel, which is where CPU-bound
// programs spend their time. The rules:
//   - kernel_enter() on every entry: a syscall, an exception or interrupt (from user mode,
//     or from the idle loop's halt). On the CPU that already holds it (an interrupt while
//     in the kernel), it only counts one level deeper (percpu.bkl_depth).
//   - kernel_exit() when the outermost entry's work is done: before the way back to user
//     mode, which takes the lock again only for a signal to act on (trap.c's
//     return_to_user_unlocked) - a call a signal cut short goes out holding it - or back
//     to idle.
//   - A thread that switches away holding the BKL lets go of it at the switch, however
//     deep, holding the run queue's own lock (sched.c's switch_away), and takes it back
//     as deep when it runs again (bkl_take_back). A sleeper takes that lock before its
//     condition's lock can go (the BKL, or the futex lock), and every waker holds it: so
//     no wakeup falls between the sleeper's check of its condition and its switch away.
//   - The hot, simple structures also have spinlocks of their own (page_alloc and the
//     CPUs' page lists, kmalloc, kstack, lockdep, trace, clock, futex, each address
//     space's mm lock, each descriptor table's and each pipe's), ordered after the BKL;
//     lockdep (spinlock.c) checks their order. A pipe's copies hold sleeping locks
//     (sleeplock.c), whose holders may sleep, and which may be taken with the BKL held.
//   - Fifteen paths run without the BKL:
//       1. the local APIC's interrupts (trap.c: a TLB IPI's sender holds tlb_lock, a stop
//          IPI's is panicking; the timer counts only this CPU's time);
//       2. a user page fault's first touch of private anonymous memory or of the
//          program's own file, or copy-on-write in a one-thread process, under its mm's
//          lock alone (mm.h);
//       3. the system calls that only read the caller's own ids (getpid...: syscall.c);
//       4. madvise's MADV_DONTNEED and MADV_FREE, and its hints, under the mm's lock
//          alone, and its TLB shootdown after it (mm.c's mm_advise: mm->flushing);
//       5. execve's copies of its arguments, and wait4's and waitid's copies out and
//          their freeing of a reaped child's kernel stack (bkl_lock; syscall.c's U calls);
//       6. the freeing of a dead address space's pages at exit and exec, and
//       7. fork's copy of a one-thread parent's VMAs and page tables, of its descriptor table,
//          working directory and handlers, and the child's kernel stack (bkl_drop;
//          mm_put_dropping_bkl and mm_dup, mm.c; fork.c's copy_unlocked);
//       8. exec's reading of a static program's headers, and building of its new address
//          space, from a file whose writes it denies (build_unlocked, exec.c);
//       9. the idle loop, choosing and switching threads under sched_lock, and a yield:
//          sched_yield's, or a preemption's on the way to user mode (sched.c);
//      10. futex(2) but its PI calls, under the futex lock (futex.c);
//      11. read(2) and write(2) on a pipe or a socket pair's end, and sendto, recvfrom,
//          sendmsg and recvmsg, under the pipes' locks (pipe.c, socket.c; the look-up of
//          the descriptor under its table's lock: proc_shared.c's fd_get_unlocked);
//      12. read(2), readv(2), pread64(2) and preadv(2) of a regular file, its pages found
//          under the inode's data lock (ramfs_data.c), and only a shared file's position
//          moved under its pos_lock and the BKL (sys_file.c's read_regular);
//      13. write(2), writev(2), pwrite64(2) and pwritev(2) of a regular file, one writer
//          per file under the inode's write lock, its pages added under the data lock
//          (ramfs_data.c), and a shared file's position as a read's (write_regular);
//      14. nanosleep(2) and clock_nanosleep(2) on a wall or monotonic clock, asleep under
//          the run queue's lock (sched.c's sleep_until_unlocked);
//      15. the way back to user mode from every path, unless a signal is to be acted on
//          (trap.c's return_to_user_unlocked).
//
// Lock table (who protects what):
//   BKL          everything the kernel shares and does not name below: the process table,
//                threads' ZOMBIE and DEAD states, and SLEEPING for sleep_on, files (but
//                their reference counts are atomic), sockets (but their sends and
//                receives: read, write, sendto, recvfrom, sendmsg, recvmsg), tty,
//                signals, FIFO opens, pollers and epoll, the load averages (loadavg.c),
//                inodes (but their reference counts, and shared memory's, are atomic:
//                exec's build takes them; and a regular file's bytes: inode write and
//                inode data, below), a regular file's time stamps and borrowed bytes
//   BKL + files  a descriptor table's entries: changed under both, read under either
//                (proc.h's files_struct)
//   pipe read,   sleeping locks: a pipe's copies out of its ring, and into it (pipe.c);
//   pipe write   rlock and wlock; after the BKL, rlock before wlock, both before `pipe`
//   pipe         a pipe's counters, its ends' counts and its sleepers (pipe.c)
//   futex        the futex waiters (futex.c); taken after the BKL, before an mm's lock
//   BKL + mm     an address space's VMAs and page tables: changed under both, read under
//                either; but the anonymous fault adds pages, and replaces a one-thread
//                process's copy-on-write ones, and madvise takes pages away, under mm
//                alone (mm.h); fork copies under the two mm locks (mm_dup); mm_lock
//                waits for madvise's shootdowns in flight, a fault's lock does not
//   inode write  a sleeping lock: a regular file's bytes and size, held by a write, a
//                truncate or a new seal for the whole change (ramfs_data.c); after the
//                file position, before the BKL (a writer takes the BKL inside it, a
//                truncate waits for it holding the BKL: a sleeper lets the BKL go)
//   inode data   a regular file's table of pages, its size and borrowed bytes: changed
//                under it, and followed under it (ramfs_data.c); a hole's page goes in
//                only if the slot is still empty - the fault path fills holes under the
//                BKL and mm, without the write lock; after mm
//   file position  a sleeping lock: a shared file's reads and writes without the BKL, one
//                at a time (sys_file.c's read_regular, write_regular); before the BKL
//   page_alloc   the free lists (page_alloc.c)
//   kmalloc      the slabs; an object's bytes, and its poison, are its owner's (kmalloc.c)
//   percpu_pages a CPU's own list of free pages, taken by that CPU, and by a drain when
//                the free lists are empty (percpu_pages.c)
//   kstack       the kernel-stack slots, their lazy list, the area's page tables (kstack.c)
//   lockdep      lockdep's tables
//   trace        the event ring (trace.c)            clock      the clock's state, the vvar page (time.c)
//   random       the generator's state (random.c)
//   sched        the run queue, and the RUNNABLE and RUNNING states, and SLEEPING for
//                sleep_on_locked; held across each switch (sched.c); taken last
//   tlb          one TLB shootdown at a time: its generation and range (smp.c)
//   percpu       each CPU's own, with its interrupts off (percpu.h)
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "acpi.h"
#include "bklstat.h"
#include "cpu.h"
#include "gdt.h"
#include "ioapic.h"
#include "lapic.h"
#include "leakcheck.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "pic.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "spinlock.h"
#include "syscall.h"
#include "time.h"
#include "trap.h"
#include "vm.h"
#include "x86.h"

#define TRAMPOLINE_PA 0x8000          // trampoline.asm: below 1 MiB, page-aligned, unused RAM
#define CR4_PGE (1ull << 7)           // global pages: a CR3 load keeps their TLB entries

struct percpu cpus[MAX_CPUS];
int ncpus = 1;
bool percpu_ready;

static struct spinlock bkl = SPINLOCK_INIT("bkl");
static bool apic_mode;                  // legacy IRQs through the I/O APIC (else the PIC)
static volatile bool stopping;          // a panic is stopping every CPU
static volatile uint64_t tlb_gen;       // shootdowns requested so far (under tlb_lock)
static volatile uint64_t tlb_global_gen; // the last of them that flushes global entries too
// One TLB shootdown at a time: its sender holds this while it publishes the generation and
// range and waits for the answers. Senders come with the BKL, or with an address space's
// lock alone, or (madvise's, with interrupts off) with neither. Taken last: nothing is
// locked inside it.
static struct spinlock tlb_lock = SPINLOCK_INIT("tlb");
static volatile uint32_t idle_waiters;  // CPUs halted until the BKL is free (bit per CPU)
static uint64_t bsp_cr0, bsp_cr4, bsp_efer;   // what the APs copy

// ---------------------------------------------------------------- per-CPU data

void percpu_init_cpu(struct percpu *c) {
    c->self = c;
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);   // the user's GS base, swapped in on the way out
}

void percpu_init(void) {
    cpus[0].id = 0;
    percpu_init_cpu(&cpus[0]);
    percpu_ready = true;
}

// ---------------------------------------------------------------- the big kernel lock

bool bkl_held(void) { return bkl.locked && bkl.cpu == this_cpu()->id + 1; }

static void tlb_catch_up(struct percpu *c);

// Halts this CPU (interrupts on) until the lock's holder signals that *locked is free (the
// IPI of kernel_exit, through smp_send_reschedules, or smp_wake_lock_waiters), or any other
// interrupt comes. Dekker's pattern (flag in *waiters, fence, look) means that the wakeup
// cannot be missed. smp_send_reschedules sends no IPI to a CPU marked polling in its idle
// loop, so the CPU is marked busy while it waits here (an NMI may come during the poll).
// Interrupts that come meanwhile nest on this stack as on any kernel code; the only state
// of the interrupted entry they could change is CR2 (a fault, which kernel code should not
// take): kept and put back, for the page-fault handler that may be the one waiting here.
// While it is halted here, the CPU is lazy about user TLB entries (tlb_lazy): a shootdown
// that frees no page table does not wait for it, but leaves it to flush everything it
// missed when it comes out (tlb_catch_up), before it can touch user memory again - and it
// touches none in between: nor do the interrupt handlers that nest meanwhile. At -smp 4 on
// a 2-core host, the threads of glibc's malloc storm wait for each other's mm lock here
// while the holder's madvise shoots down: to wait for each of them was to wait for the
// host to wake a halted virtual CPU.
static void halt_while_locked(struct percpu *c, const volatile uint32_t *locked,
                              volatile uint32_t *waiters) {
    uint64_t cr2 = read_cr2();
    uint32_t idle_state = c->idle_state, lazy = c->tlb_lazy;
    __atomic_store_n(&c->idle_state, IDLE_BUSY, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(waiters, 1u << c->id, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->tlb_lazy, 1, __ATOMIC_SEQ_CST);
    if (*locked)
        sti_hlt();
    cli();
    __atomic_fetch_and(waiters, ~(1u << c->id), __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->idle_state, idle_state, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->tlb_lazy, lazy, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   // lazy no more, then the look at tlb_gen
    if (!lazy)
        tlb_catch_up(c);
    write_cr2(cr2);
}

static void wait_for_bkl(struct percpu *c) { halt_while_locked(c, &bkl.locked, &idle_waiters); }

// Called with interrupts off. While it waits, it still answers TLB shootdowns: the
// holder may be waiting for this very CPU to flush (see tlb_shootdown). It spins only a
// little, then halts: on a host with fewer cores than virtual CPUs (QEMU under load), a
// spinning virtual CPU takes the host time the lock holder needs, and every CPU ends up
// waiting for one that is not running (lock-holder preemption). A little is 400 turns of
// spin_relax (x86.h), each 64 looks at the lock and a pause: over 160,000 cycles under
// QEMU's TCG (a pause costs about 400 there: it leaves the translated code for QEMU's
// loop). It was 2000 pauses: at -smp 4 on a 2-core host, 400 made the fork+exec storm's
// exec 5-15% cheaper and the threads' malloc storm's 35-45% (the mm lock's waiters halt
// after as many, below), in a few alternating runs on a noisy host, and moved nothing
// measurable at -smp 2.
#define BKL_SPINS 400

void kernel_enter(void) {
    struct percpu *c = this_cpu();
    if (read_rflags() & RFLAGS_IF)    // see bkl_drop: an interrupt could find it half-taken
        panic("BKL: CPU %d enters the kernel with interrupts on", c->id);
    if (bkl.locked && bkl.cpu == c->id + 1) {
        c->bkl_depth++;
        return;
    }
    int spins = 0;
    while (__atomic_exchange_n(&bkl.locked, 1, __ATOMIC_ACQUIRE)) {
        while (bkl.locked) {
            smp_answer_shootdown();
            if (++spins < BKL_SPINS) {
                spin_relax(&bkl.locked, 1);
            } else {
                wait_for_bkl(c);
                spins = 0;
            }
        }
    }
    bkl.cpu = c->id + 1;
    c->bkl_depth = 1;
    if (bklstat_on)
        bklstat_taken(c);
}

// Which halted waiter kernel_exit wakes: the first after this CPU, going round. Always
// the lowest-numbered one would starve the others: the CPU it woke may lose the lock again
// to a CPU re-entering the kernel, halt again, and be picked again, while a waiter with a
// higher number sleeps on until its own timer tick (a new process waiting 10 ms to start).
static int next_waiter(uint32_t waiters, int self) {
    uint32_t after = waiters & ~((2u << self) - 1);        // bits above self
    return __builtin_ctz(after ? after : waiters);
}

// Lets go of the BKL (the outermost level). Returns the CPUs to wake with a reschedule
// IPI: one halted waiting for the lock, and the idle CPUs chosen meanwhile for new
// processes (smp_kick_idle_cpu_on_release).
static uint32_t bkl_release_quietly(struct percpu *c) {
    if (bklstat_on)
        bklstat_released(c);
    uint32_t wake = c->kicks;
    c->kicks = 0;
    bkl.cpu = 0;
    raw_spin_unlock(&bkl);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);          // the unlock, then the look at waiters
    uint32_t w = idle_waiters;
    if (w) {
        int cpu = next_waiter(w, c->id);
        __atomic_fetch_and(&idle_waiters, ~(1u << cpu), __ATOMIC_SEQ_CST);
        wake |= 1u << cpu;
    }
    return wake;
}

// A CPU polling in its idle loop sees `kicked` and needs no IPI. Dekker's pattern with
// smp_idle_wait (flag, fence, look on both sides): either this sees the CPU halted and
// sends the IPI, or the CPU sees the flag and does not halt.
void smp_send_reschedules(uint32_t cpus_mask) {
    for (; cpus_mask; cpus_mask &= cpus_mask - 1) {
        struct percpu *t = &cpus[__builtin_ctz(cpus_mask)];
        __atomic_store_n(&t->kicked, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&t->idle_state, __ATOMIC_SEQ_CST) != IDLE_POLLING)
            lapic_send_ipi(t->apic_id, T_IPI_RESCHED);
    }
}

// The idle loop's wait for work (interrupts off on the way in and out): it polls for a
// while for a reschedule (`kicked`), and only then halts. Under QEMU a halted virtual CPU
// is a host thread asleep, and an IPI must wake it: about 50 microseconds, longer than many
// a wakeup's whole path (a pipe's ping-pong between two CPUs is two of them a round trip).
// Linux polls the same way before it halts in a KVM guest (cpuidle-haltpoll). The poll
// costs the host the time it lasts, when nothing comes. It polls with interrupts off,
// answering TLB shootdowns itself as a spinning CPU does, so interrupts wait at most 50
// microseconds. (The first version polled with them on: a handler that waited for the BKL
// meanwhile halted with this CPU still marked polling, and got no IPI. halt_while_locked
// now marks the CPU busy too.)
#define IDLE_POLL_NS 50000

void smp_idle_wait(struct percpu *c) {
    __atomic_store_n(&c->idle_state, IDLE_POLLING, __ATOMIC_SEQ_CST);
    uint64_t end = time_since_boot_ns() + (ncpus > 1 ? IDLE_POLL_NS : 0);   // (none to wait for)
    while (!__atomic_load_n(&c->kicked, __ATOMIC_ACQUIRE) && time_since_boot_ns() < end) {
        smp_answer_shootdown();
        spin_relax(&c->kicked, 0);
    }
    __atomic_store_n(&c->idle_state, IDLE_HALTED, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&c->kicked, __ATOMIC_SEQ_CST))
        sti_hlt();                      // an IPI between the look and the hlt wakes it at once
    cli();
    __atomic_store_n(&c->idle_state, IDLE_BUSY, __ATOMIC_RELAXED);
    __atomic_store_n(&c->kicked, 0, __ATOMIC_RELAXED);
}

static void bkl_release(struct percpu *c) { smp_send_reschedules(bkl_release_quietly(c)); }

void kernel_exit(void) {
    struct percpu *c = this_cpu();
    if (c->bkl_depth <= 0 || bkl.cpu != c->id + 1)
        panic("BKL: CPU %d leaves the kernel without holding it", c->id);
    if (read_rflags() & RFLAGS_IF)
        panic("BKL: CPU %d leaves the kernel with interrupts on", c->id);
    if (--c->bkl_depth > 0)
        return;
    lockdep_assert_none_held("leaving the kernel");
    bkl_release(c);
}

// Worth it only when another CPU may want the lock meanwhile. A nested entry (an
// interrupt in the kernel) may not let go: the code it interrupted holds the BKL's data.
// Interrupts must be off around kernel_exit and kernel_enter, as on every other way in
// and out: an interrupt between kernel_exit's `bkl.cpu = 0` and its unlock would find the
// lock taken by nobody it knows - by its own CPU - and wait for it for ever.
// The caller may hold spinlocks (which come after the BKL in the lock order: fork's copy
// holds two mm locks), but must let them all go before bkl_retake.
bool bkl_drop(uint64_t *irq) {
    struct percpu *c = this_cpu();
    *irq = local_irq_save();
    if (ncpus == 1 || !bkl_held() || c->bkl_depth != 1)
        return false;
    c->bkl_depth = 0;
    c->bkl_who_dropped = c->bkl_who;
    bkl_release(c);
    return true;
}

void bkl_retake(bool dropped, uint64_t irq) {
    if (dropped) {
        lockdep_assert_none_held("taking the BKL back");   // the BKL comes first
        kernel_enter();
        bkl_held_by(this_cpu()->bkl_who_dropped);          // (bklstat.c)
    }
    local_irq_restore(irq);
}

// For a system call that runs without the BKL (syscall.c's U entries): the lock around the
// part that needs it. Interrupts are off on the way in and out, as for every entry, and
// come back as they were. It nests as every entry does: a traced call comes the locked
// way, and then this only counts one level deeper.
void bkl_lock(void) {
    uint64_t f = local_irq_save();
    kernel_enter();
    if (this_cpu()->bkl_depth == 1)
        bkl_held_by((int)current()->syscall_nr);          // (bklstat.c)
    local_irq_restore(f);
}

void bkl_unlock(void) {
    uint64_t f = local_irq_save();
    kernel_exit();
    local_irq_restore(f);
}

// A thread switching away lets go of the BKL, however deep (sched.c's switch_away), and
// takes it back as deep when it runs again (bkl_take_back). Interrupts off; the run
// queue's lock is held across the first, and no spinlock across the second.
// The IPIs for the lock's waiters are added to *ipis, for the caller to send once it has
// let go of the run queue's lock (sched.c says why).
void bkl_let_go_all(uint32_t *ipis) {
    struct percpu *c = this_cpu();
    if (c->bkl_depth == 0)
        return;
    if (bkl.cpu != c->id + 1)
        panic("BKL: CPU %d lets go at depth %d without holding it", c->id, c->bkl_depth);
    c->bkl_depth = 0;
    *ipis |= bkl_release_quietly(c);
}

void bkl_take_back(int depth, int who) {
    if (depth == 0)
        return;
    lockdep_assert_none_held("taking the BKL back");   // the BKL comes first
    kernel_enter();
    this_cpu()->bkl_depth = depth;
    bkl_held_by(who);                                  // (bklstat.c)
}

// ---------------------------------------------------------------- waiting for a long-held lock

// For a lock that may be held long (an address space's, during a fork's copy): spins a
// little, then halts - interrupts on - until *locked reads 0, woken by the holder's
// smp_wake_lock_waiters, as wait_for_bkl is by kernel_exit, and for the same reason: a
// spinning virtual CPU takes the host time the holder needs. Only for a caller that holds
// no spinlock (interrupts may come in here). The caller then takes the lock for real.
// *locked is 0 or 1 (a lock's word, or mm->flushing, which a shootdown raises only under
// the mm lock, whose takers first wait for it to be 0): spin_relax waits while it is 1.
void smp_wait_unlocked(const volatile uint32_t *locked, volatile uint32_t *waiters) {
    struct percpu *c = this_cpu();
    uint64_t flags = local_irq_save();
    for (int spins = 0; *locked; spins++) {
        smp_answer_shootdown();
        if (spins < BKL_SPINS)
            spin_relax(locked, 1);
        else
            halt_while_locked(c, locked, waiters);
    }
    local_irq_restore(flags);
}

// Called after the lock was let go: the fence orders that store before the look at the
// waiters (Dekker's pattern, with the waiter's flag-fence-look), so no halt is missed.
void smp_wake_lock_waiters(volatile uint32_t *waiters) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t w = *waiters;
    while (w) {
        int cpu = __builtin_ctz(w);
        w &= w - 1;
        lapic_send_ipi(cpus[cpu].apic_id, T_IPI_RESCHED);
    }
}

// ---------------------------------------------------------------- IPIs

// Everything this CPU's TLB holds, global (kernel) entries too: CR4.PGE off and on.
static void flush_tlb_all_local(void) {
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_PGE);
    write_cr4(cr4);
}

// The user range of the shootdown numbered tlb_range_gen (0 while the sender changes it:
// a seqlock). Only tlb_lock's holder writes it, before it publishes the generation in
// tlb_gen; it may write the next one as soon as every CPU it asked has answered.
static struct { uint64_t start, end; } tlb_range;
static uint64_t tlb_range_gen;

// Flushes the range of shootdown gen page by page, if it is still that one's and small
// enough (TLB_FLUSH_CEILING, as vm.c decides for its own TLB). Under TCG this matters more
// than on hardware: a whole flush makes every page touched afterwards miss - after a guard
// page's mprotect (pthread_create), one page's copy-on-write, a small munmap.
static bool flush_range_local(uint64_t gen) {
    uint64_t seq = __atomic_load_n(&tlb_range_gen, __ATOMIC_ACQUIRE);
    uint64_t start = __atomic_load_n(&tlb_range.start, __ATOMIC_RELAXED);
    uint64_t end = __atomic_load_n(&tlb_range.end, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (seq != gen || __atomic_load_n(&tlb_range_gen, __ATOMIC_RELAXED) != gen ||
        end - start > TLB_FLUSH_CEILING * PAGE_SIZE)
        return false;
    for (uint64_t va = start; va < end; va += PAGE_SIZE)
        invlpg(va);
    return true;
}

// Forgets what the shootdowns since this CPU's last one asked. If one of them was for a
// kernel mapping, the global entries go too: turning CR4.PGE off and on again flushes the
// whole TLB. Else the newest one's range, page by page, or a reload of CR3, which forgets
// every non-global (that is, user) translation. Only the newest matters: this CPU was
// asked by none of the older ones it did not answer (each sender waits for every CPU it
// asks), so it had none of their tables loaded - or loaded them after, flushing then -
// or it was lazy (halt_while_locked), and a lazy CPU flushes everything.
// tlb_gen is read first: the sender sets tlb_global_gen and the range before it bumps
// tlb_gen, so whoever sees the new generation sees its kind.
void smp_handle_tlb_ipi(void) {
    struct percpu *c = this_cpu();
    uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
    if (tlb_global_gen > c->tlb_flush_gen)
        flush_tlb_all_local();
    else if (c->tlb_lazy || !flush_range_local(gen))   // lazy: it may have been left out
        write_cr3(read_cr3());
    c->tlb_flush_gen = gen;
}

// Out of a lazy halt: if a shootdown came meanwhile, it may have left this CPU out, and
// more than one may have: everything is flushed (see smp_handle_tlb_ipi).
static void tlb_catch_up(struct percpu *c) {
    uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
    if (c->tlb_flush_gen == gen)
        return;
    if (tlb_global_gen > c->tlb_flush_gen)
        flush_tlb_all_local();
    else
        write_cr3(read_cr3());
    c->tlb_flush_gen = gen;
}

void smp_answer_shootdown(void) {
    if (this_cpu()->tlb_flush_gen != tlb_gen)
        smp_handle_tlb_ipi();
}

void smp_note_pml4(uint64_t *pml4) {
    __atomic_store_n(&this_cpu()->pml4, pml4, __ATOMIC_RELAXED);
}

// Has a CPU other than this one these page tables loaded? vm_switch notes a load before it
// writes CR3, and the caller cleared the entries before it asks (the fence below): so a
// CPU not found here loads the tables only after, and its page walker sees the entries
// cleared. A CPU that notes other tables before it writes CR3 is not found either, while
// it still has these loaded for a few instructions of vm_switch: it touches no user page
// in between, and a CPU never writes through a TLB entry speculatively.
// For an address space only the caller's thread uses (fork's copy and a copy-on-write
// fault without the BKL: mm.c) there is none: no other CPU can load it, because a CPU that
// halts loads the kernel's own tables (sched.c's unload_tables), and one between two
// threads holds the run queue's lock, so the caller's thread could not be running.
static bool loaded_elsewhere(uint64_t *pml4) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);      // the cleared entries, before the look
    struct percpu *self = this_cpu();
    for_each_online_cpu(c)
        if (c != self && __atomic_load_n(&c->pml4, __ATOMIC_RELAXED) == pml4)
            return true;
    return false;
}

// The caller has changed the entries and flushed its own TLB. The CPUs asked are those
// that have the tables loaded now; one that loads them later cannot have cached the old
// entries (see loaded_elsewhere), so the set to wait for is fixed. A CPU that spins for a
// lock with interrupts off - the BKL, tlb_lock itself, an mm lock the caller holds -
// answers from its spin loop. kernel: a kernel mapping changed; it is global (PTE_G) and
// may be in any CPU's TLB whatever that CPU runs, so every CPU flushes, global entries too.
static void shootdown(uint64_t *pml4, bool kernel, bool lazy_ok, uint64_t start, uint64_t end) {
    if (ncpus == 1 || !percpu_ready || (!kernel && !loaded_elsewhere(pml4)))
        return;
    uint64_t flags = spin_lock_irqsave(&tlb_lock);
    struct percpu *self = this_cpu();
    uint64_t gen = tlb_gen + 1;
    if (kernel)
        tlb_global_gen = gen;
    __atomic_store_n(&tlb_range_gen, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&tlb_range.start, start, __ATOMIC_RELAXED);
    __atomic_store_n(&tlb_range.end, end, __ATOMIC_RELAXED);
    __atomic_store_n(&tlb_range_gen, gen, __ATOMIC_RELEASE);
    __atomic_store_n(&tlb_gen, gen, __ATOMIC_RELEASE);
    // A kernel shootdown may be for pages this CPU cached too, and flushed only one of
    // (kstack.c's lazy slots: each was invlpg'd on the CPU that freed it, not here); a lazy
    // sender (a nested handler: none today) may have been left out of an older one.
    if (kernel || self->tlb_lazy)
        flush_tlb_all_local();
    self->tlb_flush_gen = gen;
    // The generation, then the look at who is lazy (Dekker's pattern with
    // halt_while_locked): one found lazy flushes when it stops being so. Not when page
    // tables are freed: a CPU's page walker must not be left holding on to one.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t asked = 0;
    for_each_online_cpu(c)
        if (c != self && (kernel || __atomic_load_n(&c->pml4, __ATOMIC_RELAXED) == pml4)) {
            if (lazy_ok && __atomic_load_n(&c->tlb_lazy, __ATOMIC_RELAXED))
                continue;
            asked |= 1u << c->id;
            lapic_send_ipi(c->apic_id, T_IPI_TLB);
        }
    for_each_online_cpu(c) {
        if (!(asked & (1u << c->id)))
            continue;
        while (c->tlb_flush_gen < gen && !stopping)
            pause();
    }
    spin_unlock_irqrestore(&tlb_lock, flags);
}

void tlb_shootdown_range(uint64_t *pml4, uint64_t start, uint64_t end) {
    shootdown(pml4, false, true, start, end);
}
void tlb_shootdown(uint64_t *pml4) { shootdown(pml4, false, false, 0, USER_TOP); }
void tlb_shootdown_kernel(void) { shootdown(NULL, true, false, 0, 0); }

// Some process became runnable, which may run on the CPUs in `allowed` (its affinity,
// cpus_allowed: 0 for any). If one of those is halted in its idle loop, wake it so that
// it runs the process now rather than at its next timer tick. Waking a CPU the process
// may not run on would only send that one back to sleep. (If this CPU is the only one
// allowed, it takes the process at its next pass through the scheduler.)
// NULL if every CPU it may run on is busy (then a wakeup may preempt: sched.c).
static struct percpu *claim_idle_cpu(uint64_t allowed) {
    struct percpu *self = this_cpu();
    if (ncpus == 1)
        return NULL;
    for_each_online_cpu(c) {
        if (c != self && c->idle && (!allowed || (allowed & (1ull << c->id)))) {
            c->idle = false;         // chosen: no other wakeup picks it too
            return c;
        }
    }
    return NULL;
}

// The CPU chosen, as a mask for smp_send_reschedules (one bit), or 0.
uint32_t smp_claim_idle_cpu(uint64_t allowed) {
    struct percpu *c = claim_idle_cpu(allowed);
    return c ? 1u << c->id : 0;
}

// The same for a new process or thread (proc_start), under the BKL: the IPI waits until
// this CPU lets go of the lock (bkl_release). The CPU woken needs the lock to run anything,
// and its maker lets go of it a moment later, on its way back to user mode; sent at once,
// under QEMU the IPI (a write to the local APIC: an exit to the emulator) held the lock for
// 15,000 cycles of every fork. A wakeup sends its IPI as soon as the waker lets go of the
// run queue's lock (sched.c), before the BKL: a sleeper woken on an idle CPU - a pipe's
// reader - gets the time that CPU takes to wake from its halt (under QEMU, a host
// thread's) ahead of the lock's release; deferred, the pinned pipe ping-pong took 8%
// longer. Without the BKL, the IPI goes when the run queue's lock is let go.
bool smp_kick_idle_cpu_on_release(uint64_t allowed) {
    struct percpu *c = claim_idle_cpu(allowed);
    if (c && bkl_held())
        this_cpu()->kicks |= 1u << c->id;
    else if (c)
        this_cpu()->resched_ipis |= 1u << c->id;      // (sched.c sends them)
    return c != NULL;
}

// A thread running in user mode on CPU id must come into the kernel now (a stop of its
// process, a signal: signal.c's signal_kick); the IPI's handler takes it through
// return_to_user_unlocked (trap.c). Nothing to do for this CPU: its thread is in the kernel.
void smp_kick_cpu(int id) {
    if (id != this_cpu()->id && id >= 0 && id < ncpus)
        lapic_send_ipi(cpus[id].apic_id, T_IPI_RESCHED);
}

bool smp_stopping(void) { return stopping; }

// An NMI gets through even to a CPU spinning with interrupts off; trap() sees `stopping`
// and halts it for good.
void smp_stop_others(void) {
    if (stopping || ncpus == 1)
        return;
    stopping = true;
    lapic_send_nmi_others();
    mdelay(10);                         // let them stop before the panic message
}

// ---------------------------------------------------------------- interrupt controllers

void apic_init(void) {
    const struct acpi_madt *m = acpi_get_madt();
    if (!m->found || !lapic_init(m->lapic_addr) || !ioapic_init()) {
        pr_info("APIC: no MADT or I/O APIC: staying with the 8259 PIC, one CPU\n");
        return;
    }
    lapic_init_cpu();
    cpus[0].apic_id = lapic_id();
    // The IRQs the drivers registered move over, to the boot CPU; the PIC goes quiet.
    for (int irq = 0; irq < 16; irq++) {
        if (irq_registered(irq)) {
            pic_mask(irq);
            ioapic_route(irq, cpus[0].apic_id);
        }
    }
    pic_disable();
    apic_mode = true;
    pr_info("APIC: switched to the I/O APIC for IRQs; local APIC id %u at 0x%llx\n",
            cpus[0].apic_id, (unsigned long long)m->lapic_addr);
    lapic_timer_calibrate();
}

bool irq_apic_mode(void) { return apic_mode; }

void irq_eoi(int irq) {
    if (apic_mode)
        lapic_eoi();
    else
        pic_eoi(irq);
}

// ---------------------------------------------------------------- starting the other CPUs

struct trampoline_data { uint64_t cr3, efer, stack, entry, arg; };
extern const char trampoline_start[], trampoline_end[], trampoline_data[];

static void ap_entry(struct percpu *c) __attribute__((noreturn));
static void ap_entry(struct percpu *c) {
    percpu_init_cpu(c);                 // first: vm_switch notes its tables in *c
    vm_switch(NULL);                    // the kernel's own tables (the trampoline's are gone)
    write_cr0(bsp_cr0);
    write_cr4(bsp_cr4);
    wrmsr(0xc0000080, bsp_efer);
    gdt_init_cpu(c->id);                // (keeps the GS base)
    idt_load();
    syscall_init();
    lapic_init_cpu();
    lapic_timer_start();
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    scheduler();
}

// The trampoline's page tables: the kernel's half, plus the trampoline page at its own
// address (for the instant paging goes on). Must be below 4 GiB: the 32-bit code loads it.
static uint64_t *trampoline_pml4(void) {
    uint64_t *pml4 = vm_create();
    if (!pml4)
        return NULL;
    if (virt_to_phys(pml4) >= (1ull << 32) ||
        vm_map_page(pml4, TRAMPOLINE_PA, TRAMPOLINE_PA, VM_READ | VM_WRITE | VM_EXEC) != 0) {
        vm_destroy(pml4);
        return NULL;
    }
    return pml4;
}

// Once every AP that was started has come online, none uses the trampoline's tables any
// more (ap_entry's first act is to leave them). The trampoline page is not the allocator's:
// unmapped first, so that vm_destroy frees only the tables.
static void trampoline_free(uint64_t *pml4) {
    vm_unmap_page(pml4, TRAMPOLINE_PA);
    vm_destroy(pml4);
}

static uint64_t pages_in_use(void) { return nr_managed_pages() - nr_free_pages(); }

static bool start_cpu(struct percpu *c, uint64_t *pml4) {
    uint64_t stack = kstack_alloc();
    if (!stack)
        return false;
    struct trampoline_data *d = phys_to_virt(TRAMPOLINE_PA + (uint64_t)(trampoline_data - trampoline_start));
    d->cr3 = virt_to_phys(pml4);
    d->efer = bsp_efer & ((1u << 0) | (1u << 8) | (1u << 11));   // SCE, LME, NXE
    d->stack = stack;
    d->entry = (uint64_t)ap_entry;
    d->arg = (uint64_t)c;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    lapic_start_ap(c->apic_id, TRAMPOLINE_PA);
    for (int ms = 0; ms < 1000 && !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE); ms++)
        mdelay(1);
    return c->online;
}

void smp_boot(int maxcpus) {
    const struct acpi_madt *m = acpi_get_madt();
    int want = m->ncpus < MAX_CPUS ? m->ncpus : MAX_CPUS;
    if (maxcpus >= 0 && maxcpus < want)
        want = maxcpus;
    cpus[0].online = true;
    if (!apic_mode || want <= 1) {
        pr_info("smp: Bringing up secondary CPUs ...\n");
        pr_info("smp: Brought up 1 node, 1 CPU\n");
        pr_info("smpboot: Total of 1 processors activated\n");
        return;
    }
    uint64_t in_use = pages_in_use();
    bsp_cr0 = read_cr0();
    bsp_cr4 = read_cr4();
    bsp_efer = rdmsr(0xc0000080);
    memcpy(phys_to_virt(TRAMPOLINE_PA), trampoline_start, (size_t)(trampoline_end - trampoline_start));
    uint64_t *pml4 = trampoline_pml4();
    if (!pml4) {
        pr_warn("smp: no memory for the trampoline's page tables: one CPU\n");
        return;
    }
    pr_info("smp: Bringing up secondary CPUs ...\n");
    pr_info("x86: Booting SMP configuration:\n");
    int n = 1;
    bool failed = false;
    for (int i = 0; i < m->ncpus && n < want && !failed; i++) {
        if (m->apic_id[i] == cpus[0].apic_id)
            continue;
        struct percpu *c = &cpus[n];
        c->id = n;
        c->apic_id = m->apic_id[i];
        pr_info(".... node  #0, CPUs:    #%d\n", n);
        if (!start_cpu(c, pml4)) {
            pr_err("smpboot: CPU%d (APIC id %u) did not start\n", n, c->apic_id);
            failed = true;              // it may still wake up later, in the trampoline
            continue;
        }
        ncpus = ++n;                    // the scheduler may use it from now on
    }
    if (!failed)
        trampoline_free(pml4);
    // What stays is each AP's idle stack, for good (leakcheck.h: held, not leaked).
    leakcheck_hold(pages_in_use() - in_use);
    pr_info("x86: Booted up 1 node, %d CPUs\n", ncpus);
    pr_info("smpboot: Total of %d processors activated\n", ncpus);
}
