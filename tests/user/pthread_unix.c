// pthread_unix: AF_UNIX sockets with names, as servers and clients use them - socket, bind
// to a path (an S_IFSOCK node), to an abstract name and by autobind, listen, connect,
// accept and accept4, getsockname and getpeername, SO_PEERCRED, SO_ACCEPTCONN, SO_TYPE,
// SO_ERROR, poll and epoll on a listener and on connected ends, nonblocking accept and
// connect (a full backlog); three threads accept()ing six client threads at once, eight
// clients' storm of connects to a backlog-0 listener listen()ed again meanwhile, a forked
// client, an echo server on epoll, a datagram server answering each client at the address
// recvfrom gave; SCM_RIGHTS (a pipe end, a file, a socket; MSG_CTRUNC, MSG_CMSG_CLOEXEC,
// streams and datagrams, a descriptor in flight whose sender has exited, one whose sender
// closed its copy and unlinked the file) and SCM_CREDENTIALS with SO_PASSCRED; and the
// errors. Linux is the oracle: the program runs on the host, then as init on Lantern.
// Names live in /tmp/unixtest-lantern (made here, removed at the end); no pid, inode or
// fd number is printed, only relations ("pid is the peer's: yes").
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

#define DIR_ "/tmp/unixtest-lantern"

// thr_util's err_name knows only the errors most programs meet; sockets have their own.
static const char *ename(int e)
{
    switch (e) {
    case ENXIO: return "ENXIO";
    case ENOTSOCK: return "ENOTSOCK";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNRESET: return "ECONNRESET";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOTDIR: return "ENOTDIR";
    case ETOOMANYREFS: return "ETOOMANYREFS";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case ECONNABORTED: return "ECONNABORTED";
    }
    return err_name(e);
}

// check and check_val of thr_util.h, with the socket errors' names.
static void say(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, ename(e));
    else
        printf("%s: ok\n", what);
}

static void say_val(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, ename(e));
    else
        printf("%s: %ld\n", what, ret);
}

// An address: a path in DIR_ (or any path), or "@name" for an abstract one.
static socklen_t mkaddr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (name[0] == '@') {
        size_t n = strlen(name + 1);
        memcpy(a->sun_path + 1, name + 1, n);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    }
    snprintf(a->sun_path, sizeof a->sun_path, "%s", name);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

// The buffers are each thread's own: client threads name their listener with p() at once.
// Shared, two threads could take one buffer (next++ is no atomic step), and one connect with
// a name the other's snprintf had just emptied - glibc's writes the NUL first. An empty
// sun_path is an empty abstract name: ECONNREFUSED, on Linux too (the echo section lost a
// client to it once at -smp 2).
static const char *p(const char *name)      // DIR_/name
{
    static __thread char bufs[4][128];
    static __thread int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], DIR_ "/%.100s", name);
    return b;
}

static int autobind_name(const struct sockaddr_un *a, socklen_t len)
{
    if (len != offsetof(struct sockaddr_un, sun_path) + 6 || a->sun_path[0] != 0)
        return 0;
    for (int i = 1; i < 6; i++)
        if (!strchr("0123456789abcdef", a->sun_path[i]))
            return 0;
    return 1;
}

// "length N, KIND": unnamed, autobind (5 hex digits, which differ each run), abstract
// "@name", or the path.
static void describe(char *out, size_t size, const struct sockaddr_un *a, socklen_t len)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (len < off)
        snprintf(out, size, "length %d", (int)len);
    else if (a->sun_family != AF_UNIX)
        snprintf(out, size, "length %d, family %d", (int)len, a->sun_family);
    else if (len == off)
        snprintf(out, size, "length %d, unnamed", (int)len);
    else if (autobind_name(a, len))
        snprintf(out, size, "length %d, autobind", (int)len);
    else if (a->sun_path[0] == 0)
        snprintf(out, size, "length %d, abstract \"@%.*s\"", (int)len, (int)(len - off - 1),
                 a->sun_path + 1);
    else
        snprintf(out, size, "length %d, \"%.*s\"", (int)len, (int)(len - off), a->sun_path);
}

static void show_name(const char *what, int fd, int peer)
{
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    memset(&a, 0x55, sizeof a);
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len)
                 : getsockname(fd, (struct sockaddr *)&a, &len);
    if (r < 0) {
        say(what, r);
        return;
    }
    char d[200];
    describe(d, sizeof d, &a, len);
    printf("%s: %s\n", what, d);
}

static void show_poll(const char *what, int fd)
{
    struct pollfd pf = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    poll(&pf, 1, 0);
    printf("%s: poll %#x\n", what, pf.revents);
}

static int sockopt(int fd, int opt)
{
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
        return -1000 - errno;
    return v;
}

// SO_PEERCRED as relations: the pid is the one expected, the uid and gid ours.
static void show_peercred(const char *what, int fd, pid_t expect)
{
    struct ucred c;
    socklen_t len = sizeof c;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) < 0) {
        say(what, -1);
        return;
    }
    printf("%s: length %d, pid %s, uid %s, gid %s\n", what, (int)len,
           c.pid == 0 ? "0" : c.pid == expect ? "as expected" : "other",
           c.uid == getuid() ? "ours" : c.uid == (uid_t)-1 ? "-1" : "other",
           c.gid == getgid() ? "ours" : c.gid == (gid_t)-1 ? "-1" : "other");
}

// An address with no page behind it (bad_address() is NULL, which sendto takes as none).
static void *unmapped(void)
{
    static void *page;
    if (!page) {
        page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(page, 4096);
    }
    return page;
}

static int bind_to(int fd, const char *name)
{
    struct sockaddr_un a;
    socklen_t len = mkaddr(&a, name);
    return bind(fd, (struct sockaddr *)&a, len);
}

static int connect_to(int fd, const char *name)
{
    struct sockaddr_un a;
    socklen_t len = mkaddr(&a, name);
    return connect(fd, (struct sockaddr *)&a, len);
}

static int listener(int type, const char *name, int backlog)
{
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0 || bind_to(fd, name) < 0 || listen(fd, backlog) < 0) {
        printf("listener %s: error %s\n", name, ename(errno));
        return -1;
    }
    return fd;
}

