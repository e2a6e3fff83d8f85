// cpio.h: reading cpio "newc" archives, the initramfs format, from memory (cpio.c). What to
// do with the entries is the caller's business (initramfs.c).
#pragma once
#include <stddef.h>
#include <stdint.h>

// The 13 header fields, in the order they are stored.
enum { CPIO_INO, CPIO_MODE, CPIO_UID, CPIO_GID, CPIO_NLINK, CPIO_MTIME, CPIO_FILESIZE,
       CPIO_MAJOR, CPIO_MINOR, CPIO_RMAJOR, CPIO_RMINOR, CPIO_NAMESIZE, CPIO_CHECK,
       CPIO_NFIELDS };

struct cpio_entry {
    uint32_t f[CPIO_NFIELDS];
    const char *name;            // NUL-terminated, in the archive; NULL: skip this entry (logged)
    const uint8_t *data;         // f[CPIO_FILESIZE] bytes, in the archive
};

#define CPIO_END        0        // no more entries
#define CPIO_ENTRY      1        // *e is the next entry ("TRAILER!!!" included)
#define CPIO_COMPRESSED 2        // compressed data at *pos; *why names the method ("gzip")

// Reads what comes at *pos (start at 0) in buf[0, len): several archives may follow each
// other, with zero bytes between them. On CPIO_ENTRY, *pos has moved past the entry. A broken
// archive is -EINVAL with *why set to Linux's words for the problem ("no cpio magic", ...).
int cpio_next(const void *buf, size_t len, size_t *pos, struct cpio_entry *e, const char **why);
