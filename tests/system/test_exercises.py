"""The walkthrough's exercises that change code, each checked by booting Lantern.

Until a student starts an exercise, its test raises Skip: `make test` reports it as
skipped, not failed. `make check-exercise NAME=...` sets LANTERN_EXERCISE=NAME and runs
just that test, and then "not started" is a failure that says what to do. Once started,
the test judges the work like any other: the output must match Linux, or the kernel must
behave as the exercise asks.

    times   add times(2) (nr 100); tests/exercises/ex_times.c must print what it prints on Linux
    minflt  /proc/PID/stat's 10th field (minflt) counts the process's page faults
    slice   sched_slice=N on the kernel command line sets the round-robin slice, in ticks
    myinit  user/myinit.c: your own init (mounts /proc, runs a shell, reaps orphans)
"""
import difflib
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "user"))
from skip import Skip  # noqa: E402
import host  # noqa: E402  (tests/user/host.py)
from test_parity import program_output_on_lantern  # noqa: E402


def not_started(name, how):
    """The exercise has not been started: skipped by `make test`, a failure for
    `make check-exercise NAME=name`."""
    if os.environ.get("LANTERN_EXERCISE") == name:
        raise AssertionError(f"exercise {name} is not done yet: {how}")
    raise Skip(f"exercise not started ({how}; `make check-exercise NAME={name}`)")


# ---------------------------------------------------------------- add a system call

def test_times(ctx):
    got, exit_line, _ = program_output_on_lantern(ctx, "ex_times")
    if got and "not implemented yet" in got[0]:
        not_started("times", "times(2), number 100, returns ENOSYS; add it to kernel/syscall.c")
    r = host.run_program(os.path.join(ctx.build, "user", "ex_times"), timeout=60)
    expected = r.stdout.splitlines()
    assert r.returncode == 0 and expected[-1:] == ["done"], f"on the host: {r.returncode} {r.stderr}"
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "Linux", "Lantern", lineterm=""))
        raise AssertionError(f"ex_times: output differs from Linux's\n{diff}")
    assert exit_line.endswith("exitcode=0x00000000"), exit_line


# ---------------------------------------------------------------- page faults per process

def stat_fields(text, pid_word):
    """The fields of the first /proc/.../stat line for that pid, after the comm."""
    m = re.search(r"^%s \((.*?)\) (.*)$" % pid_word, text, re.M)
    assert m, f"no stat line for {pid_word}"
    return [m.group(1)] + m.group(2).split()     # [comm, state, ppid, ...]: field n is [n - 2]


def test_minflt(ctx):
    m = ctx.machine(kernel_args="panic=-1")
    m.wait_for(r"^# ")
    mark = len(m.text())
    m.type("cat /proc/1/stat\r")
    m.wait_for(r"^1 \(init\) .*$", start=mark)
    first = int(stat_fields(m.text()[mark:], "1")[10 - 2])
    if first == 0:
        not_started("minflt", "/proc/1/stat's minflt (field 10) is 0; count faults in user_trap")
    mark = len(m.text())
    m.type("cat /proc/self/stat; cat /proc/1/stat\r")
    m.wait_for(r"^1 \(init\) .*$", start=mark)
    text = m.text()[mark:]
    cat = stat_fields(text, r"\d+")
    again = int(stat_fields(text, "1")[10 - 2])
    assert cat[0] == "cat" and int(cat[10 - 2]) > 0, f"cat took no page faults? {cat}"
    assert first >= 10, f"init took only {first} page faults to boot"
    assert again >= first, f"init's minflt went down: {first} then {again}"


# ---------------------------------------------------------------- the time slice

def turns_ms(dump, pids):
    """How long each of pids ran per turn (ms), from the trace, leaving out each one's last
    turn (cut short by its exit)."""
    import importlib.util    # tools/trace.py (not the standard library's trace module)
    spec = importlib.util.spec_from_file_location("lantern_trace", os.path.join(ROOT, "tools", "trace.py"))
    tracetool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tracetool)
    model = tracetool.load(dump)
    out = []
    for pid in pids:
        runs = [s for s in model.spans if s["kind"] == "running" and s["pid"] == pid]
        out += [(s["t1"] - s["t0"]) / 1e6 for s in runs[:-1]]
    return out


def test_slice(ctx):
    dump = os.path.join(ctx.build, "exercise-slice-trace.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = ctx.machine(kernel_args="rdinit=/bin/stress panic=-1 trace sched_slice=10 -- cpu",
                    extra=["-serial", f"file:{dump}"])
    m.wait_for(r"Run /bin/stress as init process")
    if "Unknown kernel command line parameters" in m.text() and "sched_slice=10" in m.text():
        m.close()
        not_started("slice", "the kernel does not know sched_slice=; parse it in kernel/cmdline.c")
    assert m.wait_exit(120) == 0, "stress did not power off"
    log = m.text()
    assert "stress: cpu: both progressed: yes" in log, log[-2000:]
    turns = [t for t in turns_ms(dump, (2, 3)) if t > 1]
    assert len(turns) >= 4, f"too few turns in the trace: {turns}"
    median = statistics.median(turns)
    assert 70 <= median <= 130, f"with sched_slice=10 a turn should be about 100 ms, is {median:.1f} ms: {turns}"


# ---------------------------------------------------------------- your own init

def test_myinit(ctx):
    if not os.path.exists(os.path.join(ROOT, "user", "myinit.c")):
        not_started("myinit", "write user/myinit.c")
    m = ctx.machine(kernel_args="rdinit=/bin/myinit panic=-1")
    m.wait_for(r"^[#$] ", timeout=60)
    m.type("echo hello from myinit\r")
    m.wait_for(r"^hello from myinit$")
    m.type("cat /proc/mounts\r")
    m.wait_for(r"^proc /proc proc")
    # an orphan: its parent (a second shell) exits at once, so init adopts it and must reap it
    m.type("sh -c 'sleep 1 &'; sleep 3; ps -e | grep -c sleep; echo reaped-check\r")
    m.wait_for(r"^reaped-check$", timeout=30)
    tail = m.text().split("reaped-check")[-2].splitlines()
    assert tail and tail[-1].strip() == "0", f"a zombie was left unreaped: {tail[-3:]}"
