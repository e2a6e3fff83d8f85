// test_string.c: our string.h and ctype.h against the host C library's, on many inputs.
//
// Compiled with -DLIBC_HOST_TEST, our headers name our functions libc_memcpy, libc_strlen,
// ... (see libc/include/string.h). Below, libc_x is always ours and plain x the host's.
#define _DEFAULT_SOURCE   // the host's strnlen and strtok_r
#include "check.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../libc/include/ctype.h"
#include "../../libc/include/string.h"

// Our headers also made the plain names mean ours; undo that, so plain names are the host's.
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strcpy
#undef strncpy
#undef strlcpy
#undef strcat
#undef strncat
#undef strchr
#undef strrchr
#undef strstr
#undef strspn
#undef strcspn
#undef strtok_r
#undef isdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isxdigit
#undef isprint
#undef toupper
#undef tolower

// Like CHECK, but also prints which case failed, and ends the test: one failing case is
// enough to start debugging, and thousands of lines are not.
#define EXPECT(cond, ...) do { if (!(cond)) { CHECK(cond); printf("      case: "); \
    printf(__VA_ARGS__); printf("\n"); return; } } while (0)

static int sign(int x) { return (x > 0) - (x < 0); }

enum { BUF = 160, MAXLEN = 64, MAXOFF = 8 };

// Bytes that are all nonzero and include many >= 0x80, to catch signed-char mistakes.
static unsigned char byte_at(size_t i) { return (unsigned char)(i * 37 + 11) | 1; }

// Strings for the comparison and search tests: prefixes of each other, upper/lower case,
// bytes >= 0x80 (which must compare greater than ASCII), repetitions for strstr.
static const char *words[] = {
    "", "a", "b", "ab", "ba", "abc", "abd", "abcd", "ABC", "abcabcabd", "aaab", "aab",
    "\x80", "\xff", "a\x80", "a\x7f", "a\xff", "\xff\x80", "hello", "hello world", "hellO",
    "world", "lo w", "o", " \t", "a,b;;c", ",", ";,", "xyz", "zyx",
};
enum { NWORDS = sizeof words / sizeof words[0] };

TEST(test_memcpy)
{
    _Alignas(8) unsigned char src[BUF], got[BUF], want[BUF];

    for (size_t i = 0; i < BUF; i++)
        src[i] = byte_at(i);
    // Every alignment combination, so both the 8-byte and the byte loop run.
    for (size_t so = 0; so < MAXOFF; so++)
        for (size_t d = 0; d < MAXOFF; d++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                memset(got, 0x5a, BUF);
                memset(want, 0x5a, BUF);
                memcpy(want + d, src + so, n);
                void *r = libc_memcpy(got + d, src + so, n);
                EXPECT(r == got + d && memcmp(got, want, BUF) == 0, "src+%zu dst+%zu n=%zu", so, d, n);
            }
}

TEST(test_memmove_overlapping)
{
    _Alignas(8) unsigned char got[BUF], want[BUF];

    // Source and destination in one buffer, so that they overlap in both directions.
    for (size_t so = 0; so < 24; so++)
        for (size_t d = 0; d < 24; d++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                for (size_t i = 0; i < BUF; i++)
                    got[i] = want[i] = byte_at(i);
                memmove(want + d, want + so, n);
                void *r = libc_memmove(got + d, got + so, n);
                EXPECT(r == got + d && memcmp(got, want, BUF) == 0, "src+%zu dst+%zu n=%zu", so, d, n);
            }
}

TEST(test_memset)
{
    static const int values[] = { 0, 1, 'x', 0x7f, 0x80, 0xff, -1, -128, 0x1ab };
    _Alignas(8) unsigned char got[BUF], want[BUF];

    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        for (size_t d = 0; d < MAXOFF; d++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                memset(got, 0x5a, BUF);
                memset(want, 0x5a, BUF);
                memset(want + d, values[v], n);
                void *r = libc_memset(got + d, values[v], n);
                EXPECT(r == got + d && memcmp(got, want, BUF) == 0, "c=%d dst+%zu n=%zu", values[v], d, n);
            }
}

