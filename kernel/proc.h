// proc.h: processes.
//
// A process is an address space (struct mm), open files, a kernel stack, and the user
// registers saved at the top of that kernel stack (tf) whenever it is in the kernel.
// Today a process is also its one thread; the split into threads (clone with CLONE_VM)
// comes with the scheduler.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "mm.h"
#include "percpu.h"

#define NPROC      64
#define NOFILE     256           // file descriptors per process
#define TASK_COMM_LEN 16         // Linux's length of a process name, with its NUL
#define NOSYS_BIG  4

enum proc_state { PROC_UNUSED, PROC_RUNNING, PROC_ZOMBIE };

struct trapframe;
struct file;
struct inode;

struct proc {
    int pid;
    char comm[TASK_COMM_LEN];    // the program's name, as /proc/<pid>/comm will show it
    enum proc_state state;
    struct proc *parent;
    struct mm *mm;               // shared with a vfork child until it execs
    uint64_t kstack_top;
    struct trapframe *tf;        // user registers, at the top of the kernel stack
    struct file *files[NOFILE];
    uint64_t cloexec[NOFILE / 64];
    struct inode *cwd;
    uint64_t fs_base;            // arch_prctl(ARCH_SET_FS): the thread-pointer register
    uint64_t clear_child_tid;    // set_tid_address
    int exit_status;             // wait status: (code << 8) or the signal number
    uint64_t nosys_logged[8];    // which unimplemented syscalls (0..511) were already logged
    uint64_t nosys_big[NOSYS_BIG];   // ... and which larger numbers (+1; 0 = unused)
};

static inline struct proc *current(void) { return this_cpu()->current; }
struct proc *current_or_null(void);   // safe at any time, even before percpu_init()

struct proc *proc_alloc(void);
void proc_free(struct proc *p);
void proc_set_current(struct proc *p);
void proc_exit(int status) __attribute__((noreturn));   // status as wait() reports it
// Starts the first user process from `path`, as Linux's run_init_process. Returns only on
// failure, with a negative errno.
int proc_run_init(const char *path, const char *const *argv, const char *const *envp);
long exec(struct proc *p, const char *path, const char *const *argv, const char *const *envp);
void enter_user(struct trapframe *tf) __attribute__((noreturn));   // trapentry.asm
int fd_install(struct proc *p, struct file *f, bool cloexec);
struct file *fd_get(int fd);
