// ipc.h: what every System V IPC object has - semaphore sets (ipc_sem.c), shared memory
// segments, message queues (ipc_msg.c) - and the table of ids of one kind of object:
// Linux's kern_ipc_perm and struct ipc_ids (ipc/util.c), in small (ipc.c).
//
// An id is seq * IPCMNI + index: the lowest free index, and a sequence number that goes up
// whenever an index at or below the last one given is given again, so that a removed
// object's id does not name the next one made in its slot. Keys are found by a walk of
// the table. Locking: the BKL, as every call of these objects.
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define IPC_PRIVATE 0
#define IPC_CREAT   01000
#define IPC_EXCL    02000
#define IPC_NOWAIT  04000

// The ...ctl commands every kind has. IPC_64 (0x100) is none: on x86_64 Linux takes only
// the 64-bit layouts and says EINVAL to a command with that bit (glibc and musl do not set it).
#define IPC_RMID 0
#define IPC_SET  1
#define IPC_STAT 2
#define IPC_INFO 3

#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)               // indexes 0..32767
#define IPC_SEQ_MAX (0x7fffffff >> IPCMNI_SHIFT) // seq stays below this

#define MAY_READ_IPC  0444                       // ipc_may's flags
#define MAY_WRITE_IPC 0222

struct kern_ipc_perm {
    int32_t key;                     // IPC_PRIVATE (0): found by its id only
    uint32_t uid, gid, cuid, cgid;   // owner, and creator
    uint32_t mode;                   // the 9 permission bits
    int id;
    int seq;
};

struct ipc_ids {
    struct kern_ipc_perm **at;       // [index]: the object there, or NULL
    int cap;                         // entries in at (0 when none is in use: at is freed)
    int in_use;
    int last_idx;                    // the index given last, -1 before the first
    int seq;
};
#define IPC_IDS_INIT { .last_idx = -1 }

struct ipc64_perm_k {                // Linux x86_64's struct ipc64_perm
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad2;
    uint32_t pad3;                   // (the alignment of what follows)
    uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct ipc64_perm_k) == 48, "struct ipc64_perm is 48 bytes");

// Gives perm (its key and mode set) an owner and creator, the caller, and an id: the id,
// or -ENOSPC (limit objects already) or -ENOMEM.
int ipc_add(struct ipc_ids *ids, struct kern_ipc_perm *perm, int limit);
void ipc_remove(struct ipc_ids *ids, struct kern_ipc_perm *perm);
struct kern_ipc_perm *ipc_at_index(struct ipc_ids *ids, int idx);   // (..._STAT's "id")
struct kern_ipc_perm *ipc_find_id(struct ipc_ids *ids, int id);     // NULL: EINVAL
struct kern_ipc_perm *ipc_find_key(struct ipc_ids *ids, int32_t key);
int ipc_max_index(const struct ipc_ids *ids);   // the highest index in use, or -1
// Linux's ipcperms: may the caller have what the flag's low 9 bits ask for?
bool ipc_may(const struct kern_ipc_perm *perm, int flag);
// IPC_SET and IPC_RMID: the owner, the creator, or root. Else EPERM.
bool ipc_owner(const struct kern_ipc_perm *perm);
// IPC_STAT's perm part, and IPC_SET's change (-EINVAL for an owner or group of -1).
void ipc_perm_out(const struct kern_ipc_perm *perm, struct ipc64_perm_k *out);
long ipc_perm_set(struct kern_ipc_perm *perm, const struct ipc64_perm_k *in);
// The ...get calls' key look-up: *found, 0 when there is none yet and a new one is to be
// made (IPC_PRIVATE, or IPC_CREAT), or -ENOENT, -EEXIST, -EACCES.
long ipc_get_key(struct ipc_ids *ids, int32_t key, int flag, struct kern_ipc_perm **found);
