// main.c: the boot story. boot.asm brought the CPU into 64-bit mode and called kmain; from
// here the kernel sets itself up one subsystem at a time, in the order each one needs the
// ones before it, and then hands over to the first program. Read it top to bottom.
#include <stdbool.h>
#include <stdint.h>
#include "acpi.h"
#include "bootinfo.h"
#include "bklstat.h"
#include "cmdline.h"
#include "console.h"
#include "errno.h"
#include "fbcon.h"
#include "cpu.h"
#include "dev.h"
#include "fs.h"
#include "gdt.h"
#include "keyboard.h"
#include "ktest.h"
#include "leakcheck.h"
#include "memlayout.h"
#include "mount.h"
#include "meminit.h"
#include "monitor.h"
#include "panic.h"
#include "pic.h"
#include "printk.h"
#include "proc.h"
#include "random.h"
#include "sched.h"
#include "serial.h"
#include "smp.h"
#include "syscall.h"
#include "time.h"
#include "trace.h"
#include "trap.h"
#include "vdso.h"
#include "vga.h"
#include "vm.h"
#include "x86.h"

#ifndef KERNEL_VERSION
#define KERNEL_VERSION "0.0.0"
#endif

// The first line of the log, and /proc/version: Linux's "Linux version ..." line.
static const char banner[] = "Lantern version " KERNEL_VERSION " (" KERNEL_COMPILER ") #1";
static struct boot_info boot_info;
static struct kernel_params params;

// kmain's helpers, defined below it in the order it calls them.
static const void *phys_map(uint64_t pa, size_t len);
static void read_boot_info(uint32_t magic, uint64_t info_pa);
static bool has_vga_text(const struct boot_info *bi);
static void apply_params(const struct kernel_params *p);
static void print_memory_map(const struct boot_info *bi);
static void unpack_initramfs(const struct boot_info *bi);
static void prepare_init(const struct kernel_params *p);

// Linux's start_kernel() ends in rest_init(), which starts kernel_init as a kernel thread
// (it becomes PID 1 by exec'ing /init) and turns itself into the idle task. Lantern builds
// PID 1 the xv6 way instead: prepare_init() makes it a user process straight from its ELF
// file, and kmain itself becomes the idle loop, scheduler().
void kmain(uint32_t magic, uint64_t info_pa) {
    // 1. A clock and a voice: timestamps count from here, the serial port talks at once.
    percpu_init();                   // GS: this CPU's data (locks need it, printk's too)
    time_init();
    serial_init();

    // 2. What did the boot loader tell us? Memory, modules, the command line.
    read_boot_info(magic, info_pa);
    if (has_vga_text(&boot_info))
        vga_init();
    else
        fbcon_init(&boot_info.fb);   // a framebuffer, if GRUB left one (UEFI, BIOS graphics)
    cmdline_parse(&params, boot_info.cmdline);
    apply_params(&params);

    pr_notice("%s\n", banner);
    pr_info("Command line: %s\n", boot_info.cmdline);
    pr_info("Booted by %s%s\n", boot_info.loader, boot_info.efi ? " (UEFI)" : "");
    print_memory_map(&boot_info);

    // 3. The CPU's own tables: segments, the TSS with its emergency stacks, the IDT.
    cpu_detect();
    cpu_enable_fpu();
    gdt_init();
    idt_init();

    // 4. Memory: every free page to the page allocator, the kernel's own page tables.
    mem_init(&boot_info);

    // 5. Interrupts: controller, timer, keyboard and serial input.
    pic_init();
    time_calibrate();                // the PIT has been counting since time_init()
    timer_init();
    keyboard_init();
    serial_enable_input();

    // 6. The firmware's ACPI tables (how to power off), the entropy pool, the event trace.
    //    Then let interrupts in: from here on the kernel is event-driven.
    acpi_init(&boot_info, phys_map);
    apic_init();                     // the I/O APIC takes the IRQs over from the PIC, if any
    random_init();
    trace_init(params.trace);
    if (params.unknown[0])
        pr_notice("Unknown kernel command line parameters \"%s\", will be passed to user space.\n",
                  params.unknown);
    sti();
    if (params.ktest)
        ktest_run(params.ktest);
    if (params.kmon)
        monitor_run(&boot_info);

    // 7. The way into user space: the syscall entry point, and the vDSO every process
    //    gets (its clock page is kept up to date from here on).
    syscall_init();
    vdso_init();

    // 8. The root filesystem from the initramfs, and the first program from it.
    unpack_initramfs(&boot_info);
    dev_init();
    procfs_init(boot_info.cmdline, banner);
    leakcheck_start(params.leakcheck);
    prepare_init(&params);

    // 9. The other CPUs (smp.c). From here on the kernel only reacts: on every CPU this
    //    loop runs whatever process is ready, and halts the CPU when none is. The big
    //    kernel lock, taken here, lets only one CPU at a time run kernel code.
    cli();
    kernel_enter();
    bkl_held_by(BKL_WHO_BOOT);   // (bklstat.c: /proc/bkl_stat, with bkl_stat)
    smp_boot(params.maxcpus);
    kernel_exit();               // the idle loop runs without it
    scheduler();
}

