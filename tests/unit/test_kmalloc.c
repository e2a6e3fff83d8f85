// test_kmalloc.c: the kernel heap on top of the real page allocator, whose "physical memory"
// is a heap buffer at fake physical address FAKE_BASE. panic() is caught with setjmp/longjmp,
// so a test can check that a bad kfree panicked and why. Every test ends with all memory
// freed and kmalloc_shrink(): that is the leak check, and it lets the next test start afresh.
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "kmalloc.h"
#include "page_alloc.h"
#include "fake_percpu_pages.h"
#include "panic.h"
#include "printk.h"

#define MiB (1ull << 20)
#define PG 4096ull
#define FAKE_BASE (16 * MiB)
#define FAKE_SIZE (32 * MiB)
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

// ---- Catching panic() (catch_panic.h) and printk()
#include "catch_panic.h"

int printk(const char *fmt, ...) {
    (void)fmt;
    return 0;
}

// ---- Setting up and checking
static struct boot_info bi;

static void setup(uint64_t bytes) {
    memset(&bi, 0, sizeof bi);
    bi.nr_mem = 2;
    bi.mem[0] = (struct mem_region){ 0, 0x9fc00, MEM_USABLE };
    bi.mem[1] = (struct mem_region){ FAKE_BASE, bytes, MEM_USABLE };
    CHECK_EQ_INT(page_alloc_init(&bi, NULL, 0, fake_to_virt), 0);
}

static void check_no_leaks(void) {
    kmalloc_shrink();
    CHECK_EQ_INT(nr_free_pages(), nr_managed_pages());
    CHECK(page_alloc_check());
}

static bool all_bytes(const void *p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != v)
            return false;
    return true;
}

