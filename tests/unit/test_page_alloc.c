// test_page_alloc.c: the buddy allocator against a fake memory map with holes, reserved
// ranges and unaligned edges. "Physical memory" from FAKE_BASE on is a heap buffer; the rest
// of the map has no backing, so it must never be touched (fake_to_virt aborts if asked).
// panic() is caught with setjmp/longjmp, so a test can check that a bad free panicked and why.
// Run with VERBOSE=1 in the environment to see what the allocator logs.
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "page_alloc.h"
#include "fake_percpu_pages.h"
#include "panic.h"
#include "printk.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define PG 4096ull
#define FAKE_BASE (16 * MiB)
#define FAKE_SIZE (32 * MiB)
#define NPFN ((FAKE_BASE + FAKE_SIZE) / PG)   // the test's tables cover pfns [0, NPFN)
static uint8_t *phys;

static void *fake_to_virt(uint64_t pa) {
    if (!phys && !(phys = aligned_alloc(PG, FAKE_SIZE)))
        abort();
    if (pa < FAKE_BASE || pa >= FAKE_BASE + FAKE_SIZE) {
        printf("test bug: to_virt(%#llx) is outside the fake memory\n", (unsigned long long)pa);
        fflush(stdout);
        abort();
    }
    return phys + (pa - FAKE_BASE);
}
static uint64_t *word(uint64_t pa) { return fake_to_virt(pa); }

// ---- Catching panic() (catch_panic.h) and printk()
#include "catch_panic.h"
static char last_log[512];

int printk(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_log, sizeof last_log, fmt, ap);
    va_end(ap);
    if (getenv("VERBOSE"))
        printf("    | %s", last_log + 2);   // without the KERN_<level> prefix
    return n;
}

// ---- The memory map
static const struct mem_region std_mem[] = {
    { 0x0, 0x9fc00, MEM_USABLE },               // below 1 MiB: never managed
    { 0x9fc00, 0x400, MEM_RESERVED },
    { 0xf0000, 0x10000, MEM_RESERVED },
    { 0x100000, 0xf00000, MEM_USABLE },         // 1-16 MiB: not backed, so passed as reserved
    { 0x1000234, 0x3005cc, MEM_USABLE },        // unaligned at both ends
    { 0x1300800, 0xf800, MEM_ACPI_RECLAIMABLE },
    { 0x1350100, 0xe00, MEM_USABLE },           // less than a page
    { 0x1400000, 0x1b00010, MEM_USABLE },       // 20 MiB to 47 MiB + 16
    { 0x2f00010, 0xffff0, MEM_RESERVED },
};
static const struct phys_range std_reserved[] = {
    { 0x100000, 0x1000000 },    // "the kernel image"
    { 0x1000000, 0x1010001 },   // "boot information", ends just past a page boundary
    { 0x1e00100, 0x1e02100 },   // unaligned: touches three pages
    { 0x2800000, 0x2900000 },   // "the initramfs"
};
#define STD_MEM_MAP 0x1011000ull   // the first fit: after the reserved ranges at 1-16 MiB
#define STD_MEM_MAP_PAGES 46       // (47 MiB - 1 MiB) / 4 KiB pages * 16 bytes

static struct boot_info bi;
static bool managed[NPFN];   // what the allocator should own, worked out independently
static uint64_t expect_managed, expect_blocks[MAX_ORDER + 1];

static bool overlaps(uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return a < d && c < b; }

