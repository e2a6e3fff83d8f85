// pthread_shm: System V shared memory (shmget, shmat, shmdt, shmctl) and memfd_create, as
// parallel programs use them - workers forked after the parent attached a segment or
// mapped a memfd MAP_SHARED, adding to one counter - and what IPC_STAT says (size, nattch
// across fork, exec and exit, mode and SHM_DEST), IPC_RMID's delayed destruction, keys,
// attaching at given addresses, permissions for a user who is not root, memfd's names,
// seals and errors; a process-shared mutex and condition variable in a memfd's and in a
// file's shared pages; POSIX shm_open and named semaphores (sem_open) in /dev/shm.
// Linux is the oracle.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

#define WORKERS 4
#define ROUNDS  20000

// What IPC_STAT says that does not change from run to run.
static void show_stat(const char *what, int id)
{
    struct shmid_ds d;
    if (shmctl(id, IPC_STAT, &d) < 0) {
        check(what, -1);
        return;
    }
    printf("%s: size %zu nattch %lu mode %#o uid ok %s cuid ok %s\n", what, d.shm_segsz,
           (unsigned long)d.shm_nattch, d.shm_perm.mode,
           d.shm_perm.uid == geteuid() ? "yes" : "no", d.shm_perm.cuid == geteuid() ? "yes" : "no");
}

// The line of /proc/self/maps for the mapping at addr: all but the range and the inode
// (and instead of the name, whether it is `expect`, if given).
static void show_maps(const char *what, void *addr, const char *expect)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long start;
        char perms[8], off[20], dev[16], name[256] = "";
        if (sscanf(line, "%lx-%*x %7s %19s %15s %*u %255[^\n]", &start, perms, off, dev,
                   name) >= 4 && start == (unsigned long)addr) {
            printf("%s: %s %s %s %s\n", what, perms, off, dev,
                   !expect ? name : strcmp(name, expect) == 0 ? "name as expected" : name);
            fclose(f);
            return;
        }
    }
    printf("%s: not in maps\n", what);
    if (f)
        fclose(f);
}

static long nattch(int id)
{
    struct shmid_ds d;
    return shmctl(id, IPC_STAT, &d) < 0 ? -errno : (long)d.shm_nattch;
}

// WORKERS children add ROUNDS each to *counter, atomically; the parent waits for them all.
static void run_workers(const char *what, long *counter)
{
    fflush(stdout);
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            for (int r = 0; r < ROUNDS; r++)
                __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
            _exit(0);
        }
    }
    int ok = 1;
    for (int i = 0; i < WORKERS; i++) {
        int status;
        ok &= waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    }
    printf("%s: workers ok %s, counter %ld\n", what, ok ? "yes" : "no", *counter);
}

static int seg;                       // for the children below
static char *argv0;                   // this program's name, for the exec'd child

static void child_nattch(void)
{
    printf("child: nattch %ld\n", nattch(seg));
}

static void child_attach_and_exit(void)
{
    check("child shmat", (long)shmat(seg, NULL, 0) == -1 ? -1 : 0);
    printf("child after its shmat: nattch %ld\n", nattch(seg));
}

static char *rdonly_at;

static void child_write_rdonly(void)
{
    rdonly_at[0] = 1;                 // SIGSEGV: attached SHM_RDONLY
}

