// test_cpio.c: the initramfs unpacker (kernel/initramfs.c, kernel/cpio.c) on the host, into
// the real ramfs. Archives are written by a small newc writer below, plus two made by GNU
// cpio (cpio_fixture.h). Every hostile case checks its log line and the tree left behind.
// Run with VERBOSE=1 in the environment to see what the unpacker logs.
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "cpio_fixture.h"
#include "fs.h"
#include "inflate_fixture.h"

// ---- kmalloc on malloc, able to fail on request (fake_kmalloc.h).
#include "fake_kmalloc.h"

static char log_lines[256][300];
static int log_n;

int printk(const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    const char *s = line[0] == '\001' && line[1] ? line + 2 : line;
    if (getenv("VERBOSE"))
        printf("    | %s", s);
    if (log_n < 256)
        snprintf(log_lines[log_n++], sizeof log_lines[0], "%s", s);
    return n;
}

static bool logged(const char *text)
{
    for (int i = 0; i < log_n; i++)
        if (strstr(log_lines[i], text))
            return true;
    return false;
}

#define CHECK_LOGGED(text) do { if (!logged(text)) { CHECK(logged(text)); \
    for (int i_ = 0; i_ < log_n; i_++) printf("      log: %s", log_lines[i_]); } } while (0)

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    abort();
}

// ---- A newc writer
struct ar {
    uint8_t buf[1 << 16];
    size_t len;
};

struct hdr {
    const char *magic;       // NULL: "070701"
    uint32_t ino, mode, uid, gid, nlink, mtime, major, minor, check;
    int64_t namesize;        // -1: strlen(name) + 1
    int64_t filesize;        // -1: the data's size
};

static void put_hex(struct ar *a, uint32_t v)
{
    char s[9];
    snprintf(s, sizeof s, "%08X", v);
    memcpy(a->buf + a->len, s, 8);
    a->len += 8;
}

static void pad4(struct ar *a)
{
    while (a->len % 4)
        a->buf[a->len++] = 0;
}

static void put(struct ar *a, struct hdr h, const char *name, const void *data, size_t size)
{
    memcpy(a->buf + a->len, h.magic ? h.magic : "070701", 6);
    a->len += 6;
    uint32_t namesize = h.namesize >= 0 ? (uint32_t)h.namesize : (uint32_t)strlen(name) + 1;
    uint32_t fields[13] = { h.ino, h.mode, h.uid, h.gid, h.nlink ? h.nlink : 1, h.mtime,
                            h.filesize >= 0 ? (uint32_t)h.filesize : (uint32_t)size,
                            h.major, h.minor, 0, 0, namesize, h.check };
    for (int i = 0; i < 13; i++)
        put_hex(a, fields[i]);
    memcpy(a->buf + a->len, name, strlen(name) + 1);
    a->len += strlen(name) + 1;
    pad4(a);
    memcpy(a->buf + a->len, data, size);
    a->len += size;
    pad4(a);
}

static void file(struct ar *a, const char *name, uint32_t perm, const char *text)
{
    put(a, (struct hdr){ .mode = S_IFREG | perm, .uid = 1000, .gid = 100, .mtime = 12345,
                         .namesize = -1, .filesize = -1 }, name, text, strlen(text));
}

static void dir(struct ar *a, const char *name, uint32_t perm)
{
    put(a, (struct hdr){ .mode = S_IFDIR | perm, .mtime = 777, .namesize = -1, .filesize = -1 },
        name, "", 0);
}

static void symlink(struct ar *a, const char *name, const char *target)
{
    put(a, (struct hdr){ .mode = S_IFLNK | 0777, .uid = 5, .mtime = 99, .namesize = -1,
                         .filesize = -1 }, name, target, strlen(target));
}

static void trailer(struct ar *a)
{
    put(a, (struct hdr){ .namesize = -1, .filesize = -1 }, "TRAILER!!!", "", 0);
}

// Unpacks a copy of exactly len bytes (AddressSanitizer catches any read past the end) into
// a fresh tree, with a fresh log. The files keep their data in the archive (fs_adopt), so
// the copy lives until the tree is replaced: the next call frees it, after fs_init().
static int unpack_bytes(const void *bytes, size_t len)
{
    static void *previous;
    void *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    fs_init();
    free(previous);
    previous = copy;
    log_n = 0;
    return initramfs_unpack(copy, len);
}

static int unpack(struct ar *a) { return unpack_bytes(a->buf, a->len); }

static struct inode *look(const char *path)
{
    struct inode *ip;
    return fs_lookup(NULL, path, 0, &ip) ? NULL : ip;
}

