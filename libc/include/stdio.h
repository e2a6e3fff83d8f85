// stdio.h: formatted output. So far only the string functions, which the kernel uses too.
// User programs' FILE, printf and friends belong here as well, built on vformat (format.h).
#pragma once
#include <stdarg.h>
#include <stddef.h>

#ifdef LIBC_HOST_TEST
// The host unit tests rename ours so they do not clash with the host's; see string.h.
#define snprintf  libc_snprintf
#define vsnprintf libc_vsnprintf
#endif

// Write at most size bytes to buf, always NUL-terminated if size > 0 (size 0 writes nothing,
// and buf may then be NULL). Return the length the full output has, so a result >= size
// means it was truncated.
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
