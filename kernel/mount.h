// mount.h: the table of mounted filesystems (/proc/mounts) and procfs.
#pragma once
#include <stdbool.h>
#include <stddef.h>
struct inode;
void mount_record(const char *source, const char *target, const char *type, struct inode *ip);
int mount_table(char *buf, size_t size);             // /proc/mounts' text; its length
void procfs_init(const char *cmdline, const char *version);
int procfs_mount(struct inode *dir);
int procfs_umount(struct inode *dir, bool detach);   // -EBUSY if in use and not detach
int sysfs_mount(struct inode *dir);                  // sysfs.c: the same for /sys
int sysfs_umount(struct inode *dir, bool detach);
