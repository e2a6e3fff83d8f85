// bootinfo.c: turn what the boot loader left in memory into a struct boot_info.
//
// Two formats arrive here: GRUB's multiboot2 information block (a list of tags) and the
// PVH hvm_start_info that QEMU's -kernel and Xen hand over. Neither is trusted. Every
// physical range is read through the caller's map function, which may refuse; every length
// is checked against the bytes really there; anything odd becomes one bootinfo_warn() line.
// memmap.c then makes the memory map sorted, non-overlapping and merged.
//
// Only snprintf/vsnprintf and mem*/str* are used: in the kernel they come from our own libc.

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bootinfo.h"

#define MB2_INFO_MAX (1u << 20)   // a real block is a few KiB; anything bigger is garbage
#define CHUNK        4096         // strings are read a page at a time (see read_phys_str)

// Multiboot2 tag types we look at.
enum { MB2_END = 0, MB2_CMDLINE = 1, MB2_LOADER = 2, MB2_MODULE = 3, MB2_MEMINFO = 4,
       MB2_MMAP = 6, MB2_FB = 8, MB2_EFI32 = 11, MB2_EFI64 = 12, MB2_RSDP_OLD = 14,
       MB2_RSDP_NEW = 15 };

// Formats a warning for bootinfo_warn(). Also used by memmap.c.
// Warnings quote strings from the boot information (names, command lines), which anyone
// may have written: control characters become '?', so that a newline cannot forge a log
// line of its own, nor an escape sequence talk to the terminal.
void bootinfo_warnf(const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    bootinfo_warn(msg);
}

// Loaders align their structures, but a hostile or fake one need not: read via memcpy.
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, sizeof v); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, sizeof v); return v; }

// map(), but refusing empty ranges and ranges that wrap around the address space.
static const uint8_t *map_range(phys_map_fn map, uint64_t pa, size_t len)
{
    if (len == 0 || pa + len < pa)
        return NULL;
    return map(pa, len);
}

// Copies a string of at most `max` source bytes (a tag's remaining bytes) into dst[size],
// warning if it has no NUL. Returns the source length: >= size means it was truncated.
static size_t copy_bounded(char *dst, size_t size, const uint8_t *src, size_t max, const char *what)
{
    size_t n = 0, k;

    while (n < max && src[n] != '\0')
        n++;
    k = n < size - 1 ? n : size - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
    if (n == max)
        bootinfo_warnf("multiboot2: %s '%s' is not NUL-terminated", what, dst);
    return n;
}

static void cmdline_too_long(struct boot_info *bi)
{
    bi->cmdline_truncated = true;
    bootinfo_warnf("Command line is longer than %d bytes; truncated", BOOTINFO_CMDLINE_MAX - 1);
}

// Returns false, storing nothing, once the table is full; callers count and warn once.
static bool add_region(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
    if (bi->nr_mem == BOOTINFO_MAX_MEM)
        return false;
    bi->mem[bi->nr_mem].base = base;
    bi->mem[bi->nr_mem].len = len;
    bi->mem[bi->nr_mem].type = type;
    bi->nr_mem++;
    return true;
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, const char *name)
{
    struct boot_module *m;

    if (end <= start) {
        bootinfo_warnf("module '%s' has bad bounds [0x%llx, 0x%llx); dropped", name,
             (unsigned long long)start, (unsigned long long)end);
        return;
    }
    if (bi->nr_modules == BOOTINFO_MAX_MODULES) {
        bootinfo_warnf("more than %d modules; '%s' dropped", BOOTINFO_MAX_MODULES, name);
        return;
    }
    m = &bi->modules[bi->nr_modules++];
    m->start = start;
    m->end = end;
    snprintf(m->name, sizeof m->name, "%s", name);
}

// ---- multiboot2 -------------------------------------------------------------------------

struct mb2_state {
    bool have_mmap, have_meminfo, have_new_rsdp;
    uint32_t mem_lower, mem_upper;   // KiB, from the basic meminfo tag
};

