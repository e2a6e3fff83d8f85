#!/usr/bin/env python3
"""figures.py: draw the walkthrough's figures (docs/figures/*.svg) from the source.

    python3 tools/figures.py            # rewrite docs/figures/*.svg
    python3 tools/figures.py --check    # exit 1 if a checked-in figure differs (test_docs)

The figures are made from the code they show, so they cannot drift from it:
  trapframe.svg   the kernel stack at a system call: struct trapframe's fields, read from
                  kernel/trap.h in order, with their offsets (8 bytes each), and the per-CPU
                  offsets syscall_entry.asm uses, read from kernel/percpu.h's comments.
  page-walk.svg   the 4-level walk: the index bits of each level, as pt_index() in
                  kernel/vm.c computes them (12 + 9 * level).
  proc-states.svg the states of enum proc_state in kernel/proc.h (every one must appear) and
                  the functions that move a process between them.
Standard library only.
"""
import argparse
import html
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "figures")
FONT = 'font-family="DejaVu Sans Mono, monospace"'


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def struct_fields(text, name):
    """Field names of `struct name { ... };` in declaration order (uint64_t fields only)."""
    m = re.search(r"struct %s \{(.*?)\n\};" % name, text, re.S)
    if not m:
        raise SystemExit(f"figures: struct {name} not found")
    fields = []
    for line in m.group(1).split("\n"):
        line = line.split("//")[0].strip()
        if line.startswith("uint64_t"):
            fields += [f.strip() for f in line[len("uint64_t"):].rstrip(";").split(",")]
    return fields


def svg(width, height, body, title):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" {FONT} font-size="12">\n'
            f'<title>{html.escape(title)}</title>\n'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n' + body + "</svg>\n")


def text(x, y, s, **kw):
    attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    return f'<text x="{x}" y="{y}"{attrs}>{html.escape(s)}</text>\n'


# ---------------------------------------------------------------- the trapframe

