# Makefile for Lantern, a small teaching operating system.
#
#   make            build/kernel.elf and build/os.iso
#   make run        install missing packages (as root) or say which, build, boot the ISO
#   make run-nox    the same, on this terminal only
#   make debug      QEMU paused with a gdb stub, and gdb attached (see README)
#   make test       unit tests on the host, then system tests that boot the kernel in QEMU
#   make CC=clang   build with clang instead of gcc;  make V=1  shows every command
#   make run CMDLINE="loglevel=4 ..."   adds words to the kernel command line
#   make run ROOTFS=busybox             boots Debian's busybox as the whole userland instead

ifeq ($(origin CC),default)
CC := gcc
endif
LD      ?= ld
# The host's compiler: for unit tests and the glibc-linked test program.
HOSTCC  ?= gcc
NASM    ?= nasm
NM      ?= nm
STRIP   ?= strip
PYTHON  ?= python3
QEMU    ?= qemu-system-x86_64
BUILD   ?= build
VERSION := 0.1.0
# The initramfs is made in its own section below; the ISO rule needs its name already.
INITRAMFS := $(BUILD)/initramfs.cpio
BB_INITRAMFS := $(BUILD)/initramfs-busybox.cpio
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
NASMFLAGS := -f elf64 -Ikernel/
# The boot segment holds code, data and page tables together, so it is writable and
# executable: ld should not warn about it. (The kernel proper is split by permission.)
KERNEL_LDFLAGS += --no-warn-rwx-segments

.PHONY: all kernel iso run run-nox debug test unit-tests clean deps
.SECONDEXPANSION:
all: kernel initramfs iso
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
$(BUILD)/os.iso: $(BUILD)/kernel.elf $(INITRAMFS) $(BB_INITRAMFS) iso/boot/grub/grub.cfg
	@$(if $(Q),echo "  ISO     $@")
	$(Q)rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	$(Q)cp $(BUILD)/kernel.elf $(BUILD)/iso/boot/kernel.elf
	$(Q)cp $(INITRAMFS) $(BUILD)/iso/boot/initramfs.cpio
	$(Q)cp $(BB_INITRAMFS) $(BUILD)/iso/boot/initramfs-busybox.cpio
	$(Q)cp iso/boot/grub/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso $(if $(Q),> $(BUILD)/grub-mkrescue.log 2>&1) || \
	    { cat $(BUILD)/grub-mkrescue.log 2>/dev/null; exit 1; }

# ---------------------------------------------------------------- the initramfs
# The root filesystem the kernel unpacks at boot: a cpio "newc" archive, as Linux's
# initramfs, made with the cpio tool from a staging tree:
#   /init          PID 1 (init/)
#   /bin/...       the test programs (tests/user/)
#   /etc/...       their data (tests/user/rootfs/), init's files (rootfs/: inittab, rc),
#                  and whatever ROOTFS_EXTRA=dir adds
# The archive is rebuilt on every make (it is cheap) but replaced only when its bytes
# change, so the ISO is not remade for nothing.
STAGE := $(BUILD)/rootfs
ROOTFS_EXTRA ?=

