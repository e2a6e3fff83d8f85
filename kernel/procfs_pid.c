// procfs_pid.c: the files of /proc/<pid>, in Linux's formats (fs/proc/array.c, base.c,
// fd.c), made when read. Fields Lantern does not keep (page faults, I/O delays) read as 0,
// as they would on a Linux machine where nothing counted them.
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mm.h"
#include "pidfd.h"
#include "procfs.h"
#include "proc.h"
#include "string.h"
#include "time.h"
#include "tty.h"
#include "vm.h"

const char *const procfs_pid_names[] = {
    [K_STAT] = "stat", [K_STATUS] = "status", [K_CMDLINE] = "cmdline", [K_COMM] = "comm",
    [K_EXE] = "exe", [K_CWD] = "cwd", [K_ROOTLINK] = "root", [K_ENVIRON] = "environ",
    [K_MAPS] = "maps", [K_SMAPS_ROLLUP] = "smaps_rollup", [K_TASK] = "task", [K_FD] = "fd", [K_FDINFO] = "fdinfo",
};

// The open files of another process. The table's layout is proc_shared.c's business:
// these two are the only places here that know it (fd_cloexec is proc_shared.c's).
int procfs_max_fds(struct proc *p) { return p->files ? (int)p->files->max_fds : 0; }

struct file *procfs_file_of(struct proc *p, int fd) {
    if (fd < 0 || fd >= procfs_max_fds(p))
        return NULL;
    return p->files->fd[fd];
}

static char state_letter(struct proc *p) {
    if (p->state != PROC_ZOMBIE && p->signal->stopped)
        return 'T';                      // stopped by job control
    switch (p->state) {
    case PROC_RUNNING: case PROC_RUNNABLE: return 'R';
    case PROC_SLEEPING: return 'S';
    case PROC_ZOMBIE: return 'Z';
    default: return 'X';
    }
}

static const char *state_name(char c) {
    switch (c) {
    case 'R': return "R (running)";
    case 'S': return "S (sleeping)";
    case 'T': return "T (stopped)";
    case 'Z': return "Z (zombie)";
    default: return "X (dead)";
    }
}

// Memory: the address space's size, the pages present in it, and the image's code range.
struct mem_sizes { uint64_t vsize, rss_pages, start_code, end_code; };

static struct mem_sizes mem_sizes(struct proc *p) {
    struct mem_sizes m = { 0, 0, 0, 0 };
    if (!p->mm || p->state == PROC_ZOMBIE)
        return m;                        // Linux shows an exited process's memory as 0
    for (struct vma *v = p->mm->vmas; v; v = v->next) {
        m.vsize += v->end - v->start;
        m.rss_pages += vm_count_present(p->mm->pml4, v->start, v->end);
        if (v->kind == VMA_IMAGE && (v->prot & VM_EXEC) && !m.start_code) {
            m.start_code = v->start;
            m.end_code = v->end;
        }
    }
    return m;
}

// Signal sets as Linux's stat shows them: bit n-1 for signal n.
static void handled_signals(struct proc *p, uint64_t *ignored, uint64_t *caught) {
    *ignored = *caught = 0;
    for (int s = 1; s <= NSIG_MAX && p->sighand; s++) {
        uint64_t h = p->sighand->action[s].handler;
        if (h == 1)
            *ignored |= 1ull << (s - 1);
        else if (h > 1)
            *caught |= 1ull << (s - 1);
    }
}

// CPU time in ticks (USER_HZ = HZ = 100): the process's for its leader, the thread's for
// another thread (Linux shows the thread's own in /proc/<pid>/task/<tid>/stat).
static void cpu_ticks(struct proc *p, uint64_t *utime, uint64_t *stime) {
    uint64_t total = p->ticks, sys = p->sys_ticks;
    if (thread_group_leader(p)) {
        total = group_ticks(p);
        for (struct proc *t = next_thread(p, p); t; t = next_thread(p, t))
            sys += t->sys_ticks;
    }
    *stime = sys < total ? sys : total;
    *utime = total - *stime;
}

