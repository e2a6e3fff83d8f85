// t_copyrange.c: copy_file_range(2) - what cp and Go's io.Copy try first: a copy between
// two files, with and without offset pointers (which move instead of the files' positions),
// cut at the input's end, within one file (not overlapping), and Linux's errors.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "parity.h"

#define SYS_copy_file_range_ 326

static long cfr(int in, long *off_in, int out, long *off_out, unsigned long len, unsigned flags)
{
    return syscall(SYS_copy_file_range_, in, off_in, out, off_out, len, flags);
}

static void show(const char *what, const char *path)
{
    char buf[128] = { 0 };
    int fd = open(path, O_RDONLY);
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    print_escaped(what, buf, n);
}

int main(void)
{
    begin("t_copyrange");
    const char *a = "/tmp/cfr_a", *b = "/tmp/cfr_b";
    int in = open(a, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(in, "0123456789abcdefghij", 20);
    int out = open(b, O_RDWR | O_CREAT | O_TRUNC, 0600);
    lseek(in, 0, SEEK_SET);
    check_val("copy 8 at the positions", cfr(in, NULL, out, NULL, 8, 0));
    printf("positions now %ld %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    long oi = 15, oo = 2;
    check_val("copy 100 from offset 15 to offset 2 (cut at the end)", cfr(in, &oi, out, &oo, 100, 0));
    printf("offsets now %ld %ld, positions %ld %ld\n", oi, oo, (long)lseek(in, 0, SEEK_CUR),
           (long)lseek(out, 0, SEEK_CUR));
    show("b", b);
    oi = 20;
    check_val("copy from the end", cfr(in, &oi, out, NULL, 10, 0));
    check_val("copy 0 bytes", cfr(in, NULL, out, NULL, 0, 0));
    oi = 0;
    oo = 30;
    check_val("within one file, apart", cfr(in, &oi, in, &oo, 5, 0));
    show("a", a);
    oi = 0;
    oo = 3;
    check("within one file, overlapping", cfr(in, &oi, in, &oo, 5, 0));
    check("flags 1", cfr(in, NULL, out, NULL, 5, 1));
    check("closed input", cfr(999, NULL, out, NULL, 5, 0));
    check("closed output", cfr(in, NULL, 999, NULL, 5, 0));
    check("offset pointer bad", cfr(in, bad_ptr(1), out, NULL, 5, 0));
    oi = -1;
    check("negative offset", cfr(in, &oi, out, NULL, 5, 0));
    int ro = open(b, O_RDONLY), ap = open(b, O_WRONLY | O_APPEND), wo = open(a, O_WRONLY);
    check("output read-only", cfr(in, NULL, ro, NULL, 5, 0));
    check("output O_APPEND", cfr(in, NULL, ap, NULL, 5, 0));
    check("input write-only", cfr(wo, NULL, out, NULL, 5, 0));
    int d = open("/tmp", O_RDONLY | O_DIRECTORY);
    check("input a directory", cfr(d, NULL, out, NULL, 5, 0));
    int p[2];
    pipe(p);
    check("output a pipe", cfr(in, NULL, p[1], NULL, 5, 0));
    check("input a pipe", cfr(p[0], NULL, out, NULL, 5, 0));
    int fds[] = { ro, ap, wo, d, p[0], p[1], in, out };
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    unlink(a);
    unlink(b);
    return done();
}
