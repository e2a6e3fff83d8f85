// t_attr.c: file metadata: umask, chmod, chown, the time stamps, truncate, statfs, access,
// mknod, sendfile, and their errors; reads and writes near the largest offset; what root
// sees (the host runs this as root too).
// Everything happens in a tmpfs mounted on attr.tmp, so the host's answers are tmpfs's
// (st_blocks, statfs), and it is unmounted and removed at the end.
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define D "attr.tmp"

static void show_mode(const char *what, const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        check(what, -1);
        return;
    }
    printf("%s: mode %o uid %u gid %u\n", what, st.st_mode, st.st_uid, st.st_gid);
}

static long now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static int recent(struct timespec t) { long d = now_sec() - t.tv_sec; return d >= -2 && d <= 5; }

static void modes(void)
{
    umask(022);
    check_val("umask(0) after 022", umask(0));
    check_val("umask(0777777) keeps 0777", (umask(0777777), umask(022)));
    close(open(D "/f", O_CREAT | O_WRONLY, 0666));
    show_mode("creat 0666 under 022", D "/f");
    check("mkdir 0777", mkdir(D "/d", 0777));
    show_mode("mkdir under 022", D "/d");
    check("symlink", symlink("f", D "/l"));
    show_mode("symlink", D "/l");
    umask(077);
    check("mknod regular 0666 under 077", mknod(D "/m", 0666, 0));
    show_mode("mknod", D "/m");
    umask(022);
    check("chmod 04755", chmod(D "/f", 04755));
    show_mode("after chmod", D "/f");
    check("chmod through symlink 0600", chmod(D "/l", 0600));
    show_mode("target", D "/f");
    show_mode("symlink stays", D "/l");
    int fd = open(D "/f", O_RDONLY);
    check("fchmod 0640 (read-only fd)", fchmod(fd, 0640));
    show_mode("after fchmod", D "/f");
    check("fchmodat", fchmodat(AT_FDCWD, D "/m", 0444, 0));
    show_mode("after fchmodat", D "/m");
    check("chmod missing", chmod(D "/nope", 0644));
    check("chmod file/x", chmod(D "/f/x", 0644));
    check("chmod bad pointer", chmod(bad_ptr(1), 0644));
    check("fchmod bad fd", fchmod(99, 0644));
    close(fd);
}

static void owners(void)
{
    chmod(D "/f", 06755);
    check("chown 1000:2000", chown(D "/f", 1000, 2000));
    show_mode("after chown (suid, sgid with g+x cleared)", D "/f");
    chmod(D "/f", 06745);
    check("chown -1 -1", chown(D "/f", -1, -1));
    show_mode("sgid without g+x kept", D "/f");
    chmod(D "/d", 07755);
    check("chown dir", chown(D "/d", 5, 6));
    show_mode("dir keeps its bits", D "/d");
    check("lchown symlink", lchown(D "/l", 7, 8));
    show_mode("symlink", D "/l");
    show_mode("target unchanged", D "/f");
    int fd = open(D "/m", O_RDONLY);
    check("fchown", fchown(fd, 9, -1));
    show_mode("after fchown", D "/m");
    check("fchownat AT_EMPTY_PATH", fchownat(fd, "", -1, 10, AT_EMPTY_PATH));
    show_mode("after fchownat", D "/m");
    check("fchownat bad flags", fchownat(AT_FDCWD, D "/m", 0, 0, 0x8000));
    check("fchown bad fd", fchown(99, 0, 0));
    check("chown missing", chown(D "/nope", 0, 0));
    check("lchown bad pointer", lchown(bad_ptr(1), 0, 0));
    close(fd);
}

