// stdio.h: formatted output. The string functions (snprintf) are shared with the kernel;
// FILE, printf and the rest are for user programs only, built on vformat (format.h).
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

#if !defined(__KERNEL__) && !defined(LIBC_HOST_TEST)
// ---- user space only: streams (libc/stdio.c) and printf (libc/printf.c)
//
// A FILE is a file descriptor with a buffer. Buffering is glibc's: stdout is line-buffered
// when it is a terminal and fully buffered otherwise (one write per BUFSIZ bytes); stderr
// is unbuffered; exit() flushes everything.
typedef struct FILE FILE;
extern FILE *stdin, *stdout, *stderr;

#define EOF       (-1)
#define BUFSIZ    4096
#define FOPEN_MAX 16      // open streams at once, stdin/stdout/stderr included
#define _IOFBF    0       // setvbuf modes: fully buffered,
#define _IOLBF    1       // flushed at every newline,
#define _IONBF    2       // or unbuffered
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

FILE *fopen(const char *path, const char *mode);   // mode: r w a, optionally + b e x
FILE *fdopen(int fd, const char *mode);
int fclose(FILE *f);
int fflush(FILE *f);                                // NULL: every stream
int setvbuf(FILE *f, char *buf, int mode, size_t size);   // before the first I/O only
int fileno(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
void clearerr(FILE *f);

size_t fread(void *buf, size_t size, size_t n, FILE *f);
size_t fwrite(const void *buf, size_t size, size_t n, FILE *f);
int fgetc(FILE *f);
int getc(FILE *f);
int getchar(void);
char *fgets(char *buf, int size, FILE *f);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *s, FILE *f);
int puts(const char *s);                            // adds a newline

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int vfprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int vdprintf(int fd, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int vsprintf(char *buf, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void perror(const char *prefix);    // "prefix: <strerror(errno)>" on stderr
int rename(const char *oldpath, const char *newpath);   // libc/path.c
#endif
