"""The system-call fuzzer (user/fuzz*.c) as part of the test suite: short runs with fixed
seeds, of both designs (random calls; threads hammering one address space), must end without a kernel panic or oops, a hang, a reset or a leak (tools/fuzz_run.py
judges, as for `make fuzz`), and a worker replayed alone must make the same calls again.

The bugs the fuzzer found are fixed (tests/user/t_regress.c keeps their reproducers), so the
short runs fuzz everything, as `make fuzz` does."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import fuzz_run  # noqa: E402

CALL = re.compile(r"^w\d+ #(\d+) (\w+)\(", re.M)


def _short_run(ctx, seed, seconds, design="calls"):
    ok, lines, log = fuzz_run.run(ctx.build, seconds, seed, machine=ctx.machine, design=design)
    assert ok, "\n".join(lines)
    m = re.search(r"^fuzz: (\d+) calls in", log, re.M)
    assert m and int(m.group(1)) > 1000, f"too few calls: {m and m.group(0)}"


def test_fuzz_seed_1(ctx):
    _short_run(ctx, 1, 12)


def test_fuzz_seed_2(ctx):
    _short_run(ctx, 2, 12)


def test_fuzz_threads_seed_1(ctx):
    _short_run(ctx, 1, 12, design="threads")


def _replay(ctx, seed, worker, calls):
    # norandmaps: the same address space layout every time (no ASLR), as a replay needs -
    # a call's outcome (and so how long the worker lives) may depend on its addresses.
    m = ctx.machine(kernel_args=f"rdinit=/bin/fuzz panic=-1 norandmaps -- --seed {seed} "
                                f"--worker {worker} --calls {calls}")
    m.wait_exit(60)
    log = m.text()
    assert f"fuzz: replaying worker {worker}" in log, "the replay did not start"
    assert re.search(rf"^fuzz: worker {worker}: (exited|killed)", log, re.M), "no end line"
    assert "Kernel panic" not in log and "reboot: Power down" in log
    return CALL.findall(log)


def test_fuzz_replay_is_deterministic(ctx):
    first = _replay(ctx, 3, 5, 150)
    second = _replay(ctx, 3, 5, 150)
    assert len(first) >= 20, f"the worker made only {len(first)} calls"
    assert first == second, "a replayed worker made other calls"
    assert [int(n) for n, _ in first] == list(range(len(first)))
