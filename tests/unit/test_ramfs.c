// test_ramfs.c: the in-memory filesystem (kernel/ramfs*.c) on the host: path lookup with every
// error Linux gives, the name calls, file data with holes and limits, readdir while the
// directory changes, and a failed allocation at every possible point leaving the tree as it was.
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fs.h"

// ---- The kernel services ramfs uses: kmalloc (fake_kmalloc.h), a silent printk.
#include "fake_kmalloc.h"
int printk(const char *fmt, ...) { (void)fmt; return 0; }

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("panic: ");
    vprintf(fmt, ap);
    va_end(ap);
    abort();
}

// ---- Helpers
static struct inode *R;        // the root, after reset()

static void reset(void)
{
    fail_at = -1;
    fs_init();
    R = fs_root();
    CHECK_EQ_INT(fs_nr_inodes(), 1);
}

static struct inode *look(const char *path, int flags)
{
    struct inode *ip = NULL;
    int err = fs_lookup(NULL, path, flags, &ip);
    return err ? NULL : ip;
}

static int look_err(struct inode *cwd, const char *path, int flags)
{
    struct inode *ip;
    return fs_lookup(cwd, path, flags, &ip);
}

static struct inode *mkdir_p(struct inode *dir, const char *name)
{
    struct inode *ip = NULL;
    CHECK_EQ_INT(fs_mkdir(dir, name, 0755, &ip), 0);
    return ip;
}

static struct inode *mkfile(struct inode *dir, const char *name, const char *text)
{
    struct inode *ip = NULL;
    CHECK_EQ_INT(fs_create(dir, name, 0644, &ip), 0);
    if (ip && text)
        CHECK_EQ_INT(fs_write(ip, 0, text, strlen(text)), strlen(text));
    return ip;
}

static struct inode *mklink(struct inode *dir, const char *name, const char *target)
{
    struct inode *ip = NULL;
    CHECK_EQ_INT(fs_symlink(dir, name, target, &ip), 0);
    return ip;
}

// The whole tree below dir as text: one line per entry, with everything stat would show and
// the data, so two dumps are equal exactly when nothing visible changed.
static void dump(struct inode *dir, const char *prefix, char *out, size_t cap)
{
    struct fs_dirent de;
    uint64_t pos = 0;
    while (fs_readdir(dir, &pos, &de) == 1) {
        struct inode *ip;
        if (!strcmp(de.name, ".") || !strcmp(de.name, ".."))
            continue;
        CHECK_EQ_INT(fs_lookup(dir, de.name, 0, &ip), 0);
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s/%s t%d m%o n%u s%llu u%u g%u t%lld ", prefix, de.name,
                 de.type, ip->mode, ip->nlink, (unsigned long long)ip->size, ip->uid, ip->gid,
                 (long long)ip->mtime.sec);
        len = strlen(out);
        if (S_ISREG(ip->mode) && ip->size < 200) {
            char data[200];
            long n = fs_read(ip, 0, data, sizeof data);
            for (long i = 0; i < n && len + 3 < cap; i++)
                len += snprintf(out + len, cap - len, "%02x", (unsigned char)data[i]);
        } else if (S_ISLNK(ip->mode)) {
            snprintf(out + len, cap - len, "-> %s", ip->target);
        }
        len = strlen(out);
        snprintf(out + len, cap - len, "\n");
        if (S_ISDIR(ip->mode)) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", prefix, de.name);
            dump(ip, sub, out, cap);
        }
    }
}

static char dump_buf[2][8192];
static const char *tree(int which)
{
    dump_buf[which][0] = '\0';
    dump(R, "", dump_buf[which], sizeof dump_buf[which]);
    return dump_buf[which];
}

// A sample tree: /a/b/f ("hello"), /a/g, /l -> a/b (relative), /abs -> /a, /dangling -> nowhere
static void sample(void)
{
    reset();
    struct inode *a = mkdir_p(R, "a");
    struct inode *b = mkdir_p(a, "b");
    mkfile(b, "f", "hello");
    mkfile(a, "g", "gee");
    mklink(R, "l", "a/b");
    mklink(R, "abs", "/a");
    mklink(R, "dangling", "nowhere");
}

