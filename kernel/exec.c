// exec.c: replace a process's program with the one in an ELF file (Linux's execve).
//
// Everything is built in a new address space first - segments, stack, arguments - so that
// any error (a malformed file: -ENOEXEC; no memory: -ENOMEM; too many arguments: -E2BIG)
// leaves the caller exactly as it was. Only then does the process switch over: the point
// of no return is commit().
//
// The new stack, from its top down, as the System V x86_64 ABI and Linux lay it out:
//   strings (argv, envp, "x86_64", the file name), 16 random bytes,
//   auxv pairs ending in AT_NULL, NULL, envp[], NULL, argv[], argc   <- rsp (16-aligned)
#include <stdint.h>
#include "cpu.h"
#include "elf.h"
#include "errno.h"
#include "exec_parse.h"
#include "futex.h"
#include "file.h"
#include "fs.h"
#include "gdt.h"
#include "kmalloc.h"
#include "ksignal.h"
#include "memlayout.h"
#include "mm.h"
#include "pidfd.h"
#include "proc.h"
#include "rseq.h"
#include "smp.h"
#include "random.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "uaccess.h"
#include "vdso.h"
#include "vm.h"
#include "x86.h"

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)     // Linux's limit for one argument
#define MAX_ARG_TOTAL  (USER_STACK_SIZE / 4) // Linux: a quarter of the stack limit
#define ET_DYN_BASE   0x555555554000ull     // where a position-independent program is placed

// Address space layout randomisation, as Linux's (randomize_va_space = 2): a
// position-independent program's base moves by up to 2^28 pages (arch_mmap_rnd), so does
// the top of the mmap area - and with it the interpreter, placed just below - the stack's
// top by up to 2^22 pages (STACK_RND_MASK), the start of the heap by up to 32 MiB
// (arch_randomize_brk). Off with `norandmaps` on the command line, or for a process with
// personality(ADDR_NO_RANDOMIZE) (`setarch -R`): then the layout is the same every time.
#define MMAP_RND_PAGES  (1ull << 28)
#define STACK_RND_PAGES (1ull << 22)
#define BRK_RND_PAGES   (32ull << 20 >> 12)
#define ADDR_NO_RANDOMIZE   0x0040000       // personality flags (Linux's values)
#define READ_IMPLIES_EXEC   0x0400000
#define ADDR_COMPAT_LAYOUT  0x0200000
#define MMAP_PAGE_ZERO      0x0100000
#define PER_CLEAR_ON_SETID  (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO)

static bool randomize = true;   // set once at boot (main.c), read by exec

void exec_set_randomize(bool on) { randomize = on; }

// A random offset of fewer than `pages` pages, or 0 when randomisation is off.
static uint64_t random_pages(bool rnd, uint64_t pages) {
    return rnd ? random_below(pages) * PAGE_SIZE : 0;
}

struct image {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[MAX_PHNUM];
    uint64_t bias;            // added to every address of an ET_DYN (position-independent) file
    uint64_t phdr_va;         // where the program headers are in memory, for AT_PHDR
    uint64_t end;             // the end of the highest segment: the heap starts after it
    int interp;               // the PT_INTERP header's index (a dynamically linked program), or -1
    uint64_t interp_base;     // where its interpreter was loaded (AT_BASE), 0 without one
    uint32_t uid, euid, gid, egid;   // what the program will run as (exec_ids), for the auxv
};

// The ids the program will run with: a set-user-id file's owner as the effective user, a
// set-group-id (and group-executable) file's group as the effective group. set_exec_ids
// makes them so; the stack's auxv tells them first (AT_UID ... AT_SECURE).
static void exec_ids(const struct proc *p, const struct inode *ip, struct image *im) {
    const struct cred *c = &p->cred;
    im->uid = c->uid;
    im->gid = c->gid;
    im->euid = (ip->mode & 04000) ? ip->uid : c->euid;
    im->egid = (ip->mode & 02010) == 02010 ? ip->gid : c->egid;
}

// Linux's bprm->secureexec: other ids than the runner's (glibc then ignores LD_PRELOAD...).
static bool secure_exec(const struct image *im) {
    return im->euid != im->uid || im->egid != im->gid;
}

static uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

// stable: the file is (fs_data_stable), and this read, perhaps without the BKL, leaves
// its access time to the caller.
static long read_exact(struct inode *ip, uint64_t off, void *buf, size_t n, bool stable) {
    long got = stable ? fs_read_stable(ip, off, buf, n) : fs_read(ip, off, buf, n);
    return got == (long)n ? 0 : -ENOEXEC;
}

