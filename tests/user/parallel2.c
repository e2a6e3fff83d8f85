// parallel2.c: more parallel programs of the kinds people run, for SMP parity with Linux
// (the second round after parallel.c; nothing here repeats its cases).
//
// Built with the host's static glibc (parallel2_glibc) and with musl (parallel2_musl); run
// on the host Linux for the expected output, then booted as init on Lantern at several CPU
// counts (tests/system/test_parallel.py). Every line is the same whatever the timing, the
// CPU count or the pids: totals, checksums, counts, "ok" for invariants that held. Threads
// never print; the main thread prints after the joins.
//
//   parallel2 [CASE...]      no CASE: every case of the default list, in order
//
// Each case runs in a child process (a crash or a hang in one is its own line and the
// others still run); "CASE: exit 0" follows each; "done" ends the run. The cases marked
// `finding` are not in the default list: they show what Lantern lacks or gets wrong today
// (the report of the parcheck2 branch), and run only when named.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// One write per line: lines of different processes never mix, and nothing sits in a
// stdio buffer when we fork.
static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    if (write(1, buf, n) != n)
        _exit(99);
}

static void must(int ok, const char *what)
{
    if (!ok) {
        say("FAIL: %s (errno %d)", what, errno);
        _exit(98);
    }
}

static void must_rc(int rc, const char *what)
{
    if (rc != 0) {
        say("FAIL: %s: %s", what, strerror(rc));
        _exit(98);
    }
}

static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    must_rc(pthread_create(&t, NULL, fn, arg), "pthread_create");
    return t;
}

static void *join(pthread_t t)
{
    void *ret;
    must_rc(pthread_join(t, &ret), "pthread_join");
    return ret;
}

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t mix(uint64_t x)   // a cheap, fixed hash (splitmix64's finaliser)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reap_all(int n, int *bad)
{
    for (int i = 0; i < n; i++) {
        int st;
        pid_t p = wait(&st);
        if (p < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            (*bad)++;
    }
}

// Files go in /tmp under the run's pid: the test suite runs the glibc and the musl
// builds on the host at the same time. (Returns a buffer of its thread: use it at once.)
static pid_t run_pid;
static const char *tmp_path(const char *name)
{
    static __thread char buf[64];
    snprintf(buf, sizeof buf, "/tmp/parallel2.%d.%s", (int)run_pid, name);
    return buf;
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case ENOTSUP: return "ENOTSUP";
    case EOWNERDEAD: return "EOWNERDEAD";
    case EDEADLK: return "EDEADLK";
    case EBADF: return "EBADF";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return "other";
    }
}

// ---------------------------------------------------------------- epoll: two consumers, six sources
// Four pipes fed by four writer threads, two eventfds fed by two more; two consumer threads
// share one epoll set with EPOLLONESHOT (the usual server pattern: whoever takes an event
// owns that fd until it re-arms it). A record is 8 bytes; a read may end inside one, so
// each pipe keeps its partial record (only its owner touches it).
#define EP_PIPES 4
#define EP_RECS 3000
#define EP_EVFDS 2
#define EP_ADDS 1500
static int ep_fd, ep_stop, ep_pipe[EP_PIPES][2], ep_evfd[EP_EVFDS];
static struct { unsigned char part[8]; int have; } ep_partial[EP_PIPES];
static atomic_ullong ep_hash, ep_evsum;
static atomic_long ep_recs, ep_sources;
static atomic_int ep_order_bad;
static long ep_next[EP_PIPES];

static void *ep_pipe_writer(void *arg)
{
    long p = (long)arg;
    uint64_t buf[64];
    for (long i = 0; i < EP_RECS;) {
        int n = 1 + (int)(mix(p * 7 + i) % 64);   // bursts of 1..64 records
        if (n > EP_RECS - i)
            n = EP_RECS - i;
        for (int k = 0; k < n; k++)
            buf[k] = ((uint64_t)p << 32) | (uint64_t)(i + k);
        must(write(ep_pipe[p][1], buf, n * 8) == n * 8, "pipe write");
        i += n;
        if (i % 512 < 64)
            sched_yield();
    }
    close(ep_pipe[p][1]);
    return NULL;
}

static void *ep_ev_writer(void *arg)
{
    long e = (long)arg;
    for (uint64_t v = 1; v <= EP_ADDS; v++)
        must(write(ep_evfd[e], &v, 8) == 8, "eventfd write");
    return NULL;
}

static void ep_source_done(void)
{
    if (--ep_sources == 0) {
        uint64_t one = 1;
        must(write(ep_stop, &one, 8) == 8, "stop write");
    }
}

static void ep_take_records(int p, const unsigned char *b, long n)
{
    for (long i = 0; i < n; i++) {
        ep_partial[p].part[ep_partial[p].have++] = b[i];
        if (ep_partial[p].have == 8) {
            uint64_t v;
            memcpy(&v, ep_partial[p].part, 8);
            ep_partial[p].have = 0;
            if ((long)(v >> 32) != p || (long)(uint32_t)v != ep_next[p])
                ep_order_bad++;
            ep_next[p]++;
            ep_hash += mix(v);
            ep_recs++;
        }
    }
}

// One event on source s (0..3 pipes, 4..5 eventfds): drain what is there, then re-arm.
static void ep_handle(int s)
{
    if (s < EP_PIPES) {
        unsigned char b[700];     // not a multiple of 8: records straddle reads
        long n = read(ep_pipe[s][0], b, sizeof b);
        if (n > 0)
            ep_take_records(s, b, n);
        if (n == 0) {             // every writer gone and the pipe empty
            must(epoll_ctl(ep_fd, EPOLL_CTL_DEL, ep_pipe[s][0], NULL) == 0, "EPOLL_CTL_DEL");
            ep_source_done();
            return;
        }
        must(n > 0 || errno == EAGAIN, "pipe read");
    } else {
        uint64_t v;
        long n = read(ep_evfd[s - EP_PIPES], &v, 8);
        must(n == 8 || (n < 0 && errno == EAGAIN), "eventfd read");
        if (n == 8 && atomic_fetch_add(&ep_evsum, v) + v == (uint64_t)EP_EVFDS * EP_ADDS * (EP_ADDS + 1) / 2)
            ep_source_done();
    }
    int fd = s < EP_PIPES ? ep_pipe[s][0] : ep_evfd[s - EP_PIPES];
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = s };
    must(epoll_ctl(ep_fd, EPOLL_CTL_MOD, fd, &ev) == 0, "EPOLL_CTL_MOD");
}

static void *ep_consumer(void *arg)
{
    (void)arg;
    long events = 0;
    for (;;) {
        struct epoll_event ev[4];
        int n = epoll_wait(ep_fd, ev, 4, -1);
        if (n < 0 && errno == EINTR)
            continue;
        must(n > 0, "epoll_wait");
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u32 == 99)
                return (void *)events;
            events++;
            ep_handle((int)ev[i].data.u32);
        }
    }
}

static void case_epoll(void)
{
    must((ep_fd = epoll_create1(EPOLL_CLOEXEC)) >= 0, "epoll_create1");
    must((ep_stop = eventfd(0, EFD_NONBLOCK)) >= 0, "eventfd");
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 99 };   // level: every consumer sees it
    must(epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_stop, &ev) == 0, "add stop");
    for (int p = 0; p < EP_PIPES; p++) {
        must(pipe2(ep_pipe[p], O_NONBLOCK) == 0, "pipe2");
        fcntl(ep_pipe[p][1], F_SETFL, 0);   // writers block; readers do not
        ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u32 = p };
        must(epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_pipe[p][0], &ev) == 0, "add pipe");
    }
    for (int e = 0; e < EP_EVFDS; e++) {
        must((ep_evfd[e] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0, "eventfd");
        ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u32 = EP_PIPES + e };
        must(epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_evfd[e], &ev) == 0, "add eventfd");
    }
    ep_sources = EP_PIPES + 1;   // each pipe's EOF, and the eventfds' total reached
    pthread_t c[2], w[EP_PIPES + EP_EVFDS];
    for (long i = 0; i < 2; i++)
        c[i] = spawn(ep_consumer, NULL);
    for (long p = 0; p < EP_PIPES; p++)
        w[p] = spawn(ep_pipe_writer, (void *)p);
    for (long e = 0; e < EP_EVFDS; e++)
        w[EP_PIPES + e] = spawn(ep_ev_writer, (void *)e);
    for (int i = 0; i < EP_PIPES + EP_EVFDS; i++)
        join(w[i]);
    long events = (long)join(c[0]) + (long)join(c[1]);
    uint64_t want = 0;
    for (uint64_t p = 0; p < EP_PIPES; p++)
        for (uint64_t i = 0; i < EP_RECS; i++)
            want += mix(p << 32 | i);
    say("epoll: %ld records, hash %s, in order per pipe: %s, eventfd total %llu, events seen: %s",
        (long)ep_recs, ep_hash == want ? "right" : "WRONG", ep_order_bad ? "no" : "yes",
        (unsigned long long)ep_evsum, events >= EP_PIPES + EP_EVFDS ? "enough" : "too few");
    // Errors: a second ADD of one fd, MOD and DEL of an fd not in the set, epoll on itself.
    ev = (struct epoll_event){ .events = EPOLLIN };
    int e1 = epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_stop, &ev) < 0 ? errno : 0;
    int e2 = epoll_ctl(ep_fd, EPOLL_CTL_MOD, ep_pipe[0][0], &ev) < 0 ? errno : 0;
    int e3 = epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_fd, &ev) < 0 ? errno : 0;
    say("epoll: errors: add twice %s, mod of a removed fd %s, add itself %s", e1 == EEXIST ? "EEXIST" : "other",
        e2 == ENOENT ? "ENOENT" : "other", errname(e3));
}

// ---------------------------------------------------------------- poll and select across threads
// A token ring: main sends a token down pipe k (of 4 threads, two pipes each); the thread
// that poll()s it adds one and answers on its reply pipe; main select()s the four replies.
#define PS_THREADS 4
#define PS_ROUNDS 600
static int ps_in[PS_THREADS][2][2], ps_out[PS_THREADS][2];