static char *repeat(char c, size_t n)
{
    static char buf[3][8200];
    static int which;
    char *s = buf[which++ % 3];
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

// ---------------------------------------------------------------- lookup

TEST(root_and_dots)
{
    reset();
    CHECK(look("/", 0) == R);
    CHECK(look("//", 0) == R);
    CHECK(look("/.", 0) == R);
    CHECK(look(".", 0) == R);
    CHECK(look("..", 0) == R);
    CHECK(look("/../../..", 0) == R);
    CHECK(look("/./.././/", 0) == R);
    CHECK_EQ_INT(R->ino, 1);
    CHECK_EQ_INT(R->nlink, 2);
    CHECK_EQ_INT(R->mode, S_IFDIR | 0755);
    CHECK_EQ_INT(look_err(NULL, "", 0), -ENOENT);
}

TEST(lookup_paths)
{
    sample();
    struct inode *a = look("/a", 0), *b = look("/a/b", 0), *f = look("/a/b/f", 0);
    CHECK(a && b && f);
    CHECK(look("//a//b//f", 0) == f);
    CHECK(look("a/./b/../b/f", 0) == f);
    CHECK(look("/a/b/", 0) == b);
    CHECK(look("/a/b/.", 0) == b);
    CHECK(look("/a/b/..", 0) == a);
    CHECK(look("/a/b/../..", 0) == R);
    CHECK(look("../../a/b/f", 0) == f);         // ".." above the root is the root
    struct inode *ip;
    CHECK_EQ_INT(fs_lookup(a, "b/f", 0, &ip), 0);    // relative to a cwd
    CHECK(ip == f);
    CHECK_EQ_INT(fs_lookup(b, "../g", 0, &ip), 0);
    CHECK(ip == look("/a/g", 0));
    CHECK_EQ_INT(fs_lookup(b, "/a", 0, &ip), 0);     // absolute ignores the cwd
    CHECK(ip == a);
    CHECK_EQ_INT(look_err(NULL, "/a/x", 0), -ENOENT);
    CHECK_EQ_INT(look_err(NULL, "/a/x/y", 0), -ENOENT);
    CHECK_EQ_INT(look_err(NULL, "/x/../a", 0), -ENOENT);   // ".." does not forgive a missing name
    CHECK_EQ_INT(look_err(NULL, "/a/b/f/", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(NULL, "/a/b/f//", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(NULL, "/a/b/f/.", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(NULL, "/a/b/f/..", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(NULL, "/a/b/f/y", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(f, "x", 0), -ENOTDIR);            // a file as the cwd
}

TEST(lookup_name_too_long)
{
    sample();
    char path[8300];
    CHECK_EQ_INT(look_err(NULL, repeat('x', 255), 0), -ENOENT);
    CHECK_EQ_INT(look_err(NULL, repeat('x', 256), 0), -ENAMETOOLONG);
    snprintf(path, sizeof path, "/a/%s/f", repeat('y', 256));
    CHECK_EQ_INT(look_err(NULL, path, 0), -ENAMETOOLONG);
    snprintf(path, sizeof path, "/nothere/%s", repeat('y', 256));
    CHECK_EQ_INT(look_err(NULL, path, 0), -ENOENT);           // Linux stops at the first error
    snprintf(path, sizeof path, "/a/b/f/%s", repeat('y', 256));
    CHECK_EQ_INT(look_err(NULL, path, 0), -ENOTDIR);
    // A path of 4095 bytes fits PATH_MAX with its NUL; 4096 does not.
    char *p = repeat('/', 4095);
    memcpy(p + 4095 - 5, "a/b/f", 5);
    CHECK(look(p, 0) == look("/a/b/f", 0));
    p = repeat('/', 4096);
    memcpy(p + 4096 - 5, "a/b/f", 5);
    CHECK_EQ_INT(look_err(NULL, p, 0), -ENAMETOOLONG);
    CHECK_EQ_INT(look_err(NULL, repeat('/', 8000), 0), -ENAMETOOLONG);
}

TEST(symlinks_followed)
{
    sample();
    struct inode *b = look("/a/b", 0), *f = look("/a/b/f", 0), *l = look("/l", 0);
    CHECK(l && S_ISLNK(l->mode));
    CHECK_EQ_INT(l->size, 3);
    CHECK_EQ_INT(l->mode, S_IFLNK | 0777);
    CHECK(look("/l", FS_FOLLOW) == b);
    CHECK(look("/l/", 0) == b);                   // a trailing slash follows
    CHECK(look("/l/.", 0) == b);
    CHECK(look("/l/f", 0) == f);                  // in the middle: always followed
    CHECK(look("/l/..", 0) == look("/a", 0));     // ".." of where the link leads, not of /
    CHECK(look("/abs/b/f", 0) == f);
    CHECK(look("/a/b/../../abs/./b/f", 0) == f);
    // A relative target is resolved from the link's own directory.
    struct inode *up = mklink(b, "up", "../g");
    CHECK(look("/a/b/up", FS_FOLLOW) == look("/a/g", 0));
    CHECK(look("/l/up", 0) == up);
    CHECK(look("/l/up", FS_FOLLOW) == look("/a/g", 0));
    // A link to a link to a directory, relative from a different directory.
    mklink(R, "ll", "l");
    CHECK(look("/ll/f", 0) == f);
    // A link to a file with a trailing slash.
    mklink(R, "lf", "/a/b/f");
    CHECK(look("/lf", FS_FOLLOW) == f);
    CHECK_EQ_INT(look_err(NULL, "/lf/", 0), -ENOTDIR);
    CHECK_EQ_INT(look_err(NULL, "/lf/x", 0), -ENOTDIR);
    // A target with a trailing slash itself.
    mklink(R, "ls", "a/b/f/");
    CHECK_EQ_INT(look_err(NULL, "/ls", FS_FOLLOW), -ENOTDIR);
    CHECK(look("/ls", 0) != NULL);
}

TEST(symlinks_dangling)
{
    sample();
    struct inode *d = look("/dangling", 0);
    CHECK(d && S_ISLNK(d->mode));
    CHECK_EQ_INT(look_err(NULL, "/dangling", FS_FOLLOW), -ENOENT);
    CHECK_EQ_INT(look_err(NULL, "/dangling/", 0), -ENOENT);
    CHECK_EQ_INT(look_err(NULL, "/dangling/x", 0), -ENOENT);
    mkfile(R, "nowhere", "now somewhere");
    CHECK(look("/dangling", FS_FOLLOW) == look("/nowhere", 0));
}

TEST(symlink_loops)
{
    reset();
    mklink(R, "self", "self");
    CHECK(look("/self", 0) != NULL);
    CHECK_EQ_INT(look_err(NULL, "/self", FS_FOLLOW), -ELOOP);
    CHECK_EQ_INT(look_err(NULL, "/self/x", 0), -ELOOP);
    mklink(R, "ping", "pong");
    mklink(R, "pong", "/ping");
    CHECK_EQ_INT(look_err(NULL, "/ping/", 0), -ELOOP);
    // A chain of exactly 40 links resolves; 41 is one too many.
    mkdir_p(R, "end");
    char name[16], target[16];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(target, sizeof target, i == 41 ? "end" : "c%d", i + 1);
        mklink(R, name, target);
    }
    CHECK(look("/c2", FS_FOLLOW) == look("/end", 0));
    CHECK_EQ_INT(look_err(NULL, "/c1", FS_FOLLOW), -ELOOP);
    // The budget is per lookup, not per nesting: 40 "dot" links in a row are fine, 41 not.
    mklink(R, "dot", ".");
    char path[300] = "";
    for (int i = 0; i < 40; i++)
        strcat(path, "dot/");
    CHECK(look(path, 0) == R);
    strcat(path, "dot/");
    CHECK_EQ_INT(look_err(NULL, path, 0), -ELOOP);
}

TEST(lookup_parent)
{
    sample();
    struct fs_last last;
    struct inode *a = look("/a", 0), *b = look("/a/b", 0);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/a/b/new", &last), 0);
    CHECK(last.dir == b);
    CHECK_EQ_STR(last.name, "new");
    CHECK(!last.must_be_dir);
    CHECK_EQ_INT(fs_lookup_parent(a, "new//", &last), 0);
    CHECK(last.dir == a);
    CHECK_EQ_STR(last.name, "new");
    CHECK(last.must_be_dir);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "//x", &last), 0);
    CHECK(last.dir == R);
    CHECK_EQ_STR(last.name, "x");
    CHECK_EQ_INT(fs_lookup_parent(a, "/", &last), 0);
    CHECK(last.dir == R);
    CHECK_EQ_STR(last.name, ".");
    CHECK_EQ_INT(fs_lookup_parent(b, "..", &last), 0);
    CHECK(last.dir == b);
    CHECK_EQ_STR(last.name, "..");
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/l/new", &last), 0);   // a symlink in the middle
    CHECK(last.dir == b);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/l", &last), 0);       // ... but not at the end
    CHECK(last.dir == R);
    CHECK_EQ_STR(last.name, "l");
    CHECK_EQ_INT(fs_lookup_parent(NULL, "", &last), -ENOENT);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/nope/x", &last), -ENOENT);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/dangling/x", &last), -ENOENT);
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/a/g/x", &last), -ENOTDIR);
    mklink(R, "self", "self");
    CHECK_EQ_INT(fs_lookup_parent(NULL, "/self/x", &last), -ELOOP);
    char path[600];
    snprintf(path, sizeof path, "/a/%s", repeat('n', 255));
    CHECK_EQ_INT(fs_lookup_parent(NULL, path, &last), 0);
    CHECK_EQ_INT(strlen(last.name), 255);
    snprintf(path, sizeof path, "/a/%s/", repeat('n', 256));
    CHECK_EQ_INT(fs_lookup_parent(NULL, path, &last), -ENAMETOOLONG);
    CHECK_EQ_INT(fs_lookup_parent(NULL, repeat('/', 4096), &last), -ENAMETOOLONG);
}

// ---------------------------------------------------------------- names

TEST(create_errors)
{
    sample();
    struct inode *a = look("/a", 0), *g = look("/a/g", 0), *ip;
    CHECK_EQ_INT(fs_create(a, "g", 0644, &ip), -EEXIST);
    CHECK_EQ_INT(fs_create(a, "b", 0644, &ip), -EEXIST);
    CHECK_EQ_INT(fs_mkdir(a, "g", 0755, &ip), -EEXIST);
    CHECK_EQ_INT(fs_symlink(a, "b", "x", &ip), -EEXIST);
    CHECK_EQ_INT(fs_mkdir(R, "dangling", 0755, &ip), -EEXIST);   // even a dangling symlink
    CHECK_EQ_INT(fs_create(a, ".", 0644, &ip), -EEXIST);
    CHECK_EQ_INT(fs_mkdir(a, "..", 0755, &ip), -EEXIST);
    CHECK_EQ_INT(fs_create(g, "x", 0644, &ip), -ENOTDIR);
    CHECK_EQ_INT(fs_mkdir(g, "x", 0755, &ip), -ENOTDIR);
    CHECK_EQ_INT(fs_symlink(g, "x", "t", &ip), -ENOTDIR);
    CHECK_EQ_INT(fs_create(a, "", 0644, &ip), -ENOENT);
    CHECK_EQ_INT(fs_create(a, "x/y", 0644, &ip), -EINVAL);
    CHECK_EQ_INT(fs_create(a, repeat('z', 256), 0644, &ip), -ENAMETOOLONG);
    CHECK_EQ_INT(fs_create(a, repeat('z', 255), 0644, &ip), 0);
    CHECK_EQ_INT(fs_symlink(a, "s", "", &ip), -ENOENT);
    CHECK_EQ_INT(fs_symlink(a, "s", repeat('t', 4096), &ip), -ENAMETOOLONG);
    CHECK_EQ_INT(fs_symlink(a, "s", repeat('t', 4095), &ip), 0);
    CHECK_EQ_INT(ip->size, 4095);
    // Permission bits only; the type comes from the call.
    CHECK_EQ_INT(fs_create(a, "p", 0100000 | 07777 | 0170000, &ip), 0);
    CHECK_EQ_INT(ip->mode, S_IFREG | 07777);
    CHECK_EQ_INT(fs_mkdir(a, "q", 0040700, &ip), 0);
    CHECK_EQ_INT(ip->mode, S_IFDIR | 0700);
    CHECK_EQ_INT(fs_create(a, "nullout", 0600, NULL), 0);
}

TEST(nlink_size_ino)
{
    reset();
    struct inode *a = mkdir_p(R, "a");
    CHECK_EQ_INT(R->nlink, 3);
    CHECK_EQ_INT(a->nlink, 2);
    CHECK_EQ_INT(a->size, 40);
    CHECK_EQ_INT(R->size, 60);
    struct inode *f = mkfile(a, "f", NULL);
    mkdir_p(a, "d1");
    mkdir_p(a, "d2");
    CHECK_EQ_INT(a->nlink, 4);
    CHECK_EQ_INT(a->size, 100);
    CHECK_EQ_INT(f->nlink, 1);
    CHECK(f->ino > a->ino && a->ino > R->ino);
    CHECK_EQ_INT(fs_rmdir(a, "d1"), 0);
    CHECK_EQ_INT(a->nlink, 3);
    CHECK_EQ_INT(a->size, 80);
    CHECK_EQ_INT(fs_nr_inodes(), 4);
}

TEST(unlink_and_rmdir)
{
    sample();
    struct inode *a = look("/a", 0), *b = look("/a/b", 0), *g = look("/a/g", 0);
    CHECK_EQ_INT(fs_unlink(a, "nope"), -ENOENT);
    CHECK_EQ_INT(fs_unlink(a, "b"), -EISDIR);
    CHECK_EQ_INT(fs_unlink(a, "."), -EISDIR);
    CHECK_EQ_INT(fs_unlink(a, ".."), -EISDIR);
    CHECK_EQ_INT(fs_unlink(g, "x"), -ENOTDIR);
    CHECK_EQ_INT(fs_unlink(a, ""), -ENOENT);
    CHECK_EQ_INT(fs_unlink(a, repeat('u', 256)), -ENAMETOOLONG);
    CHECK_EQ_INT(fs_rmdir(a, "nope"), -ENOENT);
    CHECK_EQ_INT(fs_rmdir(a, "g"), -ENOTDIR);
    CHECK_EQ_INT(fs_rmdir(R, "l"), -ENOTDIR);        // a symlink to a directory is no directory
    CHECK_EQ_INT(fs_rmdir(a, "b"), -ENOTEMPTY);
    CHECK_EQ_INT(fs_rmdir(a, "."), -EINVAL);
    CHECK_EQ_INT(fs_rmdir(a, ".."), -ENOTEMPTY);
    CHECK_EQ_INT(fs_rmdir(g, "x"), -ENOTDIR);
    uint64_t n = fs_nr_inodes();
    // Removing a symlink removes the link, not its target.
    CHECK_EQ_INT(fs_unlink(R, "l"), 0);
    CHECK(look("/a/b", 0) == b);
    CHECK_EQ_INT(fs_unlink(b, "f"), 0);
    CHECK_EQ_INT(fs_rmdir(a, "b"), 0);
    CHECK_EQ_INT(fs_nr_inodes(), n - 3);
    CHECK_EQ_INT(look_err(NULL, "/a/b", 0), -ENOENT);
    CHECK_EQ_INT(fs_unlink(a, "g"), 0);
    CHECK_EQ_INT(fs_unlink(a, "g"), -ENOENT);
    CHECK_EQ_INT(fs_rmdir(R, "a"), 0);
    CHECK_EQ_INT(R->nlink, 2);
    CHECK_EQ_STR(tree(0), "/abs t10 m120777 n1 s2 u0 g0 t0 -> /a\n"
                          "/dangling t10 m120777 n1 s7 u0 g0 t0 -> nowhere\n");
}

TEST(open_file_outlives_its_name)
{
    sample();
    struct inode *b = look("/a/b", 0), *f = look("/a/b/f", 0);
    uint64_t n = fs_nr_inodes();
    fs_get(f);
    CHECK_EQ_INT(fs_unlink(b, "f"), 0);
    CHECK_EQ_INT(f->nlink, 0);
    CHECK_EQ_INT(fs_nr_inodes(), n);                 // still alive: someone holds it
    char buf[8] = "";
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 5);
    CHECK_EQ_INT(fs_write(f, 5, "!", 1), 1);
    CHECK_EQ_INT(fs_link(b, "again", f), -ENOENT);   // no names back for an unlinked file
    fs_put(f);
    CHECK_EQ_INT(fs_nr_inodes(), n - 1);
}

