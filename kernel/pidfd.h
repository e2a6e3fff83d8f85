// pidfd.h: process file descriptors (pidfd.c) - a file that names one process for good,
// where a pid may be reused by another process once the first is reaped.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct proc;

// What a pidfd holds: Linux's struct pid, as far as pidfds need it. A process gets one at
// its first pidfd (proc->pidlink), and the files, and the waitids that use one, count
// their references; the process holds one too, until it is reaped. Reaped, its leader is
// NULL: the pointer never dangles (struct procs are recycled, never freed, and it is
// cleared before the slot is). Everything here is under the BKL.
struct pidlink {
    int refs;
    struct proc *leader;         // the process's group leader (a zombie too), NULL once reaped
    int pid;                     // its pid as it was made (/proc/<pid>/fdinfo's "Pid:")
    uint64_t ino;                // its pidfds' inode number (fstat)
};

// A new pidfd for the process whose leader is p: the descriptor (close-on-exec), or -errno.
// flags: O_NONBLOCK (PIDFD_NONBLOCK) or 0.
int pidfd_create(struct proc *leader, unsigned flags);
// The pidlink behind open file f with a reference of the caller's, or NULL if f is no
// pidfd; *nonblock: was it made with PIDFD_NONBLOCK? Let go with pidlink_put.
struct pidlink *pidlink_of(struct file *f, bool *nonblock);
void pidlink_put(struct pidlink *l);
// "Pid:" and "NSpid:" lines for /proc/<pid>/fdinfo, if f is a pidfd: their length, else 0.
int pidfd_fdinfo(struct file *f, char *buf, size_t size);

// The process's life, as the pidfds see it (all under the BKL, interrupts off):
void pidfd_exited(struct proc *leader);            // its last thread is gone (exit.c)
void pidfd_reaped(struct proc *p);                 // its slot is freed (proc.c)
void pidfd_new_leader(struct proc *p, struct proc *old);   // exec by a thread (exec.c)
