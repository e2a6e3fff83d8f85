// sys/statfs.h: file system statistics, laid out as Linux x86_64's struct statfs.
#pragma once
#include <sys/types.h>

struct statfs {
    long f_type;                    // the file system's magic number (TMPFS_MAGIC, ...)
    long f_bsize;                   // the best transfer size
    unsigned long f_blocks, f_bfree, f_bavail;   // in f_frsize units; bavail: for non-root
    unsigned long f_files, f_ffree; // inodes
    struct { int val[2]; } f_fsid;
    long f_namelen;                 // the longest name
    long f_frsize;                  // the fragment size
    long f_flags;                   // ST_* mount flags
    long f_spare[4];
};

#define TMPFS_MAGIC      0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

int statfs(const char *path, struct statfs *buf);
int fstatfs(int fd, struct statfs *buf);
