// mount.c: attaching file systems (mount, umount2) and reading the kernel's log (klogctl,
// the C library's name for Linux's syslog system call, which has nothing to do with the
// syslog(3) logging function).
#include <sys/klog.h>
#include <sys/mount.h>
#include "internal.h"

int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
          const void *data)
{
    return (int)__syscall_ret(sys6(SYS_mount, source, target, fstype, flags, data, 0));
}

int umount2(const char *target, int flags)
{
    return (int)__syscall_ret(sys2(SYS_umount2, target, flags));
}

int umount(const char *target)
{
    return umount2(target, 0);
}

int klogctl(int type, char *buf, int len)
{
    return (int)__syscall_ret(sys3(SYS_syslog, type, buf, len));
}
