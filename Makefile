# Makefile for Lantern, a small teaching operating system.
#
#   make            build/kernel.elf and build/os.iso
#   make run        install missing packages (as root) or say which, build, boot the ISO
#                   on 4 CPUs (SMP=N: on N)
#   make run-nox    the same, on this terminal only
#   make debug      QEMU paused with a gdb stub, and gdb attached (see README)
#   make test       unit tests on the host, then system tests that boot the kernel in QEMU
#   make docs       regenerate the logs and figures in docs/ from a real boot
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
# asm_offsets.c is not linked in: it only generates asm_offsets.inc (below).
KERNEL_C := $(filter-out kernel/asm_offsets.c,$(wildcard kernel/*.c))
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
NASMFLAGS := -f elf64 -Ikernel/ -I$(BUILD)/kernel/
# The boot segment holds code, data and page tables together, so it is writable and
# executable: ld should not warn about it. (The kernel proper is split by permission.)
KERNEL_LDFLAGS += --no-warn-rwx-segments

.PHONY: all kernel iso run run-nox debug test unit-tests clean deps deps-test
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

# The vDSO (vdso/): a tiny shared library the kernel maps into every process, built here
# and embedded in the kernel by kernel/vdso_image.asm (.incbin). Position-independent, no
# libc, no writable data; its layout and exported versions are vdso.lds and vdso.map.
VDSO_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -ffreestanding -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) -fno-stack-protector -fno-builtin \
    -fasynchronous-unwind-tables -fno-omit-frame-pointer
VDSO_LDFLAGS := -shared -nostdlib -T vdso/vdso.lds --version-script=vdso/vdso.map \
    --hash-style=both -soname=linux-vdso.so.1 --eh-frame-hdr -z max-page-size=4096 \
    -z noexecstack --no-undefined --build-id=none
VDSO_OBJS := $(BUILD)/vdso/vclock.o $(BUILD)/vdso/note.o
$(BUILD)/vdso/%.o: vdso/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(VDSO_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/vdso/%.o: vdso/%.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VDSO_CFLAGS) -c $< -o $@
# Debug information stays in vdso.dbg.so (for gdb); the kernel embeds the stripped one.
$(BUILD)/vdso/vdso.so: $(VDSO_OBJS) vdso/vdso.lds vdso/vdso.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(VDSO_LDFLAGS) -o $(BUILD)/vdso/vdso.dbg.so $(VDSO_OBJS)
	$(Q)$(STRIP) --strip-debug -o $@ $(BUILD)/vdso/vdso.dbg.so
	@# A relocation would be applied by nobody: the image is mapped as it is.
	$(Q)if readelf -r $@ | grep -q 'Relocation section'; then echo "vdso: has relocations"; rm -f $@; exit 1; fi
$(BUILD)/kernel/vdso_image.o: kernel/vdso_image.asm $(BUILD)/vdso/vdso.so
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -I$(BUILD)/vdso/ $< -o $@

# The console font for fbcon.c: a PSF font from Debian's console-setup-linux (`make deps`),
# unpacked here and embedded by kernel/font_image.asm (.incbin). The VGA glyphs, 8x16, as
# Linux's default framebuffer font.
CONSOLE_FONT ?= /usr/share/consolefonts/Lat15-VGA16.psf.gz
$(BUILD)/font/console-font.psf: $(CONSOLE_FONT)
	@mkdir -p $(dir $@)
	$(Q)gunzip -c $< > $@.tmp && mv $@.tmp $@
$(CONSOLE_FONT):
	@echo "no $@: install console-setup-linux (make deps)"; exit 1
$(BUILD)/kernel/font_image.o: kernel/font_image.asm $(BUILD)/font/console-font.psf
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -I$(BUILD)/font/ $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

# Offsets and constants for the kernel's assembly, from the C headers (see the file's
# comment): each "->NAME value" the compiler leaves in the .s becomes "%define NAME value".
$(BUILD)/kernel/asm_offsets.inc: kernel/asm_offsets.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -MT $@ -MF $(BUILD)/kernel/asm_offsets.d \
	    -S $< -o $(BUILD)/kernel/asm_offsets.s
	$(Q)sed -n 's/.*->\([A-Z_0-9]*\) \(-\{0,1\}[0-9]*\).*/%define \1 \2/p' \
	    $(BUILD)/kernel/asm_offsets.s > $@.tmp && mv $@.tmp $@
$(KERNEL_ASM:%.asm=$(BUILD)/%.o): $(BUILD)/kernel/asm_offsets.inc

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
	$(Q)rm -rf $(STAGE) && mkdir -p $(STAGE)/bin $(STAGE)/etc $(STAGE)/dev $(STAGE)/proc $(STAGE)/sys $(STAGE)/tmp
	$(Q)cp $(BUILD)/init/init $(STAGE)/init
	$(Q)cp $(USER_TEST_BINS) $(STAGE)/bin/
	@# Debug information stays in build/ (for gdb); the initramfs is guest RAM.
	$(Q)$(STRIP) --strip-debug $(STAGE)/init $(STAGE)/bin/*
	@# After strip, which would turn a symlink into a copy. See "threads and Go" below.
	$(Q)$(foreach l,$(THREAD_LINKS),ln -s $(lastword $(subst :, ,$l)) $(STAGE)/bin/$(firstword $(subst :, ,$l)) &&) true
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
# bigfile: a 64 MiB file, a full file system (tests/system/test_meta.py; Lantern only).
# smpvis: PSR and load averages at -smp 4 (tests/system/test_smp.py; Lantern only).
# clockset: sets the wall clock under timerfds (tests/system/test_clockset.py; never the host).
USER_TEST_BINS += $(BUILD)/user/fault $(BUILD)/user/sysreboot $(BUILD)/user/stress \
    $(BUILD)/user/pollcon $(BUILD)/user/bigfile $(BUILD)/user/musl_hello $(BUILD)/user/glibc_hello \
    $(BUILD)/user/musl_vdso $(BUILD)/user/glibc_vdso $(BUILD)/user/smpvis $(BUILD)/user/clockset
$(BUILD)/user/fault $(BUILD)/user/sysreboot $(BUILD)/user/stress $(BUILD)/user/pollcon $(BUILD)/user/bigfile $(BUILD)/user/smpvis $(BUILD)/user/clockset: $(BUILD)/user/%: $(CRT0) $(BUILD)/user/%.o $(LIBC_A)
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
# musl_vdso and glibc_vdso: the clocks through those C libraries' use of the vDSO.
$(BUILD)/user/musl_vdso: tests/user/vdso_clock.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $<")
	$(Q)$(MUSL_GCC) -static -O2 -Wall -Wextra -Werror -o $@ $<
$(BUILD)/user/glibc_vdso: tests/user/vdso_clock.c
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
# make deps: what building and booting need (make run installs only these); make deps-test
# adds what only the tests need (chromium for the trace page, OVMF, clang, gdb), which
# `make test` installs first.
deps:
	$(Q)tools/deps.sh
deps-test:
	$(Q)tools/deps.sh test

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

# make run (and make trace) boot a machine with four CPUs, each a host thread (QEMU's
# multi-threaded TCG); SMP=N another number. make test keeps one CPU unless SMP=N is given.
run run-nox trace: SMP ?= 4
MTTCG := -accel tcg,thread=multi
QEMU_SMP = $(if $(SMP),-smp $(SMP) $(MTTCG))

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_SMP) $(QEMU_BOOT) $(QEMU_DISPLAY)

run-nox: deps
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_COMMON) $(QEMU_SMP) $(QEMU_BOOT) -nographic

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
# The in-memory filesystem and the initramfs unpacker (strnlen is POSIX: _DEFAULT_SOURCE;
# HOST_TEST: file pages from kmalloc, no page cache).
UNIT_TESTS += ramfs cpio inflate
unit_sources_ramfs    := kernel/ramfs.c kernel/ramfs_lookup.c kernel/ramfs_data.c kernel/ramfs_rename.c
unit_sources_cpio     := kernel/initramfs.c kernel/cpio.c kernel/inflate.c $(unit_sources_ramfs)
unit_sources_inflate  := kernel/inflate.c
unit_defines_ramfs    := -D_DEFAULT_SOURCE -DHOST_TEST
unit_defines_cpio     := -D_DEFAULT_SOURCE -DHOST_TEST
# The page allocator and kmalloc; HOST_TEST makes their locks (spinlock.h) no-ops.
UNIT_TESTS += page_alloc kmalloc
unit_sources_page_alloc := kernel/page_alloc.c
unit_sources_kmalloc    := kernel/kmalloc.c kernel/page_alloc.c
unit_defines_page_alloc := -DHOST_TEST
unit_defines_kmalloc    := -DHOST_TEST
# The consoles' text grid and scrollback, on a fake screen.
UNIT_TESTS += vt
unit_sources_vt := kernel/vt.c
unit_defines_vt := -DHOST_TEST

unit-tests: $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/check.h $$(unit_sources_$$*) $(wildcard libc/include/*.h kernel/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(unit_defines_$*) $< $(unit_sources_$*) -o $@

test: deps-test
	$(Q)$(MAKE) --no-print-directory all unit-tests
	$(Q)$(if $(SMP),LANTERN_SMP=$(SMP) )$(PYTHON) tests/run.py --build $(BUILD)

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
	$(Q)$(PYTHON) tools/bench.py --build $(BUILD) $(if $(LINUX),--linux $(LINUX)) $(if $(SMP),--smp $(SMP)) $(if $(ROWS),--rows $(ROWS)) $(if $(BKL_STAT),--bkl-stat)

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
TOOLS := ls mkdir rm cp mv ln kill env wc head grep hexdump uname ps uptime free dmesg mount date
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

# ---------------------------------------------------------------- exercises
# The walkthrough's exercises that change code have a test each (tests/system/
# test_exercises.py) that `make test` reports as skipped until the exercise is started, and
# `make check-exercise NAME=...` runs on its own, failing until it is done:
#   NAME=times    add the times(2) system call (tests/exercises/ex_times.c must match Linux)
#   NAME=minflt   count page faults per process in /proc/PID/stat (docs/page-fault.md)
#   NAME=slice    a sched_slice=N command-line option for the time slice (docs/preemption.md)
#   NAME=myinit   your own init, user/myinit.c, built as /bin/myinit (docs/fork-exec-wait.md)
EXERCISE_BINS := $(BUILD)/user/ex_times $(if $(wildcard user/myinit.c),$(BUILD)/bin/myinit)
USER_TEST_BINS += $(EXERCISE_BINS)
$(BUILD)/user/ex_times.o: tests/exercises/ex_times.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/user/ex_times: $(CRT0) $(BUILD)/user/ex_times.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $^
$(BUILD)/bin/myinit: $(CRT0) $(BUILD)/bin/myinit.o $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $^
user: $(EXERCISE_BINS)

.PHONY: check-exercise
check-exercise: all
	@test -n "$(NAME)" || { echo "make check-exercise NAME=times|minflt|slice|myinit"; exit 2; }
	$(Q)LANTERN_EXERCISE=$(NAME) $(PYTHON) tests/run.py --build $(BUILD) --only '^exercises/$(NAME)$$'

# ---------------------------------------------------------------- the docs
# make docs: redraw docs/figures/*.svg from the source (tools/figures.py) and regenerate
# every log pasted into docs/*.md, and the figures the prose quotes, from real boots
# (tools/doclogs.py). tests/system/test_docs.py fails when either is out of date.
.PHONY: docs
docs: all
	$(Q)$(PYTHON) tools/figures.py
	$(Q)$(PYTHON) tools/doclogs.py --build $(BUILD) --write
	$(Q)$(PYTHON) tools/check_excerpts.py --fix

# ---------------------------------------------------------------- the event trace
# make trace: boot with `trace`, run a short scenario, and draw what the kernel did:
# build/trace.json (Perfetto, chrome://tracing) and build/trace.html (open it in a browser).
.PHONY: trace
trace: all
	$(Q)$(PYTHON) tools/trace_run.py --build $(BUILD) $(if $(SMP),--smp $(SMP))

# ---------------------------------------------------------------- fuzzing
# /bin/fuzz (user/fuzz*.c): the system-call fuzzer. `make fuzz` boots Lantern with it as
# init and judges the run (tools/fuzz_run.py): a panic or oops, a hang (30 s without
# progress), a reset, or a leak is a failure. tests/system/test_fuzz.py runs a short one.
#   make fuzz SECONDS=60 SEED=7 [WORKERS=4] [FUZZER=threads] [SMP=4]
# FUZZER=calls (the default): random calls, hostile arguments; FUZZER=threads: threads of
# one process hammering one address space (user/fuzz_threads.c).
#   replay one worker: boot with CMDLINE="rdinit=/bin/fuzz norandmaps -- --seed 7 --worker 12 --calls 500"
SECONDS ?= 60
SEED ?= 1
WORKERS ?= 4
FUZZER ?= calls
FUZZ_OBJS := $(patsubst user/%.c,$(BUILD)/bin/%.o,$(wildcard user/fuzz*.c))
$(BUILD)/bin/fuzz: $(CRT0) $(FUZZ_OBJS) $(LIBC_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(USER_LDFLAGS) --strip-debug -o $@ $^
USER_BINS += $(BUILD)/bin/fuzz
USER_TEST_BINS += $(BUILD)/bin/fuzz
user: $(BUILD)/bin/fuzz

.PHONY: fuzz
fuzz: all
	$(Q)$(PYTHON) tools/fuzz_run.py --build $(BUILD) --seconds $(SECONDS) --seed $(SEED) --workers $(WORKERS) --design $(FUZZER) $(if $(SMP),--smp $(SMP))

# ---------------------------------------------------------------- host fuzzing of the parsers
# libFuzzer harnesses (tests/fuzz/fuzz_*.c) for the kernel's parsers of untrusted input,
# compiled on the host with clang and the sanitizers, as the unit tests compile them:
#   cmdline    the kernel command line (kernel/cmdline.c)
#   bootinfo   multiboot2 and PVH boot information, the e820 map (bootinfo.c, memmap.c)
#   cpio       the initramfs unpacker into the ramfs (initramfs.c, cpio.c, inflate.c, ramfs*.c)
#   inflate    gzip (inflate.c)
#   elf        execve's ELF header and program-header checks (exec_parse.c)
#   script     execve's "#!" line parser (exec_parse.c)
# Each starts from its seed corpus, tests/fuzz/corpus/<name>/; what it learns goes to
# $(BUILD)/fuzz/corpus/<name>/ and any crash to $(BUILD)/fuzz/crash-<name>-*.
#   make fuzz-host SECONDS=60        each harness for 60 s
FUZZ_HOST_CC ?= clang
FUZZ_HOST := cmdline bootinfo cpio inflate elf script
FUZZ_HOST_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-builtin -Wall -Wextra -Werror -iquote libc/include -iquote kernel -iquote tests/unit
fuzz_sources_cmdline  := kernel/cmdline.c
fuzz_sources_bootinfo := kernel/bootinfo.c kernel/memmap.c
fuzz_sources_cpio     := $(unit_sources_cpio)
fuzz_sources_inflate  := kernel/inflate.c
fuzz_sources_elf      := kernel/exec_parse.c libc/string.c
fuzz_sources_script   := kernel/exec_parse.c libc/string.c
fuzz_defines_cpio     := $(unit_defines_cpio)

.PHONY: fuzz-host fuzz-host-build
fuzz-host-build: $(FUZZ_HOST:%=$(BUILD)/fuzz/fuzz_%)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_sources_$$*) $(wildcard kernel/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_HOST_CC) $(FUZZ_HOST_CFLAGS) $(fuzz_defines_$*) $< $(fuzz_sources_$*) -o $@

fuzz-host: fuzz-host-build
	$(Q)for h in $(FUZZ_HOST); do \
	    mkdir -p $(BUILD)/fuzz/corpus/$$h && echo "  FUZZ    $$h for $(SECONDS) s" && \
	    $(BUILD)/fuzz/fuzz_$$h -max_total_time=$(SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzz/crash-$$h- $(BUILD)/fuzz/corpus/$$h tests/fuzz/corpus/$$h \
	        > $(BUILD)/fuzz/$$h.log 2>&1 || { tail -40 $(BUILD)/fuzz/$$h.log; exit 1; }; \
	    grep -E "stat::number_of_executed_units|cov:" $(BUILD)/fuzz/$$h.log | tail -2; \
	done
# ---------------------------------------------------------------- threads and Go
# Programs built with real C libraries and with Go, not with our libc: the tests of threads
# (clone, futex, per-thread signals, sigaltstack). Linux runs them as they are; so must we.
#
# /bin/goinit (user/go/goinit/): a Go program as PID 1 (tests/system/test_go.py), built
# with the host's go; tools/deps.sh installs it. Static: CGO_ENABLED=0, no C library.
GO ?= go
GOINIT := $(BUILD)/bin/goinit
ifneq ($(shell command -v $(GO) 2>/dev/null),)
USER_TEST_BINS += $(GOINIT)
user: $(GOINIT)
# go keeps its cache under $HOME; without one (some CI runners), under build/.
$(GOINIT): user/go/goinit/go.mod $(wildcard user/go/goinit/*.go)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $@")
	$(Q)cd user/go/goinit && $(if $(HOME),,GOCACHE=$(abspath $(BUILD))/go-cache) \
	    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags='-s -w' -o $(abspath $@) .
else
$(info skipping goinit: go not installed (tools/deps.sh installs golang-go))
endif

# The pthread parity programs (tests/user/pthread_*.c, with thr_util.c, their helpers), each
# built twice from the same source: with the host's static glibc and with Debian's musl-gcc.
# test_threads.py runs NAME_glibc and NAME_musl on the host and as init on Lantern, and
# compares. threadstress (stress checks) and bench_threads (user/: benchmarks for
# tools/bench.py) are glibc only. A static glibc program is ~800 KiB and the initramfs is
# guest RAM, so each C library's programs are one binary (tests/user/threads_main.c picks
# by argv[0], like busybox): threads_glibc and threads_musl, and every NAME_glibc,
# NAME_musl and bench_threads is a symlink to one of them, in build/user/ and in /bin.
THREAD_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
PTHREAD_TESTS := pthread_sync pthread_signals pthread_process pthread_futex pthread_robust pthread_uaccess \
    pthread_timers pthread_socketpair pthread_signalfd pthread_splice pthread_sysvmsg pthread_shm pthread_sysvsem \
    pthread_pipe pthread_fileread pthread_filewrite pthread_unix pthread_unix_adv pthread_rseq
THREADS_MUSL_OBJS := $(PTHREAD_TESTS:%=$(BUILD)/threads/musl/%.o) $(BUILD)/threads/musl/thr_util.o
THREADS_GLIBC_OBJS := $(PTHREAD_TESTS:%=$(BUILD)/threads/glibc/%.o) $(BUILD)/threads/glibc/thr_util.o \
    $(BUILD)/threads/glibc/threadstress.o $(BUILD)/threads/glibc/bench_threads.o \
    $(BUILD)/threads/glibc/smpstress.o
$(BUILD)/threads/glibc/%.o: tests/user/%.c tests/user/thr_util.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -Dmain=$*_main -c $< -o $@
$(BUILD)/threads/glibc/bench_threads.o: user/bench_threads.c user/bench_bkl_stat.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -Dmain=bench_threads_main -c $< -o $@
$(BUILD)/threads/musl/%.o: tests/user/%.c tests/user/thr_util.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(THREAD_CFLAGS) -Dmain=$*_main -c $< -o $@
# thr_util.o and the dispatcher keep their names (no main to rename in thr_util).
$(BUILD)/threads/glibc/thr_util.o $(BUILD)/threads/musl/thr_util.o: $(BUILD)/threads/%/thr_util.o: tests/user/thr_util.c tests/user/thr_util.h
	@mkdir -p $(dir $@)
	$(Q)$(if $(findstring musl,$*),$(MUSL_GCC),$(HOSTCC)) $(THREAD_CFLAGS) -c $< -o $@
$(BUILD)/user/threads_glibc: tests/user/threads_main.c $(THREADS_GLIBC_OBJS)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -DWITH_GLIBC_ONLY -o $@ $^
$(BUILD)/user/threads_musl: tests/user/threads_main.c $(THREADS_MUSL_OBJS)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(THREAD_CFLAGS) -o $@ $^
# NAME:TARGET, the symlinks (relative: the same in build/user/ and in the initramfs's /bin).
THREAD_LINKS := $(PTHREAD_TESTS:%=%_glibc:threads_glibc) $(PTHREAD_TESTS:%=%_musl:threads_musl) \
    threadstress_glibc:threads_glibc bench_threads:threads_glibc smpstress:threads_glibc
THREAD_BINS := $(BUILD)/user/threads_glibc $(BUILD)/user/threads_musl
USER_TEST_BINS += $(THREAD_BINS)
user: $(THREAD_BINS) thread-links
.PHONY: thread-links
thread-links: $(THREAD_BINS)
	$(Q)$(foreach l,$(THREAD_LINKS),ln -sfn $(lastword $(subst :, ,$l)) $(BUILD)/user/$(firstword $(subst :, ,$l)) &&) true

# Parallel programs as people write them (tests/system/test_parallel.py runs each on the host
# and as init on Lantern at 1 and 4 CPUs): tests/user/parallel.c with static glibc and with
# musl (pthreads, semaphores, cancel, signals, fork and exec in threaded processes,
# pipelines of processes), and tests/user/gopar/, Go with GOMAXPROCS=4.
PARALLEL_BINS := $(BUILD)/user/parallel_glibc $(BUILD)/user/parallel_musl
$(BUILD)/user/parallel_glibc: tests/user/parallel.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -o $@ $<
$(BUILD)/user/parallel_musl: tests/user/parallel.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(THREAD_CFLAGS) -o $@ $<
# The second round (tests/user/parallel2.c): epoll, poll and select across threads,
# O_APPEND writers, sigwait threads, affinity, shared mappings, robust locks, sleepers.
PARALLEL_BINS += $(BUILD)/user/parallel2_glibc $(BUILD)/user/parallel2_musl
$(BUILD)/user/parallel2_glibc: tests/user/parallel2.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -o $@ $<
$(BUILD)/user/parallel2_musl: tests/user/parallel2.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(THREAD_CFLAGS) -o $@ $<
# File locks under parallel load (tests/user/flockpar.c): flock, F_SETLKW and F_OFD_SETLKW.
PARALLEL_BINS += $(BUILD)/user/flockpar_glibc $(BUILD)/user/flockpar_musl
$(BUILD)/user/flockpar_glibc: tests/user/flockpar.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(THREAD_CFLAGS) -o $@ $<
$(BUILD)/user/flockpar_musl: tests/user/flockpar.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(THREAD_CFLAGS) -o $@ $<
ifneq ($(shell command -v $(GO) 2>/dev/null),)
PARALLEL_BINS += $(BUILD)/user/gopar
$(BUILD)/user/gopar: tests/user/gopar/go.mod $(wildcard tests/user/gopar/*.go)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $@")
	$(Q)cd tests/user/gopar && $(if $(HOME),,GOCACHE=$(abspath $(BUILD))/go-cache) \
	    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags='-s -w' -o $(abspath $@) .
PARALLEL_BINS += $(BUILD)/user/gopar2
$(BUILD)/user/gopar2: tests/user/gopar2/go.mod $(wildcard tests/user/gopar2/*.go)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $@")
	$(Q)cd tests/user/gopar2 && $(if $(HOME),,GOCACHE=$(abspath $(BUILD))/go-cache) \
	    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags='-s -w' -o $(abspath $@) .
PARALLEL_BINS += $(BUILD)/user/gounix
$(BUILD)/user/gounix: tests/user/gounix/go.mod $(wildcard tests/user/gounix/*.go)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $@")
	$(Q)cd tests/user/gounix && $(if $(HOME),,GOCACHE=$(abspath $(BUILD))/go-cache) \
	    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags='-s -w' -o $(abspath $@) .
endif
user: $(PARALLEL_BINS)
# Their own initramfs (build/initramfs-parallel.cpio: /bin and the directories init needs),
# not the main one: 3 MiB more there would be 3 MiB less for the tests run in 32 MiB.
PARALLEL_INITRAMFS := $(BUILD)/initramfs-parallel.cpio
PARALLEL_STAGE := $(BUILD)/rootfs-parallel
initramfs: $(PARALLEL_INITRAMFS)
$(PARALLEL_INITRAMFS): $(PARALLEL_BINS)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)rm -rf $(PARALLEL_STAGE) && mkdir -p $(PARALLEL_STAGE)/bin $(PARALLEL_STAGE)/dev $(PARALLEL_STAGE)/proc $(PARALLEL_STAGE)/tmp
	$(Q)cp $(PARALLEL_BINS) $(PARALLEL_STAGE)/bin/
	$(Q)$(STRIP) --strip-debug $(PARALLEL_STAGE)/bin/parallel_*
	$(Q)cd $(PARALLEL_STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio --quiet -o -H newc --owner=0:0 --reproducible > $(abspath $@)

# The third round (tests/user/par3/, tests/system/test_parallel3.py): programs as Debian's
# tools build them. par3dyn, dynamic glibc with threads, a library it needs and two it opens
# with dlopen (thread-local storage in each); OpenMP (libgomp) static and dynamic; C++20
# threads (libstdc++) static and dynamic; and, where a rustc is installed (Debian's rustc
# package), par3rs, Rust's std threads, static. Their initramfs holds them with the shared
# libraries they load (tools/copy-with-libs.sh), and libgcc_s.so.1, which glibc's
# pthread_cancel opens.
HOSTCXX ?= g++
RUSTC ?= rustc
PAR3 := $(BUILD)/par3
PAR3_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
PAR3_BINS := $(PAR3)/par3dyn $(PAR3)/libpar3plugin.so $(PAR3)/libpar3dynplugin.so \
    $(PAR3)/par3omp $(PAR3)/par3omp_dyn $(PAR3)/par3cxx $(PAR3)/par3cxx_dyn
$(PAR3)/libpar3needed.so: tests/user/par3/needed.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -fPIC -shared -o $@ $<
$(PAR3)/libpar3plugin.so: tests/user/par3/plugin.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -fPIC -shared -o $@ $<
$(PAR3)/libpar3dynplugin.so: tests/user/par3/plugin.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -DDYNAMIC_TLS -fPIC -shared -o $@ $<
# On the host par3dyn finds libpar3needed.so beside it ($$ORIGIN); on Lantern, as init with
# no /proc to name its directory, in the C library's directory.
$(PAR3)/par3dyn: tests/user/par3/dyn.c $(PAR3)/libpar3needed.so
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -o $@ $< -L$(PAR3) -lpar3needed -ldl -Wl,-rpath,'$$ORIGIN'
$(PAR3)/par3omp: tests/user/par3/omp.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -fopenmp -static -o $@ $< 2>&1 | { grep -v "gomp_target_init\|Using 'dlopen' in statically" || true; }
	@test -x $@
$(PAR3)/par3omp_dyn: tests/user/par3/omp.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(PAR3_CFLAGS) -fopenmp -o $@ $<
$(PAR3)/par3cxx: tests/user/par3/cxx.cpp
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCXX $@")
	$(Q)$(HOSTCXX) -std=c++20 -O2 -g -Wall -Wextra -Werror -pthread -static -o $@ $<
$(PAR3)/par3cxx_dyn: tests/user/par3/cxx.cpp
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCXX $@")
	$(Q)$(HOSTCXX) -std=c++20 -O2 -g -Wall -Wextra -Werror -pthread -o $@ $<
ifneq ($(shell command -v $(RUSTC) 2>/dev/null),)
PAR3_BINS += $(PAR3)/par3rs
endif
# `make par3rs`: the Rust program alone (needs a rustc: Debian's rustc package, 1.63 or later).
.PHONY: par3rs
par3rs: $(PAR3)/par3rs
$(PAR3)/par3rs: tests/user/par3/rs.rs
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  RUSTC   $@")
	$(Q)env -u MAKEFLAGS -u MFLAGS $(RUSTC) -O --edition 2021 -C target-feature=+crt-static -C debuginfo=0 -o $@ $<
user: $(PAR3_BINS)
PAR3_INITRAMFS := $(BUILD)/initramfs-parallel3.cpio
PAR3_STAGE := $(BUILD)/rootfs-parallel3
initramfs: $(PAR3_INITRAMFS)
$(PAR3_INITRAMFS): $(PAR3_BINS) $(PAR3)/libpar3needed.so tools/copy-with-libs.sh
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)rm -rf $(PAR3_STAGE) && mkdir -p $(PAR3_STAGE)/bin $(PAR3_STAGE)/dev $(PAR3_STAGE)/proc $(PAR3_STAGE)/tmp
	$(Q)tools/copy-with-libs.sh $(PAR3_STAGE) $(foreach b,$(filter-out %/par3dyn,$(PAR3_BINS)),$(b)=/bin/$(notdir $(b)))
	$(Q)libdir=$$(ldd $(PAR3)/par3dyn | awk '/libc.so.6 => / { print $$3 }' | xargs dirname) && \
	    cp $(PAR3)/par3dyn $(PAR3_STAGE)/bin/ && cp $(PAR3)/libpar3needed.so $(PAR3_STAGE)$$libdir/ && \
	    tools/copy-with-libs.sh $(PAR3_STAGE) $$libdir/libc.so.6 $$libdir/libgcc_s.so.1
	$(Q)$(STRIP) --strip-debug $(PAR3_STAGE)/bin/par3*
	$(Q)cd $(PAR3_STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio --quiet -o -H newc --owner=0:0 --reproducible > $(abspath $@)
