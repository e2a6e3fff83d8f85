// t_chroot.c: chroot(2). In a child (a root directory is for good): the directory becomes
// "/" for absolute paths, symlinks and ".."; the working directory stays where it was until
// the process moves; and the errors, in Linux's order (lookup, then EACCES, then EPERM).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define D "chroot.tmp"

static void show_file(const char *what, const char *path)
{
    char buf[64] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        check(what, fd);
        return;
    }
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s: %s", what, n > 0 ? buf : "(empty)\n");
}

static void show_cwd(const char *what)
{
    char buf[256];
    if (syscall(SYS_getcwd, buf, sizeof buf) < 0)
        check(what, -1);
    else
        printf("%s: %s\n", what, buf);
}

static void jailed(void)
{
    check("chroot " D "/jail", chroot(D "/jail"));
    show_file("/inside after chroot, cwd still outside", "/inside");
    show_file("relative path from the old cwd", D "/outside");
    check("chdir /", chdir("/"));
    show_cwd("getcwd");
    show_file("/inside", "/inside");
    show_file("/../../inside: .. stays at the root", "/../../inside");
    show_file("absolute symlink, resolved in the jail", "/abs");
    show_file("relative symlink climbing out", "/sub/up");
    check("chdir ..", chdir(".."));
    show_cwd("getcwd after chdir ..");
    check("chdir sub", chdir("sub"));
    show_cwd("getcwd in sub");
    check("stat /outside", access("/outside", F_OK));
    check("chroot . again (nested)", chroot("."));
    show_file("/inside from the nested root", "/inside");
    show_file("/x in the nested root", "/x");
}

static void errors(void)
{
    check("chroot a missing directory", chroot(D "/missing"));
    check("chroot a file", chroot(D "/outside"));
    check("chroot through a file", chroot(D "/outside/x"));
    check("chroot NULL", syscall(SYS_chroot, NULL));
    check("chroot a bad pointer", syscall(SYS_chroot, (char *)1));
    check("chroot an empty path", chroot(""));
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    check("chroot a name too long", chroot(longname));
}

static void as_user(void)
{
    check("setuid 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
    check("chroot as a user", chroot(D "/jail"));
    check("chroot a missing directory as a user", chroot(D "/missing"));
    check("chroot a file as a user", chroot(D "/outside"));
}

static void put(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

int main(void)
{
    begin("t_chroot");
    check("mkdir " D, mkdir(D, 0755));
    check("mount tmpfs", mount("tmpfs", D, "tmpfs", 0, NULL));
    mkdir(D "/jail", 0755);
    mkdir(D "/jail/sub", 0755);
    put(D "/outside", "the real root's file\n");
    put(D "/inside", "outside the jail\n");
    put(D "/jail/inside", "inside the jail\n");
    put(D "/jail/sub/x", "x in sub\n");
    symlink("/inside", D "/jail/abs");
    symlink("../../../../inside", D "/jail/sub/up");
    in_child("jailed", jailed);
    errors();
    in_child("as uid 1000", as_user);
    show_file("after the children, our root is the same", D "/inside");
    // Emptied first: Lantern's tmpfs mount is the tree's own directory, and keeps its files.
    const char *names[] = { "jail/sub/up", "jail/sub/x", "jail/abs", "jail/inside", "inside", "outside" };
    char path[64];
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, D "/%s", names[i]);
        unlink(path);
    }
    rmdir(D "/jail/sub");
    rmdir(D "/jail");
    check("umount2", umount2(D, MNT_DETACH));
    check("rmdir " D, rmdir(D));
    return done();
}