static void *ps_worker(void *arg)
{
    long t = (long)arg, handled = 0;
    struct pollfd pf[2] = { { ps_in[t][0][0], POLLIN, 0 }, { ps_in[t][1][0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds > 0) {
        int n = poll(pf, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        must(n > 0, "poll");
        for (int i = 0; i < 2; i++) {
            if (!pf[i].revents)
                continue;
            uint32_t tok;
            long r = read(pf[i].fd, &tok, 4);
            if (r == 0) {                 // POLLHUP: main closed it; stop watching
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            must(r == 4, "token read");
            tok = tok * 3 + 1 + i;
            must(write(ps_out[t][1], &tok, 4) == 4, "reply");
            handled++;
        }
    }
    close(ps_out[t][1]);
    return (void *)handled;
}

static void case_pollselect(void)
{
    for (int t = 0; t < PS_THREADS; t++) {
        must(pipe(ps_in[t][0]) == 0 && pipe(ps_in[t][1]) == 0 && pipe(ps_out[t]) == 0, "pipe");
    }
    // Nothing ready yet: poll with timeout 0 says so at once.
    struct pollfd idle = { ps_out[0][0], POLLIN, 0 };
    int idle_n = poll(&idle, 1, 0);
    pthread_t w[PS_THREADS];
    for (long t = 0; t < PS_THREADS; t++)
        w[t] = spawn(ps_worker, (void *)t);
    uint64_t hash = 0;
    long replies = 0;
    // Up to 4 tokens in flight, one per thread; select picks up whichever answers first.
    uint32_t next = 1;
    int busy[PS_THREADS] = { 0 };
    long sent = 0;
    while (replies < PS_ROUNDS) {
        for (int t = 0; t < PS_THREADS && sent < PS_ROUNDS; t++)
            if (!busy[t]) {
                uint32_t tok = next++;
                must(write(ps_in[t][tok % 2][1], &tok, 4) == 4, "token write");
                busy[t] = 1;
                sent++;
            }
        fd_set rd;
        FD_ZERO(&rd);
        int maxfd = 0;
        for (int t = 0; t < PS_THREADS; t++) {
            FD_SET(ps_out[t][0], &rd);
            if (ps_out[t][0] > maxfd)
                maxfd = ps_out[t][0];
        }
        int n = select(maxfd + 1, &rd, NULL, NULL, NULL);
        must(n > 0, "select");
        for (int t = 0; t < PS_THREADS; t++)
            if (FD_ISSET(ps_out[t][0], &rd)) {
                uint32_t tok;
                must(read(ps_out[t][0], &tok, 4) == 4, "reply read");
                hash += mix(tok);
                replies++;
                busy[t] = 0;
            }
    }
    for (int t = 0; t < PS_THREADS; t++) {
        close(ps_in[t][0][1]);
        close(ps_in[t][1][1]);
    }
    long handled = 0;
    for (int t = 0; t < PS_THREADS; t++)
        handled += (long)join(w[t]);
    // Every worker closed its reply pipe: select reports each readable (at EOF).
    fd_set rd;
    FD_ZERO(&rd);
    for (int t = 0; t < PS_THREADS; t++)
        FD_SET(ps_out[t][0], &rd);
    struct timeval tv = { 0, 0 };
    int eof_ready = select(ps_out[PS_THREADS - 1][0] + 1, &rd, NULL, NULL, &tv);
    uint64_t want = 0;
    for (uint32_t tok = 1; tok <= PS_ROUNDS; tok++)
        want += mix(tok * 3 + 1 + tok % 2);
    say("pollselect: %ld replies, %ld handled, hash %s; idle poll %d, select at EOF %d", replies, handled,
        hash == want ? "right" : "WRONG", idle_n, eof_ready);
}

// ---------------------------------------------------------------- O_APPEND: threads and processes, one file
// 4 threads and 4 processes append records of different lengths, through write and writev.
// No record may be lost, torn or interleaved with another: each line carries its writer,
// sequence number and its own checksum, and a writer's lines must come in its order.
#define AP_FILE tmp_path("append")
#define AP_WRITERS 8
#define AP_RECS 400

static int ap_record(char *buf, int w, int i)
{
    int pad = (int)(mix(w * 1000 + i) % 90);
    char body[128];
    memset(body, 'a' + (w + i) % 26, pad);
    body[pad] = 0;
    uint32_t sum = (uint32_t)mix((uint64_t)w << 20 | i);
    return sprintf(buf, "w%d s%04d %08x %s\n", w, i, sum, body);
}

static void ap_writer(int w)
{
    int fd = open(AP_FILE, O_WRONLY | O_APPEND | O_CREAT, 0644);
    must(fd >= 0, "open O_APPEND");
    for (int i = 0; i < AP_RECS; i++) {
        char buf[160];
        int n = ap_record(buf, w, i);
        if (i % 2) {             // writev: two halves, still one record
            struct iovec iov[2] = { { buf, n / 2 }, { buf + n / 2, n - n / 2 } };
            must(writev(fd, iov, 2) == n, "writev");
        } else {
            must(write(fd, buf, n) == n, "write");
        }
    }
    close(fd);
}

static void *ap_thread(void *arg)
{
    ap_writer((int)(long)arg);
    return NULL;
}

static void case_append(void)
{
    unlink(AP_FILE);
    int fd = open(AP_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    must(fd >= 0, "create");
    close(fd);
    for (int p = 4; p < AP_WRITERS; p++) {
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0) {
            ap_writer(p);
            _exit(0);
        }
    }
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(ap_thread, (void *)i);
    for (int i = 0; i < 4; i++)
        join(t[i]);
    int bad_exit = 0;
    reap_all(AP_WRITERS - 4, &bad_exit);
    struct stat st;
    must(stat(AP_FILE, &st) == 0, "stat");
    char *all = malloc(st.st_size + 1);
    fd = open(AP_FILE, O_RDONLY);
    long got = 0, n;
    while ((n = read(fd, all + got, st.st_size - got)) > 0)
        got += n;
    close(fd);
    all[got] = 0;
    long want_bytes = 0;
    int next[AP_WRITERS] = { 0 }, bad = 0, lines = 0;
    char want[160];
    for (int w = 0; w < AP_WRITERS; w++)
        for (int i = 0; i < AP_RECS; i++)
            want_bytes += ap_record(want, w, i);
    for (char *line = all; *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        int w = -1, i = -1;
        if (sscanf(line, "w%d s%d", &w, &i) == 2 && w >= 0 && w < AP_WRITERS && i == next[w]) {
            int len = ap_record(want, w, i);
            if (len == nl + 1 - line && memcmp(want, line, len) == 0)
                next[w]++;
            else
                bad++;
        } else {
            bad++;
        }
        lines++;
        line = nl + 1;
    }
    int complete = 0;
    for (int w = 0; w < AP_WRITERS; w++)
        complete += next[w] == AP_RECS;
    say("append: %d lines, size %s, %d writers complete and in order, %d bad lines, writers exit 0: %s", lines,
        got == want_bytes && st.st_size == want_bytes ? "right" : "WRONG", complete, bad, bad_exit ? "no" : "yes");
    unlink(AP_FILE);
    free(all);
}

// ---------------------------------------------------------------- files: threads write, one reads
// 6 threads each write a file of their own in chunks of changing sizes, with lseek holes
// filled afterwards; then the main thread reads each back, and 4 threads read one file at
// once through one shared descriptor with pread.
#define FL_THREADS 6
#define FL_SIZE (96 * 1024)

static unsigned char fl_byte(int t, long off)
{
    return (unsigned char)(mix((uint64_t)t << 40 | (uint64_t)off) >> 7);
}

static void *fl_writer(void *arg)
{
    int t = (int)(long)arg;
    char path[80];
    snprintf(path, sizeof path, "%s%d", tmp_path("f"), t);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    must(fd >= 0, "open");
    static __thread unsigned char buf[8192];
    // First pass: every odd 4 KiB block, leaving holes; second pass fills the even ones.
    for (int pass = 0; pass < 2; pass++)
        for (long blk = 1 - pass; blk * 4096 < FL_SIZE; blk += 2) {
            long off = blk * 4096;
            for (int i = 0; i < 4096; i++)
                buf[i] = fl_byte(t, off + i);
            must(lseek(fd, off, SEEK_SET) == off, "lseek");
            int chunk = 1 + (int)(mix(t + blk) % 4096);   // one block in two writes
            must(write(fd, buf, chunk) == chunk, "write");
            if (chunk < 4096)
                must(write(fd, buf + chunk, 4096 - chunk) == 4096 - chunk, "write");
        }
    close(fd);
    return NULL;
}

static int fl_pread_fd;
static void *fl_preader(void *arg)
{
    long k = (long)arg, bad = 0;
    unsigned char buf[1000];
    for (long off = k * 1000; off + 1000 <= FL_SIZE; off += 4000) {
        if (pread(fl_pread_fd, buf, 1000, off) != 1000)
            bad++;
        else
            for (int i = 0; i < 1000; i++)
                bad += buf[i] != fl_byte(0, off + i);
    }
    return (void *)bad;
}

static void case_files(void)
{
    pthread_t t[FL_THREADS];
    for (long i = 0; i < FL_THREADS; i++)
        t[i] = spawn(fl_writer, (void *)i);
    for (int i = 0; i < FL_THREADS; i++)
        join(t[i]);
    int good = 0;
    for (int i = 0; i < FL_THREADS; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s%d", tmp_path("f"), i);
        int fd = open(path, O_RDONLY);
        struct stat st;
        must(fd >= 0 && fstat(fd, &st) == 0, "open for reading");
        unsigned char buf[3000];
        long off = 0, n, bad = 0;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            for (long j = 0; j < n; j++, off++)
                bad += buf[j] != fl_byte(i, off);
        close(fd);
        good += bad == 0 && off == FL_SIZE && st.st_size == FL_SIZE;
    }
    fl_pread_fd = open(tmp_path("f0"), O_RDONLY);
    must(fl_pread_fd >= 0, "open");
    pthread_t r[4];
    for (long k = 0; k < 4; k++)
        r[k] = spawn(fl_preader, (void *)k);
    long bad = 0;
    for (int k = 0; k < 4; k++)
        bad += (long)join(r[k]);
    long pos = lseek(fl_pread_fd, 0, SEEK_CUR);
    close(fl_pread_fd);
    for (int i = 0; i < FL_THREADS; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s%d", tmp_path("f"), i);
        unlink(path);
    }
    say("files: %d of %d files read back whole; 4 pread threads: %ld bad bytes, shared offset still %ld", good,
        FL_THREADS, bad, pos);
}

// ---------------------------------------------------------------- sigwait: a signal thread, senders elsewhere
// All threads block four standard signals and four real-time ones; one thread takes them
// with sigwaitinfo while two more keep busy. Four child processes each send their own
// real-time signal with a value (sigqueue) and their own standard signal (kill), one at a
// time: each waits for the acknowledgement before the next, so no two instances of one
// signal are ever pending (whether they queue is case rtqueue's business). Every signal
// must arrive once, with its sender, code and value.
#define SW_KIDS 4
#define SW_ROUNDS 30
static int sw_ack[SW_KIDS][2];
static pid_t sw_pid[SW_KIDS];
static const int sw_std[SW_KIDS] = { SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH };

static void sw_set(sigset_t *s)
{
    sigemptyset(s);
    for (int k = 0; k < SW_KIDS; k++) {
        sigaddset(s, sw_std[k]);
        sigaddset(s, SIGRTMIN + k);
    }
}

static void *sw_thread(void *arg)
{
    (void)arg;
    sigset_t s;
    sw_set(&s);
    long rt = 0, std = 0, bad = 0;
    uint64_t values = 0;
    while (rt + std < 2 * SW_KIDS * SW_ROUNDS) {
        siginfo_t si;
        int sig = sigwaitinfo(&s, &si);
        if (sig < 0 && errno == EINTR)
            continue;
        must(sig > 0, "sigwaitinfo");
        int kid = -1;
        for (int k = 0; k < SW_KIDS; k++)
            if (si.si_pid == sw_pid[k])
                kid = k;
        if (kid < 0 || si.si_signo != sig) {
            bad++;
            continue;
        }
        if (sig < SIGRTMIN) {
            std++;
            bad += si.si_code != SI_USER || sig != sw_std[kid];
        } else {
            rt++;
            bad += si.si_code != SI_QUEUE || sig != SIGRTMIN + kid || si.si_value.sival_int / 1000 != kid;
            values += mix(si.si_value.sival_int);
        }
        must(write(sw_ack[kid][1], "a", 1) == 1, "ack");
    }
    // Nothing more is pending: a short sigtimedwait times out.
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    int late;
    while ((late = sigtimedwait(&s, NULL, &ts)) < 0 && errno == EINTR)
        ;   // seen once on Linux too, when a child's exit raced with the wait
    say("sigwait: %ld queued signals, %ld standard ones, values %016llx, %ld wrong, then sigtimedwait %s", rt, std,
        (unsigned long long)values, bad, late < 0 ? errname(errno) : "got one");
    return NULL;
}

static atomic_int sw_stop;
static void *sw_busy(void *arg)
{
    (void)arg;
    for (volatile uint64_t x = 0; !sw_stop; x += mix(x))
        if (x % 16 == 0)
            sched_yield();
    return NULL;
}

static void sw_child(int k, pid_t parent)
{
    for (int i = 0; i < SW_ROUNDS; i++) {
        char c;
        union sigval val = { .sival_int = k * 1000 + i };
        must(sigqueue(parent, SIGRTMIN + k, val) == 0, "sigqueue");
        must(read(sw_ack[k][0], &c, 1) == 1, "wait for ack");
        must(kill(parent, sw_std[k]) == 0, "kill");
        must(read(sw_ack[k][0], &c, 1) == 1, "wait for ack");
    }
    _exit(0);
}

static void case_sigwait(void)
{
    sigset_t s;
    sw_set(&s);
    pthread_sigmask(SIG_BLOCK, &s, NULL);   // before any thread: they all inherit it
    for (int k = 0; k < SW_KIDS; k++)
        must(pipe(sw_ack[k]) == 0, "pipe");
    pid_t parent = getpid();
    for (int k = 0; k < SW_KIDS; k++) {
        sw_pid[k] = fork();
        must(sw_pid[k] >= 0, "fork");
        if (sw_pid[k] == 0)
            sw_child(k, parent);
    }
    // Two other threads keep busy meanwhile; they block the signals too, so may take none.
    pthread_t w = spawn(sw_thread, NULL), b[2];
    for (int i = 0; i < 2; i++)
        b[i] = spawn(sw_busy, NULL);
    join(w);
    sw_stop = 1;
    for (int i = 0; i < 2; i++)
        join(b[i]);
    int bad = 0;
    reap_all(SW_KIDS, &bad);
    sigset_t pend;
    sigpending(&pend);
    int left = 0;
    for (int sig = 1; sig < 65; sig++)
        left += sigismember(&pend, sig) == 1;
    say("sigwait: senders exit 0: %s, still pending %d", bad ? "no" : "yes", left);
}

// ---------------------------------------------------------------- affinity: pinned threads stay put
// Each thread k < min(2, CPUs we may use) pins itself to CPU k, then checks, while working
// and yielding, that it runs there; a fork inherits the pin; bad masks get EINVAL.
static atomic_int af_wrong, af_checks;

static void *af_thread(void *arg)
{
    long k = (long)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(k, &set);
    must(sched_setaffinity(0, sizeof set, &set) == 0, "sched_setaffinity");
    volatile uint64_t x = 0;
    for (int i = 0; i < 300; i++) {
        for (int j = 0; j < 2000; j++)
            x += mix(j);
        af_wrong += sched_getcpu() != k;
        af_checks++;
        if (i % 3 == 0)
            sched_yield();
        if (i % 50 == 0)
            sleep_us(200);
    }
    (void)x;
    cpu_set_t got;
    must(sched_getaffinity(0, sizeof got, &got) == 0, "sched_getaffinity");
    af_wrong += !CPU_EQUAL(&got, &set);
    if (k == 0) {   // a child of a pinned thread is pinned too
        pid_t p = fork();
        must(p >= 0, "fork");
        if (p == 0) {
            cpu_set_t c;
            _exit(sched_getaffinity(0, sizeof c, &c) == 0 && CPU_EQUAL(&c, &set) && sched_getcpu() == 0 ? 0 : 1);
        }
        int st;
        waitpid(p, &st, 0);
        af_wrong += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    return NULL;
}

static void case_affinity(void)
{
    cpu_set_t all;
    must(sched_getaffinity(0, sizeof all, &all) == 0, "sched_getaffinity");
    int n = 0;
    while (n < 2 && CPU_ISSET(n, &all))
        n++;
    pthread_t t[2];
    for (long k = 0; k < n; k++)
        t[k] = spawn(af_thread, (void *)k);
    for (int k = 0; k < n; k++)
        join(t[k]);
    // Errors: an empty mask, and a mask of CPUs that do not exist.
    cpu_set_t bad;
    CPU_ZERO(&bad);
    int e1 = sched_setaffinity(0, sizeof bad, &bad) < 0 ? errno : 0;
    CPU_SET(1000, &bad);
    int e2 = sched_setaffinity(0, sizeof bad, &bad) < 0 ? errno : 0;
    cpu_set_t now;
    must(sched_getaffinity(0, sizeof now, &now) == 0, "sched_getaffinity");
    say("affinity: pinned threads ran where pinned: %s (%s checks); empty mask %s, no such CPU %s, mask kept: %s",
        af_wrong ? "no" : "yes", af_checks == n * 300 ? "all" : "not all", errname(e1), errname(e2),
        CPU_EQUAL(&now, &all) ? "yes" : "no");
}

// ---------------------------------------------------------------- yield: storms and strict turns
#define YS_THREADS 8
#define YS_YIELDS 1500
#define YS_TURNS 400
static atomic_long ys_count;
static atomic_int ys_turn;
static long ys_order_bad;

static void *ys_storm(void *arg)
{
    (void)arg;
    for (int i = 0; i < YS_YIELDS; i++) {
        must(sched_yield() == 0, "sched_yield");
        ys_count++;
    }
    return NULL;
}

// Four threads take turns strictly: thread i moves only when turn % 4 == i, yielding while
// it waits (on one CPU, only yield lets the others run before the time slice ends).
static void *ys_taker(void *arg)
{
    int me = (int)(long)arg;
    for (int k = 0; k < YS_TURNS / 4; k++) {
        int t;
        while ((t = atomic_load(&ys_turn)) % 4 != me)
            sched_yield();
        if (t / 4 != k)
            ys_order_bad++;
        atomic_store(&ys_turn, t + 1);
    }
    return NULL;
}

static void case_yield(void)
{
    pthread_t t[YS_THREADS], q[4];
    for (long i = 0; i < YS_THREADS; i++)
        t[i] = spawn(ys_storm, NULL);
    for (long i = 0; i < 4; i++)
        q[i] = spawn(ys_taker, (void *)i);
    for (int i = 0; i < YS_THREADS; i++)
        join(t[i]);
    for (int i = 0; i < 4; i++)
        join(q[i]);
    say("yield: %ld yields in %d threads, %d strict turns, %ld out of order", (long)ys_count, YS_THREADS,
        (int)ys_turn, ys_order_bad);
}

// ---------------------------------------------------------------- shm: MAP_SHARED anonymous memory
// Four processes share an anonymous mapping: lock-free counters, a process-shared mutex
// guarding a pair that must stay equal, and a process-shared semaphore as a start gate.
struct shm_area {
    atomic_long counter;
    atomic_long max_seen;
    pthread_mutex_t lock;
    long a, b;
    long torn;
    sem_t gate;
    long slots[4][64];     // each process its own row
};

static void shm_child(struct shm_area *s, int p)
{
    while (sem_wait(&s->gate) != 0)
        ;
    for (int i = 0; i < 15000; i++) {
        long v = atomic_fetch_add(&s->counter, 1) + 1;
        long m = atomic_load(&s->max_seen);
        while (v > m && !atomic_compare_exchange_weak(&s->max_seen, &m, v))
            ;
        if (i % 8 == 0) {
            pthread_mutex_lock(&s->lock);
            if (s->a != s->b)
                s->torn++;
            s->a++;
            sched_yield();    // hold it a while: others must wait, not walk in
            s->b++;
            pthread_mutex_unlock(&s->lock);
        }
        s->slots[p][i % 64] += i;
    }
    _exit(0);
}

static void case_shm(void)
{
    struct shm_area *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(s != MAP_FAILED, "mmap");
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    must_rc(pthread_mutex_init(&s->lock, &ma), "mutex_init");
    must(sem_init(&s->gate, 1, 0) == 0, "sem_init");
    for (int p = 0; p < 4; p++) {
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0)
            shm_child(s, p);
    }
    for (int p = 0; p < 4; p++)
        sem_post(&s->gate);
    int bad = 0;
    reap_all(4, &bad);
    uint64_t h = 0;
    for (int p = 0; p < 4; p++)
        for (int i = 0; i < 64; i++)
            h += mix(s->slots[p][i] + p);
    say("shm: counter %ld, max %ld, pair %ld %ld, torn %ld, rows hash %016llx, children exit 0: %s",
        (long)s->counter, (long)s->max_seen, s->a, s->b, s->torn, (unsigned long long)h, bad ? "no" : "yes");
    munmap(s, sizeof *s);
}

// ---------------------------------------------------------------- mapfile: a shared file mapping, many writers
// Four processes map one file MAP_SHARED; each fills its quarter through the mapping, and
// bumps counters in the header page with atomics. Then the parent reads the file with
// read(), and a write() of its own must show in a fresh mapping.
#define MF_FILE tmp_path("map")
#define MF_QUARTER (6 * 4096)
#define MF_SIZE (4096 + 4 * MF_QUARTER)

static unsigned char mf_byte(int p, long off)
{
    return (unsigned char)(mix((uint64_t)p * 77777 + off) >> 11);
}

static void case_mapfile(void)
{
    unlink(MF_FILE);
    int fd = open(MF_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
    must(fd >= 0, "open");
    must(ftruncate(fd, MF_SIZE) == 0, "ftruncate");
    for (int p = 0; p < 4; p++) {
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0) {
            unsigned char *m = mmap(NULL, MF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            must(m != MAP_FAILED, "mmap");
            atomic_int *hits = (atomic_int *)m;
            unsigned char *q = m + 4096 + p * MF_QUARTER;
            for (long i = 0; i < MF_QUARTER; i++) {
                q[i] = mf_byte(p, i);
                if (i % 64 == 0)
                    atomic_fetch_add(&hits[1 + i / 64 % 8], 1);
            }
            must(msync(m, MF_SIZE, MS_SYNC) == 0, "msync");
            _exit(0);
        }
    }
    int bad = 0;
    reap_all(4, &bad);
    unsigned char *all = malloc(MF_SIZE);
    must(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    long got = 0, n;
    while (got < MF_SIZE && (n = read(fd, all + got, MF_SIZE - got)) > 0)
        got += n;
    long wrong = 0;
    for (int p = 0; p < 4; p++)
        for (long i = 0; i < MF_QUARTER; i++)
            wrong += all[4096 + p * MF_QUARTER + i] != mf_byte(p, i);
    int hits[9];
    memcpy(hits, all, sizeof hits);
    long hsum = 0;
    for (int k = 1; k < 9; k++)
        hsum += hits[k];
    // And the other way: a write() now is seen by a fresh mapping.
    must(lseek(fd, 4096, SEEK_SET) == 4096 && write(fd, "lantern", 7) == 7, "write");
    char *m = mmap(NULL, MF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    must(m != MAP_FAILED, "mmap");
    int seen = memcmp(m + 4096, "lantern", 7) == 0;
    munmap(m, MF_SIZE);
    close(fd);
    unlink(MF_FILE);
    say("mapfile: read %ld bytes, %ld wrong, header counters %ld (first %d), write seen by mmap: %s, exit 0: %s",
        got, wrong, hsum, hits[1], seen ? "yes" : "no", bad ? "no" : "yes");
    free(all);
}

// ---------------------------------------------------------------- robust: a process-shared robust mutex
// A process takes the lock and is killed holding it; three more processes contend for it:
// exactly one of them learns EOWNERDEAD, makes it consistent, and all finish their work.
struct rb_area {
    pthread_mutex_t lock;
    long count;
    atomic_int owner_dead;
    atomic_int other_err;
};

static void case_robust(void)
{
    struct rb_area *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(r != MAP_FAILED, "mmap");
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    must_rc(pthread_mutex_init(&r->lock, &ma), "mutex_init");
    int ready[2];
    must(pipe(ready) == 0, "pipe");
    pid_t victim = fork();
    must(victim >= 0, "fork");
    if (victim == 0) {
        pthread_mutex_lock(&r->lock);
        r->count = 1000;
        must(write(ready[1], "h", 1) == 1, "ready");
        for (;;)
            pause();
    }
    char c;
    must(read(ready[0], &c, 1) == 1, "ready");
    for (int p = 0; p < 3; p++) {     // they block on the held lock, on other CPUs
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0) {
            for (int i = 0; i < 500; i++) {
                int rc = pthread_mutex_lock(&r->lock);
                if (rc == EOWNERDEAD) {
                    r->owner_dead++;
                    pthread_mutex_consistent(&r->lock);
                } else if (rc != 0) {
                    r->other_err++;
                    _exit(1);
                }
                r->count++;
                pthread_mutex_unlock(&r->lock);
            }
            _exit(0);
        }
    }
    sleep_us(20000);
    kill(victim, SIGKILL);
    int st;
    waitpid(victim, &st, 0);
    int bad = 0;
    reap_all(3, &bad);
    int rc = pthread_mutex_trylock(&r->lock);
    say("robust: killed holder %s, owner-dead seen %d, count %ld, errors %d, exit 0: %s, then trylock %s",
        WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no", (int)r->owner_dead, r->count,
        (int)r->other_err, bad ? "no" : "yes", errname(rc));
    munmap(r, sizeof *r);
}

// ---------------------------------------------------------------- sleep: many sleepers at once
// 16 threads sleep in short steps with nanosleep and clock_nanosleep (relative, absolute,
// CLOCK_REALTIME); none may return early or fail. One more sleeps 10 s and is woken by a
// signal: EINTR with the time left. Then the errors.
#define SL_THREADS 16
#define SL_STEPS 12
static atomic_int sl_early, sl_fail;
static volatile int sl_handled;

static void sl_on_usr2(int sig)
{
    (void)sig;
    sl_handled++;
}

static void *sl_thread(void *arg)
{
    long t = (long)arg;
    for (int i = 0; i < SL_STEPS; i++) {
        long ns = 100000 + 50000 * ((t + i) % 5);
        long long start = mono_ns();
        struct timespec ts = { 0, ns };
        int rc;
        switch ((t + i) % 4) {
        case 0:
            rc = nanosleep(&ts, NULL) == 0 ? 0 : errno;
            break;
        case 1:
            rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
            break;
        case 2: {
            struct timespec at;
            clock_gettime(CLOCK_MONOTONIC, &at);
            at.tv_nsec += ns;
            if (at.tv_nsec >= 1000000000)
                at.tv_sec++, at.tv_nsec -= 1000000000;
            rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
            break;
        }
        default:
            rc = clock_nanosleep(CLOCK_REALTIME, 0, &ts, NULL);
        }
        sl_fail += rc != 0;
        sl_early += mono_ns() - start < ns;
    }
    return NULL;
}

static atomic_int sl_long_started;
static void *sl_long(void *arg)
{
    (void)arg;
    struct timespec ts = { 10, 0 }, rem = { 0, 0 };
    sl_long_started = 1;
    int rc = nanosleep(&ts, &rem);
    int e = errno;
    return (void *)(long)(rc == -1 && e == EINTR && rem.tv_sec < 10 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
}

static void case_sleep(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sl_on_usr2;     // no SA_RESTART: the sleep returns EINTR
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t lt = spawn(sl_long, NULL);
    pthread_t t[SL_THREADS];
    for (long i = 0; i < SL_THREADS; i++)
        t[i] = spawn(sl_thread, (void *)i);
    for (int i = 0; i < SL_THREADS; i++)
        join(t[i]);
    while (!sl_long_started)
        sleep_us(1000);
    sleep_us(20000);
    pthread_kill(lt, SIGUSR2);
    long interrupted = (long)join(lt);
    struct timespec bad = { 0, 1000000000 }, neg = { -1, 0 };
    int e1 = nanosleep(&bad, NULL) < 0 ? errno : 0;
    int e2 = nanosleep(&neg, NULL) < 0 ? errno : 0;
    struct timespec ok = { 0, 1000 };
    int e3 = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ok, NULL);
    int e4 = clock_nanosleep(12345, 0, &ok, NULL);
    int e5 = clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL);
    say("sleep: %d sleeps, %d failed, %d early; a long sleep interrupted with time left: %s (handler ran %d)",
        SL_THREADS * SL_STEPS, (int)sl_fail, (int)sl_early, interrupted ? "yes" : "no", sl_handled);
    say("sleep: errors: tv_nsec 1e9 %s, negative %s, thread CPU clock %s, clock 12345 %s, clock_nanosleep 1e9 %s",
        errname(e1), errname(e2), errname(e3), errname(e4), errname(e5));
}

// ---------------------------------------------------------------- spawn: posix_spawn from four threads at once
// glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK), musl's too: the child borrows the
// parent's memory while the parent's other threads keep running. 4 threads x 12 children,
// each exec'ing this program, which exits with a code made of its arguments.
extern char **environ;
static char *self_path;

static void *sp_thread(void *arg)
{
    long t = (long)arg, sum = 0;
    for (int i = 0; i < 12; i++) {
        char code[16];
        snprintf(code, sizeof code, "%ld", t * 12 + i);
        char *argv[] = { self_path, "--exit", code, NULL };
        pid_t pid;
        int rc = posix_spawn(&pid, self_path, NULL, NULL, argv, environ);
        if (rc != 0)
            return (void *)-1L;
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
            return (void *)-1L;
        sum += WEXITSTATUS(st);
    }
    return (void *)sum;
}

static pid_t sp_child;
static void *sp_reaper(void *arg)
{
    return (void *)(long)waitpid(sp_child, (int *)arg, 0);
}

static void case_spawn(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(sp_thread, (void *)i);
    long sum = 0;
    for (int i = 0; i < 4; i++)
        sum += (long)join(t[i]);
    // A child of one thread may be reaped by another (children belong to the process).
    pid_t pid = sp_child = fork();
    must(pid >= 0, "fork");
    if (pid == 0)
        _exit(42);
    int st = 0;
    pid_t got = (pid_t)(long)join(spawn(sp_reaper, &st));
    char *argv[] = { "/nonexistent/x", NULL };
    pid_t p2;
    int e = posix_spawn(&p2, argv[0], NULL, NULL, argv, environ);
    int st2 = 0;
    if (e == 0)   // older glibc and musl report a failed exec as exit status 127
        waitpid(p2, &st2, 0), e = WIFEXITED(st2) && WEXITSTATUS(st2) == 127 ? ENOENT : -1;
    say("spawn: 48 children from 4 threads, exit codes sum %ld; reaped by another thread: %s status %d; "
        "missing program %s", sum, got == pid ? "yes" : "no", WEXITSTATUS(st), e == ENOENT ? "ENOENT" : "other");
}

// ---------------------------------------------------------------- exitblocked: exit while threads sleep in the kernel
// A process whose threads are blocked in read, futex, nanosleep, epoll_wait, sigwaitinfo,
// pause, poll, a pipe write and waitpid calls exit(7) from main: it must end at once,
// with status 7; then a thread calls exit_group. (exitspin: the threads spin instead.)
static int xb_pipe[2], xb_full[2], xb_ep;
static pthread_mutex_t xb_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t xb_c = PTHREAD_COND_INITIALIZER;
static atomic_int xb_ready;

static void *xb_blocker(void *arg)
{
    long kind = (long)arg;
    char c;
    xb_ready++;
    switch (kind) {
    case 0: read(xb_pipe[0], &c, 1); break;
    case 1: pthread_mutex_lock(&xb_m); for (;;) pthread_cond_wait(&xb_c, &xb_m);
    case 2: sleep_us(100 * 1000000L); break;
    case 3: { struct epoll_event ev; epoll_wait(xb_ep, &ev, 1, -1); break; }
    case 4: { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1); siginfo_t si; sigwaitinfo(&s, &si); break; }
    case 5: pause(); break;
    case 6: { struct pollfd pf = { xb_pipe[0], POLLIN, 0 }; poll(&pf, 1, -1); break; }
    case 7: { static char big[65536 * 2]; write(xb_full[1], big, sizeof big); break; }
    case 8: waitpid(-1, NULL, 0); break;
    default: for (;;) ;
    }
    return NULL;
}

static void *xb_exiter(void *arg)
{
    (void)arg;
    syscall(SYS_exit_group, 9);
    return NULL;
}

static void xb_process(int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    must(pipe(xb_pipe) == 0 && pipe(xb_full) == 0, "pipe");
    must((xb_ep = epoll_create1(0)) >= 0, "epoll_create1");
    if (fork() == 0) {          // for the waitpid blocker: a child that outlives us
        sleep_us(3 * 1000000L);
        _exit(0);
    }
    int n = how == 1 ? 4 : 9;
    for (long k = 0; k < n; k++)
        spawn(xb_blocker, (void *)(how == 1 ? 9 : k));
    while (xb_ready < n)
        sleep_us(1000);
    sleep_us(20000);            // let them get into their sleeps
    if (how == 2)
        spawn(xb_exiter, NULL);
    else
        exit(7);
    for (;;)
        pause();
}

static void exit_and_time(int how)
{
    const char *what[] = { "threads blocked in 9 calls", "4 threads spinning", "exit_group from a thread" };
    {
        long long start = mono_ns();
        pid_t pid = fork();
        must(pid >= 0, "fork");
        if (pid == 0)
            xb_process(how);
        int st;
        must(waitpid(pid, &st, 0) == pid, "waitpid");
        long ms = (long)((mono_ns() - start) / 1000000);
        say("%s: %s: exit status %d, ended within 2 s: %s", how == 1 ? "exitspin" : "exitblocked", what[how],
            WIFEXITED(st) ? WEXITSTATUS(st) : -1, ms < 2000 ? "yes" : "no");
    }
}

static void case_exitblocked(void)
{
    exit_and_time(0);
    exit_and_time(2);
}

// The same with the threads spinning in user mode: a finding since main's commit 32e453d
// (wakeup preemption): at -smp 1 the process never ends, at -smp 2 it takes 3 to 48 s.
static void case_exitspin(void)
{
    exit_and_time(1);
}

// ---------------------------------------------------------------- stopcont: stopping a threaded process
// A child with four counting threads is stopped and continued 15 times; every stop and
// continue is reported to waitpid (WUNTRACED, WCONTINUED); once waitpid has reported the
// stop, no thread's counter moves (the whole group has stopped); after the continue,
// every counter moves again. Then the threads are told to finish and the child exits 0.
struct sc_area {
    atomic_long count[4];
    atomic_int finish;
};

static struct sc_area *sc;
static void *sc_counter(void *arg)
{
    long k = (long)arg;
    while (!sc->finish)
        if ((atomic_fetch_add(&sc->count[k], 1) & 1023) == 0)
            sched_yield();
    return NULL;
}

// Every thread's counter has moved since *snap (waits up to 10 s).
static int sc_all_moved(const long *snap)
{
    for (long long end = mono_ns() + 10000000000LL; mono_ns() < end; sleep_us(500)) {
        int moved = 0;
        for (int k = 0; k < 4; k++)
            moved += sc->count[k] != snap[k];
        if (moved == 4)
            return 1;
    }
    return 0;
}

static long sc_total(void)
{
    return sc->count[0] + sc->count[1] + sc->count[2] + sc->count[3];
}

static void case_stopcont(void)
{
    sc = mmap(NULL, sizeof *sc, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(sc != MAP_FAILED, "mmap");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        pthread_t t[4];
        for (long k = 0; k < 4; k++)
            t[k] = spawn(sc_counter, (void *)k);
        for (int k = 0; k < 4; k++)
            join(t[k]);
        _exit(0);
    }
    int stops = 0, conts = 0, frozen = 0, resumed = 0;
    long snap[4] = { 0, 0, 0, 0 };
    for (int r = 0; r < 15; r++) {
        sc_all_moved(snap);
        int st;
        kill(pid, SIGSTOP);
        if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st))
            stops++;
        long a = sc_total();
        sleep_us(3000);
        frozen += sc_total() == a;
        for (int k = 0; k < 4; k++)
            snap[k] = sc->count[k];
        kill(pid, SIGCONT);
        if (waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st))
            conts++;
        resumed += sc_all_moved(snap);
    }
    sc->finish = 1;
    int st;
    must(waitpid(pid, &st, 0) == pid, "waitpid");
    say("stopcont: stopped %d, continued %d, frozen while stopped %d of 15, all threads ran again %d of 15, "
        "exit %d", stops, conts, frozen, resumed, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

// ---------------------------------------------------------------- condtimed: timed waits that time out and that do not
// 8 threads wait on one condition variable (CLOCK_MONOTONIC) with short deadlines, in a
// loop; a producer posts 400 items, signalling or broadcasting. Each item is taken once;
// timeouts are allowed (their count varies) but every wait returns 0 or ETIMEDOUT.
static pthread_mutex_t ct_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_c;
static int ct_items, ct_done;
static atomic_int ct_taken, ct_bad;

static void *ct_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ct_m);
    for (;;) {
        while (ct_items == 0 && !ct_done) {
            struct timespec at;
            clock_gettime(CLOCK_MONOTONIC, &at);
            at.tv_nsec += 300000;
            if (at.tv_nsec >= 1000000000)
                at.tv_sec++, at.tv_nsec -= 1000000000;
            int rc = pthread_cond_timedwait(&ct_c, &ct_m, &at);
            ct_bad += rc != 0 && rc != ETIMEDOUT;
        }
        if (ct_items == 0)
            break;
        ct_items--;
        ct_taken++;
    }
    pthread_mutex_unlock(&ct_m);
    return NULL;
}

static void case_condtimed(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ct_c, &ca);
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        t[i] = spawn(ct_waiter, NULL);
    for (int i = 0; i < 400; i++) {
        pthread_mutex_lock(&ct_m);
        ct_items++;
        if (i % 3 == 0)
            pthread_cond_broadcast(&ct_c);
        else
            pthread_cond_signal(&ct_c);
        pthread_mutex_unlock(&ct_m);
        if (i % 16 == 0)
            sleep_us(200);
    }
    pthread_mutex_lock(&ct_m);
    ct_done = 1;
    pthread_cond_broadcast(&ct_c);
    pthread_mutex_unlock(&ct_m);
    for (int i = 0; i < 8; i++)
        join(t[i]);
    struct timespec past = { 0, 0 };
    pthread_mutex_lock(&ct_m);
    int rc = pthread_cond_timedwait(&ct_c, &ct_m, &past);
    pthread_mutex_unlock(&ct_m);
    say("condtimed: %d items taken, %d bad returns, a deadline in the past: %s", (int)ct_taken, (int)ct_bad,
        rc == ETIMEDOUT ? "ETIMEDOUT" : "other");
}

