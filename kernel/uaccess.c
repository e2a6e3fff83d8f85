// uaccess.c: checked copies between user and kernel memory (see uaccess.h).
//
// Linux's way, in our words: a copy checks only that its range is user space (below
// USER_TOP, without wrapping), opens the user-access window, and copies - with the few
// instructions of uaccess_copy.asm, which may fault. A fault there on a user address is
// handled as if user code had made the same access (uaccess_fault, from the page-fault
// handler in trap.c): a page not yet touched, copy-on-write or just below the stack is
// brought in and the copy goes on; anything else - unmapped, PROT_NONE, read-only, or a
// page another thread unmapped a moment ago, even while this copy slept in the fault -
// ends the copy early at its fixup, and the caller gets -EFAULT. Nothing is checked in the
// page tables beforehand, so there is nothing a check could race with. (Reads take one
// look afterwards, for PROT_NONE pages, which do not fault for the kernel: read_was_allowed.)
//
// Every kernel access to user memory, and the door it goes through (the audit of issue 14):
//   - through these doors, in the running process's own address space: every system call's
//     pointer arguments and buffers (sys_*.c, the file layer's read/write, poll/epoll,
//     pipe, tty, cred, mount, mincore in sys_mem.c), signal frames and sigreturn (signal.c),
//     execve's argv/envp walk (exec.c), clone's parent and child tid writes (fork.c: the
//     child's in proc_first_run_c, from the child itself, as Linux's put_user), the exit's
//     clear_child_tid write and rusage (exit.c), futex words and robust-list walks and
//     their atomic updates (futex.c: copy_from_user, cmpxchg_user_u32, and under the futex
//     lock their _nofault forms), the trace's user stack walk at syscall entry (trace.c).
//     All run under the big kernel lock, but execve's copies of its path, argv and envp,
//     and futex's (syscall.c's U calls: readable_prefix).
//   - mm.c's mm_poke_new_image: exec filling the new image's pages through the direct
//     map. Safe: that address space is not yet any thread's, so nothing can change it
//     meanwhile; its range is checked (user space, no wrap), and each page is faulted in
//     through its VMA and made private first (try_fault with force), under the BKL.
//   - mm.c's mm_peek_other: /proc/<pid>/cmdline and environ (procfs_pid.c) reading
//     another process's memory through the direct map. Safe: the range is checked, each
//     page must be in a VMA, present and user-accessible, and the walk and the memcpy of a
//     page happen under the mm's lock with no sleep between them - every change of a
//     present page (munmap, a copy-on-write, also the one without the BKL) takes it, so
//     the page cannot be freed in between.
//   - not user pointers, though the pages may be mapped in user space: vm.c's vm_cow and
//     try_fault's zeroing of fresh pages, the page cache's pages (ramfs_data.c), the vDSO
//     and vvar pages (vdso.c, time.c), all through the direct map by physical address.
//
// The window: stac/clac, around each call into uaccess_copy.asm and nothing else (the
// self-checks below make sure of it).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu.h"
#include "errno.h"
#include "memlayout.h"
#include "mm.h"
#include "proc.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "string.h"
#include "trap.h"
#include "smp.h"
#include "uaccess.h"
#include "vm.h"
#include "x86.h"

// uaccess_copy.asm: its routines and its exception table.
size_t uaccess_copy(void *dst, const void *src, size_t n);      // bytes not copied
int uaccess_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new);
long uaccess_strncpy(char *dst, const char *src, size_t max);
struct uaccess_fixup {
    uint64_t insn;                       // an instruction that touches user memory
    uint64_t fixup;                      // where to resume if its fault cannot be fixed
};
extern const struct uaccess_fixup uaccess_fixups[], uaccess_fixups_end[];

#define RFLAGS_AC (1ull << 18)

// The window's state, per CPU: percpu.uaccess_open is true exactly while this CPU is inside
// a copy below, between user_access_begin and user_access_end - the self-checks' view of
// it, kept whether or not the CPU has SMAP. Only the running thread's own kernel code sets
// it, on its own CPU, with the copy in progress; it never stays open across a sleep
// (uaccess_fault closes it while a fault is handled). Interrupt handlers only read it.
static bool window_open(void) {
    return percpu_ready && this_cpu()->uaccess_open;
}

static inline void user_access_begin(void) {
    this_cpu()->uaccess_open = true;
    if (cpu.smap)
        __asm__ volatile("stac" ::: "memory");
}

