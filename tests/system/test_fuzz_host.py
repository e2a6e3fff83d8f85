"""The host libFuzzer harnesses (tests/fuzz/fuzz_*.c, `make fuzz-host`) still build, and each
runs a few seconds from its checked-in corpus (tests/fuzz/corpus/NAME/) without a crash,
a sanitizer report or a leak. Nothing else builds them: the cpio harness once stopped
linking for a whole round without anyone noticing.

Each run gets a scratch corpus directory of its own first, so libFuzzer writes what it
learns there and never into the checked-in corpus. Skipped, saying why, only when the host's
clang cannot build a libFuzzer program (tools/deps.sh test installs clang and its runtime,
libclang-rt-dev)."""
import glob
import os
import re
import shutil
import subprocess
import tempfile

from skip import Skip

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = 3
CC = os.environ.get("FUZZ_HOST_CC", "clang")


def _libfuzzer_missing():
    """Why the host cannot build a libFuzzer harness, or None if it can."""
    if not shutil.which(CC):
        return f"{CC} is not installed"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "probe.c")
        with open(src, "w") as f:
            f.write("#include <stddef.h>\n#include <stdint.h>\n"
                    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) "
                    "{ (void)d; (void)n; return 0; }\n")
        r = subprocess.run([CC, "-fsanitize=fuzzer,address,undefined", src, "-o",
                            os.path.join(d, "probe")], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return (f"{CC} cannot link -fsanitize=fuzzer (libFuzzer's runtime, Debian's "
                    f"libclang-rt-dev, is missing?): {r.stderr.strip()[:200]}")
    return None


def _check(ctx, name):
    why = _libfuzzer_missing()
    if why:
        raise Skip(why)
    out = os.path.join(ctx.build, "fuzz", f"fuzz_{name}")
    r = subprocess.run(["make", "-C", ROOT, f"BUILD={ctx.build}", f"FUZZ_HOST_CC={CC}", out],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"fuzz_{name} does not build:\n{r.stdout[-2000:]}{r.stderr[-3000:]}"
    corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
    seeds = len(os.listdir(corpus))
    assert seeds > 0, f"{corpus} is empty"
    with tempfile.TemporaryDirectory() as scratch:
        r = subprocess.run([out, f"-max_total_time={SECONDS}", "-print_final_stats=1",
                            f"-artifact_prefix={scratch}/crash-", scratch, corpus],
                           capture_output=True, text=True, timeout=SECONDS + 120)
        crashes = glob.glob(os.path.join(scratch, "crash-*"))
    log = r.stdout + r.stderr
    assert r.returncode == 0 and not crashes, \
        f"fuzz_{name} found a problem (exit {r.returncode}):\n{log[-4000:]}"
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    assert runs and int(runs.group(1)) >= seeds, f"fuzz_{name} ran no inputs:\n{log[-2000:]}"


def _make(name):
    def test(ctx):
        _check(ctx, name)
    test.__name__ = f"test_{name}"
    return test


# One test per harness: tests/fuzz/fuzz_NAME.c (the Makefile's FUZZ_HOST list).
for _src in sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c"))):
    _name = os.path.basename(_src)[len("fuzz_"):-2]
    globals()[f"test_{_name}"] = _make(_name)


def test_make_fuzz_host_runs_every_harness(ctx):
    """`make fuzz-host` (the Makefile's FUZZ_HOST list) runs every tests/fuzz/fuzz_*.c."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        listed = set(re.search(r"^FUZZ_HOST := (.*)$", f.read(), re.M).group(1).split())
    files = {os.path.basename(p)[len("fuzz_"):-2]
             for p in glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c"))}
    assert listed == files, f"FUZZ_HOST lists {sorted(listed)}, tests/fuzz has {sorted(files)}"
