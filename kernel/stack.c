// stack.c: the user stack grows down on demand, as Linux's expand_stack makes it.
//
// exec maps a small stack (the arguments, plus 128 KiB); a fault below it grows the stack
// VMA down to the faulting page, as long as the stack stays within RLIMIT_STACK (read at
// the time of the fault: setrlimit applies at once), the address space within RLIMIT_AS,
// and a guard gap of 256 pages stays clear above the next mapping below. Anything else is
// the ordinary bad access: SIGSEGV.
//
// Called for the current process's own address space, from mm_fault (page faults and the
// user-copy functions), so it runs in process context; it changes one VMA's start and the
// mm's total_vm, which only the address space's own threads touch (with SMP: under the
// mm's lock, as every VMA change).
#include <stdbool.h>
#include <stdint.h>
#include "memlayout.h"
#include "mm.h"
#include "proc.h"

#define RLIMIT_STACK     3
#define RLIMIT_AS        9
#define STACK_GUARD_GAP  (256 * PAGE_SIZE)   // Linux's stack_guard_gap

// The VMA just above addr (the first that starts after it), and the one just below.
static struct vma *vma_above(struct mm *mm, uint64_t addr, struct vma **below) {
    *below = NULL;
    for (struct vma *v = mm->vmas; v; v = v->next) {
        if (v->start > addr)
            return v;
        *below = v;
    }
    return NULL;
}

bool stack_grow(struct mm *mm, uint64_t addr) {
    struct proc *p = current_or_null();
    if (!p || !p->signal || p->mm != mm)
        return false;
    struct vma *below, *v = vma_above(mm, addr, &below);
    if (!v || v->kind != VMA_STACK || (below && addr < below->end))
        return false;                       // not below the stack, or mapped already
    uint64_t start = addr & ~(PAGE_SIZE - 1), grow = (v->start - start) / PAGE_SIZE;
    if (v->end - start > p->signal->rlim[RLIMIT_STACK].rlim_cur)
        return false;                       // Linux's acct_stack_growth
    if ((mm->total_vm + grow) * PAGE_SIZE > p->signal->rlim[RLIMIT_AS].rlim_cur)
        return false;
    if (below && (start < STACK_GUARD_GAP || below->end > start - STACK_GUARD_GAP))
        return false;                       // the guard gap above the mapping below
    v->start = start;
    mm->total_vm += grow;
    return true;
}
