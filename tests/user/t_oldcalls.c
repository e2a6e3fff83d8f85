// t_oldcalls.c: calls older programs (and some C libraries) still make where newer ones
// exist: creat, getdents (the record without d_type in its head), fchdir and readlinkat,
// with their errors. (times(2) is the walkthrough's "add a system call" exercise.)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define DIR_ "/tmp/oldcalls.d"

struct old_dirent {                  // Linux's struct linux_dirent
    unsigned long d_ino, d_off;
    unsigned short d_reclen;
    char d_name[];
};

static void creat_calls(void)
{
    int fd = (int)syscall(SYS_creat, DIR_ "/made", 0640);
    check("creat a new file", fd);
    check("write to it", write(fd, "hello", 5));
    check("read from it (write-only)", read(fd, (char[8]){ 0 }, 8));
    close(fd);
    struct stat st;
    stat(DIR_ "/made", &st);
    printf("mode %o size %ld\n", (unsigned)(st.st_mode & 07777), (long)st.st_size);
    fd = (int)syscall(SYS_creat, DIR_ "/made", 0600);
    check("creat it again (truncates)", fd);
    close(fd);
    stat(DIR_ "/made", &st);
    printf("mode %o size %ld\n", (unsigned)(st.st_mode & 07777), (long)st.st_size);
    check("creat in a missing directory", syscall(SYS_creat, DIR_ "/no/such", 0600));
    check("creat a directory's name", syscall(SYS_creat, DIR_, 0600));
    check("creat, bad pointer", syscall(SYS_creat, bad_ptr(1), 0600));
    // O_CREAT never opens a directory, and a trailing slash is EISDIR before anything else.
    check("creat \"made/\"", syscall(SYS_creat, DIR_ "/made/", 0600));
    check("creat \"new/\"", syscall(SYS_creat, DIR_ "/new/", 0600));
    check("open a directory with O_CREAT", open(DIR_, O_RDONLY | O_CREAT, 0600));
    check("open \"dir/\" with O_CREAT|O_EXCL", open(DIR_ "/", O_RDONLY | O_CREAT | O_EXCL, 0600));
    check("open a directory with O_CREAT|O_EXCL", open(DIR_, O_RDONLY | O_CREAT | O_EXCL, 0600));
}

// Lists the directory with getdents, in the order it gives, names and types; checks that
// every record's d_type (its last byte) and length are sane.
static void getdents_calls(void)
{
    mkdir(DIR_ "/sub", 0755);
    symlink("made", DIR_ "/link");
    int fd = open(DIR_, O_RDONLY | O_DIRECTORY);
    char buf[4096] __attribute__((aligned(8)));
    long n = syscall(SYS_getdents, fd, buf, sizeof buf);
    yes("getdents", n > 0);
    int names = 0, bad = 0;
    char seen[256] = "";
    for (long at = 0; at < n;) {
        struct old_dirent *d = (struct old_dirent *)(buf + at);
        unsigned char type = (unsigned char)buf[at + d->d_reclen - 1];
        if (d->d_reclen % 8 || d->d_reclen < 20 || d->d_ino == 0)
            bad++;
        if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
            names++;
            // in name order, whatever order the directory gives
            char line[64];
            snprintf(line, sizeof line, "%s:%s ", d->d_name,
                     type == DT_DIR ? "dir" : type == DT_REG ? "file" : type == DT_LNK ? "link" : "?");
            if (strcmp(d->d_name, "link") == 0)
                strcat(seen, line);
            else if (strcmp(d->d_name, "made") == 0)
                strcat(seen, line);
            else if (strcmp(d->d_name, "sub") == 0)
                strcat(seen, line);
        }
        at += d->d_reclen;
    }
    yes("every record 8-aligned, with an inode", bad == 0);
    printf("names %d\n", names);
    // (sorted by the test's own order: link, made, sub)
    const char *want[] = { "link:link ", "made:file ", "sub:dir " };
    for (int i = 0; i < 3; i++)
        yes(want[i], strstr(seen, want[i]) != NULL);
    check_val("getdents at the end", syscall(SYS_getdents, fd, buf, sizeof buf));
    lseek(fd, 0, SEEK_SET);
    check("getdents, a buffer too small for one", syscall(SYS_getdents, fd, buf, 8));
    check("getdents, bad pointer", syscall(SYS_getdents, fd, bad_ptr(1), sizeof buf));
    check("getdents, count above INT_MAX", syscall(SYS_getdents, fd, buf, 0x80000000UL));
    check("getdents64, count above INT_MAX", syscall(SYS_getdents64, fd, buf, 0x80000000UL));
    close(fd);
    int file = open(DIR_ "/made", O_RDONLY);
    check("getdents on a file", syscall(SYS_getdents, file, buf, sizeof buf));
    close(file);
    check("getdents, closed fd", syscall(SYS_getdents, 999, buf, sizeof buf));
}

