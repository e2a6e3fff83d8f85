// meminit.c: the kernel takes over RAM. The page allocator gets every usable page except
// the ones already in use (the kernel image, the boot modules), the kernel's own page
// tables replace the boot ones, and the result is logged the way Linux logs it:
//   Memory: 245244K/261752K available (104K kernel code, 4K rwdata, ...)
#include <stdint.h>
#include "cpu.h"
#include "memlayout.h"
#include "meminit.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "vm.h"

extern char __kernel_phys_start[], __kernel_phys_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

static void *direct_map(uint64_t pa) { return phys_to_virt(pa); }

static uint64_t kib(const char *start, const char *end) {
    return ((uint64_t)(end - start) + 1023) / 1024;
}

void mem_init(const struct boot_info *bi) {
    struct phys_range reserved[1 + BOOTINFO_MAX_MODULES];
    size_t n = 0;
    reserved[n++] = (struct phys_range){ (uint64_t)__kernel_phys_start, (uint64_t)__kernel_phys_end };
    for (size_t i = 0; i < bi->nr_modules; i++)
        reserved[n++] = (struct phys_range){ bi->modules[i].start, bi->modules[i].end };
    if (page_alloc_init(bi, reserved, n, direct_map) != 0)
        panic("mem_init: no usable memory");
    vm_init(bi);
    page_alloc_add_high();           // the direct map now covers every page
    kstack_init();                   // the kernel stacks' first page tables
    cpu_enable_protection();

    uint64_t total = bootinfo_usable_bytes(bi) / 1024, avail = nr_free_pages() * (PAGE_SIZE / 1024);
    uint64_t text_phys = (uint64_t)__text_start - KERNEL_BASE;
    pr_info("Memory: %lluK/%lluK available (%lluK kernel code, %lluK rwdata, %lluK rodata, "
            "%lluK init, %lluK bss, %lluK reserved)\n", (unsigned long long)avail,
            (unsigned long long)total, (unsigned long long)kib(__text_start, __text_end),
            (unsigned long long)kib(__data_start, __bss_start),
            (unsigned long long)kib(__rodata_start, __rodata_end),
            (unsigned long long)((text_phys - (uint64_t)__kernel_phys_start) / 1024),
            (unsigned long long)kib(__bss_start, __bss_end),
            (unsigned long long)(total > avail ? total - avail : 0));
}
