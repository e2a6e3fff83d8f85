// cat: copies each file named (or stdin, for none or "-") to stdout.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// Copies fd to stdout. Returns 0, or -1 after reporting an error.
static int copy(int fd, const char *name)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            dprintf(2, "cat: %s: %s\n", name, strerror(errno));
            return -1;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, n - off);
            if (w < 0) {
                dprintf(2, "cat: write error: %s\n", strerror(errno));
                return -1;
            }
            off += w;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int status = 0;

    if (argc == 1)
        return copy(0, "-") < 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            status |= copy(0, "-") < 0;
            continue;
        }
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            dprintf(2, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        status |= copy(fd, argv[i]) < 0;
        close(fd);
    }
    return status;
}
