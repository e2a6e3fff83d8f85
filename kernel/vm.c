// vm.c: page tables.
//
// x86_64 translates a virtual address through four tables, each indexed by 9 bits of it:
//   PML4 [47:39] -> PDPT [38:30] -> PD [29:21] -> PT [20:12] -> the 4 KiB page, + [11:0]
// A PD entry may instead map a 2 MiB page directly (PTE_PS); a PDPT entry, 1 GiB.
//
// vm_init() replaces the tables boot.asm made with the kernel's real ones:
//   - the direct map: all RAM at DIRECT_MAP_BASE + physical, in huge pages, never executable;
//   - the kernel image, page by page with its sections' permissions: text read-only and
//     executable, rodata read-only, data and bss writable, nothing else executable; the
//     boot stack's guard page is left out;
//   - the kernel-stack area, empty for now (kstack.c fills it).
// Nothing below USER_TOP is mapped in the kernel's tables: a stray user pointer or a NULL in
// the kernel faults.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "cpu.h"
#include "errno.h"
#include "memlayout.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "smp.h"
#include "vm.h"
#include "x86.h"

extern char __text_start[], __text_end[], __rodata_end[];
extern char __kernel_end[], boot_stack_guard[];

#define KERNEL_HALF_FIRST 256          // PML4 entries 256..511 map the kernel half
#define HUGE_2M (2ull << 20)
#define HUGE_1G (1ull << 30)

static uint64_t *kernel_pml4;
static uint64_t direct_end;
static uint64_t nx;                    // PTE_NX where the CPU has it, else 0 (a reserved bit)
static bool kernel_half_fixed;         // set at the end of vm_init (see vm.h)
// The zero page: every private page that has only been read is this one, mapped read-only
// (Linux's ZERO_PAGE). A write replaces it with a fresh zeroed page of its own (vm_cow).
static uint64_t zero_page_pa;

static int pt_index(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

static uint64_t *table_alloc(void) {
    uint64_t pa = alloc_page();
    if (!pa)
        return NULL;
    uint64_t *t = phys_to_virt(pa);
    memset(t, 0, PAGE_SIZE);
    return t;
}

// The entry for va at `level` (3 = PML4 ... 0 = PT), creating the tables on the way.
// NULL when a table is missing (and create is false), out of memory, or a huge page is in
// the way.
static pte_t *walk_to(uint64_t *pml4, uint64_t va, int level, bool create) {
    uint64_t *table = pml4;
    for (int l = 3; l > level; l--) {
        pte_t *e = &table[pt_index(va, l)];
        if (*e & PTE_P) {
            if (*e & PTE_PS)
                return NULL;
        } else {
            if (!create)
                return NULL;
            if (l == 3 && va >= USER_TOP && kernel_half_fixed)
                panic("vm: new kernel PML4 entry for %#llx after vm_init", (unsigned long long)va);
            uint64_t *t = table_alloc();
            if (!t)
                return NULL;
            // Intermediate entries allow everything; the leaf entry decides. The table is
            // linked in with one store after it is zeroed: a CPU walking these tables
            // without this mm's lock (mm.h) sees no table or an empty one, never garbage.
            __atomic_store_n(e, virt_to_phys(t) | PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0),
                             __ATOMIC_RELEASE);
        }
        table = phys_to_virt(PTE_ADDR(*e));
    }
    return &table[pt_index(va, level)];
}

pte_t *vm_walk(uint64_t *pml4, uint64_t va, bool create) { return walk_to(pml4, va, 0, create); }

// The one place protections become PTE bits. x86 has no "present but no access" for user
// pages: PTE_U alone already lets user code read. So a user page with no access at all
// (PROT_NONE) is present for the kernel only, without PTE_U (and never global: it is in
// one address space, not all). The page keeps its contents; user access faults, and the
// kernel reaches it only after checking the VMA.
static uint64_t prot_bits(int prot) {
    uint64_t bits = PTE_P;
    bool user = prot & VM_USER, none = !(prot & (VM_READ | VM_WRITE | VM_EXEC));
    if ((prot & VM_WRITE) && !(user && none)) bits |= PTE_W;
    if (user && !none)   bits |= PTE_U;
    if (!user)           bits |= PTE_G;      // kernel mappings are the same everywhere
    if (!(prot & VM_EXEC)) bits |= nx;
    return bits;
}

