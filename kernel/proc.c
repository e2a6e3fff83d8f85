// proc.c: the process table, and how a process starts and is finally freed.
//
// Birth: proc_alloc() takes a free slot and a kernel stack (fork brings its own, made
// without the BKL: proc_alloc_on); fork (fork.c) or, for the
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
#include "kmalloc.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "percpu.h"
#include "pidfd.h"
#include "printk.h"
#include "proc.h"
#include "smp.h"
#include "spinlock.h"
#include "sched.h"
#include "ksignal.h"
#include "string.h"
#include "time.h"
#include "trap.h"
#include "vm.h"
#include "x86.h"

// The process table: a growable array of pointers to struct proc, one per thread.
// Why an array of pointers (not a list): a slot number names a thread for as long as the
// kernel runs (procfs builds inode numbers from it), and a walk in slot order stays simple
// and right while entries change state under the walker. A struct proc, once allocated, is
// never freed: reaping marks it PROC_UNUSED and a later proc_alloc takes it again. So a stale
// pointer (a parent, an iterator's prev) always points at a struct proc whose state says if
// it lives, as with the fixed array before. When every entry is in use the array doubles
// (Linux's expand_files idea), up to max_threads entries.
//
// Each entry also says whether its struct proc is in use (state != PROC_UNUSED: only
// proc_alloc and proc_unuse change that), so that a walk skips the unused ones without
// touching them: after a burst of thousands of processes, the table stays that long, and
// reading one word per entry costs far less than one struct proc (a page) per entry.
//
// Who touches it: table, table_len, table_cap, nr_threads and last_pid change only with
// interrupts off, in proc_alloc and proc_reap, under the BKL; interrupt handlers (the timer,
// signal_send) only read them. One reader walks without the BKL: the wake timer
// (proc_next_without_bkl, for sched.c). For it, the entries and the array change under
// table_lock too, a leaf lock (nothing is taken under it): so its walk never reads an array
// grow_table has freed. (Linux: tasklist_lock and pidmap_lock, and RCU for such readers.)
struct slot { struct proc *p; bool used; };   // invariant: used == (p->state != PROC_UNUSED)
static struct spinlock table_lock = SPINLOCK_INIT("proc table");
static struct slot *table;
static int table_len, table_cap;
static int nr_threads;                 // entries not PROC_UNUSED (zombies count, as on Linux)
static int last_pid;                   // the last pid handed out
static struct proc unused_proc;        // what proc_at() shows for a slot not yet made

int pid_max = PID_MAX_DEFAULT;

// The running process, or NULL before there is one (panic() asks at any time).
struct proc *current_or_null(void) { return percpu_ready ? this_cpu()->current : NULL; }

struct proc *proc_at(int slot) { return slot >= 0 && slot < table_len ? table[slot].p : &unused_proc; }

static void proc_unuse(struct proc *p);

// The next entry after prev (the first if prev is NULL) that is not PROC_UNUSED, in slot
// order; NULL after the last. Entries made while a walk goes on may or may not be seen.
struct proc *proc_next(struct proc *prev) {
    for (int i = prev ? prev->slot + 1 : 0; i < table_len; i++)
        if (table[i].used)
            return table[i].p;
    return NULL;
}

// The same walk without the BKL, for the wake timer (sched.c): the table may change under
// it, but each step looks under table_lock. What it returns is a struct proc in use at that
// moment; since none is ever freed, the pointer stays good - but the thread may have gone,
// and its entry been taken by another, by the time the caller looks at it (under the lock
// that guards what it looks at).
struct proc *proc_next_without_bkl(struct proc *prev) {
    uint64_t f = spin_lock_irqsave(&table_lock);
    struct proc *next = NULL;
    for (int i = prev ? prev->slot + 1 : 0; i < table_len && !next; i++)
        if (table[i].used)
            next = table[i].p;
    spin_unlock_irqrestore(&table_lock, f);
    return next;
}

struct proc *proc_find(int pid) {
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        if (p->state != PROC_DEAD && p->pid == pid)
            return p;
    return NULL;
}

// The process kill(pid) and sigqueue(pid) mean: its leader, found by any of its threads'
// ids, as on Linux (kill_pid_info finds the thread, then signals its whole group). A
// thread that has ended names nothing.
struct proc *proc_find_process(int pid) {
    struct proc *p = proc_find(pid);
    if (p && !thread_group_leader(p))
        p = p->state == PROC_ZOMBIE || p->state == PROC_UNUSED ? NULL : p->group_leader;
    return p && p->state != PROC_UNUSED && p->state != PROC_DEAD ? p : NULL;
}

