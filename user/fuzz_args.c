// fuzz_args.c: argument generators that know Linux's x86_64 ABI - see fuzz.h.
//
// Each generator mostly returns something a program might really pass (so calls get past
// their first check and into the deep code) and sometimes something hostile: NULL, an
// unmapped page, a kernel address, a non-canonical one, a length that runs off the end of
// memory, a negative count. Structures (iovecs, sigactions, timespecs, clone_args) are
// built in the scratch area, so the kernel may write over them without harm.
//
// Safety rules (the fuzzer must not wreck its own run on purpose):
//   - pids are never -1 (everyone) or 1 (init); see g_pid
//   - calls that change files get paths and directory fds inside the sandbox only
//   - "valid" buffers are only ever in the scratch area, never our own data or stack
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"

// ---------------------------------------------------------------- random numbers
static uint64_t state;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rnd_seed(uint64_t seed) { state = seed; }
uint64_t rnd(void) { return splitmix(&state); }
uint64_t rnd_below(uint64_t n) { return rnd() % n; }
int one_in(unsigned n) { return rnd_below(n) == 0; }

uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ splitmix(&b);
    return splitmix(&s);
}

// ---------------------------------------------------------------- scratch space
// Structures are built in the last page of the scratch area, one slot per argument (a
// call has at most 6), so two arguments of one call never share memory by accident.
static char *slot(void)
{
    static unsigned next;
    char *s = W.scratch + (SCRATCH_PAGES - 1) * PAGE + (next++ % 8) * 512;
    return s;
}

// Random bytes in a buffer (the kernel reads what the process wrote there).
static void fill(void *p, unsigned long n)
{
    unsigned char *b = p;
    for (unsigned long i = 0; i < n; i++)
        b[i] = (unsigned char)rnd();
}

// ---------------------------------------------------------------- memory
static const uint64_t kernel_addrs[] = {
    0xffff888000000000ull,   // the direct map of physical memory
    0xffff888000100000ull,   // the kernel's image in it
    0xffffffff80000000ull,   // the kernel image's own mapping (-2 GiB)
    0xffffffff80100000ull,
    0xffffc90000000000ull,   // kernel stacks
    0xfffffffffffff000ull,   // the last page
};
static const uint64_t noncanonical[] = {
    0x0000800000000000ull, 0x8000000000000000ull, 0x00007ffffffff000ull + 0x1000,
    0x1234567890abcdefull,
};

uint64_t g_buf(void)
{
    switch (rnd_below(16)) {
    case 0:  return 0;
    case 1:  return (uint64_t)W.hole + rnd_below(PAGE);
    case 2:  return PICK(kernel_addrs) + rnd_below(4) * 8;
    case 3:  return PICK(noncanonical);
    case 4:  return (uint64_t)W.ro + rnd_below(PAGE);
    case 5:  return (uint64_t)W.none;
    case 6:  return (uint64_t)W.hole - rnd_below(16);            // runs into the hole
    case 7:  return (uint64_t)W.scratch + 1 + rnd_below(7);       // misaligned
    case 8:  return 0x00007ffffffff000ull - rnd_below(64);        // the top of user space
    case 9:  return (uint64_t)&rnd;                               // our own code: read-only
    default: return (uint64_t)W.scratch + rnd_below(SCRATCH_PAGES - 1) * PAGE +
                    (one_in(2) ? 0 : rnd_below(PAGE) & ~7ul);
    }
}

uint64_t g_len(void)
{
    static const uint64_t odd[] = { 0, 1, 7, 8, 4095, 4096, 4097, 65536, 1ull << 31,
                                    (1ull << 31) - 1, 1ull << 32, 0x7fffffffffffffffull,
                                    -1ull, -4096ull, (uint64_t)-1 >> 1 };
    if (one_in(4))
        return PICK(odd);
    return one_in(2) ? rnd_below(64) : rnd_below(3 * PAGE);
}

uint64_t g_off(void)
{
    static const uint64_t odd[] = { 0, 1, 4096, -1ull, 1ull << 63, 0x7fffffffffffffffull,
                                    1ull << 40, -4096ull };
    return one_in(3) ? PICK(odd) : rnd_below(8192);
}

