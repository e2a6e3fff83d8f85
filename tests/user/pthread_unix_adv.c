// pthread_unix_adv: what an adversary found in the first AF_UNIX sockets with names, each a
// small program of its own (their mains are the sections below), all run in one process
// and compared with Linux's output:
//   f02 shutdown of a listener wakes a blocked accept (EINVAL) and refuses connects
//   f03 2000 sockets sent over themselves and closed: the collector frees every cycle
//   f04 MSG_PEEK of descriptors racing a receive of them
//   f05 two threads receiving one stream that carries descriptors
//   f06 SO_RCVTIMEO with an SA_RESTART signal: EINTR, not a restart with the whole timeout
//   f07 getpeername of an end whose peer closed
//   f08 a datagram send to a peer that connected elsewhere since: EPERM
//   f09 recvmsg's checks of msg_namelen and of 4 GiB of iovecs
//   f12 edge-triggered epoll on a listener: no edge from accept
//   f15 a chain of sockets, each in flight inside the next, dropped from its head
//   f16 a 0-byte stream receive takes the descriptors at its head; recvfrom's NULL length
//   f17 a datagram server's third connected client waiting in edge-triggered epoll
//   f18 a socket's last descriptor closed while a send on it sleeps, the socket held by its
//       own ring: the collector frees it when the send lets go (the leak check's business)
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/syscall.h>
// The system calls themselves: musl's sendmsg copies the control data into a 1 KiB buffer
// of its own (253 descriptors: ENOMEM), which Linux's would not.
#define sendmsg(fd, m, flags) syscall(SYS_sendmsg, fd, m, flags)
#define recvmsg(fd, m, flags) syscall(SYS_recvmsg, fd, m, flags)

// ---------------------------------------------------------------- f02_listener_shutdown_no_wake
// Listener shutdown: wakes a blocked accept (Linux: EINVAL), nonblocking accept, poll, connect.
static int f02_l;
static int f02_r, f02_errno;
static void *f02_acc(void *x) {
    (void)x;
    f02_r = accept(f02_l, 0, 0);             // (printed after the join: the order of the
    f02_errno = errno;                       // two threads' lines is the scheduler's)
    return 0;
}
static void f02_on_alarm(int s) { (void)s; }
static void f02_main(void) {
    struct sigaction sa = { .sa_handler = f02_on_alarm };
    sigaction(SIGALRM, &sa, 0);
    struct sockaddr_un a = { AF_UNIX, "\0shutl" };
    f02_l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(f02_l, (void *)&a, sizeof(sa_family_t) + 6);
    listen(f02_l, 5);
    pthread_t t;
    pthread_create(&t, 0, f02_acc, 0);
    usleep(200000);
    printf("shutdown %d\n", shutdown(f02_l, SHUT_RDWR));
    fflush(stdout);
    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts); ts.tv_sec += 3;
    if (pthread_timedjoin_np(t, 0, &ts)) {
        printf("accept still blocked after 3 s\n"); fflush(stdout);
        pthread_kill(t, SIGALRM);
        pthread_join(t, 0);
    }
    printf("blocked accept: %d errno %s\n", f02_r, f02_r < 0 ? strerror(f02_errno) : "-");
    struct pollfd p = { f02_l, POLLIN | POLLOUT | POLLRDHUP, 0 };
    int pr = poll(&p, 1, 0);
    printf("poll %d revents %#x\n", pr, p.revents);
    fcntl(f02_l, F_SETFL, O_NONBLOCK);
    int r = accept(f02_l, 0, 0);
    printf("accept again: %d %s\n", r, r < 0 ? strerror(errno) : "-");
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c, (void *)&a, sizeof(sa_family_t) + 6);
    printf("connect to shut listener: %d %s\n", r, r < 0 ? strerror(errno) : "-");
    
    return;
}
#undef R

