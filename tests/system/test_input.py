"""Input tests: bytes from the serial line and keys from the PS/2 keyboard reach the kernel
through their interrupts; the timer keeps ticking."""
import re
import time


def booted(ctx, **kw):
    m = ctx.machine(kernel_args="kmon", **kw)
    m.wait_for("kmon> ")
    return m


def test_serial_input(ctx):
    m = booted(ctx)
    m.type("hello serial\r")
    m.wait_for(r'monitor: got "hello serial"')


def test_serial_backspace(ctx):
    m = booted(ctx)
    m.type("helpx\x7f\r")
    m.wait_for(r'monitor: got "help"')
    m.wait_for(r"commands: help ticks")


def test_keyboard_input(ctx):
    m = booted(ctx)
    m.sendkeys(["h", "e", "l", "l", "o", "spc", "shift-k", "b", "d", "shift-1", "ret"])
    m.wait_for(r'monitor: got "hello Kbd!"')


def test_keyboard_caps_lock(ctx):
    m = booted(ctx)
    m.sendkeys(["caps_lock", "a", "shift-b", "caps_lock", "c", "ret"])
    m.wait_for(r'monitor: got "Abc"')


def test_timer_ticks_advance(ctx):
    m = booted(ctx)
    m.type("ticks\r")
    first = m.wait_for(r"jiffies: (\d+) \(HZ=100\), uptime: (\d+\.\d+) s")
    time.sleep(1.0)
    m.type("ticks\r")
    second = m.wait_for(r"jiffies: (\d+) \(HZ=100\), uptime: (\d+\.\d+) s", start=first.end())
    j1, j2 = int(first.group(1)), int(second.group(1))
    t1, t2 = float(first.group(2)), float(second.group(2))
    assert j2 > j1 + 20, f"jiffies {j1} -> {j2} after a second"
    assert t2 > t1 + 0.5, f"uptime {t1} -> {t2} after a second"