// Reads and checks the ELF header and program headers. Anything odd: -ENOEXEC.
static long read_headers(struct inode *ip, struct image *im, bool stable) {
    struct elf64_ehdr *eh = &im->eh;
    if (read_exact(ip, 0, eh, sizeof *eh, stable))
        return -ENOEXEC;
    if (!elf_header_ok(eh))
        return -ENOEXEC;
    if (read_exact(ip, eh->e_phoff, im->ph, eh->e_phnum * sizeof im->ph[0], stable))
        return -ENOEXEC;
    im->bias = eh->e_type == ET_DYN ? ET_DYN_BASE : 0;
    im->interp = elf_find_interp(im->ph, eh->e_phnum);
    return 0;
}

static int segment_prot(uint32_t flags) {
    return ((flags & PF_R) ? VM_READ : 0) | ((flags & PF_W) ? VM_WRITE : 0) |
           ((flags & PF_X) ? VM_EXEC : 0);
}

// Copies file bytes [off, off+n) to va in the new address space. (Perhaps without the
// BKL: then the file is stable, and build_unlocked sets its access time, under the BKL.)
static long copy_in(struct mm *mm, struct inode *ip, uint64_t off, uint64_t va, uint64_t n,
                    char *buf) {
    bool stable = fs_data_stable(ip);
    for (uint64_t done = 0; done < n;) {
        size_t k = n - done < PAGE_SIZE ? n - done : PAGE_SIZE;
        long got = stable ? fs_read_stable(ip, off + done, buf, k) : fs_read(ip, off + done, buf, k);
        if (got != (long)k || mm_poke_new_image(mm, va + done, buf, k))
            return -ENOEXEC;
        done += k;
    }
    return 0;
}

// Maps one segment as Linux's elf_map does: the pages holding file bytes map the file
// itself, privately - text and rodata are then the page cache's pages, one copy for every
// process running the program, and writable data is copied page by page at its first
// write. The rest (.bss) is anonymous memory. The bytes between the end of the file part and
// the end of its last page are zeroed, when the segment has a .bss (Linux's padzero): that
// one page is copied. A first page shared with the previous segment is that segment's
// memory already: the bytes are copied into it, and it gets both segments' permissions.
static long load_segment(struct mm *mm, struct inode *ip, const struct elf64_phdr *ph,
                         struct image *im, char *buf) {
    uint64_t va = ph->p_vaddr + im->bias, start = page_down(va), end = page_up(va + ph->p_memsz);
    uint64_t file_end = page_up(va + ph->p_filesz), file_va = start;
    int prot = segment_prot(ph->p_flags);
    long err = 0;
    if (start < im->end)
        start = page_up(im->end);   // the first page is shared with the previous segment
    if (file_end > end)
        file_end = end;
    if (file_end > start) {
        err = mm_map_file(mm, start, file_end - start, prot, ip,
                          page_down(ph->p_offset) + (start - file_va), 0);
        if (!err)
            mm_find(mm, start)->kind = VMA_IMAGE;
    }
    uint64_t anon = file_end > start ? file_end : start;
    if (!err && end > anon)
        err = mm_map(mm, anon, end - anon, prot, VMA_IMAGE);
    if (!err && page_down(va) < start) {   // the shared first page: copy, both permissions
        uint64_t n = start - va < ph->p_filesz ? start - va : ph->p_filesz;
        err = copy_in(mm, ip, ph->p_offset, va, n, buf);
        vm_protect_range(mm->pml4, page_down(va), start,
                         prot | mm_find(mm, page_down(va))->prot | VM_USER, false);
    }
    uint64_t bss = va + ph->p_filesz;
    if (!err && ph->p_memsz > ph->p_filesz && bss % PAGE_SIZE) {
        memset(buf, 0, PAGE_SIZE);
        err = mm_poke_new_image(mm, bss, buf, page_up(bss) - bss) ? -ENOEXEC : 0;
    }
    if (err)
        return err;
    if (ph->p_offset <= im->eh.e_phoff && im->eh.e_phoff < ph->p_offset + ph->p_filesz)
        im->phdr_va = va + (im->eh.e_phoff - ph->p_offset);
    if (va + ph->p_memsz > im->end)
        im->end = va + ph->p_memsz;
    return 0;
}

