// test_stdlib.c: our strtol family, atoi and qsort (libc/strtol.c, libc/qsort.c) against the
// host C library's.
//
// Compiled with -DLIBC_HOST_TEST, our stdlib.h names ours libc_strtol, ... (see
// libc/include/string.h for why). Below, libc_x is ours and plain x the host's. Both set
// the same errno: ours writes errno through __errno_location, which is glibc's here.
#include "check.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include "../../libc/include/stdlib.h"

#undef strtol
#undef strtoul
#undef strtoll
#undef strtoull
#undef atoi
#undef atol
#undef qsort

static const char *inputs[] = {
    "0", "1", "-1", "+1", "42", "  \t\n 42", "42abc", "abc", "", " ", "-", "+", "+-1", "--1",
    "0x", "0x1f", "0X1F", "0xg", "-0x10", "0x-1", "010", "08", "0b101", "  -0", "1e5",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "-18446744073709551615", "-18446744073709551616", "99999999999999999999999999",
    "0xffffffffffffffff", "0x10000000000000000", "zz", "ZZ", "Zz9", "7fffffff", "  +0x7f ",
    "1234567890123456789012345678901234567890", "0000000000000000000000000000000000001",
    ("\x80" "1"), "1\x80",          // (split so that \x80 does not swallow the 1)
};
static const int bases[] = { 0, 2, 8, 10, 16, 36, 1, -1, 37, 3, 35 };

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

// Run ours and the host's on every input and base; the value, errno and end must agree.
#define COMPARE(ours, theirs, type, fmt) do { \
    for (int i = 0; i < N(inputs); i++) for (int b = 0; b < N(bases); b++) { \
        const char *s = inputs[i]; char *e1 = NULL, *e2 = NULL; \
        errno = 0; type want = theirs(s, &e2, bases[b]); int want_errno = errno; \
        errno = 0; type got = ours(s, &e1, bases[b]); int got_errno = errno; \
        /* glibc leaves the end pointer alone for a bad base; we set it to s: skip that */ \
        int bad_base = bases[b] == 1 || bases[b] < 0 || bases[b] > 36; \
        if (got != want || got_errno != want_errno || (!bad_base && e1 != e2)) { \
            printf("    %s(\"%s\", %d): got " fmt " errno %d end +%ld, want " fmt \
                   " errno %d end +%ld\n", #ours, s, bases[b], got, got_errno, \
                   (long)(e1 - s), want, want_errno, (long)(e2 - s)); \
            check_failed_now = 1; } } } while (0)

TEST(strtol_matches_glibc)   { COMPARE(libc_strtol, strtol, long, "%ld"); }
TEST(strtoul_matches_glibc)  { COMPARE(libc_strtoul, strtoul, unsigned long, "%lu"); }
TEST(strtoll_matches_glibc)  { COMPARE(libc_strtoll, strtoll, long long, "%lld"); }
TEST(strtoull_matches_glibc) { COMPARE(libc_strtoull, strtoull, unsigned long long, "%llu"); }

TEST(end_may_be_null)
{
    CHECK_EQ_INT(libc_strtol("123", NULL, 10), 123);
    CHECK_EQ_INT(libc_strtoull("-1", NULL, 0), -1);
}

TEST(atoi_atol)
{
    for (int i = 0; i < N(inputs); i++) {
        if (strtol(inputs[i], NULL, 10) >= INT_MIN && strtol(inputs[i], NULL, 10) <= INT_MAX)
            CHECK_EQ_INT(libc_atoi(inputs[i]), atoi(inputs[i]));   // else undefined in C
        CHECK_EQ_INT(libc_atol(inputs[i]), atol(inputs[i]));
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

// Records with a payload, to check that whole elements move (size not a power of two).
struct rec { int key; char name[7]; };

static int cmp_rec(const void *a, const void *b)
{
    return cmp_int(&((const struct rec *)a)->key, &((const struct rec *)b)->key);
}

TEST(qsort_sorts_like_glibc)
{
    static int ours[2000], theirs[2000];
    unsigned seed = 1;

    for (int n = 0; n <= 2000; n = n < 20 ? n + 1 : n * 3) {
        for (int mod = 2; mod <= 1 << 20; mod <<= 9) {      // many duplicates .. few
            for (int i = 0; i < n; i++) {
                seed = seed * 1103515245 + 12345;
                ours[i] = theirs[i] = (int)((seed >> 8) % (unsigned)mod) - mod / 2;
            }
            libc_qsort(ours, (size_t)n, sizeof(int), cmp_int);
            qsort(theirs, (size_t)n, sizeof(int), cmp_int);
            CHECK(memcmp(ours, theirs, (size_t)n * sizeof(int)) == 0);
        }
    }
    int sorted[100], reversed[100];
    for (int i = 0; i < 100; i++) {
        sorted[i] = i;
        reversed[i] = 99 - i;
    }
    libc_qsort(sorted, 100, sizeof(int), cmp_int);
    libc_qsort(reversed, 100, sizeof(int), cmp_int);
    for (int i = 0; i < 100; i++)
        CHECK(sorted[i] == i && reversed[i] == i);
}

TEST(qsort_moves_whole_records)
{
    struct rec r[300];

    for (int i = 0; i < 300; i++) {
        r[i].key = (i * 7919) % 300;     // a permutation of 0..299
        snprintf(r[i].name, sizeof r[i].name, "n%d", r[i].key);
    }
    libc_qsort(r, 300, sizeof r[0], cmp_rec);
    for (int i = 0; i < 300; i++) {
        char want[7];
        snprintf(want, sizeof want, "n%d", i);
        CHECK(r[i].key == i);
        CHECK_EQ_STR(r[i].name, want);
    }
    libc_qsort(NULL, 0, sizeof r[0], cmp_rec);    // n = 0 must not touch base
}

CHECK_MAIN()
