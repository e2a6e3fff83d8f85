// vdso.c: finding functions in the vDSO, the small shared library the kernel maps into
// every process (its address is the auxv's AT_SYSINFO_EHDR). It is an ELF image already
// in memory: walk its dynamic section to the symbol table, and look a name up with the
// version the kernel defines (LINUX_2.6), as glibc, musl and Go do. The table is small,
// so a linear scan over the DT_HASH table's nchain symbols is enough.
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/auxv.h>
#include "internal.h"

extern unsigned long *__auxv;

unsigned long getauxval(unsigned long type)
{
    for (unsigned long *a = __auxv; a && a[0] != AT_NULL; a += 2)
        if (a[0] == type)
            return a[1];
    errno = ENOENT;
    return 0;
}

// Is symbol i's version (versym) the one called `version` in the verdef list?
static int has_version(const Elf64_Half *versym, const Elf64_Verdef *vd, const char *strtab,
                       unsigned i, const char *version)
{
    if (!versym || !vd)
        return 1;                           // an unversioned image: any version will do
    Elf64_Half want = versym[i] & 0x7fff;   // the top bit only says "hidden"
    for (;;) {
        const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)vd + vd->vd_aux);
        if (vd->vd_ndx == want && !(vd->vd_flags & VER_FLG_BASE))
            return strcmp(strtab + aux->vda_name, version) == 0;
        if (!vd->vd_next)
            return 0;
        vd = (const Elf64_Verdef *)((const char *)vd + vd->vd_next);
    }
}

void *__vdso_sym(const char *version, const char *name)
{
    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    if (!base)
        return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    unsigned long load = 0;                 // the image is linked at 0: the bias is base
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
        if (ph[i].p_type == PT_LOAD && !load)
            load = base + ph[i].p_offset - ph[i].p_vaddr;
    }
    const Elf64_Sym *syms = NULL;
    const Elf64_Word *hash = NULL;
    const Elf64_Half *versym = NULL;
    const Elf64_Verdef *verdef = NULL;
    const char *strtab = NULL;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        const void *p = (const void *)(load + dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB: syms = p; break;
        case DT_STRTAB: strtab = p; break;
        case DT_HASH:   hash = p; break;
        case DT_VERSYM: versym = p; break;
        case DT_VERDEF: verdef = p; break;
        }
    }
    if (!syms || !strtab || !hash)
        return NULL;
    for (Elf64_Word i = 0; i < hash[1]; i++) {          // hash[1]: nchain, the symbol count
        const Elf64_Sym *s = &syms[i];
        if (ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_shndx != SHN_UNDEF &&
            strcmp(strtab + s->st_name, name) == 0 && has_version(versym, verdef, strtab, i, version))
            return (void *)(load + s->st_value);
    }
    return NULL;
}
