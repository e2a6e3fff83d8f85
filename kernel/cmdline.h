// cmdline.h: the kernel command line, parsed the way Linux parses it.
//
// Words are separated by spaces; a value may be double-quoted (key="a b"). Parameters the
// kernel knows are consumed; the rest go to init as Linux hands them over: `key=value` words
// become environment variables, bare words become arguments, and everything after `--`
// becomes arguments unchanged.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "bootinfo.h"

#define CMDLINE_MAX_INIT_ARGS 32    // as Linux's MAX_INIT_ARGS
#define CMDLINE_MAX_INIT_ENVS 32    // as Linux's MAX_INIT_ENVS
#define CMDLINE_MAX_CONSOLES  4

struct kernel_params {
    const char *console[CMDLINE_MAX_CONSOLES];   // console=ttyS0 / console=tty0, in order
    int nr_consoles;
    bool quiet;
    int loglevel;            // -1 when not given
    int panic_timeout;       // seconds; 0 = wait forever (the default), < 0 = reboot at once
    const char *init;        // init=  (NULL when not given)
    const char *rdinit;      // rdinit=
    const char *ktest;       // ktest=  test-only: provoke a fault etc. (see tests/system)
    bool kmon;               // kmon: run the kernel monitor instead of init
    bool trace;              // trace: record kernel events (trace.h)
    bool bkl_stat;           // bkl_stat: count who holds the big kernel lock (bklstat.h)
    bool norandmaps;         // norandmaps: no address space randomisation (exec.c)
    bool leakcheck;          // leakcheck: test-only, count pages not freed (leakcheck.h)
    int maxcpus;             // maxcpus=N (nosmp: 0); -1 when not given: every CPU
    const char *init_argv[CMDLINE_MAX_INIT_ARGS + 1];   // NULL-terminated; argv[0] left to the caller
    int init_argc;
    const char *init_envp[CMDLINE_MAX_INIT_ENVS + 1];   // NULL-terminated
    int init_envc;
    int dropped;             // words dropped because argv or envp was full, or malformed
    char unknown[BOOTINFO_CMDLINE_MAX];   // the words passed to user space, space-separated
    char buf[BOOTINFO_CMDLINE_MAX];       // the tokens live here (NUL-separated)
};

// Parses `line` (NUL-terminated, any length: the copy is bounded) into `p`.
void cmdline_parse(struct kernel_params *p, const char *line);
