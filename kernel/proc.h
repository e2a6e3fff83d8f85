// proc.h: processes.
//
// A thread is a kernel stack, the user registers saved at the top of that kernel stack
// (tf) whenever it is in the kernel, the kernel's own registers (context) saved on that
// stack whenever it is not running, and a signal mask. A process is one or more threads
// sharing an address space (struct mm), open files, a working directory and signal
// handlers (the *_struct types below), as Linux's clone flags arrange it.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "mm.h"
#include "percpu.h"

#define PID_MAX_DEFAULT 32768    // Linux's pid_max: pids are 1 .. pid_max - 1
#define RESERVED_PIDS   300      // after wrapping, pids start again here (Linux's)
#define MIN_THREADS     20       // max_threads is never below this (Linux's)
#define MAX_THREADS     0x3fffffff   // ... nor above (FUTEX_TID_MASK)
#define THREAD_SIZE     16384    // a kernel stack, as max_threads counts it (Linux's)
#define RLIMIT_NPROC    6
#define NR_OPEN_DEFAULT 64       // descriptors in a new table (Linux's BITS_PER_LONG)
#define NR_OPEN_MAX  (1u << 20)  // Linux's fs.nr_open: no descriptor, no NOFILE limit above
#define RLIMIT_NOFILE   7
#define RLIMIT_SIGPENDING 11     // signals queued for one user at once (signal.c)
#define TASK_COMM_LEN 16         // Linux's length of a process name, with its NUL
#define NOSYS_BIG  4
#define NSIG_MAX   64            // signals 1..64 (libc's NSIG is 65: one more than the last)

enum proc_state {
    PROC_UNUSED,
    PROC_RUNNABLE,               // wants the CPU
    PROC_RUNNING,                // has it
    PROC_SLEEPING,               // waits for wakeup(chan), a time (wake_at), or a signal
    PROC_ZOMBIE,                 // exited; its parent has not called wait yet
    PROC_DEAD,                   // exited, nobody will wait: the scheduler frees it
};

struct trapframe;
struct file;
struct inode;
struct sem_undo_list;
struct pidlink;

// What to do with a signal (rt_sigaction's struct, as Linux's kernel lays it out).
struct k_sigaction {
    uint64_t handler;            // SIG_DFL (0), SIG_IGN (1), or a user function
    uint64_t flags;              // SA_*
    uint64_t restorer;           // user code that calls rt_sigreturn (SA_RESTORER)
    uint64_t mask;               // signals blocked while the handler runs
};

// What the kernel remembers about a pending signal, to fill in a siginfo_t.
// timer: sent by a POSIX timer (ptimer.c) - not merely with si_code SI_TIMER, which
// rt_sigqueueinfo lets anyone claim; pid is then the timer's id, and status its seq until
// the signal is taken.
struct ksiginfo { int code, pid, status; uint64_t addr; bool timer; };

// One pending instance of a signal (Linux's struct sigqueue), kmalloc'd by the sender and
// freed by whoever takes it or throws it away (signal.c). A pending set is a bitmask plus
// a list of these in the order they were sent: a standard signal (1..31) has at most one
// (a second one, while it is pending, is merged into the first, whose info stays) but for
// POSIX timers' (one per timer, as Linux's); a real-time one (SIGRTMIN 32 .. 64) one per
// send. A set bit with no node is a signal whose info was lost (SIGKILL, or the sender was
// over RLIMIT_SIGPENDING, or out of memory).
struct sigqueue {
    struct sigqueue *next;
    int sig;
    uint32_t uid;                    // the user charged for it (RLIMIT_SIGPENDING)
    struct ksiginfo info;
};

// ---------------------------------------------------------------- what threads share
// A process is a thread group: one or more threads (struct proc, below) that share an
// address space and, as clone's flags say, these. Each is reference-counted by the threads
// that point at it; the last thread to let go frees it. Names and roles are Linux's.

// Resource limits (getrlimit/setrlimit/prlimit64), indexed by RLIMIT_*.
struct rlimit64 { uint64_t rlim_cur, rlim_max; };
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)