uint64_t g_int(void)
{
    static const uint64_t odd[] = { 0, 1, 2, 3, -1ull, 0x7fffffff, 0x80000000, 0xffffffff,
                                    1ull << 32, 1ull << 63, 0x7fffffffffffffffull };
    switch (rnd_below(4)) {
    case 0:  return PICK(odd);
    case 1:  return rnd();
    case 2:  return rnd() & 0xffffffff;
    default: return rnd_below(64);
    }
}

uint64_t g_bits(uint64_t known)
{
    uint64_t v = 0;
    if (one_in(8))
        return rnd();                                  // anything at all
    if (one_in(8))
        return 0;
    for (int i = 0; i < 64; i++)                       // a random subset of the known flags
        if ((known >> i) & 1 && one_in(3))
            v |= 1ull << i;
    if (one_in(6))
        v |= 1ull << rnd_below(64);                    // and now and then one unknown bit
    return v;
}

// ---------------------------------------------------------------- fds
uint64_t g_fd(void)
{
    static const uint64_t odd[] = { -1ull, 0xffffffff, 0x7fffffff, 1 << 20, 1023, 1024,
                                    (uint64_t)AT_FDCWD, 0x100000000ull };
    switch (rnd_below(15)) {
    case 0:  return PICK(odd);
    case 12: return W.sock_s + (uint64_t)rnd_below(2);      // one end of the pair or the other
    case 13: return W.sock_d + (uint64_t)rnd_below(2);
    case 14: return W.sigfd;
    case 1:  return W.nullfd;
    case 2:  return W.zerofd;
    case 3:  return W.procfd;
    case 4:  return W.pipe_r;
    case 5:  return W.pipe_w;
    case 6:  return W.dirfd;
    case 7:  return W.filefd;
    default: return rnd_below(24);                     // whatever is open there now (or not)
    }
}

uint64_t g_newfd(void)
{
    static const uint64_t odd[] = { -1ull, 1024, 1 << 20, 0x7fffffff, 0x100000005ull };
    return one_in(5) ? PICK(odd) : rnd_below(40);
}

// Directory fds for calls that create, remove or rename: the sandbox's, cwd (which stays
// in the sandbox), or ones that must fail (a file, a pipe, closed, negative).
uint64_t g_dirfd(void)
{
    static const uint64_t odd[] = { -1ull, 1000, 0x7fffffff, 0x1ffffff9cull /* AT_FDCWD + 2^33 */ };
    switch (rnd_below(8)) {
    case 0:  return PICK(odd);
    case 1:  return W.filefd;
    case 2:  return W.pipe_r;
    case 3:  return W.dirfd;
    default: return (uint64_t)(int64_t)AT_FDCWD;
    }
}

uint64_t g_any_dirfd(void)
{
    return one_in(3) ? g_fd() : g_dirfd();
}

// ---------------------------------------------------------------- paths
static char *long_name(char *s, unsigned n)
{
    memset(s, 'n', n);
    s[n] = 0;
    return s;
}

static char long_path[6000];

// A path that stays inside the sandbox, whatever the cwd (which is the sandbox or below).
static const char *sandbox_name(void)
{
    static const char *const names[] = {
        "f", "d", "l", "loop", "dangling", "d/x", "new0", "new1", "new2", "d/new3", "d/../f",
        "./f", "f/", "d/", "d/x/y", "l/x", "loop/x", "", ".", "new0/new1", "d/./x",
    };
    static char buf[300];
    switch (rnd_below(12)) {
    case 0:  return long_name(buf, 255 + rnd_below(3));           // NAME_MAX and beyond
    case 1:  snprintf(buf, sizeof buf, "%s/%s", W.dir, PICK(names)); return buf;
    default: return PICK(names);
    }
}

static uint64_t bad_or(const char *s)
{
    if (one_in(10))
        return g_buf();
    if (one_in(30)) {                                  // no NUL before PATH_MAX
        memset(long_path, 'p', sizeof long_path - 1);
        long_path[sizeof long_path - 1] = 0;
        for (int i = 1; i < 5990; i += 2)
            long_path[i] = '/';
        return (uint64_t)(long_path + rnd_below(2));
    }
    char *dst = slot();
    strncpy(dst, s, 511);
    dst[511] = 0;
    return (uint64_t)dst;
}

uint64_t g_spath(void)
{
    return bad_or(sandbox_name());
}

