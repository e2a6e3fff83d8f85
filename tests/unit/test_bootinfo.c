// test_bootinfo.c: feed bootinfo.c crafted, truncated and hostile boot information.
//
// A byte array stands in for physical memory at [PHYS_BASE, PHYS_BASE + PHYS_SIZE).
// fake_map() hands out a fresh heap copy of exactly the bytes asked for, so a parser that
// reads even one byte past what it mapped trips AddressSanitizer; outside the array it
// returns NULL, and `fail_at` makes the N-th call return NULL to test every error path.
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "bootinfo.h"

#define PHYS_BASE 0x100000ull
#define PHYS_SIZE (256u * 1024)
#define PA(off)   (PHYS_BASE + (off))
static uint8_t phys[PHYS_SIZE];

#define MAX_MAPS 8192
static void *maps[MAX_MAPS];
static int nmaps, map_calls, fail_at;

static const void *fake_map(uint64_t pa, size_t len)
{
    void *p;

    map_calls++;
    if (fail_at != 0 && map_calls == fail_at)
        return NULL;
    if (pa < PHYS_BASE || pa - PHYS_BASE > PHYS_SIZE || len > PHYS_SIZE - (pa - PHYS_BASE))
        return NULL;
    if (nmaps == MAX_MAPS || (p = malloc(len ? len : 1)) == NULL) {
        printf("fake_map: out of map slots\n");
        exit(2);
    }
    memcpy(p, phys + (pa - PHYS_BASE), len);
    return maps[nmaps++] = p;
}

static char warns[64][200];
static int nwarn;

void bootinfo_warn(const char *msg)
{
    CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL && strlen(msg) < 160);
    if (getenv("VERBOSE"))
        printf("    warn: %s\n", msg);
    if (nwarn < 64)
        snprintf(warns[nwarn], sizeof warns[0], "%s", msg);
    nwarn++;
}

// How many warnings contain `s`.
static int warned(const char *s)
{
    int n = 0;
    for (int i = 0; i < nwarn && i < 64; i++)
        n += strstr(warns[i], s) != NULL;
    return n;
}

static void reset(void)
{
    for (int i = 0; i < nmaps; i++)
        free(maps[i]);
    nmaps = map_calls = fail_at = nwarn = 0;
    memset(phys, 0, sizeof phys);
}

static uint8_t *at(uint64_t pa) { return phys + (pa - PHYS_BASE); }
static void put32(uint64_t pa, uint32_t v) { memcpy(at(pa), &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(at(pa), &v, 8); }

static struct boot_info bi;   // big (about 4 KiB): keep it off the stack

// ---- a multiboot2 block builder ----

struct mb2 { uint64_t pa; uint32_t off; };

static void mb2_begin(struct mb2 *b, uint64_t pa) { b->pa = pa; b->off = 8; }

static uint64_t mb2_tag(struct mb2 *b, uint32_t type, uint32_t size)
{
    uint64_t t = b->pa + b->off;
    put32(t, type);
    put32(t + 4, size);
    b->off += (size + 7) & ~7u;
    return t;
}

static void mb2_str(struct mb2 *b, uint32_t type, const char *s)
{
    uint64_t t = mb2_tag(b, type, 8 + (uint32_t)strlen(s) + 1);
    memcpy(at(t + 8), s, strlen(s) + 1);
}

static void mb2_module(struct mb2 *b, uint32_t start, uint32_t end, const char *name)
{
    uint64_t t = mb2_tag(b, 3, 16 + (uint32_t)strlen(name) + 1);
    put32(t + 8, start);
    put32(t + 12, end);
    memcpy(at(t + 16), name, strlen(name) + 1);
}

static void mb2_mmap(struct mb2 *b, const struct mem_region *r, int n, uint32_t esize)
{
    uint64_t t = mb2_tag(b, 6, 16 + n * esize);
    put32(t + 8, esize);
    put32(t + 12, 0);
    for (int i = 0; i < n; i++) {
        uint64_t e = t + 16 + (uint64_t)i * esize;
        if (esize > 24)
            memset(at(e + 24), 0xaa, esize - 24);   // junk a parser must skip
        put64(e, r[i].base);
        put64(e + 8, r[i].len);
        if (esize >= 24) {
            put32(e + 16, r[i].type);
            put32(e + 20, 0);
        }
    }
}

static void mb2_finish(struct mb2 *b) { put32(b->pa, b->off); }
static void mb2_end(struct mb2 *b) { mb2_tag(b, 0, 8); mb2_finish(b); }

// A QEMU/SeaBIOS-like map: six regions, 0x9fc00 + 0x7ee0000 bytes usable.
static const struct mem_region qemu_map[6] = {
    { 0x0, 0x9fc00, MEM_USABLE },         { 0x9fc00, 0x400, MEM_RESERVED },
    { 0xf0000, 0x10000, MEM_RESERVED },   { 0x100000, 0x7ee0000, MEM_USABLE },
    { 0x7fe0000, 0x20000, MEM_RESERVED }, { 0xfffc0000, 0x40000, MEM_RESERVED },
};

#define INFO PA(0x1000)

static bool same_map(const struct mem_region *a, const struct mem_region *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].base != b[i].base || a[i].len != b[i].len || a[i].type != b[i].type)
            return false;
    return true;
}

