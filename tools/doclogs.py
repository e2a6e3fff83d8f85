#!/usr/bin/env python3
"""doclogs.py: the logs pasted into docs/*.md, regenerated from real boots (`make docs`).

A pasted log is marked in the Markdown:

    <!-- log fault-null -->
    ```
    ...lines a boot printed...
    ```
    <!-- /log -->

and a figure in the prose (a count, a time) like this:

    Lantern's log is <!-- value boot-t_ids:lines -->67<!-- /value --> lines

Each NAME is a SOURCE defined below (how to boot, and which lines to keep), optionally
with a :field for values. `make docs` (this script with --write) boots each source that the
docs use and rewrites every block and value between its markers; nothing else in the file
is touched.

    python3 tools/doclogs.py --build build --write     # make docs
    python3 tools/doclogs.py --build build --check     # exit 1 when the docs differ

--check (tests/system/test_docs.py runs it) compares the docs with fresh boots after
normalising what varies by nature: timestamps, addresses and other hexadecimal numbers,
sizes in K/KiB/MiB, page counts, the TSC's frequency, a process's stack pointer. Counts
(files, lines) and the words are compared as they are, so a boot that prints something
else, or a tree that grew, fails the check until `make docs` is run. --write replaces only
what differs in more than that, so it does not churn timestamps. Values of the kind
"seconds" are checked to be numbers and kept.

The boot-log table's first column (Lantern's lines, in backquotes) is checked too: each
quoted piece, normalised, must occur in one of the fresh logs.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

LOG_START = re.compile(r"^<!--\s*log\s+([\w.-]+)\s*-->\s*$")
LOG_END = re.compile(r"^<!--\s*/log\s*-->\s*$")
VALUE = re.compile(r"<!--\s*value\s+([\w.-]+):([\w-]+)\s*-->(.*?)<!--\s*/value\s*-->")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ")


# ---------------------------------------------------------------- the sources

# The docs' logs are one CPU's (QEMU's default): a boot at more CPUs prints more lines, in
# an order that varies, and the prose counts them. So every source boots at one CPU, also
# when the suite runs at several (LANTERN_SMP), and the check compares like with like.
DOC_CPUS = 1

def boot_serial(build, args, timeout=60):
    """The whole serial output of a boot that ends by itself (panic=-1 and -no-reboot)."""
    from qemu import Machine
    m = Machine(build, kernel_args=args, smp=DOC_CPUS)
    try:
        m.wait_exit(timeout)
        return m.text()
    finally:
        m.close()


def boot_trace(build):
    """A trace of the default system: boot with `trace`, power off at the first prompt,
    and return the trace QEMU saved from COM2 (without the timestamps and CPU numbers, irq
    lines dropped)."""
    from qemu import Machine
    dump = os.path.join(build, "doclogs-trace.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = Machine(build, kernel_args="trace panic=-1", extra=["-serial", f"file:{dump}"],
                smp=DOC_CPUS)
    try:
        m.wait_for(r"^# ", timeout=60)
        m.type("poweroff\r")
        m.wait_exit(60)
    finally:
        m.close()
    with open(dump, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        words = line.split()[:1] + line.split()[2:]     # "<ns> <cpu> <event>": no CPU
        if len(words) >= 2 and words[0].isdigit() and not words[1].startswith("irq_"):
            out.append(" ".join(words[1:]))
    return "\n".join(out) + "\n"


def lines_of(text):
    return [l for l in text.replace("\r", "").split("\n") if l.strip() != ""]


def between(lines, first, last):
    """lines from the first matching `first` to the first after it matching `last`."""
    a = next(i for i, l in enumerate(lines) if re.search(first, l))
    b = next(i for i in range(a, len(lines)) if re.search(last, lines[i]))
    return lines[a:b + 1]


def seconds_of(lines, pattern):
    line = next(l for l in lines if re.search(pattern, l))
    return float(TIMESTAMP.match(line).group(0).strip("[] "))


class Source:
    """A way to get a log: `make` boots, `block` picks the lines the docs show, `values`
    computes the figures the prose quotes ({field: (kind, text)})."""

    def __init__(self, make, block, values=None):
        self.make, self.block, self.values = make, block, values or (lambda lines: {})


def t_ids_values(lines):
    kernel = [l for l in lines if TIMESTAMP.match(l)]
    own = between(lines, r"^t_ids: start$", r"^done$")
    m = re.search(r"initramfs: (\d+) files", "\n".join(lines))
    return {
        "lines": ("count", str(len(lines))),
        "kernel-lines": ("count", str(len(kernel))),
        "program-lines": ("count", str(len(own))),
        "initramfs-files": ("count", m.group(1) if m else "?"),
        "first-stamp": ("seconds", f"{seconds_of(lines, r'Lantern version'):.6f}"),
        "run-init": ("seconds", "%.2f" % seconds_of(lines, r"^\[.*\] Run /")),
    }


def init_start(lines):
    """init's exec, the switch to it, and its own first four events (page faults and system
    calls, the latter without the user addresses): what other processes or the timer do
    meanwhile varies from boot to boot, and is left out."""
    i = lines.index("exec 1 init")
    out = [lines[i], next(l for l in lines[i:] if l == "switch 0 1")]
    for l in lines[i + 1:]:
        w = l.split()
        if w[0] == "exception" and w[2] == "1" or w[0] in ("sys_enter", "sys_exit") and w[1] == "1":
            out.append(" ".join(w[:4]) if w[0] == "sys_enter" else l)
        if len(out) == 6:
            return out
    raise ValueError("init made fewer than four moves")


def qemu_version(build):
    r = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True)
    return r.stdout


SOURCES = {
    # Facts about the machine the logs come from.
    "host": Source(qemu_version, lambda lines: lines, lambda lines: {
        "qemu-version": ("count", re.search(r"version (\d+\.\d+)", lines[0]).group(1))}),
    # The boot docs/boot-log.md shows in full: t_ids as init, which exits, so init panics.
    "boot-t_ids": Source(lambda b: boot_serial(b, "panic=-1 rdinit=/bin/t_ids"),
                         lambda lines: lines, t_ids_values),
    # The same with two words the kernel does not know (only for boot-log.md's table).
    "boot-unknown": Source(lambda b: boot_serial(b, "panic=-1 rdinit=/bin/t_ids single x=1"),
                           lambda lines: [l for l in lines if "Unknown kernel" in l]),
    # A NULL write in PID 1: the segfault line and the panic (page-fault.md, boot-log.md).
    "fault-null": Source(lambda b: boot_serial(b, "panic=-1 rdinit=/bin/fault -- null"),
                         lambda lines: [TIMESTAMP.sub("", l) for l in
                                        between(lines, r"^fault: null", r"Kernel panic")]),
    # init's first events after exec (page-fault.md).
    "trace-init-start": Source(boot_trace, lambda lines: init_start(lines)),
}


# ---------------------------------------------------------------- normalising

NORMALISE = [
    (re.compile(r"^\[\s*\d+\.\d+\] ", re.M), "[TIME] "),
    (re.compile(r"RAMDISK: \[mem [^\]]*\]"), "RAMDISK: [mem RANGE]"),
    # Addresses and offsets; not the firmware's memory map (the same machine, the same map)
    # and not exit codes.
    (re.compile(r"(?<!mem )(?<!-)(?<!exitcode=)0x[0-9a-fA-F]+"), "0xN"),
    (re.compile(r"\b[0-9a-f]{16}\b"), "HEX"),
    (re.compile(r"\[[0-9a-f]+\+[0-9a-f]+\]"), "[RANGE]"),
    (re.compile(r"\b\d+K\b"), "NK"),
    (re.compile(r"\b\d+ (KiB|MiB)\b"), r"N \1"),
    (re.compile(r"\b\d+ (pages|bytes)\b"), r"N \1"),
    (re.compile(r"\b\d+\.\d+ MHz\b"), "N MHz"),
]


def normalise(text):
    for rx, rep in NORMALISE:
        text = rx.sub(rep, text)
    return text


# ---------------------------------------------------------------- the docs

def docs(root=ROOT):
    return sorted(glob.glob(os.path.join(root, "docs", "*.md")))


def used_sources(paths):
    names = set()
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                m = LOG_START.match(line)
                if m:
                    names.add(m.group(1))
                names.update(v.group(1) for v in VALUE.finditer(line))
    return names


def fresh(build, names):
    """{name: (block lines, values)} from one boot per source."""
    out = {}
    for name in sorted(names):
        if name not in SOURCES:
            raise SystemExit(f"doclogs: the docs use an unknown log source {name!r}")
        src = SOURCES[name]
        lines = lines_of(src.make(build))
        try:
            out[name] = (src.block(lines), src.values(lines), lines)
        except (StopIteration, ValueError):
            raise SystemExit(f"doclogs: the boot for {name} did not print what it should:\n" +
                             "\n".join(lines[-30:]))
    return out


def rewrite(text, logs):
    """text with every marked block and value replaced by the fresh one."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = LOG_START.match(lines[i])
        out.append(lines[i])
        i += 1
        if not m:
            continue
        j = i
        while j < len(lines) and not LOG_END.match(lines[j]):
            j += 1
        if j == len(lines):
            raise SystemExit(f"doclogs: <!-- log {m.group(1)} --> is never closed")
        old = [l for l in lines[i:j] if not l.startswith("```")]
        new = logs[m.group(1)][0]
        # Only a block that differs in more than what varies by nature is replaced, so
        # that `make docs` does not rewrite every timestamp each time (nor every merge).
        out += lines[i:j] if normalise("\n".join(old)) == normalise("\n".join(new)) else ["```"] + new + ["```"]
        i = j
    text = "\n".join(out)
    text = refresh_table(text, logs)
    def value(v):
        kind, new = logs[v.group(1)][1][v.group(2)]
        if kind == "seconds" and re.fullmatch(r"\d+\.\d+", v.group(3)):
            return v.group(0)                      # a time: it varies by nature; kept
        return v.group(0).replace(f"-->{v.group(3)}<!--", f"-->{new}<!--")
    return VALUE.sub(value, text)


