// pthread_sysvsem: System V semaphores (semget, semop, semtimedop, semctl) as parallel
// programs use them - fork workers counting through a semaphore used as a mutex, a
// producer and a consumer, threads - and everything around: waiting and waking, the
// semaphore handed to the oldest waiter that can take it, all-or-nothing arrays of
// operations, SEM_UNDO at exit (shared by threads, not inherited by fork), IPC_RMID waking
// waiters with EIDRM, timeouts, EINTR from a signal, permissions, and the errors. Linux is
// the oracle. Children never print: they report through their exit status, so the
// output's order does not depend on who runs first.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "thr_util.h"

// The caller defines union semun (neither C library does).
union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *info;
};

// Keys no other program on the host uses - not even this one built with the other C
// library, which the tests may run at the same time: from the pid.
static key_t key1, key2;             // set by main

static const char *ename(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EIDRM: return "EIDRM";
    case E2BIG: return "E2BIG";
    case EFBIG: return "EFBIG";
    case ERANGE: return "ERANGE";
    case ENOSPC: return "ENOSPC";
    }
    return err_name(e);
}

// "what: ok" / "what: VALUE", or "what: error ENAME".
static void sc(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, ename(e));
    else
        printf("%s: ok\n", what);
}

static void sv(const char *what, long ret)
{
    int e = errno;
    if (ret < 0)
        printf("%s: error %s\n", what, ename(e));
    else
        printf("%s: %ld\n", what, ret);
}

// The compiler does not know that semop is a lock: without this, it keeps a static counter
// in a register across the calls (GCC does, with glibc).
#define barrier() __asm__ volatile("" ::: "memory")

static int op(int id, unsigned short num, short delta, short flags)
{
    struct sembuf b = { num, delta, flags };
    return semop(id, &b, 1);
}

static int getval(int id, int num) { return semctl(id, num, GETVAL); }

static void setval(int id, int num, int val)
{
    union semun u = { .val = val };
    if (semctl(id, num, SETVAL, u) < 0)
        printf("SETVAL %d: error %s\n", val, ename(errno));
}

static void show_all(const char *what, int id, int n)
{
    unsigned short v[8];
    union semun u = { .array = v };
    if (semctl(id, 0, GETALL, u) < 0) {
        printf("%s: error %s\n", what, ename(errno));
        return;
    }
    printf("%s:", what);
    for (int i = 0; i < n; i++)
        printf(" %u", v[i]);
    printf("\n");
}

// Until semctl(cmd) of semaphore num says n (a child has queued), at most 10 s.
static void wait_count(int id, int num, int cmd, int n)
{
    for (int i = 0; i < 10000 && semctl(id, num, cmd) != n; i++)
        sleep_ms(1);
}

// A child that runs fn(arg) and exits with what it returns (an errno, or 0).
static pid_t spawn(int (*fn)(int), int arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

// "what: exited 0", "what: EIDRM" (a child that exits with an errno), or how it died.
static void reap(const char *what, pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) < 0) {
        printf("%s: waitpid error %s\n", what, ename(errno));
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        printf("%s: %s\n", what, ename(WEXITSTATUS(status)));
    else
        print_status(what, status);
}

static int the_set;                  // what the children below work on

static int take_one(int num)         // -1 on semaphore num, waiting
{
    return op(the_set, (unsigned short)num, -1, 0) < 0 ? errno : 0;
}

static int wait_zero(int num)
{
    return op(the_set, (unsigned short)num, 0, 0) < 0 ? errno : 0;
}

static int take_two(int unused)      // -2 on semaphore 0
{
    (void)unused;
    return op(the_set, 0, -2, 0) < 0 ? errno : 0;
}

static int take_both(int unused)     // -1 on 0 and on 1, together
{
    (void)unused;
    struct sembuf b[2] = { { 0, -1, 0 }, { 1, -1, 0 } };
    return semop(the_set, b, 2) < 0 ? errno : 0;
}

static int add0_take1(int unused)    // +1 on 0 and -1 on 1, together
{
    (void)unused;
    struct sembuf b[2] = { { 0, 1, 0 }, { 1, -1, 0 } };
    return semop(the_set, b, 2) < 0 ? errno : 0;
}

static void cleanup_keys(void)
{
    int keys[] = { key1, key2 };
    for (int i = 0; i < 2; i++) {
        int id = semget(keys[i], 0, 0);
        if (id >= 0)
            semctl(id, 0, IPC_RMID);
    }
}

// ---------------------------------------------------------------- semget, limits

