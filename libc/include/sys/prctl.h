// sys/prctl.h: arch_prctl, which sets the FS and GS segment bases. Threads keep their
// thread-local storage at the FS base; this libc has no TLS, so FS is free for programs.
// (Linux puts these numbers in <asm/prctl.h>.)
#pragma once

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

// For ARCH_SET_*, addr is the new base; for ARCH_GET_*, a pointer to store the base in.
int arch_prctl(int code, unsigned long addr);