// Linux's max_threads (kernel.threads-max): as many threads as would fill an eighth of
// memory with their 16 KiB kernel stacks, at least 20. Init's RLIMIT_NPROC is half of it.
int max_threads(void) {
    uint64_t n = nr_managed_pages() * PAGE_SIZE / (THREAD_SIZE * 8);
    return n < MIN_THREADS ? MIN_THREADS : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

// A number is in use while a thread has it as its id, or a process, process group or
// session is named by it (Linux keeps a struct pid for each). Zombies keep theirs.
static bool pid_in_use(int nr) {
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        if (p->pid == nr || p->tgid == nr || p->pgid == nr || p->sid == nr)
            return true;
    return false;
}

// Linux's alloc_pid: the number after the last one handed out, skipping those in use, below
// pid_max; after the top it wraps to RESERVED_PIDS (the low numbers stay with the boot's
// first daemons). 0 if every number is taken.
// Until the first wrap, every number in use (as a pid, tgid, pgid or sid: each of those was
// once handed out here) is at most last_pid, so the next one is free without a look.
static int alloc_pid(void) {
    static bool wrapped;
    if (!wrapped && last_pid + 1 < pid_max)
        return ++last_pid;
    wrapped = true;
    int nr = last_pid;
    for (int tries = 0; tries < pid_max; tries++) {
        nr = nr + 1 >= pid_max ? RESERVED_PIDS : nr + 1;
        if (!pid_in_use(nr))
            return last_pid = nr;
    }
    return 0;
}

// Linux's copy_process check: a user who already has RLIMIT_NPROC tasks (threads, zombies
// too) may not make another, unless root (INIT_USER) or holding CAP_SYS_RESOURCE/ADMIN.
// Checked against the forking thread: the child has its real uid.
static bool over_nproc(struct proc *parent) {
    if (!parent || parent->cred.uid == 0 || capable())
        return false;
    uint64_t n = 0;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
        n += p->cred.uid == parent->cred.uid;
    return n >= parent->signal->rlim[RLIMIT_NPROC].rlim_cur;
}

// Doubles the table. The new array is filled and switched to with interrupts off, so an
// interrupt handler walking the table sees the old one or the new one, whole.
static bool grow_table(void) {
    int cap = table_cap ? table_cap * 2 : 64;
    struct slot *bigger = kmalloc((size_t)cap * sizeof *bigger);
    if (!bigger)
        return false;
    uint64_t f = spin_lock_irqsave(&table_lock);
    struct slot *old = table;
    if (cap > table_cap) {
        for (int i = 0; i < table_len; i++)
            bigger[i] = table[i];
        table = bigger;
        table_cap = cap;
    } else {
        old = bigger;                    // someone grew it meanwhile
    }
    spin_unlock_irqrestore(&table_lock, f);
    kfree(old);                          // no walk is in it now: each step takes table_lock
    return true;
}

static struct proc *find_unused(void) {
    for (int i = 0; i < table_len; i++)
        if (!table[i].used)
            return table[i].p;
    return NULL;
}

// A free entry: an old one, or else `fresh`, appended. table_lock held (the caller's).
static struct proc *take_entry(struct proc *fresh) {
    struct proc *p = find_unused();
    if (p || !fresh || table_len == table_cap)
        return p;
    fresh->slot = table_len;
    table[table_len++] = (struct slot){ fresh, false };
    return fresh;
}

// Is a new thread allowed now? (interrupts off)
static bool may_add_thread(struct proc *parent) {
    return nr_threads < max_threads() && !over_nproc(parent);
}

bool proc_room_for_thread(struct proc *parent) {
    uint64_t f = local_irq_save();
    bool room = may_add_thread(parent);
    local_irq_restore(f);
    return room;
}

// Each struct proc has a page of its own, whatever its size: the table keeps every one for
// good, and a kept object in a slab shared with short-lived ones (descriptor tables of the
// same size class...) would pin that slab's page after they are gone - memory that the
// leak checks (usertests' "leak") would see as lost.
_Static_assert(sizeof(struct proc) <= PAGE_SIZE, "a struct proc fits in its page");

// Bytes held by table entries no thread uses now: struct procs are kept for reuse, never
// freed (leakcheck.c does not count them as leaked).
uint64_t proc_spare_bytes(void) {
    uint64_t f = local_irq_save();
    uint64_t bytes = 0;
    for (int i = 0; i < table_len; i++)
        if (!table[i].used)
            bytes += ksize(table[i].p);
    local_irq_restore(f);
    return bytes;
}

// The last pid handed out (/proc/loadavg's last field; /proc/stat's processes).
int proc_last_pid(void) { return last_pid; }

// A new thread: a table entry, a pid and a kernel stack. NULL (fork says EAGAIN) if the
// threads limit, the caller's RLIMIT_NPROC or the pids run out, or memory does.
struct proc *proc_alloc(void) { return proc_alloc_on(0); }

struct proc *proc_alloc_on(uint64_t kstack) {
    struct proc *parent = current_or_null();
    struct proc *fresh = NULL;
    if (!find_unused()) {                        // the table must take one more
        if (table_len == table_cap && !grow_table())
            return NULL;
        if (!(fresh = kzalloc(PAGE_SIZE)))       // zeroed: PROC_UNUSED; a page: see above
            return NULL;
    }
    // The entry is taken and cleared under table_lock: the wake timer's walk may still
    // hold this struct from its last step, when it was another thread's, and read its slot
    // for the next (proc_next_without_bkl). Seen as 0 in the middle of the memset, that
    // sent the walk back to the table's start.
    uint64_t f = spin_lock_irqsave(&table_lock);
    struct proc *p = may_add_thread(parent) ? take_entry(fresh) : NULL;
    int pid = p ? alloc_pid() : 0;
    if (p && pid) {
        int slot = p->slot;
        memset(p, 0, sizeof *p);
        p->slot = slot;
        p->state = PROC_SLEEPING;           // not runnable until proc_start()
        p->pid = p->tgid = pid;             // its own group, unless clone says otherwise
        p->group_leader = p;
        p->start_ns = time_since_boot_ns();
        table[slot].used = true;
        nr_threads++;
    }
    spin_unlock_irqrestore(&table_lock, f);
    if (fresh && fresh != p)
        kfree(fresh);
    if (!p || !pid)
        return NULL;
    p->kstack_top = kstack ? kstack : kstack_alloc();
    if (!p->kstack_top) {
        proc_unuse(p);
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
    uint64_t f = local_irq_save();      // (init's start: no interrupt may wake it half made)
    p->context = (uint64_t)frame;
    sched_start(p);
    local_irq_restore(f);
}

// The next thread of p's group after prev, in table order; start with prev = p (which is
// then skipped wherever it stands). NULL after the last.
struct proc *next_thread(struct proc *p, struct proc *prev) {
    for (struct proc *t = proc_next(prev == p ? NULL : prev); t; t = proc_next(t))
        if (t != p && t->state != PROC_DEAD && t->signal == p->signal)
            return t;
    return NULL;
}

// The entry is free again (its struct stays in the table, for the next proc_alloc).
static void proc_unuse(struct proc *p) {
    uint64_t f = spin_lock_irqsave(&table_lock);
    p->state = PROC_UNUSED;
    table[p->slot].used = false;
    nr_threads--;
    spin_unlock_irqrestore(&table_lock, f);
}

uint64_t proc_reap_but_stack(struct proc *p) {
    sched_wait_off_cpu(p);               // a zombie's CPU may still be switching away from it
    pidfd_reaped(p);                     // its pidfds now name nothing (ESRCH, POLLHUP)
    signal_flush_thread(p);              // its own pending signals' queued instances
    sighand_put(p->sighand);
    p->sighand = NULL;
    signal_put(p->signal);
    p->signal = NULL;
    uint64_t stack = p->kstack_top;
    proc_unuse(p);
    return stack;
}

void proc_reap(struct proc *p) { kstack_free(proc_reap_but_stack(p)); }

// Makes p the running process: its kernel stack for traps and syscalls, its page tables,
// its thread pointer. NULL: the idle loop runs. It keeps whatever page tables are loaded
// (the kernel half is the same in all of them), which saves a TLB flush per switch, and
// two between threads of one process: the idle loop loads the kernel's own tables only
// when it halts (sched.c's unload_tables says why it must then).
void proc_set_current(struct proc *p) {
    struct percpu *c = this_cpu();
    c->current = p;
    if (!p)
        return;
    c->kernel_rsp = p->kstack_top;
    tss_set_kernel_stack(p->kstack_top);
    vm_switch(p->mm ? p->mm->pml4 : NULL);     // (which notes it in c->pml4)
    wrmsr(MSR_FS_BASE, p->fs_base);
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
    last_pid = 0;                    // the next candidate is PID 1 again
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

// The table as a cache of struct procs, for /proc/slabinfo's task_struct line: entries in
// use, entries made (the most threads that ever existed at once; never fewer: struct procs
// are kept), and the bytes each takes.
struct proc_table_info proc_table_info(void) {
    uint64_t f = local_irq_save();
    struct proc_table_info t = { nr_threads, table_len, table_len ? ksize(table[0].p) : 0 };
    local_irq_restore(f);
    return t;
}
