// sys_proc.c: system calls about the process itself and the machine (time: sys_time.c).
#include <stdint.h>
#include "bklstat.h"
#include "errno.h"
#include "kmalloc.h"
#include "loadavg.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "power.h"
#include "printk.h"
#include "ksignal.h"
#include "proc.h"
#include "rseq.h"
#include "sched.h"
#include "smp.h"
#include "random.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "uaccess.h"
#include "uts.h"
#include "vm.h"
#include "x86.h"

SYSCALL(getpid)  { return current()->tgid; }   // the process
SYSCALL(gettid)  { return current()->pid; }    // the thread
SYSCALL(getppid) { return current()->parent ? current()->parent->tgid : 0; }
// With no thread waiting for a CPU there is nobody to yield to, and the call returns at
// once. It runs without the BKL (marked L in the table): a thread spinning on sched_yield
// - Go's runtime does, and so does a program waiting for a signal's handler - would
// otherwise take the lock over and over from the CPUs doing real work. The yield needs
// only the run queue's lock (sched.c). The count is read without it: at worst a yield is
// made for nothing, or skipped when a thread has just become runnable, which an idle CPU
// or the next tick runs anyway. (A traced call comes the locked way: its switch leaves
// the BKL to the idle loop, and it has it back after.)
SYSCALL(sched_yield) {
    if (sched_others_waiting()) {
        current()->yielded = true;       // (the pick then prefers another: sched.c)
        yield();
    }
    return 0;
}

struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };

// The host name, set by sethostname or by writing /proc/sys/kernel/hostname; "(none)" is
// Linux's until then. Written by those two, read by uname and procfs: all run with the big
// kernel lock (one CPU, no preemption). Always NUL-terminated.
static char hostname[UTS_LEN + 1] = "(none)";

const char *uts_hostname(void) { return hostname; }

// Only root may rename the machine (Linux: CAP_SYS_ADMIN, checked before the length).
long uts_set_hostname(const char *name, size_t len) {
    if (!capable())
        return -EPERM;
    if (len > UTS_LEN)
        return -EINVAL;
    memcpy(hostname, name, len);
    hostname[len] = '\0';
    return 0;
}

SYSCALL(sethostname) {
    uint64_t name = a0;
    int len = (int)a1;
    char buf[UTS_LEN + 1] = { 0 };
    if (!capable())
        return -EPERM;
    if (len < 0 || len > UTS_LEN)
        return -EINVAL;
    if (copy_from_user(buf, (const void *)name, (size_t)len))
        return -EFAULT;
    return uts_set_hostname(buf, (size_t)len);
}

