// inflate.c: a small decompressor for gzip (RFC 1952) and the deflate format inside it
// (RFC 1951), written for clarity rather than speed: Huffman codes are decoded one bit at a
// time with canonical-code tables, as in Mark Adler's "puff".
//
// Deflate data is a series of blocks, each stored (raw bytes), or compressed with the fixed
// Huffman codes, or with codes described at the start of the block ("dynamic"). A compressed
// block is literals and (length, distance) pairs that copy earlier output.
//
// Hostile input: every read is checked against the end of the input, every write against the
// end of the output, every distance against what has been written, and the code-length
// descriptions are checked for over-subscribed or incomplete codes before use. No recursion;
// the decoding tables (about 1 KiB) are kmalloc'ed, not on the kernel stack.
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "inflate.h"
#include "kmalloc.h"

#define MAXBITS  15            // the longest Huffman code
#define NLITLEN  288           // literal/length symbols (286 and 287 never occur)
#define NDIST    30

// A canonical Huffman code: how many codes have each length, and the symbols ordered by code.
struct huffman {
    uint16_t count[MAXBITS + 1];
    uint16_t symbol[NLITLEN];
};

struct inflate {
    const uint8_t *in;
    size_t inlen, inpos;
    uint32_t bitbuf;           // bits not used yet, the next one lowest
    int bitcnt;
    uint8_t *out;
    size_t outcap, outpos;
    const char *error;         // set once; every later read returns zeros
    int err;
    struct huffman lencode, distcode;
    uint8_t lengths[NLITLEN + NDIST];
};

static int fail(struct inflate *s, int err, const char *why)
{
    if (!s->error) {
        s->error = why;
        s->err = err;
    }
    return -1;
}

// The next n bits (n <= 16), first bit lowest, as RFC 1951 packs everything but Huffman codes.
static uint32_t bits(struct inflate *s, int n)
{
    while (s->bitcnt < n) {
        if (s->inpos == s->inlen) {
            fail(s, -EINVAL, "unexpected end of data");
            return 0;
        }
        s->bitbuf |= (uint32_t)s->in[s->inpos++] << s->bitcnt;
        s->bitcnt += 8;
    }
    uint32_t v = s->bitbuf & ((1u << n) - 1);
    s->bitbuf >>= n;
    s->bitcnt -= n;
    return v;
}

// Builds a code from each symbol's code length (0: unused). Returns 0 for a complete code,
// > 0 for an incomplete one, -1 for an over-subscribed one (more codes than bit patterns).
static int build(struct huffman *h, const uint8_t *length, int n)
{
    uint16_t offs[MAXBITS + 1];
    memset(h->count, 0, sizeof h->count);
    for (int sym = 0; sym < n; sym++)
        h->count[length[sym]]++;
    if (h->count[0] == n)
        return 0;                          // no codes: complete, and never decoded
    int left = 1;
    for (int len = 1; len <= MAXBITS; len++) {
        left = (left << 1) - h->count[len];
        if (left < 0)
            return -1;
    }
    offs[1] = 0;
    for (int len = 1; len < MAXBITS; len++)
        offs[len + 1] = offs[len] + h->count[len];
    for (int sym = 0; sym < n; sym++)
        if (length[sym])
            h->symbol[offs[length[sym]]++] = (uint16_t)sym;
    return left;
}

// Reads one Huffman-coded symbol. Codes are packed first bit first, so the code grows one
// bit at a time; at each length, the codes of that length are the next `count` values.
static int decode(struct inflate *s, const struct huffman *h)
{
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= MAXBITS; len++) {
        code |= (int)bits(s, 1);
        int count = h->count[len];
        if (code - first < count)
            return h->symbol[index + code - first];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return fail(s, -EINVAL, "invalid Huffman code");
}

static int put_byte(struct inflate *s, uint8_t b)
{
    if (s->outpos == s->outcap)
        return fail(s, -EFBIG, "output too big");
    s->out[s->outpos++] = b;
    return 0;
}

