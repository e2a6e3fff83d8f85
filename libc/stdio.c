// stdio.c: streams. A FILE is a file descriptor plus a buffer, so that printing many
// small pieces costs few system calls.
//
// Buffering follows glibc: a stream is fully buffered (written when the buffer fills) or,
// if it is a terminal, line-buffered (written at every newline as well). That is decided at
// the stream's first use, because only then do we know what the fd is. stderr is
// unbuffered, so error messages appear at once. exit() flushes every stream.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_READ   1     // may be read
#define F_WRITE  2     // may be written (a slot with neither is free)
#define F_EOF    4     // a read found the end of the file
#define F_ERR    8     // a read or write failed
#define F_OWNBUF 16    // we malloc'd buf: fclose frees it

#define MODE_UNDECIDED (-1)    // _IOLBF or _IOFBF, decided at the first I/O

struct FILE {
    int fd;
    int flags;
    int mode;              // _IOFBF, _IOLBF, _IONBF, or MODE_UNDECIDED
    unsigned char *buf;    // NULL until the first I/O (unless setvbuf gave one)
    size_t size;
    unsigned char one;     // the buffer of an unbuffered stream, which reads a byte at a time
    // A stream is writing or reading, never both at once:
    size_t wlen;           // writing: buf[0..wlen) is still to be written
    size_t rpos, rlen;     // reading: buf[rpos..rlen) was read but not yet returned
};

static unsigned char stdin_buf[BUFSIZ], stdout_buf[BUFSIZ];

static FILE files[FOPEN_MAX] = {
    { .fd = 0, .flags = F_READ,  .mode = MODE_UNDECIDED, .buf = stdin_buf,  .size = BUFSIZ },
    { .fd = 1, .flags = F_WRITE, .mode = MODE_UNDECIDED, .buf = stdout_buf, .size = BUFSIZ },
    { .fd = 2, .flags = F_WRITE, .mode = _IONBF },
};

FILE *stdin = &files[0];
FILE *stdout = &files[1];
FILE *stderr = &files[2];

// Decide the buffering and find a buffer, the first time f is used.
static void setup(FILE *f)
{
    if (f->mode == MODE_UNDECIDED) {
        int saved = errno;    // isatty's ENOTTY must not leak into the caller's errno
        f->mode = isatty(f->fd) ? _IOLBF : _IOFBF;
        errno = saved;
    }
    if (f->buf != NULL)
        return;
    if (f->mode != _IONBF)
        f->buf = malloc(BUFSIZ);
    if (f->buf != NULL) {
        f->size = BUFSIZ;
        f->flags |= F_OWNBUF;
    } else {                  // asked for no buffer, or out of memory: work unbuffered
        f->mode = _IONBF;
        f->buf = &f->one;
        f->size = 1;
    }
}

