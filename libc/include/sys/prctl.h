// sys/prctl.h: prctl, operations on the calling process, and arch_prctl, which sets the FS
// and GS segment bases. Threads keep their thread-local storage at the FS base; this libc
// has no TLS, so FS is free for programs. (Linux puts the ARCH_ numbers in <asm/prctl.h>.)
#pragma once

#define PR_SET_PDEATHSIG        1    // the signal I get when my parent dies
#define PR_GET_PDEATHSIG        2
#define PR_GET_DUMPABLE         3
#define PR_SET_DUMPABLE         4    // 0: never write a core file for me
#define PR_SET_NAME            15    // the thread's name (16 bytes with the NUL), as ps shows it
#define PR_GET_NAME            16
#define PR_SET_CHILD_SUBREAPER 36    // orphaned descendants become my children, not init's
#define PR_GET_CHILD_SUBREAPER 37

// The arguments after option depend on it; unused ones are passed as 0 by convention.
int prctl(int option, ...);

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

// For ARCH_SET_*, addr is the new base; for ARCH_GET_*, a pointer to store the base in.
int arch_prctl(int code, unsigned long addr);
