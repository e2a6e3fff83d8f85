// process.c: system calls about processes: identity, creation, ending, waiting, process
// groups and sessions, sending signals, and the machine-level ones (uname, arch_prctl,
// prctl, reboot). exec.c has execve; vfork.S vfork; signal.c handling signals.
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

// These cannot fail.
pid_t getpid(void)  { return (pid_t)sys0(SYS_getpid); }
pid_t getppid(void) { return (pid_t)sys0(SYS_getppid); }
uid_t getuid(void)  { return (uid_t)sys0(SYS_getuid); }
uid_t geteuid(void) { return (uid_t)sys0(SYS_geteuid); }
gid_t getgid(void)  { return (gid_t)sys0(SYS_getgid); }
gid_t getegid(void) { return (gid_t)sys0(SYS_getegid); }
pid_t gettid(void)  { return (pid_t)sys0(SYS_gettid); }

pid_t set_tid_address(int *tidptr)
{
    return (pid_t)sys1(SYS_set_tid_address, tidptr);
}

// The classic fork (57), not clone: the kernel needs no flags to interpret.
pid_t fork(void)
{
    return __syscall_ret(sys0(SYS_fork));
}

// exit_group ends every thread of the process; plain exit (60) would end only this one.
void _exit(int status)
{
    for (;;)
        sys1(SYS_exit_group, status);
}

unsigned int alarm(unsigned int seconds)
{
    return (unsigned int)sys1(SYS_alarm, seconds);
}

// pause returns only when a handler has run, so its only result is -1 with EINTR.
int pause(void)
{
    return __syscall_ret(sys0(SYS_pause));
}

int sched_yield(void)
{
    return __syscall_ret(sys0(SYS_sched_yield));
}

int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
    return __syscall_ret(sys3(SYS_sched_setscheduler, pid, policy, param));
}

int sched_getscheduler(pid_t pid)
{
    return __syscall_ret(sys1(SYS_sched_getscheduler, pid));
}

int sched_setparam(pid_t pid, const struct sched_param *param)
{
    return __syscall_ret(sys2(SYS_sched_setparam, pid, param));
}

int sched_getparam(pid_t pid, struct sched_param *param)
{
    return __syscall_ret(sys2(SYS_sched_getparam, pid, param));
}

int sched_get_priority_max(int policy)
{
    return __syscall_ret(sys1(SYS_sched_get_priority_max, policy));
}

int sched_get_priority_min(int policy)
{
    return __syscall_ret(sys1(SYS_sched_get_priority_min, policy));
}

int sched_rr_get_interval(pid_t pid, struct timespec *interval)
{
    return __syscall_ret(sys2(SYS_sched_rr_get_interval, pid, interval));
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    return __syscall_ret(sys4(SYS_wait4, pid, status, options, ru));
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
    return (int)__syscall_ret(sys4(SYS_waitid, idtype, id, info, options));
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
    return wait4(-1, status, 0, NULL);   // -1: any child
}

int kill(pid_t pid, int sig)
{
    return __syscall_ret(sys2(SYS_kill, pid, sig));
}

// glibc's check: a negative group would turn into a positive pid.
int killpg(pid_t pgrp, int sig)
{
    if (pgrp < 0) {
        errno = EINVAL;
        return -1;
    }
    return kill(-pgrp, sig);
}

int tgkill(pid_t tgid, pid_t tid, int sig)
{
    return __syscall_ret(sys3(SYS_tgkill, tgid, tid, sig));
}

// ---- process groups and sessions

int setpgid(pid_t pid, pid_t pgid)
{
    return __syscall_ret(sys2(SYS_setpgid, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
    return __syscall_ret(sys1(SYS_getpgid, pid));
}

pid_t getpgrp(void)
{
    return (pid_t)sys0(SYS_getpgrp);    // cannot fail
}

pid_t setsid(void)
{
    return __syscall_ret(sys0(SYS_setsid));
}

pid_t getsid(pid_t pid)
{
    return __syscall_ret(sys1(SYS_getsid, pid));
}

// ---- the machine, and the process's own settings

int uname(struct utsname *u)
{
    return __syscall_ret(sys1(SYS_uname, u));
}

int arch_prctl(int code, unsigned long addr)
{
    return __syscall_ret(sys2(SYS_arch_prctl, code, addr));
}

// Every option takes at most four more arguments; reading four whatever the option is
// harmless (see syscall() in syscall.c).
int prctl(int option, ...)
{
    va_list ap;
    unsigned long a[4];

    va_start(ap, option);
    for (int i = 0; i < 4; i++)
        a[i] = va_arg(ap, unsigned long);
    va_end(ap);
    return __syscall_ret(sys6(SYS_prctl, option, a[0], a[1], a[2], a[3], 0));
}

int reboot(int howto)
{
    return __syscall_ret(sys4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, howto, 0));
}
