// fuzz_elf.c: libFuzzer harness for execve's ELF checks (kernel/exec_parse.c). The input is
// a whole file. As exec.c does, the header is checked first, then the program headers are
// read from e_phoff (if the file has them all) and each PT_LOAD segment is checked with
// bias 0 and with the PIE bias. Besides the sanitizers, what a passed check promises must
// hold: the file bytes lie inside the file, the memory inside [PAGE_SIZE, USER_MMAP_TOP),
// nothing wraps.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exec_parse.h"
#include "memlayout.h"
#include "mm.h"

static void check_segment(const struct elf64_phdr *ph, uint64_t bias, uint64_t size)
{
    if (!elf_segment_ok(ph, bias, size))
        return;
    uint64_t va = ph->p_vaddr + bias;
    unsigned __int128 file_end = (unsigned __int128)ph->p_offset + ph->p_filesz;
    unsigned __int128 mem_end = (unsigned __int128)va + ph->p_memsz;
    if (file_end > size || mem_end > USER_MMAP_TOP || va < PAGE_SIZE || ph->p_filesz > ph->p_memsz)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf64_ehdr eh;
    if (size < sizeof eh)
        return 0;
    memcpy(&eh, data, sizeof eh);
    if (!elf_header_ok(&eh))
        return 0;
    if (eh.e_phnum == 0 || eh.e_phnum > MAX_PHNUM || eh.e_phentsize != sizeof(struct elf64_phdr))
        abort();                          // the header check let a bad table through
    size_t table = (size_t)eh.e_phnum * sizeof(struct elf64_phdr);
    if (eh.e_phoff > size || table > size - eh.e_phoff)
        return 0;                         // exec.c's read_exact would say ENOEXEC
    struct elf64_phdr *ph = malloc(table);
    memcpy(ph, data + eh.e_phoff, table);
    int interp = elf_find_interp(ph, eh.e_phnum);
    if (interp < -1 || interp >= eh.e_phnum || (interp >= 0 && ph[interp].p_type != PT_INTERP))
        abort();
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        check_segment(&ph[i], 0, size);
        check_segment(&ph[i], 0x555555554000ull, size);
    }
    free(ph);
    return 0;
}
