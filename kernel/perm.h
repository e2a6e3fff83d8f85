// perm.h: permission checks on inodes for the system calls (perm.c).
#pragma once
#include <stdbool.h>
#include <stdint.h>
struct inode;

#define MAY_EXEC  1                  // the same bits as access(2)'s X_OK, W_OK, R_OK
#define MAY_WRITE 2
#define MAY_READ  4

int inode_permission(struct inode *ip, int mask);          // 0 or -EACCES, as fsuid/fsgid
int inode_permission_as(struct inode *ip, int mask, uint32_t uid, uint32_t gid);
bool owner_or_capable(struct inode *ip);
void inode_init_owner(struct inode *dir, struct inode *ip);
int may_change_dir(struct inode *dir);                      // to add a name: -EACCES
int may_delete(struct inode *dir, struct inode *victim);   // -EACCES, or -EPERM (sticky)
void perm_init(void);        // path walks check search permission and use the caller's root
