// page_alloc.c: the physical page allocator, a binary buddy allocator (Knuth, TAOCP vol. 1
// section 2.5; Linux's mm/page_alloc.c).
//
// Memory is handed out in blocks of 2^k pages ("order k"), each aligned to its own size.
// The free blocks of order k sit on free_area[k]. To allocate order k, take a block from the
// smallest non-empty list of order >= k and split it in halves until it has the right size,
// putting each upper half back on the list one order down. The block a block was split from
// has two halves, the block and its buddy; because blocks are aligned to their size, the
// buddy of the block at page frame number pfn is simply at pfn ^ (1 << k). Freeing a block
// merges it with its buddy while the buddy is free and of the same order, and so on upwards.
// Both directions take at most MAX_ORDER steps.
//
// Bookkeeping is one struct page per page frame, in the array mem_map; mem_map[i] describes
// page frame base_pfn + i. The invariants (page_alloc_check verifies them):
//   - a page is PG_FREE iff it heads a free block, on free_area[page->order];
//   - a page is PG_HEAD iff it heads an allocated block of page->order pages;
//   - PG_RESERVED pages (holes, reserved ranges, mem_map) are never on a list or handed out;
//   - every other page is inside exactly one block, free or allocated, with no PG_ flag
//     of the allocator's own set;
//   - no free block of order k < MAX_ORDER has a free buddy of order k: they would have merged;
//   - nr_free is the number of pages in free blocks.
//   - PG_OFFLINE pages lie above what the boot page tables map; they wait, off every list,
//     for page_alloc_add_high() (see there).
//   - a PG_PCP page is a single page handed out here and now free on a CPU's own list
//     (percpu_pages.c): in no free block, never merged, but free to in_free_block, so
//     that freeing it again is caught as a double free.
// `lock` protects all of it.
#include <stdbool.h>
#include <stdint.h>
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"

#define LOW_MEM_END (1ull << 20)   // below 1 MiB: BIOS data, real-mode leftovers; never used
// page_list links are 32-bit mem_map indices + 1, so mem_map can have at most this many
// entries (16 TiB of memory; anything above is ignored).
#define MAX_PAGES ((uint64_t)UINT32_MAX - 1)
_Static_assert(sizeof(struct page) == 16, "struct page costs 0.4% of memory: keep it small");

static struct spinlock lock = SPINLOCK_INIT("page_alloc");
static struct page *mem_map;           // mem_map[i] describes page frame base_pfn + i
static uint64_t base_pfn, end_pfn;     // mem_map covers the page frames [base_pfn, end_pfn)
static uintptr_t virt_offset;          // a page's virtual address = its physical one + this
static struct page_list free_area[MAX_ORDER + 1];
static uint64_t free_blocks[MAX_ORDER + 1];   // how many blocks are on each free list
static uint64_t nr_free, nr_managed;

#define HIGH_PFN (BOOT_DIRECT_MAP_SIZE >> PAGE_SHIFT)   // the first page boot.asm leaves unmapped

static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
static uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static unsigned long long ull(uint64_t v) { return v; }   // for printk's %llx
static unsigned long long caller_addr(void *p) { return (uintptr_t)p; }

static bool pfn_valid(uint64_t pfn) { return pfn >= base_pfn && pfn < end_pfn; }
static struct page *pfn_page(uint64_t pfn) { return &mem_map[pfn - base_pfn]; }
static uint64_t page_pfn(const struct page *pg) { return base_pfn + (uint64_t)(pg - mem_map); }

// ---- Conversions and page lists (the callers hold their own lock)

struct page *pa_to_page(uint64_t pa) {
    return pfn_valid(pa >> PAGE_SHIFT) ? pfn_page(pa >> PAGE_SHIFT) : NULL;
}
uint64_t page_to_pa(const struct page *pg) { return page_pfn(pg) << PAGE_SHIFT; }
void *page_address(const struct page *pg) { return (void *)(page_to_pa(pg) + virt_offset); }
struct page *virt_to_page(const void *va) { return pa_to_page((uintptr_t)va - virt_offset); }