TEST(removed_directory)
{
    sample();
    struct inode *a = look("/a", 0), *d = mkdir_p(a, "d"), *ip;
    fs_get(d);                                       // a process's cwd, say
    CHECK_EQ_INT(fs_rmdir(a, "d"), 0);
    CHECK_EQ_INT(d->nlink, 0);
    CHECK_EQ_INT(fs_lookup(d, ".", 0, &ip), 0);
    CHECK(ip == d);
    CHECK_EQ_INT(fs_lookup(d, "..", 0, &ip), 0);   // as Linux: still its old parent,
    CHECK(ip == a);                                  // which it keeps alive
    CHECK_EQ_INT(a->refcount, 1);
    CHECK_EQ_INT(fs_lookup(d, "x", 0, &ip), -ENOENT);
    CHECK_EQ_INT(fs_create(d, "x", 0644, &ip), -ENOENT);
    CHECK_EQ_INT(fs_mkdir(d, "x", 0755, &ip), -ENOENT);
    struct fs_dirent de;
    uint64_t pos = 0;
    CHECK_EQ_INT(fs_readdir(d, &pos, &de), 1);
    CHECK_EQ_STR(de.name, ".");
    CHECK_EQ_INT(fs_readdir(d, &pos, &de), 1);
    CHECK_EQ_STR(de.name, "..");
    CHECK_EQ_INT(de.ino, a->ino);
    CHECK_EQ_INT(fs_readdir(d, &pos, &de), 0);
    uint64_t n = fs_nr_inodes();
    fs_put(d);
    CHECK_EQ_INT(fs_nr_inodes(), n - 1);
    CHECK_EQ_INT(a->refcount, 0);
}

