"""The docs quote the source: the quotations must stay true.

docs/*.md mark each quotation with `<!-- excerpt FILE:A-B -->`; the fenced block after it
must be lines A..B of FILE exactly, so that when the code moves the docs fail here instead
of quietly going stale (tools/check_excerpts.py says what changed and where the lines went).
References in the prose such as `kernel/sched.c:43` must point into existing files. The
figures are redrawn from the source and compared (tools/figures.py), and the pasted logs and
the figures in the prose are compared with fresh boots (tools/doclogs.py; only that test
boots QEMU).
"""
import os
import re
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import check_excerpts as ce  # noqa: E402  (tools/check_excerpts.py)

WALKTHROUGH = os.path.join(ROOT, "docs", "walkthrough.md")


def all_excerpts(root=ROOT):
    out = []
    for doc in ce.docs_in(root):
        out += ce.parse_excerpts(doc, root)
    return out


def test_docs_exist(ctx):
    for name in ("walkthrough.md", "boot-log.md"):
        assert os.path.isfile(os.path.join(ROOT, "docs", name)), f"docs/{name} is missing"


def test_excerpts_name_real_files_and_ranges(ctx):
    problems = []
    for e in all_excerpts():
        src = ce.read_source(ROOT, e.path)
        if src is None:
            problems.append(f"{e.where()}: {e.ref()}: no such file")
        elif not (1 <= e.first <= e.last <= len(src)):
            problems.append(f"{e.where()}: {e.ref()}: {e.path} has {len(src)} lines")
        elif e.last - e.first + 1 > 40:
            problems.append(f"{e.where()}: {e.ref()}: an excerpt should be short (at most 40 lines)")
    assert not problems, "\n".join(problems)


def test_excerpts_match_the_source(ctx):
    problems = []
    for e in all_excerpts():
        problems += ce.check_excerpt(e, ROOT)
    assert not problems, "\n".join(problems)


def test_excerpt_blocks_name_the_language(ctx):
    want = {".c": "c", ".h": "c", ".asm": "nasm", ".inc": "nasm", ".S": "gas", ".py": "python"}
    problems = []
    for e in all_excerpts():
        ext = "Makefile" if os.path.basename(e.path) == "Makefile" else os.path.splitext(e.path)[1]
        lang = "make" if ext == "Makefile" else want.get(ext)
        if lang and e.lang is not None and e.lang != lang:
            problems.append(f"{e.where()}: {e.ref()} is fenced as {e.lang!r}, expected {lang!r}")
    assert not problems, "\n".join(problems)


def test_walkthrough_covers_kernel_and_init(ctx):
    excerpts = ce.parse_excerpts(WALKTHROUGH, ROOT)
    assert len(excerpts) >= 15, f"the walkthrough has {len(excerpts)} excerpts, want at least 15"
    quoted = {e.path for e in excerpts}
    for path in ("kernel/main.c", "init/init.c", "boot/boot.asm", "kernel/syscall_entry.asm"):
        assert path in quoted, f"the walkthrough quotes nothing from {path}"
    with open(WALKTHROUGH, encoding="utf-8") as f:
        text = f.read()
    for path in ("kernel/main.c", "init/init.c"):
        assert path in text
    words = len(re.findall(r"\S+", "\n".join(ce.strip_code(text))))
    assert words >= 1200, f"the walkthrough's prose has only {words} words"


def test_prose_file_line_references_exist(ctx):
    problems, count = [], 0
    for doc in ce.docs_in(ROOT):
        p, c = ce.check_prose_refs(doc, ROOT)
        problems += p
        count += c
    assert count > 0, "no file:line references found in the prose at all (is the pattern broken?)"
    assert not problems, "\n".join(problems)


