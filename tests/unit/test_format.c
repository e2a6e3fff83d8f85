// test_format.c: our vsnprintf/snprintf (libc/format.c) against the host C library's.
//
// Compiled with -DLIBC_HOST_TEST, our stdio.h names ours libc_snprintf and libc_vsnprintf
// (see libc/include/string.h for why). Below, libc_x is ours and plain x the host's.
// Only formats whose meaning C or glibc defines are compared; the few where we differ on
// purpose (%n, floating point, unknown conversions) are checked against fixed strings.
#include "check.h"
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "../../libc/include/format.h"
#include "../../libc/include/stdio.h"

// Our header also made the plain names mean ours; undo that, so plain names are the host's.
#undef snprintf
#undef vsnprintf

static int failures_shown;   // stop printing after a few; one is enough to start debugging

// Format with the host's vsnprintf and with ours into buffers of every size from 0 to one
// past the full length, and compare: return value, the bytes written, and that nothing after
// the NUL was touched. Our buffer is exactly size bytes on the heap, so ASan catches any
// write past its end.
static void compare_v(int line, const char *fmt, va_list ap)
{
    char want[2048];
    va_list a;

    va_copy(a, ap);
    int n = vsnprintf(want, sizeof want, fmt, a);
    va_end(a);
    CHECK(n >= 0 && (size_t)n < sizeof want);   // else the test itself is wrong
    for (size_t size = 0; size <= (size_t)n + 1; size++) {
        char *got = size > 0 ? malloc(size) : NULL;   // size 0: NULL is allowed
        size_t end = size == 0 ? 0 : (size_t)n < size - 1 ? (size_t)n : size - 1;
        bool ok = true;

        if (size > 0)
            memset(got, 0x5a, size);
        va_copy(a, ap);
        int r = libc_vsnprintf(got, size, fmt, a);
        va_end(a);
        if (size > 0)
            ok = memcmp(got, want, end) == 0 && got[end] == '\0';
        for (size_t i = end + 1; i < size; i++)
            ok = ok && got[i] == 0x5a;
        if ((r != n || !ok) && !check_failed_now++ && failures_shown++ < 10) {
            printf("    line %d: format \"%s\", size %zu: got %d \"%.*s\", want %d \"%.*s\"\n",
                   line, fmt, size, r, (int)end, got, n, (int)end, want);
        }
        free(got);
        if (r != n || !ok)
            return;
    }
}

static void compare_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void compare_at(int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    compare_v(line, fmt, ap);
    va_end(ap);
}
// Literal formats are checked by the compiler (-Wformat), so no undefined ones sneak in.
#define CMP(...) compare_at(__LINE__, __VA_ARGS__)

// Compare fmt with the star arguments (nstars of them) and then value x.
#define CMP_ARGS(fmt, nstars, stars, x) do { \
    if ((nstars) == 0) compare_at(__LINE__, fmt, x); \
    else if ((nstars) == 1) compare_at(__LINE__, fmt, (stars)[0], x); \
    else compare_at(__LINE__, fmt, (stars)[0], (stars)[1], x); } while (0)

// Pass v as the type that the length modifier len and conversion conv call for.
static void compare_int(const char *fmt, int nstars, const int *stars, const char *len, char conv, uint64_t v)
{
    bool sgn = conv == 'd' || conv == 'i';

    if (len[0] == 'h' && len[1] == 'h') {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (signed char)v); else CMP_ARGS(fmt, nstars, stars, (unsigned char)v);
    } else if (len[0] == 'h') {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (short)v); else CMP_ARGS(fmt, nstars, stars, (unsigned short)v);
    } else if (len[0] == 'l' && len[1] == 'l') {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (long long)v); else CMP_ARGS(fmt, nstars, stars, (unsigned long long)v);
    } else if (len[0] == 'l') {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (long)v); else CMP_ARGS(fmt, nstars, stars, (unsigned long)v);
    } else if (len[0] == 'z' || len[0] == 't') {   // ssize_t is ptrdiff_t on the host too
        if (sgn) CMP_ARGS(fmt, nstars, stars, (ptrdiff_t)v); else CMP_ARGS(fmt, nstars, stars, (size_t)v);
    } else if (len[0] == 'j') {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (intmax_t)v); else CMP_ARGS(fmt, nstars, stars, (uintmax_t)v);
    } else {
        if (sgn) CMP_ARGS(fmt, nstars, stars, (int)v); else CMP_ARGS(fmt, nstars, stars, (unsigned)v);
    }
}

