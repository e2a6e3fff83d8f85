// syscall.c: the one place where user space enters the kernel, and errno.
#include <stdarg.h>
#include <unistd.h>
#include "internal.h"

// One thread per process for now, so one errno. With threads, this will live in TLS.
static int errno_value;

int *__errno_location(void)
{
    return &errno_value;
}

// The register constraints put n in rax and the first three arguments in rdi, rsi, rdx;
// C has no constraint letters for r10, r8 and r9, hence the register variables. The
// instruction itself overwrites rcx and r11, and the kernel may read or write any memory
// we passed it a pointer to, so the compiler must not keep memory values in registers
// across the call ("memory").
long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

// Results from -4095 to -1 are errors; anything else (a large address from mmap, say)
// is a value.
long __syscall_ret(long r)
{
    if (r < 0 && r >= -4095) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

// Taking six arguments whatever the call needs is what glibc does too: extra va_args just
// read registers or stack words that the kernel then ignores.
long syscall(long n, ...)
{
    va_list ap;
    long a[6];

    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    return __syscall_ret(__syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]));
}
