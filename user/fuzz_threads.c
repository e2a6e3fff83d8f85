// fuzz_threads.c: the second fuzzer design (`fuzz --design threads`, `make fuzz FUZZER=threads`).
//
// The first design (fuzz_calls.c) makes one random call at a time in single-threaded
// workers: it finds bad arguments. This one finds bad interleavings: each worker is one
// process whose threads hammer the same address space at once, with valid calls only:
//
//   mapper    munmap, mmap MAP_FIXED, mprotect, madvise(DONTNEED) over pages of the arena
//   toucher   reads and writes arena pages directly (page faults; a SIGSEGV handler maps
//             the page back so that the thread goes on)
//   copier    system calls whose user buffers lie in the arena: read, write, pipes,
//             readv/writev (iovecs in the arena too), getrandom, clock_gettime, uname,
//             rt_sigprocmask, poll, futex wait and wake on arena words, PI futex
//             trylock, unlock and short timed locks on them, socket pairs (send, recv,
//             sendmsg/recvmsg with their headers and iovecs in the arena, shutdown, a pair
//             made anew over the old fds while the spawner's copier steps use it), a
//             connect to and an accept from the worker's listener put over those ends,
//             SCM_RIGHTS through them (the sockets themselves too), splice and tee between
//             the pipe and the sockets, vmsplice, a signalfd read
//   spawner   short-lived threads whose clear_child_tid word, robust list and locks are in
//             the arena (exit vs munmap, the robust-list walk vs mapping changes)
//   forker    fork while the others change the mappings (mm_dup vs everything), the child
//             touching the arena and exiting
// and, rarely, one thread ends the whole group (exit_group) or execs /bin/true while the
// others run (de_thread vs faults and copies).
//
// The arena is ARENA_PAGES pages at a fixed address; every pointer a thread passes points
// into it or into the thread's own stack, so nothing outside the worker is touched.
// Determinism: each thread's choices follow from (seed, worker, thread) alone, but the
// interleaving is the scheduler's, so a replay repeats the calls, not necessarily the race.
// The driver (fuzz.c) judges as for the first design: panics, hangs, resets and leaks.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#define ARENA        ((char *)0x300000000000ul)
#define ARENA_PAGES  16
#define THREADS      5              // one of each role
#define STACK_SIZE   (16 * 1024)
#define MAX_SPAWNS   64             // short-lived threads per worker (their stacks stay)

#define CLONE_THREAD_FLAGS (0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x200000)
//                          VM      FS      FILES   SIGHAND THREAD    SYSVSEM   CHILD_CLEARTID

// Linux x86_64's numbers that our libc's <sys/syscall.h> does not name.
#ifndef SYS_futex
#define SYS_futex 202
#endif
#ifndef SYS_set_robust_list
#define SYS_set_robust_list 273
#endif
#ifndef SYS_splice
#define SYS_splice 275
#define SYS_tee 276
#define SYS_vmsplice 278
#endif
#ifndef SYS_signalfd4
#define SYS_signalfd4 289
#endif
#ifndef SYS_socketpair
#define SYS_sendto 44
#define SYS_recvfrom 45
#define SYS_sendmsg 46
#define SYS_recvmsg 47
#define SYS_shutdown 48
#define SYS_socketpair 53
#endif
#ifndef SYS_accept4
#define SYS_socket 41
#define SYS_connect 42
#define SYS_bind 49
#define SYS_listen 50
#define SYS_accept4 288
#endif
#ifndef SYS_getrandom
#define SYS_getrandom 318
#endif

enum role { MAPPER, TOUCHER, COPIER, SPAWNER, FORKER };

static volatile uint64_t *call_count;   // the driver's per-worker counter
static uint64_t max_calls;
static uint64_t total;                  // calls by all threads (atomic)
static int pipe_fd[2], zero_fd, null_fd, sock_fd[2], dgram_fd[2], sig_fd, listen_fd;
// The listener's abstract name, the worker's own ("\0fzt" and its pid).
static struct { uint16_t family; char path[108]; } listen_name;
static unsigned listen_len;