// Values around every boundary of every integer type; the casts above truncate them.
static const uint64_t edge_values[] = {
    0, 1, 2, 7, 8, 9, 10, 15, 16, 42, 99, 100, 127, 128, 255, 256, 1000, 4095, 32767, 32768,
    65535, 65536, 999999999, INT_MAX, (uint64_t)INT_MAX + 1, UINT_MAX, (uint64_t)UINT_MAX + 1,
    0x123456789abcdef0, LLONG_MAX, (uint64_t)LLONG_MIN, ULLONG_MAX, -1ull, -2ull, -42ull,
    -128ull, -129ull, -32768ull, -32769ull, (uint64_t)(int64_t)INT_MIN, (uint64_t)INT_MIN - 1,
};
enum { NEDGE = sizeof edge_values / sizeof edge_values[0] };

TEST(plain_text_and_percent)
{
    CMP("%s", "");
    CMP("hello, world");
    CMP("%%");
    CMP("100%% sure, %d%%", 5);
    CMP("%d %s %c %x %%", -5, "mixed", 'q', 0xbeefu);
    CMP("%s=%d, %s=%d", "a", 1, "bb", -22);
    CMP("tab\there\nnewline \x80\xff high bytes");
}

TEST(edge_values_table)
{
    CMP("%d", INT_MIN);
    CMP("%d", INT_MAX);
    CMP("%i", INT_MIN);
    CMP("%u", UINT_MAX);
    CMP("%x", UINT_MAX);
    CMP("%o", UINT_MAX);
    CMP("%lld", LLONG_MIN);
    CMP("%lld", LLONG_MAX);
    CMP("%ld", LONG_MIN);
    CMP("%llu", ULLONG_MAX);
    CMP("%llx", ULLONG_MAX);
    CMP("%#llo", ULLONG_MAX);
    CMP("%jd", INTMAX_MIN);
    CMP("%ju", UINTMAX_MAX);
    CMP("%+lld", LLONG_MIN);
    CMP("%30lld|%-30lld|%030lld", LLONG_MIN, LLONG_MIN, LLONG_MIN);
    CMP("%.25lld", LLONG_MIN);
    // hh and h convert the promoted int back to char or short. -Wformat (clang) objects to
    // an int here, so the format goes through a variable.
    const char *narrow = "%hhd %hhd %hhu %hhx %hd %hu";
    compare_at(__LINE__, narrow, 300, -129, 300, -1, 40000, 70000);
    CMP("%zu %zx %td", SIZE_MAX, SIZE_MAX, PTRDIFF_MIN);
    // Precision 0 and the value 0: no digits at all, but signs, prefixes and width stay.
    CMP("[%.0d] [%.0i] [%.0u] [%.0x] [%.0X] [%.0o]", 0, 0, 0u, 0u, 0u, 0u);
    CMP("[%.d] [%5.0d] [%-5.0d] [%+.0d] [% .0d]", 0, 0, 0, 0, 0);
    CMP("[%#.0o] [%#.0x] [%#5.0o] [%#5.0x]", 0u, 0u, 0u, 0u);
    // '#' with 0: no "0x", and %o needs no extra 0.
    CMP("[%#x] [%#X] [%#o] [%#5x] [%#05o]", 0u, 0u, 0u, 0u, 0u);
    CMP("[%#x] [%#X] [%#o] [%#.3o] [%#.3x] [%#010x] [%#-10X]", 255u, 255u, 8u, 8u, 1u, 255u, 255u);
    CMP("[%05d] [%05d] [%+05d] [% 05d] [%05x]", -42, 42, 42, 42, 0xabu);
    CMP("[%5d] [%-5d] [%5.3d] [%-5.3d] [%.3d] [%.3d]", -4, -4, -4, -4, -4, 12345);
}

