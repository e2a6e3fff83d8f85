// ipc_shm.c: System V shared memory - shmget, shmat, shmdt, shmctl - as Linux's ipc/shm.c.
//
// A segment is a struct shmem (mm.h), the object behind MAP_SHARED|MAP_ANONYMOUS, named by
// an id in a table of SHMMNI slots and found by its key. shmat maps the object, as mmap
// would (mm_map_shmem); fork copies the mapping, exec and exit let it go, with no code here.
//
// Invariants:
//   - a segment in the table holds one reference to its object; every VMA mapping it holds
//     one more (mm.c counts VMAs, as Linux's shm_open/shm_close count shm_nattch), so
//     nattch = refs - 1;
//   - IPC_RMID with nattch 0 frees the segment at once; otherwise it is marked SHM_DEST,
//     its key becomes IPC_PRIVATE (no shmget finds it), and the last detach frees it
//     (shm_seg_detached, which mm.c's shm_put calls);
//   - an id is slot + seq * IPCMNI, seq counting up with each segment made, so a stale id
//     of a freed slot is EINVAL, as on Linux.
//
// Linux's defaults: SHMMAX and SHMALL ULONG_MAX - 2^24 (no real limit), SHMMIN 1, SHMMNI
// 4096. Memory is promised as Linux's overcommit guess does: a segment larger than all
// of RAM is ENOMEM. Left out: SHM_INFO, SHM_STAT and SHM_STAT_ANY (ipcs), and SHM_HUGETLB.
//
// Locking: under the big kernel lock, as every system call here; shm_seg_detached runs
// under it too (shm_put's callers let go of shared objects only under the BKL). Nothing
// here sleeps, so a segment cannot go between a lookup and its use (Linux's EIDRM race).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "errno.h"
#include "fs.h"
#include "kmalloc.h"
#include "memlayout.h"
#include "mm.h"
#include "page_alloc.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define IPC_PRIVATE 0
#define IPC_CREAT   01000
#define IPC_EXCL    02000
#define IPC_RMID    0
#define IPC_SET     1
#define IPC_STAT    2
#define IPC_INFO    3
#define SHM_LOCK    11
#define SHM_UNLOCK  12
#define SHM_RDONLY  010000
#define SHM_RND     020000
#define SHM_REMAP   040000
#define SHM_EXEC    0100000
#define SHM_DEST    01000            // in shm_perm.mode: removed, waiting for the last detach
#define SHM_LOCKED  02000            // in shm_perm.mode: SHM_LOCK (nothing is swapped anyway)

#define SHMMIN  1ull
#define SHMMAX  (~0ull - (1ull << 24))
#define SHMALL  SHMMAX
#define SHMMNI  4096
#define SHMSEG  SHMMNI
#define IPCMNI  32768                // ids: slot + seq * IPCMNI (Linux's IPCMNI_SEQ_SHIFT 15)
#define SHMLBA  PAGE_SIZE
#define RLIMIT_MEMLOCK 8

struct shm_seg {
    int key, slot;
    int made_key;                    // the key it was made with (key: IPC_PRIVATE once removed)
    uint16_t seq;
    uint16_t mode;                   // permission bits (0777), SHM_DEST, SHM_LOCKED
    uint32_t uid, gid, cuid, cgid;
    uint64_t size;                   // as asked for; the object has it rounded up to pages
    int64_t atime, dtime, ctime;
    int cpid, lpid;
    struct shmem *shm;
};

static struct shm_seg *segs[SHMMNI];
static uint16_t next_seq;             // wraps as Linux's (seq_max 65535): ids stay ints

// struct shmid64_ds, as Linux lays it out on x86_64 (112 bytes).
struct ipc64_perm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid;
    uint16_t mode, pad1, seq, pad2;
    uint64_t unused1, unused2;
};
struct shmid64_ds {
    struct ipc64_perm perm;
    uint64_t segsz;
    int64_t atime, dtime, ctime;
    int32_t cpid, lpid;
    uint64_t nattch, unused4, unused5;
};
_Static_assert(sizeof(struct shmid64_ds) == 112, "struct shmid_ds as Linux's");