SYSCALL(uname) {
    uint64_t buf = a0;
    struct utsname u;
    memset(&u, 0, sizeof u);
    // "Linux": programs compare the name with it (busybox, glibc's tools), and this is the
    // ABI we follow, as gVisor and WSL1 also answer. The version says who we really are.
    strlcpy(u.sysname, UTS_SYSNAME, sizeof u.sysname);
    memcpy(u.nodename, hostname, sizeof u.nodename);
    // The Linux ABI level we follow; C libraries may compare it with their minimum.
    strlcpy(u.release, UTS_RELEASE, sizeof u.release);
    strlcpy(u.version, "#1 Lantern " KERNEL_VERSION, sizeof u.version);
    strlcpy(u.machine, "x86_64", sizeof u.machine);
    strlcpy(u.domainname, "(none)", sizeof u.domainname);
    return copy_to_user((void *)buf, &u, sizeof u);
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define MSR_FS_BASE_ 0xc0000100

// The FS base is user space's thread pointer (TLS). GS is the kernel's (percpu.h).
SYSCALL(arch_prctl) {
    int code = (int)a0;
    uint64_t addr = a1;
    struct proc *p = current();
    switch (code) {               // Linux's type: the register's upper half is not used
    case ARCH_SET_FS:
        if (addr >= USER_TOP)
            return -EPERM;
        p->fs_base = addr;
        wrmsr(MSR_FS_BASE_, addr);
        return 0;
    case ARCH_GET_FS:
        return copy_to_user((void *)addr, &p->fs_base, sizeof p->fs_base);
    case ARCH_SET_GS:
    case ARCH_GET_GS:
        return -EINVAL;   // not yet: user GS would have to be saved across swapgs
    default:
        return -EINVAL;
    }
}

SYSCALL(set_tid_address) {
    uint64_t tidptr = a0;
    current()->clear_child_tid = tidptr;
    return current()->pid;
}


#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_CMD_RESTART   0x01234567
#define LINUX_REBOOT_CMD_HALT      0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_CAD_ON    0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF   0x00000000

SYSCALL(reboot) {
    uint32_t magic1 = (uint32_t)a0;
    uint32_t magic2 = (uint32_t)a1, cmd = (uint32_t)a2;
    // The second magic number is Linus Torvalds' birthday, or one of his daughters'.
    if (magic1 != LINUX_REBOOT_MAGIC1 ||
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

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

SYSCALL(getrandom) {
    uint64_t ubuf = a0, buflen = a1;
    unsigned int flags = (unsigned int)a2;
    if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) ||
        (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    size_t count = buflen < 0x7fffffff ? buflen : 0x7fffffff;   // Linux: at most INT_MAX in one call
    unsigned char buf[256];
    size_t done = 0;
    while (done < count) {
        size_t n = count - done < sizeof buf ? count - done : sizeof buf;
        random_bytes(buf, n);
        if (copy_to_user((void *)(ubuf + done), buf, n))
            return done ? (long)done : -EFAULT;
        done += n;
    }
    return (long)done;
}

// sysinfo: uptime, load averages, memory, process count - what free(1) and uptime(1) print.
#define SI_LOAD_SHIFT 16
struct sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char reserved[4];
};

SYSCALL(sysinfo) {
    uint64_t info = a0;
    struct sysinfo si;
    memset(&si, 0, sizeof si);
    si.uptime = (int64_t)(time_since_boot_ns() / 1000000000);
    si.totalram = nr_managed_pages();
    si.freeram = nr_free_pages();
    si.mem_unit = PAGE_SIZE;             // the counts above are in pages
    loadavg_get(si.loads);               // 16 fraction bits (SI_LOAD_SHIFT), not FSHIFT's 11
    for (int i = 0; i < 3; i++)
        si.loads[i] <<= SI_LOAD_SHIFT - FSHIFT;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        si.procs++;
    return copy_to_user((void *)info, &si, sizeof si);
}

// ---------------------------------------------------------------- signals to others

// SIGKILL and SIGSTOP never reach PID 1 (Linux's rule); other signals it has no handler
// for are dropped by signal_send unless it blocks them (signal.c's dropped()).
static bool init_protected(struct proc *p, int sig) {
    return p->tgid == 1 && (sig == SIGKILL || sig == SIGSTOP);   // the rest: dropped() in signal.c
}

// Linux's check_kill_permission: a thread may signal every thread of its own process, and
// root anyone; others only processes whose real or saved uid is their real or effective
// one - and SIGCONT within their session. (Threads' ids may differ for a while: a raw
// setuid changes one thread's, and Go's runtime then signals the others to follow.)
static bool may_signal(struct proc *p, int sig) {
    struct cred *me = &current()->cred, *it = &p->cred;
    return p->tgid == current()->tgid || capable() || me->euid == it->suid ||
           me->euid == it->uid || me->uid == it->suid || me->uid == it->uid ||
           (sig == SIGCONT && p->sid == current()->sid);
}

// To p's process (kill, pidfd_send_signal), or to thread p alone (tgkill, tkill).
static long send_to(struct proc *p, int sig, int code, uint64_t value, bool thread) {
    if (!may_signal(p, sig))
        return -EPERM;
    if (sig == 0)
        return 0;                        // only "does it exist?"
    if (init_protected(p, sig))
        return 0;
    if (thread)                          // -EAGAIN: a real-time signal over RLIMIT_SIGPENDING
        return signal_send_thread(p, sig, code, current()->tgid, value);
    return signal_send(p, sig, code, current()->tgid, value, 0);
}

long signal_kill_process(struct proc *p, int sig, int code, uint64_t value) {
    return send_to(p, sig, code, value, false);
}

// A process kill() can name: its leader, until the parent has reaped it (a zombie takes
// signals and drops them, as on Linux).
static bool process_alive(struct proc *p) {
    return p->state != PROC_UNUSED && p->state != PROC_DEAD && thread_group_leader(p);
}

// All processes that kill(pid) means: pid > 0 one, 0 our group, -1 everyone but init and
// us, < -1 the group -pid.
static bool kill_target(struct proc *self, struct proc *p, int pid) {
    if (!process_alive(p))
        return false;
    if (pid > 0)  return p->pid == pid;
    if (pid == 0) return p->pgid == self->pgid;
    if (pid == -1) return p->pid != 1 && p->tgid != self->tgid;
    return p->pgid == -pid;
}

SYSCALL(kill) {
    int pid = (int)a0, sig = (int)a1;
    if (sig < 0 || sig > NSIG_MAX)
        return -EINVAL;
    struct proc *self = current();
    if (pid > 0) {
        struct proc *p = proc_find_process(pid);
        return p ? send_to(p, sig, SI_USER, 0, false) : -ESRCH;
    }
    if (pid == INT32_MIN)
        return -ESRCH;
    // Several targets: success if any of them got it, else the last refusal (Linux).
    long ret = -ESRCH;
    bool sent = false;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (kill_target(self, p, pid)) {
            ret = send_to(p, sig, SI_USER, 0, false);
            sent |= ret == 0;
        }
    }
    return sent ? 0 : ret;
}

SYSCALL(tgkill) {
    int tgid = (int)a0, tid = (int)a1, sig = (int)a2;
    if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG_MAX)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p || p->tgid != tgid || p->state == PROC_ZOMBIE)
        return -ESRCH;
    return send_to(p, sig, SI_TKILL, 0, true);
}

