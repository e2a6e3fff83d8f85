// vdso_clock.c: the clocks through a real C library, which finds the vDSO through the auxv
// (AT_SYSINFO_EHDR) and calls it instead of the kernel. Built like static_hello.c with
// `musl-gcc -static` (musl_vdso) and the host's `gcc -static` (glibc_vdso), never with our
// libc. A parity program: the host's Linux and Lantern must print the same lines, so no raw
// time is printed, only comparisons with the raw system call's answers.
//
// tests/system/test_vdso.py also boots glibc_vdso with the kernel's event trace on, to
// show that the 100000 calls below never entered the kernel.
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CALLS 100000

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static struct timespec raw_clock(clockid_t c) {
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return t;
}

// What a C library looks for in the vDSO: dynamic symbols with a hash table and versions.
static void check_image(unsigned long base) {
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    int elf = memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64;
    printf("vdso: ELF64 shared object: %s\n", elf && eh->e_type == ET_DYN ? "yes" : "no");
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
    int hash = 0, versym = 0;
    const char *strtab = NULL;
    const Elf64_Verdef *vd = NULL;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_HASH || dyn->d_tag == DT_GNU_HASH)
            hash = 1;
        if (dyn->d_tag == DT_VERSYM)
            versym = 1;
        if (dyn->d_tag == DT_STRTAB)
            strtab = (const char *)(base + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_VERDEF)
            vd = (const Elf64_Verdef *)(base + dyn->d_un.d_ptr);
    }
    int linux26 = 0;
    for (; vd && strtab; vd = (const Elf64_Verdef *)((const char *)vd + vd->vd_next)) {
        const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)vd + vd->vd_aux);
        if (strcmp(strtab + aux->vda_name, "LINUX_2.6") == 0)
            linux26 = 1;
        if (!vd->vd_next)
            break;
    }
    printf("vdso: hash table %s, versym %s, version LINUX_2.6 %s\n", hash ? "yes" : "no",
           versym ? "yes" : "no", linux26 ? "yes" : "no");
}

// libc's answer must lie between two raw answers (less a tick for a coarse clock).
static void compare(const char *name, clockid_t c, long long slack) {
    struct timespec before = raw_clock(c), t, after;
    int r = clock_gettime(c, &t);
    after = raw_clock(c);
    int ok = r == 0 && ns_of(t) >= ns_of(before) - slack && ns_of(t) <= ns_of(after);
    printf("%s: libc %s the system call\n", name, ok ? "agrees with" : "DISAGREES with");
}

static void never_backwards(const char *name, clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    long long last = ns_of(t), first = last, backwards = 0;
    for (int i = 0; i < CALLS; i++) {
        clock_gettime(c, &t);
        if (ns_of(t) < last)
            backwards++;
        last = ns_of(t);
    }
    printf("%s: %d calls, went backwards %lld times, advanced: %s\n", name, CALLS, backwards,
           last > first ? "yes" : "no");
}

int main(void) {
    printf("vdso_clock: start\n");
    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    printf("vdso: AT_SYSINFO_EHDR %s\n", base ? "set" : "missing");
    if (base)
        check_image(base);

    compare("CLOCK_REALTIME", CLOCK_REALTIME, 0);
    compare("CLOCK_MONOTONIC", CLOCK_MONOTONIC, 0);
    compare("CLOCK_BOOTTIME", CLOCK_BOOTTIME, 0);
    compare("CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW, 0);
    compare("CLOCK_REALTIME_COARSE", CLOCK_REALTIME_COARSE, 20000000);
    compare("CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE, 20000000);
    compare("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, 20000000);

    struct timespec rb = raw_clock(CLOCK_REALTIME), ra;
    struct timeval tv;
    int r = gettimeofday(&tv, NULL);
    ra = raw_clock(CLOCK_REALTIME);
    long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
    printf("gettimeofday: %s\n", r == 0 && us >= ns_of(rb) / 1000 && us <= ns_of(ra) / 1000
           ? "agrees with the system call" : "DISAGREES");
    long before = syscall(SYS_time, NULL);
    time_t t = time(NULL);
    long after = syscall(SYS_time, NULL);
    // (Linux's time system call reads the coarse clock, a tick behind at worst; musl's
    // time() the precise one: across a second's edge it may be one ahead of the call after.)
    printf("time: %s\n", t >= before - 1 && t <= after + 1 ? "agrees with the system call" : "DISAGREES");

    never_backwards("CLOCK_MONOTONIC", CLOCK_MONOTONIC);
    never_backwards("CLOCK_REALTIME", CLOCK_REALTIME);
    printf("done\n");
    return 0;
}