static const char *content(const char *path)
{
    static char buf[256];
    struct inode *ip = look(path);
    long n = ip ? fs_read(ip, 0, buf, sizeof buf - 1) : -1;
    buf[n < 0 ? 0 : n] = '\0';
    return ip ? buf : "(missing)";
}

// The tree's names, sorted by readdir order, as "a b/ c@ ..." (/ dirs, @ symlinks), recursive.
static void names(struct inode *d, const char *prefix, char *out, size_t cap)
{
    struct fs_dirent de;
    uint64_t pos = 2;
    while (fs_readdir(d, &pos, &de) == 1) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s%s%s", len ? " " : "", prefix, de.name,
                 de.type == DT_DIR ? "/" : de.type == DT_LNK ? "@" : "");
        if (de.type == DT_DIR) {
            struct inode *sub;
            char p[600];
            snprintf(p, sizeof p, "%s%s/", prefix, de.name);
            if (fs_lookup(d, de.name, 0, &sub) == 0)
                names(sub, p, out, cap);
        }
    }
}

static const char *tree(void)
{
    static char out[4096];
    out[0] = '\0';
    names(fs_root(), "", out, sizeof out);
    return out;
}

static struct ar A;      // one archive at a time; big, so not on the stack
static void start(void) { A.len = 0; fail_at = -1; }

// ---------------------------------------------------------------- good archives

TEST(basic_tree)
{
    start();
    dir(&A, "bin", 0755);
    file(&A, "bin/hello", 0750, "#!hello\n");
    dir(&A, "etc", 0700);
    file(&A, "etc/motd", 0644, "welcome");
    symlink(&A, "etc/link", "../bin/hello");
    file(&A, "empty", 0600, "");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "bin/ bin/hello etc/ etc/motd etc/link@ empty");
    CHECK_EQ_STR(content("/bin/hello"), "#!hello\n");
    CHECK_EQ_STR(content("/etc/motd"), "welcome");
    CHECK_EQ_STR(content("/empty"), "");
    struct inode *ip = look("/bin/hello");
    CHECK_EQ_INT(ip->mode, S_IFREG | 0750);
    CHECK_EQ_INT(ip->uid, 1000);
    CHECK_EQ_INT(ip->gid, 100);
    CHECK_EQ_INT(ip->mtime.sec, 12345);
    CHECK_EQ_INT(look("/etc")->mode, S_IFDIR | 0700);
    CHECK_EQ_INT(look("/etc")->mtime.sec, 777);
    ip = look("/etc/link");
    CHECK_EQ_STR(ip->target, "../bin/hello");
    CHECK_EQ_INT(ip->mode, S_IFLNK | 0777);
    CHECK_EQ_INT(ip->uid, 5);
    CHECK_EQ_INT(ip->mtime.sec, 99);
    struct inode *target;
    CHECK_EQ_INT(fs_lookup(NULL, "/etc/link", FS_FOLLOW, &target), 0);
    CHECK(target == look("/bin/hello"));
    CHECK_LOGGED("Trying to unpack rootfs image as initramfs...");
    CHECK_LOGGED("initramfs: 3 files, 2 directories, 1 symlinks, 1 KiB; 0 entries skipped");
    CHECK(!logged("failed"));
}

TEST(real_gnu_cpio_archives)
{
    const unsigned char *archives[2] = { fixture_newc, fixture_crc };
    size_t sizes[2] = { sizeof fixture_newc, sizeof fixture_crc };
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(unpack_bytes(archives[i], sizes[i]), 0);
        // GNU cpio wrote hello.txt (no data) and sub/again (the data) after the rest.
        CHECK_EQ_STR(tree(), "link@ sub/ sub/again sub/data.bin sub/up@ hello.txt");
        CHECK_EQ_STR(content("/hello.txt"), "Hello, Lantern!\n");
        CHECK(look("/hello.txt") == look("/sub/again"));          // a hard link
        CHECK_EQ_INT(look("/hello.txt")->nlink, 2);
        CHECK_EQ_INT(look("/sub/data.bin")->size, 12);
        CHECK_EQ_INT(memcmp(content("/sub/data.bin"), "\0\1\2\377 binary\n", 12), 0);
        CHECK_EQ_INT(look("/sub/data.bin")->mode, S_IFREG | 0600);
        CHECK_EQ_INT(look("/sub")->mode, S_IFDIR | 0750);
        CHECK_EQ_INT(look("/sub")->mtime.sec, 1700000000);
        CHECK_EQ_INT(fs_root()->mode, S_IFDIR | 0755);           // from the "." entry
        CHECK_EQ_STR(look("/sub/up")->target, "../hello.txt");
        struct inode *ip;
        CHECK_EQ_INT(fs_lookup(NULL, "/sub/up", FS_FOLLOW, &ip), 0);
        CHECK(ip == look("/hello.txt"));
        CHECK_LOGGED("initramfs: 3 files, 2 directories, 2 symlinks, 1 KiB; 0 entries skipped");
    }
}