static void build_grub_like(void)
{
    struct mb2 b;
    uint64_t t;

    mb2_begin(&b, INFO);
    mb2_str(&b, 1, "console=ttyS0 quiet");
    mb2_str(&b, 2, "GRUB 2.06");
    mb2_module(&b, 0x200000, 0x280000, "/boot/initramfs.cpio");
    mb2_module(&b, 0x300000, 0x301000, "/boot/extra arg");
    t = mb2_tag(&b, 5, 20);                 // BIOS boot device: not used, skipped
    put32(t + 8, 0x80);
    mb2_mmap(&b, qemu_map, 6, 24);
    t = mb2_tag(&b, 8, 32);                 // framebuffer, EGA text
    put64(t + 8, 0xb8000);
    put32(t + 16, 160);
    put32(t + 20, 80);
    put32(t + 24, 25);
    at(t + 28)[0] = 16;
    at(t + 29)[0] = FB_EGA_TEXT;
    t = mb2_tag(&b, 15, 8 + 36);            // ACPI 2.0 RSDP copy
    memcpy(at(t + 8), "RSD PTR ", 8);
    at(t + 8 + 15)[0] = 2;
    t = mb2_tag(&b, 12, 16);                // EFI 64-bit system table
    put64(t + 8, 0x7f9e000);
    t = mb2_tag(&b, 21, 12);                // image load base: unknown to us, skipped
    put32(t + 8, 0x100000);
    mb2_end(&b);
}

TEST(mb2_grub_like)
{
    reset();
    build_grub_like();
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(bi.protocol, BOOT_MULTIBOOT2);
    CHECK_EQ_STR(bi.loader, "GRUB 2.06");
    CHECK_EQ_STR(bi.cmdline, "console=ttyS0 quiet");
    CHECK(!bi.cmdline_truncated);
    CHECK_EQ_INT(bi.nr_mem, 6);
    CHECK(same_map(bi.mem, qemu_map, 6));
    CHECK_EQ_INT(bi.nr_modules, 2);
    CHECK_EQ_STR(bi.modules[0].name, "/boot/initramfs.cpio");
    CHECK_EQ_INT(bi.modules[0].start, 0x200000);
    CHECK_EQ_INT(bi.modules[0].end, 0x280000);
    CHECK_EQ_STR(bi.modules[1].name, "/boot/extra arg");
    CHECK(bi.fb.present);
    CHECK_EQ_INT(bi.fb.addr, 0xb8000);
    CHECK_EQ_INT(bi.fb.pitch, 160);
    CHECK_EQ_INT(bi.fb.width, 80);
    CHECK_EQ_INT(bi.fb.height, 25);
    CHECK_EQ_INT(bi.fb.bpp, 16);
    CHECK_EQ_INT(bi.fb.type, FB_EGA_TEXT);
    CHECK(bi.efi);
    CHECK_EQ_INT(bi.rsdp, 0);
    CHECK(bi.rsdp_copy_len == 36 && memcmp(bi.rsdp_copy, "RSD PTR ", 8) == 0);
    CHECK_EQ_INT(nwarn, 0);

    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 6);
    CHECK(same_map(bi.mem, qemu_map, 6));
    CHECK_EQ_INT(bi.nr_modules, 2);
    CHECK_EQ_INT(nwarn, 0);
    CHECK_EQ_INT(bootinfo_usable_bytes(&bi), 0x9fc00 + 0x7ee0000);
}

TEST(mb2_map_fails_at_every_step)
{
    // Whichever map call fails, the parser must return cleanly (and fail on the first two).
    for (int k = 1; k <= 4; k++) {
        reset();
        build_grub_like();
        fail_at = k;
        int r = bootinfo_parse_multiboot2(&bi, INFO, fake_map);
        CHECK(k > 2 || (r == -1 && warned("not readable") == 1));
    }
    reset();
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, PA(PHYS_SIZE - 4), fake_map), -1);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, 0xfffffffffffffffcull, fake_map), -1);
}

TEST(mb2_unsorted_memmap)
{
    struct mem_region shuffled[6] = { qemu_map[3], qemu_map[0], qemu_map[5],
                                      qemu_map[2], qemu_map[1], qemu_map[4] };
    struct mb2 b;

    reset();
    mb2_begin(&b, INFO);
    mb2_mmap(&b, shuffled, 6, 24);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(nwarn, 0);
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 6);
    CHECK(same_map(bi.mem, qemu_map, 6));
    CHECK_EQ_INT(nwarn, 1);
    CHECK_EQ_INT(warned("not sorted"), 1);
}

