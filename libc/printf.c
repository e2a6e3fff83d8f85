// printf.c: the printf family for streams and file descriptors, and perror. vformat
// (format.c) does the formatting; here we only decide where the characters go.
//
// They are collected in a small buffer on the stack and passed on a chunk at a time, so
// that even an unbuffered stream (stderr) gets one write() per printf, not one per
// character, and a message is not torn apart by another process writing in between.
#include <errno.h>
#include <format.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct sink {
    FILE *f;           // the characters go to this stream,
    int fd;            // or, if f is NULL, straight to this file descriptor
    size_t n;
    int failed;
    char buf[128];
};

static void sink_flush(struct sink *s)
{
    const char *p = s->buf;
    size_t n = s->n;

    s->n = 0;
    if (s->f != NULL) {
        if (fwrite(p, 1, n, s->f) != n)
            s->failed = 1;
        return;
    }
    while (n > 0) {                       // write() may take less than all of it
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->failed = 1;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void sink_emit(char c, void *ctx)
{
    struct sink *s = ctx;

    s->buf[s->n++] = c;
    if (s->n == sizeof s->buf)
        sink_flush(s);
}

static int sink_printf(struct sink *s, const char *fmt, va_list ap)
{
    int n = vformat(sink_emit, s, fmt, ap);

    sink_flush(s);
    return s->failed ? -1 : n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    struct sink s = { .f = f };

    return sink_printf(&s, fmt, ap);
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    struct sink s = { .f = NULL, .fd = fd };

    return sink_printf(&s, fmt, ap);
}

int vprintf(const char *fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

// sprintf cannot know the size of buf; that is why snprintf exists. INT_MAX is the most
// any printf can return.
int vsprintf(char *buf, const char *fmt, va_list ap)
{
    return vsnprintf(buf, __INT_MAX__, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}

// Like glibc: "prefix: message", or just the message if prefix is NULL or "".
void perror(const char *prefix)
{
    const char *msg = strerror(errno);

    if (prefix != NULL && *prefix != '\0')
        fprintf(stderr, "%s: %s\n", prefix, msg);
    else
        fprintf(stderr, "%s\n", msg);
}
