// fuzz_world.c: what a worker has before its first call - see fuzz.h.
//
// The worker works in a sandbox directory of its own, /tmp/fz<id>, which it may change in
// any way (the driver removes /tmp's contents after every batch). Elsewhere it may only
// look: the generators never give a path outside the sandbox to a call that changes files.
// Its "valid" memory is a scratch area; other kinds of memory (read-only, PROT_NONE,
// unmapped) sit beside it to be passed as bad buffers.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"

struct world W;

static volatile long signals_seen;   // written by the handler only: proof it ran

static void count_signal(int sig)
{
    (void)sig;
    signals_seen++;
}

static void make_files(void)
{
    static const char text[] = "#!/bin/true\nsome text in a file\n";

    mkdir(W.dir, 0755);
    chdir(W.dir);
    W.dirfd = open(".", O_RDONLY | O_DIRECTORY);
    W.filefd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(W.filefd, text, sizeof text - 1);
    mkdir("d", 0755);
    close(open("d/x", O_WRONLY | O_CREAT, 0644));
    symlink("f", "l");
    symlink("loop", "loop");
    symlink("nosuch", "dangling");
}

static void make_fds(void)
{
    int p[2];

    W.nullfd = open("/dev/null", O_RDWR);
    W.zerofd = open("/dev/zero", O_RDONLY);
    W.procfd = open("/proc/self/status", O_RDONLY);
    pipe2(p, O_NONBLOCK);
    W.pipe_r = p[0];
    W.pipe_w = p[1];
    // socketpair(AF_UNIX, SOCK_STREAM or SOCK_DGRAM | SOCK_NONBLOCK): both ends stay open
    syscall(53, 1, 1 | O_NONBLOCK, 0, p);
    W.sock_s = p[0];
    syscall(53, 1, 2 | O_NONBLOCK, 0, p);
    W.sock_d = p[0];
    uint64_t set = 1ull << (SIGURG - 1) | 1ull << (SIGWINCH - 1);
    W.sigfd = (int)syscall(289, -1, &set, 8, O_NONBLOCK);   // signalfd4(SFD_NONBLOCK)
}

static void make_memory(void)
{
    char *m = mmap(NULL, (SCRATCH_PAGES + 3) * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    W.scratch = m;
    W.ro = m + SCRATCH_PAGES * PAGE;
    W.none = W.ro + PAGE;
    W.hole = W.none + PAGE;
    for (unsigned long i = 0; i < SCRATCH_PAGES * PAGE; i += 8)
        *(uint64_t *)(m + i) = rnd();
    mprotect(W.ro, PAGE, PROT_READ);
    mprotect(W.none, PAGE, PROT_NONE);
    munmap(W.hole, PAGE);
    W.high = (char *)0x7e0000000000ul;      // far from the program, its heap and stack
}

// Signals the fuzzer sends itself (kill, tkill, rt_sigqueueinfo...) run a handler instead
// of ending the worker at once: it lives longer, and handlers are delivered (a call that
// sets SIG_DFL brings the default back). SIGUSR1 is the driver's "wake up" when a call
// blocks. Faults (SIGSEGV and co.) keep their default: a worker that faults dies.
static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sa.sa_flags = SA_RESTART;
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sig != SIGSEGV && sig != SIGBUS &&
            sig != SIGILL && sig != SIGFPE && sig != SIGTRAP)
            sigaction(sig, &sa, NULL);
    sa.sa_flags = 0;                    // no SA_RESTART: the wake-up ends a blocking call
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);           // writes to a pipe without readers: EPIPE, not death
}

// fds 0-2 are the console: the worker must not write random bytes to it, nor change its
// settings, so they are closed, and the numbers go to the worker's own files.
void world_make(int id, int log_fd)
{
    memset(&W, 0, sizeof W);
    W.id = id;
    W.log_fd = log_fd;
    W.last_child = 0;
    snprintf(W.dir, sizeof W.dir, "/tmp/fz%d", id);
    setpgid(0, 0);                      // our own group: the driver kills it as one
    for (int fd = 0; fd < 3; fd++)
        close(fd);
    make_files();
    make_fds();
    make_memory();
    catch_signals();
}
