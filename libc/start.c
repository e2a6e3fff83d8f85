// start.c: the C half of program start-up. crt0.S has found argc, argv and envp on the
// initial stack (and set environ); here main runs, and its return value becomes the exit
// status, exactly as if main had called exit().
#include <stdlib.h>
#include <unistd.h>

char **environ;

int main(int argc, char **argv, char **envp);

__attribute__((noreturn)) void __libc_start(int argc, char **argv, char **envp);

void __libc_start(int argc, char **argv, char **envp)
{
    exit(main(argc, argv, envp));
}