// Field 18, priority, as Linux's task_prio: 20 + nice for a normal thread (0..39), and
// -1 - the real-time priority for a SCHED_FIFO or SCHED_RR one (-2..-100).
static int stat_priority(const struct proc *p) {
    return p->rt_priority ? -1 - p->rt_priority : 20 + p->nice;
}

// Linux's 52 fields (proc(5)); field 39, processor, is the CPU the thread last ran on.
static int gen_stat(struct proc *p, char *buf, size_t size) {
    struct mem_sizes m = mem_sizes(p);
    uint64_t ut, st, ign, cat;
    cpu_ticks(p, &ut, &st);
    handled_signals(p, &ign, &cat);
    int tpgid, tty = tty_nr_of(p, &tpgid);
    struct mm *mm = p->state == PROC_ZOMBIE ? NULL : p->mm;
    uint64_t start = p->start_ns / (1000000000 / HZ);
    return snprintf(buf, size,
        "%d (%s) %c %d %d %d %d %d %u 0 0 0 0 %llu %llu %llu 0 %d %d %d 0 %llu %llu %llu "
        "18446744073709551615 %llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d %d %d %d 0 0 0 "
        "0 0 %llu %llu %llu %llu %llu %d\n",
        p->pid, p->comm, state_letter(p), p->parent ? p->parent->tgid : 0, p->pgid, p->sid,
        tty, tpgid, 0x400000u /* PF_RANDOMIZE */, (unsigned long long)ut, (unsigned long long)st,
        (unsigned long long)p->signal->child_ticks, stat_priority(p), p->nice,
        p->signal->nr_threads,
        (unsigned long long)start, (unsigned long long)m.vsize, (unsigned long long)m.rss_pages,
        (unsigned long long)m.start_code, (unsigned long long)m.end_code,
        (unsigned long long)(mm ? mm->stack_top : 0),
        (unsigned long long)(p->sig_pending | p->signal->shared_pending),
        (unsigned long long)p->sig_blocked, (unsigned long long)ign, (unsigned long long)cat,
        p->exit_signal, p->last_cpu, p->rt_priority, p->policy,
        (unsigned long long)(mm ? mm->brk_start : 0),
        (unsigned long long)(mm ? mm->arg_start : 0), (unsigned long long)(mm ? mm->arg_end : 0),
        (unsigned long long)(mm ? mm->env_start : 0), (unsigned long long)(mm ? mm->env_end : 0),
        p->state == PROC_ZOMBIE ? p->exit_status : 0);
}

static int gen_status(struct proc *p, char *buf, size_t size) {
    struct mem_sizes m = mem_sizes(p);
    uint64_t ign, cat;
    handled_signals(p, &ign, &cat);
    int n = snprintf(buf, size,
        "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
        "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t",
        p->comm, p->fs ? p->fs->umask : 0, state_name(state_letter(p)), p->tgid, p->pid,
        p->parent ? p->parent->tgid : 0, p->cred.uid, p->cred.euid, p->cred.suid, p->cred.fsuid,
        p->cred.gid, p->cred.egid, p->cred.sgid, p->cred.fsgid, procfs_max_fds(p));
    for (int i = 0; i < p->cred.ngroups && n < (int)size; i++)
        n += snprintf(buf + n, size - n, "%u ", p->cred.groups[i]);
    if (n < (int)size && p->mm && p->state != PROC_ZOMBIE)
        n += snprintf(buf + n, size - n, "\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\nVmRSS:\t%8llu kB",
                      (unsigned long long)(m.vsize >> 10),
                      (unsigned long long)(mm_locked_pages(p->mm, 0, USER_TOP) * 4),
                      (unsigned long long)(m.rss_pages * 4));
    if (n < (int)size)
        n += snprintf(buf + n, size - n,
                      "\nThreads:\t%d\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
                      "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", p->signal->nr_threads,
                      (unsigned long long)p->sig_pending, (unsigned long long)p->signal->shared_pending,
                      (unsigned long long)p->sig_blocked, (unsigned long long)ign, (unsigned long long)cat);
    return n;
}