// Smallest size a tag of this type can have and still hold the fields we read.
static uint32_t mb2_min_size(uint32_t type)
{
    switch (type) {
    case MB2_MODULE: case MB2_MEMINFO: case MB2_MMAP: case MB2_EFI64: return 16;
    case MB2_FB:       return 30;       // up to framebuffer_type
    case MB2_EFI32:    return 12;
    case MB2_RSDP_OLD: return 8 + 20;   // ACPI 1.0 RSDP
    case MB2_RSDP_NEW: return 8 + 36;   // ACPI 2.0 XSDP
    default:           return 8;
    }
}

static void mb2_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size, struct mb2_state *st)
{
    uint32_t esize = get32(t + 8), n, lost = 0;

    if (st->have_mmap) {
        bootinfo_warnf("multiboot2: second memory map tag ignored");
        return;
    }
    if (esize < 24) {   // also keeps the loop below from spinning on entry_size 0
        bootinfo_warnf("multiboot2: memory map entry size %u is below 24; map ignored", esize);
        return;
    }
    st->have_mmap = true;
    n = (size - 16) / esize;   // the spec allows bigger entries: honour entry_size
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = t + 16 + (size_t)i * esize;
        if (!add_region(bi, get64(e), get64(e + 8), get32(e + 16)))
            lost++;
    }
    if (lost)
        bootinfo_warnf("multiboot2: memory map has %u entries; only the first %d are used", n,
             BOOTINFO_MAX_MEM);
}

// GRUB's layout (multiboot2.h): after the type, a 16-bit reserved field, so an RGB
// framebuffer's colour fields start at byte 32.
static void mb2_fb(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
    bi->fb.present = true;
    bi->fb.addr = get64(t + 8);
    bi->fb.pitch = get32(t + 16);
    bi->fb.width = get32(t + 20);
    bi->fb.height = get32(t + 24);
    bi->fb.bpp = t[28];
    bi->fb.type = t[29];
    if (bi->fb.type == FB_RGB && size >= 38) {
        bi->fb.red_pos = t[32], bi->fb.red_size = t[33];
        bi->fb.green_pos = t[34], bi->fb.green_size = t[35];
        bi->fb.blue_pos = t[36], bi->fb.blue_size = t[37];
    }
}

static void mb2_tag(struct boot_info *bi, uint32_t type, const uint8_t *t, uint32_t size,
                    struct mb2_state *st)
{
    char name[BOOTINFO_NAME_MAX];

    if (size < mb2_min_size(type)) {
        bootinfo_warnf("multiboot2: tag %u is too short (%u bytes); ignored", type, size);
        return;
    }
    switch (type) {
    case MB2_CMDLINE:
        if (copy_bounded(bi->cmdline, sizeof bi->cmdline, t + 8, size - 8, "command line") >=
            sizeof bi->cmdline)
            cmdline_too_long(bi);
        break;
    case MB2_LOADER:
        copy_bounded(bi->loader, sizeof bi->loader, t + 8, size - 8, "boot loader name");
        break;
    case MB2_MODULE:
        copy_bounded(name, sizeof name, t + 16, size - 16, "module name");
        add_module(bi, get32(t + 8), get32(t + 12), name);
        break;
    case MB2_MEMINFO:
        st->have_meminfo = true;
        st->mem_lower = get32(t + 8);
        st->mem_upper = get32(t + 12);
        break;
    case MB2_MMAP:
        mb2_mmap(bi, t, size, st);
        break;
    case MB2_FB:
        mb2_fb(bi, t, size);
        break;
    case MB2_EFI32: case MB2_EFI64:
        bi->efi = true;
        break;
    case MB2_RSDP_OLD: case MB2_RSDP_NEW:
        // The tag holds a copy of the RSDP itself. Prefer the ACPI 2.0 one whatever the order.
        if (type == MB2_RSDP_NEW || !st->have_new_rsdp) {
            size_t n = size - 8 < sizeof bi->rsdp_copy ? size - 8 : sizeof bi->rsdp_copy;
            memcpy(bi->rsdp_copy, t + 8, n);   // copied: the info block is not kept
            bi->rsdp_copy_len = n;
        }
        if (type == MB2_RSDP_NEW)
            st->have_new_rsdp = true;
        break;
    default:
        break;   // tags we do not use (ELF sections, APM, SMBIOS, ...)
    }
}

