#!/usr/bin/env python3
"""trace.py: turn a Lantern event trace into something to look at.

Boot Lantern with `trace` on its command line; at power-off the kernel writes its event
ring as text to COM2 (QEMU: the second `-serial file:build/trace.txt`). Then:

    python3 tools/trace.py build/trace.txt --summary
    python3 tools/trace.py build/trace.txt --json build/trace.json --html build/trace.html

--summary  event counts per type and per process, on stdout.
--json     Chrome Trace Event format: open it in https://ui.perfetto.dev or chrome://tracing.
           Process "kernel" (pid 0) has two lanes: "interrupts" (IRQ handlers as spans,
           CPU exceptions as instants) and "CPU 0" (which process runs when). Each user
           process N has one lane: its system calls as spans, and instants for fork, exec,
           exit, signal and wakeup.
--html     one self-contained page with an SVG timeline (zoom: wheel or +/-, pan: drag).

The input format (one event per line; ns = nanoseconds since boot):

    LANTERN-TRACE 1
    <ns> irq_enter <vector> <irq>       <ns> irq_exit <vector>
    <ns> exception <vector> <pid>
    <ns> sys_enter <pid> <nr> <name>    <ns> sys_exit <pid> <nr> <result>
    <ns> switch <from_pid> <to_pid>     <ns> fork <parent_pid> <child_pid>
    <ns> exec <pid> <comm>              <ns> exit <pid> <status>
    <ns> signal <pid> <sig>             <ns> wakeup <pid>
    END <events> <dropped>

When the kernel's ring overflowed the oldest events are gone, so a trace may begin with
exits whose enters were lost: those are ignored. Spans still open at the end of the trace
(or when their process exits) are closed there and marked unfinished.
Standard library only.
"""
import argparse
import html
import json
import os
import sys

HEADER = "LANTERN-TRACE"
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
IRQ_NAMES = {0: "timer", 1: "keyboard", 3: "serial (COM2)", 4: "serial", 8: "rtc",
             12: "mouse", 14: "ata0", 15: "ata1"}
EXCEPTION_NAMES = {0: "divide error", 1: "debug", 3: "breakpoint", 6: "invalid opcode",
                   8: "double fault", 13: "general protection", 14: "page fault",
                   16: "x87 error", 19: "SIMD error"}
SIGNAL_NAMES = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT",
                8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
                13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 17: "SIGCHLD", 18: "SIGCONT",
                19: "SIGSTOP", 20: "SIGTSTP"}
CPU_TID = 1000000        # the kernel's "CPU 0" lane in the JSON (a tid no process has)
INSTANT_KINDS = ("fork", "exec", "exit", "signal", "wakeup")


class TraceError(Exception):
    pass


# ---------------------------------------------------------------------------- parsing

def parse(text):
    """The trace's text -> (events, end) where each event is a dict with "ts" (ns),
    "type", "line" and its fields, and end is {"events": n, "dropped": n} or None when
    the END line is missing (the dump was cut short)."""
    events, end, seen_header = [], None, False
    for lineno, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if not seen_header:
            if words[0] == HEADER:           # anything before it (boot noise) is skipped
                if words[1:] != ["1"]:
                    raise TraceError(f"line {lineno}: unsupported trace version: {line!r}")
                seen_header = True
            continue
        if end is not None:
            raise TraceError(f"line {lineno}: text after END: {line!r}")
        if words[0] == "END":
            try:
                end = {"events": int(words[1]), "dropped": int(words[2])}
            except (IndexError, ValueError):
                raise TraceError(f"line {lineno}: bad END line: {line!r}") from None
            continue
        kind = words[1] if len(words) > 1 else None
        if kind not in FIELDS or len(words) != 2 + len(FIELDS[kind]):
            raise TraceError(f"line {lineno}: not an event: {line!r}")
        ev = {"type": kind, "line": lineno}
        try:
            ev["ts"] = int(words[0])
            for name, value in zip(FIELDS[kind], words[2:]):
                ev[name] = value if name in TEXT_FIELDS else int(value)
        except ValueError:
            raise TraceError(f"line {lineno}: bad number: {line!r}") from None
        if events and ev["ts"] < events[-1]["ts"]:
            raise TraceError(f"line {lineno}: time goes backwards: {line!r}")
        events.append(ev)
    if not seen_header:
        raise TraceError(f"no '{HEADER} 1' line: not a Lantern trace")
    return events, end


