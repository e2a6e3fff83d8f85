"""A Go program as init: the seed scenario ("the Linux kernel is just a program").

/bin/goinit (user/go/goinit/, static, no C library) is booted as PID 1. Its Go runtime
needs what real programs need: threads (clone with CLONE_THREAD), futexes, signals on an
alternate stack per thread, SIGURG sent to one thread (tgkill), a SIGSEGV turned into a
panic by editing the signal frame, epoll, vfork-style clone for os/exec, wait4/waitid,
mount, reboot. The expected lines were recorded on Debian's Linux booting the same
initramfs (tests/system/oracle/goinit.txt, see its header), at GOMAXPROCS=1 and 4."""
import difflib
import os
import subprocess

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle", "goinit.txt")


def oracle_runs():
    """{"GOMAXPROCS=1": [lines], "GOMAXPROCS=4": [lines]} from the oracle file."""
    runs, current = {}, None
    with open(ORACLE) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = runs.setdefault(line[1:-1], [])
            else:
                current.append(line)
    return runs


def goinit_lines(text):
    return [l for l in text.replace("\r", "").splitlines() if l.startswith("goinit:")]


def boot_goinit(ctx, gomaxprocs, extra=""):
    m = ctx.machine(kernel_args=f"rdinit=/bin/goinit panic=-1 GOMAXPROCS={gomaxprocs}{extra}")
    m.wait_exit(180)
    return m.text()


def check_against_linux(ctx, gomaxprocs):
    expected = oracle_runs()[f"GOMAXPROCS={gomaxprocs}"]
    log = boot_goinit(ctx, gomaxprocs)
    got = goinit_lines(log)
    assert "Run /bin/goinit as init process" in log
    if got != expected:
        diff = difflib.unified_diff(expected, got, "Linux", "Lantern", lineterm="")
        raise AssertionError("goinit's output differs from Linux's:\n" + "\n".join(diff))
    assert "Kernel panic" not in log
    tail = log[log.find("goinit: powering off"):]
    assert "reboot: Power down" in tail, "goinit asked for power-off; the kernel did not"


def test_goinit_gomaxprocs_1(ctx):
    check_against_linux(ctx, 1)


def test_goinit_gomaxprocs_4(ctx):
    check_against_linux(ctx, 4)


def test_goinit_reboot_word(ctx):
    """A word after "--" reaches init's argv: "reboot" makes goinit restart, not power off."""
    log = boot_goinit(ctx, 2, " -- reboot")
    lines = goinit_lines(log)
    assert lines and lines[0] == "goinit: hello from Go as init, pid 1", lines
    assert lines[-1] == "goinit: restarting", lines
    assert "Kernel panic" not in log
    assert "reboot: Restarting system" in log[log.find("goinit: restarting"):]


def test_goinit_on_the_host(ctx):
    """The same binary as an ordinary process on the host (not PID 1): no mounts, no reboot,
    and otherwise the lines Linux printed for it as init."""
    binary = os.path.join(ctx.build, "bin", "goinit")
    env = {"GOMAXPROCS": "4", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", (r.returncode, r.stderr)
    got = goinit_lines(r.stdout)
    pid1_only = ("mount ", "/proc/self/stat", "devtmpfs", "/dev/null", "powering off")
    expected = [l for l in oracle_runs()["GOMAXPROCS=4"] if not any(w in l for w in pid1_only)]
    expected[0] = got[0] if got[0].startswith("goinit: hello from Go as init, pid ") else expected[0]
    assert got == expected + ["goinit: not pid 1: exiting"], "\n".join(got)
