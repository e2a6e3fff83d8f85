// sys/types.h: the integer types of the system interface, sized as Linux x86_64 has them
// (they are part of the ABI: struct stat and the syscalls use exactly these widths).
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef long          ssize_t;     // a size, or -1 for an error
typedef long          off_t;       // a file offset; 64 bits, so no off64_t is needed
typedef int           pid_t;
typedef unsigned int  uid_t;
typedef unsigned int  gid_t;
typedef unsigned int  id_t;
typedef unsigned int  mode_t;      // file type and permission bits
typedef unsigned long dev_t;
typedef unsigned long ino_t;
typedef unsigned long nlink_t;
typedef long          blksize_t;
typedef long          blkcnt_t;
typedef long          time_t;      // seconds since 1970-01-01 00:00 UTC
typedef long          suseconds_t;
typedef int           clockid_t;
