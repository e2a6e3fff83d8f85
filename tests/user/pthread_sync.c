// pthread_sync: threads and the ways they wait for each other - a mutex shared by 8
// threads, a condition variable between a producer and a consumer, a timed wait that
// times out, join's return values, __thread variables, thread ids, 200 threads at once;
// and between processes, POSIX named semaphores and shm_open (files in /dev/shm).
// Built with glibc and with musl (Makefile): both must print the same as on Linux.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "thr_util.h"

enum { NTHREADS = 8, ROUNDS = 20000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void mutex_counter(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        check_rc("mutex: create", pthread_create(&t[i], NULL, count_up, NULL));
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    printf("mutex: counter %ld (expected %d)\n", counter, NTHREADS * ROUNDS);
    check_rc("mutex: trylock free", pthread_mutex_trylock(&lock));
    check_rc("mutex: trylock held", pthread_mutex_trylock(&lock));
    pthread_mutex_unlock(&lock);
}

// A bounded queue: the producer waits while it is full, the consumer while it is empty.
enum { QSIZE = 4, ITEMS = 1000 };
static int queue[QSIZE], qhead, qcount;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (qcount == QSIZE)
            pthread_cond_wait(&not_full, &lock);
        queue[(qhead + qcount++) % QSIZE] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    long sum = 0;
    int in_order = 1;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (qcount == 0)
            pthread_cond_wait(&not_empty, &lock);
        int v = queue[qhead];
        qhead = (qhead + 1) % QSIZE;
        qcount--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
        in_order &= v == i;
        sum += v;
    }
    printf("condvar: consumer got %d items in order: %s, sum %ld\n", ITEMS,
           in_order ? "yes" : "no", sum);
    return NULL;
}

static void producer_consumer(void)
{
    pthread_t p, c;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
}

static void timed_wait(void)
{
    pthread_cond_t never = PTHREAD_COND_INITIALIZER;
    long long start = now_ns(CLOCK_REALTIME);
    struct timespec deadline = ts_after(CLOCK_REALTIME, 30 * 1000000LL);
    pthread_mutex_lock(&lock);
    int rc = pthread_cond_timedwait(&never, &lock, &deadline);
    check_rc("cond_timedwait 30ms, never signalled", rc);
    check_rc("cond_timedwait returns with the mutex held (trylock)", pthread_mutex_trylock(&lock));
    pthread_mutex_unlock(&lock);
    yes("cond_timedwait waited at least 30ms", now_ns(CLOCK_REALTIME) - start >= 30 * 1000000LL);

    // A deadline already past: at once, still ETIMEDOUT.
    struct timespec past = { 1, 0 };
    pthread_mutex_lock(&lock);
    check_rc("cond_timedwait, deadline in 1970", pthread_cond_timedwait(&never, &lock, &past));
    pthread_mutex_unlock(&lock);
    struct timespec bad = { 0, 1000000000L };
    pthread_mutex_lock(&lock);
    check_rc("cond_timedwait, tv_nsec 1e9", pthread_cond_timedwait(&never, &lock, &bad));
    pthread_mutex_unlock(&lock);
}

static __thread int tls_value = 42;
static __thread char tls_buf[64];

static void *tls_thread(void *arg)
{
    intptr_t n = (intptr_t)arg;
    int fresh = tls_value == 42 && tls_buf[0] == 0;     // the initial image, not main's
    tls_value = (int)n * 100;
    snprintf(tls_buf, sizeof tls_buf, "thread %d", (int)n);
    sleep_ms(10);                                       // all alive at once
    int kept = tls_value == (int)n * 100;
    char expect[64];
    snprintf(expect, sizeof expect, "thread %d", (int)n);
    for (int i = 0; expect[i] || tls_buf[i]; i++)
        kept &= expect[i] == tls_buf[i];
    return (void *)(intptr_t)(fresh && kept ? n + 1000 : -1);
}

static void tls_and_join(void)
{
    pthread_t t[NTHREADS];
    tls_value = 7;
    tls_buf[0] = 'm';
    for (intptr_t i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, tls_thread, (void *)i);
    int all = 1;
    for (intptr_t i = 0; i < NTHREADS; i++) {
        void *ret;
        check_rc("join", pthread_join(t[i], &ret));
        all &= (intptr_t)ret == i + 1000;
    }
    yes("__thread: each thread started from the initial values and kept its own", all);
    yes("__thread: main's values untouched", tls_value == 7 && tls_buf[0] == 'm');
}

