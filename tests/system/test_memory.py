"""Memory: the kernel owns RAM (Linux's "Memory:" line), protects its own image, and keeps
its hands off user pages outside the user-copy functions (SMAP)."""
import os
import re


def memory_line(ctx, memory):
    m = ctx.machine(kernel_args="kmon", memory=memory)
    m.wait_for("kmon> ")
    log = m.text()
    mm = re.search(r"Memory: (\d+)K/(\d+)K available \((\d+)K kernel code, (\d+)K rwdata, "
                   r"(\d+)K rodata, (\d+)K init, (\d+)K bss, (\d+)K reserved\)", log)
    assert mm, "no Memory: line"
    avail, total, code, rw, ro, init, bss, reserved = map(int, mm.groups())
    assert code > 10 and ro > 1 and bss > 10, mm.group(0)
    assert reserved == total - avail
    return avail, total


def test_memory_64M(ctx):
    avail, total = memory_line(ctx, "64M")
    assert 60 * 1024 < total <= 64 * 1024
    assert total - 16384 < avail < total, (avail, total)     # the kernel, the initramfs


def test_memory_256M(ctx):
    avail, total = memory_line(ctx, "256M")
    assert 250 * 1024 < total <= 256 * 1024
    assert total - 16384 < avail < total


def test_memory_2G(ctx):
    avail, total = memory_line(ctx, "2G")
    assert 2040 * 1024 < total <= 2048 * 1024
    # mem_map costs 16 bytes per 4 KiB page: 8 MiB for 2 GiB; the initramfs (a boot module,
    # kept where it was loaded) and the kernel take the rest of what is not available.
    initrd_kib = os.path.getsize(os.path.join(ctx.build, "initramfs.cpio")) // 1024
    assert total - 8 * 1024 - initrd_kib - 8 * 1024 < avail < total - 8 * 1024, (avail, total, initrd_kib)


def crash(ctx, name, cpu=None):
    m = ctx.machine(kernel_args=f"panic=-1 ktest={name}", extra=["-cpu", cpu] if cpu else None)
    m.wait_exit(30)
    log = m.text()
    assert "returned: the kernel did not catch it" not in log
    assert "Kernel panic - not syncing: Fatal exception" in log
    return log


def test_kernel_write_to_its_text(ctx):
    log = crash(ctx, "write_ro")
    assert "#PF: supervisor write access in kernel mode" in log
    assert "#PF: error_code(0x0003) - permissions violation" in log
    assert "RIP: 0010:write_ro+" in log


def test_kernel_jump_into_data(ctx):
    log = crash(ctx, "exec_data")
    assert "#PF: supervisor instruction fetch in kernel mode" in log
    assert "#PF: error_code(0x0011) - permissions violation" in log
    assert "kernel tried to execute NX-protected page - exploit attempt? (uid: 0)" in log


def test_smap_catches_kernel_access_to_user_page(ctx):
    log = crash(ctx, "access_user", cpu="max")
    assert "x86/cpu: NX on, SMEP on, SMAP on" in log
    assert "BUG: unable to handle page fault for address: 0000000000400000" in log
    assert "#PF: error_code(0x0001) - permissions violation" in log
    assert "SMAP: kernel access to a user page outside a user-access window" in log


def test_user_copies_work_under_smap(ctx):
    # The same parity program, with SMAP on: every syscall's user copies open the window.
    m = ctx.machine(kernel_args="rdinit=/bin/t_files panic=-1", extra=["-cpu", "max"])
    m.wait_exit(60)
    log = m.text()
    assert "SMAP on" in log and "t_files: start" in log
    assert "Attempted to kill init! exitcode=0x00000000" in log, "t_files did not finish cleanly"


# ---------------------------------------------------------------- limits that grow

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


def usertests(ctx, memory, names, timeout):
    """Boots /bin/usertests as init with only `names`; every one must pass, the leak check
    (free pages before and after the second round) too."""
    m = ctx.machine(kernel_args="rdinit=/bin/usertests panic=-1 -- " + " ".join(names),
                    memory=memory)
    assert m.wait_exit(timeout) == 0, "QEMU did not exit cleanly"
    log = m.text()
    assert "Kernel panic" not in log
    fails = "\n".join(l for l in log.splitlines() if l.startswith("FAIL"))
    for name in names:
        assert f"ok   {name}\n" in log, fails or f"{name} did not pass"
    assert SUMMARY.findall(log)[-1] == (str(len(names) + 1), "0"), fails
    return log


def test_memory_8G(ctx):
    # Memory above 4 GiB is handed out only once the direct map covers it; the allocator's
    # highest blocks go first, so the tests' pages come from up there.
    log = usertests(ctx, "8G", ["brk", "faults", "mmap_huge", "cow", "highmem"], 600)
    mm = re.search(r"Memory: (\d+)K/(\d+)K available", log)
    avail, total = int(mm.group(1)), int(mm.group(2))
    assert 8180 * 1024 < total <= 8192 * 1024, total
    # mem_map: 16 bytes a page, 32 MiB for 8 GiB; the kernel and the initramfs.
    assert total - 64 * 1024 < avail < total - 32 * 1024, (avail, total)
    # QEMU puts 3 GiB below the PCI hole and the other 5 above 4 GiB: all of that comes in.
    high = sum(int(e, 16) + 1 - max(int(s, 16), 1 << 32) for s, e in re.findall(
        r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] usable", log) if int(e, 16) >= 1 << 32)
    added = re.search(r"page_alloc: (\d+) pages above 4096 MiB added", log)
    assert high >= 4 << 30 and added, "memory above 4 GiB not added"
    assert int(added.group(1)) == high // 4096, (added.group(0), high)
    assert "vm: direct map of 9216 MiB" in log


def test_forks_cow_in_64M(ctx):
    # 1,000 forks of a process with 16 MiB written, in 64 MiB: copy-on-write or nothing.
    usertests(ctx, "64M", ["forks_cow", "fds_4000"], 300)
