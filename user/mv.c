// mv: move (rename) files, like coreutils mv.
//
//     mv source dest          rename source to dest, replacing a file named dest
//     mv source... directory  move each source into the directory, keeping its name
//
// Each move is one rename(2): atomic, and never copying. Moving between file systems
// (rename's EXDEV) would need a copy and a delete, which this mv does not do.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// The last component of path, ignoring trailing slashes: "a/b/" gives "b/" (the caller
// only appends it after a '/', where a trailing slash is harmless).
static const char *base_name(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    return path + len;
}

static int move(const char *src, const char *dst)
{
    if (rename(src, dst) < 0) {
        int err = errno;
        // Tell apart the usual reason: the source does not exist.
        struct stat st;
        if (lstat(src, &st) < 0)
            fprintf(stderr, "mv: cannot stat '%s': %s\n", src, strerror(errno));
        else
            fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", src, dst, strerror(err));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "f")) != -1) {
        if (c != 'f') {         // -f: never prompt; this mv never does anyway
            fprintf(stderr, "Try 'mv --help' for more information.\n");
            return 1;
        }
    }
    int n = argc - optind;
    if (n == 0) {
        fprintf(stderr, "mv: missing file operand\nTry 'mv --help' for more information.\n");
        return 1;
    }
    if (n == 1) {
        fprintf(stderr, "mv: missing destination file operand after '%s'\n"
                        "Try 'mv --help' for more information.\n", argv[optind]);
        return 1;
    }
    const char *target = argv[argc - 1];
    if (!is_dir(target)) {
        if (n > 2) {
            fprintf(stderr, "mv: target '%s': Not a directory\n", target);
            return 1;
        }
        return move(argv[optind], target) < 0;
    }
    for (int i = optind; i < argc - 1; i++) {
        const char *base = base_name(argv[i]);
        size_t len = strlen(target) + strlen(base) + 2;
        char *dst = malloc(len);
        if (dst == NULL)
            return 1;
        snprintf(dst, len, "%s/%s", target, base);
        if (move(argv[i], dst) < 0)
            status = 1;
        free(dst);
    }
    return status;
}