uint64_t *vm_current(void) { return phys_to_virt(read_cr3() & ~0xfffull); }

int vm_map_page(uint64_t *pml4, uint64_t va, uint64_t pa, int prot) {
    pte_t *pte = vm_walk(pml4, va, true);
    if (!pte)
        return -ENOMEM;
    if (*pte & PTE_P)
        return -EEXIST;
    *pte = pa | prot_bits(prot);
    return 0;   // a not-present entry is never cached in the TLB: no flush needed
}

// A user page: the caller frees it once this returns, which is safe - every CPU on these
// tables has flushed by then. A kernel page is global (PTE_G: it survives CR3 reloads, and
// every CPU may hold it), so every CPU must flush it (tlb_shootdown_kernel).
uint64_t vm_unmap_page(uint64_t *pml4, uint64_t va) {
    pte_t *pte = vm_walk(pml4, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    uint64_t pa = PTE_ADDR(*pte);
    *pte = 0;
    if (pml4 == vm_current() || va >= USER_TOP)
        invlpg(va);
    if (va >= USER_TOP)
        tlb_shootdown_kernel();
    else
        tlb_shootdown_range(pml4, va, va + PAGE_SIZE);   // other CPUs on these tables
    return pa;
}

// n kernel pages from va on (kernel stacks): their PTEs cleared, and their physical
// addresses (0 where none was mapped) in pa[]. Only this CPU's TLB is flushed: the caller
// calls tlb_shootdown_kernel() before it frees the pages or maps the addresses again (one
// shootdown may then serve many calls: kstack.c).
void vm_unmap_kernel(uint64_t va, int n, uint64_t *pa) {
    for (int i = 0; i < n; i++, va += PAGE_SIZE) {
        pte_t *pte = vm_walk(kernel_pml4, va, false);
        pa[i] = pte && (*pte & PTE_P) ? PTE_ADDR(*pte) : 0;
        if (pa[i]) {
            *pte = 0;
            invlpg(va);                    // drops a global entry too, unlike a CR3 reload
        }
    }
}

// Visits every present 4 KiB entry in [start, end) under `table` (at `level`, mapping from
// `base`), skipping whole tables that are absent: a 32 TiB range with three pages in it
// costs three visits, not eight billion.
static void walk_range(uint64_t *table, int level, uint64_t base, uint64_t start, uint64_t end,
                       pte_fn fn, void *arg) {
    uint64_t span = 1ull << (12 + 9 * level);
    for (int i = pt_index(start > base ? start : base, level); i < 512; i++) {
        uint64_t lo = base + (uint64_t)i * span;
        if (lo >= end)
            break;
        if (!(table[i] & PTE_P))
            continue;
        if (level == 0)
            fn(&table[i], lo, arg);
        else if (!(table[i] & PTE_PS))
            walk_range(phys_to_virt(PTE_ADDR(table[i])), level - 1, lo, start, end, fn, arg);
    }
}

void vm_walk_present(uint64_t *pml4, uint64_t start, uint64_t end, pte_fn fn, void *arg) {
    walk_range(pml4, 3, 0, start, end, fn, arg);
}

// This CPU's TLB: a range of up to TLB_FLUSH_CEILING pages (vm.h) has its entries flushed
// one by one, a larger one all at once when the walk is done. An address space that is
// not loaded here has nothing in this CPU's TLB (its entries are not global); other CPUs
// running it are flushed by tlb_shootdown_range, which makes the same choice.

static void flush_entry(struct vm_range_op *op, uint64_t va) {
    if (op->each)
        invlpg(va);
    else
        op->flush = true;
}

static void flush_range_op(struct vm_range_op *op, uint64_t *pml4) {
    if (op->flush && pml4 == vm_current())
        write_cr3(read_cr3());
    op->flush = false;
}

// ---------------------------------------------------------------- unmapping: the gather
//
// With several CPUs, a thread of this address space running on another CPU may hold a
// translation for a page whose PTE was just cleared, and read or write through it until
// that CPU has flushed its TLB (tlb_shootdown); its page walker may still use a page
// table just unhooked. Freed before then, the page could be handed to someone else and
// scribbled on. So, as Linux's mmu_gather: clear the entries, collect what they held in a
// batch, shoot down, and only then free. The batch starts as a small array on the stack;
// when that fills, it moves to a block of 16 pages of its own (if one is free), so that a
// 32 MiB munmap interrupts the other CPUs once rather than 128 times (a shootdown waits
// for every CPU on these tables: under QEMU, for a host thread that may not be running),
// and frees its pages after it has let go of its locks (mm_munmap). (With 8 pages, a
// 16 MiB munmap's 4096 pages and 8 tables did not fit: the first 4096 went under the locks.)
// When the batch is full, it is flushed early (shootdown, then the frees) and filled again.
// Invariant: a page in the batch is reachable through no PTE any more, at most through
// another CPU's stale TLB entry; gather_flush ends that before it lets go of the page.
// The page's reference itself (vm_page_put) waits too: another address space sharing it
// copy-on-write must not see it unshared, and write to it in place, while we still can.
// madvise's MADV_DONTNEED runs without the BKL, and frees its gather's pages only after it
// has let go of the mm's lock (mm_advise): there the gather alone keeps this invariant.
#define GATHER_ORDER 4
#define GATHER_BIG ((PAGE_SIZE << GATHER_ORDER) / sizeof(uint64_t))
#define GATHER_TABLE 1ull            // low bit of an entry: a page table (free_page)

static bool page_put_last(uint64_t pa);

// After this, no CPU can reach the pages in the batch any more: not through an entry
// (they were cleared), nor a TLB (they are flushed).
void vm_gather_flush_tlbs(struct vm_gather *g) {
    flush_range_op(&g->op, g->pml4);
    if (g->cleared && g->pruned)
        tlb_shootdown(g->pml4);      // returns when no CPU can reach the pages any more
    else if (g->cleared)
        tlb_shootdown_range(g->pml4, g->start, g->end);
    g->cleared = false;
}

static void gather_flush(struct vm_gather *g) {
    vm_gather_flush_tlbs(g);
    int n = 0;                       // pages[0..n): the pages no mapping holds any more
    for (int i = 0; i < g->n; i++) {
        if (g->pages[i] & GATHER_TABLE)
            g->pages[n++] = g->pages[i] & ~GATHER_TABLE;
        else if (page_put_last(g->pages[i]))
            g->pages[n++] = g->pages[i];
    }
    free_page_batch(g->pages, n);
    g->n = 0;
}

// The small batch is full: move it to a block of its own. False if it already has one,
// or no block was free (then the batch is flushed instead, as it would be anyway). It
// asks once per gather: a failed ask drains every CPU's page list (alloc_pages), which
// must not happen again at every 64 pages of one munmap.
static bool gather_grow(struct vm_gather *g) {
    if (g->grow_tried)
        return false;
    g->grow_tried = true;
    uint64_t pa = alloc_pages(GATHER_ORDER);
    if (!pa)
        return false;
    g->pages = phys_to_virt(pa);
    memcpy(g->pages, g->small, sizeof g->small);
    g->max = GATHER_BIG;
    return true;
}

static void gather_add(struct vm_gather *g, uint64_t pa) {
    if (g->n == g->max && !gather_grow(g))
        gather_flush(g);
    g->pages[g->n++] = pa;
}

void vm_gather_finish(struct vm_gather *g) {
    gather_flush(g);
    if (g->pages != g->small)
        free_pages(virt_to_phys(g->pages), GATHER_ORDER);
}

static void unmap_one(pte_t *pte, uint64_t va, void *arg) {
    struct vm_gather *g = arg;
    uint64_t pa = PTE_ADDR(*pte);
    *pte = 0;
    g->cleared = true;
    flush_entry(&g->op, va);
    if (g->free)
        gather_add(g, pa);
}

// A page shared copy-on-write stays read-only whatever the new protection: the first
// write must still fault, to copy it (vm_cow). Not so in a shared mapping (op->shared):
// there every writer writes the one page.
static void protect_one(pte_t *pte, uint64_t va, void *arg) {
    struct vm_range_op *op = arg;
    uint64_t pa = PTE_ADDR(*pte), bits = prot_bits(op->prot);
    if (!op->shared && vm_page_shared(pa))
        bits &= ~(uint64_t)PTE_W;
    *pte = pa | bits;
    op->touched = true;
    flush_entry(op, va);
}

static bool table_empty(const uint64_t *table) {
    for (int i = 0; i < 512; i++)
        if (table[i] & PTE_P)
            return false;
    return true;
}

// Unhooks the page tables under `table` that map part of [start, end) and map nothing any
// more, as Linux's free_pgtables does after munmap: a process that maps and unmaps at
// ever new addresses (ASLR) must not pile up empty tables. They go into the gather: the
// CPU caches upper-level entries too, so they are freed only after every CPU has flushed.
static void prune_tables(struct vm_gather *g, uint64_t *table, int level, uint64_t base,
                         uint64_t start, uint64_t end) {
    uint64_t span = 1ull << (12 + 9 * level);
    for (int i = pt_index(start > base ? start : base, level); i < 512; i++) {
        uint64_t lo = base + (uint64_t)i * span;
        if (lo >= end)
            break;
        if (!(table[i] & PTE_P) || (table[i] & PTE_PS))
            continue;
        uint64_t *child = phys_to_virt(PTE_ADDR(table[i]));
        if (level > 1)
            prune_tables(g, child, level - 1, lo, start, end);
        if (table_empty(child)) {
            table[i] = 0;
            g->op.flush = g->cleared = g->pruned = true;
            gather_add(g, virt_to_phys(child) | GATHER_TABLE);
        }
    }
}

// A gather for changes inside [start, end) of pml4's user range.
void vm_gather_start(struct vm_gather *g, uint64_t *pml4, uint64_t start, uint64_t end) {
    *g = (struct vm_gather){ .pml4 = pml4, .start = start, .end = end, .max = GATHER_SMALL };
    g->pages = g->small;
    g->op.each = pml4 == vm_current() && end - start <= TLB_FLUSH_CEILING * PAGE_SIZE;
}

// Clears the entries of [start, end), inside the gather's range; their pages go into the
// gather if free_them (else they are not ours: a shmem object's).
void vm_gather_zap(struct vm_gather *g, uint64_t start, uint64_t end, bool free_them) {
    g->free = free_them;
    walk_range(g->pml4, 3, 0, start, end, unmap_one, g);
}

// After the zaps: the page tables of the gather's range that map nothing any more go too.
void vm_gather_prune(struct vm_gather *g) {
    prune_tables(g, g->pml4, 3, 0, g->start, g->end);
}

static void unmap_range(uint64_t *pml4, uint64_t start, uint64_t end, bool free_them,
                        bool prune) {
    struct vm_gather g;
    vm_gather_start(&g, pml4, start, end);
    vm_gather_zap(&g, start, end, free_them);
    if (prune)
        vm_gather_prune(&g);
    vm_gather_finish(&g);
}

// Unmaps every page of the user range [start, end); frees them too if free_them. Page
// tables left empty go back to the allocator (never the PML4 itself). On return, no CPU
// holds a translation into the range.
void vm_unmap_range(uint64_t *pml4, uint64_t start, uint64_t end, bool free_them) {
    unmap_range(pml4, start, end, free_them, true);
}

// The same, but the page tables stay, empty or not (Linux's zap_page_range). For tables
// that vm_destroy is about to free, every one of them: pruning looks at every entry of
// each table it passes - three tables of 512 for the one-page vDSO, which every exit and
// exec unmapped this way, an eighth of exec's work under the BKL. And for MADV_DONTNEED,
// whose memory is most often touched again soon: glibc gives back the top of a thread's
// heap that way over and over, and each time the table freed had to be made again by the
// next fault.
void vm_zap_range(uint64_t *pml4, uint64_t start, uint64_t end, bool free_them) {
    unmap_range(pml4, start, end, free_them, false);
}

// Gives every present page of the user range [start, end) the protection prot (with
// VM_USER, for user pages; see prot_bits for PROT_NONE). shared: a shared mapping, whose
// pages are written in place even when mapped elsewhere too. Nothing is freed; but the
// other CPUs must have flushed before mprotect returns: a page made read-only must not
// be written through an old entry afterwards.
void vm_protect_range(uint64_t *pml4, uint64_t start, uint64_t end, int prot, bool shared) {
    struct vm_range_op op = { prot, shared, pml4 == vm_current() &&
                           end - start <= TLB_FLUSH_CEILING * PAGE_SIZE, false, false };
    walk_range(pml4, 3, 0, start, end, protect_one, &op);
    flush_range_op(&op, pml4);
    if (op.touched)                        // (a TLB never holds a not-present entry)
        tlb_shootdown_range(pml4, start, end);   // once per range: other CPUs on these tables
}

static void count_one(pte_t *pte, uint64_t va, void *arg) {
    (void)pte;
    (void)va;
    (*(uint64_t *)arg)++;
}

uint64_t vm_count_present(uint64_t *pml4, uint64_t start, uint64_t end) {
    uint64_t n = 0;
    walk_range(pml4, 3, 0, start, end, count_one, &n);
    return n;
}

static uint64_t count_tables(const uint64_t *table, int level, int entries) {
    uint64_t n = 1;
    for (int i = 0; level > 0 && i < entries; i++)
        if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
            n += count_tables(phys_to_virt(PTE_ADDR(table[i])), level - 1, 512);
    return n;
}

uint64_t vm_user_table_pages(uint64_t *pml4) {
    return count_tables(pml4, 3, KERNEL_HALF_FIRST);
}

// ---------------------------------------------------------------- building the kernel's tables

// Each page of the image gets its section's permissions (see linker.ld for the order).
static int image_prot(uint64_t va) {
    extern char __ksyms_start[];
    if (va < (uint64_t)__text_end)
        return VM_READ | VM_EXEC;              // .text
    if (va < (uint64_t)__rodata_end)
        return VM_READ;                        // .rodata
    if (va < (uint64_t)__ksyms_start)
        return VM_READ | VM_WRITE;             // .data, .bss
    return VM_READ;                            // .ksyms
}

static void map_kernel_image(void) {
    // Like Linux's kernel text mapping, the region starts at physical 0: the low MiB and
    // the boot code below the image are there too, read-only and not executable.
    for (uint64_t va = KERNEL_BASE; va < (uint64_t)__text_start; va += PAGE_SIZE)
        if (vm_map_page(kernel_pml4, va, va - KERNEL_BASE, VM_READ) != 0)
            panic("vm_init: no memory for the kernel image's page tables");
    for (uint64_t va = (uint64_t)__text_start; va < (uint64_t)__kernel_end; va += PAGE_SIZE) {
        if (va == (uint64_t)boot_stack_guard)
            continue;                          // the boot stack's guard page stays unmapped
        if (vm_map_page(kernel_pml4, va, va - KERNEL_BASE, image_prot(va)) != 0)
            panic("vm_init: no memory for the kernel image's page tables");
    }
}

static void map_direct(uint64_t end) {
    for (uint64_t pa = 0; pa < end;) {
        uint64_t va = DIRECT_MAP_BASE + pa;
        bool gig = cpu.pdpe1gb && (pa % HUGE_1G) == 0 && end - pa >= HUGE_1G;
        pte_t *e = walk_to(kernel_pml4, va, gig ? 2 : 1, true);
        if (!e)
            panic("vm_init: no memory for the direct map's page tables");
        *e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | nx;
        pa += gig ? HUGE_1G : HUGE_2M;
    }
}

// The direct map covers every byte of RAM-like memory (usable, ACPI), from 0 to the end of
// the highest such region. Holes below that end are mapped too: simpler, and harmless here.
static uint64_t ram_end(const struct boot_info *bi) {
    uint64_t end = 0;
    for (size_t i = 0; i < bi->nr_mem; i++) {
        const struct mem_region *r = &bi->mem[i];
        if (r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIMABLE || r->type == MEM_ACPI_NVS)
            if (r->base + r->len > end)
                end = r->base + r->len;
    }
    return (end + HUGE_2M - 1) & ~(HUGE_2M - 1);
}

// The boot loader's framebuffer (fbcon.c draws on it) is device memory: it goes in the direct
// map like RAM, so phys_to_virt() reaches it before and after the switch to these tables, but
// uncached (PCD|PWT), so every write reaches the display. Where it lies below the end of RAM,
// map_direct() has mapped it already, cached: harmless under QEMU, which has no caches to
// bypass (Linux would map it apart, write-combining: ioremap_wc).
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
static void map_framebuffer(const struct framebuffer *fb) {
    uint64_t size = (uint64_t)fb->pitch * fb->height;
    if (!fb->present || fb->type != FB_RGB || size > HUGE_1G || fb->addr > (1ull << 46))
        return;                            // not one fbcon.c uses (or a bogus tag)
    uint64_t end = fb->addr + size;
    for (uint64_t pa = fb->addr & ~(HUGE_2M - 1); pa < end; pa += HUGE_2M) {
        if (pa < direct_end)
            continue;
        pte_t *e = walk_to(kernel_pml4, DIRECT_MAP_BASE + pa, 1, true);
        if (!e)
            panic("vm_init: no memory for the framebuffer's page tables");
        *e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_PCD | PTE_PWT | nx;
    }
}

void vm_init(const struct boot_info *bi) {
    nx = cpu.nx ? PTE_NX : 0;
    kernel_pml4 = table_alloc();
    if (!kernel_pml4)
        panic("vm_init: no memory for the kernel's PML4");
    direct_end = ram_end(bi);
    map_direct(direct_end);
    map_framebuffer(&bi->fb);
    map_kernel_image();
    // The kernel-stack area's PML4 entry exists from the start, so it is shared (see vm.h).
    if (!walk_to(kernel_pml4, KSTACK_AREA, 2, true))
        panic("vm_init: no memory for the kernel-stack area");
    kernel_half_fixed = true;              // walk_to() checks this from now on
    write_cr3(virt_to_phys(kernel_pml4));
    uint64_t *zero = table_alloc();        // a zeroed page (table_alloc clears it)
    if (!zero)
        panic("vm_init: no memory for the zero page");
    zero_page_pa = virt_to_phys(zero);
    pr_info("vm: direct map of %llu MiB at %#llx, kernel image %lluK, NX %s\n",
            (unsigned long long)(direct_end >> 20), (unsigned long long)DIRECT_MAP_BASE,
            (unsigned long long)(((uint64_t)__kernel_end - (uint64_t)__text_start) >> 10),
            nx ? "on" : "off");
}

uint64_t vm_direct_map_end(void) { return direct_end; }

// ---------------------------------------------------------------- address spaces

uint64_t *vm_create(void) {
    uint64_t *pml4 = table_alloc();
    if (!pml4)
        return NULL;
    for (int i = KERNEL_HALF_FIRST; i < 512; i++)
        pml4[i] = kernel_pml4[i];
    return pml4;
}

// Loads pml4's tables (NULL: the kernel's own). Tables already loaded stay, with their TLB
// entries: a switch between threads of one process costs no flush (nor one back from the
// idle loop to the process that ran before it, unless the CPU halted meanwhile: sched.c's
// unload_tables). This CPU's percpu notes what it has loaded
// (smp_note_pml4), for tlb_shootdown to find every CPU that may cache a translation of
// an address space: every load goes through here (exec's too, which no scheduler pass
// follows), so the note is never stale. The note comes first: the CR3 write after it
// waits until every CPU can see it, so a shootdown's sender that does not find this CPU
// cleared its entries before this CPU's page walker could read them (smp.c).
void vm_switch(uint64_t *pml4) {
    uint64_t pa = virt_to_phys(pml4 ? pml4 : kernel_pml4);
    if (percpu_ready)
        smp_note_pml4(pml4 == kernel_pml4 ? NULL : pml4);
    if ((read_cr3() & ~0xfffull) != pa)
        write_cr3(pa);
}

// Frees a user table at `level` and everything below it, leaf pages included (each one
// only when no other address space still maps it).
static void free_user_table(uint64_t *table, int level) {
    smp_answer_shootdown();          // without the BKL, with interrupts off: see vm_destroy
    for (int i = 0; i < 512; i++) {
        if (!(table[i] & PTE_P))
            continue;
        if (level == 0)
            vm_page_put(PTE_ADDR(table[i]));
        else
            free_user_table(phys_to_virt(PTE_ADDR(table[i])), level - 1);
    }
    free_page(virt_to_phys(table));
}

// No TLB shootdown here, and none is needed: the last reference to the mm is gone, so
// every thread that used it has exited or exec'd, and each switched away from these tables
// before it let go of its reference (vm_switch(NULL) in exit - with the BKL let go, when
// others still used them - and exec's vm_switch to the new ones, under the BKL); an
// idle loop that kept them after a thread's switch loaded others before that thread, or
// any of its process, could run again (sched.c's unload_tables). A CR3 load drops every
// non-global entry; so no CPU has these tables loaded or cached, and no CPU can load them
// again. (tlb_shootdown would find no CPU to ask.)
// At exit and exec this runs without the BKL (mm_put_dropping_bkl), interrupts off: it
// answers other CPUs' shootdowns as it goes, since one may be waiting for this CPU.
void vm_destroy(uint64_t *pml4) {
    if (pml4 == kernel_pml4)
        panic("vm_destroy: the kernel's own address space");
    if (pml4 == vm_current())
        vm_switch(NULL);
    for (int i = 0; i < KERNEL_HALF_FIRST; i++)
        if (pml4[i] & PTE_P)
            free_user_table(phys_to_virt(PTE_ADDR(pml4[i])), 2);
    free_page(virt_to_phys(pml4));
}

// fork: the present pages of [start, end) appear in dst at the same addresses: the very
// same pages with the same PTE bits if share (MAP_SHARED memory); else the same pages too,
// but read-only in both address spaces and counted twice - copy-on-write: the first write
// by either side faults, and vm_cow gives the writer a copy of its own.
// The pages of a shared file mapping are counted like private ones (counted): each entry
// holds a reference; a shmem object's pages are its own, not counted per entry.
// Speed matters here (a fork of a process with 64 MiB touched visits 16384 entries): the
// destination's last table is remembered for the 2 MiB it covers (dst_pt, dst_base), and
// the parent's TLB is flushed once at the end rather than page by page (flush), and the
// other CPUs running the parent's threads are shot down once, before fork returns. A
// thread there may write through its old writable entry until then: into the page the
// child now shares, as if the write had come just before the fork. It cannot write after
// a copy-on-write split, which needs the BKL that fork holds until the shootdown.
struct copy_op {
    uint64_t *dst;
    bool share, counted, flush;
    int err;
    pte_t *dst_pt;                       // the destination's leaf table for dst_base
    uint64_t dst_base;
};

static void copy_one(pte_t *pte, uint64_t va, void *arg) {
    struct copy_op *op = arg;
    if (op->err)
        return;
    uint64_t base = va & ~(HUGE_2M - 1);
    if (!op->dst_pt || op->dst_base != base) {
        pte_t *first = vm_walk(op->dst, base, true);
        op->dst_pt = first;
        op->dst_base = base;
    }
    pte_t *e = op->dst_pt ? &op->dst_pt[pt_index(va, 0)] : NULL;
    if (!e || (*e & PTE_P)) {
        op->err = e ? -EEXIST : -ENOMEM;
        return;
    }
    if (!op->share && (*pte & PTE_W)) {
        *pte &= ~(uint64_t)PTE_W;        // the parent's too: it must not write in place either
        op->flush = true;
    }
    if (!op->share || op->counted)
        vm_page_get(PTE_ADDR(*pte));
    *e = *pte;                           // the same page, the same flags
}

// ---------------------------------------------------------------- copy-on-write

uint64_t vm_zero_page(void) { return zero_page_pa; }

void vm_page_new(uint64_t pa) { pa_to_page(pa)->mapcount = 1; }

// The count changes atomically: an address space being freed without the BKL (mm_put's
// teardown at exit) drops its references while another forks or splits a copy-on-write
// page that shares them. Only a holder adds one - fork, for a page its parent maps, under
// the parent's mm lock; a file's page being mapped, which the file holds too (exec may map
// one without the BKL) - so a count of 1, read
// by the one mapper under its mm lock, stays 1: the page is ours (vm_cow).
void vm_page_get(uint64_t pa) {
    if (pa != zero_page_pa)
        __atomic_fetch_add(&pa_to_page(pa)->mapcount, 1, __ATOMIC_RELAXED);
}

// One mapping of pa fewer: true if that was the last, and the page is the caller's to free.
static bool page_put_last(uint64_t pa) {
    if (pa == zero_page_pa)
        return false;
    uint32_t was = __atomic_fetch_sub(&pa_to_page(pa)->mapcount, 1, __ATOMIC_ACQ_REL);
    if (was == 0)
        panic("vm_page_put: page %#llx is mapped nowhere", (unsigned long long)pa);
    return was == 1;
}

void vm_page_put(uint64_t pa) {
    if (page_put_last(pa))
        free_page(pa);
}

uint32_t vm_page_count(uint64_t pa) {
    return pa == zero_page_pa ? 0 : pa_to_page(pa)->mapcount;
}

bool vm_page_shared(uint64_t pa) {
    return pa == zero_page_pa || pa_to_page(pa)->mapcount > 1;
}

// A write to the present, read-only private page at va (whose VMA allows prot): the writer
// gets a copy of its own - or, as the last one mapping it, the page itself, made writable.
// 0 or -ENOMEM.
int vm_cow(uint64_t *pml4, uint64_t va, int prot) {
    pte_t *pte = vm_walk(pml4, va, false);
    uint64_t old = PTE_ADDR(*pte);
    if (!vm_page_shared(old)) {
        // Nobody else has it: write in place. Only a permission is added, so no other CPU
        // needs a shootdown: one that kept the read-only entry takes a write fault, which
        // finds the PTE allowing it (a spurious fault, try_fault) and retries. (Linux's
        // wp_page_reuse does not flush either.)
        *pte = old | prot_bits(prot);
        invlpg(va);
        return 0;
    }
    uint64_t pa = alloc_page();
    if (!pa)
        return -ENOMEM;
    if (old == zero_page_pa)
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    else
        memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
    vm_page_new(pa);
    *pte = pa | prot_bits(prot);
    invlpg(va);
    // Another thread's CPU must not keep reading old, and only once none can is our
    // reference to it dropped: the last one frees it (a one-page gather).
    tlb_shootdown_range(pml4, va, va + PAGE_SIZE);
    vm_page_put(old);
    return 0;
}

// mremap: the present pages of [start, end) move to new_start and on in the same address
// space, entry and all (no page changes hands: its references stay as they are). The
// tables at the destination are made first, so that running out of memory moves nothing.
// The two ranges must not overlap.
struct move_op { uint64_t *pml4; int64_t delta; bool move; int err; };

static void move_one(pte_t *pte, uint64_t va, void *arg) {
    struct move_op *op = arg;
    if (op->err)
        return;
    pte_t *e = vm_walk(op->pml4, va + op->delta, true);
    if (!e) {
        op->err = -ENOMEM;
        return;
    }
    if (!op->move)
        return;
    *e = *pte;
    *pte = 0;
    invlpg(va);
}

int vm_move_range(uint64_t *pml4, uint64_t start, uint64_t end, uint64_t new_start) {
    struct move_op op = { pml4, (int64_t)(new_start - start), false, 0 };
    walk_range(pml4, 3, 0, start, end, move_one, &op);
    if (op.err)
        return op.err;
    op.move = true;
    walk_range(pml4, 3, 0, start, end, move_one, &op);
    tlb_shootdown_range(pml4, start, end);   // other CPUs on these tables drop the old addresses
    return 0;
}

int vm_copy_range(uint64_t *dst, uint64_t *src, uint64_t start, uint64_t end, bool share,
                  bool counted) {
    struct copy_op op = { dst, share, counted, false, 0, NULL, 0 };
    walk_range(src, 3, 0, start, end, copy_one, &op);
    if (op.flush && src == vm_current())
        write_cr3(read_cr3());           // the pages made read-only, all at once
    if (op.flush)                        // (only a cleared write bit needs one: a fork
        tlb_shootdown(src);              // shoots down only for VMAs with writable pages)
    return op.err;
}
