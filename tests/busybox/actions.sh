#!/bin/sh
# actions.sh: PID 1 first, to put inittab-actions in place; then busybox init, still PID 1.
cp /etc/inittab-actions /etc/inittab
exec /sbin/init
