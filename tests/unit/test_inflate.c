// test_inflate.c: gunzip() (kernel/inflate.c) on data made by zlib (inflate_fixture.h), on
// streams built bit by bit here to hit each error, and on damaged and truncated input.
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "inflate.h"
#include "inflate_fixture.h"

// ---- kmalloc on malloc, able to fail on request (fake_kmalloc.h).
#include "fake_kmalloc.h"

// ---- The uncompressed data of the fixtures: the generator in inflate_fixture.h.
static unsigned char *gen(int kind, unsigned n, uint32_t seed)
{
    static const char *words[] = { "lantern ", "kernel ", "inode ", "the ", "a ", "page ", "\n",
                                   "0123456789", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "x" };
    unsigned char *out = malloc(n + 300);
    unsigned len = 0;
    uint32_t x = seed;
    while (len < n) {
        x = x * 1103515245 + 12345;
        if (kind == 0) {
            const char *w = words[(x >> 16) % 10];
            memcpy(out + len, w, strlen(w));
            len += (unsigned)strlen(w);
        } else if (kind == 1) {
            out[len++] = (unsigned char)(x >> 16);
        } else {
            unsigned run = (x >> 8) % 300 + 1;
            memset(out + len, (int)((x >> 16) & 0xff), run);
            len += run;
        }
    }
    return out;
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
    }
    return ~crc;
}

// Runs gunzip on an exact-size copy of the input (AddressSanitizer sees any over-read).
static long run(const void *in, size_t len, size_t *used, void *out, size_t cap, const char **why)
{
    void *copy = malloc(len ? len : 1);
    memcpy(copy, in, len);
    *why = NULL;
    long r = gunzip(copy, len, used, out, cap, why);
    free(copy);
    return r;
}

// ---------------------------------------------------------------- zlib's streams

TEST(zlib_streams)
{
    for (size_t i = 0; i < sizeof gz_cases / sizeof gz_cases[0]; i++) {
        const struct gz_case *c = &gz_cases[i];
        unsigned char *want = gen(c->kind, c->n, c->seed);
        unsigned char *out = malloc(c->n + 1);
        size_t used = 0;
        const char *why;
        long r = run(c->gz, c->len, &used, out, c->n, &why);   // exactly enough room
        if (r != (long)c->n || used != c->len || memcmp(out, want, c->n) != 0) {
            printf("      %s: %ld (%s), used %zu of %u\n", c->name, r, why ? why : "-", used,
                   c->len);
            CHECK(!"decompressed as zlib compressed it");
        }
        if (c->n > 0) {                                        // one byte short
            r = run(c->gz, c->len, &used, out, c->n - 1, &why);
            CHECK_EQ_INT(r, -EFBIG);
            CHECK_EQ_STR(why, "output too big");
        }
        free(out);
        free(want);
    }
    CHECK_EQ_INT(live_allocs, 0);
}

TEST(data_after_the_member)
{
    unsigned char buf[4096];
    memcpy(buf, gz_header_fields, sizeof gz_header_fields);
    memset(buf + sizeof gz_header_fields, 'J', 100);
    unsigned char out[1000];
    size_t used;
    const char *why;
    CHECK_EQ_INT(run(buf, sizeof gz_header_fields + 100, &used, out, sizeof out, &why), 1000);
    CHECK_EQ_INT(used, sizeof gz_header_fields);
}

TEST(truncated_everywhere)
{
    static unsigned char out[40000];
    for (size_t i = 0; i < sizeof gz_cases / sizeof gz_cases[0]; i++) {
        const struct gz_case *c = &gz_cases[i];
        int bad = 0;
        for (size_t n = 0; n < c->len; n += c->len > 3000 ? 7 : 1) {
            size_t used;
            const char *why;
            long r = run(c->gz, n, &used, out, sizeof out, &why);
            bad += r != -EINVAL || why == NULL;
        }
        if (bad)
            printf("      %s: %d truncations not refused\n", c->name, bad);
        CHECK_EQ_INT(bad, 0);
    }
}

