// fuzz_calls.c: the system calls the fuzzer makes, each with a recipe for its arguments.
//
// The table lists the calls Lantern implements (kernel/syscall.c's table), by Linux's
// x86_64 numbers. A recipe is six argument kinds; each kind is a generator in fuzz_args.c.
// A few calls cannot simply be made with random arguments without ending the worker on
// purpose; they have a wrapper instead (the "special" kinds):
//   fork, vfork, clone, clone3   the child exits at once, in assembly, touching no memory
//   execve                       only /bin/true (with bad argv/envp too), in a child
//   exit, exit_group             in a child
//   rt_sigreturn                 in a child, with a random frame on its stack
// Left out on purpose: reboot (169), and mount with a file system type that exists (there
// is no umount, so every mount would stay).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

enum kind {
    Z,            // 0
    INT, FD, NEWFD, DIRFD, ADIRFD, PATH, SPATH, CPATH, LTARGET, BUF, LEN, OFF, IOV, IOVCNT,
    SIGACT, SIGSET, SSZ, SIGINFO, STACK, TS, SIG, PID, OFLAGS, MODE, MADDR, MPROT, MFLAGS,
    WHENCE, FCNTL, IOCTL, FUTEXOP, PRCTL, ARCHPRCTL, WAITOPT, IDTYPE, CLOCK, SYSLOG,
    ATFLAGS, WHO, SIGHOW, RENAMEF, GRNDF, MSFLAGS, FSTYPE, PIPEF, DUPF, ACCMODE, ROBUST,
    UID, NGROUPS, RLIMRES, RLIMIT, MADVICE, CPUSETLEN, MSYNCF,
    POLLFDS, NFDS, PTIMEOUT, FDSET, EPOLLOP, EPEVENT, MAXEV, EFDFLAGS, TIMERF, MEMBCMD,
    LOCKCMD, FLOCKP, FLOCKOP, DOMAIN, SOCKTYPE, SOCKPROTO, MSGHDR, MSGFLAGS, SHUTHOW,
    SOCKLEVEL, SOCKOPT, OPTLENP, OFFP, SPLICEF, SFD, SFDFLAGS, SOCKADDR, ADDRLEN,
    MQNAME, MQATTR, FALLOCM,
    // Specials: the call is made by a wrapper
    SPAWN, SPAWN3, EXEC, EXIT, SIGRETURN,
};

struct recipe {
    short nr;
    const char *name;
    unsigned char arg[6];
};