// ---------------------------------------------------------------- evsem: an EFD_SEMAPHORE eventfd as a work counter
// 4 producer threads add 1..3 at a time, 4 consumers read (1 each) with blocking reads;
// every unit is taken exactly once; then a non-blocking read of the empty counter.
static int es_fd;
static atomic_long es_taken;
static void *es_producer(void *arg)
{
    long t = (long)arg;
    for (int i = 0; i < 500; i++) {
        uint64_t v = 1 + (t + i) % 3;
        must(write(es_fd, &v, 8) == 8, "eventfd write");
    }
    return NULL;
}

static void *es_consumer(void *arg)
{
    long want = (long)arg;
    for (long i = 0; i < want; i++) {
        uint64_t v;
        must(read(es_fd, &v, 8) == 8 && v == 1, "semaphore read");
        es_taken++;
    }
    return NULL;
}

static void case_evsem(void)
{
    must((es_fd = eventfd(0, EFD_SEMAPHORE)) >= 0, "eventfd");
    long total = 0;
    for (long t = 0; t < 4; t++)
        for (int i = 0; i < 500; i++)
            total += 1 + (t + i) % 3;
    pthread_t p[4], c[4];
    for (long i = 0; i < 4; i++)
        c[i] = spawn(es_consumer, (void *)(total / 4 + (i == 3 ? total % 4 : 0)));
    for (long i = 0; i < 4; i++)
        p[i] = spawn(es_producer, (void *)i);
    for (int i = 0; i < 4; i++)
        join(p[i]), join(c[i]);
    fcntl(es_fd, F_SETFL, O_NONBLOCK);
    uint64_t v;
    int e = read(es_fd, &v, 8) < 0 ? errno : 0;
    say("evsem: %ld units posted, %ld taken one at a time, then %s", total, (long)es_taken, errname(e));
}