static uint32_t link_to(const struct page *pg) { return (uint32_t)(pg - mem_map) + 1; }
static struct page *link_page(uint32_t link) { return link ? &mem_map[link - 1] : NULL; }

void page_list_add(struct page_list *list, struct page *pg) {
    struct page *first = link_page(list->first);
    pg->prev = 0;
    pg->next = list->first;
    if (first)
        first->prev = link_to(pg);
    list->first = link_to(pg);
}

void page_list_del(struct page_list *list, struct page *pg) {
    if (pg->prev)
        link_page(pg->prev)->next = pg->next;
    else
        list->first = pg->next;
    if (pg->next)
        link_page(pg->next)->prev = pg->prev;
    pg->next = pg->prev = 0;
}

struct page *page_list_first(const struct page_list *list) { return link_page(list->first); }
struct page *page_list_next(const struct page *pg) { return link_page(pg->next); }

// ---- Free lists

static void put_free(struct page *pg, unsigned order) {
    pg->flags = PG_FREE;
    pg->order = (uint8_t)order;
    page_list_add(&free_area[order], pg);
    free_blocks[order]++;
}

static void take_free(struct page *pg) {
    page_list_del(&free_area[pg->order], pg);
    free_blocks[pg->order]--;
    pg->flags = 0;
}

// Is the page frame inside a free block? Its block of order k would start at pfn rounded down
// to a multiple of 2^k, so try each k.
static bool in_free_block(uint64_t pfn) {
    for (unsigned k = 0; k <= MAX_ORDER; k++) {
        uint64_t head = pfn & ~((1ull << k) - 1);
        if (!pfn_valid(head))
            break;
        if ((pfn_page(head)->flags & PG_FREE) && pfn_page(head)->order >= k)
            return true;
        if (k == 0 && (pfn_page(head)->flags & PG_PCP))
            return true;                       // free on a CPU's list (percpu_pages.c)
    }
    return false;
}

bool page_is_free(const struct page *pg) {
    uint64_t f = spin_lock_irqsave(&lock);
    bool free = in_free_block(page_pfn(pg));
    spin_unlock_irqrestore(&lock, f);
    return free;
}

// The smallest free block of at least 2^order pages, split down to that size. Under the lock.
static uint64_t alloc_locked(unsigned order) {
    unsigned k = order;
    while (k <= MAX_ORDER && !free_area[k].first)
        k++;
    if (k > MAX_ORDER)
        return 0;
    struct page *pg = page_list_first(&free_area[k]);
    take_free(pg);
    while (k > order) {            // split: the upper half goes back, one order down
        k--;
        put_free(pg + (1u << k), k);
    }
    pg->flags = PG_HEAD;
    pg->order = (uint8_t)order;
    nr_free -= 1ull << order;
    return page_to_pa(pg);
}

// Out of blocks, the pages waiting on the CPUs' own lists come back, and it tries again.
uint64_t alloc_pages(unsigned order) {
    if (order > MAX_ORDER)
        return 0;
    for (int tries = 0; tries < 2; tries++) {
        uint64_t f = spin_lock_irqsave(&lock);
        uint64_t pa = alloc_locked(order);
        spin_unlock_irqrestore(&lock, f);
        if (pa)
            return pa;
        drain_cpu_pages();
    }
    return 0;
}

// Up to n single pages in one trip through the lock (a CPU filling its own list).
int alloc_page_batch(uint64_t *pa, int n) {
    uint64_t f = spin_lock_irqsave(&lock);
    int got = 0;
    while (got < n && (pa[got] = alloc_locked(0)) != 0)
        got++;
    spin_unlock_irqrestore(&lock, f);
    return got;
}

