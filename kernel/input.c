// input.c: a ring buffer between the input interrupts (producers) and the console reader
// (consumer). Interrupts are off while it is touched, so producer and consumer never
// interleave on this single CPU; with SMP this gets a spinlock.
#include <stdbool.h>
#include <stdint.h>
#include "input.h"
#include "x86.h"

#define INPUT_SIZE 256   // a power of two, so the free-running indices wrap cleanly

static char buf[INPUT_SIZE];
static uint32_t head, tail;   // invariant: tail <= head <= tail + INPUT_SIZE (mod 2^32)

void input_push(char c) {
    uint64_t f = local_irq_save();
    if (head - tail < INPUT_SIZE)
        buf[head++ % INPUT_SIZE] = c;
    local_irq_restore(f);
}

bool input_pop(char *c) {
    uint64_t f = local_irq_save();
    bool have = head != tail;
    if (have)
        *c = buf[tail++ % INPUT_SIZE];
    local_irq_restore(f);
    return have;
}

bool input_empty(void) {
    return head == tail;
}

bool input_contains(const char *chars, size_t n) {
    uint64_t f = local_irq_save();
    bool found = false;
    for (uint32_t i = tail; i != head && !found; i++)
        for (size_t k = 0; k < n; k++)
            found |= buf[i % INPUT_SIZE] == chars[k];
    local_irq_restore(f);
    return found;
}

// Waits for the next character. The check and the sleep must not be split by an interrupt
// (a key arriving in between would be left waiting), hence "cli; check; sti; hlt", where
// sti takes effect only after hlt has started. With a scheduler this becomes a wait queue.
char input_wait(void) {
    char c;
    for (;;) {
        cli();
        if (input_pop(&c)) {
            sti();
            return c;
        }
        sti_hlt();
    }
}
