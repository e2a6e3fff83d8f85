// fuzz_bootinfo.c: libFuzzer harness for the boot information parsers and the memory-map
// sanitizer (kernel/bootinfo.c, kernel/memmap.c).
//
// The input's first byte picks the protocol (multiboot2 or PVH) and where in "physical
// memory" the information starts; the rest of the input IS physical memory, at PHYS_BASE.
// map() hands out a fresh heap copy of exactly the bytes asked for, so reading one byte past
// a mapping trips AddressSanitizer. After parsing, the sanitized map must be sorted, without
// overlaps or empty regions, and every module inside usable RAM (memmap.c's promises).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bootinfo.h"

#define PHYS_BASE 0x100000ull
#define MAX_MAPS  4096

static const uint8_t *phys;
static size_t phys_size;
static void *maps[MAX_MAPS];
static int nmaps;

static const void *map(uint64_t pa, size_t len)
{
    if (pa < PHYS_BASE || pa - PHYS_BASE > phys_size || len > phys_size - (pa - PHYS_BASE))
        return NULL;
    if (nmaps == MAX_MAPS)
        return NULL;                      // as if the range were not accessible
    void *p = malloc(len ? len : 1);
    memcpy(p, phys + (pa - PHYS_BASE), len);
    return maps[nmaps++] = p;
}

void bootinfo_warn(const char *msg)
{
    if (!msg[0] || strchr(msg, '\n'))
        abort();                          // one line each, never empty
}

static void check_map(const struct boot_info *bi)
{
    if (bi->nr_mem > BOOTINFO_MAX_MEM || bi->nr_modules > BOOTINFO_MAX_MODULES)
        abort();
    for (size_t i = 0; i < bi->nr_mem; i++) {
        const struct mem_region *r = &bi->mem[i];
        if (r->len == 0 || r->base + r->len < r->base)
            abort();
        if (i > 0 && bi->mem[i - 1].base + bi->mem[i - 1].len > r->base)
            abort();                      // sorted, no overlaps
    }
    if (!memchr(bi->cmdline, 0, sizeof bi->cmdline) || !memchr(bi->loader, 0, sizeof bi->loader))
        abort();
    for (size_t i = 0; i < bi->nr_modules; i++)
        if (!memchr(bi->modules[i].name, 0, sizeof bi->modules[i].name) ||
            bi->modules[i].end < bi->modules[i].start)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct boot_info bi;
    if (size < 1)
        return 0;
    phys = data + 1;
    phys_size = size - 1;
    uint64_t at = PHYS_BASE + (data[0] >> 1) * 8;     // 8-byte aligned, near the start
    memset(&bi, 0, sizeof bi);
    int r = (data[0] & 1) ? bootinfo_parse_pvh(&bi, at, map)
                          : bootinfo_parse_multiboot2(&bi, at, map);
    if (r == 0) {
        bootinfo_sanitize(&bi);
        check_map(&bi);
        (void)bootinfo_usable_bytes(&bi);
    }
    for (int i = 0; i < nmaps; i++)
        free(maps[i]);
    nmaps = 0;
    return 0;
}
