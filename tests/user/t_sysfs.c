// t_sysfs.c: /sys as programs read it to learn the machine: the CPU lists (glibc's
// get_nprocs reads online), the cpuN directories (get_nprocs_conf counts them) and their
// topology, transparent_hugepage's page size (Go's runtime reads it), and what stat,
// statfs, readdir and a write say. On Lantern, as init, the program mounts sysfs itself.
// Machines differ in CPUs and settings, so it prints what must hold on any of them.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define CPU "/sys/devices/system/cpu"
#define SYSFS_MAGIC 0x62656572

static int ncpus;                    // in our affinity mask: the CPUs that are up, here

// The file's first line, without its newline ("" if it cannot be read).
static const char *line(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return buf;
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return buf;
}

// "0-N" or "0": the list of the first n CPUs, in Linux's cpulist format.
static int is_first_cpus(const char *list, int n)
{
    char want[32];
    if (n == 1)
        snprintf(want, sizeof want, "0");
    else
        snprintf(want, sizeof want, "0-%d", n - 1);
    return strcmp(list, want) == 0;
}

static void cpu_lists(void)
{
    yes("online lists every CPU we may run on", is_first_cpus(line(CPU "/online"), ncpus));
    yes("present too", is_first_cpus(line(CPU "/present"), ncpus));
    yes("possible starts at 0", strncmp(line(CPU "/possible"), "0", 1) == 0);
    yes("offline is an empty line", strcmp(line(CPU "/offline"), "") == 0);
    yes("kernel_max at least the last CPU", atoi(line(CPU "/kernel_max")) >= ncpus - 1);
    struct stat st;
    check("stat online", stat(CPU "/online", &st));
    printf("a regular file of %ld bytes, mode %o\n", (long)st.st_size, (unsigned)(st.st_mode & 07777));
    check("stat " CPU, stat(CPU, &st));
    yes("a directory", S_ISDIR(st.st_mode));
    struct statfs sf;
    check("statfs /sys", statfs("/sys", &sf));
    yes("sysfs's magic number", sf.f_type == SYSFS_MAGIC);
}

static void cpu_dirs(void)
{
    DIR *d = opendir(CPU);
    yes("opendir " CPU, d != NULL);
    int dirs = 0, others = 0, online = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, "cpu", 3) == 0 && e->d_name[3] >= '0' && e->d_name[3] <= '9') {
            long n = strtol(e->d_name + 3, &end, 10);
            if (*end == '\0' && n < ncpus && e->d_type == DT_DIR)
                dirs++;
            else
                others++;
        }
        if (strcmp(e->d_name, "online") == 0 && e->d_type == DT_REG)
            online++;
    }
    if (d)
        closedir(d);
    yes("a cpuN directory for each CPU, and no other", dirs == ncpus && others == 0);
    yes("and the online file", online == 1);

    char path[128];
    int bad = 0;
    for (int c = 0; c < ncpus; c++) {
        snprintf(path, sizeof path, CPU "/cpu%d/topology/core_id", c);
        if (line(path)[0] < '0' || line(path)[0] > '9')
            bad++;
        snprintf(path, sizeof path, CPU "/cpu%d/topology/physical_package_id", c);
        if (line(path)[0] < '0' || line(path)[0] > '9')
            bad++;
        snprintf(path, sizeof path, CPU "/cpu%d/topology/thread_siblings_list", c);
        char me[8];
        snprintf(me, sizeof me, "%d", c);
        if (strstr(line(path), me) == NULL)     // (a list with ranges may hide it: not here)
            bad++;
        if (c > 0) {
            snprintf(path, sizeof path, CPU "/cpu%d/online", c);
            if (strcmp(line(path), "1") != 0)
                bad++;
        }
    }
    yes("each CPU's topology readable, and online (but cpu0's)", bad == 0);
    check("cpu0/online", access(CPU "/cpu0/online", F_OK));
    snprintf(path, sizeof path, CPU "/cpu%d", ncpus + 100);
    check("a CPU that is not there", access(path, F_OK));
    check("cpu01", access(CPU "/cpu01", F_OK));
    check("cpu0/nosuch", access(CPU "/cpu0/nosuch", F_OK));
    check("online/x", access(CPU "/online/x", F_OK));

    char cwd[256];
    check("chdir into cpu0/topology", chdir(CPU "/cpu0/topology"));
    yes("getcwd says where", getcwd(cwd, sizeof cwd) && strcmp(cwd, CPU "/cpu0/topology") == 0);
    yes("core_id by a relative name", line("core_id")[0] >= '0');
    check("chdir ../..", chdir("../.."));
    yes("getcwd", getcwd(cwd, sizeof cwd) && strcmp(cwd, CPU) == 0);
    chdir("/");
}

static void thp(void)
{
    yes("hpage_pmd_size is 2 MiB", strcmp(line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"), "2097152") == 0);
    const char *en = line("/sys/kernel/mm/transparent_hugepage/enabled");
    yes("enabled names the three, one in brackets",
        strstr(en, "always") && strstr(en, "madvise") && strstr(en, "never") && strchr(en, '['));
    struct stat st;
    check("stat /sys/fs/cgroup", stat("/sys/fs/cgroup", &st));
    yes("a directory", S_ISDIR(st.st_mode));
}

static void writes(void)
{
    int fd = open(CPU "/online", O_WRONLY);
    if (fd >= 0) {                   // (Linux refuses the open; either way nothing changes)
        write(fd, "0\n", 2);
        close(fd);
    }
    yes("online unchanged after a write", is_first_cpus(line(CPU "/online"), ncpus));
    check("mkdir in /sys/devices", mkdir("/sys/devices/mine", 0755));
    check("unlink online", unlink(CPU "/online"));
    check("creat a file in cpu0", open(CPU "/cpu0/new", O_CREAT | O_WRONLY, 0644));
}

int main(void)
{
    begin("t_sysfs");
    struct stat st;
    if (stat(CPU, &st) != 0) {       // Lantern, as init: nothing mounted yet
        mkdir("/sys", 0555);
        if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0)
            printf("mount sysfs: %s\n", err_name(errno));
    }
    unsigned long mask[16] = { 0 };
    long n = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    for (long i = 0; i < n * 8; i++)
        ncpus += (mask[i / 64] >> (i % 64)) & 1;
    cpu_lists();
    cpu_dirs();
    thp();
    writes();
    return done();
}