// ---------------------------------------------------------------- f03_scm_self_cycle_exhausts_memory
// A socket sent over itself (SCM_RIGHTS into its own receive queue), then both ends closed:
// Linux's garbage collector frees the cycle; repeated, memory use stays flat.
static int f04_send_fd(int via, int fd);
#define f03_send_fd f04_send_fd   // (the same as f04's)
static void f03_main(void) {
    int n = 2000;
    for (int i = 0; i < n; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
            printf("socketpair failed at %d: %s\n", i, strerror(errno));
            return;
        }
        if (f03_send_fd(sv[0], sv[1]) != 1) {
            printf("sendmsg failed at %d: %s\n", i, strerror(errno));
            return;
        }
        close(sv[0]);
        close(sv[1]);
        if (i % 5000 == 0) { printf("%d\n", i); fflush(stdout); }
    }
    printf("%d cycles made and dropped\ndone\n", n);
    return;
}
#undef R

// ---------------------------------------------------------------- f04_peek_scm_race_uaf
// MSG_PEEK of descriptors racing a receive of the same message (two threads, one datagram
// pair; a third thread sends). Each message carries one pipe end.
#define N 20000
static int f04_sv[2], p[2];
static volatile int f04_stop;
static int f04_send_fd(int via, int fd) {
    char c = 'x';
    struct iovec v = { &c, 1 };
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr h; } u;
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
    return sendmsg(via, &m, 0);
}
static int f04_recv_fd(int fd, int flags) {
    char c;
    struct iovec v = { &c, 1 };
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr h; } u;
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
    if (recvmsg(fd, &m, flags) < 0)
        return -1;
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (!h || h->cmsg_type != SCM_RIGHTS)
        return -2;
    int got;
    memcpy(&got, CMSG_DATA(h), sizeof got);
    return got;
}
static long peeks, recvs;
static void *f04_peeker(void *x) {
    (void)x;
    while (!f04_stop) {
        int fd = f04_recv_fd(f04_sv[1], MSG_PEEK | MSG_DONTWAIT);
        if (fd >= 0) { close(fd); peeks++; }
    }
    return 0;
}
static void *f04_receiver(void *x) {
    (void)x;
    for (int i = 0; i < N; i++) {
        int fd = f04_recv_fd(f04_sv[1], 0);
        if (fd >= 0) { close(fd); recvs++; }
    }
    f04_stop = 1;
    return 0;
}
static void f04_main(void) {
    pipe(p);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, f04_sv);
    pthread_t a, b;
    pthread_create(&a, 0, f04_peeker, 0);
    pthread_create(&b, 0, f04_receiver, 0);
    for (int i = 0; i < N; i++)
        while (f04_send_fd(f04_sv[0], p[1]) < 0 && errno == EAGAIN)
            ;
    pthread_join(b, 0);
    pthread_join(a, 0);
    printf("received %ld (peeks %s)\n", recvs, peeks > 0 ? "some" : "none");
    close(p[1]);
    char c;
    printf("pipe read after its write end closed everywhere: %zd\n", read(p[0], &c, 1));
    
    return;
}
#undef R

// ---------------------------------------------------------------- f05_two_stream_receivers_mark_double_free
// Two threads receive from one stream socket at once; every byte was sent with SCM_RIGHTS
// (a pipe end). Each received descriptor is closed.
#define N 20000
static int f05_sv[2], p[2];
#define f05_send_fd f04_send_fd   // (the same as f04's)
static long f05_fds[2], bytes[2];
static void *f05_receiver(void *x) {
    long me = (long)x;
    for (;;) {
        char c;
        struct iovec v = { &c, 1 };
        union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr h; } u;
        struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
        ssize_t n = recvmsg(f05_sv[1], &m, 0);
        if (n <= 0)
            break;
        bytes[me] += n;
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
            int fd;
            memcpy(&fd, CMSG_DATA(h), sizeof fd);
            close(fd);
            f05_fds[me]++;
        }
    }
    return 0;
}
static void f05_main(void) {
    pipe(p);
    socketpair(AF_UNIX, SOCK_STREAM, 0, f05_sv);
    pthread_t a, b;
    pthread_create(&a, 0, f05_receiver, (void *)0);
    pthread_create(&b, 0, f05_receiver, (void *)1);
    for (int i = 0; i < N; i++)
        if (f05_send_fd(f05_sv[0], p[1]) != 1)
            printf("send %d: %s\n", i, strerror(errno));
    shutdown(f05_sv[0], SHUT_WR);
    pthread_join(a, 0);
    pthread_join(b, 0);
    printf("bytes %ld descriptors %ld\n", bytes[0] + bytes[1], f05_fds[0] + f05_fds[1]);
    close(p[1]);
    char c;
    printf("pipe read, its write end closed everywhere: %zd\n", read(p[0], &c, 1));
    
    return;
}
#undef R