static void limits(void)
{
    printf("== limits\n");
    struct seminfo info;
    union semun u = { .info = &info };
    int max = semctl(0, 0, IPC_INFO, u);
    yes("IPC_INFO returns the highest index, >= 0", max >= 0);
    printf("semmsl %d semmns %d semopm %d semmni %d semvmx %d semaem %d\n", info.semmsl,
           info.semmns, info.semopm, info.semmni, info.semvmx, info.semaem);
    u.info = bad_address();
    sc("IPC_INFO to NULL", semctl(0, 0, IPC_INFO, u));
    sc("IPC_INFO, semid -1", semctl(-1, 0, IPC_INFO, u));
    int id = semget(IPC_PRIVATE, 1, 0600);
    u.info = &info;
    yes("SEM_INFO counts a set at least", semctl(0, 0, SEM_INFO, u) >= 0 && info.semusz >= 1);
    semctl(id, 0, IPC_RMID);
}

static void keys(void)
{
    printf("== semget\n");
    sc("nsems 0, IPC_PRIVATE", semget(IPC_PRIVATE, 0, 0600));
    sc("nsems -1", semget(IPC_PRIVATE, -1, 0600));
    sc("nsems 32001", semget(IPC_PRIVATE, 32001, 0600));
    sc("no such key", semget(key1, 2, 0600));
    int a = semget(key1, 2, IPC_CREAT | 0600);
    sc("IPC_CREAT", a);
    yes("the same key: the same set", semget(key1, 2, IPC_CREAT | 0600) == a);
    yes("nsems 0 finds it", semget(key1, 0, 0) == a);
    yes("fewer semaphores find it", semget(key1, 1, 0) == a);
    sc("more semaphores", semget(key1, 3, 0));
    sc("IPC_CREAT | IPC_EXCL", semget(key1, 2, IPC_CREAT | IPC_EXCL | 0600));
    int b = semget(key2, 1, IPC_CREAT | IPC_EXCL | 0600);
    sc("IPC_CREAT | IPC_EXCL, a new key", b);
    int p1 = semget(IPC_PRIVATE, 1, 0600), p2 = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL);
    yes("IPC_PRIVATE makes a new set each time", p1 >= 0 && p2 >= 0 && p1 != p2 && p1 != a);
    sc("IPC_RMID", semctl(a, 0, IPC_RMID));
    sc("IPC_RMID again", semctl(a, 0, IPC_RMID));
    sc("the removed key", semget(key1, 2, 0));
    int c = semget(key1, 2, IPC_CREAT | 0600);
    yes("the key again: a new id", c >= 0 && c != a);
    sc("GETVAL of the removed id", getval(a, 0));
    semctl(b, 0, IPC_RMID);
    semctl(c, 0, IPC_RMID);
    semctl(p1, 0, IPC_RMID);
    semctl(p2, 0, IPC_RMID);

    // The biggest set: every value in and out.
    int big = semget(IPC_PRIVATE, 32000, 0600);
    sc("32000 semaphores", big);
    static unsigned short v[32000];
    for (int i = 0; i < 32000; i++)
        v[i] = (unsigned short)(i % 1000);
    union semun u = { .array = v };
    sc("SETALL of 32000", semctl(big, 0, SETALL, u));
    memset(v, 0, sizeof v);
    sc("GETALL of 32000", semctl(big, 0, GETALL, u));
    int same = 1;
    for (int i = 0; i < 32000; i++)
        same &= v[i] == i % 1000;
    yes("  all 32000 back", same);
    sv("GETVAL of the last", getval(big, 31999));
    struct sembuf last = { 31999, -999, IPC_NOWAIT };
    sc("semop on the last", semop(big, &last, 1));
    sv("  now", getval(big, 31999));
    semctl(big, 0, IPC_RMID);
}

// ---------------------------------------------------------------- semctl

