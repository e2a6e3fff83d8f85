#!/usr/bin/env python3
"""trace_run.py: `make trace`. Boots the default system (on 4 CPUs, as `make run`) with the
kernel's event trace on, plays a short scenario at the console - init starts its services,
the shell runs a pipeline, poweroff - and turns the trace QEMU saved from COM2 into
build/trace.json (for Perfetto or chrome://tracing) and build/trace.html (a self-contained
timeline)."""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from qemu import Machine  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--smp", type=int, default=None, help="CPUs (default: $LANTERN_SMP, else 1)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    dump = os.path.join(build, "trace.txt")
    if os.path.exists(dump):
        os.unlink(dump)
    m = Machine(build, kernel_args="trace panic=-1", extra=["-serial", f"file:{dump}"], smp=args.smp)
    try:
        m.wait_for(r"^# ", timeout=60)
        m.type("echo hello from the shell | cat\r")
        m.wait_for(r"^hello from the shell$", timeout=30)
        m.type("poweroff\r")
        m.wait_exit(60)
    finally:
        m.close()
    print(f"trace: {dump}")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "trace.py"), dump,
                    "--json", os.path.join(build, "trace.json"),
                    "--html", os.path.join(build, "trace.html"), "--summary"], check=True)


if __name__ == "__main__":
    main()
