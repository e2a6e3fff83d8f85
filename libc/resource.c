// resource.c: resource limits. The kernel's struct rlimit and struct rlimit64 are the same
// on x86_64 (two 64-bit values), so prlimit passes ours straight through.
#include <sys/resource.h>
#include "internal.h"

int getrlimit(int resource, struct rlimit *rlim)
{
    return __syscall_ret(sys2(SYS_getrlimit, resource, rlim));
}

int setrlimit(int resource, const struct rlimit *rlim)
{
    return __syscall_ret(sys2(SYS_setrlimit, resource, rlim));
}

int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    return __syscall_ret(sys4(SYS_prlimit64, pid, resource, new_limit, old_limit));
}

// The system call returns 20 - nice (1..40), so that no success looks like an error.
int getpriority(int which, id_t who)
{
    long r = sys2(SYS_getpriority, which, who);
    return r < 0 ? __syscall_ret(r) : 20 - (int)r;
}

int setpriority(int which, id_t who, int nice)
{
    return __syscall_ret(sys3(SYS_setpriority, which, who, nice));
}
