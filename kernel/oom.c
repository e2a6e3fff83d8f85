// oom.c: the out-of-memory killer.
//
// Memory is handed out lazily (mm.c), so a process may fault on a page when none is left.
// Failing that fault would punish whoever happened to touch memory last - init, say, while a
// runaway process holds everything. As Linux does, the kernel instead picks the process whose
// death frees the most (its resident pages and page tables: Linux's oom_badness without
// oom_score_adj), kills it with SIGKILL, and lets the faulting process wait until the victim
// has exited and its pages are back; then the fault is tried again. Init is never chosen
// (Linux: is_global_init); if nothing else can go, the system is deadlocked on memory.
//
// The victim is a process (a thread group): SIGKILL goes to all its threads, and its memory
// comes back when the last of them lets go of the address space.
//
// State: victim_tgid, the process killed last and maybe still exiting. Touched only from
// process context (page faults, system calls), never from an interrupt handler; with SMP it
// needs a lock (Linux: oom_lock), and walking other processes' page tables needs their mm
// locked.
#include <stdbool.h>
#include <stdint.h>
#include "ksignal.h"
#include "memlayout.h"
#include "mm.h"
#include "oom.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "time.h"

#define OOM_WAIT_NS   (5ull * 1000 * 1000 * 1000)   // give up on a victim that will not go
#define OOM_POLL_NS   (10ull * 1000 * 1000)

static int victim_tgid;          // 0: none

static bool holds_memory(struct proc *p) {
    return p->state != PROC_UNUSED && p->state != PROC_ZOMBIE && p->state != PROC_DEAD && p->mm;
}

// Has the last victim let go of its memory (every thread exited, or at least dropped the
// mm)?
static bool victim_gone(void) {
    for (struct proc *t = proc_next(NULL); t && victim_tgid; t = proc_next(t)) {
        if (t->tgid == victim_tgid && holds_memory(t))
            return false;
    }
    return true;
}

static uint64_t badness(struct proc *p) {
    struct mm_usage u;
    mm_usage(p->mm, &u);
    return u.anon + u.shmem + u.tables;
}

// The process to kill: the one with the most memory, init never. A process that is dying
// already (SIGKILL pending: its memory is about to come back) is returned at once, with
// *dying set: Linux, too, waits for it rather than killing another.
static struct proc *choose_victim(bool *dying) {
    struct proc *chosen = NULL;
    uint64_t worst = 0;
    *dying = false;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (!holds_memory(p) || p->tgid == 1)
            continue;                        // (any thread stands for its process)
        if (fatal_signal_pending(p)) {
            *dying = true;
            return p;
        }
        uint64_t points = badness(p);
        if (!chosen || points > worst) {
            chosen = p;
            worst = points;
        }
    }
    return chosen;
}

#define K(pages) ((unsigned long long)(pages) * (PAGE_SIZE / 1024))

static void kill_victim(struct proc *v) {
    struct mm_usage u;
    mm_usage(v->mm, &u);
    victim_tgid = v->tgid;
    signal_send(v, SIGKILL, SI_KERNEL, 0, 0, 0);   // to every thread; wakes them
    // Linux's line, word for word. No files are mapped here (file-rss 0), everyone is
    // uid 0, and there is no oom_score_adj yet.
    pr_err("Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, "
           "file-rss:0kB, shmem-rss:%llukB, UID:0 pgtables:%llukB oom_score_adj:0\n",
           v->tgid, v->comm, K(u.total_vm), K(u.anon), K(u.shmem), K(u.tables));
}

// Waits a moment for the victim to run and exit. A sleep a signal cuts short becomes a
// yield, so that the victim still gets the CPU.
static void let_victim_run(void) {
    if (!sleep_until(time_since_boot_ns() + OOM_POLL_NS))
        yield();
}

bool oom_kill_and_wait(void) {
    struct proc *self = current();
    uint64_t deadline = time_since_boot_ns() + OOM_WAIT_NS;
    bool freeing = false;
    while (time_since_boot_ns() < deadline) {
        if (fatal_signal_pending(self))
            return false;                    // chosen (maybe while waiting): die
        // An address space being freed without the BKL (mm.c, at exit and exec), or the
        // pages of a munmap or madvise after its shootdown: they are on their way back.
        // Wait for them before judging, or a process would die for memory that was
        // already coming.
        if (mm_teardowns_running()) {
            freeing = true;
            let_victim_run();
            continue;
        }
        if (victim_gone()) {
            if (victim_tgid || freeing) {
                victim_tgid = 0;             // its pages are back: try again
                return true;
            }
            bool dying;
            struct proc *v = choose_victim(&dying);
            if (!v) {
                pr_warn("Out of memory and no killable processes...\n");
                panic("System is deadlocked on memory\n");
            }
            if (dying)
                victim_tgid = v->tgid;       // wait for it
            else
                kill_victim(v);
            if (v->tgid == self->tgid)
                return false;                // ourselves: give up and die
        }
        let_victim_run();
    }
    return false;    // the victim would not go: fail this attempt (the caller may retry)
}
