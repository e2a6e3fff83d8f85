"""Parity tests: Linux is the oracle. Each program in tests/user/ runs on the host Linux
first, for its expected output; then the very same binary boots on Lantern as init
(rdinit=/bin/NAME) and must print the same lines and exit with status 0."""
import difflib
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "user"))
import host  # noqa: E402  (tests/user/host.py)

KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d{6}\] ")


def program_output_on_lantern(ctx, name):
    m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1")
    m.wait_exit(120)
    log = m.text()
    start = log.find(f"Run /bin/{name} as init process\n")
    assert start >= 0, f"/bin/{name} did not start"
    end = log.find("Kernel panic - not syncing:", start)
    assert end >= 0, "no panic line at the end: did init not exit?"
    exit_line = log[end:].splitlines()[0]
    lines = [l for l in log[start:end].splitlines()[1:] if not KERNEL_LINE.match(l)]
    return lines, exit_line, log


def check_parity(ctx, name, timeout=60, quiet_stderr=False):
    """Runs user/NAME on the host, then as init on Lantern; the outputs must be the same.
    quiet_stderr: the host run must print nothing on stderr either."""
    r = host.run_program(os.path.join(ctx.build, "user", name), timeout=timeout)
    expected = r.stdout.splitlines()
    assert r.returncode == 0 and expected and expected[-1] == "done" and \
        not (quiet_stderr and r.stderr), f"on the host, {name} failed: {r.returncode} {r.stderr}"
    got, exit_line, _ = program_output_on_lantern(ctx, name)
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "Linux", "Lantern", lineterm=""))
        raise AssertionError(f"{name}: output differs from Linux's\n{diff}")
    assert exit_line.endswith("Attempted to kill init! exitcode=0x00000000"), exit_line


def _make(name):
    def test(ctx):
        check_parity(ctx, name)
    test.__name__ = f"test_{name}"
    return test


# Every t_*.c, and two ordinary C programs built with musl and with glibc (not our libc).
for _src in sorted(glob.glob(os.path.join(os.path.dirname(HERE), "user", "t_*.c"))) + \
        ["musl_hello.c", "glibc_hello.c", "musl_vdso.c", "glibc_vdso.c"]:
    _name = os.path.basename(_src)[:-2]
    globals()[f"test_{_name}"] = _make(_name)
