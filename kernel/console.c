// console.c: the list of consoles and the fan-out of kernel output to them.
//
// By default every console that registered gets everything, so a student sees the log on
// the screen and on the serial line at once. console=NAME (repeatable), as in Linux, keeps
// only the named ones.
#include <stddef.h>
#include <string.h>
#include "console.h"

static struct console *consoles;

void console_register(struct console *c) {
    c->enabled = true;
    c->next = NULL;
    struct console **pp = &consoles;   // append: registration order is output order
    while (*pp)
        pp = &(*pp)->next;
    *pp = c;
}

void console_write(const char *s, size_t n, int level) {
    for (struct console *c = consoles; c; c = c->next)
        if (c->enabled)
            c->write(s, n, level);
}

void console_scroll(int dir) {
    for (struct console *c = consoles; c; c = c->next)
        if (c->enabled && c->scroll)
            c->scroll(dir);
}

static struct console *find_console(const char *name) {
    for (struct console *c = consoles; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

// Linux also accepts options after a comma (console=ttyS0,115200n8); we take the name only.
static void console_name(const char *arg, char *out, size_t size) {
    size_t i = 0;
    while (arg[i] && arg[i] != ',' && i + 1 < size) {
        out[i] = arg[i];
        i++;
    }
    out[i] = '\0';
}

bool console_select(const char *const *names, int n) {
    bool all_known = true, any_selected = false;
    for (int i = 0; i < n; i++) {
        char name[16];
        console_name(names[i], name, sizeof name);
        if (!find_console(name))
            all_known = false;
        else
            any_selected = true;
    }
    if (!any_selected)
        return all_known;   // nothing usable named: keep every console rather than go dark
    for (struct console *c = consoles; c; c = c->next) {
        c->enabled = false;
        for (int i = 0; i < n; i++) {
            char name[16];
            console_name(names[i], name, sizeof name);
            if (strcmp(c->name, name) == 0)
                c->enabled = true;
        }
    }
    return all_known;
}