# ---------------------------------------------------------------------------- the model

class Model:
    """What happened, as spans and instants, ready to draw.

    spans:    dicts with kind ("irq", "syscall" or "running"), pid (the lane: 0 for irq
              and for the idle loop), t0, t1 (ns), name, args, unfinished (bool).
              Running intervals go from one switch to the next (the first from the start
              of the trace, the last to its end); those of zero length are left out.
    instants: dicts with kind (exception, fork, exec, exit, signal, wakeup), pid, t, name,
              args.
    names:    pid -> process name (pid 0: "kernel").
    """

    def __init__(self, events, end=None):
        self.events, self.end = events, end
        self.t0 = events[0]["ts"] if events else 0
        self.t1 = events[-1]["ts"] if events else 0
        self.spans, self.instants = [], []
        self.names = {0: "kernel"}
        self.pids = {0}
        self._build()
        self.spans.sort(key=lambda s: (s["t0"], s["t1"]))

    def span(self, kind, pid, t0, t1, name, args, unfinished=False):
        self.spans.append({"kind": kind, "pid": pid, "t0": t0, "t1": t1, "name": name,
                           "args": args, "unfinished": unfinished})

    def instant(self, kind, pid, t, name, args):
        self.instants.append({"kind": kind, "pid": pid, "t": t, "name": name, "args": args})

    def _build(self):
        irqs = []          # stack of open irq_enter events (handlers may nest)
        sys_open = {}      # pid -> its open sys_enter event
        running = None     # (pid, since) on the CPU, once known
        for ev in self.events:
            t, kind = ev["ts"], ev["type"]
            for key in ("pid", "from_pid", "to_pid", "parent_pid", "child_pid"):
                if key in ev:
                    self.pids.add(ev[key])
            if kind == "irq_enter":
                irqs.append(ev)
            elif kind == "irq_exit":
                # the innermost open handler of this vector; none: its enter was dropped
                for i in range(len(irqs) - 1, -1, -1):
                    if irqs[i]["vector"] == ev["vector"]:
                        self._close_irq(irqs.pop(i), t)
                        break
            elif kind == "exception":
                name = EXCEPTION_NAMES.get(ev["vector"], f"exception {ev['vector']}")
                self.instant("exception", 0, t, f"{name} (vector {ev['vector']}, pid {ev['pid']})",
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
                if running is None:          # before the first switch: its from_pid ran
                    running = (ev["from_pid"], self.t0)
                self._close_running(running, t, False)
                running = (ev["to_pid"], t)
            elif kind == "fork":
                self.names.setdefault(ev["child_pid"], self.names.get(ev["parent_pid"]))
                self.instant("fork", ev["parent_pid"], t, f"fork -> pid {ev['child_pid']}",
                             {"child_pid": ev["child_pid"]})
            elif kind == "exec":
                self.names[ev["pid"]] = ev["comm"]
                self.instant("exec", ev["pid"], t, f"exec {ev['comm']}", {"comm": ev["comm"]})
            elif kind == "exit":
                if ev["pid"] in sys_open:    # exit() and exit_group() do not return
                    self._close_syscall(sys_open.pop(ev["pid"]), t, None)
                self.instant("exit", ev["pid"], t, f"exit, status {ev['status']}",
                             {"status": ev["status"]})
            elif kind == "signal":
                sig = SIGNAL_NAMES.get(ev["sig"], f"signal {ev['sig']}")
                self.instant("signal", ev["pid"], t, f"{sig} delivered", {"sig": ev["sig"]})
            elif kind == "wakeup":
                self.instant("wakeup", ev["pid"], t, "wakeup", {})
        for ev in irqs:
            self._close_irq(ev, self.t1, unfinished=True)
        for ev in sys_open.values():
            self._close_syscall(ev, self.t1, None, unfinished=True)
        if running is not None:
            self._close_running(running, self.t1, True)
        for pid in self.pids:
            if self.names.get(pid) is None:
                self.names[pid] = f"pid {pid}"

    def _close_irq(self, ev, t, unfinished=False):
        irq = ev["irq"]
        self.span("irq", 0, ev["ts"], t, f"IRQ {irq} {IRQ_NAMES.get(irq, '')}".strip(),
                  {"vector": ev["vector"], "irq": irq}, unfinished)

    def _close_syscall(self, ev, t, result, unfinished=False):
        args = {"nr": ev["nr"], "result": result}
        self.span("syscall", ev["pid"], ev["ts"], t, ev["name"], args,
                  unfinished or result is None)

    def _close_running(self, running, t, at_end):
        pid, since = running
        if t == since:                   # two switches at once: nothing to show
            return
        self.span("running", pid, since, t, "idle" if pid == 0 else "running", {"pid": pid},
                  at_end)

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
    """Event counts per type and per process. Interrupts and context switches count for
    the kernel (pid 0); fork for the parent; the others for the pid they name."""
    by_type, by_pid, syscalls = {}, {}, {}
    for ev in model.events:
        by_type[ev["type"]] = by_type.get(ev["type"], 0) + 1
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
        {"ph": "M", "name": "thread_name", "pid": 0, "tid": 0, "ts": 0, "args": {"name": "interrupts"}},
        {"ph": "M", "name": "thread_sort_index", "pid": 0, "tid": 0, "ts": 0, "args": {"sort_index": 0}},
        {"ph": "M", "name": "thread_name", "pid": 0, "tid": CPU_TID, "ts": 0, "args": {"name": "CPU 0"}},
        {"ph": "M", "name": "thread_sort_index", "pid": 0, "tid": CPU_TID, "ts": 0, "args": {"sort_index": 1}},
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
        if s["kind"] == "running":     # on the kernel's CPU 0 lane, named after who runs
            ev = {"name": model.label(s["pid"]) if s["pid"] else "idle", "cat": "sched",
                  "pid": 0, "tid": CPU_TID}
        elif s["kind"] == "irq":
            ev = {"name": s["name"], "cat": "irq", "pid": 0, "tid": 0}
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


# ---------------------------------------------------------------------------- HTML

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trace_template.html")
LABEL_W, AXIS_H, ROW_H, WIDTH = 150, 28, 16, 1100
IRQ_COLOURS = {0: "#8a8a8a", 1: "#e08a00", 4: "#2f8f5b"}
MARK = {"exception": "#d0021b", "fork": "#4a4ae0", "exec": "#111", "exit": "#7b1fa2",
        "signal": "#d0021b", "wakeup": "#2e9e2e"}


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns} ns"


