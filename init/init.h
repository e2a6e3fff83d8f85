// init.h: what init.c, inittab.c and supervise.c share: the table of things to run.
#pragma once
#include <stdbool.h>
#include <sys/types.h>

// The actions of busybox's inittab, in the order init.c runs them.
enum action {
    SYSINIT,       // at boot, one at a time, each to completion
    WAIT,          // the same, after every sysinit entry
    ONCE,          // started once, not waited for
    RESPAWN,       // started, and started again whenever it ends
    ASKFIRST,      // as respawn, after "Please press Enter to activate this console."
    SHUTDOWN,      // when the system goes down, one at a time, each to completion
    CTRLALTDEL,    // accepted, and ignored: Lantern has no Ctrl-Alt-Del signal yet
};

struct entry {
    enum action action;
    char tty[32];          // the id field: a terminal in /dev; "" means init's own console
    char command[256];     // a leading '-' runs a login shell: argv[0] "-sh"
    pid_t pid;             // running now, or 0
    long started;          // when it was started (ms, monotonic clock)
    long delay;            // respawn back-off (ms): grows while it dies at once
    bool waiting;          // ended; to be started again at restart_at
    long restart_at;
};

#define MAX_ENTRIES 32
extern struct entry inittab[MAX_ENTRIES];
extern int inittab_size;

// inittab.c
bool inittab_read(const char *path);         // false when there is no such file
void inittab_add(enum action action, const char *tty, const char *command);

// supervise.c
extern volatile int shutdown_signal;         // SIGUSR2, SIGTERM, SIGUSR1 once one came
void catch_signals(void);
void run(const char *command);               // run one command to completion
void run_all(enum action action);            // every entry of that action, one at a time
void start_all(enum action action);          // every entry of that action, all at once
int supervise(void);                         // returns when a shutdown signal came
__attribute__((noreturn)) void go_down(int sig);
