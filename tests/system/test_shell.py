"""/bin/sh (user/sh*.c): first on the host, as an ordinary Linux program, then on Lantern.

The host tests run build/bin/sh with scripted input and compare with what dash (Debian's
/bin/sh) does; where dash is installed, test_host_same_as_dash runs the same scripts in both.
The Lantern tests boot with rdinit=/bin/sh and type at it over the serial console.
"""
import concurrent.futures
import os
import pty
import re
import select
import signal
import shutil
import subprocess
import tempfile
import time


def sh_path(ctx):
    return os.path.join(ctx.build, "bin", "sh")


def host_env(ctx):
    # Our own echo, cat, true, false and sleep first, as on Lantern; the host's after.
    return {"PATH": f"{os.path.join(ctx.build, 'bin')}:/usr/bin:/bin", "HOME": "/tmp"}


def run(ctx, script, stdin=None, args=None, cwd=None, sh=None):
    argv = [sh or sh_path(ctx)] + (args if args is not None else ["-c", script])
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30,
                          env=host_env(ctx), cwd=cwd)


def out(ctx, script):
    r = run(ctx, script)
    assert r.stderr == "", r.stderr
    return r.stdout


# ---------------------------------------------------------------- on the host

def test_host_quoting_and_variables(ctx):
    assert out(ctx, "echo 'a  $X' \"b  $HOME\" c\\ d \\$e") == "a  $X b  /tmp c d $e\n"
    assert out(ctx, 'X=1; echo $X ${X}y "$X" ${NO:-def} x${NO}y') == "1 1y 1 def xy\n"
    assert out(ctx, "X='a  b'; echo $X; echo \"$X\"") == "a b\na  b\n"
    assert out(ctx, "E=; echo [$E] '' \"\" | cat") == "[]  \n"
    assert out(ctx, 'echo "a\\$b\\\\c\\d" ~ ~/x') == "a$b\\c\\d /tmp /tmp/x\n"
    assert out(ctx, "echo $(echo a; echo b) \"$(echo 'x  y')\"") == "a b x  y\n"
    assert out(ctx, "echo a # not this\necho b \\\nc") == "a\nb c\n"


def test_host_status_and_and_or(ctx):
    assert out(ctx, "false; echo $?; true; echo $?") == "1\n0\n"
    assert out(ctx, "false || echo yes; true && echo ok; false && echo no; true || echo no") \
        == "yes\nok\n"
    assert out(ctx, "true | false; echo $?; false | true; echo $?") == "1\n0\n"
    assert out(ctx, "X=$(false); echo $?") == "1\n"
    assert run(ctx, "exit 3; echo no").returncode == 3
    assert run(ctx, "false").returncode == 1
    r = run(ctx, "sh -c 'kill -15 $$'; echo $?")
    assert (r.stdout, r.stderr) == ("143\n", ""), r


def test_host_pipelines_and_redirections(ctx):
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "f")
        assert out(ctx, f"echo abc > {f}; cat {f}; echo x >> {f}; cat < {f} | cat | cat") \
            == "abc\nabc\nx\n"
        assert out(ctx, "echo x" + " | cat" * 20) == "x\n"
        # 2>&1 then >f: the error goes where stdout was (the pipe), stdout to f
        r = run(ctx, f"cat /nonexistent 2>&1 >{f} | cat; cat {f}")
        assert r.stdout == "cat: /nonexistent: No such file or directory\n", r
        assert out(ctx, f"exec 3>{f}; echo to3 >&3; echo e 2>/dev/null 1>&2; cat {f}") \
            == "to3\n"
        assert out(ctx, f"pwd > {f}; cd {d}; pwd; cd; pwd; cat {f}") == f"{d}\n/tmp\n{os.getcwd()}\n"