#define R(nr, name, ...) { nr, #name, { __VA_ARGS__ } }
static const struct recipe recipes[] = {
    R(0, read, FD, BUF, LEN),
    R(1, write, FD, BUF, LEN),
    R(2, open, PATH, OFLAGS, MODE),
    R(3, close, FD),
    R(4, stat, PATH, BUF),
    R(5, fstat, FD, BUF),
    R(6, lstat, PATH, BUF),
    R(7, poll, POLLFDS, NFDS, PTIMEOUT),
    R(8, lseek, FD, OFF, WHENCE),
    R(9, mmap, MADDR, LEN, MPROT, MFLAGS, FD, OFF),
    R(10, mprotect, MADDR, LEN, MPROT),
    R(11, munmap, MADDR, LEN),
    R(12, brk, INT),
    R(13, rt_sigaction, SIG, SIGACT, BUF, SSZ),
    R(14, rt_sigprocmask, SIGHOW, SIGSET, BUF, SSZ),
    R(15, rt_sigreturn, SIGRETURN),
    R(16, ioctl, FD, IOCTL, BUF),
    R(17, pread64, FD, BUF, LEN, OFF),
    R(18, pwrite64, FD, BUF, LEN, OFF),
    R(19, readv, FD, IOV, IOVCNT),
    R(20, writev, FD, IOV, IOVCNT),
    R(21, access, PATH, ACCMODE),
    R(22, pipe, BUF),
    R(23, select, NFDS, FDSET, FDSET, FDSET, TS),
    R(24, sched_yield),
    R(26, msync, MADDR, LEN, MSYNCF),
    R(27, mincore, MADDR, LEN, BUF),
    R(28, madvise, MADDR, LEN, MADVICE),
    R(32, dup, FD),
    R(33, dup2, FD, NEWFD),
    R(34, pause),
    R(35, nanosleep, TS, BUF),
    R(36, getitimer, INT, BUF),
    R(37, alarm, INT),
    R(38, setitimer, INT, BUF, BUF),
    R(39, getpid),
    R(41, socket, DOMAIN, SOCKTYPE, SOCKPROTO),
    R(42, connect, FD, SOCKADDR, ADDRLEN),
    R(43, accept, FD, BUF, OPTLENP),
    R(44, sendto, FD, BUF, LEN, MSGFLAGS, SOCKADDR, ADDRLEN),
    R(45, recvfrom, FD, BUF, LEN, MSGFLAGS, BUF, OPTLENP),
    R(46, sendmsg, FD, MSGHDR, MSGFLAGS),
    R(47, recvmsg, FD, MSGHDR, MSGFLAGS),
    R(48, shutdown, FD, SHUTHOW),
    R(49, bind, FD, SOCKADDR, ADDRLEN),
    R(50, listen, FD, INT),
    R(51, getsockname, FD, BUF, OPTLENP),
    R(52, getpeername, FD, BUF, OPTLENP),
    R(53, socketpair, DOMAIN, SOCKTYPE, SOCKPROTO, BUF),
    R(54, setsockopt, FD, SOCKLEVEL, SOCKOPT, BUF, INT),
    R(55, getsockopt, FD, SOCKLEVEL, SOCKOPT, BUF, OPTLENP),
    R(56, clone, SPAWN),
    R(57, fork, SPAWN),
    R(58, vfork, SPAWN),
    R(59, execve, EXEC),
    R(60, exit, EXIT),
    R(61, wait4, PID, BUF, WAITOPT, BUF),
    R(62, kill, PID, SIG),
    R(63, uname, BUF),
    R(72, fcntl, FD, FCNTL, INT),
    R(72, fcntl, FD, LOCKCMD, FLOCKP),      // the lock commands, with a struct flock
    R(73, flock, FD, FLOCKOP),
    R(74, fsync, FD),
    R(75, fdatasync, FD),
    R(79, getcwd, BUF, LEN),
    R(78, getdents, FD, BUF, LEN),
    R(80, chdir, CPATH),
    R(81, fchdir, DIRFD),
    R(85, creat, SPATH, MODE),
    R(82, rename, SPATH, SPATH),
    R(83, mkdir, SPATH, MODE),
    R(84, rmdir, SPATH),
    R(86, link, SPATH, SPATH),
    R(87, unlink, SPATH),
    R(88, symlink, LTARGET, SPATH),
    R(89, readlink, PATH, BUF, LEN),
    R(96, gettimeofday, BUF, BUF),
    R(97, getrlimit, RLIMRES, BUF),
    R(98, getrusage, WHO, BUF),
    R(99, sysinfo, BUF),
    R(102, getuid),
    R(103, syslog, SYSLOG, BUF, LEN),
    R(104, getgid),
    R(105, setuid, UID),
    R(106, setgid, UID),
    R(107, geteuid),
    R(108, getegid),
    R(109, setpgid, PID, PID),
    R(110, getppid),
    R(111, getpgrp),
    R(112, setsid),
    R(113, setreuid, UID, UID),
    R(114, setregid, UID, UID),
    R(115, getgroups, NGROUPS, BUF),
    R(116, setgroups, NGROUPS, BUF),
    R(117, setresuid, UID, UID, UID),
    R(118, getresuid, BUF, BUF, BUF),
    R(119, setresgid, UID, UID, UID),
    R(120, getresgid, BUF, BUF, BUF),
    R(121, getpgid, PID),
    R(122, setfsuid, UID),
    R(123, setfsgid, UID),
    R(124, getsid, PID),
    R(127, rt_sigpending, BUF, SSZ),
    R(128, rt_sigtimedwait, SIGSET, BUF, TS, SSZ),
    R(129, rt_sigqueueinfo, PID, SIG, SIGINFO),
    R(130, rt_sigsuspend, SIGSET, SSZ),
    R(131, sigaltstack, STACK, BUF),
    R(140, getpriority, INT, PID),
    R(141, setpriority, INT, PID, INT),
    R(142, sched_setparam, PID, BUF),
    R(143, sched_getparam, PID, BUF),
    R(144, sched_setscheduler, PID, INT, BUF),
    R(145, sched_getscheduler, PID),
    R(146, sched_get_priority_max, INT),
    R(147, sched_get_priority_min, INT),
    R(148, sched_rr_get_interval, PID, BUF),
    R(149, mlock, BUF, LEN),
    R(150, munlock, BUF, LEN),
    R(152, munlockall),
    R(157, prctl, PRCTL, INT, INT, INT, INT),
    R(158, arch_prctl, ARCHPRCTL, BUF),
    R(160, setrlimit, RLIMRES, RLIMIT),
    R(162, sync),
    R(164, settimeofday, TS, BUF),
    R(165, mount, SPATH, SPATH, FSTYPE, MSFLAGS, BUF),
    R(186, gettid),
    R(200, tkill, PID, SIG),
    R(201, time, BUF),
    R(202, futex, BUF, FUTEXOP, INT, TS, BUF, INT),
    R(203, sched_setaffinity, PID, CPUSETLEN, BUF),
    R(204, sched_getaffinity, PID, CPUSETLEN, BUF),
    R(213, epoll_create, INT),
    R(217, getdents64, FD, BUF, LEN),
    R(218, set_tid_address, BUF),
    R(221, fadvise64, FD, OFF, LEN, INT),
    R(222, timer_create, CLOCK, BUF, BUF),
    R(223, timer_settime, INT, INT, BUF, BUF),
    R(224, timer_gettime, INT, BUF),
    R(225, timer_getoverrun, INT),
    R(226, timer_delete, INT),
    R(227, clock_settime, CLOCK, TS),
    R(228, clock_gettime, CLOCK, BUF),
    R(229, clock_getres, CLOCK, BUF),
    R(230, clock_nanosleep, CLOCK, TIMERF, TS, BUF),
    R(231, exit_group, EXIT),
    R(232, epoll_wait, FD, EPEVENT, MAXEV, PTIMEOUT),
    R(233, epoll_ctl, FD, EPOLLOP, FD, EPEVENT),
    R(234, tgkill, PID, PID, SIG),
    R(247, waitid, IDTYPE, PID, BUF, WAITOPT, BUF),
    R(257, openat, ADIRFD, PATH, OFLAGS, MODE),
    R(258, mkdirat, DIRFD, SPATH, MODE),
    R(262, newfstatat, ADIRFD, PATH, BUF, ATFLAGS),
    R(263, unlinkat, DIRFD, SPATH, ATFLAGS),
    R(264, renameat, DIRFD, SPATH, DIRFD, SPATH),
    R(265, linkat, DIRFD, SPATH, DIRFD, SPATH, ATFLAGS),
    R(266, symlinkat, LTARGET, DIRFD, SPATH),
    R(270, pselect6, NFDS, FDSET, FDSET, FDSET, TS, BUF),
    R(271, ppoll, POLLFDS, NFDS, TS, SIGSET, SSZ),
    R(273, set_robust_list, BUF, ROBUST),
    R(274, get_robust_list, PID, BUF, BUF),
    R(281, epoll_pwait, FD, EPEVENT, MAXEV, PTIMEOUT, SIGSET, SSZ),
    R(275, splice, FD, OFFP, FD, OFFP, LEN, SPLICEF),
    R(276, tee, FD, FD, LEN, SPLICEF),
    R(278, vmsplice, FD, IOV, IOVCNT, SPLICEF),
    R(282, signalfd, SFD, SIGSET, SSZ),
    R(283, timerfd_create, INT, INT),
    R(284, eventfd, INT),
    R(286, timerfd_settime, FD, INT, BUF, BUF),
    R(287, timerfd_gettime, FD, BUF),
    R(288, accept4, FD, BUF, OPTLENP, SFDFLAGS),
    R(289, signalfd4, SFD, SIGSET, SSZ, SFDFLAGS),
    R(290, eventfd2, INT, EFDFLAGS),
    R(291, epoll_create1, EFDFLAGS),
    R(292, dup3, FD, NEWFD, DUPF),
    R(293, pipe2, BUF, PIPEF),
    R(295, preadv, FD, IOV, IOVCNT, OFF, INT),
    R(296, pwritev, FD, IOV, IOVCNT, OFF, INT),
    R(297, rt_tgsigqueueinfo, PID, PID, SIG, SIGINFO),
    R(302, prlimit64, PID, RLIMRES, RLIMIT, BUF),
    R(306, syncfs, FD),
    R(309, getcpu, BUF, BUF, BUF),
    R(316, renameat2, DIRFD, SPATH, DIRFD, SPATH, RENAMEF),
    R(318, getrandom, BUF, LEN, GRNDF),
    R(240, mq_open, MQNAME, OFLAGS, MODE, MQATTR),
    R(241, mq_unlink, MQNAME),
    R(242, mq_timedsend, FD, BUF, LEN, INT, TS),
    R(243, mq_timedreceive, FD, BUF, LEN, BUF, TS),
    R(244, mq_notify, FD, BUF),
    R(245, mq_getsetattr, FD, MQATTR, BUF),
    R(267, readlinkat, ADIRFD, PATH, BUF, LEN),
    R(285, fallocate, FD, FALLOCM, OFF, LEN),
    R(324, membarrier, MEMBCMD, INT, INT),
    R(334, rseq, BUF, LEN, INT, INT),
    R(325, mlock2, BUF, LEN, INT),
    R(326, copy_file_range, FD, OFFP, FD, OFFP, LEN, INT),
    R(327, preadv2, FD, IOV, IOVCNT, OFF, INT, INT),
    R(328, pwritev2, FD, IOV, IOVCNT, OFF, INT, INT),
    R(435, clone3, SPAWN3),
    R(436, close_range, FD, FD, INT),
    R(441, epoll_pwait2, FD, EPEVENT, MAXEV, TS, SIGSET, SSZ),
};
#define NRECIPES (sizeof recipes / sizeof recipes[0])