TEST(names_cleaned)
{
    start();
    dir(&A, "./", 0711);                 // the root itself
    dir(&A, "/abs", 0755);
    file(&A, "./abs/f", 0644, "1");
    file(&A, "/./abs//g", 0644, "2");
    file(&A, "././h", 0644, "3");
    dir(&A, "d/", 0755);
    file(&A, "...", 0644, "dots are fine");
    file(&A, "..x", 0644, "so is this");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "abs/ abs/f abs/g h d/ ... ..x");
    CHECK_EQ_INT(fs_root()->mode, S_IFDIR | 0711);
    CHECK_EQ_INT(fs_root()->mtime.sec, 777);
    CHECK_EQ_STR(content("/abs/g"), "2");
}

TEST(dotdot_names_skipped)
{
    start();
    dir(&A, "a", 0755);
    file(&A, "../evil", 0644, "x");
    file(&A, "a/../../evil2", 0644, "x");
    dir(&A, "..", 0700);
    file(&A, "a/..", 0644, "x");
    symlink(&A, "/../up", "/");
    file(&A, "a/ok", 0644, "fine");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "a/ a/ok");
    CHECK_LOGGED("initramfs: skipping ../evil: \"..\" in the name");
    CHECK_LOGGED("initramfs: skipping a/../../evil2: \"..\" in the name");
    CHECK_LOGGED("initramfs: skipping a/..: \"..\" in the name");
    CHECK_LOGGED("initramfs: skipping ../up: \"..\" in the name");
    CHECK_EQ_INT(fs_root()->mode, S_IFDIR | 0755);           // ".." did not touch the root
    CHECK_LOGGED("1 files, 1 directories, 0 symlinks, 1 KiB; 5 entries skipped");
}

TEST(missing_parents_created)
{
    start();
    file(&A, "x/y/z", 0644, "deep");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "x/ x/y/ x/y/z");
    CHECK_EQ_INT(look("/x/y")->mode, S_IFDIR | 0755);
    CHECK_LOGGED("initramfs: creating the missing directory x\n");
    CHECK_LOGGED("initramfs: creating the missing directory x/y\n");
    CHECK_EQ_STR(content("/x/y/z"), "deep");
    // A symlink in the way of a parent is followed, as a path lookup would.
    start();
    dir(&A, "real", 0755);
    symlink(&A, "via", "real");
    file(&A, "via/f", 0644, "through");
    symlink(&A, "dangling", "nowhere");
    file(&A, "dangling/f", 0644, "no");
    file(&A, "real/f/g", 0644, "no");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(content("/real/f"), "through");
    CHECK_LOGGED("initramfs: skipping dangling/f: error -17");   // mkdir over the dangling link
    CHECK_LOGGED("initramfs: skipping real/f/g: error -20");
    CHECK_EQ_STR(tree(), "real/ real/f via@ dangling@");
}

TEST(existing_entries_replaced)
{
    start();
    file(&A, "f", 0644, "a long first version");
    file(&A, "f", 0600, "short");                 // overwritten, not appended
    file(&A, "s", 0644, "was a file");
    symlink(&A, "s", "f");                        // a symlink replaces a file
    symlink(&A, "s", "g");                        // and a symlink
    symlink(&A, "t", "f");
    file(&A, "t", 0644, "now a file");            // a file replaces a symlink
    file(&A, "d", 0644, "file first");
    dir(&A, "d", 0700);                           // a directory replaces a file
    dir(&A, "e", 0700);
    file(&A, "e", 0644, "file over an empty dir");
    dir(&A, "full", 0755);
    file(&A, "full/x", 0644, "x");
    file(&A, "full", 0644, "cannot replace");     // a non-empty directory stays
    dir(&A, "full", 0711);                        // an existing directory: new attributes
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "f s@ t d/ e full/ full/x");
    CHECK_EQ_STR(content("/f"), "short");
    CHECK_EQ_INT(look("/f")->mode, S_IFREG | 0600);
    CHECK_EQ_STR(look("/s")->target, "g");
    CHECK_EQ_STR(content("/t"), "now a file");
    CHECK_EQ_INT(look("/d")->mode, S_IFDIR | 0700);
    CHECK_EQ_STR(content("/e"), "file over an empty dir");
    CHECK_EQ_INT(look("/full")->mode, S_IFDIR | 0711);
    CHECK_LOGGED("initramfs: skipping full: error -39");
}

