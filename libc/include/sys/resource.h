// sys/resource.h: resource limits.
#pragma once
#include <sys/types.h>

typedef unsigned long rlim_t;
struct rlimit { rlim_t rlim_cur, rlim_max; };   // soft limit, hard limit

#define RLIM_INFINITY (~0UL)

#define RLIMIT_CPU        0    // seconds of CPU time
#define RLIMIT_FSIZE      1    // bytes in a file
#define RLIMIT_DATA       2    // bytes of data (heap and private mappings)
#define RLIMIT_STACK      3    // bytes of the main thread's stack
#define RLIMIT_CORE       4    // bytes of a core dump
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6    // processes of this user
#define RLIMIT_NOFILE     7    // open file descriptors: one more than the highest
#define RLIMIT_MEMLOCK    8    // bytes of locked memory
#define RLIMIT_AS         9    // bytes of address space
#define RLIMIT_LOCKS     10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE  12
#define RLIMIT_NICE      13
#define RLIMIT_RTPRIO    14
#define RLIMIT_RTTIME    15
#define RLIMIT_NLIMITS   16

int getrlimit(int resource, struct rlimit *rlim);
int setrlimit(int resource, const struct rlimit *rlim);
// Another process's limits (pid 0: this one): sets new_limit if not NULL, and stores the
// limit as it was before in old_limit if not NULL.
int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit);

// Nice values (-20, most favoured, to 19) of a process (a thread, by its id), a process
// group, or a user's processes; who 0 is the caller's own. getpriority returns the most
// favoured; -1 is also a valid nice value, so clear errno first to tell it from an error.
#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2
int getpriority(int which, id_t who);
int setpriority(int which, id_t who, int nice);
