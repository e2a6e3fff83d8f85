"""The everyday commands (user/ls.c, wc.c, ...) on the host, next to the real ones.

Each of our tools is a static Linux binary, so it runs on the host as it will on Lantern.
Where its output is meant to match coreutils / util-linux / procps exactly, the test runs
both on the same input in a temporary directory and compares stdout, stderr and the exit
status. Both run with argv[0] set to the plain name ("ls"), LC_ALL=C (byte order, ASCII
quotes) and TZ=UTC (Lantern has no time zones). ls -l is compared with `ls -ln`: we print
owners as numbers, having no /etc/passwd.

The /proc readers (ps, free, uptime) and the privileged ones (dmesg, mount) are checked
for plausible output from the host's own /proc and kernel.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile

ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL": "C", "TZ": "UTC",
       "HOME": "/root"}


def run(argv, cwd, executable=None, input=None, env=None):
    """(stdout, stderr, status) of argv: bytes if input is bytes, else text."""
    r = subprocess.run(argv, executable=executable, cwd=cwd, env=ENV if env is None else env,
                       input=input if input is not None else "",
                       capture_output=True, text=not isinstance(input, bytes), timeout=30)
    return r.stdout, r.stderr, r.returncode


def ours(ctx, cwd, name, *args, **kw):
    path = os.path.join(ctx.build, "bin", name)
    assert os.access(path, os.X_OK), f"{path} missing: did `make user` run?"
    return run([name, *args], cwd, executable=path, **kw)


def theirs(cwd, name, *args, **kw):
    return run([name, *args], cwd, **kw)


def same(ctx, cwd, name, *args, host=None, **kw):
    """Run ours and the host's (host: its argv, if it differs) and compare everything."""
    a = ours(ctx, cwd, name, *args, **kw)
    b = theirs(cwd, *(host or (name, *args)), **kw)
    assert a == b, f"{name} {' '.join(args)}:\nours:  {a!r}\nhost's: {b!r}"
    return a


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def sample_files(d):
    """A few text files: with and without a final newline, an empty one, tabs, case."""
    write(os.path.join(d, "a"), "hello world\nfoo Bar\n\tbaz  qux \nFOO\n")
    write(os.path.join(d, "b"), "no newline at the end")
    write(os.path.join(d, "empty"), "")
    write(os.path.join(d, "n"), "".join(f"line {i}\n" for i in range(1, 31)))
    write(os.path.join(d, "bin"), bytes(range(256)) * 3 + b"\x00" * 100 + b"tail")


# ---------------------------------------------------------------- text tools

def test_wc(ctx):
    with tempfile.TemporaryDirectory() as d:
        sample_files(d)
        for args in (["a"], ["a", "b", "empty"], ["-l", "a"], ["-w", "b"], ["-c", "bin"],
                     ["-lw", "a", "n"], ["-c", "-l", "n"], ["a", "nope", "b"], ["nope", "a"]):
            same(ctx, d, "wc", *args)
        for args in ([], ["-l"], ["-w", "-c"], ["-", "a"]):          # stdin: a pipe
            same(ctx, d, "wc", *args, input="one two\nthree\n")


def test_head(ctx):
    with tempfile.TemporaryDirectory() as d:
        sample_files(d)
        for args in (["n"], ["-n", "3", "n"], ["-n3", "a", "b"], ["-5", "n", "a"], ["-n", "0", "n"],
                     ["-n", "100", "b"], ["a", "nope", "n"], ["nope"]):
            same(ctx, d, "head", *args)
        same(ctx, d, "head", "-n", "2", input="1\n2\n3\n")
        same(ctx, d, "head", input="".join(f"{i}\n" for i in range(20)))


def test_grep(ctx):
    with tempfile.TemporaryDirectory() as d:
        sample_files(d)
        for args in (["o", "a"], ["-i", "foo", "a"], ["-v", "o", "a", "b"], ["-c", "o", "a", "b", "n"],
                     ["-n", "line 2", "n"], ["-in", "BAR", "a", "n"], ["-vc", "line", "n"],
                     ["zzz", "a"], ["end", "b"], ["", "a"], ["-F", "x", "a"],
                     ["o", "a", "nope"], ["-c", "x", "empty"]):
            same(ctx, d, "grep", *args)
        same(ctx, d, "grep", "two", input="one\ntwo\nthree two\n")
        same(ctx, d, "grep", "-n", "two", "-", "a", input="one\ntwo\n")


