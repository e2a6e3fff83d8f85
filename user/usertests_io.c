// usertests_io.c: pipes, files in the RAM file system, dup2, devices, /proc.
#include <dirent.h>
#include <sys/mount.h>
#include "usertests.h"

#define MB (1 << 20)

static uint32_t next(uint32_t *x) {       // xorshift32: the byte stream both ends agree on
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

void t_pipe_1mb(void) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        close(fds[0]);
        static unsigned char buf[3000];      // not a power of two: writes straddle pages
        uint32_t x = 12345;
        for (int sent = 0; sent < MB;) {
            int n = MB - sent < (int)sizeof buf ? MB - sent : (int)sizeof buf;
            for (int i = 0; i < n; i++)
                buf[i] = (unsigned char)next(&x);
            for (int off = 0; off < n;) {
                ssize_t w = write(fds[1], buf + off, n - off);
                if (w <= 0)
                    _exit(2);
                off += w;
            }
            sent += n;
        }
        _exit(0);
    }
    close(fds[1]);
    static unsigned char buf[4096];
    uint32_t x = 12345;
    long total = 0, bad = -1;
    uint32_t sum = 0, want = 0;
    for (;;) {
        ssize_t r = read(fds[0], buf, sizeof buf);
        CHECK(r >= 0, "read: errno %d", errno);
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            unsigned char c = (unsigned char)next(&x);
            if (buf[i] != c && bad < 0)
                bad = total + i;
            sum = sum * 31 + buf[i];
            want = want * 31 + c;
        }
        total += r;
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %s", describe(st));
    CHECK(total == MB, "read %ld bytes, not %d", total, MB);
    CHECK(sum == want && bad < 0, "checksum %08x, want %08x; first wrong byte at %ld", sum, want, bad);
}

void t_pipe_eof(void) {
    int fds[2];
    char c;
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        write(fds[1], "ab", 2);
        _exit(0);            // its write end closes
    }
    close(fds[1]);
    CHECK(read(fds[0], &c, 1) == 1 && c == 'a', "first byte");
    CHECK(read(fds[0], &c, 1) == 1 && c == 'b', "second byte");
    CHECK(read(fds[0], &c, 1) == 0, "no EOF when the last writer went away");
    wait_for(pid);
}

static void write_to_closed(void) {
    int fds[2];
    pipe(fds);
    close(fds[0]);
    write(fds[1], "x", 1);
    _exit(0);
}

void t_epipe(void) {
    int st = in_child(write_to_closed);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "writer to a closed pipe %s, not SIGPIPE",
          describe(st));
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    close(fds[0]);
    CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE, "write with SIGPIPE ignored: errno %d", errno);
}

// ---------------------------------------------------------------- files

#define NWORKERS 4
#define NFILES 100

static char dir[64];

static void worker(int w) {
    char path[128], buf[64], back[64];
    for (int i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/w%d_%d", dir, w, i);
        int len = snprintf(buf, sizeof buf, "worker %d file %d", w, i);
        int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
        if (fd < 0)
            fail("worker %d: create %s: errno %d", w, path, errno);
        if (write(fd, buf, len) != len || lseek(fd, 0, SEEK_SET) != 0)
            fail("worker %d: write %s: errno %d", w, path, errno);
        if (read(fd, back, sizeof back) != len || memcmp(buf, back, len) != 0)
            fail("worker %d: read back %s", w, path);
        close(fd);
        if (unlink(path) != 0)
            fail("worker %d: unlink %s: errno %d", w, path, errno);
        if (open(path, O_RDONLY) != -1 || errno != ENOENT)
            fail("worker %d: %s still there", w, path);
    }
    _exit(0);
}

void t_files(void) {
    snprintf(dir, sizeof dir, "/tmp/usertests.%d", getpid());
    CHECK(mkdir(dir, 0755) == 0, "mkdir %s: errno %d", dir, errno);
    pid_t pids[NWORKERS];
    for (int w = 0; w < NWORKERS; w++) {
        pids[w] = fork();
        CHECK(pids[w] >= 0, "fork: errno %d", errno);
        if (pids[w] == 0)
            worker(w);
    }
    int bad = 0;
    for (int w = 0; w < NWORKERS; w++) {
        int st = wait_for(pids[w]);
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    DIR *d = opendir(dir);
    CHECK(d, "opendir: errno %d", errno);
    struct dirent *e;
    int left = 0;
    while ((e = readdir(d)))
        left += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    CHECK(bad == 0, "%d workers failed", bad);
    CHECK(left == 0, "%d files left in %s", left, dir);
    CHECK(rmdir(dir) == 0, "rmdir %s: errno %d", dir, errno);
}

// ---------------------------------------------------------------- descriptors, devices

void t_dup2(void) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(fds[1], 1) != 1)
            _exit(2);
        close(fds[0]);
        close(fds[1]);
        write(1, "through stdout", 14);
        _exit(0);
    }
    close(fds[1]);
    char buf[32] = { 0 };
    int n = 0;
    for (ssize_t r; (r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0;)
        n += r;
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %s", describe(st));
    CHECK(strcmp(buf, "through stdout") == 0, "read \"%s\"", buf);
    CHECK(dup2(fds[0], fds[0]) == fds[0], "dup2(fd, fd)");
    CHECK(dup2(999999, 5) == -1 && errno == EBADF, "dup2 of a bad fd: errno %d", errno);
}

