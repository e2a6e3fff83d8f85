// stdlib.h: memory allocation, process exit, the environment, number parsing, sorting.
#pragma once
#include <stddef.h>

#ifdef LIBC_HOST_TEST
// The host unit tests link some of this code beside the host's C library: see string.h.
#define strtol   libc_strtol
#define strtoul  libc_strtoul
#define strtoll  libc_strtoll
#define strtoull libc_strtoull
#define atoi     libc_atoi
#define atol     libc_atol
#define qsort    libc_qsort
#endif

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

// Blocks are 16-byte aligned, like glibc's: enough for any type. malloc(0) returns a
// unique pointer; realloc(p, 0) frees p and returns NULL.
void *malloc(size_t size);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);

// exit runs the atexit handlers (last registered first), flushes stdio, and ends the
// process; _Exit, like _exit, does only the last step.
__attribute__((noreturn)) void exit(int status);
__attribute__((noreturn)) void _Exit(int status);
__attribute__((noreturn)) void abort(void);
int atexit(void (*fn)(void));

char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);

// Parse an integer: skip white space, an optional sign, then digits in base 2..36. Base 0
// means C's rules: "0x" is hex, a leading "0" octal, else decimal. *end (if end is not
// NULL) points after the last digit used, or to s itself if there was no number. Out of
// range: the type's limit, and errno = ERANGE.
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);
long atol(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
