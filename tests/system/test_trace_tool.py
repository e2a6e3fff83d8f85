"""tools/trace.py on the host: a Lantern trace dump -> summary, Chrome JSON, HTML timeline.

tests/system/data/trace_sample.txt is a hand-made dump of a short boot: init (pid 1)
writes and forks pid 2, which execs sh; sh runs `crash` (pid 3), which page-faults, gets
SIGSEGV and dies; sh reads EOF and exits; init calls reboot(), during which the dump is
taken. Timer interrupts come every 10 ms, keystrokes wake sh. A second, inline sample
begins in the middle (the ring overflowed): unmatched exits must be ignored and spans still
open at the end closed there. The last test renders the page in headless Chromium.
"""
import html.parser
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "trace.py")
SAMPLE = os.path.join(ROOT, "tests", "system", "data", "trace_sample.txt")

TYPES = {"irq_enter": 10, "irq_exit": 10, "exception": 1, "sys_enter": 19, "sys_exit": 19,
         "switch": 11, "fork": 2, "exec": 3, "exit": 2, "signal": 3, "wakeup": 5}
PROCESSES = {0: ("kernel", 31), 1: ("init", 15), 2: ("sh", 30), 3: ("crash", 9)}
LANES = ["CPU 0", "init (1)", "sh (2)", "crash (3)"]
# the timeline's events per kind: a span per irq_enter, sys_enter and running interval
# (switches + 1, less the empty one before the first switch, which is at the start); an
# instant per exception, fork, exec, exit, signal, wakeup; and in the CPU's lane the 8
# running intervals that are not idle again, coloured by process ("oncpu")
KINDS = {"irq": 10, "syscall": 19, "running": 11, "exception": 1, "fork": 2, "exec": 3,
         "exit": 2, "signal": 3, "wakeup": 5, "oncpu": 8}

# the ring overflowed: the first events lost their enters; a read and an IRQ are open at the end
DROPPED = """LANTERN-TRACE 1
5000000 irq_exit 32
5000100 sys_exit 1 0 12
5000200 switch 1 2
5000300 sys_enter 2 0 read
5000400 switch 2 0
5200000 irq_enter 33 1
5200010 wakeup 2
5200020 irq_exit 33
5200030 switch 0 2
5200040 sys_exit 2 0 1
5200050 sys_enter 2 1 write
5200090 sys_exit 2 1 1
5200100 sys_enter 2 0 read
5210000 irq_enter 32 0
END 14 1234
"""


def run_tool(*args):
    r = subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


_conversions = itertools.count()


def convert(ctx, trace=SAMPLE, name="trace-sample"):
    """Write <name>-<pid>-<n>.json and .html under build/trace-test/; their paths. The names
    are each call's own: tests run in parallel, and one rewriting a page another reads
    made it see half a page."""
    out = os.path.join(ctx.build, "trace-test")
    os.makedirs(out, exist_ok=True)
    name = "%s-%d-%d" % (name, os.getpid(), next(_conversions))
    js, page = os.path.join(out, name + ".json"), os.path.join(out, name + ".html")
    run_tool(trace, "--json", js, "--html", page)
    return js, page


def load_json(ctx, trace=SAMPLE, name="trace-sample"):
    with open(convert(ctx, trace, name)[0]) as f:
        return json.load(f)


def counts(section, text):
    """The `name count` lines under `section:` in --summary output."""
    body = text.split(section + ":\n", 1)[1]
    out = {}
    for line in body.splitlines():
        if not line.startswith("  "):
            break
        words = line.split()
        out[" ".join(words[:-1])] = int(words[-1])
    return out


def test_summary_counts(ctx):
    out = run_tool(SAMPLE, "--summary")
    assert "END: 85 events, 0 dropped" in out, out
    assert counts("events by type", out) == TYPES, out
    assert counts("events by process", out) == {f"{pid} {name}": n for pid, (name, n) in
                                                 PROCESSES.items()}, out
    calls = counts("system calls", out)
    assert calls["write"] == 5 and calls["read"] == 3 and sum(calls.values()) == 19, out


