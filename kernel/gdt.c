// gdt.c: the global descriptor table and the task-state segment.
//
// In long mode segmentation is almost gone: code segments only say "64-bit, ring 0 or 3",
// data segment bases and limits are ignored. The TSS still matters: it holds the stack
// pointer the CPU loads when an interrupt arrives from user mode (RSP0), and the interrupt
// stack table (IST): known-good stacks for the double fault and NMI handlers, so that even a
// kernel stack overflow ends in a readable message instead of a triple fault and a reboot.
//
// Each CPU has a GDT and a TSS of its own (the TSS holds that CPU's RSP0 and IST stacks,
// and a TSS descriptor is marked busy once loaded, so two CPUs cannot share one).
#include <stdint.h>
#include "gdt.h"
#include "percpu.h"
#include "x86.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];        // stacks for ring 0..2 when coming from a less privileged ring
    uint64_t reserved1;
    uint64_t ist[7];        // interrupt stack table
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;    // beyond the limit: no I/O permission bitmap, user port I/O faults
} __attribute__((packed));

#define IST_STACK_SIZE 8192
static uint8_t ist_stacks[MAX_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct tss tss[MAX_CPUS];

// Segment descriptors: access byte and flags for each kind we use. Data segments are flat
// 4 GiB and 32-bit (G and B set, as Linux's __USER_DS): 64-bit code ignores all that, but
// code that far-jumps into the 32-bit segment runs with SS as the GDT says whenever an
// interrupt's iretq reloads it - and with a 16-bit SS (B clear) the CPU restores only the
// low 16 bits of rsp, keeping the upper ones from the kernel's stack: a user program's
// stack pointer into kernel memory (Linux's "espfix" problem; tests/user/fault.c).
#define SEG_CODE64(dpl) (0x00209a0000000000ull | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl)   (0x00cf92000000ffffull | ((uint64_t)(dpl) << 45))
#define SEG_CODE32(dpl) (0x00cf9a000000ffffull | ((uint64_t)(dpl) << 45))
#define SEG_LIMIT_ONLY(dpl, limit) (0x0000920000000000ull | ((uint64_t)(dpl) << 45) | (limit))

static const uint64_t gdt_template[12] = {
    [0] = 0,
    [KERNEL_CS >> 3] = SEG_CODE64(0),
    [KERNEL_DS >> 3] = SEG_DATA(0),
    [USER32_CS >> 3] = SEG_CODE32(3),
    [USER_DS >> 3]   = SEG_DATA(3),
    [USER_CS >> 3]   = SEG_CODE64(3),
    // [TSS_SEL >> 3] and the next slot: the 16-byte TSS descriptor, filled in at run time
};

static uint64_t gdt[MAX_CPUS][12];

struct __attribute__((packed)) desc_ptr { uint16_t limit; uint64_t base; };

static void set_tss_descriptor(uint64_t *gdt, struct tss *tss) {
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
    gdt[TSS_SEL >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                        (0x89ull << 40) |             // present, type 9: available 64-bit TSS
                        (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[(TSS_SEL >> 3) + 1] = base >> 32;
}

void gdt_init(void) { gdt_init_cpu(0); }

// On CPU `cpu`. Its GS base (percpu.h) is kept across the segment reload.
void gdt_init_cpu(int cpu) {
    uint64_t *g = gdt[cpu];
    for (int i = 0; i < 12; i++)
        g[i] = gdt_template[i];
    struct tss *t = &tss[cpu];
    for (int i = 0; i < 3; i++)
        t->ist[i] = (uint64_t)&ist_stacks[cpu][i][IST_STACK_SIZE];
    t->iomap_base = sizeof(*t);
    set_tss_descriptor(g, t);
    // The CPU number as a segment limit, for the vDSO's getcpu (`lsl`, as Linux's
    // GDT_ENTRY_CPUNODE): a user-readable data segment nobody loads.
    g[CPUNODE_SEL >> 3] = SEG_LIMIT_ONLY(3, (uint64_t)(cpu & 0xfff));

    struct desc_ptr p = { sizeof(gdt[0]) - 1, (uint64_t)g };
    uint64_t gs_base = rdmsr(MSR_GS_BASE);       // loading GS below clears it: keep percpu
    __asm__ volatile("lgdt %0" : : "m"(p));
    // Reload every segment register: CS through a far return, the rest directly.
    __asm__ volatile(
        "pushq %0\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w1, %%ds\n\t"
        "movw %w1, %%es\n\t"
        "movw %w1, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        : : "i"(KERNEL_CS), "r"(KERNEL_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
    wrmsr(MSR_GS_BASE, gs_base);
}

void tss_set_kernel_stack(uint64_t rsp0) { tss[this_cpu()->id].rsp[0] = rsp0; }

int ist_stack_contains(uint64_t addr, uint64_t len) {
    uint64_t lo = (uint64_t)ist_stacks, hi = lo + sizeof(ist_stacks);
    return addr >= lo && addr + len <= hi && addr + len >= addr;
}
