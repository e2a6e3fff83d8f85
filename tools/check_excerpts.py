#!/usr/bin/env python3
"""check_excerpts.py: keep the source quoted in docs/*.md honest.

A quotation in the docs is marked like this:

    <!-- excerpt kernel/main.c:157-158 -->
    ```c
    time_init();
    serial_init();
    ```

and must equal lines 157..158 of kernel/main.c exactly (the indentation included). File
references in the prose, `kernel/sched.c:43` or `boot/boot.asm:99-100`, must name an existing
file and lines it has; written as "`name` at FILE:LINE", the line must contain name. When the source moves, this reports what the docs say next to what
the file now has, and where (if anywhere) the quoted lines went, so the docs get fixed
instead of quietly going stale.

    python3 tools/check_excerpts.py              # check docs/*.md; exit 1 on any problem
    python3 tools/check_excerpts.py --root DIR   # the same for a copy of the tree
    python3 tools/check_excerpts.py --fix        # renumber excerpts whose lines only moved

--fix changes only the line numbers in markers, and only where the quoted lines, unchanged,
are found at exactly one place in the file; a changed quotation is for a person to update.

tests/system/test_docs.py runs the same checks as part of `make test`.
"""
import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MARKER = re.compile(r"<!--\s*excerpt\s+(\S+?):(\d+)-(\d+)\s*-->")
FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")
# file:line (or file:line-line) written in prose: a path with a directory and an extension
# we quote from (or a bare Makefile / linker.ld), then a line number.
PROSE_REF = re.compile(
    r"(?<![\w/.-])((?:[\w.-]+/)+[\w.-]+\.(?:c|h|asm|S|inc|py|sh|ld|md)|Makefile|linker\.ld)"
    r":(\d+)(?:-(\d+))?(?![\w])")


# A reference that names what it points at: "`sti()` at kernel/main.c:194", "`kmain`
# (kernel/main.c:157)". Then the named identifier must be on that line (or in that range),
# so the reference cannot drift unnoticed either.
NAMED_REF = re.compile(r"`(\w+)(?:\(\))?`\s*(?:at|in|\()\s*$")


class Excerpt:
    def __init__(self, doc, doc_line, path, first, last, lang, lines, closed):
        self.doc, self.doc_line = doc, doc_line
        self.path, self.first, self.last = path, first, last
        self.lang, self.lines, self.closed = lang, lines, closed

    def where(self):
        return f"{self.doc}:{self.doc_line}"

    def ref(self):
        return f"{self.path}:{self.first}-{self.last}"


def docs_in(root):
    return sorted(glob.glob(os.path.join(root, "docs", "*.md")))


def parse_excerpts(doc_path, root):
    """Every excerpt marker in one document, with the fenced block that follows it."""
    rel = os.path.relpath(doc_path, root)
    with open(doc_path, encoding="utf-8") as f:
        text = f.read().split("\n")
    out = []
    for i, line in enumerate(text):
        m = MARKER.search(line)
        if not m:
            continue
        path, first, last = m.group(1), int(m.group(2)), int(m.group(3))
        j = i + 1
        while j < len(text) and text[j].strip() == "":
            j += 1
        fm = FENCE.match(text[j]) if j < len(text) else None
        if not fm:
            out.append(Excerpt(rel, i + 1, path, first, last, None, None, False))
            continue
        fence, lang = fm.group(2), fm.group(3).strip()
        body, k = [], j + 1
        while k < len(text) and not text[k].startswith(fence):
            body.append(text[k])
            k += 1
        out.append(Excerpt(rel, i + 1, path, first, last, lang, body, k < len(text)))
    return out


