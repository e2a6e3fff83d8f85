// sys/wait.h: waiting for child processes. The status word packs how the child ended:
// exit code << 8 for a normal exit, the signal number in the low 7 bits if killed.
#pragma once
#include <sys/types.h>

#define WNOHANG   1     // do not block if no child has ended yet
#define WUNTRACED 2     // also report stopped children

#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s)    ((s) & 0x7f)
#define WSTOPSIG(s)    WEXITSTATUS(s)
#define WIFEXITED(s)   (WTERMSIG(s) == 0)
#define WIFSTOPPED(s)  (((s) & 0xff) == 0x7f)
#define WIFSIGNALED(s) (WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)

struct rusage;          // resource usage: not supported, pass NULL

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);
