// t_mlock.c: mlock, munlock, mlock2, mlockall, munlockall and MAP_LOCKED - the locked
// amount as /proc/self/status's VmLck shows it, the pages faulted in (mincore), fork not
// inheriting locks, RLIMIT_MEMLOCK for an unprivileged user, and the errors.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define PAGE 4096L
#define MCL_CURRENT 1
#define MCL_FUTURE  2
#define MCL_ONFAULT 4
#define MAP_LOCKED_ 0x2000

static long sys(long nr, long a, long b, long c) { return syscall(nr, a, b, c); }

// VmLck from /proc/self/status, in kB (-1 if there is none).
static long vm_locked(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strstr(buf, "VmLck:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

static void resident(const char *what, char *p, int pages)
{
    unsigned char vec[16] = { 0 };
    printf("%s:", what);
    if (mincore(p, pages * PAGE, vec) < 0)
        printf(" mincore error %s", err_name(errno));
    for (int i = 0; i < pages; i++)
        printf(" %d", vec[i] & 1);
    printf("\n");
}

static void ranges(void)
{
    char *p = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long base = vm_locked();

    munmap(p + 4 * PAGE, PAGE);                  // a hole: pages 0-3, then 5
    check("mlock 2 pages from 100 bytes in (3 pages)", sys(SYS_mlock, (long)(p + 100), 2 * PAGE, 0));
    printf("VmLck grew by %ld kB\n", vm_locked() - base);
    resident("resident", p, 4);
    check("munlock page 1", sys(SYS_munlock, (long)(p + PAGE), PAGE, 0));
    printf("VmLck grew by %ld kB\n", vm_locked() - base);
    check("mlock across the hole", sys(SYS_mlock, (long)(p + 3 * PAGE), 3 * PAGE, 0));
    check("mlock length 0", sys(SYS_mlock, (long)p, 0, 0));
    check("mlock wrapping around", sys(SYS_mlock, (long)p, -2 * PAGE, 0));
    check("munlock across the hole", sys(SYS_munlock, (long)p, 6 * PAGE, 0));
    printf("VmLck grew by %ld kB\n", vm_locked() - base);
    check("mlock2 flags 2", sys(SYS_mlock2, (long)p, PAGE, 2));
    check("mlock2 MLOCK_ONFAULT page 3", sys(SYS_mlock2, (long)(p + 3 * PAGE), PAGE, 1));
    resident("resident", p, 4);
    printf("VmLck grew by %ld kB\n", vm_locked() - base);
    check("munlock it", sys(SYS_munlock, (long)(p + 3 * PAGE), PAGE, 0));
    check("mlock all 4 pages", sys(SYS_mlock, (long)p, 4 * PAGE, 0));
    pid_t pid = fork();
    if (pid == 0) {
        printf("  child: VmLck grew by %ld kB\n", vm_locked() - base);
        _exit(0);
    }
    wait_and_print("child", pid);
    munmap(p, 6 * PAGE);
    printf("after munmap: VmLck grew by %ld kB\n", vm_locked() - base);
}

static void everything(void)
{
    check("mlockall 0", sys(SYS_mlockall, 0, 0, 0));
    check("mlockall MCL_ONFAULT alone", sys(SYS_mlockall, MCL_ONFAULT, 0, 0));
    check("mlockall 8", sys(SYS_mlockall, 8, 0, 0));
    check("mlockall CURRENT|FUTURE", sys(SYS_mlockall, MCL_CURRENT | MCL_FUTURE, 0, 0));
    long before = vm_locked();
    yes("VmLck above 0", before > 0);
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("a new mapping of 2 pages: VmLck grew by %ld kB\n", vm_locked() - before);
    resident("  resident", p, 2);
    munmap(p, 2 * PAGE);
    check("munlockall", sys(SYS_munlockall, 0, 0, 0));
    printf("VmLck after munlockall: %ld kB\n", vm_locked());
    p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("a new mapping after it: VmLck %ld kB\n", vm_locked());
    resident("  resident", p, 2);
    munmap(p, 2 * PAGE);
    p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED_, -1, 0);
    printf("MAP_LOCKED, 3 pages: VmLck %ld kB\n", vm_locked());
    resident("  resident", p, 3);
    munmap(p, 3 * PAGE);
}

static void unprivileged(void)
{
    struct rlimit two = { 2 * PAGE, 2 * PAGE }, none = { 0, 0 };
    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    setrlimit(RLIMIT_MEMLOCK, &two);
    check("  child: setuid", syscall(SYS_setuid, 4242L));
    check("  child: mlock 3 pages, limit 2", sys(SYS_mlock, (long)p, 3 * PAGE, 0));
    check("  child: mlock 2 pages", sys(SYS_mlock, (long)p, 2 * PAGE, 0));
    check("  child: mlock the same 2 again", sys(SYS_mlock, (long)p, 2 * PAGE, 0));
    check("  child: mlock a third", sys(SYS_mlock, (long)(p + 2 * PAGE), PAGE, 0));
    check("  child: mlockall CURRENT", sys(SYS_mlockall, MCL_CURRENT, 0, 0));
    check("  child: munlock them", sys(SYS_munlock, (long)p, 2 * PAGE, 0));
    setrlimit(RLIMIT_MEMLOCK, &none);
    check("  child: limit 0: mlock", sys(SYS_mlock, (long)p, PAGE, 0));
    check("  child: limit 0: munlock", sys(SYS_munlock, (long)p, PAGE, 0));
    check("  child: limit 0: mlockall", sys(SYS_mlockall, MCL_FUTURE, 0, 0));
    void *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED_, -1, 0);
    check("  child: limit 0: mmap MAP_LOCKED", q == MAP_FAILED ? -1 : 0);
}

int main(void)
{
    begin("t_mlock");
    if (getpid() == 1)                           // as init on Lantern: nobody mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    ranges();
    everything();
    in_child("unprivileged child", unprivileged);
    return done();
}