TEST(hard_links_gnu_style)
{
    start();
    struct hdr h = { .mode = S_IFREG | 0644, .ino = 42, .nlink = 3, .namesize = -1,
                     .filesize = -1 };
    put(&A, h, "one", "", 0);                     // GNU cpio: no data but with the last name
    put(&A, h, "two", "", 0);
    put(&A, h, "three", "shared", 6);
    h.ino = 43;
    put(&A, h, "other", "not linked", 10);        // another inode number
    h.ino = 42;
    h.major = 1;
    put(&A, h, "otherdev", "other device", 12);   // same inode number, other device
    trailer(&A);
    put(&A, (struct hdr){ .mode = S_IFREG | 0644, .ino = 42, .nlink = 2, .namesize = -1,
                          .filesize = -1 }, "next", "new archive", 11);
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    struct inode *one = look("/one");
    CHECK(one && one == look("/two") && one == look("/three"));
    CHECK_EQ_INT(one ? one->nlink : 0, 3);
    CHECK_EQ_STR(content("/one"), "shared");
    CHECK(look("/other") != one && look("/otherdev") != one && look("/next") != one);
    CHECK_EQ_STR(content("/next"), "new archive");   // TRAILER!!! forgot the old inode 42
    CHECK_LOGGED("initramfs: 6 files, 0 directories, 0 symlinks, 1 KiB; 0 entries skipped");
    // A later link replaces a different file of the same name, and data in the middle
    // link is kept when the last one has none.
    start();
    file(&A, "b", 0644, "old b");
    put(&A, (struct hdr){ .mode = S_IFREG | 0644, .ino = 7, .nlink = 2, .namesize = -1,
                          .filesize = -1 }, "a", "data", 4);
    put(&A, (struct hdr){ .mode = S_IFREG | 0640, .ino = 7, .nlink = 2, .namesize = -1,
                          .filesize = -1 }, "b", "", 0);
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK(look("/a") == look("/b"));
    CHECK_EQ_STR(content("/b"), "data");
    CHECK_EQ_INT(look("/a")->mode, S_IFREG | 0640);
    CHECK_EQ_INT(fs_nr_inodes(), 2);
}

TEST(concatenated_archives)
{
    start();
    file(&A, "first", 0644, "1");
    file(&A, "both", 0644, "from the first");
    trailer(&A);
    for (int i = 0; i < 512; i++)                 // cpio pads to blocks; any multiple of 4 works
        A.buf[A.len++] = 0;
    file(&A, "second", 0644, "2");
    file(&A, "both", 0644, "from the second");
    trailer(&A);
    memset(A.buf + A.len, 0, 3);                  // trailing zeros need no alignment
    A.len += 3;
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "first both second");
    CHECK_EQ_STR(content("/both"), "from the second");
    // Real archives back to back, then ours without a trailer.
    memcpy(A.buf, fixture_newc, sizeof fixture_newc);
    memcpy(A.buf + sizeof fixture_newc, fixture_crc, sizeof fixture_crc);
    A.len = sizeof fixture_newc + sizeof fixture_crc;
    file(&A, "last", 0644, "no trailer");
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(content("/last"), "no trailer");
    CHECK_EQ_STR(content("/sub/again"), "Hello, Lantern!\n");
    // Nothing at all, or only zeros, is an empty archive.
    CHECK_EQ_INT(unpack_bytes("", 0), 0);
    CHECK_EQ_INT(unpack_bytes("\0\0\0\0\0", 5), 0);
    CHECK_EQ_STR(tree(), "");
}

TEST(unsupported_types_skipped)
{
    start();
    put(&A, (struct hdr){ .mode = S_IFCHR | 0600, .major = 5, .minor = 1, .namesize = -1,
                          .filesize = -1 }, "console", "", 0);
    put(&A, (struct hdr){ .mode = S_IFBLK | 0600, .namesize = -1, .filesize = -1 }, "sda", "", 0);
    put(&A, (struct hdr){ .mode = S_IFIFO | 0600, .namesize = -1, .filesize = -1 }, "fifo", "", 0);
    put(&A, (struct hdr){ .mode = S_IFSOCK | 0600, .namesize = -1, .filesize = -1 }, "sock", "", 0);
    put(&A, (struct hdr){ .mode = 0644, .namesize = -1, .filesize = -1 }, "notype", "", 0);
    put(&A, (struct hdr){ .mode = S_IFDIR | 0755, .namesize = -1, .filesize = -1 },
        "dirdata", "xx", 2);
    put(&A, (struct hdr){ .mode = S_IFLNK | 0777, .namesize = -1, .filesize = -1 },
        "nolink", "", 0);
    file(&A, "survivor", 0644, "ok");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "survivor");
    CHECK_LOGGED("initramfs: skipping console: file type 20000 is not supported");
    CHECK_LOGGED("initramfs: skipping sda: file type 60000 is not supported");
    CHECK_LOGGED("initramfs: skipping fifo: file type 10000 is not supported");
    CHECK_LOGGED("initramfs: skipping sock: file type 140000 is not supported");
    CHECK_LOGGED("initramfs: skipping notype: file type 0 is not supported");
    CHECK_LOGGED("initramfs: skipping dirdata: a directory with data");
    CHECK_LOGGED("initramfs: skipping nolink: error -2");
    CHECK_LOGGED("1 files, 0 directories, 0 symlinks, 1 KiB; 7 entries skipped");
}