def test_hexdump(ctx):
    with tempfile.TemporaryDirectory() as d:
        sample_files(d)
        write(os.path.join(d, "zeros"), b"\x00" * 100)
        write(os.path.join(d, "rand"), os.urandom(1000))
        for args in (["-C", "a"], ["-C", "b"], ["-C", "empty"], ["-C", "bin"], ["-C", "zeros"],
                     ["-C", "rand"], ["-C", "zeros", "a", "b"], ["-C", "nope", "a"]):
            same(ctx, d, "hexdump", *args)
        same(ctx, d, "hexdump", "-C", input=b"from stdin\x01\x7f\x80\xff")


def test_uname(ctx):
    with tempfile.TemporaryDirectory() as d:
        for args in (["-m"], ["-s"], ["-r"], ["-n"], ["-v"], [], ["-sm"], ["-m", "-s", "-n"]):
            same(ctx, d, "uname", *args)
        # coreutils' -a adds -p -i -o, which Lantern has no use for.
        same(ctx, d, "uname", "-a", host=["uname", "-snrvm"])
        same(ctx, d, "uname", "extra")


def test_env(ctx):
    with tempfile.TemporaryDirectory() as d:
        env = {"A": "1", "B": "two words", "PATH": ENV["PATH"], "EMPTY": ""}
        same(ctx, d, "env", env=env)
        same(ctx, d, "env", "-i", "X=1", "Y=a=b", env=env)
        same(ctx, d, "env", "-u", "B", "C=3", env=env)
        same(ctx, d, "env", "-", "Z=26", env=env)
        # Running a command: the host's env, so the two runs print the same thing.
        same(ctx, d, "env", "-i", "K=v", "/usr/bin/env", env=env)
        same(ctx, d, "env", "B=changed", "printenv", "B", env=env)
        out, err, status = ours(ctx, d, "env", "no-such-command-here")
        assert status == 127 and "no-such-command-here" in err, (out, err, status)


# ---------------------------------------------------------------- file tools

def tree(d):
    """Every path under d with its kind, mode, size and data or link target: to compare."""
    found = []
    for root, dirs, files in os.walk(d):
        for name in sorted(dirs + files):
            p = os.path.join(root, name)
            st = os.lstat(p)
            what = (os.readlink(p) if os.path.islink(p) else
                    "dir" if os.path.isdir(p) else open(p, "rb").read())
            found.append((os.path.relpath(p, d), st.st_mode, what))
    return sorted(found)


def twice(ctx, setup, name, *args):
    """Run ours and the host's tool, each in a fresh copy of the same tree; compare the
    output and the trees left behind."""
    results = []
    for who in ("ours", "theirs"):
        with tempfile.TemporaryDirectory() as d:
            os.umask(0o022)
            setup(d)
            r = ours(ctx, d, name, *args) if who == "ours" else theirs(d, name, *args)
            results.append((r, tree(d)))
    assert results[0][0] == results[1][0], f"{name} {args}: ours {results[0][0]!r}, host's {results[1][0]!r}"
    assert results[0][1] == results[1][1], f"{name} {args}: the trees differ:\n{results[0][1]}\n{results[1][1]}"


def setup_tree(d):
    sample_files(d)
    write(os.path.join(d, "dir", "x"), "x\n")
    write(os.path.join(d, "dir", "sub", "y"), "y\n")
    os.chmod(os.path.join(d, "dir", "x"), 0o750)
    os.symlink("x", os.path.join(d, "dir", "link"))
    os.mkdir(os.path.join(d, "emptydir"))


def test_mkdir(ctx):
    for args in (["new"], ["-p", "p/q/r"], ["-p", "dir/sub/z//w/"], ["-p", "dir"], ["dir"],
                 ["a/x"], ["one", "two", "dir", "three"], ["nope/x"], ["-p", "a/x"]):
        twice(ctx, setup_tree, "mkdir", *args)


def test_rm(ctx):
    for args in (["a"], ["a", "b", "nope"], ["-f", "nope", "a"], ["-f"], ["dir"], ["-r", "dir"],
                 ["-rf", "dir", "emptydir", "nope"], ["-r", "."], ["-R", "dir/sub", "n"],
                 ["dir/link"]):
        twice(ctx, setup_tree, "rm", *args)


def test_cp(ctx):
    for args in (["a", "copy"], ["a", "b"], ["a", "b", "dir"], ["dir/x", "newx"], ["dir", "d2"],
                 ["-r", "dir", "d2"], ["-r", "dir", "emptydir"], ["a", "a"], ["a", "b", "n"],
                 ["nope", "x"], ["dir/link", "c"]):
        twice(ctx, setup_tree, "cp", *args)


