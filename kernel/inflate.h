// inflate.h: decompressing gzip data (inflate.c), for compressed initramfs images.
#pragma once
#include <stddef.h>

// Decompresses the gzip member (RFC 1952) at the start of in[0, inlen) into out[0, outcap).
// Returns the decompressed size, with *used set to the member's length in `in`; or -EFBIG if
// the output does not fit in outcap; or -EINVAL for anything else wrong (a bad header, a
// corrupt deflate stream, a wrong CRC or length, the input ending early), with *why saying
// what; or -ENOMEM.
long gunzip(const void *in, size_t inlen, size_t *used, void *out, size_t outcap,
            const char **why);