def test_host_errors_like_dash(ctx):
    r = run(ctx, "nosuch; echo $?")
    assert (r.stdout, r.stderr) == ("127\n", "sh: 1: nosuch: not found\n".replace(
        "sh", sh_path(ctx), 1)), r
    r = run(ctx, "x", args=["-c", "echo; /tmp; echo $?; cd /nonexistent", "sh"])
    assert r.stdout == "\n126\n", r
    assert r.stderr == "sh: 1: /tmp: Permission denied\nsh: 1: cd: can't cd to /nonexistent\n", r
    r = run(ctx, "", args=["-c", "echo a\necho | | b\necho no", "sh"])
    assert (r.returncode, r.stdout, r.stderr) == (2, "a\n", 'sh: 2: Syntax error: "|" unexpected\n')
    r = run(ctx, "", args=["-c", "echo 'open", "sh"])
    assert (r.returncode, r.stderr) == (2, "sh: 1: Syntax error: Unterminated quoted string\n")
    r = run(ctx, "", args=["-c", "cat < /nonexistent; echo $?", "sh"])
    assert r.stdout == "2\n" and r.stderr.startswith("sh: 1: cannot open /nonexistent: "), r


def test_host_background_and_wait(ctx):
    t = time.time()
    r = run(ctx, "sleep 0.5 & echo started; wait; echo waited $?")
    assert r.stdout == "started\nwaited 0\n" and time.time() - t >= 0.5, r
    r = run(ctx, "sh -c 'exit 4' & wait $!; echo $?")
    assert r.stdout == "4\n", r


def test_host_scripts(ctx):
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "s")
        with open(script, "w") as f:     # no #! line: execve fails, the shell runs it
            f.write("echo $0 $1 $# \"$@\"\nnosuch\nexit 5\n")
        os.chmod(script, 0o755)
        r = run(ctx, "", args=[script, "a", "b c"])
        assert (r.returncode, r.stdout) == (5, f"{script} a 2 a b c\n"), r
        assert r.stderr == f"{script}: 2: nosuch: not found\n", r
        r = run(ctx, f"{script} x; echo status $?")
        assert r.stdout == f"{script} x 1 x\nstatus 5\n", r
        r = run(ctx, "", stdin="echo from stdin\nexit 6\n", args=[])
        assert (r.returncode, r.stdout) == (6, "from stdin\n"), r


def test_host_interactive_prompts_and_jobs(ctx):
    prompt = "# " if os.geteuid() == 0 else "$ "
    r = run(ctx, "", args=["-i"], stdin="echo hi\nsleep 0.2 &\nsleep 0.5\n\nfalse\n")
    assert r.stdout == "hi\n", r
    # The job ends during `sleep 0.5`; it is reported before the prompt after that, as
    # bash reports it.
    m = re.fullmatch(re.escape(prompt * 2) + r"\[1\] \d+\n" + re.escape(prompt) +
                     re.escape("[1]+  Done                    sleep 0.2\n") +
                     re.escape(prompt * 3), r.stderr)
    assert m, r.stderr
    assert r.returncode == 1


def pty_session(path, env, steps):
    """Runs path on a pseudo-terminal; steps are (text to type, seconds to wait after)."""
    pid, fd = pty.fork()
    if pid == 0:
        default_signals()
        os.execve(path, [path], env)
    got = b""

    def drain(seconds):
        nonlocal got
        end = time.time() + seconds
        while time.time() < end:
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    got += os.read(fd, 4096)
                except OSError:
                    return
    drain(0.5)
    for text, seconds in steps:
        os.write(fd, text.encode())
        drain(seconds)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return got.decode(errors="replace").replace("\r\n", "\n"), status


def test_host_ctrl_c_on_a_terminal(ctx):
    text, status = pty_session(sh_path(ctx), host_env(ctx), [
        ("sleep 10\n", 0.5), ("\x03", 0.5), ("echo st=$?\n", 0.5),
        ("echo half", 0.2), ("\x03", 0.3), ("exit 3\n", 0.5)])
    assert "^C\n" in text and "st=130\n" in text, text
    assert "half\n" not in text, text
    assert os.WEXITSTATUS(status) == 3, text


