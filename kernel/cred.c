// cred.c: who a thread acts as - user and group ids, as Linux keeps them (struct cred).
//
// Each id comes in four: real (who started it), effective (what permission checks use),
// saved (what a set-user-id program may switch back to) and the filesystem id (Linux's
// fsuid, which follows the effective one). Root is effective uid 0: it may set any id;
// anyone else may only move among the real, effective and saved ids it already has.
// Threads each have their own (clone copies them); C libraries make setuid apply to all
// threads of a process themselves, as on Linux.
#include <stdbool.h>
#include <stdint.h>
#include "errno.h"
#include "proc.h"
#include "string.h"
#include "syscall.h"
#include "uaccess.h"

#define NGROUPS_MAX 65536                // Linux's limit; we keep CRED_NGROUPS of them

bool capable(void) { return current()->cred.euid == 0; }

// May the caller take id? Root may take any; others one of the three it already has.
static bool may_take(uint32_t id, uint32_t r, uint32_t e, uint32_t s) {
    return capable() || id == r || id == e || id == s;
}

// setresuid's core; (uint32_t)-1 leaves an id as it is.
static long set_uids(uint32_t r, uint32_t e, uint32_t s) {
    struct cred *c = &current()->cred;
    if ((r != (uint32_t)-1 && !may_take(r, c->uid, c->euid, c->suid)) ||
        (e != (uint32_t)-1 && !may_take(e, c->uid, c->euid, c->suid)) ||
        (s != (uint32_t)-1 && !may_take(s, c->uid, c->euid, c->suid)))
        return -EPERM;
    if (r != (uint32_t)-1) c->uid = r;
    if (e != (uint32_t)-1) c->euid = e;
    if (s != (uint32_t)-1) c->suid = s;
    c->fsuid = c->euid;
    return 0;
}

static long set_gids(uint32_t r, uint32_t e, uint32_t s) {
    struct cred *c = &current()->cred;
    if (!capable() &&
        ((r != (uint32_t)-1 && r != c->gid && r != c->egid && r != c->sgid) ||
         (e != (uint32_t)-1 && e != c->gid && e != c->egid && e != c->sgid) ||
         (s != (uint32_t)-1 && s != c->gid && s != c->egid && s != c->sgid)))
        return -EPERM;
    if (r != (uint32_t)-1) c->gid = r;
    if (e != (uint32_t)-1) c->egid = e;
    if (s != (uint32_t)-1) c->sgid = s;
    c->fsgid = c->egid;
    return 0;
}

SYSCALL(getuid)  { return current()->cred.uid; }
SYSCALL(geteuid) { return current()->cred.euid; }
SYSCALL(getgid)  { return current()->cred.gid; }
SYSCALL(getegid) { return current()->cred.egid; }

// setuid: root sets all three (and gives root up for good); others only the effective one.
SYSCALL(setuid) {
    uint32_t uid = (uint32_t)a0;
    if (uid == (uint32_t)-1)
        return -EINVAL;
    if (capable())
        return set_uids(uid, uid, uid);
    return set_uids((uint32_t)-1, uid, (uint32_t)-1);
}

SYSCALL(setgid) {
    uint32_t gid = (uint32_t)a0;
    if (gid == (uint32_t)-1)
        return -EINVAL;
    if (capable())
        return set_gids(gid, gid, gid);
    return set_gids((uint32_t)-1, gid, (uint32_t)-1);
}

// setreuid(r, e): as Linux, a non-root caller may set the real id only to the real or
// effective one; the saved id follows the new effective one when the real id is set or
// the effective id changes to something other than the old real id.
SYSCALL(setreuid) {
    struct cred *c = &current()->cred;
    uint32_t r = (uint32_t)a0, e = (uint32_t)a1, old_r = c->uid;
    if (!capable() && r != (uint32_t)-1 && r != c->uid && r != c->euid)
        return -EPERM;
    uint32_t s = (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != old_r)) ?
                 (e != (uint32_t)-1 ? e : c->euid) : (uint32_t)-1;
    return set_uids(r, e, s);
}

