// syscall.c: from the `syscall` instruction to the function that does the work.
//
// syscall_init() programs the MSRs that make `syscall` land in syscall_entry.asm, which
// saves the user's registers as a trapframe and calls syscall_dispatch(). The table below
// is indexed by Linux's x86_64 system-call numbers, so programs built for Linux work.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "gdt.h"
#include "ksignal.h"
#include "printk.h"
#include "proc.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

#define MSR_EFER  0xc0000080
#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083   // syscall from 32-bit code
#define MSR_FMASK 0xc0000084
#define EFER_SCE  (1u << 0)    // syscall enable

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);
struct syscall_entry { const char *name; syscall_fn fn; };

#define NR_SYSCALLS 512
#define E(nr, name) [nr] = { #name, sys_##name }
static const struct syscall_entry table[NR_SYSCALLS] = {
    E(0, read),
    E(1, write),
    E(2, open),
    E(3, close),
    E(4, stat),
    E(5, fstat),
    E(6, lstat),
    E(7, poll),
    E(8, lseek),
    E(9, mmap),
    E(10, mprotect),
    E(11, munmap),
    E(12, brk),
    E(13, rt_sigaction),
    E(14, rt_sigprocmask),
    E(15, rt_sigreturn),
    E(16, ioctl),
    E(17, pread64),
    E(19, readv),
    E(20, writev),
    E(21, access),
    E(22, pipe),
    E(23, select),
    E(24, sched_yield),
    E(26, msync),
    E(27, mincore),
    E(28, madvise),
    E(32, dup),
    E(33, dup2),
    E(34, pause),
    E(35, nanosleep),
    E(39, getpid),
    E(40, sendfile),
    E(56, clone),
    E(57, fork),
    E(58, vfork),
    E(59, execve),
    E(60, exit),
    E(61, wait4),
    E(62, kill),
    E(63, uname),
    E(72, fcntl),
    E(76, truncate),
    E(77, ftruncate),
    E(79, getcwd),
    E(80, chdir),
    E(82, rename),
    E(83, mkdir),
    E(84, rmdir),
    E(86, link),
    E(87, unlink),
    E(88, symlink),
    E(89, readlink),
    E(90, chmod),
    E(91, fchmod),
    E(92, chown),
    E(93, fchown),
    E(94, lchown),
    E(95, umask),
    E(96, gettimeofday),
    E(97, getrlimit),
    E(98, getrusage),
    E(99, sysinfo),
    E(102, getuid),
    E(103, syslog),
    E(104, getgid),
    E(105, setuid),
    E(106, setgid),
    E(107, geteuid),
    E(108, getegid),
    E(109, setpgid),
    E(110, getppid),
    E(111, getpgrp),
    E(112, setsid),
    E(113, setreuid),
    E(114, setregid),
    E(115, getgroups),
    E(116, setgroups),
    E(117, setresuid),
    E(118, getresuid),
    E(119, setresgid),
    E(120, getresgid),
    E(121, getpgid),
    E(122, setfsuid),
    E(123, setfsgid),
    E(124, getsid),
    E(127, rt_sigpending),
    E(128, rt_sigtimedwait),
    E(129, rt_sigqueueinfo),
    E(130, rt_sigsuspend),
    E(131, sigaltstack),
    E(132, utime),
    E(133, mknod),
    E(137, statfs),
    E(138, fstatfs),
    E(157, prctl),
    E(158, arch_prctl),
    E(160, setrlimit),
    E(164, settimeofday),
    E(165, mount),
    E(166, umount2),
    E(169, reboot),
    E(170, sethostname),
    E(186, gettid),
    E(200, tkill),
    E(201, time),
    E(202, futex),
    E(203, sched_setaffinity),
    E(204, sched_getaffinity),
    E(213, epoll_create),
    E(217, getdents64),
    E(218, set_tid_address),
    E(227, clock_settime),
    E(228, clock_gettime),
    E(229, clock_getres),
    E(230, clock_nanosleep),
    E(231, exit_group),
    E(232, epoll_wait),
    E(233, epoll_ctl),
    E(234, tgkill),
    E(235, utimes),
    E(247, waitid),
    E(257, openat),
    E(258, mkdirat),
    E(259, mknodat),
    E(260, fchownat),
    E(261, futimesat),
    E(262, newfstatat),
    E(263, unlinkat),
    E(264, renameat),
    E(265, linkat),
    E(266, symlinkat),
    E(268, fchmodat),
    E(269, faccessat),
    E(270, pselect6),
    E(271, ppoll),
    E(273, set_robust_list),
    E(274, get_robust_list),
    E(280, utimensat),
    E(281, epoll_pwait),
    E(284, eventfd),
    E(290, eventfd2),
    E(291, epoll_create1),
    E(292, dup3),
    E(293, pipe2),
    E(297, rt_tgsigqueueinfo),
    E(302, prlimit64),
    E(309, getcpu),
    E(316, renameat2),
    E(318, getrandom),
    E(324, membarrier),
    E(435, clone3),
    E(439, faccessat2),
    E(441, epoll_pwait2),
};

