// leakcheck.h: a test-only check that a boot gave back the memory its programs used.
//
// With `leakcheck` on the command line (tests/qemu.py adds it to every test boot), the
// kernel notes the pages in use just before init is created, and when init exits - after
// it has let go of its memory, files and children - prints one line in the manner of
// Linux's kmemleak:
//   kmemleak: 3 pages not freed since init started (in use 1520, then 1517; file data
//   +0 pages; 1 processes left)
// File data (ramfs pages of files the programs left behind) is not a leak and is taken
// off; what else stays legitimately is small and bounded (kmalloc keeps one empty slab per
// size class, the zero page is made at its first use, init's own slot and kernel stack),
// so tests/run.py fails a test whose boot leaves more than a tolerance behind while no
// other process is left. Processes still alive (or unreaped) hold memory too: then the
// line is printed but not judged.
#pragma once
#include <stdbool.h>
#include <stdint.h>

void leakcheck_start(bool enabled);   // before init is created
// pages taken after the start that stay taken for good by design, not by a program (the
// other CPUs' idle stacks, smp_boot): counted as if they had been in use at the start.
void leakcheck_hold(uint64_t pages);
void leakcheck_report(void);          // at init's exit, after it released its resources