static void fchdir_calls(void)
{
    char cwd[256];
    int back = open(".", O_RDONLY | O_DIRECTORY);
    int dir = open(DIR_ "/sub", O_RDONLY | O_DIRECTORY);
    check("fchdir into sub", syscall(SYS_fchdir, dir));
    getcwd(cwd, sizeof cwd);
    printf("cwd %s\n", cwd);
    check("a relative name works there", syscall(SYS_creat, "inside", 0600) >= 0 ? 0 : -1);
    check("fchdir back", syscall(SYS_fchdir, back));
    yes("and the file is in sub", access(DIR_ "/sub/inside", F_OK) == 0);
    int file = open(DIR_ "/made", O_RDONLY);
    check("fchdir to a file", syscall(SYS_fchdir, file));
    check("fchdir, closed fd", syscall(SYS_fchdir, 999));
    check("fchdir, -1", syscall(SYS_fchdir, -1));
    close(file);
    close(dir);
    close(back);
}

static void readlinkat_calls(void)
{
    char buf[64];
    int dir = open(DIR_, O_RDONLY | O_DIRECTORY);
    memset(buf, 0, sizeof buf);
    long n = syscall(SYS_readlinkat, dir, "link", buf, sizeof buf);
    check_val("readlinkat link", n);
    printf("target %s\n", buf);
    memset(buf, 0, sizeof buf);
    check_val("readlinkat, 2-byte buffer", syscall(SYS_readlinkat, dir, "link", buf, 2));
    printf("target %s\n", buf);
    check_val("readlinkat absolute, dirfd ignored", syscall(SYS_readlinkat, 999, DIR_ "/link", buf, sizeof buf));
    check_val("readlinkat AT_FDCWD", syscall(SYS_readlinkat, AT_FDCWD, DIR_ "/link", buf, sizeof buf));
    check("readlinkat a file", syscall(SYS_readlinkat, dir, "made", buf, sizeof buf));
    check("readlinkat missing", syscall(SYS_readlinkat, dir, "nope", buf, sizeof buf));
    check("readlinkat empty path", syscall(SYS_readlinkat, dir, "", buf, sizeof buf));
    check("readlinkat, bufsiz 0", syscall(SYS_readlinkat, dir, "link", buf, 0));
    check("readlinkat, bufsiz -1", syscall(SYS_readlinkat, dir, "link", buf, -1));
    check("readlinkat, closed dirfd", syscall(SYS_readlinkat, 999, "link", buf, sizeof buf));
    int file = open(DIR_ "/made", O_RDONLY);
    check("readlinkat, dirfd a file", syscall(SYS_readlinkat, file, "link", buf, sizeof buf));
    close(file);
    check("readlinkat, bad buffer", syscall(SYS_readlinkat, dir, "link", bad_ptr(1), sizeof buf));
    check("readlinkat, bad path", syscall(SYS_readlinkat, dir, bad_ptr(1), buf, sizeof buf));
    close(dir);
}

int main(void)
{
    begin("t_oldcalls");
    mkdir(DIR_, 0755);
    creat_calls();
    getdents_calls();
    fchdir_calls();
    readlinkat_calls();
    unlink(DIR_ "/sub/inside");
    rmdir(DIR_ "/sub");
    unlink(DIR_ "/link");
    unlink(DIR_ "/made");
    rmdir(DIR_);
    return done();
}