static size_t expected_ksize(size_t size) {
    size_t k = size <= 2048 ? 16 : PG;
    while (k < size)
        k *= 2;
    return k;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void) {   // xorshift64: the same sequence every run
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

// ---- Tests

TEST(zero_and_null) {
    setup(4 * MiB);
    CHECK(kmalloc(0) == NULL);
    CHECK(kzalloc(0) == NULL);
    kfree(NULL);
    CHECK_EQ_INT(ksize(NULL), 0);
    check_no_leaks();
}

static uint8_t *ptr[5001];

TEST(every_size_from_1_to_5000) {
    setup(FAKE_SIZE);
    for (size_t size = 1; size <= 5000; size++) {
        uint8_t *p = ptr[size] = kmalloc(size);
        if (!p) {
            CHECK(!"kmalloc failed");
            return;
        }
        size_t k = ksize(p);
        CHECK_EQ_INT(k, expected_ksize(size));
        CHECK_EQ_INT((uintptr_t)p % (k < PG ? k : PG), 0);   // aligned to its size, at least 16
        if (size <= 2048)
            CHECK(all_bytes(p, k, 0x5a));                     // POISON_INUSE
        memset(p, (int)(size * 7 % 251), size);
    }
    for (size_t size = 1; size <= 5000; size++)
        CHECK(all_bytes(ptr[size], size, (uint8_t)(size * 7 % 251)));
    for (size_t i = 5000; i > 1; i--) {   // free in a shuffled order
        size_t j = 1 + rnd() % i;
        uint8_t *t = ptr[i];
        ptr[i] = ptr[j];
        ptr[j] = t;
    }
    for (size_t i = 1; i <= 5000; i++)
        kfree(ptr[i]);
    check_no_leaks();
    for (size_t size = 1; size <= 5000; size++) {   // on poisoned memory now
        uint8_t *p = kzalloc(size);
        CHECK(p && all_bytes(p, size, 0));
        kfree(p);
    }
    check_no_leaks();
}

// How many objects of each class share a page: the 16-, 32- and 64-byte classes keep their
// bitmap in the first object(s) of the page.
TEST(slab_capacity_per_class) {
    static const unsigned capacity[8] = { 254, 127, 63, 32, 16, 8, 4, 2 };
    setup(4 * MiB);
    for (unsigned c = 0; c < 8; c++) {
        size_t size = (size_t)16 << c;
        uint64_t before = nr_free_pages();
        for (unsigned i = 0; i < capacity[c]; i++) {
            ptr[i] = kmalloc(size);
            CHECK(((uintptr_t)ptr[i] & ~(PG - 1)) == ((uintptr_t)ptr[0] & ~(PG - 1)));
        }
        CHECK_EQ_INT(nr_free_pages(), before - 1);
        CHECK_EQ_INT((uintptr_t)ptr[0] % PG, PG - capacity[c] * size);   // after the bitmap
        uint8_t *next = kmalloc(size);   // the slab is full: a second page
        CHECK_EQ_INT(nr_free_pages(), before - 2);
        kfree(next);                     // that slab is empty, and kept in reserve
        CHECK_EQ_INT(nr_free_pages(), before - 2);
        for (unsigned i = 0; i < capacity[c]; i++)
            kfree(ptr[i]);               // a second empty slab: returned at once
        CHECK_EQ_INT(nr_free_pages(), before - 1);
        kmalloc_shrink();
        CHECK_EQ_INT(nr_free_pages(), before);
    }
    check_no_leaks();
}

// Frees an object, writes to byte `at` of it, and expects the next kmalloc to notice.
static void write_after_free(size_t size, size_t at) {
    uint8_t *p = kmalloc(size);
    kfree(p);
    CHECK(all_bytes(p, size, 0x6b));                // POISON_FREE
    p[at] = 0;
    char text[80];
    snprintf(text, sizeof text, "kmalloc: use after free detected at %p (byte %zu", (void *)p, at);
    EXPECT_PANIC(kmalloc(size), text);
    p[at] = 0x6b;                                   // repair it: now all is well
    uint8_t *q = kmalloc(size);
    CHECK(q == p);
    kfree(q);
}

TEST(write_after_free_is_caught) {
    setup(4 * MiB);
    for (size_t size = 16; size <= 2048; size *= 2) {
        write_after_free(size, 0);
        write_after_free(size, size - 1);
    }
    check_no_leaks();
}

// A function of our own to free through, so that we know what "caller" must say.
__attribute__((noinline)) static void kfree_from_here(const void *p) {
    kfree(p);
    __asm__ volatile("");   // not a tail call: the return address stays in this function
}

static bool caller_is_kfree_from_here(void) {
    const char *by = strstr(panic_msg, "by caller 0x");
    unsigned long long caller = by ? strtoull(by + 10, NULL, 16) : 0;
    return caller > (uintptr_t)kfree_from_here && caller < (uintptr_t)kfree_from_here + 256;
}

TEST(double_free_panics) {
    setup(4 * MiB);
    uint8_t *p = kmalloc(40), *q = kmalloc(40), *big = kmalloc(10000);
    char text[80];
    kfree(p);
    snprintf(text, sizeof text, "kmalloc: double free of %p by caller 0x", (void *)p);
    EXPECT_PANIC(kfree_from_here(p), text);
    CHECK(caller_is_kfree_from_here());
    EXPECT_PANIC(ksize(p), "a free object");
    kfree(q);                                   // its slab is empty now, kept in reserve
    EXPECT_PANIC(kfree(q), "double free");
    kmalloc_shrink();                           // and now back with the page allocator
    EXPECT_PANIC(kfree(q), "double free");
    CHECK(strstr(panic_msg, "(its page is free)"));
    kfree(big);
    EXPECT_PANIC(kfree(big), "double free");
    check_no_leaks();
}

TEST(invalid_free_panics) {
    setup(4 * MiB);
    uint8_t *p = kmalloc(64), *tiny = kmalloc(16), *big = kmalloc(10000);
    int on_stack = 0;
    void *host = malloc(32);
    uint64_t page = alloc_page();
    EXPECT_PANIC(kfree_from_here(p + 8), "kmalloc: invalid free of");
    CHECK(strstr(panic_msg, "not the start of an object"));
    CHECK(caller_is_kfree_from_here());
    EXPECT_PANIC(kfree(p + 1), "not the start of an object");
    EXPECT_PANIC(kfree(tiny - 32), "not the start of an object");   // where the bitmap lives
    EXPECT_PANIC(kfree(p + 64), "double free");           // never allocated: free in the slab
    EXPECT_PANIC(kfree(&on_stack), "not in the direct map of managed memory");
    EXPECT_PANIC(kfree(host), "not in the direct map of managed memory");
    EXPECT_PANIC(kfree((void *)8), "not in the direct map of managed memory");
    EXPECT_PANIC(kfree(big + 16), "not the start of a block");
    EXPECT_PANIC(kfree(big + PG), "not memory from kmalloc");       // a tail page
    EXPECT_PANIC(kfree(fake_to_virt(page)), "not memory from kmalloc");
    EXPECT_PANIC(ksize(p + 8), "kmalloc: invalid ksize of");
    uint64_t slab = (uintptr_t)p - (uintptr_t)phys + FAKE_BASE;
    EXPECT_PANIC(free_page(slab & ~(PG - 1)), "a kmalloc page (use kfree)");
    CHECK(page_alloc_check());
    kfree(p);                                   // all of them are still good
    kfree(tiny);
    kfree(big);
    free_page(page);
    free(host);
    check_no_leaks();
}

TEST(out_of_memory_returns_null) {
    setup(80 * 1024);   // 20 pages, one of them for mem_map
    CHECK_EQ_INT(nr_managed_pages(), 19);
    CHECK(kmalloc(5 * MiB) == NULL);            // more than a block of MAX_ORDER
    CHECK(kmalloc(SIZE_MAX) == NULL);
    CHECK(kmalloc(64 * 1024) == NULL);          // 16 pages free, but not 16 aligned ones
    uint8_t *big = kmalloc(32 * 1024);
    CHECK(big != NULL);
    uint64_t left = nr_free_pages(), n = 0;
    while ((ptr[n] = kmalloc(1000)) != NULL)    // 4 per page
        n++;
    CHECK_EQ_INT(n, 4 * left);
    CHECK_EQ_INT(nr_free_pages(), 0);
    CHECK(kmalloc(16) == NULL);                 // a new class needs a new page
    CHECK(kzalloc(16) == NULL);
    kfree(big);
    while (n > 0)
        kfree(ptr[--n]);
    check_no_leaks();
    CHECK((big = kmalloc(32 * 1024)) != NULL);  // and it all works again
    kfree(big);
    check_no_leaks();
}

static struct { uint8_t *p; size_t size; uint8_t fill; } live[4096];

TEST(random_storm) {
    setup(FAKE_SIZE);
    unsigned nlive = 0, fails = 0;
    for (int op = 0; op < 20000; op++) {
        if (nlive == 0 || (nlive < 4096 && rnd() % 100 < 55)) {
            unsigned r = rnd() % 100;
            size_t size = 1 + rnd() % (r < 80 ? 512 : r < 95 ? 4096 : 40000);
            uint8_t *p = kmalloc(size);
            if (!p) {
                fails++;
                continue;
            }
            CHECK(ksize(p) >= size);
            live[nlive].p = p;
            live[nlive].size = size;
            live[nlive].fill = (uint8_t)rnd();
            memset(p, live[nlive].fill, size);
            nlive++;
        } else {
            unsigned i = rnd() % nlive;
            CHECK(all_bytes(live[i].p, live[i].size, live[i].fill));
            kfree(live[i].p);
            live[i] = live[--nlive];
        }
        if (op % 2000 == 0) {
            for (unsigned i = 0; i < nlive; i++)
                CHECK(all_bytes(live[i].p, live[i].size, live[i].fill));
            CHECK(page_alloc_check());
        }
    }
    CHECK_EQ_INT(fails, 0);
    while (nlive > 0) {
        nlive--;
        CHECK(all_bytes(live[nlive].p, live[nlive].size, live[nlive].fill));
        kfree(live[nlive].p);
    }
    check_no_leaks();
}

CHECK_MAIN()
