#!/bin/sh
# copy-with-libs.sh: copy host programs into a root-filesystem folder together with the
# shared libraries and the dynamic loader they need (as `ldd` lists them), at the same
# paths, so that `make ROOTFS_EXTRA=DIR` can carry Debian's own dynamically linked
# binaries into Lantern's initramfs.
#
#   tools/copy-with-libs.sh DIR /usr/bin/ls /bin/bash ...     # each to DIR/<its path>
#   tools/copy-with-libs.sh DIR prog=/bin/prog ...            # to a path of your choice
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR PROGRAM[=PATH-IN-DIR]..." >&2; exit 2; }
dest=$1
shift
copy() {                     # copy FILE to DIR/PATH, following symlinks for the contents
    mkdir -p "$dest/$(dirname "$2")"
    cp -L "$1" "$dest/$2"
    chmod u+w "$dest/$2"
}
for arg in "$@"; do
    src=${arg%%=*}
    to=${arg#*=}
    [ "$to" = "$arg" ] && to=$src
    copy "$src" "$to"
    # ldd's lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and the
    # loader's: "/lib64/ld-linux-x86-64.so.2 (0x...)"; statically linked programs have none.
    ldd "$src" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
        [ -e "$dest/$lib" ] || copy "$lib" "$lib"
    done
    # The loader named in the program itself (PT_INTERP), whatever ldd printed.
    interp=$(readelf -l "$src" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    if [ -n "$interp" ] && [ ! -e "$dest/$interp" ]; then
        copy "$interp" "$interp"
    fi
done
