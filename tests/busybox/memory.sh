#!/bin/sh
# memory.sh: files against memory, booted as init by test_busybox.py with
#   rdinit=/bin/sh -- /etc/memory.sh big|fill
# big (in 256 MiB): a 64 MiB file of random bytes written and read back, the same md5sum.
# fill (in 32 MiB): writing until the tmpfs is full ends in ENOSPC (or ENOMEM), the system
# goes on, and unlinking the file gives every page back. Result lines start with "memory:".
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
free_kib() { awk '/^MemFree:/ {print $2}' /proc/meminfo; }
case "$1" in
big)
    sum=$(dd if=/dev/urandom bs=1M count=64 2>/dev/null | tee /tmp/big | md5sum)
    echo "memory: size $(stat -c %s /tmp/big)"
    [ "$(md5sum < /tmp/big)" = "$sum" ] && echo "memory: read back, same md5sum"
    rm /tmp/big
    ;;
fill)
    before=$(free_kib)
    err=$(dd if=/dev/zero of=/tmp/fill bs=64k 2>&1)
    echo "memory: dd status $?"
    case "$err" in
    *"No space left on device"*|*"Cannot allocate memory"*) echo "memory: full: ENOSPC or ENOMEM";;
    *) echo "memory: dd said: $err";;
    esac
    [ "$(stat -c %s /tmp/fill)" -gt $((8 << 20)) ] && echo "memory: wrote more than 8 MiB"
    sh -c 'echo "memory: a new process runs"'
    rm /tmp/fill
    after=$(free_kib)
    # Every page of the file back: all but a little (page tables, the kernel's caches).
    [ "$after" -ge $((before - 512)) ] && echo "memory: pages back after unlink" ||
        echo "memory: free before $before KiB, after $after KiB"
    ;;
esac
echo "memory: done"
poweroff -f