static pid_t main_tid, thread_tid, thread_pid, thread_ppid;

static void *ids_thread(void *arg)
{
    (void)arg;
    thread_tid = gettid_();
    thread_pid = getpid();
    thread_ppid = getppid();
    return (void *)(intptr_t)-5;
}

static void ids(void)
{
    main_tid = gettid_();
    yes("main: gettid == getpid", main_tid == getpid());
    pthread_t t;
    pthread_create(&t, NULL, ids_thread, NULL);
    void *ret;
    pthread_join(t, &ret);
    yes("thread: gettid != getpid", thread_tid != thread_pid);
    yes("thread: getpid == main's getpid", thread_pid == getpid());
    yes("thread: getppid == main's getppid", thread_ppid == getppid());
    yes("thread: tid > 0", thread_tid > 0);
    printf("join value: %ld\n", (long)(intptr_t)ret);
    yes("pthread_equal(self, self)", pthread_equal(pthread_self(), pthread_self()));
}

enum { MANY = 200 };
static int started[MANY];
static pthread_barrier_t many_barrier;

static void *many_thread(void *arg)
{
    intptr_t i = (intptr_t)arg;
    started[i] = 1;
    pthread_barrier_wait(&many_barrier);               // all 200 alive together
    return (void *)(i * 3);
}

static void many_threads(void)
{
    pthread_t t[MANY];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_barrier_init(&many_barrier, NULL, MANY + 1);
    int created = 0;
    for (intptr_t i = 0; i < MANY; i++)
        created += pthread_create(&t[i], &attr, many_thread, (void *)i) == 0;
    printf("many: created %d threads\n", created);
    pthread_barrier_wait(&many_barrier);
    long sum = 0;
    int ran = 0;
    for (int i = 0; i < created; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        sum += (intptr_t)ret;
        ran += started[i];
    }
    printf("many: %d ran, joined values sum %ld\n", ran, sum);
    pthread_barrier_destroy(&many_barrier);
    pthread_attr_destroy(&attr);
}

static void *detached(void *arg)
{
    *(volatile int *)arg = 1;
    return NULL;
}

static void detach(void)
{
    static volatile int ran;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    check_rc("detached: create", pthread_create(&t, &attr, detached, (void *)&ran));
    for (int i = 0; i < 1000 && !ran; i++)
        sleep_ms(1);
    yes("detached: ran", ran);
    pthread_attr_destroy(&attr);
}

// sem_open and shm_open are files in /dev/shm, which a distribution mounts (Lantern's
// /etc/rc does); as init there is none yet, so it is made here (on the host it exists).
static void named_semaphores(void)
{
    if (getpid() == 1) {
        mkdir("/dev/shm", 01777);
        mount("tmpfs", "/dev/shm", "tmpfs", 0, NULL);
    }
    // Names of this process's own: the glibc and musl builds may run at once on the host.
    char sem_name[64], shm_name[64];
    snprintf(sem_name, sizeof sem_name, "/pthread_sync.%d", (int)getpid());
    snprintf(shm_name, sizeof shm_name, "/pthread_sync_shm.%d", (int)getpid());
    sem_t *s = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
    yes("sem_open O_CREAT|O_EXCL", s != SEM_FAILED);
    if (s == SEM_FAILED)
        return;
    yes("sem_open O_CREAT|O_EXCL again fails",
        sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED);
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            sem_t *c = sem_open(sem_name, 0);
            for (int j = 0; j < 250; j++)
                sem_post(c);
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    int v = -1;
    sem_getvalue(s, &v);
    check_val("sem_post 1000 times from 4 processes", v);
    check("sem_unlink", sem_unlink(sem_name));
    check("sem_unlink again", sem_unlink(sem_name));
    sem_close(s);

    int fd = shm_open(shm_name, O_CREAT | O_RDWR | O_EXCL, 0600);
    check("shm_open", fd);
    ftruncate(fd, 4096);
    long *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    for (int i = 0; i < 4; i++)
        if (fork() == 0) {
            int cfd = shm_open(shm_name, O_RDWR, 0);
            long *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
            q[i] = 100 + i;
            _exit(0);
        }
    while (wait(NULL) > 0)
        ;
    check_val("4 processes' words through shm_open", p[0] + p[1] + p[2] + p[3]);
    check("shm_unlink", shm_unlink(shm_name));
    close(fd);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_sync");
    ids();
    mutex_counter();
    producer_consumer();
    timed_wait();
    tls_and_join();
    many_threads();
    detach();
    named_semaphores();
    return done();
}
