// free: how memory is used, from /proc/meminfo, like procps free (in KiB).
//
//                    total        used        free      shared  buff/cache   available
//     Mem:        24684084      588560    22742148        8872     1696192    24095524
//     Swap:              0           0           0
//
// /proc/meminfo has one "Name:   value kB" line per quantity. As procps 4 computes them:
//     buff/cache = Buffers + Cached + SReclaimable  (memory the kernel can take back)
//     used       = MemTotal - MemAvailable         (what cannot be taken back)
//     shared     = Shmem
// A kernel without MemAvailable (older Linux, or Lantern) gets MemFree in its place.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char info[8192];

// The value of the line "name:" in info, or -1 if there is none.
static long field(const char *name)
{
    size_t len = strlen(name);
    for (char *line = info; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, len) == 0 && line[len] == ':')
            return strtol(line + len + 1, NULL, 10);
    return -1;
}

static long or_zero(long v)
{
    return v < 0 ? 0 : v;
}

int main(int argc, char **argv)
{
    int c, shift = 0;     // KiB >> shift: 0 for KiB, 10 for MiB

    while ((c = getopt(argc, argv, "km")) != -1) {
        switch (c) {
        case 'k': shift = 0; break;
        case 'm': shift = 10; break;
        default:
            fprintf(stderr, "Usage: free [-k|-m]\n");
            return 1;
        }
    }
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "free: cannot open /proc/meminfo (is proc mounted?)\n");
        return 1;
    }
    size_t len = 0;
    ssize_t n;
    while (len < sizeof info - 1 && (n = read(fd, info + len, sizeof info - 1 - len)) > 0)
        len += n;
    close(fd);
    info[len] = '\0';

    long total = field("MemTotal"), mfree = field("MemFree");
    if (total < 0 || mfree < 0) {
        fprintf(stderr, "free: /proc/meminfo has no MemTotal or MemFree\n");
        return 1;
    }
    long cache = or_zero(field("Buffers")) + or_zero(field("Cached")) + or_zero(field("SReclaimable"));
    long avail = field("MemAvailable");
    if (avail < 0)
        avail = mfree;
    if (avail > total)
        avail = total;
    long used = total - avail;
    long swap_total = or_zero(field("SwapTotal")), swap_free = or_zero(field("SwapFree"));

    printf("%8s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared",
           "buff/cache", "available");
    printf("%-8s%12ld%12ld%12ld%12ld%12ld%12ld\n", "Mem:", total >> shift, used >> shift,
           mfree >> shift, or_zero(field("Shmem")) >> shift, cache >> shift, avail >> shift);
    printf("%-8s%12ld%12ld%12ld\n", "Swap:", swap_total >> shift,
           (swap_total - swap_free) >> shift, swap_free >> shift);
    return 0;
}