TEST(sanitize_overlaps_exact)
{
    static const struct mem_region in[] = {
        { 0x0, 0x100000, MEM_USABLE },
        { 0x80000, 0x10000, MEM_RESERVED },            // inside the first
        { 0xf0000, 0x110000, MEM_USABLE },             // overlaps its end
        { 0x180000, 0x20000, MEM_ACPI_NVS },
        { 0x190000, 0x20000, MEM_ACPI_RECLAIMABLE },   // half under the NVS
        { 0x1a8000, 0x1000, MEM_BAD },
        { 0x200000, 0x100000, MEM_USABLE },            // touches the third: merges
    };
    static const struct mem_region want[] = {
        { 0x0, 0x80000, MEM_USABLE },         { 0x80000, 0x10000, MEM_RESERVED },
        { 0x90000, 0xf0000, MEM_USABLE },     { 0x180000, 0x20000, MEM_ACPI_NVS },
        { 0x1a0000, 0x8000, MEM_ACPI_RECLAIMABLE }, { 0x1a8000, 0x1000, MEM_BAD },
        { 0x1a9000, 0x7000, MEM_ACPI_RECLAIMABLE }, { 0x1b0000, 0x150000, MEM_USABLE },
    };

    reset();
    memset(&bi, 0, sizeof bi);
    memcpy(bi.mem, in, sizeof in);
    bi.nr_mem = 7;
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 8);
    for (size_t i = 0; i < 8 && i < bi.nr_mem; i++) {
        CHECK_EQ_INT(bi.mem[i].base, want[i].base);
        CHECK_EQ_INT(bi.mem[i].len, want[i].len);
        CHECK_EQ_INT(bi.mem[i].type, want[i].type);
    }
    CHECK_EQ_INT(nwarn, 1);
    CHECK_EQ_INT(warned("overlapping"), 1);
}

TEST(sanitize_tidies)
{
    reset();
    memset(&bi, 0, sizeof bi);
    bi.mem[0] = (struct mem_region){ 0x1000, 0x1000, MEM_USABLE };
    bi.mem[1] = (struct mem_region){ 0x0, 0x1000, MEM_USABLE };           // adjacent: merge
    bi.mem[2] = (struct mem_region){ 0x5000, 0, MEM_RESERVED };           // empty: dropped
    bi.mem[3] = (struct mem_region){ 0x2000, 0x1000, 7 };                 // pmem: reserved
    bi.mem[4] = (struct mem_region){ 0x3000, 0x1000, MEM_RESERVED };      // ... and merges
    bi.mem[5] = (struct mem_region){ 0xffffffff00000000ull, 0x200000000ull, MEM_USABLE };
    bi.nr_mem = 6;
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 3);
    CHECK(bi.mem[0].base == 0 && bi.mem[0].len == 0x2000 && bi.mem[0].type == MEM_USABLE);
    CHECK(bi.mem[1].base == 0x2000 && bi.mem[1].len == 0x2000 && bi.mem[1].type == MEM_RESERVED);
    CHECK(bi.mem[2].base == 0xffffffff00000000ull && bi.mem[2].len == 0xffffffffull);
    CHECK_EQ_INT(warned("clipped"), 1);
    CHECK_EQ_INT(warned("not sorted"), 1);
    CHECK_EQ_INT(warned("overlapping"), 0);
    CHECK_EQ_INT(nwarn, 2);
    CHECK(bootinfo_usable_bytes(&bi) == 0x2000 + 0xffffffffull);

    memset(&bi, 0, sizeof bi);   // an empty map stays empty
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 0);
    CHECK_EQ_INT(bootinfo_usable_bytes(&bi), 0);
}

TEST(sanitize_too_many_pieces)
{
    // One big RAM region with 127 reserved holes punched in it: 255 pieces, 128 kept.
    reset();
    memset(&bi, 0, sizeof bi);
    bi.mem[0] = (struct mem_region){ 0, 0x10000000, MEM_USABLE };
    for (int i = 1; i < 128; i++)
        bi.mem[i] = (struct mem_region){ (uint64_t)i * 0x100000, 0x1000, MEM_RESERVED };
    bi.nr_mem = 128;
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, BOOTINFO_MAX_MEM);
    CHECK(bi.mem[0].base == 0 && bi.mem[0].len == 0x100000 && bi.mem[0].type == MEM_USABLE);
    CHECK(bi.mem[126].base == 0x3f01000 && bi.mem[126].type == MEM_USABLE);
    CHECK(bi.mem[127].base == 0x4000000 && bi.mem[127].type == MEM_RESERVED);   // hole 64
    CHECK_EQ_INT(warned("overlapping"), 1);
    CHECK_EQ_INT(warned("too many pieces"), 1);
    CHECK_EQ_INT(nwarn, 2);
}

// Brute force: for random maps, every piece of the result must have exactly the most
// restrictive type of the input regions over it, with no gaps invented or lost.
static int rank_of(uint32_t t)
{
    static const int r[] = { 0, 1, 4, 2, 3, 5 };
    return t >= 1 && t <= 5 ? r[t] : 4;
}