// IPC_INFO's answer (struct shminfo64).
struct shminfo64 { uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4]; };

static int seg_id(const struct shm_seg *s) { return s->slot + s->seq * IPCMNI; }
static uint64_t nattch(const struct shm_seg *s) { return (uint64_t)s->shm->refs - 1; }
static int64_t now(void) { return fs_now().sec; }

// The segment an id names, or NULL (Linux's ipc_obtain_object_check: EINVAL).
static struct shm_seg *seg_of(int id) {
    if (id < 0 || id % IPCMNI >= SHMMNI)
        return NULL;
    struct shm_seg *s = segs[id % IPCMNI];
    return s && s->seq == (uint16_t)(id / IPCMNI) ? s : NULL;
}

// Linux's ipcperms: flag holds the rwx bits asked for (any of the three triples).
static bool may_access(const struct shm_seg *s, int flag) {
    const struct cred *c = &current()->cred;
    int want = ((flag >> 6) | (flag >> 3) | flag) & 7, granted = s->mode;
    if (c->euid == s->cuid || c->euid == s->uid)
        granted >>= 6;
    else if (in_group(s->cgid) || in_group(s->gid))
        granted >>= 3;
    return !(want & ~granted & 7) || capable();
}

// The creator, the owner or root may change or remove a segment (Linux's ipcctl_obtain_check).
static bool owns(const struct shm_seg *s) {
    uint32_t euid = current()->cred.euid;
    return euid == s->cuid || euid == s->uid || capable();
}

static void seg_free(struct shm_seg *s) {
    segs[s->slot] = NULL;
    s->shm->seg = NULL;
    shmem_put(s->shm);               // the table's reference: the pages go with the last one
    kfree(s);
}

void shm_seg_detached(struct shm_seg *s, int refs_left) {
    s->dtime = now();
    s->lpid = current()->tgid;
    if (refs_left == 1 && (s->mode & SHM_DEST))
        seg_free(s);
}

int shm_seg_maps_name(const struct shm_seg *s, char *buf, size_t n) {
    snprintf(buf, n, "/SYSV%08x (deleted)", (unsigned)s->made_key);
    return seg_id(s);
}

// Linux's newseg: a segment of size bytes, mode's low bits its permissions.
static long new_seg(int key, uint64_t size, int flags) {
    if (size < SHMMIN || size > SHMMAX)
        return -EINVAL;
    uint64_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (npages > nr_managed_pages())
        return -ENOMEM;              // more than all of RAM (Linux's overcommit guess)
    int slot = 0;
    while (slot < SHMMNI && segs[slot])
        slot++;
    if (slot == SHMMNI)
        return -ENOSPC;
    struct shm_seg *s = kzalloc(sizeof *s);
    struct shmem *shm = s ? shmem_alloc(npages) : NULL;
    if (!shm) {
        kfree(s);
        return -ENOMEM;
    }
    const struct cred *c = &current()->cred;
    *s = (struct shm_seg){ .key = key, .made_key = key, .slot = slot, .seq = next_seq++,
                           .mode = flags & 0777, .uid = c->euid, .gid = c->egid,
                           .cuid = c->euid, .cgid = c->egid,
                           .size = size, .ctime = now(), .cpid = current()->tgid, .shm = shm };
    shm->seg = s;
    segs[slot] = s;
    return seg_id(s);
}

static struct shm_seg *find_key(int key) {
    for (int i = 0; i < SHMMNI; i++)
        if (segs[i] && segs[i]->key == key && !(segs[i]->mode & SHM_DEST))
            return segs[i];
    return NULL;
}

