// pthread_robust: robust mutexes (pthread_mutexattr_setrobust), which rest on the kernel
// walking a dead thread's robust futex list (set_robust_list) at its exit: a lock still
// held is marked FUTEX_OWNER_DIED and one waiter is woken, and the next locker gets
// EOWNERDEAD. Covered: a thread exiting with the lock, with a waiter already asleep on it,
// a never-made-consistent lock (ENOTRECOVERABLE), a process-shared lock in MAP_SHARED
// memory held by a child that exits or is killed, and hand-made lists given to
// set_robust_list directly: other owners' words untouched, FUTEX_WAITERS kept, the list
// length limit (2048 entries), a misaligned word or a bad pointer ending the walk,
// list_op_pending, and set_robust_list's and get_robust_list's errors. Linux is the oracle.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

#define FUTEX_WAITERS    0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK   0x3fffffffu

// The error numbers thr_util.c does not name.
static void lock_rc(const char *what, int rc)
{
    if (rc == EOWNERDEAD)
        printf("%s: EOWNERDEAD\n", what);
    else if (rc == ENOTRECOVERABLE)
        printf("%s: ENOTRECOVERABLE\n", what);
    else
        check_rc(what, rc);
}

static void robust_mutex(pthread_mutex_t *m, int pshared)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    check_rc("setrobust", pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST));
    if (pshared)
        check_rc("setpshared", pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED));
    check_rc("mutex init", pthread_mutex_init(m, &a));
    pthread_mutexattr_destroy(&a);
}

static pthread_mutex_t lock;
static sem_t locked;

static void *lock_and_exit(void *arg)
{
    int linger_ms = (int)(intptr_t)arg;
    check_rc("thread lock", pthread_mutex_lock(&lock));
    sem_post(&locked);
    if (linger_ms)
        sleep_ms(linger_ms);         // let main go to sleep on the lock first
    return NULL;                     // ends holding the lock
}

// The owner is gone before anyone asks; then the lock is made consistent and works on.
static void owner_exits(void)
{
    pthread_t t;
    robust_mutex(&lock, 0);
    sem_init(&locked, 0, 0);
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    lock_rc("lock after the owner exited", pthread_mutex_lock(&lock));
    check_rc("consistent", pthread_mutex_consistent(&lock));
    check_rc("unlock", pthread_mutex_unlock(&lock));
    lock_rc("lock again", pthread_mutex_lock(&lock));
    check_rc("unlock again", pthread_mutex_unlock(&lock));
    pthread_mutex_destroy(&lock);
}

// main already sleeps in the kernel on the lock when its owner exits: it must be woken.
static void waiter_woken(void)
{
    pthread_t t;
    robust_mutex(&lock, 0);
    sem_init(&locked, 0, 0);
    pthread_create(&t, NULL, lock_and_exit, (void *)(intptr_t)100);
    sem_wait(&locked);
    lock_rc("waiter woken by the owner's exit", pthread_mutex_lock(&lock));
    check_rc("consistent", pthread_mutex_consistent(&lock));
    check_rc("unlock", pthread_mutex_unlock(&lock));
    pthread_join(t, NULL);
    pthread_mutex_destroy(&lock);
}

// Unlocked without pthread_mutex_consistent: the lock is dead for good.
static void not_recoverable(void)
{
    pthread_t t;
    robust_mutex(&lock, 0);
    sem_init(&locked, 0, 0);
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    lock_rc("lock after the owner exited", pthread_mutex_lock(&lock));
    check_rc("unlock without consistent", pthread_mutex_unlock(&lock));
    lock_rc("lock a lock never made consistent", pthread_mutex_lock(&lock));
}

// ---------------------------------------------------------------- across processes

struct shared { pthread_mutex_t m; sem_t locked; };
static struct shared *sh;

static void child_locks(int linger_ms, int die_by_kill)
{
    check_rc("child lock", pthread_mutex_lock(&sh->m));
    sem_post(&sh->locked);
    if (linger_ms)
        sleep_ms(linger_ms);
    if (die_by_kill)
        raise(SIGKILL);
    _exit(0);                         // holding the lock
}

static void process_shared(const char *what, int linger_ms, int die_by_kill)
{
    printf("-- %s\n", what);
    fflush(stdout);
    robust_mutex(&sh->m, 1);
    sem_init(&sh->locked, 1, 0);
    pid_t pid = fork();
    if (pid == 0)
        child_locks(linger_ms, die_by_kill);
    sem_wait(&sh->locked);
    lock_rc("parent lock", pthread_mutex_lock(&sh->m));
    check_rc("consistent", pthread_mutex_consistent(&sh->m));
    check_rc("unlock", pthread_mutex_unlock(&sh->m));
    int status;
    waitpid(pid, &status, 0);
    print_status("child", status);
    pthread_mutex_destroy(&sh->m);
}

// ---------------------------------------------------------------- hand-made lists

struct robust_list { struct robust_list *next; };
struct robust_list_head { struct robust_list *list; long futex_offset; struct robust_list *pending; };

// A lock as the kernel sees it: the list link, and the futex word `offset` bytes on.
struct fake_lock { struct robust_list link; uint32_t word; uint32_t pad; };
#define OFFSET ((long)offsetof(struct fake_lock, word))
#define MANY 2100

static struct fake_lock *locks;      // MANY of them
static struct robust_list_head head;
static uint32_t other_tid_word;