static int client(int type, const char *name)
{
    int fd = socket(AF_UNIX, type, 0);
    if (connect_to(fd, name) < 0) {
        printf("connect %s: error %s\n", name, ename(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void clean_dir(void)
{
    DIR *d = opendir(DIR_);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(p(e->d_name));
    }
    closedir(d);
}

// ---------------------------------------------------------------------------------------
static void names(void)
{
    struct sockaddr_un a;
    struct stat st;
    printf("== names\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("socket SOCK_STREAM", s);
    show_name("getsockname, unbound", s, 0);
    show_name("getpeername, unbound", s, 1);
    show_poll("an unconnected stream socket", s);
    say("bind to a path", bind_to(s, p("one.sock")));
    show_name("getsockname", s, 0);
    say("stat the node", stat(p("one.sock"), &st));
    printf("  socket %s, mode %o, size %ld, links %ld\n", S_ISSOCK(st.st_mode) ? "yes" : "no",
           (unsigned)(st.st_mode & 07777), (long)st.st_size, (long)st.st_nlink);
    say("lstat the node", lstat(p("one.sock"), &st));
    printf("  socket %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");
    int o = open(p("one.sock"), O_RDONLY);
    say("open the node", o);
    o >= 0 ? close(o) : 0;
    say("bind it again", bind_to(s, p("two.sock")));
    int t = socket(AF_UNIX, SOCK_STREAM, 0);
    say("another socket binds the same path", bind_to(t, p("one.sock")));
    int f = open(p("file"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(f, "a regular file\n", 15) != 15)
        printf("write to the file failed\n");
    close(f);
    say("bind to a regular file's name", bind_to(t, p("file")));
    say("bind in a missing directory", bind_to(t, p("nodir/x.sock")));
    say("bind below a regular file", bind_to(t, p("file/x.sock")));
    say("bind with a trailing slash", bind_to(t, p("slash.sock/")));
    say("  the node", stat(p("slash.sock"), &st));
    say("bind to a dangling symlink", (symlink(p("target.sock"), p("link.sock")),
                                        bind_to(t, p("link.sock"))));
    say("  the symlink's target", stat(p("target.sock"), &st));
    unlink(p("link.sock"));
    close(t);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    say("another socket binds the path after unlink",
        (unlink(p("one.sock")), bind_to(t, p("one.sock"))));
    show_name("  the first keeps its name", s, 0);
    close(s);
    say("  the node stays after close", stat(p("one.sock"), &st));
    close(t);
    unlink(p("one.sock"));

    // The whole 108 bytes, no NUL: Linux takes it, and getsockname says 111.
    char longname[sizeof a.sun_path + 1];
    memset(longname, 'L', sizeof longname);
    memcpy(longname, DIR_ "/", strlen(DIR_ "/"));
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, longname, sizeof a.sun_path);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind to a 108-byte path without a NUL", bind(s, (struct sockaddr *)&a, sizeof a));
    {
        char big[256];
        socklen_t len = sizeof big;
        say("  getsockname into 256 bytes", getsockname(s, (struct sockaddr *)big, &len));
        printf("  length %d, the path's length %d\n", (int)len,
               (int)strnlen(big + offsetof(struct sockaddr_un, sun_path), 200));
        len = sizeof a;
        say("  getsockname into a sockaddr_un", getsockname(s, (struct sockaddr *)&a, &len));
        printf("  length %d\n", (int)len);
    }
    longname[sizeof a.sun_path] = 0;
    say("  stat", stat(longname, &st));
    unlink(longname);
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind with addrlen sizeof(sockaddr_un) + 1", bind(s, (struct sockaddr *)&a, sizeof a + 1));
    say("bind with addrlen 1", bind(s, (struct sockaddr *)&a, 1));
    say("bind with addrlen 0", bind(s, (struct sockaddr *)&a, 0));
    mkaddr(&a, p("fam.sock"));
    a.sun_family = AF_INET;
    say("bind, family AF_INET", bind(s, (struct sockaddr *)&a, sizeof a));
    say("bind, a bad address pointer", bind(s, bad_address(), sizeof a));
    close(s);

    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind to an abstract name", bind_to(s, "@lantern-unixtest-abs"));
    show_name("getsockname", s, 0);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    say("another stream socket binds the same abstract name", bind_to(t, "@lantern-unixtest-abs"));
    close(s);
    say("  once the first is closed", bind_to(t, "@lantern-unixtest-abs"));
    // Abstract names are per type on Linux: a datagram socket may take a stream's name.
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("a datagram socket binds the same abstract name", bind_to(s, "@lantern-unixtest-abs"));
    int q = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    say("  and a seqpacket socket", bind_to(q, "@lantern-unixtest-abs"));
    close(q);
    q = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("  but not a second datagram socket", bind_to(q, "@lantern-unixtest-abs"));
    close(q);
    close(s);
    close(t);

    s = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    say("autobind (addrlen sizeof(sa_family_t))", bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
    show_name("getsockname", s, 0);
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    say("another socket binds the autobind name", bind(t, (struct sockaddr *)&a, len));
    close(t);
    say("autobind again", bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
    close(s);
    len = sizeof a;
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("getsockname, length 1", (len = 1, getsockname(s, (struct sockaddr *)&a, &len)));
    printf("  length %d\n", (int)len);
    say("getsockname, negative length", (len = (socklen_t)-1, getsockname(s, (struct sockaddr *)&a, &len)));
    say("getsockname, a bad length pointer", getsockname(s, (struct sockaddr *)&a, bad_address()));
    len = sizeof a;
    say("getsockname, a bad address pointer", getsockname(s, bad_address(), &len));
    close(s);

    say("socket type 99", socket(AF_UNIX, 99, 0));
    say("socket SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0));
    say("socket SOCK_PACKET", socket(AF_UNIX, SOCK_PACKET, 0));
    say("socket protocol 5", socket(AF_UNIX, SOCK_STREAM, 5));
    s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    say("socket SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK", s);
    printf("  SO_TYPE %s, FD_CLOEXEC %d, O_NONBLOCK %s\n",
           sockopt(s, SO_TYPE) == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : "other",
           fcntl(s, F_GETFD) & FD_CLOEXEC, fcntl(s, F_GETFL) & O_NONBLOCK ? "yes" : "no");
    close(s);
}

// ---------------------------------------------------------------------------------------
static int blocked_done, blocked_fd, blocked_ret;

static void *blocked_connect(void *arg)
{
    (void)arg;
    blocked_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    blocked_ret = connect_to(blocked_fd, p("srv.sock")) < 0 ? -errno : 0;
    __atomic_store_n(&blocked_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void listen_connect_accept(void)
{
    char buf[64];
    struct sockaddr_un a;
    socklen_t len;
    printf("== listen, connect, accept\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("SO_ACCEPTCONN before listen: %d\n", sockopt(s, SO_ACCEPTCONN));
    say("listen, unbound", listen(s, 5));
    show_peercred("SO_PEERCRED, unconnected", s, 0);
    say("bind", bind_to(s, p("srv.sock")));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("connect before listen", connect_to(c, p("srv.sock")));
    say("listen", listen(s, 5));
    printf("SO_ACCEPTCONN: %d, SO_TYPE %s, SO_ERROR %d\n", sockopt(s, SO_ACCEPTCONN),
           sockopt(s, SO_TYPE) == SOCK_STREAM ? "SOCK_STREAM" : "other", sockopt(s, SO_ERROR));
    show_peercred("SO_PEERCRED of the listener", s, getpid());
    say("listen again, backlog 3", listen(s, 3));
    show_poll("the listener", s);
    fcntl(s, F_SETFL, O_NONBLOCK);
    say("accept, nothing waiting (O_NONBLOCK)", accept(s, NULL, NULL));
    say("accept4 SOCK_CLOEXEC, nothing waiting (O_NONBLOCK)", accept4(s, NULL, NULL, SOCK_CLOEXEC));
    fcntl(s, F_SETFL, 0);
    // (musl's accept4 falls back to accept on EINVAL: the system call, directly)
    say("accept4, unknown flag", syscall(SYS_accept4, s, NULL, NULL, 1));
    say("recv on the listener", recv(s, buf, 1, MSG_DONTWAIT));
    say("send on the listener", send(s, "x", 1, MSG_NOSIGNAL));
    show_name("getpeername of the listener", s, 1);
    say("connect the listener", connect_to(s, p("srv.sock")));

    say("connect", connect_to(c, p("srv.sock")));
    show_poll("the listener, a connection waiting", s);
    show_poll("the client, not yet accepted", c);
    show_name("the client's getsockname", c, 0);
    show_name("the client's getpeername", c, 1);
    show_peercred("the client's SO_PEERCRED", c, getpid());
    say_val("the client sends before accept", send(c, "early", 5, 0));
    say("connect again", connect_to(c, p("srv.sock")));
    say("connect elsewhere", connect_to(c, p("nothing.sock")));
    say("listen on the connected socket", listen(c, 1));
    len = sizeof a;
    memset(&a, 0x55, sizeof a);
    int n = accept4(s, (struct sockaddr *)&a, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    say("accept4 SOCK_CLOEXEC | SOCK_NONBLOCK", n);
    char d[200];
    describe(d, sizeof d, &a, len);
    printf("  the peer's address: %s\n", d);
    printf("  FD_CLOEXEC %d, O_NONBLOCK %s, SO_ACCEPTCONN %d\n", fcntl(n, F_GETFD) & FD_CLOEXEC,
           fcntl(n, F_GETFL) & O_NONBLOCK ? "yes" : "no", sockopt(n, SO_ACCEPTCONN));
    show_name("  its getsockname", n, 0);
    show_name("  its getpeername", n, 1);
    show_peercred("  its SO_PEERCRED", n, getpid());
    show_poll("  its poll", n);
    show_poll("the listener after accept", s);
    say_val("recv what was sent before accept", recv(n, buf, sizeof buf, 0));
    say_val("recv, nothing more", recv(n, buf, sizeof buf, 0));
    say_val("send back", send(n, "late", 4, 0));
    show_poll("the client", c);
    say_val("the client's recv", recv(c, buf, sizeof buf, 0));
    say("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    show_poll("the accepted end", n);
    say_val("  its recv", recv(n, buf, sizeof buf, 0));
    close(n);
    show_poll("the client after the accepted end's close", c);
    say_val("  its recv", recv(c, buf, sizeof buf, 0));
    say_val("  its send", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);

    // A client bound to a path before it connects: accept and getpeername give that.
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("a client bound to a path", bind_to(c, p("cli.sock")));
    say("  connects", connect_to(c, p("srv.sock")));
    len = sizeof a;
    n = accept(s, (struct sockaddr *)&a, &len);
    describe(d, sizeof d, &a, len);
    printf("  accept: the peer's address: %s\n", d);
    n >= 0 ? close(n) : 0;
    close(c);

    c = socket(AF_UNIX, SOCK_STREAM, 0);
    bind_to(c, p("cli2.sock"));
    connect_to(c, p("srv.sock"));
    len = 4;
    n = accept(s, (struct sockaddr *)&a, &len);
    say("accept from a bound client, an address buffer of 4 bytes", n);
    printf("  length %d\n", (int)len);
    close(n);
    close(c);

    // Unconnected stream sockets.
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("send, unconnected", send(c, "x", 1, MSG_NOSIGNAL));
    say("recv, unconnected", recv(c, buf, 1, MSG_DONTWAIT));
    say("sendto an address, unconnected", (mkaddr(&a, p("srv.sock")),
        sendto(c, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a)));
    say("accept, not listening", accept(c, NULL, NULL));
    say("shutdown, unconnected", shutdown(c, SHUT_RDWR));
    show_poll("after shutdown", c);
    say("  connect after shutdown", connect_to(c, p("srv.sock")));
    n = accept(s, NULL, NULL);
    say_val("  the accepted end's send", send(n, "x", 1, MSG_NOSIGNAL));
    say_val("  its recv", recv(n, buf, sizeof buf, MSG_DONTWAIT));
    close(n);
    close(c);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect_to(c, p("srv.sock"));
    n = accept(s, NULL, NULL);
    say("sendto an address, connected", sendto(c, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a));
    len = sizeof a;
    send(n, "hi", 2, 0);
    memset(&a, 0x55, sizeof a);
    say_val("recvfrom on a stream", recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&a, &len));
    printf("  address length %d\n", (int)len);
    close(n);
    close(c);

    // The backlog: listen(fd, 1) takes two connections before a nonblocking connect says
    // EAGAIN; accept makes room.
    say("listen, backlog 1", listen(s, 1));
    int cs[4];
    for (int i = 0; i < 4; i++) {
        cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        snprintf(buf, sizeof buf, "nonblocking connect %d", i + 1);
        say(buf, connect_to(cs[i], p("srv.sock")));
    }
    show_poll("the third client", cs[2]);
    n = accept(s, NULL, NULL);
    say("accept one", n);
    say("nonblocking connect again", connect_to(cs[2], p("srv.sock")));
    close(n);
    for (int i = 0; i < 4; i++)
        close(cs[i]);
    // The queue is full again: a blocking connect waits for an accept; with SO_SNDTIMEO it
    // gives up with EAGAIN.
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    struct timeval tv = { 0, 30000 };
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    say("connect with SO_SNDTIMEO 30 ms, the queue full", connect_to(c, p("srv.sock")));
    close(c);
    pthread_t waiter;
    blocked_done = 0;
    pthread_create(&waiter, NULL, blocked_connect, NULL);
    sleep_ms(50);
    printf("a blocking connect, the queue full: returned before accept: %s\n",
           __atomic_load_n(&blocked_done, __ATOMIC_SEQ_CST) ? "yes" : "no");
    n = accept(s, NULL, NULL);
    pthread_join(waiter, NULL);
    printf("  after accept: %s\n", blocked_ret < 0 ? ename(-blocked_ret) : "ok");
    close(n);
    close(blocked_fd);
    fcntl(s, F_SETFL, O_NONBLOCK);
    int left = 0;
    while ((n = accept(s, NULL, NULL)) >= 0)
        close(n), left++;
    fcntl(s, F_SETFL, 0);
    printf("connections left to accept: %d\n", left);

    // Connections waiting when the listener goes: each client has ECONNRESET pending (SO_ERROR
    // takes it, or the next recv), then end of file, and its sends say EPIPE; a new connect
    // to the path, ECONNREFUSED; once the node is unlinked, ENOENT.
    c = client(SOCK_STREAM, p("srv.sock"));
    int c2 = client(SOCK_STREAM, p("srv.sock"));
    send(c2, "unread", 6, 0);
    close(s);
    show_poll("a waiting client after the listener's close", c);
    printf("  SO_ERROR %s\n", ename(sockopt(c, SO_ERROR)));
    say_val("  recv", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    say_val("  recv again", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    say_val("  send", send(c, "x", 1, MSG_NOSIGNAL));
    say_val("one that had sent: send", send(c2, "x", 1, MSG_NOSIGNAL));
    say_val("  recv", recv(c2, buf, sizeof buf, MSG_DONTWAIT));
    close(c);
    close(c2);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("connect after the listener's close", connect_to(c, p("srv.sock")));
    unlink(p("srv.sock"));
    say("connect after unlink", connect_to(c, p("srv.sock")));
    say("connect to a regular file", connect_to(c, p("file")));
    say("connect to a directory", connect_to(c, DIR_));
    say("connect to a missing abstract name", connect_to(c, "@lantern-unixtest-none"));
    say("connect, addrlen 2", connect(c, (struct sockaddr *)&a, 2));
    say("connect, addrlen 111", (mkaddr(&a, p("x")), connect(c, (struct sockaddr *)&a, sizeof a + 1)));
    say("connect, a bad address pointer", connect(c, bad_address(), sizeof a));
    close(c);

    // An unlinked listener keeps the connections it has, and takes no new ones.
    s = listener(SOCK_STREAM, p("gone.sock"), 4);
    c = client(SOCK_STREAM, p("gone.sock"));
    n = accept(s, NULL, NULL);
    unlink(p("gone.sock"));
    c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    say("connect to an unlinked listener's path", connect_to(c2, p("gone.sock")));
    say("a new listener on the same path", bind_to(c2, p("gone.sock")));
    say_val("the old connection still carries", (send(c, "abc", 3, 0), recv(n, buf, sizeof buf, 0)));
    show_name("the old listener's name", s, 0);
    close(c2);
    close(c);
    close(n);
    close(s);
    unlink(p("gone.sock"));

    // The types must agree.
    s = listener(SOCK_STREAM, p("st.sock"), 4);
    int q = listener(SOCK_SEQPACKET, p("sq.sock"), 4);
    int g = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind_to(g, p("dg.sock"));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("stream connects to a datagram socket", connect_to(c, p("dg.sock")));
    say("stream connects to a seqpacket listener", connect_to(c, p("sq.sock")));
    close(c);
    c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    say("seqpacket connects to a stream listener", connect_to(c, p("st.sock")));
    close(c);
    c = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("datagram connects to a stream listener", connect_to(c, p("st.sock")));
    say("datagram sendto a stream listener", (mkaddr(&a, p("st.sock")),
        sendto(c, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, p("st.sock")))));
    say("listen on a datagram socket", listen(g, 1));
    say("accept on a datagram socket", accept(g, NULL, NULL));
    close(c);
    close(g);
    close(s);

    // Sequenced packets through a named connection keep their boundaries.
    c = client(SOCK_SEQPACKET, p("sq.sock"));
    n = accept(q, NULL, NULL);
    printf("seqpacket: SO_TYPE of the accepted %s\n",
           sockopt(n, SO_TYPE) == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : "other");
    send(c, "first", 5, 0);
    send(c, "second!", 7, 0);
    say_val("  recv 64", recv(n, buf, sizeof buf, 0));
    say_val("  recv 3 (MSG_TRUNC)", recv(n, buf, 3, MSG_TRUNC));
    close(c);
    say_val("  recv after the peer's close", recv(n, buf, sizeof buf, 0));
    close(n);
    close(q);
    unlink(p("st.sock"));
    unlink(p("sq.sock"));
    unlink(p("dg.sock"));
}

// ---------------------------------------------------------------------------------------
// Three threads accept() on one listener (backlog 2) while six client threads connect at
// once - some connects must wait for room. Each accepter answers what it reads.
#define ACCEPTERS 3
#define CLIENTS 6

static int acc_fd;
static char replies[CLIENTS][64];
static int served[CLIENTS], cred_ok[CLIENTS], clients_failed;

static void *accepter(void *arg)
{
    (void)arg;
    for (int i = 0; i < CLIENTS / ACCEPTERS; i++) {
        int fd = accept(acc_fd, NULL, NULL);
        if (fd < 0) {
            __atomic_add_fetch(&clients_failed, 1, __ATOMIC_RELAXED);
            continue;
        }
        char req[64];
        ssize_t n = recv(fd, req, sizeof req - 1, 0);
        int id = -1;
        if (n > 0) {
            req[n] = 0;
            sscanf(req, "client %d", &id);
        }
        if (id >= 0 && id < CLIENTS) {
            __atomic_add_fetch(&served[id], 1, __ATOMIC_RELAXED);
            struct ucred c;
            socklen_t len = sizeof c;
            cred_ok[id] = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) == 0 &&
                          c.pid == getpid() && c.uid == getuid() && c.gid == getgid();
            char rep[64];
            int m = snprintf(rep, sizeof rep, "hello, client %d", id);
            send(fd, rep, (size_t)m, 0);
        }
        close(fd);
    }
    return NULL;
}

static void *client_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    int fd = client(SOCK_STREAM, p("acc.sock"));
    if (fd < 0)
        return NULL;
    char req[32];
    int m = snprintf(req, sizeof req, "client %d", id);
    send(fd, req, (size_t)m, 0);
    size_t got = 0;
    for (ssize_t n; got < sizeof replies[id] - 1 &&
                    (n = recv(fd, replies[id] + got, sizeof replies[id] - 1 - got, 0)) > 0;)
        got += (size_t)n;
    close(fd);
    return NULL;
}

static void accepters_and_clients(void)
{
    printf("== %d accepting threads, %d client threads\n", ACCEPTERS, CLIENTS);
    acc_fd = listener(SOCK_STREAM, p("acc.sock"), 2);
    pthread_t a[ACCEPTERS], c[CLIENTS];
    for (int i = 0; i < ACCEPTERS; i++)
        pthread_create(&a[i], NULL, accepter, NULL);
    for (intptr_t i = 0; i < CLIENTS; i++)
        pthread_create(&c[i], NULL, client_thread, (void *)i);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(c[i], NULL);
    for (int i = 0; i < ACCEPTERS; i++)
        pthread_join(a[i], NULL);
    for (int i = 0; i < CLIENTS; i++)
        printf("client %d: \"%s\", served %d, SO_PEERCRED ours %s\n", i, replies[i], served[i],
               cred_ok[i] ? "yes" : "no");
    printf("failed accepts: %d\n", clients_failed);
    close(acc_fd);
    unlink(p("acc.sock"));
}

// ---------------------------------------------------------------------------------------
// A forked client: each side checks the other's SO_PEERCRED; the child reports by the
// socket and its exit status.
static void forked_client(void)
{
    printf("== a forked client\n");
    int s = listener(SOCK_STREAM, p("fork.sock"), 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c = client(SOCK_STREAM, p("fork.sock"));
        struct ucred cr;
        socklen_t len = sizeof cr;
        getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len);
        char msg[128];
        int m = snprintf(msg, sizeof msg, "the child: the peer's pid is its parent's: %s; "
                         "uid ours: %s\n", cr.pid == getppid() ? "yes" : "no",
                         cr.uid == getuid() ? "yes" : "no");
        if (send(c, msg, (size_t)m, 0) != m)
            _exit(1);
        char buf[16];
        ssize_t n = recv(c, buf, sizeof buf, 0);      // "bye", then end of file
        _exit(n == 3 && recv(c, buf, sizeof buf, 0) == 0 ? 7 : 2);
    }
    int n = accept(s, NULL, NULL);
    show_peercred("the parent: SO_PEERCRED of the accepted", n, pid);
    char buf[160];
    ssize_t got = 0;
    for (ssize_t r; (r = recv(n, buf + got, sizeof buf - 1 - (size_t)got, 0)) > 0;) {
        got += r;
        if (memchr(buf, '\n', (size_t)got))
            break;
    }
    buf[got > 0 ? got : 0] = 0;
    printf("%s", buf);
    send(n, "bye", 3, 0);
    close(n);
    int status;
    waitpid(pid, &status, 0);
    print_status("the child", status);
    show_poll("the listener, nobody waiting", s);
    close(s);
    unlink(p("fork.sock"));
}

// ---------------------------------------------------------------------------------------
// A storm of connects: eight client threads connect 200 times each to a listener whose
// queue holds one connection (backlog 0), so most of them wait for room, while two threads
// accept - one with accept4(SOCK_CLOEXEC), one with accept4(SOCK_NONBLOCK) - and the main
// thread listen()s on it again and again with backlogs 0 to 2. The listener listens
// throughout: no connect may be refused. Each client names it with p() itself.
#define STORM_CLIENTS 8
#define STORM_ROUNDS 200

static int storm_fd, storm_clients_done, storm_all_served, storm_served, storm_accept_errors;
static int storm_connect_errors[512];          // by errno

static void *storm_accepter(void *arg)
{
    int flags = (int)(intptr_t)arg;
    for (;;) {
        int n = accept4(storm_fd, NULL, NULL, flags);
        if (n < 0) {
            if (errno == EINVAL)               // shut down: the storm is over
                return NULL;
            __atomic_add_fetch(&storm_accept_errors, 1, __ATOMIC_RELAXED);
            continue;
        }
        char c;
        poll(&(struct pollfd){ .fd = n, .events = POLLIN }, 1, -1);
        if (read(n, &c, 1) == 1) {
            c++;
            if (write(n, &c, 1) == 1)
                __atomic_add_fetch(&storm_served, 1, __ATOMIC_RELAXED);
        }
        close(n);
    }
}

static void *storm_client(void *arg)
{
    int id = (int)(intptr_t)arg, good = 0;
    for (int r = 0; r < STORM_ROUNDS; r++) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect_to(fd, p("storm.sock")) < 0) {
            int e = errno > 0 && errno < 512 ? errno : 0;
            __atomic_add_fetch(&storm_connect_errors[e], 1, __ATOMIC_RELAXED);
            close(fd);
            continue;
        }
        char c = (char)('a' + id), back = 0;
        if (write(fd, &c, 1) == 1 && read(fd, &back, 1) == 1 && back == c + 1)
            good++;
        close(fd);
    }
    if (good == STORM_ROUNDS)
        __atomic_add_fetch(&storm_all_served, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&storm_clients_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void connect_storm(void)
{
    printf("== a storm of connects: %d client threads, %d connects each, backlog 0\n",
           STORM_CLIENTS, STORM_ROUNDS);
    storm_fd = listener(SOCK_STREAM, p("storm.sock"), 0);
    pthread_t a[2], c[STORM_CLIENTS];
    pthread_create(&a[0], NULL, storm_accepter, (void *)(intptr_t)SOCK_CLOEXEC);
    pthread_create(&a[1], NULL, storm_accepter, (void *)(intptr_t)SOCK_NONBLOCK);
    for (intptr_t i = 0; i < STORM_CLIENTS; i++)
        pthread_create(&c[i], NULL, storm_client, (void *)i);
    int listens = 0, listen_errors = 0;
    while (__atomic_load_n(&storm_clients_done, __ATOMIC_ACQUIRE) < STORM_CLIENTS) {
        listen_errors += listen(storm_fd, listens++ % 3) < 0;
        usleep(200);
    }
    for (int i = 0; i < STORM_CLIENTS; i++)
        pthread_join(c[i], NULL);
    shutdown(storm_fd, SHUT_RDWR);             // the accepters' accept: EINVAL
    for (int i = 0; i < 2; i++)
        pthread_join(a[i], NULL);
    printf("clients with every connect served: %d of %d\n", storm_all_served, STORM_CLIENTS);
    printf("connections served %d, accept errors %d, listen again: errors %d\n", storm_served,
           storm_accept_errors, listen_errors);
    int errs = 0;
    for (int e = 0; e < 512; e++)
        if (storm_connect_errors[e]) {
            printf("connect errors %s: %d\n", ename(e), storm_connect_errors[e]);
            errs++;
        }
    if (!errs)
        printf("connect errors: none\n");
    close(storm_fd);
    unlink(p("storm.sock"));
}

// ---------------------------------------------------------------------------------------
// An echo server on epoll: the listener and every connection in one epoll set, nonblocking;
// four client threads each make 50 round trips and then shut down their writing side.
#define ECHO_CLIENTS 4
#define ROUNDS 50

static int echo_listener, echo_accepted, echo_ended;
static long echo_bytes;
static int echo_ok[ECHO_CLIENTS];

static void *echo_server(void *arg)
{
    (void)arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = echo_listener }, got[8];
    epoll_ctl(ep, EPOLL_CTL_ADD, echo_listener, &ev);
    while (echo_ended < ECHO_CLIENTS) {
        int k = epoll_wait(ep, got, 8, 5000);
        if (k <= 0)
            break;
        for (int i = 0; i < k; i++) {
            int fd = got[i].data.fd;
            if (fd == echo_listener) {
                int c;
                while ((c = accept4(echo_listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    echo_accepted++;
                    struct epoll_event ce = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            char buf[512];
            for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n > 0) {
                    echo_bytes += n;
                    for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(fd, buf + off, (size_t)(n - off));
                        if (w > 0)
                            off += w;
                        else if (w < 0 && errno != EAGAIN)
                            break;
                    }
                    continue;
                }
                if (n == 0) {                  // the client's SHUT_WR: done with it
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                    close(fd);
                    echo_ended++;
                }
                break;                         // or EAGAIN
            }
        }
    }
    close(ep);
    return NULL;
}

static void *echo_client(void *arg)
{
    int id = (int)(intptr_t)arg;
    int fd = client(SOCK_STREAM, p("echo.sock"));
    if (fd < 0)
        return NULL;
    int ok = 1;
    for (int r = 0; r < ROUNDS && ok; r++) {
        char msg[300], back[300];
        int len = 20 + (r * 37 + id * 11) % 250;
        memset(msg, 'a' + (r + id) % 26, (size_t)len);
        ok = write(fd, msg, (size_t)len) == len;
        int got = 0;
        while (ok && got < len) {
            ssize_t n = read(fd, back + got, (size_t)(len - got));
            ok = n > 0;
            got += n > 0 ? (int)n : 0;
        }
        ok = ok && memcmp(msg, back, (size_t)len) == 0;
    }
    shutdown(fd, SHUT_WR);
    char c;
    ok = ok && read(fd, &c, 1) == 0;                 // the server closes
    close(fd);
    echo_ok[id] = ok;
    return NULL;
}

static void epoll_echo(void)
{
    printf("== an echo server on epoll\n");
    echo_listener = listener(SOCK_STREAM | SOCK_NONBLOCK, p("echo.sock"), 8);
    // First, what epoll says of the listener, alone.
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = 1 }, got[2];
    epoll_ctl(ep, EPOLL_CTL_ADD, echo_listener, &ev);
    say_val("epoll_wait on the listener, nobody", epoll_wait(ep, got, 2, 0));
    int c = client(SOCK_STREAM, p("echo.sock"));
    int k = epoll_wait(ep, got, 2, 0);
    say_val("epoll_wait, a connection waiting", k);
    printf("  events %#x\n", k > 0 ? got[0].events : 0);
    int n = accept(echo_listener, NULL, NULL);
    say_val("epoll_wait after accept", epoll_wait(ep, got, 2, 0));
    struct epoll_event cev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u32 = 2 };
    epoll_ctl(ep, EPOLL_CTL_ADD, n, &cev);
    k = epoll_wait(ep, got, 2, 0);
    printf("the accepted end, edge-triggered: %d, events %#x\n", k, k > 0 ? got[0].events : 0);
    send(c, "x", 1, 0);
    k = epoll_wait(ep, got, 2, 0);
    printf("  after the client's send: %d, events %#x\n", k, k > 0 ? got[0].events : 0);
    close(c);
    k = epoll_wait(ep, got, 2, 0);
    printf("  after the client's close: %d, events %#x\n", k, k > 0 ? got[0].events : 0);
    close(n);
    close(ep);

    pthread_t srv, cl[ECHO_CLIENTS];
    pthread_create(&srv, NULL, echo_server, NULL);
    for (intptr_t i = 0; i < ECHO_CLIENTS; i++)
        pthread_create(&cl[i], NULL, echo_client, (void *)i);
    for (int i = 0; i < ECHO_CLIENTS; i++)
        pthread_join(cl[i], NULL);
    pthread_join(srv, NULL);
    long expect = 0;
    for (int id = 0; id < ECHO_CLIENTS; id++)
        for (int r = 0; r < ROUNDS; r++)
            expect += 20 + (r * 37 + id * 11) % 250;
    for (int i = 0; i < ECHO_CLIENTS; i++)
        printf("echo client %d: %d round trips, all echoed: %s\n", i, ROUNDS, echo_ok[i] ? "yes" : "no");
    printf("the server: accepted %d, ended %d, bytes %ld (expected %ld)\n", echo_accepted,
           echo_ended, echo_bytes, expect);
    close(echo_listener);
    unlink(p("echo.sock"));
}

// ---------------------------------------------------------------------------------------
// Datagrams with addresses: a server bound to a path answers each request at the address
// recvfrom gave - a client bound to a path, one to an abstract name, one autobound.
#define DG_CLIENTS 3
#define DG_EACH 10

static int dg_server;
static int dg_answered[DG_CLIENTS], dg_kind_ok[DG_CLIENTS], dg_from_ok[DG_CLIENTS];
static int dg_server_errors;

static void *dgram_server(void *arg)
{
    (void)arg;
    for (int i = 0; i < DG_CLIENTS * DG_EACH; i++) {
        char buf[64], rep[80];
        struct sockaddr_un a;
        socklen_t len = sizeof a;
        ssize_t n = recvfrom(dg_server, buf, sizeof buf - 1, 0, (struct sockaddr *)&a, &len);
        if (n < 0) {
            dg_server_errors++;
            continue;
        }
        buf[n] = 0;
        int id = -1, seq = -1;
        sscanf(buf, "req %d #%d", &id, &seq);
        if (id < 0 || id >= DG_CLIENTS) {
            dg_server_errors++;
            continue;
        }
        int kind_ok = id == 0 ? len == mkaddr(&(struct sockaddr_un){ 0 }, p("c0.sock")) &&
                                    strcmp(a.sun_path, p("c0.sock")) == 0 :
                      id == 1 ? a.sun_path[0] == 0 && len == 2 + 1 + strlen("lantern-unixtest-c1") &&
                                    memcmp(a.sun_path + 1, "lantern-unixtest-c1", len - 3) == 0 :
                                autobind_name(&a, len);
        if (seq == 0)
            dg_kind_ok[id] = kind_ok;
        int m = snprintf(rep, sizeof rep, "re: %s", buf);
        if (sendto(dg_server, rep, (size_t)m, 0, (struct sockaddr *)&a, len) != m)
            dg_server_errors++;
    }
    return NULL;
}

static void *dgram_client(void *arg)
{
    int id = (int)(intptr_t)arg;
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (id == 0)
        bind_to(fd, p("c0.sock"));
    else if (id == 1)
        bind_to(fd, "@lantern-unixtest-c1");
    else {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t));
    }
    struct sockaddr_un srv;
    socklen_t srvlen = mkaddr(&srv, p("dgsrv.sock"));
    int from_ok = 1;
    for (int i = 0; i < DG_EACH; i++) {
        char req[32], rep[80], want[80];
        int m = snprintf(req, sizeof req, "req %d #%d", id, i);
        sendto(fd, req, (size_t)m, 0, (struct sockaddr *)&srv, srvlen);
        struct sockaddr_un from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, rep, sizeof rep - 1, 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
            break;
        rep[n] = 0;
        snprintf(want, sizeof want, "re: %s", req);
        if (strcmp(rep, want) == 0)
            dg_answered[id]++;
        from_ok = from_ok && fl == srvlen && strcmp(from.sun_path, srv.sun_path) == 0;
    }
    dg_from_ok[id] = from_ok;
    close(fd);
    return NULL;
}

static void datagrams(void)
{
    char buf[64], d[200];
    struct sockaddr_un a;
    socklen_t len;
    printf("== datagrams\n");
    dg_server = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("bind the server", bind_to(dg_server, p("dgsrv.sock")));
    pthread_t srv, cl[DG_CLIENTS];
    pthread_create(&srv, NULL, dgram_server, NULL);
    for (intptr_t i = 0; i < DG_CLIENTS; i++)
        pthread_create(&cl[i], NULL, dgram_client, (void *)i);
    for (int i = 0; i < DG_CLIENTS; i++)
        pthread_join(cl[i], NULL);
    pthread_join(srv, NULL);
    const char *kinds[] = { "a path", "an abstract name", "autobind" };
    for (int i = 0; i < DG_CLIENTS; i++)
        printf("client %d (%s): %d of %d answered, the server saw its address: %s, replies "
               "from the server's path: %s\n", i, kinds[i], dg_answered[i], DG_EACH,
               dg_kind_ok[i] ? "yes" : "no", dg_from_ok[i] ? "yes" : "no");
    printf("server errors: %d\n", dg_server_errors);
    unlink(p("c0.sock"));

    // One at a time: the addresses recvfrom reports, and connect's default destination.
    int u = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("send, unconnected and no address", send(u, "x", 1, 0));
    mkaddr(&a, p("dgsrv.sock"));
    say_val("sendto the server from an unbound socket", sendto(u, "anon", 4, 0, (struct sockaddr *)&a,
                                                               mkaddr(&a, p("dgsrv.sock"))));
    show_name("  the sender's name afterwards", u, 0);
    len = sizeof a;
    memset(&a, 0x55, sizeof a);
    say_val("recvfrom", recvfrom(dg_server, buf, sizeof buf, 0, (struct sockaddr *)&a, &len));
    printf("  address length %d\n", (int)len);
    say("reply with that length", sendto(dg_server, "r", 1, 0, (struct sockaddr *)&a, len));
    say("sendto a missing path", sendto(u, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, p("none.sock"))));
    say("sendto a regular file", sendto(u, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, p("file"))));
    say("sendto a missing abstract name", sendto(u, "x", 1, 0, (struct sockaddr *)&a,
                                                 mkaddr(&a, "@lantern-unixtest-none")));
    say("sendto, addrlen 2", sendto(u, "x", 1, 0, (struct sockaddr *)&a, 2));
    say("sendto, addrlen 111", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a + 1));
    say("sendto, a NULL address with a length", sendto(u, "x", 1, 0, bad_address(), sizeof a));
    say("sendto, an unmapped address", sendto(u, "x", 1, 0, unmapped(), sizeof a));

    // SO_PASSCRED on the sender autobinds it at its first send.
    int on = 1;
    setsockopt(u, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    sendto(u, "cred", 4, 0, (struct sockaddr *)&a, mkaddr(&a, p("dgsrv.sock")));
    show_name("an unbound sender with SO_PASSCRED: its name", u, 0);
    len = sizeof a;
    recvfrom(dg_server, buf, sizeof buf, 0, (struct sockaddr *)&a, &len);
    describe(d, sizeof d, &a, len);
    printf("  recvfrom: %s\n", d);
    sendto(u, "trunc", 5, 0, (struct sockaddr *)&a, mkaddr(&a, p("dgsrv.sock")));
    len = 5;
    say_val("recvfrom, a 5-byte address buffer", recvfrom(dg_server, buf, sizeof buf, 0,
                                                          (struct sockaddr *)&a, &len));
    printf("  address length %d\n", (int)len);
    close(u);

    // connect sets the default destination and filters what arrives; a third socket may not
    // send to a socket connected elsewhere (EPERM).
    int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind_to(x, p("x.sock"));
    bind_to(y, p("y.sock"));
    say("connect x to the server", connect_to(x, p("dgsrv.sock")));
    show_name("x's getpeername", x, 1);
    show_poll("x", x);
    say_val("send from x", send(x, "from x", 6, 0));
    len = sizeof a;
    recvfrom(dg_server, buf, sizeof buf, 0, (struct sockaddr *)&a, &len);
    describe(d, sizeof d, &a, len);
    printf("  the server's recvfrom: %s\n", d);
    say_val("sendto y while connected", sendto(x, "to y", 4, 0, (struct sockaddr *)&a,
                                               mkaddr(&a, p("y.sock"))));
    say_val("  y's recv", recv(y, buf, sizeof buf, MSG_DONTWAIT));
    say("connect y to x", connect_to(y, p("x.sock")));
    say("connect y to the server", connect_to(y, p("dgsrv.sock")));
    int z = socket(AF_UNIX, SOCK_DGRAM, 0);
    say_val("a third socket sends to y (connected to the server)", sendto(z, "z", 1, 0,
        (struct sockaddr *)&a, mkaddr(&a, p("y.sock"))));
    say_val("the server sends to y", sendto(dg_server, "s", 1, 0, (struct sockaddr *)&a,
                                           mkaddr(&a, p("y.sock"))));
    say_val("  y's recv", recv(y, buf, sizeof buf, MSG_DONTWAIT));
    say_val("x sends to y (connected elsewhere)", sendto(x, "x", 1, 0, (struct sockaddr *)&a,
                                                         mkaddr(&a, p("y.sock"))));
    say_val("y sends", send(y, "y", 1, 0));
    say_val("  the server's recv", recv(dg_server, buf, sizeof buf, MSG_DONTWAIT));
    say_val("  the server's recv, nothing more", recv(dg_server, buf, sizeof buf, MSG_DONTWAIT));
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNSPEC;
    say("connect y to AF_UNSPEC (dissolve)", connect(y, (struct sockaddr *)&a, sizeof(sa_family_t)));
    show_name("  y's getpeername", y, 1);
    say("  y's send", send(y, "y", 1, 0));
    say_val("a third socket sends to y now", sendto(z, "z", 1, 0, (struct sockaddr *)&a,
                                                    mkaddr(&a, p("y.sock"))));
    say_val("  y's recv", recv(y, buf, sizeof buf, MSG_DONTWAIT));
    close(z);
    // The server goes: x, connected to it, gets ECONNREFUSED once, then ENOTCONN.
    close(dg_server);
    say("x sends to the closed server", send(x, "x", 1, 0));
    say("  again", send(x, "x", 1, 0));
    show_name("  x's getpeername", x, 1);
    say("connect x to the closed server's path", connect_to(x, p("dgsrv.sock")));
    unlink(p("dgsrv.sock"));
    say("  after unlink", connect_to(x, p("dgsrv.sock")));
    close(x);
    close(y);
    unlink(p("x.sock"));
    unlink(p("y.sock"));
}

// ---------------------------------------------------------------------------------------
// SCM_RIGHTS and SCM_CREDENTIALS.
// sendmsg of data with nfds descriptors (SCM_RIGHTS), to an address or none. raw: the
// system call itself - musl's sendmsg copies the control into a 1 KiB buffer first (ENOMEM
// for more: 253 descriptors need 1028 bytes).
static ssize_t send_fds_(int sock, const int *fds, int nfds, const char *data, size_t len,
                         const struct sockaddr_un *to, socklen_t tolen, bool raw)
{
    union { char buf[CMSG_SPACE(sizeof(int) * 256)]; struct cmsghdr align; } u;
    struct iovec iov = { (void *)data, len };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_name = (void *)to, .msg_namelen = tolen };
    if (nfds > 0) {
        memset(&u, 0, sizeof u);
        m.msg_control = u.buf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    return raw ? syscall(SYS_sendmsg, sock, &m, MSG_NOSIGNAL) : sendmsg(sock, &m, MSG_NOSIGNAL);
}

static ssize_t send_fds(int sock, const int *fds, int nfds, const char *data, size_t len,
                        const struct sockaddr_un *to, socklen_t tolen)
{
    return send_fds_(sock, fds, nfds, data, len, to, tolen, false);
}

struct got {
    ssize_t n;                 // recvmsg's return
    int flags;                 // msg_flags
    int nfds, fds[256];        // SCM_RIGHTS's descriptors
    int ncred;                 // SCM_CREDENTIALS seen
    struct ucred cred;
    char order[64];            // the control messages' types in order: "R" and "C"
    char data[256];
};

// recvmsg with a control buffer of ctl bytes (0: none).
static struct got recv_fds(int sock, size_t ctl, int flags)
{
    struct got g;
    memset(&g, 0, sizeof g);
    union { char buf[2048]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = { g.data, sizeof g.data - 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl ? u.buf : NULL,
                        .msg_controllen = ctl };
    g.n = recvmsg(sock, &m, flags);
    if (g.n < 0) {
        g.n = -errno;
        return g;
    }
    g.data[g.n] = 0;
    g.flags = m.msg_flags;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        size_t o = strlen(g.order);
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && g.nfds < 256; i++)
                memcpy(&g.fds[g.nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (o < sizeof g.order - 1)
                g.order[o] = 'R';
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            memcpy(&g.cred, CMSG_DATA(c), sizeof g.cred);
            g.ncred++;
            if (o < sizeof g.order - 1)
                g.order[o] = 'C';
        } else if (o < sizeof g.order - 1) {
            g.order[o] = '?';
        }
    }
    return g;
}

static void show_got(const char *what, const struct got *g)
{
    if (g->n < 0) {
        printf("%s: error %s\n", what, ename((int)-g->n));
        return;
    }
    printf("%s: %ld bytes \"%s\", descriptors %d, MSG_CTRUNC %s, control \"%s\"\n", what,
           (long)g->n, g->data, g->nfds, g->flags & MSG_CTRUNC ? "yes" : "no", g->order);
}

static void close_fds(const struct got *g)
{
    for (int i = 0; i < g->nfds; i++)
        close(g->fds[i]);
}

// A connected pair through a named listener: *a the client, *b the accepted end.
static void named_pair(int type, const char *name, int *a, int *b)
{
    int s = listener(type, p(name), 1);
    *a = client(type, p(name));
    *b = accept(s, NULL, NULL);
    close(s);
    unlink(p(name));
}

static void rights(void)
{
    int a, b, pp[2];
    char buf[64];
    printf("== SCM_RIGHTS\n");
    named_pair(SOCK_STREAM, "rights.sock", &a, &b);

    // A pipe's read end: the receiver reads what the sender writes into the pipe.
    pipe(pp);
    say_val("send a pipe's read end", send_fds(a, &pp[0], 1, "pipe", 4, NULL, 0));
    close(pp[0]);
    struct got g = recv_fds(b, CMSG_SPACE(sizeof(int)), 0);
    show_got("recvmsg", &g);
    if (g.nfds == 1) {
        struct stat st;
        fstat(g.fds[0], &st);
        printf("  a FIFO: %s, FD_CLOEXEC %d\n", S_ISFIFO(st.st_mode) ? "yes" : "no",
               fcntl(g.fds[0], F_GETFD) & FD_CLOEXEC);
        write(pp[1], "through the pipe", 16);
        close(pp[1]);
        say_val("  read through it", read(g.fds[0], buf, sizeof buf));
        say_val("  then (the writer closed)", read(g.fds[0], buf, sizeof buf));
    }
    close_fds(&g);

    // A file: the received descriptor shares the open file, and its offset.
    int f = open(p("data"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(f, "0123456789abcdefghij", 20);
    lseek(f, 4, SEEK_SET);
    say_val("send a file descriptor (offset 4)", send_fds(a, &f, 1, "file", 4, NULL, 0));
    g = recv_fds(b, CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC);
    show_got("recvmsg MSG_CMSG_CLOEXEC", &g);
    if (g.nfds == 1) {
        printf("  FD_CLOEXEC %d, a new descriptor %s\n", fcntl(g.fds[0], F_GETFD) & FD_CLOEXEC,
               g.fds[0] != f ? "yes" : "no");
        ssize_t n = read(g.fds[0], buf, 6);
        printf("  read 6 through it: \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
        say_val("  the sender's offset now", lseek(f, 0, SEEK_CUR));
        printf("  O_RDWR: %s\n", (fcntl(g.fds[0], F_GETFL) & O_ACCMODE) == O_RDWR ? "yes" : "no");
    }
    close_fds(&g);
    close(f);

    // One end of a socketpair: the receiver talks through it to the other end.
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    say_val("send a socketpair's end", send_fds(a, &sv[1], 1, "sock", 4, NULL, 0));
    close(sv[1]);
    g = recv_fds(b, CMSG_SPACE(sizeof(int)), 0);
    show_got("recvmsg", &g);
    if (g.nfds == 1) {
        send(g.fds[0], "over the passed socket", 22, 0);
        say_val("  the other end reads", recv(sv[0], buf, sizeof buf, 0));
        printf("  SO_TYPE of the received %s\n", sockopt(g.fds[0], SO_TYPE) == SOCK_STREAM ? "SOCK_STREAM" : "other");
    }
    close_fds(&g);
    say_val("  and end of file once it is closed", recv(sv[0], buf, sizeof buf, 0));
    close(sv[0]);

    // Three at once, a control buffer for one: CMSG_SPACE(4) is 24 bytes, room for two;
    // the third is closed (the writer's last copy: the reader sees end of file).
    int three[2][2];
    pipe(three[0]);
    pipe(three[1]);
    int fds[3] = { three[0][0], three[1][0], three[1][1] };
    say_val("send 3 descriptors", send_fds(a, fds, 3, "three", 5, NULL, 0));
    close(three[1][1]);
    g = recv_fds(b, CMSG_SPACE(sizeof(int)), 0);
    show_got("recvmsg with CMSG_SPACE(sizeof(int))", &g);
    fcntl(three[1][0], F_SETFL, O_NONBLOCK);
    say_val("  the pipe whose write end was the third: read", read(three[1][0], buf, 1));
    close_fds(&g);
    say_val("send 2", send_fds(a, fds, 2, "two", 3, NULL, 0));
    g = recv_fds(b, 0, 0);
    show_got("recvmsg without a control buffer", &g);
    say_val("send 1", send_fds(a, fds, 1, "one", 3, NULL, 0));
    g = recv_fds(b, CMSG_LEN(0) + 2, 0);
    show_got("recvmsg with a control buffer of a header and 2 bytes", &g);
    close_fds(&g);
    say_val("send 1", send_fds(a, fds, 1, "tiny", 4, NULL, 0));
    g = recv_fds(b, 3, 0);
    show_got("recvmsg with 3 bytes of control", &g);
    close_fds(&g);
    say_val("send 2", send_fds(a, fds, 2, "peek", 4, NULL, 0));
    g = recv_fds(b, 256, MSG_PEEK);
    show_got("recvmsg MSG_PEEK", &g);
    close_fds(&g);
    g = recv_fds(b, 256, 0);
    show_got("  then recvmsg", &g);
    close_fds(&g);
    close(three[0][0]);
    close(three[0][1]);
    close(three[1][0]);

    // On a stream, a read stops at the end of the bytes the descriptors came with; bytes
    // before them are read with them.
    pipe(pp);
    send_fds(a, &pp[0], 1, "with", 4, NULL, 0);
    send(a, "after", 5, 0);
    g = recv_fds(b, 256, 0);
    show_got("stream: \"with\"+fd, then \"after\": recvmsg", &g);
    close_fds(&g);
    g = recv_fds(b, 256, 0);
    show_got("  recvmsg", &g);
    send(a, "before", 6, 0);
    send_fds(a, &pp[0], 1, "with", 4, NULL, 0);
    g = recv_fds(b, 256, 0);
    show_got("stream: \"before\", then \"with\"+fd: recvmsg", &g);
    close_fds(&g);
    g = recv_fds(b, 256, MSG_DONTWAIT);
    show_got("  recvmsg", &g);
    send_fds(a, &pp[0], 1, "abcdef", 6, NULL, 0);
    say_val("stream: \"abcdef\"+fd, read 2", read(b, buf, 2));
    g = recv_fds(b, 256, 0);
    show_got("  then recvmsg", &g);
    close_fds(&g);

    // Errors.
    say("send a bad descriptor", send_fds(a, (int[]){ 99 }, 1, "x", 1, NULL, 0));
    int many[254];
    for (int i = 0; i < 254; i++)
        many[i] = pp[0];
    say("send 253 descriptors (SCM_MAX_FD)", send_fds_(a, many, 253, "x", 1, NULL, 0, true));
    g = recv_fds(b, 2048, 0);
    show_got("  recvmsg", &g);
    close_fds(&g);
    say("send 254 descriptors", send_fds_(a, many, 254, "x", 1, NULL, 0, true));
    {
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        memset(&u, 0, sizeof u);
        struct iovec iov = { "x", 1 };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                            .msg_controllen = sizeof u.buf };
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = sizeof u.buf + 8;
        say("sendmsg, cmsg_len past the control buffer", sendmsg(a, &m, 0));
        c->cmsg_len = CMSG_LEN(sizeof(int));
        c->cmsg_type = 99;
        say("sendmsg, an unknown control message type", sendmsg(a, &m, 0));
        c->cmsg_type = SCM_RIGHTS;
        m.msg_control = unmapped();         // (musl's sendmsg copies the control: directly)
        say("sendmsg, a bad control pointer", syscall(SYS_sendmsg, a, &m, 0));
    }
    say_val("nothing arrived", recv(b, buf, sizeof buf, MSG_DONTWAIT));
    close(pp[0]);
    close(pp[1]);
    close(a);
    close(b);

    // Over datagrams, to an address: a file.
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind_to(srv, p("rdg.sock"));
    int cl = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind_to(cl, "@lantern-unixtest-rights");
    struct sockaddr_un to;
    socklen_t tolen = mkaddr(&to, p("rdg.sock"));
    f = open(p("data"), O_RDONLY);
    say_val("datagram: sendmsg of a file to an address", send_fds(cl, &f, 1, "dgram", 5, &to, tolen));
    close(f);
    {
        struct sockaddr_un from;
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        char data[32];
        struct iovec iov = { data, sizeof data };
        struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                            .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
        ssize_t n = recvmsg(srv, &m, 0);
        char d[200];
        describe(d, sizeof d, &from, m.msg_namelen);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        int fd = -1;
        if (c && c->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
        printf("  recvmsg: %ld bytes, from %s, a descriptor %s\n", (long)n, d, fd >= 0 ? "yes" : "no");
        if (fd >= 0) {
            n = pread(fd, buf, 5, 10);
            printf("  pread 5 at 10 through it: \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
            close(fd);
        }
    }
    // A datagram with descriptors nobody receives: closing the receiver closes them.
    pipe(pp);
    send_fds(cl, &pp[1], 1, "lost", 4, &to, tolen);
    close(pp[1]);
    fcntl(pp[0], F_SETFL, O_NONBLOCK);
    say_val("a pipe's write end queued in a datagram: read", read(pp[0], buf, 1));
    close(srv);
    say_val("  once the receiver is closed", read(pp[0], buf, 1));
    close(pp[0]);
    close(cl);
    unlink(p("rdg.sock"));

    // Seqpacket too.
    named_pair(SOCK_SEQPACKET, "rsq.sock", &a, &b);
    pipe(pp);
    send_fds(a, pp, 2, "both ends", 9, NULL, 0);
    close(pp[0]);
    close(pp[1]);
    g = recv_fds(b, CMSG_SPACE(2 * sizeof(int)), 0);
    show_got("seqpacket: both ends of a pipe", &g);
    if (g.nfds == 2) {
        write(g.fds[1], "loop", 4);
        say_val("  write into one, read from the other", read(g.fds[0], buf, sizeof buf));
    }
    close_fds(&g);
    close(a);
    close(b);
}

// A child process passes a pipe's read end and exits; only then does the parent receive
// it: the descriptor in flight kept the pipe. Then the other way: the parent passes a file
// to a child, closes its own copy and unlinks the file, and the child still reads it.
static void rights_between_processes(void)
{
    char buf[64];
    printf("== SCM_RIGHTS between processes\n");
    int s = listener(SOCK_STREAM, p("proc.sock"), 2);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c = client(SOCK_STREAM, p("proc.sock"));
        int pp[2];
        pipe(pp);
        write(pp[1], "written by the child", 20);
        _exit(send_fds(c, &pp[0], 1, "pipe", 4, NULL, 0) == 4 ? 0 : 1);
    }
    int n = accept(s, NULL, NULL);
    int status;
    waitpid(pid, &status, 0);
    print_status("the child that sent a pipe's read end", status);
    struct got g = recv_fds(n, 64, 0);
    show_got("the parent's recvmsg after the child exited", &g);
    if (g.nfds == 1) {
        say_val("  read through it", read(g.fds[0], buf, sizeof buf));
        printf("  \"%.20s\"\n", buf);
        say_val("  then (nobody writes)", read(g.fds[0], buf, sizeof buf));
    }
    close_fds(&g);
    close(n);

    int f = open(p("passed"), O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(f, "a file with no name", 19);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int c = client(SOCK_STREAM, p("proc.sock"));
        struct got cg = recv_fds(c, 64, 0);          // the file
        char go[8];
        if (cg.nfds != 1 || recv(c, go, sizeof go, 0) != 2)   // "go": the parent let go
            _exit(3);
        struct stat st;
        char b[64];
        fstat(cg.fds[0], &st);
        ssize_t r = pread(cg.fds[0], b, sizeof b, 0);
        int m = snprintf(buf, sizeof buf, "links %ld, read %ld \"%.*s\"", (long)st.st_nlink,
                         (long)r, (int)(r > 0 ? r : 0), b);
        send(c, buf, (size_t)m, 0);
        _exit(0);
    }
    n = accept(s, NULL, NULL);
    say_val("the parent sends a file to a child", send_fds(n, &f, 1, "file", 4, NULL, 0));
    close(f);
    say("  closes its copy and unlinks it", unlink(p("passed")));
    send(n, "go", 2, 0);
    ssize_t r = recv(n, buf, sizeof buf - 1, 0);
    buf[r > 0 ? r : 0] = 0;
    printf("  the child: %s\n", buf);
    waitpid(pid, &status, 0);
    print_status("  the child", status);
    close(n);
    close(s);
    unlink(p("proc.sock"));
}

// Two sockets each in flight inside the other's ring, with a pipe's write end beside them,
// and every descriptor of them closed: nothing can receive them any more. The kernel's
// collector must find the cycle and close what it held - the pipe's reader then sees end of
// file. (Linux looks when a socket is released: closing an unrelated one makes it look.)
static void cycle_in_flight(void)
{
    printf("== a cycle in flight\n");
    int sv[2], p[2], other[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    if (pipe(p) < 0)
        printf("pipe failed\n");
    int held[2] = { sv[1], p[1] };
    say_val("send one end and the pipe's writer through the other",
            send_fds(sv[0], held, 2, "a", 1, NULL, 0));
    say_val("send the other end through the first", send_fds(sv[1], &sv[0], 1, "b", 1, NULL, 0));
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, other);
    close(other[0]);
    close(other[1]);
    struct pollfd pf = { p[0], POLLIN, 0 };
    int n = poll(&pf, 1, 5000);
    printf("the pipe's reader, within 5 s: %s\n", n == 1 && (pf.revents & POLLHUP) ?
           "end of file" : "still open");
    close(p[0]);
}

// What a hostile program does to the kernel's bookkeeping of ancillary data: the longest
// path name in every message's header; a chain of sockets, each in flight in the one before
// it, closed from its head (the kernel must not recurse down the chain); and two threads
// receiving one stream's descriptors at once, and one looking (MSG_PEEK) while another
// takes them - every descriptor reaches exactly one receiver.
struct race {
    int sock, fds, bytes;
    bool peek;
};

// Receives (or looks) until end of file: the sender shuts its side when all is sent.
static void *race_receiver(void *arg)
{
    struct race *r = arg;
    for (;;) {
        struct got g = recv_fds(r->sock, 256, r->peek ? MSG_PEEK : 0);
        if (g.n <= 0)
            break;
        if (!r->peek) {
            r->fds += g.nfds;
            r->bytes += (int)g.n;
        }
        close_fds(&g);
    }
    return NULL;
}

static void hostile(void)
{
    printf("== hostile ancillary data\n");
    char name[109];
    memset(name, 'n', 108);
    name[108] = 0;
    memcpy(name, "/tmp/", 5);
    unlink(name);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0), e = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    memcpy(a.sun_path, name, 108);
    say("bind a 108-byte path", bind(d, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_un b = { .sun_family = AF_UNIX, .sun_path = "\0hostile-e" };
    bind(e, (struct sockaddr *)&b, offsetof(struct sockaddr_un, sun_path) + 10);
    say_val("send from it", sendto(d, "x", 1, 0, (struct sockaddr *)&b,
                                   offsetof(struct sockaddr_un, sun_path) + 10));
    struct sockaddr_un from;
    socklen_t fl = sizeof from;
    char buf[16];
    say_val("recvfrom with a 0-byte buffer", recvfrom(e, buf, 0, 0, (struct sockaddr *)&from, &fl));
    printf("  the sender's name: length %u, %s\n", (unsigned)fl,
           fl >= 110 && memcmp(from.sun_path, name, 108) == 0 ? "the path" : "something else");
    close(d);
    close(e);
    unlink(name);

    enum { CHAIN = 300 };
    int tx[CHAIN], rx[CHAIN], pp[2];
    if (pipe(pp) < 0)
        printf("pipe failed\n");
    int made = 0, ok = 0;
    for (; made < CHAIN; made++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
            break;
        tx[made] = sv[0];
        rx[made] = sv[1];
    }
    for (int i = 0; i < made; i++) {         // rx i's ring holds rx i + 1 (the last: the pipe)
        int held = i + 1 < made ? rx[i + 1] : pp[1];
        ok += send_fds(tx[i], &held, 1, "c", 1, NULL, 0) == 1;
        close(tx[i]);
    }
    for (int i = 1; i < made; i++)
        close(rx[i]);
    close(pp[1]);
    printf("a chain of %d sockets, each in flight in the one before: %d sent\n", made, ok);
    close(rx[0]);
    struct pollfd pf = { pp[0], POLLIN, 0 };
    int n = poll(&pf, 1, 5000);
    printf("  its head closed: the pipe at its end %s\n",
           n == 1 && (pf.revents & POLLHUP) ? "is closed" : "is still open");
    close(pp[0]);

    enum { SENDS = 400 };
    for (int peek = 0; peek < 2; peek++) {
        int sv[2];
        socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
        int one = open("/dev/null", O_RDONLY);
        int sent = 0;
        struct race r[2] = { { sv[1], 0, 0, peek }, { sv[1], 0, 0, false } };
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, race_receiver, &r[i]);
        for (int i = 0; i < SENDS; i++)
            sent += send_fds(sv[0], &one, 1, "r", 1, NULL, 0) == 1;
        shutdown(sv[0], SHUT_WR);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        printf("%s: %d sent, %d descriptors and %d bytes received\n",
               peek ? "a look beside a receive" : "two receivers", sent,
               r[0].fds + r[1].fds, r[0].bytes + r[1].bytes);
        close(one);
        close(sv[0]);
        close(sv[1]);
    }
}

static void credentials(void)
{
    printf("== SCM_CREDENTIALS\n");
    int a, b, on = 1;
    named_pair(SOCK_STREAM, "cred.sock", &a, &b);
    printf("SO_PASSCRED: %d\n", sockopt(b, SO_PASSCRED));
    send(a, "no passcred", 11, 0);
    struct got g = recv_fds(b, 256, 0);
    show_got("recvmsg without SO_PASSCRED", &g);
    say("setsockopt SO_PASSCRED", setsockopt(b, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    printf("SO_PASSCRED: %d\n", sockopt(b, SO_PASSCRED));
    send(a, "passcred", 8, 0);
    g = recv_fds(b, 256, 0);
    show_got("recvmsg", &g);
    printf("  pid ours %s, uid ours %s, gid ours %s\n", g.cred.pid == getpid() ? "yes" : "no",
           g.cred.uid == getuid() ? "yes" : "no", g.cred.gid == getgid() ? "yes" : "no");
    g = recv_fds(b, CMSG_LEN(4), (send(a, "short", 5, 0), 0));
    show_got("recvmsg with a control buffer too small for a ucred", &g);

    // Explicit credentials, our own, with a descriptor: both control messages arrive.
    {
        union { char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        memset(&u, 0, sizeof u);
        struct iovec iov = { "both", 4 };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                            .msg_controllen = sizeof u.buf };
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
        struct ucred me = { getpid(), getuid(), getgid() };
        memcpy(CMSG_DATA(c), &me, sizeof me);
        c = CMSG_NXTHDR(&m, c);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        int zero = 0;
        memcpy(CMSG_DATA(c), &zero, sizeof zero);
        say_val("sendmsg with our SCM_CREDENTIALS and a descriptor", sendmsg(a, &m, 0));
        g = recv_fds(b, 256, 0);
        show_got("recvmsg", &g);
        printf("  pid ours %s\n", g.cred.pid == getpid() ? "yes" : "no");
        close_fds(&g);
    }
    close(a);
    close(b);

    // SO_PASSCRED on a listener passes to the connections it accepts.
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    bind_to(s, p("pc.sock"));
    listen(s, 1);
    a = client(SOCK_STREAM, p("pc.sock"));
    b = accept(s, NULL, NULL);
    printf("accepted from a SO_PASSCRED listener: SO_PASSCRED %d\n", sockopt(b, SO_PASSCRED));
    show_name("  the client's name (not autobound)", a, 0);
    close(a);
    close(b);
    a = socket(AF_UNIX, SOCK_STREAM, 0);
    setsockopt(a, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    connect_to(a, p("pc.sock"));
    show_name("a client with SO_PASSCRED: its name after connect", a, 0);
    struct sockaddr_un addr;
    socklen_t len = sizeof addr;
    b = accept(s, (struct sockaddr *)&addr, &len);
    char d[200];
    describe(d, sizeof d, &addr, len);
    printf("  accept's address: %s\n", d);
    close(a);
    close(b);
    close(s);
    unlink(p("pc.sock"));

    // A datagram receiver with SO_PASSCRED.
    int r = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind_to(r, p("pcd.sock"));
    setsockopt(r, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    int u = socket(AF_UNIX, SOCK_DGRAM, 0);
    mkaddr(&addr, p("pcd.sock"));
    sendto(u, "dgram", 5, 0, (struct sockaddr *)&addr, mkaddr(&addr, p("pcd.sock")));
    g = recv_fds(r, 256, 0);
    show_got("datagram to a SO_PASSCRED receiver", &g);
    printf("  pid ours %s\n", g.cred.pid == getpid() ? "yes" : "no");
    show_name("  the sender's name", u, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sendto(u, "child", 5, 0, (struct sockaddr *)&addr, mkaddr(&addr, p("pcd.sock")));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    g = recv_fds(r, 256, 0);
    show_got("from a child", &g);
    printf("  pid the child's %s\n", g.cred.pid == pid ? "yes" : "no");
    close(u);
    close(r);
    unlink(p("pcd.sock"));
}

// ---------------------------------------------------------------------------------------
static void errors(void)
{
    struct sockaddr_un a;
    socklen_t alen = mkaddr(&a, p("e.sock"));
    int pp[2];
    printf("== errors\n");
    pipe(pp);
    int f = open(p("file"), O_RDONLY);
    say("bind a pipe", bind(pp[0], (struct sockaddr *)&a, alen));
    say("bind a regular file", bind(f, (struct sockaddr *)&a, alen));
    say("connect a pipe", connect(pp[0], (struct sockaddr *)&a, alen));
    say("listen on a file", listen(f, 1));
    say("accept on a pipe", accept(pp[0], NULL, NULL));
    say("getsockname of a pipe", getsockname(pp[0], (struct sockaddr *)&a, &alen));
    int v;
    socklen_t vl = sizeof v;
    say("getsockopt of a file", getsockopt(f, SOL_SOCKET, SO_TYPE, &v, &vl));
    say("bind fd 99", bind(99, (struct sockaddr *)&a, alen));
    say("connect fd 99", connect(99, (struct sockaddr *)&a, alen));
    say("listen fd 99", listen(99, 1));
    say("accept fd 99", accept(99, NULL, NULL));
    say("accept4 fd -1", accept4(-1, NULL, NULL, SOCK_CLOEXEC));
    say("getpeername fd 99", getpeername(99, (struct sockaddr *)&a, &alen));
    close(f);
    close(pp[0]);
    close(pp[1]);
    int s = listener(SOCK_STREAM | SOCK_NONBLOCK, p("e.sock"), 2);
    // accept takes the connection before it writes the address out: a bad pointer loses it
    // (the client sees end of file, or ECONNRESET when it had sent something).
    char buf[8];
    int c = client(SOCK_STREAM, p("e.sock"));
    alen = sizeof a;
    say("accept, an unmapped address", accept(s, unmapped(), &alen));
    int n = accept(s, NULL, NULL);
    say("  then accept", n);
    say_val("  the client's recv", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    say_val("  the client's send", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);
    c = client(SOCK_STREAM, p("e.sock"));
    send(c, "data", 4, 0);
    say("a client that sent; accept, a NULL length pointer", accept(s, (struct sockaddr *)&a, bad_address()));
    say("  then accept", accept(s, NULL, NULL));
    say_val("  the client's recv", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    say_val("  the client's recv again", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    close(c);
    c = client(SOCK_STREAM, p("e.sock"));
    alen = (socklen_t)-1;
    say("accept, a negative length", accept(s, (struct sockaddr *)&a, &alen));
    say("  then accept", accept(s, NULL, NULL));
    close(c);
    c = client(SOCK_STREAM, p("e.sock"));
    alen = sizeof a;
    say("accept, an unmapped length pointer", accept(s, (struct sockaddr *)&a, unmapped()));
    say("  then accept", accept(s, NULL, NULL));
    close(c);
    c = client(SOCK_STREAM, p("e.sock"));
    n = accept(s, NULL, NULL);
    say("accept, NULL address and length", n);
    say_val("  the client's recv", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    close(n);
    close(c);
    struct ucred cr;
    socklen_t crl = 4;
    say("SO_PEERCRED, a length of 4", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &crl));
    printf("  length %d\n", (int)crl);
    say("SO_PEERCRED, a bad pointer", (crl = sizeof cr, getsockopt(s, SOL_SOCKET, SO_PEERCRED, bad_address(), &crl)));
    say("setsockopt SO_ACCEPTCONN", setsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &(int){ 1 }, sizeof(int)));
    close(s);
    unlink(p("e.sock"));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_unix");
    umask(022);
    signal(SIGPIPE, SIG_IGN);               // MSG_NOSIGNAL where it matters; this for the rest
    if (mkdir(DIR_, 0755) < 0 && errno == EEXIST)
        clean_dir();                         // a run that did not finish
    names();
    listen_connect_accept();
    accepters_and_clients();
    connect_storm();
    forked_client();
    epoll_echo();
    datagrams();
    rights();
    rights_between_processes();
    cycle_in_flight();
    hostile();
    credentials();
    errors();
    clean_dir();
    say("rmdir " DIR_, rmdir(DIR_));
    return done();
}
