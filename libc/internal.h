// internal.h: shared by the libc sources, not installed for programs.
#pragma once
#include <errno.h>
#include <sys/syscall.h>

// Shorthands for __syscall with n arguments, converting each to long.
#define sys0(n)             __syscall(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)          __syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)       __syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)    __syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) __syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys6(n, a, b, c, d, e, f) \
    __syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

// Turn a raw result into the C library convention: -errno becomes errno and -1.
long __syscall_ret(long r);