static uint32_t oracle(const struct mem_region *in, int n, uint64_t pos)
{
    uint32_t best = 0;
    for (int i = 0; i < n; i++)
        if (in[i].base <= pos && pos - in[i].base < in[i].len &&
            (best == 0 || rank_of(in[i].type) > rank_of(best)))
            best = in[i].type >= 1 && in[i].type <= 5 ? in[i].type : MEM_RESERVED;
    return best;
}

static uint32_t result_at(uint64_t pos)
{
    for (size_t i = 0; i < bi.nr_mem; i++)
        if (bi.mem[i].base <= pos && pos - bi.mem[i].base < bi.mem[i].len)
            return bi.mem[i].type;
    return 0;
}

TEST(sanitize_random_against_oracle)
{
    static struct mem_region in[BOOTINFO_MAX_MEM];
    uint32_t seed = 12345;
    int bad = 0;

    for (int round = 0; round < 300; round++) {
        int n = 1 + round % 40;
        reset();
        memset(&bi, 0, sizeof bi);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            in[i].base = (seed >> 8) % 64 * 0x1000;
            seed = seed * 1103515245 + 12345;
            in[i].len = (seed >> 8) % 16 * 0x1000;
            in[i].type = 1 + (seed >> 20) % 7;
            bi.mem[i] = in[i];
        }
        bi.nr_mem = n;
        bootinfo_sanitize(&bi);
        for (size_t i = 0; i < bi.nr_mem; i++) {
            bad += bi.mem[i].len == 0;
            if (i > 0) {
                bad += bi.mem[i].base < bi.mem[i - 1].base + bi.mem[i - 1].len;
                bad += bi.mem[i].base == bi.mem[i - 1].base + bi.mem[i - 1].len &&
                       bi.mem[i].type == bi.mem[i - 1].type;   // should have merged
            }
        }
        for (uint64_t pos = 0; pos < 80 * 0x1000; pos += 0x800)
            bad += result_at(pos) != oracle(in, n, pos);
        bad += warned("too many pieces") != 0;
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(sanitize_drops_modules_outside_ram)
{
    struct mb2 b;

    reset();
    mb2_begin(&b, INFO);
    mb2_module(&b, 0x200000, 0x210000, "good");
    mb2_module(&b, 0x9000000, 0x9001000, "beyond-ram");
    mb2_module(&b, 0x9f000, 0xa0000, "straddles-reserved");
    mb2_module(&b, 0xff000, 0x101000, "across-merged");
    static const struct mem_region map[4] = {
        { 0x0, 0x9fc00, MEM_USABLE },      { 0x9fc00, 0x100, MEM_RESERVED },
        { 0x9fd00, 0x60300, MEM_USABLE },  { 0x100000, 0x7f00000, MEM_USABLE },   // touching
    };
    mb2_mmap(&b, map, 4, 24);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(bi.nr_modules, 4);
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_mem, 3);   // the two touching RAM regions became one
    CHECK_EQ_INT(bi.nr_modules, 2);
    CHECK_EQ_STR(bi.modules[0].name, "good");
    CHECK_EQ_STR(bi.modules[1].name, "across-merged");
    CHECK_EQ_INT(nwarn, 2);
    CHECK_EQ_INT(warned("'beyond-ram'"), 1);
    CHECK_EQ_INT(warned("'straddles-reserved'"), 1);
}

TEST(mb2_missing_end_tag)
{
    struct mb2 b;

    reset();
    mb2_begin(&b, INFO);
    mb2_str(&b, 1, "root=x");
    mb2_mmap(&b, qemu_map, 6, 24);
    mb2_finish(&b);   // no end tag
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_STR(bi.cmdline, "root=x");
    CHECK_EQ_INT(bi.nr_mem, 6);
    CHECK_EQ_INT(nwarn, 1);
    CHECK_EQ_INT(warned("no end tag"), 1);
}

TEST(mb2_bad_tag_sizes)
{
    static const uint32_t bad_sizes[] = { 0, 7, 0x1000, 0xffffffff };

    for (int i = 0; i < 4; i++) {
        struct mb2 b;
        uint64_t t;
        reset();
        mb2_begin(&b, INFO);
        mb2_mmap(&b, qemu_map, 6, 24);
        mb2_str(&b, 1, "before");
        t = mb2_tag(&b, 2, 16);              // the broken tag
        memcpy(at(t + 8), "GRUB", 5);
        put32(t + 4, bad_sizes[i]);
        mb2_str(&b, 2, "after");
        mb2_end(&b);
        CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
        CHECK_EQ_STR(bi.cmdline, "before");
        CHECK_EQ_STR(bi.loader, "");         // nothing from or after the broken tag
        CHECK_EQ_INT(bi.nr_mem, 6);
        CHECK_EQ_INT(nwarn, 1);
        CHECK_EQ_INT(warned("bad size"), 1);
    }
}

