// inittab.c: reading /etc/inittab, in busybox's format. One entry a line:
//
//     id:runlevels:action:process
//
//     id         the terminal to run on, in /dev (console, ttyS0); empty: init's own console
//     runlevels  ignored, as busybox ignores it
//     action     sysinit, wait, once, respawn, askfirst, shutdown, ctrlaltdel
//     process    the command; a leading '-' makes it a login shell ("-/bin/sh": argv[0] "-sh")
//
// Lines starting with '#', and empty lines, are skipped. A bad line is reported and skipped.
#include <stdio.h>
#include <string.h>

#include "init.h"

struct entry inittab[MAX_ENTRIES];
int inittab_size;

static const char *const action_names[] = {
    [SYSINIT] = "sysinit", [WAIT] = "wait", [ONCE] = "once", [RESPAWN] = "respawn",
    [ASKFIRST] = "askfirst", [SHUTDOWN] = "shutdown", [CTRLALTDEL] = "ctrlaltdel",
};

void inittab_add(enum action action, const char *tty, const char *command)
{
    if (inittab_size == MAX_ENTRIES) {
        printf("init: more than %d inittab entries; ignoring \"%s\"\n", MAX_ENTRIES, command);
        return;
    }
    struct entry *e = &inittab[inittab_size++];
    memset(e, 0, sizeof *e);
    e->action = action;
    strlcpy(e->tty, tty, sizeof e->tty);
    strlcpy(e->command, command, sizeof e->command);
}

// Cuts the next ':'-ended field off *line; NULL if there is no ':'.
static char *field(char **line)
{
    char *start = *line, *colon = strchr(start, ':');
    if (colon == NULL)
        return NULL;
    *colon = '\0';
    *line = colon + 1;
    return start;
}

bool inittab_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char buf[512];
    for (int lineno = 1; fgets(buf, sizeof buf, f) != NULL; lineno++) {
        buf[strcspn(buf, "\r\n")] = '\0';
        char *line = buf + strspn(buf, " \t");
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *id = field(&line), *runlevels = field(&line), *action = field(&line);
        char *command = line + strspn(line, " \t");    // the rest, ':'s and all
        (void)runlevels;
        if (action == NULL || command[0] == '\0') {
            printf("init: %s:%d: not id:runlevels:action:process\n", path, lineno);
            continue;
        }
        int a = 0, n = sizeof action_names / sizeof action_names[0];
        while (a < n && strcmp(action, action_names[a]) != 0)
            a++;
        if (a == n)
            printf("init: %s:%d: unknown action \"%s\"\n", path, lineno, action);
        else
            inittab_add((enum action)a, id, command);
    }
    fclose(f);
    return true;
}
