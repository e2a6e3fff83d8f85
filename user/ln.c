// ln: make links, like coreutils ln.
//
//     ln [-sf] target linkname      make linkname another name for target
//     ln [-sf] target... directory  make directory/basename(target) for each target
//     ln [-sf] target               make ./basename(target)
//
//   -s  make symbolic links (symlink(2)): a small file holding the path target, which
//       need not exist. Without -s, a hard link (link(2)): a second directory entry for
//       the same inode; target must exist and may not be a directory.
//   -f  remove an existing linkname first
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int symbolic, force;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static int make_link(const char *target, const char *name)
{
    struct stat st;
    // link(2) would say EPERM: coreutils says why.
    if (!symbolic && stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "ln: %s: hard link not allowed for directory\n", target);
        return -1;
    }
    if (force)
        unlink(name);           // failing because there is nothing to remove is fine
    int r = symbolic ? symlink(target, name) : link(target, name);
    if (r == 0)
        return 0;
    int err = errno;
    if (!symbolic && err == ENOENT && lstat(target, &st) < 0)
        fprintf(stderr, "ln: failed to access '%s': %s\n", target, strerror(err));
    else
        fprintf(stderr, "ln: failed to create %s link '%s': %s\n",
                symbolic ? "symbolic" : "hard", name, strerror(err));
    return -1;
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "sf")) != -1) {
        switch (c) {
        case 's': symbolic = 1; break;
        case 'f': force = 1; break;
        default:
            fprintf(stderr, "Try 'ln --help' for more information.\n");
            return 1;
        }
    }
    int n = argc - optind;
    if (n == 0) {
        fprintf(stderr, "ln: missing file operand\nTry 'ln --help' for more information.\n");
        return 1;
    }
    if (n == 1)
        return make_link(argv[optind], base_name(argv[optind])) < 0;

    const char *dir = argv[argc - 1];
    if (!is_dir(dir)) {
        if (n > 2) {
            fprintf(stderr, "ln: target '%s': Not a directory\n", dir);
            return 1;
        }
        return make_link(argv[optind], dir) < 0;
    }
    for (int i = optind; i < argc - 1; i++) {
        const char *base = base_name(argv[i]);
        size_t len = strlen(dir) + strlen(base) + 2;
        char *name = malloc(len);
        if (name == NULL)
            return 1;
        snprintf(name, len, "%s/%s", dir, base);
        if (make_link(argv[i], name) < 0)
            status = 1;
        free(name);
    }
    return status;
}
