// t_files.c: files and directories: open, openat, read, lseek, fstat, stat, lstat,
// getdents64, close, and their errors. Paths are relative: the current directory is
// tests/user/rootfs on the host and / on Lantern, and both hold etc/parity/:
//     hello.txt   "Lantern parity test file.\nLine two.\n" (36 bytes)
//     dir/a       "a\n"
//     dir/b       "bb\n"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define HELLO "etc/parity/hello.txt"
#define DIR_  "etc/parity/dir"

static void reading(void)
{
    char buf[256];
    int fd = open(HELLO, O_RDONLY);

    check("open " HELLO, fd);
    long n = read(fd, buf, 8);
    check_val("read 8", n);
    print_escaped("got", buf, n);
    n = read(fd, buf, sizeof buf);
    check_val("read the rest", n);
    print_escaped("got", buf, n);
    check_val("read at the end", read(fd, buf, sizeof buf));
    check_val("read count 0", read(fd, buf, 0));
    check_val("lseek 0 SEEK_CUR", lseek(fd, 0, SEEK_CUR));
    check_val("lseek -10 SEEK_END", lseek(fd, -10, SEEK_END));
    n = read(fd, buf, sizeof buf);
    print_escaped("read there", buf, n);
    check_val("lseek 100 SEEK_SET (past the end)", lseek(fd, 100, SEEK_SET));
    check_val("read past the end", read(fd, buf, sizeof buf));
    check_val("lseek -1 SEEK_SET", lseek(fd, -1, SEEK_SET));
    check_val("lseek -1000 SEEK_END", lseek(fd, -1000, SEEK_END));
    check_val("lseek whence 99", lseek(fd, 0, 99));
    check_val("offset unchanged by the failures", lseek(fd, 0, SEEK_CUR));
    check_val("lseek 0 SEEK_SET", lseek(fd, 0, SEEK_SET));
    check_val("read into pointer 1", read(fd, (void *)1, 10));
    check_val("read into a kernel pointer", read(fd, (void *)0xffffffff80000000, 10));
    check_val("write to a read-only fd", write(fd, "x", 1));

    struct stat st;
    check("fstat", fstat(fd, &st));
    yes("S_ISREG", S_ISREG(st.st_mode));
    yes("S_ISDIR", S_ISDIR(st.st_mode));
    printf("st_size: %ld\n", (long)st.st_size);
    check("fstat bad pointer", fstat(fd, (void *)1));

    check("close", close(fd));
    check("close again", close(fd));
    check_val("read a closed fd", read(fd, buf, 1));
    check("fstat a closed fd", fstat(fd, &st));
    int fd2 = open(HELLO, O_RDONLY);
    yes("reopening gets the lowest free fd (the same)", fd2 == fd);
    close(fd2);
}