enum list_kind { PLAIN, LONG_LIST, MISALIGNED, BAD_NEXT, PENDING_ONLY, PENDING_ZERO };

// Links the first n locks into head's list; each word says `tid | flags`.
static void make_list(int n, uint32_t tid, uint32_t flags)
{
    head.list = (struct robust_list *)&head;
    head.futex_offset = OFFSET;
    head.pending = NULL;
    for (int i = n - 1; i >= 0; i--) {
        locks[i].word = tid | flags;
        locks[i].link.next = head.list;
        head.list = &locks[i].link;
    }
}

// Runs in a thread of its own, whose robust list is replaced by the hand-made one (the C
// library's own list is empty: this thread holds no robust mutex).
static void *die_with_list(void *arg)
{
    enum list_kind kind = (enum list_kind)(intptr_t)arg;
    uint32_t tid = (uint32_t)gettid_();
    switch (kind) {
    case PLAIN:
        make_list(4, tid, 0);
        locks[1].word = tid | FUTEX_WAITERS;
        locks[2].word = other_tid_word;          // someone else's: untouched
        break;
    case LONG_LIST:
        make_list(MANY, tid, 0);
        break;
    case MISALIGNED:
        make_list(3, tid, 0);
        head.futex_offset = OFFSET + 1;           // every word misaligned: the walk ends
        break;
    case BAD_NEXT:
        make_list(3, tid, 0);
        locks[1].link.next = bad_address();        // the first two are marked, then it ends
        head.pending = &locks[2].link;             // and the pending one is not reached
        break;
    case PENDING_ONLY:
        make_list(2, tid, 0);
        locks[2].word = tid;
        head.pending = &locks[2].link;             // pending, not on the list: marked too
        break;
    case PENDING_ZERO:
        make_list(1, tid, 0);
        locks[1].word = 0;                         // released, wake not yet done
        head.pending = &locks[1].link;
        break;
    }
    check("set_robust_list", syscall(SYS_set_robust_list, &head, sizeof head));
    struct robust_list_head *got = NULL;
    size_t len = 0;
    check("get_robust_list", syscall(SYS_get_robust_list, 0, &got, &len));
    yes("get_robust_list gives our head", got == &head && len == sizeof head);
    return NULL;
}

static void show_words(const char *what, int n)
{
    int died = 0, waiters = 0, kept = 0;
    for (int i = 0; i < n; i++) {
        if (locks[i].word & FUTEX_OWNER_DIED) {
            died++;
            if (locks[i].word & FUTEX_WAITERS)
                waiters++;
            if (locks[i].word & FUTEX_TID_MASK)
                kept++;              // the tid must be gone from a dead lock
        }
    }
    int other = 0;
    for (int i = 0; i < n; i++)
        other += locks[i].word == other_tid_word;
    printf("%s: %d of %d marked owner-died, %d with waiters, %d kept a tid, %d others' untouched\n",
           what, died, n, waiters, kept, other);
}

static void hand_made(const char *what, enum list_kind kind, int n)
{
    pthread_t t;
    memset(locks, 0, MANY * sizeof *locks);
    pthread_create(&t, NULL, die_with_list, (void *)(intptr_t)kind);
    pthread_join(t, NULL);
    show_words(what, n);
}

static void *wait_on_word(void *arg)
{
    uint32_t *w = arg;
    struct timespec five = { 5, 0 };
    long r = futex((int *)w, 0 /* FUTEX_WAIT */, (int)*w, &five, NULL, 0);
    printf("waiter on a pending word: %s\n", r == 0 ? "woken" : err_name(errno));
    return NULL;
}

// list_op_pending holds 0 (its owner unlocked it and died before FUTEX_WAKE): the kernel
// does the wake. The waiter sleeps on the word before the dying thread is made.
static void pending_zero_wakes(void)
{
    pthread_t w, t;
    memset(locks, 0, MANY * sizeof *locks);
    pthread_create(&w, NULL, wait_on_word, &locks[1].word);
    sleep_ms(50);
    pthread_create(&t, NULL, die_with_list, (void *)(intptr_t)PENDING_ZERO);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
}

static void list_errors(void)
{
    check("set_robust_list length 23", syscall(SYS_set_robust_list, &head, 23));
    check("set_robust_list length 25", syscall(SYS_set_robust_list, &head, 25));
    check("get_robust_list bad head pointer", syscall(SYS_get_robust_list, 0, bad_address(), &(size_t){0}));
    struct robust_list_head *got;
    check("get_robust_list bad length pointer", syscall(SYS_get_robust_list, 0, &got, bad_address()));
    size_t len;
    check("get_robust_list no such thread", syscall(SYS_get_robust_list, 0x3ffffff0, &got, &len));
}

int main(void)
{
    begin("pthread_robust");
    owner_exits();
    waiter_woken();
    not_recoverable();
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    locks = mmap(NULL, MANY * sizeof *locks, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || locks == MAP_FAILED)
        return 1;
    process_shared("a child exits holding a shared lock", 0, 0);
    process_shared("a child exits while the parent waits", 100, 0);
    process_shared("a child is killed holding a shared lock", 100, 1);
    other_tid_word = 0x1234;
    hand_made("plain list", PLAIN, 4);
    hand_made("2100 entries", LONG_LIST, MANY);
    hand_made("misaligned words", MISALIGNED, 3);
    hand_made("bad next pointer", BAD_NEXT, 3);
    hand_made("pending", PENDING_ONLY, 3);
    pending_zero_wakes();
    list_errors();
    return done();
}
