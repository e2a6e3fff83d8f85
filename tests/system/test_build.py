"""Build tests: clang builds the kernel warning-free (gcc already did, for `make test`),
and gdb can attach to the kernel at kmain the way `make debug` does."""
import os
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
