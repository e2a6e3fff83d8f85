// kstack.c: kernel stacks, each with an unmapped guard page below it.
//
// Every process will have a kernel stack: the stack its system calls and interrupts run
// on. They are small (16 KiB), and overflowing one would silently overwrite whatever lies
// below, so each sits in its own slot of the kernel-stack area with an unmapped page under
// it. An overflow then faults on the guard page; the CPU cannot push the fault's frame
// onto the broken stack either, so it raises a double fault, which runs on its own IST
// stack and reports "kernel stack overflow".
//
//   slot i:  [guard page][stack page 0] ... [stack page KSTACK_PAGES-1]   <- top
#include <stdbool.h>
#include <stdint.h>
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"
#include "vm.h"

#define SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)
#define AREA_END  (KSTACK_AREA + (uint64_t)KSTACK_SLOTS * SLOT_SIZE)

// Locking: kstack_lock guards slot_used, live, lazy and nlazy, and the making of the
// area's page tables (only this file maps anything in the area). A stack's own page
// entries are its slot's alone. So a stack is had and given back without the BKL: a fork's
// in the window where mm_dup lets it go, a reaped process's after wait4 has let it go.
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static bool slot_used[KSTACK_SLOTS];

static uint64_t slot_base(int i) { return KSTACK_AREA + (uint64_t)i * SLOT_SIZE; }

// Kernel mappings are global: every CPU that ran on a stack may still cache its
// translations. Nothing uses them once the stack's thread is gone (no code runs on a dead
// stack, and kstack_contains admits only `live` ones), so its pages are freed at once; but
// a CPU that kept an entry would reach the old page through it once the slot is mapped
// anew. So a freed slot stays marked used, not live, until a shootdown of every CPU's TLB
// (tlb_shootdown_kernel) has dropped its entries; one shootdown serves LAZY_MAX slots, as
// Linux's lazy vunmap purges freed address ranges in batches (of up to 32 MiB): each
// thread's exit would otherwise interrupt every CPU. The stack's pages are free at once;
// only the slot's addresses wait, and there are 32768 slots. Under QEMU a shootdown costs
// the sender an IPI to every CPU and a wait for each - a halted one first has to wake -
// which at 32 slots a purge was a tenth of a fork+exec storm's kernel time.
//
// Waiting slots push new stacks to higher slots, whose page tables may not exist yet: so
// kstack_init makes, at boot, the tables for the first PREMADE_SLOTS slots - LAZY_MAX
// waiting and 1024 live - and a machine forking and exiting never allocates a page for them
// later (a leak check comparing free pages before and after would count those as lost).
#define LAZY_MAX 256
#define PREMADE_SLOTS (LAZY_MAX + 1024)
#define TABLE_SPAN (512 * PAGE_SIZE)   // what one last-level page table maps: 2 MiB
static int lazy[LAZY_MAX], nlazy;      // slots waiting for the shootdown
static bool live[KSTACK_SLOTS];          // mapped and in use (kstack_contains)

// The waiting slots come free: taken off the list, then the shootdown, then marked free.
// (Slots freed meanwhile wait for the next purge; two purges at once each free their own.)
static void purge_lazy(void) {
    int batch[LAZY_MAX];
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    int n = nlazy;
    memcpy(batch, lazy, (size_t)n * sizeof *batch);
    nlazy = 0;
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (n == 0)
        return;
    tlb_shootdown_kernel();
    flags = spin_lock_irqsave(&kstack_lock);
    for (int i = 0; i < n; i++)
        slot_used[batch[i]] = false;
    spin_unlock_irqrestore(&kstack_lock, flags);
}

// Slot i, no longer live and unmapped, waits for a purge.
static void slot_waits(int i) {
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&kstack_lock);
        bool room = nlazy < LAZY_MAX;
        if (room)
            lazy[nlazy++] = i;
        bool full = nlazy == LAZY_MAX || ncpus == 1;   // one CPU: its own TLB, flushed
        spin_unlock_irqrestore(&kstack_lock, flags);
        if (full)
            purge_lazy();
        if (room)
            return;
    }
}

