// cp: copy files, like coreutils cp.
//
//     cp [-rR] source dest           copy source to dest (a new file, or replacing one)
//     cp [-rR] source... directory   copy each source into the directory
//
//   -r, -R  copy directories and everything in them. Symbolic links inside are copied
//           as links (their target is not followed); the sources named on the command
//           line are followed.
//
// A new file gets the source's permission bits (less the umask); times and owners are
// not kept.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive;

static const char *base_name(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    return path + len;
}

// "dir/name", malloc'd.
static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *s = malloc(len);
    if (s == NULL) {
        fprintf(stderr, "cp: out of memory\n");
        exit(1);
    }
    snprintf(s, len, "%s/%s", dir, name);
    return s;
}

static int copy_file(const char *src, const char *dst, const struct stat *st)
{
    int in = open(src, O_RDONLY);
    if (in < 0) {
        fprintf(stderr, "cp: cannot open '%s' for reading: %s\n", src, strerror(errno));
        return -1;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 07777);
    if (out < 0) {
        fprintf(stderr, "cp: cannot create regular file '%s': %s\n", dst, strerror(errno));
        close(in);
        return -1;
    }
    char buf[8192];
    ssize_t n;
    int status = 0;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "cp: error reading '%s': %s\n", src, strerror(errno));
            status = -1;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, n - off);
            if (w < 0) {
                fprintf(stderr, "cp: error writing '%s': %s\n", dst, strerror(errno));
                status = -1;
                goto done;
            }
            off += w;
        }
    }
done:
    close(in);
    if (close(out) < 0 && status == 0) {
        fprintf(stderr, "cp: error writing '%s': %s\n", dst, strerror(errno));
        status = -1;
    }
    return status;
}

static int copy(const char *src, const char *dst, int follow);

static int copy_dir(const char *src, const char *dst, const struct stat *st)
{
    // Writable by us until filled, in case the source directory is read-only; coreutils
    // fixes the mode afterwards, which we do not bother with (no chmod here yet).
    if (mkdir(dst, (st->st_mode & 07777) | 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "cp: cannot create directory '%s': %s\n", dst, strerror(errno));
        return -1;
    }
    DIR *d = opendir(src);
    if (d == NULL) {
        fprintf(stderr, "cp: cannot access '%s': %s\n", src, strerror(errno));
        return -1;
    }
    int status = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *s = join(src, e->d_name), *t = join(dst, e->d_name);
        if (copy(s, t, 0) < 0)
            status = -1;
        free(s);
        free(t);
    }
    closedir(d);
    return status;
}

// Copy src to dst, whatever src is. follow: stat (not lstat) src, for command-line names.
static int copy(const char *src, const char *dst, int follow)
{
    struct stat st, dst_st;

    if ((follow ? stat(src, &st) : lstat(src, &st)) < 0) {
        fprintf(stderr, "cp: cannot stat '%s': %s\n", src, strerror(errno));
        return -1;
    }
    // Opening dst with O_TRUNC would empty the source before reading it.
    if (stat(dst, &dst_st) == 0 && dst_st.st_dev == st.st_dev && dst_st.st_ino == st.st_ino) {
        fprintf(stderr, "cp: '%s' and '%s' are the same file\n", src, dst);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!recursive) {
            fprintf(stderr, "cp: -r not specified; omitting directory '%s'\n", src);
            return -1;
        }
        return copy_dir(src, dst, &st);
    }
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(src, target, sizeof target - 1);
        if (n < 0) {
            fprintf(stderr, "cp: cannot read symbolic link '%s': %s\n", src, strerror(errno));
            return -1;
        }
        target[n] = '\0';
        if (symlink(target, dst) < 0) {
            fprintf(stderr, "cp: cannot create symbolic link '%s': %s\n", dst, strerror(errno));
            return -1;
        }
        return 0;
    }
    return copy_file(src, dst, &st);
}

int main(int argc, char **argv)
{
    int c, status = 0;

    while ((c = getopt(argc, argv, "rR")) != -1) {
        if (c == 'r' || c == 'R') {
            recursive = 1;
        } else {
            fprintf(stderr, "Try 'cp --help' for more information.\n");
            return 1;
        }
    }
    int n = argc - optind;
    if (n == 0) {
        fprintf(stderr, "cp: missing file operand\nTry 'cp --help' for more information.\n");
        return 1;
    }
    if (n == 1) {
        fprintf(stderr, "cp: missing destination file operand after '%s'\n"
                        "Try 'cp --help' for more information.\n", argv[optind]);
        return 1;
    }
    const char *target = argv[argc - 1];
    struct stat st;
    int target_is_dir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
    if (!target_is_dir) {
        if (n > 2) {
            fprintf(stderr, "cp: target '%s': Not a directory\n", target);
            return 1;
        }
        return copy(argv[optind], target, 1) < 0;
    }
    for (int i = optind; i < argc - 1; i++) {
        char *dst = join(target, base_name(argv[i]));
        if (copy(argv[i], dst, 1) < 0)
            status = 1;
        free(dst);
    }
    return status;
}
