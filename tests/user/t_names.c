// t_names.c: names in a directory - mkdir, rmdir, unlink, rename, link, symlink, readlink -
// with their error cases, on the host and on Lantern. Works in a scratch directory it
// makes (and removes) under the current one.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parity.h"

static void touch(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

static long nlink(const char *path) {
    struct stat st;
    return stat(path, &st) < 0 ? -1 : (long)st.st_nlink;
}

int main(void) {
    begin("t_names");
    check("mkdir scratch", mkdir("scratch", 0755));
    check("mkdir scratch again", mkdir("scratch", 0755));
    check("mkdir in a missing directory", mkdir("scratch/no/such", 0755));
    check("mkdir scratch/d", mkdir("scratch/d", 0755));
    check_val("scratch's link count (2 + one subdirectory)", nlink("scratch"));
    touch("scratch/a", "alpha");
    touch("scratch/b", "beta");
    check("rename a to c", rename("scratch/a", "scratch/c"));
    check("a is gone", access("scratch/a", F_OK));
    check("rename c over b (replaces it)", rename("scratch/c", "scratch/b"));
    char buf[16] = "";
    int fd = open("scratch/b", O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("b now holds: %s\n", buf);
    check("rename a missing file", rename("scratch/nope", "scratch/x"));
    check("rename a file over a directory", rename("scratch/b", "scratch/d"));
    touch("scratch/d/inner", "x");
    mkdir("scratch/e", 0755);
    check("rename a directory over a file", rename("scratch/e", "scratch/b"));
    check("rename a directory over a non-empty one", rename("scratch/e", "scratch/d"));
    check("rename a directory into itself", rename("scratch/d", "scratch/d/sub"));
    check("rename a directory over an empty one", rename("scratch/d", "scratch/e"));
    check("d is gone", access("scratch/d", F_OK));
    check("e/inner came along", access("scratch/e/inner", F_OK));
    check("rename a file onto itself", rename("scratch/b", "scratch/b"));
    touch("scratch/t", "some text");
    int tfd = open("scratch/t", O_RDONLY | O_TRUNC);
    struct stat tst;
    fstat(tfd, &tst);
    printf("open O_RDONLY|O_TRUNC: size now %ld\n", (long)tst.st_size);
    close(tfd);
    check("unlink t", unlink("scratch/t"));
    check("link b to h", link("scratch/b", "scratch/h"));
    check_val("b's link count", nlink("scratch/b"));
    check("link onto an existing name", link("scratch/b", "scratch/h"));
    check("link a directory", link("scratch/e", "scratch/ee"));
    check("unlink b", unlink("scratch/b"));
    check_val("h's link count", nlink("scratch/h"));
    check("symlink s -> h", symlink("h", "scratch/s"));
    char target[32];
    long n = readlink("scratch/s", target, sizeof target);
    printf("readlink s: %.*s\n", (int)(n > 0 ? n : 0), target);
    check("symlink onto an existing name", symlink("h", "scratch/s"));
    check("stat through s", access("scratch/s", F_OK));
    check("unlink a directory", unlink("scratch/e"));
    check("rmdir a non-empty directory", rmdir("scratch/e"));
    check("rmdir a file", rmdir("scratch/h"));
    check("unlink e/inner", unlink("scratch/e/inner"));
    check("rmdir e", rmdir("scratch/e"));
    check("unlink s", unlink("scratch/s"));
    check("unlink h", unlink("scratch/h"));
    check("rmdir scratch", rmdir("scratch"));
    check("rmdir scratch again", rmdir("scratch"));
    return done();
}