def test_mv(ctx):
    for args in (["a", "moved"], ["a", "b"], ["a", "b", "dir"], ["dir", "emptydir"], ["dir", "renamed"],
                 ["nope", "x"], ["a", "b", "n"]):
        twice(ctx, setup_tree, "mv", *args)


def test_ln(ctx):
    for args in (["-s", "a", "s"], ["-s", "nowhere", "dangling"], ["a", "hard"], ["a", "b"],
                 ["-s", "a", "b"], ["-sf", "a", "b"], ["-f", "a", "b"], ["nope", "x"],
                 ["-s", "../a", "../b", "dir"], ["dir/x"], ["a", "b", "n"], ["dir", "hd"]):
        twice(ctx, setup_tree, "ln", *args)
    with tempfile.TemporaryDirectory() as d:
        setup_tree(d)
        ours(ctx, d, "ln", "a", "hard")
        assert os.stat(os.path.join(d, "a")).st_ino == os.stat(os.path.join(d, "hard")).st_ino
        assert os.stat(os.path.join(d, "a")).st_nlink == 2


def test_ls(ctx):
    # In a directory of its own: `ls -la` shows "..", whose link count must not change
    # between our run and the host's (other programs make directories in /tmp - the
    # suite's own QEMUs too - so no check lists /tmp itself).
    with tempfile.TemporaryDirectory() as outer:
        d = os.path.join(outer, "t")
        os.mkdir(d)
        ls_checks(ctx, d)


def ls_checks(ctx, d):
    setup_tree(d)
    os.symlink("dir", os.path.join(d, "dirlink"))
    write(os.path.join(d, ".hidden"), "h\n")
    write(os.path.join(d, "with space"), "")
    os.mkfifo(os.path.join(d, "fifo"))
    os.chmod(os.path.join(d, "n"), 0o4755)           # set-user-id shows as 's'
    os.chmod(os.path.join(d, "emptydir"), 0o1777)     # sticky shows as 't'
    os.utime(os.path.join(d, "b"), (0, 1583298360))   # 2020: an old file shows its year
    for args in ([], ["-1"], ["-a"], ["-a1", "dir"], ["dir"], ["a", "dir", "emptydir"],
                 ["a", "nope", "dir"], ["nope"], ["dirlink"], ["-d", "dir", "a"],
                 ["-C", "-a"], ["-C", "/usr/bin"], ["-C", "dir", "/usr/share"]):
        same(ctx, d, "ls", *args, env=dict(ENV, COLUMNS="100"))
    for args in (["-l"], ["-la"], ["-l", "dir"], ["-l", "a", "dirlink", "dir/link"],
                 ["-ld", "dir", "emptydir", "/usr"], ["-l", "/dev/null", "/dev/zero"], ["-l", "nope", "a"]):
        same(ctx, d, "ls", *args, host=["ls", "-n", *args])


def all_signals_default():
    for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):
        signal.signal(s, signal.SIG_DFL)


def test_kill(ctx):
    with tempfile.TemporaryDirectory() as d:
        same(ctx, d, "kill", "-l")                    # procps' two lines of names
        for args in (["-l", "9"], ["-l", "KILL"], ["-l", "sigterm"], ["-l", "137"]):
            out, err, status = ours(ctx, d, "kill", *args)
            assert status == 0, (args, out, err)
            assert out == {"9": "KILL\n", "KILL": "9\n", "sigterm": "15\n", "137": "KILL\n"}[args[1]]
        for args, sig in ((["-9"], -9), (["-KILL"], -9), (["-s", "INT"], -2), ([], -15),
                          (["-SIGUSR1"], -10), (["-s", "1"], -1)):
            # Every signal at its default, even in a suite run in the background (`make test
            # &` ignores SIGINT) or under nohup (SIGHUP): an ignored signal stays ignored
            # across exec.
            p = subprocess.Popen(["sleep", "60"], preexec_fn=all_signals_default)
            try:
                out, err, status = ours(ctx, d, "kill", *args, str(p.pid))
                assert (out, err, status) == ("", "", 0), (args, out, err, status)
                assert p.wait(timeout=10) == sig, (args, p.returncode)
            finally:
                p.kill()
                p.wait()
        out, err, status = ours(ctx, d, "kill", "-9", "99999999")
        assert status == 1 and err == "kill: (99999999): No such process\n", (out, err)
        out, err, status = ours(ctx, d, "kill", "-NOSUCH", "1")
        assert status == 1 and "unknown signal" in err, (out, err)