static void stat_and_set(void)
{
    printf("== IPC_STAT, IPC_SET\n");
    int id = semget(IPC_PRIVATE, 3, 0640);
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    sc("IPC_STAT", semctl(id, 0, IPC_STAT, u));
    printf("mode %o nsems %lu key %d otime %ld\n", (unsigned)ds.sem_perm.mode & 0777,
           (unsigned long)ds.sem_nsems, (int)ds.sem_perm.__key, (long)ds.sem_otime);
    yes("uid, cuid: ours", ds.sem_perm.uid == geteuid() && ds.sem_perm.cuid == geteuid());
    yes("gid, cgid: ours", ds.sem_perm.gid == getegid() && ds.sem_perm.cgid == getegid());
    long now = (long)time(NULL);
    yes("ctime is now", ds.sem_ctime >= now - 5 && ds.sem_ctime <= now + 5);
    op(id, 1, 1, 0);
    semctl(id, 0, IPC_STAT, u);
    yes("a semop sets otime", ds.sem_otime >= now - 5 && ds.sem_otime <= now + 5);

    ds.sem_perm.mode = 0100600;      // only the permission bits count
    ds.sem_perm.uid = 1000;
    ds.sem_perm.gid = 1001;
    ds.sem_nsems = 99;               // not changed by IPC_SET
    sc("IPC_SET", semctl(id, 0, IPC_SET, u));
    memset(&ds, 0, sizeof ds);
    semctl(id, 0, IPC_STAT, u);
    printf("now mode %o uid %u gid %u cuid %u nsems %lu\n", (unsigned)ds.sem_perm.mode,
           (unsigned)ds.sem_perm.uid, (unsigned)ds.sem_perm.gid, (unsigned)ds.sem_perm.cuid,
           (unsigned long)ds.sem_nsems);
    ds.sem_perm.uid = (uid_t)-1;
    sc("IPC_SET uid -1", semctl(id, 0, IPC_SET, u));
    ds.sem_perm.uid = 0;
    ds.sem_perm.gid = 0;
    sc("IPC_SET back", semctl(id, 0, IPC_SET, u));

    u.buf = bad_address();
    sc("IPC_STAT to NULL", semctl(id, 0, IPC_STAT, u));
    sc("IPC_SET from NULL", semctl(id, 0, IPC_SET, u));
    u.buf = (struct semid_ds *)16;
    sc("IPC_STAT to address 16", semctl(id, 0, IPC_STAT, u));
    sc("IPC_SET from NULL, semid -1", semctl(-1, 0, IPC_SET, u));
    u.buf = &ds;
    sc("IPC_STAT | IPC_64 (raw)", syscall(SYS_semctl, id, 0, IPC_STAT | 0x100, &ds));
    sc("IPC_STAT, semid -1", semctl(-1, 0, IPC_STAT, u));
    sc("IPC_STAT, no such id", semctl(id + 0x8000, 0, IPC_STAT, u));
    sc("command 99", semctl(id, 0, 99, u));
    long r = semctl(id & 0x7fff, 0, SEM_STAT, u);
    yes("SEM_STAT of its index returns the id", r == id);
    r = semctl(id & 0x7fff, 0, SEM_STAT_ANY, u);
    yes("SEM_STAT_ANY too", r == id);
    semctl(id, 0, IPC_RMID);
}

static void values(void)
{
    printf("== values\n");
    int id = semget(IPC_PRIVATE, 3, 0600);
    show_all("new", id, 3);
    sv("GETPID of an untouched one", semctl(id, 0, GETPID));
    union semun u = { .val = 32767 };
    sc("SETVAL 32767", semctl(id, 0, SETVAL, u));
    u.val = 32768;
    sc("SETVAL 32768", semctl(id, 0, SETVAL, u));
    u.val = -1;
    sc("SETVAL -1", semctl(id, 0, SETVAL, u));
    u.val = 1;
    sc("SETVAL, semnum 3", semctl(id, 3, SETVAL, u));
    sc("SETVAL, semnum -1", semctl(id, -1, SETVAL, u));
    sc("SETVAL 32768, semid -1", semctl(-1, 0, SETVAL, (union semun){ .val = 32768 }));
    sv("GETVAL", getval(id, 0));
    sc("GETVAL, semnum 3", getval(id, 3));
    yes("GETPID after SETVAL: ours", semctl(id, 0, GETPID) == getpid());
    sv("GETNCNT", semctl(id, 0, GETNCNT));
    sv("GETZCNT", semctl(id, 0, GETZCNT));
    sc("GETNCNT, semnum 5", semctl(id, 5, GETNCNT));
    unsigned short v[3] = { 1, 2, 3 };
    u.array = v;
    sc("SETALL 1 2 3", semctl(id, 0, SETALL, u));
    show_all("  now", id, 3);
    v[1] = 40000;
    sc("SETALL 1 40000 3", semctl(id, 0, SETALL, u));
    show_all("  unchanged", id, 3);
    u.array = bad_address();
    sc("SETALL from NULL", semctl(id, 0, SETALL, u));
    sc("GETALL to NULL", semctl(id, 0, GETALL, u));
    u.array = (unsigned short *)1;
    sc("GETALL to address 1", semctl(id, 0, GETALL, u));
    semctl(id, 0, IPC_RMID);
}

