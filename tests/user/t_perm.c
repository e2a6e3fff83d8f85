// t_perm.c: file permissions for a user who is not root. Root makes files in a tmpfs on
// perm.tmp; a child becomes uid 1000, gid 2000 (groups: 2000, 3000) and tries them: open for
// reading and writing, creating and removing names, chmod, chown, the times, truncate,
// access with real and effective ids, the sticky bit, set-group-id directories; search (x)
// permission on every directory a path goes through (Linux's may_lookup), and chroot.
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define D "perm.tmp"

static void make(const char *name, int mode, int uid, int gid)
{
    close(open(name, O_CREAT | O_WRONLY, 0600));
    chown(name, uid, gid);
    chmod(name, mode);
}

static void show(const char *what, const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        check(what, -1);
        return;
    }
    printf("%s: mode %o uid %u gid %u\n", what, st.st_mode, st.st_uid, st.st_gid);
}

// A path through a directory without x for us fails with EACCES, whatever comes after it
// (missing, not a directory); a directory with x only can be gone through but not listed.
static void search_permission(void)
{
    struct stat st;
    check("stat a file in a 0666 directory", stat(D "/nosearch/f", &st));
    check("stat a missing name there", stat(D "/nosearch/missing", &st));
    check("stat through a file there", stat(D "/nosearch/f/x", &st));
    check("stat the directory itself", stat(D "/nosearch", &st));
    check("stat its .. (a lookup in it)", stat(D "/nosearch/..", &st));
    check("stat its subdirectory", stat(D "/nosearch/sub/.", &st));
    check("open a file there", open(D "/nosearch/f", O_RDONLY));
    check("open it O_DIRECTORY (r is enough)", open(D "/nosearch", O_RDONLY | O_DIRECTORY));
    check("creat there", open(D "/nosearch/new", O_CREAT | O_WRONLY, 0644));
    check("mkdir there", mkdir(D "/nosearch/new", 0755));
    check("unlink there", unlink(D "/nosearch/f"));
    check("access F_OK there", access(D "/nosearch/f", F_OK));
    check("readlink there", readlink(D "/nosearch/f", (char[8]){0}, 8));
    check("stat through a symlink into it", stat(D "/tonosearch", &st));
    check("lstat that symlink", lstat(D "/tonosearch", &st));
    check("chdir into it", chdir(D "/nosearch"));
    check("stat a file in a 0711 directory", stat(D "/xonly/f", &st));
    check("open a 0711 directory", open(D "/xonly", O_RDONLY | O_DIRECTORY));
    check("chroot as a user", chroot(D "/xonly"));
    check("chroot a 0666 directory as a user", chroot(D "/nosearch"));
    check("chroot a missing directory as a user", chroot(D "/missing"));
    check("chdir into the 0711 directory", chdir(D "/xonly"));
    check("stat . there", stat(".", &st));
    check("stat f there", stat("f", &st));
}

