// process.c: system calls about processes: identity, creation, ending, signals, and the
// machine-level ones (uname, arch_prctl, reboot).
#include <signal.h>
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

pid_t set_tid_address(int *tidptr)
{
    return (pid_t)sys1(SYS_set_tid_address, tidptr);
}

// The classic fork (57), not clone: the kernel needs no flags to interpret.
pid_t fork(void)
{
    return __syscall_ret(sys0(SYS_fork));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return __syscall_ret(sys3(SYS_execve, path, argv, envp));
}

// exit_group ends every thread of the process; plain exit (60) would end only this one.
void _exit(int status)
{
    for (;;)
        sys1(SYS_exit_group, status);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    return __syscall_ret(sys4(SYS_wait4, pid, status, options, ru));
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

int raise(int sig)
{
    return kill(getpid(), sig);
}

int uname(struct utsname *u)
{
    return __syscall_ret(sys1(SYS_uname, u));
}

int arch_prctl(int code, unsigned long addr)
{
    return __syscall_ret(sys2(SYS_arch_prctl, code, addr));
}

int reboot(int howto)
{
    return __syscall_ret(sys4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, howto, 0));
}
