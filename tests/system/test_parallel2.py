"""Parallel programs, second round (after test_parallel.py, whose helpers these reuse): Linux
is the oracle, at the suite's CPU count and at -smp 4.

- parallel2_glibc, parallel2_musl (tests/user/parallel2.c, one source, two C libraries):
  epoll with two consumer threads (EPOLLONESHOT) fed by pipe and eventfd writers, poll and
  select across threads, O_APPEND writers in threads and processes on one file (write and
  writev: no record lost or torn), threads writing files of their own then one reader
  (and pread from four threads on one descriptor), a sigwait thread taking signals that
  other processes send (sigqueue values, si_pid, si_code), threads pinned with
  sched_setaffinity checking sched_getcpu, sched_yield storms and strict turn-taking,
  MAP_SHARED anonymous memory between processes (atomics, a process-shared mutex and
  semaphore), a MAP_SHARED file written by four processes then read with read(), a
  process-shared robust mutex whose holder is killed, many sleepers at once, posix_spawn
  from four threads, exit while threads sleep in nine different calls or spin, timed
  condvar waits, an
  EFD_SEMAPHORE eventfd, CPU counts asked five ways, a merge sort of threads making
  threads, malloc from four threads, SIGSEGV in every thread at once (si_code, si_addr),
  setuid/setgid in a threaded process (threads sleeping or spinning), /proc/self/task
  names, POSIX timers
  (SIGEV_SIGNAL one-shot and periodic, SIGEV_THREAD), PTHREAD_PRIO_INHERIT mutexes
  (four threads contending, trylock, timedlock, a robust one whose owner thread ends,
  a condvar with one), real-time signals queued by sigqueue from three processes
  (every instance taken, lower numbers first, each in order), and job control of threaded
  processes: stop and continue 15 times with every thread frozen while the stop is
  reported (stopcont), a spinning thread stopped (stopspin), ten calls asleep across a
  stop (which restart, which fail with EINTR: stopsleep), a vfork wait delaying the report
  and a SIGCONT before it (stopvfork);
- gopar2 (tests/user/gopar2/, Go, GOMAXPROCS=4): os/signal with signals from itself and
  from children, tickers with select and context cancellation, a tight loop preempted at
  GOMAXPROCS=1 (SIGURG), sync.Pool/Once/atomic, 16 goroutines doing file I/O at once,
  three os/exec pipelines of four children each (StdoutPipe), File.Sync, a GC-heavy run;
- gounix (tests/user/gounix/, Go, GOMAXPROCS=4): AF_UNIX sockets with names as Go's net
  package uses them - net.Listen/Dial with goroutine clients, HTTP over a unix socket,
  ListenUnixgram/DialUnix answered at ReadFromUnix's address, WriteMsgUnix/ReadMsgUnix
  passing descriptors (syscall.UnixRights);
- busybox (tests/busybox/parallel2.sh in the busybox initramfs): find | xargs -P4 -n8
  md5sum over a tree, background writers then sort | uniq -c, seq | split with every
  piece summed by its own job, and job control in a script (jobs, wait %N, kill %N).
Every case of parallel2.c runs here: none is marked `finding` any more."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_parallel import _check_busybox_script, _check_c, _check_go  # noqa: E402


def test_parallel2_glibc(ctx):
    _check_c(ctx, "parallel2_glibc")


def test_parallel2_musl(ctx):
    _check_c(ctx, "parallel2_musl")


def test_gopar2(ctx):
    _check_go(ctx, "gopar2", {"GOMAXPROCS": "4", "PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"})


def test_gounix(ctx):
    _check_go(ctx, "gounix", {"GOMAXPROCS": "4", "PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"})


BUSYBOX_LINE = re.compile(r"^(parallel2|find \| xargs -P4 md5sum|writers|split|jobs): ")


def test_busybox_parallel2(ctx):
    _check_busybox_script(ctx, "parallel2.sh", BUSYBOX_LINE, "parallel2: done")