// Damage: whatever the result, no crash, no leak, and success only with the right output
// (the CRC sees to that).
TEST(fuzz)
{
    static unsigned char buf[8000], out[45000];
    uint32_t seed = 1;
    int failed = 0, rounds = 0;
    for (size_t i = 0; i < sizeof gz_cases / sizeof gz_cases[0]; i++) {
        const struct gz_case *c = &gz_cases[i];
        if (c->len > sizeof buf)
            continue;
        unsigned char *want = gen(c->kind, c->n, c->seed);
        for (int round = 0; round < 400; round++, rounds++) {
            memcpy(buf, c->gz, c->len);
            for (int k = 0; k <= round % 3; k++) {
                seed = seed * 1103515245 + 12345;
                size_t at = (seed >> 8) % c->len;
                seed = seed * 1103515245 + 12345;
                buf[at] ^= (unsigned char)(1u << ((seed >> 16) % 8));
            }
            size_t used;
            const char *why;
            long r = run(buf, c->len, &used, out, sizeof out, &why);
            if (r >= 0 && (r != (long)c->n || memcmp(out, want, c->n) != 0))
                CHECK(!"wrong output accepted");
            CHECK(r >= 0 || r == -EINVAL || r == -EFBIG);
            failed += r < 0;
        }
        free(want);
    }
    CHECK(failed > rounds / 2);
    CHECK_EQ_INT(live_allocs, 0);
}

TEST(enomem)
{
    unsigned char out[100];
    size_t used;
    const char *why;
    alloc_calls = 0;
    fail_at = 0;
    CHECK_EQ_INT(run(gz_empty, sizeof gz_empty, &used, out, sizeof out, &why), -ENOMEM);
    fail_at = -1;
    CHECK_EQ_INT(run(gz_empty, sizeof gz_empty, &used, out, sizeof out, &why), 0);
}

// ---------------------------------------------------------------- streams built by hand

struct bw {
    unsigned char buf[200000];
    size_t len;
    int nbits;            // bits used in buf[len] (the byte being filled)
};

static void put_bits(struct bw *w, uint32_t v, int n)     // first bit lowest
{
    for (int i = 0; i < n; i++) {
        if (w->nbits == 0)
            w->buf[w->len] = 0;
        w->buf[w->len] |= (unsigned char)(((v >> i) & 1) << w->nbits);
        if (++w->nbits == 8) {
            w->nbits = 0;
            w->len++;
        }
    }
}

static void put_code(struct bw *w, uint32_t code, int len)  // Huffman codes: first bit highest
{
    for (int i = len - 1; i >= 0; i--)
        put_bits(w, (code >> i) & 1, 1);
}

static void fixed_sym(struct bw *w, int sym)
{
    if (sym < 144)
        put_code(w, 0x30 + (uint32_t)sym, 8);
    else if (sym < 256)
        put_code(w, 0x190 + (uint32_t)sym - 144, 9);
    else if (sym < 280)
        put_code(w, (uint32_t)sym - 256, 7);
    else
        put_code(w, 0xc0 + (uint32_t)sym - 280, 8);
}

static void flush_byte(struct bw *w)
{
    if (w->nbits) {
        w->nbits = 0;
        w->len++;
    }
}

static struct bw W;

// Starts a gzip member (a plain 10-byte header) in W.
static void start(void)
{
    static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
    memcpy(W.buf, hdr, 10);
    W.len = 10;
    W.nbits = 0;
}

// Ends it with the trailer for the data the stream should produce.
static void finish(const void *data, size_t n)
{
    flush_byte(&W);
    uint32_t crc = crc32(data, n), size = (uint32_t)n;
    for (int i = 0; i < 4; i++)
        W.buf[W.len++] = (unsigned char)(crc >> 8 * i);
    for (int i = 0; i < 4; i++)
        W.buf[W.len++] = (unsigned char)(size >> 8 * i);
}

static const char *why_of(size_t cap, long *r)
{
    static unsigned char out[200000];
    size_t used;
    const char *why;
    *r = run(W.buf, W.len + (W.nbits > 0), &used, out, cap, &why);   // with a partial byte
    return why ? why : "(none)";
}

#define EXPECT_ERROR(text) do { long r_; CHECK_EQ_STR(why_of(1000, &r_), text); \
    CHECK_EQ_INT(r_, -EINVAL); } while (0)