// The page is managed if it is above 1 MiB, wholly inside a usable region, and touches no
// reserved range and not mem_map.
static void expect(const struct mem_region *mem, size_t n, const struct phys_range *res,
                   size_t nres, uint64_t map_pa, uint64_t map_pages) {
    expect_managed = 0;
    for (uint64_t pfn = 0; pfn < NPFN; pfn++) {
        uint64_t pa = pfn * PG;
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            if (mem[i].type == MEM_USABLE && pa >= mem[i].base && pa + PG <= mem[i].base + mem[i].len)
                ok = true;
        for (size_t i = 0; i < nres; i++)
            if (overlaps(pa, pa + PG, res[i].start, res[i].end))
                ok = false;
        managed[pfn] = ok && pa >= MiB && !overlaps(pa, pa + PG, map_pa, map_pa + map_pages * PG);
        expect_managed += managed[pfn];
    }
    // A fully coalesced allocator has a block of order k wherever 2^k aligned pages are all
    // managed, but their aligned block of order k + 1 is not.
    for (unsigned k = 0; k <= MAX_ORDER; k++) {
        expect_blocks[k] = 0;
        for (uint64_t pfn = 0; pfn < NPFN; pfn += 1ull << k) {
            bool full = true, parent_full = k < MAX_ORDER;
            for (uint64_t i = 0; i < 1ull << k; i++)
                full = full && managed[pfn + i];
            uint64_t parent = pfn & ~((2ull << k) - 1);
            for (uint64_t i = 0; parent_full && i < 2ull << k; i++)
                parent_full = parent + i < NPFN && managed[parent + i];
            expect_blocks[k] += full && !parent_full;
        }
    }
}

static void init_std(void) {
    memset(&bi, 0, sizeof bi);
    bi.nr_mem = sizeof std_mem / sizeof std_mem[0];
    memcpy(bi.mem, std_mem, sizeof std_mem);
    CHECK_EQ_INT(page_alloc_init(&bi, std_reserved, 4, fake_to_virt), 0);
    expect(std_mem, bi.nr_mem, std_reserved, 4, STD_MEM_MAP, STD_MEM_MAP_PAGES);
}