// The process itself, whatever its threads (Linux's signal_struct, named for its first
// job): process-directed signals, how the group ends, and per-process limits.
// Touched with interrupts off, because signal_send runs in interrupt handlers too (the
// tty's Ctrl-C, Ctrl-Z): shared_pending/shared_queue, nr_threads, group_exit*, and the job
// control fields. The rest is the group's threads' own (any of them, in a system call).
struct signal_struct {
    int refs;                        // threads pointing here (live or zombie)
    int nr_threads;                  // threads that have not exited yet
    uint64_t shared_pending;         // process-directed signals: any thread may take one
    struct sigqueue *shared_queue;   // ... and their instances, oldest first
    bool group_exit;                 // exit_group or a fatal signal: every thread must go
    int group_exit_status;           // ... with this wait status
    struct proc *exec_thread;        // a thread execve-ing: the others must die first
    struct rlimit64 rlim[RLIM_NLIMITS];
    // Job control: a stop signal stops every thread; SIGCONT lets them go on. The parent
    // hears of each change once (wait4 WUNTRACED / WCONTINUED, SIGCHLD).
    bool stopped;                    // the process is stopped (its threads park)
    int stop_signal;                 // ... by this signal
    bool stop_unreported;            // a stop the parent's wait has not yet been told of
    bool cont_unreported;            // likewise, a continue
    // Threads of the stop in progress that have not parked yet (Linux's group_stop_count):
    // the parent hears of the stop when it comes down to 0 (signal.c's signal_stop_participate).
    // BKL, interrupts off, as the fields above.
    int group_stop_count;
    uint64_t nosys_logged[8];        // which unimplemented syscalls (0..511) were already logged
    uint64_t nosys_big[NOSYS_BIG];   // ... and which larger numbers (+1; 0 = unused)
    unsigned membarrier;             // membarrier's REGISTER_* commands made (sys_proc.c)
    uint64_t dead_ticks;             // CPU time of its threads that have exited
    uint64_t child_ticks;            // ... and of its waited-for children (RUSAGE_CHILDREN)
    // Interval timers (itimer.c), in ns. The real one's absolute expiry (0: disarmed) and
    // its interval, under the BKL; the CPU ones' ([0] ITIMER_VIRTUAL, [1] ITIMER_PROF) time
    // left, counted down atomically by any CPU's tick, and their intervals (BKL).
    uint64_t it_real_expires, it_real_interval;
    int64_t it_cpu_left[2];
    uint64_t it_cpu_interval[2];
    struct ptimers *ptimers;         // POSIX timers (ptimer.c; BKL); NULL until the first
};

// Signal handlers (clone CLONE_SIGHAND shares them; CLONE_THREAD requires that).
// action[] is written by rt_sigaction in any sharing thread and read by signal_send, from
// interrupt handlers too: both with interrupts off.
struct sighand_struct {
    int refs;
    struct k_sigaction action[NSIG_MAX + 1];
};

// Where paths start (clone CLONE_FS shares it): the working directory, and the umask.
// Touched by the sharing threads' system calls only (never by an interrupt handler).
struct fs_struct {
    int refs;
    struct inode *cwd;
    struct inode *root;              // where "/" is (chroot); both hold a reference
    unsigned umask;
};

// The file descriptor table (clone CLONE_FILES shares it). It grows as Linux's
// expand_files makes it: 64 entries, then multiples of 128 rounded to a power of two,
// never past what RLIMIT_NOFILE allows when the descriptor is made; it never shrinks.
// Changed only by system calls of the threads sharing it (proc_shared.c's fd_* functions),
// under the BKL and `lock` (Linux's file_lock); read under either: read(2) and write(2)
// look up their file under `lock` alone (fd_get_unlocked), without the BKL.
struct files_struct {
    struct spinlock lock;        // fd and max_fds (and the arrays they name) change under it
    int refs;
    unsigned max_fds;            // entries in fd, bits in cloexec (a multiple of 64)
    struct file **fd;            // descriptor i's open file, or NULL
    uint64_t *cloexec;           // bit i: descriptor i closes on execve
};

// Who a thread acts as (cred.c): real, effective, saved and filesystem user and group ids,
// and the supplementary groups. All zero - root - for init and whatever it starts.
#define CRED_NGROUPS 32
struct cred {
    uint32_t uid, euid, suid, fsuid;
    uint32_t gid, egid, sgid, fsgid;
    int ngroups;
    uint32_t groups[CRED_NGROUPS];
};
bool capable(void);                  // may the current thread do what only root may?
bool in_group(uint32_t gid);         // is gid the current thread's (fs) group or a supplementary one?