// Panics unless [pa, pa + 2^order pages) is exactly a block alloc_pages handed out.
static struct page *check_free(uint64_t pa, unsigned order, void *caller) {
    uint64_t pfn = pa >> PAGE_SHIFT;
    struct page *pg = pfn_valid(pfn) ? pfn_page(pfn) : NULL;
    const char *why = NULL;
    if (pa % PAGE_SIZE)
        why = "not page-aligned";
    else if (order > MAX_ORDER)
        why = "order too large";
    else if (!pg)
        why = "outside managed memory";
    else if (in_free_block(pfn))
        panic("page_alloc: double free of %#llx (order %u) by caller %#llx", ull(pa), order,
              caller_addr(caller));
    else if (pg->flags & (PG_SLAB | PG_LARGE))
        why = "a kmalloc page (use kfree)";
    else if (pg->flags != PG_HEAD)
        why = "not the head of an allocated block";
    else if (pg->order != order)
        panic("page_alloc: free of %#llx with order %u, but it was allocated with order %u, "
              "by caller %#llx", ull(pa), order, pg->order, caller_addr(caller));
    if (why)
        panic("page_alloc: invalid free of %#llx (order %u) by caller %#llx: %s", ull(pa), order,
              caller_addr(caller), why);
    return pg;
}

// One block back to the free lists, merged with its free buddies. Under the lock.
static void free_locked(uint64_t pa, unsigned order, void *caller) {
    struct page *pg = check_free(pa, order, caller);
    uint64_t pfn = pa >> PAGE_SHIFT;
    pg->flags = 0;
    nr_free += 1ull << order;
    while (order < MAX_ORDER) {
        uint64_t buddy = pfn ^ (1ull << order);
        if (!pfn_valid(buddy) || pfn_page(buddy)->flags != PG_FREE ||
            pfn_page(buddy)->order != order)
            break;
        take_free(pfn_page(buddy));
        pfn &= ~(1ull << order);   // the merged block starts at the lower of the two
        order++;
    }
    put_free(pfn_page(pfn), order);
}

void free_pages(uint64_t pa, unsigned order) {
    void *caller = __builtin_return_address(0);   // here: a helper would see only itself
    uint64_t f = spin_lock_irqsave(&lock);
    free_locked(pa, order, caller);
    spin_unlock_irqrestore(&lock, f);
}

// munmap's gather frees thousands of pages at once: one trip through the lock for each 64
// of them rather than one each. Not one for all: other CPUs faulting pages in wait for
// the lock meanwhile, with their interrupts off.
#define FREE_BATCH 64

void free_page_batch(const uint64_t *pa, int n) {
    void *caller = __builtin_return_address(0);
    for (int done = 0; done < n; done += FREE_BATCH) {
        uint64_t f = spin_lock_irqsave(&lock);
        for (int i = done; i < n && i < done + FREE_BATCH; i++)
            free_locked(pa[i], 0, caller);
        spin_unlock_irqrestore(&lock, f);
    }
}

uint64_t nr_free_pages(void) { return nr_free + nr_cpu_list_pages(); }
uint64_t nr_managed_pages(void) { return nr_managed; }
uint64_t nr_free_blocks(unsigned order) { return order <= MAX_ORDER ? free_blocks[order] : 0; }

// ---- Initialization

// The whole pages of a usable region that lie within [floor, ceil).
static bool usable_part(const struct mem_region *r, uint64_t floor, uint64_t ceil,
                        uint64_t *start, uint64_t *end) {
    if (r->type != MEM_USABLE)
        return false;
    *start = max_u64(page_up(r->base), floor);
    *end = min_u64(page_down(r->base + r->len), ceil);
    return *start < *end;
}

// First fit for `size` bytes of usable memory that overlaps no reserved range, between 1 MiB
// and the end of what the boot page tables map. Returns 0 if there is no such place.
static uint64_t find_space(const struct boot_info *bi, const struct phys_range *reserved,
                           size_t nr_reserved, uint64_t size) {
    for (size_t i = 0; i < bi->nr_mem; i++) {
        uint64_t pa, end;
        if (!usable_part(&bi->mem[i], LOW_MEM_END, BOOT_DIRECT_MAP_SIZE, &pa, &end))
            continue;
        // Each time the candidate overlaps a reserved range, move past that range and look
        // again. The candidate only moves up, so this ends.
        bool moved = true;
        while (moved && pa + size <= end) {
            moved = false;
            for (size_t j = 0; j < nr_reserved; j++) {
                if (pa < reserved[j].end && reserved[j].start < pa + size) {
                    pa = page_up(reserved[j].end);
                    moved = true;
                }
            }
        }
        if (pa + size <= end)
            return pa;
    }
    return 0;
}

