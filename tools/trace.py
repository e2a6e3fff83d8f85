#!/usr/bin/env python3
"""trace.py: turn a Lantern event trace into something to look at.

Boot Lantern with `trace` on its command line; at power-off the kernel writes its event
ring as text to COM2 (QEMU: the second `-serial file:build/trace.txt`). Then:

    python3 tools/trace.py build/trace.txt --summary
    python3 tools/trace.py build/trace.txt --json build/trace.json --html build/trace.html

--summary  event counts per type and per process, on stdout.
--json     Chrome Trace Event format: open it in https://ui.perfetto.dev or chrome://tracing.
           Process "kernel" (pid 0) has two lanes per CPU n that recorded anything:
           "CPU n interrupts" (its IRQ handlers as spans) and "CPU n" (which process it
           runs when). Each user process N has one lane: its system calls as spans, and
           instants for exceptions, fork, exec, exit, signal and wakeup.
--html     one self-contained page with an SVG timeline (zoom: wheel or +/-, pan: drag):
           a lane per CPU (its interrupts, and who runs on it), then one per process.

The input format (one event per line; ns = nanoseconds since boot, cpu = the CPU it
happened on, 0 .. ncpus-1):

    LANTERN-TRACE 2
    <ns> <cpu> irq_enter <vector> <irq>       <ns> <cpu> irq_exit <vector>
    <ns> <cpu> exception <vector> <pid>
    <ns> <cpu> sys_enter <pid> <nr> <name> [<ip> <ret1> ... <ret7>]
    <ns> <cpu> sys_exit <pid> <nr> <result>
    <ns> <cpu> switch <from_pid> <to_pid>     <ns> <cpu> fork <parent_pid> <child_pid>
    <ns> <cpu> exec <pid> <comm>              <ns> <cpu> exit <pid> <status>
    <ns> <cpu> signal <pid> <sig>             <ns> <cpu> wakeup <pid>
    END <events> <dropped>

Version 1 (the dumps of kernels before SMP) has no <cpu> word: everything is on CPU 0.
A switch is per CPU (from_pid 0: that CPU's idle loop); a thread may leave one CPU and
come back on another, and a system call may end on another CPU than it began on.

sys_enter's optional hexadecimal words are where user space made the call: the user rip
after the `syscall` instruction and the return addresses of the frames above it (0: none).
With --build, the HTML's tooltips turn them into source lines (addr2line against the
program's own ELF file in the build directory: init/init.c:57 rather than libc's
__syscall), and name the kernel function that handled each event.

When the kernel's ring overflowed the oldest events are gone, so a trace may begin with
exits whose enters were lost: those are ignored. Spans still open at the end of the trace
(or when their process exits) are closed there and marked unfinished.
Standard library only.
"""
import argparse
import glob
import html
import json
import os
import re
import subprocess
import sys

HEADER = "LANTERN-TRACE"
VERSIONS = ("1", "2")    # 2: each event names its CPU
# event type -> names of its fields after the timestamp (all integers but the last of
# sys_enter and exec, which are names)
FIELDS = {
    "irq_enter": ("vector", "irq"),
    "irq_exit": ("vector",),
    "exception": ("vector", "pid"),
    "sys_enter": ("pid", "nr", "name"),
    "sys_exit": ("pid", "nr", "result"),
    "switch": ("from_pid", "to_pid"),
    "fork": ("parent_pid", "child_pid"),
    "exec": ("pid", "comm"),
    "exit": ("pid", "status"),
    "signal": ("pid", "sig"),
    "wakeup": ("pid",),
}
TEXT_FIELDS = {"name", "comm"}
# Optional trailing fields, hexadecimal (older dumps do not have them).
OPTIONAL_HEX = {"sys_enter": tuple(f"ip{i}" for i in range(8))}
IRQ_NAMES = {0: "timer", 1: "keyboard", 3: "serial (COM2)", 4: "serial", 8: "rtc",
             12: "mouse", 14: "ata0", 15: "ata1"}
EXCEPTION_NAMES = {0: "divide error", 1: "debug", 3: "breakpoint", 6: "invalid opcode",
                   8: "double fault", 13: "general protection", 14: "page fault",
                   16: "x87 error", 19: "SIMD error"}