static long load_segments(struct mm *mm, struct inode *ip, struct image *im) {
    char *buf = kmalloc(PAGE_SIZE);
    if (!buf)
        return -ENOMEM;
    long err = 0;
    int loads = 0;
    for (int i = 0; i < im->eh.e_phnum && !err; i++) {
        const struct elf64_phdr *ph = &im->ph[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (!elf_segment_ok(ph, im->bias, ip->size) || ph->p_vaddr + im->bias < im->end)
            err = -ENOEXEC;         // segments must be in increasing order, as the spec says
        else
            err = load_segment(mm, ip, ph, im, buf);
        loads++;
    }
    kfree(buf);
    if (!err && (loads == 0 || im->eh.e_entry + im->bias >= im->end))
        err = -ENOEXEC;
    return err;
}

// ---------------------------------------------------------------- the dynamic loader

// A dynamically linked program names its interpreter - the dynamic loader, ld-linux or
// ld-musl - in PT_INTERP. As Linux does, the kernel loads that file too, just below the
// area where mmap places things, and starts there instead: the loader finds the program
// through the auxiliary vector (AT_PHDR, AT_ENTRY, and its own AT_BASE), maps the shared
// libraries with mmap, and jumps to the program's entry point.
static long load_interpreter(struct proc *p, struct mm *mm, struct inode *prog,
                             struct image *im, uint64_t *entry) {
    const struct elf64_phdr *ph = &im->ph[im->interp];
    if (ph->p_filesz < 2 || ph->p_filesz > FS_PATH_MAX)
        return -ENOEXEC;
    struct image *li = kzalloc(sizeof *li);
    char *path = kzalloc(ph->p_filesz + 1);
    struct inode *ip = NULL;
    long err = li && path ? 0 : -ENOMEM;
    if (!err && (read_exact(prog, ph->p_offset, path, ph->p_filesz, false) || path[ph->p_filesz - 1]))
        err = -ENOEXEC;                  // the name must end with its NUL
    if (!err)
        err = fs_lookup(p->fs->cwd, path, FS_FOLLOW, &ip);
    if (!err && !S_ISREG(ip->mode))
        err = -EACCES;
    bool held = !err;                    // fs_lookup lends the inode; hold it while loading
    if (held)
        fs_get(ip);
    if (!err)
        err = read_headers(ip, li, false);
    if (!err && li->interp >= 0)
        err = -ELIBBAD;                  // an interpreter that wants one itself
    if (!err) {
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < li->eh.e_phnum; i++) {
            if (li->ph[i].p_type != PT_LOAD)
                continue;
            if (page_down(li->ph[i].p_vaddr) < lo) lo = page_down(li->ph[i].p_vaddr);
            if (li->ph[i].p_vaddr + li->ph[i].p_memsz > hi) hi = li->ph[i].p_vaddr + li->ph[i].p_memsz;
        }
        uint64_t span = hi > lo ? page_up(hi - lo) : 0;
        if (li->eh.e_type == ET_DYN && span && span < mm->mmap_top) {
            uint64_t base = page_down(mm->mmap_top - span);
            li->bias = base - lo;
            mm->mmap_top = base;         // mmap hands out addresses below it from now on
        } else if (li->eh.e_type == ET_DYN) {
            err = -ENOEXEC;
        }
    }
    if (!err)
        err = load_segments(mm, ip, li);
    if (!err) {
        im->interp_base = li->bias;
        *entry = li->eh.e_entry + li->bias;
    }
    if (held)
        fs_put(ip);
    kfree(path);
    kfree(li);
    return err;
}

// ---------------------------------------------------------------- the initial stack

// The stack is written downwards from its top. The page being written is kept (page, at):
// most programs' arguments, environment and auxiliary vector fit in one or two pages, and
// looking a page up in the new address space costs more than the copy.
struct stack_builder { struct mm *mm; uint64_t sp; long err; uint64_t page; char *at; };

static uint64_t push_bytes(struct stack_builder *sb, const void *data, size_t n) {
    sb->sp -= n;
    for (uint64_t va = sb->sp, end = sb->sp + n; va < end && !sb->err;) {
        uint64_t page = page_down(va), stop = end < page + PAGE_SIZE ? end : page + PAGE_SIZE;
        if (!sb->at || sb->page != page) {
            sb->page = page;
            if (!(sb->at = mm_new_image_page(sb->mm, page))) {
                sb->err = -EFAULT;
                break;
            }
        }
        memcpy(sb->at + (va - page), (const char *)data + (va - sb->sp), stop - va);
        va = stop;
    }
    return sb->sp;
}

static uint64_t push_string(struct stack_builder *sb, const char *s) {
    return push_bytes(sb, s, strlen(s) + 1);
}

static int count_strings(const char *const *v, size_t *bytes) {
    int n = 0;
    for (; v && v[n]; n++) {
        size_t len = strlen(v[n]) + 1;
        if (len > MAX_ARG_STRLEN)
            return -E2BIG;
        *bytes += len;
    }
    return *bytes > MAX_ARG_TOTAL ? -E2BIG : n;
}