// ---------------------------------------------------------------- per-thread randomness
// rnd() (fuzz_args.c) is one stream per process; threads each need their own.
struct rng { uint64_t s; };

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n) { return next(r) % n; }
static char *page(struct rng *r) { return ARENA + below(r, ARENA_PAGES) * PAGE; }
static char *spot(struct rng *r, size_t size)   // an aligned place for size bytes
{
    return page(r) + (below(r, PAGE - size) & ~7ul);
}

// Counts one call; past the worker's budget the whole group ends.
static void tick(uint64_t nr)
{
    uint64_t n = __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
    if (n > max_calls)
        syscall(SYS_exit_group, 0);
    *call_count = n;
    *current_nr = nr;
}

// ---------------------------------------------------------------- threads, by hand
// Starts fn(arg) in a new thread on stack_top; ctid is its clear_child_tid word. The child
// touches no memory of ours before fn: fn and arg travel on its new stack.
static long spawn(void (*fn)(uint64_t), uint64_t arg, char *stack_top, int *ctid)
{
    uint64_t *sp = (uint64_t *)stack_top;
    *--sp = arg;
    *--sp = (uint64_t)fn;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "pop %%rax\n\t"           // the child: fn
                     "pop %%rdi\n\t"           // arg
                     "call *%%rax\n\t"
                     "mov $60, %%eax\n\t"      // exit(0): this thread only
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:"
                     : "=a"(ret)
                     : "0"((long)SYS_clone), "D"((long)CLONE_THREAD_FLAGS), "S"(sp), "d"(0L),
                       "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static char *new_stack(void)
{
    char *s = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return s == MAP_FAILED ? NULL : s + STACK_SIZE;
}

// ---------------------------------------------------------------- the roles
static void map_back(char *p)
{
    mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void mapper_step(struct rng *r)
{
    char *p = page(r);
    size_t len = (1 + below(r, 3)) * PAGE;
    if (p + len > ARENA + ARENA_PAGES * PAGE)
        len = (size_t)(ARENA + ARENA_PAGES * PAGE - p);
    static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE };
    switch (below(r, 5)) {
    case 0: tick(SYS_munmap); munmap(p, len); break;
    case 1: tick(SYS_mmap);
        mmap(p, len, prots[below(r, 4)], MAP_FIXED | MAP_ANONYMOUS |
             (below(r, 3) ? MAP_PRIVATE : MAP_SHARED), -1, 0);
        break;
    case 2: tick(SYS_mprotect); mprotect(p, len, prots[below(r, 4)]); break;
    case 3: tick(SYS_madvise); madvise(p, len, MADV_DONTNEED); break;
    default: tick(SYS_mmap); map_back(p); break;
    }
}

// A burst of touches: no system call (not counted), a fault maybe.
static void toucher_step(struct rng *r)
{
    for (int i = 0; i < 16; i++) {
        volatile uint64_t *w = (volatile uint64_t *)spot(r, 8);
        if (below(r, 2))
            *w = next(r);
        else
            (void)*w;
    }
}

static void copier_step(struct rng *r)
{
    char *b = spot(r, 256);
    size_t n = 1 + below(r, 256);
    switch (below(r, 21)) {
    case 0: tick(SYS_read); read(zero_fd, b, n); break;
    case 1: tick(SYS_write); write(null_fd, b, n); break;
    case 2: tick(SYS_write); write(pipe_fd[1], b, n); break;
    case 3: tick(SYS_read); read(pipe_fd[0], b, n); break;
    case 4: {
        struct iovec *iov = (struct iovec *)spot(r, 2 * sizeof *iov);
        tick(SYS_readv);
        iov[0] = (struct iovec){ spot(r, 64), 64 };       // may fault: the iovec's page too
        iov[1] = (struct iovec){ spot(r, 64), 64 };
        below(r, 2) ? syscall(SYS_readv, zero_fd, iov, 2) : syscall(SYS_writev, null_fd, iov, 2);
        break;
    }
    case 5: tick(SYS_getrandom); syscall(SYS_getrandom, b, n, 0); break;
    case 6: tick(SYS_clock_gettime); syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b); break;
    case 7: tick(SYS_uname); syscall(SYS_uname, page(r)); break;
    case 8: tick(SYS_rt_sigprocmask); syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, b, b + 8, 8); break;   // never blocks SIGSEGV
    case 9: {
        struct timespec ts = { 0, 100000 };               // 0.1 ms
        int *word = (int *)spot(r, 4);
        tick(SYS_futex);
        syscall(SYS_futex, word, below(r, 2) ? 0 : 128, *word, &ts, NULL, 0);   // WAIT
        break;
    }
    case 10: tick(SYS_futex); syscall(SYS_futex, spot(r, 4), 1, 1 + below(r, 3), NULL, NULL, 0); break;
    case 11: {                                            // PI: trylock, unlock, or lock for 0.1 ms
        static const int ops[] = { 8, 7, 13, 128 | 8, 128 | 7, 128 | 13 };
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 100000;
        if (ts.tv_nsec >= 1000000000)
            ts.tv_sec++, ts.tv_nsec -= 1000000000;
        tick(SYS_futex);
        syscall(SYS_futex, spot(r, 4), ops[below(r, 6)], 0, &ts, NULL, 0);
        break;
    }
    case 13: {                                            // a stream or datagram end
        int *sv = below(r, 2) ? sock_fd : dgram_fd, fd = sv[below(r, 2)];
        tick(below(r, 2) ? SYS_sendto : SYS_recvfrom);
        if (below(r, 2))
            syscall(SYS_sendto, fd, b, n, 0x40 | 0x4000, NULL, 0);         // DONTWAIT|NOSIGNAL
        else
            syscall(SYS_recvfrom, fd, b, n, 0x40 | (below(r, 3) ? 0 : 0x2 | 0x20 | 0x100),
                    NULL, NULL);                          // maybe PEEK|TRUNC|WAITALL
        break;
    }
    case 14: {                                            // a msghdr and its iovecs in the arena
        uint64_t *m = (uint64_t *)spot(r, 56);
        struct iovec *iov = (struct iovec *)spot(r, 3 * sizeof *iov);
        int *sv = below(r, 2) ? sock_fd : dgram_fd;
        for (int i = 0; i < 3; i++)
            iov[i] = (struct iovec){ spot(r, 128), below(r, 129) };
        memset(m, 0, 56);
        m[2] = (uint64_t)iov;                             // msg_iov, msg_iovlen
        m[3] = 1 + below(r, 3);
        int send = (int)below(r, 2);
        tick(send ? SYS_sendmsg : SYS_recvmsg);
        syscall(send ? SYS_sendmsg : SYS_recvmsg, sv[below(r, 2)], m,
                0x40 | 0x4000 | (send ? 0 : 0x20));       // DONTWAIT|NOSIGNAL, TRUNC
        break;
    }
    case 15: {                                            // splice or tee: pipe <-> socket
        tick(SYS_splice);
        switch (below(r, 4)) {
        case 0: syscall(SYS_splice, sock_fd[below(r, 2)], NULL, pipe_fd[1], NULL, n, 2); break;
        case 1: syscall(SYS_splice, pipe_fd[0], NULL, sock_fd[below(r, 2)], NULL, n, 2); break;
        case 2: syscall(SYS_tee, pipe_fd[0], pipe_fd[1], n, 2); break;
        default: {
            struct iovec *iov = (struct iovec *)spot(r, sizeof *iov);
            *iov = (struct iovec){ b, n };
            syscall(SYS_vmsplice, pipe_fd[below(r, 2)], iov, 1, 2);
        }
        }
        break;
    }
    case 16: {                                            // a signal for the signalfd, read
        tick(SYS_read);
        if (below(r, 2))
            syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGURG);
        read(sig_fd, b, 128 * (1 + below(r, 2)));
        break;
    }
    case 17: {                                            // a shutdown, or a pair made anew
        tick(below(r, 4) ? SYS_shutdown : SYS_socketpair);
        if (below(r, 4)) {
            syscall(SYS_shutdown, sock_fd[below(r, 2)], below(r, 3));
        } else {
            int *sv = below(r, 2) ? sock_fd : dgram_fd, fresh[2];
            if (syscall(SYS_socketpair, 1, (sv == sock_fd ? 1 : 5) | O_NONBLOCK, 0, fresh) == 0) {
                dup2(fresh[0], sv[0]);                    // over the fds another thread may use
                dup2(fresh[1], sv[1]);
                close(fresh[0]);
                close(fresh[1]);
            }
        }
        break;
    }
    case 18: {                                            // a connect or an accept by name
        int fd;
        if (below(r, 2)) {
            tick(SYS_connect);
            fd = (int)syscall(SYS_socket, 1, 1 | O_NONBLOCK, 0);
            if (fd >= 0 && syscall(SYS_connect, fd, &listen_name, listen_len) < 0) {
                close(fd);
                fd = -1;
            }
        } else {
            tick(SYS_accept4);
            fd = (int)syscall(SYS_accept4, listen_fd, NULL, NULL, O_NONBLOCK);
        }
        if (fd >= 0) {                                    // over an end another thread may use
            dup2(fd, sock_fd[below(r, 2)]);
            close(fd);
        }
        break;
    }
    case 19: {                                            // descriptors in flight: send or take
        int fds[] = { sock_fd[0], sock_fd[1], dgram_fd[0], dgram_fd[1], pipe_fd[1], listen_fd };
        uint64_t *m = (uint64_t *)spot(r, 56);
        uint64_t *c = (uint64_t *)spot(r, 64);
        struct iovec *iov = (struct iovec *)spot(r, sizeof *iov);
        *iov = (struct iovec){ b, 1 + below(r, 16) };
        int *sv = below(r, 2) ? sock_fd : dgram_fd, send = (int)below(r, 2);
        memset(m, 0, 56);
        m[2] = (uint64_t)iov;
        m[3] = 1;
        m[4] = (uint64_t)c;                               // msg_control, msg_controllen
        m[5] = 16 + 4 * 3;
        if (send) {
            c[0] = 16 + 4 * 3;                            // SOL_SOCKET, SCM_RIGHTS, 3 fds
            ((int32_t *)c)[2] = 1;
            ((int32_t *)c)[3] = 1;
            for (int i = 0; i < 3; i++)
                ((int32_t *)&c[2])[i] = fds[below(r, 6)];
        }
        tick(send ? SYS_sendmsg : SYS_recvmsg);
        if (syscall(send ? SYS_sendmsg : SYS_recvmsg, sv[below(r, 2)], m, 0x40 | 0x4000) >= 0 &&
            !send && m[5] >= 16 + 4 && ((int32_t *)c)[3] == 1)
            for (uint64_t i = 0; i < (c[0] - 16) / 4 && i < 3; i++)
                close(((int32_t *)&c[2])[i]);             // what came: closed again
        break;
    }
    default: {
        struct pollfd *p = (struct pollfd *)spot(r, 2 * sizeof *p);
        tick(SYS_poll);
        p[0] = (struct pollfd){ pipe_fd[0], POLLIN, 0 };
        p[1] = (struct pollfd){ pipe_fd[1], POLLOUT, 0 };
        syscall(SYS_poll, p, 2, 0);
        break;
    }
    }
}