TEST(mb2_tag_just_past_the_end)
{
    // The last tag is an unterminated string one byte longer than the block: reading it
    // would run off the mapping (and trip ASan), so it must be refused, not read.
    for (uint32_t extra = 1; extra <= 8; extra++) {
        struct mb2 b;
        uint64_t t;
        reset();
        mb2_begin(&b, INFO);
        mb2_mmap(&b, qemu_map, 6, 24);
        t = mb2_tag(&b, 1, 8 + 40);
        memset(at(t + 8), 'c', 40);
        mb2_finish(&b);                      // total_size ends right after the 40 bytes
        put32(t + 4, 8 + 40 + extra);
        CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
        CHECK_EQ_STR(bi.cmdline, "");
        CHECK_EQ_INT(warned("bad size"), 1);
        CHECK_EQ_INT(nwarn, 1);
    }
}

TEST(mb2_bad_total_size)
{
    static const uint32_t sizes[] = { 0, 8, 15, 0xfffffff8, (1u << 20) + 8, 0x80000 };

    for (int i = 0; i < 6; i++) {
        reset();
        build_grub_like();
        put32(INFO, sizes[i]);
        CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), -1);
        CHECK_EQ_INT(nwarn, 1);   // 0x80000 is plausible but runs off the end of memory
        CHECK_EQ_INT(warned(i < 5 ? "implausible" : "not readable"), 1);
    }
}

TEST(mb2_entry_size)
{
    struct mb2 b;
    uint64_t t;

    reset();   // 40-byte entries: honoured, the extra 16 bytes skipped
    mb2_begin(&b, INFO);
    mb2_mmap(&b, qemu_map, 6, 40);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(bi.nr_mem, 6);
    CHECK(same_map(bi.mem, qemu_map, 6));
    CHECK_EQ_INT(nwarn, 0);

    static const uint32_t bad[] = { 16, 0, 23 };
    for (int i = 0; i < 3; i++) {
        reset();   // too small: the map is rejected and, with nothing else, so is the block
        mb2_begin(&b, INFO);
        mb2_mmap(&b, qemu_map, 4, 16);
        put32(INFO + 8 + 8, bad[i]);
        mb2_end(&b);
        CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), -1);
        CHECK_EQ_INT(warned("entry size"), 1);
        CHECK_EQ_INT(warned("no memory map"), 1);
        CHECK_EQ_INT(nwarn, 2);
    }

    reset();   // a rejected map with a basic meminfo tag falls back on it
    mb2_begin(&b, INFO);
    mb2_mmap(&b, qemu_map, 4, 16);
    t = mb2_tag(&b, 4, 16);
    put32(t + 8, 639);
    put32(t + 12, 130048);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(bi.nr_mem, 2);
    CHECK_EQ_INT(bi.mem[0].len, 639 * 1024);
    CHECK_EQ_INT(bi.mem[1].base, 0x100000);
    CHECK_EQ_INT(bi.mem[1].len, 130048ull * 1024);
    CHECK_EQ_INT(nwarn, 2);
}

static char long_line[10001];

static void make_long_line(void)
{
    for (int i = 0; i < 10000; i++)
        long_line[i] = i % 10 == 9 ? ' ' : 'a' + i % 26;
    long_line[10000] = '\0';
}

TEST(mb2_long_cmdline)
{
    struct mb2 b;
    static const int lens[] = { 2046, 2047, 2048, 10000 };

    make_long_line();
    for (int i = 0; i < 4; i++) {
        reset();
        mb2_begin(&b, INFO);
        char saved = long_line[lens[i]];
        long_line[lens[i]] = '\0';
        mb2_str(&b, 1, long_line);
        long_line[lens[i]] = saved;
        mb2_mmap(&b, qemu_map, 6, 24);
        mb2_end(&b);
        CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
        CHECK_EQ_INT(strlen(bi.cmdline), lens[i] < 2047 ? lens[i] : 2047);
        CHECK(memcmp(bi.cmdline, long_line, strlen(bi.cmdline)) == 0);
        CHECK_EQ_INT(bi.cmdline_truncated, lens[i] > 2047);
        CHECK_EQ_INT(warned("truncated"), lens[i] > 2047);
        CHECK_EQ_INT(nwarn, lens[i] > 2047);
        CHECK_EQ_INT(bi.nr_mem, 6);
    }
}

TEST(mb2_unterminated_strings)
{
    struct mb2 b;
    uint64_t t;

    reset();
    mb2_begin(&b, INFO);
    mb2_mmap(&b, qemu_map, 6, 24);
    t = mb2_tag(&b, 1, 8 + 5);
    memcpy(at(t + 8), "hello", 5);
    t = mb2_tag(&b, 2, 8 + 3);
    memcpy(at(t + 8), "GRU", 3);
    t = mb2_tag(&b, 3, 16 + 4);
    put32(t + 8, 0x200000);
    put32(t + 12, 0x201000);
    memcpy(at(t + 16), "initXXXX", 8);       // only 4 bytes belong to the tag
    t = mb2_tag(&b, 3, 16);                  // a module with no name bytes at all
    put32(t + 8, 0x300000);
    put32(t + 12, 0x301000);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_STR(bi.cmdline, "hello");
    CHECK_EQ_STR(bi.loader, "GRU");
    CHECK_EQ_INT(bi.nr_modules, 2);
    CHECK_EQ_STR(bi.modules[0].name, "init");
    CHECK_EQ_STR(bi.modules[1].name, "");
    CHECK_EQ_INT(warned("not NUL-terminated"), 4);
    CHECK_EQ_INT(nwarn, 4);
}