// ---------------------------------------------------------------- small kinds
static uint64_t from(const uint64_t *list, unsigned n)
{
    return one_in(10) ? g_int() : list[rnd_below(n)];
}
#define FROM(...) ({ static const uint64_t l_[] = { __VA_ARGS__ }; from(l_, sizeof l_ / 8); })

static uint64_t gen(enum kind k)
{
    switch (k) {
    case Z:       return 0;
    case INT:     return g_int();
    case FD:      return g_fd();
    case NEWFD:   return g_newfd();
    case DIRFD:   return g_dirfd();
    case ADIRFD:  return g_any_dirfd();
    case PATH:    return g_path();
    case SPATH:   return g_spath();
    case CPATH:   return g_cwd_path();
    case LTARGET: return g_link_target();
    case BUF:     return g_buf();
    case LEN:     return g_len();
    case OFF:     return g_off();
    case SIGACT:  return g_sigaction();
    case SIGSET:  return g_sigset();
    case SSZ:     return g_sigsetsize();
    case SIGINFO: return g_siginfo();
    case STACK:   return g_stack_t();
    case TS:      return g_timespec();
    case SIG:     return g_sig();
    case PID:     return g_pid();
    case OFLAGS:  return g_open_flags();
    case MODE:    return g_mode();
    case MADDR:   return g_mmap_addr();
    case MPROT:   return g_bits(1 | 2 | 4 | 0x01000000 /* GROWSDOWN */ | 0x02000000);
    case MFLAGS:  return g_bits(0x01 | 0x02 | 0x03 | 0x10 /* FIXED */ | 0x20 /* ANON */ |
                                0x100 | 0x4000 | 0x8000 /* POPULATE */ | 0x10000 |
                                0x40000 | 0x100000 /* FIXED_NOREPLACE */);
    case WHENCE:  return FROM(0, 1, 2, 3, 4, 5, -1ull);
    case FCNTL:   return FROM(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1030, 1031, 1032, 1024, 1025, 1033);
    case IOCTL:   return FROM(0x5401, 0x5402, 0x5403, 0x5404, 0x540e, 0x540f, 0x5410,
                              0x5413, 0x5414, 0x541b, 0x5421, 0x5450, 0x5451, 0x5422, 0);
    case FUTEXOP: return FROM(0, 1, 2, 3, 4, 5, 6, 9, 10, 128, 129, 128 | 9, 256 | 9, 13, 11,
                              7, 8, 128 | 6, 128 | 7, 128 | 8, 256 | 13, 256 | 6, 12);
    case PRCTL:   return FROM(1, 2, 15, 16, 36, 37, 38, 39, 0, 1000);
    case ARCHPRCTL: return FROM(0x1001, 0x1002, 0x1003, 0x1004, 0x1011, 0x1012, 0x3001, 0);
    case WAITOPT: return g_bits(1 | 2 | 4 | 8 | 0x01000000 | 0x20000000 | 0x40000000 | 0x80000000u);
    case IDTYPE:  return FROM(0, 1, 2, 3, 4);
    case CLOCK:   return FROM(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, -1ull, -2ull, 0x7fffffff);
    // Never 6, 7 or 8: they change the console's log level, which could hide a panic.
    case SYSLOG:  return rnd_below(10) ? (uint64_t)PICK(((int[]){ 0, 1, 2, 3, 4, 5, 9, 10, -1, 11, 100 }))
                                       : 3;
    case ATFLAGS: return g_bits(0x100 | 0x200 | 0x400 | 0x800 | 0x1000);
    case WHO:     return FROM(0, -1ull, 1, -2ull, 2);
    case SIGHOW:  return FROM(0, 1, 2, 3, -1ull);
    case RENAMEF: return g_bits(1 | 2 | 4);
    case GRNDF:   return g_bits(1 | 2 | 4);
    // Never MS_BIND, MS_MOVE or MS_REMOUNT, and never a real file system type: see above.
    case MSFLAGS: return g_bits(0xffffffff) & ~(4096ull | 8192ull | 32ull);
    case FSTYPE:  return FROM((uint64_t)"nosuchfs", (uint64_t)"", (uint64_t)"proc2", 0,
                              0xffffffff80000000ull, (uint64_t)"ramfsramfsramfsramfsramfs");
    case PIPEF:   return g_bits(O_CLOEXEC | O_NONBLOCK | 040000 /* O_DIRECT */);
    case DUPF:    return g_bits(O_CLOEXEC);
    case ACCMODE: return g_bits(7);
    case ROBUST:  return FROM(24, 0, 23, 25, -1ull);
    case UID:     return FROM(0, 0, 1000, 65534, -1ull, 0xffffffff, 0xfffffffe, 0x100000000ull);
    case NGROUPS: return FROM(0, 1, 2, 32, 65536, 65537, -1ull, 0x80000000);
    case RLIMRES: return one_in(8) ? g_int() : rnd_below(17);
    case RLIMIT:  return g_rlimit();
    case MADVICE: return FROM(0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                              21, 22, 23, 24, 25, 100);
    case POLLFDS: return g_pollfds();
    case NFDS:    return FROM(0, 1, 2, 3, 8, 8, 64, 1024, 1025, -1ull, 0x80000000);
    // Poll timeouts in ms: mostly none or short; -1 blocks until the driver's wake-up.
    case PTIMEOUT: return FROM(0, 0, 1, 5, -1ull, 0x7fffffff, -2ull);
    case FDSET:   return g_fdset();
    case EPOLLOP: return FROM(1, 2, 3, 0, 4);   // EPOLL_CTL_ADD, DEL, MOD
    case EPEVENT: return g_epoll_event();
    case MAXEV:   return FROM(0, 1, 4, 8, -1ull, 0x7fffffff, 1000000);
    case EFDFLAGS: return g_bits(1 | O_NONBLOCK | O_CLOEXEC);   // EFD_SEMAPHORE
    case TIMERF:  return g_bits(1);                 // TIMER_ABSTIME
    case MEMBCMD: return FROM(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, -1ull);
    case MQNAME:  return g_mq_name();
    case MQATTR:  return g_mq_attr();
    // fallocate: 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE mostly; the modes tmpfs lacks now and then.
    case FALLOCM: return FROM(0, 0, 1, 3, 3, 2, 0x10, 0x08, 0x20, 0x40, 0x80, 0x100);
    case MSYNCF:  return g_bits(1 | 2 | 4);   // MS_ASYNC, MS_INVALIDATE, MS_SYNC
    // F_GETLK, F_SETLK, F_SETLKW and the OFD three; flock: LOCK_SH/EX/UN, maybe LOCK_NB.
    case LOCKCMD: return FROM(5, 6, 7, 36, 37, 38, 7, 38);
    case FLOCKP:  return g_flock();
    case FLOCKOP: return FROM(1, 2, 8, 1 | 4, 2 | 4, 8 | 4, 0, 3, 32, 16);
    // Sockets: AF_UNIX (1) mostly; types with SOCK_NONBLOCK and SOCK_CLOEXEC now and then.
    case DOMAIN:  return FROM(1, 1, 1, 0, 2, 10, 16, 45, 46, -1ull, 0x100000001ull);
    case SOCKTYPE: return FROM(1, 2, 3, 5, 0, 4, 6, 10, 11, -1ull) |
                          (one_in(3) ? O_NONBLOCK : 0) | (one_in(3) ? O_CLOEXEC : 0);
    case SOCKPROTO: return FROM(0, 0, 0, 1, 2, -1ull);
    case MSGHDR:  return g_msghdr();
    // MSG_PEEK, TRUNC, DONTWAIT, WAITALL, NOSIGNAL, OOB, CMSG_CLOEXEC, ERRQUEUE
    case MSGFLAGS: return g_bits(0x2 | 0x20 | 0x40 | 0x100 | 0x4000 | 0x1 | 0x40000000 | 0x2000);
    case SHUTHOW: return FROM(0, 1, 2, 3, -1ull);
    case SOCKLEVEL: return FROM(1, 1, 1, 0, 6, 17, 263, -1ull);   // SOL_SOCKET mostly
    case SOCKOPT: return FROM(3, 4, 7, 8, 30, 38, 39, 1, 2, 9, 20, 21, 0, -1ull, 16, 17, 13);
    case SOCKADDR: return g_sockaddr();
    case ADDRLEN: return FROM(110, 110, 6, 2, 3, 111, 0, 1, 16, -1ull, 0x80000000);
    case OPTLENP: {
        int32_t *len = (int32_t *)g_buf();
        if ((char *)len >= W.scratch && (char *)len < W.scratch + SCRATCH_PAGES * PAGE - 4)
            *len = (int32_t)FROM(4, 8, 1, 0, 2, 16, 128, -1ull, 0x7fffffff);
        return (uint64_t)len;
    }
    case OFFP:    return g_offp();
    case SPLICEF: return g_bits(1 | 2 | 4 | 8);
    case SFD:     return one_in(3) ? -1ull : g_fd();
    case SFDFLAGS: return g_bits(O_NONBLOCK | O_CLOEXEC);
    case CPUSETLEN: return FROM(0, 1, 4, 8, 16, 128, 1024, 4096, 7, -1ull);
    default:      return 0;                     // IOV/IOVCNT and specials: see fill_args
    }
}

