"""Build tests: clang builds the kernel warning-free (gcc already did, for `make test`),
and gdb can attach to the kernel at kmain the way `make debug` does."""
import os
import re
import socket
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_clang_build_is_clean(ctx):
    out = os.path.join(ctx.build, "clang")
    r = subprocess.run(["make", "-C", ROOT, f"BUILD={out}", "CC=clang", "kernel"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "warning" not in (r.stdout + r.stderr).lower(), r.stdout + r.stderr
    assert os.path.exists(os.path.join(out, "kernel.elf"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gdb_breaks_in_kmain(ctx):
    port = free_port()
    ctx.machine(kernel_args="kmon", extra=["-gdb", f"tcp:127.0.0.1:{port}", "-S"])
    with open(os.path.join(ROOT, "tools", "gdbinit")) as f:
        script = f.read()
    script = script.replace("localhost:1234", f"127.0.0.1:{port}")
    script = script.replace("file build/kernel.elf", f"file {ctx.build}/kernel.elf")
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(script + "\nbt\nprint magic\nkill\n")
        path = f.name
    try:
        r = subprocess.run(["gdb", "-q", "-batch", "-x", path], capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
    finally:
        os.unlink(path)
    out = r.stdout + r.stderr
    assert "kmain (magic=" in out, out
    assert "862897528" in out, "kmain did not get the PVH magic\n" + out


def test_gdb_follows_the_kernel_into_init_and_back(ctx):
    """One gdb session: kmain, then init's main (user mode), then the kernel's syscall path."""
    port = free_port()
    ctx.machine(kernel_args="panic=-1", extra=["-gdb", f"tcp:127.0.0.1:{port}", "-S"])
    with open(os.path.join(ROOT, "tools", "gdbinit")) as f:
        script = f.read()
    script = script.replace("localhost:1234", f"127.0.0.1:{port}")
    script = script.replace("file build/kernel.elf", f"file {ctx.build}/kernel.elf")
    script = script.replace("add-symbol-file build/init/init", f"add-symbol-file {ctx.build}/init/init")
    script += ("hbreak main\ncontinue\nprint $cs\nbt 1\n"
               "hbreak syscall_dispatch\ncontinue\nprint $cs\nbt 1\nkill\n")
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        r = subprocess.run(["gdb", "-q", "-batch", "-x", path], capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
    finally:
        os.unlink(path)
    out = r.stdout + r.stderr
    assert re.search(r"main \(argc=\d+, argv=.*init/init.c", out), out
    assert "$1 = 51" in out, "init's main should run in ring 3 (cs 0x33)\n" + out
    assert "syscall_dispatch (tf=" in out and "$2 = 16" in out, out