TEST(long_names)
{
    char name[5000], target[5000];
    start();
    memset(name, 'n', 256);
    name[256] = '\0';
    file(&A, name, 0644, "component too long");
    memset(target, 't', 4095);
    target[4095] = '\0';
    symlink(&A, "longest", target);               // 4095 bytes: fits PATH_MAX with its NUL
    target[4095] = 't';
    target[4096] = '\0';
    symlink(&A, "toolong", target);
    // A 4095-byte path (namesize 4096, the most PATH_MAX allows) of 250-byte components.
    memset(name, 'd', 4095);
    for (int i = 250; i < 4095; i += 251)
        name[i] = '/';
    name[4095] = '\0';
    file(&A, name, 0644, "deep");
    name[4095] = 'g';
    name[4096] = '\0';                            // namesize 4097: skipped, as Linux
    file(&A, name, 0644, "deeper");
    file(&A, "after", 0644, "still here");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_LOGGED("error -36");
    CHECK_EQ_INT(look("/longest")->size, 4095);
    CHECK(look("/toolong") == NULL);
    CHECK_LOGGED("initramfs: skipping toolong: error -36");
    name[4095] = '\0';
    CHECK_EQ_STR(content(name), "deep");
    CHECK_LOGGED("name size 4097");
    CHECK_EQ_STR(content("/after"), "still here");
    CHECK_LOGGED("2 files, 0 directories, 1 symlinks, 1 KiB; 3 entries skipped");
}

// ---------------------------------------------------------------- broken archives

// Unpacks A and checks the failure line, the errno, and what was unpacked before the problem.
static void expect_failure(const char *why, int err, const char *tree_after)
{
    char line[200];
    snprintf(line, sizeof line, "Initramfs unpacking failed: %s\n", why);
    CHECK_EQ_INT(unpack(&A), err);
    CHECK_LOGGED(line);
    CHECK_EQ_STR(tree(), tree_after);
}

TEST(bad_magic)
{
    start();
    memcpy(A.buf, "hello world", 11);
    A.len = 11;
    expect_failure("invalid magic at start of compressed archive", -EINVAL, "");
    start();
    file(&A, "ok", 0644, "1");
    memcpy(A.buf + A.len, "JUNK", 4);
    A.len += 4;
    expect_failure("invalid magic at start of compressed archive", -EINVAL, "ok");
    start();
    file(&A, "ok", 0644, "1");
    size_t second = A.len;
    file(&A, "bad", 0644, "2");
    memcpy(A.buf + second, "070707", 6);          // the second header: an old "odc" cpio
    expect_failure("incorrect cpio method used: use -H newc option", -EINVAL, "ok");
    start();
    file(&A, "bad", 0644, "2");
    memcpy(A.buf, "070703", 6);
    expect_failure("no cpio magic", -EINVAL, "");
    start();
    file(&A, "ok", 0644, "1");
    A.buf[A.len++] = 0;
    A.buf[A.len++] = '0';                         // a header at an odd offset
    expect_failure("broken padding", -EINVAL, "ok");
}

TEST(compressed_refused)
{
    start();
    memcpy(A.buf, "\037\213\010\000rest of a gzip file", 22);
    A.len = 22;
    expect_failure("decompressor failed", -EINVAL, "");
    CHECK_LOGGED("initramfs: gzip: ");                 // gzip is configured, but that is no gzip
    start();
    memcpy(A.buf, "BZh91AY&SY", 10);
    A.len = 10;
    expect_failure("decompressor failed", -EINVAL, "");
    CHECK_LOGGED("compression method bzip2 not configured");
    start();
    file(&A, "ok", 0644, "1");
    memcpy(A.buf + A.len, "\3757zXZ\000...", 9);
    A.len += 9;
    expect_failure("decompressor failed", -EINVAL, "ok");
    CHECK_LOGGED("compression method xz not configured");
}