// ---------------------------------------------------------------- f06_timeo_signal_restarts
// SO_RCVTIMEO set, a SA_RESTART handler's signal during recv and accept: Linux returns
// EINTR (sock_intr_errno: a timed wait is not restarted); Lantern restarts the call, with
// a fresh timeout.
static void f06_h(int s) { (void)s; }
static double f06_now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void f06_main(void) {
    struct sigaction sa = { .sa_handler = f06_h, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, 0);
    struct timeval tv = { 1, 0 };
    struct itimerval it = { { 0, 0 }, { 0, 300000 } };
    int q[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, q);
    setsockopt(q[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setitimer(ITIMER_REAL, &it, 0);
    double t0 = f06_now(); char c;
    long r = recv(q[0], &c, 1, 0);
    printf("recv %ld %s %s\n", r, strerror(errno), f06_now() - t0 < 1.0 ? "before the timeout" : "at the timeout");
    struct sockaddr_un ln = { AF_UNIX, "\0L" };
    int L = socket(AF_UNIX, SOCK_STREAM, 0); bind(L, (void *)&ln, 4); listen(L, 1);
    setsockopt(L, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setitimer(ITIMER_REAL, &it, 0);
    t0 = f06_now();
    r = accept(L, 0, 0);
    printf("accept %ld %s %s\n", r, strerror(errno), f06_now() - t0 < 1.0 ? "before the timeout" : "at the timeout");
    
}
#undef R

// ---------------------------------------------------------------- f07_getpeername_after_peer_close
// getpeername on a connected stream end whose peer closed: Linux still names the peer
// (unix_peer is only cleared on the closing side).
static void f07_main(void) {
    struct sockaddr_un ln = { AF_UNIX, "\0L" }, name;
    int L = socket(AF_UNIX, SOCK_STREAM, 0); bind(L, (void *)&ln, 4); listen(L, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0); connect(c, (void *)&ln, 4);
    int e = accept(L, 0, 0);
    close(e);
    socklen_t l = sizeof name;
    int r = getpeername(c, (void *)&name, &l);
    printf("getpeername %d %s len %u\n", r, r ? strerror(errno) : "", r ? 0 : l);
    int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv); close(sv[1]);
    l = sizeof name;
    r = getpeername(sv[0], (void *)&name, &l);
    printf("pair: getpeername %d %s len %u\n", r, r ? strerror(errno) : "", r ? 0 : l);
    
}
#undef R

// ---------------------------------------------------------------- f08_dgram_connected_peer_connected_elsewhere
// A datagram end A connected to B, and B then connected to C: A's send to its peer is
// EPERM on Linux (unix_may_send is checked for the peer too); Lantern delivers it.
static void f08_main(void) {
    struct sockaddr_un an = { AF_UNIX, "\0A" }, bn = { AF_UNIX, "\0B" }, cn = { AF_UNIX, "\0C" };
    int A = socket(AF_UNIX, SOCK_DGRAM, 0), B = socket(AF_UNIX, SOCK_DGRAM, 0), C = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(A, (void *)&an, 4); bind(B, (void *)&bn, 4); bind(C, (void *)&cn, 4);
    connect(A, (void *)&bn, 4);
    connect(B, (void *)&cn, 4);
    long r = send(A, "x", 1, MSG_DONTWAIT);
    printf("send %ld %s\n", r, r < 0 ? strerror(errno) : "");
    char c;
    r = recv(B, &c, 1, MSG_DONTWAIT);
    printf("B recv %ld %s\n", r, r < 0 ? strerror(errno) : "");
    
}
#undef R

// ---------------------------------------------------------------- f09_recvmsg_msghdr_checks
// recvmsg: a negative msg_namelen is EINVAL on Linux (__copy_msghdr); iovecs whose total
// passes 2 GiB are cut to MAX_RW_COUNT on Linux, not EINVAL.
static void f09_main(void) {
    int d[2]; socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
    send(d[0], "abc", 3, 0); send(d[0], "def", 3, 0);
    static char name[200], buf[16];
    struct iovec iov[2] = { { buf, 16 }, { buf + 8, 0x7fffffff } };
    struct msghdr m = { .msg_name = name, .msg_namelen = (socklen_t)-1, .msg_iov = iov, .msg_iovlen = 1 };
    long r = recvmsg(d[1], &m, MSG_DONTWAIT);
    printf("namelen -1: %ld %s\n", r, r < 0 ? strerror(errno) : "");
    m = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 2 };
    iov[0].iov_len = 0x7fffffff;
    r = recvmsg(d[1], &m, MSG_DONTWAIT);
    printf("4 GiB of iovecs: %ld %s\n", r, r < 0 ? strerror(errno) : "");
    
}
#undef R

// ---------------------------------------------------------------- f12_epollet_listener_spurious_edge
// epoll EPOLLET on a listener with two connections queued: accepting one is no new edge on
// Linux (epoll_wait: 0); Lantern reports the listener again.
#define R(x) do { long _r = (x); printf("%-30s %ld %s\n", #x, _r, _r < 0 ? strerror(errno) : ""); } while (0)
static void f12_main(void) {
    struct sockaddr_un ln = { AF_UNIX, "\0ET" };
    int L = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0); bind(L, (void *)&ln, 5); listen(L, 8);
    int ep = epoll_create1(0);
    struct epoll_event ev = { EPOLLIN | EPOLLET, { .fd = L } }, out[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, L, &ev);
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0); connect(c1, (void *)&ln, 5);
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0); connect(c2, (void *)&ln, 5);
    R(epoll_wait(ep, out, 4, 0));
    R(accept(L, 0, 0) >= 0);
    R(epoll_wait(ep, out, 4, 0));
    R(accept(L, 0, 0) >= 0);
    R(epoll_wait(ep, out, 4, 0));
    
}
#undef R

