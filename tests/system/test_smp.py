"""SMP: Lantern on several CPUs (kernel/smp.c, lapic.c, ioapic.c, spinlock.c).

Bring-up at -smp 4 with Linux's log lines; maxcpus= and nosmp as on Linux; a panic that
prints once while other CPUs run; lockdep's four checks; and tests/user/smpstress.c
(fork/exec storms, pipes between CPUs, futexes, threads first-touching the same pages,
munmap racing reads and writes in other threads, first-touch faults racing munmap (page
tables freed), mprotect, fork, mremap and each other, pinned threads waking each other, a
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


def test_lockdep_two_locks_of_one_class(ctx):
    msg = _ktest(ctx, "lockdep_two_mms")
    assert msg == ("lockdep: CPU 0 takes a second mm lock while holding one (no order "
                   "between two locks of one class)"), msg


def test_double_free_of_a_page_on_a_cpu_list(ctx):
    msg = _ktest(ctx, "double_free")
    assert re.fullmatch(r"page_alloc: double free of 0x[0-9a-f]+ \(order 0\) by caller "
                        r"0xffffffff[0-9a-f]+", msg), msg


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
    _fault_races_ran_and_freed(log)
    # A wakeup must kick the CPU the woken thread is pinned to. Kicking another one leaves
    # it halted until its next timer tick: 10 ms a round trip (two wakeups, half a tick
    # each on average); done right, a round trip takes well under 1 ms even under TCG.
    rt = re.search(r"^info: affinity round trip (\d+) us$", log, re.M)
    assert rt and int(rt.group(1)) < 5000, f"pinned threads wake late: {rt and rt.group(0)}"
    assert log.count("Kernel panic - not syncing:") == 1
    assert "Attempted to kill init! exitcode=0x00000000" in log


def test_rwlock_writers_get_through_at_1_and_2_cpus(ctx):
    """smpstress's rwlock phase with fewer CPUs than threads: 3 readers loop on a glibc
    rwlock while 2 writers take it 1000 times each. Each writer is woken when the readers
    leave; unless it runs at once (wakeup preemption, sched.c), it finds them back every
    time, and 2000 writes took minutes. The watchdog: the boot's timeout."""
    for smp in (1, 2):
        m = ctx.machine(kernel_args="rdinit=/bin/smpstress panic=-1 -- 1 rwlock", smp=smp)
        m.wait_exit(60)
        log = m.text()
        assert "smpstress: rwlock: writes 2000, torn reads 0\n" in log, f"-smp {smp}\n{log[-2000:]}"
        assert "Attempted to kill init! exitcode=0x00000000" in log, log[-2000:]


# The fault-race phases run for a time, not a count (a loaded host races less, but not for
# longer): each must have made its minimum of rounds, and given back the pages it took. What
# stays may be a page or two of the kernel's own (a kmalloc slab, a kernel-stack slot's
# page table), never the megabytes the phases map, nor a page table per lost race.
FAULT_RACE_ROUNDS = {"ptfree": r"(\d+) remaps", "mprotect": r"(\d+) rounds", "fork": r"(\d+) rounds",
                     "mremap": r"(\d+) rounds", "samepage": r"(\d+) rounds"}
FREE_PAGES_MARGIN = 4


def _fault_races_ran_and_freed(log):
    for phase, rounds in FAULT_RACE_ROUNDS.items():
        ran = re.search(rf"^info: {phase}: {rounds}", log, re.M)
        assert ran and int(ran.group(1)) >= 3, f"{phase} did not run its rounds\n{log[-3000:]}"
        free = re.search(rf"^info: {phase}: free pages before (\d+) after (\d+)$", log, re.M)
        assert free, f"{phase}: no free page count\n{log[-3000:]}"
        before, after = int(free.group(1)), int(free.group(2))
        assert after + FREE_PAGES_MARGIN >= before, f"{phase} leaked {before - after} pages"


# ---------------------------------------------------------------- what a user sees of SMP
# tests/user/smpvis.c, booted as init at -smp 4.

def _smpvis(ctx, mode, extra_args="", extra=None, timeout=180):
    m = ctx.machine(kernel_args=f"{extra_args} rdinit=/bin/smpvis panic=-1 -- {mode}".strip(),
                    smp=4, extra=extra)
    status = m.wait_exit(timeout)
    log = m.text()
    assert status == 0 and "smpvis: done" in log, log[-3000:]
    assert "FAIL" not in log, log[-3000:]
    return log