def test_checker_catches_a_changed_line(ctx):
    """On a copy: quote kernel/main.c, change one quoted line, and the check must fail and
    say where; move the lines, and it must say where they went. The real files are not touched."""
    with open(os.path.join(ROOT, "kernel", "main.c")) as f:
        lines = f.read().split("\n")
    first = next(i for i, l in enumerate(lines, 1) if l.startswith("void kmain("))
    last = first + 3
    quoted = lines[first - 1:last]
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "docs"))
        os.makedirs(os.path.join(tmp, "kernel"))
        doc = os.path.join(tmp, "docs", "t.md")
        with open(doc, "w") as f:
            f.write(f"Text.\n\n<!-- excerpt kernel/main.c:{first}-{last} -->\n```c\n" +
                    "\n".join(quoted) + "\n```\n\nSee kernel/main.c:1 too.\n")
        copy = os.path.join(tmp, "kernel", "main.c")
        shutil.copy(os.path.join(ROOT, "kernel", "main.c"), copy)

        def check():
            problems, n, refs = ce.check_all(tmp)
            assert n == 1 and refs == 1, (n, refs)
            return "\n".join(problems)

        assert check() == "", check()

        # One quoted line changed: caught, with both versions.
        edited = list(lines)
        edited[first] += "  // edited"
        with open(copy, "w") as f:
            f.write("\n".join(edited))
        text = check()
        assert "no longer matches" in text and f"kernel/main.c:{first + 1}" in text, text
        assert "// edited" in text and repr(lines[first]) in text, text

        # A line inserted above the excerpt moves it: caught, and the new place is named.
        with open(copy, "w") as f:
            f.write("// a new first line\n" + "\n".join(lines))
        text = check()
        assert f"now at kernel/main.c:{first + 1}-{last + 1}" in text, text

        # The file shrinks under the excerpt: a bad range, not a crash.
        with open(copy, "w") as f:
            f.write("\n".join(lines[:first]))
        assert "bad range" in check()

        # References in the prose: a line past the end, or a file that does not exist.
        with open(doc, "a") as f:
            f.write("\nSee kernel/main.c:99999 and kernel/nosuch.c:1 for details.\n"
                    f"And `kmain` at kernel/main.c:{first}, `scheduler` at kernel/main.c:{first}.\n")
        problems, count = ce.check_prose_refs(doc, tmp)
        text = "\n".join(problems)
        assert "kernel/main.c:99999" in text and "no such file kernel/nosuch.c" in text, text
        assert "`scheduler` is not there" in text and "`kmain` is not there" not in text, text


def test_figures_match_the_source(ctx):
    """docs/figures/*.svg are drawn from the code by tools/figures.py (struct trapframe's
    fields and offsets, pt_index's bits, enum proc_state): a checked-in figure that differs
    from a fresh drawing is stale. The functions the state diagram names must exist."""
    import subprocess
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "figures.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    import figures
    kernel = "".join(open(os.path.join(ROOT, "kernel", f)).read()
                     for f in os.listdir(os.path.join(ROOT, "kernel")) if f.endswith(".c"))
    for _, _, label in figures.MOVES:
        for name in re.findall(r"\b([a-z]+_[a-z_]+)\b", " ".join(label)):
            assert re.search(r"\b%s\(" % name, kernel), f"proc-states.svg names {name}(), not in kernel/"
    with open(os.path.join(ROOT, "docs", "figures", "trapframe.svg")) as f:
        svg = f.read()
    # the offsets: r15 at tf+0x00 ... ss at tf+0xa8, as the struct has 22 fields of 8 bytes
    assert "tf+0x00</text>" in svg and "tf+0xa8</text>" in svg, "trapframe.svg offsets changed"
    for doc in ("walkthrough.md", "page-fault.md", "fork-exec-wait.md"):
        with open(os.path.join(ROOT, "docs", doc)) as f:
            assert "figures/" in f.read(), f"docs/{doc} shows no figure"


def test_kernel_readme_reading_order(ctx):
    """kernel/README.md's reading order names files and, beside them, functions: each file
    must exist, each `function` must be in one of the files its bullet names, and every
    kernel/*.c must be placed in some tier."""
    with open(os.path.join(ROOT, "kernel", "README.md"), encoding="utf-8") as f:
        text = f.read()
    for tier in ("First evening", "Second evening", "Later", "skip"):
        assert tier in text, f"kernel/README.md has no '{tier}' tier"
    bullets = re.split(r"\n(?=- |\*\*|\n)", text)
    problems, checked = [], 0
    for b in bullets:
        paths = re.findall(r"\b((?:kernel|boot|libc)/[\w.]+\.(?:c|h|asm|S|inc))\b", b)
        for p in paths:
            if not os.path.isfile(os.path.join(ROOT, p)):
                problems.append(f"no such file {p}")
        if not paths:
            continue
        src = "".join(open(os.path.join(ROOT, p), encoding="utf-8").read()
                      for p in paths if os.path.isfile(os.path.join(ROOT, p)))
        for name in re.findall(r"`([A-Za-z_]\w*)`", b):
            checked += 1
            if not re.search(r"\b%s\b" % name, src):
                problems.append(f"`{name}` is in none of {paths}")
    for f in sorted(os.listdir(os.path.join(ROOT, "kernel"))):
        if f.endswith(".c") and f"kernel/{f}" not in text and f" {f}" not in text:
            problems.append(f"kernel/{f} is in no tier")
    assert checked >= 40, f"only {checked} functions named"
    assert not problems, "\n".join(problems)