def read_source(root, path):
    full = os.path.normpath(os.path.join(root, path))
    if not full.startswith(os.path.normpath(root) + os.sep) or not os.path.isfile(full):
        return None
    with open(full, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def find_elsewhere(src, want):
    """1-based line numbers where `want` (a list of lines) now starts in src, if anywhere."""
    if not want:
        return []
    return [i + 1 for i in range(len(src) - len(want) + 1) if src[i:i + len(want)] == want]


def check_excerpt(e, root):
    """Problems with one excerpt: a list of human-readable strings (empty = fine)."""
    if e.lines is None:
        return [f"{e.where()}: excerpt {e.ref()} is not followed by a fenced code block"]
    if not e.closed:
        return [f"{e.where()}: excerpt {e.ref()}: its code block is never closed"]
    src = read_source(root, e.path)
    if src is None:
        return [f"{e.where()}: excerpt {e.ref()}: no such file {e.path}"]
    if not (1 <= e.first <= e.last <= len(src)):
        return [f"{e.where()}: excerpt {e.ref()}: bad range ({e.path} has {len(src)} lines)"]
    want = src[e.first - 1:e.last]
    if e.lines == want:
        return []
    msg = [f"{e.where()}: excerpt {e.ref()} no longer matches the source"]
    if len(e.lines) != len(want):
        msg.append(f"    the doc quotes {len(e.lines)} lines, the range has {len(want)}")
    for n in range(max(len(e.lines), len(want))):
        doc_line = e.lines[n] if n < len(e.lines) else "<nothing>"
        src_line = want[n] if n < len(want) else "<nothing>"
        if doc_line != src_line:
            msg.append(f"    first difference at {e.path}:{e.first + n}")
            msg.append(f"    docs:   {doc_line!r}")
            msg.append(f"    source: {src_line!r}")
            break
    moved = find_elsewhere(src, e.lines)
    if moved:
        msg.append("    the quoted lines are now at " +
                   ", ".join(f"{e.path}:{s}-{s + len(e.lines) - 1}" for s in moved))
    return ["\n".join(msg)]


def strip_code(text):
    """The prose of a Markdown document: fenced blocks and excerpt markers blanked out
    (line numbering kept), so that logs and code are not read as references."""
    out, fence = [], None
    for line in text.split("\n"):
        fm = FENCE.match(line)
        if fence is None and fm:
            fence = fm.group(2)
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(MARKER.sub("", line))
    return out


def check_prose_refs(doc_path, root):
    rel = os.path.relpath(doc_path, root)
    with open(doc_path, encoding="utf-8") as f:
        lines = strip_code(f.read())
    problems, count = [], 0
    for n, line in enumerate(lines, 1):
        for m in PROSE_REF.finditer(line):
            path, a = m.group(1), int(m.group(2))
            b = int(m.group(3)) if m.group(3) else a
            count += 1
            src = read_source(root, path)
            if src is None:
                problems.append(f"{rel}:{n}: {m.group(0)}: no such file {path}")
            elif not (1 <= a <= b <= len(src)):
                problems.append(f"{rel}:{n}: {m.group(0)}: {path} has {len(src)} lines")
            else:
                named = NAMED_REF.search(line[:m.start()])
                if named and not re.search(r"\b%s\b" % named.group(1), "\n".join(src[a - 1:b])):
                    where = [i + 1 for i, l in enumerate(src) if re.search(r"\b%s\b" % named.group(1), l)]
                    problems.append(f"{rel}:{n}: {m.group(0)}: `{named.group(1)}` is not there "
                                    f"(it is on lines {where[:5]} of {path})")
    return problems, count


def check_all(root=ROOT, docs=None):
    """(problems, number of excerpts, number of prose references) for the given docs."""
    problems, n_excerpts, n_refs = [], 0, 0
    for doc in docs if docs is not None else docs_in(root):
        for e in parse_excerpts(doc, root):
            n_excerpts += 1
            problems += check_excerpt(e, root)
        p, c = check_prose_refs(doc, root)
        problems += p
        n_refs += c
    return problems, n_excerpts, n_refs


def fix_moved(doc_path, root):
    """Renumber the markers of excerpts whose text moved intact; returns how many."""
    with open(doc_path, encoding="utf-8") as f:
        text = f.read().split("\n")
    fixed = 0
    for e in parse_excerpts(doc_path, root):
        if not e.lines or not e.closed:
            continue
        src = read_source(root, e.path)
        if src is None or src[e.first - 1:e.last] == e.lines:
            continue
        moved = find_elsewhere(src, e.lines)
        if len(moved) != 1:
            continue
        new = f"{e.path}:{moved[0]}-{moved[0] + len(e.lines) - 1}"
        text[e.doc_line - 1] = text[e.doc_line - 1].replace(f"{e.path}:{e.first}-{e.last}", new, 1)
        print(f"{e.where()}: {e.ref()} -> {new}")
        fixed += 1
    if fixed:
        with open(doc_path, "w", encoding="utf-8") as f:
            f.write("\n".join(text))
    return fixed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=ROOT, help="the source tree (default: this one)")
    ap.add_argument("--fix", action="store_true",
                    help="renumber excerpts whose quoted lines moved unchanged, then check")
    ap.add_argument("docs", nargs="*", help="documents to check (default: docs/*.md)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    if args.fix:
        for doc in [os.path.abspath(d) for d in args.docs] or docs_in(root):
            fix_moved(doc, root)
    problems, n_ex, n_refs = check_all(root, [os.path.abspath(d) for d in args.docs] or None)
    for p in problems:
        print(p)
    print(f"{n_ex} excerpts, {n_refs} file:line references, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
