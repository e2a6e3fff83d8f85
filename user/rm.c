// rm: remove files, like coreutils rm.
//
//     rm [-rRf] file...
//
//   -r, -R  remove directories and everything in them
//   -f      never complain about files that do not exist (and allow no operands)
//
// rm never prompts here: there is no -i, and files without write permission are removed
// without asking (coreutils asks on a terminal unless -f).
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive, force;

static int complain(const char *path, int err)
{
    if (force && err == ENOENT)
        return 0;
    fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(err));
    return -1;
}

static int remove_path(const char *path);

// Empty the directory path, then remove it. Each entry is removed by its full path, which
// is built in a malloc'd buffer: directories may nest deeper than a fixed buffer allows.
static int remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int status = 0;
    struct dirent *e;
    // Removing entries while reading the directory is allowed: readdir may or may not
    // return the ones already gone, and we only ever remove the one just returned.
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(len);
        if (child == NULL) {
            status = -1;
            break;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        if (remove_path(child) < 0)
            status = -1;
        free(child);
    }
    closedir(d);
    if (status == 0 && rmdir(path) < 0)
        return complain(path, errno);
    return status;
}

static int remove_path(const char *path)
{
    struct stat st;

    // lstat: a symlink to a directory is removed itself, never followed.
    if (lstat(path, &st) < 0)
        return complain(path, errno);
    if (S_ISDIR(st.st_mode)) {
        if (!recursive)
            return complain(path, EISDIR);
        return remove_dir(path);
    }
    if (unlink(path) < 0)
        return complain(path, errno);
    return 0;
}

// "." and ".." (or paths ending so) are refused, as POSIX requires: removing the current
// directory's parent from inside it is never what was meant.
static int is_dot_or_dotdot(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "rRf")) != -1) {
        switch (c) {
        case 'r': case 'R': recursive = 1; break;
        case 'f': force = 1; break;
        default:
            fprintf(stderr, "Try 'rm --help' for more information.\n");
            return 1;
        }
    }
    if (optind == argc) {
        if (force)
            return 0;
        fprintf(stderr, "rm: missing operand\nTry 'rm --help' for more information.\n");
        return 1;
    }
    for (int i = optind; i < argc; i++) {
        if (is_dot_or_dotdot(argv[i])) {
            fprintf(stderr, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n",
                    argv[i]);
            status = 1;
            continue;
        }
        if (remove_path(argv[i]) < 0)
            status = 1;
    }
    return status;
}
