// fuzz_inflate.c: libFuzzer harness for the gzip decompressor (kernel/inflate.c). The input
// is a gzip member (or garbage). The output buffer is exactly outcap bytes on the heap, so
// a write past it trips AddressSanitizer; a success must report sizes within the buffers.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "inflate.h"
#include "fake_kmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[] = { 0, 1, 100, 4096, 1 << 16 };
    const char *why = NULL;
    size_t used = 0;
    size_t outcap = caps[size % 5];
    uint8_t *in = malloc(size ? size : 1), *out = malloc(outcap ? outcap : 1);
    memcpy(in, data, size);
    long n = gunzip(in, size, &used, out, outcap, &why);
    if (n >= 0 && ((size_t)n > outcap || used > size || used == 0))
        abort();
    if (n < 0 && n != -EFBIG && n != -EINVAL && n != -ENOMEM)
        abort();
    if (n == -EINVAL && !why)
        abort();                          // every failure says why
    free(in);
    free(out);
    if (live_allocs != 0)
        abort();                          // the tables are freed on every path
    return 0;
}
