"""/bin/usertests (user/usertests*.c): the in-OS test suite, as xv6's usertests.

On Lantern it is init, in a 32 MiB machine: every test must pass - the leak check too -
and it powers the machine off. On the host it runs as an ordinary process, where the
same tests must pass against Linux itself.
"""
import os
import re
import subprocess

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


def failures(text):
    return "\n".join(l for l in text.splitlines() if l.startswith("FAIL"))


def test_usertests_on_lantern(ctx):
    # As the issue has it: init= (our /init hands over to it, as PID 1).
    m = ctx.machine(kernel_args="init=/bin/usertests panic=-1", memory="32M")
    assert m.wait_exit(120) == 0, "QEMU did not exit cleanly"
    log = m.text()
    assert "Kernel panic" not in log
    summary = SUMMARY.findall(log)
    assert summary, "no summary line"
    passed, failed = map(int, summary[-1])
    assert failed == 0, failures(log)
    assert passed >= 20, f"only {passed} tests ran"
    ours = [l for l in log.splitlines() if l.strip() and not l.startswith("[")]
    assert ours[-1] == f"{passed} passed, 0 failed", f"the run ends with {ours[-1]!r}"
    assert "reboot: Power down" in log


def test_usertests_on_host(ctx):
    path = os.path.join(ctx.build, "bin", "usertests")
    r = subprocess.run([path], capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    out = r.stdout
    summary = SUMMARY.findall(out)
    assert summary, f"no summary line:\n{out}\n{r.stderr}"
    passed, failed = map(int, summary[-1])
    assert failed == 0 and r.returncode == 0, failures(out) or f"exit status {r.returncode}"
    assert out.rstrip().endswith(f"{passed} passed, 0 failed")
    assert passed >= 20
