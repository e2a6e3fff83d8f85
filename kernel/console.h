// console.h: where kernel messages go. A console is anything that can show text: the serial
// port, the VGA screen. printk() writes every line to every enabled console.
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct console {
    const char *name;                                   // as console= spells it: ttyS0, tty0
    void (*write)(const char *s, size_t n, int level);  // level colours the text, if it can
    // Scrollback, for screens that keep history (NULL for the others): dir 1 looks half a
    // screen further back (Shift+PageUp, as Linux), -1 half a screen forward
    // (Shift+PageDown), 0 returns to the live screen.
    void (*scroll)(int dir);
    bool enabled;
    struct console *next;
};

void console_register(struct console *c);
void console_write(const char *s, size_t n, int level);
void console_scroll(int dir);   // on every enabled screen (see struct console)
// console= on the command line: only the named consoles stay enabled. Returns false for a
// name no registered console has.
bool console_select(const char *const *names, int n);