// pause: sleep until a signal. It always ends with EINTR when a handler runs, even under
// SA_RESTART; a stop and continue, with no handler, starts it again (as Linux).
SYSCALL(pause) {
    struct proc *p = current();
    uint64_t f = local_irq_save();
    while (!signal_pending(p))
        sleep_on(&p->sig_pending);       // only signal_send's wakeup ends this
    local_irq_restore(f);
    return -ERESTARTNOHAND;
}

// tkill: tgkill's older form, without the thread group; musl's raise() uses it.
SYSCALL(tkill) {
    int tid = (int)a0, sig = (int)a1;
    if (tid <= 0 || sig < 0 || sig > NSIG_MAX)
        return -EINVAL;
    struct proc *p = proc_find(tid);
    if (!p || p->state == PROC_ZOMBIE)
        return -ESRCH;
    return send_to(p, sig, SI_TKILL, 0, true);
}

// ---------------------------------------------------------------- groups and sessions

SYSCALL(getpgrp) { return current()->pgid; }

// Process group and session belong to the process: every thread carries the same.
static void set_group_ids(struct proc *p, int pgid, int sid) {
    p->pgid = pgid;
    p->sid = sid;
    for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t)) {
        t->pgid = pgid;
        t->sid = sid;
    }
}

SYSCALL(getpgid) {
    uint64_t pid = a0;
    struct proc *p = pid ? proc_find((int)pid) : current();
    return p ? p->pgid : -ESRCH;
}

SYSCALL(getsid) {
    uint64_t pid = a0;
    struct proc *p = pid ? proc_find((int)pid) : current();
    return p ? p->sid : -ESRCH;
}

