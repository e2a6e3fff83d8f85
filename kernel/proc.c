// proc.c: the process table, and the birth and death of processes.
//
// For now there is exactly one user process, init, and no scheduler: it runs until it
// exits or dies, and then - being PID 1 - takes the kernel with it, as on Linux.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "gdt.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "proc.h"
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

void percpu_init(void) {
    cpu0.self = &cpu0;
    wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);   // the user's GS base, swapped in on the way out
    percpu_ready = true;
}

struct proc *proc_alloc(void) {
    struct proc *p = NULL;
    for (int i = 0; i < NPROC && !p; i++)
        if (procs[i].state == PROC_UNUSED)
            p = &procs[i];
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->kstack_top = kstack_alloc();
    if (!p->kstack_top)
        return NULL;
    p->tf = (struct trapframe *)(p->kstack_top - sizeof(struct trapframe));
    p->pid = next_pid++;
    p->state = PROC_RUNNING;
    p->cwd = fs_root();
    fs_get(p->cwd);
    return p;
}

void proc_free(struct proc *p) {
    for (int fd = 0; fd < NOFILE; fd++)
        if (p->files[fd])
            file_close(p->files[fd]);
    if (p->mm)
        mm_put(p->mm);
    if (p->cwd)
        fs_put(p->cwd);
    if (current() == p)
        cpu0.current = NULL;
    kstack_free(p->kstack_top);
    p->state = PROC_UNUSED;
}

// Makes p the running process: its kernel stack for traps and syscalls, its page tables,
// its thread pointer.
void proc_set_current(struct proc *p) {
    cpu0.current = p;
    cpu0.kernel_rsp = p->kstack_top;
    tss_set_kernel_stack(p->kstack_top);
    vm_switch(p->mm ? p->mm->pml4 : NULL);
    wrmsr(MSR_FS_BASE, p->fs_base);
}

int fd_install(struct proc *p, struct file *f, bool cloexec) {
    for (int fd = 0; fd < NOFILE; fd++) {
        if (!p->files[fd]) {
            p->files[fd] = f;
            if (cloexec)
                p->cloexec[fd / 64] |= 1ull << (fd % 64);
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(int fd) {
    struct proc *p = current();
    return fd >= 0 && fd < NOFILE ? p->files[fd] : NULL;
}

// Like Linux's console_on_rootfs(): fds 0, 1 and 2 are one open of the console.
static int open_console(struct proc *p) {
    struct file *f = file_alloc(&console_ops, NULL, O_RDWR);
    if (!f)
        return -ENOMEM;
    p->files[0] = f;
    p->files[1] = file_dup(f);
    p->files[2] = file_dup(f);
    return 0;
}

int proc_run_init(const char *path, const char *const *argv, const char *const *envp) {
    struct proc *p = proc_alloc();
    if (!p)
        return -ENOMEM;
    long err = open_console(p);
    if (!err) {
        proc_set_current(p);
        pr_info("Run %s as init process\n", path);
        err = exec(p, path, argv, envp);
    }
    if (err) {
        proc_free(p);
        next_pid = 1;                // the next candidate is PID 1 again
        vm_switch(NULL);
        return (int)err;
    }
    enter_user(p->tf);
}

void proc_exit(int status) {
    struct proc *p = current();
    if (p->pid == 1)
        panic("Attempted to kill init! exitcode=0x%08x", status);
    panic("proc_exit: pid %d exited, and there is no scheduler to run anyone else", p->pid);
}
