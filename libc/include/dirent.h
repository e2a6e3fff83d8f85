// dirent.h: reading directories. readdir returns the records getdents64 fills in, which
// are laid out as struct dirent (Linux's struct linux_dirent64).
#pragma once
#include <sys/types.h>

struct dirent {
    ino_t          d_ino;
    off_t          d_off;       // where the next record starts, for the file system only
    unsigned short d_reclen;    // this record's length: records follow each other
    unsigned char  d_type;      // DT_*, or DT_UNKNOWN if the file system does not say
    char           d_name[256]; // NUL-terminated; the record may end before 256 bytes
};

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

typedef struct DIR DIR;

DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);     // NULL at the end (errno unchanged) or on error
int closedir(DIR *d);
int dirfd(DIR *d);
// Fill buf with whole records and return the bytes used: 0 at the end of the directory.
ssize_t getdents64(int fd, void *buf, size_t size);