uint64_t g_path(void)
{
    static const char *const outside[] = {
        "/", "/etc", "/bin/true", "/init", "/dev/null", "/dev/zero", "/dev/urandom",
        "/proc", "/proc/self", "/proc/self/status", "/proc/self/stat", "/proc/self/fd",
        "/proc/self/fd/3", "/proc/self/exe", "/proc/self/cwd", "/proc/1/stat",
        "/proc/meminfo", "/proc/mounts", "/proc/uptime", "/proc/version", "/proc/cmdline",
        "/proc/99999/stat", "/nonexistent", "/nonexistent/x", "/tmp", "/..", "/../../etc",
        "//bin///true", "/bin/true/", "/bin/../bin/./true", "/proc/self/task",
    };
    return one_in(2) ? g_spath() : bad_or(PICK(outside));
}

uint64_t g_cwd_path(void)
{
    static const char *const dirs[] = { "d", ".", "f", "l", "nosuch", "new0", "loop", "" };
    static char buf[80];
    if (one_in(4)) {
        snprintf(buf, sizeof buf, "%s/%s", W.dir, PICK(dirs));
        return bad_or(buf);
    }
    return bad_or(PICK(dirs));
}

uint64_t g_link_target(void)
{
    static const char *const targets[] = { "f", "d", "loop", "nosuch", "/nonexistent/x",
                                           "d/x", "", "/proc/self/status", "l" };
    return bad_or(PICK(targets));
}

// ---------------------------------------------------------------- structures
uint64_t g_iov(uint64_t *count)
{
    static const uint64_t odd_counts[] = { 0, 1024, 1025, -1ull, 0x80000000 };
    uint64_t *iov = (uint64_t *)slot();
    unsigned n = 1 + rnd_below(8);
    for (unsigned i = 0; i < n; i++) {              // 16 bytes each: base, len
        iov[2 * i] = g_buf();
        iov[2 * i + 1] = one_in(4) ? g_len() : rnd_below(PAGE);
    }
    *count = one_in(8) ? PICK(odd_counts) : n;
    return one_in(12) ? g_buf() : (uint64_t)iov;
}

uint64_t g_sig(void)
{
    static const uint64_t odd[] = { 0, 65, 64, -1ull, 1000, 0x100000001ull };
    static const uint64_t usual[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGURG, SIGWINCH,
                                      SIGCONT, SIGPIPE, 34, 40, 64 };
    switch (rnd_below(6)) {
    case 0:  return PICK(odd);
    case 1:  return 1 + rnd_below(64);              // anything: may kill or stop the worker
    default: return PICK(usual);
    }
}

uint64_t g_sigset(void)
{
    uint64_t *set = (uint64_t *)slot();
    *set = one_in(3) ? rnd() : 1ull << rnd_below(64);
    if (!one_in(8))
        *set &= ~(1ull << (SIGUSR1 - 1));          // the driver's wake-up call gets through
    return one_in(8) ? g_buf() : (uint64_t)set;
}

uint64_t g_sigsetsize(void)
{
    return one_in(6) ? g_int() : 8;
}

// The kernel's struct sigaction: handler, flags, restorer, mask.
extern void __restore_rt(void);
static void count_sig(int sig) { (void)sig; }

uint64_t g_sigaction(void)
{
    uint64_t *ka = (uint64_t *)slot();
    static const uint64_t handlers[] = { 0 /* SIG_DFL */, 1 /* SIG_IGN */, 2, 0xffffffff80000000ull,
                                         0x1000 };
    ka[0] = one_in(2) ? (uint64_t)count_sig : PICK(handlers);
    ka[1] = g_bits(0x00000001 | 0x00000002 | 0x00000004 | 0x04000000 | 0x08000000 |
                   0x10000000 | 0x40000000 | 0x80000000);
    ka[2] = one_in(4) ? g_buf() : (uint64_t)__restore_rt;
    ka[3] = rnd();
    return one_in(8) ? g_buf() : (uint64_t)ka;
}

uint64_t g_siginfo(void)
{
    int *si = (int *)slot();
    fill(si, 128);
    si[2] = one_in(2) ? -1 /* SI_QUEUE */ : (int)g_int();   // si_code
    return one_in(8) ? g_buf() : (uint64_t)si;
}

uint64_t g_stack_t(void)
{
    uint64_t *ss = (uint64_t *)slot();             // ss_sp, ss_flags (int), ss_size
    ss[0] = g_buf();
    ss[1] = one_in(2) ? 0 : g_bits(1 | 2 | (1u << 31));   // SS_ONSTACK, SS_DISABLE, SS_AUTODISARM
    ss[2] = one_in(2) ? PAGE * (1 + rnd_below(4)) : g_len();
    return one_in(6) ? g_buf() : (uint64_t)ss;
}

