"""Threads, as real C libraries use them: Linux is the oracle.

The programs tests/user/pthread_*.c are built twice, with the host's static glibc (NAME_glibc)
and with Debian's musl (NAME_musl), and tests/user/threadstress.c with glibc. Each binary
runs on the host first, for its expected output; then the very same binary boots on Lantern
as init (rdinit=/bin/NAME) and must print the same lines and exit with status 0, as the
parity tests do (test_parity.py). They cover clone(CLONE_THREAD) and its exits, futex,
per-thread signals and masks, sigaltstack, clock_nanosleep, and stress."""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_parity import check_parity  # noqa: E402


def _make(name):
    def test(ctx):
        check_parity(ctx, name, timeout=120, quiet_stderr=True)
    test.__name__ = f"test_{name}"
    return test


_programs = [os.path.basename(p)[:-2] for p in
             sorted(glob.glob(os.path.join(os.path.dirname(HERE), "user", "pthread_*.c")))]
for _name in [f"{p}_{libc}" for p in _programs for libc in ("glibc", "musl")] + ["threadstress_glibc"]:
    globals()[f"test_{_name}"] = _make(_name)
