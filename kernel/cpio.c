// cpio.c: reading cpio "newc" archives from memory, as Linux's init/initramfs.c reads them.
//
// An entry is a 110-byte header ("070701", then 13 fields of 8 hex digits: ino mode uid gid
// nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check), the name and
// its NUL padded so that the data starts 4-aligned, then the data, padded to 4 bytes. The
// entry "TRAILER!!!" ends an archive; another may follow after zero bytes. Alignment counts
// from the start of the buffer. "070702" archives carry a checksum of each regular file: the
// sum of its bytes, checked as Linux does ("bad data checksum").
//
// Hostile archives: every size is checked against the buffer before anything is read, with
// 64-bit offsets so that no 32-bit field can overflow the arithmetic. Like Linux, an entry
// whose name size is 0 or over PATH_MAX is skipped, a name without its NUL is an error.
// Unlike Linux, a truncated archive is an error (Linux stops silently), and so is a header
// field with a non-hex digit (Linux reads the field up to that digit).
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "cpio.h"
#include "fs.h"
#include "printk.h"

#define CPIO_HDRLEN 110

static int bad(const char **why, const char *what)
{
    *why = what;
    return -EINVAL;
}

static bool parse_hex8(const uint8_t *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = s[i], lower = c | 0x20;
        if (c >= '0' && c <= '9')
            v = v << 4 | (uint32_t)(c - '0');
        else if (lower >= 'a' && lower <= 'f')
            v = v << 4 | (uint32_t)(lower - 'a' + 10);
        else
            return false;
    }
    *out = v;
    return true;
}

static uint64_t align4(uint64_t x)
{
    return (x + 3) & ~(uint64_t)3;
}

static uint32_t sum_bytes(const uint8_t *p, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += p[i];
    return sum;
}

// The entry at *pos (4-aligned, starting with '0').
static int parse_entry(const uint8_t *buf, size_t len, size_t *pos, struct cpio_entry *e,
                       const char **why)
{
    const uint8_t *h = buf + *pos;
    if (len - *pos < CPIO_HDRLEN)
        return bad(why, "truncated archive");
    bool checksum = memcmp(h, "070702", 6) == 0;
    if (memcmp(h, "070701", 6) != 0 && !checksum)
        return bad(why, memcmp(h, "070707", 6) == 0 ?
                   "incorrect cpio method used: use -H newc option" : "no cpio magic");
    for (int i = 0; i < CPIO_NFIELDS; i++) {
        if (!parse_hex8(h + 6 + 8 * i, &e->f[i])) {
            pr_err("initramfs: bad hex digit in the header at offset %zu\n", *pos);
            return bad(why, "malformed archive");
        }
    }
    uint32_t namesize = e->f[CPIO_NAMESIZE], size = e->f[CPIO_FILESIZE];
    uint64_t data = *pos + align4(CPIO_HDRLEN + (uint64_t)namesize);
    uint64_t end = data + size;
    if (data > len || end > len)
        return bad(why, "truncated archive");
    e->name = (const char *)h + CPIO_HDRLEN;
    e->data = buf + data;
    if (namesize == 0 || namesize > FS_PATH_MAX) {
        pr_warn("initramfs: skipping the entry at offset %zu: name size %u\n", *pos, namesize);
        e->name = NULL;
    } else if (e->name[namesize - 1] != '\0') {
        pr_err("initramfs name without nulterm: %.*s\n", (int)namesize, e->name);
        return bad(why, "malformed archive");
    } else if (checksum && S_ISREG(e->f[CPIO_MODE])
               && sum_bytes(e->data, size) != e->f[CPIO_CHECK]) {
        return bad(why, "bad data checksum");
    }
    *pos = align4(end) <= len ? (size_t)align4(end) : len;   // the last padding may be missing
    return CPIO_ENTRY;
}

// The formats Linux's decompress_method() knows, so that we can say which one we lack.
static const char *compression(const uint8_t *p, size_t n)
{
    static const struct { const char *magic; size_t len; const char *name; } methods[] = {
        { "\037\213", 2, "gzip" }, { "\037\236", 2, "gzip" }, { "BZh", 3, "bzip2" },
        { "\135\000\000", 3, "lzma" }, { "\3757zXZ\000", 6, "xz" }, { "\211LZO", 4, "lzo" },
        { "\002!L\030", 4, "lz4" }, { "(\265/\375", 4, "zstd" },
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (n >= methods[i].len && memcmp(p, methods[i].magic, methods[i].len) == 0)
            return methods[i].name;
    return NULL;
}

// Linux's unpack_to_rootfs loop: zeros are skipped; a header starts 4-aligned with '0';
// anything else is compressed data (at any offset) or junk.
int cpio_next(const void *buf, size_t len, size_t *pos, struct cpio_entry *e, const char **why)
{
    const uint8_t *b = buf;
    while (*pos < len && b[*pos] == 0)
        (*pos)++;
    if (*pos >= len)
        return CPIO_END;
    if (b[*pos] == '0')
        return *pos & 3 ? bad(why, "broken padding") : parse_entry(b, len, pos, e, why);
    *why = compression(b + *pos, len - *pos);
    if (*why)
        return CPIO_COMPRESSED;
    return bad(why, "invalid magic at start of compressed archive");
}