uint64_t g_timespec(void)
{
    static const int64_t secs[] = { 0, 0, 0, -1, 1, 0x7fffffffffffffffll, -0x7fffffffffffffffll };
    static const int64_t nsecs[] = { 0, 1, 1000, 999999, 999999999, 1000000000, -1,
                                     0x7fffffffffffffffll };
    int64_t *ts = (int64_t *)slot();
    ts[0] = PICK(secs);
    ts[1] = one_in(2) ? (int64_t)rnd_below(3000000) : PICK(nsecs);   // mostly < 3 ms
    if (ts[0] > 0 && !one_in(20))
        ts[0] = 0;                                 // long sleeps only now and then
    return one_in(8) ? g_buf() : (uint64_t)ts;
}

// struct rlimit: soft, hard. Small limits hurt only the worker (and its children).
uint64_t g_rlimit(void)
{
    static const uint64_t values[] = { 0, 1, 16, 1024, 4096, 1 << 20, 1ull << 32, -1ull,
                                       0x7fffffffffffffffull };
    uint64_t *rl = (uint64_t *)slot();
    rl[0] = PICK(values);
    rl[1] = one_in(3) ? PICK(values) : -1ull;
    return one_in(8) ? g_buf() : (uint64_t)rl;
}

// An array of struct pollfd {int fd; short events, revents;}: eight of them, then whatever
// follows in the scratch area (a large nfds reads on into it, and then off its end).
uint64_t g_pollfds(void)
{
    uint32_t *p = (uint32_t *)slot();
    for (int i = 0; i < 8; i++) {
        p[2 * i] = (uint32_t)g_fd();
        p[2 * i + 1] = (uint32_t)g_bits(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x2000);
    }
    return one_in(8) ? g_buf() : (uint64_t)p;
}

// An fd_set for select: random bits, or only low fds (the ones that are likely open).
uint64_t g_fdset(void)
{
    uint64_t *set = (uint64_t *)slot();
    if (one_in(4))
        return 0;
    fill(set, 128);
    if (!one_in(4)) {
        memset(set, 0, 128);
        set[0] = rnd() & 0xffffff;
    }
    return one_in(8) ? g_buf() : (uint64_t)set;
}

// A POSIX message queue's name (mq_open, mq_unlink): a few the workers share (the driver
// unlinks them after each batch: fuzz.c), the ones Linux refuses ("", ".", "a/b"), the
// longest there may be (255 bytes) and one longer, or a bad pointer.
uint64_t g_mq_name(void)
{
    static const char *const names[] = { "fq0", "fq1", "fq2", "fq0", "", ".", "..", "a/b" };
    if (one_in(10)) {
        char *s = slot();
        memset(s, 'q', 300);
        s[one_in(2) ? 255 : 256] = '\0';
        return (uint64_t)s;
    }
    return one_in(10) ? g_buf() : (uint64_t)names[rnd_below(8)];
}

// struct mq_attr {long flags, maxmsg, msgsize, curmsgs, reserved[4]}: small queues, zeros,
// negatives, sizes over the limits.
uint64_t g_mq_attr(void)
{
    int64_t *a = (int64_t *)slot();
    fill(a, 64);
    static const int64_t maxmsg[] = { 1, 2, 10, 0, -1, 11, 65537 };
    static const int64_t msgsize[] = { 1, 16, 8192, 0, -1, 8193, 1 << 25 };
    a[0] = one_in(3) ? O_NONBLOCK : 0;
    a[1] = maxmsg[rnd_below(7)];
    a[2] = msgsize[rnd_below(7)];
    return one_in(4) ? 0 : one_in(8) ? g_buf() : (uint64_t)a;
}

// struct epoll_event {uint32_t events; uint64_t data;} (packed: 12 bytes), a few of them.
uint64_t g_epoll_event(void)
{
    uint8_t *e = (uint8_t *)slot();
    fill(e, 128);
    uint32_t ev = (uint32_t)g_bits(0x1 | 0x4 | 0x8 | 0x10 | 0x2000 | (1u << 28) | (1u << 29) |
                                   (1u << 30) | (1u << 31));
    memcpy(e, &ev, 4);
    return one_in(8) ? g_buf() : (uint64_t)e;
}