// Flags that combine in ways -Wformat warns about (one overrides the other, so the compiler
// calls it pointless), but C defines: '-' beats '0', '+' beats ' ', a precision disables '0'.
TEST(overriding_flags)
{
    static const char *formats[] = {
        "%-05d|", "%0-5d|", "%+ d|", "% +d|", "%08.3d|", "%-+08.3d|", "%0#8.3x|", "%+u|",
        "% u|", "%+x|", "% o|", "%+c|", "% s|", "%-0*d|", "%0*d|", "%0.*d|", "%0*.*d|",
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        const char *f = formats[i];
        if (strchr(f, '*')) {
            // A negative star precision counts as none, so '0' applies again.
            static const int stars[][2] = { { 7, 7 }, { -7, -7 }, { -1, -1 }, { 7, -1 }, { 7, 2 } };
            int nstars = strchr(f, '*') == strrchr(f, '*') ? 1 : 2;
            for (size_t s = 0; s < sizeof stars / sizeof stars[0]; s++) {
                compare_int(f, nstars, stars[s], "", 'd', -3);
                compare_int(f, nstars, stars[s], "", 'd', 3);
            }
        } else if (strchr(f, 'c')) {
            CMP_ARGS(f, 0, (int *)NULL, 'x');
        } else if (strchr(f, 's')) {
            CMP_ARGS(f, 0, (int *)NULL, "str");
        } else {
            for (size_t v = 0; v < NEDGE; v++)
                compare_int(f, 0, NULL, "", f[strlen(f) - 2], edge_values[v]);
        }
    }
}

// Every combination of flags, width and precision for every integer conversion.
TEST(int_flag_width_precision_combos)
{
    static const char convs[] = "diouxX", flag_chars[] = "-+ 0#";
    static const char *widths[] = { "", "1", "5", "12", "*" };
    static const char *precs[] = { "", ".", ".0", ".1", ".3", ".12", ".*" };
    static const int star_values[][2] = { { 8, 3 }, { -8, 0 }, { 0, -1 }, { 3, 10 } };
    char fmt[32];

    for (const char *c = convs; *c; c++)
        for (int mask = 0; mask < 32; mask++) {
            if ((mask & 16) && (*c == 'd' || *c == 'i' || *c == 'u'))
                continue;   // '#' is undefined for these
            char flags[6], *f = flags;
            for (int b = 0; b < 5; b++)
                if (mask & (1 << b))
                    *f++ = flag_chars[b];
            *f = '\0';
            for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
                for (size_t p = 0; p < sizeof precs / sizeof precs[0]; p++) {
                    snprintf(fmt, sizeof fmt, "%%%s%s%s%c", flags, widths[w], precs[p], *c);
                    int nstars = (widths[w][0] == '*') + (strchr(precs[p], '*') != NULL);
                    for (size_t s = 0; s < (nstars ? 4 : 1); s++) {
                        // The star arguments come in order: width first, then precision.
                        int stars[2] = { star_values[s][widths[w][0] == '*' ? 0 : 1], star_values[s][1] };
                        for (size_t v = 0; v < NEDGE; v++)
                            compare_int(fmt, nstars, stars, "", *c, edge_values[v]);
                    }
                }
        }
}

TEST(length_modifiers)
{
    static const char *lens[] = { "hh", "h", "", "l", "ll", "z", "j", "t" };
    static const char *specs[] = { "%", "%+", "% ", "%-22", "%022", "%#", "%.20", "%#25.21" };
    static const char convs[] = "diouxX";
    char fmt[32];

    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
        for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++)
            for (const char *c = convs; *c; c++) {
                if (strchr(specs[s], '#') && (*c == 'd' || *c == 'i' || *c == 'u'))
                    continue;
                snprintf(fmt, sizeof fmt, "%s%s%c", specs[s], lens[l], *c);
                for (size_t v = 0; v < NEDGE; v++)
                    compare_int(fmt, 0, NULL, lens[l], *c, edge_values[v]);
            }
}