// ---------------------------------------------------------------- semop

static void semop_basics(void)
{
    printf("== semop\n");
    int id = semget(IPC_PRIVATE, 3, 0600);
    struct sembuf b[501];
    for (int i = 0; i < 501; i++)
        b[i] = (struct sembuf){ 2, 0, 0 };
    sc("nsops 0", semop(id, b, 0));
    sc("semid -1", semop(-1, b, 1));
    sc("nsops 501", semop(id, b, 501));
    sc("nsops 500 (wait for zero)", semop(id, b, 500));
    sc("sops NULL", semop(id, bad_address(), 1));
    sc("nsops 0, sops NULL", semop(id, bad_address(), 0));
    sc("sem_num 3", op(id, 3, 1, 0));
    sc("sem_num 65535", op(id, 65535, 1, 0));
    sc("no such id", op(id + 0x8000, 0, 1, 0));
    sc("+1", op(id, 0, 1, 0));
    sc("-2, IPC_NOWAIT", op(id, 0, -2, IPC_NOWAIT));
    sc("wait for zero, IPC_NOWAIT", op(id, 0, 0, IPC_NOWAIT));
    sc("+32767", op(id, 0, 32767, 0));
    sc("+32766", op(id, 0, 32766, 0));
    sv("  value", getval(id, 0));
    setval(id, 0, 1);

    // All or nothing.
    struct sembuf two[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
    sc("-1 on 0 and -1 on 1 (0), IPC_NOWAIT", semop(id, two, 2));
    show_all("  untouched", id, 3);
    two[1].sem_op = 1;
    sc("-1 on 0 and +1 on 1", semop(id, two, 2));
    show_all("  both", id, 3);
    struct sembuf dup[3] = { { 0, 2, 0 }, { 0, -1, 0 }, { 0, -1, 0 } };
    sc("+2, -1, -1 on one semaphore", semop(id, dup, 3));
    sv("  value", getval(id, 0));
    struct sembuf then_zero[2] = { { 0, 1, 0 }, { 0, 0, IPC_NOWAIT } };
    sc("+1 then wait for zero, IPC_NOWAIT", semop(id, then_zero, 2));
    sv("  value", getval(id, 0));
    struct sembuf range[3] = { { 1, 5, 0 }, { 2, 32767, 0 }, { 2, 1, 0 } };
    sc("+5, +32767, +1 (too far)", semop(id, range, 3));
    show_all("  untouched", id, 3);

    // SEM_UNDO's adjustment has a range too: -32768..32767.
    setval(id, 2, 0);
    sc("+32767, SEM_UNDO", op(id, 2, 32767, SEM_UNDO));
    sc("-32767", op(id, 2, -32767, 0));
    sc("+2, SEM_UNDO (adjustment -32769)", op(id, 2, 2, SEM_UNDO));
    sc("+1, SEM_UNDO (adjustment -32768)", op(id, 2, 1, SEM_UNDO));
    setval(id, 2, 0);                // (and the adjustment is 0 again)

    // semtimedop's checks, raw: the C libraries' wrappers may look at the timeout first.
    struct timespec bad_ns = { 0, 1000000000 }, neg = { -1, 0 }, zero = { 0, 0 };
    struct sembuf take = { 1, -5, 0 };
    sc("semtimedop, nsec 1e9", syscall(SYS_semtimedop, id, &take, 1, &bad_ns));
    sc("semtimedop, sec -1", syscall(SYS_semtimedop, id, &take, 1, &neg));
    char *bad_ts = (char *)bad_address() + 8;
    sc("semtimedop, timeout at address 8", syscall(SYS_semtimedop, id, &take, 1, bad_ts));
    sc("  with nsops 0", syscall(SYS_semtimedop, id, &take, 0, bad_ts));
    sc("  a good timeout, nsops 0", syscall(SYS_semtimedop, id, &take, 0, &zero));
    sc("  nsec 1e9, sops NULL", syscall(SYS_semtimedop, id, bad_address(), 1, &bad_ns));
    sc("semtimedop, zero timeout", semtimedop(id, &take, 1, &zero));
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec ms50 = { 0, 50000000 };
    sc("semtimedop, 50 ms", semtimedop(id, &take, 1, &ms50));
    long long waited = now_ns(CLOCK_MONOTONIC) - t0;
    yes("  waited about 50 ms", waited >= 40000000 && waited < 5000000000LL);
    sv("  GETNCNT after", semctl(id, 1, GETNCNT));
    take.sem_op = -1;
    sc("semtimedop that can go on", semtimedop(id, &take, 1, &ms50));
    take.sem_op = 1;
    sc("semtimedop +1, timeout NULL", semtimedop(id, &take, 1, NULL));
    semctl(id, 0, IPC_RMID);
    sc("semop on the removed set", op(id, 0, 1, 0));
}

// ---------------------------------------------------------------- waiting and waking

static void wakeups(void)
{
    printf("== waiting and waking\n");
    the_set = semget(IPC_PRIVATE, 2, 0600);
    int id = the_set;

    pid_t c = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 1);
    sv("a child waits to take: GETNCNT", semctl(id, 0, GETNCNT));
    sv("  GETZCNT", semctl(id, 0, GETZCNT));
    sc("+1", op(id, 0, 1, 0));
    reap("  the child", c);
    sv("  value", getval(id, 0));
    yes("  GETPID: the child's", semctl(id, 0, GETPID) == c);

    // The waiter gets what was added before the adder can take it back.
    c = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 1);
    sc("+1 for a waiter", op(id, 0, 1, 0));
    sc("  and -1 at once, IPC_NOWAIT", op(id, 0, -1, IPC_NOWAIT));
    reap("  the child", c);

    // Oldest first, but a waiter that cannot go on does not hold up the next.
    pid_t first = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 1);
    pid_t second = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 2);
    sv("two waiters: GETNCNT", semctl(id, 0, GETNCNT));
    op(id, 0, 1, 0);
    reap("  +1: the first", first);
    sv("  GETNCNT", semctl(id, 0, GETNCNT));
    op(id, 0, 1, 0);
    reap("  +1: the second", second);
    pid_t big = spawn(take_two, 0);
    wait_count(id, 0, GETNCNT, 1);
    pid_t small = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 2);
    op(id, 0, 1, 0);
    reap("a -2 waiter, then a -1: +1 goes to the -1", small);
    sv("  GETNCNT", semctl(id, 0, GETNCNT));
    sv("  value", getval(id, 0));
    op(id, 0, 2, 0);
    reap("  +2: the -2", big);

    // Waiting for zero.
    setval(id, 1, 2);
    c = spawn(wait_zero, 1);
    wait_count(id, 1, GETZCNT, 1);
    sv("a child waits for zero: GETZCNT", semctl(id, 1, GETZCNT));
    sv("  GETNCNT", semctl(id, 1, GETNCNT));
    op(id, 1, -1, 0);
    sv("  -1: GETZCNT", semctl(id, 1, GETZCNT));
    op(id, 1, -1, 0);
    reap("  -1 again", c);

    // Two at once: the waiter waits on the first it cannot have, and takes none until it
    // can have both.
    c = spawn(take_both, 0);
    wait_count(id, 0, GETNCNT, 1);
    printf("waits for both: GETNCNT %d %d\n", semctl(id, 0, GETNCNT), semctl(id, 1, GETNCNT));
    op(id, 0, 1, 0);
    wait_count(id, 1, GETNCNT, 1);
    printf("  +1 on 0: GETNCNT %d %d\n", semctl(id, 0, GETNCNT), semctl(id, 1, GETNCNT));
    show_all("  values", id, 2);
    op(id, 1, 1, 0);
    reap("  +1 on 1", c);
    show_all("  values", id, 2);

    // Waiters for zero go first: the zero waiter, queued second, sees semaphore 0 at 0
    // before the older waiter's +1 on it.
    setval(id, 0, 1);
    pid_t adder = spawn(add0_take1, 0);
    wait_count(id, 1, GETNCNT, 1);
    pid_t zero = spawn(wait_zero, 0);
    wait_count(id, 0, GETZCNT, 1);
    struct sembuf swap[2] = { { 0, -1, 0 }, { 1, 1, 0 } };
    sc("-1 on 0 and +1 on 1 with both waiting", semop(id, swap, 2));
    reap("  the zero waiter", zero);
    reap("  the +1 -1 waiter", adder);
    show_all("  values", id, 2);
    setval(id, 0, 0);

    // SETVAL and SETALL wake waiters too.
    c = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 1);
    setval(id, 0, 3);
    reap("SETVAL 3 for a waiter", c);
    sv("  value", getval(id, 0));
    setval(id, 0, 1);
    c = spawn(wait_zero, 0);
    pid_t c2 = spawn(take_one, 1);
    wait_count(id, 0, GETZCNT, 1);
    wait_count(id, 1, GETNCNT, 1);
    unsigned short v[2] = { 0, 1 };
    semctl(id, 0, SETALL, (union semun){ .array = v });
    reap("SETALL 0 1: the zero waiter", c);
    reap("  the taker", c2);
    semctl(id, 0, IPC_RMID);
}

