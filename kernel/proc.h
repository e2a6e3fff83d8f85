// proc.h: processes.
//
// A process is an address space (struct mm), open files, a kernel stack, the user
// registers saved at the top of that kernel stack (tf) whenever it is in the kernel, and
// the kernel's own registers (context) saved on that stack whenever it is not running.
// Today a process is also its one thread; threads (clone with CLONE_THREAD) will split
// the per-thread part (kstack, tf, context, signal mask) out of this struct.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "mm.h"
#include "percpu.h"

#define NPROC      128           // the process-count limit: fork fails with EAGAIN beyond it
#define NOFILE     256           // file descriptors per process
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

// What to do with a signal (rt_sigaction's struct, as Linux's kernel lays it out).
struct k_sigaction {
    uint64_t handler;            // SIG_DFL (0), SIG_IGN (1), or a user function
    uint64_t flags;              // SA_*
    uint64_t restorer;           // user code that calls rt_sigreturn (SA_RESTORER)
    uint64_t mask;               // signals blocked while the handler runs
};

// What the kernel remembers about a pending signal, to fill in a siginfo_t.
struct ksiginfo { int code, pid, status; uint64_t addr; };

struct proc {
    int pid;
    char comm[TASK_COMM_LEN];    // the program's name, as /proc/<pid>/comm shows it
    char exe[128];               // the path it was executed from (/proc/<pid>/exe)
    enum proc_state state;
    struct proc *parent;
    int pgid, sid;               // process group and session
    bool subreaper;              // prctl(PR_SET_CHILD_SUBREAPER): orphans below come here
    bool did_exec;               // has run execve since fork (setpgid then refuses)
    struct mm *mm;               // shared with a vfork child until it execs
    uint64_t kstack_top;
    struct trapframe *tf;        // user registers, at the top of the kernel stack
    uint64_t context;            // saved kernel stack pointer while not running (swtch)
    int slice;                   // timer ticks left before it should yield
    void *chan;                  // what it sleeps on
    uint64_t wake_at;            // or until when (ns since boot), 0 if not a timed sleep
    struct proc *vfork_parent;   // sleeping until this child execs or exits
    struct file *files[NOFILE];
    uint64_t cloexec[NOFILE / 64];
    struct inode *cwd;
    uint64_t fs_base;            // arch_prctl(ARCH_SET_FS): the thread-pointer register
    uint64_t clear_child_tid;    // set_tid_address, CLONE_CHILD_CLEARTID
    int exit_signal;             // sent to the parent at exit (SIGCHLD, or clone's choice)
    int exit_status;             // wait status: (code << 8) or the signal number
    uint64_t ticks;              // timer ticks it was running for (its CPU time)
    uint64_t child_ticks;        // ... and its waited-for descendants
    uint64_t sig_pending, sig_blocked;
    struct k_sigaction sigaction[NSIG_MAX + 1];
    struct ksiginfo sig_info[NSIG_MAX + 1];   // about each pending signal, for SA_SIGINFO
    uint64_t syscall_nr;         // the system call in progress, to restart it
    uint64_t nosys_logged[8];    // which unimplemented syscalls (0..511) were already logged
    uint64_t nosys_big[NOSYS_BIG];   // ... and which larger numbers (+1; 0 = unused)
    uint8_t fpu[512] __attribute__((aligned(16)));   // x87/SSE registers (fxsave) while switched out
};

static inline struct proc *current(void) { return this_cpu()->current; }
struct proc *current_or_null(void);   // safe at any time, even before percpu_init()
struct proc *proc_at(int slot);       // the process table, for the scheduler and /proc
struct proc *proc_find(int pid);      // a live (not reaped) process, or NULL

struct proc *proc_alloc(void);
void proc_set_current(struct proc *p);
void proc_start(struct proc *p);      // first run: from the scheduler into user mode
void proc_reap(struct proc *p);       // frees what an exited process still holds
void proc_exit(int status) __attribute__((noreturn));   // status as wait() reports it
// Prepares the first user process from `path` (Linux's run_init_process); the scheduler
// then runs it. Returns 0, or a negative errno if it cannot be executed.
int proc_run_init(const char *path, const char *const *argv, const char *const *envp);
long exec(struct proc *p, const char *path, const char *const *argv, const char *const *envp);
int fd_install(struct proc *p, struct file *f, bool cloexec);
struct file *fd_get(int fd);