SYSCALL(setregid) {
    struct cred *c = &current()->cred;
    uint32_t r = (uint32_t)a0, e = (uint32_t)a1, old_r = c->gid;
    if (!capable() && r != (uint32_t)-1 && r != c->gid && r != c->egid)
        return -EPERM;
    uint32_t s = (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != old_r)) ?
                 (e != (uint32_t)-1 ? e : c->egid) : (uint32_t)-1;
    return set_gids(r, e, s);
}

SYSCALL(setresuid) {
    uint32_t ruid = (uint32_t)a0, euid = (uint32_t)a1, suid = (uint32_t)a2;
    return set_uids(ruid, euid, suid);
}
SYSCALL(setresgid) {
    uint32_t rgid = (uint32_t)a0, egid = (uint32_t)a1, sgid = (uint32_t)a2;
    return set_gids(rgid, egid, sgid);
}

static long put_three(uint64_t a, uint64_t b, uint64_t c, uint32_t x, uint32_t y, uint32_t z) {
    if (copy_to_user((void *)a, &x, 4) || copy_to_user((void *)b, &y, 4) ||
        copy_to_user((void *)c, &z, 4))
        return -EFAULT;
    return 0;
}

SYSCALL(getresuid) {
    uint64_t ruid = a0, euid = a1, suid = a2;
    struct cred *c = &current()->cred;
    return put_three(ruid, euid, suid, c->uid, c->euid, c->suid);
}

SYSCALL(getresgid) {
    uint64_t rgid = a0, egid = a1, sgid = a2;
    struct cred *c = &current()->cred;
    return put_three(rgid, egid, sgid, c->gid, c->egid, c->sgid);
}

// setfsuid/setfsgid return the old value whatever happens, as Linux.
SYSCALL(setfsuid) {
    struct cred *c = &current()->cred;
    uint32_t old = c->fsuid, id = (uint32_t)a0;
    if (id != (uint32_t)-1 && (capable() || id == c->uid || id == c->euid || id == c->suid || id == c->fsuid))
        c->fsuid = id;
    return old;
}

SYSCALL(setfsgid) {
    struct cred *c = &current()->cred;
    uint32_t old = c->fsgid, id = (uint32_t)a0;
    if (id != (uint32_t)-1 && (capable() || id == c->gid || id == c->egid || id == c->sgid || id == c->fsgid))
        c->fsgid = id;
    return old;
}

// getgroups(size, list): the supplementary groups; size 0 asks only how many.
SYSCALL(getgroups) {
    int size = (int)a0;
    uint64_t list = a1;
    struct cred *c = &current()->cred;
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return c->ngroups;
    if (size < c->ngroups)
        return -EINVAL;
    if (copy_to_user((void *)list, c->groups, (size_t)c->ngroups * sizeof c->groups[0]))
        return -EFAULT;
    return c->ngroups;
}

SYSCALL(setgroups) {
    int size = (int)a0;
    uint64_t list = a1;
    struct cred *c = &current()->cred;
    uint32_t groups[CRED_NGROUPS];
    if (!capable())
        return -EPERM;
    if (size < 0 || size > NGROUPS_MAX)
        return -EINVAL;
    if (size > CRED_NGROUPS)
        return -ENOMEM;                  // more than we keep (Linux keeps up to 65536)
    if (size && copy_from_user(groups, (const void *)list, (size_t)size * sizeof groups[0]))
        return -EFAULT;
    memcpy(c->groups, groups, (size_t)size * sizeof groups[0]);
    c->ngroups = size;
    return 0;
}

// Is gid one of the caller's groups (the filesystem gid or a supplementary one)?
bool in_group(uint32_t gid) {
    struct cred *c = &current()->cred;
    if (gid == c->fsgid)
        return true;
    for (int i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid)
            return true;
    return false;
}