// ---------------------------------------------------------------- special calls
// Makes a fork-like call; the child, if any, calls exit(0) before touching memory (with
// CLONE_VM and no new stack it shares ours; with CLONE_VFORK the parent waits for it).
static long raw_spawn(long nr, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $60, %%eax\n\t"
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "1:"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

// Runs fn(a) in a child of its own and waits at most ~30 ms for it (then SIGKILL): what
// execve, exit or rt_sigreturn leave behind may loop for ever.
static long in_child(void (*fn)(uint64_t *), uint64_t *a)
{
    struct timespec t0, t;
    pid_t pid = fork();
    if (pid == 0) {
        fn(a);
        _exit(127);
    }
    if (pid < 0)
        return pid;
    int status;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        if (waitpid(pid, &status, WNOHANG | __WALL) == pid)
            return status;
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 30000000L);
    kill(pid, SIGKILL);
    waitpid(pid, &status, __WALL);
    return status;
}

static void do_exec(uint64_t *a)
{
    syscall(SYS_execve, a[0], a[1], a[2]);
}

static void do_exit(uint64_t *a)
{
    syscall(a[5], a[0]);
}

// rt_sigreturn reads a signal frame at the stack pointer: give it random bytes (and now
// and then a pointer that is no stack at all).
static void do_sigreturn(uint64_t *a)
{
    uint64_t sp = a[0];
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov $15, %%eax\n\t"
                     "syscall\n\t"
                     "ud2" : : "r"(sp) : "memory");
}