TEST(test_memcmp)
{
    // Pairs of differing bytes; the first of each pair is smaller as unsigned char.
    static const unsigned char diffs[][2] = { { 1, 2 }, { 0, 0x80 }, { 0x7f, 0x80 }, { 1, 0xff }, { 0x80, 0xff } };
    unsigned char a[BUF], b[BUF];

    for (size_t p = 0; p < sizeof diffs / sizeof diffs[0]; p++)
        for (size_t off = 0; off < MAXOFF; off++)
            for (size_t n = 0; n <= MAXLEN; n++)
                for (size_t k = 0; k <= n; k++) {   // k == n: the difference is just outside
                    for (size_t i = 0; i < BUF; i++)
                        a[i] = b[i] = byte_at(i);
                    a[off + k] = diffs[p][0];
                    b[off + k] = diffs[p][1];
                    int want = sign(memcmp(a + off, b + off, n));
                    EXPECT(sign(libc_memcmp(a + off, b + off, n)) == want &&
                           sign(libc_memcmp(b + off, a + off, n)) == -want,
                           "pair %zu off=%zu n=%zu diff at %zu", p, off, n, k);
                }
}

TEST(test_memchr)
{
    unsigned char buf[BUF];

    for (size_t i = 0; i < BUF; i++)
        buf[i] = (unsigned char)i;   // every byte value once, from 0 up
    // c is converted to unsigned char, so 0x100 finds 0 and -1 finds 0xff.
    for (int c = -2; c <= 0x101; c++)
        for (size_t off = 0; off < MAXOFF; off++)
            for (size_t n = 0; n <= BUF - off; n += 13)
                EXPECT(libc_memchr(buf + off, c, n) == memchr(buf + off, c, n), "c=%d off=%zu n=%zu", c, off, n);
}

// A heap copy of exactly n bytes of nonzero data, plus a NUL if terminate: reading one byte
// too far is then a heap overflow that ASan reports.
static char *heap_bytes(size_t n, bool terminate)
{
    char *s = malloc(n + terminate);   // not one byte more (with ASan, malloc(0) is not NULL)
    for (size_t i = 0; i < n; i++)
        s[i] = (char)byte_at(i);
    if (terminate)
        s[n] = '\0';
    return s;
}

TEST(test_strlen_strnlen)
{
    for (size_t len = 0; len <= MAXLEN; len++) {
        char *s = heap_bytes(len, true);
        EXPECT(libc_strlen(s) == len, "len=%zu", len);
        for (size_t max = len; max <= len + 3; max++)
            EXPECT(libc_strnlen(s, max) == strnlen(s, max), "len=%zu max=%zu", len, max);
        EXPECT(libc_strnlen(s, SIZE_MAX) == len, "len=%zu max=SIZE_MAX", len);
        free(s);
        // max < len: the bytes need not be terminated, and strnlen must not look further.
        for (size_t max = 0; max <= len; max++) {
            char *t = heap_bytes(max, false);
            EXPECT(libc_strnlen(t, max) == max, "unterminated, max=%zu", max);
            free(t);
        }
    }
}

TEST(test_strcmp_strncmp)
{
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++) {
            const char *a = words[i], *b = words[j];
            EXPECT(sign(libc_strcmp(a, b)) == sign(strcmp(a, b)), "\"%s\" vs \"%s\"", a, b);
            for (size_t n = 0; n <= 12; n++)
                EXPECT(sign(libc_strncmp(a, b, n)) == sign(strncmp(a, b, n)), "\"%s\" vs \"%s\", n=%zu", a, b, n);
            EXPECT(sign(libc_strncmp(a, b, SIZE_MAX)) == sign(strcmp(a, b)), "\"%s\" vs \"%s\", n=SIZE_MAX", a, b);
        }
}

TEST(test_strcpy_strcat)
{
    char got[BUF], want[BUF];

    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++) {
            memset(got, 0x5a, BUF);
            memset(want, 0x5a, BUF);
            EXPECT(libc_strcpy(got, words[i]) == got, "strcpy \"%s\"", words[i]);
            strcpy(want, words[i]);
            EXPECT(libc_strcat(got, words[j]) == got, "strcat \"%s\"", words[j]);
            strcat(want, words[j]);
            EXPECT(memcmp(got, want, BUF) == 0, "strcpy \"%s\", strcat \"%s\"", words[i], words[j]);
        }
}

TEST(test_strncpy_strncat)
{
    char got[BUF], want[BUF];

    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++)
            for (size_t n = 0; n <= 14; n++) {
                memset(got, 0x5a, BUF);
                memset(want, 0x5a, BUF);
                EXPECT(libc_strncpy(got, words[i], n) == got, "strncpy \"%s\" n=%zu", words[i], n);
                strncpy(want, words[i], n);
                EXPECT(memcmp(got, want, BUF) == 0, "strncpy \"%s\" n=%zu", words[i], n);
                strcpy(got, words[i]);
                strcpy(want, words[i]);
                EXPECT(libc_strncat(got, words[j], n) == got, "strncat \"%s\" n=%zu", words[j], n);
                strncat(want, words[j], n);
                EXPECT(memcmp(got, want, BUF) == 0, "\"%s\" strncat \"%s\" n=%zu", words[i], words[j], n);
            }
}

