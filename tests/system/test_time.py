"""Time on Lantern against the host's: CLOCK_REALTIME (from the CMOS clock at boot, then the
TSC) must be the real date, and a glibc program's clocks must come from the vDSO, without
entering the kernel (the kernel's event trace counts its system calls)."""
import os
import re
import subprocess
import time


def boot_shell(ctx, **kw):
    m = ctx.machine(kernel_args="panic=-1", **kw)
    m.wait_for(r"^# ", timeout=60)
    return m


def test_realtime_is_the_hosts_time(ctx):
    m = boot_shell(ctx)
    start = len(m.text())
    before = time.time()
    m.type("date +%s\r")
    guest = int(m.wait_for(r"^(\d{9,})$", start=start).group(1))
    after = time.time()
    # QEMU's CMOS clock starts at the host's time truncated to the second, and the kernel
    # reads it to the second: Lantern may be up to 2 s behind, never ahead.
    assert int(before) - 2 <= guest <= int(after), (before, guest, after)


def test_date_prints_what_the_hosts_date_prints(ctx):
    m = boot_shell(ctx)
    start = len(m.text())
    t = time.time()
    m.type("date\r")
    line = m.wait_for(r"^(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4})$", start=start).group(1)
    env = {"TZ": "UTC", "LC_ALL": "C", "PATH": "/usr/bin:/bin"}
    hosts = {subprocess.run(["date", "-d", f"@{int(t) + d}"], env=env, capture_output=True,
                            text=True).stdout.strip() for d in (-2, -1, 0, 1)}
    assert line in hosts, (line, hosts)


def test_glibc_clock_gettime_makes_no_system_calls(ctx):
    """glibc_vdso calls clock_gettime 200000 times through glibc and makes a few raw
    clock_gettime system calls of its own to compare with: the trace must hold only those."""
    dump = os.path.join(ctx.build, "test-time-trace.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = ctx.machine(kernel_args="trace panic=-1", extra=["-serial", f"file:{dump}"])
    m.wait_for(r"^# ", timeout=60)
    m.type("/bin/glibc_vdso\r")
    m.wait_for(r"^done$", timeout=120)
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    assert "CLOCK_MONOTONIC: 100000 calls, went backwards 0 times, advanced: yes" in m.text()
    with open(dump) as f:
        words = [l.split() for l in f.read().splitlines()[1:-1]]
    events = [w[:1] + w[2:] for w in words]     # "<ns> <cpu> <event>": without the CPU
    pids = {e[2] for e in events if e[1] == "exec" and "glibc_vdso" in " ".join(e[3:])}
    assert len(pids) == 1, f"no exec of glibc_vdso in the trace: {pids}"
    calls = [e for e in events if e[1] == "sys_enter" and e[2] in pids]
    assert len(calls) > 10, "the trace did not record glibc_vdso's system calls"
    clock = [e for e in calls if e[4] in ("clock_gettime", "gettimeofday", "time")]
    # Its own raw calls: 2 for each of 7 clocks, 2 around gettimeofday and 2 time(); and
    # glibc passes CLOCK_PROCESS_CPUTIME_ID on to the kernel, as the vDSO tells it to.
    assert len(clock) <= 20, f"{len(clock)} clock system calls: is the vDSO unused?"