// int shmget(key_t key, size_t size, int shmflg). Linux's ipcget_public, in its order:
// not there without IPC_CREAT (ENOENT), there with IPC_CREAT|IPC_EXCL (EEXIST), smaller
// than asked for (EINVAL), then the permissions (EACCES).
SYSCALL(shmget) {
    int key = (int)a0, flags = (int)a2;
    uint64_t size = a1;
    if (key == IPC_PRIVATE)
        return new_seg(key, size, flags);
    struct shm_seg *s = find_key(key);
    if (!s)
        return (flags & IPC_CREAT) ? new_seg(key, size, flags) : -ENOENT;
    if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
        return -EEXIST;
    if (s->size < size)
        return -EINVAL;
    if (!may_access(s, flags))
        return -EACCES;
    return seg_id(s);
}

// void *shmat(int shmid, const void *shmaddr, int shmflg). Linux's do_shmat: the address
// (SHM_RND rounds it down to SHMLBA; else it must be aligned; SHM_REMAP needs one), the
// id (EINVAL), the permission for the access asked (EACCES); without SHM_REMAP the range
// must be free (EINVAL). Then it is mmap's MAP_SHARED of the whole segment.
SYSCALL(shmat) {
    int id = (int)a0, flags = (int)a2;
    uint64_t addr = a1;
    if (id < 0)
        return -EINVAL;
    if (addr & (SHMLBA - 1)) {
        if (!(flags & SHM_RND))
            return -EINVAL;
        addr &= ~(SHMLBA - 1);
        if (!addr && (flags & SHM_REMAP))
            return -EINVAL;
    } else if (!addr && (flags & SHM_REMAP)) {
        return -EINVAL;
    }
    int prot = (flags & SHM_RDONLY) ? VM_READ : VM_READ | VM_WRITE;
    int acc = (flags & SHM_RDONLY) ? 0444 : 0666;
    if (flags & SHM_EXEC) {
        prot |= VM_EXEC;
        acc |= 0111;
    }
    struct shm_seg *s = seg_of(id);
    if (!s)
        return -EINVAL;
    if (!may_access(s, acc))
        return -EACCES;
    struct mm *mm = current()->mm;
    uint64_t len = s->shm->npages * PAGE_SIZE;
    if (addr) {
        if (!(flags & SHM_REMAP) && (addr + len < addr || !mm_range_free(mm, addr, len)))
            return -EINVAL;
        if (addr >= USER_TOP || len > USER_TOP - addr)
            return -ENOMEM;          // mmap's answer past the top of user space
    } else if (!(addr = mm_find_free(mm, len))) {
        return -ENOMEM;
    }
    // SHM_REMAP may unmap the segment's own last attach first, which would free a segment
    // removed (IPC_RMID) under the mapping being made: a reference of our own meanwhile, as
    // Linux's do_shmat raises shm_nattch first. (Its put counts as that detach: dtime.)
    struct shmem *shm = s->shm;
    bool remap = flags & SHM_REMAP;
    if (remap)
        shmem_get(shm);
    uint64_t irq = mm_lock(mm);
    int err = mm_map_shmem(mm, addr, len, prot, shm, 0);
    mm_unlock(mm, irq);
    if (remap)
        shmem_put(shm);                  // (the new attach holds one now, unless it failed)
    if (err)
        return err;
    s->atime = now();
    s->lpid = current()->tgid;
    return (long)addr;
}

// Is v a segment's mapping attached at addr (its first page there, or where it would be)?
static bool attached_at(const struct vma *v, uint64_t addr, const struct shmem *which) {
    return v->shm && v->shm->seg && (!which || v->shm == which) &&
           (v->start - addr) / PAGE_SIZE == v->shm_pgoff;
}