TEST(hard_links)
{
    sample();
    struct inode *a = look("/a", 0), *b = look("/a/b", 0), *f = look("/a/b/f", 0);
    CHECK_EQ_INT(fs_link(R, "f2", f), 0);
    CHECK_EQ_INT(f->nlink, 2);
    CHECK(look("/f2", 0) == f);
    CHECK_EQ_INT(fs_link(R, "f2", f), -EEXIST);
    CHECK_EQ_INT(fs_link(R, "bb", b), -EPERM);
    CHECK_EQ_INT(fs_link(R, "..", f), -EEXIST);
    CHECK_EQ_INT(fs_link(f, "x", f), -ENOTDIR);
    CHECK_EQ_INT(fs_write(look("/f2", 0), 0, "J", 1), 1);
    char buf[8] = "";
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 5);
    CHECK_EQ_STR(buf, "Jello");
    uint64_t n = fs_nr_inodes();
    CHECK_EQ_INT(fs_unlink(b, "f"), 0);
    CHECK_EQ_INT(fs_nr_inodes(), n);
    CHECK_EQ_INT(f->nlink, 1);
    CHECK_EQ_INT(fs_unlink(R, "f2"), 0);
    CHECK_EQ_INT(fs_nr_inodes(), n - 1);
    (void)a;
}