// IPC_RMID wakes every waiter with EIDRM.
static void removal(void)
{
    printf("== IPC_RMID with waiters\n");
    the_set = semget(IPC_PRIVATE, 2, 0600);
    setval(the_set, 1, 1);
    pid_t a = spawn(take_one, 0), b = spawn(wait_zero, 1);
    wait_count(the_set, 0, GETNCNT, 1);
    wait_count(the_set, 1, GETZCNT, 1);
    sc("IPC_RMID", semctl(the_set, 0, IPC_RMID));
    reap("  the taker", a);
    reap("  the zero waiter", b);
}

// ---------------------------------------------------------------- signals

static volatile sig_atomic_t handled;
static void on_usr1(int sig) { (void)sig; handled++; }

static int poke_parent(int num)      // SIGUSR1 to the parent once it waits on num
{
    wait_count(the_set, num, GETNCNT, 1);
    kill(getppid(), SIGUSR1);
    return 0;
}

static void interrupted(void)
{
    printf("== EINTR\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;        // semop is never restarted all the same
    sigaction(SIGUSR1, &sa, NULL);
    the_set = semget(IPC_PRIVATE, 1, 0600);
    pid_t c = spawn(poke_parent, 0);
    sc("semop, a signal with SA_RESTART", op(the_set, 0, -1, 0));
    yes("  the handler ran", handled == 1);
    sv("  GETNCNT", semctl(the_set, 0, GETNCNT));
    reap("  the child", c);
    c = spawn(poke_parent, 0);
    struct timespec ts = { 30, 0 };
    struct sembuf b = { 0, -1, 0 };
    sc("semtimedop (30 s), a signal", semtimedop(the_set, &b, 1, &ts));
    reap("  the child", c);
    semctl(the_set, 0, IPC_RMID);
    signal(SIGUSR1, SIG_DFL);
}

// ---------------------------------------------------------------- parallel programs

#define WORKERS 4
#define ROUNDS 300

// Fork workers add to a counter in shared memory, a read, a yield and a write each
// time: only the semaphore, used as a mutex (SEM_UNDO, as such programs do), keeps
// them from losing counts.
static void mutex_workers(void)
{
    printf("== fork workers and a mutex\n");
    long *counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int id = semget(IPC_PRIVATE, 1, 0600);
    setval(id, 0, 1);
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        if ((pids[w] = fork()) == 0) {
            for (int i = 0; i < ROUNDS; i++) {
                if (op(id, 0, -1, SEM_UNDO) < 0)
                    _exit(errno);
                barrier();
                long v = *counter;
                if (i % 8 == 0)
                    sched_yield();
                *counter = v + 1;
                barrier();
                if (op(id, 0, 1, SEM_UNDO) < 0)
                    _exit(errno);
            }
            _exit(0);
        }
    }
    int ok = 1;
    for (int w = 0; w < WORKERS; w++) {
        int status;
        waitpid(pids[w], &status, 0);
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    yes("every worker exited 0", ok);
    printf("counter %ld (of %d)\n", *counter, WORKERS * ROUNDS);
    sv("the mutex", getval(id, 0));
    semctl(id, 0, IPC_RMID);
    munmap(counter, 4096);
}

// A producer and a consumer around a ring of 8 slots: semaphore 0 counts the free
// slots, 1 the full ones.
#define ITEMS 2000
static void producer_consumer(void)
{
    printf("== producer and consumer\n");
    int *ring = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int id = semget(IPC_PRIVATE, 2, 0600);
    setval(id, 0, 8);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        for (int i = 1; i <= ITEMS; i++) {
            if (op(id, 0, -1, 0) < 0)
                _exit(errno);
            barrier();
            ring[i % 8] = i;
            barrier();
            if (op(id, 1, 1, 0) < 0)
                _exit(errno);
        }
        _exit(0);
    }
    long sum = 0, in_order = 1;
    for (int i = 1; i <= ITEMS; i++) {
        op(id, 1, -1, 0);
        barrier();
        in_order &= ring[i % 8] == i;
        sum += ring[i % 8];
        barrier();
        op(id, 0, 1, 0);
    }
    reap("the producer", c);
    printf("sum %ld, in order: %s\n", sum, in_order ? "yes" : "no");
    show_all("free and full", id, 2);
    semctl(id, 0, IPC_RMID);
    munmap(ring, 4096);
}