static void as_user(void)
{
    unsigned int groups[2] = { 2000, 3000 };
    check("setgroups", syscall(SYS_setgroups, 2, groups));
    check("setgid 2000", syscall(SYS_setgid, 2000));
    check("setresuid 1000 1000 0", syscall(SYS_setresuid, 1000, 1000, 0));

    check("open own 0600 O_RDWR", open(D "/mine", O_RDWR));
    check("open others' 0644 O_RDONLY", open(D "/theirs", O_RDONLY));
    check("open others' 0644 O_WRONLY", open(D "/theirs", O_WRONLY));
    check("open others' 0644 O_RDONLY|O_TRUNC", open(D "/theirs", O_RDONLY | O_TRUNC));
    check("open group-writable 0660 O_WRONLY", open(D "/group", O_WRONLY));
    check("open group 3000 (supplementary) 0640", open(D "/group3000", O_RDONLY));
    check("open others' 0600", open(D "/secret", O_RDONLY));
    check("open 0000 own file", open(D "/mine0", O_RDONLY));
    check("creat in a root 0755 directory", open(D "/rootdir/new", O_CREAT | O_WRONLY, 0644));
    check("mkdir there", mkdir(D "/rootdir/new", 0755));
    check("mkdir over an existing name there", mkdir(D "/rootdir/old", 0755));
    check("symlink there", symlink("x", D "/rootdir/new"));
    check("unlink there", unlink(D "/rootdir/old"));
    check("rename out of it", rename(D "/rootdir/old", D "/old"));
    check("unlink missing there", unlink(D "/rootdir/missing"));
    int fd = open(D "/new", O_CREAT | O_WRONLY, 0666);
    check("creat in a 0777 directory", fd);
    close(fd);
    show("new file", D "/new");
    check("mkdir in a 0777 directory", mkdir(D "/newdir", 0777));
    show("new directory", D "/newdir");
    close(open(D "/sgid/f", O_CREAT | O_WRONLY, 0644));
    show("file in a set-group-id directory", D "/sgid/f");
    check("mkdir in it", mkdir(D "/sgid/d", 0755));
    show("directory in it", D "/sgid/d");

    check("chmod own", chmod(D "/mine", 02640));
    show("own (set-group-id kept: group 2000 is ours)", D "/mine");
    check("chmod others'", chmod(D "/theirs", 0666));
    check("chown own to another user", chown(D "/mine", 1001, -1));
    check("chown own to a group of ours", chown(D "/mine", -1, 3000));
    check("chown own to a group not ours", chown(D "/mine", -1, 4000));
    check("chown own to itself", chown(D "/mine", 1000, -1));
    show("own", D "/mine");
    check("chown others'", chown(D "/theirs", -1, 2000));

    struct timespec t[2] = { { 100, 0 }, { 200, 0 } };
    check("utimensat own, explicit", utimensat(AT_FDCWD, D "/mine", t, 0));
    check("utimensat others', explicit", utimensat(AT_FDCWD, D "/theirs", t, 0));
    check("utimensat others', now", utimensat(AT_FDCWD, D "/theirs", NULL, 0));
    check("utimensat group-writable, now", utimensat(AT_FDCWD, D "/group", NULL, 0));
    check("truncate others'", truncate(D "/theirs", 0));
    check("truncate group-writable", truncate(D "/group", 0));

    check("access others' R_OK", access(D "/theirs", R_OK));
    check("access others' W_OK", access(D "/theirs", W_OK));
    check("access own X_OK on 0640", access(D "/mine", X_OK));
    check("access group-writable W_OK", access(D "/group", W_OK));
    check("mknod a FIFO", mknod(D "/fifo", S_IFIFO | 0644, 0));
    check("mknod a device", mknod(D "/null", S_IFCHR | 0644, 0x103));
    check("unlink others' file in the sticky directory", unlink(D "/sticky/theirs"));
    check("unlink own file in the sticky directory", unlink(D "/sticky/mine"));
    check("rename others' file in the sticky directory", rename(D "/sticky/theirs", D "/sticky/x"));
    // With the effective uid root again (the saved one), access still checks the real uid.
    check("seteuid 0", syscall(SYS_setresuid, -1, 0, -1));
    check("access others' 0600 (real uid 1000)", access(D "/secret", R_OK));
    check("faccessat AT_EACCESS (effective uid 0)", faccessat(AT_FDCWD, D "/secret", R_OK, AT_EACCESS));
    check("open others' 0600 as effective root", open(D "/secret", O_RDONLY));
    check("stat in a 0666 directory as effective root", stat(D "/nosearch/f", &(struct stat){0}));
    check("seteuid 1000", syscall(SYS_setresuid, -1, 1000, -1));
    search_permission();
}

int main(void)
{
    begin("t_perm");
    check("mkdir " D, mkdir(D, 0777));
    check("mount tmpfs", mount("tmpfs", D, "tmpfs", 0, NULL));
    check("chmod 0777", chmod(D, 0777));
    make(D "/mine", 0600, 1000, 2000);
    make(D "/mine0", 0000, 1000, 2000);
    make(D "/theirs", 0644, 0, 0);
    make(D "/group", 0660, 0, 2000);
    make(D "/group3000", 0640, 0, 3000);
    make(D "/secret", 0600, 0, 0);
    mkdir(D "/rootdir", 0755);
    make(D "/rootdir/old", 0644, 1000, 2000);
    mkdir(D "/sgid", 0777);
    chown(D "/sgid", 0, 5000);
    chmod(D "/sgid", 02777);
    mkdir(D "/sticky", 0);
    chmod(D "/sticky", 01777);           // (mkdir's mode goes through the umask)
    make(D "/sticky/theirs", 0666, 0, 0);
    make(D "/sticky/mine", 0666, 1000, 2000);
    mkdir(D "/nosearch", 0777);
    mkdir(D "/nosearch/sub", 0777);
    make(D "/nosearch/f", 0644, 1000, 2000);
    chmod(D "/nosearch", 0666);
    symlink("nosearch/f", D "/tonosearch");
    mkdir(D "/xonly", 0777);
    make(D "/xonly/f", 0644, 0, 0);
    chmod(D "/xonly", 0711);
    in_child("as uid 1000", as_user);

    const char *names[] = { "mine", "mine0", "theirs", "group", "group3000", "secret", "new",
                            "fifo", "rootdir/old", "sgid/f", "sticky/theirs", "sticky/mine",
                            "nosearch/f", "tonosearch", "xonly/f" };
    char path[64];
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, D "/%s", names[i]);
        unlink(path);
    }
    const char *dirs[] = { "newdir", "sgid/d", "rootdir", "sgid", "sticky", "nosearch/sub",
                           "nosearch", "xonly" };
    for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, D "/%s", dirs[i]);
        check(path, rmdir(path));
    }
    check("umount2", umount2(D, 0));
    check("rmdir " D, rmdir(D));
    return done();
}