// A short-lived thread: a robust list in the arena holding a "lock" with its tid, a new
// clear_child_tid word in the arena, a few touches, and an exit (the kernel walks the list
// and clears the word, whatever the mapper has done to those pages meanwhile).
static void brief_life(uint64_t seed)
{
    struct rng r = { seed };
    uint64_t *head = (uint64_t *)spot(&r, 24), *lock = (uint64_t *)spot(&r, 16);
    int tid = (int)syscall(SYS_gettid);
    tick(SYS_set_robust_list);
    lock[0] = (uint64_t)head;                 // the lock's link: back to the head
    lock[1] = (uint32_t)tid;                  // its futex word, 8 bytes on
    head[0] = (uint64_t)lock | below(&r, 2);  // bit 0: a PI lock (handed over, not woken)
    head[1] = 8;
    head[2] = below(&r, 2) ? (uint64_t)lock : 0;
    syscall(SYS_set_robust_list, head, 24);
    tick(SYS_set_tid_address);
    syscall(SYS_set_tid_address, spot(&r, 4));
    for (int i = 0; i < 4; i++)
        toucher_step(&r);
}

static void spawner_step(struct rng *r, int *spawned)
{
    static int ctids[MAX_SPAWNS];
    if (*spawned >= MAX_SPAWNS) {
        copier_step(r);
        return;
    }
    char *stack = new_stack();
    if (!stack)
        return;
    tick(SYS_clone);
    spawn(brief_life, next(r), stack, &ctids[(*spawned)++]);
}