static long build_stack(struct mm *mm, struct image *im, const char *path,
                        const char *const *argv, const char *const *envp, uint64_t *rsp) {
    size_t bytes = 0;
    int argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
    if (argc < 0 || envc < 0)
        return -E2BIG;
    // Linux's setup_arg_pages: the strings and pointers, and 128 KiB more; the rest of the
    // stack comes on demand (stack.c), up to RLIMIT_STACK.
    uint64_t size = (bytes + (argc + envc + 64) * 8 + USER_STACK_INITIAL + PAGE_SIZE - 1) &
                    ~(PAGE_SIZE - 1);
    long err = mm_map(mm, mm->stack_top - size, size, VM_READ | VM_WRITE, VMA_STACK);
    long vdso = err ? err : vdso_map(mm);
    if (vdso < 0)
        return vdso;
    uint64_t *ptrs = kmalloc((argc + envc + 2) * sizeof(uint64_t));
    if (!ptrs)
        return -ENOMEM;
    struct stack_builder sb = { mm, mm->stack_top, 0, 0, NULL };
    uint64_t execfn = push_string(&sb, path), platform = push_string(&sb, "x86_64");
    uint64_t args_end = sb.sp;
    for (int i = argc - 1; i >= 0; i--)
        ptrs[i] = push_string(&sb, argv[i]);
    mm->arg_start = sb.sp;               // argv's strings lie together: /proc/<pid>/cmdline
    mm->arg_end = args_end;
    for (int i = envc - 1; i >= 0; i--)
        ptrs[argc + 1 + i] = push_string(&sb, envp[i]);
    mm->env_start = sb.sp;               // the environment's strings lie together too
    mm->env_end = mm->arg_start;
    ptrs[argc] = ptrs[argc + 1 + envc] = 0;
    unsigned char rnd[16];
    random_bytes(rnd, sizeof rnd);
    uint64_t random = push_bytes(&sb, rnd, sizeof rnd);
    uint64_t auxv[][2] = {
        { AT_PHDR, im->phdr_va }, { AT_PHENT, sizeof(struct elf64_phdr) },
        { AT_PHNUM, im->eh.e_phnum }, { AT_PAGESZ, PAGE_SIZE }, { AT_BASE, im->interp_base }, { AT_FLAGS, 0 },
        { AT_ENTRY, im->eh.e_entry + im->bias }, { AT_UID, im->uid }, { AT_EUID, im->euid },
        { AT_GID, im->gid }, { AT_EGID, im->egid }, { AT_SECURE, secure_exec(im) },
        { AT_CLKTCK, 100 }, { AT_HWCAP, 0 }, { AT_HWCAP2, 0 },
        { AT_RANDOM, random }, { AT_PLATFORM, platform }, { AT_EXECFN, execfn },
        { AT_SYSINFO_EHDR, (uint64_t)vdso }, { AT_RSEQ_FEATURE_SIZE, 28 }, { AT_RSEQ_ALIGN, 32 },
        { AT_NULL, 0 },
    };
    // argc must land on a 16-byte boundary: align now, counting what is still to come.
    size_t below = sizeof auxv + (argc + envc + 3) * sizeof(uint64_t);
    sb.sp = (sb.sp - below) & ~15ull;
    sb.sp += below;
    push_bytes(&sb, auxv, sizeof auxv);
    push_bytes(&sb, ptrs, (argc + envc + 2) * sizeof(uint64_t));
    uint64_t argc64 = (uint64_t)argc;
    *rsp = push_bytes(&sb, &argc64, sizeof argc64);
    kfree(ptrs);
    return sb.err;
}

static void free_strings(char **v) {
    for (size_t i = 0; v && v[i]; i++)
        kfree(v[i]);
    kfree(v);
}

// ---------------------------------------------------------------- switching over

static void set_comm(struct proc *p, const char *path) {
    const char *base = strrchr(path, '/');
    strlcpy(p->comm, base ? base + 1 : path, sizeof p->comm);
}

// execve from a process with several threads: the others must go first (Linux's
// de_thread). They get SIGKILL; we wait until each has left. If we are not the leader, we
// then take its place and its pid, so the process keeps its pid across the exec.
static long de_thread(struct proc *p) {
    struct signal_struct *sig = p->signal;
    if (sig->nr_threads == 1 && thread_group_leader(p))
        return 0;
    uint64_t f = local_irq_save();
    if (sig->group_exit || sig->exec_thread) {
        local_irq_restore(f);
        return -EAGAIN;                  // the process is ending anyway (or another exec won)
    }
    sig->exec_thread = p;
    zap_other_threads(p);
    while (sig->nr_threads > 1 && !fatal_signal_pending(p))
        sleep_on(p);                     // each exiting thread wakes exec_thread
    sig->exec_thread = NULL;
    if (fatal_signal_pending(p)) {
        local_irq_restore(f);
        return -EAGAIN;                  // killed while waiting: we go too
    }
    if (!thread_group_leader(p)) {
        struct proc *leader = p->group_leader;   // a zombie by now
        int tid = p->pid;
        p->pid = leader->pid;
        leader->pid = tid;
        p->tid_before_exec = tid;        // (PI waiters may know us by it: futex_exit_pi)
        p->group_leader = p;
        p->exit_signal = SIGCHLD;
        p->subreaper = leader->subreaper;
        pidfd_new_leader(p, leader);     // pidfds follow the pid
        for (struct proc *c = proc_next(NULL); c; c = proc_next(c))
            if (c->parent == leader)
                c->parent = p;
        proc_reap(leader);               // its slot and stack; nothing runs on them
    }
    local_irq_restore(f);
    return 0;
}

