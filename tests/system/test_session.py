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
    # -e: init and its services have no controlling terminal (TTY "?"), as on Linux, so a
    # plain ps (the processes of our terminal) leaves them out.
    ps = run("ps -e", r"PID TTY +TIME CMD\n(.*\n)+?(?=# )")
    assert re.search(r"^\s+1 \S+ +\d\d:\d\d:\d\d init$", ps.group(0), re.M), ps.group(0)
    service = re.search(r"^\s+(\d+) \S+ +\S+ sleep$", m.text()[ps.start():], re.M)
    assert service, "no service (sleep) in ps"
    old = service.group(1)
    m.type(f"kill {old}\r")
    # (at once, with no "in N s", if the service had lived 5 s: a slow, loaded host)
    m.wait_for(rf"init: respawning /bin/sleep 86400 \(pid {old} killed by signal 15\)( in \d+ s)?$")
    m.wait_for(r"^# ", start=pos)
    time.sleep(2)                                    # the back-off before it starts again
    pos = len(m.text())
    ps2 = run("ps -e", r"PID TTY +TIME CMD\n(.*\n)+?(?=# )")
    assert re.search(r"^\s+\d+ \S+ +\S+ sleep$", ps2.group(0), re.M), "the service did not come back"
    assert not re.search(rf"^\s+{old} ", ps2.group(0), re.M)
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    assert "reboot: Power down" in m.text()


def test_job_control(ctx):
    """Ctrl-Z, jobs, bg, fg and Ctrl-C at the console, as bash shows them: the kernel's
    job control (SIGTSTP for the terminal's foreground group, WUNTRACED, SIGCONT) under
    the shell's (user/sh_jobs.c)."""
    m = ctx.machine(kernel_args="panic=-1", memory="32M")
    m.wait_for("rc: system ready")
    pos = m.wait_for(r"^# ").end()

    def step(keys, shown, timeout=20):
        """Types keys; the console must then show exactly `shown` (then nothing more)."""
        nonlocal pos
        m.type(keys)
        found = m.wait_for(re.escape(shown), start=pos, timeout=timeout)
        assert found.start() == pos, repr(m.text()[pos:found.end()])
        pos = found.end()

    step("sleep 100\r", "sleep 100\n")
    time.sleep(1)
    step("\x1a", "^Z\n[1]+  Stopped                 sleep 100\n# ")
    step("echo $?\r", "echo $?\n148\n# ")
    step("jobs\r", "jobs\n[1]+  Stopped                 sleep 100\n# ")
    state = "grep State /proc/$(jobs -p)/status\r"
    step(state, state[:-1] + "\nState:\tT (stopped)\n# ")   # T: stopped
    step("ps\r", "ps\n")
    ps = m.wait_for(r"PID TTY +TIME CMD\n(.*\n)+?# ", start=pos)
    assert re.search(r"^\s+\d+ \S+ +\S+ sleep$", ps.group(0), re.M), ps.group(0)
    pos = ps.end()
    step("bg\r", "bg\n[1]+ sleep 100 &\n# ")
    step("jobs\r", "jobs\n[1]+  Running                 sleep 100 &\n# ")
    step(state, state[:-1] + "\nState:\tS (sleeping)\n# ")  # S: sleeping again
    step("fg\r", "fg\nsleep 100\n")
    time.sleep(1)
    step("\x03", "^C\n# ")                              # the job dies, the shell stays
    step("echo $?; jobs\r", "echo $?; jobs\n130\n# ")
    step("sleep 1 &\r", "sleep 1 &\n")
    found = m.wait_for(r"^\[1\] (\d+)\n# ", start=pos)
    pos = found.end()
    step("echo $!\r", f"echo $!\n{found.group(1)}\n# ")
    time.sleep(2)
    step("\r", "\n[1]+  Done                    sleep 1\n# ")   # reported before the prompt
    step("cat &\r", "cat &\n")                          # reading the terminal: SIGTTIN
    # Reported before this prompt or a later one, as it happens: Enter until it is (on a
    # busy host, cat may take more than a second to start and read).
    m.wait_for(r"^\[1\] \d+\n", start=pos)
    stopped = re.compile(r"^\[1\]\+  Stopped                 cat\n# ", re.M)
    for _ in range(20):
        time.sleep(1)
        if stopped.search(m.text(), pos):
            break
        m.type("\r")
    pos = m.wait_for(stopped.pattern, start=pos).end()
    time.sleep(0.5)
    extra = m.text()[pos:]
    assert re.fullmatch(r"(\n# )*", extra), repr(extra)   # only the prompts of late Enters
    pos += len(extra)
    step("kill %1; sleep 1\r", "kill %1; sleep 1\n[1]+  Terminated              cat\n# ")
    step("jobs\r", "jobs\n# ")
