"""The same kernel.elf through GRUB from the ISO, with BIOS (SeaBIOS) and UEFI (OVMF)
firmware: GRUB's menu comes up, the default entry boots via multiboot2, and the kernel
powers the machine off through ACPI when asked."""
import re


def boot_iso(ctx, uefi, kmon=False):
    m = ctx.machine(iso=True, uefi=uefi)
    if kmon:
        # The second menu entry: arrow down (VT100 escape sequence) and Enter on the serial
        # line, while GRUB's menu waits.
        m.wait_for(r"Lantern kernel monitor", timeout=120)   # OVMF is slow to start
        m.type("\x1b[B")
        m.type("\r")
    m.wait_for(r"Lantern version", timeout=120)
    log = m.wait_for(r"kmon> " if kmon else r"init: Lantern init starting \(pid 1\)", timeout=30)
    log = m.text()
    assert re.search(r"Booted by GRUB [\d.]+", log), "not booted by GRUB (multiboot2)"
    assert ("(UEFI)" in log) == uefi
    assert re.search(r"e820: \d+K usable RAM", log)
    return m, log


def power_off(m):
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    assert "reboot: Power down" in m.text()


def test_iso_bios_runs_init(ctx):
    _, log = boot_iso(ctx, uefi=False)
    assert "RAMDISK: [mem" in log, "GRUB's module2 did not arrive as the initramfs"
    assert "Run /init as init process" in log


def test_iso_uefi_runs_init(ctx):
    _, log = boot_iso(ctx, uefi=True)
    assert "ACPI: XSDT" in log, "OVMF's tables are found through the XSDT"
    assert "Run /init as init process" in log


def test_iso_bios_kmon_power_off(ctx):
    m, _ = boot_iso(ctx, uefi=False, kmon=True)
    power_off(m)


def test_iso_uefi_kmon_power_off(ctx):
    m, _ = boot_iso(ctx, uefi=True, kmon=True)
    power_off(m)


def test_iso_10000_character_command_line(ctx):
    """GRUB passes a 10,000-character command line; the kernel keeps 2047 and says so."""
    import os
    import shutil
    import subprocess
    root = os.path.join(ctx.build, "iso-longcmd")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "boot", "grub"))
    shutil.copy(os.path.join(ctx.build, "kernel.elf"), os.path.join(root, "boot"))
    with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
        # GRUB's config lexer takes tokens up to a few KiB, so build the line from a
        # variable: ten expansions of 1,000 characters.
        f.write("serial --unit=0 --speed=115200\nterminal_output serial\nset timeout=0\n"
                f"set b={'b' * 1000}\n"
                "menuentry long {\n multiboot2 /boot/kernel.elf kmon $b$b$b$b$b$b$b$b$b$b\n boot\n}\n")
    iso = os.path.join(ctx.build, "longcmd.iso")
    r = subprocess.run(["grub-mkrescue", "-o", iso, root], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = ctx.machine(iso=iso)
    m.wait_for(r"kmon> ", timeout=60)
    log = m.text()
    assert re.search(r"bootinfo: .*truncat", log, re.I), "no truncation warning"
    assert re.search(r"Command line: kmon b{2042}$", log, re.M), "command line not cut at 2047"