// ---------------------------------------------------------------- a thread
// struct proc is one thread of execution - Linux's task_struct: its own kernel stack,
// registers, signal mask and pending signals, and pointers to what it shares. A
// single-threaded process is one struct proc whose pid equals its tgid.
//
// The fields are grouped by who may touch them. Today there is one CPU and "interrupts
// off" is the only lock; each group says which lock it will need with SMP:
//   [self]   written only by the thread itself, in its own system calls and on its way
//            to user mode; others (procfs, a signal's sender) may read them with
//            interrupts off.
//   [table]  other threads too: the scheduler, wait4, exit, setpgid, kill, procfs. Touch
//            with interrupts off; with SMP, under the process-table lock.
//   [irq]    written by interrupt handlers as well: the timer (sched_tick), and the
//            keyboard and serial line (the tty's signals, wakeup). Always with interrupts
//            off; with SMP, under the lock that guards the thread's run state.
//   [fixed]  set when the thread is made (proc_alloc, clone); changed only by the thread
//            itself in exec, once the group's other threads are gone, and in exit (which
//            lets go of mm and the shared objects): anyone may read them.
#define FD_PINS 4                // files one call pins: splice and dup2 look up two
#define SLEEPLOCKS_HELD 2        // sleeping locks one thread holds at once (splice: 2)
struct proc {
    // [fixed] who it is, and where its kernel stack is
    int pid;                     // the thread's id (gettid); the group leader's is the tgid
    int tgid;                    // the process's id (getpid): the leader's pid
    struct proc *group_leader;   // the thread whose pid is tgid (itself, if single)
    char comm[TASK_COMM_LEN];    // the program's name, as /proc/<pid>/comm shows it
    char exe[128];               // the program's file, absolute, links followed (/proc/<pid>/exe)
    uint64_t start_ns;           // when it was made, ns since boot (/proc/<pid>/stat)
    uint64_t kstack_top;
    struct trapframe *tf;        // user registers, at the top of the kernel stack
    // [fixed] what it shares with other threads (clone's flags decide): each object's own
    // fields say who may touch them (above)
    struct mm *mm;               // shared with a vfork child until it execs, and by threads
    struct signal_struct *signal;
    struct sighand_struct *sighand;
    struct fs_struct *fs;
    struct files_struct *files;
    // [self] the open files this system call has looked up (fd_get), each holding a
    // reference until the call returns (syscall.c, the calls under the BKL): a descriptor
    // another thread closes meanwhile does not free the file - or its pipe, socket or
    // signalfd - under a read or write asleep in it, as Linux's fdget holds it.
    struct file *pinned[FD_PINS];
    int npinned;
    bool pin_files;
    struct sem_undo_list *sysvsem;   // SEM_UNDO's adjustments (ipc_sem.c), or NULL
    // [self] the sleeping locks it holds (sleeplock.c), for lockdep's order check, and for
    // the check that a system call returns holding none
    struct sleeplock *sleeplocks[SLEEPLOCKS_HELD];
    int nsleeplocks;