// int shmdt(const void *shmaddr). Linux's: the first segment mapping at or after addr
// whose page 0 would be at addr goes, and with it the rest of that segment's mappings
// within its size from addr. EINVAL if there was none.
SYSCALL(shmdt) {
    uint64_t addr = a0;
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    struct mm *mm = current()->mm;
    struct vma *v = mm->vmas;
    while (v && (v->end <= addr || !attached_at(v, addr, NULL)))
        v = v->next;
    if (!v)
        return -EINVAL;
    // A reference of our own meanwhile: the last detach after IPC_RMID frees the segment
    // only at our shmem_put, not between two unmaps.
    struct shmem *shm = v->shm;
    uint64_t size = (shm->seg->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    shmem_get(shm);
    while (v) {
        struct mm_unmapping u;
        uint64_t irq = mm_lock(mm);
        mm_unmap_start(mm, v->start, v->end - v->start, &u);
        mm_unlock(mm, irq);
        mm_unmap_finish(&u);
        for (v = mm->vmas; v && (v->end <= addr || !attached_at(v, addr, shm)); v = v->next)
            ;
        if (v && v->end - addr > size)
            v = NULL;
    }
    shmem_put(shm);
    return 0;
}

static void fill_stat(const struct shm_seg *s, struct shmid64_ds *d) {
    memset(d, 0, sizeof *d);
    d->perm = (struct ipc64_perm){ .key = s->key, .uid = s->uid, .gid = s->gid,
                                   .cuid = s->cuid, .cgid = s->cgid, .mode = s->mode,
                                   .seq = s->seq };
    d->segsz = s->size;
    d->atime = s->atime;
    d->dtime = s->dtime;
    d->ctime = s->ctime;
    d->cpid = s->cpid;
    d->lpid = s->lpid;
    d->nattch = nattch(s);
}

// IPC_INFO: the limits, and the highest slot in use (Linux returns ipc_get_maxidx).
static long shm_info(uint64_t ubuf) {
    struct shminfo64 info = { .shmmax = SHMMAX, .shmmin = SHMMIN, .shmmni = SHMMNI,
                              .shmseg = SHMSEG, .shmall = SHMALL };
    if (copy_to_user((void *)ubuf, &info, sizeof info))
        return -EFAULT;
    int max = -1;
    for (int i = 0; i < SHMMNI; i++)
        if (segs[i])
            max = i;
    return max < 0 ? 0 : max;
}

// int shmctl(int shmid, int cmd, struct shmid_ds *buf). Linux's ksys_shmctl, without the
// old IPC_64 flag (x86_64 never had it: cmd 0x102 is EINVAL there too).
SYSCALL(shmctl) {
    int id = (int)a0, cmd = (int)a1;
    uint64_t ubuf = a2;
    if (cmd < 0 || id < 0)
        return -EINVAL;
    if (cmd == IPC_INFO)
        return shm_info(ubuf);
    struct shmid64_ds d;
    if (cmd == IPC_SET && copy_from_user(&d, (const void *)ubuf, sizeof d))
        return -EFAULT;
    if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID && cmd != SHM_LOCK &&
        cmd != SHM_UNLOCK)
        return -EINVAL;
    struct shm_seg *s = seg_of(id);
    if (!s)
        return -EINVAL;
    switch (cmd) {
    case IPC_STAT:
        if (!may_access(s, 0444))
            return -EACCES;
        fill_stat(s, &d);
        return copy_to_user((void *)ubuf, &d, sizeof d) ? -EFAULT : 0;
    case IPC_SET:
        if (!owns(s))
            return -EPERM;
        if (d.perm.uid == (uint32_t)-1 || d.perm.gid == (uint32_t)-1)
            return -EINVAL;          // Linux's uid_valid, gid_valid
        s->uid = d.perm.uid;
        s->gid = d.perm.gid;
        s->mode = (uint16_t)((s->mode & ~0777) | (d.perm.mode & 0777));
        s->ctime = now();
        return 0;
    case IPC_RMID:
        if (!owns(s))
            return -EPERM;
        if (nattch(s) == 0) {
            seg_free(s);
        } else {
            s->mode |= SHM_DEST;
            s->key = IPC_PRIVATE;    // no shmget finds it any more
        }
        return 0;
    default:                         // SHM_LOCK, SHM_UNLOCK: only the flag (nothing swaps)
        if (!capable() && (!owns(s) ||
            (cmd == SHM_LOCK && current()->signal->rlim[RLIMIT_MEMLOCK].rlim_cur == 0)))
            return -EPERM;
        s->mode = (uint16_t)(cmd == SHM_LOCK ? s->mode | SHM_LOCKED : s->mode & ~SHM_LOCKED);
        return 0;
    }
}
