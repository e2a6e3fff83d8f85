// input.h: one queue of typed characters, fed by the keyboard and the serial line from
// their interrupt handlers and drained by whoever reads the console.
#pragma once
#include <stdbool.h>
#include <stddef.h>

void input_push(char c);     // from interrupt handlers; drops the byte when full
bool input_pop(char *c);     // false when empty
bool input_empty(void);
bool input_contains(const char *chars, size_t n);   // is one of chars[0..n) queued?
char input_wait(void);       // sleeps (interrupts on) until there is a character