static long thread_count;

static void *thread_worker(void *arg)
{
    int id = *(int *)arg;
    for (int i = 0; i < ROUNDS; i++) {
        op(id, 0, -1, SEM_UNDO);
        barrier();
        long v = thread_count;
        if (i % 8 == 0)
            sched_yield();
        thread_count = v + 1;
        barrier();
        op(id, 0, 1, SEM_UNDO);
    }
    return NULL;
}

static void mutex_threads(void)
{
    printf("== threads and a mutex\n");
    int id = semget(IPC_PRIVATE, 1, 0600);
    setval(id, 0, 1);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, thread_worker, &id);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld (of %d)\n", thread_count, WORKERS * ROUNDS);
    sv("the mutex", getval(id, 0));
    semctl(id, 0, IPC_RMID);
}

// ---------------------------------------------------------------- SEM_UNDO

static int pipe_in[2];               // the parent's word to a child: go on

static int take_undo_and_exit(int unused)
{
    (void)unused;
    return op(the_set, 0, -1, SEM_UNDO) < 0 ? errno : 0;
}

// A child that changes semaphore 0 by delta with SEM_UNDO, then waits for the parent's
// byte (release) before it exits.
static int undo_and_hang(int delta)
{
    if (op(the_set, 0, (short)delta, SEM_UNDO) < 0)
        return errno;
    char c;
    return read(pipe_in[0], &c, 1) == 1 ? 0 : 101;
}

