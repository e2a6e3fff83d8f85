"""Threads, as real C libraries use them: Linux is the oracle.

The programs tests/user/pthread_*.c are built twice, with the host's static glibc (NAME_glibc)
and with Debian's musl (NAME_musl), and tests/user/threadstress.c with glibc. Each binary
runs on the host first, for its expected output; then the very same binary boots on Lantern
as init (rdinit=/bin/NAME) and must print the same lines and exit with status 0, as the
parity tests do (test_parity.py). They cover clone(CLONE_THREAD) and its exits, futex,
per-thread signals and masks, sigaltstack, clock_nanosleep, and stress."""
import difflib
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "user"))
import host  # noqa: E402  (tests/user/host.py)
from test_parity import program_output_on_lantern  # noqa: E402


def check_thread_program(ctx, name):
    r = host.run_program(os.path.join(ctx.build, "user", name), timeout=120)
    expected = r.stdout.splitlines()
    assert r.returncode == 0 and r.stderr == "" and expected and expected[-1] == "done", \
        f"on the host, {name} failed: {r.returncode} {r.stderr}"
    got, exit_line, _ = program_output_on_lantern(ctx, name)
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "Linux", "Lantern", lineterm=""))
        raise AssertionError(f"{name}: output differs from Linux's\n{diff}")
    assert exit_line.endswith("Attempted to kill init! exitcode=0x00000000"), exit_line


def _make(name):
    def test(ctx):
        check_thread_program(ctx, name)
    test.__name__ = f"test_{name}"
    return test


_programs = [os.path.basename(p)[:-2] for p in
             sorted(glob.glob(os.path.join(os.path.dirname(HERE), "user", "pthread_*.c")))]
for _name in [f"{p}_{libc}" for p in _programs for libc in ("glibc", "musl")] + ["threadstress_glibc"]:
    globals()[f"test_{_name}"] = _make(_name)
