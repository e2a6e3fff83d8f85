// bklstat.c: who holds the big kernel lock, and for how long - /proc/bkl_stat.
//
// Taking the BKL off a path (docs/smp.md) is worth it only where the lock is held long, or
// often: this is how to see where. Boot with `bkl_stat` on the command line, run a
// workload, and read /proc/bkl_stat: for each holder - a system call by name, an exception
// or interrupt by vector, the scheduler's idle loop - how many holds ended in it, and the
// cycles of the TSC it held the lock for. Writing 0 to the file clears the counts, as
// Linux's /proc/lock_stat (CONFIG_LOCK_STAT) does for every lock class.
//
// A hold is charged to whoever holds the lock at each moment: the system call or trap
// that took it, the idle loop while it frees an exited thread's slot (sched.c), and, when
// a thread comes back from a sleep inside a system call, that call again (sched.c's
// switched_in).
// A call that lets the lock go for a while (bkl_drop) takes up its own account again when
// it has it back.
//
// Locking: the counts are the BKL's - only the CPU holding it adds to them, or reads them
// (/proc is read under the BKL), so they need no lock of their own. Each CPU's current
// holder and the time it started are in its percpu (bkl_who, bkl_since).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "bklstat.h"
#include "lapic.h"
#include "percpu.h"
#include "syscall.h"
#include "time.h"
#include "trap.h"
#include "x86.h"

bool bklstat_on;

static uint64_t cycles[BKL_WHO_MAX], holds[BKL_WHO_MAX];

void bklstat_enable(void) { bklstat_on = true; }

static void charge(struct percpu *c, uint64_t now) {
    cycles[c->bkl_who] += now - c->bkl_since;
    c->bkl_since = now;
}

void bklstat_taken(struct percpu *c) {
    c->bkl_who = BKL_WHO_OTHER;
    c->bkl_since = rdtsc();
}

void bklstat_set_who(struct percpu *c, int who) {
    if (who < 0 || who >= BKL_WHO_MAX)
        who = BKL_WHO_OTHER;
    charge(c, rdtsc());
    c->bkl_who = who;
}

void bklstat_set_who_here(int who) { bklstat_set_who(this_cpu(), who); }

void bklstat_released(struct percpu *c) {
    charge(c, rdtsc());
    holds[c->bkl_who]++;
}

void bklstat_clear(void) {
    for (int i = 0; i < BKL_WHO_MAX; i++)
        cycles[i] = holds[i] = 0;
    for_each_online_cpu(c)
        c->bkl_since = rdtsc();          // (each CPU's hold in progress starts over)
}

static int who_name(int who, char *buf, size_t size) {
    if (who < BKL_WHO_TRAP)
        return snprintf(buf, size, "%s", syscall_name((uint64_t)who));
    if (who == BKL_WHO_SCHED)
        return snprintf(buf, size, "(scheduler)");
    if (who == BKL_WHO_OTHER)
        return snprintf(buf, size, "(other)");
    if (who == BKL_WHO_BOOT)
        return snprintf(buf, size, "(boot)");
    int v = who - BKL_WHO_TRAP;
    if (v < 32)
        return snprintf(buf, size, "#%s", trap_name((uint64_t)v));
    if (v >= IRQ_BASE && v < IRQ_BASE + 16)
        return snprintf(buf, size, "#IRQ %d", v - IRQ_BASE);
    if (v == T_WAKE_TIMER)
        return snprintf(buf, size, "#wake timer");
    return snprintf(buf, size, "#vector %#x", v);
}

// The holders, most cycles first: a table the size of BKL_WHO_MAX is small enough to
// sort by picking the largest left each time (a few hundred rows at most shown).
int bklstat_show(char *buf, size_t size) {
    if (!bklstat_on)
        return snprintf(buf, size, "bkl_stat: off (boot with 'bkl_stat' on the command line)\n");
    int n = snprintf(buf, size, "%-24s %10s %14s %10s\n", "held by", "holds", "cycles",
                     "per hold");
    static bool shown[BKL_WHO_MAX];      // (BKL: one reader at a time)
    uint64_t total = 0, total_holds = 0;
    for (int i = 0; i < BKL_WHO_MAX; i++) {
        shown[i] = false;
        total += cycles[i];
        total_holds += holds[i];
    }
    for (;;) {
        int best = -1;
        for (int i = 0; i < BKL_WHO_MAX; i++)
            if (!shown[i] && cycles[i] && (best < 0 || cycles[i] > cycles[best]))
                best = i;
        if (best < 0 || n >= (int)size)
            break;
        shown[best] = true;
        char name[32];
        who_name(best, name, sizeof name);
        n += snprintf(buf + n, size - (size_t)n, "%-24s %10llu %14llu %10llu\n", name,
                      (unsigned long long)holds[best], (unsigned long long)cycles[best],
                      (unsigned long long)(holds[best] ? cycles[best] / holds[best] : 0));
    }
    if (n < (int)size)
        n += snprintf(buf + n, size - (size_t)n, "%-24s %10llu %14llu\n", "total",
                      (unsigned long long)total_holds, (unsigned long long)total);
    return n < (int)size ? n : (int)size - 1;
}