// ---------------------------------------------------------------- nproc: how many CPUs, asked five ways
// Programs size their thread pools by sysconf(_SC_NPROCESSORS_ONLN) (glibc reads
// /sys/devices/system/cpu/online, then /proc/stat; musl asks sched_getaffinity), by
// get_nprocs, by /proc/cpuinfo or /proc/stat. The counts differ by machine; they must
// agree with each other (on a machine with no CPU left out of our affinity mask).
static int count_lines(const char *path, const char *prefix, int digit_after)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    size_t len = strlen(prefix);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, prefix, len) == 0 && (!digit_after || (line[len] >= '0' && line[len] <= '9')))
            n++;
    fclose(f);
    return n;
}

static void case_nproc(void)
{
    cpu_set_t set;
    must(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity");
    int aff = CPU_COUNT(&set);
    long onln = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
    int cpuinfo = count_lines("/proc/cpuinfo", "processor", 0);
    int stat = count_lines("/proc/stat", "cpu", 1);
    say("nproc: sysconf online = affinity: %s, configured >= online: %s, /proc/cpuinfo agrees: %s, "
        "/proc/stat agrees: %s", onln == aff ? "yes" : "no", conf >= onln ? "yes" : "no",
        cpuinfo == onln ? "yes" : "no", stat == onln ? "yes" : "no");
}

// ---------------------------------------------------------------- msort: threads that make threads
// A merge sort that splits into two threads down to depth 4 (up to 30 threads alive at
// once, made by threads on every CPU), over 200000 numbers.
#define MS_N 200000
static uint32_t *ms_a, *ms_tmp;
struct ms_job { long lo, hi; int depth; };

static int ms_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void *ms_sort(void *arg)
{
    struct ms_job *j = arg;
    if (j->depth == 0 || j->hi - j->lo < 2) {
        qsort(ms_a + j->lo, j->hi - j->lo, 4, ms_cmp);
        return NULL;
    }
    long mid = (j->lo + j->hi) / 2;
    struct ms_job l = { j->lo, mid, j->depth - 1 }, r = { mid, j->hi, j->depth - 1 };
    pthread_t lt = spawn(ms_sort, &l), rt = spawn(ms_sort, &r);
    join(lt);
    join(rt);
    long a = j->lo, b = mid, o = j->lo;
    while (a < mid || b < j->hi)
        ms_tmp[o++] = (b >= j->hi || (a < mid && ms_a[a] <= ms_a[b])) ? ms_a[a++] : ms_a[b++];
    memcpy(ms_a + j->lo, ms_tmp + j->lo, (j->hi - j->lo) * 4);
    return NULL;
}

static void case_msort(void)
{
    ms_a = malloc(MS_N * 4);
    ms_tmp = malloc(MS_N * 4);
    uint64_t in = 0;
    for (long i = 0; i < MS_N; i++)
        in += ms_a[i] = (uint32_t)mix(i);
    struct ms_job all = { 0, MS_N, 4 };
    join(spawn(ms_sort, &all));
    long unsorted = 0;
    uint64_t out = 0, h = 0;
    for (long i = 0; i < MS_N; i++) {
        out += ms_a[i];
        unsorted += i && ms_a[i - 1] > ms_a[i];
        if (i % 1000 == 0)
            h = mix(h ^ ms_a[i]);
    }
    say("msort: %d numbers, sum kept: %s, out of order %ld, sample hash %016llx", MS_N, in == out ? "yes" : "no",
        unsorted, (unsigned long long)h);
}

// ---------------------------------------------------------------- malloc: allocators under four threads
// Each thread allocates, fills, checks and frees blocks from 16 bytes to 256 KiB (glibc's
// per-thread arenas grow with mprotect and shrink with madvise; big blocks are their own
// mmaps); blocks also move between threads through a shared exchange of slots.
#define MA_SLOTS 256
static _Atomic(unsigned char *) ma_exchange[MA_SLOTS];
static atomic_long ma_bad;

static size_t ma_size(uint64_t r)
{
    switch (r % 8) {
    case 0:
        if (r % 32 == 0)
            return 1 + r % (256 << 10);   // large: mmap'd on its own (glibc: over 128 KiB)
        return 1 + r % 4096;
    case 1: case 2: return 1 + r % 65536;
    default: return 16 + r % 512;
    }
}

static void *ma_thread(void *arg)
{
    long t = (long)arg;
    unsigned char *mine[64] = { 0 };
    size_t sizes[64] = { 0 };
    for (int i = 0; i < 500; i++) {
        uint64_t r = mix((uint64_t)t << 32 | i);
        int k = r % 64;
        if (mine[k]) {
            for (size_t j = 0; j < sizes[k]; j += 97)
                ma_bad += mine[k][j] != (unsigned char)(k + sizes[k]);
            // Hand it to whoever takes the slot next, or free it.
            unsigned char *old = atomic_exchange(&ma_exchange[r % MA_SLOTS], (r >> 20) % 2 ? mine[k] : NULL);
            if (!((r >> 20) % 2))
                free(mine[k]);
            free(old);
        }
        sizes[k] = ma_size(r >> 8);
        mine[k] = malloc(sizes[k]);
        must(mine[k] != NULL, "malloc");
        memset(mine[k], (unsigned char)(k + sizes[k]), sizes[k]);
    }
    for (int k = 0; k < 64; k++)
        free(mine[k]);
    return NULL;
}

static void case_malloc(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(ma_thread, (void *)i);
    for (int i = 0; i < 4; i++)
        join(t[i]);
    for (int i = 0; i < MA_SLOTS; i++)
        free(ma_exchange[i]);
    say("malloc: 4 threads x 500 blocks of 16 B to 256 KiB, %ld bad bytes", (long)ma_bad);
}

// ---------------------------------------------------------------- faults: SIGSEGV in every thread at once
// Each of 4 threads writes into a PROT_NONE mapping 200 times; its handler (on the
// thread's own alternate stack) records the faulting address and siglongjmps back. Every
// fault is the thread's own: the address it touched, delivered to it.
static __thread sigjmp_buf fa_jmp;
static __thread volatile uintptr_t fa_addr;
static __thread long fa_mine, fa_wrong;
static char *fa_hole;

static void fa_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGSEGV && (uintptr_t)si->si_addr == fa_addr && si->si_code == SEGV_ACCERR)
        fa_mine++;
    else
        fa_wrong++;
    siglongjmp(fa_jmp, 1);
}

