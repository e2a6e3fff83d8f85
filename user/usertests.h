// usertests.h: what the parts of /bin/usertests (user/usertests*.c) share.
//
// Each test is a function run in a forked child of the harness (usertests.c). It returns
// to pass; fail() prints "FAIL NAME: why" and ends the child with status 1. A test that
// crashes fails alone: the harness reports the signal.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SYS_sysinfo_   99
#define SYS_setrlimit_ 160

// struct sysinfo as Linux x86_64 lays it out (our libc has no sys/sysinfo.h).
struct ut_sysinfo {
    long uptime;
    unsigned long loads[3];
    unsigned long totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned long totalhigh, freehigh;
    unsigned int mem_unit;
    char reserved[4];
};

extern const char *ut_name;     // the test running now
extern const char *ut_self;     // our own path, for re-executing ourselves
extern pid_t ut_reaper;         // who orphans go to: 1 on Lantern, the harness on the host
extern int ut_lantern;          // the harness is PID 1: we are Lantern's init

__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);
#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

// Waits for pid and returns its wait status (fails the test if waitpid fails).
int wait_for(pid_t pid);
// Forks; the child runs fn and exits 0; returns the child's wait status.
int in_child(void (*fn)(void));
// "exited 3", "killed by signal 11": for messages.
const char *describe(int status);
unsigned long total_ram_bytes(void);

// usertests_mem.c
void t_badptr(void);
void t_badptr_exec(void);
void t_faults(void);
void t_kernel_read(void);
void t_stack_guard(void);
void t_brk(void);
void t_oom(void);
void t_mmap_huge(void);
void t_cow(void);
// usertests_proc.c
void t_fork_storm(void);
void t_exec_storm(void);
void t_reparent(void);
void t_subreaper(void);
void t_signals(void);
void t_sigkill(void);
void t_sigblock(void);
void t_exec_args(void);
void t_nproc(void);
void t_cloexec(void);
int argcheck_main(int argc, char **argv);
int fdcheck_main(int argc, char **argv);
// usertests_limits.c
void t_fds_4000(void);
void t_forks_cow(void);
void t_procs_5000(void);
void t_highmem(void);
void t_oom_threads(void);
// usertests_io.c
void t_pipe_1mb(void);
void t_pipe_eof(void);
void t_epipe(void);
void t_files(void);
void t_dup2(void);
void t_devices(void);
void t_proc(void);
void t_proc_links(void);
void t_slabinfo(void);