int bootinfo_parse_multiboot2(struct boot_info *bi, uint64_t info_pa, phys_map_fn map)
{
    struct mb2_state st = { 0 };
    const uint8_t *info;
    uint32_t total;
    size_t off = 8;
    bool ended = false, broken = false;

    memset(bi, 0, sizeof *bi);
    bi->protocol = BOOT_MULTIBOOT2;
    // Read total_size first: it tells how much to map, and must not be believed blindly.
    if ((info = map_range(map, info_pa, 8)) == NULL) {
        bootinfo_warnf("multiboot2: information block at 0x%llx is not readable", (unsigned long long)info_pa);
        return -1;
    }
    total = get32(info);
    if (total < 16 || total > MB2_INFO_MAX) {
        bootinfo_warnf("multiboot2: implausible information block size %u", total);
        return -1;
    }
    if ((info = map_range(map, info_pa, total)) == NULL) {
        bootinfo_warnf("multiboot2: information block (%u bytes) is not readable", total);
        return -1;
    }
    while (off + 8 <= total) {
        uint32_t type = get32(info + off), size = get32(info + off + 4);
        if (size < 8 || size > total - off) {
            bootinfo_warnf("multiboot2: tag %u has bad size %u; ignoring the rest", type, size);
            broken = true;
            break;
        }
        if (type == MB2_END) {
            ended = true;
            break;
        }
        mb2_tag(bi, type, info + off, size, &st);
        off += (size + 7) & ~7u;   // tags start 8-byte aligned; size <= 1 MiB, no overflow
    }
    if (!ended && !broken)
        bootinfo_warnf("multiboot2: no end tag");
    if (!st.have_mmap && st.have_meminfo) {
        bootinfo_warnf("multiboot2: no memory map; using basic meminfo");
        add_region(bi, 0, (uint64_t)st.mem_lower * 1024, MEM_USABLE);
        add_region(bi, 1 << 20, (uint64_t)st.mem_upper * 1024, MEM_USABLE);
    }
    if (bi->nr_mem == 0) {
        bootinfo_warnf("multiboot2: no memory map");
        return -1;
    }
    return 0;
}

// ---- PVH --------------------------------------------------------------------------------

// Reads the NUL-terminated string at `pa` into dst[size]. It maps at most one page-bounded
// chunk at a time, so a string that ends just before unreadable memory is still read, and
// never more than `size` bytes. Returns 1 if it fit, 0 if it was longer than size-1 bytes
// (truncated), -1 if unreadable memory came first (dst holds what was read).
static int read_phys_str(char *dst, size_t size, uint64_t pa, phys_map_fn map)
{
    size_t n = 0;

    while (n < size) {
        size_t chunk = CHUNK - ((pa + n) & (CHUNK - 1));
        const uint8_t *p;
        if (chunk > size - n)
            chunk = size - n;
        if ((p = map_range(map, pa + n, chunk)) == NULL) {
            dst[n] = '\0';
            return -1;
        }
        for (size_t i = 0; i < chunk; i++, n++) {
            dst[n] = (char)p[i];
            if (p[i] == '\0')
                return 1;
        }
    }
    dst[size - 1] = '\0';
    return 0;
}

