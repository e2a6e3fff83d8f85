// random.h: random bytes for AT_RANDOM and getrandom(). Not cryptographic: seeded from
// RDRAND where the CPU has it and the TSC otherwise, stretched with xorshift.
#pragma once
#include <stddef.h>
#include <stdint.h>
void random_init(void);
void random_bytes(void *buf, size_t n);
uint64_t random_below(uint64_t n);   // uniform enough in [0, n), n > 0
