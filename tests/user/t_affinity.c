// t_affinity.c: which CPUs a process may run on (sched_getaffinity, sched_setaffinity) and
// where it runs (getcpu), with their errors. The host has more CPUs than Lantern's one, so
// the program pins itself to CPU 0 first and then prints only what is the same everywhere.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

static long getaff(pid_t pid, unsigned long len, void *mask)
{
    return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long setaff(pid_t pid, unsigned long len, const void *mask)
{
    return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static void child_shows_affinity(void)
{
    unsigned long m[2] = { 0, 0 };
    check_val("child: sched_getaffinity", getaff(0, 8, m));
    printf("child: mask %#lx\n", m[0]);
}

static void affinity(void)
{
    unsigned long m[4];
    memset(m, 0, sizeof m);
    check_val("sched_getaffinity 8 bytes", getaff(0, 8, m));
    yes("CPU 0 is in it", m[0] & 1);
    // Linux returns the size of its CPU mask (or len, if smaller): 8 bytes here, where at
    // most 64 CPUs are possible; the host's kernel may allow more.
    long n = getaff(0, 32, m);
    yes("sched_getaffinity 32 bytes: 8, 16, 24 or 32", n > 0 && n <= 32 && n % 8 == 0);
    check_val("sched_getaffinity by pid", getaff(getpid(), 8, m));
    check("sched_getaffinity 0 bytes", getaff(0, 0, m));
    check("sched_getaffinity 4 bytes", getaff(0, 4, m));
    check("sched_getaffinity 12 bytes", getaff(0, 12, m));
    check("sched_getaffinity NULL", getaff(0, 8, NULL));
    check("sched_getaffinity unknown pid", getaff(99999, 8, m));
    check("sched_getaffinity pid -1", getaff(-1, 8, m));
    check("sched_getaffinity 4 bytes, unknown pid", getaff(99999, 4, m));
    check("sched_getaffinity NULL, unknown pid", getaff(99999, 8, NULL));

    unsigned long one[2] = { 1, 0 };
    check("sched_setaffinity CPU 0 only", setaff(0, 8, one));
    memset(m, 0xff, sizeof m);
    check_val("sched_getaffinity", getaff(0, 8, m));
    printf("mask: %#lx\n", m[0]);
    unsigned long none[2] = { 0, 0 }, high[2] = { 1UL << 63, 0 };
    check("sched_setaffinity empty mask", setaff(0, 8, none));
    check("sched_setaffinity CPU 63 only", setaff(0, 8, high));
    check("sched_setaffinity 0 bytes", setaff(0, 0, one));
    check("sched_setaffinity 4 bytes", setaff(0, 4, one));
    check("sched_setaffinity 3 bytes", setaff(0, 3, one));
    unsigned long more[3] = { 1, ~0UL, ~0UL };
    check("sched_setaffinity 24 bytes, CPUs beyond 64 too", setaff(0, 24, more));
    check("sched_setaffinity NULL", setaff(0, 8, NULL));
    check("sched_setaffinity unknown pid", setaff(99999, 8, one));
    check("sched_setaffinity NULL, unknown pid", setaff(99999, 8, NULL));
    check("sched_setaffinity empty, unknown pid", setaff(99999, 8, none));
    memset(m, 0, sizeof m);
    getaff(0, 8, m);
    printf("mask after all that: %#lx\n", m[0]);
    in_child("child", child_shows_affinity);

    unsigned cpu = 99, node = 99;
    check("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("cpu %u node %u\n", cpu, node);
    check("getcpu, all NULL", syscall(SYS_getcpu, NULL, NULL, NULL));
    cpu = 99;
    check("getcpu, cpu only", syscall(SYS_getcpu, &cpu, NULL, NULL));
    printf("cpu %u\n", cpu);
    check("getcpu, cpu into the kernel", syscall(SYS_getcpu, bad_ptr(0xffffffff81000000UL), &node, NULL));
    check("getcpu, node to NULL+1", syscall(SYS_getcpu, &cpu, bad_ptr(1), NULL));
}

int main(void)
{
    begin("t_affinity");
    affinity();
    return done();
}
