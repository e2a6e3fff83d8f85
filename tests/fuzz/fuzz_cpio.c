// fuzz_cpio.c: libFuzzer harness for the initramfs unpacker (kernel/initramfs.c, cpio.c,
// inflate.c for gzip-compressed parts) into the real ramfs (kernel/ramfs*.c). The input is
// the archive. Files keep their data in the archive (fs_adopt), so the copy lives until the
// tree is dropped; then everything kmalloc'ed must have been given back (fake_kmalloc.h
// counts): memory the unpacker lost on some path would stay counted.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs.h"
#include "fake_kmalloc.h"

int initramfs_unpack(const void *archive, size_t len);

int printk(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return n;
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static long empty_tree = -1;
    if (empty_tree < 0) {
        fs_init();
        empty_tree = live_allocs;         // the root directory
    }
    void *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    initramfs_unpack(copy, size);
    fs_init();                            // drops the tree the archive made
    free(copy);
    if (live_allocs != empty_tree) {
        fprintf(stderr, "leak: %ld allocations left after dropping the tree\n",
                live_allocs - empty_tree);
        abort();
    }
    return 0;
}