static void mark_pages(uint64_t start, uint64_t end, uint8_t flags) {
    uint64_t first = max_u64(start >> PAGE_SHIFT, base_pfn);
    uint64_t last = min_u64(end >> PAGE_SHIFT, end_pfn);
    for (uint64_t pfn = first; pfn < last; pfn++)
        pfn_page(pfn)->flags = flags;
}

// Hands each run of pages with no flag in [from, to) to the free lists as the largest blocks
// that fit in it and are aligned to their size. That is the same set of blocks as freeing the
// pages one by one would leave behind, provided no page just outside a run is free: no two
// of them are free buddies of the same order. Returns the number of pages freed.
static uint64_t free_runs(uint64_t from, uint64_t to) {
    uint64_t freed = 0;
    for (uint64_t pfn = from; pfn < to; pfn++) {             // the ++ skips a flagged page
        uint64_t end = pfn;
        while (end < to && pfn_page(end)->flags == 0)
            end++;
        while (pfn < end) {                                  // [pfn, end) is all managed
            unsigned k = MAX_ORDER;
            while (k > 0 && ((pfn & ((1ull << k) - 1)) != 0 || pfn + (1ull << k) > end))
                k--;
            put_free(pfn_page(pfn), k);
            freed += 1ull << k;
            pfn += 1ull << k;
        }
    }
    return freed;
}

static void seed_free_lists(void) {
    nr_free = free_runs(base_pfn, end_pfn);
    nr_managed = nr_free;
}

static void reset(void) {
    for (unsigned k = 0; k <= MAX_ORDER; k++) {
        free_area[k].first = 0;
        free_blocks[k] = 0;
    }
    mem_map = NULL;
    base_pfn = end_pfn = 0;
    nr_free = nr_managed = 0;
}

int page_alloc_init(const struct boot_info *bi, const struct phys_range *reserved,
                    size_t nr_reserved, void *(*to_virt)(uint64_t pa)) {
    uint64_t f = spin_lock_irqsave(&lock);
    reset();
    // mem_map covers the usable pages from the lowest to the highest, holes included.
    uint64_t lo = UINT64_MAX, hi = 0, start, end;
    for (size_t i = 0; i < bi->nr_mem; i++) {
        if (usable_part(&bi->mem[i], LOW_MEM_END, UINT64_MAX, &start, &end)) {
            lo = min_u64(lo, start);
            hi = max_u64(hi, end);
        }
    }
    uint64_t npages = lo < hi ? min_u64((hi - lo) >> PAGE_SHIFT, MAX_PAGES) : 0;
    uint64_t map_size = page_up(npages * sizeof(struct page));
    uint64_t map_pa = npages ? find_space(bi, reserved, nr_reserved, map_size) : 0;
    if (!map_pa) {
        spin_unlock_irqrestore(&lock, f);
        pr_err("page_alloc: %s\n", npages ? "no room for mem_map below 4 GiB"
                                          : "no usable memory above 1 MiB");
        return -1;
    }
    base_pfn = lo >> PAGE_SHIFT;
    end_pfn = base_pfn + npages;
    mem_map = to_virt(map_pa);
    virt_offset = (uintptr_t)mem_map - map_pa;

    // Every page starts reserved; usable pages above 1 MiB are opened up, then the reserved
    // ranges and mem_map itself are closed again. What stays open is managed.
    for (uint64_t i = 0; i < npages; i++)
        mem_map[i] = (struct page){ .flags = PG_RESERVED };
    for (size_t i = 0; i < bi->nr_mem; i++)
        if (usable_part(&bi->mem[i], LOW_MEM_END, UINT64_MAX, &start, &end))
            mark_pages(start, end, 0);
    for (size_t i = 0; i < nr_reserved; i++)
        mark_pages(page_down(reserved[i].start), page_up(reserved[i].end), PG_RESERVED);
    mark_pages(map_pa, map_pa + map_size, PG_RESERVED);
    for (uint64_t pfn = max_u64(base_pfn, HIGH_PFN); pfn < end_pfn; pfn++)
        if (pfn_page(pfn)->flags == 0)
            pfn_page(pfn)->flags = PG_OFFLINE;           // not mapped yet: wait
    seed_free_lists();
    spin_unlock_irqrestore(&lock, f);

    pr_info("page_alloc: %llu pages managed (%llu MiB), mem_map %lluK at %#llx\n",
            ull(nr_managed), ull(nr_managed >> (20 - PAGE_SHIFT)), ull(map_size >> 10),
            ull(map_pa));
    return 0;
}