static void private_segments(void)
{
    check("shmget size 0", shmget(IPC_PRIVATE, 0, 0600));
    check("shmget past SHMMAX", shmget(IPC_PRIVATE, ~0ul - (1ul << 24) + 1, 0600));
    check("shmget 1 PiB", shmget(IPC_PRIVATE, 1ul << 50, 0600));
    seg = shmget(IPC_PRIVATE, 10000, 0640 | IPC_CREAT);
    check("shmget private", seg);
    show_stat("new", seg);
    long *p = shmat(seg, NULL, 0);
    check("shmat", p == (void *)-1 ? -1 : 0);
    show_stat("attached", seg);
    show_maps("maps", p, NULL);
    yes("page-aligned", ((uintptr_t)p & 4095) == 0);
    yes("zero-filled", p[0] == 0 && p[10000 / sizeof(long) - 1] == 0);
    run_workers("shmget counter", p);
    in_child("child sees", child_nattch);
    printf("after the child: nattch %ld\n", nattch(seg));
    in_child("child attaching", child_attach_and_exit);
    printf("after its exit: nattch %ld\n", nattch(seg));

    // Past the size, within the last page: still the segment's memory, as on Linux.
    ((char *)p)[10000] = 7;
    long *q = shmat(seg, NULL, 0);
    check("second shmat", q == (void *)-1 ? -1 : 0);
    yes("second at another address", q != p);
    yes("the same memory", q[0] == WORKERS * ROUNDS && ((char *)q)[10000] == 7);
    printf("two attaches: nattch %ld\n", nattch(seg));
    check("shmdt second", shmdt(q));
    check("shmdt second again", shmdt(q));
    check("shmdt unaligned", shmdt((char *)p + 1));
    check("shmdt not attached", shmdt((void *)0x10000));

    rdonly_at = shmat(seg, NULL, SHM_RDONLY);
    check("shmat SHM_RDONLY", rdonly_at == (void *)-1 ? -1 : 0);
    yes("read-only attach reads", ((long *)rdonly_at)[0] == WORKERS * ROUNDS);
    in_child("write to SHM_RDONLY", child_write_rdonly);
    check("shmdt read-only", shmdt(rdonly_at));

    // An address of our choosing: a free one (mapped and given back), rounded with SHM_RND.
    char *hole = mmap(NULL, 5 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 5 * 4096);
    char *at = shmat(seg, hole, 0);
    yes("shmat at the address given", at == hole);
    check("shmat there again", (long)shmat(seg, hole, 0) == -1 ? -1 : 0);
    char *remapped = shmat(seg, hole, SHM_REMAP);
    yes("SHM_REMAP over it", remapped == hole);
    printf("after the remap: nattch %ld\n", nattch(seg));
    check("shmdt remapped", shmdt(hole));
    check("shmat unaligned", (long)shmat(seg, hole + 100, 0) == -1 ? -1 : 0);
    char *rounded = shmat(seg, hole + 100, SHM_RND);
    yes("SHM_RND rounds down", rounded == hole);
    check("shmdt rounded", shmdt(rounded));
    check("shmat past user space", (long)shmat(seg, (void *)0x800000000000ul, 0) == -1 ? -1 : 0);
    check("shmat at the top", (long)shmat(seg, (void *)0xfffffffffffff000ul, 0) == -1 ? -1 : 0);
    check("shmat NULL with SHM_REMAP", (long)shmat(seg, NULL, SHM_REMAP) == -1 ? -1 : 0);
    check("shmat id -1", (long)shmat(-1, NULL, 0) == -1 ? -1 : 0);
    check("shmat unused id", (long)shmat(seg + 1000, NULL, 0) == -1 ? -1 : 0);

    // munmap of part of an attach: the rest stays attached, and shmdt takes it.
    long *r = shmat(seg, NULL, 0);
    check("munmap first page", munmap(r, 4096));
    printf("partly unmapped: nattch %ld\n", nattch(seg));
    check("shmdt of the rest", shmdt(r));
    printf("after shmdt: nattch %ld\n", nattch(seg));

    // IPC_RMID while attached: SHM_DEST, still usable, gone with the last detach.
    check("IPC_RMID attached", shmctl(seg, IPC_RMID, NULL));
    show_stat("removed", seg);
    long *again = shmat(seg, NULL, 0);
    check("shmat after IPC_RMID", again == (void *)-1 ? -1 : 0);
    yes("its memory kept", again != (void *)-1 && again[0] == WORKERS * ROUNDS);
    check("shmdt one", shmdt(again));
    show_stat("removed, one left", seg);
    check("shmdt last", shmdt(p));
    show_stat("after the last shmdt", seg);
    check("IPC_RMID again", shmctl(seg, IPC_RMID, NULL));
}

