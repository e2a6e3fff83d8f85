// exec_parse.c: execve's checks of untrusted file contents (see exec_parse.h).
#include "errno.h"
#include "exec_parse.h"
#include "memlayout.h"
#include "mm.h"
#include "string.h"

bool elf_header_ok(const struct elf64_ehdr *eh) {
    return !memcmp(eh->e_ident, "\177ELF", 4) && eh->e_ident[4] == ELFCLASS64 &&
           eh->e_ident[5] == ELFDATA2LSB && (eh->e_type == ET_EXEC || eh->e_type == ET_DYN) &&
           eh->e_machine == EM_X86_64 && eh->e_phentsize == sizeof(struct elf64_phdr) &&
           eh->e_phnum != 0 && eh->e_phnum <= MAX_PHNUM;
}

bool elf_segment_ok(const struct elf64_phdr *ph, uint64_t bias, uint64_t file_size) {
    uint64_t va = ph->p_vaddr + bias;
    return ph->p_filesz <= ph->p_memsz && ph->p_offset + ph->p_filesz >= ph->p_offset &&
           ph->p_offset + ph->p_filesz <= file_size && va + ph->p_memsz >= va &&
           va + ph->p_memsz <= USER_MMAP_TOP && va >= PAGE_SIZE &&
           (ph->p_vaddr - ph->p_offset) % PAGE_SIZE == 0;
}

int elf_find_interp(const struct elf64_phdr *ph, int n) {
    int interp = -1;
    for (int i = 0; i < n; i++)
        if (ph[i].p_type == PT_INTERP)
            interp = i;
    return interp;
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

long script_parse(char *line, size_t n, const char **interp, const char **arg) {
    line[n] = '\0';
    if (n < 2 || line[0] != '#' || line[1] != '!')
        return 1;
    char *nl = memchr(line, '\n', n), *i = line + 2, *a;
    if (nl)
        *nl = '\0';
    while (blank(*i))
        i++;
    for (a = i; *a && !blank(*a); a++)
        ;
    if (*a)
        *a++ = '\0';
    while (blank(*a))
        a++;
    for (char *end = a + strlen(a); end > a && blank(end[-1]); )
        *--end = '\0';
    *interp = i;
    *arg = a;
    return *i ? 0 : -ENOEXEC;
}
