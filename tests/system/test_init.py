"""The first process: how the kernel finds, starts and loses init, as Linux does.
Where only a fresh machine shows the behaviour, the expected lines were recorded on real
Linux booting the same initramfs (tests/system/oracle/, tools/linux-oracle.sh)."""
import os
import re

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle")


def oracle_lines(name):
    with open(os.path.join(ORACLE, name)) as f:
        return [l.rstrip("\n") for l in f if not l.startswith("#")]


def test_argv_and_envp_as_on_linux(ctx):
    m = ctx.machine(kernel_args="panic=-1 single foo=bar mod.param=1 -- x=1 --y")
    m.wait_for(r'init: envp\[2\] = "foo=bar"')
    log = m.text()
    got = [l for l in log.splitlines() if l.startswith("init:")]
    got += re.findall(r"Unknown kernel command line parameters.*", log)
    assert got == oracle_lines("init_argv_envp.txt"), "\n".join(got)
    assert "Run /init as init process" in log


def test_init_stays_alive_without_burning_cpu(ctx):
    m = ctx.machine(kernel_args="panic=-1 kmon_unused")
    m.wait_for(r"init: envp\[\d+\]")
    assert m.running_after(2), "init ended"
    assert "Kernel panic" not in m.text()


def test_init_exit_panics(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/fault panic=-1 -- no-such-fault")
    m.wait_exit(60)
    assert "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000200" in m.text()


def test_no_initramfs_no_init(ctx):
    m = ctx.machine(kernel_args="panic=-1", initrd=False)
    m.wait_exit(60)
    log = m.text()
    for path in ("/sbin/init", "/etc/init", "/bin/init", "/bin/sh"):
        assert f"Run {path} as init process" in log
    assert "Run /init as init process" not in log, "a missing /init is skipped silently"
    assert ("Kernel panic - not syncing: No working init found.  Try passing init= option to "
            "kernel. See Linux Documentation/admin-guide/init.rst for guidance.") in log


def test_rdinit_selects_the_program(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/t_ids panic=-1")
    m.wait_exit(60)
    log = m.text()
    assert "Run /bin/t_ids as init process" in log
    assert "t_ids: start" in log and "Run /init" not in log


def test_missing_rdinit_falls_back_to_init_param(ctx):
    m = ctx.machine(kernel_args="rdinit=/nonexistent init=/bin/t_ids panic=-1")
    m.wait_exit(60)
    log = m.text()
    assert "Run /bin/t_ids as init process" in log and "t_ids: start" in log


def test_requested_init_missing_panics(ctx):
    m = ctx.machine(kernel_args="rdinit=/nonexistent init=/nonexistent panic=-1")
    m.wait_exit(60)
    assert "Kernel panic - not syncing: Requested init /nonexistent failed (error -2)." in m.text()


def test_not_an_elf_file(ctx):
    m = ctx.machine(kernel_args="rdinit=/etc/parity/hello.txt init=/bin/t_ids panic=-1")
    m.wait_exit(60)
    log = m.text()
    assert "Failed to execute /etc/parity/hello.txt (error -13)" in log   # no x bit: EACCES
    assert "t_ids: start" in log


def test_unimplemented_syscall_logged_once(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/t_misc panic=-1")
    m.wait_exit(60)
    log = m.text()
    assert log.count("pid 1 (t_misc): unimplemented syscall 1000\n") == 1
    assert log.count("pid 1 (t_misc): unimplemented syscall 100000\n") == 1


def test_segfault_line_as_on_linux(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/fault panic=-1 -- null")
    m.wait_exit(60)
    # Linux 6.1 printed, for the same binary:
    # fault[1]: segfault at 0 ip 00000000004010e0 sp 00007ffd9eefba88 error 6 in fault[401000+4000]
    #   likely on CPU 0 (core 0, socket 0)
    assert re.search(r"fault\[1\]: segfault at 0 ip 0000000000401[0-9a-f]{3} sp 00007ff[0-9a-f]{9} "
                     r"error 6 in fault\[401000\+[0-9a-f]+\] likely on CPU 0 \(core 0, socket 0\)",
                     m.text())


def test_init_param_gives_a_rescue_shell(ctx):
    # As with Linux distributions: the kernel runs /init from the initramfs, and /init
    # hands over to init=, here a shell as PID 1.
    m = ctx.machine(kernel_args="init=/bin/sh panic=-1")
    m.wait_for("init: init=/bin/sh on the command line: handing over")
    m.wait_for("# ")
    m.type("echo rescue $$\r")
    m.wait_for(r"^rescue 1$")
    m.type("exit 4\r")
    m.wait_exit(30)
    assert "Attempted to kill init! exitcode=0x00000400" in m.text()