static void exec_args(uint64_t *a)
{
    static const char *const progs[] = { "/bin/true", "/bin/true", "/etc", "f", "/nonexistent",
                                         "/proc/self/status", "d" };
    uint64_t *argv = (uint64_t *)(W.scratch + 8 * PAGE);
    a[0] = one_in(8) ? g_buf() : (uint64_t)PICK(progs);
    argv[0] = (uint64_t)"true";
    argv[1] = one_in(2) ? g_buf() : (uint64_t)"arg";
    argv[2] = one_in(2) ? 0 : g_buf();
    argv[3] = 0;
    a[1] = one_in(4) ? g_buf() : (uint64_t)argv;
    a[2] = one_in(4) ? g_buf() : (one_in(2) ? 0 : (uint64_t)(argv + 1));
}

// ---------------------------------------------------------------- one call
// munmap, mprotect, madvise and mmap(MAP_FIXED) of a user address: a range that stays in the play
// area (or within a page elsewhere), so the worker does not unmap its own program, stack or
// scratch memory. Kernel and non-canonical addresses keep any length, and so do lengths of
// 2^63 and more (addr + len wraps: the kernel must say EINVAL).
static uint64_t clamp_len(uint64_t addr, uint64_t len)
{
    uint64_t high = (uint64_t)W.high;
    if (addr >= 0x0000800000000000ull || len >= 1ull << 63)
        return len;
    if (addr >= high && addr < high + 64 * PAGE)
        return len % (64 * PAGE);
    return len % (PAGE + 1);
}