// ---------------------------------------------------------------- data

TEST(read_write_holes)
{
    reset();
    struct inode *f = mkfile(R, "f", NULL);
    char buf[64];
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 0);
    CHECK_EQ_INT(fs_write(f, 0, "abc", 3), 3);
    CHECK_EQ_INT(fs_write(f, 10, "xyz", 3), 3);      // a hole of 7 bytes
    CHECK_EQ_INT(f->size, 13);
    memset(buf, 'Q', sizeof buf);
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 13);
    CHECK(memcmp(buf, "abc\0\0\0\0\0\0\0xyzQ", 14) == 0);
    CHECK_EQ_INT(fs_read(f, 12, buf, 5), 1);
    CHECK_EQ_INT(buf[0], 'z');
    CHECK_EQ_INT(fs_read(f, 13, buf, 5), 0);
    CHECK_EQ_INT(fs_read(f, UINT64_MAX, buf, 5), 0);
    CHECK_EQ_INT(fs_write(f, 1, "BC", 2), 2);        // overwrite in the middle
    CHECK_EQ_INT(fs_read(f, 0, buf, 3), 3);
    CHECK(memcmp(buf, "aBC", 3) == 0);
    CHECK_EQ_INT(f->size, 13);
    CHECK_EQ_INT(fs_write(f, 5, "", 0), 0);
    // Shrinking then growing must not bring the old bytes back.
    CHECK_EQ_INT(fs_truncate(f, 2), 0);
    CHECK_EQ_INT(fs_truncate(f, 12), 0);
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 12);
    CHECK(memcmp(buf, "aB\0\0\0\0\0\0\0\0\0\0", 12) == 0);
    CHECK_EQ_INT(fs_truncate(f, 0), 0);
    CHECK_EQ_INT(fs_write(f, 4, "z", 1), 1);
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "\0\0\0\0z", 5) == 0);
    CHECK_EQ_INT(fs_truncate(f, 5000), 0);
    CHECK_EQ_INT(fs_read(f, 4990, buf, sizeof buf), 10);
    CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0);
}