def test_date(ctx):
    """A given time (-d @N) formatted as coreutils does (both in UTC); and now's, to the
    second (tests/system/test_time.py checks it on Lantern)."""
    fmt = "+%a|%b|%d|%e|%F|%H|%j|%m|%M|%s|%S|%T|%u|%Y|%y|%Z|%%|%n|%t|x"
    with tempfile.TemporaryDirectory() as d:
        for t in ("0", "951782400", "1733420000", "4102444799"):
            same(ctx, d, "date", "-d", "@" + t)
            same(ctx, d, "date", "-u", "-d", "@" + t, fmt)
        out, err, status = same(ctx, d, "date", "-d", "foo")
        assert status == 1 and err
        out, err, status = ours(ctx, d, "date", "+%s")
        assert status == 0 and abs(int(out) - int(theirs(d, "date", "+%s")[0])) <= 1, out


# ---------------------------------------------------------------- bad options

def test_usage_errors(ctx):
    """A bad option: coreutils' two lines on stderr and its exit status."""
    with tempfile.TemporaryDirectory() as d:
        for name in ("ls", "wc", "head", "mkdir", "rm", "cp", "mv", "ln", "uname", "env",
                     "grep", "hexdump", "date"):
            out, err, status = same(ctx, d, name, "-%")
            assert status != 0 and err and not out, (name, out, err)
        # Missing operands, and head's missing or bad number.
        for name, args in (("mkdir", []), ("rm", []), ("cp", []), ("cp", ["a"]), ("mv", []),
                           ("mv", ["a"]), ("ln", []), ("grep", []), ("head", ["-n"]),
                           ("head", ["-n", "x"])):
            out, err, status = same(ctx, d, name, *args)
            assert status != 0 and err, (name, args, out, err)
        # Ours only: a usage message and status 1.
        for name, args in (("kill", []), ("kill", ["-s"]), ("ps", ["-%"]), ("free", ["-%"]),
                           ("uptime", ["-%"]), ("dmesg", ["-%"]), ("mount", ["-%"]),
                           ("mount", ["/mnt"])):
            out, err, status = ours(ctx, d, name, *args)
            assert status == 1 and "sage" in err and out == "", (name, args, out, err, status)


# ---------------------------------------------------------------- /proc and the kernel

def test_ps(ctx):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(ctx.build, "bin", "ps")
        for args in (["-e"], ["-A"], []):
            # Popen: to know our ps's pid, which it must list as "ps".
            p = subprocess.Popen(["ps", *args], executable=path, cwd=d, env=ENV,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            out, err = p.communicate(timeout=30)
            assert p.returncode == 0 and err == "", (out, err)
            lines = out.splitlines()
            # procps: the PID column as wide as kernel.pid_max's digits, at least 5.
            m = re.fullmatch(r" *PID TTY {10}TIME CMD", lines[0])
            assert m, lines[0]
            width = len(lines[0]) - len("TTY          TIME CMD") - 1
            row = re.compile(r" *(\d+) (\S+) +(\d+-)?\d\d:\d\d:\d\d (.+)")
            pids = []
            for line in lines[1:]:
                r = row.fullmatch(line)
                assert r and line[:width].strip() == r.group(1) and line[width] == " ", line
                pids.append(int(r.group(1)))
            assert pids == sorted(pids)
            assert f"{p.pid:>{width}} " in out and re.search(rf"^ *{p.pid} .* ps$", out, re.M), out
            if args:
                assert 1 in pids, out
        # The lines of processes that outlive both runs match procps' exactly.
        a = ours(ctx, d, "ps", "-e")[0].splitlines()
        b = theirs(d, "ps", "-e")[0].splitlines()
        assert a[0] == b[0]
        common = set(a) & set(b)
        assert len(common) >= len(b) // 2, (a, b)


def meminfo():
    return {k: int(v.split()[0]) for k, v in
            (line.split(":", 1) for line in open("/proc/meminfo"))}


def test_free(ctx):
    with tempfile.TemporaryDirectory() as d:
        out, err, status = ours(ctx, d, "free")
        assert status == 0 and err == "", (out, err)
        host = theirs(d, "free")[0].splitlines()
        lines = out.splitlines()
        assert lines[0] == host[0], (lines[0], host[0])
        assert len(lines) == 3 and lines[1].startswith("Mem:") and lines[2].startswith("Swap:")
        mem = [int(x) for x in lines[1].split()[1:]]
        info = meminfo()
        assert mem[0] == info["MemTotal"], (mem, info["MemTotal"])
        total, used, free, shared, cache, avail = mem
        assert used + avail == total and 0 < free <= total and cache > 0 and avail <= total
        swap = [int(x) for x in lines[2].split()[1:]]
        assert swap[0] == info["SwapTotal"] and swap[0] == swap[1] + swap[2]
        # The columns line up with procps': the label in 8 characters, then 12 for each
        # number (the numbers themselves move between the two runs).
        assert re.fullmatch(r"Mem: {4}( {0,11}\d+){6}", lines[1]) and len(lines[1]) == 8 + 6 * 12, lines[1]
        assert len(lines[1]) == len(host[1]) and len(lines[2]) == len(host[2]), (lines, host)


def test_uptime(ctx):
    with tempfile.TemporaryDirectory() as d:
        out, err, status = ours(ctx, d, "uptime")
        assert status == 0 and err == "", (out, err)
        m = re.fullmatch(r" (\d\d):(\d\d):(\d\d) up (?:(\d+) days?, )?(?:([ \d]\d):(\d\d)|(\d+) min),"
                         r"  load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\n", out)
        assert m, repr(out)
        days, hours, mins = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or m.group(7))
        up = float(open("/proc/uptime").read().split()[0])
        assert abs(days * 86400 + hours * 3600 + mins * 60 - up) < 120, (out, up)
        # The load averages are /proc/loadavg's, which the kernel updates every 5 s: compare
        # with a read just before and one just after.
        before = open("/proc/loadavg").read().split()[:3]
        out = ours(ctx, d, "uptime")[0]
        after = open("/proc/loadavg").read().split()[:3]
        printed = out.split("load average: ")[1].strip().split(", ")
        assert printed in (before, after), (out, before, after)