def default_signals():
    """In a child about to exec a shell on a terminal: SIGINT and SIGQUIT as a login gives
    them. A suite started in the background (`make test &`) has them ignored, and a shell
    passes what it inherited on to its commands (bash does: ^C then kills nothing)."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


def settle(fd, prompt, quiet=0.3, limit=10.0):
    """Reads from fd until it has been quiet for `quiet` seconds, after the prompt if one is
    due (or until `limit` passed)."""
    got, end, last = b"", time.time() + limit, time.time()
    while time.time() < end and (time.time() - last < quiet or
                                 (prompt and not got.endswith(b"$ "))):
        if select.select([fd], [], [], 0.05)[0]:
            try:
                got += os.read(fd, 4096)
            except OSError:
                break
            last = time.time()
    return got.decode(errors="replace").replace("\r\n", "\n")


# Job control on a terminal: typed keys, and what the terminal shows after each (PIDs as
# PID). Byte for byte what bash 5.2 shows, whose job reports our shell copies.
JOBS_SESSION = [
    ("sleep 100\n", "sleep 100\n"),
    ("\x1a", "^Z\n[1]+  Stopped                 sleep 100\n$ "),
    ("echo $?\n", "echo $?\n148\n$ "),
    ("jobs\n", "jobs\n[1]+  Stopped                 sleep 100\n$ "),
    ("sleep 200 &\n", "sleep 200 &\n[2] PID\n$ "),
    ("jobs\n", "jobs\n[1]+  Stopped                 sleep 100\n"
                "[2]-  Running                 sleep 200 &\n$ "),
    ("bg %1\n", "bg %1\n[1]+ sleep 100 &\n$ "),
    ("jobs\n", "jobs\n[1]-  Running                 sleep 100 &\n"
                "[2]+  Running                 sleep 200 &\n$ "),
    ("fg\n", "fg\nsleep 200\n"),
    ("\x03", "^C\n$ "),
    ("echo $?\n", "echo $?\n130\n$ "),
    ("kill %1; sleep 0.2\n", "kill %1; sleep 0.2\n[1]+  Terminated              sleep 100\n$ "),
    ("sleep 50 | sleep 60\n", "sleep 50 | sleep 60\n"),
    ("\x1a", "^Z\n[1]+  Stopped                 sleep 50 | sleep 60\n$ "),
    ("sh -c 'sleep 0.1; exit 3' &\n", "sh -c 'sleep 0.1; exit 3' &\n[2] PID\n$ "),
    ("sleep 0.3\n", "sleep 0.3\n[2]-  Exit 3                  sh -c 'sleep 0.1; exit 3'\n$ "),
    ("sleep 0.1 &\n", "sleep 0.1 &\n[2] PID\n$ "),
    ("sleep 0.3\n", "sleep 0.3\n[2]-  Done                    sleep 0.1\n$ "),
    ("bg\n", "bg\n[1]+ sleep 50 | sleep 60 &\n$ "),
    ("kill -9 %%; sleep 0.2\n", "kill -9 %%; sleep 0.2\n"
                                 "[1]+  Killed                  sleep 50 | sleep 60\n$ "),
    ("jobs\n", "jobs\n$ "),
    ("sleep 7\n", "sleep 7\n"),
    ("\x1a", "^Z\n[1]+  Stopped                 sleep 7\n$ "),
    ("exit\n", "exit\nThere are stopped jobs.\n$ "),
    ("echo $?\n", "echo $?\n1\n$ "),
    ("kill -9 %1; sleep 0.2\n", "kill -9 %1; sleep 0.2\n[1]+  Killed                  sleep 7\n$ "),
]


def jobs_session(argv, env):
    """Types JOBS_SESSION at argv on a pseudo-terminal: what it showed after each step."""
    pid, fd = pty.fork()
    if pid == 0:
        default_signals()
        os.execve(argv[0], argv, env)
    shown = [settle(fd, True)]
    for keys, expect in JOBS_SESSION:
        os.write(fd, keys.encode())
        got = settle(fd, expect.endswith("$ "))
        shown.append(re.sub(r"^\[(\d+)\] \d+$", r"[\1] PID", got, flags=re.M))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return shown


def test_host_job_control_on_a_terminal(ctx):
    env = dict(host_env(ctx), PS1="$ ")
    bash = shutil.which("bash")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:    # bash is the oracle, if there
        theirs = bash and pool.submit(jobs_session, [bash, "--norc", "--noprofile", "-i"], env)
        shown = jobs_session([sh_path(ctx)], env)
        theirs = theirs and theirs.result()
    assert shown[0] == "$ ", shown[0]
    for (keys, expect), got in zip(JOBS_SESSION, shown[1:]):
        assert got == expect, (keys, got, shown)
    if theirs:                  # bash also says "exit" when asked to: we don't
        theirs = [t.replace("exit\nexit\n", "exit\n") for t in theirs]
        assert theirs[1:] == shown[1:], theirs


# Jobs in scripts (no job control): the same output and status as bash.
JOBS_SAME_AS_BASH = [
    "sleep 1 & jobs; kill %1",
    "sleep 1 | sleep 1 & jobs; kill %%",
    "sleep 1 && echo x & jobs; kill %1",
    "sleep 10 & kill %1; wait %1; echo $?",
    "sh -c 'exit 3' & sleep 10 & wait %1; echo $?; jobs; kill %2; wait %2; echo $?",
    "sleep 10 | sleep 10 & kill %%; wait; jobs; echo done $?",
    "true & sleep 0.2; jobs; wait $!; echo $?",
    "sleep 1 | sleep 2 & jobs -p; echo $!; kill %1",
    "sleep 5 & kill -STOP %1; kill -9 %1; wait; echo $?",
    "sleep 10 & kill -s TERM %sle; wait $!; s=$?; echo $s; kill -l $s",
    "kill -l 9; kill -l KILL; kill -l 130",
    "sh -c 'kill -USR1 $$' & wait; echo $?",
    "sleep 10 & echo \"$(jobs)\"; kill $(jobs -p); wait %1; echo $?",
]


def test_host_jobs_in_scripts(ctx):
    for script in JOBS_SAME_AS_BASH:
        ours = run(ctx, script)
        assert ours.stderr == "", (script, ours.stderr)
        if script.startswith("sleep 1 | sleep 2"):      # $! is the last process, -p the first
            first, last = ours.stdout.split()
            assert int(last) > int(first), ours.stdout
        if shutil.which("bash") is not None:
            theirs = run(ctx, script, sh=shutil.which("bash"))
            ours.stdout = re.sub(r"\d{3,}", "PID", ours.stdout)
            theirs.stdout = re.sub(r"\d{3,}", "PID", theirs.stdout)
            assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), script


def test_host_job_errors(ctx):
    sh = sh_path(ctx)
    r = run(ctx, "fg; echo $?; bg; echo $?")         # a script has no job control
    assert r.stdout == "1\n1\n", r
    assert r.stderr == f"{sh}: 1: fg: no job control\n{sh}: 1: bg: no job control\n", r
    r = run(ctx, "wait %3; echo $?; kill %3; echo $?; jobs %3; echo $?")
    assert r.stdout == "127\n2\n2\n", r
    assert r.stderr == "".join(f"{sh}: 1: {b}: No such job: %3\n" for b in ("wait", "kill", "jobs"))
    r = run(ctx, "kill; echo $?; kill -NOSUCH 1; echo $?; kill abc; echo $?; kill 999999; echo $?")
    assert r.stdout == "2\n2\n2\n1\n", r
    assert r.stderr.splitlines()[2:] == [f"{sh}: 1: kill: invalid signal: NOSUCH",
                                         f"{sh}: 1: kill: Illegal number: abc",
                                         f"{sh}: 1: kill: No such process"], r
    r = run(ctx, "sleep 1 & sleep 1 & kill %sleep; echo $?; kill %1 %2")
    assert (r.stdout, r.stderr) == ("2\n", f"{sh}: 1: kill: %sleep: ambiguous\n"), r
    r = run(ctx, "sleep 1 & sleep 1 & jobs %3 %1 %sl x 2; echo $?; kill %1 %2")
    assert r.stdout == "[1]-  Running                 sleep 1 &\n" \
                       "[2]+  Running                 sleep 1 &\n2\n", r
    assert r.stderr == f"{sh}: 1: jobs: No such job: %3\n{sh}: 1: jobs: %sl: ambiguous\n" \
                       f"{sh}: 1: jobs: No such job: x\n", r


SAME_AS_DASH = [
    "echo 'a  b' \"c  $HOME\" d\\ e",
    "X=1; echo $X ${X}y \"$X\"; X=2 true; echo $X",
    "false || echo yes; true && echo ok; false && echo no; true || echo no2",
    "printf 'a\\nb\\nc\\n' | sort -r | head -2",
    "ls /nonexistent 2>&1 >/dev/null | wc -l",
    "nosuchcmd; echo $?; /tmp; echo $?; /etc/passwd; echo $?",
    "cd /tmp; pwd; cd /nonexistent; echo $?",
    "X='a b  c'; echo $X; echo \"$X\"; E=; echo a $E b",
    "sleep 0.2 & wait; echo waited $?",
    "sh -c 'exit 3'; echo $?",
    "echo a; # comment\necho b",
    "X=5 sh -c 'echo $X'; echo \"[$X]\"; export Y=7; sh -c 'echo $Y'",
    "exec 3>/tmp/lantern-sh-test; echo to3 >&3; cat /tmp/lantern-sh-test",
    "exec echo replaced; echo not",
    "exit abc; echo $?",
    "echo ok &&",
    "echo \"$(echo a; echo b)\" $(echo c  d)",
    "echo | | x",
]


def test_host_same_as_dash(ctx):
    dash = shutil.which("dash")
    if dash is None:
        return     # nothing to compare with
    for script in SAME_AS_DASH:
        ours = run(ctx, "", args=["-c", script, "sh"])
        theirs = run(ctx, "", args=["-c", script, "sh"], sh=dash)
        assert (ours.returncode, ours.stdout, ours.stderr) == \
            (theirs.returncode, theirs.stdout, theirs.stderr), script


# ---------------------------------------------------------------- on Lantern

PROMPT = "# "


def boot_shell(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/sh panic=-1")
    m.wait_for(r"^" + re.escape(PROMPT) + r"$", timeout=60)
    return m


def type_line(m, line, output, timeout=20):
    """Types line and waits for its echo, then exactly output, then the next prompt."""
    start = len(m.text())
    m.type(line + "\n")
    m.wait_for(re.escape(line + "\n" + output + PROMPT), timeout=timeout, start=start)


def test_lantern_commands(ctx):
    m = boot_shell(ctx)     # messages count the lines typed: nosuch is on the 6th
    type_line(m, "echo hello | cat", "hello\n")
    type_line(m, "echo 'a  b' \"$HOME\" $NOPE x", "a  b / x\n")
    type_line(m, "echo abc > /tmp/f; cat /tmp/f", "abc\n")
    type_line(m, "echo x >> /tmp/f; cat < /tmp/f | cat | cat", "abc\nx\n")
    type_line(m, "false || echo yes; true && echo ok; false && echo no", "yes\nok\n")
    type_line(m, "false; echo $?; nosuch; echo $?", "1\n/bin/sh: 6: nosuch: not found\n127\n")
    type_line(m, "cd /etc; pwd; cd; pwd", "/etc\n/\n")
    type_line(m, "X=1; export Y=2; echo $X$Y $(echo sub)", "12 sub\n")
    type_line(m, "cat /nonexistent 2>&1 | cat", "cat: /nonexistent: No such file or directory\n")
    type_line(m, "echo 'echo script $1; exit 4' > /tmp/s; sh /tmp/s arg; echo $?",
              "script arg\n4\n")


def test_lantern_background_job(ctx):
    m = boot_shell(ctx)
    start = len(m.text())
    m.type("sleep 0.3 &\n")
    m.wait_for(r"^\[1\] \d+\n" + re.escape(PROMPT), start=start)
    time.sleep(1)
    start = len(m.text())
    m.type("\n")
    m.wait_for(re.escape("[1]+  Done                    sleep 0.3\n" + PROMPT), start=start)
    start = len(m.text())
    m.type("sleep 0.2 & wait; echo waited\n")     # wait reports the job it waited for
    m.wait_for(r"\[1\] \d+\n" + re.escape("[1]+  Done                    sleep 0.2\n"
                                           "waited\n" + PROMPT), start=start)


def test_lantern_ctrl_c_interrupts_the_job_not_the_shell(ctx):
    m = boot_shell(ctx)
    start = len(m.text())
    m.type("sleep 10\n")
    time.sleep(1.5)
    m.type("\x03")
    m.wait_for(r"\^C\n\n?" + re.escape(PROMPT), start=start, timeout=5)
    type_line(m, "echo $?", "130\n")
    start = len(m.text())
    m.type("echo half")
    time.sleep(0.5)
    m.type("\x03")          # at the prompt: the line is dropped, the shell stays
    m.wait_for(r"\^C\n\n?" + re.escape(PROMPT), start=start, timeout=5)
    type_line(m, "echo alive", "alive\n")


def test_lantern_exit_ends_init(ctx):
    m = boot_shell(ctx)
    m.type("exit 3\n")
    m.wait_exit(30)
    assert "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300" in m.text()