static bool group_in_session(int pgid, int sid) {
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state != PROC_UNUSED && p->state != PROC_DEAD && p->pgid == pgid && p->sid == sid)
            return true;
    }
    return false;
}

// setpgid(pid, pgid): ourselves or one of our children, into a group of our session.
SYSCALL(setpgid) {
    int pid = (int)a0, pgid = (int)a1;
    if (pid < 0 || pgid < 0)
        return -EINVAL;
    struct proc *self = current()->group_leader;
    if (pid == 0)
        pid = self->pid;                  // 0: the caller's process, from any of its threads
    if (pgid == 0)
        pgid = pid;                       // 0: a group named after pid
    struct proc *p = proc_find(pid);
    if (!p)
        return -ESRCH;
    if (!thread_group_leader(p))
        return -EINVAL;                   // another thread's id (Linux's order of errors)
    if (p != self && p->parent != self)
        return -ESRCH;
    if (p != self && p->did_exec)
        return -EACCES;                   // a child that has run execve is on its own
    if (p->sid == p->pid || p->sid != self->sid)
        return -EPERM;                    // a session leader, or another session
    if (pgid != p->pid && !group_in_session(pgid, self->sid))
        return -EPERM;
    set_group_ids(p, pgid, p->sid);
    return 0;
}

SYSCALL(setsid) {
    struct proc *self = current();
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state != PROC_UNUSED && p->state != PROC_DEAD && p->pgid == self->tgid)
            return -EPERM;                // already a group leader (or its id is in use)
    }
    set_group_ids(self, self->tgid, self->tgid);
    return self->sid;
}

#define PR_SET_PDEATHSIG        1
#define PR_GET_PDEATHSIG        2
#define PR_GET_DUMPABLE         3
#define PR_SET_DUMPABLE         4
#define PR_GET_KEEPCAPS         7
#define PR_SET_KEEPCAPS         8
#define PR_SET_NAME            15
#define PR_GET_NAME            16
#define PR_GET_SECCOMP         21
#define PR_CAPBSET_READ        23
#define PR_SET_TIMERSLACK      29
#define PR_GET_TIMERSLACK      30
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS    38
#define PR_GET_NO_NEW_PRIVS    39
#define PR_SET_THP_DISABLE     41
#define PR_GET_THP_DISABLE     42
#define PR_SET_PTRACER 0x59616d61        // Yama's ("Yama" in ASCII), on in Debian's kernel
#define CAP_LAST_CAP           40
#define TIMER_SLACK_DEFAULT 50000        // ns: Linux's default_timer_slack_ns

static long put_int(uint64_t uptr, int v) { return copy_to_user((void *)uptr, &v, sizeof v); }

// The options that only set or tell a flag or a number, as Linux's kernel/sys.c checks
// them. Nothing here acts on them but PR_SET_PDEATHSIG (exit.c) and exec's resets: there
// are no core dumps, capabilities, seccomp, huge pages or timer slack to act on.
static long prctl_flag(uint64_t option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
    struct proc *p = current();
    switch (option) {
    case PR_SET_PDEATHSIG:
        if (a2 > NSIG_MAX)
            return -EINVAL;
        p->pdeath_signal = (int)a2;
        return 0;
    case PR_GET_PDEATHSIG:
        return put_int(a2, p->pdeath_signal);
    case PR_GET_DUMPABLE:
        return !p->mm->undumpable;
    case PR_SET_DUMPABLE:
        if (a2 > 1)
            return -EINVAL;
        p->mm->undumpable = a2 == 0;
        return 0;
    case PR_GET_KEEPCAPS:
        return p->keep_caps;
    case PR_SET_KEEPCAPS:
        if (a2 > 1)
            return -EINVAL;
        p->keep_caps = a2;
        return 0;
    case PR_GET_SECCOMP:
        return 0;                        // SECCOMP_MODE_DISABLED
    case PR_CAPBSET_READ:
        return a2 <= CAP_LAST_CAP ? 1 : -EINVAL;   // the bounding set is full
    case PR_SET_TIMERSLACK:
        p->timer_slack_ns = a2;          // 0: the default again (an unsigned long, as Linux's)
        return 0;
    case PR_GET_TIMERSLACK:
        return (long)(p->timer_slack_ns ? p->timer_slack_ns : TIMER_SLACK_DEFAULT);
    case PR_SET_NO_NEW_PRIVS:
        if (a2 != 1 || a3 || a4 || a5)
            return -EINVAL;
        p->no_new_privs = true;          // for good
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        return a2 || a3 || a4 || a5 ? -EINVAL : p->no_new_privs;
    case PR_SET_THP_DISABLE:
        if (a3 || a4 || a5)
            return -EINVAL;
        p->mm->thp_disabled = a2 != 0;
        return 0;
    case PR_GET_THP_DISABLE:
        return a2 || a3 || a4 || a5 ? -EINVAL : p->mm->thp_disabled;
    case PR_SET_PTRACER:                 // 0, PR_SET_PTRACER_ANY, or a process that exists
        return a2 == 0 || a2 == (uint64_t)-1 || proc_find((int)a2) ? 0 : -EINVAL;
    }
    return -ENOSYS;                      // not one of these
}

