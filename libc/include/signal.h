// signal.h: signal numbers (Linux's) and sending signals. No handlers yet.
// The kernel uses the numbers from here too.
#pragma once

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGWINCH  28
#define SIGSYS    31
#define NSIG      65

#ifndef __KERNEL__
#include <sys/types.h>
int kill(pid_t pid, int sig);
int raise(int sig);    // kill(getpid(), sig)
#endif
