#!/bin/sh
# deps.sh: make sure the Debian/Ubuntu packages Lantern needs are installed. As root it
# installs what is missing; otherwise it prints the one command.
#
#   tools/deps.sh          what building and booting need (`make run`, `make deps`)
#   tools/deps.sh test     that, and what only the tests need (`make test`, .ci/run):
#                          clang (the second compiler) and libclang-rt-dev (its libFuzzer and
#                          sanitizer runtimes, for the host fuzzers), OVMF (UEFI boots), gdb
#                          (the debug test), chromium and a font (the trace page, headless),
#                          rustc (test_parallel3.py's Rust program)
set -eu
RUN_PACKAGES="make gcc g++ nasm binutils python3 qemu-system-x86 grub-pc-bin grub-efi-amd64-bin
grub-common xorriso mtools cpio musl-tools libc6-dev golang-go busybox-static console-setup-linux"
TEST_PACKAGES="clang libclang-rt-dev ovmf gdb chromium fonts-dejavu-core rustc"
case "${1:-run}" in
    run)  PACKAGES=$RUN_PACKAGES ;;
    test) PACKAGES="$RUN_PACKAGES $TEST_PACKAGES" ;;
    *)    echo "usage: tools/deps.sh [run|test]" >&2; exit 2 ;;
esac
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
