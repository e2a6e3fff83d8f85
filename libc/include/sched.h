// sched.h: the scheduler.
#pragma once
#include <sys/types.h>

// Give up the CPU: other runnable processes go first. Always succeeds.
int sched_yield(void);

// Scheduling policies, and the real-time priority (1..99) that FIFO and RR take.
#define SCHED_OTHER    0
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000     // or'ed into the policy: the children start normal
struct sched_param { int sched_priority; };
struct timespec;
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param);
int sched_getscheduler(pid_t pid);
int sched_setparam(pid_t pid, const struct sched_param *param);
int sched_getparam(pid_t pid, struct sched_param *param);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);
int sched_rr_get_interval(pid_t pid, struct timespec *interval);
