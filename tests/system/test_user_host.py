"""User space on the host: the binaries Lantern runs, run first as ordinary Linux processes.

The parity programs must succeed here, and their output (kept in build/user/expected/) is
what Lantern must print; it must not depend on whether stdout is a pipe or a terminal.
init must print its banner and, not being PID 1, exit. clang must build user space cleanly.
"""
import difflib
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "user"))
import host  # noqa: E402  (tests/user/host.py)


def test_parity_programs_on_host(ctx):
    names = host.parity_programs(ctx.build)
    assert names, "no build/user/t_* programs: did `make user` run?"
    problems = host.write_expected(ctx.build)
    assert not problems, "\n".join(problems)


def run_on_pty(path):
    """Run path with stdout and stderr on a pseudo-terminal, like Lantern's console."""
    with host.rootfs_lock():
        return run_on_pty_locked(path)


def run_on_pty_locked(path):
    master, slave = pty.openpty()
    p = subprocess.Popen([path], cwd=host.ROOTFS, env=host.INIT_ENV, stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:      # EIO: the program has exited and closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    status = p.wait(timeout=60)
    assert status == 0, f"{path} on a terminal: exit status {status}"
    return out.decode().replace("\r\n", "\n")   # the terminal turns \n into \r\n


def test_parity_output_is_the_same_on_a_terminal(ctx):
    for name in host.parity_programs(ctx.build):
        path = os.path.join(ctx.build, "user", name)
        piped = host.run_program(path)
        assert piped.returncode == 0, f"{name} piped: exit status {piped.returncode}"
        on_pty = run_on_pty(path)
        diff = "".join(difflib.unified_diff(piped.stdout.splitlines(True), on_pty.splitlines(True),
                                            "piped", "on a terminal", n=2))
        assert not diff, f"{name} prints differently on a terminal:\n{diff[:3000]}"


def test_init_on_host(ctx):
    path = os.path.join(ctx.build, "init", "init")
    r = host.run_program(path, argv=["/init", "single", "x=1"], env={"HOME": "/", "TERM": "linux"})
    assert r.returncode == 0, r
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"init: Lantern init starting \(pid [1-9]\d*\)", lines[0]), lines[0]
    assert lines[1:] == [
        'init: argv[0] = "/init"',
        'init: argv[1] = "single"',
        'init: argv[2] = "x=1"',
        'init: envp[0] = "HOME=/"',
        'init: envp[1] = "TERM=linux"',
        "init: not PID 1, exiting",
    ], r.stdout


def test_clang_builds_user_space_cleanly(ctx):
    out = os.path.join(ctx.build, "clang-user")
    r = subprocess.run(["make", "-C", ROOT, f"BUILD={out}", "CC=clang", "user"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "warning" not in (r.stdout + r.stderr).lower(), r.stdout + r.stderr
    path = os.path.join(out, "user", "t_libc")
    assert host.run_program(path).stdout == host.run_program(os.path.join(ctx.build, "user", "t_libc")).stdout


# Lantern should run any static Linux binary, not only ours. musl-gcc (Debian's musl-tools)
# is optional: without it this test does not exist.
if shutil.which("musl-gcc"):
    def test_musl_static_binary_runs_on_host(ctx):
        with tempfile.TemporaryDirectory() as tmp:
            src, exe = os.path.join(tmp, "hello.c"), os.path.join(tmp, "hello")
            with open(src, "w") as f:
                f.write('#include <stdio.h>\nint main(void) { printf("hello from musl\\n"); return 3; }\n')
            subprocess.run(["musl-gcc", "-static", "-O2", "-o", exe, src], check=True, timeout=120)
            r = host.run_program(exe)
        assert (r.returncode, r.stdout) == (3, "hello from musl\n"), r
