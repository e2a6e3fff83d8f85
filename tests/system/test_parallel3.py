"""Parallel programs, third round (after test_parallel.py and test_parallel2.py): programs
as Debian's compilers build them, dynamic as well as static. Linux is the oracle: each runs
on the host for its lines, then as init on Lantern at the suite's CPU count and at -smp 4.

- par3dyn (tests/user/par3/dyn.c): dynamically linked glibc with threads: thread-local
  storage in the program, in a library it needs (initial-exec and global-dynamic) and in
  libraries opened with dlopen from four threads at once (one whose TLS goes in the static
  surplus, one whose TLS is only dynamic, used by threads that existed before the dlopen),
  lazy binding raced by four threads, dl_iterate_phdr during dlopen/dlclose,
  pthread_cancel (which opens libgcc_s.so.1), posix_spawn of itself from four threads;
- par3omp, par3omp_dyn (tests/user/par3/omp.c, OMP_NUM_THREADS=4, libgomp static and
  dynamic): reductions with three schedules, the team's size, tasks, critical, locks,
  ordered, barriers, sections, nested regions, 100 regions with pauses between them;
- par3cxx, par3cxx_dyn (tests/user/par3/cxx.cpp, C++20, libstdc++ static and dynamic):
  std::async with an exception, condition variables, shared_mutex, scoped_lock, latch,
  barrier, counting_semaphore, atomic wait/notify, jthread stop tokens, thread_local
  destructors, parallel algorithms;
- par3rs (tests/user/par3/rs.rs, Rust std, static): thread::scope, mpsc channels,
  Arc<Mutex>, RwLock, Condvar, Barrier, park, a panic caught by join, a poisoned mutex,
  std::process::Command pipelines from four threads;
- busybox (tests/busybox/parallel3.sh): md5sum, sha1sum, sha256sum, sha512sum, gzip, zcat,
  bzip2 and tar as jobs at once, xargs -P4 gzip -d, dd at offsets at once.
They boot the initramfs of the Makefile's PAR3_INITRAMFS (the programs and the shared
libraries they load). Not tested here, a finding: OpenMP's OMP_PLACES needs sysfs, which
Lantern lacks (see tests/user/par3/omp.c)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_parallel import _check_busybox_script, _compare, _cpu_counts, _expected  # noqa: E402
from test_parity import KERNEL_LINE  # noqa: E402


def _check_par3(ctx, name, env=None, cpu_counts=None):
    """build/par3/NAME on the host with env, then as init at each CPU count (the suite's
    and 4, unless told) with env on the kernel's command line (the kernel hands it to
    init): the lines must be the same, and init must exit 0 as on Linux."""
    env = env or {}
    binary = os.path.join(ctx.build, "par3", name)
    assert os.path.exists(binary), f"no build/par3/{name} (see the Makefile's PAR3_BINS)"
    if name not in _expected:
        r = subprocess.run([binary], env=dict(env, PATH="/usr/bin:/bin"), capture_output=True,
                           text=True, timeout=180)
        lines = r.stdout.splitlines()
        assert r.returncode == 0 and lines and lines[-1] == "done" and not r.stderr, \
            f"on the host, {name} failed: {r.returncode} {r.stderr}"
        _expected[name] = lines
    args = " ".join(f"{k}={v}" for k, v in env.items())
    for smp in cpu_counts or _cpu_counts(ctx):
        m = ctx.machine(kernel_args=f"rdinit=/bin/{name} panic=-1 {args}".rstrip(), smp=smp,
                        initrd=os.path.join(ctx.build, "initramfs-parallel3.cpio"))
        m.wait_exit(300)
        log = m.text()
        start = log.find(f"Run /bin/{name} as init process\n")
        end = log.find("Kernel panic - not syncing:", max(start, 0))
        assert start >= 0 and end >= 0, f"{name} at -smp {smp}: did not start or did not end\n{log[-3000:]}"
        got = [l for l in log[start:end].splitlines()[1:] if not KERNEL_LINE.match(l)]
        _compare(name, smp, _expected[name], got, log)
        assert "Attempted to kill init! exitcode=0x00000000" in log[end:].splitlines()[0], log[end:end + 300]


def test_par3_dynamic_glibc(ctx):
    _check_par3(ctx, "par3dyn")


def test_par3_openmp(ctx):
    _check_par3(ctx, "par3omp", {"OMP_NUM_THREADS": "4"})


# The dynamic builds of the same sources: at -smp 4 only (the suite's time; the static
# builds cover the suite's CPU count).
def test_par3_openmp_dynamic(ctx):
    _check_par3(ctx, "par3omp_dyn", {"OMP_NUM_THREADS": "4"}, cpu_counts=[4])


def test_par3_cxx(ctx):
    _check_par3(ctx, "par3cxx")


def test_par3_cxx_dynamic(ctx):
    _check_par3(ctx, "par3cxx_dyn", cpu_counts=[4])


def test_par3_rust(ctx):
    _check_par3(ctx, "par3rs")


BUSYBOX_LINE = re.compile(r"^(parallel3|make|sums|gzip|zcat|pipes|xargs -P4 gzip -d|dd): ")


def test_busybox_parallel3(ctx):
    _check_busybox_script(ctx, "parallel3.sh", BUSYBOX_LINE, "parallel3: done")
