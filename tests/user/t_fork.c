// t_fork.c: making processes and waiting for them: fork, vfork, clone, _exit and exit,
// wait4/waitpid and their errors, zombies, and orphans.
//
// Pids differ from run to run, so only relations between them are printed. Children never
// print while the parent may (the order would be a race): they report through pipes, their
// exit status, or by printing while the parent is blocked in waitpid. On Lantern this
// program is PID 1, and orphans come back to it; on the host, prctl(SUBREAPER) makes them
// come back to it too.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

#define HELLO "etc/parity/hello.txt"
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_SETTID  0x01000000

static char *self;       // argv[0]: this program, to execve
static int global = 1;   // in the data segment

static void basics(void)
{
    int status, p[2];
    pid_t me = getpid(), seen[2];

    check_val("wait4 with no children", wait4(-1, &status, 0, NULL));
    check_val("waitpid WNOHANG with no children", waitpid(-1, &status, WNOHANG));
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        seen[0] = getpid();
        seen[1] = getppid();
        write(p[1], seen, sizeof seen);
        _exit(0);
    }
    yes("fork returns a pid > 0 in the parent", pid > 0);
    read(p[0], seen, sizeof seen);
    yes("the child's getpid is what fork returned", seen[0] == pid);
    yes("the child's getppid is the parent's getpid", seen[1] == me);
    yes("the parent's getpid is unchanged", getpid() == me);
    yes("waitpid returns the child's pid", waitpid(pid, &status, 0) == pid);
    print_status("the child", status);
    close(p[0]);
    close(p[1]);
    check("sched_yield", sched_yield());
}

// The child gets a copy of every kind of memory: data, stack, heap, private mappings.
// Writes on either side after fork stay on that side; a MAP_SHARED mapping stays shared.
static void memory(void)
{
    int local = 2, gate[2], status;
    char *heap = malloc(1 << 20);                    // 256 pages
    char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    memset(heap, 'h', 1 << 20);
    strcpy(priv, "private");
    strcpy(shared, "shared");
    pipe(gate);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        int same = global == 1 && local == 2 && heap[0] == 'h' && heap[(1 << 20) - 1] == 'h' &&
                   strcmp(priv, "private") == 0;
        global = local = 3;
        memset(heap, 'c', 1 << 20);
        strcpy(priv, "child");
        strcpy(shared, "child");
        read(gate[0], &c, 1);                     // until the parent has written its own
        _exit(same && global == 3 && heap[5000] == 'c' && strcmp(priv, "child") == 0 ? 0 : 1);
    }
    global = 4;                                   // copy-on-write the other way round
    heap[5000] = 'p';
    write(gate[1], "x", 1);
    waitpid(pid, &status, 0);
    print_status("the child saw the parent's memory, then its own writes", status);
    yes("the parent's global is its own", global == 4);
    yes("the parent's stack variable is unchanged", local == 2);
    yes("the parent's heap is unchanged", heap[0] == 'h' && heap[(1 << 20) - 1] == 'h');
    yes("the parent's private mapping is unchanged", strcmp(priv, "private") == 0);
    printf("the MAP_SHARED mapping reads: %s\n", shared);
    close(gate[0]);
    close(gate[1]);
    free(heap);
}

// Parent and child share open files, and with them the file offset.
static void files(void)
{
    char buf[64];
    int fd = open(HELLO, O_RDONLY);
    pid_t pid = fork();

    if (pid == 0) {
        read(fd, buf, 8);
        close(fd);                                // the parent's stays open
        _exit(0);
    }
    wait_and_print("the child read 8 bytes and closed the fd", pid);
    check_val("the parent's offset", lseek(fd, 0, SEEK_CUR));
    long n = read(fd, buf, 6);
    print_escaped("the parent reads on", buf, n);
    close(fd);
}

static void exit_statuses(void)
{
    static const int codes[] = { 0, 1, 42, 255, 256, -1 };
    char what[32];

    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(codes[i]);
        snprintf(what, sizeof what, "_exit(%d)", codes[i]);
        wait_and_print(what, pid);
    }
    // stdout is line-buffered: a line without its newline waits in the buffer, which
    // exit() flushes and _exit() does not.
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        printf("the child's unfinished line, flushed by exit()");
        exit(6);
    }
    waitpid(pid, &status, 0);
    printf("\n");
    print_status("exit(6)", status);
    pid = fork();
    if (pid == 0) {
        printf("the child's unfinished line, lost by _exit()");
        _exit(7);
    }
    wait_and_print("_exit(7)", pid);
}

// A child waiting on a pipe until we close our end, gate[1]: it runs as long as we like.
static pid_t gated_child(int gate[2], int code)
{
    char c;

    pipe(gate);
    pid_t pid = fork();
    if (pid == 0) {
        close(gate[1]);
        read(gate[0], &c, 1);                     // returns 0 when the parent closes
        _exit(code);
    }
    close(gate[0]);
    return pid;
}

