// t_fifo.c: FIFOs (named pipes, mknod S_IFIFO): each open end waits for the other, unless
// O_NONBLOCK (a reader goes on, a writer with no reader gets ENXIO) or O_RDWR; then they
// behave as a pipe: EOF when the last writer closes, SIGPIPE and EPIPE with no reader, no
// seeking. The FIFO's pipe lives only while an end is open.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define F "fifo.tmp"

// Prints nothing: its open returns when the parent's does, and the two would race to print.
static void write_from_child(void)
{
    int fd = open(F, O_WRONLY);         // waits for the parent to open for reading
    _exit(fd >= 0 && write(fd, "from the child", 14) == 14 ? 0 : 1);
}

static void write_without_reader(void)
{
    int fd = open(F, O_RDWR);
    int r = open(F, O_RDONLY | O_NONBLOCK);
    close(fd);                          // now r is the only end: a writer opening waits...
    int w = open(F, O_WRONLY | O_NONBLOCK);
    close(r);                           // ...but this one got in while r was there
    check("write with no reader", write(w, "x", 1));
}

int main(void)
{
    begin("t_fifo");
    char buf[32];
    check("mknod fifo", mknod(F, S_IFIFO | 0644, 0));
    struct stat st;
    stat(F, &st);
    yes("S_ISFIFO", S_ISFIFO(st.st_mode));
    check("mknod again", mknod(F, S_IFIFO | 0644, 0));

    check("open O_WRONLY|O_NONBLOCK, no reader", open(F, O_WRONLY | O_NONBLOCK));
    int r = open(F, O_RDONLY | O_NONBLOCK);
    check("open O_RDONLY|O_NONBLOCK", r);
    check_val("read, no writer ever: EOF", read(r, buf, sizeof buf));
    int w = open(F, O_WRONLY | O_NONBLOCK);
    check("open O_WRONLY|O_NONBLOCK with a reader", w);
    check_val("write", write(w, "hello", 5));
    fstat(w, &st);
    yes("fstat: a FIFO, size 0", S_ISFIFO(st.st_mode) && st.st_size == 0);
    check("lseek", lseek(w, 0, SEEK_SET));
    check("pread", syscall(SYS_pread64, r, buf, 1, 0));
    long n = read(r, buf, sizeof buf);
    print_escaped("read", buf, n);
    check("read, empty, O_NONBLOCK", read(r, buf, sizeof buf));
    close(w);
    check_val("read after the writer closed: EOF", read(r, buf, sizeof buf));
    close(r);

    pid_t pid = fork();
    if (pid == 0)
        write_from_child();
    r = open(F, O_RDONLY);              // waits for the child's open
    check("open O_RDONLY (blocking)", r);
    int total = 0;
    while ((n = read(r, buf + total, sizeof buf - total)) > 0)
        total += n;
    print_escaped("read from the child", buf, total);
    wait_and_print("child", pid);
    close(r);

    int rw = open(F, O_RDWR);
    check("open O_RDWR (no wait)", rw);
    check_val("write", write(rw, "both", 4));
    n = read(rw, buf, sizeof buf);
    print_escaped("read back", buf, n);
    check("unlink while open", unlink(F));
    check_val("still works", write(rw, "ok", 2));
    n = read(rw, buf, sizeof buf);
    print_escaped("read", buf, n);
    close(rw);

    check("mknod again", mknod(F, S_IFIFO | 0600, 0));
    in_child("write with no reader", write_without_reader);
    check("unlink", unlink(F));
    return done();
}
