#!/bin/sh
# deps.sh: make sure the Debian/Ubuntu packages the build, `make run` and `make test` use
# are installed. As root it installs what is missing; otherwise it prints the one command.
set -eu
PACKAGES="make gcc clang nasm binutils python3 qemu-system-x86 grub-pc-bin grub-efi-amd64-bin
grub-common xorriso mtools ovmf gdb cpio musl-tools libc6-dev golang-go chromium fonts-dejavu-core
busybox-static console-setup-linux"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps: missing packages. Install them with:"
    echo "    sudo apt-get install -y$missing"
    exit 1
fi