// A set-user-id (set-group-id) program runs with its file's owner (group) as effective id;
// the saved ids follow the effective ones either way, as Linux's execve sets them.
// The ids exec_ids found become the process's. Returns whether the program runs with
// other ids than its runner's (then it is not dumpable, as Linux's).
static bool set_exec_ids(struct proc *p, const struct inode *ip, const struct image *im) {
    struct cred *c = &p->cred;
    // What a set-id program must not inherit (Linux's PER_CLEAR_ON_SETID); x86_64's exec
    // always drops READ_IMPLIES_EXEC (set_personality_64bit).
    if ((ip->mode & 04000) || (ip->mode & 02010) == 02010)
        p->personality &= ~PER_CLEAR_ON_SETID;
    p->personality &= ~READ_IMPLIES_EXEC;
    // Linux: a secure exec (begin_new_exec), or ids that change (commit_creds), end the
    // parent-death signal.
    if (secure_exec(im) || c->euid != im->euid || c->egid != im->egid ||
        c->fsuid != im->euid || c->fsgid != im->egid)
        p->pdeath_signal = 0;
    c->euid = im->euid;
    c->egid = im->egid;
    c->suid = c->fsuid = c->euid;
    c->sgid = c->fsgid = c->egid;
    p->keep_caps = false;                // PR_SET_KEEPCAPS ends at exec
    return secure_exec(im);
}

// Tables still shared with another process (clone without CLONE_THREAD but with
// CLONE_FILES or CLONE_SIGHAND) become our own: the exec changes them.
static long unshare_for_exec(struct proc *p) {
    if (p->files->refs > 1) {
        struct files_struct *copy = files_copy(p->files);
        if (!copy)
            return -ENOMEM;
        files_put(p->files);
        p->files = copy;
    }
    if (p->sighand->refs > 1) {
        struct sighand_struct *copy = sighand_alloc();
        if (!copy)
            return -ENOMEM;
        memcpy(copy->action, p->sighand->action, sizeof copy->action);
        sighand_put(p->sighand);
        p->sighand = copy;
    }
    return 0;
}

// /proc/<pid>/exe: the file's absolute path, symlinks followed (the path as given if that
// cannot be worked out).
// Is path already what fs_real_path would make of it? It is when it starts at the root,
// its walk followed no symbolic link, and every component is a plain name: no "." or "..",
// no empty one ("//"), no trailing slash. Then each component is the entry it named.
static bool already_real(const char *path, int links) {
    if (links || path[0] != '/' || !path[1])
        return false;
    for (const char *c = path + 1; ; ) {
        const char *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!end)
            return true;
        c = end + 1;
    }
}

// /proc/<pid>/exe: the program's absolute path with every link followed. Working that out
// costs an exec as much as loading a small program, so the common case, a path that is
// already real (/bin/sh), is taken as it is.
static void set_exe(struct proc *p, const char *path, int links) {
    if (already_real(path, links)) {
        strlcpy(p->exe, path, sizeof p->exe);
        return;
    }
    char *real = kmalloc(FS_PATH_MAX);
    bool ok = real && fs_real_path(p->fs->cwd, path, real) == 0;
    strlcpy(p->exe, ok ? real : path, sizeof p->exe);
    kfree(real);
}

// The point of no return: the old program is gone after this.
// name: what the program is called (for a script, the script, as Linux does); path: the file
// that really runs (for a script, its interpreter: what /proc/<pid>/exe shows).
static void commit(struct proc *p, struct mm *mm, uint64_t entry, uint64_t rsp, const char *path,
                   const char *name, int links) {
    struct mm *old = p->mm;
    mm_release(p);                   // in the old memory, as Linux's exec_mm_release
    p->pi_locks_gone = false;        // the new program may own PI locks (Linux: FUTEX_STATE_OK)
    p->tid_before_exec = 0;          // (its waiters have been handed the locks)
    mm->thp_disabled = old && old->thp_disabled;    // (Linux keeps it across exec)
    p->mm = mm;
    sched_cid_moved(p);              // (its mm_cid was the old memory's)
    vm_switch(mm->pml4);
    set_comm(p, name);
    trace_record_name(TR_EXEC, p->pid, p->comm);
    set_exe(p, path, links);
    files_close_on_exec(p->files);
    signal_exec(p);
    p->signal->membarrier = 0;       // registrations go with the old memory, as Linux's
    p->did_exec = true;
    if (p->vfork_parent) {           // a vfork parent may run again: we no longer share
        wakeup(p->vfork_parent);
        p->vfork_parent = NULL;
    }
    fpu_reset(p->fpu);
    fpu_restore(p->fpu);
    p->fs_base = 0;
    wrmsr(0xc0000100, 0);            // MSR_FS_BASE
    rseq_exec(p);                    // the old program's struct rseq is gone with its memory
    memset(p->tf, 0, sizeof *p->tf);
    p->tf->rip = entry;
    p->tf->rsp = rsp;
    p->tf->cs = USER_CS;
    p->tf->ss = USER_DS;
    p->tf->rflags = RFLAGS_IF | 0x2; // interrupts on; bit 1 is always set
    if (old)                         // last: it may let the BKL go (a vfork parent
        mm_put_dropping_bkl(old);    // still has it: then it only counts one user fewer)
}

