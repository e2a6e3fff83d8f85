// string.h: memory and string functions, shared by the kernel and user programs.
// All comparisons look at bytes as unsigned char, as the C standard requires.
#pragma once
#include <stddef.h>

#ifdef LIBC_HOST_TEST
// The host unit tests (tests/unit) link this code into an ordinary program, next to the host's
// C library and the sanitizers, which already own these names. Renaming ours keeps the two
// apart: the tests call libc_strlen (ours) and compare it with strlen (the host's).
#define memcpy   libc_memcpy
#define memmove  libc_memmove
#define memset   libc_memset
#define memcmp   libc_memcmp
#define memchr   libc_memchr
#define strlen   libc_strlen
#define strnlen  libc_strnlen
#define strcmp   libc_strcmp
#define strncmp  libc_strncmp
#define strcpy   libc_strcpy
#define strncpy  libc_strncpy
#define strlcpy  libc_strlcpy
#define strcat   libc_strcat
#define strncat  libc_strncat
#define strchr   libc_strchr
#define strrchr  libc_strrchr
#define strstr   libc_strstr
#define strspn   libc_strspn
#define strcspn  libc_strcspn
#define strtok_r libc_strtok_r
#endif

void *memcpy(void *dst, const void *src, size_t n);   // regions must not overlap
void *memmove(void *dst, const void *src, size_t n);  // regions may overlap
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *p, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);            // reads at most max bytes
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);  // pads with NULs; may leave dst unterminated!
size_t strlcpy(char *dst, const char *src, size_t size);  // always terminates; returns strlen(src)
char *strcat(char *dst, const char *src);
char *strncat(char *dst, const char *src, size_t n);  // appends at most n bytes, then a NUL
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
// Split str into tokens separated by bytes from delim. First call with the string, then with
// NULL; *save remembers the position between calls. (No strtok: its hidden state is not
// reentrant, which matters in a kernel.)
char *strtok_r(char *str, const char *delim, char **save);

#if !defined(__KERNEL__) && !defined(LIBC_HOST_TEST)
// ---- user space only
char *strerror(int errnum);            // glibc's message: "No such file or directory"
const char *strerrorname_np(int errnum);   // the name: "ENOENT"; NULL if unknown
char *strdup(const char *s);           // a malloc'd copy
#endif