static int stored_block(struct inflate *s)
{
    s->bitbuf = 0;                         // the rest of the current byte is padding
    s->bitcnt = 0;
    if (s->inlen - s->inpos < 4)
        return fail(s, -EINVAL, "unexpected end of data");
    const uint8_t *p = s->in + s->inpos;
    unsigned len = p[0] | p[1] << 8, nlen = p[2] | p[3] << 8;
    s->inpos += 4;
    if (len != (~nlen & 0xffff))
        return fail(s, -EINVAL, "stored block length check failed");
    if (s->inlen - s->inpos < len)
        return fail(s, -EINVAL, "unexpected end of data");
    if (s->outcap - s->outpos < len)
        return fail(s, -EFBIG, "output too big");
    memcpy(s->out + s->outpos, s->in + s->inpos, len);
    s->inpos += len;
    s->outpos += len;
    return 0;
}

static const uint16_t len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
    4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[NDIST] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[NDIST] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
    8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

// The symbols of a compressed block, with the codes in s->lencode and s->distcode.
static int codes(struct inflate *s)
{
    for (;;) {
        int sym = decode(s, &s->lencode);
        if (sym < 0 || s->error)
            return -1;
        if (sym < 256) {
            if (put_byte(s, (uint8_t)sym) < 0)
                return -1;
            continue;
        }
        if (sym == 256)
            return 0;                      // the end of the block
        sym -= 257;
        if (sym >= 29)
            return fail(s, -EINVAL, "invalid length code");
        unsigned len = len_base[sym] + bits(s, len_extra[sym]);
        int dsym = decode(s, &s->distcode);
        if (dsym < 0 || s->error)
            return -1;
        if (dsym >= NDIST)
            return fail(s, -EINVAL, "invalid distance code");
        size_t dist = dist_base[dsym] + bits(s, dist_extra[dsym]);
        if (dist > s->outpos)
            return fail(s, -EINVAL, "distance too far back");
        if (s->outcap - s->outpos < len)
            return fail(s, -EFBIG, "output too big");
        for (unsigned i = 0; i < len; i++, s->outpos++)   // byte by byte: copies may overlap
            s->out[s->outpos] = s->out[s->outpos - dist];
    }
}

static int fixed_block(struct inflate *s)
{
    int sym = 0;
    for (; sym < 144; sym++)
        s->lengths[sym] = 8;
    for (; sym < 256; sym++)
        s->lengths[sym] = 9;
    for (; sym < 280; sym++)
        s->lengths[sym] = 7;
    for (; sym < NLITLEN; sym++)
        s->lengths[sym] = 8;
    build(&s->lencode, s->lengths, NLITLEN);
    memset(s->lengths, 5, 32);             // codes 30 and 31 exist, and are refused in codes()
    build(&s->distcode, s->lengths, 32);
    return codes(s);
}

// The order in which the code-length code's lengths are stored.
static const uint8_t clen_order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
                                        14, 1, 15 };

