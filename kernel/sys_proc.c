// sys_proc.c: system calls about the process itself, time, and the machine.
#include <stdint.h>
#include "errno.h"
#include "panic.h"
#include "power.h"
#include "printk.h"
#include "proc.h"
#include "random.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

SYSCALL(getpid)  { return current()->pid; }
SYSCALL(gettid)  { return current()->pid; }   // one thread per process, for now
SYSCALL(getppid) { return current()->parent ? current()->parent->pid : 0; }
// Everyone is root until there are users.
SYSCALL(getuid)  { return 0; }
SYSCALL(geteuid) { return 0; }
SYSCALL(getgid)  { return 0; }
SYSCALL(getegid) { return 0; }
SYSCALL(sched_yield) { return 0; }   // one process: there is nobody to yield to

struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };

SYSCALL(uname) {
    struct utsname u;
    memset(&u, 0, sizeof u);
    strlcpy(u.sysname, "Lantern", sizeof u.sysname);
    strlcpy(u.nodename, "(none)", sizeof u.nodename);            // Linux's default hostname
    // The Linux ABI level we follow; C libraries may compare it with their minimum.
    strlcpy(u.release, "6.1.0-lantern", sizeof u.release);
    strlcpy(u.version, "#1 Lantern " KERNEL_VERSION, sizeof u.version);
    strlcpy(u.machine, "x86_64", sizeof u.machine);
    strlcpy(u.domainname, "(none)", sizeof u.domainname);
    return copy_to_user((void *)a0, &u, sizeof u);
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define MSR_FS_BASE_ 0xc0000100

// The FS base is user space's thread pointer (TLS). GS is the kernel's (percpu.h).
SYSCALL(arch_prctl) {
    struct proc *p = current();
    switch (a0) {
    case ARCH_SET_FS:
        if (a1 >= USER_TOP)
            return -EPERM;
        p->fs_base = a1;
        wrmsr(MSR_FS_BASE_, a1);
        return 0;
    case ARCH_GET_FS:
        return copy_to_user((void *)a1, &p->fs_base, sizeof p->fs_base);
    case ARCH_SET_GS:
    case ARCH_GET_GS:
        return -EINVAL;   // not yet: user GS would have to be saved across swapgs
    default:
        return -EINVAL;
    }
}

SYSCALL(set_tid_address) {
    current()->clear_child_tid = a0;
    return current()->pid;
}

SYSCALL(exit)       { proc_exit((int)(a0 & 0xff) << 8); }
SYSCALL(exit_group) { proc_exit((int)(a0 & 0xff) << 8); }

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_CMD_RESTART   0x01234567
#define LINUX_REBOOT_CMD_HALT      0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_CAD_ON    0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF   0x00000000

SYSCALL(reboot) {
    uint32_t magic2 = (uint32_t)a1, cmd = (uint32_t)a2;
    // The second magic number is Linus Torvalds' birthday, or one of his daughters'.
    if ((uint32_t)a0 != LINUX_REBOOT_MAGIC1 ||
        (magic2 != 672274793 && magic2 != 85072278 && magic2 != 369367448 && magic2 != 537993216))
        return -EINVAL;
    switch (cmd) {
    case LINUX_REBOOT_CMD_POWER_OFF: machine_power_off();
    case LINUX_REBOOT_CMD_RESTART:   machine_restart();
    case LINUX_REBOOT_CMD_HALT:      machine_halt();
    case LINUX_REBOOT_CMD_CAD_ON:
    case LINUX_REBOOT_CMD_CAD_OFF:   return 0;
    default:                         return -EINVAL;
    }
}

struct timespec { int64_t tv_sec, tv_nsec; };
enum { CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
       CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
       CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7 };

SYSCALL(clock_gettime) {
    uint64_t ns;
    switch (a0) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE:
        ns = time_realtime_ns();
        break;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:   // one process: all its time
        ns = time_since_boot_ns();
        break;
    default:
        return -EINVAL;
    }
    struct timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
    return copy_to_user((void *)a1, &ts, sizeof ts);
}

SYSCALL(nanosleep) {
    struct timespec req;
    if (copy_from_user(&req, (const void *)a0, sizeof req))
        return -EFAULT;
    if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec > 999999999)
        return -EINVAL;
    uint64_t end = time_since_boot_ns() + (uint64_t)req.tv_sec * 1000000000 + req.tv_nsec;
    // Sleep in hlt until the deadline: the timer tick wakes us 100 times a second. With a
    // scheduler this becomes a real sleep that lets others run.
    while (time_since_boot_ns() < end)
        sti_hlt();
    return 0;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

SYSCALL(getrandom) {
    if (a2 & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    unsigned char buf[256];
    size_t n = a1 < sizeof buf ? a1 : sizeof buf;   // Linux also returns short counts
    random_bytes(buf, n);
    if (copy_to_user((void *)a0, buf, n))
        return -EFAULT;
    return (long)n;
}