static void forker_step(struct rng *r)
{
    tick(SYS_fork);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 8; i++)
            toucher_step(r);
        _exit(0);
    }
    if (pid > 0) {
        tick(SYS_wait4);
        waitpid(pid, NULL, 0);
    }
}

// Rarely, the end of everything: exit_group, or an execve of /bin/true, from one thread
// (the copier's: about once in a worker's life).
static void maybe_end(struct rng *r)
{
    if (below(r, 20000) != 0)
        return;
    if (below(r, 2)) {
        tick(SYS_exit_group);
        syscall(SYS_exit_group, 0);
    }
    char *argv[] = { "/bin/true", NULL };
    tick(SYS_execve);
    execve("/bin/true", argv, argv + 1);
}

static void __attribute__((noreturn)) run_role_forever(uint64_t arg);
static void run_role(uint64_t arg) { run_role_forever(arg); }

static void __attribute__((noreturn)) run_role_forever(uint64_t arg)
{
    enum role role = (enum role)(arg & 7);
    struct rng r = { arg >> 3 };
    int spawned = 0;
    for (;;) {
        switch (role) {
        case MAPPER:  mapper_step(&r); break;
        case TOUCHER: toucher_step(&r); break;
        case COPIER:  copier_step(&r); maybe_end(&r); break;
        case SPAWNER: spawner_step(&r, &spawned); break;
        case FORKER:  forker_step(&r); break;
        }
    }
}