def blocks(text):
    """[(name, lines)] of the marked blocks in text (the fence lines left out)."""
    out, lines = [], text.split("\n")
    for i, line in enumerate(lines):
        m = LOG_START.match(line)
        if m:
            j = i + 1
            while j < len(lines) and not LOG_END.match(lines[j]):
                j += 1
            body = [l for l in lines[i + 1:j] if not l.startswith("```")]
            out.append((m.group(1), body))
    return out


def table_quotes(text):
    """Backquoted pieces in the first column of boot-log.md's tables that look like log
    lines (the Lantern column), with "-" cells and prose left out."""
    quotes = []
    for line in text.split("\n"):
        if not line.startswith("| `"):
            continue
        first = line.split(" | ")[0][2:]
        quotes += [q for q in re.findall(r"`([^`]+)`", first)]
    return quotes


def refresh_table(text, logs):
    """The table's Lantern quotes that equal a fresh line up to normalising are kept (only
    what varies by nature differs); one whose words are the same with other counts becomes
    the fresh line (the tree grew: `initramfs: 83 files` becomes this boot's count). A quote
    that changed otherwise is left for a person (--check reports it)."""
    fresh_lines, same_words = {}, {}
    for v in logs.values():
        for l in v[2]:
            l = TIMESTAMP.sub("", l).rstrip()
            fresh_lines.setdefault(normalise(l), l)
            same_words.setdefault(digits_out(l), l)

    def fresh(quote):
        if normalise(quote) in fresh_lines:
            return quote                           # the same but for what varies: kept
        return same_words.get(digits_out(quote), quote)

    out = []
    for line in text.split("\n"):
        if line.startswith("| `"):
            cells = line.split(" | ")
            cells[0] = re.sub(r"`([^`]+)`", lambda q: "`%s`" % fresh(q.group(1)), cells[0])
            line = " | ".join(cells)
        out.append(line)
    return "\n".join(out)