TEST(truncated_everywhere)
{
    // Cut the real archive at every length: each prefix either unpacks (the cut fell in the
    // padding at the end) or fails as truncated, having unpacked whole entries only.
    int ok = 0, truncated = 0;
    for (size_t n = 1; n < sizeof fixture_newc; n++) {
        int r = unpack_bytes(fixture_newc, n);
        if (r == 0)
            ok++;
        else if (r == -EINVAL && logged("Initramfs unpacking failed: truncated archive\n"))
            truncated++;
        else
            printf("      cut at %zu: %d\n", n, r);
        struct inode *ip = look("/sub/data.bin");
        if (ip && ip->size != 12) {
            printf("      cut at %zu: a partial file\n", n);
            CHECK(!"partial file");
        }
    }
    CHECK_EQ_INT(ok + truncated, sizeof fixture_newc - 1);
    CHECK(truncated > 500);
    // The data cut in the middle: the file is not created at all.
    start();
    file(&A, "whole", 0644, "1");
    file(&A, "cut", 0644, "0123456789");
    A.len -= 8;
    expect_failure("truncated archive", -EINVAL, "whole");
}

TEST(bad_fields)
{
    start();
    file(&A, "ok", 0644, "1");
    size_t second = A.len;
    file(&A, "bad", 0644, "2");
    A.buf[second + 6 + 8 * 6 + 3] = 'g';         // filesize with a non-hex digit
    expect_failure("malformed archive", -EINVAL, "ok");
    CHECK_EQ_INT(second, 120);
    CHECK_LOGGED("initramfs: bad hex digit in the header at offset 120");
    start();
    file(&A, "bad", 0644, "2");
    A.buf[6 + 7] = ' ';                           // a space inside the ino field
    expect_failure("malformed archive", -EINVAL, "");
    // Sizes that would overflow 32-bit arithmetic, or run past the end.
    uint32_t huge[] = { 0xffffffff, 0xfffffffd, 0x80000000, 70000 };
    for (int i = 0; i < 4; i++) {
        start();
        put(&A, (struct hdr){ .mode = S_IFREG | 0644, .namesize = -1, .filesize = huge[i] },
            "big", "abc", 3);
        trailer(&A);
        expect_failure("truncated archive", -EINVAL, "");
        start();
        put(&A, (struct hdr){ .mode = S_IFREG | 0644, .namesize = huge[i], .filesize = -1 },
            "big", "abc", 3);
        trailer(&A);
        expect_failure("truncated archive", -EINVAL, "");
    }
}

TEST(bad_names)
{
    start();
    put(&A, (struct hdr){ .mode = S_IFREG | 0644, .namesize = 0, .filesize = -1 }, "", "x", 1);
    file(&A, "after", 0644, "ok");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_LOGGED("initramfs: skipping the entry at offset 0: name size 0");
    CHECK_EQ_STR(tree(), "after");
    // A name size that stops before the NUL.
    start();
    file(&A, "ok", 0644, "1");
    put(&A, (struct hdr){ .mode = S_IFREG | 0644, .namesize = 3, .filesize = -1 }, "abcdef", "", 0);
    trailer(&A);
    expect_failure("malformed archive", -EINVAL, "ok");
    CHECK_LOGGED("initramfs name without nulterm: abc\n");
    // A name size of 5000 that the archive does hold: skipped, and the next entry is read.
    start();
    char name[5001];
    memset(name, 'q', 4999);
    name[4999] = '\0';
    put(&A, (struct hdr){ .mode = S_IFREG | 0644, .namesize = 5000, .filesize = -1 }, name, "", 0);
    file(&A, "after", 0644, "ok");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_LOGGED("name size 5000");
    CHECK_EQ_STR(tree(), "after");
    // An empty name (just the NUL) is the root.
    start();
    put(&A, (struct hdr){ .mode = S_IFDIR | 0700, .namesize = -1, .filesize = -1 }, "", "", 0);
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_INT(fs_root()->mode, S_IFDIR | 0700);
    // A file named like the root cannot replace it.
    start();
    file(&A, ".", 0644, "x");
    symlink(&A, "/", "x");
    trailer(&A);
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_LOGGED("initramfs: skipping .: error -22");
    CHECK_LOGGED("initramfs: skipping /: error -22");
    CHECK_EQ_STR(tree(), "");
}

TEST(checksums)
{
    start();
    put(&A, (struct hdr){ .magic = "070702", .mode = S_IFREG | 0644, .namesize = -1,
                          .filesize = -1, .check = 'a' + 'b' + 'c' }, "good", "abc", 3);
    put(&A, (struct hdr){ .magic = "070702", .mode = S_IFDIR | 0755, .namesize = -1,
                          .filesize = -1, .check = 12345 }, "dir", "", 0);   // only files count
    put(&A, (struct hdr){ .magic = "070702", .mode = S_IFREG | 0644, .namesize = -1,
                          .filesize = -1, .check = 1 }, "bad", "abc", 3);
    trailer(&A);
    expect_failure("bad data checksum", -EINVAL, "good dir/");
    // The real crc archive, one data byte changed.
    static unsigned char copy[sizeof fixture_crc];
    memcpy(copy, fixture_crc, sizeof copy);
    unsigned char *p = NULL;
    for (size_t i = 0; i + 6 <= sizeof copy && !p; i++)
        if (memcmp(copy + i, "binary", 6) == 0)
            p = copy + i;
    CHECK(p != NULL);
    if (p)
        *p = 'B';
    CHECK_EQ_INT(unpack_bytes(copy, sizeof copy), -EINVAL);
    CHECK_LOGGED("Initramfs unpacking failed: bad data checksum");
    CHECK(look("/sub/data.bin") == NULL);
}