static inline void user_access_end(void) {
    if (cpu.smap)
        __asm__ volatile("clac" ::: "memory");
    this_cpu()->uaccess_open = false;
}

// Is [addr, addr+n) inside user space, without wrapping? The one check before a copy:
// after it, a fault can only be on a user address.
static bool user_range(uint64_t addr, size_t n) {
    return addr < USER_TOP && n <= USER_TOP - addr;
}

// vm.c keeps a PROT_NONE page present for the kernel, only without PTE_U, so a kernel
// read of it does not fault (a write does: such a page is never writable). So after a read
// from user memory, the pages its bytes came from are looked at: any of them present but
// not the user's means the read was not allowed. A page unmapped since it was read is no
// matter; one made PROT_NONE by another thread since (if the copy slept in a fault) gives
// an EFAULT the call could also have had a moment later.
// How many of the n bytes at addr come before the first such page.
// Without the BKL (syscall.c's U calls), the walk is made with interrupts off: another
// thread's munmap may free page tables meanwhile - but only once every CPU on them has
// flushed its TLB, which this one does only in answer to an interrupt.
static size_t readable_prefix(uint64_t addr, size_t n) {
    uint64_t *pml4 = vm_current();           // the tables the copy itself goes through
    bool locked = bkl_held();
    uint64_t f = locked ? 0 : local_irq_save();
    size_t ok = n;
    for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + n; page += PAGE_SIZE) {
        pte_t *pte = vm_walk(pml4, page, false);
        if (pte && (*pte & PTE_P) && !(*pte & PTE_U)) {
            ok = page > addr ? page - addr : 0;
            break;
        }
    }
    if (!locked)
        local_irq_restore(f);
    return ok;
}

static bool read_was_allowed(uint64_t addr, size_t n) {
    return readable_prefix(addr, n) == n;
}

int copy_from_user(void *dst, const void *usrc, size_t n) {
    if (!user_range((uint64_t)usrc, n))
        return -EFAULT;
    user_access_begin();
    size_t left = uaccess_copy(dst, usrc, n);
    user_access_end();
    if (left == 0 && read_was_allowed((uint64_t)usrc, n))
        return 0;
    left = left ? left : n;
    memset((char *)dst + (n - left), 0, left);   // as Linux: no stale kernel bytes behind
    return -EFAULT;
}

// Here the look comes first, and the copy stops before a PROT_NONE page: the bytes that
// did arrive are kept, so none may come from where the user could not read.
size_t copy_from_user_left(void *dst, const void *usrc, size_t n) {
    if (!user_range((uint64_t)usrc, n))
        return n;
    size_t allowed = readable_prefix((uint64_t)usrc, n);
    user_access_begin();
    size_t left = uaccess_copy(dst, usrc, allowed);
    user_access_end();
    return n - allowed + left;
}

size_t copy_from_user_nosleep(void *dst, const void *usrc, size_t n) {
    this_cpu()->uaccess_nosleep = true;
    size_t left = copy_from_user_left(dst, usrc, n);
    this_cpu()->uaccess_nosleep = false;
    return left;
}

// The bytes before a fault are stored (Linux's copies do the same: a program may see them).
size_t copy_to_user_left(void *udst, const void *src, size_t n) {
    if (!user_range((uint64_t)udst, n))
        return n;
    user_access_begin();
    size_t left = uaccess_copy(udst, src, n);
    user_access_end();
    return left;
}

int copy_to_user(void *udst, const void *src, size_t n) {
    return copy_to_user_left(udst, src, n) ? -EFAULT : 0;
}

int cmpxchg_user_u32(uint32_t *uaddr, uint32_t *old, uint32_t new) {
    if (((uint64_t)uaddr & 3) || !user_range((uint64_t)uaddr, sizeof *uaddr))
        return -EFAULT;
    user_access_begin();
    int err = uaccess_cmpxchg32(uaddr, old, new);
    user_access_end();
    return err;
}

// The flag is this CPU's: the caller must not move to another CPU in the middle.
static void nofault_begin(void) {
    if (read_rflags() & RFLAGS_IF)
        panic("uaccess: a _nofault copy with interrupts on (it must hold a spinlock)");
    this_cpu()->uaccess_nofault = true;
}

int copy_from_user_nofault(void *dst, const void *usrc, size_t n) {
    nofault_begin();
    int err = copy_from_user(dst, usrc, n);
    this_cpu()->uaccess_nofault = false;
    return err;
}

int copy_to_user_nofault(void *udst, const void *src, size_t n) {
    nofault_begin();
    int err = copy_to_user(udst, src, n);
    this_cpu()->uaccess_nofault = false;
    return err;
}

