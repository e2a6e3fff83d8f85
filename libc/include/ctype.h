// ctype.h: character classes for ASCII (the "C" locale). Bytes >= 0x80 and EOF belong to no
// class, and toupper/tolower return them unchanged.
#pragma once

#ifdef LIBC_HOST_TEST
// See string.h. The host's <ctype.h> may define these names as macros, so drop those first.
#undef isdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isxdigit
#undef isprint
#undef toupper
#undef tolower
#define isdigit  libc_isdigit
#define isspace  libc_isspace
#define isalpha  libc_isalpha
#define isalnum  libc_isalnum
#define isupper  libc_isupper
#define islower  libc_islower
#define isxdigit libc_isxdigit
#define isprint  libc_isprint
#define toupper  libc_toupper
#define tolower  libc_tolower
#endif

static inline int isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int isalpha(int c) { return isupper(c) || islower(c); }
static inline int isalnum(int c) { return isalpha(c) || isdigit(c); }
static inline int isxdigit(int c) { return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// ' ', and '\t' '\n' '\v' '\f' '\r', which are consecutive in ASCII.
static inline int isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
// Everything from ' ' up to '~'; 0x7f (DEL) is a control character.
static inline int isprint(int c) { return c >= ' ' && c <= '~'; }
static inline int toupper(int c) { return islower(c) ? c - 'a' + 'A' : c; }
static inline int tolower(int c) { return isupper(c) ? c - 'A' + 'a' : c; }