static void waiting(void)
{
    int gate[2], status;
    pid_t pid = gated_child(gate, 9);

    check_val("waitpid WNOHANG while the child runs", waitpid(pid, &status, WNOHANG));
    check_val("wait4 WNOHANG any child while it runs", wait4(-1, &status, WNOHANG, NULL));
    check("kill(child, 0) while it runs", kill(pid, 0));
    close(gate[1]);
    wait_and_print("released, the child", pid);

    // Three children; wait for the middle one by pid, then the others.
    pid_t kids[3];
    for (int i = 0; i < 3; i++)
        if ((kids[i] = fork()) == 0)
            _exit(11 + i);
    wait_and_print("waitpid(second of three)", kids[1]);
    wait_and_print("waitpid(third of three)", kids[2]);
    yes("wait() returns the first", wait(&status) == kids[0]);
    print_status("the first", status);
    check_val("wait() with none left", wait(&status));

    // A child that has exited stays, a zombie, until it is waited for. (Its end of the
    // pipe closes when it exits: end of file says it has.)
    int alive[2];
    char c;
    pipe(alive);
    if ((pid = fork()) == 0)
        _exit(5);
    close(alive[1]);
    read(alive[0], &c, 1);
    close(alive[0]);
    pid_t other = fork();
    if (other == 0)
        _exit(0);
    wait_and_print("another child, reaped first", other);
    check("kill(exited child, 0) before it is reaped", kill(pid, 0));
    wait_and_print("the exited child, reaped later", pid);
    check("kill(reaped child, 0)", kill(pid, 0));
    check_val("waitpid(reaped child)", waitpid(pid, &status, 0));

    pid = fork();
    if (pid == 0)
        _exit(1);
    check_val("waitpid with a bad status pointer", waitpid(pid, (int *)1, 0));
    check_val("then waitpid again (the child was reaped anyway)", waitpid(pid, &status, 0));
    check_val("waitpid options 0x100", waitpid(-1, &status, 0x100));
    check_val("waitpid(own pid)", waitpid(getpid(), &status, 0));
    check_val("waitpid(INT_MIN)", waitpid(-2147483647 - 1, &status, 0));
}

// The grandchild reports its parent before and after the child exits.
static void orphans(void)
{
    int info[2], go[2], status;
    pid_t me = getpid(), report[3];
    char c;

    pipe(info);
    pipe(go);
    pid_t child = fork();
    if (child == 0) {
        pid_t child_pid = getpid();
        if (fork() == 0) {
            report[0] = getppid() == child_pid;
            write(info[1], "r", 1);
            read(go[0], &c, 1);                   // until the child is gone
            report[1] = getppid() == me;
            report[2] = getpid();
            write(info[1], report, sizeof report);
            _exit(3);
        }
        read(info[0], &c, 1);                     // the grandchild has seen us as its parent
        _exit(0);
    }
    wait_and_print("the child, leaving a grandchild behind", child);
    write(go[1], "x", 1);
    read(info[0], report, sizeof report);
    yes("the grandchild's parent was the child", report[0]);
    yes("now the grandchild's parent is us", report[1]);
    yes("wait() returns the grandchild", wait(&status) == report[2]);
    print_status("the grandchild", status);
    for (int i = 0; i < 2; i++) {
        close(info[i]);
        close(go[i]);
    }
}

// vfork: the parent is suspended until the child execs or exits, and until then they
// share memory. (The child may only store to variables and call execve or _exit.)
static volatile int vfork_flag;
static volatile pid_t vfork_pids[2];

static void vforks(void)
{
    int p[2];
    char buf[4];
    pid_t pid, me = getpid();

    pipe(p);
    vfork_flag = 0;
    pid = vfork();
    if (pid == 0) {
        vfork_flag = 1;
        vfork_pids[0] = getpid();
        vfork_pids[1] = getppid();
        write(p[1], "c", 1);
        _exit(4);
    }
    write(p[1], "p", 1);
    read(p[0], buf, 2);
    print_escaped("the order of writes, child and parent", buf, 2);
    yes("the parent sees the child's store (shared memory)", vfork_flag == 1);
    yes("the child's pid is what vfork returned", vfork_pids[0] == pid);
    yes("the child's parent is us", vfork_pids[1] == me);
    wait_and_print("the vfork child", pid);

    char *args[] = { self, "exit-with", "9", NULL };
    if ((pid = vfork()) == 0) {
        vfork_flag = 2;
        execve(self, args, environ);
        _exit(127);
    }
    yes("the parent resumed after the child's execve", vfork_flag == 2);
    wait_and_print("the vfork child that exec'd", pid);

    char *bad[] = { "missing", NULL };
    if ((pid = vfork()) == 0) {
        execve("etc/parity/missing", bad, environ);
        vfork_flag = errno;                       // only the child ever sets it to this
        _exit(127);
    }
    printf("the vfork child's failed execve: %s\n", err_name(vfork_flag));
    wait_and_print("then it", pid);
    close(p[0]);
    close(p[1]);
}

// clone with fork's flags, as glibc's fork calls it, and the tid pointers.
static void clones(void)
{
    pid_t ptid = 0, ctid = 0;
    long pid = syscall(SYS_clone, CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, 0, &ptid,
                       &ctid, 0);

    if (pid == 0)   // our copy of ctid holds our tid; the kernel wrote ptid in the parent only
        _exit(ctid == getpid() && ptid == 0 ? 0 : 1);
    yes("clone returns a pid > 0", pid > 0);
    yes("CLONE_PARENT_SETTID stored it in the parent", ptid == pid);
    yes("CLONE_CHILD_SETTID left the parent's copy alone", ctid == 0);
    wait_and_print("the clone child saw its tid, and no parent tid", pid);
}

static void many(void)
{
    int good = 0, status;

    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(i & 0xff);
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
            WEXITSTATUS(status) == (i & 0xff))
            good++;
    }
    printf("fork, exit, wait 200 times: %d right\n", good);
    check_val("and no child is left", wait(&status));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit-with") == 0)   // vforks() runs us like this
        return atoi(argv[2]);
    self = argv[0];
    begin("t_fork");
    check("prctl PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    basics();
    memory();
    files();
    exit_statuses();
    waiting();
    orphans();
    vforks();
    clones();
    many();
    return done();
}