// Found by tests/fuzz/fuzz_bootinfo.c: the warning quoted the unterminated string as it
// was, so a newline in it forged a log line (bootinfo_warn above checks there is none).
TEST(mb2_unterminated_string_with_control_characters)
{
    struct mb2 b;
    uint64_t t;

    reset();
    mb2_begin(&b, INFO);
    mb2_mmap(&b, qemu_map, 6, 24);
    t = mb2_tag(&b, 2, 8 + 12);
    memcpy(at(t + 8), "GRUB\nBUG: \x1b[", 12);
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_STR(bi.loader, "GRUB\nBUG: \x1b[");      // the data itself is kept
    CHECK_EQ_INT(warned("loader name 'GRUB?BUG: ?[' is not NUL-terminated"), 1);
}

TEST(mb2_limits_and_bad_modules)
{
    static struct mem_region many[200];
    struct mb2 b;
    char name[16];
    uint64_t t;

    reset();
    for (int i = 0; i < 200; i++)
        many[i] = (struct mem_region){ (uint64_t)i * 0x2000, 0x1000, MEM_USABLE };
    mb2_begin(&b, INFO);
    mb2_mmap(&b, many, 200, 24);
    mb2_mmap(&b, many, 2, 24);                 // a second map tag is ignored
    mb2_module(&b, 0x5000, 0x4000, "backwards");
    mb2_module(&b, 0x5000, 0x5000, "empty");
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "m%d", i);
        mb2_module(&b, 0x1000 * i, 0x1000 * i + 0x100, name);
    }
    t = mb2_tag(&b, 3, 12);                    // too short to hold mod_end
    put32(t + 8, 0x1000);
    t = mb2_tag(&b, 14, 8 + 20);               // ACPI 1.0 RSDP after the ...
    at(t + 8 + 15)[0] = 0;
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK_EQ_INT(bi.nr_mem, BOOTINFO_MAX_MEM);
    CHECK_EQ_INT(bi.mem[127].base, 127 * 0x2000);
    CHECK_EQ_INT(warned("only the first 128"), 1);
    CHECK_EQ_INT(warned("second memory map"), 1);
    CHECK_EQ_INT(warned("'backwards'"), 1);
    CHECK_EQ_INT(warned("'empty'"), 1);
    CHECK_EQ_INT(bi.nr_modules, BOOTINFO_MAX_MODULES);
    CHECK_EQ_STR(bi.modules[7].name, "m7");
    CHECK_EQ_INT(warned("'m8'") + warned("'m9'"), 2);
    CHECK_EQ_INT(warned("too short"), 1);
    CHECK(bi.rsdp_copy_len == 20 && bi.rsdp_copy[15] == 0);
    CHECK_EQ_INT(nwarn, 7);
}

TEST(mb2_new_rsdp_wins)
{
    struct mb2 b;
    uint64_t t;

    reset();
    mb2_begin(&b, INFO);
    mb2_mmap(&b, qemu_map, 6, 24);
    t = mb2_tag(&b, 15, 8 + 36);
    at(t + 8 + 15)[0] = 2;
    mb2_tag(&b, 14, 8 + 20);                   // old one after the new: ignored
    mb2_tag(&b, 15, 8 + 20);                   // a new one too short for an XSDP: ignored
    mb2_end(&b);
    CHECK_EQ_INT(bootinfo_parse_multiboot2(&bi, INFO, fake_map), 0);
    CHECK(bi.rsdp_copy_len == 36 && bi.rsdp_copy[15] == 2);
    CHECK_EQ_INT(warned("too short"), 1);
    CHECK_EQ_INT(nwarn, 1);
}

TEST(mb2_random_garbage)
{
    uint32_t seed = 777;

    for (int round = 0; round < 2000; round++) {
        reset();
        uint32_t total = 16 + round % 600;
        for (uint32_t i = 8; i < total; i++) {
            seed = seed * 1103515245 + 12345;
            at(INFO)[i] = (uint8_t)(seed >> 16);
            if (i % 8 == 0 && (seed >> 28) < 12)   // mostly plausible type/size headers
                at(INFO)[i] = (uint8_t)((seed >> 8) % 16);
            if (i % 8 == 4 && (seed >> 28) < 12)
                put32(PA(0x1000 + i), 8 + (seed >> 8) % 120);
        }
        put32(INFO, total);
        if (bootinfo_parse_multiboot2(&bi, INFO, fake_map) == 0) {
            bootinfo_sanitize(&bi);
            for (size_t i = 1; i < bi.nr_mem; i++)
                CHECK(bi.mem[i].base >= bi.mem[i - 1].base + bi.mem[i - 1].len);
        }
        CHECK(strlen(bi.cmdline) < sizeof bi.cmdline && strlen(bi.loader) < sizeof bi.loader);
    }
}