def test_json_is_valid_for_trace_viewers(ctx):
    doc = load_json(ctx)
    assert doc["displayTimeUnit"] == "ns"
    evs = doc["traceEvents"]
    assert evs
    for e in evs:
        assert e["ph"] in ("X", "i", "M"), e
        assert isinstance(e["ts"], (int, float)) and isinstance(e["name"], str), e
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int), e
        if e["ph"] == "X":
            assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        if e["ph"] == "i":
            assert e["s"] in ("t", "p", "g"), e
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "process_sort_index",
                                 "thread_sort_index"), e
            key = "name" if e["name"].endswith("_name") else "sort_index"
            assert key in e["args"], e
    # timestamps are microseconds: the first event is at 41.2 ms after boot
    assert min(e["ts"] for e in evs if e["ph"] != "M") == 41200.0
    kinds = {}
    for e in evs:
        if e["ph"] != "M":
            kinds[e.get("cat")] = kinds.get(e.get("cat"), 0) + 1
    assert kinds == {"irq": 10, "syscall": 19, "sched": 11, "exception": 1, "fork": 2,
                     "exec": 3, "exit": 2, "signal": 3, "wakeup": 5}, kinds


def test_json_one_lane_per_process(ctx):
    evs = load_json(ctx)["traceEvents"]
    procs = {e["pid"]: e["args"]["name"] for e in evs if e["name"] == "process_name"}
    assert procs == {pid: name for pid, (name, _) in PROCESSES.items()}, procs
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in evs if e["name"] == "thread_name"}
    assert sorted(threads.values()) == sorted(["CPU 0 interrupts", "CPU 0", "init", "sh", "crash"]), threads
    for e in evs:          # every event is on a named lane; user events on their own pid's
        if e["ph"] != "M":
            assert (e["pid"], e["tid"]) in threads, e
            if e["pid"]:
                assert e["tid"] == e["pid"], e
    assert all(e["pid"] == 0 for e in evs if e.get("cat") in ("irq", "sched"))
    # a page fault is drawn in the lane of the process that took it
    assert [e["pid"] for e in evs if e.get("cat") == "exception"] == [3]


def spans(evs, **match):
    return sorted(((e["ts"], e["ts"] + e["dur"], e) for e in evs if e["ph"] == "X" and
                   all(e.get(k) == v for k, v in match.items())), key=lambda s: (s[0], -s[1]))


def test_json_spans_nest(ctx):
    evs = load_json(ctx)["traceEvents"]
    eps = 1e-6
    for pid in (1, 2, 3):        # one system call at a time per process
        calls = spans(evs, pid=pid, cat="syscall")
        assert calls
        for (a0, a1, a), (b0, b1, b) in zip(calls, calls[1:]):
            assert b0 >= a1 - eps, (a, b)
    cpu = spans(evs, cat="sched")   # the CPU runs one thing at a time, from start to end
    for (a0, a1, a), (b0, b1, b) in zip(cpu, cpu[1:]):
        assert abs(b0 - a1) < eps, (a, b)
    assert [s[2]["name"] for s in cpu[:3]] == ["init (1)", "sh (2)", "idle"], cpu[:3]
    assert cpu[0][0] == 41200.0 and cpu[-1][1] == 100004.137, (cpu[0], cpu[-1])
    stack = []                      # interrupt handlers: disjoint or nested, never crossing
    for s0, s1, e in spans(evs, cat="irq"):
        while stack and stack[-1] <= s0 + eps:
            stack.pop()
        assert not stack or s1 <= stack[-1] + eps, e
        stack.append(s1)
    # results, failures and the call that never returned
    write = next(e for e in evs if e.get("cat") == "syscall" and e["pid"] == 1)
    assert write["name"] == "write" and write["args"]["nr"] == 1 and write["args"]["result"] == 41
    assert write["ts"] == 41300.0 and write["dur"] == 120.0, write
    opened = next(e for e in evs if e["name"] == "open")
    assert opened["args"]["result"] == -2 and opened["pid"] == 2
    reboot = next(e for e in evs if e["name"] == "reboot")
    assert reboot["args"]["unfinished"] and reboot["ts"] + reboot["dur"] == 100004.137, reboot
    timer = [e for e in evs if e["name"] == "IRQ 0 timer"]
    assert len(timer) == 6 and all(3 <= e["dur"] <= 4 for e in timer), timer
    fault = [e for e in evs if e.get("cat") == "exception"]
    assert len(fault) == 1 and fault[0]["args"] == {"vector": 14, "pid": 3}, fault


