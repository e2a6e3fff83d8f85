// input.h: one queue of typed characters, fed by the keyboard and the serial line from
// their interrupt handlers and drained by whoever reads the console.
#pragma once
#include <stdbool.h>

void input_push(char c);     // from interrupt handlers; drops the byte when full
bool input_pop(char *c);     // false when empty
char input_wait(void);       // sleeps (interrupts on) until there is a character
