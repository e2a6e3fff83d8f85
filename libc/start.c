// start.c: the C half of program start-up. crt0.S has found argc, argv and envp on the
// initial stack (and set environ); here main runs, and its return value becomes the exit
// status, exactly as if main had called exit().
#include <stdlib.h>
#include <unistd.h>

char **environ;
unsigned long *__auxv;          // the auxiliary vector, after envp's NULL (getauxval)

int main(int argc, char **argv, char **envp);

__attribute__((noreturn)) void __libc_start(int argc, char **argv, char **envp);

void __libc_start(int argc, char **argv, char **envp)
{
    char **p = envp;

    while (*p)
        p++;
    __auxv = (unsigned long *)(p + 1);
    exit(main(argc, argv, envp));
}
