// pthread_socketpair: socketpair(AF_UNIX) as parallel programs use it - a stream between
// two processes and between two threads, datagrams and sequenced packets keeping their
// boundaries, sendmsg/recvmsg with several iovecs and MSG_TRUNC, MSG_PEEK, MSG_WAITALL,
// shutdown in each direction, what poll and epoll report, SIGPIPE, and the errors; and
// four threads sending messages into one end while two read them; a stream read into a
// buffer that faults beside a writer, and writers racing a shutdown. Linux is the oracle.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

static void show_poll(const char *what, int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    poll(&p, 1, 0);
    printf("%s: poll %#x\n", what, p.revents);
}

// 4 MiB of a known pattern from a child process; the parent sums what arrives.
#define STREAM_BYTES (4 << 20)

static void stream_between_processes(void)
{
    int sv[2];
    check("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        static unsigned char buf[10000];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)(i * 7);
        for (long left = STREAM_BYTES; left > 0;) {
            long n = write(sv[1], buf, left < (long)sizeof buf ? (size_t)left : sizeof buf);
            if (n <= 0)
                _exit(1);
            left -= n;
        }
        _exit(0);
    }
    close(sv[1]);
    static unsigned char in[7777];
    long total = 0;
    uint64_t sum = 0;
    for (long n; (n = read(sv[0], in, sizeof in)) > 0; total += n)
        for (long i = 0; i < n; i++)
            sum += in[i];
    int status;
    waitpid(pid, &status, 0);
    printf("stream from a child: %ld bytes, sum %llu, then end of file\n", total,
           (unsigned long long)sum);
    print_status("  the child", status);
    close(sv[0]);
}

static int thread_fd;

static void *echo_thread(void *arg)
{
    (void)arg;
    char c;
    while (read(thread_fd, &c, 1) == 1)
        if (write(thread_fd, &c, 1) != 1)
            break;
    return NULL;
}

