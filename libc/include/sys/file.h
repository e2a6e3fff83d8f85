// sys/file.h: flock(), whole-file advisory locks owned by the open file description.
#pragma once

#define LOCK_SH 1       // shared
#define LOCK_EX 2       // exclusive
#define LOCK_NB 4       // or'ed in: fail with EWOULDBLOCK instead of waiting
#define LOCK_UN 8       // unlock

int flock(int fd, int operation);
