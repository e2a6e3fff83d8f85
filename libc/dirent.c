// dirent.c: opendir/readdir/closedir on top of getdents64, which fills a buffer with as
// many directory records as fit. readdir hands them out one by one and refills the buffer
// when it runs out.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct DIR {
    int fd;
    size_t pos, len;           // buf[pos..len) holds records not yet returned
    _Alignas(struct dirent) char buf[4096];
};

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *d = malloc(sizeof *d);
    if (d == NULL) {
        close(fd);
        return NULL;
    }
    d->fd = fd;
    d->pos = d->len = 0;
    return d;
}

struct dirent *readdir(DIR *d)
{
    if (d->pos >= d->len) {
        ssize_t n = getdents64(d->fd, d->buf, sizeof d->buf);
        if (n <= 0)
            return NULL;       // the end (0), or an error (errno says which)
        d->pos = 0;
        d->len = (size_t)n;
    }
    struct dirent *e = (struct dirent *)(d->buf + d->pos);
    d->pos += e->d_reclen;
    return e;
}

int closedir(DIR *d)
{
    int ret = close(d->fd);

    free(d);
    return ret;
}

int dirfd(DIR *d)
{
    return d->fd;
}