// /proc/<pid>/maps, Linux's format: range, permissions (p: private, s: shared), offset,
// device and inode of a file mapping, and a name: the program's file for its image,
// [heap], [stack], [vvar], [vdso], and for memory no path names, Linux's "/memfd:NAME
// (deleted)" and "/SYSV<key> (deleted)" (its inode column the segment's id); anonymous
// memory has none.
static int gen_maps(struct proc *p, char *buf, size_t size) {
    size_t n = 0;
    for (struct vma *v = p->mm->vmas; v && n < size; v = v->next) {
        const char *name = v->kind == VMA_IMAGE ? p->exe : v->kind == VMA_HEAP ? "[heap]" :
                           v->kind == VMA_STACK ? "[stack]" : "";
        if (v->shm && v->shm->pinned)    // the kernel's own pages: the vDSO (vdso.c)
            name = v->shm_pgoff == 0 ? "[vvar]" : "[vdso]";
        bool file = v->file != NULL;
        uint64_t ino = file ? v->file->ino : 0, off = file ? v->file_off : 0;
        char named[FS_NAME_MAX + 16];    // no path, as Linux shows them: memfd, System V shm
        if (file && v->file->memfd_name) {
            snprintf(named, sizeof named, "/%s (deleted)", v->file->memfd_name);
            name = named;
        } else if (v->shm && v->shm->seg) {
            ino = (uint64_t)shm_seg_maps_name(v->shm->seg, named, sizeof named);
            off = v->shm_pgoff * PAGE_SIZE;
            name = named;
            file = true;
        }
        int len = snprintf(buf + n, size - n, "%08llx-%08llx %c%c%c%c %08llx %s %llu ",
                           (unsigned long long)v->start, (unsigned long long)v->end,
                           (v->prot & VM_READ) ? 'r' : '-', (v->prot & VM_WRITE) ? 'w' : '-',
                           (v->prot & VM_EXEC) ? 'x' : '-',
                           (v->shm || (v->flags & VMA_SHARED_FILE)) ? 's' : 'p',
                           (unsigned long long)off, file ? "00:01" : "00:00",
                           (unsigned long long)ino);
        if (len < 0 || (size_t)len >= size - n)
            return (int)size;            // full: snprintf said what it would have written
        // The name starts in column 73, as Linux pads it (seq_pad).
        int more = snprintf(buf + n + len, size - n - len, "%*s%s\n",
                            *name && len < 73 ? 73 - len : 0, "", name);
        if (more < 0 || (size_t)more >= size - n - len)
            return (int)size;
        n += (size_t)len + (size_t)more;
    }
    return n < size ? (int)n : (int)size;
}

// Strings on p's stack, [start, end): argv's or the environment's, NULs and all.
static int user_strings(struct proc *p, uint64_t start, uint64_t end, char *buf, size_t size) {
    if (!p->mm || p->state == PROC_ZOMBIE || end <= start)
        return 0;
    size_t n = end - start;
    return (int)mm_peek_other(p->mm, start, buf, n < size ? n : size);
}

// /proc/<pid>/fdinfo/<fd>: position, flags in octal (with O_CLOEXEC as Linux adds it),
// the mount's id and the inode number; and a pidfd's process (pidfd.c).
static int gen_fdinfo(struct proc *p, int fd, char *buf, size_t size) {
    struct file *f = procfs_file_of(p, fd);
    if (!f)
        return -ENOENT;
    struct kstat st;
    if (f->ops->stat)
        f->ops->stat(f, &st);
    else if (f->ip)
        inode_stat(f->ip, &st);
    else
        memset(&st, 0, sizeof st);
    // open() adds O_LARGEFILE on 64-bit Linux; pipe(), eventfd() and the like do not.
    bool opened = f->ip || f->ops == &console_ops;   // the kernel opens init's console
    unsigned flags = f->flags | (opened ? O_LARGEFILE : 0) | (fd_cloexec(p, fd) ? O_CLOEXEC : 0);
    int n = snprintf(buf, size, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
                     (unsigned long long)f->pos, flags, f->ip && f->ip->mnt ? 22 : 21,
                     (unsigned long long)st.st_ino);
    return (size_t)n < size ? n + pidfd_fdinfo(f, buf + n, size - (size_t)n) : n;
}