SIGNAL_NAMES = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT",
                8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
                13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 17: "SIGCHLD", 18: "SIGCONT",
                19: "SIGSTOP", 20: "SIGTSTP"}
CPU_TID = 1000000        # the kernel's "CPU n" lanes in the JSON: tid CPU_TID + n (no
                         # process has such a tid); "CPU n interrupts" is tid n
INSTANT_KINDS = ("fork", "exec", "exit", "signal", "wakeup")


class TraceError(Exception):
    pass


# ---------------------------------------------------------------------------- parsing

def parse(text):
    """The trace's text -> (events, end) where each event is a dict with "ts" (ns),
    "cpu", "type", "line" and its fields, and end is {"events": n, "dropped": n} or None
    when the END line is missing (the dump was cut short)."""
    events, end, version = [], None, None
    for lineno, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if version is None:
            if words[0] == HEADER:           # anything before it (boot noise) is skipped
                if len(words) != 2 or words[1] not in VERSIONS:
                    raise TraceError(f"line {lineno}: unsupported trace version: {line!r}")
                version = words[1]
            continue
        if end is not None:
            raise TraceError(f"line {lineno}: text after END: {line!r}")
        if words[0] == "END":
            try:
                end = {"events": int(words[1]), "dropped": int(words[2])}
            except (IndexError, ValueError):
                raise TraceError(f"line {lineno}: bad END line: {line!r}") from None
            continue
        first = 2 if version == "1" else 3   # where the event's own fields begin
        kind = words[first - 1] if len(words) >= first else None
        extra = OPTIONAL_HEX.get(kind, ())
        if kind not in FIELDS or not 0 <= len(words) - first - len(FIELDS[kind]) <= len(extra):
            raise TraceError(f"line {lineno}: not an event: {line!r}")
        ev = {"type": kind, "line": lineno}
        try:
            ev["ts"] = int(words[0])
            ev["cpu"] = 0 if version == "1" else int(words[1])
            for name, value in zip(FIELDS[kind], words[first:]):
                ev[name] = value if name in TEXT_FIELDS else int(value)
            ips = [int(w, 16) for w in words[first + len(FIELDS[kind]):]]
            if ips:
                ev["ips"] = [ip for ip in ips if ip]
        except ValueError:
            raise TraceError(f"line {lineno}: bad number: {line!r}") from None
        if ev["cpu"] < 0:
            raise TraceError(f"line {lineno}: bad CPU number: {line!r}")
        if events and ev["ts"] < events[-1]["ts"]:
            raise TraceError(f"line {lineno}: time goes backwards: {line!r}")
        events.append(ev)
    if version is None:
        raise TraceError(f"no '{HEADER}' line: not a Lantern trace")
    return events, end


# ---------------------------------------------------------------------------- the model