TEST(fixed_block_copies)
{
    start();
    put_bits(&W, 1, 1);                  // the last block
    put_bits(&W, 1, 2);                  // fixed codes
    fixed_sym(&W, 'a');
    fixed_sym(&W, 'b');
    fixed_sym(&W, 264);                  // length 10
    put_code(&W, 1, 5);                  // distance 2: overlapping copy
    fixed_sym(&W, 257);                  // length 3
    put_code(&W, 0, 5);                  // distance 1
    fixed_sym(&W, 256);
    finish("ababababababbbb", 15);
    long r;
    CHECK_EQ_STR(why_of(15, &r), "(none)");
    CHECK_EQ_INT(r, 15);
    CHECK_EQ_STR(why_of(14, &r), "output too big");
}

TEST(fixed_block_errors)
{
    start();
    put_bits(&W, 1, 1);
    put_bits(&W, 1, 2);
    fixed_sym(&W, 'a');
    fixed_sym(&W, 257);
    put_code(&W, 1, 5);                  // distance 2, with 1 byte written
    fixed_sym(&W, 256);
    finish("aaaa", 4);
    EXPECT_ERROR("distance too far back");
    start();
    put_bits(&W, 1, 1);
    put_bits(&W, 1, 2);
    fixed_sym(&W, 286);                  // exists in the fixed code, means nothing
    finish("", 0);
    EXPECT_ERROR("invalid length code");
    start();
    put_bits(&W, 1, 1);
    put_bits(&W, 1, 2);
    fixed_sym(&W, 'a');
    fixed_sym(&W, 257);
    put_code(&W, 30, 5);                 // distance codes 30 and 31 mean nothing
    finish("", 0);
    EXPECT_ERROR("invalid distance code");
    start();
    put_bits(&W, 1, 1);
    put_bits(&W, 3, 2);                  // block type 3 is reserved
    finish("", 0);
    EXPECT_ERROR("invalid block type");
}

TEST(stored_blocks)
{
    // 150000 bytes in three stored blocks (at most 65535 each), the first not the last.
    static unsigned char data[150000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + i / 1000);
    start();
    size_t sizes[3] = { 65535, 65535, 150000 - 2 * 65535 };
    const unsigned char *p = data;
    for (int b = 0; b < 3; b++) {
        put_bits(&W, b == 2, 1);
        put_bits(&W, 0, 2);
        flush_byte(&W);
        uint16_t len = (uint16_t)sizes[b], nlen = (uint16_t)~len;
        unsigned char lens[4] = { len & 0xff, len >> 8, nlen & 0xff, nlen >> 8 };
        memcpy(W.buf + W.len, lens, 4);
        W.len += 4;
        memcpy(W.buf + W.len, p, sizes[b]);
        W.len += sizes[b];
        p += sizes[b];
    }
    finish(data, sizeof data);
    long r;
    CHECK_EQ_STR(why_of(sizeof data, &r), "(none)");
    CHECK_EQ_INT(r, sizeof data);
    CHECK_EQ_STR(why_of(sizeof data - 1, &r), "output too big");
    // LEN and NLEN disagree.
    start();
    put_bits(&W, 1, 3);
    flush_byte(&W);
    memcpy(W.buf + W.len, "\x05\x00\xfa\xfe" "hello", 9);
    W.len += 9;
    finish("hello", 5);
    EXPECT_ERROR("stored block length check failed");
    // LEN runs past the input.
    start();
    put_bits(&W, 1, 3);
    flush_byte(&W);
    memcpy(W.buf + W.len, "\xff\x00\x00\xff" "short", 9);
    W.len += 9;
    EXPECT_ERROR("unexpected end of data");
}

// The header of a dynamic block with a code-length code given as (symbol, length) pairs.
static void dynamic_header(int nlen, int ndist, const int (*clen)[2], int nclen)
{
    static const int order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14,
                                   1, 15 };
    start();
    put_bits(&W, 1, 1);
    put_bits(&W, 2, 2);
    put_bits(&W, (uint32_t)(nlen - 257), 5);
    put_bits(&W, (uint32_t)(ndist - 1), 5);
    put_bits(&W, 19 - 4, 4);
    for (int i = 0; i < 19; i++) {
        int len = 0;
        for (int k = 0; k < nclen; k++)
            if (clen[k][0] == order[i])
                len = clen[k][1];
        put_bits(&W, (uint32_t)len, 3);
    }
}