SYSCALL(prctl) {
    uint64_t option = a0, arg2 = a1;
    struct proc *p = current();
    long r = prctl_flag(option, a1, a2, a3, a4);
    if (r != -ENOSYS)
        return r;
    switch (option) {
    case PR_SET_CHILD_SUBREAPER:         // a property of the process: kept in its leader
        p->group_leader->subreaper = arg2 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER:
        return put_int(arg2, p->group_leader->subreaper);
    case PR_SET_NAME: {
        char name[TASK_COMM_LEN] = { 0 };   // zero-padded: PR_GET_NAME hands all 16 bytes out
        long n = strncpy_from_user(name, (const char *)arg2, sizeof name);
        if (n == -EFAULT)
            return -EFAULT;
        name[sizeof name - 1] = '\0';      // longer names are cut, as Linux does
        memcpy(p->comm, name, sizeof name);
        return 0;
    }
    case PR_GET_NAME:
        return copy_to_user((void *)arg2, p->comm, sizeof p->comm);
    default:
        return -EINVAL;
    }
}

// ---------------------------------------------------------------- the kernel log

#define SYSLOG_ACTION_CLOSE         0
#define SYSLOG_ACTION_OPEN          1
#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_READ_CLEAR    4
#define SYSLOG_ACTION_CLEAR         5
#define SYSLOG_ACTION_CONSOLE_OFF   6
#define SYSLOG_ACTION_CONSOLE_ON    7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD   9
#define SYSLOG_ACTION_SIZE_BUFFER   10

// syslog(2), which klogctl() and dmesg use. Reading is done by copying the whole buffer.
SYSCALL(syslog) {
    int type = (int)a0, len = (int)a2;
    uint64_t bufp = a1;
    switch (type) {
    case SYSLOG_ACTION_CLOSE: case SYSLOG_ACTION_OPEN:
        return 0;
    case SYSLOG_ACTION_READ_ALL: case SYSLOG_ACTION_READ_CLEAR: {
        if (len < 0)
            return -EINVAL;
        if (len == 0)
            return 0;
        char *buf = kmalloc(64 * 1024);
        if (!buf)
            return -ENOMEM;
        size_t n = printk_log_copy(buf, (size_t)len < 64 * 1024 ? (size_t)len : 64 * 1024,
                                   type == SYSLOG_ACTION_READ_CLEAR);
        long ret = copy_to_user((void *)bufp, buf, n) ? -EFAULT : (long)n;
        kfree(buf);
        return ret;
    }
    case SYSLOG_ACTION_CLEAR: {
        char c;
        printk_log_copy(&c, 0, true);
        return 0;
    }
    case SYSLOG_ACTION_CONSOLE_OFF: printk_set_loglevel(1); return 0;   // Linux: emergencies only
    case SYSLOG_ACTION_CONSOLE_ON:  printk_set_loglevel(LOGLEVEL_DEFAULT); return 0;
    case SYSLOG_ACTION_CONSOLE_LEVEL:
        if (len < 1 || len > 8)
            return -EINVAL;
        printk_set_loglevel(len < 2 ? 2 : len);   // Linux keeps at least KERN_CRIT+1
        return 0;
    case SYSLOG_ACTION_SIZE_UNREAD: case SYSLOG_ACTION_SIZE_BUFFER:
        return type == SYSLOG_ACTION_SIZE_BUFFER ? 64 * 1024 : (long)printk_log_size();
    default:
        return -EINVAL;
    }
}