// Unmaps and frees the first `pages` pages of slot i; the slot comes free at the next purge.
static void unmap_slot(int i, int pages) {
    uint64_t pa[KSTACK_PAGES];
    vm_unmap_kernel(slot_base(i) + PAGE_SIZE, pages, pa);
    for (int p = 0; p < pages; p++)
        if (pa[p])
            free_page(pa[p]);
    slot_waits(i);
}

// A free slot, marked used; -1 if there is none.
static int take_slot(void) {
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    int i = 0;
    while (i < KSTACK_SLOTS && slot_used[i])
        i++;
    if (i < KSTACK_SLOTS)
        slot_used[i] = true;
    spin_unlock_irqrestore(&kstack_lock, flags);
    return i < KSTACK_SLOTS ? i : -1;
}

// At boot: the page tables for the first PREMADE_SLOTS slots (about 13 pages), in the
// kernel half that every address space shares.
void kstack_init(void) {
    for (uint64_t va = KSTACK_AREA; va < slot_base(PREMADE_SLOTS); va += TABLE_SPAN)
        if (!vm_walk(vm_current(), va, true))
            panic("kstack_init: no memory for the kernel-stack area's page tables");
}

// Maps the pages at slot i, under kstack_lock: a table the slot needs may have to be made.
// The area's PML4 entry is shared, so mapping it in any address space maps it in all.
// Returns how many were mapped.
static int map_slot(int i, const uint64_t *pa) {
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    int p = 0;
    while (p < KSTACK_PAGES &&
           vm_map_page(vm_current(), slot_base(i) + (p + 1) * PAGE_SIZE, pa[p], VM_READ | VM_WRITE) == 0)
        p++;
    if (p == KSTACK_PAGES)
        live[i] = true;
    spin_unlock_irqrestore(&kstack_lock, flags);
    return p;
}

uint64_t kstack_alloc(void) {
    int i = take_slot();
    if (i < 0) {                     // the last free slots may wait for their purge: do it now
        purge_lazy();
        i = take_slot();
    }
    if (i < 0)
        return 0;
    uint64_t pa[KSTACK_PAGES];
    int got = 0;
    while (got < KSTACK_PAGES && (pa[got] = alloc_page()))
        got++;
    int mapped = got == KSTACK_PAGES ? map_slot(i, pa) : 0;
    if (mapped == KSTACK_PAGES)
        return slot_base(i) + SLOT_SIZE;
    for (int p = mapped; p < got; p++)
        free_page(pa[p]);
    unmap_slot(i, mapped);           // the slot comes free with the purge
    return 0;
}

void kstack_free(uint64_t top) {
    int i = (int)((top - KSTACK_AREA) / SLOT_SIZE) - 1;
    bool ok = top > KSTACK_AREA && top <= AREA_END && (top - KSTACK_AREA) % SLOT_SIZE == 0;
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    if (ok && (ok = live[i]))
        live[i] = false;             // kstack_contains says no from now on
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (!ok)
        panic("kstack_free: %#llx is not the top of a live kernel stack", (unsigned long long)top);
    unmap_slot(i, KSTACK_PAGES);
}

bool kstack_contains(uint64_t addr, uint64_t len) {
    if (addr < KSTACK_AREA || addr >= AREA_END || len > SLOT_SIZE)
        return false;
    int i = (addr - KSTACK_AREA) / SLOT_SIZE;
    uint64_t lo = slot_base(i) + PAGE_SIZE, hi = slot_base(i) + SLOT_SIZE;
    return live[i] && addr >= lo && addr + len <= hi;
}

bool kstack_guard_hit(uint64_t addr) {
    if (addr < KSTACK_AREA || addr >= AREA_END)
        return false;
    return (addr - KSTACK_AREA) % SLOT_SIZE < PAGE_SIZE;
}
