"""Parallel programs, second round (after test_parallel.py, whose helpers these reuse): Linux
is the oracle, at the suite's CPU count and at -smp 4.

- parallel2_glibc, parallel2_musl (tests/user/parallel2.c, one source, two C libraries):
  epoll with two consumer threads (EPOLLONESHOT) fed by pipe and eventfd writers, poll and
  select across threads, O_APPEND writers in threads and processes on one file (write and
  writev: no record lost or torn), threads writing files of their own then one reader
  (and pread from four threads on one descriptor), a sigwait thread taking signals that
  other processes send (sigqueue values, si_pid, si_code), threads pinned with
  sched_setaffinity checking sched_getcpu, sched_yield storms and strict turn-taking,
  MAP_SHARED anonymous memory between processes (atomics, a process-shared mutex and
  semaphore), a MAP_SHARED file written by four processes then read with read(), a
  process-shared robust mutex whose holder is killed, many sleepers at once, posix_spawn
  from four threads, exit while threads sleep in nine different calls or spin, timed
  condvar waits, an
  EFD_SEMAPHORE eventfd, CPU counts asked five ways, a merge sort of threads making
  threads, malloc from four threads, SIGSEGV in every thread at once (si_code, si_addr),
  setuid/setgid in a threaded process (threads sleeping or spinning), /proc/self/task
  names, and POSIX timers
  (SIGEV_SIGNAL one-shot and periodic, SIGEV_THREAD);
- gopar2 (tests/user/gopar2/, Go, GOMAXPROCS=4): os/signal with signals from itself and
  from children, tickers with select and context cancellation, a tight loop preempted at
  GOMAXPROCS=1 (SIGURG), sync.Pool/Once/atomic, 16 goroutines doing file I/O at once,
  three os/exec pipelines of four children each (StdoutPipe), File.Sync, a GC-heavy run;
- busybox (tests/busybox/parallel2.sh in the busybox initramfs): find | xargs -P4 -n8
  md5sum over a tree, background writers then sort | uniq -c, seq | split with every
  piece summed by its own job, and job control in a script (jobs, wait %N, kill %N).
The cases parallel2.c marks `finding` (queued real-time signals, PI mutexes, a stop
reported before every thread has stopped) are not run here: they fail on Lantern today
(see that file)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_parallel import ROOT, _check_c, _compare, _cpu_counts, _initrd  # noqa: E402

_expected = {}


def test_parallel2_glibc(ctx):
    _check_c(ctx, "parallel2_glibc")


def test_parallel2_musl(ctx):
    _check_c(ctx, "parallel2_musl")


def test_gopar2(ctx):
    binary = os.path.join(ctx.build, "user", "gopar2")
    assert os.path.exists(binary), "no build/user/gopar2: is go installed (tools/deps.sh)?"
    if "gopar2" not in _expected:
        env = {"GOMAXPROCS": "4", "PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"}
        r = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=120)
        lines = r.stdout.splitlines()
        assert r.returncode == 0 and not r.stderr and lines[-1] == "gopar2: done", (r.returncode, r.stderr)
        _expected["gopar2"] = lines
    for smp in _cpu_counts(ctx):
        m = ctx.machine(kernel_args="rdinit=/bin/gopar2 panic=-1 GOMAXPROCS=4", smp=smp, initrd=_initrd(ctx))
        m.wait_exit(300)
        log = m.text()
        got = [l for l in log.splitlines() if l.startswith("gopar2: ")]
        _compare("gopar2", smp, _expected["gopar2"], got, log)
        assert "Kernel panic" not in log and "reboot: Power down" in log, log[-2000:]


BUSYBOX_LINE = re.compile(r"^(parallel2|find \| xargs -P4 md5sum|writers|split|jobs): ")


def test_busybox_parallel2(ctx):
    script = os.path.join(ROOT, "tests", "busybox", "parallel2.sh")
    if "busybox" not in _expected:
        # busybox's sh, with only busybox's applets on its PATH, as in the initramfs.
        bindir = tempfile.mkdtemp(prefix="lantern-bb2-")
        try:
            busybox = shutil.which("busybox") or "/bin/busybox"
            applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
            for a in applets:
                os.symlink(busybox, os.path.join(bindir, a))
            r = subprocess.run([busybox, "sh", script], env={"PATH": bindir}, cwd="/",
                               capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(bindir)
        lines = [l for l in r.stdout.splitlines() if BUSYBOX_LINE.match(l)]
        assert r.returncode == 0 and lines and lines[-1] == "parallel2: done", (r.returncode, r.stderr)
        _expected["busybox"] = lines
    for smp in _cpu_counts(ctx):
        m = ctx.machine(kernel_args="console=ttyS0 panic=-1 rdinit=/bin/sh -- /etc/parallel2.sh", smp=smp,
                        initrd=os.path.join(ctx.build, "initramfs-busybox.cpio"))
        m.wait_exit(300)
        log = m.text()
        got = [l for l in log.splitlines() if BUSYBOX_LINE.match(l)]
        _compare("busybox parallel2.sh", smp, _expected["busybox"], got, log)
        assert "Kernel panic" not in log and "reboot: Power down" in log, log[-2000:]