TEST(star_width_and_precision)
{
    CMP("[%*d] [%*d] [%-*d] [%*d]", 6, 42, -6, 42, -6, 42, 0, 42);
    CMP("[%.*d] [%.*d] [%.*d] [%.*d]", 4, 42, 0, 0, -1, 0, -5, 42);   // negative: no precision
    CMP("[%*.*d] [%*.*x] [%-*.*o]", 8, 4, -42, -8, 4, 42u, 8, -1, 42u);
    CMP("[%*s] [%-*s] [%.*s] [%.*s] [%*.*s]", 6, "ab", 6, "ab", 1, "ab", -1, "ab", -6, 1, "ab");
    CMP("[%*c] [%-*c] [%*p] [%-*p]", 3, 'x', -3, 'y', 20, (void *)0x1234, 20, (void *)NULL);
    CMP("%d %*d %.*d %*.*d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9);   // stars take the right arguments
}

TEST(strings_and_chars)
{
    CMP("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s] [%.0s] [%.10s]", "hello", "hello",
        "hello", "hello", "hello", "hello", "hello", "hello");
    CMP("[%s] [%5s] [%.0s]", "", "", "");
    CMP("[%c] [%5c] [%-5c] [%c] [%c]", 'a', 'b', 'c', 0x80, 0xff);
    CMP("[%c]", 0);   // a NUL in the middle of the output
    CMP("[%s] [%5s]", "\x80\xff", "\x80");

    // NULL: glibc prints "(null)", or nothing if the precision cuts it short. (volatile
    // hides the NULL from gcc, which would rightly warn about it.)
    const char *volatile null = NULL;
    for (int prec = -1; prec <= 8; prec++)
        for (int width = 0; width <= 8; width += 8) {
            CMP("[%*.*s]", width, prec, null);
            CMP("[%-*.*s]", width, prec, null);
        }
}

// With a precision, %s may get an array without a NUL, and must read no further than that.
// Each array is exactly on the heap, so reading one more byte is caught by ASan.
TEST(string_precision_does_not_overread)
{
    for (int n = 0; n <= 16; n++) {
        char *s = malloc(n);   // not one byte more (with ASan, malloc(0) is not NULL)
        memset(s, 'x', n);
        for (int prec = 0; prec <= n; prec++)
            CMP("[%.*s]", prec, s);
        free(s);
    }
}

TEST(pointers)
{
    int x;
    CMP("[%p] [%p] [%p] [%p]", (void *)&x, (void *)NULL, (void *)1, (void *)UINTPTR_MAX);
    CMP("[%20p] [%-20p] [%20p] [%-20p] [%3p]", (void *)&x, (void *)&x, (void *)NULL, (void *)NULL,
        (void *)NULL);
}

TEST(truncation_and_return_value)
{
    // compare_v already tries every size; here also longer output and explicit values.
    CMP("%s %d %s", "a fairly long string to truncate", INT_MIN, "and more after it");
    CMP("%300d|%-300s|", 1, "x");
    char buf[8];
    CHECK_EQ_INT(libc_snprintf(NULL, 0, "%d", 12345), 5);
    CHECK_EQ_INT(libc_snprintf(buf, sizeof buf, "%s", "0123456789"), 10);
    CHECK_EQ_STR(buf, "0123456");
    CHECK_EQ_INT(libc_snprintf(buf, 1, "abc"), 3);
    CHECK_EQ_STR(buf, "");
    buf[0] = 'z';
    CHECK_EQ_INT(libc_snprintf(buf, 0, "abc"), 3);
    CHECK(buf[0] == 'z');   // size 0 writes nothing, not even the NUL
}

// What we do differently from glibc, on purpose: no %n, no floating point, and unknown
// conversions are printed as written (glibc has %m and more). None takes an argument.
TEST(unsupported_conversions)
{
    static const char *cases[][2] = {
        { "%n", "%n" }, { "a%nb", "a%nb" }, { "%hhn", "%hhn" }, { "%f", "%f" },
        { "%5.2f", "%5.2f" }, { "%e %g %a %E %G %A", "%e %g %a %E %G %A" }, { "%Lf", "%Lf" },
        { "%y", "%y" }, { "%-5y|", "%-5y|" }, { "%ly", "%ly" }, { "%m", "%m" },
        { "%", "%" }, { "abc%", "abc%" }, { "%-", "%-" }, { "%5.", "%5." }, { "%ll", "%ll" },
        { "%y%d", "%y7" },
    };
    char buf[64];
    const char *fmt;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fmt = cases[i][0];   // through a variable: -Wformat would rightly reject them
        int n = libc_snprintf(buf, sizeof buf, fmt, 7);
        CHECK_EQ_STR(buf, cases[i][1]);
        CHECK_EQ_INT(n, strlen(cases[i][1]));
    }
}

