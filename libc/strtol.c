// strtol.c: strings to integers, with glibc's rules for prefixes, signs, the end pointer
// and overflow. One parser serves all four functions: it returns the magnitude and the
// sign, and each function then applies the limits of its type.
#include <stdbool.h>
#include "ctype.h"
#include "errno.h"
#include "limits.h"
#include "stdlib.h"

// The value of c as a digit: 0-9, then a-z (or A-Z) for 10-35; 36 for anything else,
// which is not a digit in any base.
static unsigned digit(char c)
{
    if (isdigit(c))
        return (unsigned)(c - '0');
    if (isalpha(c))
        return (unsigned)(tolower(c) - 'a' + 10);
    return 36;
}

// Parse into a magnitude, which saturates at ULLONG_MAX with *overflow set.
static unsigned long long parse(const char *s, char **end, int base, bool *neg, bool *overflow)
{
    const char *p = s;
    unsigned long long v = 0;
    bool any = false;

    *neg = *overflow = false;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (end != NULL)
            *end = (char *)s;
        return 0;
    }
    while (isspace(*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    // "0x" is a prefix only when a hex digit follows: "0xg" is the number 0, then "xg".
    if ((base == 0 || base == 16) && p[0] == '0' && tolower(p[1]) == 'x' && digit(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = *p == '0' ? 8 : 10;
    }
    for (unsigned d; (d = digit(*p)) < (unsigned)base; p++) {
        any = true;
        if (v > (ULLONG_MAX - d) / (unsigned)base)
            *overflow = true;    // keep reading: the end pointer goes past every digit
        else
            v = v * (unsigned)base + d;
    }
    if (end != NULL)
        *end = (char *)(any ? p : s);   // no digits: no number, not even the sign
    return *overflow ? ULLONG_MAX : v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
    bool neg, overflow;
    unsigned long long v = parse(s, end, base, &neg, &overflow);

    if (overflow) {
        errno = ERANGE;
        return ULLONG_MAX;
    }
    return neg ? 0 - v : v;    // C says so: strtoul("-1") is ULONG_MAX
}

long long strtoll(const char *s, char **end, int base)
{
    bool neg, overflow;
    unsigned long long v = parse(s, end, base, &neg, &overflow);
    unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;

    if (overflow || v > limit) {
        errno = ERANGE;
        return neg ? LLONG_MIN : LLONG_MAX;
    }
    // For LLONG_MIN, 0 - v is 2^63, which converts to LLONG_MIN (gcc and clang define
    // the conversion as modulo 2^64).
    return neg ? (long long)(0 - v) : (long long)v;
}

// long is long long on x86_64 (LP64).
long strtol(const char *s, char **end, int base)
{
    return strtoll(s, end, base);
}

unsigned long strtoul(const char *s, char **end, int base)
{
    return strtoull(s, end, base);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
    return strtol(s, NULL, 10);
}
