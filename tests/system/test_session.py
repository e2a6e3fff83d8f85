"""A whole session, as a person at the console would have it: the default system boots in
32 MiB (init, /etc/rc, the inittab's shell and service), and the shell is driven over the
serial line: a pipeline, a file written and read back, a background job, Ctrl-C of a
running sleep, ps with init as PID 1, a killed service that init brings back, poweroff."""
import re
import time


def test_console_session(ctx):
    m = ctx.machine(kernel_args="panic=-1", memory="32M")
    m.wait_for("rc: system ready")
    pos = m.wait_for(r"^# ").end()

    def run(cmd, expect):
        nonlocal pos
        m.type(cmd + "\r")
        found = m.wait_for(expect, start=pos)
        pos = m.wait_for(r"^# ", start=found.end()).end()
        return found

    run("echo one two three | wc -w", r"^3$")
    run("echo saved >/tmp/note; echo again >>/tmp/note; cat /tmp/note", r"^saved\nagain$")
    run("sleep 30 &", r"^\[1\] \d+$")
    m.type("sleep 10\r")
    m.wait_for(r"sleep 10\n", start=pos)
    m.type("\x03")                                   # Ctrl-C: the job dies, not the shell
    pos = m.wait_for(r"^# ", start=pos).end()
    run("echo $?", r"^130$")
    ps = run("ps", r"PID TTY +TIME CMD\n(.*\n)+?(?=# )")
    assert re.search(r"^\s+1 \S+ +\d\d:\d\d:\d\d init$", ps.group(0), re.M), ps.group(0)
    service = re.search(r"^\s+(\d+) \S+ +\S+ sleep$", m.text()[ps.start():], re.M)
    assert service, "no service (sleep) in ps"
    old = service.group(1)
    m.type(f"kill {old}\r")
    m.wait_for(rf"init: respawning /bin/sleep 86400 \(pid {old} killed by signal 15\) in \d+ s")
    m.wait_for(r"^# ", start=pos)
    time.sleep(2)                                    # the back-off before it starts again
    pos = len(m.text())
    ps2 = run("ps", r"PID TTY +TIME CMD\n(.*\n)+?(?=# )")
    assert re.search(r"^\s+\d+ \S+ +\S+ sleep$", ps2.group(0), re.M), "the service did not come back"
    assert not re.search(rf"^\s+{old} ", ps2.group(0), re.M)
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    assert "reboot: Power down" in m.text()