static int dynamic_block(struct inflate *s)
{
    int nlen = (int)bits(s, 5) + 257, ndist = (int)bits(s, 5) + 1, ncode = (int)bits(s, 4) + 4;
    if (nlen > 286 || ndist > NDIST)
        return fail(s, -EINVAL, "too many length or distance codes");
    memset(s->lengths, 0, 19);
    for (int i = 0; i < ncode; i++)
        s->lengths[clen_order[i]] = (uint8_t)bits(s, 3);
    if (build(&s->lencode, s->lengths, 19) != 0)
        return fail(s, -EINVAL, "bad code lengths code");
    // The literal/length and distance code lengths, run-length coded together.
    for (int i = 0; i < nlen + ndist && !s->error;) {
        int sym = decode(s, &s->lencode), len = 0, repeat;
        if (sym < 16) {
            s->lengths[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return fail(s, -EINVAL, "repeat with no previous length");
            len = s->lengths[i - 1];
            repeat = 3 + (int)bits(s, 2);
        } else {
            repeat = sym == 17 ? 3 + (int)bits(s, 3) : 11 + (int)bits(s, 7);
        }
        if (i + repeat > nlen + ndist)
            return fail(s, -EINVAL, "too many code lengths");
        while (repeat--)
            s->lengths[i++] = (uint8_t)len;
    }
    if (s->error)
        return -1;
    if (s->lengths[256] == 0)
        return fail(s, -EINVAL, "no end-of-block code");
    // Incomplete codes are allowed only for a single code of length 1 (RFC 1951, 3.2.7).
    int err = build(&s->lencode, s->lengths, nlen);
    if (err < 0 || (err > 0 && nlen - s->lencode.count[0] != 1))
        return fail(s, -EINVAL, "bad literal/length code");
    err = build(&s->distcode, s->lengths + nlen, ndist);
    if (err < 0 || (err > 0 && ndist - s->distcode.count[0] != 1))
        return fail(s, -EINVAL, "bad distance code");
    return codes(s);
}

static int inflate_blocks(struct inflate *s)
{
    bool last;
    do {
        last = bits(s, 1);
        unsigned type = bits(s, 2);
        int r = s->error ? -1 : type == 0 ? stored_block(s) : type == 1 ? fixed_block(s)
              : type == 2 ? dynamic_block(s) : fail(s, -EINVAL, "invalid block type");
        if (r < 0 || s->error)
            return -1;
    } while (!last);
    return 0;
}

// ---------------------------------------------------------------- gzip

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

// Skips a NUL-terminated field of the header; returns false if the input ends first.
static bool skip_string(const uint8_t *in, size_t inlen, size_t *pos)
{
    const uint8_t *nul = memchr(in + *pos, 0, inlen - *pos);
    if (!nul)
        return false;
    *pos = (size_t)(nul - in) + 1;
    return true;
}

// The length of the gzip header, or 0 if it is not one we can read.
static size_t gzip_header(const uint8_t *in, size_t inlen, const char **why)
{
    enum { FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, FRESERVED = 0xe0 };
    size_t pos = 10;
    *why = "not gzip data";
    if (inlen < 10 || in[0] != 0x1f || in[1] != 0x8b)
        return 0;
    *why = "unknown compression method or flags";
    if (in[2] != 8 || (in[3] & FRESERVED))
        return 0;
    *why = "truncated gzip header";
    if (in[3] & FEXTRA) {
        if (inlen - pos < 2 || inlen - pos - 2 < (size_t)(in[pos] | in[pos + 1] << 8))
            return 0;
        pos += 2 + (size_t)(in[pos] | in[pos + 1] << 8);
    }
    if ((in[3] & FNAME) && !skip_string(in, inlen, &pos))
        return 0;
    if ((in[3] & FCOMMENT) && !skip_string(in, inlen, &pos))
        return 0;
    if (in[3] & FHCRC)
        pos += 2;
    return pos <= inlen ? pos : 0;
}

long gunzip(const void *in, size_t inlen, size_t *used, void *out, size_t outcap,
            const char **why)
{
    size_t start = gzip_header(in, inlen, why);
    if (!start)
        return -EINVAL;
    struct inflate *s = kzalloc(sizeof *s);
    if (!s) {
        *why = "out of memory";
        return -ENOMEM;
    }
    *s = (struct inflate){ .in = in, .inlen = inlen, .inpos = start, .out = out, .outcap = outcap };
    long r = inflate_blocks(s) < 0 ? s->err : (long)s->outpos;
    *why = s->error;
    if (r >= 0 && s->inlen - s->inpos < 8) {   // the trailer: CRC-32 and size, after the bits
        *why = "truncated gzip trailer";
        r = -EINVAL;
    } else if (r >= 0) {
        const uint8_t *t = s->in + s->inpos;
        if (le32(t) != crc32(out, s->outpos))
            *why = "crc error";
        else if (le32(t + 4) != (uint32_t)s->outpos)
            *why = "length error";
        r = *why ? -EINVAL : r;
        *used = s->inpos + 8;
    }
    kfree(s);
    return r;
}
