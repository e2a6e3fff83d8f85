"""SMP: Lantern on several CPUs (kernel/smp.c, lapic.c, ioapic.c, spinlock.c).

Bring-up at -smp 4 with Linux's log lines; maxcpus= and nosmp as on Linux; a panic that
prints once while other CPUs run; lockdep's three checks; and tests/user/smpstress.c
(fork/exec storms, pipes between CPUs, futexes, munmap racing reads in other threads, a
signal to a group spinning on other CPUs) at -smp 4, whose output must match the host's."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "user"))
import host  # noqa: E402  (tests/user/host.py)


def _boot(ctx, smp, args):
    m = ctx.machine(kernel_args=f"rdinit=/bin/t_ids panic=-1 {args}", smp=smp)
    m.wait_exit(120)
    return m.text()


def test_four_cpus_come_up(ctx):
    log = _boot(ctx, 4, "")
    assert "smp: Bringing up secondary CPUs ...\n" in log
    assert "x86: Booted up 1 node, 4 CPUs\n" in log
    assert "smpboot: Total of 4 processors activated\n" in log
    assert "APIC: switched to the I/O APIC for IRQs" in log
    assert "did not start" not in log


def test_maxcpus_and_nosmp(ctx):
    log = _boot(ctx, 4, "maxcpus=2")
    assert "x86: Booted up 1 node, 2 CPUs\n" in log, log[-2000:]
    log = _boot(ctx, 4, "nosmp")
    assert "smpboot: Total of 1 processors activated\n" in log
    assert "Booted up 1 node, 4 CPUs" not in log
    assert "Unknown kernel command line parameters" not in log


def test_panic_prints_once_on_four_cpus(ctx):
    log = _boot(ctx, 4, "")
    assert log.count("Kernel panic - not syncing:") == 1, log[-3000:]
    assert "Attempted to kill init!" in log


def _ktest(ctx, name, smp=2):
    m = ctx.machine(kernel_args=f"panic=-1 ktest={name}", smp=smp)
    assert m.wait_exit(60) is not None
    log = m.text()
    assert f"ktest: {name}\n" in log
    panic = re.search(r"Kernel panic - not syncing: (.*)", log)
    assert panic, f"{name}: no panic\n{log[-2000:]}"
    return panic.group(1)


def test_lockdep_order_inversion(ctx):
    msg = _ktest(ctx, "lockdep_inversion")
    assert msg == ("lockdep: lock order inversion: CPU 0 takes ktest_a while holding ktest_b, "
                   "but ktest_b was taken while holding ktest_a before"), msg


def test_lockdep_sleep_with_spinlock(ctx):
    msg = _ktest(ctx, "lockdep_sleep")
    assert msg == "lockdep: sleeping while holding spinlock ktest_a (CPU 0)", msg


def test_lockdep_recursive(ctx):
    msg = _ktest(ctx, "lockdep_recursive")
    assert msg == "lockdep: recursive locking: CPU 0 takes ktest_a, which it already holds", msg


def test_smpstress_4cpus(ctx):
    name = "smpstress"
    r = host.run_program(os.path.join(ctx.build, "user", name), timeout=120)
    expected = [l for l in r.stdout.splitlines() if not l.startswith("info:")]
    assert r.returncode == 0 and expected and expected[-1] == "done", r.stderr
    m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1", smp=4)
    m.wait_exit(300)
    log = m.text()
    got = [l for l in log.splitlines() if l.startswith("smpstress: ") or l == "done"]
    assert got == expected, f"Linux:\n{expected}\nLantern:\n{got}\n{log[-3000:]}"
    assert "info: cpus seen 4" in log, "user code did not run on all 4 CPUs"
    assert log.count("Kernel panic - not syncing:") == 1
    assert "Attempted to kill init! exitcode=0x00000000" in log
