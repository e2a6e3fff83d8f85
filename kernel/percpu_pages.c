// percpu_pages.c: each CPU's own short list of free pages, in front of the page allocator.
//
// Nearly every allocation is one page: a page fault's page, a page table, a pipe's buffer,
// a kmalloc slab. With every CPU faulting at once, the page allocator's one lock becomes
// the place where they all queue. So, as Linux's per_cpu_pages, each CPU keeps up to
// PCP_HIGH free single pages of its own: alloc_page takes from its CPU's list and
// free_page gives to it, and only every PCP_BATCH-th call goes to the page allocator, for a
// batch, in one trip through its lock.
//
// Locking: each list has a lock of its own. Its CPU takes it for every alloc_page and
// free_page, and nobody else does, except drain_cpu_pages: an allocation that finds the
// page allocator empty empties every CPU's list back into it before it gives up. So the
// lock is almost never contended; it exists so that the drain is obviously right. Order:
// a list's lock, then page_alloc's (never two lists' at once: one lockdep class).
//
// A page on a list is PG_PCP (page_alloc.h): free, but in no buddy block - it never
// merges, and page_alloc's double-free check still sees it as free.
#include <stdint.h>
#include "memlayout.h"
#include "page_alloc.h"
#include "percpu.h"
#include "spinlock.h"

#define PCP_HIGH 64        // a list longer than this gives PCP_BATCH pages back
#define PCP_BATCH 16       // pages per trip to the page allocator

// Each CPU's list has a cache line of its own: two lists in one line would make every
// allocation on one CPU take the line away from the other (false sharing). For the same
// reason nothing here counts in one shared word: the pages on the lists are summed when
// asked (nr_cpu_list_pages), as Linux sums its per-CPU counters.
struct cpu_pages {
    struct spinlock lock;
    struct page_list list;  // the free pages, each PG_PCP
    int count;              // how many (written under lock, read by anyone)
} __attribute__((aligned(64)));

static struct cpu_pages lists[MAX_CPUS] = {
    [0 ... MAX_CPUS - 1] = { .lock = SPINLOCK_INIT("percpu_pages") },
};

static void push(struct cpu_pages *cp, struct page *pg) {
    page_list_add(&cp->list, pg);
    __atomic_store_n(&cp->count, cp->count + 1, __ATOMIC_RELAXED);
}

static struct page *pop(struct cpu_pages *cp) {
    struct page *pg = page_list_first(&cp->list);
    if (pg) {
        page_list_del(&cp->list, pg);
        __atomic_store_n(&cp->count, cp->count - 1, __ATOMIC_RELAXED);
        pg->flags = PG_HEAD;            // an allocated block of order 0 again
        pg->order = 0;
    }
    return pg;
}

// Takes n pages off the list, back to the page allocator. Under cp->lock.
static void give_back(struct cpu_pages *cp, int n) {
    uint64_t pa[PCP_HIGH + 1];
    int got = 0;
    struct page *pg;
    while (got < n && (pg = pop(cp)) != NULL)
        pa[got++] = page_to_pa(pg);
    free_page_batch(pa, got);
}

uint64_t alloc_page(void) {
    if (!percpu_ready)
        return alloc_pages(0);          // early boot: no CPU data yet
    struct cpu_pages *cp = &lists[this_cpu()->id];
    uint64_t f = spin_lock_irqsave(&cp->lock);
    if (cp->count == 0) {
        uint64_t pa[PCP_BATCH];
        int got = alloc_page_batch(pa, PCP_BATCH);
        for (int i = 0; i < got; i++) {
            struct page *pg = pa_to_page(pa[i]);
            pg->flags = PG_PCP;
            push(cp, pg);
        }
    }
    struct page *pg = pop(cp);
    spin_unlock_irqrestore(&cp->lock, f);
    if (!pg)
        return alloc_pages(0);          // empty: it drains every list, then tries again
    return page_to_pa(pg);
}

// A page whose flags are not exactly those of an allocated single page - a double free,
// a slab page, a tail page - goes to free_pages, which panics with the reason. The flag
// changes with one atomic exchange, so that two CPUs freeing one page cannot both list it.
void free_page(uint64_t pa) {
    struct page *pg = pa_to_page(pa);
    uint8_t head = PG_HEAD;
    if (!percpu_ready || !pg || pa % PAGE_SIZE || pg->order != 0 ||
        !__atomic_compare_exchange_n(&pg->flags, &head, PG_PCP, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED)) {
        free_pages(pa, 0);
        return;
    }
    struct cpu_pages *cp = &lists[this_cpu()->id];
    uint64_t f = spin_lock_irqsave(&cp->lock);
    push(cp, pg);
    if (cp->count > PCP_HIGH)
        give_back(cp, PCP_BATCH);
    spin_unlock_irqrestore(&cp->lock, f);
}

// Called by alloc_pages when the page allocator is out of blocks: never under a list's
// lock (alloc_page lets its own go first), but maybe under the mm lock or kmalloc's, which
// come before the lists' in the lock order. It takes each CPU's lock in turn.
void drain_cpu_pages(void) {
    if (!percpu_ready)
        return;
    for_each_online_cpu(c) {
        struct cpu_pages *cp = &lists[c->id];
        uint64_t f = spin_lock_irqsave(&cp->lock);
        while (cp->count > 0)
            give_back(cp, PCP_HIGH);
        spin_unlock_irqrestore(&cp->lock, f);
    }
}

// For nr_free_pages: a moment's sum.
uint64_t nr_cpu_list_pages(void) {
    uint64_t n = 0;
    for (int i = 0; i < MAX_CPUS; i++)
        n += (uint64_t)__atomic_load_n(&lists[i].count, __ATOMIC_RELAXED);
    return n;
}
