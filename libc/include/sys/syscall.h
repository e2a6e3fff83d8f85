// sys/syscall.h: Linux x86_64 system call numbers, and the raw way to make a call.
//
// The ABI: the number goes in rax, up to six arguments in rdi, rsi, rdx, r10, r8, r9, and
// the `syscall` instruction returns the result in rax. It clobbers rcx (the return address)
// and r11 (the saved rflags). A result in [-4095, -1] is an error: -errno.
// Only the calls this libc uses, plus a few neighbours, are listed; the numbers are Linux's.
#pragma once

#define SYS_read            0
#define SYS_write           1
#define SYS_open            2
#define SYS_close           3
#define SYS_stat            4
#define SYS_fstat           5
#define SYS_lstat           6
#define SYS_poll            7
#define SYS_lseek           8
#define SYS_mmap            9
#define SYS_mprotect       10
#define SYS_munmap         11
#define SYS_brk            12
#define SYS_rt_sigaction   13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn   15
#define SYS_ioctl          16
#define SYS_pread64        17
#define SYS_msync          26
#define SYS_pwrite64       18
#define SYS_readv          19
#define SYS_writev         20
#define SYS_access         21
#define SYS_pipe           22
#define SYS_select        23
#define SYS_sched_yield    24
#define SYS_mincore        27
#define SYS_madvise        28
#define SYS_dup            32
#define SYS_dup2           33
#define SYS_pause          34
#define SYS_nanosleep      35
#define SYS_getpid         39
#define SYS_clone          56
#define SYS_fork           57
#define SYS_vfork          58
#define SYS_execve         59
#define SYS_exit           60
#define SYS_wait4          61
#define SYS_kill           62
#define SYS_uname          63
#define SYS_fcntl          72
#define SYS_getcwd         79
#define SYS_chdir          80
#define SYS_rename         82
#define SYS_mkdir          83
#define SYS_rmdir          84
#define SYS_link           86
#define SYS_unlink         87
#define SYS_symlink        88
#define SYS_readlink       89
#define SYS_gettimeofday  96
#define SYS_getrlimit      97
#define SYS_getuid        102
#define SYS_syslog        103
#define SYS_getgid        104
#define SYS_geteuid       107
#define SYS_getegid       108
#define SYS_setpgid       109
#define SYS_getppid       110
#define SYS_setuid        105
#define SYS_setgid        106
#define SYS_setreuid      113
#define SYS_setregid      114
#define SYS_getgroups     115
#define SYS_setgroups     116
#define SYS_setresuid     117
#define SYS_getresuid     118
#define SYS_setresgid     119
#define SYS_getresgid     120
#define SYS_setfsuid      122
#define SYS_setfsgid      123
#define SYS_getpgrp       111
#define SYS_setsid        112
#define SYS_getpgid       121
#define SYS_getsid        124
#define SYS_rt_sigpending 127
#define SYS_rt_sigqueueinfo 129
#define SYS_rt_sigsuspend 130
#define SYS_sigaltstack   131
#define SYS_prctl         157
#define SYS_arch_prctl    158
#define SYS_setrlimit     160
#define SYS_settimeofday  164
#define SYS_mount         165
#define SYS_umount2       166
#define SYS_reboot        169
#define SYS_gettid        186
#define SYS_tkill         200
#define SYS_time          201
#define SYS_sched_setaffinity 203
#define SYS_sched_getaffinity 204
#define SYS_epoll_create  213
#define SYS_getdents64    217
#define SYS_set_tid_address 218
#define SYS_clock_settime 227
#define SYS_clock_gettime 228
#define SYS_clock_getres  229
#define SYS_clock_nanosleep 230
#define SYS_exit_group    231
#define SYS_epoll_wait    232
#define SYS_epoll_ctl     233
#define SYS_tgkill        234
#define SYS_waitid        247
#define SYS_openat        257
#define SYS_mkdirat       258
#define SYS_newfstatat    262
#define SYS_unlinkat      263
#define SYS_pselect6      270
#define SYS_ppoll         271
#define SYS_epoll_pwait   281
#define SYS_eventfd       284
#define SYS_eventfd2      290
#define SYS_epoll_create1 291
#define SYS_pipe2         293
#define SYS_prlimit64     302
#define SYS_getcpu        309
#define SYS_epoll_pwait2  441

#ifndef __ASSEMBLER__
// Make system call n and return what the kernel returned: a result, or -errno. errno is
// not touched. Unused arguments may be anything; the libc wrappers pass 0.
long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
#endif
