#!/bin/sh
# busybox-oracle.sh: record tests/system/oracle/busybox.txt, the output of the busybox
# checks (tests/busybox/) on Debian's Linux (tools/linux-oracle.sh), booted in the same
# QEMU with the same initramfs (build/initramfs-busybox.cpio) that test_busybox.py boots
# Lantern with. Only the checks' tagged lines are kept.
#
# Usage: tools/busybox-oracle.sh [BUILD_DIR]      (after `make`)
set -eu
build=${1:-build}
vmlinuz=$(tools/linux-oracle.sh "$build")
cmdline="console=ttyS0 panic=-1 quiet rdinit=/bin/sh -- /etc/checks.sh"
out=tests/system/oracle/busybox.txt
log="$build/busybox-oracle.log"
timeout 300 qemu-system-x86_64 -m 256M -no-reboot -display none -serial stdio \
    -kernel "$vmlinuz" -initrd "$build/initramfs-busybox.cpio" -append "$cmdline" \
    </dev/null | tr -d '\r' > "$log"
grep -q '^checks: done' "$log" || { echo "busybox-oracle: no 'checks: done' in $log" >&2; exit 1; }
release=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
{
    echo "# Recorded on Debian's Linux $release (linux-image package, unpacked with tools/linux-oracle.sh),"
    echo "# by tools/busybox-oracle.sh: build/initramfs-busybox.cpio booted in the same QEMU with"
    echo "#   $cmdline"
    echo "# The tagged lines of tests/busybox/checks-suite.sh; $(/bin/busybox | sed -n "1s/ multi-call binary.//p")."
    grep -E '^\[[a-z0-9_]+\] ' "$log"
} > "$out"
echo "$out: $(grep -c '\] rc=' "$out") checks"