    // [irq] its run state: the timer and wakeups from interrupt handlers change these.
    // state: changes to RUNNABLE, and from RUNNABLE to RUNNING, under the run queue's lock
    // (sched.c) - from SLEEPING, the sleeper's condition lock too (the BKL, or for
    // sleep_on_locked its own: the futex lock); SLEEPING set by the thread itself (under
    // the BKL in sleep_on, under the run queue's lock in sleep_on_locked) or by proc_alloc
    // until proc_start; ZOMBIE and DEAD by its exit (and a leader's by its last thread's),
    // UNUSED by the reap, under the BKL. Readers under the BKL alone may see RUNNABLE and
    // RUNNING trade places, and a futex sleeper come and go.
    enum proc_state state;
    struct proc *rq_next, *rq_prev;  // its place in the run queue while RUNNABLE (sched.c)
    // A CPU is on its kernel stack: from the switch to it until its CPU's scheduler is done
    // with it after the switch away (sched.c). The reap waits for false before it frees
    // the stack. Written under the run queue's lock; read by the reaper without it.
    bool on_cpu;
    // How deep it held the BKL when it switched away, and for what (bklstat.c): it has the
    // lock back at that depth when it runs again (sched.c). 1 for a thread not yet started.
    int bkl_depth, bkl_who;
    int slice;                   // timer ticks left before it should yield (sched_tick)
    bool keeps_slice;            // it gave way to a wakeup: its next turn goes on with it
    bool yielded;                // in sched_yield: its CPU's next pick passes it over (sched.c)
    // When it last got a CPU (ns since boot), and the CPU time it has had, counted at each
    // switch away, from its maker's at its start: wake_preempt compares them (sched.c).
    // Written by the scheduler of the CPU it runs on, under sched_lock.
    uint64_t ran_since, vruntime;
    uint64_t ticks;              // timer ticks it was running for (its CPU time)
    uint64_t sys_ticks;          // ... of which in the kernel (the rest: user mode; sched_tick)
    // Signals for this thread alone (tgkill, its own faults). Sent from interrupt handlers
    // too (signal_send: the tty's Ctrl-C, a SIGKILL to the group).
    // Both sets (this one and the process's) are under the BKL, with interrupts off.
    uint64_t sig_pending;
    struct sigqueue *sig_queue;  // its instances, oldest first: the siginfo for SA_SIGINFO
    uint64_t sig_forced;         // pending faults (signal_force): delivered even to init

    // [table] what other threads read and change: family, sleep, exit
    struct proc *parent;         // always a group leader; the same for all threads of a group
    int pgid, sid;               // process group and session (the same in all threads)
    bool subreaper;              // prctl(PR_SET_CHILD_SUBREAPER): orphans below come here
    bool did_exec;               // has run execve since fork (setpgid then refuses)
    // The thread that made this one's process (Linux's real_parent, a thread): when it
    // exits, pdeath_signal (prctl PR_SET_PDEATHSIG; 0: none) goes to this process, and
    // the creator becomes another thread of the maker's process (exit.c). made_children:
    // this thread has made a process (only then need its exit look).
    struct proc *creator;
    int pdeath_signal;
    bool made_children;
    // prctl's other per-thread settings (Linux's): PR_SET_NO_NEW_PRIVS (for good, and
    // inherited), PR_SET_KEEPCAPS (cleared by exec), PR_SET_TIMERSLACK (inherited).
    bool no_new_privs, keep_caps;
    uint64_t timer_slack_ns;
    uint64_t context;            // saved kernel stack pointer while not running (swtch)
    // chan and wake_at: written by the thread itself (a futex or nanosleep sleeper's without
    // the BKL: wake_at atomically, chan read by wakeup only to compare, stale at worst).
    void *chan;                  // what it sleeps on (wakeup compares it)
    uint64_t wake_at;            // or until when (ns since boot), 0 if not a timed sleep
    // A socket call's deadline (SO_RCVTIMEO, SO_SNDTIMEO: socket.c), 0 for none: its waits
    // in a ring (pipe.c) end then. The thread's own.
    uint64_t io_deadline;
    struct proc *vfork_parent;   // sleeping until this child execs or exits
    int exit_signal;             // sent to the parent at exit (SIGCHLD, or clone's choice)
    int exit_status;             // wait status: (code << 8) or the signal number

