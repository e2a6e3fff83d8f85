"""Trap tests: each kind of kernel fault, provoked with ktest=NAME, must produce its named
dump, a call trace, and Linux's panic line; panic=-1 then ends QEMU (-no-reboot)."""
import re


def crash(ctx, name):
    m = ctx.machine(kernel_args=f"panic=-1 ktest={name}")
    m.wait_exit(30)
    log = m.text()
    assert f"ktest: {name}\n" in log
    assert "returned: the kernel did not catch it" not in log
    assert "Kernel panic - not syncing: Fatal exception" in log, "no panic line"
    assert "Call Trace:" in log
    assert re.search(r"^\[\s*\d+\.\d+\] RAX: [0-9a-f]{16} RBX: [0-9a-f]{16} RCX: [0-9a-f]{16}$", log, re.M)
    assert "reboot: Restarting system" in log, "panic=-1 should reboot at once"
    return log


def test_divide_error(ctx):
    log = crash(ctx, "divide_error")
    assert re.search(r"divide error: 0000 \[#1\]", log)
    assert re.search(r"RIP: 0010:divide_error\+0x[0-9a-f]+/0x[0-9a-f]+", log), "RIP not symbolized"


def test_invalid_opcode(ctx):
    log = crash(ctx, "invalid_opcode")
    assert "invalid opcode: 0000 [#1]" in log
    assert "RIP: 0010:invalid_opcode+" in log


def test_int3(ctx):
    log = crash(ctx, "int3")
    assert "int3: 0000 [#1]" in log


def test_page_fault(ctx):
    log = crash(ctx, "page_fault")
    assert "BUG: unable to handle page fault for address: 0000000000000000" in log
    assert "#PF: supervisor write access in kernel mode" in log
    assert "#PF: error_code(0x0002) - not-present page" in log
    assert "CR2: 0000000000000000" in log


def test_general_protection(ctx):
    log = crash(ctx, "general_protection")
    assert "general protection fault: 0000 [#1]" in log


def test_stack_overflow(ctx):
    log = crash(ctx, "stack_overflow")
    assert "BUG: stack guard page was hit at" in log
    assert "kernel stack overflow (double-fault): 0000 [#1]" in log
    # The trace runs through the recursion: the frames are named.
    assert re.search(r"^\[\s*\d+\.\d+\]  recurse(\.\w+)*\+0x", log, re.M)


def test_call_trace_names_callers(ctx):
    log = crash(ctx, "page_fault")
    trace = log[log.index("Call Trace:"):]
    assert re.search(r" kmain\+0x[0-9a-f]+/0x[0-9a-f]+", trace), "kmain not in the call trace"


def test_unknown_ktest_is_reported(ctx):
    m = ctx.machine(kernel_args="ktest=nonsense")
    m.wait_for('ktest: unknown test "nonsense"')
