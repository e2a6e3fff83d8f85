// uts.h: the machine's names, as uname(2) reports them (sys_proc.c) and /proc/sys/kernel
// shows them (procfs_sys.c).
#pragma once
#include <stddef.h>

#define UTS_LEN      64                  // Linux's __NEW_UTS_LEN: a name's bytes, without NUL
#define UTS_SYSNAME  "Linux"             // the ABI we follow; "Lantern" is in the version
#define UTS_RELEASE  "6.1.0-lantern"     // the Linux ABI level; C libraries compare it

const char *uts_hostname(void);
long uts_set_hostname(const char *name, size_t len);   // -EPERM (not root), -EINVAL (too long)
