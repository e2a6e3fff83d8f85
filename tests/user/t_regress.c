// t_regress.c: regression tests for kernel bugs a syscall fuzzer (user/fuzz.c) found.
// Each case failed on the kernel before its fix; each prints what Linux does.
//
//  1. clone's CLONE_CHILD_SETTID and CLONE_PARENT_SETTID with a kernel address: the store
//     must be refused (Linux skips it silently), not made into kernel memory.
//  2. A child whose exit signal is not SIGCHLD (clone(SIGVTALRM)) outlives its parent and is
//     reparented: its exit must not deliver that signal to the new parent (it killed init).
//     Linux sets exit_signal back to SIGCHLD when it reparents.
//  3. A vfork parent waiting for its child must be killable: SIGKILL ends it at once.
//  4. User code may set RFLAGS.AC (popf is allowed in ring 3). The CPU keeps AC set on an
//     interrupt or exception into the kernel, so with SMAP the kernel ran those handlers
//     (and, for a trap from user mode, its signal work) with SMAP off. The kernel now
//     clears AC on every entry, as Linux does (ASM_CLAC); the program's AC is still set
//     when it gets back. (The kernel's self-check in return_to_user catches the old
//     behaviour when the CPU has SMAP: tests/system/test_selfcheck.py boots this so.)
//
// On Lantern this program is PID 1, so orphans come back to it; on the host,
// prctl(PR_SET_CHILD_SUBREAPER) makes them come back to it too.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "parity.h"

#define CLONE_VFORK         0x00004000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_SETTID  0x01000000

// The kernel's image (-2 GiB) and the direct map of physical memory, as on Linux.
static const unsigned long kernel_addrs[] = { 0xffffffff80100000ul, 0xffff888000100000ul };
#define SWEEP_SIZE (1ul << 20)
#define SWEEP_STEP 2048ul

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// clone with fork's semantics (no CLONE_VM, the same stack), plus the given flags.
static long clone_like_fork(unsigned long flags, unsigned long ptid, unsigned long ctid)
{
    return syscall(SYS_clone, flags, 0, ptid, ctid, 0);
}

static void settid_into_kernel(void)
{
    char what[96];

    for (unsigned i = 0; i < sizeof kernel_addrs / sizeof kernel_addrs[0]; i++) {
        unsigned long k = kernel_addrs[i];
        const char *where = i == 0 ? "kernel image" : "direct map";

        long pid = clone_like_fork(CLONE_CHILD_SETTID | SIGCHLD, 0, k);
        if (pid == 0)
            _exit(0);
        snprintf(what, sizeof what, "CLONE_CHILD_SETTID into the %s: clone", where);
        check(what, pid);
        snprintf(what, sizeof what, "CLONE_CHILD_SETTID into the %s: the child", where);
        wait_and_print(what, pid);

        pid = clone_like_fork(CLONE_PARENT_SETTID | SIGCHLD, k, 0);
        if (pid == 0)
            _exit(0);
        snprintf(what, sizeof what, "CLONE_PARENT_SETTID into the %s: clone", where);
        check(what, pid);
        snprintf(what, sizeof what, "CLONE_PARENT_SETTID into the %s: the child", where);
        wait_and_print(what, pid);

        pid = clone_like_fork(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, k, k + 4096);
        if (pid == 0)
            _exit(0);
        snprintf(what, sizeof what, "both SETTIDs into the %s: the child", where);
        wait_and_print(what, pid);
    }
    // Non-canonical and NULL too, for good measure: the same silent skip.
    long pid = clone_like_fork(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
                               0x8000000000000000ul, 0);
    if (pid == 0)
        _exit(0);
    wait_and_print("SETTIDs at a non-canonical address and NULL: the child", pid);
    // One store into the kernel may land where nothing reads it again; a sweep cannot.
    // Every SWEEP_STEP bytes of the first MiB of the kernel image and of the direct map
    // (where the kernel's code and data are): had any of these been written, the kernel
    // would have crashed long before the end.
    int all_ok = 1;
    for (unsigned i = 0; i < sizeof kernel_addrs / sizeof kernel_addrs[0]; i++) {
        for (unsigned long off = 0; off < SWEEP_SIZE; off += SWEEP_STEP) {
            int status;
            pid = clone_like_fork(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
                                  kernel_addrs[i] + off, kernel_addrs[i] + off + 8);
            if (pid == 0)
                _exit(0);
            if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
                all_ok = 0;
        }
    }
    yes("a sweep of SETTIDs over the kernel's first MiB: every child exited 0", all_ok);
    yes("the kernel still answers (getppid is sane)", getppid() >= 0);
}

