// pollcon.c: waiting for the console with poll, epoll and select (Lantern only, booted as
// init by tests/system/test_poll_console.py, which types while it waits). In canonical
// mode the console is readable only once a whole line is typed; with ICANON off, as soon
// as one key is.
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

static void show_read(const char *what)
{
    char buf[64];
    long n = read(0, buf, sizeof buf);
    printf("pollcon: %s read %ld:", what, n);
    for (long i = 0; i < n; i++)
        printf(" %02x", (unsigned char)buf[i]);
    printf("\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct pollfd p = { 0, POLLIN | POLLOUT, 0 };
    int n = poll(&p, 1, 0);
    printf("pollcon: at start %d revents %#x\n", n, p.revents);
    p.events = POLLIN;
    printf("pollcon: canonical, waiting\n");
    n = poll(&p, 1, -1);
    printf("pollcon: poll %d revents %#x\n", n, p.revents);
    show_read("line");

    fd_set r;
    FD_ZERO(&r);
    FD_SET(0, &r);
    printf("pollcon: select, waiting\n");
    n = select(1, &r, NULL, NULL, NULL);
    printf("pollcon: select %d readable %d\n", n, FD_ISSET(0, &r));
    show_read("line");

    struct termios t;
    tcgetattr(0, &t);
    t.c_lflag &= ~(ICANON | ECHO);
    tcsetattr(0, TCSANOW, &t);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 42 };
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    printf("pollcon: raw, waiting\n");
    n = epoll_wait(ep, &ev, 1, -1);
    printf("pollcon: epoll %d events %#x data %llu\n", n, ev.events, (unsigned long long)ev.data.u64);
    show_read("raw");
    n = epoll_wait(ep, &ev, 1, 0);
    printf("pollcon: after the read %d\n", n);
    printf("pollcon: done\n");
    return 0;
}
