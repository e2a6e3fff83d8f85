// sys/mount.h: attaching a file system to a directory. Flag values are Linux's.
#pragma once

#define MS_RDONLY  1          // read-only
#define MS_NOSUID  2          // ignore set-user-id bits
#define MS_NODEV   4          // no device files
#define MS_NOEXEC  8          // no programs
#define MS_REMOUNT 32         // change the flags of an existing mount
#define MNT_FORCE  1          // umount2: even if busy
#define MNT_DETACH 2          //          lazily: detach now, clean up when no longer busy

// Mount the file system of type fstype ("proc", "tmpfs", ...) found at source (a device, or
// any word for file systems with no device) on the directory target. data holds options
// the file system reads itself, such as "size=1m" for tmpfs, or is NULL.
int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
          const void *data);
int umount(const char *target);
int umount2(const char *target, int flags);