static void *fa_thread(void *arg)
{
    long t = (long)arg;
    stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0 };
    must(sigaltstack(&ss, NULL) == 0, "sigaltstack");
    for (int i = 0; i < 200; i++) {
        fa_addr = (uintptr_t)(fa_hole + ((t * 200 + i) % 16) * 4096 + i);
        if (sigsetjmp(fa_jmp, 1) == 0)
            *(volatile char *)fa_addr = 1;
    }
    long r = fa_mine * 1000 + fa_wrong;
    return (void *)r;
}

static void case_faults(void)
{
    fa_hole = mmap(NULL, 16 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    must(fa_hole != MAP_FAILED, "mmap PROT_NONE");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fa_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(fa_thread, (void *)i);
    long r[4];
    for (int i = 0; i < 4; i++)
        r[i] = (long)join(t[i]);
    say("faults: own faults per thread %ld %ld %ld %ld, wrong %ld", r[0] / 1000, r[1] / 1000, r[2] / 1000,
        r[3] / 1000, r[0] % 1000 + r[1] % 1000 + r[2] % 1000 + r[3] % 1000);
}

// ---------------------------------------------------------------- setxid: credentials in a threaded process
// setgid/setuid change every thread's credentials: glibc and musl signal each thread to
// make the call itself (SIGSETXID, __synccall). (setxidspin: two of them spin.)
static atomic_int sx_stop, sx_started;
static void *sx_thread(void *arg)
{
    long kind = (long)arg;
    sx_started++;
    if (kind == 0) {
        while (!sx_stop)
            ;
    } else {
        while (!sx_stop)
            sleep_us(500);
    }
    long ids = syscall(SYS_getuid) * 100000 + syscall(SYS_getgid) * 10 + (syscall(SYS_geteuid) == 1000);
    return (void *)ids;
}

static void setxid_with(int spinners)
{
    if (getuid() != 0) {
        say("setxid: not root: skipped");
        return;
    }
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(sx_thread, (void *)(long)(spinners ? i % 2 : 1));
    while (sx_started < 4)
        sched_yield();
    int e1 = setgid(2000) == 0 ? 0 : errno;
    int e2 = setuid(1000) == 0 ? 0 : errno;
    int e3 = setuid(0) == 0 ? 0 : errno;    // no way back
    sx_stop = 1;
    int same = 0;
    for (int i = 0; i < 4; i++)
        same += (long)join(t[i]) == 1000L * 100000 + 2000 * 10 + 1;
    say("setxid: setgid %s, setuid %s, then setuid(0) %s; threads with the new ids: %d of 4", errname(e1),
        errname(e2), errname(e3), same);
}

static void case_setxid(void)     // the four threads sleep in short steps
{
    setxid_with(0);
}

// Two of the four spin in user mode: a finding since main's commit 32e453d (wakeup
// preemption): at -smp 1 setgid never returns.
static void case_setxidspin(void)
{
    setxid_with(1);
}

// ---------------------------------------------------------------- tasks: /proc/self/task while threads come and go
// 6 threads name themselves (pthread_setname_np), then the main thread lists
// /proc/self/task and reads every comm; the names, sorted, must be those given.
static atomic_int tk_named, tk_stop;
static void *tk_thread(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    tk_named++;
    while (!tk_stop)
        sleep_us(1000);
    return NULL;
}

static int tk_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void case_tasks(void)
{
    pthread_t t[6];
    for (long i = 0; i < 6; i++)
        t[i] = spawn(tk_thread, (void *)i);
    while (tk_named < 6)
        sleep_us(1000);
    pthread_setname_np(pthread_self(), "main-thread");
    char names[16][16];
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    must(d != NULL, "opendir /proc/self/task");
    struct dirent *e;
    while ((e = readdir(d)) && n < 16) {
        if (e->d_name[0] == '.')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        int fd = open(path, O_RDONLY);
        long len = fd >= 0 ? read(fd, names[n], 15) : -1;
        if (fd >= 0)
            close(fd);
        names[n][len > 0 ? len - 1 : 0] = 0;   // without the newline
        n++;
    }
    closedir(d);
    tk_stop = 1;
    for (int i = 0; i < 6; i++)
        join(t[i]);
    qsort(names, n, 16, tk_cmp);
    char all[300] = "";
    for (int i = 0; i < n; i++)
        strcat(all, names[i]), strcat(all, i + 1 < n ? "," : "");
    say("tasks: %d threads: %s", n, all);
}

// ---------------------------------------------------------------- stopspin: a stopped process runs no thread
static void *ss_spinner(void *arg)
{
    atomic_long *count = arg;
    for (;;)
        atomic_fetch_add(count, 1);
    return NULL;
}

// A stopped process runs no thread: one thread spins in user mode (on a CPU of its own
// when there are several) while main sleeps in pause(); after SIGSTOP and the stop
// reported by waitpid, and 50 ms more, the spinner's counter must not move for 100 ms.
static void case_stopspin(void)
{
    atomic_long *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(count != MAP_FAILED, "mmap");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        spawn(ss_spinner, count);
        for (;;)
            pause();
    }
    while (*count < 1000)
        sleep_us(1000);
    kill(pid, SIGSTOP);
    int st;
    int stopped = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);
    sleep_us(50000);
    long a = *count;
    sleep_us(100000);
    long b = *count;
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    say("stopspin: stop reported %s, spinner ran on while stopped: %s", stopped ? "yes" : "no", a != b ? "yes" : "no");
}