TEST(growth_byte_by_byte)
{
    reset();
    struct inode *f = mkfile(R, "f", NULL);
    for (int i = 0; i < 100000; i++) {
        char c = (char)(i * 7);
        if (fs_write(f, (uint64_t)i, &c, 1) != 1) {
            CHECK(!"write failed");
            return;
        }
    }
    CHECK_EQ_INT(f->size, 100000);
    CHECK_EQ_INT(f->file.npages, 25);                 // 100000 bytes: 25 pages, no more
    static char buf[100000];
    CHECK_EQ_INT(fs_read(f, 0, buf, sizeof buf), 100000);
    int bad = 0;
    for (int i = 0; i < 100000; i++)
        bad += buf[i] != (char)(i * 7);
    CHECK_EQ_INT(bad, 0);
}

TEST(data_limits_and_types)
{
    sample();
    struct inode *f = look("/a/g", 0), *b = look("/a/b", 0), *l = look("/l", 0);
    char buf[16];
    CHECK_EQ_INT(fs_write(f, FS_FILE_MAX, "x", 1), -EFBIG);
    CHECK_EQ_INT(fs_write(f, UINT64_MAX, "x", 1), -EFBIG);
    CHECK_EQ_INT(fs_write(f, UINT64_MAX, "x", 0), 0);          // nothing to write: no error
    CHECK_EQ_INT(fs_truncate(f, FS_FILE_MAX + 1), -EFBIG);
    CHECK_EQ_INT(f->size, 3);
    CHECK_EQ_INT(fs_write(f, FS_FILE_MAX - 4, "0123456789", 10), 4);   // cut at the limit
    CHECK_EQ_INT(f->size, FS_FILE_MAX);
    CHECK_EQ_INT(fs_read(f, FS_FILE_MAX - 5, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "\0" "0123", 5) == 0);
    CHECK_EQ_INT(fs_truncate(f, 3), 0);
    CHECK_EQ_INT(fs_read(b, 0, buf, 1), -EISDIR);
    CHECK_EQ_INT(fs_write(b, 0, buf, 1), -EISDIR);
    CHECK_EQ_INT(fs_truncate(b, 0), -EISDIR);
    CHECK_EQ_INT(fs_read(l, 0, buf, 1), -EINVAL);
    CHECK_EQ_INT(fs_write(l, 0, buf, 1), -EINVAL);
    CHECK_EQ_INT(fs_truncate(l, 0), -EINVAL);
    CHECK_EQ_INT(fs_readlink(l, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "a/b", 3) == 0);
    CHECK_EQ_INT(fs_readlink(l, buf, 2), 2);
    CHECK_EQ_INT(fs_readlink(f, buf, 2), -EINVAL);
}

// ---------------------------------------------------------------- readdir

// Lists a directory as "name:type:ino-relation ..." in readdir order.
static void list(struct inode *dir, char *out, size_t cap)
{
    struct fs_dirent de;
    uint64_t pos = 0;
    out[0] = '\0';
    int r;
    while ((r = fs_readdir(dir, &pos, &de)) == 1) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s:%d", len ? " " : "", de.name, de.type);
    }
    CHECK_EQ_INT(r, 0);
}

