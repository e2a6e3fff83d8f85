// bigfile.c: files of any size, on Lantern only (tests/system/test_meta.py boots it as init
// in 256 MiB): a 64 MiB file written and read back with a checksum; every page back after
// unlink; writing until the file system is full ends in ENOSPC (or ENOMEM), and that memory
// comes back too; sethostname shows in uname. Each result line ends in "yes" when right.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CHUNK (64 << 10)
static unsigned char buf[CHUNK];

struct k_sysinfo {
    long uptime;
    unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned long totalhigh, freehigh;
    unsigned int mem_unit;
    char rest[8];
};

static unsigned long free_kib(void)
{
    struct k_sysinfo si;
    syscall(99, &si);                   // sysinfo
    return si.freeram * si.mem_unit / 1024;
}

static void fill(unsigned long block)
{
    for (int i = 0; i < CHUNK; i++)
        buf[i] = (unsigned char)(block * 131 + i * 7 + (i >> 9));
}

static unsigned long sum(unsigned long h)
{
    for (int i = 0; i < CHUNK; i++)
        h = (h ^ buf[i]) * 1099511628211ul;
    return h;
}

static void big_file(void)
{
    unsigned long before = free_kib(), wsum = 14695981039346656037ul, rsum = wsum;
    int fd = open("/big", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int ok = fd >= 0;
    for (unsigned long b = 0; ok && b < (64ul << 20) / CHUNK; b++) {
        fill(b);
        wsum = sum(wsum);
        ok = write(fd, buf, CHUNK) == CHUNK;
    }
    printf("bigfile: wrote 64 MiB: %s\n", ok ? "yes" : "no");
    struct stat st;
    fstat(fd, &st);
    printf("bigfile: size 64 MiB, 131072 blocks: %s\n",
           st.st_size == 64l << 20 && st.st_blocks == 131072 ? "yes" : "no");
    close(fd);
    fd = open("/big", O_RDONLY);
    unsigned long got = 0;
    long n;
    while ((n = read(fd, buf, CHUNK)) == CHUNK) {
        rsum = sum(rsum);
        got += n;
    }
    close(fd);
    printf("bigfile: read back 64 MiB, same checksum: %s\n",
           got == 64ul << 20 && n == 0 && rsum == wsum ? "yes" : "no");
    printf("bigfile: it took about 64 MiB: %s\n",
           before - free_kib() >= 64 * 1024 && before - free_kib() < 66 * 1024 ? "yes" : "no");
    unlink("/big");
    if (free_kib() + 64 < before)
        printf("bigfile: %lu KiB before, %lu after\n", before, free_kib());
    printf("bigfile: unlink gives every page back: %s\n", free_kib() + 64 >= before ? "yes" : "no");
}

static void full(void)
{
    unsigned long before = free_kib(), total = 0;
    int fd = open("/full", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    memset(buf, 0xa5, sizeof buf);
    long n;
    while ((n = write(fd, buf, CHUNK)) > 0)
        total += n;
    int e = errno;
    printf("bigfile: filling ends in ENOSPC or ENOMEM: %s\n",
           n < 0 && (e == ENOSPC || e == ENOMEM) ? "yes" : "no");
    printf("bigfile: more than 64 MiB fitted: %s\n", total > 64ul << 20 ? "yes" : "no");
    int fd2 = open("/other", O_CREAT | O_WRONLY, 0644);
    printf("bigfile: another file cannot grow either: %s\n", write(fd2, buf, 1) < 0 ? "yes" : "no");
    close(fd2);
    unlink("/other");
    close(fd);
    unlink("/full");
    printf("bigfile: all back after unlink: %s\n", free_kib() + 64 >= before ? "yes" : "no");
}

static void host_name(void)
{
    struct utsname u;
    char name[65];
    printf("bigfile: sethostname: %s\n", sethostname("lantern-meta", 12) == 0 ? "yes" : "no");
    uname(&u);
    printf("bigfile: uname's nodename follows: %s\n", strcmp(u.nodename, "lantern-meta") == 0 ? "yes" : "no");
    printf("bigfile: gethostname too: %s\n",
           gethostname(name, sizeof name) == 0 && strcmp(name, "lantern-meta") == 0 ? "yes" : "no");
    sethostname("ab\0cd", 5);
    uname(&u);
    printf("bigfile: a name ends at its NUL: %s\n", strcmp(u.nodename, "ab") == 0 ? "yes" : "no");
}

int main(void)
{
    memset(buf, 0, sizeof buf);          // its pages, before anything is measured
    big_file();
    full();
    host_name();
    printf("bigfile: done\n");
    return 0;
}