// ---------------------------------------------------------------- stopsleep: a stop does not end sleeps
// Ten threads of a child sleep in ten different calls when the child is stopped and
// continued; then its main thread (asleep in read) is let go and ends each sleep in
// turn (a write, sem_post, SIGUSR1 with a handler, SIGUSR2 awaited). Linux restarts
// every call across the stop, except epoll_wait and sigtimedwait, which fail with EINTR at
// once (signal(7)); and it reports the stop once every thread has stopped.
#define SL_CALLS 10
static const char *sl_names[SL_CALLS] = {
    "pause", "sigsuspend", "nanosleep", "sem_wait", "sem_timedwait", "read", "poll",
    "epoll_wait", "sigtimedwait", "waitpid",
};
struct sl_area {
    atomic_int ready, woke;
    pid_t tid[SL_CALLS];
    int rc[SL_CALLS], err[SL_CALLS], early[SL_CALLS];
};
static struct sl_area *sl;
static int sl_pipe[3][2], sl_ep, sl_grandchild;   // read's, poll's and epoll's; the grandchild's
static sem_t sl_sem[2];

static void sl_usr1(int sig) { (void)sig; }

static int sl_call(int k)
{
    sigset_t none, usr2;
    sigemptyset(&none);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    struct timespec far = { 30, 0 }, at;
    char c;
    struct pollfd pfd = { sl_pipe[1][0], POLLIN, 0 };
    struct epoll_event ev;
    switch (k) {
    case 0: return pause();
    case 1: return sigsuspend(&none);
    case 2: return nanosleep(&far, NULL);
    case 3: return sem_wait(&sl_sem[0]);
    case 4:
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_sec += 30;
        return sem_timedwait(&sl_sem[1], &at);
    case 5: return (int)read(sl_pipe[0][0], &c, 1);
    case 6: return poll(&pfd, 1, -1);
    case 7: return epoll_wait(sl_ep, &ev, 1, -1);
    case 8: return sigtimedwait(&usr2, NULL, &far);
    default: return waitpid(sl_grandchild, NULL, 0) == sl_grandchild;
    }
}

static void *sl_sleeper(void *arg)
{
    int k = (int)(long)arg;
    sl->tid[k] = (pid_t)syscall(SYS_gettid);
    atomic_fetch_add(&sl->ready, 1);
    errno = 0;
    sl->rc[k] = sl_call(k);
    sl->err[k] = errno;
    sl->early[k] = !sl->woke;
    return NULL;
}

