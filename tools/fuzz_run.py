#!/usr/bin/env python3
"""fuzz_run.py: boot Lantern with /bin/fuzz as init and judge the run (make fuzz).

    python3 tools/fuzz_run.py --build build --seconds 60 --seed 1 [--workers 4] [--design threads]
                              [--smp 4]

A failure is any of: a kernel panic or oops line in the log, no progress line from the
fuzzer for 30 s (a hang), the machine resetting (a triple fault: QEMU's -no-reboot turns it
into an exit before the fuzzer's verdict), a leak reported by the fuzzer, or the fuzzer's
own "fuzz: FAIL". The serial log is kept in BUILD/fuzz.log. Exit status 0 means PASS.
--smp N boots N CPUs (by default $LANTERN_SMP, else 1, as tests/qemu.py does).
tests/system/test_fuzz.py calls run() for a short run.
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from qemu import Machine  # noqa: E402

# Kernel trouble, as Lantern (kernel/trap.c, panic.c) and Linux word it.
# (A user process's fault is logged too, as "traps: prog[pid] general protection fault" or
# "prog[pid]: segfault at": that is the fuzzer's business, not trouble.)
KERNEL_TROUBLE = re.compile(r"Kernel panic|BUG: |Oops|\[#\d+\]|double fault|WARNING: |"
                            r"stack guard page")
PROGRESS = re.compile(r"^fuzz: ", re.M)
# A batch of the threads design (16 workers x 10,000 calls) takes about 24 s at 4 CPUs on a
# busy 2-core host: silence for twice that is a hang.
HANG_SECONDS = 60


def run(build, seconds, seed, workers=4, memory="256M", machine=None, design="calls", smp=None):
    """Runs the fuzzer; returns (passed, problems and summary lines, full log).
    machine: what makes the Machine (tests pass ctx.machine, which keeps failed logs).
    smp: CPUs (None: $LANTERN_SMP or 1)."""
    args = (f"rdinit=/bin/fuzz panic=-1 -- --seconds {seconds} --seed {seed} --workers {workers}"
            f" --design {design}")
    # -cpu max: a CPU with SMAP and SMEP, so that a kernel access to user memory outside
    # the uaccess.h doors faults (and panics) instead of passing unnoticed.
    m = (machine or (lambda **kw: Machine(build, **kw)))(kernel_args=args, memory=memory,
                                                         extra=["-cpu", "max"], smp=smp)
    problems = []
    try:
        last_count, last_change = 0, time.time()
        while m.proc.poll() is None:
            count = len(PROGRESS.findall(m.text()))
            if count != last_count:
                last_count, last_change = count, time.time()
            elif time.time() - last_change > HANG_SECONDS:
                problems.append(f"hang: no progress line for {HANG_SECONDS} s")
                break
            if time.time() - last_change > 5 and KERNEL_TROUBLE.search(m.text()):
                break   # the kernel is in trouble and quiet: no need to wait out the hang
            time.sleep(0.5)
        time.sleep(0.2)
        log = m.text()
    finally:
        m.close()
    trouble = [l for l in log.splitlines() if KERNEL_TROUBLE.search(l)]
    if trouble:
        problems.append("kernel trouble: " + " | ".join(trouble[:3]))
    verdict = re.findall(r"^fuzz: (PASS|FAIL)", log, re.M)
    if not verdict and not problems:
        problems.append("the fuzzer gave no verdict: did the machine reset?")
    if verdict and verdict[-1] == "FAIL":
        problems.append("the fuzzer says FAIL")
    if verdict and "reboot: Power down" not in log and not problems:
        problems.append("no clean power-off after the verdict")
    summary = [l for l in log.splitlines()
               if re.match(r"fuzz: (LEAK|FAIL|PASS|\d+ calls|stuck|killed)", l)]
    return not problems, problems + summary, log


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--design", default="calls", choices=["calls", "threads"])
    ap.add_argument("--smp", type=int, default=None, help="CPUs (default: $LANTERN_SMP, else 1)")
    a = ap.parse_args()
    ok, lines, log = run(a.build, a.seconds, a.seed, a.workers, a.memory, design=a.design,
                         smp=a.smp)
    path = os.path.join(a.build, "fuzz.log")
    with open(path, "w") as f:
        f.write(log)
    for line in lines:
        print(line)
    print(f"fuzz: serial log in {path}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