class Model:
    """What happened, as spans and instants, ready to draw.

    spans:    dicts with kind ("irq", "syscall" or "running"), pid (the lane: 0 for irq
              and for the idle loop), cpu, t0, t1 (ns), name, args, unfinished (bool).
              Running intervals go, on each CPU, from one switch to the next (the first
              from that CPU's first event, the last to the end of the trace); those of
              zero length are left out. An irq is on the CPU that took it; a system call
              is on the CPU it began on.
    instants: dicts with kind (exception, fork, exec, exit, signal, wakeup), pid (the lane:
              an exception is drawn in the lane of the process that took it), cpu, t,
              name, args.
    Every span and instant also has "comm": the program the process ran at the time (for
    finding its ELF file), and syscalls "ips": where in user space they were made.
    names:    pid -> process name (pid 0: "kernel").
    cpus:     the CPUs that recorded anything, in order (at least [0]).
    """

    def __init__(self, events, end=None):
        self.events, self.end = events, end
        self.t0 = events[0]["ts"] if events else 0
        self.t1 = events[-1]["ts"] if events else 0
        self.spans, self.instants = [], []
        self.names = {0: "kernel"}
        self.pids = {0}
        self.cpus = [0]
        self._build()
        self.spans.sort(key=lambda s: (s["t0"], s["t1"]))

    def span(self, kind, pid, cpu, t0, t1, name, args, unfinished=False, ips=None):
        self.spans.append({"kind": kind, "pid": pid, "cpu": cpu, "t0": t0, "t1": t1,
                           "name": name, "args": args, "unfinished": unfinished,
                           "ips": ips or [], "comm": self.names.get(pid)})

    def instant(self, kind, pid, cpu, t, name, args):
        self.instants.append({"kind": kind, "pid": pid, "cpu": cpu, "t": t, "name": name,
                              "args": args, "comm": self.names.get(pid)})

    def _build(self):
        irqs = {}          # cpu -> stack of its open irq_enter events (handlers may nest)
        sys_open = {}      # pid -> its open sys_enter event
        running = {}       # cpu -> (pid, since): who runs there, once known
        first = {}         # cpu -> the time of its first event
        for ev in self.events:
            t, kind, cpu = ev["ts"], ev["type"], ev["cpu"]
            first.setdefault(cpu, t)
            for key in ("pid", "from_pid", "to_pid", "parent_pid", "child_pid"):
                if key in ev:
                    self.pids.add(ev[key])
            if kind == "irq_enter":
                irqs.setdefault(cpu, []).append(ev)
            elif kind == "irq_exit":
                # this CPU's innermost open handler of this vector; none: its enter was dropped
                stack = irqs.get(cpu, [])
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i]["vector"] == ev["vector"]:
                        self._close_irq(stack.pop(i), t)
                        break
            elif kind == "exception":
                name = EXCEPTION_NAMES.get(ev["vector"], f"exception {ev['vector']}")
                self.instant("exception", ev["pid"], cpu, t, f"{name} (vector {ev['vector']}, pid {ev['pid']})",
                             {"vector": ev["vector"], "pid": ev["pid"]})
            elif kind == "sys_enter":
                pid = ev["pid"]
                if pid in sys_open:          # its exit was lost, or it never returns (execve)
                    self._close_syscall(sys_open.pop(pid), t, None)
                sys_open[pid] = ev
            elif kind == "sys_exit":
                enter = sys_open.get(ev["pid"])
                if enter is not None and enter["nr"] == ev["nr"]:
                    self._close_syscall(sys_open.pop(ev["pid"]), t, ev["result"])
            elif kind == "switch":
                if cpu not in running:       # before its first switch: its from_pid ran
                    running[cpu] = (ev["from_pid"], first[cpu])
                self._close_running(cpu, running[cpu], t, False)
                running[cpu] = (ev["to_pid"], t)
            elif kind == "fork":
                self.names.setdefault(ev["child_pid"], self.names.get(ev["parent_pid"]))
                self.instant("fork", ev["parent_pid"], cpu, t, f"fork -> pid {ev['child_pid']}",
                             {"child_pid": ev["child_pid"]})
            elif kind == "exec":
                self.names[ev["pid"]] = ev["comm"]
                self.instant("exec", ev["pid"], cpu, t, f"exec {ev['comm']}", {"comm": ev["comm"]})
            elif kind == "exit":
                if ev["pid"] in sys_open:    # exit() and exit_group() do not return
                    self._close_syscall(sys_open.pop(ev["pid"]), t, None)
                self.instant("exit", ev["pid"], cpu, t, f"exit, status {ev['status']}",
                             {"status": ev["status"]})
            elif kind == "signal":
                sig = SIGNAL_NAMES.get(ev["sig"], f"signal {ev['sig']}")
                self.instant("signal", ev["pid"], cpu, t, f"{sig} delivered", {"sig": ev["sig"]})
            elif kind == "wakeup":
                self.instant("wakeup", ev["pid"], cpu, t, "wakeup", {})
        for stack in irqs.values():
            for ev in stack:
                self._close_irq(ev, self.t1, unfinished=True)
        for ev in sys_open.values():
            self._close_syscall(ev, self.t1, None, unfinished=True)
        for cpu, r in running.items():
            self._close_running(cpu, r, self.t1, True)
        self.cpus = sorted(first) or [0]
        for pid in self.pids:
            if self.names.get(pid) is None:
                self.names[pid] = f"pid {pid}"

    def _close_irq(self, ev, t, unfinished=False):
        irq = ev["irq"]
        self.span("irq", 0, ev["cpu"], ev["ts"], t, f"IRQ {irq} {IRQ_NAMES.get(irq, '')}".strip(),
                  {"vector": ev["vector"], "irq": irq}, unfinished)

    def _close_syscall(self, ev, t, result, unfinished=False):
        args = {"nr": ev["nr"], "result": result}
        self.span("syscall", ev["pid"], ev["cpu"], ev["ts"], t, ev["name"], args,
                  unfinished or result is None, ev.get("ips"))

    def _close_running(self, cpu, running, t, at_end):
        pid, since = running
        if t == since:                   # two switches at once: nothing to show
            return
        self.span("running", pid, cpu, since, t, "idle" if pid == 0 else "running",
                  {"pid": pid, "cpu": cpu}, at_end)

    def label(self, pid):
        return "kernel" if pid == 0 else f"{self.names[pid]} ({pid})"


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        events, end = parse(f.read())
    return Model(events, end)


