// exec_parse.h: the checks execve makes on a file's first bytes, as pure functions (no
// file system, no memory map), so that tests/fuzz/ can feed them anything on the host.
// exec.c reads the bytes and acts on the answers.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "elf.h"

#define MAX_PHNUM 64              // program headers we accept
#define SCRIPT_LINE_MAX 256       // Linux's BINPRM_BUF_SIZE: the #! line is read this far

// An ELF header execve can run: 64-bit, little-endian, x86-64, an executable or a
// position-independent file, program headers of the expected size, 1..MAX_PHNUM of them.
bool elf_header_ok(const struct elf64_ehdr *eh);
// One PT_LOAD segment, placed at p_vaddr + bias, from a file of file_size bytes: sizes
// without overflow, file bytes inside the file, memory inside [PAGE_SIZE, USER_MMAP_TOP),
// file offset and address congruent modulo the page size.
bool elf_segment_ok(const struct elf64_phdr *ph, uint64_t bias, uint64_t file_size);
// The index of the (last) PT_INTERP header among n, or -1.
int elf_find_interp(const struct elf64_phdr *ph, int n);

// A "#!" line. line holds n bytes read from the file's start (n <= SCRIPT_LINE_MAX) and
// has room for one more (a NUL goes there). Returns 1 if it is not a script; 0 and the
// interpreter and its one optional argument (empty if none), both pointing into line; or
// -ENOEXEC for "#!" with no interpreter. As Linux: the line ends at a newline or after
// n bytes, blanks are spaces and tabs, everything after the interpreter's name is one
// argument with the blanks around it removed.
long script_parse(char *line, size_t n, const char **interp, const char **arg);