def test_psr_is_the_cpu_a_task_last_ran_on(ctx):
    """A child pinned to each CPU: getcpu, its own /proc/self/stat field 39, the parent's
    look at that field while the child sleeps, and `ps -e -o pid,psr,comm` all name the
    CPU it was pinned to."""
    log = _smpvis(ctx, "psr")
    assert "smpvis: cpus 4\n" in log, log[-2000:]
    own = re.findall(r"^smpvis: child (\d): getcpu (\d+), own stat field 39 (\d+)$", log, re.M)
    assert sorted(own) == [(c, c, c) for c in "0123"], own
    pinned = re.findall(r"^smpvis: pid (\d+) pinned to (\d): stat field 39 (\d+)$", log, re.M)
    assert [(cpu, psr) for _, cpu, psr in pinned] == [(c, c) for c in "0123"], pinned
    header = log.index("  PID PSR COMMAND\n")
    rows = dict(re.findall(r"^ +(\d+) +(\d+) smpvis$", log[header:], re.M))
    assert all(rows.get(pid) == cpu for pid, cpu, _ in pinned), (rows, pinned)
    assert re.search(r"^ +\d+ +[0-3] ps$", log[header:], re.M), log[header:header + 400]
    assert "smpvis: ps exit status 0" in log


def test_cpuinfo_and_stat_list_every_cpu(ctx):
    log = _smpvis(ctx, "psr")
    assert "smpvis: cpuinfo: processor 0 apicid 0 processor 1 apicid 1 processor 2 apicid 2 " \
           "processor 3 apicid 3\n" in log, log[-2000:]
    assert "smpvis: stat: cpu0:ticks cpu1:ticks cpu2:ticks cpu3:ticks\n" in log, log[-2000:]


def test_proc_interrupts_counts_per_cpu(ctx):
    """/proc/interrupts in Linux's layout: a column per CPU; the legacy IRQs (all taken by
    CPU 0); then the local APIC's: every AP's own timer ticks (LOC), and the reschedule
    IPIs (RES) that woke APs for the children pinned to them. Not necessarily every AP: one
    still polling in its idle loop when its child comes sees the flag and needs no IPI
    (smp_idle_wait), and under a loaded host about one boot in twenty has an AP with none."""
    log = _smpvis(ctx, "psr")
    lines = re.findall(r"^smpvis: interrupts:(.*)$", log, re.M)
    assert lines and lines[0] == " " * 11 + "".join(f"CPU{c:<8}" for c in range(4)), lines
    assert re.fullmatch(r"  0: +\d+ +0 +0 +0 +IO-APIC +0-edge +timer", lines[1]), lines
    counts = {}
    for label in ("LOC", "RES", "TLB"):
        row = [l for l in lines if l.startswith(label + ":")]
        assert len(row) == 1, lines
        m = re.fullmatch(label + r": +(\d+) +(\d+) +(\d+) +(\d+) +\S.*", row[0])
        assert m, row
        counts[label] = [int(n) for n in m.groups()]
    assert all(n > 0 for n in counts["LOC"][1:]), counts
    assert sum(counts["RES"][1:]) > 0, counts


def _linux_loads(samples, active):
    """Linux's avenrun after `samples` samples of `active` tasks from 0 (kernel/sched/
    loadavg.c), printed as /proc/loadavg prints them."""
    fixed_1, loads = 1 << 11, [0, 0, 0]
    for _ in range(samples):
        for i, e in enumerate((1884, 2014, 2037)):
            new = loads[i] * e + active * fixed_1 * (fixed_1 - e)
            if active * fixed_1 >= loads[i]:
                new += fixed_1 - 1
            loads[i] = new // fixed_1
    shown = []
    for a in loads:
        a += fixed_1 // 200
        shown.append(f"{a >> 11}.{((a & (fixed_1 - 1)) * 100) >> 11:02d}")
    return " ".join(shown)


def test_load_averages(ctx):
    """Idle for 6 s: the loads stay 0.00 (one sample of nothing running). Then one process
    spins until the 1-minute load moves: the three loads are Linux's after some samples of
    one running task, /proc/loadavg's running/total counts it, sysinfo says the same, and
    the last pid is the child's."""
    log = _smpvis(ctx, "load")
    # The sample is taken every 5 s of timer ticks, the sleep is 6 s of the TSC's time: on a
    # host so loaded that QEMU's timer fell a second behind, the sample finds it awake.
    idle = re.search(r"^smpvis: idle: loadavg (\S+ \S+ \S+) 1/1 1$", log, re.M)
    assert idle and idle.group(1) in ("0.00 0.00 0.00", _linux_loads(1, 1)), log[-2000:]
    assert f"smpvis: idle: sysinfo {idle.group(1)}\n" in log, log[-2000:]
    busy = re.search(r"^smpvis: busy: loadavg (\S+ \S+ \S+) 1/2 (\d+)$", log, re.M)
    assert busy, log[-2000:]
    assert float(busy.group(1).split()[0]) > 0.05, busy.group(0)
    assert busy.group(1) in [_linux_loads(n, 1) for n in range(1, 13)], busy.group(0)
    assert f"smpvis: busy: sysinfo {busy.group(1)}\n" in log, log[-2000:]
    assert f"smpvis: last pid {busy.group(2)}, child {busy.group(2)}\n" in log, log[-2000:]