static void release(void)
{
    if (write(pipe_in[1], "x", 1) != 1)
        printf("release: error %s\n", ename(errno));
}

static void until_value(int id, int val)
{
    for (int i = 0; i < 10000 && getval(id, 0) != val; i++)
        sleep_ms(1);
}

static int add_undo_and_exit(int unused)   // +3 with SEM_UNDO: the exit takes 3 away
{
    (void)unused;
    return op(the_set, 0, 3, SEM_UNDO) < 0 ? errno : 0;
}

static int fork_then_exit(int unused)      // a forked child does not inherit the undos
{
    (void)unused;
    if (op(the_set, 0, -1, SEM_UNDO) < 0)
        return errno;
    pid_t g = fork();
    if (g == 0)
        _exit(0);
    waitpid(g, NULL, 0);
    return getval(the_set, 0) == 4 ? 0 : 100;
}

static void *undo_thread(void *arg)
{
    (void)arg;
    op(the_set, 0, -1, SEM_UNDO);
    return NULL;
}

static int thread_then_exit(int unused)    // threads share them: nothing at a thread's end
{
    (void)unused;
    pthread_t t;
    pthread_create(&t, NULL, undo_thread, NULL);
    pthread_join(t, NULL);
    return getval(the_set, 0) == 4 ? 0 : 100;
}

static void undo(void)
{
    printf("== SEM_UNDO\n");
    the_set = semget(IPC_PRIVATE, 1, 0600);
    int id = the_set;
    setval(id, 0, 1);
    pid_t c = spawn(take_undo_and_exit, 0);
    reap("a child takes 1 with SEM_UNDO and exits", c);
    sv("  value", getval(id, 0));
    yes("  GETPID: the child's (its exit's undo)", semctl(id, 0, GETPID) == c);

    if (pipe(pipe_in) < 0)
        printf("pipe: error %s\n", ename(errno));
    c = spawn(undo_and_hang, -1);
    until_value(id, 0);
    sv("a child holds it", getval(id, 0));
    kill(c, SIGKILL);
    reap("  killed", c);
    sv("  value", getval(id, 0));

    // A waiter killed in its wait: nothing taken, nothing to undo.
    setval(id, 0, 0);
    c = spawn(take_undo_and_exit, 0);
    wait_count(id, 0, GETNCNT, 1);
    kill(c, SIGKILL);
    reap("a waiter killed", c);
    sv("  GETNCNT", semctl(id, 0, GETNCNT));
    sv("  value", getval(id, 0));

    // Linux clamps what an exit's undo would make negative to 0.
    c = spawn(add_undo_and_exit, 0);
    reap("+3 with SEM_UNDO, then exit", c);
    sv("  value", getval(id, 0));
    setval(id, 0, 3);
    c = spawn(undo_and_hang, 3);
    until_value(id, 6);
    sc("-5 by another", op(id, 0, -5, 0));
    release();
    reap("  then the +3 exits", c);
    sv("  value (1 - 3, clamped)", getval(id, 0));

    // The exit's undo wakes a waiter.
    setval(id, 0, 1);
    pid_t holder = spawn(undo_and_hang, -1);
    until_value(id, 0);
    pid_t waiter = spawn(take_one, 0);
    wait_count(id, 0, GETNCNT, 1);
    release();
    reap("the holder exits", holder);
    reap("  and the waiter has it", waiter);
    sv("  value", getval(id, 0));

    // SETVAL clears the adjustments.
    setval(id, 0, 5);
    c = spawn(undo_and_hang, -1);
    until_value(id, 4);
    setval(id, 0, 10);
    release();
    reap("a child holds 1, SETVAL 10 meanwhile", c);
    sv("  value", getval(id, 0));

    setval(id, 0, 5);
    reap("fork: the grandchild's exit undoes nothing", spawn(fork_then_exit, 0));
    sv("  the child's exit does", getval(id, 0));
    reap("a thread's exit undoes nothing", spawn(thread_then_exit, 0));
    sv("  its process's exit does", getval(id, 0));

    // The set removed under a holder: its exit has nothing to undo.
    c = spawn(undo_and_hang, -1);
    until_value(id, 4);
    sc("IPC_RMID while a child holds 1", semctl(id, 0, IPC_RMID));
    release();
    reap("  the child", c);
    close(pipe_in[0]);
    close(pipe_in[1]);
}