// ---------------------------------------------------------------- membarrier

#define MEMBARRIER_CMD_QUERY                              0
#define MEMBARRIER_CMD_GLOBAL                             (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED                   (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED          (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED                  (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED         (1 << 4)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE        (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ             (1 << 7)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ    (1 << 8)
#define MEMBARRIER_CMD_GET_REGISTRATIONS                  (1 << 9)
#define MEMBARRIER_CMD_FLAG_CPU                           (1 << 0)
#define MEMBARRIER_REGISTER_CMDS (MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |            \
    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | \
    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ)

// The private commands' registration: the one each needs (the command's bit shifted once).
static bool registered_for(int cmd) {
    return current()->signal->membarrier & (unsigned)(cmd << 1);
}

// membarrier(cmd, flags, cpu_id): every thread of the process (private) or of the system
// (global) passes a full memory barrier before the call returns - what userspace RCU and
// JITs that patch code rely on. A thread on another CPU is made to by an IPI, and the call
// waits until each has taken it (an interrupt serializes the CPU, and its return with iret
// the instruction stream: the SYNC_CORE variant). The CPUs asked are those with the
// process's page tables loaded - a TLB shootdown asks exactly those, and waits for each -
// or every CPU for a global barrier. A thread not running passes a barrier when it is
// switched in. The RSEQ variant also aborts the restartable sequences the threads are in
// (rseq.c). Private commands need registering first (EPERM), as on Linux; registrations
// are the process's, inherited by fork and cleared by exec (Linux keeps them in the mm).
SYSCALL(membarrier) {
    int cmd = (int)a0, cpu = (int)a2;
    unsigned flags = (unsigned)a1;
    if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ ? (flags & ~MEMBARRIER_CMD_FLAG_CPU) : flags)
        return -EINVAL;
    struct proc *p = current();
    switch (cmd) {
    case MEMBARRIER_CMD_QUERY:
        return (MEMBARRIER_CMD_GET_REGISTRATIONS << 1) - 1;   // every command
    case MEMBARRIER_CMD_GLOBAL: case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
        tlb_shootdown_kernel();          // every CPU, whatever it runs
        return 0;
    case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ:
        p->signal->membarrier |= (unsigned)cmd;
        return 0;
    case MEMBARRIER_CMD_GET_REGISTRATIONS: {
        // As Linux reports them: a variant's registration shows the plain one's too (it
        // does not allow the plain command, though).
        unsigned r = p->signal->membarrier & MEMBARRIER_REGISTER_CMDS;
        if (r & (MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE |
                 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ))
            r |= MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
        return r;
    }
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED: case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ:
        if (!registered_for(cmd))
            return -EPERM;
        if (!(flags & MEMBARRIER_CMD_FLAG_CPU) || cpu < 0)
            cpu = -1;                    // every CPU (Linux: a negative cpu_id too)
        else if (cpu >= nr_cpus_online())
            return 0;                    // (Linux: a CPU that is not there has nothing to do)
        if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ)
            rseq_mark_running(p->mm, cpu);
        tlb_shootdown(p->mm->pml4);
        return 0;
    default:
        return -EINVAL;
    }
}