def test_make_run_boots_four_cpus(ctx):
    """`make run` (and run-nox, trace) give QEMU four CPUs with multi-threaded TCG; SMP=N
    changes that; `make test` stays at one CPU unless SMP=N is given."""
    import subprocess
    root = os.path.dirname(os.path.dirname(HERE))

    # not what this run of the suite was given (`make test SMP=4` passes SMP in MAKEFLAGS)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "SMP", "LANTERN_SMP")}

    def dry(*args):
        r = subprocess.run(["make", "-n", "--no-print-directory", f"BUILD={ctx.build}", *args],
                           cwd=root, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return [l for l in r.stdout.splitlines() if "qemu-system" in l or ".py" in l]

    qemu = dry("run-nox")
    assert qemu and all("-smp 4 -accel tcg,thread=multi" in l for l in qemu), qemu
    assert all("-smp 2 " in l for l in dry("run-nox", "SMP=2")), dry("run-nox", "SMP=2")
    assert any("trace_run.py" in l and "--smp 4" in l for l in dry("trace")), dry("trace")
    test = [l for l in dry("test") if "run.py" in l]
    assert test and not any("LANTERN_SMP" in l for l in test), test


def _bkl_stat(log, what):
    """The lines smpvis printed of /proc/bkl_stat as `what`, and their rows:
    {holder: (holds, cycles, per hold)}."""
    lines = re.findall(r"^smpvis: " + re.escape(what) + r": (.*)$", log, re.M)
    rows = {}
    for line in lines[1:-1]:
        m = re.fullmatch(r"(\S.*?) +(\d+) +(\d+) +(\d+)", line)
        assert m, (what, line, lines)
        rows[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    return lines, rows


def test_bkl_stat_counts_who_holds_the_big_lock(ctx):
    """/proc/bkl_stat (kernel/bklstat.c), booted with bkl_stat at -smp 2, read 7 bytes at a
    time after 5 fork+execve+wait of /bin/true: a header, then one row per holder, most
    cycles first, each with cycles = holds x per hold; execve and wait4 hold it at least 5
    times each, getpid (which never takes it) not at all; then a total, the sum of the
    rows. Read in pieces, the text is one text (file.c keeps it for the open file, as Linux's
    seq_file): made anew at every read, the counts had grown meanwhile. Writing 0 clears the
    counts, writing 1 is EINVAL. Booted without bkl_stat, the file says it is off."""
    log = _smpvis(ctx, "bkl", extra_args="bkl_stat")
    for what in ("bkl", "bkl after"):
        lines, rows = _bkl_stat(log, what)
        assert re.fullmatch(r"held by +holds +cycles +per hold", lines[0]), lines
        total = re.fullmatch(r"total +(\d+) +(\d+)", lines[-1])
        assert total, lines
        assert int(total.group(2)) == sum(c for _, c, _ in rows.values()), lines
        assert int(total.group(1)) == sum(h for h, _, _ in rows.values()), lines
        cycles = [c for _, c, _ in rows.values()]
        assert cycles == sorted(cycles, reverse=True), lines
        assert all(per == (c // h if h else 0) for h, c, per in rows.values()), lines
        if what == "bkl":
            before = rows, int(total.group(1))
    rows, holds = before
    assert rows["execve"][0] >= 5 and rows["wait4"][0] >= 5 and "getpid" not in rows, rows
    assert "smpvis: write 0: 2, write 1: -1 Invalid argument" in log, log[-3000:]
    _, after = _bkl_stat(log, "bkl after")
    assert sum(h for h, _, _ in after.values()) < holds // 2, after
    assert "execve" not in after and "wait4" not in after, after
    log = _smpvis(ctx, "bkl")
    assert "smpvis: bkl: bkl_stat: off (boot with 'bkl_stat' on the command line)" in log, log[-3000:]