// The child's main thread: waits in read for the parent's word, then ends every sleep.
static void sl_child(int go)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sl_usr1;                 // no SA_RESTART: the call it ends says EINTR
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);  // (sigtimedwait's; the threads inherit it)
    for (int i = 0; i < 3; i++)
        must(pipe(sl_pipe[i]) == 0, "pipe");
    sem_init(&sl_sem[0], 0, 0);
    sem_init(&sl_sem[1], 0, 0);
    sl_ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    must(epoll_ctl(sl_ep, EPOLL_CTL_ADD, sl_pipe[2][0], &ev) == 0, "epoll_ctl");
    int gpipe[2];
    must(pipe(gpipe) == 0, "pipe");
    sl_grandchild = fork();
    must(sl_grandchild >= 0, "fork");
    if (sl_grandchild == 0) {
        char c;
        _exit(read(gpipe[0], &c, 1) == 1 ? 0 : 1);
    }
    pthread_t t[SL_CALLS];
    for (long k = 0; k < SL_CALLS; k++)
        t[k] = spawn(sl_sleeper, (void *)k);
    char c;
    atomic_fetch_add(&sl->ready, 1);
    must(read(go, &c, 1) == 1, "read go");
    sl->woke = 1;
    for (int i = 0; i < 3; i++)
        must(write(sl_pipe[i][1], "x", 1) == 1, "write");
    must(write(gpipe[1], "x", 1) == 1, "write");
    sem_post(&sl_sem[0]);
    sem_post(&sl_sem[1]);
    pid_t self = getpid();
    for (int k = 0; k < 3; k++)
        syscall(SYS_tgkill, self, sl->tid[k], SIGUSR1);
    syscall(SYS_tgkill, self, sl->tid[8], SIGUSR2);
    for (int k = 0; k < SL_CALLS; k++)
        join(t[k]);
    _exit(0);
}

static void case_stopsleep(void)
{
    sl = mmap(NULL, sizeof *sl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(sl != MAP_FAILED, "mmap");
    int go[2];
    must(pipe(go) == 0, "pipe");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0)
        sl_child(go[0]);
    while (sl->ready < SL_CALLS + 1)
        sleep_us(1000);
    sleep_us(100000);                        // into their calls
    int st, stopped, continued;
    kill(pid, SIGSTOP);
    stopped = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);
    kill(pid, SIGCONT);
    continued = waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st);
    sleep_us(100000);                        // the calls that fail with EINTR do so now
    must(write(go[1], "g", 1) == 1, "write go");
    must(waitpid(pid, &st, 0) == pid, "waitpid");
    char line[600];
    int n = snprintf(line, sizeof line, "stopsleep: stopped %s, continued %s, exit %d;", stopped ? "yes" : "no",
                     continued ? "yes" : "no", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    for (int k = 0; k < SL_CALLS; k++)
        n += snprintf(line + n, sizeof line - n, " %s %s%s", sl_names[k],
                      sl->rc[k] < 0 ? errname(sl->err[k]) : "ok", sl->early[k] ? " at once" : "");
    say("%s", line);
}

// ---------------------------------------------------------------- stopvfork: a thread in vfork delays the stop
// A thread waiting in vfork (an uninterruptible wait, on Linux as here) has not stopped:
// the parent hears of the stop only when the vfork child has exited and that thread has
// stopped too. A SIGCONT before then: Linux tells the parent as if the stop had completed
// and the continue's SIGCHLD were lost - SIGCHLD with CLD_STOPPED (si_status 0), and
// wait reports "continued", not "stopped".
static volatile int sv_nchld, sv_code, sv_status;
static volatile int *sv_flag;

static void sv_on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    sv_code = si->si_code;
    sv_status = si->si_status;
    sv_nchld++;
}

static void *sv_vforker(void *arg)
{
    (void)arg;
    pid_t g = vfork();
    if (g == 0) {
        *sv_flag = 1;
        struct timespec ts = { 1, 0 };
        nanosleep(&ts, NULL);
        _exit(0);
    }
    *sv_flag = 2;                            // after the vfork: only if not stopped
    for (;;)
        pause();
    return NULL;
}

static const char *sv_wait(pid_t pid, int options)
{
    int st;
    pid_t r = waitpid(pid, &st, options | WNOHANG);
    return r == 0 ? "nothing" : r != pid ? "error" : WIFSTOPPED(st) ? "stopped" :
           WIFCONTINUED(st) ? "continued" : "other";
}

static void sv_round(int cont)
{
    *sv_flag = 0;
    sv_nchld = 0;
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        spawn(sv_vforker, NULL);
        for (;;)
            pause();                         // the leader: it takes the SIGSTOP
    }
    while (*sv_flag != 1)
        sleep_us(1000);
    sleep_us(50000);
    kill(pid, SIGSTOP);
    sleep_us(100000);
    char line[300];
    int n = snprintf(line, sizeof line, "stopvfork %s: during the vfork %s (SIGCHLD %d)", cont ? "continued" : "stopped",
                     sv_wait(pid, WUNTRACED), sv_nchld);
    if (cont) {
        kill(pid, SIGCONT);
        sleep_us(100000);
        n += snprintf(line + n, sizeof line - n, "; after SIGCONT: SIGCHLD %d code %d status %d, WUNTRACED %s",
                      sv_nchld, sv_code, sv_status, sv_wait(pid, WUNTRACED));
        n += snprintf(line + n, sizeof line - n, ", WCONTINUED %s", sv_wait(pid, WCONTINUED));
        while (*sv_flag != 2)
            sleep_us(1000);
        sleep_us(50000);
        n += snprintf(line + n, sizeof line - n, "; after the vfork: %s (SIGCHLD %d)",
                      sv_wait(pid, WUNTRACED | WCONTINUED), sv_nchld);
    } else {
        int st;
        int stopped = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);
        n += snprintf(line + n, sizeof line - n, "; after the vfork: stopped %s (thread ran on: %s), SIGCHLD %d code %d status %d",
                      stopped ? "yes" : "no", *sv_flag == 2 ? "yes" : "no", sv_nchld, sv_code, sv_status);
    }
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    say("%s", line);
}

static void case_stopvfork(void)
{
    sv_flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    must(sv_flag != MAP_FAILED, "mmap");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sv_on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sv_round(0);
    sv_round(1);
}

// ---------------------------------------------------------------- timers: POSIX timers
// A one-shot and a periodic SIGEV_SIGNAL timer, and a SIGEV_THREAD timer (glibc and musl
// run its function in a thread of their own, told by SIGEV_THREAD_ID). (ENOSYS on Lantern
// when this was written; main has had them since.)
static atomic_int tm_thread_calls;
static sem_t tm_sem;

static void tm_notify(union sigval v)
{
    if (v.sival_int == 42 && ++tm_thread_calls <= 3)
        sem_post(&tm_sem);
}

static void case_timers(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN;
    sev.sigev_value.sival_int = 7;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &sev, &t) != 0) {
        say("timers: timer_create: %s", errname(errno));
        return;
    }
    struct itimerspec it = { { 0, 0 }, { 0, 5000000 } };
    must(timer_settime(t, 0, &it, NULL) == 0, "timer_settime");
    siginfo_t si;
    int sig = sigwaitinfo(&s, &si);
    say("timers: one-shot: signal %s, code SI_TIMER %s, value %d", sig == SIGRTMIN ? "SIGRTMIN" : "other",
        si.si_code == SI_TIMER ? "yes" : "no", si.si_value.sival_int);
    struct itimerspec cur;
    must(timer_gettime(t, &cur) == 0, "timer_gettime");
    say("timers: after it fired: %s", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "disarmed" : "armed");
    it = (struct itimerspec){ { 0, 2000000 }, { 0, 2000000 } };
    must(timer_settime(t, 0, &it, NULL) == 0, "timer_settime");
    int ticks = 0;
    while (ticks < 5)
        ticks += sigwaitinfo(&s, &si) == SIGRTMIN;
    must(timer_delete(t) == 0, "timer_delete");
    int e = timer_settime(t, 0, &it, NULL) < 0 ? errno : 0;
    say("timers: periodic: %d ticks, then deleted; settime after delete %s", ticks, errname(e));
    sem_init(&tm_sem, 0, 0);
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = tm_notify;
    sev.sigev_value.sival_int = 42;
    must(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0, "timer_create SIGEV_THREAD");
    it = (struct itimerspec){ { 0, 3000000 }, { 0, 3000000 } };
    must(timer_settime(t, 0, &it, NULL) == 0, "timer_settime");
    for (int i = 0; i < 3; i++)
        while (sem_wait(&tm_sem) != 0)
            ;
    timer_delete(t);
    int e2 = timer_create(12345, NULL, &t) < 0 ? errno : 0;
    say("timers: SIGEV_THREAD ran 3 times: yes; bad clock %s", errname(e2));
}

// PTHREAD_PRIO_INHERIT mutexes (FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI): four
// threads contend for one (the count must be exact), trylock and timedlock while it is
// held (EBUSY, ETIMEDOUT after the deadline), an error-checking one locked twice.
static pthread_mutex_t pi_lock;
static long pi_count;

static void pi_init(pthread_mutex_t *m, int type, int robust)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    must_rc(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), "setprotocol");
    must_rc(pthread_mutexattr_settype(&ma, type), "settype");
    if (robust)
        must_rc(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST), "setrobust");
    must_rc(pthread_mutex_init(m, &ma), "PI mutex_init");
    pthread_mutexattr_destroy(&ma);
}

static void *pi_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        must_rc(pthread_mutex_lock(&pi_lock), "PI lock");
        pi_count++;
        must_rc(pthread_mutex_unlock(&pi_lock), "PI unlock");
    }
    return NULL;
}

static void *pi_trylocker(void *arg)
{
    (void)arg;
    return (void *)(long)pthread_mutex_trylock(&pi_lock);
}

static void *pi_timedlocker(void *arg)
{
    (void)arg;
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_nsec += 50 * 1000000;
    if (at.tv_nsec >= 1000000000)
        at.tv_sec++, at.tv_nsec -= 1000000000;
    long long t0 = mono_ns();
    int rc = pthread_mutex_timedlock(&pi_lock, &at);
    return (void *)(long)(rc == ETIMEDOUT && mono_ns() - t0 < 45 * 1000000LL ? -1 : rc);
}

static void case_pi(void)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    int rc = pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
    int rc2 = rc ? rc : pthread_mutex_init(&pi_lock, &ma);
    say("pi: setprotocol %s, mutex_init %s", errname(rc), errname(rc2));
    if (rc2)
        return;
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        t[i] = spawn(pi_thread, NULL);
    for (int i = 0; i < 4; i++)
        join(t[i]);
    must_rc(pthread_mutex_lock(&pi_lock), "PI lock");
    long busy = (long)join(spawn(pi_trylocker, NULL));
    long timed = (long)join(spawn(pi_timedlocker, NULL));
    pthread_mutex_unlock(&pi_lock);
    long free_now = (long)join(spawn(pi_trylocker, NULL));
    pthread_mutex_t ec;
    pi_init(&ec, PTHREAD_MUTEX_ERRORCHECK, 0);
    must_rc(pthread_mutex_lock(&ec), "PI errorcheck lock");
    int again = pthread_mutex_lock(&ec);
    must_rc(pthread_mutex_unlock(&ec), "PI errorcheck unlock");
    int unlocked = pthread_mutex_unlock(&ec);
    say("pi: count %ld, trylock while held %s, timedlock while held %s, trylock when free %s",
        pi_count, errname((int)busy), timed == -1 ? "too early" : errname((int)timed),
        errname((int)free_now));
    say("pi: errorcheck lock twice %s, unlock when not held %s", errname(again), errname(unlocked));
}

