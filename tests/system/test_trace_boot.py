"""The kernel's event trace on a real boot: with `trace` on the command line, the dump QEMU
saves from COM2 parses and holds timer interrupts, system calls from PID 1, and context
switches; at -smp 4 every event names its CPU, and tools/trace.py draws a lane for each."""
import os
import re


def test_boot_with_trace(ctx):
    dump = os.path.join(ctx.build, "test-trace.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = ctx.machine(kernel_args="trace panic=-1", extra=["-serial", f"file:{dump}"])
    m.wait_for(r"^# ")
    m.type("echo traced | cat\r")
    m.wait_for(r"^traced$")
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    assert re.search(r"trace: \d+ events written to COM2", m.text())
    with open(dump) as f:
        lines = f.read().splitlines()
    assert lines[0] == "LANTERN-TRACE 2"
    end = lines[-1].split()
    assert end[0] == "END" and int(end[1]) == len(lines) - 2
    events = [l.split() for l in lines[1:-1]]
    stamps = [int(e[0]) for e in events]
    assert stamps == sorted(stamps), "timestamps go backwards"
    cpus = int(os.environ.get("LANTERN_SMP") or 1)      # `make test SMP=N`
    assert {e[1] for e in events} <= {str(c) for c in range(cpus)}, "events on a CPU it has not"
    kinds = {}
    for e in events:
        kinds.setdefault(e[2], []).append(e[1:])    # from here on as before the CPU word
    assert any(e[3] == "0" for e in kinds["irq_enter"]), "no timer interrupt"
    assert any(e[2] == "1" for e in kinds["sys_enter"]), "no system call from PID 1"
    assert any(e[2] == "1" and e[4] == "write" for e in kinds["sys_enter"]), "init never wrote"
    assert len(kinds["switch"]) > 2, "no context switches"
    assert kinds["fork"] and kinds["exec"], "no fork or exec"


def test_proc_trace_says_off_without_the_trace_option(ctx):
    m = ctx.machine(kernel_args="panic=-1")
    m.wait_for(r"^# ")
    m.type("cat /proc/trace\r")
    m.wait_for(r"trace: off \(boot with 'trace' on the command line\)")


def test_trace_names_source_lines(ctx):
    """On a real boot's trace: sys_enter carries the user addresses, and tools/trace.py turns
    them into init's own source lines (addr2line on build/init/init), names the kernel
    function of every event, and the page, opened in headless Chromium, links the line."""
    import subprocess
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from test_trace_tool import run_chromium
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dump = os.path.join(ctx.build, "test-trace-src.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = ctx.machine(kernel_args="trace panic=-1", extra=["-serial", f"file:{dump}"])
    m.wait_for(r"^# ")
    m.type("poweroff\r")
    assert m.wait_exit(60) == 0
    with open(dump) as f:
        enters = [l.split() for l in f if " sys_enter 1 " in l]
    assert enters and all(len(e) == 14 for e in enters), enters[:2]
    assert all(0x400000 <= int(e[6], 16) < 0x800000 for e in enters), "rip is not in init"
    page = os.path.join(ctx.build, "trace-test", "boot-src.html")
    os.makedirs(os.path.dirname(page), exist_ok=True)
    subprocess.run([sys.executable, os.path.join(root, "tools", "trace.py"), dump, "--html", page,
                    "--build", ctx.build], check=True, capture_output=True, timeout=120)
    with open(page, encoding="utf-8") as f:
        text = f.read()
    titles = re.findall(r"<title>(.*?)</title>", text, re.S)
    first = next(t for t in titles if t.startswith("getpid() = 1"))
    # init's first system call is the getpid() in its banner's printf (init/init.c)
    with open(os.path.join(root, "init", "init.c")) as f:
        banner = next(n for n, l in enumerate(f, 1) if "Lantern init starting" in l)
    assert f"called from: init/init.c:{banner} (main)" in first, first
    assert "kernel: sys_getpid (kernel/" in first, first
    writes = [t for t in titles if t.startswith("write() = ") and "init/init.c" in t]
    assert writes and all("sys_write (kernel/sys_file.c:" in t for t in writes), titles[:5]
    dom = run_chromium("--dump-dom", "file://" + page + "#event=src")
    link = re.search(r'<div id="details">.*?<a href="([^"]+)">open ([^<]+)</a>', dom, re.S)
    assert link and link.group(1).endswith("init/init.c"), link and link.groups()
    assert os.path.isfile(os.path.normpath(os.path.join(os.path.dirname(page), link.group(1))))


def test_trace_has_a_lane_per_cpu(ctx):
    """At -smp 4, tests/user/smpvis.c pins a child to each CPU, then powers off (which
    writes the trace out). Every CPU recorded events and ran a process; tools/trace.py
    draws a kernel lane for each (JSON and HTML), and the pinned children ran where they
    were pinned."""
    import json
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dump = os.path.join(ctx.build, "test-trace-smp.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = ctx.machine(kernel_args="trace rdinit=/bin/smpvis panic=-1 -- psr", smp=4,
                    extra=["-serial", f"file:{dump}"])
    assert m.wait_exit(180) == 0, m.text()[-3000:]
    log = m.text()
    pinned = dict((cpu, pid) for pid, cpu in
                  re.findall(r"^smpvis: pid (\d+) pinned to (\d)", log, re.M))
    assert sorted(pinned) == ["0", "1", "2", "3"], log[-2000:]
    with open(dump) as f:
        lines = f.read().splitlines()
    assert lines[0] == "LANTERN-TRACE 2" and lines[-1].startswith("END ")
    events = [l.split() for l in lines[1:-1]]
    assert {e[1] for e in events} == {"0", "1", "2", "3"}, "a CPU recorded nothing"
    ran = {(e[1], e[4]) for e in events if e[2] == "switch" and e[4] != "0"}
    for cpu, pid in pinned.items():
        assert (cpu, pid) in ran, f"pid {pid} never ran on CPU {cpu}"
    out = os.path.join(ctx.build, "trace-test")
    os.makedirs(out, exist_ok=True)
    js, page = os.path.join(out, "boot-smp.json"), os.path.join(out, "boot-smp.html")
    r = subprocess.run([sys.executable, os.path.join(root, "tools", "trace.py"), dump, "--json", js,
                        "--html", page, "--summary"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert all(f"  CPU {c} " in r.stdout for c in "0123"), r.stdout
    with open(js) as f:
        evs = json.load(f)["traceEvents"]
    names = {e["args"]["name"] for e in evs if e["name"] == "thread_name" and e["pid"] == 0}
    assert names == {f"CPU {c}" for c in range(4)} | {f"CPU {c} interrupts" for c in range(4)}, names
    for cpu in range(4):       # each CPU's lane shows a process running, not only idle
        assert any(e.get("cat") == "sched" and e["tid"] == 1000000 + cpu and e["name"] != "idle"
                   for e in evs), f"CPU {cpu}'s lane has nobody running"
    with open(page, encoding="utf-8") as f:
        lanes = re.findall(r'<g class="lane" data-name="([^"]+)"', f.read())
    assert lanes[:4] == ["CPU 0", "CPU 1", "CPU 2", "CPU 3"], lanes
