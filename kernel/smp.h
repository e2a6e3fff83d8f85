// smp.h: more than one CPU - bring-up, the big kernel lock, IPIs (see smp.c).
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "percpu.h"

// Switches the legacy IRQs from the 8259 PICs to the I/O APIC when the MADT has one (call
// once the IRQ handlers are registered, interrupts off); then every CPU's local APIC.
void apic_init(void);
// Starts the other CPUs (at most maxcpus in all; 0 or 1: none, as Linux's nosmp), each of
// which ends in the scheduler's idle loop. Call last, just before scheduler().
void smp_boot(int maxcpus);
void irq_eoi(int irq);
bool irq_apic_mode(void);               // legacy IRQs arrive through the I/O APIC                  // the PIC's or the local APIC's end-of-interrupt

// The big kernel lock (BKL): see smp.c. Every entry into the kernel takes it, every
// return to user mode lets it go, and so does a thread that switches away (sched.c).
void kernel_enter(void);
void kernel_exit(void);
void bkl_let_go_all(uint32_t *ipis);    // sched.c's switch away: all of it; IPIs owed to *ipis
void bkl_take_back(int depth, int who); // ... and after it, as deep (who: bklstat.c's)
// Around the part of a system call that needs it, for one that runs without (syscall.c's U).
void bkl_lock(void);
void bkl_unlock(void);
bool bkl_held(void);                    // by this CPU
// A stretch of work that needs nothing the BKL guards (freeing a dead address space's
// pages): bkl_drop turns interrupts off (*irq: how they were) and lets the lock go if this
// CPU holds it once, and says whether it did; bkl_retake(dropped, irq) undoes both. The
// caller holds no pointer into BKL-guarded data across.
bool bkl_drop(uint64_t *irq);
void bkl_retake(bool dropped, uint64_t irq);

// After changing page tables that other CPUs may have loaded (munmap, mprotect, COW, fork):
// makes every other CPU running on these page tables forget its cached translations - of
// the user range [start, end), or of all of them. When it returns, every other CPU has
// flushed, or is halted waiting for a lock and will flush before it touches user memory
// (smp.c's tlb_lazy) - for tlb_shootdown_range, which is therefore not for page tables
// about to be freed: tlb_shootdown waits for every CPU on them.
void tlb_shootdown_range(uint64_t *pml4, uint64_t start, uint64_t end);
void tlb_shootdown(uint64_t *pml4);     // the whole user half; page tables may be freed
void tlb_shootdown_kernel(void);        // a kernel (global) mapping changed: every CPU
void smp_handle_tlb_ipi(void);
// Flushes now if a shootdown is waiting for this CPU: for spin loops with interrupts off.
void smp_answer_shootdown(void);
// Waiting for a lock that may be held long, and the holder's wakeup of those who wait.
void smp_wait_unlocked(const volatile uint32_t *locked, volatile uint32_t *waiters);
void smp_wake_lock_waiters(volatile uint32_t *waiters);
// A process became runnable: choose a halted CPU it may run on (allowed: its cpus_allowed,
// 0 = any), returned as a mask for smp_send_reschedules, which the caller (sched.c, under
// the run queue's lock) sends when it lets go of that lock. 0: none is halted.
uint32_t smp_claim_idle_cpu(uint64_t allowed);
void smp_send_reschedules(uint32_t cpus_mask);
enum { IDLE_BUSY, IDLE_POLLING, IDLE_HALTED };
struct percpu;
void smp_idle_wait(struct percpu *c);   // sched.c's idle loop: poll a while, then halt
bool smp_kick_idle_cpu_on_release(uint64_t allowed);   // the same, IPI when the BKL is let go
void smp_kick_cpu(int id);              // a reschedule IPI to CPU id (not this one), running or not
void smp_stop_others(void);            // panic: halt every other CPU (by NMI)
bool smp_stopping(void);
void smp_note_pml4(uint64_t *pml4);    // this CPU now runs on these page tables
