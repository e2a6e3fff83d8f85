// random.c: a small pseudo-random generator (xorshift64*), good enough to make stack
// canaries and hash seeds differ from boot to boot; not good enough for keys.
#include <stddef.h>
#include <stdint.h>
#include "random.h"
#include "spinlock.h"
#include "x86.h"

// The generator's state. Its lock: exec draws its random layout without the BKL.
static struct spinlock lock = SPINLOCK_INIT("random");
static uint64_t state = 0x9e3779b97f4a7c15ull;

static int rdrand64(uint64_t *v) {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & (1u << 30)))
        return 0;
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok;
}

void random_init(void) {
    uint64_t seed;
    if (!rdrand64(&seed))
        seed = rdtsc();
    state ^= seed;
    if (!state)
        state = 1;   // xorshift must never reach 0
}

static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

void random_bytes(void *buf, size_t n) {
    unsigned char *p = buf;
    for (size_t i = 0; i < n; i += 8) {         // the lock for 8 bytes at a time: n may be large
        uint64_t flags = spin_lock_irqsave(&lock);
        state ^= rdtsc();   // a little fresh noise from the timing of the callers
        for (size_t j = i; j < n && j < i + 8; j++)
            p[j] = (unsigned char)(next() >> 56);
        spin_unlock_irqrestore(&lock, flags);
    }
}

uint64_t random_below(uint64_t n) {
    uint64_t v;
    random_bytes(&v, sizeof v);
    return v % n;            // the bias is below 2^-30 for the ranges asked here
}
