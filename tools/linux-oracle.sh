#!/bin/sh
# linux-oracle.sh: fetch Debian's Linux kernel image, unpacked into build/linux/ and never
# installed, so that the same initramfs can boot on real Linux in the same QEMU. That is
# how the outputs in tests/system/oracle/ were recorded, and how `make bench LINUX=...`
# will compare speed. Prints the path of the vmlinuz.
#
# Usage: tools/linux-oracle.sh [BUILD_DIR]
set -eu
build=${1:-build}
dest="$build/linux"
mkdir -p "$dest"
vmlinuz=$(ls "$dest"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
if [ -z "$vmlinuz" ]; then
    pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
    [ -n "$pkg" ] || { echo "linux-oracle: no linux-image package known (apt-get update?)" >&2; exit 1; }
    (cd "$dest" && apt-get download "$pkg" >/dev/null 2>&1)
    dpkg-deb -x "$dest"/"$pkg"_*.deb "$dest"
    rm -f "$dest"/*.deb
    vmlinuz=$(ls "$dest"/boot/vmlinuz-* | head -n 1)
fi
echo "$vmlinuz"