int cmpxchg_user_u32_nofault(uint32_t *uaddr, uint32_t *old, uint32_t new) {
    nofault_begin();
    int err = cmpxchg_user_u32(uaddr, old, new);
    this_cpu()->uaccess_nofault = false;
    return err;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max) {
    uint64_t addr = (uint64_t)usrc;
    if (addr >= USER_TOP)
        return -EFAULT;
    // Never past the end of user space: a string still going there is a bad address.
    size_t room = USER_TOP - addr, limit = max < room ? max : room;
    user_access_begin();
    long len = uaccess_strncpy(dst, usrc, limit);
    user_access_end();
    if (len >= 0 && !read_was_allowed(addr, (size_t)len < limit ? (size_t)len + 1 : limit))
        return -EFAULT;
    if (len < 0 || (size_t)len < limit)
        return len;                      // -EFAULT, or the length of a whole string
    return limit < max ? -EFAULT : -ENAMETOOLONG;
}

// ---------------------------------------------------------------- the fault in a copy

static const struct uaccess_fixup *fixup_for(uint64_t rip) {
    for (const struct uaccess_fixup *f = uaccess_fixups; f < uaccess_fixups_end; f++)
        if (f->insn == rip)
            return f;
    return NULL;
}

bool uaccess_fault(struct trapframe *tf, uint64_t addr) {
    const struct uaccess_fixup *f = fixup_for(tf->rip);
    if (!f || addr >= USER_TOP || (tf->error_code & (PF_RSVD | PF_INSTR)))
        return false;                    // not a copy's access to user memory: a kernel bug
    if (cpu.smap && !(tf->rflags & RFLAGS_AC))
        return false;                    // a copy outside its window: a bug, and it would fault forever
    // Closed while the fault is handled: mm_fault may sleep (the OOM killer waits), another
    // thread may run on this CPU meanwhile, and this one may wake up on another CPU.
    this_cpu()->uaccess_open = false;
    struct proc *p = current();
    bool write = tf->error_code & PF_WRITE;
    if (!p || !p->mm || mm_fault(p->mm, addr, write, false) != 0)
        tf->rip = f->fixup;              // the copy ends early: its caller says -EFAULT
    // Back into the copy's window, on whichever CPU this is now (iret gives back AC): the
    // copy goes on, or its fixup runs - which may still copy up to the bad byte - and the
    // caller's user_access_end closes the window, as after any copy.
    this_cpu()->uaccess_open = true;
    return true;
}

bool uaccess_fault_nofault(struct trapframe *tf, uint64_t addr) {
    if (!percpu_ready || !this_cpu()->uaccess_nofault || (tf->cs & 3))
        return false;
    const struct uaccess_fixup *f = fixup_for(tf->rip);
    if (!f || addr >= USER_TOP || (tf->error_code & (PF_RSVD | PF_INSTR)) ||
        (cpu.smap && !(tf->rflags & RFLAGS_AC)))
        return false;                    // not the copy's access: a bug, uaccess_fault says
    tf->rip = f->fixup;                  // the copy ends early: its caller says -EFAULT
    return true;
}

// ---------------------------------------------------------------- self-checks

void uaccess_trap_entry(const struct trapframe *tf) {
    if (!cpu.smap)
        return;                          // AC means nothing to the kernel then (and clac is #UD)
    if ((tf->cs & 3) == 0 && (tf->rflags & RFLAGS_AC) && !window_open())
        panic("uaccess: RFLAGS.AC set in the kernel outside a user-access window "
              "(rip %llx): SMAP was off", (unsigned long long)tf->rip);
    __asm__ volatile("clac" ::: "memory");
}

void uaccess_check_closed(const char *where) {
    bool ac = cpu.smap && (read_rflags() & RFLAGS_AC);
    bool open = window_open();
    if (open || ac)
        panic("uaccess: a user-access window is open at %s (window %d, RFLAGS.AC %d): "
              "SMAP must be in force outside uaccess.c's copies", where, open, ac);
}

void uaccess_explain_fault(uint64_t addr) {
    if (addr >= USER_TOP)
        return;
    if (window_open())
        pr_emerg("uaccess: a fault on a user address inside a copy window, but not at an "
                 "instruction of uaccess_copy.asm's exception table\n");
    else
        pr_emerg("uaccess: kernel access to user address %llx outside the uaccess.h doors\n",
                 (unsigned long long)addr);
}