// Memory above BOOT_DIRECT_MAP_SIZE is not mapped until vm_init has built the whole direct
// map, yet a page is written as soon as it is handed out (zeroed, or threaded into a slab).
// So page_alloc_init holds those pages back as PG_OFFLINE, and this, called once the direct
// map covers them, frees them. The boundary is aligned to the largest block, so none of
// their buddies lies below it: freeing them as runs keeps the free lists merged.
_Static_assert(BOOT_DIRECT_MAP_SIZE % (PAGE_SIZE << MAX_ORDER) == 0, "HIGH_PFN must be aligned");
void page_alloc_add_high(void) {
    uint64_t f = spin_lock_irqsave(&lock);
    for (uint64_t pfn = max_u64(base_pfn, HIGH_PFN); pfn < end_pfn; pfn++)
        if (pfn_page(pfn)->flags == PG_OFFLINE)
            pfn_page(pfn)->flags = 0;
    uint64_t added = free_runs(max_u64(base_pfn, HIGH_PFN), end_pfn);
    nr_free += added;
    nr_managed += added;
    spin_unlock_irqrestore(&lock, f);
    if (added)
        pr_info("page_alloc: %llu pages above %llu MiB added (%llu MiB managed)\n", ull(added),
                ull(BOOT_DIRECT_MAP_SIZE >> 20), ull(nr_managed >> (20 - PAGE_SHIFT)));
}

// ---- Checking the invariants

static bool broken(const char *what, uint64_t pfn) {
    pr_err("page_alloc: invariant broken at pfn %#llx: %s\n", ull(pfn), what);
    return false;
}

// Walks free_area[order], adding the pages of its blocks to *pages.
static bool check_free_list(unsigned order, uint64_t *pages) {
    uint64_t n = 0, size = 1ull << order;
    uint32_t prev = 0;
    for (struct page *pg = page_list_first(&free_area[order]); pg; pg = page_list_next(pg)) {
        uint64_t pfn = page_pfn(pg), buddy = pfn ^ size;
        if (pg->flags != PG_FREE || pg->order != order)
            return broken("on a free list but not a free head of that order", pfn);
        if ((pfn & (size - 1)) != 0 || pfn + size > end_pfn)
            return broken("free block misaligned or past the end of mem_map", pfn);
        if (pg->prev != prev || ++n > end_pfn - base_pfn)
            return broken("free list links corrupt", pfn);
        if (order < MAX_ORDER && pfn_valid(buddy) && pfn_page(buddy)->flags == PG_FREE &&
            pfn_page(buddy)->order == order)
            return broken("free block and its free buddy not merged", pfn);
        for (uint64_t i = 1; i < size; i++)
            if (pfn_page(pfn + i)->flags != 0)
                return broken("a page inside a free block is a head or reserved", pfn + i);
        prev = link_to(pg);
        *pages += size;
    }
    if (n != free_blocks[order])
        return broken("free block count wrong", base_pfn);
    return true;
}

bool page_alloc_check(void) {
    uint64_t f = spin_lock_irqsave(&lock), pages = 0;
    bool ok = true;
    for (unsigned k = 0; k <= MAX_ORDER && ok; k++)
        ok = check_free_list(k, &pages);
    if (ok && pages != nr_free)
        ok = broken("nr_free differs from the free lists", base_pfn);
    spin_unlock_irqrestore(&lock, f);
    return ok;
}