static void times(void)
{
    struct stat st;
    struct timespec t[2] = { { 1000, 500 }, { 2000, 600 } };
    check("utimensat", utimensat(AT_FDCWD, D "/f", t, 0));
    stat(D "/f", &st);
    printf("atime %ld.%ld mtime %ld.%ld\n", st.st_atim.tv_sec, st.st_atim.tv_nsec,
           st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    yes("ctime is now", recent(st.st_ctim));
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 3000, 0 } };
    check("utimensat omit atime", utimensat(AT_FDCWD, D "/f", omit, 0));
    stat(D "/f", &st);
    printf("atime %ld mtime %ld\n", st.st_atim.tv_sec, st.st_mtim.tv_sec);
    struct timespec nowt[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
    check("utimensat UTIME_NOW", utimensat(AT_FDCWD, D "/f", nowt, 0));
    stat(D "/f", &st);
    yes("atime now, mtime kept", recent(st.st_atim) && st.st_mtim.tv_sec == 3000);
    check("utimensat NULL (both now)", utimensat(AT_FDCWD, D "/f", NULL, 0));
    stat(D "/f", &st);
    yes("both now", recent(st.st_atim) && recent(st.st_mtim));
    check("utimensat symlink nofollow", utimensat(AT_FDCWD, D "/l", t, AT_SYMLINK_NOFOLLOW));
    lstat(D "/l", &st);
    printf("symlink mtime %ld\n", st.st_mtim.tv_sec);
    int fd = open(D "/f", O_RDONLY);
    check("futimens", futimens(fd, t));
    fstat(fd, &st);
    printf("futimens mtime %ld\n", st.st_mtim.tv_sec);
    struct timespec bad[2] = { { 1, 1000000000 }, { 0, 0 } };
    check("bad nsec", utimensat(AT_FDCWD, D "/f", bad, 0));
    check("bad nsec, missing file", utimensat(AT_FDCWD, D "/nope", bad, 0));
    struct timespec both_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    check("both omitted, missing file", utimensat(AT_FDCWD, D "/nope", both_omit, 0x8000));
    check("bad flags", utimensat(AT_FDCWD, D "/f", t, 0x8000));
    check("NULL path, AT_FDCWD", utimensat(AT_FDCWD, NULL, t, 0));
    check("NULL path, fd, flags", utimensat(fd, NULL, t, AT_SYMLINK_NOFOLLOW));
    check("NULL path, bad fd", utimensat(99, NULL, t, 0));
    check("AT_EMPTY_PATH", utimensat(fd, "", t, AT_EMPTY_PATH));
    check("times bad pointer", utimensat(AT_FDCWD, D "/f", bad_ptr(1), 0));
    close(fd);
    long tv[4] = { 4000, 0, 5000, 999999 };
    check("utimes", syscall(SYS_utimes, D "/f", tv));
    stat(D "/f", &st);
    printf("utimes: atime %ld mtime %ld.%ld\n", st.st_atim.tv_sec, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    tv[3] = 1000000;
    check("utimes bad usec", syscall(SYS_utimes, D "/f", tv));
    check("futimesat", syscall(SYS_futimesat, AT_FDCWD, D "/f", NULL));
    long ub[2] = { 6000, 7000 };
    check("utime", syscall(SYS_utime, D "/f", ub));
    stat(D "/f", &st);
    printf("utime: atime %ld mtime %ld\n", st.st_atim.tv_sec, st.st_mtim.tv_sec);
    // Changes set the times: writing the data, adding a name to a directory.
    fd = open(D "/f", O_WRONLY);
    write(fd, "x", 1);
    fstat(fd, &st);
    yes("write sets mtime and ctime", recent(st.st_mtim) && recent(st.st_ctim));
    close(fd);
    utimensat(AT_FDCWD, D "/d", t, 0);
    close(open(D "/d/new", O_CREAT | O_WRONLY, 0644));
    stat(D "/d", &st);
    yes("a new entry sets the directory's mtime", recent(st.st_mtim));
    utimensat(AT_FDCWD, D "/d", t, 0);
    unlink(D "/d/new");
    stat(D "/d", &st);
    yes("removing one too", recent(st.st_mtim));
}

static void sizes(void)
{
    struct stat st;
    char buf[8];
    int fd = open(D "/s", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "abcdef", 6);
    check("ftruncate 3", ftruncate(fd, 3));
    check("truncate 10", truncate(D "/s", 10));
    fstat(fd, &st);
    printf("size %ld blocks %ld blksize %ld\n", (long)st.st_size, (long)st.st_blocks, (long)st.st_blksize);
    memset(buf, '?', sizeof buf);
    check_val("pread", syscall(SYS_pread64, fd, buf, 8, 0));
    print_escaped("grown with zeros", buf, 8);
    check("truncate 1 MiB (a hole)", truncate(D "/s", 1 << 20));
    fstat(fd, &st);
    printf("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
    lseek(fd, 100000, SEEK_SET);
    write(fd, "z", 1);
    fstat(fd, &st);
    printf("after a write in the hole: blocks %ld\n", (long)st.st_blocks);
    utimensat(fd, NULL, NULL, 0);
    struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
    futimens(fd, t);
    ftruncate(fd, 0);
    fstat(fd, &st);
    yes("truncate sets mtime", recent(st.st_mtim));
    check("ftruncate -1", ftruncate(fd, -1));
    check("ftruncate bad fd, -1", ftruncate(99, -1));
    check("ftruncate bad fd", ftruncate(99, 1));
    int ro = open(D "/s", O_RDONLY), dir = open(D "/d", O_RDONLY);
    check("ftruncate read-only fd", ftruncate(ro, 1));
    check("ftruncate directory", ftruncate(dir, 1));
    check("truncate directory", truncate(D "/d", 1));
    check("truncate -1", truncate(D "/s", -1));
    check("truncate missing, -1", truncate(D "/nope", -1));
    check("truncate missing", truncate(D "/nope", 1));
    check("truncate /dev/null", truncate("/dev/null", 0));
    check("truncate bad pointer", truncate(bad_ptr(1), 0));
    close(ro);
    close(dir);
    close(fd);
}

static void fs_stats(void)
{
    struct statfs s;
    check("statfs", statfs(D, &s));
    printf("type %lx bsize %ld frsize %ld namelen %ld\n", s.f_type, s.f_bsize, s.f_frsize, s.f_namelen);
    yes("blocks > 0, free <= blocks", s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_bavail <= s.f_blocks);
    yes("files > ffree > 0", s.f_files > s.f_ffree && s.f_ffree > 0);
    yes("flags valid", (s.f_flags & 0x20) != 0);
    int fd = open(D "/f", O_RDONLY);
    check("fstatfs", fstatfs(fd, &s));
    printf("type %lx\n", s.f_type);
    close(fd);
    check("statfs missing", statfs(D "/nope", &s));
    check("statfs bad buffer", statfs(D, bad_ptr(1)));
    check("fstatfs bad fd", fstatfs(99, &s));
}

static void access_checks(void)
{
    chmod(D "/f", 0644);
    check("X_OK on 0644", faccessat(AT_FDCWD, D "/f", X_OK, 0));
    chmod(D "/f", 0744);
    check("X_OK on 0744", faccessat(AT_FDCWD, D "/f", X_OK, 0));
    check("access X_OK", access(D "/f", X_OK));
    chmod(D "/f", 0);
    check("R_OK|W_OK on 0000 (root)", access(D "/f", R_OK | W_OK));
    check("X_OK on a directory", access(D "/d", X_OK));
    check("AT_EACCESS", faccessat(AT_FDCWD, D "/f", R_OK, AT_EACCESS));
    check("dangling symlink", symlink("nowhere", D "/dl"));
    check("faccessat follows", faccessat(AT_FDCWD, D "/dl", F_OK, 0));
    check("AT_SYMLINK_NOFOLLOW", faccessat(AT_FDCWD, D "/dl", F_OK, AT_SYMLINK_NOFOLLOW));
    int fd = open(D "/d", O_RDONLY);
    check("AT_EMPTY_PATH", faccessat(fd, "", X_OK, AT_EMPTY_PATH));
    check("relative to a dirfd", faccessat(fd, "nope", F_OK, 0));
    close(fd);
    check("bad mode", access(D "/f", 8));
    check("bad flags", faccessat(AT_FDCWD, D "/f", F_OK, 0x4000));
    check("syscall faccessat (no flags)", syscall(SYS_faccessat, AT_FDCWD, D "/f", R_OK));
    chmod(D "/f", 0644);
}

static void nodes(void)
{
    struct stat st;
    char buf[4];
    check("mknod char 1:3", mknod(D "/null", S_IFCHR | 0666, (1 << 8) | 3));
    stat(D "/null", &st);
    printf("mode %o rdev %lx\n", st.st_mode, (unsigned long)st.st_rdev);
    int fd = open(D "/null", O_RDWR);
    check("open it", fd);
    check_val("write", write(fd, "abc", 3));
    check_val("read", read(fd, buf, sizeof buf));
    close(fd);
    check("mknod fifo", mknod(D "/fifo", S_IFIFO | 0644, 0));
    show_mode("fifo", D "/fifo");
    check("mknodat", mknodat(AT_FDCWD, D "/m2", S_IFREG | 0600, 0));
    show_mode("mknodat", D "/m2");
    check("mknod directory", mknod(D "/x", S_IFDIR | 0755, 0));
    check("mknod bad type", mknod(D "/x", 0170000 | 0644, 0));
    check("mknod bad type, missing dir", mknod(D "/nope/x", 0170000, 0));
    check("mknod existing", mknod(D "/f", 0644, 0));
    check("mknod existing/", mknod(D "/f/", 0644, 0));
    check("mknod new/", mknod(D "/x/", 0644, 0));
    check("mknod bad pointer", mknod(bad_ptr(1), 0644, 0));
}

static void sending(void)
{
    int in = open(D "/src", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(in, "0123456789", 10);
    int out = open(D "/dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
    lseek(in, 2, SEEK_SET);
    check_val("sendfile 4 from the position", sendfile(out, in, NULL, 4));
    check_val("in's position moved", lseek(in, 0, SEEK_CUR));
    off_t off = 7;
    check_val("sendfile 100 from offset 7", sendfile(out, in, &off, 100));
    check_val("offset now", off);
    check_val("in's position kept", lseek(in, 0, SEEK_CUR));
    char buf[16] = { 0 };
    long n = syscall(SYS_pread64, out, buf, sizeof buf, 0);
    print_escaped("dst", buf, n);
    int p[2];
    pipe(p);
    off = 0;
    check_val("sendfile to a pipe", sendfile(p[1], in, &off, 3));
    n = read(p[0], buf, sizeof buf);
    print_escaped("pipe", buf, n);
    check_val("sendfile at the end", sendfile(out, in, NULL, 5));
    check("from a pipe", sendfile(out, p[0], NULL, 1));
    check("bad in fd", sendfile(out, 99, NULL, 1));
    check("bad out fd", sendfile(99, in, NULL, 1));
    check("out not writable", sendfile(p[0], in, NULL, 1));
    off = -1;
    check("negative offset", sendfile(out, in, &off, 1));
    check("offset bad pointer", sendfile(out, in, bad_ptr(1), 1));
    int app = open(D "/dst", O_WRONLY | O_APPEND);
    check("out O_APPEND", sendfile(app, in, NULL, 1));
    close(app);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
}

// Linux's rw_verify_area: a read or write on a file whose end would pass LLONG_MAX is
// EINVAL - before it looks for bytes, after it checks the buffer is in user space - and one
// that ends at it is not; the position stays. Readv and writev check their whole vector.
static long vec(long nr, int fd, struct iovec *iov, long offset)
{
    return syscall(nr, (long)fd, iov, 2L, offset, 0L, 0L);
}

static void far_offsets(void)
{
    int fd = open(D "/far", O_CREAT | O_RDWR | O_TRUNC, 0644), p[2];
    char buf[100];
    struct iovec iv[2] = { { buf, 50 }, { buf + 50, 50 } };
    long far = LLONG_MAX - 10;
    check_val("write 5", write(fd, "hello", 5));
    check_val("lseek to LLONG_MAX - 10", lseek(fd, far, SEEK_SET));
    check_val("  read 10", read(fd, buf, 10));
    check_val("  read 11", read(fd, buf, 11));
    check_val("  read 0", read(fd, buf, 0));
    check_val("  read 100 into an unmapped buffer", read(fd, bad_ptr(1), 100));
    check_val("  read 100 into the kernel's half", read(fd, bad_ptr(0xffffffff80000000), 100));
    check_val("  readv 50+50", readv(fd, iv, 2));
    check_val("  preadv2 offset -1 (the position), 50+50", vec(SYS_preadv2, fd, iv, -1));
    check_val("  write 100", write(fd, buf, 100));
    check_val("  writev 50+50", writev(fd, iv, 2));
    check_val("  pwritev2 offset -1 (the position), 50+50", vec(SYS_pwritev2, fd, iv, -1));
    check_val("  sendfile 100 from the position", (pipe(p), sendfile(p[1], fd, NULL, 100)));
    check_val("  the position", lseek(fd, 0, SEEK_CUR));
    check_val("lseek to LLONG_MAX", lseek(fd, LLONG_MAX, SEEK_SET));
    check_val("  read 1", read(fd, buf, 1));
    check_val("  write 0", write(fd, buf, 0));
    check_val("pread 100 at LLONG_MAX - 10", pread(fd, buf, 100, far));
    check_val("pread 10 at LLONG_MAX - 10", pread(fd, buf, 10, far));
    check_val("pread 100 at -1", syscall(SYS_pread64, fd, buf, 100, -1L));
    check_val("pwrite 100 at LLONG_MAX - 10", pwrite(fd, buf, 100, far));
    check_val("preadv 50+50 at LLONG_MAX - 10", vec(SYS_preadv, fd, iv, far));
    check_val("pwritev 50+50 at LLONG_MAX - 10", vec(SYS_pwritev, fd, iv, far));
    off_t off = far;
    check_val("sendfile 100 from offset LLONG_MAX - 10", sendfile(p[1], fd, &off, 100));
    check_val("  the offset", off);
    check_val("the size", lseek(fd, 0, SEEK_END));
    close(p[0]);
    close(p[1]);
    close(fd);
}

static int atime_fd;

static void old_times(void)
{
    struct timespec t[2] = { { 1000, 0 }, { 2000, 0 } };
    futimens(atime_fd, t);
}

static void show_atime(const char *what)
{
    struct stat st;
    fstat(atime_fd, &st);
    printf("%s: atime %s\n", what, st.st_atim.tv_sec == 1000 ? "kept" : "set");
}

// Linux's tmpfs sets the access time on every read that reaches the file (relatime: when it
// is not after mtime or ctime) - also one that finds no byte, at or past the end, one of 0
// bytes, one that faults; not a vector of no bytes, nor a call refused before it reads.
static void read_times(void)
{
    char buf[16];
    struct iovec one = { buf, sizeof buf }, none = { buf, 0 };
    atime_fd = open(D "/far", O_RDWR);
    old_times();
    show_atime("fresh");
    lseek(atime_fd, 5, SEEK_SET);
    old_times();
    check_val("read 16 at the end", read(atime_fd, buf, sizeof buf));
    show_atime("  then");
    old_times();
    check_val("read 0", read(atime_fd, buf, 0));
    show_atime("  then");
    old_times();
    check_val("readv 16 at the end", readv(atime_fd, &one, 1));
    show_atime("  then");
    old_times();
    check_val("readv of 0 bytes", readv(atime_fd, &none, 1));
    show_atime("  then");
    old_times();
    check_val("pread 16 past the end", pread(atime_fd, buf, sizeof buf, 50));
    show_atime("  then");
    old_times();
    check_val("preadv 16 at the end", syscall(SYS_preadv, atime_fd, &one, 1L, 5L, 0L));
    show_atime("  then");
    old_times();
    check_val("pread 16 into an unmapped buffer", pread(atime_fd, bad_ptr(1), sizeof buf, 0));
    show_atime("  then");
    old_times();
    check_val("pread at -1", syscall(SYS_pread64, atime_fd, buf, 16L, -1L));
    show_atime("  then");
    old_times();
    check_val("pread 16 at LLONG_MAX - 10", pread(atime_fd, buf, sizeof buf, LLONG_MAX - 10));
    show_atime("  then");
    struct stat a, b;
    struct timespec pause = { 0, 50000000 };
    old_times();
    nanosleep(&pause, NULL);
    read(atime_fd, buf, sizeof buf);
    fstat(atime_fd, &a);
    nanosleep(&pause, NULL);
    read(atime_fd, buf, sizeof buf);
    fstat(atime_fd, &b);
    yes("a second read, atime after mtime and ctime: atime kept",
        a.st_atim.tv_sec == b.st_atim.tv_sec && a.st_atim.tv_nsec == b.st_atim.tv_nsec);
    close(atime_fd);
}

static void hostname_errors(void)
{
    // Only the errors: a sethostname that works would rename the host.
    check("sethostname 65 bytes", sethostname("x", 65));
    check("sethostname -1", syscall(SYS_sethostname, "x", -1));
    check("sethostname bad pointer", sethostname(bad_ptr(1), 10));
}

// statx: the same facts as fstatat, in statx's shape (coreutils' ls and stat call it).
struct statx_ts { long long sec; unsigned nsec; int pad; };
struct statx_buf {
    unsigned mask, blksize;
    unsigned long long attributes;
    unsigned nlink, uid, gid;
    unsigned short mode, pad0;
    unsigned long long ino, size, blocks, attributes_mask;
    struct statx_ts atime, btime, ctime, mtime;
    unsigned rdev_major, rdev_minor, dev_major, dev_minor;
    unsigned long long spare[14];
};
#define SYS_statx_ 332
#define STATX_BASIC 0x7ffu

static long statx_(int dirfd, const char *path, int flags, unsigned mask, struct statx_buf *b)
{
    return syscall(SYS_statx_, dirfd, path, flags, mask, b);
}

static void statx_checks(void)
{
    int fd = open(D "/s", O_CREAT | O_RDWR | O_TRUNC, 0640);
    write(fd, "statx!", 6);
    struct stat st;
    struct statx_buf x;
    fstat(fd, &st);
    check("statx", statx_(AT_FDCWD, D "/s", 0, STATX_BASIC, &x));
    yes("  the basic fields are there", (x.mask & STATX_BASIC) == STATX_BASIC);
    yes("  mode, nlink, uid, gid as stat's", x.mode == st.st_mode && x.nlink == st.st_nlink &&
        x.uid == st.st_uid && x.gid == st.st_gid);
    yes("  ino, size, blocks, blksize as stat's", x.ino == st.st_ino &&
        x.size == (unsigned long long)st.st_size && x.blocks == (unsigned long long)st.st_blocks &&
        x.blksize == st.st_blksize);
    yes("  mtime and ctime as stat's", x.mtime.sec == st.st_mtim.tv_sec &&
        x.mtime.nsec == st.st_mtim.tv_nsec && x.ctime.sec == st.st_ctim.tv_sec);
    unsigned long major = x.dev_major, minor = x.dev_minor;   // glibc's makedev, in full:
    unsigned long dev = (minor & 0xff) | (major & 0xfff) << 8 | (minor & ~0xfful) << 12 |
                        (major & ~0xffful) << 32;                // a minor past 255 is common
    yes("  the device as stat's", dev == st.st_dev);
    check("statx AT_EMPTY_PATH on the fd", statx_(fd, "", AT_EMPTY_PATH, STATX_BASIC, &x));
    printf("  size %llu mode %o\n", x.size, x.mode);
    check("statx of /dev/null", statx_(AT_FDCWD, "/dev/null", 0, STATX_BASIC, &x));
    printf("  rdev %u:%u\n", x.rdev_major, x.rdev_minor);
    check("statx, reserved mask bit", statx_(AT_FDCWD, D "/s", 0, 0x80000000u, &x));
    check("statx, both sync flags", statx_(AT_FDCWD, D "/s", 0x6000, STATX_BASIC, &x));
    check("statx, unknown flag", statx_(AT_FDCWD, D "/s", 0x1, STATX_BASIC, &x));
    check("statx, no such file", statx_(AT_FDCWD, D "/none", 0, STATX_BASIC, &x));
    check("statx, bad buffer", statx_(AT_FDCWD, D "/s", 0, STATX_BASIC, (void *)8));
    check("statx, bad fd", statx_(99, "", AT_EMPTY_PATH, STATX_BASIC, &x));
    close(fd);
}

int main(void)
{
    begin("t_attr");
    check("mkdir " D, mkdir(D, 0755));
    check("mount tmpfs", mount("tmpfs", D, "tmpfs", 0, NULL));
    modes();
    owners();
    times();
    sizes();
    statx_checks();
    fs_stats();
    access_checks();
    nodes();
    sending();
    far_offsets();
    read_times();
    hostname_errors();
    // Emptied first: Lantern's tmpfs mount is the tree's own directory, and keeps its files.
    const char *names[] = { "f", "l", "m", "s", "dl", "null", "fifo", "m2", "src", "dst",
                            "far" };
    char path[64];
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, D "/%s", names[i]);
        check(path, unlink(path));
    }
    check("rmdir d", rmdir(D "/d"));
    check("umount2 bad flags", umount2(D, 0x100));
    check("umount2", umount2(D, 0));
    check("umount2 again", umount2(D, 0));
    check("rmdir " D, rmdir(D));
    return done();
}
