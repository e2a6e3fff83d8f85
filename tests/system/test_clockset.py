"""The wall clock set under timers: tests/user/clockset.c sets CLOCK_REALTIME an hour
ahead under four timerfds. Setting the clock is what no test may do on the host, so the
expected lines were recorded on real Linux booting the same initramfs (tests/system/oracle/
clockset.txt, tools/linux-oracle.sh): a TFD_TIMER_CANCEL_ON_SET timer is cancelled once,
an absolute CLOCK_REALTIME one moves with the clock and expires, the others stay."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_init import oracle_lines  # noqa: E402


def test_timerfds_when_the_wall_clock_is_set(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/clockset panic=-1")
    m.wait_for(r"clockset: done")
    log = m.text()
    start = log.index("Run /bin/clockset as init process")
    got = [l for l in log[start:].splitlines()[1:] if not l.startswith("[")]
    got = got[:got.index("clockset: done") + 1]
    assert got == oracle_lines("clockset.txt"), "\n".join(got)
