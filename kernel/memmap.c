// memmap.c: make the boot loader's memory map trustworthy: sorted, non-overlapping, merged,
// and with every boot module inside usable RAM (bootinfo_sanitize in bootinfo.h).
//
// Only snprintf and mem* are used: in the kernel they come from our own libc.

#include <stdio.h>
#include <string.h>
#include "bootinfo.h"

// ---- memory map clean-up ----------------------------------------------------------------
//
// The rule for overlaps: a byte covered by several regions gets the most restrictive of
// their types, ranked usable < ACPI reclaimable < ACPI NVS < reserved < bad. So anything
// that is not plain RAM beats RAM, and we never hand out memory somebody else claimed.
// Types we do not know (PVH's 6 "disabled", 7 "pmem", ...) are treated as reserved.
//
// The method is Linux's e820 sanitizer, written small: walk the boundary points (every
// region's start and end) in increasing order; between two neighbouring points the set of
// covering regions is constant, so one type describes that whole piece. Each step is O(n),
// there are at most 2n steps: O(n^2) for n <= 128.

static int rank(uint32_t type)
{
    switch (type) {
    case MEM_USABLE:           return 1;
    case MEM_ACPI_RECLAIMABLE: return 2;
    case MEM_ACPI_NVS:         return 3;
    case MEM_BAD:              return 5;
    default:                   return 4;   // MEM_RESERVED (unknown types became it)
    }
}

static uint64_t end_of(const struct mem_region *r) { return r->base + r->len; }

// Normalizes types, clips regions that run past 2^64-1, drops empty ones.
static void tidy(struct boot_info *bi)
{
    size_t j = 0;
    bool clipped = false;

    for (size_t i = 0; i < bi->nr_mem; i++) {
        struct mem_region r = bi->mem[i];
        if (r.type < MEM_USABLE || r.type > MEM_BAD)
            r.type = MEM_RESERVED;
        if (r.base + r.len < r.base) {
            r.len = UINT64_MAX - r.base;
            clipped = true;
        }
        if (r.len != 0)
            bi->mem[j++] = r;
    }
    bi->nr_mem = j;
    if (clipped)
        bootinfo_warnf("memory map has regions past the end of the address space; clipped");
}

static void report_disorder(const struct boot_info *bi)
{
    bool unsorted = false, overlap = false;

    for (size_t i = 0; i < bi->nr_mem; i++) {
        if (i > 0 && bi->mem[i].base < bi->mem[i - 1].base)
            unsorted = true;
        for (size_t j = i + 1; j < bi->nr_mem; j++)
            if (bi->mem[i].base < end_of(&bi->mem[j]) && bi->mem[j].base < end_of(&bi->mem[i]))
                overlap = true;
    }
    if (unsorted)
        bootinfo_warnf("memory map is not sorted");
    if (overlap)
        bootinfo_warnf("memory map has overlapping regions; the more restrictive type wins");
}

// The smallest region start or end above `pos`; false if there is none.
static bool next_boundary(const struct boot_info *bi, uint64_t pos, uint64_t *next)
{
    bool found = false;

    *next = UINT64_MAX;
    for (size_t i = 0; i < bi->nr_mem; i++) {
        uint64_t b[2] = { bi->mem[i].base, end_of(&bi->mem[i]) };
        for (int k = 0; k < 2; k++)
            if (b[k] > pos && b[k] <= *next) {
                *next = b[k];
                found = true;
            }
    }
    return found;
}

// The most restrictive type covering the byte at `pos`, or 0 if no region covers it.
static uint32_t type_at(const struct boot_info *bi, uint64_t pos)
{
    uint32_t t = 0;

    for (size_t i = 0; i < bi->nr_mem; i++)
        if (bi->mem[i].base <= pos && pos < end_of(&bi->mem[i]) &&
            (t == 0 || rank(bi->mem[i].type) > rank(t)))
            t = bi->mem[i].type;
    return t;
}

static bool in_usable_ram(const struct boot_info *bi, uint64_t start, uint64_t end)
{
    // Neighbouring usable regions were merged, so one region must hold the whole module.
    for (size_t i = 0; i < bi->nr_mem; i++)
        if (bi->mem[i].type == MEM_USABLE && bi->mem[i].base <= start && end <= end_of(&bi->mem[i]))
            return true;
    return false;
}

void bootinfo_sanitize(struct boot_info *bi)
{
    // Static, not on the stack: 3 KiB is a lot for a boot stack, and this runs once, early.
    static struct mem_region out[BOOTINFO_MAX_MEM];
    size_t n = 0, m = 0;
    uint64_t pos, next;

    tidy(bi);
    report_disorder(bi);
    pos = UINT64_MAX;
    for (size_t i = 0; i < bi->nr_mem; i++)
        if (bi->mem[i].base < pos)
            pos = bi->mem[i].base;
    while (bi->nr_mem > 0 && next_boundary(bi, pos, &next)) {
        uint32_t t = type_at(bi, pos);
        if (t != 0 && n > 0 && out[n - 1].type == t && end_of(&out[n - 1]) == pos) {
            out[n - 1].len += next - pos;   // same type, touching: merge
        } else if (t != 0 && n < BOOTINFO_MAX_MEM) {
            out[n].base = pos;
            out[n].len = next - pos;
            out[n++].type = t;
        } else if (t != 0) {
            // Overlaps can split the map into up to 2n-1 pieces; keep what fits.
            bootinfo_warnf("memory map has too many pieces after resolving overlaps; rest dropped");
            break;
        }
        pos = next;
    }
    memcpy(bi->mem, out, n * sizeof out[0]);
    bi->nr_mem = n;

    for (size_t i = 0; i < bi->nr_modules; i++) {
        struct boot_module *mod = &bi->modules[i];
        if (in_usable_ram(bi, mod->start, mod->end))
            bi->modules[m++] = *mod;
        else
            bootinfo_warnf("module '%s' at [0x%llx, 0x%llx) is not in usable RAM; dropped", mod->name,
                 (unsigned long long)mod->start, (unsigned long long)mod->end);
    }
    bi->nr_modules = m;
}

uint64_t bootinfo_usable_bytes(const struct boot_info *bi)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < bi->nr_mem; i++)
        if (bi->mem[i].type == MEM_USABLE)
            sum = sum + bi->mem[i].len < sum ? UINT64_MAX : sum + bi->mem[i].len;
    return sum;
}
