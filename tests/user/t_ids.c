// t_ids.c: who am I: process and user ids, and uname. Values that differ between the host
// and Lantern (pids, the system's name) are printed as relations only.
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "parity.h"

// A utsname field must be a NUL-terminated string inside its 65 bytes.
static int terminated(const char *field)
{
    return memchr(field, '\0', 65) != NULL;
}

int main(void)
{
    begin("t_ids");
    pid_t pid = getpid();
    yes("getpid > 0", pid > 0);
    yes("getpid is stable", getpid() == pid);
    yes("syscall(SYS_getpid) == getpid", syscall(SYS_getpid) == pid);
    yes("getppid >= 0", getppid() >= 0);
    yes("getppid != getpid", getppid() != pid);
    yes("uid is 0", getuid() == 0);
    yes("euid is 0", geteuid() == 0);
    yes("gid is 0", getgid() == 0);
    yes("egid is 0", getegid() == 0);

    struct utsname u;
    memset(&u, 0xff, sizeof u);     // so an unterminated field shows
    check("uname", uname(&u));
    yes("fields are terminated", terminated(u.sysname) && terminated(u.nodename) &&
        terminated(u.release) && terminated(u.version) && terminated(u.machine));
    yes("sysname nonempty", u.sysname[0] != '\0');
    yes("release nonempty", u.release[0] != '\0');
    yes("version nonempty", u.version[0] != '\0');
    printf("machine: %s\n", u.machine);
    check("uname NULL", uname(NULL));
    check("uname kernel pointer", uname((void *)0xffffffff80000000));
    return done();
}
