"""The front door stays light: `make run` (tools/deps.sh with no argument) installs what
building and booting need, and nothing only the tests use; `make test` and .ci/run install
the rest (tools/deps.sh test). Checked by reading the script and asking make what it would
run, without installing anything."""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_ONLY = {"chromium", "fonts-dejavu-core", "ovmf", "clang", "libclang-rt-dev", "gdb"}


def lists():
    with open(os.path.join(ROOT, "tools", "deps.sh")) as f:
        text = f.read()
    run = set(re.search(r'RUN_PACKAGES="([^"]*)"', text).group(1).split())
    test = set(re.search(r'TEST_PACKAGES="([^"]*)"', text).group(1).split())
    return run, test


def dry_run(target):
    r = subprocess.run(["make", "-n", "-C", ROOT, target, "V=1"], capture_output=True, text=True,
                       timeout=120)
    return r.stdout


def test_run_installs_only_what_the_build_needs(ctx):
    run, test = lists()
    assert not run & TEST_ONLY, f"make run would install {run & TEST_ONLY}"
    assert TEST_ONLY <= test, f"the tests' packages miss {TEST_ONLY - test}"
    for needed in ("gcc", "nasm", "qemu-system-x86", "xorriso", "grub-pc-bin", "musl-tools"):
        assert needed in run, f"make run would not install {needed}"
    assert re.search(r"^tools/deps.sh$", dry_run("run"), re.M), "make run does not run tools/deps.sh"
    assert not re.search(r"tools/deps.sh test", dry_run("run")), "make run installs the tests' packages"
    assert re.search(r"^tools/deps.sh test$", dry_run("test"), re.M), "make test does not install its packages"
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        assert "tools/deps.sh test" in f.read(), ".ci/run does not install the tests' packages"
    r = subprocess.run([os.path.join(ROOT, "tools", "deps.sh"), "nonsense"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "usage" in r.stderr