def test_pasted_logs_are_marked(ctx):
    """Every block in docs/ that looks like a boot log (printk timestamps, or trace events)
    is either regenerated by `make docs` (<!-- log NAME -->) or says where it was recorded
    (<!-- recorded ... -->, Linux's): no pasted log escapes the check below."""
    looks_like_log = re.compile(r"^\[\s*\d+\.\d+\] |^(exec|switch|sys_enter|exception) \d", re.M)
    problems = []
    for doc in ce.docs_in(ROOT):
        with open(doc, encoding="utf-8") as f:
            lines = f.read().split("\n")
        fence = None
        for i, line in enumerate(lines):
            if fence is None and line.startswith("```"):
                fence = i
            elif fence is not None and line.startswith("```"):
                body = "\n".join(lines[fence + 1:i])
                before = next((l for l in reversed(lines[:fence]) if l.strip()), "")
                if looks_like_log.search(body) and not re.match(r"<!--\s*(log|recorded)\s", before):
                    problems.append(f"{os.path.relpath(doc, ROOT)}:{fence + 1}: a log without a marker")
                fence = None
    assert not problems, "\n".join(problems)


def test_log_check_ignores_only_what_varies(ctx):
    """tools/doclogs.py's comparison, on made-up logs: a timestamp, an address, a stack
    pointer, a size may differ; a word, a count or an exit code may not."""
    import doclogs
    fresh = ["[    0.103605] Run /bin/t_ids as init process",
             "[    0.089377] initramfs: 82 files, 7 directories, 11 symlinks, 7356 KiB; 0 entries skipped",
             "fault[1]: segfault at 0 ip 00000000004010e0 sp 00007ffffffdddf8 error 6 in fault[401000+5000]",
             "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b"]
    logs = {"x": (fresh, {"n": ("count", "4"), "t": ("seconds", "0.10")}, fresh)}

    def problems(body, value="4", seconds="0.25"):
        with tempfile.TemporaryDirectory() as tmp:
            doc = os.path.join(tmp, "t.md")
            with open(doc, "w") as f:
                f.write("<!-- log x -->\n```\n" + "\n".join(body) + "\n```\n<!-- /log -->\n"
                        f"<!-- value x:n -->{value}<!-- /value --> and "
                        f"<!-- value x:t -->{seconds}<!-- /value -->\n")
            return doclogs.check([doc], logs)

    assert problems(fresh) == []
    varied = ["[    0.061682] Run /bin/t_ids as init process",
              "[    0.059290] initramfs: 82 files, 7 directories, 11 symlinks, 2951 KiB; 0 entries skipped",
              "fault[1]: segfault at 0 ip 0000000000401168 sp 00007ffffffdde08 error 6 in fault[401000+4000]",
              fresh[3]]
    assert problems(varied) == [], problems(varied)
    for n, changed in ((1, "initramfs: 56 files"), (3, "exitcode=0x00000000")):
        body = list(fresh)
        body[n] = re.sub(r"initramfs: \d+ files|exitcode=0x\w+", changed, body[n])
        assert any("differs from a fresh boot" in p for p in problems(body)), body[n]
    assert any("differs" in p for p in problems(fresh[:3]))            # a line missing
    assert any("says 5" in p for p in problems(fresh, value="5"))       # a count in the prose
    assert any("not seconds" in p for p in problems(fresh, seconds="soon"))


def test_logs_match_a_fresh_boot(ctx):
    """docs/boot-log.md's Lantern log, the logs in the chapters and the figures in the prose
    equal what fresh boots print now (tools/doclogs.py --check; `make docs` regenerates them)."""
    import subprocess
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "doclogs.py"),
                        "--build", ctx.build, "--check"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:] + "\n(run `make docs`)"