// ---------------------------------------------------------------- #! scripts

#define SCRIPT_DEPTH_MAX 4               // interpreters that are scripts themselves

static long exec_file(struct proc *p, const char *path, const char *name,
                      const char *const *argv, const char *const *envp, int depth);

// "#!/bin/sh -e" at the top of path: run the interpreter instead, with argv
//   [ "/bin/sh", "-e", path, argv[1], argv[2], ... ]
// (everything after the interpreter's name is one argument, as on Linux). 1: not a script.
static long exec_script(struct proc *p, struct inode *ip, const char *path, const char *name,
                        const char *const *argv, const char *const *envp, int depth) {
    char magic[2];                       // most programs are ELF: two bytes say so, cheaply
    if (fs_read(ip, 0, magic, 2) != 2 || magic[0] != '#' || magic[1] != '!')
        return 1;
    char *line = kzalloc(SCRIPT_LINE_MAX + 1);
    if (!line)
        return -ENOMEM;
    long n = fs_read(ip, 0, line, SCRIPT_LINE_MAX);
    const char *interp = NULL, *arg = NULL;
    long parsed = script_parse(line, n > 0 ? (size_t)n : 0, &interp, &arg);
    if (parsed == 1) {
        kfree(line);
        return 1;
    }
    int argc = 0;
    while (argv && argv[argc])
        argc++;
    const char **v = kzalloc((argc + 3) * sizeof *v);
    long err = -ENOMEM;
    if (v && parsed == 0) {
        int k = 0;
        v[k++] = interp;
        if (*arg)
            v[k++] = arg;
        v[k++] = path;
        for (int i = 1; i < argc; i++)
            v[k++] = argv[i];
        err = depth >= SCRIPT_DEPTH_MAX ? -ELOOP : exec_file(p, interp, name, v, envp, depth + 1);
    } else if (v) {
        err = -ENOEXEC;                  // "#!" and nothing after it
    }
    kfree(v);
    kfree(line);
    return err;
}

long exec(struct proc *p, const char *path, const char *const *argv, const char *const *envp) {
    return exec_file(p, path, path, argv, envp, 0);
}

// The new address space: the program's segments, its interpreter's, and the stack with
// the arguments - most of an exec's time. Into *out, even on failure (the caller puts it,
// under the BKL: that lets go of the file). Perhaps without the BKL: build_unlocked.
static long build_mm(struct proc *p, struct inode *ip, struct image *im, const char *path,
                     const char *const *argv, const char *const *envp,
                     struct mm **out, uint64_t *entry, uint64_t *rsp) {
    bool rnd = randomize && !(p->personality & ADDR_NO_RANDOMIZE);
    struct mm *mm = *out = mm_create_unlisted();
    long err = mm ? 0 : -ENOMEM;
    if (!err) {
        mm->stack_top = USER_STACK_TOP - random_pages(rnd, STACK_RND_PAGES);
        // Below the lowest the stack can reach, as Linux's mmap_base leaves room.
        mm->mmap_top = USER_MMAP_TOP - (rnd ? STACK_RND_PAGES * PAGE_SIZE : 0) -
                       random_pages(rnd, MMAP_RND_PAGES);
        if (im->eh.e_type == ET_DYN)
            im->bias += random_pages(rnd, MMAP_RND_PAGES);
        err = load_segments(mm, ip, im);
    }
    *entry = im->eh.e_entry + im->bias;
    if (!err && im->interp >= 0)
        err = load_interpreter(p, mm, ip, im, entry);   // it starts first
    if (!err)
        err = build_stack(mm, im, path, argv, envp, rsp);
    if (!err)
        mm->brk_start = mm->brk = page_up(im->end) + random_pages(rnd, BRK_RND_PAGES);
    return err;
}

// Under the BKL: the built address space joins the list that truncate walks, and holds
// the program's file - or, after a failure, is let go. *mm is NULL after a failure.
static long finish_mm(struct inode *ip, struct mm **mm, long err) {
    if (err && *mm)
        mm_put(*mm);
    else if (*mm)
        mm_list(*mm);
    if (err)
        *mm = NULL;
    else
        mm_set_exe(*mm, ip);
    return err;
}