// vformat itself, with an emit function of our own: count and collect the characters.
struct collect { char buf[64]; int n; };

static void collect_emit(char c, void *ctx)
{
    struct collect *col = ctx;
    if (col->n < (int)sizeof col->buf - 1)
        col->buf[col->n] = c;
    col->n++;
}

static int collect_format(struct collect *col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(col, 0, sizeof *col);
    int r = vformat(collect_emit, col, fmt, ap);
    va_end(ap);
    return r;
}

TEST(vformat_emit)
{
    struct collect col;

    CHECK_EQ_INT(collect_format(&col, "%s-%05d-%c", "ab", -12, 'z'), 10);
    CHECK_EQ_INT(col.n, 10);
    CHECK_EQ_STR(col.buf, "ab--0012-z");
    CHECK_EQ_INT(collect_format(&col, ""), 0);
    CHECK_EQ_INT(col.n, 0);
}

// A small deterministic generator (xorshift64), so a failing case reproduces everywhere.
static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t random_value(void)
{
    switch (rng() % 4) {
    case 0:  return edge_values[rng() % NEDGE];
    case 1:  return rng() % 1000 - 500;   // small, both signs
    case 2:  return rng() >> (rng() % 64);   // any magnitude
    default: return rng();
    }
}

// Append flag c to the format with probability 1/4, if the conversion allows it.
static void maybe_flag(char **f, char c, bool allowed)
{
    if (allowed && rng() % 4 == 0)
        *(*f)++ = c;
}

// One random conversion with random flags, width, precision and length, between random
// text, compared against the host. Undefined combinations are never generated: '#' only for
// o x X, '0' only for integers, precision not for %c and %p, length only for integers,
// and nothing but '-' for %p (glibc's output for the others is its own invention).
static void random_case(void)
{
    static const char convs[] = "diouxXcsp";
    static const char *lens[] = { "", "", "", "hh", "h", "l", "ll", "z", "j", "t" };
    static const char *strings[] = { "", "a", "hello", "hello, world", "\x80\xff", NULL };
    char conv = convs[rng() % (sizeof convs - 1)];
    bool integer = strchr("diouxX", conv) != NULL, p = conv == 'p';
    char fmt[64], *f = fmt;
    int stars[2], nstars = 0;

    if (rng() % 2)
        *f++ = 'a';
    *f++ = '%';
    for (int i = 0; i < 2; i++) {   // twice, so flags come in any order (and may repeat)
        maybe_flag(&f, '-', true);
        maybe_flag(&f, '+', !p);
        maybe_flag(&f, ' ', !p);
        maybe_flag(&f, '0', integer);
        maybe_flag(&f, '#', strchr("oxX", conv) != NULL);
    }
    switch (rng() % 3) {
    case 1: f += sprintf(f, "%d", (int)(rng() % 30 + 1)); break;
    case 2: *f++ = '*'; stars[nstars++] = (int)(rng() % 61) - 30; break;
    }
    if ((integer || conv == 's') && rng() % 2) {
        *f++ = '.';
        switch (rng() % 3) {
        case 1: f += sprintf(f, "%d", (int)(rng() % 30)); break;
        case 2: *f++ = '*'; stars[nstars++] = (int)(rng() % 40) - 5; break;
        }
    }
    const char *len = integer ? lens[rng() % (sizeof lens / sizeof lens[0])] : "";
    f += sprintf(f, "%s%c", len, conv);
    if (rng() % 2)
        *f++ = '|';
    *f = '\0';

    uint64_t v = random_value();
    if (integer)
        compare_int(fmt, nstars, stars, len, conv, v);
    else if (conv == 'c')
        CMP_ARGS(fmt, nstars, stars, (int)(unsigned char)v);
    else if (conv == 's')
        CMP_ARGS(fmt, nstars, stars, strings[v % (sizeof strings / sizeof strings[0])]);
    else
        CMP_ARGS(fmt, nstars, stars, v % 8 == 0 ? NULL : (void *)(uintptr_t)v);
}

TEST(randomized_against_host)
{
    for (int i = 0; i < 20000 && !check_failed_now; i++)
        random_case();
}

CHECK_MAIN()