static void keyed_segments(void)
{
    key_t key = 0x4c000000 | (getpid() & 0xffff);
    check("shmget absent key", shmget(key, 4096, 0600));
    int id = shmget(key, 4096, 0600 | IPC_CREAT);
    check("shmget IPC_CREAT", id);
    struct shmid_ds d;
    shmctl(id, IPC_STAT, &d);
    yes("the key kept", d.shm_perm.__key == key);
    yes("IPC_CREAT again: the same", shmget(key, 4096, 0600 | IPC_CREAT) == id);
    yes("smaller size: the same", shmget(key, 100, 0) == id);
    yes("size 0: the same", shmget(key, 0, 0) == id);
    check("larger size", shmget(key, 8192, 0600));
    check("IPC_EXCL", shmget(key, 4096, 0600 | IPC_CREAT | IPC_EXCL));
    check("IPC_EXCL larger", shmget(key, 8192, 0600 | IPC_CREAT | IPC_EXCL));

    // IPC_SET: owner and mode bits only (SHM_DEST and the rest are not the caller's).
    shmctl(id, IPC_STAT, &d);
    d.shm_perm.mode = 0604 | SHM_DEST;
    check("IPC_SET", shmctl(id, IPC_SET, &d));
    show_stat("after IPC_SET", id);

    // Someone else (uid 1000): may read (0604), not write, change or remove it.
    seg = id;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(2000) < 0 || setuid(1000) < 0)
            _exit(3);
        check("other: shmget for reading", shmget(key, 0, 0400) < 0 ? -1 : 0);
        check("other: shmget for writing", shmget(key, 0, 0600));
        check("other: shmat", (long)shmat(id, NULL, 0) == -1 ? -1 : 0);
        check("other: shmat SHM_RDONLY", (long)shmat(id, NULL, SHM_RDONLY) == -1 ? -1 : 0);
        struct shmid_ds o;
        check("other: IPC_STAT", shmctl(id, IPC_STAT, &o));
        check("other: IPC_SET", shmctl(id, IPC_SET, &o));
        check("other: IPC_RMID", shmctl(id, IPC_RMID, NULL));
        check("other: SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    print_status("other user", status);
    d.shm_perm.mode = 0600;
    shmctl(id, IPC_SET, &d);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (setgid(2000) < 0 || setuid(1000) < 0)
            _exit(3);
        check("other, mode 0600: IPC_STAT", shmctl(id, IPC_STAT, &d));
        check("other, mode 0600: shmat SHM_RDONLY",
              (long)shmat(id, NULL, SHM_RDONLY) == -1 ? -1 : 0);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    print_status("other user again", status);

    // exec lets go of the segment; a removed key is free for a new segment at once.
    int *p = shmat(id, NULL, SHM_RDONLY);
    printf("attached: nattch %ld\n", nattch(id));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char arg[32];
        snprintf(arg, sizeof arg, "%d", id);
        execl("/proc/self/exe", argv0, "exec-nattch", arg, (char *)NULL);
        _exit(4);
    }
    waitpid(pid, &status, 0);
    print_status("exec'd child", status);
    check("IPC_RMID", shmctl(id, IPC_RMID, NULL));
    char expect[64];
    snprintf(expect, sizeof expect, "/SYSV%08x (deleted)", (unsigned)key);
    show_maps("maps after IPC_RMID", p, expect);
    check("key gone", shmget(key, 4096, 0600));
    int id2 = shmget(key, 4096, 0600 | IPC_CREAT | IPC_EXCL);
    check("key reused", id2);
    yes("a new id", id2 != id);
    yes("old attach still works", p[0] == 0);
    check("shmdt", shmdt(p));
    check("IPC_STAT of the old id", shmctl(id, IPC_STAT, &d));
    check("IPC_RMID new", shmctl(id2, IPC_RMID, NULL));
}