// The way most execs go: a static program from a stable file (fs_data_stable: writes are
// denied, and reading or mapping its pages changes nothing). Its first bytes and headers
// are read, and its address space built, with the BKL let go: the address space is new,
// on no list yet (mm_create_unlisted), its VMAs' references on the file and the vDSO are
// atomic, and the page allocator, kmalloc and the random generator have locks of their
// own; other CPUs run kernel code meanwhile. The BKL comes back for the file's access time
// and finish_mm. Returns 1 to go the locked way instead (exec_inode): for a script, a
// dynamically linked program (its loader is looked up by path, under the BKL: *headers
// says im holds its headers, read already), or a failure to build - a page the build could
// not have, reported as whatever the step that wanted it says, may come from the OOM
// killer, which needs the BKL.
static long build_unlocked(struct proc *p, struct inode *ip, struct image *im, const char *path,
                           const char *const *argv, const char *const *envp,
                           struct mm **mm, uint64_t *entry, uint64_t *rsp, bool *headers) {
    uint64_t irq = 0;
    bool dropped = bkl_drop(&irq);
    char magic[2];
    long err = 1;
    if (fs_read_stable(ip, 0, magic, 2) != 2 || magic[0] != '#' || magic[1] != '!') {
        err = read_headers(ip, im, true);
        if (!err && im->interp >= 0) {
            *headers = true;
            err = 1;
        }
        if (!err && build_mm(p, ip, im, path, argv, envp, mm, entry, rsp) != 0)
            err = 1;
    }
    bkl_retake(dropped, irq);
    fs_touch(ip, FS_ATIME_RELATIVE);     // (the reads above left it to us)
    return finish_mm(ip, mm, err);       // (1 is a failure to it too: the mm goes)
}

// The file ip, found at path after `links` symbolic links; the caller holds a reference.
static long exec_inode(struct proc *p, struct inode *ip, int links, const char *path,
                       const char *name, const char *const *argv, const char *const *envp,
                       int depth) {
    long err;
    if (!S_ISREG(ip->mode) || !(ip->mode & 0111))
        return -EACCES;
    // As Linux's open_exec: a file open for writing is ETXTBSY, and no one may open it for
    // writing until we are done with it (that keeps it stable: build_unlocked), nor while
    // the program runs (mm_set_exe).
    if ((err = fs_deny_write_access(ip)))
        return err;
    struct mm *mm = NULL;
    uint64_t entry = 0, rsp = 0;
    struct image *im = kzalloc(sizeof *im);
    if (!im) {
        err = -ENOMEM;
        goto out;
    }
    exec_ids(p, ip, im);
    // (Other threads - or a vfork parent's - may run on in the old memory meanwhile; their
    // munmaps' shootdowns wait for this CPU while its interrupts are off: the build answers
    // them page by page, in mm_new_image_page.)
    bool headers = false;
    err = fs_data_stable(ip) ?
          build_unlocked(p, ip, im, path, argv, envp, &mm, &entry, &rsp, &headers) : 1;
    if (err == 1 && headers) {           // the locked way, for the loader
        err = finish_mm(ip, &mm, build_mm(p, ip, im, path, argv, envp, &mm, &entry, &rsp));
    } else if (err == 1) {               // the locked way, from the start
        if ((err = exec_script(p, ip, path, name, argv, envp, depth)) != 1)
            goto out;
        memset(im, 0, sizeof *im);
        exec_ids(p, ip, im);
        err = read_headers(ip, im, false);
        if (!err)
            err = finish_mm(ip, &mm, build_mm(p, ip, im, path, argv, envp, &mm, &entry, &rsp));
    }
    if (!err)
        err = de_thread(p);
    if (!err)
        err = unshare_for_exec(p);
    if (!err) {
        mm->undumpable = set_exec_ids(p, ip, im);
        commit(p, mm, entry, rsp, path, name, links);
    } else if (mm) {
        mm_put(mm);
    }
out:
    fs_allow_write_access(ip);
    kfree(im);
    return err;
}

static long exec_file(struct proc *p, const char *path, const char *name,
                      const char *const *argv, const char *const *envp, int depth) {
    struct inode *ip;
    int links;
    long err = fs_lookup_links(p->fs->cwd, path, FS_FOLLOW, &ip, &links);
    if (err)
        return err;
    fs_get(ip);                      // keep the file while we read it
    err = exec_inode(p, ip, links, path, name, argv, envp, depth);
    fs_put(ip);
    return err;
}

// ---------------------------------------------------------------- execve(2)

