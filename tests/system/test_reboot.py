"""reboot(2) with Linux's magic numbers: refusals first, then the machine goes away."""


def run(ctx, cmd):
    m = ctx.machine(kernel_args=f"rdinit=/bin/sysreboot panic=-1 -- {cmd}")
    m.wait_for(f"reboot\\({cmd}\\)")
    log = m.text()
    for what in ("wrong magic1", "wrong magic2", "unknown command"):
        assert f"{what}: EINVAL" in log, what
    return m


def test_power_off(ctx):
    m = run(ctx, "power_off")
    assert m.wait_exit(30) == 0
    assert "reboot: Power down" in m.text()


def test_restart(ctx):
    m = run(ctx, "restart")
    m.wait_exit(30)                      # -no-reboot turns the reset into an exit
    assert "reboot: Restarting system" in m.text()


def test_halt(ctx):
    m = run(ctx, "halt")
    m.wait_for("reboot: System halted")
    assert m.running_after(1), "halt must stop the CPU, not the machine"
