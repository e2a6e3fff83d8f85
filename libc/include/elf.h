// elf.h: the ELF-64 structures a program may read in memory: its own headers, and the
// vDSO's dynamic symbols (libc/vdso.c). Names and layouts as the System V gABI has them.
#pragma once
#include <stdint.h>

typedef uint16_t Elf64_Half;
typedef uint32_t Elf64_Word;
typedef uint64_t Elf64_Addr;
typedef uint64_t Elf64_Off;
typedef uint64_t Elf64_Xword;
typedef int64_t  Elf64_Sxword;

#define EI_NIDENT 16
#define EI_CLASS  4
#define ELFCLASS64 2
#define ELFMAG    "\177ELF"
#define SELFMAG   4
#define ET_DYN    3

typedef struct {
    unsigned char e_ident[EI_NIDENT];
    Elf64_Half e_type, e_machine;
    Elf64_Word e_version;
    Elf64_Addr e_entry;
    Elf64_Off  e_phoff, e_shoff;
    Elf64_Word e_flags;
    Elf64_Half e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

#define PT_LOAD    1
#define PT_DYNAMIC 2
typedef struct {
    Elf64_Word p_type, p_flags;
    Elf64_Off  p_offset;
    Elf64_Addr p_vaddr, p_paddr;
    Elf64_Xword p_filesz, p_memsz, p_align;
} Elf64_Phdr;

#define DT_NULL   0
#define DT_HASH   4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_GNU_HASH 0x6ffffef5
#define DT_VERSYM 0x6ffffff0
#define DT_VERDEF 0x6ffffffc
typedef struct {
    Elf64_Sxword d_tag;
    union { Elf64_Xword d_val; Elf64_Addr d_ptr; } d_un;
} Elf64_Dyn;

#define SHN_UNDEF 0
#define STT_FUNC  2
#define ELF64_ST_TYPE(i) ((i) & 0xf)
typedef struct {
    Elf64_Word st_name;
    unsigned char st_info, st_other;
    Elf64_Half st_shndx;
    Elf64_Addr st_value;
    Elf64_Xword st_size;
} Elf64_Sym;

#define VER_FLG_BASE 1
typedef struct {
    Elf64_Half vd_version, vd_flags, vd_ndx, vd_cnt;
    Elf64_Word vd_hash, vd_aux, vd_next;
} Elf64_Verdef;
typedef struct {
    Elf64_Word vda_name, vda_next;
} Elf64_Verdaux;
