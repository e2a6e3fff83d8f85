// t_holes.c: three holes a fuzzer found, closed as Linux closes them:
//  - a directory with procfs mounted on it cannot be removed or renamed (EBUSY), nor
//    unmounted while a file in it is open; a lazy unmount (MNT_DETACH) leaves ".." usable;
//  - procfs's files open for writing (root may), but a write stores nothing (EIO), and
//    procfs takes no new names (ENOENT) and loses none (EPERM);
//  - a removed directory that is still the working directory takes no new names, by any
//    call (ENOENT), and nothing can be renamed into it.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define P "holes.proc"

static char home[4096];

static void proc_mount_point(void)
{
    char buf[16];
    getcwd(home, sizeof home);
    check("mkdir " P, mkdir(P, 0755));
    check("mount proc", mount("proc", P, "proc", 0, NULL));
    check("rmdir the mount point", rmdir(P));
    check("mkdir other", mkdir("holes.other", 0755));
    check("rename the mount point", rename(P, "holes.moved"));
    check("rename onto the mount point", rename("holes.other", P));
    check("rmdir other", rmdir("holes.other"));
    int fd = open(P "/meminfo", O_WRONLY);
    check("open meminfo O_WRONLY", fd);
    check("write meminfo", write(fd, "x", 1));
    close(fd);
    fd = open(P "/uptime", O_RDWR | O_TRUNC);
    check("open uptime O_RDWR|O_TRUNC", fd);
    check("write uptime", write(fd, "hello", 5));
    close(fd);
    fd = open(P "/meminfo", O_RDONLY);
    long n = read(fd, buf, 9);
    print_escaped("meminfo still starts with", buf, n);
    check("creat in proc", open(P "/newfile", O_CREAT | O_WRONLY, 0644));
    check("mkdir in proc", mkdir(P "/newdir", 0755));
    check("mkdir over a proc file", mkdir(P "/meminfo", 0755));
    check("unlink a proc file", unlink(P "/meminfo"));
    check("umount2 while a file is open", umount2(P, 0));
    close(fd);
    check("chdir " P "/self", chdir(P "/self"));
    check("umount2 while someone is inside", umount2("../../" P, 0));
    check("umount2 MNT_DETACH", umount2("../../" P, MNT_DETACH));
    struct stat st;
    check("stat .. after the detach", stat("..", &st));
    check("chdir back", chdir(home));   // (on Linux, ".." stays in the detached tree)
    check("umount2 again", umount2(P, 0));
    check("stat " P, stat(P, &st));
    check("rmdir " P, rmdir(P));
}

static void removed_cwd(void)
{
    check("mkdir holes.d", mkdir("holes.d", 0755));
    close(open("holes.f", O_CREAT | O_WRONLY, 0644));
    check("chdir holes.d", chdir("holes.d"));
    check("rmdir ../holes.d", rmdir("../holes.d"));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    check("open . (removed)", dfd);
    char dents[256];
    check("getdents64 of a removed directory", syscall(SYS_getdents64, dfd, dents, sizeof dents));
    close(dfd);
    struct stat st;
    check("stat ..", stat("..", &st));
    check("creat", open("f", O_CREAT | O_WRONLY, 0644));
    check("mkdir", mkdir("f", 0755));
    check("symlink", symlink("x", "f"));
    check("mknod", mknod("f", S_IFREG | 0644, 0));
    check("link", link("../holes.f", "f"));
    check("rename into it", rename("../holes.f", "f"));
    check("rename into it (./)", rename("../holes.f", "./f"));
    check("chdir ..", chdir(".."));
    check("holes.f still there", access("holes.f", F_OK));
    check("unlink holes.f", unlink("holes.f"));
}

int main(void)
{
    begin("t_holes");
    proc_mount_point();
    removed_cwd();
    return done();
}
