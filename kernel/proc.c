// proc.c: the process table, and how a process starts and is finally freed.
//
// Birth: proc_alloc() takes a free slot and a kernel stack; fork (fork.c) or, for the
// first process, proc_run_init() fill it in; proc_start() makes it runnable. Its first
// switch-in lands in proc_first_run (swtch.asm), which leaves for user mode through the
// ordinary interrupt-return path. Death: proc_exit (exit.c) lets go of memory and files
// and leaves a zombie; proc_reap() frees the rest once the parent has waited.
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "gdt.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "ksignal.h"
#include "string.h"
#include "trap.h"
#include "vm.h"
#include "x86.h"

static struct proc procs[NPROC];
static int next_pid = 1;
static struct percpu cpu0;
static bool percpu_ready;

// The running process, or NULL before there is one (panic() asks at any time).
struct proc *current_or_null(void) { return percpu_ready ? this_cpu()->current : NULL; }

struct proc *proc_at(int slot) { return &procs[slot]; }

struct proc *proc_find(int pid) {
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != PROC_UNUSED && procs[i].state != PROC_DEAD && procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

void percpu_init(void) {
    cpu0.self = &cpu0;
    wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);   // the user's GS base, swapped in on the way out
    percpu_ready = true;
}

// PIDs count up and are not reused until they wrap (Linux's pid_max default is 32768).
static int alloc_pid(void) {
    for (;;) {
        int pid = next_pid;
        next_pid = next_pid >= 32767 ? 2 : next_pid + 1;
        if (!proc_find(pid))
            return pid;
    }
}

struct proc *proc_alloc(void) {
    uint64_t f = local_irq_save();
    struct proc *p = NULL;
    for (int i = 0; i < NPROC && !p; i++)
        if (procs[i].state == PROC_UNUSED)
            p = &procs[i];
    if (p) {
        memset(p, 0, sizeof *p);
        p->state = PROC_SLEEPING;           // not runnable until proc_start()
        p->pid = p->tgid = alloc_pid();     // its own group, unless clone says otherwise
        p->group_leader = p;
    }
    local_irq_restore(f);
    if (!p)
        return NULL;
    p->kstack_top = kstack_alloc();
    if (!p->kstack_top) {
        p->state = PROC_UNUSED;
        return NULL;
    }
    p->tf = (struct trapframe *)(p->kstack_top - sizeof(struct trapframe));
    p->exit_signal = SIGCHLD;
    fpu_reset(p->fpu);
    return p;
}

// The first switch to p "returns" into proc_first_run, just below its trap frame: swtch
// pops six registers and then the return address from this little frame.
void proc_start(struct proc *p) {
    extern char proc_first_run[];
    struct switch_frame *frame = (struct switch_frame *)p->tf - 1;
    *frame = (struct switch_frame){ .rip = (uint64_t)proc_first_run };
    p->context = (uint64_t)frame;
    uint64_t f = local_irq_save();
    p->state = PROC_RUNNABLE;
    local_irq_restore(f);
}

// The next thread of p's group after prev, in table order; start with prev = p (which is
// then skipped wherever it stands). NULL after the last.
struct proc *next_thread(struct proc *p, struct proc *prev) {
    for (int i = prev == p ? 0 : (int)(prev - procs) + 1; i < NPROC; i++) {
        struct proc *t = &procs[i];
        if (t != p && t->state != PROC_UNUSED && t->state != PROC_DEAD && t->signal == p->signal)
            return t;
    }
    return NULL;
}

void proc_reap(struct proc *p) {
    sighand_put(p->sighand);
    p->sighand = NULL;
    signal_put(p->signal);
    p->signal = NULL;
    kstack_free(p->kstack_top);
    p->state = PROC_UNUSED;
}

// Makes p the running process: its kernel stack for traps and syscalls, its page tables,
// its thread pointer. NULL: the idle loop runs. It keeps whatever page tables are loaded
// (the kernel half is the same in all of them), which saves a TLB flush per switch.
void proc_set_current(struct proc *p) {
    cpu0.current = p;
    if (!p)
        return;
    cpu0.kernel_rsp = p->kstack_top;
    tss_set_kernel_stack(p->kstack_top);
    vm_switch(p->mm ? p->mm->pml4 : NULL);
    wrmsr(MSR_FS_BASE, p->fs_base);
}

int fd_install(struct proc *p, struct file *f, bool cloexec) {
    for (int fd = 0; fd < NOFILE; fd++) {
        if (!p->files->fd[fd]) {
            p->files->fd[fd] = f;
            if (cloexec)
                p->files->cloexec[fd / 64] |= 1ull << (fd % 64);
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(int fd) {
    struct proc *p = current();
    return fd >= 0 && fd < NOFILE ? p->files->fd[fd] : NULL;
}

// Like Linux's console_on_rootfs(): fds 0, 1 and 2 are one open of the console.
static int open_console(struct proc *p) {
    struct file *f = file_alloc(&console_ops, NULL, O_RDWR);
    if (!f)
        return -ENOMEM;
    p->files = files_alloc();
    if (!p->files) {
        file_close(f);
        return -ENOMEM;
    }
    p->files->fd[0] = f;
    p->files->fd[1] = file_dup(f);
    p->files->fd[2] = file_dup(f);
    return 0;
}

static void undo_init(struct proc *p) {
    files_put(p->files);
    fs_struct_put(p->fs);
    proc_reap(p);
    next_pid = 1;                    // the next candidate is PID 1 again
}

int proc_run_init(const char *path, const char *const *argv, const char *const *envp) {
    struct proc *p = proc_alloc();
    if (!p)
        return -ENOMEM;
    p->pgid = p->sid = p->pid;
    p->signal = signal_alloc();
    p->sighand = sighand_alloc();
    p->fs = fs_struct_alloc(fs_root());
    long err = p->signal && p->sighand && p->fs ? open_console(p) : -ENOMEM;
    if (!err) {
        pr_info("Run %s as init process\n", path);
        err = exec(p, path, argv, envp);
    }
    vm_switch(NULL);                 // exec switched to p's tables; the scheduler will too
    if (err) {
        undo_init(p);
        return (int)err;
    }
    proc_start(p);
    return 0;
}