// ---- PVH ----

#define SI PA(0x100)

static void pvh_build(uint32_t version, uint32_t nr_mod, uint64_t modlist, uint64_t cmdline,
                      uint64_t rsdp, uint64_t memmap, uint32_t entries)
{
    put32(SI, PVH_START_MAGIC);
    put32(SI + 4, version);
    put32(SI + 8, 0);
    put32(SI + 12, nr_mod);
    put64(SI + 16, modlist);
    put64(SI + 24, cmdline);
    put64(SI + 32, rsdp);
    put64(SI + 40, memmap);
    put32(SI + 48, entries);
    put32(SI + 52, 0);
}

static void pvh_entry(uint64_t pa, uint64_t addr, uint64_t size, uint32_t type)
{
    put64(pa, addr);
    put64(pa + 8, size);
    put32(pa + 16, type);
    put32(pa + 20, 0);
}

static void pvh_module(uint64_t pa, uint64_t addr, uint64_t size, uint64_t cmdline)
{
    put64(pa, addr);
    put64(pa + 8, size);
    put64(pa + 16, cmdline);
    put64(pa + 24, 0);
}

#define MEMMAP PA(0x2000)

static void build_pvh_normal(void)
{
    strcpy((char *)at(PA(0x200)), "console=ttyS0 -- x");
    strcpy((char *)at(PA(0x400)), "initrd.img");
    pvh_module(PA(0x300), 0x400000, 0x1000, PA(0x400));
    pvh_entry(MEMMAP, 0, 0x9fc00, 1);
    pvh_entry(MEMMAP + 24, 0xf0000, 0x10000, 2);
    pvh_entry(MEMMAP + 48, 0x100000, 0x7f00000, 1);
    pvh_build(1, 1, PA(0x300), PA(0x200), 0xf5a40, MEMMAP, 3);
}

TEST(pvh_normal)
{
    reset();
    build_pvh_normal();
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(bi.protocol, BOOT_PVH);
    CHECK_EQ_STR(bi.loader, "PVH");
    CHECK_EQ_STR(bi.cmdline, "console=ttyS0 -- x");
    CHECK_EQ_INT(bi.rsdp, 0xf5a40);
    CHECK(bi.rsdp_copy_len == 0 && !bi.efi && !bi.fb.present);
    CHECK_EQ_INT(bi.nr_mem, 3);
    CHECK(bi.mem[2].base == 0x100000 && bi.mem[2].len == 0x7f00000 && bi.mem[2].type == 1);
    CHECK_EQ_INT(bi.nr_modules, 1);
    CHECK_EQ_STR(bi.modules[0].name, "initrd.img");
    CHECK(bi.modules[0].start == 0x400000 && bi.modules[0].end == 0x401000);
    CHECK_EQ_INT(nwarn, 0);
    bootinfo_sanitize(&bi);
    CHECK_EQ_INT(bi.nr_modules, 1);
    CHECK_EQ_INT(nwarn, 0);

    reset();   // a later version is read as version 1
    build_pvh_normal();
    put32(SI + 4, 2);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(bi.nr_mem, 3);
}

TEST(pvh_bad_magic_and_version0)
{
    reset();
    build_pvh_normal();
    put32(SI, 0x336ec579);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), -1);
    CHECK_EQ_INT(warned("magic"), 1);
    CHECK_EQ_INT(nwarn, 1);

    reset();
    build_pvh_normal();
    put32(SI + 4, 0);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), -1);
    CHECK_EQ_STR(bi.cmdline, "console=ttyS0 -- x");
    CHECK_EQ_INT(warned("version 0"), 1);
    CHECK_EQ_INT(nwarn, 1);

    reset();
    build_pvh_normal();
    put32(SI + 48, 0);   // version 1 but no entries
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), -1);
    CHECK_EQ_INT(warned("no memory map"), 1);
}

TEST(pvh_huge_memmap_count)
{
    reset();
    build_pvh_normal();
    for (int i = 0; i < 200; i++)
        pvh_entry(MEMMAP + 24 * i, (uint64_t)i << 20, 0x80000, 1);
    put32(SI + 48, 1000000);   // 24 MB of entries: far past the end of our memory
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(bi.nr_mem, BOOTINFO_MAX_MEM);
    CHECK_EQ_INT(bi.mem[127].base, 127ull << 20);
    CHECK_EQ_INT(warned("1000000 entries"), 1);
    CHECK_EQ_INT(nwarn, 1);
}