def trapframe_svg():
    fields = struct_fields(read("kernel/trap.h"), "trapframe")
    cpu = {"rip", "cs", "rflags", "rsp", "ss"}
    pushed_by = {"vector": "syscall_entry: push SYSCALL_VECTOR",
                 "error_code": "syscall_entry: push 0"}
    percpu = re.findall(r"(\w+);\s*// (gs:\d+)", read("kernel/percpu.h"))
    row, top, x0, w = 22, 70, 150, 190
    n = len(fields)
    body = text(20, 24, "The kernel stack at a system call: struct trapframe (kernel/trap.h)",
                font_size="15", font_weight="bold")
    body += text(20, 44, "higher addresses at the top; each field 8 bytes; tf = the stack pointer "
                 "when syscall_dispatch(tf) runs", fill="#555")
    body += text(x0, top - 8, "top of the kernel stack (percpu.kernel_rsp, TSS rsp0)", fill="#555")
    for i, name in enumerate(reversed(fields)):
        off = (n - 1 - i) * 8
        y = top + i * row
        fill = "#dbe8f7" if name in cpu else "#fdebd0" if name in pushed_by else "#e8f5e9"
        body += (f'<rect x="{x0}" y="{y}" width="{w}" height="{row}" fill="{fill}" '
                 f'stroke="#333"/>\n')
        body += text(x0 + 10, y + 15, name)
        body += text(x0 - 10, y + 15, f"tf+{off:#04x}", text_anchor="end", fill="#333")
        if name in cpu:
            note = {"rip": "user rip (from rcx)", "rflags": "user rflags (from r11)",
                    "rsp": "user rsp (via percpu.user_rsp)", "cs": "USER_CS",
                    "ss": "USER_DS"}[name]
            body += text(x0 + w + 12, y + 15, note + ": what the CPU pushes on an interrupt",
                         fill="#1f4e79")
        elif name in pushed_by:
            body += text(x0 + w + 12, y + 15, pushed_by[name], fill="#7e5109")
        elif name == fields[0]:
            body += text(x0 + w + 12, y + 15, "PUSH_GPRS (regs.inc) pushed rax first, r15 last",
                         fill="#1e5631")
    y = top + n * row
    body += f'<path d="M{x0 - 70},{y - row // 2} l-12,-5 v10 z" fill="#c0392b"/>\n'
    body += text(x0 - 90, y - row // 2 + 4, "rsp = tf", text_anchor="end", fill="#c0392b")
    body += text(x0, y + 22, "below: syscall_dispatch's own frame, and the C calls it makes",
                 fill="#555")
    py = y + 56
    body += text(20, py, "The per-CPU data syscall_entry reaches through GS (kernel/percpu.h):",
                 font_weight="bold")
    for i, (name, where) in enumerate(percpu):
        body += text(40, py + 20 + 18 * i, f"[{where}]  percpu.{name}")
    height = py + 30 + 18 * len(percpu)
    return svg(900, height, body, "kernel stack and trapframe at a system call")


# ---------------------------------------------------------------- the page walk

def page_walk_svg():
    vm = read("kernel/vm.c")
    m = re.search(r"return \(va >> \((\d+) \+ (\d+) \* level\)\) & (\d+);", vm)
    if not m:
        raise SystemExit("figures: pt_index() not found in kernel/vm.c")
    shift, bits_per, mask = int(m.group(1)), int(m.group(2)), int(m.group(3))
    assert mask == (1 << bits_per) - 1
    levels = [("PML4", 3), ("PDPT", 2), ("PD", 1), ("PT", 0)]
    colours = ["#f9e79f", "#aed6f1", "#abebc6", "#f5b7b1", "#d7dbdd"]
    body = text(20, 24, "The 4-level page-table walk (x86_64; walk_to() in kernel/vm.c)",
                font_size="15", font_weight="bold")
    # the virtual address, bits 47..0
    x0, y0, scale = 40, 60, 14
    fields = [(f"{name} index", shift + bits_per * lvl + bits_per - 1, shift + bits_per * lvl)
              for name, lvl in levels] + [("offset", shift - 1, 0)]
    x = x0
    for i, (label, hi, lo) in enumerate(fields):
        w = (hi - lo + 1) * scale
        body += f'<rect x="{x}" y="{y0}" width="{w}" height="30" fill="{colours[i]}" stroke="#333"/>\n'
        body += text(x + w / 2, y0 + 19, label, text_anchor="middle")
        body += text(x + 2, y0 - 4, str(hi), font_size="10", fill="#555")
        fields[i] = (label, hi, lo, x + w / 2)
        x += w
    body += text(x0, y0 + 48, "virtual address (bits 63..48 copy bit 47: canonical)", fill="#555")
    # the tables
    ty, tw, th = 160, 130, 170
    for i, (name, lvl) in enumerate(levels):
        tx = x0 + i * 175
        body += f'<rect x="{tx}" y="{ty}" width="{tw}" height="{th}" fill="#fbfcfc" stroke="#333"/>\n'
        body += text(tx + tw / 2, ty - 8, f"{name} (level {lvl})", text_anchor="middle",
                     font_weight="bold")
        ey = ty + 40 + 18 * i
        body += (f'<rect x="{tx}" y="{ey}" width="{tw}" height="18" fill="{colours[i]}" '
                 f'stroke="#333"/>\n')
        body += text(tx + 6, ey + 13, f"entry: next | P W U", font_size="11")
        body += text(tx + 6, ty + th - 10, "512 entries x 8 B", font_size="10", fill="#555")
        # arrow from the index field down to the entry
        fx = fields[i][3]
        body += (f'<path d="M{fx},{y0 + 30} C{fx},{y0 + 70} {tx + tw / 2},{ey - 60} '
                 f'{tx + tw / 2},{ey}" fill="none" stroke="#555" stroke-dasharray="4 3"/>\n')
        # arrow from this entry to the next table (or the page)
        nx = tx + 175
        body += (f'<path d="M{tx + tw},{ey + 9} L{nx - 6},{ty + 10}" fill="none" '
                 f'stroke="#1f4e79" stroke-width="1.5" marker-end="url(#arrow)"/>\n')
    px = x0 + 4 * 175
    body += f'<rect x="{px}" y="{ty}" width="110" height="{th}" fill="#eeeeee" stroke="#333"/>\n'
    body += text(px + 55, ty - 8, "4 KiB page", text_anchor="middle", font_weight="bold")
    body += text(px + 55, ty + th / 2, "+ offset", text_anchor="middle")
    body += (f'<path d="M40,{ty + th + 40} L40,{ty + 10} L{x0 - 4},{ty + 10}" fill="none" '
             f'stroke="#1f4e79" stroke-width="1.5"/>\n')
    body += text(20, ty + th + 58, "CR3: the PML4's physical address "
                 "(each process's mm->pml4; the kernel half is shared)", fill="#1f4e79")
    body += text(20, ty + th + 80, f"index at level L = (va >> ({shift} + {bits_per} * L)) & "
                 f"{mask}   (pt_index, kernel/vm.c)")
    body += text(20, ty + th + 100, "An entry without P (present) stops the walk: exception 14, "
                 "the address in CR2 (chapter 2).")
    body += text(20, ty + th + 120, "The CPU does this walk in hardware on a TLB miss; "
                 "walk_to() does the same in software to edit the tables.")
    defs = ('<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
            'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#1f4e79"/></marker></defs>\n')
    return svg(920, ty + th + 140, defs + body, "the 4-level page-table walk")


# ---------------------------------------------------------------- process states

STATE_POS = {"PROC_UNUSED": (110, 290), "PROC_RUNNABLE": (420, 110), "PROC_RUNNING": (420, 290),
             "PROC_SLEEPING": (760, 110), "PROC_ZOMBIE": (760, 290), "PROC_DEAD": (420, 450)}
# The moves between states: the path drawn, where its label goes (x, y, anchor), and the
# functions that make the move (their names are in kernel/*.c: test_docs checks).
MOVES = [
    ("M110,270 L110,110 L343,110", (120, 100, "start"), ["proc_alloc, proc_start"]),
    ("M400,130 L400,268", (394, 205, "end"), ["scheduler: pick_next, swtch"]),
    ("M440,270 L440,132", (446, 196, "start"), ["yield", "(slice used up)"]),
    ("M495,278 L700,131", (612, 232, "start"), ["sleep_on: read, wait4,", "nanosleep, a stop"]),
    ("M685,110 L497,110", (590, 100, "middle"), ["wakeup, sched_tick, a signal"]),
    ("M495,290 L683,290", (590, 308, "middle"), ["proc_exit -> notify_parent"]),
    ("M760,310 L760,520 L110,520 L110,312", (435, 512, "middle"), ["the parent's wait4: proc_reap"]),
    ("M420,310 L420,428", (426, 375, "start"), ["proc_exit: a thread,", "or SIGCHLD ignored"]),
    ("M345,450 L150,450 L150,312", (250, 442, "middle"), ["scheduler: proc_reap"]),
]


def proc_states_svg():
    m = re.search(r"enum proc_state \{(.*?)\};", read("kernel/proc.h"), re.S)
    states = re.findall(r"^\s*(PROC_\w+),\s*(?://\s*(.*))?$", m.group(1), re.M)
    names = [s for s, _ in states]
    if set(names) != set(STATE_POS):
        raise SystemExit(f"figures: enum proc_state is now {names}: update STATE_POS and MOVES")
    comment = dict(states)
    defs = ('<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
            'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>\n')
    body = text(20, 24, "The states of a struct proc (enum proc_state, kernel/proc.h)",
                font_size="15", font_weight="bold")
    bw, bh = 150, 40
    for path, (lx, ly, anchor), label in MOVES:
        body += f'<path d="{path}" fill="none" stroke="#333" marker-end="url(#arrow)"/>\n'
        for i, line in enumerate(label):
            body += text(lx, ly + 13 * i, line, text_anchor=anchor, font_size="11", fill="#1f4e79")
    for name in names:
        x, y = STATE_POS[name]
        fill = "#abebc6" if name == "PROC_RUNNING" else "#fdfefe"
        body += (f'<rect x="{x - bw / 2:.0f}" y="{y - bh / 2}" width="{bw}" height="{bh}" rx="8" '
                 f'fill="{fill}" stroke="#333"/>\n')
        body += text(x, y + 4, name, text_anchor="middle", font_weight="bold")
    y = 580
    body += text(20, y, "What kernel/proc.h says of each:", font_weight="bold")
    for i, name in enumerate(names):
        body += text(40, y + 20 + 17 * i, f"{name:<14} {comment.get(name) or ''}")
    y += 20 + 17 * len(names) + 10
    body += text(20, y, "Stopped (Ctrl-Z, SIGSTOP) is not a state of its own: the threads sleep "
                 "on signal->stopped", fill="#555")
    body += text(20, y + 18, "(signal_deliver_one in kernel/signal.c); /proc shows them as T.", fill="#555")
    return svg(900, y + 40, defs + body, "process states")


FIGURES = {"trapframe.svg": trapframe_svg, "page-walk.svg": page_walk_svg,
           "proc-states.svg": proc_states_svg}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    stale = []
    os.makedirs(args.out, exist_ok=True)
    for name, make in FIGURES.items():
        path = os.path.join(args.out, name)
        new = make()
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if args.check:
            if old != new:
                stale.append(name)
        elif old != new:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"figures: wrote {os.path.relpath(path, ROOT)}")
    for name in stale:
        print(f"figures: docs/figures/{name} differs from the source: run tools/figures.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
