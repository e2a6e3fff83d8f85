// memlayout.h: where things live in the kernel's virtual address space.
//
//   0x0000000000000000 .. 0x00007fffffffffff   user space (lower canonical half)
//   0xffff888000000000 ..                      direct map of all physical memory (as in Linux)
//   0xffffffff80000000 ..                      the kernel image, linked here (-mcmodel=kernel)
//
// The kernel image is loaded at physical KERNEL_PHYS and runs at KERNEL_BASE + physical.
#pragma once
#include <stdint.h>

#define KERNEL_BASE      0xffffffff80000000ull
#define DIRECT_MAP_BASE  0xffff888000000000ull
// How much physical memory the boot page tables put in the direct map (boot/boot.asm).
#define BOOT_DIRECT_MAP_SIZE (4ull << 30)

#define PAGE_SIZE 4096ull

static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *va) {
    uint64_t v = (uint64_t)(uintptr_t)va;
    return v >= KERNEL_BASE ? v - KERNEL_BASE : v - DIRECT_MAP_BASE;
}