// The host (glibc before 2.38) has no strlcpy, so here is what it must do.
TEST(test_strlcpy)
{
    char got[BUF], want[BUF];

    for (size_t i = 0; i < NWORDS; i++)
        for (size_t size = 0; size <= 14; size++) {
            size_t len = strlen(words[i]), n = len < size ? len : size - 1;
            memset(got, 0x5a, BUF);
            memset(want, 0x5a, BUF);
            if (size > 0) {
                memcpy(want, words[i], n);
                want[n] = '\0';
            }
            EXPECT(libc_strlcpy(got, words[i], size) == len, "\"%s\" size=%zu", words[i], size);
            EXPECT(memcmp(got, want, BUF) == 0, "\"%s\" size=%zu", words[i], size);
        }
}

TEST(test_strchr_strrchr)
{
    for (size_t i = 0; i < NWORDS; i++)
        // c is converted to char: 0 finds the terminator, 0x180 and -128 find "\x80".
        for (int c = -129; c <= 0x180; c++) {
            const char *s = words[i];
            EXPECT(libc_strchr(s, c) == strchr(s, c), "\"%s\" c=%d", s, c);
            EXPECT(libc_strrchr(s, c) == strrchr(s, c), "\"%s\" c=%d", s, c);
        }
}

TEST(test_strstr)
{
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++)
            EXPECT(libc_strstr(words[i], words[j]) == strstr(words[i], words[j]), "\"%s\" in \"%s\"", words[j], words[i]);
}

TEST(test_strspn_strcspn)
{
    for (size_t i = 0; i < NWORDS; i++)
        for (size_t j = 0; j < NWORDS; j++) {
            const char *s = words[i], *set = words[j];
            EXPECT(libc_strspn(s, set) == strspn(s, set), "\"%s\" set \"%s\"", s, set);
            EXPECT(libc_strcspn(s, set) == strcspn(s, set), "\"%s\" set \"%s\"", s, set);
        }
}

TEST(test_strtok_r)
{
    static const char *inputs[] = { "", "a", ",,,", "a,b", ",a,,b,", "one two  three ", "x;y,z;;", "\x80,\xff" };
    static const char *delims[] = { ",", " ", ",;", "", "abc" };

    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        for (size_t d = 0; d < sizeof delims / sizeof delims[0]; d++) {
            char got[64], want[64], *gsave = NULL, *wsave = NULL;
            strcpy(got, inputs[i]);
            strcpy(want, inputs[i]);
            char *g = libc_strtok_r(got, delims[d], &gsave);
            char *w = strtok_r(want, delims[d], &wsave);
            // Compare token positions, until both run out (and once more after that).
            for (int k = 0; k < 8; k++) {
                EXPECT((g == NULL) == (w == NULL) && (g == NULL || g - got == w - want),
                       "\"%s\" delim \"%s\" token %d", inputs[i], delims[d], k);
                g = libc_strtok_r(NULL, delims[d], &gsave);
                w = strtok_r(NULL, delims[d], &wsave);
            }
            EXPECT(memcmp(got, want, strlen(inputs[i]) + 1) == 0, "\"%s\" delim \"%s\"", inputs[i], delims[d]);
        }
}

TEST(test_ctype)
{
    // Every value the functions accept: EOF (-1) and 0..255; the host runs in the "C" locale.
    for (int c = -1; c <= 255; c++) {
        EXPECT(!libc_isdigit(c) == !isdigit(c), "isdigit(%d)", c);
        EXPECT(!libc_isspace(c) == !isspace(c), "isspace(%d)", c);
        EXPECT(!libc_isalpha(c) == !isalpha(c), "isalpha(%d)", c);
        EXPECT(!libc_isalnum(c) == !isalnum(c), "isalnum(%d)", c);
        EXPECT(!libc_isupper(c) == !isupper(c), "isupper(%d)", c);
        EXPECT(!libc_islower(c) == !islower(c), "islower(%d)", c);
        EXPECT(!libc_isxdigit(c) == !isxdigit(c), "isxdigit(%d)", c);
        EXPECT(!libc_isprint(c) == !isprint(c), "isprint(%d)", c);
        EXPECT(libc_toupper(c) == toupper(c), "toupper(%d)", c);
        EXPECT(libc_tolower(c) == tolower(c), "tolower(%d)", c);
    }
}

CHECK_MAIN()
