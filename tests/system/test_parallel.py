"""Parallel programs as people run them, at the suite's CPU count and at -smp 4: Linux is the oracle.

- parallel_glibc, parallel_musl (tests/user/parallel.c, one source, two C libraries):
  parallel sum and matrix multiply, a condvar queue, barriers, rwlocks, semaphores (between
  threads and between processes), thread-local storage and key destructors, pthread_cancel
  (deferred and asynchronous), pthread_kill to threads spinning on other CPUs, fork and exec
  from busy threaded processes, 10000 short-lived threads, lock-free counters, a thread pool,
  a 7-process pipeline, 8 writers on one pipe (PIPE_BUF atomicity), reaping races, and a
  process group stopped, continued and killed;
- gopar (tests/user/gopar/, Go, GOMAXPROCS=4): goroutines, channels, WaitGroup, Mutex, two
  prime sieves, runtime.GC under load, timers, os/exec of children;
- busybox (tests/busybox/parallel.sh in the busybox initramfs): background subshells,
  gzip and sort pipelines at once, xargs -P4, wait for each job's status.
Each runs on the host first, for its expected lines; then as init on Lantern; the lines
must be the same, and init must end as it did on Linux."""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "user"))
import host  # noqa: E402  (tests/user/host.py)
from test_parity import KERNEL_LINE  # noqa: E402

_expected = {}


def _initrd(ctx):
    """Their own initramfs (the Makefile's PARALLEL_INITRAMFS): the main one stays small."""
    return os.path.join(ctx.build, "initramfs-parallel.cpio")   # the host's lines, per program: computed once per run of the suite


def _cpu_counts(ctx):
    """The suite's CPU count ($LANTERN_SMP, else 1) and 4, each once."""
    suite = int(os.environ.get("LANTERN_SMP", "0") or 0) or 1
    return sorted({suite, 4})


def _compare(name, smp, expected, got, log):
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "Linux", f"Lantern -smp {smp}", lineterm=""))
        raise AssertionError(f"{name} at -smp {smp}: output differs from Linux's\n{diff}\n{log[-2000:]}")


def _check_c(ctx, name):
    if name not in _expected:
        r = host.run_program(os.path.join(ctx.build, "user", name), timeout=180)
        lines = r.stdout.splitlines()
        assert r.returncode == 0 and lines and lines[-1] == "done" and not r.stderr, \
            f"on the host, {name} failed: {r.returncode} {r.stderr}"
        _expected[name] = lines
    for smp in _cpu_counts(ctx):
        m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1", smp=smp, initrd=_initrd(ctx))
        m.wait_exit(300)
        log = m.text()
        start = log.find(f"Run /bin/{name} as init process\n")
        end = log.find("Kernel panic - not syncing:", max(start, 0))
        assert start >= 0 and end >= 0, f"{name} at -smp {smp}: did not start or did not end\n{log[-3000:]}"
        got = [l for l in log[start:end].splitlines()[1:] if not KERNEL_LINE.match(l)]
        _compare(name, smp, _expected[name], got, log)
        assert "Attempted to kill init! exitcode=0x00000000" in log[end:].splitlines()[0]


def test_parallel_glibc(ctx):
    _check_c(ctx, "parallel_glibc")


def test_parallel_musl(ctx):
    _check_c(ctx, "parallel_musl")


def _check_go(ctx, name, env):
    """A Go program (build/user/NAME) on the host with env, then as init at each CPU count:
    its `NAME: ` lines must be the same."""
    binary = os.path.join(ctx.build, "user", name)
    assert os.path.exists(binary), f"no build/user/{name}: is go installed (tools/deps.sh)?"
    if name not in _expected:
        r = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=120)
        lines = r.stdout.splitlines()
        assert r.returncode == 0 and not r.stderr and lines[-1] == f"{name}: done", (r.returncode, r.stderr)
        _expected[name] = lines
    for smp in _cpu_counts(ctx):
        m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1 GOMAXPROCS=4", smp=smp,
                        initrd=_initrd(ctx))
        m.wait_exit(300)
        log = m.text()
        got = [l for l in log.splitlines() if l.startswith(f"{name}: ")]
        _compare(name, smp, _expected[name], got, log)
        assert "Kernel panic" not in log and "reboot: Power down" in log, log[-2000:]


def _check_busybox_script(ctx, script, line_re, last):
    """tests/busybox/SCRIPT run by busybox's sh on the host, with only busybox's applets on
    its PATH, as in the initramfs; then booted as /etc/SCRIPT in the busybox initramfs at
    each CPU count. The lines line_re matches must be the same; the host's end with last."""
    if script not in _expected:
        bindir = tempfile.mkdtemp(prefix="lantern-bb-")
        try:
            busybox = shutil.which("busybox") or "/bin/busybox"
            applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
            for a in applets:
                os.symlink(busybox, os.path.join(bindir, a))
            r = subprocess.run([busybox, "sh", os.path.join(ROOT, "tests", "busybox", script)],
                               env={"PATH": bindir}, cwd="/", capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(bindir)
        lines = [l for l in r.stdout.splitlines() if line_re.match(l)]
        assert r.returncode == 0 and lines and lines[-1] == last, (r.returncode, r.stderr)
        _expected[script] = lines
    for smp in _cpu_counts(ctx):
        m = ctx.machine(kernel_args=f"console=ttyS0 panic=-1 rdinit=/bin/sh -- /etc/{script}", smp=smp,
                        initrd=os.path.join(ctx.build, "initramfs-busybox.cpio"))
        m.wait_exit(300)
        log = m.text()
        got = [l for l in log.splitlines() if line_re.match(l)]
        _compare(f"busybox {script}", smp, _expected[script], got, log)
        assert "Kernel panic" not in log and "reboot: Power down" in log, log[-2000:]


def test_gopar(ctx):
    _check_go(ctx, "gopar", {"GOMAXPROCS": "4", "PATH": "/usr/bin:/bin"})


BUSYBOX_LINE = re.compile(r"^(parallel|subshells|gzip \d|xargs -P4|sort|killed job): ")


def test_busybox_parallel(ctx):
    _check_busybox_script(ctx, "parallel.sh", BUSYBOX_LINE, "parallel: done")