def test_dropped_events_prefix(ctx):
    path = os.path.join(ctx.build, "trace-test", "dropped.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(DROPPED)
    out = run_tool(path, "--summary")
    assert "END: 14 events, 1234 dropped" in out, out
    evs = load_json(ctx, path, "dropped")["traceEvents"]
    irqs = spans(evs, cat="irq")    # the first irq_exit is ignored; the last enter is closed
    assert [(s[0], s[1]) for s in irqs] == [(5200.0, 5200.02), (5210.0, 5210.0)], irqs
    assert irqs[1][2]["args"].get("unfinished") and not irqs[0][2]["args"].get("unfinished")
    calls = spans(evs, cat="syscall")   # pid 1's lone sys_exit is ignored
    assert [(s[2]["pid"], s[2]["name"], s[2]["args"]["result"]) for s in calls] == \
        [(2, "read", 1), (2, "write", 1), (2, "read", None)], calls
    assert calls[-1][1] == 5210.0 and calls[-1][2]["args"]["unfinished"]
    cpu = spans(evs, cat="sched")   # pid 1 ran until the first switch
    assert [(s[2]["name"], s[0], s[1]) for s in cpu] == [
        ("pid 1 (1)", 5000.0, 5000.2), ("pid 2 (2)", 5000.2, 5000.4), ("idle", 5000.4, 5200.03),
        ("pid 2 (2)", 5200.03, 5210.0)], cpu
    assert all(e["dur"] >= 0 for e in evs if e["ph"] == "X")
    _, page = convert(ctx, path, "dropped")
    with open(page) as f:
        doc = parse_page(f.read())
    assert doc.lanes == ["CPU 0", "pid 1 (1)", "pid 2 (2)"], doc.lanes


def test_bad_input_is_refused(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        for text, why in [("hello\n", "no 'LANTERN-TRACE' line"),
                          ("LANTERN-TRACE 3\n", "line 1: unsupported trace version"),
                          ("LANTERN-TRACE 2\n10 wakeup 1\n", "line 2: not an event"),
                          ("LANTERN-TRACE 2\n10 -1 wakeup 1\n", "line 2: bad CPU number"),
                          ("LANTERN-TRACE 1\n20 wakeup 1\n10 wakeup 1\n", "line 3: time goes backwards"),
                          ("LANTERN-TRACE 1\n10 frobnicate 1\n", "line 2: not an event")]:
            path = os.path.join(tmp, "t.txt")
            with open(path, "w") as f:
                f.write(text)
            r = subprocess.run([sys.executable, TOOL, path, "--summary"], capture_output=True,
                               text=True, timeout=60)
            assert r.returncode == 1 and why in r.stderr, (text, r.stdout, r.stderr)


class Page(html.parser.HTMLParser):
    """The timeline in an HTML document: lane names, events per lane and kind, and every
    URL-like attribute (src, href, ...)."""

    def __init__(self):
        super().__init__()
        self.svgs, self.lanes, self.events, self.ticks, self.urls = [], [], [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "svg":
            self.svgs.append(a.get("id"))
        if tag == "g" and "lane" in classes:
            self.lanes.append(a.get("data-name"))
        if "event" in classes:
            self.events.append((self.lanes[-1] if self.lanes else None, a.get("data-kind")))
        if "tick" in classes:
            self.ticks += 1
        for k in ("src", "href", "xlink:href", "action", "data", "poster"):
            if k in a:
                self.urls.append(a[k])


def parse_page(text):
    p = Page()
    p.feed(text)
    p.close()
    return p


def check_page(doc):
    assert doc.svgs == ["timeline"], doc.svgs
    assert doc.lanes == LANES, doc.lanes
    kinds = {}
    for _, kind in doc.events:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == KINDS, kinds
    per_lane = {lane: sum(1 for l, _ in doc.events if l == lane) for lane in LANES}
    # CPU 0: irqs, idle, who runs; others: syscalls, running, then the instants (crash's
    # page fault is in its own lane, with its SIGSEGV)
    assert per_lane == {"CPU 0": 10 + 3 + 8, "init (1)": 6 + 2 + 4,
                        "sh (2)": 11 + 5 + 8, "crash (3)": 2 + 1 + 3 + 1}, per_lane


def test_html_timeline(ctx):
    _, page = convert(ctx)
    with open(page, encoding="utf-8") as f:
        text = f.read()
    assert not re.search(r"(?i)https?:", text), re.search(r"(?i).{40}https?:.{40}", text)
    assert not re.search(r"(?i)url\((?!#)|@import|<link|<iframe|<img", text)
    doc = parse_page(text)
    assert doc.urls == [], doc.urls           # nothing to load: no src or href at all
    check_page(doc)
    assert "<title>IRQ 0 timer at 50.000 ms, 3.0 µs\nkernel: handle_irq -&gt; timer_tick (kernel/time.c:" in text
    assert "<title>open() = -2 at 43.000 ms, 30.0 µs\nkernel: sys_open (kernel/" in text
    # every event's tooltip names the kernel function that handled it, with its place
    titles = re.findall(r'class="event".*?<title>(.*?)</title>', text, re.S)
    assert titles and all(re.search(r"\nkernel: \w+.*\(kernel/\w+\.c:\d+\)", t) for t in titles), \
        [t for t in titles if "kernel:" not in t][:3]
    fault = re.search(r'<g class="lane" data-name="crash \(3\)".*?data-kind="exception".*?<title>(.*?)</title>',
                      text, re.S)
    assert fault and "user_trap" in fault.group(1) and "mm_fault" in fault.group(1), "page fault not in crash's lane"


# interrupted and would-block results are not failures; -ENOENT is
OUTCOMES = """LANTERN-TRACE 1
1000 exec 1 init
2000 sys_enter 1 35 nanosleep
3000 sys_exit 1 35 -4
4000 sys_enter 1 0 read
5000 sys_exit 1 0 -11
6000 sys_enter 1 61 wait4
7000 sys_exit 1 61 -512
8000 sys_enter 1 2 open
9000 sys_exit 1 2 -2
99000000 wakeup 1
END 11 0
"""


def test_html_interrupted_calls_are_not_failures(ctx):
    path = os.path.join(ctx.build, "trace-test", "outcomes.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(OUTCOMES)
    _, page = convert(ctx, path, "outcomes")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    calls = re.findall(r'data-kind="syscall".*?fill="([^"]+)".*?data-outcome="(\w+)"><title>(\w+)\(\) = (\S+)', text)
    got = {name: (outcome, shown) for _, outcome, name, shown in calls}
    assert got == {"nanosleep": ("neutral", "-EINTR"), "read": ("neutral", "-EAGAIN"),
                   "wait4": ("neutral", "-ERESTARTSYS"), "open": ("failed", "-2")}, got
    fills = {name: fill for fill, _, name, _ in calls}
    assert fills["nanosleep"] == fills["read"] == fills["wait4"] != fills["open"], fills
    assert "not a failure" in text and "event-driven" in text
    # it opens on init's first milliseconds (from just before its exec), not the whole run
    v0, v1 = map(int, re.search(r'data-v0="(\d+)" data-v1="(\d+)"', text).groups())
    assert v0 <= 1000 and 1000 < v1 <= 1000 + 15_000_000 and v1 < 99000000, (v0, v1)
    assert ">whole run</button>" in text


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    raise AssertionError("chromium is not installed: run tools/deps.sh (as root)")


def run_chromium(*args):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={profile}", *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, HOME=profile))
    assert r.returncode == 0, (cmd, r.stderr[-3000:])
    return r.stdout


def test_html_renders_in_chromium(ctx):
    _, page = convert(ctx)
    url = "file://" + os.path.abspath(page)
    dom = run_chromium("--dump-dom", url)     # the document after its script ran
    doc = parse_page(dom)
    check_page(doc)
    assert doc.ticks >= 5, "the script drew no time axis"
    # opened on init's start (the sample's init runs from 41.2 ms), not the whole 100 ms
    m = re.search(r'<span id="view">showing ([\d.]+) ms</span>', dom)
    assert m and float(m.group(1)) <= 15, re.search(r'<span id="view">.*?</span>', dom)
    # #view=T0-T1 (ns) opens on that stretch instead
    dom = run_chromium("--dump-dom", url + "#view=50000000-60000000")
    m = re.search(r'<span id="view">showing ([\d.]+) ms</span>', dom)
    assert m and float(m.group(1)) == 10, re.search(r'<span id="view">.*?</span>', dom)
    png = os.path.join(ctx.build, "trace.png")
    if os.path.exists(png):
        os.unlink(png)
    run_chromium(f"--screenshot={png}", "--window-size=1200,600", url)
    with open(png, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", head
    assert int.from_bytes(head[16:20], "big") == 1200 and int.from_bytes(head[20:24], "big") == 600


# Two CPUs (version 2: each event names its CPU). init forks pid 2, which runs on CPU 1,
# sleeps in read there and is woken and finishes its read on CPU 0, while init moves to
# CPU 1. Both CPUs take an interrupt on the same vector at once: each exit closes its own
# CPU's handler.
SMP = """LANTERN-TRACE 2
1000 0 switch 0 1
1100 0 exec 1 init
1200 0 sys_enter 1 57 fork
1300 0 fork 1 2
1400 0 sys_exit 1 57 2
1500 1 switch 0 2
1550 1 exec 2 sh
1600 1 sys_enter 2 0 read
1700 0 irq_enter 32 0
1710 1 irq_enter 32 0
1750 0 irq_exit 32
1800 1 irq_exit 32
1900 1 switch 2 0
2000 0 wakeup 2
2100 0 switch 1 2
2200 0 sys_exit 2 0 5
2300 1 switch 0 1
2400 1 sys_enter 1 61 wait4
2500 0 exit 2 0
2600 0 switch 2 0
END 20 0
"""


def test_smp_trace_has_a_lane_per_cpu(ctx):
    path = os.path.join(ctx.build, "trace-test", "smp.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(SMP)
    out = run_tool(path, "--summary")
    assert counts("events by CPU", out) == {"CPU 0": 12, "CPU 1": 8}, out
    evs = load_json(ctx, path, "smp")["traceEvents"]
    threads = {e["tid"]: e["args"]["name"] for e in evs if e["name"] == "thread_name" and e["pid"] == 0}
    assert threads == {0: "CPU 0 interrupts", 1: "CPU 1 interrupts", 1000000: "CPU 0",
                       1000001: "CPU 1"}, threads
    irqs = [(e["tid"], s0, round(s1, 3)) for s0, s1, e in spans(evs, cat="irq")]
    assert irqs == [(0, 1.7, 1.75), (1, 1.71, 1.8)], irqs
    on = [(e["tid"] - 1000000, e["name"], s0, round(s1, 3)) for s0, s1, e in spans(evs, cat="sched")]
    assert sorted(on) == [(0, "init (1)", 1.0, 2.1), (0, "sh (2)", 2.1, 2.6),
                          (1, "idle", 1.9, 2.3), (1, "init (1)", 2.3, 2.6),
                          (1, "sh (2)", 1.5, 1.9)], on
    read = next(e for e in evs if e["name"] == "read")   # began on CPU 1, ended on CPU 0
    assert (read["ts"], read["dur"], read["args"]["result"]) == (1.6, 0.6, 5), read
    _, page = convert(ctx, path, "smp")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    doc = parse_page(text)
    assert doc.lanes == ["CPU 0", "CPU 1", "init (1)", "sh (2)"], doc.lanes
    per_lane = {}
    for lane, kind in doc.events:
        per_lane.setdefault(lane, []).append(kind)
    assert sorted(per_lane["CPU 1"]) == ["irq", "oncpu", "oncpu", "running"], per_lane
    assert sorted(per_lane["CPU 0"]) == ["irq", "oncpu", "oncpu"], per_lane
    assert re.search(r"<title>sh \(2\) on CPU 1 at 1.5 µs", text), "no CPU in the tooltip"
