"""The code reads in few hops, and stays that way: the shape rules of issue 15, checked.

- kernel/syscall.c's table: sorted by number, one entry per line, each with its Linux
  prototype as a comment; kernel/syscall.h declares the handlers in the same order, each
  with the file that defines it.
- Handlers name their arguments: a0..a5 appear only in a handler's first lines, the
  declarations that give them names (the rule is in kernel/syscall.h).
- The assembly takes offsets and constants from kernel/asm_offsets.c's generated
  asm_offsets.inc: no [gs:N] and no %define of a name asm_offsets.c generates.
Each check is also run on a doctored copy of the source, to show it can fail.
"""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


# ---------------------------------------------------------------- the syscall table

def table_problems(syscall_c, syscall_h, defined_in):
    """defined_in: handler name -> the file (kernel/x.c) whose SYSCALL(name) defines it."""
    problems, entries = [], []
    body = syscall_c[syscall_c.index("static const struct syscall_entry table"):]
    body = body[:body.index("\n};")]
    for line in body.splitlines()[1:]:
        if line.strip().startswith("//"):
            continue                                 # a prototype's continuation line
        m = re.match(r"    [ELU]\((\d+), (\w+)\),\s+// .*\b(\w+)\(", line)   # L, U: without the BKL
        if not m:
            problems.append("not one entry with its prototype: " + line.strip())
            continue
        nr, name, proto_name = int(m.group(1)), m.group(2), m.group(3)
        if proto_name != name:
            problems.append(f"{name}: the comment is the prototype of {proto_name}")
        entries.append((nr, name))
    numbers = [nr for nr, _ in entries]
    if numbers != sorted(set(numbers)):
        problems.append("the table is not sorted by number (or has a number twice)")
    declared = re.findall(r"^SYSCALL\((\w+)\);\s+// (\S+)$", syscall_h, re.M)
    if [n for n, _ in declared] != [n for _, n in entries]:
        problems.append("syscall.h does not declare the handlers in the table's order")
    for name, where in declared:
        if defined_in.get(name) != "kernel/" + where:
            problems.append(f"syscall.h: {name} is said to be in {where}, "
                            f"but is defined in {defined_in.get(name)}")
    return problems


def handler_files():
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "kernel", "*.c"))):
        rel = os.path.relpath(path, ROOT)
        out[rel] = read(rel)
    return out


def defined_in(files):
    return {name: rel for rel, text in files.items()
            for name in re.findall(r"^SYSCALL\((\w+)\)\s*\{", text, re.M)}


def test_syscall_table_sorted_with_prototypes(ctx):
    files = handler_files()
    problems = table_problems(read("kernel/syscall.c"), read("kernel/syscall.h"),
                              defined_in(files))
    assert not problems, "\n".join(problems)


def test_table_check_can_fail(ctx):
    files = handler_files()
    c, h, where = read("kernel/syscall.c"), read("kernel/syscall.h"), defined_in(files)
    swapped = c.replace("    U(0, read),", "    U(9999, read),", 1)
    assert any("sorted" in p for p in table_problems(swapped, h, where))
    bare = re.sub(r"(    U\(1, write\),)\s+//[^\n]*", r"\1", c, count=1)
    assert any("prototype" in p for p in table_problems(bare, h, where))
    moved = h.replace("SYSCALL(read);", "SYSCALL(read); // sys_mem.c\n//", 1)
    assert table_problems(c, moved, where)


# ---------------------------------------------------------------- named arguments

DECL = re.compile(r"^\s*(const\s+)?(struct\s+\w+|unsigned\s+int|unsigned\s+long|[a-z_][a-z_0-9]*)"
                  r"\s+\**\w+(\[\w*\])?\s*(=|,|;)")


def unnamed_argument_uses(text):
    """Lines of SYSCALL handlers that use a0..a5 below the handler's leading declarations."""
    bad = []
    for m in re.finditer(r"^SYSCALL\((\w+)\)\s*\{\n", text, re.M):
        end = text.index("\n}\n", m.end())
        leading = True
        for line in text[m.end():end].splitlines():
            code = re.sub(r"//.*", "", line)
            if leading and not (DECL.match(code) or code.startswith("        ")):
                leading = False
            if not leading and re.search(r"\ba[0-5]\b", code):
                bad.append(f"{m.group(1)}: {line.strip()}")
    return bad


def test_handlers_name_their_arguments(ctx):
    bad = []
    for rel, text in handler_files().items():
        bad += [f"{rel}: {b}" for b in unnamed_argument_uses(text)]
    assert not bad, ("a0..a5 used past the handler's first lines (name them at the top, "
                     "see kernel/syscall.h):\n" + "\n".join(bad))


def test_argument_check_can_fail(ctx):
    good = "SYSCALL(dup) {\n    int oldfd = (int)a0;\n    return oldfd;\n}\n"
    assert unnamed_argument_uses(good) == []
    bad = "SYSCALL(dup) {\n    struct file *f = fd_get(0);\n    return f ? (long)a0 : -1;\n}\n"
    assert unnamed_argument_uses(bad) == ["dup: return f ? (long)a0 : -1;"]


# ---------------------------------------------------------------- assembly constants

def asm_problems(asm_files, generated):
    problems = []
    for rel, text in asm_files.items():
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split(";")[0]
            if re.search(r"\[gs:\s*\d", code):
                problems.append(f"{rel}:{n}: a per-CPU offset by number: {line.strip()}")
            m = re.match(r"\s*%define\s+(\w+)", code)
            if m and m.group(1) in generated:
                problems.append(f"{rel}:{n}: {m.group(1)} is generated by asm_offsets.c")
    return problems


def generated_names():
    return set(re.findall(r"^    DEFINE\((\w+),", read("kernel/asm_offsets.c"), re.M))


def test_assembly_constants_come_from_c(ctx):
    names = generated_names()
    assert {"TF_RIP", "PERCPU_KERNEL_RSP", "USER_CS", "SYSCALL_VECTOR"} <= names
    asm = {os.path.relpath(p, ROOT): read(os.path.relpath(p, ROOT))
           for p in glob.glob(os.path.join(ROOT, "kernel", "*.asm"))}
    problems = asm_problems(asm, names)
    assert not problems, "\n".join(problems)
    inc = os.path.join(ctx.build, "kernel", "asm_offsets.inc")
    with open(inc) as f:
        made = dict(re.findall(r"%define (\w+) (-?\d+)", f.read()))
    assert set(made) == names, (sorted(made), sorted(names))
    assert made["USER_CS"] == str(0x33) and made["SYSCALL_VECTOR"] == str(0x100), made


def test_assembly_check_can_fail(ctx):
    doctored = {"x.asm": "%define USER_CS 0x33\n    mov rsp, [gs:8]\n"}
    assert len(asm_problems(doctored, {"USER_CS"})) == 2
