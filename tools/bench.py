#!/usr/bin/env python3
"""bench.py: boot user/bench as init on Lantern - and, if asked, on Linux - and compare.

Each kernel boots in the same QEMU machine (TCG, one CPU or --smp N, the same memory) with
build/initramfs.cpio, twice: rdinit=/bin/bench (user/bench.c, our libc) and
rdinit=/bin/bench_threads (user/bench_threads.c, static glibc: threads, futex, Go, and
the parallel rows: a thread per CPU in one process).
Each program prints `bench: NAME key=value ...` lines on the serial console and powers the
machine off; we read those lines and print a table. The numbers are TSC cycles as QEMU's TCG shows them to the guest: they compare the
two kernels on this machine, and mean little anywhere else.

    python3 tools/bench.py [--build build] [--smp N] [--linux PATH/TO/vmlinuz | --linux fetch]
                           [--rows NAME...] [--bkl-stat]

`--bkl-stat` boots Lantern with `bkl_stat` and prints, after each program, its
/proc/bkl_stat: who held the big kernel lock, and how long (docs/smp.md).

`--linux fetch` runs tools/linux-oracle.sh for Debian's kernel. Exits non-zero if a run did
not reach `bench: done`.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Both kernels get exactly this machine: only the kernel and its command line differ. TCG,
# QEMU's own emulation, even where KVM is there: that is what the system tests run under.
QEMU_MACHINE = ["-accel", "tcg", "-machine", "pc", "-cpu", "qemu64", "-smp", "1", "-m", "256M"]
# The serial console on our stdout; no display, no monitor; a reset ends QEMU.
QEMU_IO = ["-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot"]
# panic=-1: if bench dies, the kernel panics and QEMU ends at once instead of at the timeout.
LANTERN_ARGS = "rdinit=/bin/{} quiet panic=-1"
LINUX_ARGS = "console=ttyS0 quiet rdinit=/bin/{} panic=-1"
PROGRAMS = ["bench", "bench_threads"]

# The table's rows: (label, benchmark, the field shown). Lantern's and Linux's values of a
# row are divided for the ratio column.
ROWS = [
    ("getpid (null syscall)", "getpid", "median_cycles"),
    ("clock_gettime (vDSO)", "clock_vdso", "median_cycles"),
    ("clock_gettime (syscall)", "clock_syscall", "median_cycles"),
    ("pipe 1-byte write+read", "pipe", "median_cycles"),
    ("pipe ping-pong round trip", "pingpong", "median_cycles"),
    ("pipe ping-pong, processes pinned to CPU 0 and 1", "pingpong_xcpu", "median_cycles"),
    ("stat (path in, struct stat out)", "stat", "median_cycles"),
    ("64 KiB write + pread of a file", "rw_64k", "median_cycles"),
    ("nanosleep 1 ms: cycles until it returns", "sleep_1ms", "median_cycles"),
    ("fork + exit + wait", "fork", "median_cycles"),
    ("fork + execve + wait", "fork_exec", "median_cycles"),
    ("fork + exit + wait, 64 MiB touched", "fork_64m", "median_cycles"),
    ("fork + execve + wait, busybox (2 MB static)", "exec_busybox", "median_cycles"),
    ("fork + execve + wait, dynamic glibc hello", "exec_dynamic", "median_cycles"),
    ("64 MiB file mmap'd and read (per MiB)", "mmap_file_64m", "median_cycles"),
    ("first touch of an anonymous page", "anon_fault", "median_cycles"),
    ("2 CPU-bound processes: speed-up over 1", "parallel_2", "speedup"),
    ("4 CPU-bound processes: speed-up over 1", "parallel_4", "speedup"),
    ("fork+execve+wait storm, a worker per CPU: speed-up", "forkexec_storm", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "forkexec_storm", "speedup_range"),
    ("  the same: cycles per exec in each worker", "forkexec_storm", "per_exec"),
    ("16 MiB first-touch storm, a worker per CPU: speed-up", "fault_storm", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "fault_storm", "speedup_range"),
    ("  the same: cycles per page fault in each worker", "fault_storm", "per_page"),
    ("boot to init (ms)", "boot_to_init", "ms"),
    ("boot to init (cycles)", "boot_to_init", "cycles"),
    ("TSC rate (kHz)", "tsc", "khz"),
    ("pthread_create + join", "thread_create", "median_cycles"),
    ("futex ping-pong round trip (2 threads)", "futex_pingpong", "median_cycles"),
    ("signal to a thread spinning in user mode: round trip", "signal_spinner", "median_cycles"),
    ("Go start to first line (GOMAXPROCS=4)", "go_first_line", "median_cycles"),
    ("CPU-bound threads of one process, one per CPU: speed-up", "threads_cpu", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_cpu", "speedup_range"),
    ("16 MiB first-touch storm, a thread per CPU: speed-up", "threads_fault_storm", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_fault_storm", "speedup_range"),
    ("  the same: cycles per page fault, one thread alone", "threads_fault_storm", "per_page_1"),
    ("  the same: cycles per page fault in each thread", "threads_fault_storm", "per_page"),
    ("malloc+free of mixed sizes, a thread per CPU: speed-up", "threads_malloc", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_malloc", "speedup_range"),
    ("  the same: cycles per malloc+free, one thread alone", "threads_malloc", "per_malloc_1"),
    ("  the same: cycles per malloc+free in each thread", "threads_malloc", "per_malloc"),
    ("64 KiB read(2)s of a 2 MiB file, a thread per CPU: speed-up", "threads_read", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_read", "speedup_range"),
    ("  the same: cycles per 64 KiB read, one thread alone", "threads_read", "per_read_1"),
    ("  the same: cycles per 64 KiB read in each thread", "threads_read", "per_read"),
    ("64 KiB write(2)s of a new 2 MiB file, a thread per CPU: speed-up", "threads_write", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_write", "speedup_range"),
    ("  the same: cycles per 64 KiB write, one thread alone", "threads_write", "per_write_1"),
    ("  the same: cycles per 64 KiB write in each thread", "threads_write", "per_write"),
    ("getppid (under Lantern's BKL), a thread per CPU: speed-up", "threads_syscall", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_syscall", "speedup_range"),
    ("  the same: cycles per call, one thread alone", "threads_syscall", "per_call_1"),
    ("  the same: cycles per call in each thread", "threads_syscall", "per_call"),
    ("socketpair datagram send+receive, a pair per thread: speed-up", "threads_dgram", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "threads_dgram", "speedup_range"),
    ("  the same: cycles per message, one thread alone", "threads_dgram", "per_message_1"),
    ("  the same: cycles per message in each thread", "threads_dgram", "per_message"),
    ("pthread_mutex lock+increment+unlock, one thread", "mutex_storm", "per_lock_1"),
    ("  the same, a thread per CPU on one mutex: in each", "mutex_storm", "per_lock"),
    ("Go, CPU-bound goroutines, GOMAXPROCS=CPUs: speed-up", "go_cpu", "speedup"),
    ("  the same: lowest-highest speed-up of 5 pairs", "go_cpu", "speedup_range"),
]

LINE = re.compile(r"^bench: (\S+) ?(.*)$")
FIELD = re.compile(r"(\w+)=(\S+)")
# "unsupported (error ENOSYS)": the kernel refused; "unsupported (needs 2 CPUs)": the
# machine cannot run it. The cell shows the errno name, or the reason as it is.
UNSUPPORTED = re.compile(r"unsupported \((?:error (\w+)|([^)]*))\)")


def boot(name, kernel, initrd, append, timeout):
    """Boots one kernel; returns (serial output, seconds it took, how it ended)."""
    cmd = ["qemu-system-x86_64", *QEMU_MACHINE, *QEMU_IO, "-kernel", kernel, "-initrd", initrd,
           "-append", append]
    print(f"{name}: booting {kernel} ({append})", flush=True)
    start = time.monotonic()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        out, ended = r.stdout, f"QEMU exited ({r.returncode})"
        if r.stderr:
            out += b"\n" + r.stderr
    except subprocess.TimeoutExpired as e:   # run() has killed QEMU; keep what it printed
        out, ended = e.stdout or b"", f"timed out after {timeout} s"
    text = out.decode("utf-8", "replace").replace("\r", "")
    return text, time.monotonic() - start, ended


def parse(text):
    """The bench lines: {name: {field: value}}, or {name: {"unsupported": "ENOSYS"}}."""
    results = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        name, rest = m.groups()
        u = UNSUPPORTED.search(rest)
        if u and u.group(1):
            results[name] = {"unsupported": u.group(1)}
        elif u:
            results[name] = {"cannot": u.group(2)}
        elif "skipped" in rest:
            results[name] = {"skipped": rest}
        else:
            results[name] = dict(FIELD.findall(rest))
    return results


def run(name, kernel, initrd, append, timeout):
    """Boots, parses and reports; returns the results, or None if bench did not finish."""
    text, took, ended = boot(name, kernel, initrd, append, timeout)
    for line in re.findall(r"^bench: bkl_stat: (.*)$", text, re.M):
        print(f"{name}: {line}")
    results = parse(text)
    if "done" not in results:
        print(f"{name}: bench did not finish ({ended}); the end of the serial log:")
        for line in text.splitlines()[-25:] or ["(nothing)"]:
            print(f"    {line}")
        return None
    print(f"{name}: finished in {took:.1f} s")
    return results


def cell(results, bench, field):
    """What a table cell shows, and its number (None if it has none)."""
    if results is None:
        return "-", None
    r = results.get(bench)
    if r is None:
        return "missing", None
    if "unsupported" in r:
        return f"unsupported ({r['unsupported']})", None
    if "cannot" in r:
        return r["cannot"], None
    if field not in r:
        return "-", None
    try:
        return r[field], float(r[field])
    except ValueError:              # not one number (a range "0.69-1.33"): no ratio
        return r[field], None


def table(lantern, linux, with_linux, only=None):
    """Prints the results; the Linux and ratio columns only if Linux was asked for; only
    the rows of the benchmarks in `only`, if given."""
    rows = [("benchmark", "Lantern", "Linux", "ratio")]
    for label, bench, field in ROWS:
        if only and bench not in only:
            continue
        ours, a = cell(lantern, bench, field)
        theirs, b = cell(linux, bench, field)
        ratio = f"{a / b:.2f}" if a is not None and b else ""
        rows.append((label, ours, theirs, ratio))
    columns = 4 if with_linux else 2
    widths = [max(len(r[i]) for r in rows) for i in range(columns)]
    for i, r in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print("-|-".join("-" * w for w in widths))
    if with_linux:
        print("ratio = Lantern / Linux: below 1, Lantern is faster")


def initramfs_with_extras(build, tmp):
    """build/initramfs.cpio followed by a second archive with Debian's static busybox and
    the dynamically linked glibc program (build/dyn/dynamic_glibc) with its libraries, for
    the exec rows (the kernels unpack concatenated archives one after the other). Without
    them those rows say unsupported (ENOENT)."""
    base = os.path.join(build, "initramfs.cpio")
    root = os.path.join(tmp, "root")
    progs = []
    busybox = os.path.join(build, "rootfs-busybox", "bin", "busybox")
    dynamic = os.path.join(build, "dyn", "dynamic_glibc")
    if os.path.exists(busybox):
        progs.append(f"{busybox}=/bin/busybox")
    if os.path.exists(dynamic):
        progs.append(f"{dynamic}=/bin/dynamic_glibc")
    if not progs:
        return base
    subprocess.run([os.path.join(ROOT, "tools", "copy-with-libs.sh"), root] + progs, check=True)
    names = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=root,
                           capture_output=True, text=True, check=True).stdout
    combined = os.path.join(tmp, "initramfs.cpio")
    with open(combined, "wb") as out:
        with open(base, "rb") as f:
            out.write(f.read())
        out.flush()
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"], cwd=root,
                       input=names.encode(), stdout=out, check=True)
    return combined


def machine_description():
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True)
    print(qemu.stdout.splitlines()[0] if qemu.stdout else "qemu: version unknown")
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.strip() for l in f if l.startswith("model name")), None)
    except OSError:
        model = None
    print(model or "model name: unknown")
    print(f"QEMU machine: {' '.join(QEMU_MACHINE)}")


def print_host_load(when):
    """The host's load average: other work on the host takes CPU time from QEMU's virtual
    CPUs, and moves the speed-ups and cross-CPU latencies most."""
    one, five, _ = os.getloadavg()
    print(f"host load average {when}: {one:.2f} (1 min), {five:.2f} (5 min)")


def fetch_linux(build):
    """tools/linux-oracle.sh: Debian's kernel, downloaded into build/linux/ if not there."""
    r = subprocess.run([os.path.join(ROOT, "tools", "linux-oracle.sh"), build],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"bench: linux-oracle.sh failed: {r.stderr.strip()}")
    return r.stdout.strip().splitlines()[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--linux", metavar="VMLINUZ", help="also boot this Linux kernel ('fetch': Debian's)")
    ap.add_argument("--timeout", type=int, default=180, help="seconds per boot (default 180)")
    ap.add_argument("--smp", type=int, default=1, help="CPUs of the QEMU machine (default 1)")
    ap.add_argument("--rows", nargs="+", metavar="NAME",
                    help="run only these benchmarks (bench's names: fault_storm getpid ...)")
    ap.add_argument("--bkl-stat", action="store_true",
                    help="print Lantern's /proc/bkl_stat after each program (boots with bkl_stat)")
    args = ap.parse_args()
    QEMU_MACHINE[QEMU_MACHINE.index("-smp") + 1] = str(args.smp)
    print(f"QEMU -smp {args.smp}; the host has {os.cpu_count()} CPUs (under TCG they bound the speed-up)")
    print_host_load("at the start")

    kernel = os.path.join(args.build, "kernel.elf")
    initrd = os.path.join(args.build, "initramfs.cpio")
    for f in (kernel, initrd):
        if not os.path.exists(f):
            sys.exit(f"bench: no {f} (run make first)")
    vmlinuz = fetch_linux(args.build) if args.linux == "fetch" else args.linux
    if vmlinuz and not os.path.exists(vmlinuz):
        sys.exit(f"bench: no {vmlinuz}")

    machine_description()
    tmp = tempfile.TemporaryDirectory()
    initrd = initramfs_with_extras(args.build, tmp.name)
    # Words after "--" on the command line are init's arguments, on both kernels: the names
    # of the rows to run (each program runs those it has, and skips the rest).
    only = " -- " + " ".join(args.rows) if args.rows else ""
    lantern_args = LANTERN_ARGS + (" bkl_stat" if args.bkl_stat else "")
    lantern, lantern_ok = run_all("Lantern", kernel, initrd, lantern_args + only, args.timeout)
    linux, linux_ok = run_all("Linux", vmlinuz, initrd, LINUX_ARGS + only, args.timeout) \
        if vmlinuz else (None, True)
    tmp.cleanup()
    print_host_load("at the end")
    print()
    table(lantern, linux, bool(vmlinuz), args.rows)
    return 0 if lantern_ok and linux_ok else 1


def run_all(name, kernel, initrd, args_format, timeout):
    """Boots each of PROGRAMS: (their results merged, whether every one finished). The
    rows of a program that did not finish say "missing"; the others still show."""
    merged, finished = {}, True
    for program in PROGRAMS:
        results = run(f"{name} {program}", kernel, initrd, args_format.format(program), timeout)
        if results is None:
            finished = False
        else:
            merged.update(results)
    return (merged or None), finished


if __name__ == "__main__":
    sys.exit(main())