static void fill_args(const struct recipe *r, uint64_t a[6])
{
    for (int i = 0; i < 6; i++)
        a[i] = 0;
    for (int i = 0; i < 6; i++) {
        if (r->arg[i] == IOV)
            a[i] = g_iov(&a[i + 1]);           // the count is the next argument
        else if (r->arg[i] != IOVCNT)
            a[i] = gen(r->arg[i]);
    }
    if (r->nr == 10 || r->nr == 11 || r->nr == 28 || (r->nr == 9 && (a[3] & 0x10)))
        a[1] = clamp_len(a[0], a[1]);
    // open/openat outside the sandbox: for reading only (no O_CREAT, O_TRUNC, writing).
    if (r->nr == 2 || r->nr == 257) {
        uint64_t *path = r->nr == 2 ? &a[0] : &a[1], *flags = r->nr == 2 ? &a[1] : &a[2];
        if (one_in(2))
            *path = g_spath();
        else
            *flags &= ~(uint64_t)(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | 020000000);
        if (r->nr == 257 && (*flags & (O_CREAT | O_ACCMODE | O_TRUNC | 020000000)))
            a[0] = g_dirfd();
    }
}

static void print_call(long n, const struct recipe *r, const uint64_t a[6])
{
    int nargs = 0;
    while (nargs < 6 && r->arg[nargs] != Z)
        nargs++;
    if (r->arg[0] >= SPAWN)
        nargs = 5;
    dprintf(W.log_fd, "w%d #%ld %s(", W.id, n, r->name);
    for (int i = 0; i < nargs; i++)
        dprintf(W.log_fd, "%s%#lx", i ? ", " : "", (unsigned long)a[i]);
    dprintf(W.log_fd, ")\n");
}

