// syscall.h: every system call the kernel implements, by its Linux x86_64 number.
// Each takes up to six integer arguments (rdi, rsi, rdx, r10, r8, r9) and returns a value
// or a negative errno, exactly as the `syscall` instruction's caller sees it.
#pragma once
#include <stdint.h>

#define SYSCALL_VECTOR 0x100   // tf->vector of a frame built by syscall_entry.asm

typedef uint64_t u64;
#define SYSARG __attribute__((unused)) u64
#define SYSCALL(name) \
    long sys_##name(SYSARG a0, SYSARG a1, SYSARG a2, SYSARG a3, SYSARG a4, SYSARG a5)

void syscall_init(void);
const char *syscall_name(uint64_t nr);

// sys_file.c
SYSCALL(read); SYSCALL(write); SYSCALL(readv); SYSCALL(writev); SYSCALL(open); SYSCALL(openat);
SYSCALL(close); SYSCALL(lseek); SYSCALL(fstat); SYSCALL(stat); SYSCALL(lstat);
SYSCALL(newfstatat); SYSCALL(getdents64); SYSCALL(ioctl); SYSCALL(access); SYSCALL(readlink);
SYSCALL(getcwd); SYSCALL(chdir); SYSCALL(dup); SYSCALL(dup2); SYSCALL(dup3); SYSCALL(fcntl);
SYSCALL(pread64); SYSCALL(mkdir); SYSCALL(mkdirat); SYSCALL(unlink); SYSCALL(rmdir);
SYSCALL(unlinkat); SYSCALL(symlink); SYSCALL(symlinkat); SYSCALL(link); SYSCALL(linkat);
SYSCALL(rename); SYSCALL(renameat); SYSCALL(renameat2);
SYSCALL(sendfile); SYSCALL(faccessat); SYSCALL(faccessat2);
// sys_attr.c
SYSCALL(umask); SYSCALL(chmod); SYSCALL(fchmod); SYSCALL(fchmodat); SYSCALL(chown);
SYSCALL(fchown); SYSCALL(lchown); SYSCALL(fchownat); SYSCALL(utimensat); SYSCALL(utimes);
SYSCALL(futimesat); SYSCALL(utime); SYSCALL(truncate); SYSCALL(ftruncate); SYSCALL(statfs);
SYSCALL(fstatfs); SYSCALL(mknod); SYSCALL(mknodat);
// mount.c, sys_proc.c
SYSCALL(umount2); SYSCALL(sethostname);
// sys_mem.c
SYSCALL(brk); SYSCALL(mmap); SYSCALL(munmap); SYSCALL(mprotect); SYSCALL(msync); SYSCALL(madvise); SYSCALL(mincore);
// sys_proc.c
SYSCALL(getpid); SYSCALL(getppid); SYSCALL(gettid); SYSCALL(uname); SYSCALL(arch_prctl);
SYSCALL(set_tid_address); SYSCALL(exit); SYSCALL(exit_group); SYSCALL(reboot);
SYSCALL(sched_yield); SYSCALL(getrandom);
SYSCALL(pause); SYSCALL(kill); SYSCALL(tkill); SYSCALL(tgkill); SYSCALL(setpgid); SYSCALL(getpgrp); SYSCALL(setsid);
SYSCALL(getpgid); SYSCALL(getsid); SYSCALL(membarrier); SYSCALL(prctl); SYSCALL(sysinfo); SYSCALL(getrusage); SYSCALL(syslog); SYSCALL(mount);
// sys_limits.c
SYSCALL(getrlimit); SYSCALL(setrlimit); SYSCALL(prlimit64);
SYSCALL(sched_getaffinity); SYSCALL(sched_setaffinity); SYSCALL(getcpu);
// sys_time.c
SYSCALL(clock_gettime); SYSCALL(clock_getres); SYSCALL(clock_settime); SYSCALL(clock_nanosleep);
SYSCALL(nanosleep); SYSCALL(gettimeofday); SYSCALL(settimeofday); SYSCALL(time);
// signal.c, fork.c, exit.c, exec.c, pipe.c
SYSCALL(rt_sigaction); SYSCALL(rt_sigprocmask); SYSCALL(rt_sigreturn); SYSCALL(rt_sigpending);
SYSCALL(rt_sigsuspend); SYSCALL(rt_sigtimedwait); SYSCALL(rt_sigqueueinfo);
SYSCALL(rt_tgsigqueueinfo); SYSCALL(sigaltstack);
SYSCALL(fork); SYSCALL(vfork); SYSCALL(clone); SYSCALL(clone3); SYSCALL(wait4); SYSCALL(waitid);
SYSCALL(execve);
// cred.c
SYSCALL(getuid); SYSCALL(geteuid); SYSCALL(getgid); SYSCALL(getegid); SYSCALL(setuid);
SYSCALL(setgid); SYSCALL(setreuid); SYSCALL(setregid); SYSCALL(setresuid); SYSCALL(setresgid);
SYSCALL(getresuid); SYSCALL(getresgid); SYSCALL(setfsuid); SYSCALL(setfsgid);
SYSCALL(getgroups); SYSCALL(setgroups);
// futex.c
SYSCALL(futex); SYSCALL(set_robust_list); SYSCALL(get_robust_list);
SYSCALL(pipe); SYSCALL(pipe2);
// poll.c, epoll.c, eventfd.c
SYSCALL(poll); SYSCALL(ppoll); SYSCALL(select); SYSCALL(pselect6);
SYSCALL(epoll_create); SYSCALL(epoll_create1); SYSCALL(epoll_ctl); SYSCALL(epoll_wait);
SYSCALL(epoll_pwait); SYSCALL(epoll_pwait2); SYSCALL(eventfd); SYSCALL(eventfd2);

