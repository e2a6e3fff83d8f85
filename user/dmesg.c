// dmesg: print the kernel's log, like util-linux dmesg.
//
//     dmesg [-r] [-c]
//
//   -r  raw: keep each line's "<level>" prefix (0 emergency ... 7 debug)
//   -c  clear the log after printing it
//
// The log is read with klogctl (Linux's syslog system call): first its size, then all of
// it at once. Each record comes as "<6>[    0.000000] message\n"; dmesg drops the <6>.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int c, raw = 0, clear = 0;

    while ((c = getopt(argc, argv, "rc")) != -1) {
        switch (c) {
        case 'r': raw = 1; break;
        case 'c': clear = 1; break;
        default:
            fprintf(stderr, "Usage: dmesg [-r] [-c]\n");
            return 1;
        }
    }
    int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
    if (size <= 0)
        size = 64 * 1024;        // the size is not known: guess generously
    char *buf = malloc(size);
    if (buf == NULL) {
        fprintf(stderr, "dmesg: out of memory\n");
        return 1;
    }
    int n = klogctl(clear ? SYSLOG_ACTION_READ_CLEAR : SYSLOG_ACTION_READ_ALL, buf, size);
    if (n < 0) {
        fprintf(stderr, "dmesg: read kernel buffer failed: %s\n", strerror(errno));
        return 1;
    }

    // Print line by line, without the "<N>" at the start of each line unless -r.
    for (int i = 0; i < n;) {
        int start = i;
        if (!raw && buf[i] == '<') {
            int j = i + 1;
            while (j < n && buf[j] >= '0' && buf[j] <= '9')
                j++;
            if (j < n && j > i + 1 && buf[j] == '>')
                start = j + 1;
        }
        int end = start;
        while (end < n && buf[end] != '\n')
            end++;
        fwrite(buf + start, 1, end - start, stdout);
        putchar('\n');           // also ends a last line that had no newline
        i = end + 1;
    }
    return 0;
}
