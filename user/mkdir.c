// mkdir: make directories, like coreutils mkdir.
//
//     mkdir [-p] dir...
//
//   -p  make missing parent directories too, and do not complain if dir already exists
//       as a directory
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parents;

// Is path an existing directory? (mkdir -p accepts those; EEXIST alone would also accept
// a file of that name.)
static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int make(char *path)
{
    if (parents) {
        // Make each prefix in turn: "a/b/c" makes "a", then "a/b". The '/' is put back
        // after each step. Repeated slashes give empty steps, which are skipped.
        for (char *p = path + 1; *p; p++) {
            if (*p != '/' || p[-1] == '/')
                continue;
            *p = '\0';
            int r = mkdir(path, 0777);
            int err = errno;
            if (r < 0 && err == EEXIST && !is_dir(path))
                err = ENOTDIR;   // a file is in the way: that is what coreutils reports
            if (r < 0 && err != EEXIST) {
                fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(err));
                *p = '/';
                return -1;
            }
            *p = '/';
        }
    }
    // 0777: the umask takes away what the user does not want others to have.
    if (mkdir(path, 0777) < 0) {
        int err = errno;
        if (parents && err == EEXIST && is_dir(path))
            return 0;
        fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(err));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "p")) != -1) {
        if (c == 'p') {
            parents = 1;
        } else {
            fprintf(stderr, "Try 'mkdir --help' for more information.\n");
            return 1;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
        return 1;
    }
    for (int i = optind; i < argc; i++)
        if (make(argv[i]) < 0)
            status = 1;
    return status;
}