def svg_timeline(model):
    """The <svg id="timeline">: a lane (<g class="lane">) for the kernel and one per
    process; each span or instant an element of class "event" with data-kind and its
    times in data-t0/data-t1 (ns), which the page's script uses to zoom and pan."""
    span_ns = max(model.t1 - model.t0, 1)
    scale = (WIDTH - LABEL_W - 10) / span_ns

    def x(t):
        return f"{LABEL_W + (t - model.t0) * scale:.2f}"

    def w(t0, t1):
        return f"{max((t1 - t0) * scale, 1):.2f}"

    def rect(kind, t0, t1, y, h, fill, title, extra=""):
        return (f'<rect class="event" data-kind="{kind}" data-t0="{t0}" data-t1="{t1}" '
                f'x="{x(t0)}" y="{y}" width="{w(t0, t1)}" height="{h}" fill="{fill}"{extra}>'
                f'<title>{html.escape(title)}</title></rect>')

    def mark(i, y):
        return (f'<path class="event" data-kind="{i["kind"]}" data-t0="{i["t"]}" data-t1="{i["t"]}" '
                f'transform="translate({x(i["t"])},{y})" d="M0,0 L-4,-7 L4,-7 Z" '
                f'fill="{MARK[i["kind"]]}"><title>{html.escape(i["name"])} at '
                f'{fmt_ns(i["t"])}</title></path>')

    lanes, y = [], AXIS_H
    for pid in [0] + sorted(model.pids - {0}):
        h = 3 * ROW_H + 8
        parts = [f'<g class="lane" data-name="{html.escape(model.label(pid))}" data-pid="{pid}" '
                 f'transform="translate(0,{y})">',
                 f'<rect class="lane-bg" x="0" y="0" width="{WIDTH + 30}" height="{h}"/>',
                 f'<text class="lane-label" x="6" y="{ROW_H + 4}">{html.escape(model.label(pid))}</text>',
                 f'<text class="lane-sub" x="6" y="{2 * ROW_H + 6}">'
                 f'{"interrupts / idle" if pid == 0 else "syscalls / on CPU"}</text>',
                 '<g class="events" clip-path="url(#plot)">']
        for s in model.spans:
            if s["pid"] != pid:
                continue
            when = f' at {fmt_ns(s["t0"])}, {fmt_ns(s["t1"] - s["t0"])}'
            more = " (unfinished)" if s["unfinished"] else ""
            if s["kind"] == "irq":
                parts.append(rect("irq", s["t0"], s["t1"], 4 + ROW_H // 2, ROW_H + 4,
                                  IRQ_COLOURS.get(s["args"]["irq"], "#555"), s["name"] + when + more))
            elif s["kind"] == "syscall":
                res = s["args"]["result"]
                title = f'{s["name"]}() = {"?" if res is None else res}{when}{more}'
                fill = "#c0392b" if res is not None and res < 0 else "#3b7dd8"
                parts.append(rect("syscall", s["t0"], s["t1"], 4 + ROW_H // 2, ROW_H, fill, title))
            else:
                title = ("idle" if pid == 0 else f"{model.label(pid)} on the CPU") + when
                parts.append(rect("running", s["t0"], s["t1"], 2 * ROW_H + 2, ROW_H // 2,
                                  "#bbb" if pid == 0 else "#5cb85c", title))
        for i in model.instants:
            if i["pid"] == pid:
                parts.append(mark(i, 4 + ROW_H // 2))
        parts.append("</g></g>")
        lanes.append("\n".join(parts))
        y += h + 4
    return (f'<svg id="timeline" width="{WIDTH + 30}" height="{y}" data-t0="{model.t0}" '
            f'data-t1="{model.t1}" data-left="{LABEL_W}" data-right="{WIDTH - 10}">\n'
            f'<defs><clipPath id="plot"><rect x="{LABEL_W}" y="0" width="{WIDTH - LABEL_W}" '
            f'height="{y}"/></clipPath></defs>\n'
            f'<g id="axis"></g>\n' + "\n".join(lanes) + "\n</svg>")


def html_page(model, title):
    with open(TEMPLATE, encoding="utf-8") as f:
        page = f.read()
    dropped = model.end["dropped"] if model.end else "?"
    info = (f"{len(model.events)} events, {fmt_ns(model.t1 - model.t0)} "
            f"({fmt_ns(model.t0)} to {fmt_ns(model.t1)} after boot), {dropped} dropped")
    return (page.replace("{{TITLE}}", html.escape(title)).replace("{{INFO}}", html.escape(info))
            .replace("{{SVG}}", svg_timeline(model)))


# ---------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert a Lantern trace (COM2 dump) for viewing.")
    ap.add_argument("trace", help="the trace text, e.g. build/trace.txt")
    ap.add_argument("--json", metavar="FILE", help="write Chrome Trace Event JSON (Perfetto, chrome://tracing)")
    ap.add_argument("--html", metavar="FILE", help="write a self-contained HTML timeline")
    ap.add_argument("--summary", action="store_true", help="print event counts per type and per process")
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
            f.write(html_page(model, f"Lantern trace: {os.path.basename(args.trace)}"))
    if args.summary or not (args.json or args.html):
        sys.stdout.write(summary(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
