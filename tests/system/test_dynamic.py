"""Dynamically linked programs: the kernel loads the interpreter a program names
(PT_INTERP: ld-linux-x86-64.so.2 for glibc, ld-musl-x86_64.so.1 for musl) and hands it the
auxiliary vector; the interpreter maps the C library from the initramfs with mmap. The same
binary runs on the host first, for the expected output."""
import os
import subprocess
import tempfile

KERNEL_LINE = "] "


def initramfs_with(ctx, tmp, progs):
    """build/initramfs.cpio followed by a second archive with progs and their libraries
    (the kernel unpacks concatenated archives one after the other, as Linux does)."""
    root = os.path.join(tmp, "root")
    here = os.path.dirname(os.path.abspath(__file__))
    tool = os.path.join(here, "..", "..", "tools", "copy-with-libs.sh")
    subprocess.run([tool, root] + [f"{p}=/bin/{os.path.basename(p)}" for p in progs], check=True)
    extra = os.path.join(tmp, "extra.cpio")
    names = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=root,
                           capture_output=True, text=True, check=True).stdout
    with open(extra, "wb") as out:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"], cwd=root,
                       input=names.encode(), stdout=out, check=True)
    combined = os.path.join(tmp, "initramfs.cpio")
    with open(combined, "wb") as out:
        for part in (os.path.join(ctx.build, "initramfs.cpio"), extra):
            with open(part, "rb") as f:
                out.write(f.read())
    return combined


def run_both(ctx, name):
    prog = os.path.join(ctx.build, "dyn", name)
    host = subprocess.run([prog, "arg"], capture_output=True, text=True, timeout=60)
    assert host.returncode == 0, host
    expected = host.stdout.splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1 -- arg",
                        initrd=initramfs_with(ctx, tmp, [prog]))
        m.wait_exit(120)
    log = m.text()
    start = log.find(f"Run /bin/{name} as init process\n")
    end = log.find("Kernel panic - not syncing:", start)
    assert start >= 0 and end > start, log[-2000:]
    got = [l for l in log[start:end].splitlines()[1:] if KERNEL_LINE not in l or not l.startswith("[")]
    assert got == expected, f"Linux: {expected}\nLantern: {got}"
    assert "exitcode=0x00000000" in log[end:].splitlines()[0], log[end:end + 200]


def test_glibc_dynamic_program(ctx):
    run_both(ctx, "dynamic_glibc")


def test_musl_dynamic_program(ctx):
    run_both(ctx, "dynamic_musl")