void t_devices(void) {
    static char buf[8192];
    int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDWR);
    CHECK(null >= 0 && zero >= 0, "open: errno %d", errno);
    CHECK(write(null, buf, sizeof buf) == sizeof buf, "write /dev/null: errno %d", errno);
    CHECK(read(null, buf, sizeof buf) == 0, "read /dev/null is not EOF");
    memset(buf, 0xff, sizeof buf);
    CHECK(read(zero, buf, sizeof buf) == sizeof buf, "read /dev/zero: errno %d", errno);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0, "/dev/zero gave %#x at %zu", buf[i] & 0xff, i);
    CHECK(write(zero, buf, 100) == 100, "write /dev/zero: errno %d", errno);
    close(null);
    close(zero);
}

void t_proc(void) {
    char path[] = "/proc/self/stat", buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0 && ut_lantern) {   // the first round mounts it; the host has it already
        int r = mount("proc", "/proc", "proc", 0, NULL);
        CHECK(r == 0 || errno == EBUSY || errno == EPERM, "mount proc: errno %d", errno);
        fd = open(path, O_RDONLY);
    }
    CHECK(fd >= 0, "open %s: errno %d", path, errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    CHECK(n > 0, "read %s: errno %d", path, errno);
    buf[n] = 0;
    close(fd);
    char want[32];
    snprintf(want, sizeof want, "%d (", getpid());
    CHECK(strncmp(buf, want, strlen(want)) == 0, "%s starts \"%.40s\", not with our pid %d", path, buf, getpid());
}

// A /proc symlink (fd/N, exe, cwd) keeps its target in procfs's inode pool after a lookup,
// until the pool entry is reused: that must cost the target's length, not a page. Reading
// 300 different fd links once pinned a page for each of the pool's 256 entries, which a
// fuzzer's leak check then saw. (300: more than the pool, so that the first round fills it
// all, and the measured second round only replaces targets.)
void t_proc_links(void) {
    enum { N = 300 };
    int fds[N];
    char path[64], target[64];
    for (int i = 0; i < N; i++)
        CHECK((fds[i] = open("/", O_RDONLY)) >= 0, "open /: errno %d", errno);
    struct ut_sysinfo si;
    CHECK(__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) == 0, "sysinfo: errno %d", errno);
    long before = (long)si.freeram;
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
        ssize_t n = readlink(path, target, sizeof target);
        CHECK(n == 1 && target[0] == '/', "readlink %s: %zd, errno %d", path, n, errno);
    }
    CHECK(__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) == 0, "sysinfo: errno %d", errno);
    long kept = (before - (long)si.freeram) * (long)si.mem_unit / 4096;
    // On the host other processes move the free count: the check means something here only.
    CHECK(!ut_lantern || kept < 16, "reading %d /proc/self/fd links kept %ld pages", N, kept);
}

// /proc/slabinfo (Linux's version 2.1 format) says what the kernel's caches hold unused:
// the process table's spare struct procs (task_struct) and kmalloc's free objects, as
// (num_objs - active_objs) * objsize. The fuzzer's leak check adds that to the free pages
// (user/fuzz.c), so it must be exact: 40 processes at once grow the table (in the first
// round), and once they are reaped, free + held is back where it was, to the page.
static long slab_held_pages(long *task_entries) {
    static char buf[4096];
    int fd = open("/proc/slabinfo", O_RDONLY);
    CHECK(fd >= 0, "open /proc/slabinfo: errno %d", errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0, "read /proc/slabinfo: %zd, errno %d", n, errno);
    buf[n] = 0;
    static const char head[] = "slabinfo - version: 2.1\n# name ";
    CHECK(strncmp(buf, head, sizeof head - 1) == 0, "slabinfo starts \"%.40s\"", buf);
    long bytes = 0;
    *task_entries = -1;
    for (char *line = strchr(buf, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char *p = line + 1, name[32];
        if (*p == '#')
            continue;
        size_t len = strcspn(p, " ");
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        p += len;
        long active = strtol(p, &p, 10), objects = strtol(p, &p, 10), size = strtol(p, &p, 10);
        CHECK(active >= 0 && objects >= active && size > 0, "slabinfo line for %s: %ld %ld %ld",
              name, active, objects, size);
        if (strcmp(name, "task_struct") == 0)
            *task_entries = objects;
        bytes += (objects - active) * size;
    }
    CHECK(*task_entries > 0, "no task_struct line in /proc/slabinfo");
    return bytes / 4096;
}

static long free_now(void) {
    struct ut_sysinfo si;
    CHECK(__syscall(SYS_sysinfo_, (long)&si, 0, 0, 0, 0, 0) == 0, "sysinfo: errno %d", errno);
    return (long)(si.freeram * si.mem_unit / 4096);
}

void t_slabinfo(void) {
    enum { N = 40 };
    if (!ut_lantern)
        return;                          // the host's slabinfo is root's, its numbers everyone's
    long entries0, held0 = slab_held_pages(&entries0), free0 = free_now();
    int p[2];
    pid_t kids[N];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    for (int i = 0; i < N; i++) {
        char c;
        if ((kids[i] = fork()) == 0) {
            close(p[1]);
            read(p[0], &c, 1);           // until the write end closes
            _exit(0);
        }
        CHECK(kids[i] > 0, "fork: errno %d", errno);
    }
    long entries1;
    slab_held_pages(&entries1);
    CHECK(entries1 >= entries0 && entries1 > N, "task_struct: %ld entries with %d children", entries1, N);
    close(p[1]);
    close(p[0]);
    for (int i = 0; i < N; i++)
        wait_for(kids[i]);
    long entries2, held2 = slab_held_pages(&entries2), free2 = free_now();
    CHECK(entries2 == entries1, "task_struct: %ld entries, then %ld: they are kept", entries1, entries2);
    CHECK(free2 + held2 == free0 + held0, "free + held by caches: %ld + %ld, then %ld + %ld",
          free0, held0, free2, held2);
}