int procfs_gen_pid(struct proc *p, int kind, int fd, char *buf, size_t size) {
    switch (kind) {
    case K_STAT:    return gen_stat(p, buf, size);
    case K_STATUS:  return gen_status(p, buf, size);
    case K_COMM:    return snprintf(buf, size, "%s\n", p->comm);
    case K_MAPS:    return p->mm && p->state != PROC_ZOMBIE ? gen_maps(p, buf, size) : 0;
    case K_SMAPS_ROLLUP:                 // proc_maps.c
        return p->mm && p->state != PROC_ZOMBIE ? proc_smaps_rollup(p->mm, buf, size) : 0;
    case K_CMDLINE: return p->mm ? user_strings(p, p->mm->arg_start, p->mm->arg_end, buf, size) : 0;
    case K_ENVIRON: return p->mm ? user_strings(p, p->mm->env_start, p->mm->env_end, buf, size) : 0;
    case K_FDINFO_FILE: return gen_fdinfo(p, fd, buf, size);
    default:        return 0;
    }
}

// ---------------------------------------------------------------- the symbolic links

// What /proc/<pid>/fd/<n> shows: the file's path, or for what has none, Linux's names:
// pipe:[ino], socket:[ino], anon_inode:[eventpoll]. The console that the kernel opened for
// init (no inode of the tree) is /dev/console, as Linux's console_on_rootfs opens it.
static long fd_target(struct file *f, char *buf, size_t size) {
    if (f->ops->anon_name)
        return snprintf(buf, size, "anon_inode:%s", f->ops->anon_name);
    if (f->ip && f->ip->mnt && !S_ISDIR(f->ip->mode))
        return f->ip->mnt->path(f->ip, buf, size);   // a procfs or sysfs file: its key says which
    if (f->ip && f->ip->memfd_name)      // memfd.c: never had a path
        return snprintf(buf, size, "/%s (deleted)", f->ip->memfd_name);
    if (f->ip) {
        long n = fs_inode_path(f->ip, buf, size);
        // Linux shows a removed file as "<its last path> (deleted)": we no longer know it.
        return n == -ENOENT ? snprintf(buf, size, "(deleted)") : n;
    }
    if (f->ops == &console_ops)
        return snprintf(buf, size, "/dev/console");
    struct kstat st;
    memset(&st, 0, sizeof st);
    if (f->ops->stat)
        f->ops->stat(f, &st);
    const char *type = S_ISFIFO(st.st_mode) ? "pipe" : S_ISSOCK(st.st_mode) ? "socket" : "anon_inode";
    return snprintf(buf, size, "%s:[%llu]", type, (unsigned long long)st.st_ino);
}

long procfs_link_target(struct proc *p, int kind, int fd, char *buf, size_t size) {
    long n;
    switch (kind) {
    case K_EXE:
        if (!p->exe[0])
            return -ENOENT;              // Linux: a process with no program (a zombie)
        n = snprintf(buf, size, "%s", p->exe);
        break;
    case K_CWD:
    case K_ROOTLINK: {
        if (!p->fs)
            return -ENOENT;
        long at = fs_dir_path(kind == K_CWD ? p->fs->cwd : p->fs->root, buf, size);
        if (at == -ENOENT)               // removed: Linux adds " (deleted)" to its old path
            return snprintf(buf, size, "(deleted)");
        if (at < 0)
            return at;
        n = (long)strlen(buf + at);
        memmove(buf, buf + at, (size_t)n + 1);
        break;
    }
    case K_FDLINK: {
        struct file *f = procfs_file_of(p, fd);
        if (!f)
            return -ENOENT;
        n = fd_target(f, buf, size);
        break;
    }
    default:
        return -EINVAL;
    }
    return n >= (long)size ? -ENAMETOOLONG : n;
}
