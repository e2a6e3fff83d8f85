"""The kernel's self-checks (kernel/uaccess.c, trap.c's return_to_user), on a CPU that has
SMAP (-cpu max), so that RFLAGS.AC means something:

- t_regress, whose last case runs user code with AC set through a page fault, timer
  interrupts and a system call: before the kernel cleared AC on entry, return_to_user's
  check ("a user-access window is open") panicked here - the handlers ran with SMAP off.
- pthread_robust_glibc: the robust-list walk at thread exit goes through the uaccess doors
  (cmpxchg_user_u32 included) with SMAP enforced.
Each must print the same as on Linux (test_parity's check) and end without a panic."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_parity  # noqa: E402


def _parity_under_smap(ctx, name, timeout=60):
    real = ctx.machine

    def smap_machine(**kw):
        return real(**kw, extra=["-cpu", "max"])
    ctx.machine = smap_machine
    try:
        test_parity.check_parity(ctx, name, timeout=timeout)
    finally:
        ctx.machine = real


def test_regress_under_smap(ctx):
    _parity_under_smap(ctx, "t_regress")


def test_robust_futexes_under_smap(ctx):
    _parity_under_smap(ctx, "pthread_robust_glibc", timeout=120)
