// vm.h: virtual memory: 4-level page tables, address spaces, and the kernel's own mappings.
//
// An address space is named by its top-level table (PML4), as a kernel pointer. Its lower
// half (entries 0..255) belongs to user space; its upper half (256..511) is the kernel's,
// and is the same in every address space: the entries are copied from the kernel's PML4,
// and they point to the same lower tables, so a kernel mapping made once is seen everywhere.
// Invariant that makes this work: the kernel's PML4 entries are all created by vm_init()
// and never change afterwards.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"

typedef uint64_t pte_t;

#define PTE_P    (1ull << 0)    // present
#define PTE_W    (1ull << 1)    // writable
#define PTE_U    (1ull << 2)    // user-accessible
#define PTE_D    (1ull << 6)    // dirty: written since the bit was last cleared (set by the CPU)
#define PTE_PS   (1ull << 7)    // huge page (in a PD: 2 MiB; in a PDPT: 1 GiB)
#define PTE_G    (1ull << 8)    // global: survives CR3 reloads (kernel mappings)
#define PTE_NX   (1ull << 63)   // no execute
#define PTE_ADDR(e) ((e) & 0x000ffffffffff000ull)

// What callers ask for; vm.c turns it into PTE bits.
#define VM_READ  0x1
#define VM_WRITE 0x2
#define VM_EXEC  0x4
#define VM_USER  0x8

// User space ends one page below 2^47, as Linux's TASK_SIZE: that last page stays
// unmapped, so no user mapping touches the non-canonical hole.
#define USER_TOP 0x00007ffffffff000ull

// Kernel stacks live in their own area, each with an unmapped guard page below it.
#define KSTACK_AREA   0xffffc90000000000ull   // Linux's vmalloc area start
#define KSTACK_PAGES  4                       // 16 KiB
#define KSTACK_SLOTS  32768                   // one per possible pid (pid_max)

void vm_init(const struct boot_info *bi);
uint64_t vm_direct_map_end(void);             // physical memory [0, end) is in the direct map

uint64_t *vm_create(void);                    // a new address space; NULL when out of memory
void vm_destroy(uint64_t *pml4);              // frees its user pages and page tables
// The TLB: a range of up to TLB_FLUSH_CEILING pages has its entries flushed one by one
// (invlpg), a larger one all at once (as Linux's tlb_single_page_flush_ceiling): invlpg is
// not cheap, and a reload of CR3 costs about as much as a few dozen on hardware. (Under
// QEMU's TCG a reload costs more: every page touched afterwards misses.)
#define TLB_FLUSH_CEILING 32
void vm_switch(uint64_t *pml4);               // NULL: the kernel's own
uint64_t *vm_current(void);
int vm_map_page(uint64_t *pml4, uint64_t va, uint64_t pa, int prot);   // 0, -ENOMEM, -EEXIST
uint64_t vm_unmap_page(uint64_t *pml4, uint64_t va);                  // the page's pa, or 0
void vm_unmap_kernel(uint64_t va, int n, uint64_t *pa);              // n pages; see vm.c
// Over a user range, touching only what is present (ranges may be huge).
void vm_unmap_range(uint64_t *pml4, uint64_t start, uint64_t end, bool free_them);
void vm_zap_range(uint64_t *pml4, uint64_t start, uint64_t end, bool free_them);   // tables stay
void vm_protect_range(uint64_t *pml4, uint64_t start, uint64_t end, int prot, bool shared);
// The gather (vm.c): entries cleared go into a batch, and their pages are freed only once
// no CPU can reach them any more - by vm_gather_finish, which flushes every CPU's TLB
// first. A caller that lets go of the mm's lock between zap and finish must make sure
// nobody meanwhile takes the missing entries for flushed ones: madvise flushes first
// (vm_gather_flush_tlbs) and frees after; munmap keeps the BKL, and its range's VMAs are
// gone, so nobody else acts on the range (a fault beside it may build a new table where
// a pruned one was; the old one is freed after the shootdown all the same). The fields
// are vm.c's.
struct vm_range_op { int prot; bool shared; bool each, flush, touched; };
#define GATHER_SMALL 64
struct vm_gather {
    struct vm_range_op op;           // the TLB flushing of this CPU (each entry, or all)
    uint64_t *pml4;
    uint64_t start, end;             // the range unmapped: what other CPUs flush
    bool free;                       // the pages are ours to drop (not a shmem object's)
    bool cleared;                    // some entry was cleared: other CPUs must flush
    bool pruned;                     // a page table was unhooked: they flush everything
    bool grow_tried;                 // gather_grow asked for a block once already
    int n, max;                      // entries in pages[], and room for
    uint64_t *pages;                 // physical addresses, GATHER_TABLE for page tables:
    uint64_t small[GATHER_SMALL];    // this, or once it filled, a page of their own
};
void vm_gather_start(struct vm_gather *g, uint64_t *pml4, uint64_t start, uint64_t end);
void vm_gather_zap(struct vm_gather *g, uint64_t start, uint64_t end, bool free_them);
void vm_gather_prune(struct vm_gather *g);    // the tables of the range left empty
void vm_gather_flush_tlbs(struct vm_gather *g);   // the shootdown alone: no more frees
void vm_gather_finish(struct vm_gather *g);
pte_t *vm_walk(uint64_t *pml4, uint64_t va, bool create);             // the 4 KiB leaf entry
// Calls fn for every present 4 KiB entry of the user range [start, end), in order.
typedef void (*pte_fn)(pte_t *pte, uint64_t va, void *arg);
void vm_walk_present(uint64_t *pml4, uint64_t start, uint64_t end, pte_fn fn, void *arg);
// For the OOM killer's accounting: present pages in a user range; page-table pages of the
// user half (the PML4 included).
uint64_t vm_count_present(uint64_t *pml4, uint64_t start, uint64_t end);
uint64_t vm_user_table_pages(uint64_t *pml4);
// fork: present pages of [start, end) into dst, shared copy-on-write, or the same pages
// writable as they are if share (shared memory); counted: a shared page gets a reference
// for the new entry too (a file's page cache page; a shmem object's pages are not counted).
int vm_copy_range(uint64_t *dst, uint64_t *src, uint64_t start, uint64_t end, bool share,
                  bool counted);

// mremap: present pages of [start, end) move to new_start (ranges apart). 0 or -ENOMEM.
int vm_move_range(uint64_t *pml4, uint64_t start, uint64_t end, uint64_t new_start);

// Private user pages and copy-on-write. A private page counts the address spaces mapping it
// (struct page's mapcount); fork shares pages read-only, and the first write copies.
uint64_t vm_zero_page(void);             // the shared all-zero page (never freed)
void vm_page_new(uint64_t pa);           // a fresh page, mapped once
void vm_page_get(uint64_t pa);           // mapped once more
void vm_page_put(uint64_t pa);           // mapped once less: the last one frees it
bool vm_page_shared(uint64_t pa);        // mapped more than once (or the zero page)?
uint32_t vm_page_count(uint64_t pa);     // its references (0 for the zero page)
int vm_cow(uint64_t *pml4, uint64_t va, int prot);   // the write fault on a shared page

// Kernel stacks: the address of the stack's top, or 0 when out of memory.
uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);
void kstack_init(void);                  // boot: the area's first page tables (mem_init)
bool kstack_contains(uint64_t addr, uint64_t len);   // inside a live kernel stack?
bool kstack_guard_hit(uint64_t addr);                // in the guard page of a kernel stack?