// struct flock for fcntl's lock commands: mostly a plausible lock (type and whence valid,
// small ranges that overlap other workers', l_len 0 = to EOF, negative lengths, l_pid 0
// for the OFD commands), sometimes random or a bad pointer.
uint64_t g_flock(void)
{
    uint8_t *f = (uint8_t *)slot();
    fill(f, 64);
    if (one_in(8))
        return g_buf();
    if (one_in(8))
        return (uint64_t)f;
    short type = (short)(one_in(10) ? g_int() : rnd_below(3));
    short whence = (short)(one_in(10) ? g_int() : rnd_below(3));
    int64_t start = one_in(10) ? (int64_t)g_int() : (int64_t)rnd_below(64) - (one_in(4) ? 32 : 0);
    int64_t len = one_in(10) ? (int64_t)g_int() : (int64_t)rnd_below(32) - (one_in(4) ? 16 : 0);
    int pid = one_in(4) ? (int)g_int() : 0;
    memcpy(f, &type, 2);
    memcpy(f + 2, &whence, 2);
    memcpy(f + 8, &start, 8);
    memcpy(f + 16, &len, 8);
    memcpy(f + 24, &pid, 4);
    return (uint64_t)f;
}

// ---------------------------------------------------------------- processes
// Pids the worker may name: itself, its group, its last child, pids that do not exist.
// Never -1 (every process but init) nor 1 (init): those would end the run on purpose.
uint64_t g_pid(void)
{
    pid_t me = getpid();
    switch (rnd_below(9)) {
    case 0:  return 0;                             // our group (kill) or ourselves
    case 1:  return (uint64_t)(int64_t)-me;        // our group, by number
    case 2:  return W.last_child > 1 ? W.last_child : me;
    case 3:  return 99999;
    case 4:  return 0x80000000;                    // INT_MIN: -INT_MIN overflows
    case 5:  return 0x100000000ull + me;           // the high half must be ignored
    case 6:  return 4194304;                       // above PID_MAX_LIMIT
    default: return me;
    }
}

uint64_t g_open_flags(void)
{
    return g_bits(O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                  O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | 010000 /* O_DSYNC */ |
                  020000 /* O_ASYNC */ | 040000 /* O_DIRECT */ | 0100000 /* O_LARGEFILE */ |
                  01000000 /* O_NOATIME */ | 010000000 /* O_PATH */ | 020000000 /* O_TMPFILE */);
}

uint64_t g_mode(void)
{
    return one_in(4) ? g_int() : rnd_below(01000) | (one_in(4) ? 07000 : 0);
}

// mmap hints and munmap/mprotect targets: the play area (W.high), the scratch area's spare
// page, and hostile values - never the program itself, its heap, stack or other state.
uint64_t g_mmap_addr(void)
{
    switch (rnd_below(8)) {
    case 0:  return 0;
    case 1:  return PICK(kernel_addrs);
    case 2:  return PICK(noncanonical);
    case 3:  return (uint64_t)W.hole;
    case 4:  return (uint64_t)W.high + rnd_below(64 * PAGE);              // misaligned too
    default: return (uint64_t)W.high + rnd_below(64) * PAGE;
    }
}

#define CLONE_KNOWN  0xffffff00ull

uint64_t g_clone_flags(void)
{
    uint64_t flags = g_bits(CLONE_KNOWN) & 0xffffffff;
    uint64_t sig = one_in(3) ? rnd_below(70) : SIGCHLD;
    return (flags & ~0xffull) | sig;
}

uint64_t g_clone_args(uint64_t *size)
{
    static const uint64_t sizes[] = { 64, 80, 88, 88, 88, 96, 4096, 4097, 0, 63 };
    uint64_t *a = (uint64_t *)slot();               // flags, pidfd, child_tid, parent_tid,
    memset(a, 0, 128);                              // exit_signal, stack, stack_size, tls,
    a[0] = g_clone_flags() & ~0xffull;              // set_tid, set_tid_size, cgroup
    a[1] = one_in(4) ? g_buf() : 0;
    a[2] = one_in(2) ? g_buf() : 0;
    a[3] = one_in(2) ? g_buf() : 0;
    a[4] = one_in(3) ? rnd_below(70) : SIGCHLD;
    if (one_in(6)) {
        a[5] = g_buf();
        a[6] = g_len();
    }
    a[7] = one_in(4) ? g_buf() : 0;
    if (one_in(8)) {
        a[8] = g_buf();
        a[9] = rnd_below(3);
    }
    if (one_in(10))
        a[10] = g_int();
    if (one_in(10))
        fill(a + 11, 8);                            // non-zero bytes past the known struct
    *size = PICK(sizes);
    return one_in(10) ? g_buf() : (uint64_t)a;
}

