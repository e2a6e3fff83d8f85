// sys/auxv.h: the auxiliary vector, the (type, value) pairs the kernel puts after the
// environment at exec: where the program headers are, the page size, the vDSO, ...
#pragma once

#define AT_NULL         0
#define AT_PAGESZ       6
#define AT_RANDOM       25
#define AT_EXECFN       31
#define AT_SYSINFO_EHDR 33      // the vDSO's ELF header

// The value for type, or 0 (and errno ENOENT) if the kernel did not pass one.
unsigned long getauxval(unsigned long type);