// Write all n bytes: a pipe or a terminal may take fewer at a time.
static int write_all(FILE *f, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            f->flags |= F_ERR;
            return EOF;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int fflush(FILE *f)
{
    if (f == NULL) {
        int ret = 0;
        for (int i = 0; i < FOPEN_MAX; i++)
            if (files[i].flags != 0 && fflush(&files[i]) == EOF)
                ret = EOF;
        return ret;
    }
    size_t n = f->wlen;
    f->wlen = 0;              // on an error the data is dropped: retrying would not help
    return n == 0 ? 0 : write_all(f, f->buf, n);
}

static int bad_direction(FILE *f)
{
    f->flags |= F_ERR;
    errno = EBADF;
    return EOF;
}

// Switch f to writing. Bytes read ahead but not returned are given back by moving the fd
// back, so that the write goes where the reader has got to.
static int start_write(FILE *f)
{
    if (!(f->flags & F_WRITE))
        return bad_direction(f);
    if (f->rpos < f->rlen)
        lseek(f->fd, -(off_t)(f->rlen - f->rpos), SEEK_CUR);
    f->rpos = f->rlen = 0;
    setup(f);
    return 0;
}

static int start_read(FILE *f)
{
    if (!(f->flags & F_READ))
        return bad_direction(f);
    if (fflush(f) == EOF)
        return EOF;
    setup(f);
    return 0;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    const unsigned char *p = buf;

    if (size == 0 || n == 0)
        return 0;
    if (n > (size_t)-1 / size) {
        errno = EINVAL;
        return 0;
    }
    size_t total = size * n;
    if (start_write(f) == EOF)
        return 0;
    if (f->mode == _IONBF)
        return write_all(f, p, total) == EOF ? 0 : n;
    for (size_t i = 0; i < total; i++) {
        f->buf[f->wlen++] = p[i];
        if (f->wlen == f->size || (f->mode == _IOLBF && p[i] == '\n'))
            if (fflush(f) == EOF)
                return (i + 1) / size;
    }
    return n;
}

int fputc(int c, FILE *f)
{
    unsigned char b = (unsigned char)c;

    return fwrite(&b, 1, 1, f) == 1 ? b : EOF;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c)       { return fputc(c, stdout); }

int fputs(const char *s, FILE *f)
{
    size_t n = strlen(s);

    return fwrite(s, 1, n, f) == n ? 0 : EOF;
}

int puts(const char *s)
{
    return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

// Read more into f's empty buffer. Before waiting for input, show any prompt: a line-
// buffered stdout holds the text of an unfinished line, which would otherwise stay hidden.
static int refill(FILE *f)
{
    if (stdout->mode == _IOLBF)
        fflush(stdout);
    ssize_t n = read(f->fd, f->buf, f->size);
    if (n <= 0) {
        f->flags |= n == 0 ? F_EOF : F_ERR;
        return EOF;
    }
    f->rpos = 0;
    f->rlen = (size_t)n;
    return 0;
}

// The end of the file is sticky, as C17 says: once seen, reads return EOF until clearerr.
int fgetc(FILE *f)
{
    if (f->rpos == f->rlen) {
        if ((f->flags & F_EOF) || start_read(f) == EOF || refill(f) == EOF)
            return EOF;
    }
    return f->buf[f->rpos++];
}

int getc(FILE *f)  { return fgetc(f); }
int getchar(void)  { return fgetc(stdin); }

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    unsigned char *p = buf;

    if (size == 0 || n > (size_t)-1 / size)
        return 0;
    size_t total = size * n, got = 0;
    for (int c; got < total && (c = fgetc(f)) != EOF; got++)
        p[got] = (unsigned char)c;
    return got / size;
}

// Read a line, newline included, into buf, always NUL-terminated. NULL if nothing was read.
char *fgets(char *buf, int size, FILE *f)
{
    int i = 0;

    if (size <= 0)
        return NULL;
    while (i < size - 1) {
        int c = fgetc(f);
        if (c == EOF) {
            if (i == 0)
                return NULL;
            break;
        }
        buf[i++] = (char)c;
        if (c == '\n')
            break;
    }
    buf[i] = '\0';
    return buf;
}

// fopen's mode string as open() flags, and ours in *flags; -1 if it makes no sense.
static int parse_mode(const char *mode, int *flags)
{
    int o;

    switch (*mode) {
    case 'r': o = O_RDONLY;                      *flags = F_READ;  break;
    case 'w': o = O_WRONLY | O_CREAT | O_TRUNC;  *flags = F_WRITE; break;
    case 'a': o = O_WRONLY | O_CREAT | O_APPEND; *flags = F_WRITE; break;
    default:  return -1;
    }
    for (mode++; *mode != '\0'; mode++) {
        if (*mode == '+') {
            o = (o & ~O_ACCMODE) | O_RDWR;
            *flags = F_READ | F_WRITE;
        } else if (*mode == 'e') {
            o |= O_CLOEXEC;
        } else if (*mode == 'x') {
            o |= O_EXCL;
        }   // 'b' (binary) means nothing on POSIX systems
    }
    return o;
}

static FILE *free_slot(void)
{
    for (int i = 0; i < FOPEN_MAX; i++)
        if (files[i].flags == 0)
            return &files[i];
    errno = EMFILE;
    return NULL;
}

FILE *fdopen(int fd, const char *mode)
{
    int flags;
    FILE *f = free_slot();

    if (f == NULL)
        return NULL;
    if (parse_mode(mode, &flags) < 0) {
        errno = EINVAL;
        return NULL;
    }
    *f = (FILE){ .fd = fd, .flags = flags, .mode = MODE_UNDECIDED };
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    int flags, o = parse_mode(mode, &flags);

    if (o < 0) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, o, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, mode);
    if (f == NULL)
        close(fd);
    return f;
}

int fclose(FILE *f)
{
    int ret = fflush(f);

    if (close(f->fd) < 0)
        ret = EOF;
    if (f->flags & F_OWNBUF)
        free(f->buf);
    *f = (FILE){ .flags = 0 };    // the slot is free again
    return ret;
}

// Only before the first read or write: after that the buffer may hold data.
int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
    if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF) {
        errno = EINVAL;
        return -1;
    }
    f->mode = mode;
    if (buf != NULL && size > 0 && mode != _IONBF) {
        if (f->flags & F_OWNBUF)
            free(f->buf);
        f->flags &= ~F_OWNBUF;
        f->buf = (unsigned char *)buf;
        f->size = size;
    }
    return 0;
}

int fileno(FILE *f)     { return f->fd; }
int feof(FILE *f)       { return (f->flags & F_EOF) != 0; }
int ferror(FILE *f)     { return (f->flags & F_ERR) != 0; }
void clearerr(FILE *f)  { f->flags &= ~(F_EOF | F_ERR); }