// ---------------------------------------------------------------- the worker
// A fault in the arena: map the page back and go on. Outside it: a real crash, by default.
static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char *a = si->si_addr;
    if (a >= ARENA && a < ARENA + ARENA_PAGES * PAGE) {
        map_back((char *)((uintptr_t)a & ~(PAGE - 1)));
        return;
    }
    signal(sig, SIG_DFL);
}

static void on_poke(int sig) { (void)sig; }

void threads_worker(uint64_t seed, volatile uint64_t *count, uint64_t calls)
{
    call_count = count;
    max_calls = calls;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    signal(SIGUSR1, on_poke);                 // the driver's "wake up": EINTR, not death
    signal(SIGPIPE, SIG_IGN);
    if (mmap(ARENA, ARENA_PAGES * PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        _exit(1);
    pipe2(pipe_fd, O_NONBLOCK);
    zero_fd = open("/dev/zero", O_RDONLY);
    null_fd = open("/dev/null", O_WRONLY);
    syscall(SYS_socketpair, 1, 1 | O_NONBLOCK, 0, sock_fd);    // AF_UNIX, SOCK_STREAM
    syscall(SYS_socketpair, 1, 2 | O_NONBLOCK, 0, dgram_fd);   // SOCK_DGRAM
    listen_name.family = 1;                                     // "\0fzt<pid>", listening
    listen_len = 2 + 4 + (unsigned)snprintf(listen_name.path + 4, 100, "%d", (int)getpid());
    memcpy(listen_name.path, "\0fzt", 4);
    listen_fd = (int)syscall(SYS_socket, 1, 1 | O_NONBLOCK, 0);
    syscall(SYS_bind, listen_fd, &listen_name, listen_len);
    syscall(SYS_listen, listen_fd, 8);
    uint64_t urg = 1ull << (SIGURG - 1);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &urg, NULL, 8);     // the threads inherit it
    sig_fd = (int)syscall(SYS_signalfd4, -1, &urg, 8, O_NONBLOCK);
    static int ctids[THREADS];
    for (int t = 1; t < THREADS; t++) {
        char *stack = new_stack();
        if (stack)
            spawn(run_role, (uint64_t)t | (mix(seed, (uint64_t)t) << 3), stack, &ctids[t]);
    }
    run_role_forever((uint64_t)MAPPER | (mix(seed, 0) << 3));   // this thread maps
}
