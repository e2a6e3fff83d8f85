"""File locks under parallel load: Linux is the oracle, at the suite's CPU count and at -smp 4.

flockpar_glibc, flockpar_musl (tests/user/flockpar.c, one source, two C libraries): four
workers each make 200 read-increment-append updates of one file under a lock - flock
LOCK_EX and fcntl F_SETLKW in processes, F_OFD_SETLKW in threads - and the counter, the
records, their order and their checksum must come out as on Linux; then LOCK_SH readers
beside a LOCK_EX writer must never see a half-written file. (The semantics, errno by
errno, are t_flock's: tests/user/t_flock.c, run by test_parity.py.)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_parallel import _check_c  # noqa: E402


def test_flockpar_glibc(ctx):
    _check_c(ctx, "flockpar_glibc")


def test_flockpar_musl(ctx):
    _check_c(ctx, "flockpar_musl")