// ---------------------------------------------------------------- f15_inflight_chain_stack_overflow
// A chain of sockets, each in flight inside the next one's receive queue (SCM_RIGHTS), then
// the last one closed: its release releases the one inside it, and so on down the chain.
#define f15_send_fd f04_send_fd   // (the same as f04's)
static void f15_main(void) {
    int n = 300, prev = -1, sv[2], refused = 0;   // (each level keeps two 64 KiB rings here)
    for (int i = 0; i < n; i++) {
        if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) { printf("socketpair %d: %s\n", i, strerror(errno)); break; }
        if (prev >= 0) {
            if (f15_send_fd(sv[0], prev) != 1 && !refused++)
                printf("send at depth %d: %s\n", i, strerror(errno));
            close(prev);
        }
        close(sv[0]);
        prev = sv[1];
    }
    printf("chain built\n"); fflush(stdout);
    close(prev);
    printf("closed\ndone\n");
    return;
}
#undef R

// ---------------------------------------------------------------- f16_zero_len_stream_scm_recvfrom_null_addrlen
#define R(x) do { long _r = (x); printf("%-50s %ld %s\n", #x, _r, _r < 0 ? strerror(errno) : ""); } while (0)
static int f16_fds[253];
static int f16_sendn(int via, int n, const char *data, int len) {
    struct iovec v = { (void *)data, len };
    union { char b[CMSG_SPACE(sizeof f16_fds)]; struct cmsghdr h; } u;
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(h), f16_fds, n * sizeof(int));
    return sendmsg(via, &m, 0);
}
static void f16_recvshow(int fd, int flags, int iovlen) {
    char c[8] = { 0 }; struct iovec v = { c, sizeof c };
    union { char b[CMSG_SPACE(sizeof f16_fds)]; struct cmsghdr h; } u;
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = iovlen, .msg_control = u.b, .msg_controllen = sizeof u.b };
    long r = recvmsg(fd, &m, flags);
    int n = 0;
    struct cmsghdr *h = r >= 0 ? CMSG_FIRSTHDR(&m) : 0;
    if (h) n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    printf("recvmsg flags %#x iovlen %d: %ld %s data '%s' msg_flags %#x f16_fds %d\n", flags, iovlen, r, r < 0 ? strerror(errno) : "", c, m.msg_flags, n);
    for (int i = 0; i < n; i++) { int f; memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof f); close(f); }
}
static void f16_main(void) {
    int pp[2]; pipe(pp);
    for (int i = 0; i < 253; i++) f16_fds[i] = pp[0];
    int d[2]; socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
    R(f16_sendn(d[0], 253, "x", 1));
    int top = 0; for (int i = 0; i < 40; i++) { int f = dup(0); if (f > top) top = f; }
    struct rlimit rl = { top + 11, top + 11 }; setrlimit(RLIMIT_NOFILE, &rl);
    f16_recvshow(d[1], 0, 1);
    rl.rlim_cur = rl.rlim_max = 1024; setrlimit(RLIMIT_NOFILE, &rl);
    R(f16_sendn(d[0], 254, "x", 1));
    // stream: zero-length receive with descriptors waiting; two peeks; then the receive
    int s[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    R(f16_sendn(s[0], 2, "ab", 2));
    R(write(s[0], "cd", 2));
    f16_recvshow(s[1], MSG_PEEK, 1);
    f16_recvshow(s[1], MSG_PEEK, 1);
    f16_recvshow(s[1], 0, 0);
    f16_recvshow(s[1], 0, 1);
    f16_recvshow(s[1], MSG_DONTWAIT, 1);
    // recvfrom with an address but no length pointer
    write(s[0], "ef", 2);
    struct sockaddr_un a; char b[4];
    R(recvfrom(s[1], b, 4, 0, (void *)&a, NULL));
    write(d[0], "gh", 2);
    R(recvfrom(d[1], b, 4, 0, (void *)&a, NULL));
    
}
#undef R

// ---------------------------------------------------------------- f17_dgram_third_client_epollet_no_pollout
// Three datagram clients connected to one named server; the third fills the server's queue
// and waits for POLLOUT (poll, then epoll) while a child drains the server half a second later.
static double f17_now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static struct sockaddr_un f17_sn = { AF_UNIX, "\0server" };
static void f17_fill(int c) { int n = 0; while (send(c, "x", 1, MSG_DONTWAIT) == 1) n++; }
static pid_t f17_drain_later(int srv) {
    pid_t p = fork();
    if (p == 0) { usleep(500000); char b[8]; while (recv(srv, b, 8, MSG_DONTWAIT) > 0); _exit(0); }
    return p;
}
static void f17_main(void) {
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0); bind(srv, (void *)&f17_sn, 9);
    int c[3];
    for (int i = 0; i < 3; i++) { c[i] = socket(AF_UNIX, SOCK_DGRAM, 0); connect(c[i], (void *)&f17_sn, 9); }
    for (int k = 0; k < 4; k++) {
        int w = k == 3 ? 0 : 2;
        f17_fill(c[w]);
        pid_t p = f17_drain_later(srv);
        double t0 = f17_now();
        int r;
        if (k == 0) {
            struct pollfd pf = { c[w], POLLOUT, 0 };
            r = poll(&pf, 1, 3000);
            printf("poll: %d revents %#x", r, pf.revents);
        } else {
            int ep = epoll_create1(0);
            struct epoll_event ev = { EPOLLOUT | (k >= 2 ? EPOLLET : 0), { .fd = c[w] } }, out;
            epoll_ctl(ep, EPOLL_CTL_ADD, c[w], &ev);
            if (k >= 2) epoll_wait(ep, &out, 1, 0);      // (takes no edge: the queue is full)
            r = epoll_wait(ep, &out, 1, 3000);
            printf("client %d epoll%s: %d", w, k >= 2 ? " ET" : "", r);
            close(ep);
        }
        double dt = f17_now() - t0;
        printf(" after %s\n", dt < 0.4 ? "<0.4 s" : dt < 1.5 ? "about 0.5 s" : "3 s (timed out)");
        waitpid(p, 0, 0);
    }
    
}