def test_dmesg(ctx):
    with tempfile.TemporaryDirectory() as d:
        out, err, status = ours(ctx, d, "dmesg")
        if status == 0:
            assert err == "" and out.strip(), (out[-500:], err)
            assert not re.search(r"^<\d+>", out, re.M), "the <level> prefixes must go"
            raw = ours(ctx, d, "dmesg", "-r")[0]
            assert re.match(r"<\d+>", raw), raw[:200]
        else:       # not allowed to read the kernel log here (kernel.dmesg_restrict)
            assert status == 1 and err.startswith("dmesg: read kernel buffer failed: "), err


def test_mount(ctx):
    with tempfile.TemporaryDirectory() as d:
        out, err, status = ours(ctx, d, "mount")
        assert status == 0 and err == "", err
        mounts = [l.split() for l in open("/proc/mounts")]
        lines = out.splitlines()
        assert len(lines) >= len(mounts) - 2 and lines, (out, mounts)
        for line in lines:
            assert re.fullmatch(r"\S+ on \S+ type \S+ \(\S+\)", line), line
        assert any(l.endswith(" type proc (" + [m for m in mounts if m[2] == "proc"][0][3] + ")")
                   for l in lines if " type proc " in l)

        # Mounting a tmpfs needs CAP_SYS_ADMIN: as root on the host it works; elsewhere it
        # must fail with a clear message.
        target = os.path.join(d, "mnt")
        os.mkdir(target)
        out, err, status = ours(ctx, d, "mount", "-t", "tmpfs", "-o", "size=1m,nosuid", "tmpfs", target)
        if status == 0:
            try:
                line = [l for l in open("/proc/mounts") if l.split()[1] == target]
                assert line and line[0].split()[2] == "tmpfs" and "nosuid" in line[0], line
                write(os.path.join(target, "f"), "x")
            finally:
                subprocess.run(["umount", target], check=True)
        else:
            assert status == 1 and err.startswith("mount: mounting tmpfs on "), err
        out, err, status = ours(ctx, d, "mount", "-t", "nosuchfs", "x", target)
        assert status == 1 and "failed" in err, err


def test_ps_columns(ctx):
    """ps -o: procps' headers, widths and alignment, and the same values for the processes
    that outlive both runs (psr, the CPU each last ran on, is field 39 of its stat)."""
    with tempfile.TemporaryDirectory() as d:
        fmt = "pid,ppid,psr,tty,time,comm"
        a = ours(ctx, d, "ps", "-e", "-o", fmt)[0].splitlines()
        b = theirs(d, "ps", "-e", "-o", fmt)[0].splitlines()
        assert a[0] == b[0], (a[0], b[0])
        common = set(a) & set(b)          # a process may have moved to another CPU meanwhile
        assert len(common) >= len(b) // 2, (a, b)
        for fmt in ("comm,psr", "psr,tname,ucmd"):   # a name not last is padded to 15
            out, err, status = ours(ctx, d, "ps", "-o", fmt)
            host = theirs(d, "ps", "-o", fmt)[0]
            assert status == 0 and out.splitlines()[0] == host.splitlines()[0], (out, host)
        out, err, status = ours(ctx, d, "ps", "-o", "pid,bogus")
        assert status == 1 and out == "" and "unknown -o column 'bogus'" in err, (out, err)