static void ctl_errors(void)
{
    struct shmid_ds d;
    int id = shmget(IPC_PRIVATE, 4096, 0600);
    check("IPC_STAT id -1", shmctl(-1, IPC_STAT, &d));
    check("IPC_STAT bad cmd", shmctl(id, 99, &d));
    check("IPC_STAT cmd -1", shmctl(id, -1, &d));
    check("IPC_STAT with IPC_64", shmctl(id, IPC_STAT | 0x100, &d));
    check("IPC_STAT bad buffer", syscall(SYS_shmctl, id, IPC_STAT, bad_address()));
    check("IPC_SET bad buffer", syscall(SYS_shmctl, id, IPC_SET, bad_address()));
    check("IPC_SET bad buffer, bad id", syscall(SYS_shmctl, -5, IPC_SET, bad_address()));
    struct shminfo info;
    check("IPC_INFO", shmctl(id, IPC_INFO, (struct shmid_ds *)&info) < 0 ? -1 : 0);
    printf("shmmni %lu shmmin %lu shmmax big %s\n", info.shmmni, info.shmmin,
           info.shmmax == ~0ul - (1ul << 24) ? "yes" : "no");
    check("SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
    show_stat("locked", id);
    check("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL));
    check("IPC_RMID", shmctl(id, IPC_RMID, NULL));
    check("IPC_STAT removed", shmctl(id, IPC_STAT, &d));
}

static void memfd_basics(void)
{
    int fd = memfd_create("lantern", 0);
    check("memfd_create", fd);
    char path[64], link[128];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("link: %s\n", link);
    struct stat st;
    fstat(fd, &st);
    printf("mode %#o nlink %lu size %ld\n", st.st_mode, (unsigned long)st.st_nlink,
           (long)st.st_size);
    printf("F_GETFL %#x F_GETFD %d\n", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
    check_val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    check("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    check("ftruncate", ftruncate(fd, 8192));
    check_val("write", write(fd, "hello", 5));
    char buf[8] = { 0 };
    check_val("pread", pread(fd, buf, 5, 0));
    printf("read back: %s\n", buf);
    long *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check("mmap MAP_SHARED", map == MAP_FAILED ? -1 : 0);
    yes("mapping sees the write", memcmp(map, "hello", 5) == 0);
    show_maps("maps", map, NULL);
    map[1] = 0;
    run_workers("memfd counter", &map[1]);
    long seen = 0;
    pread(fd, &seen, sizeof seen, sizeof(long));
    printf("pread of the counter: %ld\n", seen);
    check("munmap", munmap(map, 8192));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    close(fd);

    fd = memfd_create("cloexec", MFD_CLOEXEC);
    printf("MFD_CLOEXEC: F_GETFD %d\n", fcntl(fd, F_GETFD));
    close(fd);
    check("bad flags", memfd_create("x", 0x100));
    check("MFD_EXEC with MFD_NOEXEC_SEAL", memfd_create("x", 0x10 | 0x08));
    char name[300];
    memset(name, 'n', sizeof name);
    name[249] = 0;
    fd = memfd_create(name, 0);
    check("name of 249 bytes", fd);
    close(fd);
    name[249] = 'n';
    name[250] = 0;
    check("name of 250 bytes", memfd_create(name, 0));
    check("bad name", syscall(SYS_memfd_create, bad_address(), 0));
    fd = memfd_create("", 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("empty name: %s\n", link);
    close(fd);
    int pfd[2];
    pipe(pfd);
    check("F_GET_SEALS of a pipe", fcntl(pfd[0], F_GET_SEALS));
    close(pfd[0]);
    close(pfd[1]);
}

static void memfd_seals(void)
{
    int fd = memfd_create("sealed", MFD_ALLOW_SEALING);
    check_val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    ftruncate(fd, 3 * 4096);
    check("F_SEAL_SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    check("shrink", ftruncate(fd, 4096));
    check("grow", ftruncate(fd, 4 * 4096));
    check("F_SEAL_GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    check("grow sealed", ftruncate(fd, 5 * 4096));
    check("same size", ftruncate(fd, 4 * 4096));
    check_val("write inside", pwrite(fd, "abc", 3, 100));
    check_val("write past the end", pwrite(fd, "abc", 3, 4 * 4096));
    check_val("write across the end", pwrite(fd, "abcdef", 6, 4 * 4096 - 3));
    check("bad seal", fcntl(fd, F_ADD_SEALS, 0x1000));
    void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check("F_SEAL_WRITE while mapped writable", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(w, 4096);
    check("F_SEAL_WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    check("write sealed", pwrite(fd, "x", 1, 0));
    check("mmap shared writable", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                                      == MAP_FAILED ? -1 : 0);
    void *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    check("mmap shared read-only", r == MAP_FAILED ? -1 : 0);
    check("mprotect it writable", mprotect(r, 4096, PROT_READ | PROT_WRITE));
    char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    check("mmap private writable", priv == MAP_FAILED ? -1 : 0);
    priv[0] = 'z';
    yes("private copy only", ((char *)r)[0] == 0 && priv[0] == 'z');
    check("F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    check_val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    check("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    close(fd);
    munmap(r, 4096);
    munmap(priv, 4096);
}

// A process-shared mutex and condition variable in a file's MAP_SHARED pages, which each
// worker maps for itself (at an address of its own): the futex of a wait and of its wake
// must be the file's word, not one process's address. Workers pass a token round
// TOKEN_PASSES times, each waiting for its turn; a wait that times out fails the worker.
// Named semaphores (sem_open) and shm_open's mutexes live in such pages.
#define TOKEN_WORKERS 3
#define TOKEN_PASSES  150
struct token { pthread_mutex_t lock; pthread_cond_t turn_changed; int turn, timeouts; };

static int pass_token(int fd, int me)
{
    struct token *t = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (t == MAP_FAILED)
        return 1;
    pthread_mutex_lock(&t->lock);
    while (t->turn < TOKEN_PASSES) {
        if (t->turn % TOKEN_WORKERS != me) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 5;
            if (pthread_cond_timedwait(&t->turn_changed, &t->lock, &until) == ETIMEDOUT) {
                t->timeouts++;
                break;
            }
            continue;
        }
        t->turn++;
        pthread_cond_broadcast(&t->turn_changed);
    }
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static void token_ring(const char *what, int fd)
{
    if (fd < 0 || ftruncate(fd, 4096) < 0) {
        printf("%s: setup failed: %s\n", what, strerror(errno));
        return;
    }
    struct token *t = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&t->lock, &ma);
    pthread_cond_init(&t->turn_changed, &ca);
    fflush(stdout);
    pid_t pids[TOKEN_WORKERS];
    for (int i = 0; i < TOKEN_WORKERS; i++)
        if ((pids[i] = fork()) == 0)
            _exit(pass_token(fd, i));
    int ok = 1;
    for (int i = 0; i < TOKEN_WORKERS; i++) {
        int status;
        ok &= waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    }
    printf("%s: workers ok %s, passes %d, timeouts %d\n", what, ok ? "yes" : "no", t->turn,
           t->timeouts);
    munmap(t, 4096);
    close(fd);
}

static void shared_file_futexes(void)
{
    token_ring("memfd token ring", memfd_create("token", 0));
    char path[64];
    snprintf(path, sizeof path, "/tmp/pthread_shm.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unlink(path);
    token_ring("file token ring", fd);
}

// POSIX shared memory and named semaphores: files in /dev/shm (shm_open, sem_open), which
// parallel programs share between forked workers as they share a memfd.
static void posix_shm(void)
{
    struct stat st;
    yes("/dev/shm is a sticky directory anyone may write",
        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777);
    char name[64];
    snprintf(name, sizeof name, "/pthread_shm.%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    check("shm_open O_CREAT|O_EXCL", fd);
    check("shm_open again, O_EXCL", shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
    check("ftruncate", ftruncate(fd, 4096));
    long *counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (counter == MAP_FAILED) {
        printf("shm mmap: error %s\n", err_name(errno));
        return;
    }
    run_workers("shm_open", counter);
    yes("fstat: 4096 bytes, mode 0600",
        fstat(fd, &st) == 0 && st.st_size == 4096 && (st.st_mode & 0777) == 0600);
    munmap(counter, 4096);
    close(fd);
    check("shm_unlink", shm_unlink(name));
    check("shm_open after unlink", shm_open(name, O_RDWR, 0));
    check("shm_unlink again", shm_unlink(name));
    token_ring("shm_open token ring", shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
    shm_unlink(name);

    sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    yes("sem_open O_CREAT|O_EXCL", sem != SEM_FAILED);
    if (sem == SEM_FAILED)
        return;
    yes("sem_open again, O_EXCL: EEXIST",
        sem_open(name, O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED && errno == EEXIST);
    fflush(stdout);
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if ((pids[i] = fork()) == 0) {
            sem_t *s = sem_open(name, 0);      // opened again by name, not inherited
            for (int r = 0; r < 100; r++)
                sem_post(s);
            _exit(s == SEM_FAILED);
        }
    int waits = 0;
    for (int i = 0; i < WORKERS * 100; i++)
        waits += sem_wait(sem) == 0;
    int ok = 1;
    for (int i = 0; i < WORKERS; i++) {
        int status;
        ok &= waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    }
    int value = -1;
    sem_getvalue(sem, &value);
    printf("named semaphore: workers ok %s, waits %d, value %d\n", ok ? "yes" : "no", waits,
           value);
    check("sem_trywait on 0", sem_trywait(sem));
    check("sem_close", sem_close(sem));
    check("sem_unlink", sem_unlink(name));
    yes("sem_open after unlink: ENOENT", sem_open(name, 0) == SEM_FAILED && errno == ENOENT);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-nattch") == 0) {
        printf("after exec: nattch %ld\n", nattch(atoi(argv[2])));
        return 0;
    }
    argv0 = argv[0];
    begin("pthread_shm");
    if (access("/proc/self/fd", F_OK) != 0)
        mount("proc", "/proc", "proc", 0, NULL);   // as init, on Lantern
    private_segments();
    keyed_segments();
    ctl_errors();
    memfd_basics();
    memfd_seals();
    shared_file_futexes();
    posix_shm();
    return done();
}