// Random damage to real archives: whatever happens, no crash (the sanitizers watch), no leak,
// a result of 0 or -EINVAL, and a tree that can be walked.
TEST(fuzz)
{
    static unsigned char copy[sizeof fixture_newc];
    uint32_t seed = 12345;
    int failed = 0, rounds = 3000;
    for (int round = 0; round < rounds; round++) {
        memcpy(copy, round % 2 ? fixture_crc : fixture_newc, sizeof copy);
        int flips = 1 + round % 4;
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245 + 12345;
            size_t at = (seed >> 8) % 700;        // the part with the entries
            seed = seed * 1103515245 + 12345;
            const char pick[] = "0123456789ABCDEFabcdefg/.\0\377 7";
            copy[at] = (unsigned char)pick[(seed >> 8) % (sizeof pick - 1)];
        }
        int r = unpack_bytes(copy, sizeof copy);
        if (r != 0 && r != -EINVAL) {
            printf("      round %d: %d\n", round, r);
            CHECK(!"unexpected result");
        }
        failed += r != 0;
        (void)tree();
    }
    CHECK(failed > 100 && failed < rounds);
    fs_init();
}

// ---------------------------------------------------------------- running out of memory

// ---------------------------------------------------------------- gzip

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
    }
    return ~crc;
}

// A tiny gzip writer: fixed Huffman codes, literals, and runs of a byte as copies of length
// 258 at distance 1. Enough to make a big archive small.
struct bits { uint8_t *out; size_t len; int nbits; };

static void put_bit(struct bits *b, unsigned bit)
{
    if (b->nbits == 0)
        b->out[b->len] = 0;
    b->out[b->len] |= (uint8_t)(bit << b->nbits);
    if (++b->nbits == 8) {
        b->nbits = 0;
        b->len++;
    }
}

static void put_code(struct bits *b, unsigned code, int len)
{
    for (int i = len - 1; i >= 0; i--)
        put_bit(b, (code >> i) & 1);
}