.PHONY: initramfs FORCE
initramfs: $(INITRAMFS)
$(INITRAMFS): $$(USER_PROGS) FORCE
	$(Q)rm -rf $(STAGE) && mkdir -p $(STAGE)/bin $(STAGE)/etc $(STAGE)/dev $(STAGE)/proc $(STAGE)/tmp
	$(Q)cp $(BUILD)/init/init $(STAGE)/init
	$(Q)cp $(USER_TEST_BINS) $(STAGE)/bin/
	@# Debug information stays in build/ (for gdb); the initramfs is guest RAM.
	$(Q)$(STRIP) --strip-debug $(STAGE)/init $(STAGE)/bin/*
	$(Q)cp -R tests/user/rootfs/. $(STAGE)/
	$(Q)cp -R rootfs/. $(STAGE)/
	$(Q)$(if $(ROOTFS_EXTRA),cp -R $(ROOTFS_EXTRA)/. $(STAGE)/)
	$(Q)cd $(STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio --quiet -o -H newc --owner=0:0 --reproducible > $(abspath $@).new
	$(Q)if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; echo "  CPIO    $@"; fi

# The busybox root filesystem: Debian's busybox-static (BUSYBOX, installed by `make deps`)
# is the whole userland. /bin/busybox is copied from the package at build time, and every
# applet it lists (`busybox --list-full`: bin/ls, sbin/init, usr/bin/awk...) is a symlink
# to it; so is /init, the kernel's default rdinit, and busybox's init starts as PID 1 and
# reads rootfs-busybox/etc/inittab. tests/busybox/ adds the checks test_busybox.py runs.
BUSYBOX ?= /bin/busybox
BB_STAGE := $(BUILD)/rootfs-busybox
initramfs: $(BB_INITRAMFS)
$(BB_INITRAMFS): FORCE
	@test -x $(BUSYBOX) || { echo "no $(BUSYBOX): install busybox-static (make deps)"; exit 1; }
	$(Q)rm -rf $(BB_STAGE) && mkdir -p $(BB_STAGE)/bin $(BB_STAGE)/sbin $(BB_STAGE)/usr/bin \
	    $(BB_STAGE)/usr/sbin $(BB_STAGE)/dev $(BB_STAGE)/proc $(BB_STAGE)/sys $(BB_STAGE)/tmp $(BB_STAGE)/root
	$(Q)cp $(BUSYBOX) $(BB_STAGE)/bin/busybox
	$(Q)for f in $$($(BB_STAGE)/bin/busybox --list-full); do \
	    [ -e $(BB_STAGE)/$$f ] || ln -s /bin/busybox $(BB_STAGE)/$$f; done
	$(Q)ln -s /bin/busybox $(BB_STAGE)/init
	$(Q)cp -R rootfs-busybox/. $(BB_STAGE)/
	$(Q)cp -R tests/busybox/. $(BB_STAGE)/etc/
	$(Q)cd $(BB_STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio --quiet -o -H newc --owner=0:0 --reproducible > $(abspath $@).new
	$(Q)if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; echo "  CPIO    $@"; fi

# ---------------------------------------------------------------- user space
# The C library for user programs (libc/), init, and the test programs (tests/user/). They
# are ordinary static Linux x86_64 ELF files: the same binary runs on the host Linux and on
# Lantern. The libc sources the kernel also compiles (LIBC_SHARED) are built again here,
# with user-space flags: the red zone is allowed and there is no -mcmodel=kernel.
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Ilibc/include \
    -fno-pie -fno-stack-protector -fno-builtin -fno-omit-frame-pointer
ifneq ($(findstring clang,$(COMPILER_ID)),clang)
USER_CFLAGS += -fno-tree-loop-distribute-patterns   # as for the kernel: see string.c
endif
# No linker script: ld's default layout (at 0x400000) is what Linux expects.
USER_LDFLAGS := -static -nostdlib -no-pie -z noexecstack -e _start

LIBC_SRCS := $(wildcard libc/*.c)
# The few functions C cannot write (vfork, the signal return trampoline) are assembly;
# crt0.S is not in the library: it is linked first into every program.
LIBC_ASM  := $(filter-out libc/crt0.S,$(wildcard libc/*.S))
LIBC_OBJS := $(LIBC_SRCS:libc/%.c=$(BUILD)/libc/%.o) $(LIBC_ASM:libc/%.S=$(BUILD)/libc/%.o)
LIBC_A    := $(BUILD)/libc/libc.a
CRT0      := $(BUILD)/libc/crt0.o
USER_TESTS := $(patsubst tests/user/%.c,%,$(wildcard tests/user/t_*.c))
USER_TEST_BINS := $(USER_TESTS:%=$(BUILD)/user/%)
USER_PROGS = $(BUILD)/init/init $(USER_TEST_BINS)

.PHONY: user user-expected
all: user
user: $(USER_PROGS)

$(BUILD)/libc/%.o: libc/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/libc/%.o: libc/%.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBC_A): $(LIBC_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/init/%.o: init/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/user/%.o: tests/user/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

# init: every init/*.c (init.c, the script; inittab.c, supervise.c, its helpers).
INIT_OBJS := $(patsubst init/%.c,$(BUILD)/init/%.o,$(wildcard init/*.c))
$(BUILD)/init/init: $(CRT0) $(INIT_OBJS) $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $^

# Each test program is one t_NAME.c, plus parity.c, the helpers they share.
$(USER_TEST_BINS): $(BUILD)/user/%: $(CRT0) $(BUILD)/user/%.o $(BUILD)/user/parity.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $^

# fault: does one bad thing (tests/system/test_faults.py). musl_hello and glibc_hello: one
# ordinary C program built with Debian's musl-gcc and with the host's static glibc, not
# with our libc, to show that unmodified static Linux programs run.
MUSL_GCC ?= musl-gcc
# sysreboot: the reboot syscall (tests/system/test_reboot.py; never run it on the host).
# stress: multitasking checks for tests/system/test_multitasking.py (Lantern only).
# pollcon: polls the console while tests/system/test_poll_console.py types (Lantern only).
USER_TEST_BINS += $(BUILD)/user/fault $(BUILD)/user/sysreboot $(BUILD)/user/stress \
    $(BUILD)/user/pollcon $(BUILD)/user/musl_hello $(BUILD)/user/glibc_hello
$(BUILD)/user/fault $(BUILD)/user/sysreboot $(BUILD)/user/stress $(BUILD)/user/pollcon: $(BUILD)/user/%: $(CRT0) $(BUILD)/user/%.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $^
$(BUILD)/user/musl_hello: tests/user/static_hello.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $<")
	$(Q)$(MUSL_GCC) -static -O2 -Wall -Wextra -Werror -o $@ $<
# dynamic_glibc, dynamic_musl: one program, dynamically linked (tests/system/test_dynamic.py
# adds them and their libraries to a copy of the initramfs with tools/copy-with-libs.sh).
DYNAMIC_BINS := $(BUILD)/dyn/dynamic_glibc $(BUILD)/dyn/dynamic_musl
user: $(DYNAMIC_BINS)
$(BUILD)/dyn/dynamic_glibc: tests/user/dynamic.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -pthread -o $@ $<
$(BUILD)/dyn/dynamic_musl: tests/user/dynamic.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $<")
	$(Q)$(MUSL_GCC) -O2 -Wall -Wextra -Werror -o $@ $<
$(BUILD)/user/glibc_hello: tests/user/static_hello.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# Run each test program on the host (in tests/user/rootfs) and keep its output in
# $(BUILD)/user/expected/: what the same binary must print on Lantern.
user-expected: user
	$(Q)$(PYTHON) tests/user/host.py --build $(BUILD)

# Host unit tests of libc code that is user-only (see the tests section).
unit_sources_stdlib := libc/strtol.c libc/qsort.c
unit_defines_stdlib := -DLIBC_HOST_TEST
unit-tests: $(BUILD)/unit/test_stdlib

# ---------------------------------------------------------------- running it
deps:
	$(Q)tools/deps.sh

QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),-serial mon:stdio,-nographic)
QEMU_COMMON := -m 256M -no-reboot

# With CMDLINE set, boot the kernel directly (PVH) with that command line instead of GRUB.
# ROOTFS=busybox boots directly too, with the busybox initramfs (the ISO's GRUB menu has
# an entry for it as well).
ROOTFS ?= lantern
ifeq ($(ROOTFS),busybox)
QEMU_BOOT = -kernel $(BUILD)/kernel.elf -initrd $(BB_INITRAMFS) -append "$(CMDLINE)"
else ifeq ($(ROOTFS),lantern)
QEMU_BOOT = $(if $(CMDLINE),-kernel $(BUILD)/kernel.elf -initrd $(INITRAMFS) -append "$(CMDLINE)",-cdrom $(BUILD)/os.iso)
else
$(error ROOTFS=$(ROOTFS): lantern (the default) or busybox)
endif

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_BOOT) $(QEMU_DISPLAY)

run-nox: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_BOOT) -nographic

# The kernel boots directly (PVH) with the CPU stopped at the first instruction; gdb loads
# the kernel's symbols, breaks in kmain and continues. Quit gdb and QEMU goes too.
debug: kernel initramfs
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/kernel.elf -initrd $(INITRAMFS) -append "$(CMDLINE)" \
	    -display none -serial file:$(BUILD)/debug-serial.log -s -S & \
	    gdb -q -x tools/gdbinit; kill %1 2>/dev/null; true

# ---------------------------------------------------------------- tests
# Host unit tests of the freestanding code, with the sanitizers on. The libc tests rename
# our functions (LIBC_HOST_TEST) so they can sit beside the host's C library.
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
# The in-memory filesystem and the initramfs unpacker (strnlen is POSIX: _DEFAULT_SOURCE).
UNIT_TESTS += ramfs cpio inflate
unit_sources_ramfs    := kernel/ramfs.c kernel/ramfs_lookup.c kernel/ramfs_data.c kernel/ramfs_rename.c
unit_sources_cpio     := kernel/initramfs.c kernel/cpio.c kernel/inflate.c $(unit_sources_ramfs)
unit_sources_inflate  := kernel/inflate.c
unit_defines_ramfs    := -D_DEFAULT_SOURCE
unit_defines_cpio     := -D_DEFAULT_SOURCE
# The page allocator and kmalloc; HOST_TEST makes their locks (spinlock.h) no-ops.
UNIT_TESTS += page_alloc kmalloc
unit_sources_page_alloc := kernel/page_alloc.c
unit_sources_kmalloc    := kernel/kmalloc.c kernel/page_alloc.c
unit_defines_page_alloc := -DHOST_TEST
unit_defines_kmalloc    := -DHOST_TEST

unit-tests: $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/check.h $$(unit_sources_$$*) $(wildcard libc/include/*.h kernel/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(unit_defines_$*) $< $(unit_sources_$*) -o $@

test: all unit-tests
	$(Q)$(PYTHON) tests/run.py --build $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

# ---------------------------------------------------------------- benchmarks
# user/ holds programs that are not tests, such as user/bench.c; they are built into
# $(BUILD)/bin/ with our libc, and reach the initramfs's /bin through USER_TEST_BINS, the
# list its rule copies.
#
#   make bench                         boot Lantern with rdinit=/bin/bench, print its numbers
#   make bench LINUX=path/to/vmlinuz   and Linux's, booted the same way, side by side
#   make bench LINUX=fetch             the same with Debian's kernel (tools/linux-oracle.sh)
#
# Not part of `make test`: the numbers are measurements, never assertions.
USER_BINS := $(BUILD)/bin/bench
USER_TEST_BINS += $(USER_BINS)
LINUX ?=

.PHONY: bench
user: $(USER_BINS)

$(BUILD)/bin/%.o: user/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

# Linked without debug information (--strip-debug; the symbols stay): it would triple the
# size, and the initramfs is guest RAM that the kernel reserves. The .o files keep it.
$(USER_BINS): $(BUILD)/bin/%: $(CRT0) $(BUILD)/bin/%.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^

bench: all
	$(Q)$(PYTHON) tools/bench.py --build $(BUILD) $(if $(LINUX),--linux $(LINUX))

# /bin/sh (user/sh*.c, several files: its own link rule), and the few commands its tests
# on Lantern need: echo, cat, true, false, sleep.
SH_OBJS := $(patsubst user/%.c,$(BUILD)/bin/%.o,$(wildcard user/sh*.c))
$(BUILD)/bin/sh: $(CRT0) $(SH_OBJS) $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
SH_TOOLS := $(BUILD)/bin/echo $(BUILD)/bin/cat $(BUILD)/bin/true $(BUILD)/bin/false $(BUILD)/bin/sleep
$(SH_TOOLS): $(BUILD)/bin/%: $(CRT0) $(BUILD)/bin/%.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
USER_BINS += $(BUILD)/bin/sh $(SH_TOOLS)
USER_TEST_BINS += $(BUILD)/bin/sh $(SH_TOOLS)
user: $(BUILD)/bin/sh $(SH_TOOLS)

# Everyday commands (user/<tool>.c, one file each): coreutils-like file tools, and the
# ones that read /proc (ps, free, uptime) or ask the kernel (dmesg, mount). Their host
# tests compare them with the real ones: tests/system/test_tools.py.
TOOLS := ls mkdir rm cp mv ln kill env wc head grep hexdump uname ps uptime free dmesg mount
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)
$(TOOL_BINS): $(BUILD)/bin/%: $(CRT0) $(BUILD)/bin/%.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
USER_BINS += $(TOOL_BINS)
USER_TEST_BINS += $(TOOL_BINS)
user: $(TOOL_BINS)

# poweroff, reboot, halt: one program (user/poweroff.c) under three names, as in busybox;
# argv[0] says which. Each asks init to take the system down (-f: at once, by itself).
$(BUILD)/bin/poweroff: $(CRT0) $(BUILD)/bin/poweroff.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
$(BUILD)/bin/reboot $(BUILD)/bin/halt: $(BUILD)/bin/poweroff
	$(Q)cp $< $@
POWER_BINS := $(BUILD)/bin/poweroff $(BUILD)/bin/reboot $(BUILD)/bin/halt
USER_BINS += $(POWER_BINS)
USER_TEST_BINS += $(POWER_BINS)
user: $(POWER_BINS)

# /bin/usertests (user/usertests*.c, several files: its own link rule): the in-OS test
# suite, as xv6's. Booted as init (rdinit=/bin/usertests) it powers the machine off at
# the end; tests/system/test_usertests.py runs it there and on the host.
USERTESTS_OBJS := $(patsubst user/%.c,$(BUILD)/bin/%.o,$(wildcard user/usertests*.c))
$(BUILD)/bin/usertests: $(CRT0) $(USERTESTS_OBJS) $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
USER_BINS += $(BUILD)/bin/usertests
USER_TEST_BINS += $(BUILD)/bin/usertests
user: $(BUILD)/bin/usertests

# ---------------------------------------------------------------- the event trace
# make trace: boot with `trace`, run a short scenario, and draw what the kernel did:
# build/trace.json (Perfetto, chrome://tracing) and build/trace.html (open it in a browser).
.PHONY: trace
trace: all
	$(Q)$(PYTHON) tools/trace_run.py --build $(BUILD)
