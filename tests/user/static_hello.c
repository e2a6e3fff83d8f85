// static_hello.c: an ordinary C program, built twice - with Debian's `musl-gcc -static`
// (musl_hello) and with the host's `gcc -static` and glibc (glibc_hello) - and never with
// our libc: proof that unmodified static Linux binaries run on Lantern. Both run as parity
// programs: the same output on the host and on Lantern, ending with "done".
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("static_hello: start\n");
    printf("argc >= 1: %s\n", argc >= 1 && argv[0] ? "yes" : "no");
    printf("getpid > 0: %s\n", getpid() > 0 ? "yes" : "no");
    struct utsname u;
    printf("uname: %s, machine %s\n", uname(&u) == 0 ? "ok" : "failed", u.machine);
    char *p = malloc(100000);
    memset(p, 'x', 100000);
    printf("malloc 100000: %s\n", p && p[99999] == 'x' ? "ok" : "failed");
    free(p);
    FILE *f = fopen("etc/parity/hello.txt", "r");
    char line[128] = "";
    if (f && fgets(line, sizeof line, f))
        printf("first line of hello.txt: %s", line);
    if (f)
        fclose(f);
    struct stat st;
    printf("stat missing: %s\n", stat("etc/parity/missing", &st) < 0 ? strerror(errno) : "exists?");
    printf("%d %s %5.2f\n", 42, "formatted", 3.14159);
    printf("done\n");
    return 0;
}
