// memfd.h: memfd_create's files and their seals (memfd.c).
#pragma once
#include <stdint.h>

struct file;

#define F_ADD_SEALS 1033             // fcntl commands, Linux's (F_LINUX_SPECIFIC_BASE + 9, 10)
#define F_GET_SEALS 1034

// fcntl's F_ADD_SEALS (arg: the seals) and F_GET_SEALS on f: the seals, 0, or -errno
// (EINVAL for a file that is not a memfd, as Linux says for one without seals).
long memfd_fcntl(struct file *f, unsigned int cmd, uint64_t arg);