// struct msghdr (Linux x86_64: name, namelen, iov, iovlen, control, controllen, flags): an
// iovec array from g_iov, now and then a huge or negative count, a name or control data,
// or the header itself half in a hole or in kernel memory.
// Ancillary data as programs send it: SCM_RIGHTS with open descriptors (sockets too, even
// the one it goes through: a cycle for the kernel to collect), or SCM_CREDENTIALS. *len gets
// the control length.
static char *g_cmsg(uint64_t *len)
{
    uint64_t *c = (uint64_t *)slot();
    int32_t *h = (int32_t *)&c[1];
    h[0] = 1;                                       // SOL_SOCKET
    if (one_in(4)) {
        h[1] = 2;                                   // SCM_CREDENTIALS: pid, uid, gid
        int32_t *cred = (int32_t *)&c[2];
        cred[0] = one_in(4) ? (int32_t)g_int() : getpid();
        cred[1] = cred[2] = one_in(4) ? (int32_t)g_int() : 0;
        c[0] = 16 + 12;
    } else {
        h[1] = 1;                                   // SCM_RIGHTS
        int n = 1 + (int)rnd_below(4);
        for (int i = 0; i < n; i++)
            ((int32_t *)&c[2])[i] = (int32_t)g_fd();
        c[0] = 16 + 4 * (uint64_t)n;
    }
    *len = one_in(8) ? rnd_below(64) : (c[0] + 7) & ~7ull;
    return (char *)c;
}

uint64_t g_sockaddr(void)
{
    static const char *const abstract[] = { "fz0", "fz1", "fz2" };
    if (one_in(8))
        return g_buf();
    char *a = slot();
    memset(a, 0, 112);
    a[0] = one_in(10) ? (char)rnd() : 1;           // AF_UNIX, mostly
    switch (rnd_below(4)) {
    case 0:  memcpy(a + 3, PICK(abstract), 3); break;   // an abstract name: length 6
    case 3:  fill(a + 2, 108); break;
    default: strncpy(a + 2, sandbox_name(), 107); break;
    }
    return (uint64_t)a;
}

uint64_t g_msghdr(void)
{
    static const uint64_t odd_counts[] = { 0, 64, 65, 1024, 1025, -1ull, 0x80000000,
                                           0x100000001ull };
    uint64_t *m = (uint64_t *)slot(), count;
    m[2] = g_iov(&count);
    m[3] = one_in(8) ? PICK(odd_counts) : count;
    m[0] = one_in(4) ? g_buf() : 0;                 // msg_name
    m[1] = one_in(4) ? g_int() : 0;                 // msg_namelen (and padding)
    m[4] = one_in(6) ? g_buf() : 0;                 // msg_control
    m[5] = one_in(6) ? g_len() : 0;                 // msg_controllen
    m[6] = one_in(4) ? g_int() : 0;                 // msg_flags
    if (one_in(4)) {                                // well-formed ancillary data
        m[4] = (uint64_t)g_cmsg(&m[5]);
        if (one_in(6))
            {
            static const uint64_t lens[] = { 110, 6, 2, 0 };
            m[0] = g_sockaddr();
            m[1] = PICK(lens);
        }
    }
    if (one_in(16))
        return (uint64_t)W.hole - 8 * rnd_below(7);  // runs into the hole part way
    return one_in(12) ? g_buf() : (uint64_t)m;
}

uint64_t g_offp(void)
{
    static const uint64_t odd[] = { 0, -1ull, 1ull << 63, 0x7fffffffffffffffull,
                                    0x7ffffffffffff000ull, 1ull << 40, -4096ull, 4096 };
    if (one_in(3))
        return 0;
    if (one_in(8))
        return g_buf();
    uint64_t *o = (uint64_t *)slot();
    *o = one_in(3) ? PICK(odd) : rnd_below(8192);
    return (uint64_t)o;
}