static void open_errors(void)
{
    check("open etc/parity/missing.txt", open("etc/parity/missing.txt", O_RDONLY));
    check("open no-such-dir/x", open("no-such-dir/x", O_RDONLY));
    check("open \"\"", open("", O_RDONLY));
    check("open " DIR_ " O_WRONLY", open(DIR_, O_WRONLY));
    check("open " DIR_ " O_RDWR", open(DIR_, O_RDWR));
    check("open " HELLO "/x", open(HELLO "/x", O_RDONLY));
    check("open " HELLO " O_DIRECTORY", open(HELLO, O_RDONLY | O_DIRECTORY));
    check("open pointer 1", open((char *)1, O_RDONLY));
    check("close -1", close(-1));
    check("close 99", close(99));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *type_name(unsigned char t)
{
    return t == DT_DIR ? "dir" : t == DT_REG ? "file" : t == DT_UNKNOWN ? "unknown" : "other";
}

// The order of entries depends on the file system, so sort them before printing.
static void print_sorted(const char *how, char **names, int n)
{
    qsort(names, n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++)
        printf("%s: %s\n", how, names[i]);
}

static void directories(void)
{
    _Alignas(8) char buf[1024];
    char *names[16];
    int n = 0;
    struct stat st;

    int fd = open(DIR_, O_RDONLY | O_DIRECTORY);
    check("open " DIR_, fd);
    check("fstat", fstat(fd, &st));
    yes("S_ISDIR", S_ISDIR(st.st_mode));
    check_val("read a directory", read(fd, buf, sizeof buf));
    check_val("read a directory, count 0", read(fd, buf, 0));
    check_val("getdents64 buffer of 1 byte", getdents64(fd, buf, 1));
    check_val("getdents64 bad pointer", getdents64(fd, (void *)1, sizeof buf));
    close(fd);
    fd = open(DIR_, O_RDONLY | O_DIRECTORY);    // start afresh, whatever those did
    long len = getdents64(fd, buf, sizeof buf);
    check("getdents64", len);
    for (long pos = 0; pos < len && n < 16;) {
        struct dirent *d = (struct dirent *)(buf + pos);
        names[n] = malloc(strlen(d->d_name) + 8);
        sprintf(names[n++], "%s (%s)", d->d_name, type_name(d->d_type));
        pos += d->d_reclen;
    }
    print_sorted("getdents64", names, n);
    check_val("getdents64 at the end", getdents64(fd, buf, sizeof buf));
    check("close", close(fd));
    check_val("getdents64 closed fd", getdents64(fd, buf, sizeof buf));
    fd = open(HELLO, O_RDONLY);
    check_val("getdents64 on a file", getdents64(fd, buf, sizeof buf));
    close(fd);

    DIR *dir = opendir(DIR_);
    yes("opendir", dir != NULL);
    n = 0;
    for (struct dirent *d; n < 16 && (d = readdir(dir)) != NULL;)
        names[n++] = strdup(d->d_name);
    print_sorted("readdir", names, n);
    check("closedir", closedir(dir));
    yes("opendir on a file fails", opendir(HELLO) == NULL);
}

static void at_calls(void)
{
    char buf[64];
    int dfd = open("etc/parity", O_RDONLY | O_DIRECTORY);

    check("open etc/parity", dfd);
    int fd = openat(dfd, "hello.txt", O_RDONLY);
    check("openat dir hello.txt", fd);
    long n = read(fd, buf, 7);
    print_escaped("read", buf, n);
    check_val("openat on a file fd", openat(fd, "x", O_RDONLY));
    close(fd);
    fd = openat(dfd, "dir/b", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    print_escaped("openat dir dir/b, read", buf, n);
    close(fd);
    fd = openat(AT_FDCWD, HELLO, O_RDONLY);
    check("openat AT_FDCWD " HELLO, fd);
    close(fd);
    check("openat dir missing", openat(dfd, "missing", O_RDONLY));
    check("openat fd 99", openat(99, "hello.txt", O_RDONLY));

    struct stat st;
    check("fstatat dir hello.txt", fstatat(dfd, "hello.txt", &st, 0));
    printf("st_size: %ld\n", (long)st.st_size);
    close(dfd);
}

static void stat_calls(void)
{
    struct stat st, st2;

    check("stat " HELLO, stat(HELLO, &st));
    yes("S_ISREG", S_ISREG(st.st_mode));
    printf("st_size: %ld\n", (long)st.st_size);
    int fd = open(HELLO, O_RDONLY);
    fstat(fd, &st2);
    close(fd);
    yes("stat and fstat agree on st_dev and st_ino",
        st.st_dev == st2.st_dev && st.st_ino == st2.st_ino);
    check("lstat " HELLO, lstat(HELLO, &st));
    yes("S_ISREG", S_ISREG(st.st_mode));
    check("stat " DIR_, stat(DIR_, &st));
    yes("S_ISDIR", S_ISDIR(st.st_mode));
    check("lstat " DIR_, lstat(DIR_, &st));
    yes("S_ISDIR", S_ISDIR(st.st_mode));
    check("stat " DIR_ "/a", stat(DIR_ "/a", &st));
    printf("st_size: %ld\n", (long)st.st_size);
    check("stat missing", stat("etc/parity/missing", &st));
    check("stat " HELLO "/x", stat(HELLO "/x", &st));
    check("stat \"\"", stat("", &st));
    check("stat bad buffer", stat(HELLO, (void *)1));
    check("stat bad path", stat((char *)1, &st));
}

#define SYS_readlink_ 89
#define SYS_dup3_ 292
#define AT_NO_AUTOMOUNT_ 0x800
#define O_LARGEFILE_ 0100000

// Arguments a kernel must take as Linux does: an fd is a 32-bit int (the upper half of
// the register is not part of it), an absolute path ignores the directory fd, ...
static void edges(void)
{
    char buf[512];
    struct stat st;

    int fd = open(HELLO, O_RDONLY);
    check("close with junk in the upper 32 bits of the fd", syscall(SYS_close, (1L << 32) | fd));
    check("so that fd is closed", fstat(fd, &st));

    fd = openat(99, "/", O_RDONLY | O_DIRECTORY);
    check("openat fd 99, absolute path (the fd is ignored)", fd);
    close(fd);
    int file = open(HELLO, O_RDONLY);
    fd = openat(file, "/", O_RDONLY | O_DIRECTORY);
    check("openat a file fd, absolute path", fd);
    close(fd);
    check("fstatat a file fd, absolute path", fstatat(file, "/", &st, 0));
    check("openat fd 99 \"\"", openat(99, "", O_RDONLY));
    check("fstatat fd 99 \"\"", fstatat(99, "", &st, 0));
    check("fstatat AT_NO_AUTOMOUNT", fstatat(AT_FDCWD, HELLO, &st, AT_NO_AUTOMOUNT_));
    check("fstatat flags 0x8000", fstatat(AT_FDCWD, HELLO, &st, 0x8000));

    check("pread64 fd 99 offset -1", syscall(SYS_pread64, 99, buf, 1, -1L));
    check("pread64 offset -1", syscall(SYS_pread64, file, buf, 1, -1L));
    check_val("pread64 offset 6", syscall(SYS_pread64, file, buf, 7, 6L));
    print_escaped("got", buf, 7);
    check_val("the offset did not move", lseek(file, 0, SEEK_CUR));
    printf("F_GETFL O_RDONLY: %#o\n", fcntl(file, F_GETFL));
    close(file);
    file = open(HELLO, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    printf("F_GETFL O_RDONLY|O_CLOEXEC|O_NOFOLLOW: %#o\n", fcntl(file, F_GETFL));
    close(file);
    file = open(DIR_, O_RDONLY | O_DIRECTORY);
    printf("F_GETFL O_DIRECTORY: %#o\n", fcntl(file, F_GETFL) & ~O_LARGEFILE_);
    yes("F_GETFL has O_LARGEFILE", (fcntl(file, F_GETFL) & O_LARGEFILE_) != 0);
    close(file);

    // Access mode 3: Linux checks read and write permission and gives an fd for neither.
    fd = open(HELLO, 3);
    check("open access mode 3", fd);
    check("read it", read(fd, buf, 1));
    check("write it", write(fd, buf, 0));
    printf("F_GETFL: %#o\n", fcntl(fd, F_GETFL) & O_ACCMODE);
    close(fd);
    check("open a directory, access mode 3", open(DIR_, 3));

    check("dup3 same fd", syscall(SYS_dup3_, 0, 0, 0));

    // Linux's int and unsigned int arguments ignore the register's upper half.
    long hi = 1L << 32;
    file = open(HELLO, O_RDONLY);
    check_val("fcntl F_GETFD, junk above", syscall(SYS_fcntl, file, hi | F_GETFD));
    check_val("lseek SEEK_END, junk above", syscall(SYS_lseek, file, 0, hi | SEEK_END));
    check("access R_OK, junk above", syscall(SYS_access, HELLO, hi | R_OK));
    check("dup3 flags 0, junk above", fd = syscall(SYS_dup3_, file, 50, hi));
    close(fd);
    close(file);
    file = open(DIR_, O_RDONLY | O_DIRECTORY);
    check_val("getdents64 count 16, junk above", syscall(SYS_getdents64, file, buf, hi | 16));
    close(file);

    // A symlink whose target is longer than 256 bytes (it dangles: nothing is there).
    long n = syscall(SYS_readlink_, "etc/parity/longlink", buf, sizeof buf);
    check_val("readlink etc/parity/longlink", n);
    yes("the whole target", n == 300 && buf[0] == 'l' && buf[299] == 'x');
    check_val("readlink into 10 bytes", syscall(SYS_readlink_, "etc/parity/longlink", buf, 10));
    check("readlink a file", syscall(SYS_readlink_, HELLO, buf, sizeof buf));
    check("readlink bufsiz 0", syscall(SYS_readlink_, "etc/parity/longlink", buf, 0));
    check("readlink bad buffer", syscall(SYS_readlink_, "etc/parity/longlink", (void *)1, 100));
    check("stat the dangling link", stat("etc/parity/longlink", &st));
    check("lstat it", lstat("etc/parity/longlink", &st));
    yes("S_ISLNK", S_ISLNK(st.st_mode));
    printf("st_size: %ld\n", (long)st.st_size);
}

// getcwd returns the length with the NUL; the path itself differs (the host's cwd is
// tests/user/rootfs), so only its end is printed.
static void cwd(void)
{
    char start[4096], buf[4096];
    long n = syscall(SYS_getcwd, start, sizeof start);

    yes("getcwd returns strlen + 1", n == (long)strlen(start) + 1);
    check("chdir etc/parity", chdir("etc/parity"));
    n = syscall(SYS_getcwd, buf, sizeof buf);
    size_t len = strlen(buf);
    yes("getcwd ends with /etc/parity", len >= 11 && strcmp(buf + len - 11, "/etc/parity") == 0);
    yes("getcwd returns strlen + 1", n == (long)len + 1);
    yes("getcwd into exactly that many bytes", syscall(SYS_getcwd, buf, len + 1) == (long)len + 1);
    check("getcwd one byte short", syscall(SYS_getcwd, buf, len));
    check("getcwd size 0", syscall(SYS_getcwd, buf, 0));
    check("getcwd NULL", syscall(SYS_getcwd, NULL, sizeof buf));
    check("getcwd kernel pointer", syscall(SYS_getcwd, (void *)0xffffffff80000000UL, sizeof buf));
    int fd = open("hello.txt", O_RDONLY);
    check("open hello.txt from there", fd);
    close(fd);
    check("chdir hello.txt", chdir("hello.txt"));
    check("chdir missing", chdir("missing"));
    check("chdir \"\"", chdir(""));
    check("chdir bad pointer", chdir((char *)1));
    check("chdir dir/../..", chdir("dir/../.."));
    n = syscall(SYS_getcwd, buf, sizeof buf);
    yes("getcwd ends with /etc", n > 4 && strcmp(buf + n - 5, "/etc") == 0);
    check("chdir /", chdir("/"));
    n = syscall(SYS_getcwd, buf, sizeof buf);
    check_val("getcwd at /", n);
    print_escaped("path", buf, n - 1);
    check("chdir back", chdir(start));
    n = syscall(SYS_getcwd, buf, sizeof buf);
    yes("back where it started", strcmp(buf, start) == 0);
}

// close_range: every open descriptor in [first, last] closed, or marked close-on-exec;
// descriptors past the table and holes in it are no error.
static long close_range_(unsigned first, unsigned last, unsigned flags)
{
    return syscall(SYS_close_range, (long)first, (long)last, (long)flags);
}

static void show_fds(const char *what)
{
    printf("%s:", what);
    for (int fd = 10; fd <= 16; fd++) {
        int flags = fcntl(fd, F_GETFD);
        printf(" %d=%s", fd, flags < 0 ? "closed" : flags & FD_CLOEXEC ? "cloexec" : "open");
    }
    printf("\n");
}

static void closing_ranges(void)
{
    for (int fd = 10; fd <= 16; fd++)
        if (fd != 12)
            dup2(1, fd);                         // 12 stays a hole
    show_fds("before");
    check("close_range 11..13", close_range_(11, 13, 0));
    show_fds("after");
    check("close_range 15..~0 CLOEXEC", close_range_(15, ~0u, 4));
    show_fds("after");
    check("close_range 10..10 UNSHARE (not shared: nothing to do)", close_range_(10, 10, 2));
    show_fds("after");
    check("close_range 5..4", close_range_(5, 4, 0));
    check("close_range flag 8", close_range_(10, 20, 8));
    check("close_range 1000..2000", close_range_(1000, 2000, 0));
    check("close_range 14..16", close_range_(14, 16, 0));
    show_fds("at the end");
}

// Files in no filesystem of the tree: both ends of a pipe are one inode, a socket pair's
// ends two, every eventfd and epoll file Linux's one anonymous inode; none of the numbers
// is a kernel address.
static void pseudo_inodes(void)
{
    int p[2], q[2], s[2];
    pipe(p);
    pipe(q);
    syscall(53 /* socketpair */, 1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, s);
    int e = (int)syscall(SYS_eventfd2, 0, 0), ep = (int)syscall(SYS_epoll_create1, 0);
    struct stat a, b, c, d, x, y, z;
    fstat(p[0], &a);
    fstat(p[1], &b);
    fstat(q[0], &c);
    fstat(s[0], &d);
    fstat(s[1], &x);
    fstat(e, &y);
    fstat(ep, &z);
    yes("a pipe's two ends: one inode", a.st_ino == b.st_ino);
    yes("another pipe: another", a.st_ino != c.st_ino);
    yes("a socket pair's ends: two", d.st_ino != x.st_ino);
    yes("eventfd and epoll: one anonymous inode", y.st_ino == z.st_ino);
    printf("eventfd mode %o\n", (unsigned)y.st_mode);
    yes("small numbers", a.st_ino < (1UL << 32) && d.st_ino < (1UL << 32) && y.st_ino < (1UL << 32));
    int fds[] = { p[0], p[1], q[0], q[1], s[0], s[1], e, ep };
    for (int i = 0; i < 8; i++)
        close(fds[i]);
}

int main(void)
{
    begin("t_files");
    closing_ranges();
    reading();
    open_errors();
    directories();
    at_calls();
    stat_calls();
    edges();
    cwd();
    pseudo_inodes();
    return done();
}
