// uptime: the time, how long the system has been up, and its load, like busybox uptime.
//
//      19:13:01 up  1:24,  load average: 0.00, 0.00, 0.00
//
// The uptime is the first number of /proc/uptime (seconds, with hundredths). The load
// averages are the first three numbers of /proc/loadavg: how many processes were running
// or waiting to, averaged over 1, 5 and 15 minutes; 0.00 if the kernel has no such file.
// The time is UTC: there are no time zones here.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (long)n;
}

// "0.35" as hundredths, 35: there is no floating point in printf here, and none is needed.
static unsigned long hundredths(const char *s, char **end)
{
    unsigned long whole = strtoul(s, end, 10), frac = 0;
    if (**end == '.') {
        const char *p = *end + 1;
        if (*p >= '0' && *p <= '9')
            frac = (unsigned long)(*p++ - '0') * 10;
        if (*p >= '0' && *p <= '9')
            frac += (unsigned long)(*p++ - '0');
        while (*p >= '0' && *p <= '9')
            p++;
        *end = (char *)p;
    }
    return whole * 100 + frac;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "Usage: uptime\n");
        return 1;
    }
    char buf[256], *end;
    if (read_file("/proc/uptime", buf, sizeof buf) <= 0) {
        fprintf(stderr, "uptime: cannot read /proc/uptime (is proc mounted?)\n");
        return 1;
    }
    unsigned long up = strtoul(buf, NULL, 10);

    unsigned long load[3] = {0, 0, 0};
    if (read_file("/proc/loadavg", buf, sizeof buf) > 0) {
        end = buf;
        for (int i = 0; i < 3; i++)
            load[i] = hundredths(end, &end);
    }

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    printf(" %02d:%02d:%02d up ", tm.tm_hour, tm.tm_min, tm.tm_sec);
    unsigned long days = up / 86400, hours = up / 3600 % 24, mins = up / 60 % 60;
    if (days)
        printf("%lu day%s, ", days, days == 1 ? "" : "s");
    if (hours)
        printf("%2lu:%02lu", hours, mins);
    else
        printf("%lu min", mins);
    printf(",  load average: %lu.%02lu, %lu.%02lu, %lu.%02lu\n", load[0] / 100, load[0] % 100,
           load[1] / 100, load[1] % 100, load[2] / 100, load[2] % 100);
    return 0;
}
