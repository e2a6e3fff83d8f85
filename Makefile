# Makefile for Lantern, a small teaching operating system.
#
#   make            build/kernel.elf and build/os.iso
#   make run        install missing packages (as root) or say which, build, boot the ISO
#   make run-nox    the same, on this terminal only
#   make debug      QEMU paused with a gdb stub, and gdb attached (see README)
#   make test       unit tests on the host, then system tests that boot the kernel in QEMU
#   make CC=clang   build with clang instead of gcc;  make V=1  shows every command
#   make run CMDLINE="loglevel=4 ..."   adds words to the kernel command line

ifeq ($(origin CC),default)
CC := gcc
endif
LD      ?= ld
NASM    ?= nasm
NM      ?= nm
PYTHON  ?= python3
QEMU    ?= qemu-system-x86_64
BUILD   ?= build
VERSION := 0.1.0
CMDLINE ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---------------------------------------------------------------- the kernel
KERNEL_C := $(wildcard kernel/*.c)
KERNEL_ASM := $(wildcard kernel/*.asm)
BOOT_ASM := $(wildcard boot/*.asm)
# The freestanding half of libc, compiled into the kernel from the same source files.
LIBC_SHARED := libc/string.c libc/format.c

KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/%.o) \
               $(BOOT_ASM:%.asm=$(BUILD)/%.o) $(LIBC_SHARED:libc/%.c=$(BUILD)/kernel/libc/%.o)

COMPILER_ID := $(shell $(CC) --version | head -n 1)
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
    -Ikernel -Ilibc/include -D__KERNEL__ \
    -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-pic -fno-pie \
    -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
    -fno-builtin -fno-strict-aliasing \
    -DKERNEL_VERSION='"$(VERSION)"' -DKERNEL_COMPILER='"$(COMPILER_ID)"'
# gcc may turn a byte loop into a call to memset/memcpy: inside memset, that recursion.
ifneq ($(findstring clang,$(COMPILER_ID)),clang)
KERNEL_CFLAGS += -fno-tree-loop-distribute-patterns
endif
DEPFLAGS = -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -T linker.ld -z max-page-size=0x1000 --build-id=none
NASMFLAGS := -f elf64 -g -F dwarf
# The boot segment holds code, data and page tables together, so it is writable and
# executable: ld should not warn about it. (The kernel proper is split by permission.)
KERNEL_LDFLAGS += --no-warn-rwx-segments

.PHONY: all kernel iso run run-nox debug test unit-tests clean deps
.SECONDEXPANSION:
all: kernel iso
kernel: $(BUILD)/kernel.elf
iso: $(BUILD)/os.iso

$(BUILD)/kernel/libc/%.o: libc/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KERNEL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KERNEL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

# Two links: the first with an empty symbol table, to learn the addresses; the second with
# the real table. .ksyms comes last in the image, so the two links agree on every address;
# the cmp below proves it.
$(BUILD)/ksyms0.c: tools/ksyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/ksyms.sh --empty > $@
$(BUILD)/ksyms%.o: $(BUILD)/ksyms%.c
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms0.o linker.ld
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms0.o
$(BUILD)/ksyms1.c: $(BUILD)/kernel.pass1.elf tools/ksyms.sh
	$(Q)$(NM) -n $< | tools/ksyms.sh > $@
$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/ksyms1.o linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms1.o
	$(Q)$(NM) -n $(BUILD)/kernel.pass1.elf | grep ' [Tt] ' > $(BUILD)/kernel.pass1.syms
	$(Q)$(NM) -n $@ | grep ' [Tt] ' > $(BUILD)/kernel.syms
	$(Q)cmp -s $(BUILD)/kernel.pass1.syms $(BUILD)/kernel.syms || \
	    { echo "ksyms: the second link moved symbols (is .ksyms still last?)"; rm -f $@; exit 1; }

# ---------------------------------------------------------------- the ISO (GRUB, BIOS + UEFI)
$(BUILD)/os.iso: $(BUILD)/kernel.elf iso/boot/grub/grub.cfg
	@$(if $(Q),echo "  ISO     $@")
	$(Q)rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	$(Q)cp $(BUILD)/kernel.elf $(BUILD)/iso/boot/kernel.elf
	$(Q)cp iso/boot/grub/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso $(if $(Q),> $(BUILD)/grub-mkrescue.log 2>&1) || \
	    { cat $(BUILD)/grub-mkrescue.log 2>/dev/null; exit 1; }

# ---------------------------------------------------------------- running it
deps:
	$(Q)tools/deps.sh

QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),-serial mon:stdio,-nographic)
QEMU_COMMON := -m 256M -no-reboot

# With CMDLINE set, boot the kernel directly (PVH) with that command line instead of GRUB.
QEMU_BOOT = $(if $(CMDLINE),-kernel $(BUILD)/kernel.elf -append "$(CMDLINE)",-cdrom $(BUILD)/os.iso)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_BOOT) $(QEMU_DISPLAY)

run-nox: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_BOOT) -nographic

# The kernel boots directly (PVH) with the CPU stopped at the first instruction; gdb loads
# the kernel's symbols, breaks in kmain and continues. Quit gdb and QEMU goes too.
debug: kernel
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/kernel.elf -append "$(CMDLINE)" \
	    -display none -serial file:$(BUILD)/debug-serial.log -s -S & \
	    gdb -q -x tools/gdbinit; kill %1 2>/dev/null; true

# ---------------------------------------------------------------- tests
# Host unit tests of the freestanding code, with the sanitizers on. The libc tests rename
# our functions (LIBC_HOST_TEST) so they can sit beside the host's C library.
HOSTCC ?= gcc
UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -fno-builtin -iquote libc/include -iquote kernel
UNIT_TESTS := string format bootinfo cmdline acpi
unit_sources_string   := libc/string.c
unit_sources_format   := libc/format.c libc/string.c
unit_sources_bootinfo := kernel/bootinfo.c kernel/memmap.c
unit_sources_cmdline  := kernel/cmdline.c
unit_sources_acpi     := kernel/acpi.c
unit_defines_string   := -DLIBC_HOST_TEST
unit_defines_format   := -DLIBC_HOST_TEST

unit-tests: $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/check.h $$(unit_sources_$$*) $(wildcard libc/include/*.h kernel/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(unit_defines_$*) $< $(unit_sources_$*) -o $@

test: all unit-tests
	$(Q)$(PYTHON) tests/run.py --build $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
