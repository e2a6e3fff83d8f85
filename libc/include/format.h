// format.h: the printf engine. Every printf-like function (snprintf, the kernel's printk, and
// later the user-space printf) parses its format here and only decides where characters go:
// vformat calls emit(c, ctx) once per output character.
#pragma once
#include <stdarg.h>

// Format like vprintf and return the number of characters emitted, or -1 if that is more
// than an int can hold. Supported: %d %i %u %o %x %X %c %s %p %%, the flags - + space 0 #,
// width and precision (also as *), and the length modifiers hh h l ll z j t.
// Not supported, and printed as written: %n, floating point (%f %e %g %a), wide characters.
int vformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);
