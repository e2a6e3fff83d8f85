#!/bin/sh
# checks.sh: PID 1 for the busybox suite (tests/system/test_busybox.py). Booted with
#   rdinit=/bin/sh -- /etc/checks.sh
# on Lantern and, to record the expected output, on Debian's Linux. It mounts what a
# system has, runs the checks (checks-suite.sh) in a child shell, so that they are not
# PID 1 (which ignores signals it has no handler for), and powers off.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /tmp/w
cd /tmp/w
echo "checks: start"
/bin/sh /etc/checks-suite.sh
echo "checks: done (status $?)"
# What the kernel said it lacks (Lantern logs "unimplemented syscall N" once per process;
# Linux, nothing): program and number, for the report test_busybox.py prints.
dmesg | sed -n 's/.*(\(.*\)): unimplemented syscall \([0-9]*\)$/missing: \1 \2/p' | sort -u
poweroff -f
