"""The kernel's event trace on a real boot: with `trace` on the command line, the dump QEMU
saves from COM2 parses and holds timer interrupts, system calls from PID 1, and context
switches."""
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
    assert lines[0] == "LANTERN-TRACE 1"
    end = lines[-1].split()
    assert end[0] == "END" and int(end[1]) == len(lines) - 2
    events = [l.split() for l in lines[1:-1]]
    stamps = [int(e[0]) for e in events]
    assert stamps == sorted(stamps), "timestamps go backwards"
    kinds = {}
    for e in events:
        kinds.setdefault(e[1], []).append(e)
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
