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
