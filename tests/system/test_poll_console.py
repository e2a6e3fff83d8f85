"""Waiting for the console (tests/user/pollcon.c, booted as init): poll, select and epoll
on fd 0 while keys arrive over the serial line, through the interrupt handler. In
canonical mode the console becomes readable only when the line is complete; with ICANON
off, at the first key; an edge-triggered epoll registration reports the key once."""
import time


def test_poll_console(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/pollcon panic=-1")
    m.wait_for(r"pollcon: at start 1 revents 0x4\n")        # writable, nothing to read
    pos = m.wait_for(r"pollcon: canonical, waiting\n").end()
    m.type("abc")
    time.sleep(0.5)                                            # keys in, line not done
    assert "pollcon: poll" not in m.text()[pos:], "POLLIN before the line was complete"
    m.type("\r")
    m.wait_for(r"pollcon: poll 1 revents 0x1\n", start=pos)
    m.wait_for(r"pollcon: line read 4: 61 62 63 0a\n", start=pos)
    pos = m.wait_for(r"pollcon: select, waiting\n", start=pos).end()
    m.type("de")
    time.sleep(0.3)
    assert "pollcon: select " not in m.text()[pos:], "readable before the line was complete"
    m.type("\x7ff\r")                                          # erase e, type f, Enter
    m.wait_for(r"pollcon: select 1 readable 1\n", start=pos)
    m.wait_for(r"pollcon: line read 3: 64 66 0a\n", start=pos)
    pos = m.wait_for(r"pollcon: raw, waiting\n", start=pos).end()
    time.sleep(0.2)
    assert "pollcon: epoll" not in m.text()[pos:], "readable with nothing typed"
    m.type("x")
    m.wait_for(r"pollcon: epoll 1 events 0x1 data 42\n", start=pos)
    m.wait_for(r"pollcon: raw read 1: 78\n", start=pos)
    m.wait_for(r"pollcon: after the read 0\n", start=pos)
    m.wait_for(r"pollcon: done\n", start=pos)
    m.wait_exit(30)