TEST(dynamic_block_errors)
{
    // Code-length codes of two 1-bit codes: the smaller symbol is 0, the larger 1.
    const int zero_and_16[2][2] = { { 0, 1 }, { 16, 1 } };
    dynamic_header(257, 1, zero_and_16, 2);
    put_code(&W, 1, 1);                  // 16 first: nothing to repeat
    EXPECT_ERROR("repeat with no previous length");

    const int three_ones[3][2] = { { 0, 1 }, { 8, 1 }, { 9, 1 } };
    dynamic_header(257, 1, three_ones, 3);
    EXPECT_ERROR("bad code lengths code");

    const int zero_and_8[2][2] = { { 0, 1 }, { 8, 1 } };
    dynamic_header(257, 1, zero_and_8, 2);
    for (int i = 0; i < 258; i++)
        put_code(&W, 0, 1);              // every length 0: no code for symbol 256
    EXPECT_ERROR("no end-of-block code");

    const int zero_and_18[2][2] = { { 0, 1 }, { 18, 1 } };
    dynamic_header(257, 1, zero_and_18, 2);
    put_code(&W, 1, 1);
    put_bits(&W, 127, 7);                // 138 zeros
    put_code(&W, 1, 1);
    put_bits(&W, 127, 7);                // 276 > 258
    EXPECT_ERROR("too many code lengths");

    dynamic_header(287, 1, zero_and_8, 2);   // HLIT says 287 literal/length codes: over 286
    EXPECT_ERROR("too many length or distance codes");

    // Literal/length lengths: 257 symbols of length 8 are more codes than 8 bits can hold.
    dynamic_header(257, 1, zero_and_8, 2);
    for (int i = 0; i < 257; i++)
        put_code(&W, 1, 1);
    put_code(&W, 0, 1);
    EXPECT_ERROR("bad literal/length code");
}

TEST(header_and_trailer)
{
    unsigned char good[sizeof gz_fixed];
    memcpy(good, gz_fixed, sizeof good);
    const char *why;
    size_t used;
    static unsigned char out[25000];
    struct { size_t at; unsigned char value; const char *why; } bad[] = {
        { 0, 0x1e, "not gzip data" }, { 1, 0x9e, "not gzip data" },
        { 2, 7, "unknown compression method or flags" },
        { 3, 0x20, "unknown compression method or flags" },
        { sizeof good - 8, 1, "crc error" }, { sizeof good - 1, 1, "length error" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char copy[sizeof good];
        memcpy(copy, good, sizeof copy);
        copy[bad[i].at] ^= bad[i].value;
        CHECK_EQ_INT(run(copy, sizeof copy, &used, out, sizeof out, &why), -EINVAL);
        CHECK_EQ_STR(why, bad[i].why);
    }
    CHECK_EQ_INT(run(good, sizeof good - 1, &used, out, sizeof out, &why), -EINVAL);
    CHECK_EQ_STR(why, "truncated gzip trailer");
    // Optional header fields running past the end.
    // FNAME, with no NUL after the name.
    unsigned char h[32] = { 0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 'n', 'a', 'm', 'e' };
    CHECK_EQ_INT(run(h, 14, &used, out, sizeof out, &why), -EINVAL);
    CHECK_EQ_STR(why, "truncated gzip header");
    h[3] = 4;                                                // FEXTRA of 0x6e61 bytes
    CHECK_EQ_INT(run(h, 14, &used, out, sizeof out, &why), -EINVAL);
    CHECK_EQ_STR(why, "truncated gzip header");
    h[3] = 2;                                                // FHCRC and nothing after
    CHECK_EQ_INT(run(h, 11, &used, out, sizeof out, &why), -EINVAL);
    CHECK_EQ_STR(why, "truncated gzip header");
    CHECK_EQ_INT(run(h, 5, &used, out, sizeof out, &why), -EINVAL);
    CHECK_EQ_STR(why, "not gzip data");
}

CHECK_MAIN()
