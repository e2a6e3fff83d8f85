// sys/sendfile.h: copying between descriptors inside the kernel.
#pragma once
#include <sys/types.h>

// Copies up to count bytes from in_fd (a file) to out_fd. With offset, reads from *offset and
// advances it, leaving in_fd's own position alone.
ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);