TEST(readdir_listing)
{
    sample();
    char out[512];
    list(R, out, sizeof out);
    CHECK_EQ_STR(out, ".:4 ..:4 a:4 l:10 abs:10 dangling:10");
    struct inode *a = look("/a", 0), *b = look("/a/b", 0);
    list(b, out, sizeof out);
    CHECK_EQ_STR(out, ".:4 ..:4 f:8");
    struct fs_dirent de;
    uint64_t pos = 0;
    CHECK_EQ_INT(fs_readdir(b, &pos, &de), 1);
    CHECK_EQ_INT(de.ino, b->ino);
    CHECK_EQ_INT(fs_readdir(b, &pos, &de), 1);
    CHECK_EQ_INT(de.ino, a->ino);
    pos = 1;
    CHECK_EQ_INT(fs_readdir(R, &pos, &de), 1);
    CHECK_EQ_STR(de.name, "..");
    CHECK_EQ_INT(de.ino, R->ino);                   // the root's ".." is itself
    pos = UINT64_MAX;
    CHECK_EQ_INT(fs_readdir(R, &pos, &de), 0);
    CHECK_EQ_INT(fs_readdir(look("/a/g", 0), &pos, &de), -ENOTDIR);
}

TEST(readdir_while_changing)
{
    reset();
    char name[8];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "e%d", i);
        mkfile(R, name, NULL);
    }
    struct fs_dirent de;
    uint64_t pos = 0;
    char seen[256] = "";
    for (int i = 0; i < 4; i++) {                    // ".", "..", e0, e1
        CHECK_EQ_INT(fs_readdir(R, &pos, &de), 1);
        strcat(seen, de.name);
        strcat(seen, " ");
    }
    CHECK_EQ_INT(fs_unlink(R, "e1"), 0);            // the entry just returned
    CHECK_EQ_INT(fs_unlink(R, "e0"), 0);            // one before
    CHECK_EQ_INT(fs_unlink(R, "e3"), 0);            // one not returned yet: never will be
    mkfile(R, "new", NULL);                          // added: returned at the end
    CHECK_EQ_INT(fs_unlink(R, "e2"), 0);
    mkfile(R, "e2", NULL);                           // removed and added: a new entry
    int r;
    while ((r = fs_readdir(R, &pos, &de)) == 1) {
        strcat(seen, de.name);
        strcat(seen, " ");
    }
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_STR(seen, ". .. e0 e1 e4 e5 new e2 ");
    CHECK_EQ_INT(fs_readdir(R, &pos, &de), 0);      // the end stays the end
    // Everything removed under the cursor: still just the end.
    pos = 3;
    CHECK_EQ_INT(fs_readdir(R, &pos, &de), 1);
    CHECK_EQ_STR(de.name, "e4");
}

// ---------------------------------------------------------------- running out of memory

// Runs op with memory running out at its 0th, 1st, 2nd... allocation, until it succeeds. Each
// failure must be -ENOMEM and leave the tree, the inode count and the heap as they were.
static void each_failure(const char *what, long (*op)(void))
{
    int failures = 0;
    for (long k = 0; k < 100; k++) {
        const char *before = tree(0);
        uint64_t inodes = fs_nr_inodes();
        long allocs = live_allocs;
        alloc_calls = 0;
        fail_at = k;
        fail_rest = true;
        long r = op();
        fail_at = -1;
        fail_rest = false;
        if (r != -ENOMEM) {
            if (r < 0 || failures == 0)
                printf("      %s: %ld after %d failures\n", what, r, failures);
            CHECK(r >= 0);
            CHECK(failures > 0);         // every one of these operations allocates
            return;
        }
        failures++;
        if (strcmp(before, tree(1)) != 0 || fs_nr_inodes() != inodes || live_allocs != allocs) {
            printf("      %s: allocation %ld failed and something changed\n", what, k);
            CHECK(!"consistent after -ENOMEM");
            return;
        }
    }
    CHECK(!"never succeeded");
}

static long op_create(void) { return fs_create(look("/a", 0), "new", 0644, NULL); }
static long op_mkdir(void) { return fs_mkdir(look("/a/b", 0), "newdir", 0700, NULL); }
static long op_symlink(void) { return fs_symlink(R, "newlink", "/a/b/f", NULL); }
static long op_link(void) { return fs_link(R, "hard", look("/a/g", 0)); }
static long op_write(void)
{
    static char big[8000 - 4096];                 // a new page, and only that
    return fs_write(look("/a/b/f", 0), 4096, big, sizeof big);
}
static long op_truncate(void) { return fs_truncate(look("/a/g", 0), 100000); }

TEST(enomem_leaves_tree_alone)
{
    sample();
    each_failure("create", op_create);
    each_failure("mkdir", op_mkdir);
    each_failure("symlink", op_symlink);
    each_failure("link", op_link);
    each_failure("write", op_write);
    CHECK_EQ_INT(op_truncate(), 0);              // a hole: nothing to allocate
    CHECK(look("/a/new", 0) && look("/a/b/newdir", 0) && look("/newlink", FS_FOLLOW));
    CHECK_EQ_INT(look("/a/b/f", 0)->size, 8000);
    CHECK_EQ_INT(look("/hard", 0)->size, 100000);
}