static void pvh_cmdline(struct boot_info *bi, uint64_t pa, phys_map_fn map)
{
    int r;

    if (pa == 0)
        return;   // "a 0 value in any of the address fields should be treated as not present"
    r = read_phys_str(bi->cmdline, sizeof bi->cmdline, pa, map);
    if (r == 0)
        cmdline_too_long(bi);
    else if (r < 0)
        bootinfo_warnf("PVH: command line at 0x%llx is not fully readable; kept the %u bytes read",
             (unsigned long long)pa, (unsigned)strlen(bi->cmdline));
}

static void pvh_modules(struct boot_info *bi, uint64_t pa, uint32_t nr, phys_map_fn map)
{
    const uint8_t *list;
    char name[BOOTINFO_NAME_MAX];

    if (nr == 0)
        return;
    if (nr > BOOTINFO_MAX_MODULES) {
        bootinfo_warnf("PVH: %u modules; only the first %d are used", nr, BOOTINFO_MAX_MODULES);
        nr = BOOTINFO_MAX_MODULES;
    }
    if (pa == 0 || (list = map_range(map, pa, (size_t)nr * 32)) == NULL) {
        bootinfo_warnf("PVH: module list at 0x%llx is not readable", (unsigned long long)pa);
        return;
    }
    for (uint32_t i = 0; i < nr; i++) {
        const uint8_t *e = list + (size_t)i * 32;
        uint64_t start = get64(e), len = get64(e + 8), name_pa = get64(e + 16);
        name[0] = '\0';
        if (name_pa != 0 && read_phys_str(name, sizeof name, name_pa, map) < 0)
            bootinfo_warnf("PVH: module %u name is not readable", i);
        if (start + len < start) {
            bootinfo_warnf("PVH: module '%s' wraps around the address space; dropped", name);
            continue;
        }
        add_module(bi, start, start + len, name);
    }
}

static int pvh_memmap(struct boot_info *bi, uint64_t pa, uint32_t nr, phys_map_fn map)
{
    const uint8_t *e;

    if (nr == 0 || pa == 0) {
        bootinfo_warnf("PVH: no memory map");
        return -1;
    }
    if (nr > BOOTINFO_MAX_MEM) {
        bootinfo_warnf("PVH: memory map has %u entries; only the first %d are used", nr, BOOTINFO_MAX_MEM);
        nr = BOOTINFO_MAX_MEM;
    }
    if ((e = map_range(map, pa, (size_t)nr * 24)) == NULL) {
        bootinfo_warnf("PVH: memory map at 0x%llx is not readable", (unsigned long long)pa);
        return -1;
    }
    for (uint32_t i = 0; i < nr; i++, e += 24)
        add_region(bi, get64(e), get64(e + 8), get32(e + 16));
    return 0;
}

int bootinfo_parse_pvh(struct boot_info *bi, uint64_t start_info_pa, phys_map_fn map)
{
    const uint8_t *si;
    uint32_t version;

    memset(bi, 0, sizeof *bi);
    bi->protocol = BOOT_PVH;
    snprintf(bi->loader, sizeof bi->loader, "PVH");
    if ((si = map_range(map, start_info_pa, 40)) == NULL) {   // the version 0 part
        bootinfo_warnf("PVH: start_info at 0x%llx is not readable", (unsigned long long)start_info_pa);
        return -1;
    }
    if (get32(si) != PVH_START_MAGIC) {
        bootinfo_warnf("PVH: bad start_info magic 0x%x", get32(si));
        return -1;
    }
    version = get32(si + 4);   // later versions only append fields: treat them as 1
    bi->rsdp = get64(si + 32);
    pvh_cmdline(bi, get64(si + 24), map);
    pvh_modules(bi, get64(si + 16), get32(si + 12), map);
    if (version == 0) {
        bootinfo_warnf("PVH: start_info version 0 has no memory map");
        return -1;
    }
    if ((si = map_range(map, start_info_pa, 56)) == NULL) {
        bootinfo_warnf("PVH: start_info at 0x%llx is not readable", (unsigned long long)start_info_pa);
        return -1;
    }
    return pvh_memmap(bi, get64(si + 40), get32(si + 48), map);
}