# ---------------------------------------------------------------------------- summary

PID_KEYS = {"exception": "pid", "sys_enter": "pid", "sys_exit": "pid", "fork": "parent_pid",
            "exec": "pid", "exit": "pid", "signal": "pid", "wakeup": "pid"}


def summary(model):
    """Event counts per type, per CPU and per process. Interrupts and context switches
    count for the kernel (pid 0); fork for the parent; the others for the pid they name."""
    by_type, by_pid, by_cpu, syscalls = {}, {}, {}, {}
    for ev in model.events:
        by_type[ev["type"]] = by_type.get(ev["type"], 0) + 1
        by_cpu[ev["cpu"]] = by_cpu.get(ev["cpu"], 0) + 1
        pid = ev[PID_KEYS[ev["type"]]] if ev["type"] in PID_KEYS else 0
        by_pid[pid] = by_pid.get(pid, 0) + 1
        if ev["type"] == "sys_enter":
            syscalls[ev["name"]] = syscalls.get(ev["name"], 0) + 1
    out = [f"trace: {len(model.events)} events, "
           f"{(model.t1 - model.t0) / 1e6:.3f} ms ({model.t0} .. {model.t1} ns)"]
    if model.end is None:
        out.append("END line missing: the dump was cut short")
    else:
        out.append(f"END: {model.end['events']} events, {model.end['dropped']} dropped")
    out.append("events by type:")
    out += [f"  {kind:<10} {by_type[kind]:6}" for kind in FIELDS if kind in by_type]
    out.append("events by CPU:")
    out += [f"  CPU {cpu:<6} {by_cpu[cpu]:6}" for cpu in sorted(by_cpu)]
    out.append("events by process:")
    for pid in sorted(model.pids):
        out.append(f"  {pid:5} {model.names[pid]:<12} {by_pid.get(pid, 0):6}")
    out.append("system calls:")
    out += [f"  {name:<16} {n:6}" for name, n in sorted(syscalls.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- Chrome JSON

def us(ns):
    return round(ns / 1000.0, 3)


def chrome_trace(model):
    """The Chrome Trace Event format's JSON object form, as a dict."""
    evs = [
        {"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "ts": 0, "args": {"name": "kernel"}},
        {"ph": "M", "name": "process_sort_index", "pid": 0, "tid": 0, "ts": 0, "args": {"sort_index": 0}},
    ]
    for cpu in model.cpus:               # per CPU: its interrupts, then who runs on it
        for tid, name, index in ((cpu, f"CPU {cpu} interrupts", 2 * cpu),
                                 (CPU_TID + cpu, f"CPU {cpu}", 2 * cpu + 1)):
            evs += [
                {"ph": "M", "name": "thread_name", "pid": 0, "tid": tid, "ts": 0, "args": {"name": name}},
                {"ph": "M", "name": "thread_sort_index", "pid": 0, "tid": tid, "ts": 0,
                 "args": {"sort_index": index}},
            ]
    for pid in sorted(model.pids - {0}):
        name = model.names[pid]
        evs += [
            {"ph": "M", "name": "process_name", "pid": pid, "tid": pid, "ts": 0, "args": {"name": name}},
            {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": pid, "ts": 0, "args": {"sort_index": pid}},
            {"ph": "M", "name": "thread_name", "pid": pid, "tid": pid, "ts": 0, "args": {"name": name}},
        ]
    for s in model.spans:
        args = dict(s["args"])
        if s["unfinished"]:
            args["unfinished"] = True
        if s["kind"] == "running":     # on the kernel's lane of its CPU, named after who runs
            ev = {"name": model.label(s["pid"]) if s["pid"] else "idle", "cat": "sched",
                  "pid": 0, "tid": CPU_TID + s["cpu"]}
        elif s["kind"] == "irq":
            ev = {"name": s["name"], "cat": "irq", "pid": 0, "tid": s["cpu"]}
        else:
            ev = {"name": s["name"], "cat": "syscall", "pid": s["pid"], "tid": s["pid"]}
        ev.update({"ph": "X", "ts": us(s["t0"]), "dur": round(us(s["t1"]) - us(s["t0"]), 3),
                   "args": args})
        evs.append(ev)
    for i in model.instants:
        pid = i["pid"]
        evs.append({"ph": "i", "s": "t", "name": i["name"], "cat": i["kind"], "pid": pid,
                    "tid": pid, "ts": us(i["t"]), "args": i["args"]})
    return {"traceEvents": evs, "displayTimeUnit": "ns",
            "otherData": {"source": "Lantern trace", "dropped":
                          model.end["dropped"] if model.end else None}}


# ---------------------------------------------------------------------------- who handled it

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Kernel:
    """Where in the kernel's source each kind of event is handled, found by reading
    kernel/*.c (so the names stay true): "sys_write (kernel/sys_file.c:92)"."""

    FIXED = {"fork": "do_clone", "exec": "exec", "exit": "proc_exit", "wakeup": "wakeup",
             "signal": "signal_deliver_one", "running": "scheduler", "exception": "user_trap"}

    def __init__(self, root=ROOT):
        self.files = {}
        for path in sorted(glob.glob(os.path.join(root, "kernel", "*.c"))):
            with open(path, encoding="utf-8", errors="replace") as f:
                self.files[os.path.relpath(path, root)] = f.read().split("\n")
        self.irqs = self._irq_handlers(root)

    def where(self, pattern):
        for path, lines in self.files.items():
            for n, line in enumerate(lines, 1):
                if re.search(pattern, line):
                    return f"{path}:{n}"
        return None

    def function(self, name):
        where = self.where(r"^[a-z][\w \*]*\b%s\(" % re.escape(name))
        return f"{name} ({where})" if where else name

    def syscall(self, name):
        where = self.where(r"^SYSCALL\(%s\)" % re.escape(name))
        return f"sys_{name} ({where})" if where else f"sys_{name}"

    def _irq_handlers(self, root):
        consts = {}
        for path in glob.glob(os.path.join(root, "kernel", "*.[ch]")):
            with open(path, encoding="utf-8", errors="replace") as f:
                for m in re.finditer(r"#define (\w+)\s+(\d+)\b", f.read()):
                    consts[m.group(1)] = int(m.group(2))
        out = {}
        for lines in self.files.values():
            for m in re.finditer(r"irq_register\((\w+), (\w+)(?:, \"[^\"]*\")?\)", "\n".join(lines)):
                irq = int(m.group(1)) if m.group(1).isdigit() else consts.get(m.group(1))
                if irq is not None:
                    out[irq] = m.group(2)
        return out

    def handler(self, kind, name=None, args=None):
        """The kernel function an event of this kind went through."""
        if kind == "syscall":
            return self.syscall(name)
        if kind == "irq":
            fn = self.irqs.get(args["irq"])
            return "handle_irq -> " + self.function(fn) if fn else self.function("handle_irq")
        if kind == "exception" and args and args.get("vector") == 14:
            return self.function("user_trap") + " -> " + self.function("mm_fault")
        if kind in self.FIXED:
            return self.function(self.FIXED[kind])
        return None


class Symbols:
    """User addresses -> source lines, with addr2line, against each program's ELF file in
    the build directory (init/init, user/NAME, bin/NAME...). Lines in libc are skipped for
    the first frame outside it: the line in the program that made the call."""

    PLACES = ("init/{}", "user/{}", "bin/{}", "rootfs/bin/{}", "rootfs/{}", "go/{}")

    def __init__(self, build, root=ROOT):
        self.build, self.root, self.cache, self.elf = build, root, {}, {}

    def binary(self, comm):
        if comm not in self.elf:
            self.elf[comm] = next((os.path.join(self.build, p.format(comm)) for p in self.PLACES
                                   if self.build and os.path.isfile(os.path.join(self.build, p.format(comm)))), None)
        return self.elf[comm]

    def lookup(self, comm, addrs):
        """Resolve many addresses of one program at once (one addr2line run)."""
        elf = self.binary(comm)
        todo = [a for a in addrs if (comm, a) not in self.cache]
        if not todo:
            return
        out = []
        if elf:
            try:
                r = subprocess.run(["addr2line", "-f", "-e", elf] + [f"{a - 1:x}" for a in todo],
                                   capture_output=True, text=True, timeout=60)
                out = r.stdout.split("\n")
            except (OSError, subprocess.TimeoutExpired):
                out = []
        for i, a in enumerate(todo):
            fn = out[2 * i] if 2 * i + 1 < len(out) else "??"
            loc = out[2 * i + 1] if 2 * i + 1 < len(out) else "??:0"
            path, _, line = loc.partition(":")
            line = line.split()[0] if line else "0"
            if path.startswith(self.root + os.sep):
                path = os.path.relpath(path, self.root)
            known = path != "??" and line not in ("0", "?")
            self.cache[(comm, a)] = {"fn": fn if fn != "??" else None,
                                     "file": path if known else None, "line": int(line) if known else 0}

    def call_site(self, comm, ips):
        """(text, file or None, line) for the first frame outside libc, or the best known."""
        if not ips or not comm:
            return None
        self.lookup(comm, ips)
        frames = [self.cache[(comm, a)] for a in ips]
        named = [f for f in frames if f["file"] and not f["file"].startswith("libc/")]
        f = named[0] if named else next((f for f in frames if f["file"]), None)
        if f:
            return (f"{f['file']}:{f['line']}" + (f" ({f['fn']})" if f["fn"] else ""), f["file"], f["line"])
        f = next((f for f in frames if f["fn"]), None)
        return (f"in {f['fn']} ({comm} has no debug information)", None, 0) if f else None


# ---------------------------------------------------------------------------- HTML

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trace_template.html")
LABEL_W, AXIS_H, ROW_H, WIDTH = 150, 28, 16, 1100
IRQ_COLOURS = {0: "#8a8a8a", 1: "#e08a00", 4: "#2f8f5b"}
# Who runs, in a CPU's lane: a colour per process (by pid), so a migration shows.
# (none of them an IRQ's or a system call's colour)
PID_COLOURS = ("#5cb85c", "#8e44ad", "#d4a017", "#16a085", "#c71585", "#6b8e23", "#8b5a2b")
# Results that are not failures: the call was interrupted (by a signal; the kernel restarts
# it or the program sees EINTR) or had nothing to do yet (EAGAIN: try again).
NEUTRAL_RESULTS = {-4: "EINTR", -11: "EAGAIN", -512: "ERESTARTSYS", -513: "ERESTARTNOINTR",
                   -514: "ERESTARTNOHAND", -516: "ERESTART_RESTARTBLOCK"}
SYSCALL_COLOURS = {"ok": "#3b7dd8", "failed": "#c0392b", "neutral": "#a9a1c9"}
INIT_WINDOW_NS = 15_000_000      # the page opens on init's first 15 ms
MARK = {"exception": "#d0021b", "fork": "#4a4ae0", "exec": "#111", "exit": "#7b1fa2",
        "signal": "#d0021b", "wakeup": "#2e9e2e"}


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns} ns"


def syscall_outcome(result):
    if result is None or result >= 0:
        return "ok"
    return "neutral" if result in NEUTRAL_RESULTS else "failed"


def init_window(model):
    """(t0, t1): the view the page opens with, init's first milliseconds: from its exec
    (or its first event) on; the whole run when init is not in the trace."""
    start = next((i["t"] for i in model.instants if i["kind"] == "exec" and i["pid"] == 1), None)
    if start is None:
        start = next((s["t0"] for s in model.spans if s["pid"] == 1 and s["kind"] == "syscall"), None)
    if start is None:
        return model.t0, model.t1
    start = max(model.t0, start - 200_000)
    return start, min(model.t1, start + INIT_WINDOW_NS)


def svg_timeline(model, kernel=None, symbols=None, link_base=None):
    """The <svg id="timeline">: a lane (<g class="lane">) for each CPU (its interrupts, and
    who runs on it) and one per process (its system calls, when it is on a CPU); each
    span or instant an element of class "event" with data-kind and its times in
    data-t0/data-t1 (ns), which the page's script uses to zoom and pan. Its
    tooltip (<title>) says what, when, the kernel function that handled it, and for a system
    call the user source line that made it (data-src, data-href: for the details box)."""
    kernel = kernel or Kernel()
    span_ns = max(model.t1 - model.t0, 1)
    scale = (WIDTH - LABEL_W - 10) / span_ns

    def x(t):
        return f"{LABEL_W + (t - model.t0) * scale:.2f}"

    def w(t0, t1):
        return f"{max((t1 - t0) * scale, 1):.2f}"

    def about(kind, name=None, args=None, comm=None, ips=None):
        """Tooltip lines and extra attributes: the kernel function, the user source line."""
        lines, extra = [], ""
        fn = kernel.handler(kind, name, args)
        if fn:
            lines.append("kernel: " + fn)
        site = symbols.call_site(comm, ips) if symbols and ips else None
        if site:
            lines.append("called from: " + site[0])
            extra += f' data-src="{html.escape(site[0])}"'
            if site[1] and link_base is not None:
                href = os.path.relpath(os.path.join(ROOT, site[1]), link_base)
                extra += f' data-href="{html.escape(href)}"'
        return ("\n" + "\n".join(lines) if lines else ""), extra

    def rect(kind, t0, t1, y, h, fill, title, extra=""):
        return (f'<rect class="event" data-kind="{kind}" data-t0="{t0}" data-t1="{t1}" '
                f'x="{x(t0)}" y="{y}" width="{w(t0, t1)}" height="{h}" fill="{fill}"{extra}>'
                f'<title>{html.escape(title)}</title></rect>')

    def mark(i, y):
        more, extra = about(i["kind"], i["name"], i["args"])
        return (f'<path class="event" data-kind="{i["kind"]}" data-t0="{i["t"]}" data-t1="{i["t"]}" '
                f'transform="translate({x(i["t"])},{y})" d="M0,0 L-4,-7 L4,-7 Z" '
                f'fill="{MARK[i["kind"]]}"{extra}><title>{html.escape(i["name"] + " at " + fmt_ns(i["t"]) + more)}'
                f'</title></path>')

    def irq_rect(s, when, more):
        told, extra = about("irq", s["name"], s["args"])
        return rect("irq", s["t0"], s["t1"], 4 + ROW_H // 2, ROW_H + 4,
                    IRQ_COLOURS.get(s["args"]["irq"], "#555"), s["name"] + when + more + told, extra)

    def syscall_rect(s, when, more):
        res = s["args"]["result"]
        outcome = syscall_outcome(res)
        shown = "?" if res is None else f"-{NEUTRAL_RESULTS[res]}" if outcome == "neutral" else res
        note = " (interrupted or try again: not a failure)" if outcome == "neutral" else ""
        told, extra = about("syscall", s["name"], s["args"], s["comm"], s["ips"])
        title = f'{s["name"]}() = {shown}{when}{more}{note}{told}'
        return rect("syscall", s["t0"], s["t1"], 4 + ROW_H // 2, ROW_H,
                    SYSCALL_COLOURS[outcome], title, extra + f' data-outcome="{outcome}"')

    def running_rect(s, when, in_cpu_lane):
        """Who runs on a CPU: grey for idle; in a CPU's lane a colour per process (kind
        "oncpu"), in the process's own lane green (kind "running")."""
        told, _ = about("running")
        pid = s["pid"]
        who = "idle" if pid == 0 else model.label(pid)
        title = f'{who} on CPU {s["cpu"]}{when}{told}'
        kind = "oncpu" if pid and in_cpu_lane else "running"
        fill = "#bbb" if pid == 0 else PID_COLOURS[pid % len(PID_COLOURS)] if in_cpu_lane else "#5cb85c"
        return rect(kind, s["t0"], s["t1"], 2 * ROW_H + 2, ROW_H // 2, fill, title,
                    f' data-pid="{pid}"')

    def lane(y, name, attr, sub, events):
        h = 3 * ROW_H + 8
        return "\n".join([f'<g class="lane" data-name="{html.escape(name)}" {attr} '
                          f'transform="translate(0,{y})">',
                          f'<rect class="lane-bg" x="0" y="0" width="{WIDTH + 30}" height="{h}"/>',
                          f'<text class="lane-label" x="6" y="{ROW_H + 4}">{html.escape(name)}</text>',
                          f'<text class="lane-sub" x="6" y="{2 * ROW_H + 6}">{sub}</text>',
                          '<g class="events" clip-path="url(#plot)">', *events, "</g></g>"]), h

    def timing(s):
        return (f' at {fmt_ns(s["t0"])}, {fmt_ns(s["t1"] - s["t0"])}',
                " (unfinished)" if s["unfinished"] else "")

    lanes, y = [], AXIS_H
    for cpu in model.cpus:              # the kernel: one lane per CPU
        events = []
        for s in model.spans:
            if s["cpu"] != cpu or s["kind"] == "syscall":
                continue
            when, more = timing(s)
            events.append(irq_rect(s, when, more) if s["kind"] == "irq" else running_rect(s, when, True))
        events += [mark(i, 4 + ROW_H // 2) for i in model.instants if i["pid"] == 0 and i["cpu"] == cpu]
        text, h = lane(y, f"CPU {cpu}", f'data-cpu="{cpu}" data-pid="0"', "interrupts / who runs", events)
        lanes.append(text)
        y += h + 4
    for pid in sorted(model.pids - {0}):   # then one per process
        events = []
        for s in model.spans:
            if s["pid"] != pid:
                continue
            when, more = timing(s)
            events.append(syscall_rect(s, when, more) if s["kind"] == "syscall" else running_rect(s, when, False))
        events += [mark(i, 4 + ROW_H // 2) for i in model.instants if i["pid"] == pid]
        text, h = lane(y, model.label(pid), f'data-pid="{pid}"', "syscalls / on CPU", events)
        lanes.append(text)
        y += h + 4
    v0, v1 = init_window(model)
    return (f'<svg id="timeline" width="{WIDTH + 30}" height="{y}" data-t0="{model.t0}" '
            f'data-t1="{model.t1}" data-v0="{v0}" data-v1="{v1}" '
            f'data-left="{LABEL_W}" data-right="{WIDTH - 10}">\n'
            f'<defs><clipPath id="plot"><rect x="{LABEL_W}" y="0" width="{WIDTH - LABEL_W}" '
            f'height="{y}"/></clipPath></defs>\n'
            f'<g id="axis"></g>\n' + "\n".join(lanes) + "\n</svg>")


def html_page(model, title, symbols=None, link_base=None):
    with open(TEMPLATE, encoding="utf-8") as f:
        page = f.read()
    dropped = model.end["dropped"] if model.end else "?"
    info = (f"{len(model.events)} events, {fmt_ns(model.t1 - model.t0)} "
            f"({fmt_ns(model.t0)} to {fmt_ns(model.t1)} after boot), {dropped} dropped")
    return (page.replace("{{TITLE}}", html.escape(title)).replace("{{INFO}}", html.escape(info))
            .replace("{{SVG}}", svg_timeline(model, Kernel(), symbols, link_base)))


# ---------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert a Lantern trace (COM2 dump) for viewing.")
    ap.add_argument("trace", help="the trace text, e.g. build/trace.txt")
    ap.add_argument("--json", metavar="FILE", help="write Chrome Trace Event JSON (Perfetto, chrome://tracing)")
    ap.add_argument("--html", metavar="FILE", help="write a self-contained HTML timeline")
    ap.add_argument("--summary", action="store_true", help="print event counts per type and per process")
    ap.add_argument("--build", metavar="DIR", default=os.path.join(ROOT, "build"),
                    help="where the programs' ELF files are, for source lines (default: build/)")
    args = ap.parse_args(argv)
    try:
        model = load(args.trace)
    except (OSError, TraceError) as e:
        print(f"trace: {args.trace}: {e}", file=sys.stderr)
        return 1
    if model.end is None:
        print(f"trace: {args.trace}: warning: no END line (dump cut short?)", file=sys.stderr)
    elif model.end["events"] != len(model.events):
        print(f"trace: {args.trace}: warning: END says {model.end['events']} events, "
              f"found {len(model.events)}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(chrome_trace(model), f, indent=None, separators=(",", ":"))
            f.write("\n")
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(html_page(model, f"Lantern trace: {os.path.basename(args.trace)}",
                              Symbols(os.path.abspath(args.build)),
                              os.path.dirname(os.path.abspath(args.html))))
    if args.summary or not (args.json or args.html):
        sys.stdout.write(summary(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
