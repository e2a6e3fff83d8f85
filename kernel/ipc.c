// ipc.c: the ids, keys and permissions every System V IPC object has (ipc.h).
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "ipc.h"
#include "kmalloc.h"
#include "proc.h"
#include "string.h"

int ipc_add(struct ipc_ids *ids, struct kern_ipc_perm *perm, int limit) {
    if (ids->in_use >= limit)
        return -ENOSPC;
    int idx = 0;
    while (idx < ids->cap && ids->at[idx])
        idx++;
    if (idx == ids->cap) {                       // full: twice as many slots
        int cap = ids->cap ? ids->cap * 2 : 16;
        cap = cap < IPCMNI ? cap : IPCMNI;
        if (idx >= cap)
            return -ENOSPC;
        struct kern_ipc_perm **at = kzalloc((size_t)cap * sizeof *at);
        if (!at)
            return -ENOMEM;
        if (ids->cap)
            memcpy(at, ids->at, (size_t)ids->cap * sizeof *at);
        kfree(ids->at);
        ids->at = at;
        ids->cap = cap;
    }
    if (idx <= ids->last_idx && ++ids->seq >= IPC_SEQ_MAX)
        ids->seq = 0;
    const struct cred *c = &current()->cred;
    perm->uid = perm->cuid = c->euid;
    perm->gid = perm->cgid = c->egid;
    ids->last_idx = idx;
    perm->seq = ids->seq;
    perm->id = (ids->seq << IPCMNI_SHIFT) + idx;
    ids->at[idx] = perm;
    ids->in_use++;
    return perm->id;
}

void ipc_remove(struct ipc_ids *ids, struct kern_ipc_perm *perm) {
    ids->at[perm->id & (IPCMNI - 1)] = NULL;
    if (--ids->in_use == 0) {                    // nothing left: nothing kept
        kfree(ids->at);
        ids->at = NULL;
        ids->cap = 0;
    }
}

struct kern_ipc_perm *ipc_at_index(struct ipc_ids *ids, int idx) {
    idx &= IPCMNI - 1;
    return idx < ids->cap ? ids->at[idx] : NULL;
}

// The object at the id's index, if its sequence number is the id's.
struct kern_ipc_perm *ipc_find_id(struct ipc_ids *ids, int id) {
    struct kern_ipc_perm *perm = id < 0 ? NULL : ipc_at_index(ids, id);
    return perm && perm->seq == id >> IPCMNI_SHIFT ? perm : NULL;
}

struct kern_ipc_perm *ipc_find_key(struct ipc_ids *ids, int32_t key) {
    for (int i = 0; i < ids->cap; i++)
        if (ids->at[i] && ids->at[i]->key == key)
            return ids->at[i];
    return NULL;
}

int ipc_max_index(const struct ipc_ids *ids) {
    for (int i = ids->cap - 1; i >= 0; i--)
        if (ids->at[i])
            return i;
    return -1;
}

// Any of the bits asked for (read 4, write 2) in the owner's, group's or others' part of
// the mode: its owner or creator gets the owner's bits, a member of its group or creator's
// group the group's, root (CAP_IPC_OWNER) all.
bool ipc_may(const struct kern_ipc_perm *perm, int flag) {
    const struct cred *c = &current()->cred;
    uint32_t requested = ((uint32_t)flag >> 6 | (uint32_t)flag >> 3 | (uint32_t)flag) & 7;
    uint32_t granted = perm->mode;
    if (c->euid == perm->cuid || c->euid == perm->uid)
        granted >>= 6;
    else if (in_group(perm->cgid) || in_group(perm->gid))
        granted >>= 3;
    return !(requested & ~granted & 7) || capable();
}

bool ipc_owner(const struct kern_ipc_perm *perm) {
    uint32_t euid = current()->cred.euid;
    return capable() || euid == perm->cuid || euid == perm->uid;
}

void ipc_perm_out(const struct kern_ipc_perm *perm, struct ipc64_perm_k *out) {
    memset(out, 0, sizeof *out);
    out->key = perm->key;
    out->uid = perm->uid;
    out->gid = perm->gid;
    out->cuid = perm->cuid;
    out->cgid = perm->cgid;
    out->mode = perm->mode;
    out->seq = (uint16_t)perm->seq;
}

long ipc_perm_set(struct kern_ipc_perm *perm, const struct ipc64_perm_k *in) {
    if (in->uid == (uint32_t)-1 || in->gid == (uint32_t)-1)
        return -EINVAL;                          // Linux's uid_valid
    perm->uid = in->uid;
    perm->gid = in->gid;
    perm->mode = in->mode & 0777;
    return 0;
}

long ipc_get_key(struct ipc_ids *ids, int32_t key, int flag, struct kern_ipc_perm **found) {
    *found = NULL;
    if (key == IPC_PRIVATE)
        return 0;
    struct kern_ipc_perm *perm = ipc_find_key(ids, key);
    if (!perm)
        return flag & IPC_CREAT ? 0 : -ENOENT;
    if ((flag & IPC_CREAT) && (flag & IPC_EXCL))
        return -EEXIST;
    if (!ipc_may(perm, flag))
        return -EACCES;
    *found = perm;
    return 0;
}
