// fuzz.h: what the parts of /bin/fuzz (user/fuzz*.c), the system-call fuzzer, share.
//
//   fuzz.c        the driver: options, workers, batches, the leak check, replay
//   fuzz_world.c  a worker's world: its sandbox directory, open files, scratch memory
//   fuzz_args.c   argument generators that know the ABI: fds, paths, buffers, iovecs, ...
//   fuzz_calls.c  the table of system calls, one argument recipe each, and making a call
//
// Everything a worker does follows from one 64-bit seed (hash(seed, worker)) through rnd(),
// so `fuzz --seed S --worker W --calls N` does again what worker W did, printing each call
// before it makes it.
#pragma once
#include <stdint.h>
#include <sys/types.h>

// ---- the pseudo-random numbers (splitmix64): one stream per worker process
void rnd_seed(uint64_t seed);
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);          // 0 .. n-1 (n > 0)
int one_in(unsigned n);                  // true with probability 1/n
uint64_t mix(uint64_t a, uint64_t b);    // hash of two numbers: the per-worker seed
#define PICK(array) ((array)[rnd_below(sizeof(array) / sizeof((array)[0]))])

// ---- a worker's world (fuzz_world.c)
#define SCRATCH_PAGES 16
#define PAGE 4096ul
struct world {
    int id;                  // the worker's number
    char dir[48];            // its sandbox: /tmp/fz<id>; cwd starts there
    int dirfd;               // the sandbox, opened O_DIRECTORY
    int filefd;              // sandbox/f, read-write
    int nullfd, zerofd, procfd, pipe_r, pipe_w;
    int sock_s, sock_d, sigfd;   // a stream socket, a datagram socket (pairs' one ends), a signalfd
    char *scratch;           // SCRATCH_PAGES read-write pages: every "valid" buffer is in here
    char *ro;                // a read-only page
    char *none;              // a PROT_NONE page
    char *hole;              // an address with nothing mapped (a page that was unmapped)
    char *high;              // where mmap and munmap may play: 64 pages, mapped or not
    pid_t last_child;        // the last pid a fork-like call returned, for kill and wait
    int log_fd;              // where replay prints calls, or -1
};
extern struct world W;
void world_make(int id, int log_fd);     // in the worker, before its first call

// ---- argument generators (fuzz_args.c); each returns one system-call argument
uint64_t g_fd(void);                     // open ones, closed ones, std ones, huge, negative
uint64_t g_newfd(void);                  // a target for dup2/dup3
uint64_t g_dirfd(void);                  // for *at calls that change the file system: safe ones
uint64_t g_any_dirfd(void);              // for *at calls that only look
uint64_t g_path(void);                   // for calls that only look: anywhere, including /proc
uint64_t g_spath(void);                  // for calls that change things: inside the sandbox
uint64_t g_cwd_path(void);               // for chdir: directories (or not) inside the sandbox
uint64_t g_link_target(void);            // symlink contents that never lead out of the sandbox
uint64_t g_buf(void);                    // memory: valid, NULL, unmapped, kernel, read-only, ...
uint64_t g_len(void);                    // lengths: 0, small, page-ish, huge, negative
uint64_t g_off(void);                    // file offsets
uint64_t g_iov(uint64_t *count);         // an iovec array (and its count)
uint64_t g_sigaction(void);              // a struct k_sigaction (or a bad pointer)
uint64_t g_sigset(void);                 // a sigset_t pointer
uint64_t g_sigsetsize(void);             // usually 8
uint64_t g_siginfo(void);                // a siginfo for rt_sigqueueinfo
uint64_t g_stack_t(void);                // a stack_t for sigaltstack
uint64_t g_rlimit(void);                 // a struct rlimit
uint64_t g_pollfds(void);                // struct pollfd array
uint64_t g_fdset(void);                  // fd_set for select
uint64_t g_epoll_event(void);            // struct epoll_event (packed)
uint64_t g_mq_name(void);                // a message queue's name (mq_open)
uint64_t g_mq_attr(void);                // struct mq_attr
uint64_t g_flock(void);                  // struct flock: plausible ranges, bad types, bad pointers
uint64_t g_msghdr(void);                 // struct msghdr: hostile iovecs, names, control data
uint64_t g_sockaddr(void);               // a sockaddr_un: sandbox paths, abstract names, junk
uint64_t g_offp(void);                   // a loff_t pointer for splice: NULL, odd offsets, bad
uint64_t g_timespec(void);               // negative, huge nsec, zero, tiny, long, NULL, bad
uint64_t g_sig(void);                    // signal numbers, valid and not
uint64_t g_pid(void);                    // self, group, children, missing - never -1 or 1
uint64_t g_bits(uint64_t known);         // flag words: known flags, sometimes random bits
uint64_t g_int(void);                    // an integer of any kind
uint64_t g_open_flags(void);
uint64_t g_mode(void);
uint64_t g_mmap_addr(void);              // never our program, stack or data
uint64_t g_clone_flags(void);            // flags and exit signal for clone
uint64_t g_clone_args(uint64_t *size);   // a struct clone_args for clone3

// ---- the second design (fuzz_threads.c): one process, threads hammering one address space.
// Runs until `calls` calls were made (counted in *count) or the driver ends it.
void threads_worker(uint64_t seed, volatile uint64_t *count, uint64_t calls) __attribute__((noreturn));

// ---- the calls (fuzz_calls.c)
// Makes the worker's call number n (0, 1, ...): picks a system call, makes its arguments,
// prints them if W.log_fd >= 0, and calls.
// current_nr: where to note the number of the call being made (the driver's shared page).
extern volatile uint64_t *current_nr;
void fuzz_one(long n);
const char *call_name(int nr);          // "read" for 0; "?" for a number not in the table
