"""File metadata on Lantern itself: a 64 MiB file and a full file system (tests/user/bigfile.c,
booted as init in 256 MiB), and the host's unmodified static busybox running its file applets
(touch, chmod, chown, stat, ls -l, truncate, mknod, df, hostname, mount/umount) from a script,
its output checked line by line against what Linux prints for the same commands."""
import os
import shutil
import subprocess
import tempfile


def lantern_lines(m, prefix):
    m.wait_exit(120)
    log = m.text()
    return [l[l.index(prefix):] for l in log.splitlines() if prefix in l], log


def test_64_mib_file_and_a_full_file_system(ctx):
    m = ctx.machine(kernel_args="rdinit=/bin/bigfile panic=-1", memory="256M")
    lines, log = lantern_lines(m, "bigfile: ")
    assert "bigfile: done" in lines, log[-2000:]
    results = [l for l in lines if l != "bigfile: done"]
    assert len(results) == 13, results
    bad = [l for l in results if not l.endswith(": yes")]
    assert not bad, "\n".join(bad)


BUSYBOX_SCRIPT = """\
B=/bin/busybox
echo bb: start
$B mount -t proc proc /proc
$B mount -t tmpfs tmpfs /tmp
cd /tmp
echo hello > f
$B touch -d "2001-02-03 04:05:06" f
$B chmod 640 f
$B chown 12:34 f
$B ls -ln f | $B sed 's/^/bb: /'
$B stat -c "bb: %a %u %g %s %Y %F" f
$B truncate -s 10000 f
$B stat -c "bb: %s %b %B" f
$B truncate -s 3 f
echo "bb: $($B cat f)"
$B mknod n c 1 3
$B stat -c "bb: %F %t:%T %a" n
echo into-null > n
$B cat n
$B chmod u+s,g+w f
$B stat -c "bb: %A" f
$B test -x f || echo "bb: not executable"
$B chmod +x f
$B test -x f && echo "bb: executable"
$B touch -r /proc f 2>/dev/null || echo "bb: touch -r /proc fails"
$B stat -f -c "bb: %T" /tmp
$B stat -f -c "bb: %T" /proc
$B rmdir /proc 2>&1 | $B sed 's/^/bb: /'
$B mv /proc /x 2>&1 | $B sed 's/^/bb: /'
$B hostname lantern-bb
$B hostname | $B sed 's/^/bb: /'
$B uname -n | $B sed 's/^/bb: /'
rm f n
cd /
$B umount /tmp
$B umount /tmp 2>&1 | $B sed 's/^/bb: /'
$B umount /proc
$B ls /proc | $B wc -l | $B sed 's/^ */bb: /'
echo bb: end
"""

EXPECTED = """\
bb: start
bb: -rw-r-----    1 12       34               6 Feb  3  2001 f
bb: 640 12 34 6 981173106 regular file
bb: 10000 8 512
bb: hel
bb: character special file 1:3 644
bb: -rwSrw----
bb: not executable
bb: executable
bb: tmpfs
bb: proc
bb: rmdir: '/proc': Device or resource busy
bb: mv: can't rename '/proc': Device or resource busy
bb: lantern-bb
bb: lantern-bb
bb: umount: can't unmount /tmp: Invalid argument
bb: 0
bb: end
"""


def test_busybox_file_applets(ctx):
    busybox = shutil.which("busybox")
    assert busybox, "the host's static busybox is needed (apt-get install busybox-static)"
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "bin"))
        os.makedirs(os.path.join(root, "etc"))
        shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
        with open(os.path.join(root, "etc", "meta.sh"), "w") as f:
            f.write(BUSYBOX_SCRIPT)
        names = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=root,
                               capture_output=True, check=True).stdout
        extra = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"], cwd=root,
                               input=names, capture_output=True, check=True).stdout
        initrd = os.path.join(tmp, "initrd.cpio")
        with open(os.path.join(ctx.build, "initramfs.cpio"), "rb") as f, open(initrd, "wb") as out:
            out.write(f.read() + extra)       # two archives, one after the other, as Linux takes
        m = ctx.machine(kernel_args="rdinit=/bin/busybox panic=-1 -- sh /etc/meta.sh", initrd=initrd)
        m.wait_exit(120)
        log = m.text()
    got = [l for l in log.splitlines() if l.startswith("bb: ")]
    assert got == EXPECTED.splitlines(), "\n".join(["got:"] + got + ["", log[-3000:]])