def digits_out(line):
    return re.sub(r"\d+", "N", normalise(line))


def check(paths, logs):
    problems = []
    every = "\n".join(normalise("\n".join(v[2])) for v in logs.values())
    for p in paths:
        rel = os.path.relpath(p, ROOT)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        for name, body in blocks(text):
            want = logs[name][0]
            if normalise("\n".join(body)) != normalise("\n".join(want)):
                a, b = normalise("\n".join(body)).split("\n"), normalise("\n".join(want)).split("\n")
                k = next((n for n in range(max(len(a), len(b)))
                          if (a[n] if n < len(a) else None) != (b[n] if n < len(b) else None)), 0)
                problems.append(f"{rel}: log {name} differs from a fresh boot at its line {k + 1}:\n"
                                f"    docs:  {a[k] if k < len(a) else '<nothing>'}\n"
                                f"    fresh: {b[k] if k < len(b) else '<nothing>'}")
        for v in VALUE.finditer(text):
            kind, value = logs[v.group(1)][1][v.group(2)]
            if kind == "seconds":
                if not re.fullmatch(r"\d+\.\d+", v.group(3)):
                    problems.append(f"{rel}: value {v.group(1)}:{v.group(2)} is {v.group(3)!r}, not seconds")
            elif v.group(3) != value:
                problems.append(f"{rel}: value {v.group(1)}:{v.group(2)} says {v.group(3)}, "
                                f"a fresh boot {value}")
        if os.path.basename(p) == "boot-log.md":
            for q in table_quotes(text):
                if normalise(q) not in every:
                    problems.append(f"{rel}: the table quotes `{q}`, which no fresh boot printed")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the docs (make docs)")
    mode.add_argument("--check", action="store_true", help="compare; exit 1 on a difference")
    args = ap.parse_args()
    paths = docs()
    logs = fresh(os.path.abspath(args.build), used_sources(paths))
    if args.check:
        problems = check(paths, logs)
        for p in problems:
            print(p)
        print(f"doclogs: {len(logs)} boots, {len(problems)} problems")
        return 1 if problems else 0
    for p in paths:
        with open(p, encoding="utf-8") as f:
            old = f.read()
        new = rewrite(old, logs)
        if new != old:
            with open(p, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"doclogs: rewrote {os.path.relpath(p, ROOT)}")
    problems = check(paths, logs)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
