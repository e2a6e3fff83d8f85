"""init as PID 1 (init/): /etc/rc, /etc/inittab, supervising, respawning, shutting down.

On the host, build/init/init runs as an ordinary supervisor when INIT_INITTAB names an
inittab (and INIT_RC an rc script): it adopts orphans (PR_SET_CHILD_SUBREAPER), and its
shutdown ends with exit(0) instead of reboot(2). The host's own small commands (/bin/sh,
/bin/echo, /bin/sleep) are its children. Then Lantern boots the same init from the
initramfs, with rootfs/etc/rc and rootfs/etc/inittab, and a shell on the console.
"""
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class HostInit:
    """build/init/init on the host with an inittab (and an rc script) of our own; each line
    it and its children print is kept with the time it came."""

    def __init__(self, build, inittab, rc=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="lantern-init-")
        env = {"PATH": "/usr/bin:/bin", "HOME": "/", "TERM": "linux"}
        env["INIT_INITTAB"] = self._write("inittab", inittab)
        if rc is not None:
            env["INIT_RC"] = self._write("rc", rc)
        self.lines = []           # (seconds since start, line)
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.proc = subprocess.Popen([os.path.join(build, "init", "init")], env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append((time.monotonic() - self.start, line.rstrip("\n")))

    def text(self):
        with self.lock:
            return [l for _, l in self.lines]

    def times_of(self, pattern):
        with self.lock:
            return [t for t, l in self.lines if re.search(pattern, l)]

    def wait_for(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.times_of(pattern):
                return
            time.sleep(0.02)
        raise AssertionError(f"no /{pattern}/ within {timeout}s:\n" + "\n".join(self.text()))

    def children(self):
        """init's children as Linux lists them: (pid, state) pairs."""
        pid = self.proc.pid
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(p) for p in f.read().split()]
        out = []
        for k in kids:
            try:
                with open(f"/proc/{k}/stat") as f:
                    out.append((k, f.read().rsplit(")", 1)[1].split()[0]))
            except OSError:
                pass      # gone meanwhile
        return out

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends init sig; returns its exit status."""
        self.proc.send_signal(sig)
        status = self.proc.wait(timeout)
        self.reader.join(5)
        return status

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.tmp.cleanup()


def host_init(build, inittab, rc=None):
    return HostInit(build, inittab, rc)


def after_banner(lines):
    return [l for l in lines if not re.match(r"init: (Lantern init starting|argv\[|envp\[)", l)]


def test_host_runs_rc_then_inittab_in_order(ctx):
    # rc leaves a process behind: init must not wait for it, only for rc.
    init = host_init(ctx.build, rc='sleep 30 &\necho "rc: ran"\n', inittab="\n".join([
        "# sysinit and wait entries run one at a time, to completion",
        '::sysinit:/bin/sh -c "sleep 0.3; echo sysinit-1"',
        "::sysinit:/bin/echo sysinit-2",
        "::wait:/bin/sh -c 'sleep 0.3; echo wait-1'",
        "::once:/bin/echo once-1",
        "::respawn:/bin/sh -c 'echo respawn-1; exec sleep 100'",
        "::ctrlaltdel:/bin/echo never",
        "::shutdown:/bin/echo shutdown-1",
        "",
    ]))
    try:
        init.wait_for("once-1")
        init.wait_for("respawn-1")
        assert init.stop() == 0
        lines = after_banner(init.text())
        start = lines[:4]
        assert start == ["rc: ran", "sysinit-1", "sysinit-2", "wait-1"], lines
        assert sorted(lines[4:6]) == ["once-1", "respawn-1"], lines
        assert lines[6:] == [
            "shutdown-1",
            "init: The system is going down NOW!",
            "init: Sent SIGTERM to all processes",
            "init: Sent SIGKILL to all processes",
        ], lines
        assert "never" not in lines
    finally:
        init.close()


def test_host_inittab_errors_are_reported_and_skipped(ctx):
    init = host_init(ctx.build, inittab="just words\n::bogus:/bin/true\n::once:/bin/echo fine\n")
    try:
        init.wait_for("fine")
        assert init.stop() == 0
        lines = init.text()
        assert any(re.fullmatch(r"init: .*inittab:1: not id:runlevels:action:process", l) for l in lines), lines
        assert any(re.fullmatch(r'init: .*inittab:2: unknown action "bogus"', l) for l in lines), lines
    finally:
        init.close()


def test_host_respawn_backs_off(ctx):
    # Dies at once: started again after 1 s, then 2 s, then 4 s. A missing program is
    # retried on the same schedule: one complaint per try, not a flood.
    init = host_init(ctx.build, inittab="::respawn:/bin/sh -c 'exit 3'\n::respawn:/no/such/program\n")
    try:
        init.wait_for(r"pid \d+ exited with status 3\) in 4 s", timeout=15)
        time.sleep(0.5)
        t = init.times_of(r"^init: respawning /bin/sh -c 'exit 3' \(pid \d+ exited with status 3\) in")
        gaps = [b - a for a, b in zip(t, t[1:])]
        assert len(t) == 3, init.text()
        assert 0.8 < gaps[0] < 1.6 and 1.8 < gaps[1] < 2.6, gaps
        missing = init.times_of(r"^init: respawning /no/such/program \(pid \d+ exited with status 127\)")
        assert len(missing) == 3, init.text()
        assert len(init.times_of(r"^init: can't run /no/such/program: No such file or directory$")) == 3
        assert init.stop() == 0
    finally:
        init.close()


def test_host_respawn_is_at_once_after_a_long_life(ctx):
    # Lived 5 s or more: no back-off, and the back-off starts over.
    init = host_init(ctx.build, inittab="::respawn:/bin/sh -c 'sleep 5.2; exit 4'\n")
    try:
        init.wait_for(r"^init: respawning .*exited with status 4\)$", timeout=15)
        assert init.stop() == 0
    finally:
        init.close()


def test_host_reaps_orphans(ctx):
    # The entry leaves two orphans; init adopts them, and reaps the one that ends.
    init = host_init(ctx.build, inittab='::once:/bin/sh -c "sleep 30 & sleep 0.3 & exit 0"\n')
    try:
        time.sleep(1.5)
        kids = init.children()
        assert len(kids) == 1 and kids[0][1] != "Z", kids   # sleep 30 alive, no zombie
        orphan = kids[0][0]
        assert init.stop() == 0
        assert not os.path.exists(f"/proc/{orphan}"), "the orphan outlived init's shutdown"
    finally:
        init.close()


def test_host_shutdown_kills_what_ignores_sigterm(ctx):
    init = host_init(ctx.build, inittab="::respawn:/bin/sh -c \"trap '' TERM; echo up; sleep 100\"\n")
    try:
        init.wait_for("^up$")
        pid = init.children()[0][0]
        start = time.monotonic()
        assert init.stop() == 0
        took = time.monotonic() - start
        assert 1.8 < took < 4, f"shutdown took {took:.1f}s (SIGTERM ignored: 2 s, then SIGKILL)"
        assert not os.path.exists(f"/proc/{pid}")
        assert "init: respawning" not in "\n".join(init.text()), "respawned while going down"
    finally:
        init.close()


def test_host_poweroff_usage(ctx):
    # Only a bad option on the host: without one, it would signal the host's PID 1.
    for name in ("poweroff", "reboot", "halt"):
        r = subprocess.run([os.path.join(ctx.build, "bin", name), "-x"], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode == 1 and r.stdout == "", r
        assert r.stderr.startswith(f"Usage: {name} [-f]\n"), r.stderr


# ---- on Lantern: /init from the initramfs, with rootfs/etc/rc and rootfs/etc/inittab

def boot_to_shell(ctx):
    m = ctx.machine(kernel_args="panic=-1")
    m.wait_for(r"^# ", timeout=60)
    return m


def test_lantern_boot_runs_rc_then_a_shell(ctx):
    m = boot_to_shell(ctx)
    log = m.text()
    banner = re.search(r"^init: Lantern init starting \(pid 1\)$", log, re.M)
    rc = log.find("rc: system ready\n")
    assert banner and banner.end() < rc < log.rfind("# "), log
    assert "init: respawning" not in log and "can't" not in log, log
    m.type("echo $0\r")
    m.wait_for(r"^-sh$")       # a login shell, from "-/bin/sh"


def test_lantern_shell_respawns(ctx):
    m = boot_to_shell(ctx)
    start = len(m.text())
    m.type("exit 5\r")
    m.wait_for(r"^init: respawning /bin/sh \(pid \d+ exited with status 5\)", start=start)
    m.wait_for(r"^# ", start=start, timeout=30)
    m.type("echo again\r")
    m.wait_for(r"^again$", start=start)


def test_lantern_poweroff(ctx):
    m = boot_to_shell(ctx)
    m.type("poweroff\r")
    assert m.wait_exit(30) == 0
    log = m.text()
    steps = ["init: The system is going down NOW!", "init: Sent SIGTERM to all processes",
             "init: Sent SIGKILL to all processes", "init: Requesting system poweroff",
             "reboot: Power down"]
    at = [log.find(s) for s in steps]
    assert -1 not in at and at == sorted(at), log


def test_lantern_reboot(ctx):
    m = boot_to_shell(ctx)
    m.type("reboot\r")
    m.wait_exit(30)                     # -no-reboot turns the reset into an exit
    log = m.text()
    assert "init: Requesting system reboot" in log and "reboot: Restarting system" in log, log


def test_lantern_halt(ctx):
    m = boot_to_shell(ctx)
    m.type("halt\r")
    m.wait_for("reboot: System halted")
    assert "init: Requesting system halt" in m.text()
    assert m.running_after(1), "halt must stop the CPU, not the machine"


def test_lantern_poweroff_force(ctx):
    m = boot_to_shell(ctx)
    m.type("poweroff -f\r")
    assert m.wait_exit(30) == 0
    log = m.text()
    assert "reboot: Power down" in log and "going down" not in log, log