// ---------------------------------------------------------------- permissions

static int perm_set, perm_read_set, perm_group_set;

static void as_user(void)
{
    if (setgroups(0, NULL) < 0 || setresgid(1000, 1000, 1000) < 0 ||
        setresuid(1000, 1000, 1000) < 0) {
        printf("setresuid: error %s\n", ename(errno));
        return;
    }
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    sc("uid 1000: semop on a 0600 set", op(perm_set, 0, 1, 0));
    sc("  wait for zero", op(perm_set, 0, 0, IPC_NOWAIT));
    sc("  GETVAL", getval(perm_set, 0));
    sc("  IPC_STAT", semctl(perm_set, 0, IPC_STAT, u));
    sc("  SEM_STAT", semctl(perm_set & 0x7fff, 0, SEM_STAT, u));
    yes("  SEM_STAT_ANY", semctl(perm_set & 0x7fff, 0, SEM_STAT_ANY, u) == perm_set);
    sc("  SETVAL", semctl(perm_set, 0, SETVAL, (union semun){ .val = 1 }));
    sc("  IPC_SET", semctl(perm_set, 0, IPC_SET, u));
    sc("  IPC_RMID", semctl(perm_set, 0, IPC_RMID));
    sc("  semget of its key, 0600", semget(key1, 1, 0600));
    yes("  semget of its key, 0", semget(key1, 1, 0) == perm_set);
    sc("a 0604 set: GETVAL", getval(perm_read_set, 0));
    sc("  wait for zero", op(perm_read_set, 0, 0, IPC_NOWAIT));
    sc("  +1", op(perm_read_set, 0, 1, 0));
    sc("a 0660 set of group 1000: +1", op(perm_group_set, 0, 1, 0));
    sc("  IPC_RMID", semctl(perm_group_set, 0, IPC_RMID));
}

static void permissions(void)
{
    printf("== permissions\n");
    perm_set = semget(key1, 1, IPC_CREAT | IPC_EXCL | 0600);
    perm_read_set = semget(IPC_PRIVATE, 1, 0604);
    perm_group_set = semget(IPC_PRIVATE, 1, 0660);
    struct semid_ds ds;
    union semun u = { .buf = &ds };
    semctl(perm_group_set, 0, IPC_STAT, u);
    ds.sem_perm.gid = 1000;
    semctl(perm_group_set, 0, IPC_SET, u);
    in_child("the child", as_user);
    sv("the 0660 set's value", getval(perm_group_set, 0));
    semctl(perm_set, 0, IPC_RMID);
    semctl(perm_read_set, 0, IPC_RMID);
    semctl(perm_group_set, 0, IPC_RMID);
}

int main(void)
{
    begin("pthread_sysvsem");
    key1 = (key_t)(0x10000000 + 2 * getpid());
    key2 = key1 + 1;
    cleanup_keys();                  // a set left over by an earlier run on the host
    limits();
    keys();
    stat_and_set();
    values();
    semop_basics();
    wakeups();
    removal();
    interrupted();
    mutex_workers();
    producer_consumer();
    mutex_threads();
    undo();
    permissions();
    cleanup_keys();
    return done();
}
