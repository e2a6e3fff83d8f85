// format.c: the printf engine (vformat) and the string functions built on it (snprintf).
//
// A conversion is written %[flags][width][.precision][length]conversion, e.g. "%-08.3lx".
// vformat parses each one into a struct spec, fetches the argument, and prints it padded to
// the field width. There is no floating point anywhere: the kernel is compiled with
// -mgeneral-regs-only, which forbids it.
#include <stdbool.h>
#include <stdint.h>
#include "ctype.h"
#include "format.h"
#include "stdio.h"
#include "string.h"

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct spec {
    bool left;         // '-': pad on the right instead of the left
    bool plus;         // '+': signed conversions always get a sign
    bool space;        // ' ': a space where '+' would go
    bool zero;         // '0': numbers are padded with zeros instead of spaces
    bool alt;          // '#': "0x" before %x, a leading 0 for %o
    int width;         // minimum field width; 0 if none
    int prec;          // precision; -1 if none
    enum length len;
    char conv;         // the conversion letter, or '\0' if the format ended early
};

// Where the characters go, and how many there were.
struct out {
    void (*emit)(char c, void *ctx);
    void *ctx;
    size_t count;
};

static void put(struct out *o, char c)
{
    o->emit(c, o->ctx);
    o->count++;
}

static void put_n(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static void pad(struct out *o, char c, int n)
{
    for (; n > 0; n--)
        put(o, c);
}

// Read a decimal number, saturating instead of overflowing on absurd widths.
static int parse_num(const char **fmt)
{
    int n = 0;

    for (; isdigit(**fmt); (*fmt)++)
        n = n > (__INT_MAX__ - 9) / 10 ? __INT_MAX__ : n * 10 + (**fmt - '0');
    return n;
}

static enum length parse_length(const char **fmt)
{
    const char *f = *fmt;
    enum length len = LEN_NONE;

    switch (*f) {
    case 'h': len = f[1] == 'h' ? LEN_HH : LEN_H; break;
    case 'l': len = f[1] == 'l' ? LEN_LL : LEN_L; break;
    case 'z': len = LEN_Z; break;
    case 'j': len = LEN_J; break;
    case 't': len = LEN_T; break;
    default:  return LEN_NONE;
    }
    *fmt += (len == LEN_HH || len == LEN_LL) ? 2 : 1;
    return len;
}

// Parse the part of a conversion after the '%'. '*' takes the width or precision from the
// next int argument. Returns a pointer just past the conversion letter, but never past the
// end of the format.
static const char *parse_spec(const char *fmt, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .prec = -1 };
    for (;; fmt++) {
        if (*fmt == '-') s->left = true;
        else if (*fmt == '+') s->plus = true;
        else if (*fmt == ' ') s->space = true;
        else if (*fmt == '0') s->zero = true;
        else if (*fmt == '#') s->alt = true;
        else break;
    }
    if (*fmt == '*') {
        int w = va_arg(*ap, int);
        fmt++;
        if (w < 0) {              // a negative width means '-' and its absolute value
            s->left = true;
            w = w < -__INT_MAX__ ? __INT_MAX__ : -w;
        }
        s->width = w;
    } else {
        s->width = parse_num(&fmt);
    }
    if (*fmt == '.') {
        fmt++;
        if (*fmt == '*') {
            int p = va_arg(*ap, int);
            fmt++;
            s->prec = p < 0 ? -1 : p;    // a negative precision counts as none
        } else {
            s->prec = parse_num(&fmt);   // "." alone means precision 0
        }
    }
    s->len = parse_length(&fmt);
    s->conv = *fmt;
    return *fmt != '\0' ? fmt + 1 : fmt;
}

// Fetch an integer argument of the type the length modifier names. Types narrower than int
// arrive promoted to int; C says to convert them back before printing, so %hhd of 300 is 44.
static intmax_t arg_signed(const struct spec *s, va_list *ap)
{
    switch (s->len) {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H:  return (short)va_arg(*ap, int);
    case LEN_L:  return va_arg(*ap, long);
    case LEN_LL: return va_arg(*ap, long long);
    case LEN_Z:  return va_arg(*ap, ptrdiff_t);   // the signed size_t (ssize_t) is this size
    case LEN_J:  return va_arg(*ap, intmax_t);
    case LEN_T:  return va_arg(*ap, ptrdiff_t);
    default:     return va_arg(*ap, int);
    }
}

static uintmax_t arg_unsigned(const struct spec *s, va_list *ap)
{
    switch (s->len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, int);
    case LEN_H:  return (unsigned short)va_arg(*ap, int);
    case LEN_L:  return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z:  return va_arg(*ap, size_t);
    case LEN_J:  return va_arg(*ap, uintmax_t);
    case LEN_T:  return va_arg(*ap, size_t);     // the unsigned ptrdiff_t is this size
    default:     return va_arg(*ap, unsigned int);
    }
}

// Write the digits of v just before end; return where they start.
static char *to_digits(char *end, uintmax_t v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    do {
        *--end = digits[v % base];
        v /= base;
    } while (v != 0);
    return end;
}

// What goes before the digits: a sign for %d, "0x" for %#x.
static const char *int_prefix(const struct spec *s, uintmax_t mag, bool neg)
{
    if (s->conv == 'd' || s->conv == 'i')
        return neg ? "-" : s->plus ? "+" : s->space ? " " : "";
    if (s->alt && mag != 0)   // C: '#' adds the 0x only to nonzero values
        return s->conv == 'x' ? "0x" : s->conv == 'X' ? "0X" : "";
    return "";
}

