// string.c: memory and string functions, written as plain loops so they are easy to check.
//
// Build note: the compiler may recognise a loop such as the one in memset and replace it with
// a call to memset -- inside memset, that is infinite recursion. Compile this file with
// -ffreestanding (or at least -fno-builtin); with gcc also -fno-tree-loop-distribute-patterns.
#include <stdint.h>
#include "string.h"

// memcpy and memset move 8 bytes at a time when the pointers allow it, 64 bytes a loop:
// under QEMU's emulation each pass of a loop costs about as much as the moves in it, so
// fewer passes make a page copy or clear (a fork, a first touch) much cheaper. may_alias
// tells the compiler that these 8-byte accesses can touch objects of any type (like a char
// access can), so they are not undefined behaviour under C's strict aliasing rules.
typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;   // at any address

static int aligned(const void *p)
{
    return (uintptr_t)p % sizeof(word_t) == 0;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (aligned(d)) {
        // x86 loads from any address; the stores stay aligned. (The file data in a cpio
        // archive, for one, is only 4-byte aligned.)
        for (; n >= 8 * sizeof(word_t); n -= 8 * sizeof(word_t), d += 8 * sizeof(word_t), s += 8 * sizeof(word_t)) {
            word_t *w = (word_t *)d;
            const uword_t *v = (const uword_t *)s;
            w[0] = v[0]; w[1] = v[1]; w[2] = v[2]; w[3] = v[3];
            w[4] = v[4]; w[5] = v[5]; w[6] = v[6]; w[7] = v[7];
        }
        for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t), s += sizeof(word_t))
            *(word_t *)d = *(const uword_t *)s;
    }
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (s < d && d < s + n) {
        // dst starts inside src: a forward copy would overwrite source bytes before reading
        // them, so copy from the end backwards.
        while (n-- > 0)
            d[n] = s[n];
    } else {
        while (n-- > 0)
            *d++ = *s++;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;

    if (aligned(d)) {
        word_t pattern = 0x0101010101010101ull * b;   // b in every byte
        for (; n >= 8 * sizeof(word_t); n -= 8 * sizeof(word_t), d += 8 * sizeof(word_t)) {
            word_t *w = (word_t *)d;
            w[0] = w[1] = w[2] = w[3] = w[4] = w[5] = w[6] = w[7] = pattern;
        }
        for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t))
            *(word_t *)d = pattern;
    }
    while (n-- > 0)
        *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] - y[i];
    }
    return 0;
}

void *memchr(const void *p, int c, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == (unsigned char)c)
            return (void *)(s + i);
    }
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] != '\0')   // test n first: s[max] may not be readable
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while (*x != '\0' && *x == *y) {
        x++;
        y++;
    }
    return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] - y[i];
        if (x[i] == '\0')
            break;
    }
    return 0;
}

char *strcpy(char *dst, const char *src)
{
    char *d = dst;

    while ((*d++ = *src++) != '\0')
        ;
    return dst;
}

char *strncpy(char *dst, const char *src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i] != '\0'; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = '\0';
    return dst;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;   // len >= size means the copy was truncated
}

char *strcat(char *dst, const char *src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strncat(char *dst, const char *src, size_t n)
{
    char *d = dst + strlen(dst);
    size_t i = 0;

    for (; i < n && src[i] != '\0'; i++)
        d[i] = src[i];
    d[i] = '\0';
    return dst;
}

// The terminating NUL counts as part of the string: strchr(s, 0) finds the end of s.
char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (*s == '\0')
            return (char *)last;
    }
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack != '\0'; haystack++) {
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    }
    return n == 0 ? (char *)haystack : NULL;   // "" is found even in ""
}

size_t strspn(const char *s, const char *accept)
{
    size_t n = 0;

    while (s[n] != '\0' && strchr(accept, s[n]) != NULL)
        n++;
    return n;
}

size_t strcspn(const char *s, const char *reject)
{
    size_t n = 0;

    while (s[n] != '\0' && strchr(reject, s[n]) == NULL)
        n++;
    return n;
}

char *strtok_r(char *str, const char *delim, char **save)
{
    char *tok = str != NULL ? str : *save;

    tok += strspn(tok, delim);        // skip delimiters before the token
    if (*tok == '\0') {
        *save = tok;
        return NULL;
    }
    char *end = tok + strcspn(tok, delim);
    if (*end != '\0')
        *end++ = '\0';                // cut the token off; continue after the delimiter
    *save = end;
    return tok;
}
