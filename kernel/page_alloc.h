// page_alloc.h: the physical page allocator. Memory is handed out in blocks of 2^order pages
// (order 0 = one 4 KiB page), by physical address. Running out is a return value
// (0), never a panic: every caller handles it.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bootinfo.h"

#define MAX_ORDER 10        // the largest block: 2^10 pages = 4 MiB
#define PAGE_SHIFT 12       // PAGE_SIZE (memlayout.h) == 1 << PAGE_SHIFT

struct phys_range { uint64_t start, end; };   // [start, end)

// Takes every usable page of the memory map except those in `reserved` (the kernel image,
// the boot modules, the boot information...) and those below 1 MiB, which are never handed
// out. Its own bookkeeping (one struct page per physical page, as Linux's mem_map) is carved
// out of usable memory below 4 GiB too. to_virt turns a physical address into a pointer the
// allocator may use; it must be a linear map (as the kernel's direct map is): the allocator
// calls it once, on mem_map's address, and derives every other address from that.
// Returns 0, or -1 if there is no memory to manage. May be called again (the tests do).
int page_alloc_init(const struct boot_info *bi, const struct phys_range *reserved,
                    size_t nr_reserved, void *(*to_virt)(uint64_t pa));

// Pages above BOOT_DIRECT_MAP_SIZE (memlayout.h) are held back by page_alloc_init until
// this says the direct map covers them (mem_init calls it right after vm_init).
void page_alloc_add_high(void);

uint64_t alloc_pages(unsigned order);           // physical address, or 0 when out of memory
void free_pages(uint64_t pa, unsigned order);   // panics on a double or invalid free
void free_page_batch(const uint64_t *pa, int n);  // n single pages, few lock round trips
int alloc_page_batch(uint64_t *pa, int n);      // up to n single pages; how many it got

// One page: from this CPU's own list of free pages, which is filled from and emptied to
// the allocator above in batches (percpu_pages.c). Use these for single pages.
uint64_t alloc_page(void);
void free_page(uint64_t pa);
void drain_cpu_pages(void);         // every CPU's list back to the allocator (when it is empty)
uint64_t nr_cpu_list_pages(void);   // pages on those lists: free, and counted so

// Accounting, for the boot log, /proc/meminfo and the leak tests.
uint64_t nr_free_pages(void);      // the CPUs' lists included
uint64_t nr_managed_pages(void);   // pages the allocator owns, free or not
uint64_t nr_free_blocks(unsigned order);   // blocks on the free list of that order (buddyinfo)

// Checks the allocator's invariants (see page_alloc.c); logs the first one broken and returns
// false. Walks every free list: for tests and debugging, not for hot paths.
bool page_alloc_check(void);

// ---- struct page: one per physical page frame, 16 bytes.
//
// Every field belongs to the page allocator while the page is free or reserved; once a block
// is allocated, its owner may use next/prev (through a page_list) and the slab_ fields of the
// head page, and may set its own flag bits (PG_SLAB, PG_LARGE) on the head. The allocator only
// reads an allocated head's flags, to see that the block is not free.
struct page {
    uint32_t next, prev;   // page_list links: a mem_map index + 1, so that 0 means none
    uint8_t flags;         // PG_*
    uint8_t order;         // on the head page of a block (free or allocated): its order
    uint8_t slab_class;    // kmalloc slab: the size class of its objects
    uint8_t slab_free;     // kmalloc slab: how many of its objects are free
    union {
        uint32_t slab_map; // kmalloc slab: bitmap of free objects, when it fits (kmalloc.c)
        uint32_t mapcount; // a private user page: how many address spaces map it (vm.c;
                           // more than one after fork, until copy-on-write splits them)
    };
};

enum {
    PG_RESERVED = 1 << 0,   // not managed: a hole, a reserved range, mem_map itself
    PG_FREE     = 1 << 1,   // heads a free block of `order` pages, on a free list
    PG_HEAD     = 1 << 2,   // heads an allocated block of `order` pages
    PG_SLAB     = 1 << 3,   // (with PG_HEAD) a kmalloc slab page
    PG_LARGE    = 1 << 4,   // (with PG_HEAD) a kmalloc block larger than a slab object
    PG_OFFLINE  = 1 << 5,   // usable, but above the boot direct map: waits for add_high
    PG_PCP      = 1 << 6,   // a free single page on a CPU's own list (percpu_pages.c), in no
                            // free block: to the allocator, an allocated page it may not free
};
// A page with none of these flags is a tail page: part of a block, but not its head.

// Conversions. pa_to_page and virt_to_page return NULL for addresses outside mem_map's range
// (or, for virt_to_page, outside the direct map of it).
struct page *pa_to_page(uint64_t pa);
uint64_t page_to_pa(const struct page *pg);
void *page_address(const struct page *pg);     // the page's virtual address (direct map)
struct page *virt_to_page(const void *va);
bool page_is_free(const struct page *pg);      // is the page part of a free block?

// A doubly linked list of pages, through their next/prev fields. The caller's lock protects it.
struct page_list { uint32_t first; };          // mem_map index + 1; 0 = empty
void page_list_add(struct page_list *list, struct page *pg);   // at the front
void page_list_del(struct page_list *list, struct page *pg);
struct page *page_list_first(const struct page_list *list);    // NULL if empty
struct page *page_list_next(const struct page *pg);            // NULL at the end