// Pages come one at a time; a hole takes none. Out of memory, a write stops short (or
// fails with -ENOSPC, changing nothing); truncating down gives every page back.
TEST(pages_holes_and_enospc)
{
    reset();
    long base = live_allocs;
    struct inode *f = mkfile(R, "f", NULL);
    static char buf[3 * 4096];
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(fs_write(f, 0, buf, 1), 1);
    CHECK_EQ_INT(f->file.npages, 1);
    CHECK_EQ_INT(fs_write(f, 10 << 20, buf, 1), 1);            // 10 MiB on: one more page
    CHECK_EQ_INT(f->file.npages, 2);
    CHECK_EQ_INT(fs_blocks(f), 16);
    CHECK_EQ_INT(f->size, (10 << 20) + 1);
    char c = 1;
    CHECK_EQ_INT(fs_read(f, 5 << 20, &c, 1), 1);
    CHECK_EQ_INT(c, 0);                                        // the hole reads as zero
    alloc_calls = 0;
    fail_at = 3;                         // the top array, the leaf, a page, then no more
    CHECK_EQ_INT(fs_write(f, 20 << 20, buf, sizeof buf), 4096);
    alloc_calls = 0;
    fail_at = 0;
    CHECK_EQ_INT(fs_write(f, 30 << 20, buf, 1), -ENOMEM);
    fail_at = -1;
    CHECK_EQ_INT(f->size, (20 << 20) + 4096);
    CHECK_EQ_INT(fs_truncate(f, 4097), 0);
    CHECK_EQ_INT(f->file.npages, 1);
    CHECK_EQ_INT(fs_read(f, 4096, buf, 2), 1);
    CHECK_EQ_INT(buf[0], 0);                                   // the tail was cleared
    fs_set_page_limit(2);                                      // tmpfs's size=
    CHECK_EQ_INT(fs_write(f, 0, buf, 3 * 4096), 4096);
    CHECK_EQ_INT(fs_write(f, 8192, buf, 1), -ENOSPC);
    fs_set_page_limit(UINT64_MAX);
    CHECK_EQ_INT(fs_truncate(f, 0), 0);
    CHECK_EQ_INT(fs_pages_used(), 0);
    CHECK_EQ_INT(fs_unlink(R, "f"), 0);
    CHECK_EQ_INT(live_allocs, base);
}

// A file still borrowing the initramfs's bytes (fs_adopt) copies them into pages of its
// own at its first change - for a cut, only the bytes that stay: a cut to 0 needs no room
// even with the file system full, as tmpfs's never fails for space; one that keeps bytes
// and finds no room fails with the file as it was.
TEST(borrowed_file_cut_when_full)
{
    reset();
    long base = live_allocs;
    static char archive[3 * 4096 + 100];
    memset(archive, 'b', sizeof archive);
    struct inode *f = mkfile(R, "f", NULL);
    CHECK_EQ_INT(fs_adopt(f, archive, sizeof archive), 0);
    CHECK_EQ_INT(fs_pages_used(), 0);
    fs_set_page_limit(0);                                      // full
    CHECK_EQ_INT(fs_truncate(f, 5000), -ENOSPC);
    CHECK_EQ_INT(f->size, sizeof archive);
    char c = 0;
    CHECK_EQ_INT(fs_read(f, sizeof archive - 1, &c, 1), 1);
    CHECK_EQ_INT(c, 'b');                                      // still the archive's
    CHECK_EQ_INT(fs_truncate(f, 0), 0);
    CHECK_EQ_INT(f->size, 0);
    CHECK_EQ_INT(fs_pages_used(), 0);
    fs_set_page_limit(UINT64_MAX);
    CHECK_EQ_INT(fs_adopt(f, archive, sizeof archive), 0);
    CHECK_EQ_INT(fs_truncate(f, 5000), 0);                     // two pages, not four
    CHECK_EQ_INT(f->file.npages, 2);
    CHECK_EQ_INT(fs_read(f, 4999, &c, 1), 1);
    CHECK_EQ_INT(c, 'b');
    CHECK_EQ_INT(fs_truncate(f, 0), 0);
    CHECK_EQ_INT(fs_unlink(R, "f"), 0);
    CHECK_EQ_INT(live_allocs, base);
}

TEST(fs_init_frees_everything)
{
    reset();
    long base = live_allocs;
    struct inode *d = R;
    for (int i = 0; i < 20000; i++)                  // deeper than any recursion could go
        d = mkdir_p(d, "d");
    mkfile(d, "f", "deep");
    struct inode *f = mkfile(R, "f", "top");
    fs_link(R, "f2", f);
    fs_link(d, "f3", f);
    mklink(d, "up", "/");
    fs_init();
    R = fs_root();
    CHECK_EQ_INT(fs_nr_inodes(), 1);
    CHECK_EQ_INT(live_allocs, base);
}

CHECK_MAIN()
