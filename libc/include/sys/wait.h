// sys/wait.h: waiting for child processes. The status word packs how the child ended:
//     exited with code c:       c << 8
//     killed by signal s:       s, plus 0x80 if a core file was written
//     stopped by signal s:      s << 8 | 0x7f
//     continued (SIGCONT):      0xffff
#pragma once
#include <sys/types.h>

#define WNOHANG    0x00000001   // do not block if no child has ended yet: return 0
#define WUNTRACED  0x00000002   // also report stopped children
#define WCONTINUED 0x00000008   // also report children continued by SIGCONT
#define WSTOPPED   0x00000002   // waitid: report stopped children (as WUNTRACED)
#define WEXITED    0x00000004   // waitid: report children that ended
#define WNOWAIT    0x01000000   // waitid: report, but leave the child to be waited for again
#define __WALL     0x40000000   // Linux: any child, whatever signal it sends its parent at exit
#define __WCLONE   0x80000000   // Linux: only children that send no SIGCHLD at exit

#define WEXITSTATUS(s)  (((s) >> 8) & 0xff)
#define WTERMSIG(s)     ((s) & 0x7f)
#define WSTOPSIG(s)     WEXITSTATUS(s)
#define WCOREDUMP(s)    ((s) & 0x80)
#define WIFEXITED(s)    (WTERMSIG(s) == 0)
#define WIFSTOPPED(s)   (((s) & 0xff) == 0x7f)
#define WIFSIGNALED(s)  (WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)
#define WIFCONTINUED(s) ((s) == 0xffff)

struct rusage;          // resource usage: not supported, pass NULL

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);
// pid > 0: that child; -1: any child; 0: any child in my process group; < -1: any child in
// the group -pid. Returns the child's pid (and frees it), or 0 with WNOHANG if none ended.
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);          // waitpid(-1, status, 0)

// waitid: which children (P_ALL, or P_PID / P_PGID with id), what to report (WEXITED,
// WSTOPPED, WCONTINUED, plus WNOHANG, WNOWAIT); the news comes as a siginfo_t. 0 or -1.
#include <signal.h>
typedef enum { P_ALL = 0, P_PID = 1, P_PGID = 2 } idtype_t;
typedef unsigned int id_t;
int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);