static void put_sym(struct bits *b, unsigned sym)
{
    if (sym < 144)
        put_code(b, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(b, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(b, sym - 256, 7);
    else
        put_code(b, 0xc0 + sym - 280, 8);
}

static size_t gzip_rle(const uint8_t *data, size_t n, uint8_t *out)
{
    static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
    struct bits b = { out, 10, 0 };
    memcpy(out, hdr, 10);
    put_bit(&b, 1);
    put_code(&b, 2, 2);                  // 1 (fixed), bits lowest first: 1 then 0
    for (size_t i = 0; i < n;) {
        put_sym(&b, data[i]);
        size_t run = 1;
        while (i + run < n && data[i + run] == data[i])
            run++;
        i++;
        for (run--; run >= 258; run -= 258, i += 258) {
            put_sym(&b, 285);            // length 258
            put_code(&b, 0, 5);          // distance 1
        }
    }
    put_sym(&b, 256);
    if (b.nbits)
        b.len++;
    uint32_t crc = crc32(data, n);
    for (int k = 0; k < 4; k++)
        out[b.len++] = (uint8_t)(crc >> 8 * k);
    for (int k = 0; k < 4; k++)
        out[b.len++] = (uint8_t)(n >> 8 * k);
    return b.len;
}

TEST(gzip_archives)
{
    CHECK_EQ_INT(unpack_bytes(cpio_newc_gz, sizeof cpio_newc_gz), 0);
    CHECK_EQ_STR(tree(), "link@ sub/ sub/again sub/data.bin sub/up@ hello.txt");
    CHECK_EQ_STR(content("/sub/again"), "Hello, Lantern!\n");
    // Plain, then gzip, then zeros and plain again (early microcode, then the real initramfs).
    start();
    file(&A, "plain", 0644, "p");
    trailer(&A);
    memcpy(A.buf + A.len, cpio_newc_gz, sizeof cpio_newc_gz);
    A.len += sizeof cpio_newc_gz;
    memset(A.buf + A.len, 0, 7);
    A.len += 7;
    while (A.len % 4)
        A.buf[A.len++] = 0;
    file(&A, "after", 0644, "a");
    CHECK_EQ_INT(unpack(&A), 0);
    CHECK_EQ_STR(tree(), "plain link@ sub/ sub/again sub/data.bin sub/up@ hello.txt after");
    // Our own encoder, and a big file: the output buffer has to grow several times.
    static uint8_t big[(1 << 20) + 4096], gz[16384];
    start();
    file(&A, "small", 0644, "s");
    memcpy(big, A.buf, A.len);
    size_t n = A.len;
    A.len = 0;
    put(&A, (struct hdr){ .mode = S_IFREG | 0600, .namesize = -1, .filesize = 1 << 20 },
        "zeros", "", 0);
    memcpy(big + n, A.buf, A.len);
    n += A.len + (1 << 20);
    memset(big + n - (1 << 20), 0, 1 << 20);
    size_t len = gzip_rle(big, n, gz);
    CHECK(len < 8000);
    CHECK_EQ_INT(unpack_bytes(gz, len), 0);
    CHECK_EQ_INT(look("/zeros") ? look("/zeros")->size : 0, 1 << 20);
    CHECK_EQ_STR(content("/small"), "s");
}

TEST(gzip_broken)
{
    static uint8_t copy[sizeof cpio_newc_gz], gz[4096];
    memcpy(copy, cpio_newc_gz, sizeof copy);
    copy[sizeof copy - 6] ^= 1;                    // the CRC
    CHECK_EQ_INT(unpack_bytes(copy, sizeof copy), -EINVAL);
    CHECK_LOGGED("initramfs: gzip: crc error\n");
    CHECK_LOGGED("Initramfs unpacking failed: decompressor failed\n");
    CHECK_EQ_INT(unpack_bytes(cpio_newc_gz, sizeof cpio_newc_gz - 20), -EINVAL);
    CHECK_LOGGED("initramfs: gzip: unexpected end of data\n");
    // gzip inside gzip: Linux calls that junk.
    size_t len = gzip_rle(cpio_newc_gz, sizeof cpio_newc_gz, gz);
    CHECK_EQ_INT(unpack_bytes(gz, len), -EINVAL);
    CHECK_LOGGED("Initramfs unpacking failed: junk within compressed archive\n");
    // An archive broken inside the compressed data.
    memcpy(copy, fixture_newc, 200);
    copy[0] = 'X';
    len = gzip_rle(copy, 200, gz);
    CHECK_EQ_INT(unpack_bytes(gz, len), -EINVAL);
    CHECK_LOGGED("Initramfs unpacking failed: invalid magic at start of compressed archive\n");
}

// ---------------------------------------------------------------- running out of memory

// Fail each allocation in turn while unpacking a real archive (plain and gzip): the unpacker
// must report it (or recover: a file's buffer falls back to the exact size), leak nothing,
// and leave a tree that works.
static void enomem_run(const unsigned char *archive, size_t size, bool copies)
{
    CHECK_EQ_INT(unpack_bytes(archive, size), 0);
    char full[4096];
    snprintf(full, sizeof full, "%s", tree());
    int reported = 0, recovered = 0, n;
    for (n = 0; n < 200; n++) {
        fs_init();
        long before = live_allocs;
        void *copy = malloc(size);
        memcpy(copy, archive, size);
        log_n = 0;
        alloc_calls = 0;
        fail_at = n;
        int r = initramfs_unpack(copy, size);
        bool hit = alloc_calls > n;
        fail_at = -1;
        if (!hit) {
            free(copy);
            CHECK_EQ_INT(r, 0);
            break;
        }
        if (r == -ENOMEM && (logged("Initramfs unpacking failed: out of memory\n") ||
                             logged("Initramfs unpacking failed: write error\n") ||
                             logged("Initramfs unpacking failed: decompressor failed\n") ||
                             logged("Initramfs unpacking failed: can't allocate buffers\n")))
            reported++;
        else if (r == 0 && strcmp(tree(), full) == 0)
            recovered++;
        else
            printf("      allocation %d failed: result %d, tree %s\n", n, r, tree());
        fs_init();                       // only the tree may hold memory: this frees it all
        free(copy);                      // (the tree's files pointed into it until now)
        CHECK_EQ_INT(live_allocs, before);
    }
    CHECK(n > 10 && n < 200);
    (void)copies;                        // files' pages have no smaller fallback to recover with
    CHECK_EQ_INT(reported + recovered, n);
}

TEST(enomem_anywhere)
{
    enomem_run(fixture_newc, sizeof fixture_newc, false);   // files adopt the archive
    enomem_run(cpio_newc_gz, sizeof cpio_newc_gz, true);    // files are copied out
}

CHECK_MAIN()
