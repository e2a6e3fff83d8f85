#!/usr/bin/env python3
"""host.py: run the user test programs on the host Linux, to get the output Lantern must match.

The parity programs (build/user/t_*) are static Linux binaries. Run here as ordinary
processes, with their current directory in tests/user/rootfs (the files Lantern's initramfs
holds too), they print what the same binaries must print on Lantern. Each output goes to
build/user/expected/t_NAME.out.

    python3 tests/user/host.py [--build build] [t_NAME ...]      (or: make user-expected)

The system tests import this file for run_program(), parity_programs() and write_expected().
"""
import argparse
import contextlib
import fcntl
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTFS = os.path.join(HERE, "rootfs")
# What Lantern gives init: argv[0] "/init" and a small environment. The parity programs
# print neither, but running them the same way keeps surprises away.
INIT_ENV = {"HOME": "/", "TERM": "linux"}


def parity_programs(build):
    """The names of the built parity programs: t_write, t_files, ..."""
    user = os.path.join(build, "user")
    if not os.path.isdir(user):
        return []
    return sorted(n for n in os.listdir(user)
                  if n.startswith("t_") and "." not in n and os.access(os.path.join(user, n), os.X_OK))


@contextlib.contextmanager
def rootfs_lock():
    """One program at a time in ROOTFS: the system tests run in parallel, and two runs of a
    program that makes and removes a file of a fixed name there (t_attr's attr.tmp) would
    find each other's."""
    with open(os.path.join(tempfile.gettempdir(), "lantern-host-rootfs.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run_program(path, argv=None, env=None, cwd=ROOTFS, timeout=60):
    """Run a binary with stdin on /dev/null and stdout, stderr captured; a CompletedProcess."""
    with rootfs_lock() if cwd == ROOTFS else contextlib.nullcontext():
        return subprocess.run(argv or [path], executable=path, cwd=cwd,
                              env=INIT_ENV if env is None else env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)


def problems_with(name, r):
    """What is wrong with a parity program's run: a list of strings, empty if nothing."""
    found = []
    lines = r.stdout.splitlines()
    if r.returncode != 0:
        found.append(f"{name}: exit status {r.returncode}")
    if r.stderr:
        found.append(f"{name}: wrote to stderr (on Lantern that is the console too): {r.stderr!r}")
    if not lines or lines[0] != f"{name}: start":
        found.append(f"{name}: the first line is not '{name}: start'")
    if not lines or lines[-1] != "done":
        found.append(f"{name}: the last line is not 'done'")
    # A "no" or an error in the output is not a problem here: on the host it is simply
    # Linux's answer, and only the comparison with Lantern's output judges.
    return found


def write_expected(build, names=None):
    """Run each parity program and store its output; return the list of problems."""
    out_dir = os.path.join(build, "user", "expected")
    os.makedirs(out_dir, exist_ok=True)
    found = []
    for name in names or parity_programs(build):
        r = run_program(os.path.join(build, "user", name))
        with open(os.path.join(out_dir, name + ".out"), "w") as f:
            f.write(r.stdout)
        found += problems_with(name, r)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("names", nargs="*", help="programs to run (default: every t_*)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    names = args.names or parity_programs(build)
    if not names:
        sys.exit(f"no parity programs in {build}/user: run `make user` first")
    found = write_expected(build, names)
    for name in names:
        bad = [p for p in found if p.startswith(name + ":")]
        with open(os.path.join(build, "user", "expected", name + ".out")) as f:
            n = len(f.read().splitlines())
        print(f"{'FAIL' if bad else 'ok  '} {name}: {n} lines -> {build}/user/expected/{name}.out")
        for p in bad:
            print("     " + p)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
