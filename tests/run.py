#!/usr/bin/env python3
"""run.py: the test runner behind `make test`.

1. Host unit tests: every build/unit/test_* binary (built by `make unit-tests`), each of
   which ends with its own "N passed, N failed" line; their counts are added up.
2. System tests: every function named test_* in tests/system/test_*.py. Each gets a
   context with the build directory and boots QEMU through tests/qemu.py. A test passes
   when it returns, fails when it raises. Serial logs of failed tests are kept in
   build/test-logs/.

Prints one line per test and ends with "N passed, N failed, N skipped". A test that raises
skip.Skip (tests/skip.py: an exercise nobody has started) is skipped, neither passed nor
failed. Exits non-zero on any failure.
"""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from skip import Skip  # noqa: E402


class Context:
    def __init__(self, build, name):
        self.build = build
        self.name = name
        self.machines = []

    def machine(self, **kw):
        from qemu import Machine
        kw.setdefault("leakcheck", True)     # every test boot is checked for leaks (qemu.py)
        m = Machine(self.build, **kw)
        self.machines.append(m)
        return m

    def close(self):
        for m in self.machines:
            m.close()

    def logs(self):
        return "\n".join(f"$ {' '.join(m.cmd)}\n{m.text()}" for m in self.machines)


def run_unit_tests(build):
    passed = failed = 0
    unit_dir = os.path.join(build, "unit")
    for name in sorted(os.listdir(unit_dir)) if os.path.isdir(unit_dir) else []:
        path = os.path.join(unit_dir, name)
        if not name.startswith("test_") or not os.access(path, os.X_OK) or "." in name:
            continue
        r = subprocess.run([path], capture_output=True, text=True, timeout=300)
        m = re.search(r"^(\d+) passed, (\d+) failed", r.stdout, re.M)
        p, f = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
        if r.returncode != 0 and f == 0:
            f = 1   # crashed (a sanitizer report, say) after its summary
        passed += p
        failed += f
        print(f"{'ok  ' if f == 0 else 'FAIL'} unit/{name}: {p} passed, {f} failed", flush=True)
        if f:
            print("\n".join("    " + l for l in (r.stdout + r.stderr).splitlines()
                            if not l.startswith("ok ")))
    return passed, failed


def discover_system_tests(pattern):
    tests = []
    sysdir = os.path.join(HERE, "system")
    for fname in sorted(os.listdir(sysdir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(sysdir, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in vars(mod).items():
            if name.startswith("test_") and callable(fn):
                full = f"{fname[5:-3]}/{name[5:]}"
                if not pattern or re.search(pattern, full):
                    tests.append((full, fn))
    return tests


def run_one(build, full, fn):
    ctx = Context(build, full)
    start = time.time()
    try:
        fn(ctx)
        for m in ctx.machines:           # the kernel's leak check (tests/qemu.py)
            problem = m.leak_problem()
            if problem:
                raise AssertionError(problem)
        return full, True, "", time.time() - start, None
    except Skip as e:
        return full, None, str(e), time.time() - start, None
    except Exception as e:   # a failed assert, a timeout, anything
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        return full, False, detail, time.time() - start, ctx.logs()
    finally:
        ctx.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", help="regex: run only the system tests whose name matches")
    ap.add_argument("--no-unit", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    passed = failed = skipped = 0
    if not args.no_unit and not args.only:
        passed, failed = run_unit_tests(build)

    logdir = os.path.join(build, "test-logs")
    os.makedirs(logdir, exist_ok=True)
    tests = discover_system_tests(args.only)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, build, full, fn) for full, fn in tests]
        for fut in concurrent.futures.as_completed(futures):
            full, ok, detail, secs, logs = fut.result()
            if ok is None:
                skipped += 1
                print(f"skip {full}: {detail}", flush=True)
            elif ok:
                passed += 1
                print(f"ok   {full} ({secs:.1f}s)", flush=True)
            else:
                failed += 1
                log = os.path.join(logdir, full.replace("/", "_") + ".log")
                with open(log, "w") as f:
                    f.write(logs or "")
                print(f"FAIL {full} ({secs:.1f}s): {detail}\n     serial log: {log}", flush=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