static long make_call(const struct recipe *r, uint64_t a[6])
{
    switch (r->arg[0]) {
    case SPAWN:
        return raw_spawn(r->nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
    case SPAWN3:
        return raw_spawn(435, (long)a[0], (long)a[1], 0, 0, 0);
    case EXEC:
        return in_child(do_exec, a);
    case EXIT:
        a[5] = r->nr;
        return in_child(do_exit, a);
    case SIGRETURN:
        return in_child(do_sigreturn, a);
    default:                                    // the raw result: -errno on failure
        return __syscall(r->nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
                         (long)a[5]);
    }
}

// The specials' arguments, so that a replay prints them too.
static void special_args(const struct recipe *r, uint64_t a[6])
{
    switch (r->arg[0]) {
    case SPAWN:                                 // clone(flags, stack, ptid, ctid, tls)
        if (r->nr == 56) {
            a[0] = g_clone_flags();
            a[1] = one_in(4) ? g_buf() : 0;
            a[2] = g_buf();
            a[3] = g_buf();
            a[4] = g_buf();
        }
        break;
    case SPAWN3:    a[0] = g_clone_args(&a[1]); break;
    case EXEC:      exec_args(a); break;
    case EXIT:      a[0] = g_int(); break;
    case SIGRETURN: {
        char *frame = W.scratch + 4 * PAGE;
        for (int i = 0; i < 1024; i += 8)
            *(uint64_t *)(frame + i) = one_in(3) ? rnd_below(64) : rnd();
        a[0] = one_in(6) ? g_buf() : (uint64_t)frame;
        break;
    }
    default: break;
    }
}

const char *call_name(int nr)
{
    for (unsigned i = 0; i < NRECIPES; i++)
        if (recipes[i].nr == nr)
            return recipes[i].name;
    return "?";
}

void fuzz_one(long n)
{
    const struct recipe *r = &recipes[rnd_below(NRECIPES)];
    uint64_t a[6];

    if (r->arg[0] >= SPAWN) {
        for (int i = 0; i < 6; i++)
            a[i] = 0;
        special_args(r, a);
    } else {
        fill_args(r, a);
    }
    if (W.log_fd >= 0)
        print_call(n, r, a);
    *current_nr = r->nr;
    long ret = make_call(r, a);
    if ((r->arg[0] == SPAWN || r->arg[0] == SPAWN3) && ret > 0)
        W.last_child = (pid_t)ret;
    if (W.log_fd >= 0)
        dprintf(W.log_fd, "w%d #%ld = %ld\n", W.id, n, ret);
}