// Print an integer conversion. The sign comes separately from the magnitude, so that
// INTMAX_MIN works: its magnitude does not fit in intmax_t, but it does in uintmax_t.
// The field is: [spaces] prefix [zeros] digits [spaces].
static void print_int(struct out *o, const struct spec *s, uintmax_t mag, bool neg)
{
    char buf[24];   // 22 octal digits hold 64 bits
    unsigned base = s->conv == 'o' ? 8 : (s->conv == 'x' || s->conv == 'X') ? 16 : 10;
    char *digits = to_digits(buf + sizeof buf, mag, base, s->conv == 'X');
    int ndigits = (int)(buf + sizeof buf - digits);

    if (s->prec == 0 && mag == 0)
        ndigits = 0;                 // C: precision 0 prints the value 0 as no digits at all
    int zeros = s->prec > ndigits ? s->prec - ndigits : 0;   // precision = minimum digits
    if (s->alt && s->conv == 'o' && zeros == 0 && (ndigits == 0 || digits[0] != '0'))
        zeros = 1;                   // '#' with %o: the first digit must be a 0

    const char *prefix = int_prefix(s, mag, neg);
    int len = (int)strlen(prefix) + zeros + ndigits;
    if (s->zero && !s->left && s->prec < 0 && s->width > len) {
        zeros += s->width - len;     // '0' pads with zeros after the prefix; it is
        len = s->width;              // ignored with '-' or with a precision
    }
    if (!s->left)
        pad(o, ' ', s->width - len);
    put_n(o, prefix, strlen(prefix));
    pad(o, '0', zeros);
    put_n(o, digits, ndigits);
    if (s->left)
        pad(o, ' ', s->width - len);
}

// Print n bytes as a field of at least the width (used for %c, %s and "(nil)").
static void print_field(struct out *o, const struct spec *s, const char *str, size_t n)
{
    int padding = (size_t)s->width > n ? s->width - (int)n : 0;

    if (!s->left)
        pad(o, ' ', padding);
    put_n(o, str, n);
    if (s->left)
        pad(o, ' ', padding);
}

static void print_string(struct out *o, const struct spec *s, const char *str)
{
    if (str == NULL) {
        // Passing NULL is a bug in the caller; like glibc, say so instead of crashing, but
        // print nothing rather than a cut-off "(nu" if the precision is too small.
        str = s->prec < 0 || s->prec >= 6 ? "(null)" : "";
    }
    // With a precision, str need not be NUL-terminated: strnlen reads at most prec bytes.
    print_field(o, s, str, strnlen(str, s->prec < 0 ? SIZE_MAX : (size_t)s->prec));
}

// %p looks like glibc's: "0x" and lowercase hex, i.e. %#lx, and "(nil)" for NULL.
static void print_pointer(struct out *o, struct spec *s, void *p)
{
    if (p == NULL) {
        print_field(o, s, "(nil)", 5);
        return;
    }
    s->conv = 'x';
    s->alt = true;
    print_int(o, s, (uintptr_t)p, false);
}

// Print one conversion. Returns false for conversions we do not support, which the caller
// then prints as written: "%y" prints "%y".
static bool convert(struct out *o, struct spec *s, va_list *ap)
{
    switch (s->conv) {
    case 'd':
    case 'i': {
        intmax_t v = arg_signed(s, ap);
        // 0 - (uintmax_t)v is the magnitude, computed without signed overflow.
        print_int(o, s, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0);
        return true;
    }
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        print_int(o, s, arg_unsigned(s, ap), false);
        return true;
    case 'c': {
        char c = (char)va_arg(*ap, int);   // chars arrive promoted to int
        print_field(o, s, &c, 1);
        return true;
    }
    case 's':
        print_string(o, s, va_arg(*ap, const char *));
        return true;
    case 'p':
        print_pointer(o, s, va_arg(*ap, void *));
        return true;
    case '%':
        put(o, '%');
        return true;
    // %f %e %g %a would go here, for user space only. Until then they fall through to
    // default and are printed as written; their double argument is not consumed.
    // %n is deliberately unsupported (it writes through a pointer, a classic exploit
    // primitive); it is printed as "%n" and its argument is not consumed.
    default:
        return false;
    }
}

int vformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt, va_list ap)
{
    struct out o = { emit, ctx, 0 };
    struct spec s;
    va_list args;

    // The helpers take a va_list * and advance it. Pointing at our own copy is the portable
    // way: ap may be an array type (on x86_64 it is), and then &ap has the wrong type.
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        const char *start = fmt;
        fmt = parse_spec(fmt + 1, &s, &args);
        if (!convert(&o, &s, &args))
            put_n(&o, start, (size_t)(fmt - start));
    }
    va_end(args);
    return o.count > __INT_MAX__ ? -1 : (int)o.count;
}

// vsnprintf's emit: store while there is room, always keeping one byte for the NUL.
struct strbuf {
    char *buf;
    size_t size;
    size_t len;   // characters emitted so far, stored or not
};

static void strbuf_emit(char c, void *ctx)
{
    struct strbuf *b = ctx;

    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct strbuf b = { buf, size, 0 };
    int n = vformat(strbuf_emit, &b, fmt, ap);

    if (size > 0)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
