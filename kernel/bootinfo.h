// bootinfo.h: one description of the machine, whichever way we were booted.
//
// GRUB hands us a multiboot2 information block; QEMU's `-kernel` hands us a PVH
// hvm_start_info. Both are turned into a struct boot_info by bootinfo.c, which trusts
// nothing: every length is bounded, every physical pointer is checked through a map
// function before it is followed, and anything odd is reported through bootinfo_warn().
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTINFO_CMDLINE_MAX 2048   // Linux's COMMAND_LINE_SIZE on x86
#define BOOTINFO_MAX_MEM     128
#define BOOTINFO_MAX_MODULES 8
#define BOOTINFO_NAME_MAX    64

// Memory types, numbered as in the e820 map (and in multiboot2 and PVH, which copy it).
enum { MEM_USABLE = 1, MEM_RESERVED = 2, MEM_ACPI_RECLAIMABLE = 3, MEM_ACPI_NVS = 4, MEM_BAD = 5 };

enum boot_protocol { BOOT_MULTIBOOT2 = 1, BOOT_PVH = 2 };

struct mem_region { uint64_t base, len; uint32_t type; };
struct boot_module { uint64_t start, end; char name[BOOTINFO_NAME_MAX]; };   // [start, end)

// Framebuffer types as in multiboot2: 0 indexed colour, 1 RGB, 2 EGA text.
enum { FB_INDEXED = 0, FB_RGB = 1, FB_EGA_TEXT = 2 };
struct framebuffer {
    bool present;
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp, type;
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;   // FB_RGB only
};

struct boot_info {
    enum boot_protocol protocol;
    char loader[BOOTINFO_NAME_MAX];        // "GRUB 2.06" or "PVH"
    char cmdline[BOOTINFO_CMDLINE_MAX];    // always NUL-terminated
    bool cmdline_truncated;
    size_t nr_mem;
    struct mem_region mem[BOOTINFO_MAX_MEM];
    size_t nr_modules;
    struct boot_module modules[BOOTINFO_MAX_MODULES];   // modules[0] is the initramfs
    struct framebuffer fb;
    bool efi;                              // firmware was UEFI (no VGA text console then)
    uint64_t rsdp;                         // physical address of an ACPI RSDP copy, or 0
    uint8_t rsdp_copy[36];                 // multiboot2 carries a copy of the RSDP itself:
    size_t rsdp_copy_len;                  // its bytes (20 for ACPI 1.0, 36 after), or 0
};

// Returns a pointer through which `len` bytes at physical address `pa` can be read,
// or NULL if that range is not accessible. The kernel uses the direct map; tests use a fake.
typedef const void *(*phys_map_fn)(uint64_t pa, size_t len);

// Each returns 0 on success, or -1 when the information is unusable (bad magic, no memory map).
int bootinfo_parse_multiboot2(struct boot_info *bi, uint64_t info_pa, phys_map_fn map);
int bootinfo_parse_pvh(struct boot_info *bi, uint64_t start_info_pa, phys_map_fn map);

// memmap.c: sorts the memory map and resolves overlaps (the more restrictive type wins, as Linux's
// e820 sanitizer does); drops empty regions and modules that are not inside usable RAM.
void bootinfo_sanitize(struct boot_info *bi);

uint64_t bootinfo_usable_bytes(const struct boot_info *bi);

// Provided by the user of bootinfo.c (the kernel logs it; tests collect it).
void bootinfo_warn(const char *msg);
void bootinfo_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   // formats, then warns

// Magic numbers the boot code passes in %eax / finds in the structures.
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC             0x336ec578u
