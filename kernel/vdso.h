// vdso.h: the vDSO, a small shared library the kernel maps into every process (vdso/).
#pragma once
#include <stdint.h>

struct mm;

void vdso_init(void);             // boot: its pages and the vvar page, kept by the kernel
// exec: maps the vvar page and the vDSO into mm; returns the vDSO's address (for the auxv's
// AT_SYSINFO_EHDR) or a negative errno.
long vdso_map(struct mm *mm);