// A robust PI mutex whose owner thread ends without unlocking: the next locker gets
// EOWNERDEAD (the kernel hands the lock over and marks it FUTEX_OWNER_DIED), makes it
// consistent, and the mutex goes on working. Twice: nobody waiting when the owner ends,
// then four threads already waiting in the kernel (exactly one sees EOWNERDEAD).
static pthread_mutex_t pr_lock;
static atomic_int pr_dead, pr_ok, pr_other;
static long pr_count;

static void *pr_owner(void *arg)
{
    must_rc(pthread_mutex_lock(&pr_lock), "robust PI lock");
    if (arg)
        sleep_us(200000);    // while the others queue up
    return NULL;             // still holding it
}

static void *pr_locker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        int rc = pthread_mutex_lock(&pr_lock);
        if (rc == EOWNERDEAD) {
            pr_dead++;
            rc = pthread_mutex_consistent(&pr_lock);
        }
        if (rc) {
            pr_other++;
            continue;
        }
        pr_count++;
        must_rc(pthread_mutex_unlock(&pr_lock), "robust PI unlock");
        pr_ok++;
    }
    return NULL;
}

static void case_pirobust(void)
{
    pi_init(&pr_lock, PTHREAD_MUTEX_NORMAL, 1);
    join(spawn(pr_owner, NULL));
    int first = pthread_mutex_lock(&pr_lock);
    int cons = pthread_mutex_consistent(&pr_lock);
    must_rc(pthread_mutex_unlock(&pr_lock), "robust PI unlock");
    int next = pthread_mutex_lock(&pr_lock);
    must_rc(pthread_mutex_unlock(&pr_lock), "robust PI unlock");
    say("pirobust: owner gone, nobody waiting: lock %s, consistent %s, next lock %s",
        errname(first), errname(cons), errname(next));

    pthread_t owner = spawn(pr_owner, (void *)1), t[4];
    sleep_us(50000);
    for (int i = 0; i < 4; i++)
        t[i] = spawn(pr_locker, NULL);
    join(owner);
    for (int i = 0; i < 4; i++)
        join(t[i]);
    say("pirobust: owner gone, four waiting: EOWNERDEAD seen %d, locked %d times, count %ld, "
        "other errors %d", (int)pr_dead, (int)pr_ok, pr_count, (int)pr_other);
}

// A condition variable with a PI mutex: four consumers take 4000 items from a queue that
// two producers fill, signalling (and broadcasting at the end); the sums must add up.
#define PC_ITEMS 2000
static pthread_mutex_t pc_lock;
static pthread_cond_t pc_more, pc_room;
static int pc_queue[16], pc_head, pc_len, pc_done;
static long pc_sum[4];

static void *pc_producer(void *arg)
{
    long base = (long)arg;
    for (int i = 1; i <= PC_ITEMS; i++) {
        must_rc(pthread_mutex_lock(&pc_lock), "PI cond lock");
        while (pc_len == 16)
            must_rc(pthread_cond_wait(&pc_room, &pc_lock), "cond_wait room");
        pc_queue[(pc_head + pc_len++) % 16] = (int)(base + i);
        pthread_cond_signal(&pc_more);
        must_rc(pthread_mutex_unlock(&pc_lock), "PI cond unlock");
    }
    return NULL;
}

static void *pc_consumer(void *arg)
{
    long me = (long)arg;
    must_rc(pthread_mutex_lock(&pc_lock), "PI cond lock");
    for (;;) {
        while (pc_len == 0 && !pc_done)
            must_rc(pthread_cond_wait(&pc_more, &pc_lock), "cond_wait more");
        if (pc_len == 0)
            break;
        pc_sum[me] += pc_queue[pc_head];
        pc_head = (pc_head + 1) % 16;
        pc_len--;
        pthread_cond_signal(&pc_room);
    }
    must_rc(pthread_mutex_unlock(&pc_lock), "PI cond unlock");
    return NULL;
}

static void case_picond(void)
{
    pi_init(&pc_lock, PTHREAD_MUTEX_NORMAL, 0);
    pthread_cond_init(&pc_more, NULL);
    pthread_cond_init(&pc_room, NULL);
    pthread_t c[4], p[2];
    for (long i = 0; i < 4; i++)
        c[i] = spawn(pc_consumer, (void *)i);
    for (long i = 0; i < 2; i++)
        p[i] = spawn(pc_producer, (void *)(i * 100000));
    for (int i = 0; i < 2; i++)
        join(p[i]);
    must_rc(pthread_mutex_lock(&pc_lock), "PI cond lock");
    pc_done = 1;
    pthread_cond_broadcast(&pc_more);
    must_rc(pthread_mutex_unlock(&pc_lock), "PI cond unlock");
    for (int i = 0; i < 4; i++)
        join(c[i]);
    long total = pc_sum[0] + pc_sum[1] + pc_sum[2] + pc_sum[3];
    long want = 2L * PC_ITEMS * (PC_ITEMS + 1) / 2 + 100000L * PC_ITEMS;
    say("picond: %d items through a PI-mutex condvar, sum %s", 2 * PC_ITEMS, total == want ? "right" : "wrong");
}

// ---------------------------------------------------------------- rtqueue: real-time signals queue
// Real-time signals queue: every sigqueue is its own instance, delivered in order, with
// its value (signal(7)). Three children queue 20 each to a parent that blocks the signal;
// then the parent drains them all.
static void case_rtqueue(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigaddset(&s, SIGRTMIN + 1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    union sigval v = { .sival_int = 1 };
    for (v.sival_int = 1; v.sival_int <= 3; v.sival_int++)
        must(sigqueue(getpid(), SIGRTMIN, v) == 0, "sigqueue");
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    int got = 0, sum = 0;
    while (sigtimedwait(&s, &si, &zero) == SIGRTMIN)
        got++, sum = sum * 10 + si.si_value.sival_int;
    say("rtqueue: 3 queued to itself: %d taken, values in order %d", got, sum);
    pid_t parent = getpid();
    for (int k = 0; k < 3; k++) {
        pid_t p = fork();
        must(p >= 0, "fork");
        if (p == 0) {
            for (int i = 0; i < 20; i++) {
                union sigval val = { .sival_int = k * 100 + i };
                must(sigqueue(parent, SIGRTMIN + (i % 2), val) == 0, "sigqueue");
            }
            _exit(0);
        }
    }
    int bad = 0;
    reap_all(3, &bad);
    int next[3][2] = { { 0 } }, n = 0, disorder = 0, sig;
    while ((sig = sigtimedwait(&s, &si, &zero)) > 0) {   // lower numbers first, each in order
        int k = si.si_value.sival_int / 100, i = si.si_value.sival_int % 100, odd = sig != SIGRTMIN;
        if (k < 0 || k > 2 || i % 2 != odd)
            continue;
        n++;
        disorder += i < next[k][odd];
        next[k][odd] = i + 1;
    }
    say("rtqueue: 60 queued by 3 processes: %d taken, %d out of order", n, disorder);
}


// fsync, fdatasync, pwrite and the interval timer (alarm): calls every program makes.
// (alarm came to main while this was written; the others are still ENOSYS.)
static void case_calls(void)
{
    int fd = open(tmp_path("calls"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    must(fd >= 0, "open");
    int e1 = pwrite(fd, "abc", 3, 10) == 3 ? 0 : errno;
    int e2 = fsync(fd) == 0 ? 0 : errno;
    int e3 = fdatasync(fd) == 0 ? 0 : errno;
    close(fd);
    unlink(tmp_path("calls"));
    errno = 0;
    alarm(100);
    int e4 = errno;
    unsigned left = alarm(0);
    say("calls: pwrite %s, fsync %s, fdatasync %s, alarm %s (%s left)", errname(e1), errname(e2), errname(e3),
        errname(e4), left >= 99 ? "all" : "not all");
}

// ---------------------------------------------------------------- the driver
static const struct {
    const char *name;
    void (*run)(void);
    int finding;    // 1: only when named (see the top of the file)
} cases[] = {
    { "epoll", case_epoll, 0 }, { "pollselect", case_pollselect, 0 }, { "append", case_append, 0 },
    { "files", case_files, 0 }, { "sigwait", case_sigwait, 0 }, { "affinity", case_affinity, 0 },
    { "yield", case_yield, 0 }, { "shm", case_shm, 0 }, { "mapfile", case_mapfile, 0 },
    { "robust", case_robust, 0 }, { "sleep", case_sleep, 0 }, { "spawn", case_spawn, 0 },
    { "exitblocked", case_exitblocked, 0 }, { "stopcont", case_stopcont, 0 },
    { "condtimed", case_condtimed, 0 }, { "evsem", case_evsem, 0 }, { "nproc", case_nproc, 0 },
    { "msort", case_msort, 0 }, { "malloc", case_malloc, 0 }, { "faults", case_faults, 0 },
    { "tasks", case_tasks, 0 }, { "setxid", case_setxid, 0 }, { "stopspin", case_stopspin, 0 },
    { "timers", case_timers, 0 }, { "rtqueue", case_rtqueue, 0 }, { "exitspin", case_exitspin, 0 },
    { "setxidspin", case_setxidspin, 0 }, { "pi", case_pi, 0 }, { "calls", case_calls, 0 },
    { "pirobust", case_pirobust, 0 }, { "picond", case_picond, 0 },
    { "stopsleep", case_stopsleep, 0 }, { "stopvfork", case_stopvfork, 0 },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

// With PARALLEL_TIMES in the environment, each case's time too (not compared).
static void run_case(int i)
{
    long long start = mono_ns();
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        cases[i].run();
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) != pid)
        ;
    if (WIFEXITED(st))
        say("%s: exit %d", cases[i].name, WEXITSTATUS(st));
    else
        say("%s: killed by signal %d", cases[i].name, WTERMSIG(st));
    if (getenv("PARALLEL_TIMES"))
        say("time: %s %lld ms", cases[i].name, (mono_ns() - start) / 1000000);
}

int main(int argc, char **argv)
{
    run_pid = getpid();
    self_path = argv[0];
    if (run_pid == 1)            // as init, on Lantern or Linux: nobody has mounted /proc
        mount("proc", "/proc", "proc", 0, NULL);
    if (argc == 3 && strcmp(argv[1], "--exit") == 0)   // case spawn's children
        return atoi(argv[2]);
    int ran = 0;
    for (int a = 1; a < argc; a++) {
        int found = 0;
        for (int i = 0; i < NCASES; i++)
            if (strcmp(argv[a], cases[i].name) == 0)
                run_case(i), found = 1;
        if (!found && strcmp(argv[a], "--") != 0) {
            say("parallel2: no case %s", argv[a]);
            return 2;
        }
        ran += found;
    }
    if (!ran)
        for (int i = 0; i < NCASES; i++)
            if (!cases[i].finding)
                run_case(i);
    say("done");
    return 0;
}
