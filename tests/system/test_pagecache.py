"""The page cache and exec that maps (kernel/mm.c, exec.c, ramfs_data.c), and ASLR.

test_shared_text: 50 processes running Debian's static busybox (about 2 MB) use one copy of
its text. ash starts 50 `/bin/busybox sleep` (each an execve of the file) and prints how much
MemFree (/proc/meminfo) fell. With exec copying the segments into every process this was
about 100 MB; with text and rodata mapped from the file's pages it is the few pages each
process writes (data, stack, page tables), about 100 KiB each.
"""
import os
import re

SCRIPT = ("mount -t proc proc /proc; f1=$(awk '/MemFree/{print $2}' /proc/meminfo); i=0; "
          "while [ $i -lt 50 ]; do /bin/busybox sleep 60 & i=$((i+1)); done; sleep 2; "
          "f2=$(awk '/MemFree/{print $2}' /proc/meminfo); "
          "echo SLEEPERS=$(grep -l '^busybox$' /proc/[0-9]*/comm | wc -l) USED_KB=$((f1-f2)); "
          "poweroff -f\n")


def test_shared_text(ctx):
    size_kb = os.path.getsize(os.path.join(ctx.build, "rootfs-busybox", "bin", "busybox")) // 1024
    assert size_kb > 1000, f"busybox is only {size_kb} KiB: the test needs a big binary"
    m = ctx.machine(kernel_args="console=ttyS0 panic=-1 rdinit=/bin/sh",
                    initrd=os.path.join(ctx.build, "initramfs-busybox.cpio"))
    m.wait_for(r"# ", timeout=30)
    m.type(SCRIPT)
    m.wait_for(r"USED_KB=-?\d+", timeout=120)
    sleepers, used = map(int, re.search(r"SLEEPERS=(\d+) USED_KB=(-?\d+)", m.text()).groups())
    assert sleepers == 50, f"{sleepers} sleepers running, not 50"
    # One copy of the text would be size_kb; 50 copies 50 * size_kb. Allow the text once,
    # and 256 KiB of private memory (data, stack, tables) per process.
    assert used < size_kb + 50 * 256, \
        f"50 processes of a {size_kb} KiB binary took {used} KiB: the text is not shared"
    print(f"50 busybox processes ({size_kb} KiB binary): {used} KiB, {used // 50} KiB each")


def test_norandmaps(ctx):
    """`norandmaps` on the command line: every exec gets the same layout (t_personality's
    "randomised" lines say "same" where Linux, randomising, says "differ")."""
    m = ctx.machine(kernel_args="rdinit=/bin/t_personality norandmaps panic=-1")
    m.wait_exit(60)
    text = m.text()
    assert "t_personality: start" in text and "\ndone" in text, "t_personality did not finish"
    lines = re.findall(r"^randomised: (stack .*)$", text, re.M)
    assert lines == ["stack same, mmap same, brk same, AT_RANDOM same, code same"], lines
    assert "Run /bin/t_personality as init process\n" in text