// ---------------------------------------------------------------- f18_close_during_send_self_held
// One end of a stream pair is sent over the other into its own receive queue, and that
// queue is filled with bytes; a thread's send on it sleeps (the other queue is full) while
// the last descriptor is closed. When the send returns, only the end's own queue holds it:
// garbage, which the collector must free with its queue's pages. (Lantern's send let go of
// its reference without looking: 8 rounds left some 270 pages for the boot's leak check.)
static int f18_sv[2];
static volatile int f18_done;
static long f18_sent;
static void *f18_send(void *x) {
    (void)x;
    static char b[65536];
    f18_sent = send(f18_sv[1], b, sizeof b, 0);   // sleeps: f18_sv[0]'s queue is full
    f18_done = 1;
    return 0;
}
static void f18_main(void) {
    static char b[65536];
    int full = 1;
    for (int i = 0; i < 8; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, f18_sv)) {
            printf("socketpair failed at %d: %s\n", i, strerror(errno));
            return;
        }
        if (f04_send_fd(f18_sv[0], f18_sv[1]) != 1) {
            printf("sendmsg failed at %d: %s\n", i, strerror(errno));
            return;
        }
        long in = 0, out = 0, n;
        while ((n = send(f18_sv[0], b, sizeof b, MSG_DONTWAIT)) > 0)
            in += n;
        while ((n = send(f18_sv[1], b, sizeof b, MSG_DONTWAIT)) > 0)
            out += n;
        full &= in > 0 && out > 0;
        f18_done = 0;
        pthread_t t;
        pthread_create(&t, 0, f18_send, 0);
        usleep(100000);                            // asleep in its send, holding the file
        close(f18_sv[1]);
        while (!f18_done)
            if (recv(f18_sv[0], b, sizeof b, MSG_DONTWAIT) <= 0)
                usleep(1000);
        pthread_join(t, 0);
        close(f18_sv[0]);
        if (f18_sent != (long)sizeof b)
            printf("round %d: the send returned %ld\n", i, f18_sent);
    }
    printf("8 rounds, both queues filled each time: %s\n", full ? "yes" : "no");
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("== f02_listener_shutdown_no_wake\n");
    fflush(stdout);
    f02_main();
    printf("== f03_scm_self_cycle_exhausts_memory\n");
    fflush(stdout);
    f03_main();
    printf("== f04_peek_scm_race_uaf\n");
    fflush(stdout);
    f04_main();
    printf("== f05_two_stream_receivers_mark_double_free\n");
    fflush(stdout);
    f05_main();
    printf("== f06_timeo_signal_restarts\n");
    fflush(stdout);
    f06_main();
    printf("== f07_getpeername_after_peer_close\n");
    fflush(stdout);
    f07_main();
    printf("== f08_dgram_connected_peer_connected_elsewhere\n");
    fflush(stdout);
    f08_main();
    printf("== f09_recvmsg_msghdr_checks\n");
    fflush(stdout);
    f09_main();
    printf("== f12_epollet_listener_spurious_edge\n");
    fflush(stdout);
    f12_main();
    printf("== f15_inflight_chain_stack_overflow\n");
    fflush(stdout);
    f15_main();
    printf("== f16_zero_len_stream_scm_recvfrom_null_addrlen\n");
    fflush(stdout);
    f16_main();
    printf("== f17_dgram_third_client_epollet_no_pollout\n");
    fflush(stdout);
    f17_main();
    printf("== f18_close_during_send_self_held\n");
    fflush(stdout);
    f18_main();
    printf("done\n");
    return 0;
}
#undef R

