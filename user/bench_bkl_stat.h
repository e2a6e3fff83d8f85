// bench_bkl_stat.h: show_bkl_stat, shared by user/bench.c (Lantern's libc) and
// user/bench_threads.c (glibc). Each includes it once; it needs <fcntl.h>, <stdio.h>,
// <string.h>, <sys/mount.h> and <unistd.h>.
#ifndef BENCH_BKL_STAT_H
#define BENCH_BKL_STAT_H

// Lantern booted with bkl_stat: who held the big kernel lock, and how long (/proc/bkl_stat,
// docs/smp.md), each line after "bench: bkl_stat: ". Nothing on Linux, which has no such
// file, nor on Lantern without the option.
static void show_bkl_stat(void)
{
    static char text[16384];
    mount("proc", "/proc", "proc", 0, NULL);    // as init, nobody has mounted it (EBUSY if so)
    int fd = open("/proc/bkl_stat", O_RDONLY);
    if (fd < 0)
        return;
    long n, len = 0;
    while (len < (long)sizeof text - 1 && (n = read(fd, text + len, sizeof text - 1 - (size_t)len)) > 0)
        len += n;
    close(fd);
    text[len] = '\0';
    if (strncmp(text, "bkl_stat: off", 13) == 0)
        return;
    for (char *line = text, *end; *line; line = end + 1) {
        if (!(end = strchr(line, '\n')))
            break;
        *end = '\0';
        printf("bench: bkl_stat: %s\n", line);
    }
}

#endif