TEST(pvh_long_cmdline)
{
    static const int lens[] = { 2047, 2048, 10000 };

    make_long_line();
    for (int i = 0; i < 3; i++) {
        reset();
        build_pvh_normal();
        memcpy(at(PA(0x8000)), long_line, lens[i]);
        at(PA(0x8000))[lens[i]] = 0;
        put64(SI + 24, PA(0x8000) - 100);   // start mid-page, to cross page boundaries
        memset(at(PA(0x8000) - 100), 'z', 100);
        CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
        int want = lens[i] + 100 > 2047 ? 2047 : lens[i] + 100;
        CHECK_EQ_INT(strlen(bi.cmdline), want);
        CHECK_EQ_INT(bi.cmdline_truncated, 1);
        CHECK_EQ_INT(warned("truncated"), 1);
        CHECK_EQ_INT(nwarn, 1);
    }
    reset();   // exactly 2047 bytes fits
    build_pvh_normal();
    memset(at(PA(0x8000)), 'q', 2047);
    put64(SI + 24, PA(0x8000));
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(strlen(bi.cmdline), 2047);
    CHECK(!bi.cmdline_truncated && nwarn == 0);
}

TEST(pvh_cmdline_at_edges)
{
    uint64_t end = PA(PHYS_SIZE);

    reset();   // a short string whose NUL is the very last byte of memory: fine
    build_pvh_normal();
    memset(at(end - 101), 'e', 100);
    put64(SI + 24, end - 101);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(strlen(bi.cmdline), 100);
    CHECK_EQ_INT(nwarn, 0);

    reset();   // unterminated, running off the end of memory
    build_pvh_normal();
    memset(at(end - 50), 'u', 50);
    put64(SI + 24, end - 50);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(strlen(bi.cmdline), 50);
    CHECK_EQ_INT(warned("not fully readable"), 1);
    CHECK_EQ_INT(nwarn, 1);

    static const uint64_t outside[] = { 0x10, 0xfffffffffffffff0ull, PA(PHYS_SIZE) };
    for (int i = 0; i < 3; i++) {
        reset();   // pointing outside memory, or wrapping around it
        build_pvh_normal();
        put64(SI + 24, outside[i]);
        CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
        CHECK_EQ_STR(bi.cmdline, "");
        CHECK_EQ_INT(nwarn, 1);
    }

    reset();   // 0 means "no command line"
    build_pvh_normal();
    put64(SI + 24, 0);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_STR(bi.cmdline, "");
    CHECK_EQ_INT(nwarn, 0);
}

TEST(pvh_bad_pointers)
{
    reset();   // start_info itself outside memory or straddling its end
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, 0x1000, fake_map), -1);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, PA(PHYS_SIZE - 20), fake_map), -1);
    CHECK_EQ_INT(warned("not readable"), 2);

    reset();
    build_pvh_normal();
    put64(SI + 40, 0x5000);   // memory map outside
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), -1);
    CHECK_EQ_INT(warned("memory map at"), 1);

    reset();
    build_pvh_normal();
    put64(SI + 16, 0x5000);   // module list outside: no modules, but we can still boot
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(bi.nr_modules, 0);
    CHECK_EQ_INT(warned("module list"), 1);
    CHECK_EQ_INT(nwarn, 1);
}

TEST(pvh_bad_modules)
{
    uint64_t list = PA(0x3000);

    reset();
    build_pvh_normal();
    pvh_module(list, 0x400000, 0, PA(0x400));                       // empty
    pvh_module(list + 32, 0xfffffffffffff000ull, 0x2000, 0);        // wraps
    pvh_module(list + 64, 0x500000, 0x1000, 0x10);                  // name unreadable
    for (int i = 3; i < 10; i++)
        pvh_module(list + 32 * i, 0x600000 + 0x1000 * i, 0x1000, 0);
    put64(SI + 16, list);
    put32(SI + 12, 10);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(warned("'initrd.img'"), 1);
    CHECK_EQ_INT(warned("wraps"), 1);
    CHECK_EQ_INT(warned("name is not readable"), 1);
    CHECK_EQ_INT(warned("10 modules"), 1);
    CHECK_EQ_INT(nwarn, 4);
    CHECK_EQ_INT(bi.nr_modules, 6);   // 8 looked at, 2 dropped
    CHECK_EQ_INT(bi.modules[0].start, 0x500000);
}

// Found by tests/fuzz/fuzz_bootinfo.c: a module's name went into a warning as it was.
TEST(pvh_module_name_with_a_newline)
{
    uint64_t list = PA(0x3000);

    reset();
    build_pvh_normal();
    static const char name[] = "evil\n[ 0.0] forged\x7f";
    memcpy(at(PA(0x500)), name, sizeof name);
    pvh_module(list, 0x400000, 0, PA(0x500));                       // empty: warned about
    put64(SI + 16, list);
    put32(SI + 12, 1);
    CHECK_EQ_INT(bootinfo_parse_pvh(&bi, SI, fake_map), 0);
    CHECK_EQ_INT(warned("module 'evil?[ 0.0] forged?' has bad bounds"), 1);
}

TEST(pvh_map_fails_at_every_step)
{
    for (int k = 1; k <= 8; k++) {
        reset();
        build_pvh_normal();
        fail_at = k;
        int r = bootinfo_parse_pvh(&bi, SI, fake_map);
        CHECK(r == 0 || r == -1);
        CHECK(k > 1 || r == -1);
        CHECK(nwarn >= 1 || map_calls < k);   // every failed map is reported
    }
}

CHECK_MAIN()