// Physical memory as the kernel sees it: through the direct map (boot.asm maps 4 GiB of
// it; vm_init then maps all of RAM).
static const void *phys_map(uint64_t pa, size_t len) {
    uint64_t end = vm_direct_map_end() ? vm_direct_map_end() : BOOT_DIRECT_MAP_SIZE;
    if (pa >= end || len > end - pa)
        return NULL;
    return phys_to_virt(pa);
}

void bootinfo_warn(const char *msg) { pr_warn("bootinfo: %s\n", msg); }

static void read_boot_info(uint32_t magic, uint64_t info_pa) {
    int ok = -1;
    if (magic == MULTIBOOT2_BOOTLOADER_MAGIC)
        ok = bootinfo_parse_multiboot2(&boot_info, info_pa, phys_map);
    else if (magic == PVH_START_MAGIC)
        ok = bootinfo_parse_pvh(&boot_info, info_pa, phys_map);
    if (ok != 0)
        panic("no usable boot information (magic %#x at %#llx): boot with GRUB (multiboot2) "
              "or qemu -kernel (PVH)", magic, (unsigned long long)info_pa);
    bootinfo_sanitize(&boot_info);
}

// Only BIOS machines have a VGA text screen; under UEFI the display is a framebuffer.
static bool has_vga_text(const struct boot_info *bi) {
    if (bi->efi)
        return false;
    return !bi->fb.present || bi->fb.type == FB_EGA_TEXT;
}

static void apply_params(const struct kernel_params *p) {
    if (p->nr_consoles && !console_select(p->console, p->nr_consoles))
        pr_warn("console: some console= names are unknown (have: ttyS0 tty0)\n");
    if (p->quiet)
        printk_set_loglevel(LOGLEVEL_QUIET);
    if (p->loglevel >= 0)
        printk_set_loglevel(p->loglevel);
    panic_timeout = p->panic_timeout;
    exec_set_randomize(!p->norandmaps);
    if (p->bkl_stat)
        bklstat_enable();
}

static const char *mem_type_name(uint32_t type) {
    switch (type) {
    case MEM_USABLE: return "usable";
    case MEM_ACPI_RECLAIMABLE: return "ACPI data";
    case MEM_ACPI_NVS: return "ACPI NVS";
    case MEM_BAD: return "unusable";
    default: return "reserved";
    }
}

static void print_memory_map(const struct boot_info *bi) {
    pr_info("BIOS-provided physical RAM map:\n");
    for (size_t i = 0; i < bi->nr_mem; i++) {
        const struct mem_region *r = &bi->mem[i];
        pr_info("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)r->base,
                (unsigned long long)(r->base + r->len - 1), mem_type_name(r->type));
    }
    uint64_t usable = bootinfo_usable_bytes(bi);
    pr_info("e820: %lluK usable RAM (%llu MiB)\n", (unsigned long long)(usable >> 10),
            (unsigned long long)(usable >> 20));
    for (size_t i = 0; i < bi->nr_modules; i++)
        pr_info("RAMDISK: [mem 0x%08llx-0x%08llx] %s\n", (unsigned long long)bi->modules[i].start,
                (unsigned long long)bi->modules[i].end - 1, bi->modules[i].name);
}

// The first boot module is the initramfs, as with Linux's initrd.
static void unpack_initramfs(const struct boot_info *bi) {
    fs_boot();                       // fs_init, with the clock and a size limit
    if (bi->nr_modules == 0) {
        pr_notice("initramfs: none given (qemu -initrd FILE, or a GRUB module)\n");
        return;
    }
    const struct boot_module *m = &bi->modules[0];
    initramfs_unpack(phys_to_virt(m->start), m->end - m->start);
}

// Linux's kernel_init(): rdinit= (default /init), then init=, then the usual places.
// Returns once one of them is ready to run as PID 1.
static void prepare_init(const struct kernel_params *p) {
    static const char *argv[CMDLINE_MAX_INIT_ARGS + 2];
    static const char *envp[CMDLINE_MAX_INIT_ENVS + 3] = { "HOME=/", "TERM=linux" };
    for (int i = 0; i < p->init_argc; i++)
        argv[i + 1] = p->init_argv[i];
    for (int i = 0; i < p->init_envc; i++)
        envp[i + 2] = p->init_envp[i];
    const char *rdinit = p->rdinit ? p->rdinit : "/init";
    struct inode *ip;
    int err;
    argv[0] = rdinit;
    if (fs_lookup(NULL, rdinit, FS_FOLLOW, &ip) == 0) {     // as Linux: silently skip if absent
        if ((err = proc_run_init(rdinit, argv, envp)) == 0)
            return;
        pr_warn("Failed to execute %s (error %d)\n", rdinit, err);
    }
    if (p->init) {
        argv[0] = p->init;
        if ((err = proc_run_init(p->init, argv, envp)) == 0)
            return;
        panic("Requested init %s failed (error %d).", p->init, err);
    }
    static const char *const defaults[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
    for (int i = 0; i < 4; i++) {
        argv[0] = defaults[i];
        if ((err = proc_run_init(defaults[i], argv, envp)) == 0)
            return;
        if (err != -ENOENT)
            pr_warn("Starting init: %s exists but couldn't execute it (error %d)\n", defaults[i], err);
    }
    panic("No working init found.  Try passing init= option to kernel. "
          "See Linux Documentation/admin-guide/init.rst for guidance.");
}