extern void syscall_entry(void), syscall32_entry(void);

void syscall_init(void) {
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    // STAR[47:32]: kernel CS (SS = CS + 8). STAR[63:48]: base for sysret, which loads
    // CS = base + 16 and SS = base + 8 for 64-bit user mode: hence USER32_CS, USER_DS, USER_CS
    // in that order in the GDT.
    wrmsr(MSR_STAR, ((uint64_t)(USER32_CS - 3) << 48) | ((uint64_t)KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);   // never leave it 0: see syscall_entry.asm
    // Flags cleared on entry: IF (no interrupts until we are on the kernel stack), TF, DF,
    // AC (so SMAP is in force in the kernel), NT.
    wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
}

const char *syscall_name(uint64_t nr) {
    return nr < NR_SYSCALLS && table[nr].name ? table[nr].name : "unknown";
}

// Has this process (any of its threads) been told about syscall nr already? Numbers below
// NR_SYSCALLS have a bit each; a few larger (garbage) numbers are remembered, and after
// that we stay quiet.
static bool already_logged(struct signal_struct *p, uint64_t nr) {
    if (nr < NR_SYSCALLS) {
        bool seen = p->nosys_logged[nr / 64] & (1ull << (nr % 64));
        p->nosys_logged[nr / 64] |= 1ull << (nr % 64);
        return seen;
    }
    for (int i = 0; i < NOSYS_BIG; i++) {
        if (p->nosys_big[i] == nr + 1)
            return true;
        if (p->nosys_big[i] == 0) {
            p->nosys_big[i] = nr + 1;          // stored +1, so 0 means "free slot"
            return false;
        }
    }
    return true;
}

// Linux-style note, once per system call number and process.
static void log_unimplemented(uint64_t nr) {
    struct proc *p = current();
    if (!already_logged(p->signal, nr))
        pr_notice("pid %d (%s): unimplemented syscall %llu\n", p->tgid, p->comm,
                  (unsigned long long)nr);
}

void syscall_dispatch(struct trapframe *tf) {
    uint64_t nr = (uint32_t)tf->rax;   // as Linux: the number is eax, rax's upper half is ignored
    current()->syscall_nr = nr;   // to restart it after a signal
    sti();                 // a system call may take long: let interrupts in
    long ret;
    TRACE_SYSCALL_ENTER(current()->pid, nr, tf);
    if (nr < NR_SYSCALLS && table[nr].fn) {
        ret = table[nr].fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    } else {
        log_unimplemented(nr);
        ret = -ENOSYS;
    }
    tf->rax = (uint64_t)ret;
    TRACE(TR_SYS_EXIT, current()->pid, (int64_t)nr, ret);
    return_to_user(tf);    // another process's turn? signals to deliver?
    cli();                 // syscall_entry.asm returns with interrupts off until sysretq
}