// Grows a NULL-terminated vector of strings by one slot, doubling its capacity as needed.
static bool vec_room(char ***v, size_t n, size_t *cap) {
    if (n + 2 <= *cap)
        return true;
    char **bigger = kzalloc(2 * *cap * sizeof **v);
    if (!bigger)
        return false;
    memcpy(bigger, *v, n * sizeof **v);
    kfree(*v);
    *v = bigger;
    *cap *= 2;
    return true;
}

// One string of argv or envp into a kmalloc'd copy. Most are short: a page-sized scratch
// buffer takes them, and only a longer one pays for a MAX_ARG_STRLEN buffer (32 pages: an
// allocation that would otherwise cost every exec as much as copying a few hundred strings).
static long copy_string(uint64_t up, char **out, size_t *total, char *tmp) {
    char *big = NULL, *from = tmp;
    long len = strncpy_from_user(tmp, (const char *)up, PAGE_SIZE);
    if (len == -ENAMETOOLONG) {
        if (!(big = kmalloc(MAX_ARG_STRLEN)))
            return -ENOMEM;
        len = strncpy_from_user(big, (const char *)up, MAX_ARG_STRLEN);
        from = big;
    }
    long err = 0;
    if (len < 0)
        err = len == -ENAMETOOLONG ? -E2BIG : len;
    else if ((*total += len + 1) > MAX_ARG_TOTAL)
        err = -E2BIG;
    else if (!(*out = kmalloc(len + 1)))
        err = -ENOMEM;
    else
        memcpy(*out, from, len + 1);
    kfree(big);
    return err;
}

// Copies a user array of strings (argv or envp) into kernel memory, NULL-terminated.
// tmp is a page-sized scratch buffer.
static long copy_strings(uint64_t uvec, char ***out, size_t *total, char *tmp) {
    size_t n = 0, cap = 16;
    char **v = kzalloc(cap * sizeof *v);
    long err = v ? 0 : -ENOMEM;
    for (; !err; n++) {
        uint64_t up = 0;
        if (uvec && copy_from_user(&up, (const void *)(uvec + n * 8), sizeof up)) {
            err = -EFAULT;
            break;
        }
        if (!up)
            break;
        if (!vec_room(&v, n, &cap))
            err = -ENOMEM;
        else
            err = copy_string(up, &v[n], total, tmp);
    }
    if (err) {
        free_strings(v);
        return err;
    }
    *out = v;
    return 0;
}

// It runs without the BKL (syscall.c's U), taking it for the look-up and for exec itself:
// the copies of the path, argv and envp in, and their freeing after, need only kmalloc's
// lock - a fault in a copy takes the BKL for itself. As Linux, it finds the file before it
// looks at argv and envp, and runs the file it found then, whatever the path names by
// the time the arguments are in.
SYSCALL(execve) {
    uint64_t pathname = a0, uargv = a1, uenvp = a2;
    char *path = kmalloc(FS_PATH_MAX);
    if (!path)
        return -ENOMEM;
    long err = strncpy_from_user(path, (const char *)pathname, FS_PATH_MAX);
    struct inode *ip = NULL;
    int links = 0;
    if (err >= 0) {
        bkl_lock();
        err = fs_lookup_links(current()->fs->cwd, path, FS_FOLLOW, &ip, &links);
        if (err == 0)
            fs_get(ip);
        else
            ip = NULL;
        bkl_unlock();
    }
    char **argv = NULL, **envp = NULL, *tmp = kmalloc(PAGE_SIZE);
    size_t total = 0;
    if (!tmp)
        err = -ENOMEM;
    if (err >= 0)
        err = copy_strings(uargv, &argv, &total, tmp);
    // Linux (5.18+): an empty argv gets "" as argv[0], so that no program starting at
    // argv[1] walks into envp (CVE-2021-4034, pkexec).
    if (err >= 0 && !argv[0] && !(argv[0] = kzalloc(1)))
        err = -ENOMEM;
    if (err >= 0)
        err = copy_strings(uenvp, &envp, &total, tmp);
    kfree(tmp);
    if (ip) {
        bkl_lock();
        if (err >= 0)
            err = exec_inode(current(), ip, links, path, path, (const char *const *)argv,
                             (const char *const *)envp, 0);
        fs_put(ip);
        bkl_unlock();
    }
    free_strings(argv);
    free_strings(envp);
    kfree(path);
    return err;                      // on success the new program starts with rax = 0
}

// ---------------------------------------------------------------- personality(2)

// personality(persona): sets the calling thread's execution domain and flags, returning the
// old ones; 0xffffffff only asks. Linux accepts any value (an unknown domain is just kept),
// so there is no error. Here only ADDR_NO_RANDOMIZE changes anything (at the next exec).
SYSCALL(personality) {
    unsigned persona = (unsigned)a0;     // Linux takes an unsigned int
    struct proc *p = current();
    unsigned old = p->personality;
    if (persona != 0xffffffffu)
        p->personality = persona;
    return (long)old;
}