// Everything free again, and merged back into the blocks init made?
static void check_pristine(void) {
    CHECK(page_alloc_check());
    CHECK_EQ_INT(nr_free_pages(), expect_managed);
    CHECK_EQ_INT(nr_managed_pages(), expect_managed);
    for (unsigned k = 0; k <= MAX_ORDER; k++)
        CHECK_EQ_INT(nr_free_blocks(k), expect_blocks[k]);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {   // xorshift64: the same sequence every run
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

// ---- Tests

TEST(init_accounts_for_every_page) {
    init_std();
    CHECK_EQ_INT(expect_managed, 7358);
    CHECK_EQ_INT(expect_blocks[MAX_ORDER], 4);   // at 20, 24, 32 and 36 MiB
    check_pristine();
    CHECK(strstr(last_log, "page_alloc: 7358 pages managed (28 MiB), mem_map 184K at 0x1011000"));
}

static uint64_t all[NPFN];

TEST(every_managed_page_exactly_once) {
    init_std();
    static bool seen[NPFN];
    memset(seen, 0, sizeof seen);
    uint64_t n = 0, pa;
    while ((pa = alloc_page()) != 0) {
        uint64_t pfn = pa / PG;
        if (pfn >= NPFN || !managed[pfn] || seen[pfn]) {
            CHECK(!"handed out an unmanaged page, or one twice");
            break;
        }
        seen[pfn] = true;
        *word(pa) = pa;   // mark it, to be checked below
        all[n++] = pa;
        CHECK_EQ_INT(nr_free_pages(), expect_managed - n);
    }
    CHECK_EQ_INT(n, expect_managed);
    for (unsigned k = 0; k <= MAX_ORDER; k++)
        CHECK_EQ_INT(alloc_pages(k), 0);
    CHECK(page_alloc_check());
    for (uint64_t i = n; i > 1; i--) {   // free in a shuffled order
        uint64_t j = rnd() % i, t = all[i - 1];
        all[i - 1] = all[j];
        all[j] = t;
    }
    for (uint64_t i = 0; i < n; i++) {
        CHECK_EQ_INT(*word(all[i]), all[i]);
        free_page(all[i]);
    }
    check_pristine();
}

TEST(exhaustion_at_every_order) {
    init_std();
    for (unsigned k = 0; k <= MAX_ORDER; k++) {
        uint64_t want = 0, rest = 0, n = 0, pa;
        for (unsigned j = 0; j <= MAX_ORDER; j++) {
            if (j >= k)
                want += expect_blocks[j] << (j - k);
            else
                rest += expect_blocks[j] << j;
        }
        while ((pa = alloc_pages(k)) != 0) {
            CHECK_EQ_INT(pa % (PG << k), 0);
            all[n++] = pa;
        }
        CHECK_EQ_INT(n, want);
        CHECK_EQ_INT(nr_free_pages(), rest);   // only the blocks too small are left
        CHECK(page_alloc_check());
        while (n > 0)
            free_pages(all[--n], k);
        check_pristine();
    }
}

// Live blocks: pfn -> index + 1 of the block that owns it.
static uint32_t owner[NPFN];
static struct block { uint64_t pa; unsigned order; } live[NPFN];

static uint64_t tag(unsigned id, uint64_t page) { return (uint64_t)id << 32 | page; }

static void fill(unsigned id) {
    struct block *b = &live[id];
    for (uint64_t i = 0; i < 1ull << b->order; i++) {
        uint64_t pa = b->pa + i * PG;
        if (b->order <= 2)
            memset(word(pa), (int)(id & 0xff), PG);   // small blocks: every byte
        *word(pa) = *word(pa + PG - 8) = tag(id, i);
    }
}

static bool intact(unsigned id) {
    struct block *b = &live[id];
    for (uint64_t i = 0; i < 1ull << b->order; i++) {
        uint64_t pa = b->pa + i * PG;
        if (*word(pa) != tag(id, i) || *word(pa + PG - 8) != tag(id, i))
            return false;
        for (uint64_t j = 8; b->order <= 2 && j < PG - 8; j++)
            if (((uint8_t *)word(pa))[j] != (id & 0xff))
                return false;
    }
    return true;
}

TEST(random_storm) {
    init_std();
    memset(owner, 0, sizeof owner);
    unsigned nlive = 0, fails = 0, allocs = 0;
    uint64_t used = 0, peak = 0;
    for (int op = 0; op < 20000; op++) {
        if (nlive == 0 || rnd() % 100 < 55) {
            unsigned k = 0;
            if (rnd() % 10 == 0)
                k = rnd() % (MAX_ORDER + 1);
            else
                while (k < MAX_ORDER && rnd() % 2)
                    k++;
            uint64_t pa = alloc_pages(k);
            if (!pa) {   // legitimate only if no free block is big enough
                for (unsigned j = k; j <= MAX_ORDER; j++)
                    CHECK_EQ_INT(nr_free_blocks(j), 0);
                fails++;
                continue;
            }
            CHECK_EQ_INT(pa % (PG << k), 0);
            for (uint64_t i = 0; i < 1ull << k; i++) {
                uint64_t pfn = pa / PG + i;
                if (pfn >= NPFN || !managed[pfn] || owner[pfn]) {
                    CHECK(!"block overlaps a live block or unmanaged memory");
                    return;
                }
                owner[pfn] = nlive + 1;
            }
            live[nlive] = (struct block){ pa, k };
            fill(nlive++);
            used += 1ull << k;
            peak = used > peak ? used : peak;
            allocs++;
        } else {
            unsigned id = rnd() % nlive;
            struct block b = live[id];
            CHECK(intact(id));
            free_pages(b.pa, b.order);
            used -= 1ull << b.order;
            for (uint64_t i = 0; i < 1ull << b.order; i++)
                owner[b.pa / PG + i] = 0;
            if (id != --nlive) {   // move the last block into the hole, and re-tag it
                live[id] = live[nlive];
                for (uint64_t i = 0; i < 1ull << live[id].order; i++)
                    owner[live[id].pa / PG + i] = id + 1;
                fill(id);
            }
        }
        CHECK_EQ_INT(nr_free_pages(), expect_managed - used);
        if (op % 2000 == 0)
            CHECK(page_alloc_check());
    }
    CHECK(fails > 0);   // the storm did reach exhaustion
    if (getenv("VERBOSE"))
        printf("    | storm: %u allocations, %u failed, peak %llu of %llu pages in use\n", allocs,
               fails, (unsigned long long)peak, (unsigned long long)expect_managed);
    while (nlive > 0) {
        CHECK(intact(nlive - 1));
        free_pages(live[nlive - 1].pa, live[nlive - 1].order);
        nlive--;
    }
    check_pristine();
}

TEST(fragmentation_and_coalescing) {
    init_std();
    uint64_t big = alloc_pages(MAX_ORDER), n = 0, pa;
    CHECK(big != 0);
    free_pages(big, MAX_ORDER);
    while ((pa = alloc_page()) != 0)
        all[n++] = pa;
    uint64_t freed = 0;
    for (uint64_t i = 0; i < n; i++)      // every other page frame
        if ((all[i] / PG) % 2 == 0) {
            free_page(all[i]);
            freed++;
        }
    CHECK_EQ_INT(nr_free_pages(), freed);
    CHECK_EQ_INT(nr_free_blocks(0), freed);
    CHECK_EQ_INT(alloc_pages(1), 0);      // no two free pages are buddies
    for (uint64_t i = 0; i < n; i++)      // the odd ones inside `big`: it comes back whole
        if ((all[i] / PG) % 2 == 1 && all[i] >= big && all[i] < big + (PG << MAX_ORDER))
            free_page(all[i]);
    CHECK(page_alloc_check());
    CHECK_EQ_INT(nr_free_blocks(MAX_ORDER), 1);
    CHECK_EQ_INT(alloc_pages(1), big);    // the smallest block that fits is split
    CHECK_EQ_INT(alloc_pages(MAX_ORDER), 0);
    free_pages(big, 1);
    CHECK_EQ_INT(alloc_pages(MAX_ORDER), big);
    free_pages(big, MAX_ORDER);
    for (uint64_t i = 0; i < n; i++)
        if ((all[i] / PG) % 2 == 1 && (all[i] < big || all[i] >= big + (PG << MAX_ORDER)))
            free_page(all[i]);
    check_pristine();
}

// A function of our own to free through, so that we know what "caller" must say.
__attribute__((noinline)) static void free_from_here(uint64_t pa, unsigned order) {
    free_pages(pa, order);
    __asm__ volatile("");   // not a tail call: the return address stays in this function
}

TEST(double_free_panics) {
    init_std();
    uint64_t a = alloc_page(), b = alloc_pages(3);
    free_page(a);
    EXPECT_PANIC(free_from_here(a, 0), "page_alloc: double free of 0x");
    char text[64];
    const char *by = strstr(panic_msg, "by caller 0x");
    unsigned long long caller = by ? strtoull(by + 10, NULL, 16) : 0;
    CHECK(caller > (uintptr_t)free_from_here && caller < (uintptr_t)free_from_here + 256);
    snprintf(text, sizeof text, "double free of %#llx (order 0)", (unsigned long long)a);
    CHECK(strstr(panic_msg, text));
    free_pages(b, 3);   // b merges with its buddies: its pages are now inside bigger blocks
    EXPECT_PANIC(free_pages(b, 3), "double free");
    EXPECT_PANIC(free_pages(b + 2 * PG, 0), "double free");
    check_pristine();
}

TEST(invalid_free_panics) {
    init_std();
    uint64_t a = alloc_pages(2);
    EXPECT_PANIC(free_pages(a + 8, 2), "not page-aligned");
    EXPECT_PANIC(free_pages(a, MAX_ORDER + 1), "order too large");
    EXPECT_PANIC(free_page(0x1000), "outside managed memory");      // below 1 MiB
    EXPECT_PANIC(free_page(64 * GiB), "outside managed memory");
    EXPECT_PANIC(free_page(a + PG), "not the head of an allocated block");   // a tail page
    EXPECT_PANIC(free_pages(a, 1), "allocated with order 2");
    EXPECT_PANIC(free_pages(a, 3), "allocated with order 2");
    EXPECT_PANIC(free_page(STD_MEM_MAP), "not the head");           // mem_map itself
    EXPECT_PANIC(free_page(0x1e01000), "not the head");             // a reserved range
    EXPECT_PANIC(free_page(0x1380000), "not the head");             // a hole in the map
    CHECK(strstr(panic_msg, "page_alloc: invalid free of 0x1380000 (order 0) by caller 0x"));
    CHECK_EQ_INT(nr_free_pages(), expect_managed - 4);   // nothing changed
    CHECK(page_alloc_check());
    free_pages(a, 2);
    check_pristine();
}

TEST(mem_map_goes_below_4g) {
    static const struct mem_region mem[] = {
        { FAKE_BASE, FAKE_SIZE, MEM_USABLE }, { 4 * GiB, 64 * MiB, MEM_USABLE } };
    memset(&bi, 0, sizeof bi);
    bi.nr_mem = 2;
    memcpy(bi.mem, mem, sizeof mem);
    CHECK_EQ_INT(page_alloc_init(&bi, NULL, 0, fake_to_virt), 0);
    uint64_t map_pages = ((4 * GiB + 64 * MiB - FAKE_BASE) / PG * 16 + PG - 1) / PG;
    // Above 4 GiB (the boot direct map) nothing is handed out until page_alloc_add_high().
    CHECK_EQ_INT(nr_managed_pages(), FAKE_SIZE / PG - map_pages);
    CHECK(strstr(last_log, "at 0x1000000"));
    uint64_t pa, high = 0, n = 0;
    while ((pa = alloc_pages(0)) != 0) {   // the pages above 4 GiB are never touched
        high += pa >= 4 * GiB;
        n++;
    }
    CHECK_EQ_INT(high, 0);
    CHECK_EQ_INT(n, FAKE_SIZE / PG - map_pages);
    page_alloc_add_high();
    CHECK(strstr(last_log, "16384 pages above 4096 MiB added"));
    CHECK_EQ_INT(nr_managed_pages(), (FAKE_SIZE + 64 * MiB) / PG - map_pages);
    CHECK_EQ_INT(nr_free_pages(), 64 * MiB / PG);
    CHECK(page_alloc_check());
    while ((pa = alloc_pages(MAX_ORDER)) != 0)
        high += pa >= 4 * GiB;
    CHECK_EQ_INT(high, 16);
    CHECK_EQ_INT(nr_free_pages(), 0);
    CHECK(page_alloc_check());
}

TEST(init_fails_cleanly) {
    static const struct mem_region low[] = { { 0, 0x9fc00, MEM_USABLE } };
    static const struct mem_region no_room[] = {   // mem_map would need 32 MiB below 4 GiB
        { FAKE_BASE, 64 * 1024, MEM_USABLE }, { 4 * GiB, 4 * GiB, MEM_USABLE } };
    memset(&bi, 0, sizeof bi);
    bi.nr_mem = 1;
    memcpy(bi.mem, low, sizeof low);
    CHECK_EQ_INT(page_alloc_init(&bi, NULL, 0, fake_to_virt), -1);
    CHECK(strstr(last_log, "no usable memory above 1 MiB"));
    bi.nr_mem = 2;
    memcpy(bi.mem, no_room, sizeof no_room);
    CHECK_EQ_INT(page_alloc_init(&bi, NULL, 0, fake_to_virt), -1);
    CHECK(strstr(last_log, "no room for mem_map below 4 GiB"));
    CHECK_EQ_INT(alloc_page(), 0);
    CHECK_EQ_INT(nr_free_pages(), 0);
    CHECK_EQ_INT(nr_managed_pages(), 0);
    EXPECT_PANIC(free_page(FAKE_BASE), "outside managed memory");
}

CHECK_MAIN()