    // [self] its own settings; signal senders read sig_blocked with interrupts off
    struct cred cred;            // its ids (copied by clone; changed only by itself)
    unsigned personality;        // personality(2): ADDR_NO_RANDOMIZE... (copied by clone; exec.c)
    uint64_t sig_blocked;        // its signal mask
    bool exiting;                // in proc_exit: takes no process-wide signal, and becomes
                                 // no child's maker (signal_exit; set by itself, read by
                                 // senders and exit.c's creator_gone, under the BKL)
    uint32_t itimer_due;         // CPU timers its ticks ran down: their signals are to send
                                 // (itimer.c; set by its CPU's tick, atomically)
    uint64_t cpus_allowed;       // sched_setaffinity: CPUs it may run on (bit n: CPU n; 0: all)
    int nice, policy, rt_priority;   // setpriority, sched_setscheduler (sys_sched.c); any
    bool sched_reset_on_fork;        // caller may set them, under the BKL
    uint64_t real_blocked;       // rt_sigtimedwait: the mask it replaced while waiting
    uint64_t saved_sigmask;      // to restore on the way out (ppoll, sigsuspend, ...)
    bool restore_sigmask;        // ... if set
    uint64_t sas_sp, sas_size;   // sigaltstack: the alternate signal stack, if sas_size
    int sas_flags;               // SS_AUTODISARM
    uint64_t fs_base;            // arch_prctl(ARCH_SET_FS): the thread-pointer register
    uint64_t clear_child_tid;    // set_tid_address, CLONE_CHILD_CLEARTID
    uint64_t set_child_tid;      // CLONE_CHILD_SETTID: written by the child itself, first thing
    uint64_t robust_list, robust_len;   // set_robust_list: walked at exit and exec (futex.c)
    // Its PI locks have passed to their waiters, at its exit or exec (futex_exit_pi): no
    // PI waiter may wait for it any more - none would be handed the lock. Set under
    // futex_lock; exec's commit clears it again under the BKL, which every PI call holds.
    bool pi_locks_gone;
    // The id it had before an execve from a thread other than the leader gave it the
    // leader's (de_thread); 0 if none. PI waiters know their owner by id, and those that
    // came before the exchange still name this one: futex_exit_pi hands them over too (Linux
    // keeps the owner by task, not id). Set by de_thread, read and cleared by commit's
    // mm_release, on the thread itself under the BKL.
    int tid_before_exec;
    // rseq(2) (rseq.c): its struct rseq in user memory (0: none), the length and signature
    // it was registered with, and what the way back to user mode owes it (enum rseq_due:
    // set when the thread is switched in). Only the thread itself touches them (fork and
    // exec, for a thread not yet or no longer running anything else), so no lock - but
    // for rseq_due, which membarrier's RSEQ command also sets from another CPU: atomic.
    uint64_t rseq_addr;
    uint32_t rseq_len, rseq_sig;
    int rseq_due;
    // Its mm_cid while it runs, and the address space that holds it (sched.c: taken at
    // the switch in, given back at the switch out; sched_lock).
    int mm_cid;
    struct mm *cid_mm;
    uint64_t syscall_nr;         // the system call in progress, to restart it
    uint8_t fpu[512] __attribute__((aligned(16)));   // x87/SSE registers (fxsave) while switched out
    // Added by the limits work (proc.c): the entry's index in the process table, fixed for
    // the life of the kernel (struct procs are recycled, never freed). Written once, by
    // proc_alloc with interrupts off; read by anyone.
    int slot;
    // The CPU it last ran on (/proc/<pid>/stat's field 39, ps's PSR; 0 until it first runs).
    // Written only by the scheduler of the CPU that switches to it, under the run queue's
    // lock; read by anyone (an int: a reader sees the old CPU or the new one).
    int last_cpu;
    // A stop of its process waits for this thread to park (Linux's JOBCTL_STOP_PENDING):
    // set by the thread that takes the stop signal (group_stop), for each live thread,
    // cleared by the thread itself when it parks or exits, or by SIGCONT and SIGKILL for
    // all. Written under the BKL with interrupts off; read without it by
    // return_to_user_unlocked (through signal_pending: a racy look, made again under the
    // lock; a thread that misses it there is interrupted by the IPI that follows).
    bool stop_pending;
    // [table] what its pidfds hold (pidfd.c), made at the first one: a leader's only, and
    // only until its reap. Under the BKL.
    struct pidlink *pidlink;
};

static inline bool thread_group_leader(const struct proc *p) { return p->pid == p->tgid; }
// The other threads of p's group, one after another (p itself excluded); NULL at the end.
struct proc *next_thread(struct proc *p, struct proc *prev);

