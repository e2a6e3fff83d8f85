// uaccess.h: the only doors between user memory and the kernel.
//
// A system call's pointer arguments come from user space and are not trusted: they may be
// NULL, point into the kernel, be non-canonical, unmapped, read-only, or run off the end of
// user space - or become so while the copy runs, if another thread unmaps them. These
// functions check that the range is user space, then copy inside a user-access window
// (stac ... clac) that SMAP otherwise keeps shut, with instructions whose faults the
// page-fault handler resolves as the user's own (uaccess.c). Anything wrong: -EFAULT.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// 0 or -EFAULT. On -EFAULT, the bytes before the faulting one have been copied (to user
// memory; copy_from_user zeroes the rest of dst).
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
// The same, saying how many bytes at the end were not copied (0: all were), as Linux's
// copy_to_user: for a caller that can give back what did not reach the user (do_read).
size_t copy_to_user_left(void *udst, const void *src, size_t n);
// copy_from_user's, which leaves the bytes not copied as they were in dst: for a caller that
// keeps what did arrive (write(2) into a file's page).
size_t copy_from_user_left(void *dst, const void *usrc, size_t n);
// The same, but a fault in it never sleeps: where memory is short, it fails the copy there
// instead of waiting for the OOM killer. For a caller in the middle of a change that no
// other process may see half done (write(2) into a file).
size_t copy_from_user_nosleep(void *dst, const void *usrc, size_t n);
// Copies a NUL-terminated string of at most max-1 characters. Returns its length, -EFAULT,
// or -ENAMETOOLONG when there is no NUL within max bytes.
long strncpy_from_user(char *dst, const char *usrc, size_t max);
// Atomically: if the user word at uaddr holds *old, store new there. Either way *old gets
// the value found. 0 (then compare *old with what you expected) or -EFAULT. For the futex
// words the kernel changes on a thread's behalf (robust lists at exit).
int cmpxchg_user_u32(uint32_t *uaddr, uint32_t *old, uint32_t new);
// The same two, and copy_to_user, under a spinlock, where a fault cannot be handled:
// handling one may sleep, and takes the BKL (Linux's pagefault_disable). A page not present,
// or not writable yet (copy-on-write), fails them with -EFAULT as a bad address does: the
// caller lets go of its lock, faults the page in with the calls above, and tries again
// (futex.c), or goes a way that copies without the lock (pipe.c).
int copy_from_user_nofault(void *dst, const void *usrc, size_t n);
int copy_to_user_nofault(void *udst, const void *src, size_t n);
int cmpxchg_user_u32_nofault(uint32_t *uaddr, uint32_t *old, uint32_t new);

// Self-checks of the one rule behind SMAP: the kernel touches user memory only inside a
// user-access window, and the window (RFLAGS.AC, when the CPU has SMAP) is open only inside
// the copies above. A broken rule panics, naming it.
struct trapframe;
// Every trap and interrupt, first thing: a kernel-mode frame may have AC set only if it
// interrupted a copy. Then AC is cleared for the handler (the CPU does not clear it on
// entry; iret puts the interrupted code's back), so SMAP guards interrupt handlers, and
// the kernel's handling of user traps, even when user code had set AC (popf may, in ring 3).
void uaccess_trap_entry(const struct trapframe *tf);
// On the way back to user mode (return_to_user): no window may be open.
void uaccess_check_closed(const char *where);
// The page-fault handler's first question for a fault in kernel mode (trap.c): was it one
// of the copies' instructions touching a user address? Then it is handled as the user's own
// access (mm_fault), and the copy goes on, or else resumes at its fixup and fails with
// -EFAULT, the window closed; true either way. False: a kernel bug, to report and panic.
bool uaccess_fault(struct trapframe *tf, uint64_t addr);
// Asked before that, before the BKL is taken: a fault in one of the _nofault copies is sent
// to the copy's fixup at once (true). False for any other fault.
bool uaccess_fault_nofault(struct trapframe *tf, uint64_t addr);
// For the page-fault report: a kernel-mode fault on a user address breaks which rule?
void uaccess_explain_fault(uint64_t addr);
