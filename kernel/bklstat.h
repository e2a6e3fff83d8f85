// bklstat.h: who holds the big kernel lock, and for how long (bklstat.c, /proc/bkl_stat).
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct percpu;

// Who holds it: a system call's number, an exception's or interrupt's vector after
// BKL_WHO_TRAP, the idle loop, the boot (kmain until the first scheduler pass), or a way
// in that does not say (the way back to user mode after a path without the lock).
#define BKL_WHO_TRAP  512
#define BKL_WHO_SCHED (BKL_WHO_TRAP + 256)
#define BKL_WHO_OTHER (BKL_WHO_SCHED + 1)
#define BKL_WHO_BOOT  (BKL_WHO_OTHER + 1)
#define BKL_WHO_MAX   (BKL_WHO_BOOT + 1)

extern bool bklstat_on;                  // boot with bkl_stat; read without a lock

void bklstat_enable(void);
void bklstat_taken(struct percpu *c);    // smp.c, under the BKL, interrupts off
void bklstat_released(struct percpu *c);
void bklstat_set_who(struct percpu *c, int who);
void bklstat_clear(void);
int bklstat_show(char *buf, size_t size);

void bklstat_set_who_here(int who);

// Charges the BKL's hold from now on to `who`, if counting: under the BKL, interrupts off,
// by the way in that took it (a nested entry - an interrupt in a system call - does not).
static inline void bkl_held_by(int who) {
    if (bklstat_on)
        bklstat_set_who_here(who);
}
