"""qemu.py: boot the kernel in QEMU and talk to it like a person at a terminal would.

A Machine starts qemu-system-x86_64 with the serial port on a pipe (what the kernel prints,
what we type) and the QEMU monitor on a Unix socket (for `sendkey`, i.e. the PS/2 keyboard).
Tests wait for text to appear, type, and check how QEMU ended.
"""
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

OVMF_CANDIDATES = ["/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"]


class Timeout(Exception):
    pass


class Machine:
    def __init__(self, build, kernel_args=None, iso=False, uefi=False, machine="pc",
                 memory="256M", extra=None, no_reboot=True, initrd=True, kernel=None,
                 leakcheck=False, smp=None):
        self.build = build
        self.tmp = tempfile.mkdtemp(prefix="lantern-qemu-")
        self.monitor_path = os.path.join(self.tmp, "monitor.sock")
        cmd = ["qemu-system-x86_64", "-machine", machine, "-m", memory, "-display", "none",
               "-serial", "stdio", "-monitor", f"unix:{self.monitor_path},server,nowait"]
        # CPUs: smp=N, else $LANTERN_SMP (`make test SMP=4` runs the whole suite that way).
        smp = smp or int(os.environ.get("LANTERN_SMP", "0") or 0)
        if smp:
            cmd += ["-smp", str(smp)]
        self.cpus = smp or 1             # QEMU's default is one CPU
        if no_reboot:
            cmd.append("-no-reboot")
        if iso:   # True: the ISO `make` built; a string: that ISO
            cmd += ["-cdrom", iso if isinstance(iso, str) else os.path.join(build, "os.iso")]
        else:
            # kernel: another kernel image (Linux's, to check a test against the oracle)
            cmd += ["-kernel", kernel or os.path.join(build, "kernel.elf")]
            if initrd:   # True: the initramfs `make` built; a string: that file
                cmd += ["-initrd", initrd if isinstance(initrd, str) else os.path.join(build, "initramfs.cpio")]
            if kernel_args is not None:
                if leakcheck and kernel is None and "kmon" not in kernel_args.split():
                    kernel_args = "leakcheck " + kernel_args   # see leak_problem
                cmd += ["-append", kernel_args]
        if uefi:
            firmware = next((f for f in OVMF_CANDIDATES if os.path.exists(f)), None)
            if firmware is None:
                raise RuntimeError("no OVMF firmware found (apt-get install ovmf)")
            cmd += ["-bios", firmware]
        cmd += extra or []
        self.cmd = cmd
        self.output = b""
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            with self.lock:
                self.output += chunk

    def text(self):
        with self.lock:
            return self.output.decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for(self, pattern, timeout=30, start=0):
        """Waits until regex `pattern` matches the output (from offset `start`); returns the match."""
        deadline = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.text(), start)
            if m:
                return m
            if time.time() > deadline:
                raise Timeout(f"no /{pattern}/ within {timeout}s")
            if self.proc.poll() is not None:
                time.sleep(0.1)   # let the reader catch the last bytes
                m = rx.search(self.text(), start)
                if m:
                    return m
                raise Timeout(f"QEMU exited ({self.proc.returncode}) before /{pattern}/")
            time.sleep(0.05)

    def type(self, s, delay=0.0, at_once=False):
        """Types on the serial line: a key at a time, or with at_once as one burst (a paste:
        the program may read part of it and exit before a next key could be sent)."""
        if at_once:
            self.proc.stdin.write(s.encode())
            self.proc.stdin.flush()
            return
        for ch in s:
            self.proc.stdin.write(ch.encode())
            self.proc.stdin.flush()
            if delay:
                time.sleep(delay)

    def monitor(self, command):
        """Runs a QEMU monitor command, such as 'sendkey a'."""
        for _ in range(50):
            if os.path.exists(self.monitor_path):
                break
            time.sleep(0.1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.monitor_path)
            s.sendall(command.encode() + b"\n")
            time.sleep(0.2)

    def sendkeys(self, keys):
        for k in keys:
            self.monitor(f"sendkey {k}")

    def wait_exit(self, timeout=30):
        """Waits for QEMU to end by itself; returns its exit status."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Timeout(f"QEMU still running after {timeout}s")
        # QEMU is gone, but the reader may not have drained the pipe yet (a loaded host):
        # text() must see everything it printed. The reader ends at the end of the pipe.
        self.reader.join(10)
        return status

    def running_after(self, seconds):
        try:
            self.proc.wait(seconds)
            return False
        except subprocess.TimeoutExpired:
            return True

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(2)
        try:
            os.unlink(self.monitor_path)
        except OSError:
            pass
        os.rmdir(self.tmp) if os.path.isdir(self.tmp) and not os.listdir(self.tmp) else None

    # The leak-check hook. With `leakcheck` (added above, to the boots of our kernel with
    # an init that tests/run.py makes; kernel/leakcheck.h), the kernel prints at init's exit
    # how many pages are still in use beyond what they were when init started, not counting
    # file data left in the ramfs nor the process table's spare entries (struct procs kept
    # for reuse). More than LEAK_TOLERANCE with no other process left is a leak: kmalloc
    # keeps one empty slab per size class, the zero page is made on first use, init's own
    # entry and kernel stack stay, and slab pages are shared: 9 to 13 pages in test boots.
    LEAK_TOLERANCE = 32
    LEAK_LINE = re.compile(r"kmemleak: (-?\d+) pages not freed since init started .*; "
                           r"(\d+) processes left\)")

    def leak_problem(self):
        """A sentence if this boot leaked pages (tests/run.py fails the test), else None."""
        for m in self.LEAK_LINE.finditer(self.text()):
            pages, procs = int(m.group(1)), int(m.group(2))
            if procs == 1 and pages > self.LEAK_TOLERANCE:
                return f"leak: {m.group(0)}"
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