static inline struct proc *current(void) { return this_cpu()->current; }
struct proc *current_or_null(void);   // safe at any time, even before percpu_init()
struct proc *proc_at(int slot);       // the table entry (an unused one past the end), for /proc
// Walks the process table: proc_next(NULL) is the first entry in use, proc_next(p) the next
// after p (p may have died meanwhile); NULL at the end. Use it with interrupts off, or
// expect entries that come or go during the walk to be seen or not.
//     for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) ...
struct proc *proc_next(struct proc *prev);
struct proc *proc_next_without_bkl(struct proc *prev);   // the same, for the wake timer (sched.c)
extern int pid_max;                   // /proc/sys/kernel/pid_max (pids are below it)
int max_threads(void);                // /proc/sys/kernel/threads-max: fork's EAGAIN beyond
struct proc *proc_find(int pid);      // a live (not reaped) thread with this id, or NULL
struct proc *proc_find_process(int pid);   // the process any of its threads' ids names
int proc_last_pid(void);              // the pid proc_alloc gave last
uint64_t proc_spare_bytes(void);         // held by unused table entries, kept for reuse
struct proc_table_info { uint64_t in_use, entries, entry_bytes; };
struct proc_table_info proc_table_info(void);   // for /proc/slabinfo

struct proc *proc_alloc(void);
struct proc *proc_alloc_on(uint64_t kstack);   // with this kernel stack (0: it makes one)
bool proc_room_for_thread(struct proc *parent); // would proc_alloc's limits let one more in?
void proc_set_current(struct proc *p);
void proc_start(struct proc *p);      // first run: from the scheduler into user mode
void proc_reap(struct proc *p);       // frees what an exited process still holds
// The same but its kernel stack, returned for the caller to kstack_free - once it has let
// the BKL go (kstack.c needs only its own lock).
uint64_t proc_reap_but_stack(struct proc *p);
void proc_exit(int status) __attribute__((noreturn));   // this thread; status as wait() reports it
void mm_release(struct proc *p);       // exit.c: at exit and exec, in the old memory
void proc_group_exit(int status) __attribute__((noreturn));   // every thread of the process
uint64_t group_ticks(struct proc *leader);   // the process's CPU time in ticks (exit.c)
void zap_other_threads(struct proc *p);    // SIGKILL to the rest of p's group (interrupts off)
// Prepares the first user process from `path` (Linux's run_init_process); the scheduler
// then runs it. Returns 0, or a negative errno if it cannot be executed.
int proc_run_init(const char *path, const char *const *argv, const char *const *envp);
long exec(struct proc *p, const char *path, const char *const *argv, const char *const *envp);
void exec_set_randomize(bool on);    // `norandmaps` on the command line turns ASLR off
// proc_shared.c: the shared parts, made, copied, and let go of.
struct signal_struct *signal_alloc(void);
void signal_put(struct signal_struct *sig);
struct sighand_struct *sighand_alloc(void);
void sighand_put(struct sighand_struct *sh);
struct fs_struct *fs_struct_alloc(struct inode *cwd);
struct fs_struct *fs_struct_copy(struct fs_struct *fs);
void fs_struct_put(struct fs_struct *fs);
struct files_struct *files_alloc(void);
struct files_struct *files_copy(struct files_struct *files);
void files_put(struct files_struct *files);
void files_close_on_exec(struct files_struct *files);

// Descriptors (proc_shared.c). The fd_install* functions take over the caller's reference
// to f and return the descriptor, or -EMFILE (no free one below RLIMIT_NOFILE) or -ENOMEM;
// on failure the reference is still the caller's.
int fd_install(struct proc *p, struct file *f, bool cloexec);      // the lowest free one
int fd_install_from(struct proc *p, struct file *f, int from, bool cloexec);  // lowest >= from
// At fd exactly (dup2), closing what was there; the caller checked fd < fd_limit(p).
int fd_install_at(struct proc *p, struct file *f, int fd, bool cloexec);
struct file *fd_remove(struct proc *p, int fd);   // empties fd; its file (yours) or NULL
bool fd_cloexec(struct proc *p, int fd);
void fd_set_cloexec(struct proc *p, int fd, bool on);
uint64_t fd_limit(struct proc *p);     // descriptors must be below this (RLIMIT_NOFILE)
struct file *fd_get(int fd);           // the caller's open file fd, or NULL (pinned: above)
// The same without the BKL; *ref: it holds a reference, for the caller's file_put (file.h).
struct file *fd_get_unlocked(int fd, bool *ref);
void fd_unpin_all(void);               // the call's pins let go (syscall.c)
