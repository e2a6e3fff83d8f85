// dynamic.c: an ordinary C program, dynamically linked - built with the host's gcc (glibc)
// and with musl-gcc, without -static. The kernel loads its interpreter (PT_INTERP); the
// interpreter maps the C library with mmap and runs the program. What it prints is the
// same on Linux and on Lantern.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static void *twice(void *arg) { return (void *)((long)arg * 2); }

int main(int argc, char **argv)
{
    printf("dynamic: argc %d, argv[1] %s\n", argc, argc > 1 ? argv[1] : "(none)");
    printf("AT_BASE (the interpreter) set: %s\n", getauxval(AT_BASE) ? "yes" : "no");
    printf("AT_ENTRY is main's program: %s\n", getauxval(AT_ENTRY) != getauxval(AT_BASE) ? "yes" : "no");
    char *big = malloc(1 << 20);     // an mmap'd chunk
    memset(big, 7, 1 << 20);
    printf("malloc(1 MiB): %d\n", big[12345]);
    free(big);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, twice, (void *)21);
    pthread_join(t, &r);
    printf("a thread returned %ld\n", (long)r);
    char *s = strdup("shared libraries work");
    puts(s);
    free(s);
    return 0;
}
