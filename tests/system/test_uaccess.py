"""User copies that fault part-way (kernel/uaccess.c, kernel/uaccess_copy.asm): the page-fault
handler brings in what the user could have touched and turns every other fault in a copy
into -EFAULT, never a panic.

- ktest=uaccess_fault: copies between the kernel and a user page followed by an unmapped
  one, before any process exists (no mm: every fault goes to the fixup), with and without
  SMAP. Each must store the bytes before the hole and return -EFAULT with the window shut.
- pthread_uaccess (tests/user/pthread_uaccess.c, also in test_threads at the default CPU
  count): a buffer unmapped or made read-only while read() sleeps, PROT_NONE futex words
  and paths, partial copies - at -smp 4, and with SMAP (-cpu max). Linux is the oracle."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_parity  # noqa: E402


def _copy_faults(ctx, cpu):
    m = ctx.machine(kernel_args="panic=-1 ktest=uaccess_fault", extra=["-cpu", cpu])
    m.wait_exit(30)
    log = m.text()
    assert "ktest: uaccess_fault: copy_to_user -14, stored \"abcd\"; copy_from_user -14, " \
        "got \"abcd\" + zeroes; strncpy_from_user -14; cmpxchg_user_u32 -14" in log, log
    assert "Kernel panic - not syncing: ktest: uaccess_fault: every copy came back" in log, log
    assert "BUG: unable to handle page fault" not in log, log
    return log


def test_copy_faults_fixed_up(ctx):
    _copy_faults(ctx, "qemu64")


def test_copy_faults_fixed_up_under_smap(ctx):
    assert "SMAP on" in _copy_faults(ctx, "max")


def _parity_with(ctx, name, **machine_kw):
    real = ctx.machine

    def machine(**kw):
        return real(**kw, **machine_kw)
    ctx.machine = machine
    try:
        test_parity.check_parity(ctx, name, timeout=120, quiet_stderr=True)
    finally:
        ctx.machine = real


def test_pthread_uaccess_smp4(ctx):
    _parity_with(ctx, "pthread_uaccess_glibc", smp=4)


def test_pthread_uaccess_under_smap(ctx):
    _parity_with(ctx, "pthread_uaccess_musl", extra=["-cpu", "max"])