static void ping_pong_threads(void)
{
    int sv[2];
    check("socketpair for threads", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    thread_fd = sv[1];
    pthread_t t;
    pthread_create(&t, NULL, echo_thread, NULL);
    int ok = 1;
    for (int i = 0; i < 2000 && ok; i++) {
        char c = (char)i, back;
        ok = write(sv[0], &c, 1) == 1 && read(sv[0], &back, 1) == 1 && back == c;
    }
    yes("2000 round trips to a thread", ok);
    shutdown(sv[0], SHUT_WR);            // the thread's read sees end of file
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
}

static void messages(int type, const char *name)
{
    int sv[2];
    char buf[64];
    printf("== %s\n", name);
    check("socketpair", socketpair(AF_UNIX, type, 0, sv));
    show_poll("fresh", sv[0]);
    check_val("send 5", send(sv[0], "hello", 5, 0));
    check_val("send 3", send(sv[0], "abc", 3, 0));
    check_val("send 0", send(sv[0], "", 0, 0));
    show_poll("peer with data", sv[1]);
    check_val("recv 2, MSG_PEEK", recv(sv[1], buf, 2, MSG_PEEK));
    check_val("recv 2, MSG_TRUNC", recv(sv[1], buf, 2, MSG_TRUNC));
    check_val("recv 64", recv(sv[1], buf, sizeof buf, 0));
    check_val("recv 64 (the empty one, or nothing)", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    check_val("recv 64 again", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));

    // sendmsg gathers, recvmsg scatters; a cut message says MSG_TRUNC.
    struct iovec out[3] = { { "one", 3 }, { "-two-", 5 }, { "three", 5 } };
    struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };
    check_val("sendmsg of 3 iovecs", sendmsg(sv[0], &m, 0));
    char a[4], b[4];
    struct iovec in[2] = { { a, 4 }, { b, 4 } };
    struct msghdr r = { .msg_iov = in, .msg_iovlen = 2 };
    check_val("recvmsg into 4+4", recvmsg(sv[1], &r, 0));
    printf("  got \"%.4s\" \"%.4s\", MSG_TRUNC %s\n", a, b, r.msg_flags & MSG_TRUNC ? "yes" : "no");
    check_val("recvmsg, nothing left", recvmsg(sv[1], &r, MSG_DONTWAIT));

    // A second iovec that faults: EFAULT, though the first one was filled; a stream keeps
    // the bytes for the next read, a message is lost (a look leaves it).
    struct iovec half_bad[2] = { { a, 4 }, { bad_address(), 4 } };
    struct msghdr hb = { .msg_iov = half_bad, .msg_iovlen = 2 };
    send(sv[0], "abcdefgh", 8, 0);
    check_val("readv of 8 into 4 + a bad buffer", readv(sv[1], half_bad, 2));
    printf("  the first: \"%.4s\"\n", a);
    check_val("  then recv 64", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    send(sv[0], "ABCDEFGH", 8, 0);
    check_val("recvmsg MSG_PEEK of 8 into 4 + a bad buffer", recvmsg(sv[1], &hb, MSG_PEEK));
    check_val("recvmsg of 8 into 4 + a bad buffer", recvmsg(sv[1], &hb, 0));
    check_val("  then recv 64", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    send(sv[0], "1234", 4, 0);
    check_val("readv of 4 into 4 + a bad buffer", readv(sv[1], half_bad, 2));
    check_val("  then recv 64", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));

    check("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
    show_poll("after its own SHUT_WR", sv[0]);
    show_poll("the peer", sv[1]);
    check_val("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
    check_val("peer's recv", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    check_val("peer's send", send(sv[1], "y", 1, 0));
    check("peer's shutdown SHUT_RD", shutdown(sv[1], SHUT_RD));
    show_poll("the peer after SHUT_RD", sv[1]);
    show_poll("this end", sv[0]);
    check_val("recv here", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
    check_val("peer's recv after SHUT_RD", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    check("close the peer", close(sv[1]));
    show_poll("after the peer's close", sv[0]);
    check_val("recv", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
    check_val("send", send(sv[0], "z", 1, MSG_NOSIGNAL));
    close(sv[0]);

    check("socketpair again", socketpair(AF_UNIX, type, 0, sv));
    check("close one end at once", close(sv[1]));
    show_poll("the other", sv[0]);
    check_val("its recv", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
    check_val("its send", send(sv[0], "z", 1, MSG_NOSIGNAL));
    close(sv[0]);
}

static void stream_details(void)
{
    int sv[2];
    char buf[64];
    printf("== stream details\n");
    check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    check_val("send 5", send(sv[0], "hello", 5, 0));
    check_val("send 5 more", send(sv[0], "world", 5, 0));
    check_val("recv 3, MSG_PEEK", recv(sv[1], buf, 3, MSG_PEEK));
    check_val("recv 64: both sends at once", recv(sv[1], buf, sizeof buf, 0));
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 8; i++) {
            usleep(2000);
            if (write(sv[0], "abcd", 4) != 4)
                _exit(1);
        }
        _exit(0);
    }
    check_val("recv 32, MSG_WAITALL, from 8 sends of 4", recv(sv[1], buf, 32, MSG_WAITALL));
    waitpid(pid, NULL, 0);
    struct stat st;
    fstat(sv[0], &st);
    printf("fstat: socket %s, mode %o, size %ld\n", S_ISSOCK(st.st_mode) ? "yes" : "no",
           (unsigned)(st.st_mode & 07777), (long)st.st_size);
    char path[64], link[64];
    mount("proc", "/proc", "proc", 0, NULL);   // as init, on Lantern (on the host: EPERM)
    snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
    long n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    yes("/proc/self/fd names it socket:[...]", strncmp(link, "socket:[", 8) == 0);
    check_val("lseek", lseek(sv[0], 0, SEEK_SET));
    close(sv[0]);
    close(sv[1]);
}

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static void sigpipe(void)
{
    int sv[2];
    printf("== SIGPIPE\n");
    signal(SIGPIPE, on_sigpipe);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    check_val("write to a closed peer", write(sv[0], "x", 1));
    check_val("  SIGPIPEs", sigpipes);
    check_val("send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
    check_val("  SIGPIPEs", sigpipes);
    close(sv[0]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    close(sv[1]);
    check_val("datagram to a closed peer", send(sv[0], "x", 1, 0));
    check_val("  SIGPIPEs", sigpipes);
    close(sv[0]);
    // A sequenced packet goes as a datagram does on Linux: EPIPE, and no signal.
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    shutdown(sv[0], SHUT_WR);
    check_val("seqpacket send after SHUT_WR", send(sv[0], "x", 1, 0));
    check_val("  SIGPIPEs", sigpipes);
    check_val("seqpacket write after SHUT_WR", write(sv[0], "x", 1));
    check_val("  SIGPIPEs", sigpipes);
    close(sv[1]);
    check_val("seqpacket send to a closed peer", send(sv[0], "x", 1, 0));
    check_val("  SIGPIPEs", sigpipes);
    close(sv[0]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    shutdown(sv[0], SHUT_WR);
    check_val("stream send after SHUT_WR", send(sv[0], "x", 1, 0));
    check_val("  SIGPIPEs", sigpipes);
    close(sv[0]);
    close(sv[1]);
    signal(SIGPIPE, SIG_DFL);
}

static void epoll_edges(void)
{
    int sv[2];
    printf("== epoll\n");
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 }, got[2];
    check("EPOLL_CTL_ADD, edge-triggered", epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
    check_val("epoll_wait, nothing yet", epoll_wait(ep, got, 2, 0));
    send(sv[0], "m1", 2, 0);
    check_val("epoll_wait after a send", epoll_wait(ep, got, 2, 0));
    check_val("  its data", got[0].data.u32);
    check_val("epoll_wait again (the edge is spent)", epoll_wait(ep, got, 2, 0));
    send(sv[0], "m2", 2, 0);
    check_val("epoll_wait after a second send", epoll_wait(ep, got, 2, 0));
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

static void errors(void)
{
    int sv[2];
    char buf[4];
    printf("== errors\n");
    check("AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    check("AF_UNIX, SOCK_RAW (a datagram pair)", socketpair(AF_UNIX, SOCK_RAW, 0, sv));
    int type = -1;
    socklen_t len = sizeof type;
    check("getsockopt SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
    printf("  type %s, length %d\n", type == SOCK_DGRAM ? "SOCK_DGRAM" : "other", (int)len);
    close(sv[0]);
    close(sv[1]);
    check("protocol 1 (PF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 1, sv));
    close(sv[0]);
    close(sv[1]);
    check("protocol 2", socketpair(AF_UNIX, SOCK_STREAM, 2, sv));
    check("unknown type flag", socketpair(AF_UNIX, SOCK_STREAM | 0x10000, 0, sv));
    check("sv not writable", socketpair(AF_UNIX, SOCK_STREAM, 0, bad_address()));
    check("SOCK_NONBLOCK | SOCK_CLOEXEC",
          socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    check("  read, nothing there", read(sv[0], buf, 1));
    check_val("  FD_CLOEXEC", fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
    check("shutdown, how 7", shutdown(sv[0], 7));
    check("shutdown of a terminal or file", shutdown(0, SHUT_RD));
    check("shutdown of fd 99", shutdown(99, SHUT_RD));
    check("send to a non-socket", send(1, "a", 1, 0));
    check("recv from fd 99", recv(99, buf, 1, 0));
    check("sendto with an address", sendto(sv[0], "a", 1, 0, (void *)buf, 4));
    check("send from a bad buffer", send(sv[0], bad_address(), 1, 0));
    check("recv into a bad buffer", recv(sv[1], bad_address(), 1, MSG_DONTWAIT));
    send(sv[0], "q", 1, 0);
    check("recv into a bad buffer, with data", recv(sv[1], bad_address(), 1, 0));
    check_val("  the byte is still there", recv(sv[1], buf, 1, MSG_DONTWAIT));
    check("getsockopt SO_ERROR", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &type, &len));
    printf("  error %d\n", type);
    check("getsockopt SO_DOMAIN", getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &type, &len));
    printf("  domain %s\n", type == AF_UNIX ? "AF_UNIX" : "other");
    check("getsockopt, unknown option", getsockopt(sv[0], SOL_SOCKET, 9999, &type, &len));
    struct sockaddr_storage ss;
    len = sizeof ss;
    check("getsockname", getsockname(sv[0], (struct sockaddr *)&ss, &len));
    printf("  length %d, family %s\n", (int)len, ss.ss_family == AF_UNIX ? "AF_UNIX" : "other");
    len = sizeof ss;
    check("getpeername", getpeername(sv[0], (struct sockaddr *)&ss, &len));
    printf("  length %d\n", (int)len);
    close(sv[0]);
    close(sv[1]);
}

// A thread asleep in a write, or a read, whose descriptors another thread closes: the call
// keeps its file (Linux's fdget), so the writer ends once no reader is left (EPIPE, or
// Linux's ECONNRESET for a socket whose peer left bytes unread) and the reader gets end of
// file, and a pipe made afterwards - which may reuse the closed one's memory - keeps its
// own bytes. (Lantern once freed the file and the pipe under the sleeper: the writer then
// wrote through freed memory, a general protection fault, and a reader took the new
// pipe's bytes.)
static int sleeper_fd;
static void *blocked_write(void *arg)
{
    static char big[1 << 16];
    (void)arg;
    long r = write(sleeper_fd, big, sizeof big);
    return (void *)(r < 0 ? -(long)errno : r);
}

static void *blocked_read(void *arg)
{
    char buf[64];
    (void)arg;
    long r = read(sleeper_fd, buf, sizeof buf);
    return (void *)(r < 0 ? -(long)errno : r);
}

static void closed_under_a_sleeper(void)
{
    static char fill[1 << 16];
    signal(SIGPIPE, SIG_IGN);
    for (int round = 0; round < 4; round++) {
        int sv[2], nv[2];
        bool sock = round & 1, writer = round < 2;
        if (sock)
            check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        else
            check("pipe", pipe(sv));
        if (writer) {                    // fill it up: the write sleeps
            fcntl(sv[1], F_SETFL, O_NONBLOCK);
            while (write(sv[1], fill, sizeof fill) > 0)
                ;
            fcntl(sv[1], F_SETFL, 0);
        }
        sleeper_fd = writer ? sv[1] : sv[0];
        pthread_t t;
        check_rc("pthread_create",
                 pthread_create(&t, NULL, writer ? blocked_write : blocked_read, NULL));
        usleep(100000);
        int null = open("/dev/null", O_RDONLY);
        close(sv[0]);
        close(sv[1]);
        dup2(null, sleeper_fd);          // the number is taken, by something else
        close(null);
        if (sock)
            check("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, nv));
        else
            check("pipe2", pipe2(nv, O_NONBLOCK));
        check_val("write to the new one", write(nv[1], "new", 3));
        void *ret;
        check_rc("pthread_join", pthread_join(t, &ret));
        char buf[8] = { 0 };
        check_val("read from the new one", read(nv[0], buf, sizeof buf));
        printf("%s %s asleep, its fds closed: %s; the new one reads \"%s\"\n",
               sock ? "socket" : "pipe", writer ? "writer" : "reader",
               writer ? ((long)ret < 0 || (long)ret > 0 ? "it ended (an error, or what fitted)" :
                         "it wrote nothing") :
                        (long)ret == 0 ? "end of file" : "something else",
               buf);
        close(nv[0]);
        close(nv[1]);
        close(sleeper_fd);
    }
    signal(SIGPIPE, SIG_DFL);
}

// A datagram end's shutdown(SHUT_RD) while a thread is asleep in recv on it: the sleeper
// wakes with 0, as Linux's datagram receive does once the end may receive no more; a recv
// that would wait afterwards returns 0 too, one that may not (MSG_DONTWAIT) says EAGAIN, a
// message queued before is still there to take, and the peer's sends fail with EPIPE (no
// SIGPIPE) - until it is closed: then ECONNREFUSED.
static void dgram_shut_rd(void)
{
    int sv[2];
    char buf[16];
    printf("== SOCK_DGRAM shutdown(SHUT_RD) under a sleeper\n");
    check("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    sleeper_fd = sv[0];
    pthread_t t;
    check_rc("pthread_create", pthread_create(&t, NULL, blocked_read, NULL));
    usleep(100000);
    check("shutdown SHUT_RD", shutdown(sv[0], SHUT_RD));
    void *ret;
    check_rc("pthread_join", pthread_join(t, &ret));
    printf("the sleeper's read: %ld\n", (long)ret);
    show_poll("after SHUT_RD", sv[0]);
    check_val("recv, MSG_DONTWAIT", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
    check_val("recv that would wait", recv(sv[0], buf, sizeof buf, 0));
    check_val("the peer's send", send(sv[1], "x", 1, 0));
    check_val("the peer's sendto", sendto(sv[1], "x", 1, MSG_NOSIGNAL, NULL, 0));
    close(sv[0]);
    check_val("the peer's send once it is closed", send(sv[1], "x", 1, 0));
    close(sv[1]);

    check("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    check_val("send first", send(sv[1], "queued", 6, 0));
    check("shutdown SHUT_RD", shutdown(sv[0], SHUT_RD));
    check_val("recv the message queued before", recv(sv[0], buf, sizeof buf, 0));
    check_val("then recv", recv(sv[0], buf, sizeof buf, 0));
    check("shutdown SHUT_RD again", shutdown(sv[0], SHUT_RD));
    check_val("this end's own send", send(sv[0], "y", 1, 0));
    check_val("the peer's recv of it", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    close(sv[0]);
    close(sv[1]);
}

// Four threads write messages into one end at once, two threads read them from the other
// (read(2) and write(2) run without the BKL on Lantern): every message arrives whole,
// exactly once, and each reader sees each sender's messages in the order sent.
#define SENDERS 4
#define READERS 2
#define EACH 500

static int many_sv[2];

struct msg { int sender, seq, len; unsigned char fill[300]; };

static void *many_sender(void *arg)
{
    struct msg m = { .sender = (int)(intptr_t)arg };
    for (m.seq = 0; m.seq < EACH; m.seq++) {
        m.len = 100 + (m.seq * 37 + m.sender * 11) % 200;
        memset(m.fill, m.sender * 16 + m.seq % 16, sizeof m.fill);
        if (write(many_sv[0], &m, offsetof(struct msg, fill) + (size_t)m.len) < 0)
            break;
    }
    return NULL;
}

static unsigned char got[SENDERS][EACH];
static int bad_msgs, out_of_order;      // (atomic)

static void *many_reader(void *arg)
{
    (void)arg;
    struct msg m;                           // (not __thread: see pthread_fileread.c)
    int last[SENDERS];
    for (int i = 0; i < SENDERS; i++)
        last[i] = -1;
    for (;;) {
        ssize_t n = read(many_sv[1], &m, sizeof m);
        if (n <= 1)
            break;                          // the stop message (or an error)
        bool whole = n >= (ssize_t)offsetof(struct msg, fill) && m.sender >= 0 &&
                     m.sender < SENDERS && m.seq >= 0 && m.seq < EACH &&
                     n == (ssize_t)offsetof(struct msg, fill) + m.len;
        for (int i = 0; whole && i < m.len; i++)
            whole = m.fill[i] == (unsigned char)(m.sender * 16 + m.seq % 16);
        if (!whole) {
            __atomic_add_fetch(&bad_msgs, 1, __ATOMIC_RELAXED);
            continue;
        }
        __atomic_add_fetch(&got[m.sender][m.seq], 1, __ATOMIC_RELAXED);
        if (m.seq <= last[m.sender])
            __atomic_add_fetch(&out_of_order, 1, __ATOMIC_RELAXED);
        last[m.sender] = m.seq;
    }
    return NULL;
}

static void many_senders(int type, const char *name)
{
    memset(got, 0, sizeof got);
    bad_msgs = out_of_order = 0;
    socketpair(AF_UNIX, type, 0, many_sv);
    pthread_t s[SENDERS], r[READERS];
    for (intptr_t i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, many_reader, NULL);
    for (intptr_t i = 0; i < SENDERS; i++)
        pthread_create(&s[i], NULL, many_sender, (void *)i);
    for (int i = 0; i < SENDERS; i++)
        pthread_join(s[i], NULL);
    for (int i = 0; i < READERS; i++)
        write(many_sv[0], "", 1);           // one stop message per reader
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    int once = 0, twice = 0, lost = 0;
    for (int i = 0; i < SENDERS; i++)
        for (int j = 0; j < EACH; j++)
            once += got[i][j] == 1, twice += got[i][j] > 1, lost += got[i][j] == 0;
    printf("%s, %d senders and %d readers: once %d, more than once %d, lost %d, broken %d, "
           "out of order %d\n", name, SENDERS, READERS, once, twice, lost, bad_msgs, out_of_order);
    close(many_sv[0]);
    close(many_sv[1]);
}

// A stream read into a buffer that faults partway (the page after it is gone), beside a
// writer of numbered words: the bytes that did not reach the reader stay in the socket for
// the next read - none lost, none twice (a writer without the BKL could once fill the room
// they were put back into).
static int fault_sv[2];
static volatile int fault_stop;

static void *numbered_writer(void *arg)
{
    (void)arg;
    uint32_t buf[250], next = 0;
    while (!fault_stop) {
        for (int i = 0; i < 250; i++)
            buf[i] = next + (uint32_t)i;
        if (write(fault_sv[0], buf, sizeof buf) != sizeof buf)
            break;
        next += 250;
    }
    return NULL;
}

// Feeds n bytes to the numbered-word checker: *gaps counts words not the expected one.
static void check_words(const unsigned char *p, ssize_t n, unsigned char *carry, int *nc,
                        uint32_t *expect, int *gaps)
{
    for (ssize_t i = 0; i < n; i++) {
        carry[(*nc)++] = p[i];
        if (*nc == 4) {
            uint32_t v;
            memcpy(&v, carry, 4);
            *nc = 0;
            *gaps += v != *expect;
            *expect = v + 1;
        }
    }
}

static void faulting_stream_reads(void)
{
    socketpair(AF_UNIX, SOCK_STREAM, 0, fault_sv);
    fault_stop = 0;
    unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    munmap(m + 4096, 4096);
    pthread_t t;
    pthread_create(&t, NULL, numbered_writer, NULL);
    unsigned char carry[4], good[777];
    int nc = 0, gaps = 0, errors = 0;
    uint32_t expect = 0;
    for (int round = 0; round < 500; round++) {
        ssize_t n = read(fault_sv[1], m + 4096 - 100, 4000);     // faults after 100 bytes
        if (n > 0)
            check_words(m + 4096 - 100, n, carry, &nc, &expect, &gaps);
        else
            errors += errno != EFAULT;
        n = read(fault_sv[1], good, sizeof good);
        if (n <= 0)
            break;
        check_words(good, n, carry, &nc, &expect, &gaps);
    }
    fault_stop = 1;
    close(fault_sv[1]);
    pthread_join(t, NULL);
    close(fault_sv[0]);
    munmap(m, 4096);
    printf("stream reads into a buffer that faults, beside a writer: words lost or repeated %d, "
           "errors but EFAULT %d\n", gaps, errors);
}

// Three writers write until they fail while the reader's end is shut (SHUT_WR here, or
// SHUT_RD there): the reader reads to end of file, and after it finds nothing more - every
// byte a writer was told it wrote was read before the end.
static long written[3];

static void *writer_until_error(void *arg)
{
    int id = (int)(intptr_t)arg;
    char buf[1000];
    memset(buf, 'x', sizeof buf);
    long total = 0;
    for (ssize_t n; (n = write(fault_sv[0], buf, sizeof buf)) > 0;)
        total += n;
    written[id] = total;
    return NULL;
}

static void writers_racing_shutdown(int type, const char *name, int shut_reader)
{
    int rounds = 40, eofs = 0, after = 0, differ = 0;
    signal(SIGPIPE, SIG_IGN);
    for (int r = 0; r < rounds; r++) {
        socketpair(AF_UNIX, type, 0, fault_sv);
        pthread_t w[3];
        for (intptr_t i = 0; i < 3; i++)
            pthread_create(&w[i], NULL, writer_until_error, (void *)i);
        long got = 0;
        char buf[1500];
        for (int k = 0; k < 5 + r % 7; k++) {
            ssize_t n = read(fault_sv[1], buf, sizeof buf);
            got += n > 0 ? n : 0;
        }
        shutdown(shut_reader ? fault_sv[1] : fault_sv[0], shut_reader ? SHUT_RD : SHUT_WR);
        for (;;) {
            ssize_t n = read(fault_sv[1], buf, sizeof buf);
            if (n <= 0) {
                eofs += n == 0;
                break;
            }
            got += n;
        }
        for (int i = 0; i < 3; i++)
            pthread_join(w[i], NULL);
        long extra = 0;
        for (ssize_t n; (n = recv(fault_sv[1], buf, sizeof buf, MSG_DONTWAIT)) > 0;)
            extra += n;
        after += extra > 0;
        differ += written[0] + written[1] + written[2] != got + extra;
        close(fault_sv[0]);
        close(fault_sv[1]);
    }
    signal(SIGPIPE, SIG_DFL);
    printf("%s, 3 writers racing %s: rounds ending in end of file %d of %d, with bytes after "
           "it %d, with counts that differ %d\n", name, shut_reader ? "the reader's SHUT_RD" :
           "SHUT_WR", eofs, rounds, after, differ);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_socketpair");
    stream_between_processes();
    ping_pong_threads();
    messages(SOCK_STREAM, "SOCK_STREAM");
    messages(SOCK_DGRAM, "SOCK_DGRAM");
    messages(SOCK_SEQPACKET, "SOCK_SEQPACKET");
    stream_details();
    sigpipe();
    epoll_edges();
    errors();
    closed_under_a_sleeper();
    dgram_shut_rd();
    many_senders(SOCK_DGRAM, "SOCK_DGRAM");
    many_senders(SOCK_SEQPACKET, "SOCK_SEQPACKET");
    faulting_stream_reads();
    writers_racing_shutdown(SOCK_STREAM, "SOCK_STREAM", 0);
    writers_racing_shutdown(SOCK_STREAM, "SOCK_STREAM", 1);
    writers_racing_shutdown(SOCK_SEQPACKET, "SOCK_SEQPACKET", 0);
    return done();
}