// The middle process clones a grandchild with exit signal SIGVTALRM, tells us its pid and
// exits; the grandchild waits until it is an orphan, then exits 7. We (init, or the
// subreaper) must get SIGCHLD - or nothing - and wait for it like any child of ours.
static void orphan_with_exit_signal(void)
{
    int p[2], status;
    pid_t grandchild = 0;

    pipe(p);
    pid_t middle = fork();
    if (middle == 0) {
        pid_t parent = getpid();
        long g = clone_like_fork(SIGVTALRM, 0, 0);
        if (g == 0) {
            while (getppid() == parent)          // until the middle process is gone
                usleep(1000);
            _exit(7);
        }
        write(p[1], &g, sizeof(pid_t));
        _exit(0);
    }
    read(p[0], &grandchild, sizeof grandchild);
    wait_and_print("the middle process", middle);
    yes("the grandchild was created", grandchild > 0);
    pid_t got = waitpid(-1, &status, 0);         // no __WCLONE: it is an ordinary child now
    yes("waitpid(-1) returns the orphaned grandchild", got == grandchild);
    if (got > 0)
        print_status("the orphaned grandchild", status);
    yes("we are still alive after it exited", 1);
    check_val("no children left", waitpid(-1, &status, WNOHANG));
    close(p[0]);
    close(p[1]);
}

// A process vforks; its child sleeps without exec or exit. We SIGKILL the vfork parent:
// it must die at once (not after the child's 10 s), and the child must go on.
static void killable_vfork_parent(void)
{
    int p[2];
    pid_t child = 0;

    pipe(p);
    pid_t parent = fork();
    if (parent == 0) {
        pid_t c = vfork();
        if (c == 0) {
            pid_t me = getpid();
            struct timespec ten = { 10, 0 };
            write(p[1], &me, sizeof me);
            nanosleep(&ten, NULL);
            _exit(0);
        }
        _exit(3);                                // reached only if the child let go
    }
    read(p[0], &child, sizeof child);
    usleep(50000);                               // let the parent settle in its wait
    double start = now();
    check("kill(vfork parent, SIGKILL)", kill(parent, SIGKILL));
    wait_and_print("the vfork parent", parent);
    yes("it died within 2 s", now() - start < 2.0);
    yes("the vfork child is still alive", child > 0 && kill(child, 0) == 0);
    check("kill(vfork child, SIGKILL)", kill(child, SIGKILL));
    wait_and_print("the vfork child (now ours)", child);
    close(p[0]);
    close(p[1]);
}

#define RFLAGS_AC (1ul << 18)

static unsigned long read_rflags(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static void set_ac(void)   { __asm__ volatile("pushfq; orq %0, (%%rsp); popfq" :: "i"(RFLAGS_AC) : "cc"); }
static void clear_ac(void) { __asm__ volatile("pushfq; andq %0, (%%rsp); popfq" :: "i"(~RFLAGS_AC) : "cc"); }

// With AC set, only aligned accesses (Linux sets CR0.AM: a misaligned one would be SIGBUS).
static void user_ac_flag(void)
{
    volatile long *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        check("mmap", -1);
        return;
    }
    set_ac();
    unsigned long before = read_rflags();
    *page = 1;                            // a page fault into the kernel, with AC set
    for (volatile long spin = 0; spin < 3000000; spin++)
        ;                                 // timer interrupts, with AC set
    long ppid = syscall(SYS_getppid);     // and a system call
    unsigned long after = read_rflags();
    clear_ac();
    yes("user AC flag set", (before & RFLAGS_AC) != 0);
    yes("user AC flag kept across a fault, interrupts and a syscall", (after & RFLAGS_AC) != 0);
    yes("the faulting store landed", *page == 1 && ppid >= 0);
    munmap((void *)page, 4096);
}

int main(void)
{
    begin("t_regress");
    default_signals();
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    settid_into_kernel();
    orphan_with_exit_signal();
    killable_vfork_parent();
    user_ac_flag();
    return done();
}
