// smpstress: what only goes wrong with several CPUs - run as init on Lantern at -smp 4 by
// tests/system/test_smp.py, and on the host, where it must pass too. Static glibc (threads).
// Every "smpstress: " line is deterministic and compared with the host's; "info: " lines
// are about this machine (CPUs seen, free memory) and are checked by the test itself.
//   forkexec  4 processes fork+exec+wait /bin/true at once
//   pipes     4 pairs of processes ping-pong through pipes (on different CPUs)
//   futex     4 threads on one mutex and a condition variable
//   firsttouch  4 threads touch the same fresh pages at once, some reading first (the zero
//             page, then a copy on write), round after round: a fault on a page another
//             CPU has just mapped must be retried, never a SIGSEGV, and no write may be lost
//   munmap    threads read a page while another thread unmaps it: once munmap has
//             returned, no thread may read the page any more (a stale TLB entry would)
//   scribble  a thread writes a page as fast as it can while another unmaps it and then
//             fills fresh memory (likely the very page, freed): once munmap has returned,
//             no write may land, in the old page or in the fresh memory
//   zapscribble  the same with MADV_DONTNEED: a thread writes the generation it sees into a
//             page that another thread gives back again and again; once madvise has returned,
//             the next write must be found in the page (Lantern's madvise runs without the
//             BKL), and fresh memory must not be scribbled on
//   shmzap    a thread writes shared anonymous memory while another gives it back
//             (MADV_DONTNEED) and the main thread unmaps it and fills fresh memory: once
//             munmap has returned, no write may go through, nor land in the fresh memory
//             (munmap must not find the entries empty and skip its shootdown while the
//             madvise's is still owed). A narrow race: with madvise's shootdown after its
//             unlock, 1 boot in 5 saw it; with that window widened by a 2 ms delay, each
//             of 3 boots counted thousands of writes
//   ptfree    threads first-touch a 4 MiB region while another unmaps and maps it again
//             (freeing its page tables): what a thread wrote it reads back, a fresh page reads
//             0, a fault only while the region changes, and no page (table) leaks
//   mprotect  threads first-touch pages by writing while another flips them read-only and
//             back: a write goes through (and stays) or faults while read-only, never lost
//   fork      threads first-touch a region while the main thread forks: the child finds
//             every page written before fork, and nothing written after it
//   mremap    threads touch a region moved back and forth by mremap: nothing lost
//   samepage  8 threads first-touch one page at once: all see one page
//   affinity  two threads pinned to two CPUs ping-pong through pipes: each wakeup must
//             wake the CPU the thread is pinned to (info: the round trip's time)
//   migrate   4 threads pass a token round a ring (mutex and condition variable), each
//             moving itself to another CPU at every turn, while a fifth yields: each pass
//             counted once, and each thread runs where sched_setaffinity put it
//   groupkill a process whose 4 threads spin on other CPUs is killed by a signal
//   rwlock    3 threads take a glibc rwlock to read, over and over, while 2 take it 1000
//             times each to write: the writers must get through (a woken thread that
//             waits behind every runnable one for its turn finds the readers back every
//             time); readers never see half a write. Also booted at -smp 1 and 2.
//   alarm     4 threads spin until SIGALRM's handler says stop; the main thread waits in
//             pthread_join (a futex): the signal must reach the process, on any CPU
//   cowrace   a process and its 3 children write every page they share copy-on-write at
//             once, on different CPUs, each its own id: each must read back only its own
//             (the fault of a one-thread process copies without the BKL on Lantern)
//   forkkill  a process group forks again and again (each fork copying 32 MiB of page
//             tables) and is killed as a group: no child may escape the kill (a signal
//             that comes while fork copies, with the BKL let go, must stop the fork)
//   forktrunc a process with a file mapped forks again and again while another process
//             truncates the file: every child, made before, during or after the cut, finds
//             the cut page gone (SIGBUS) - a fork copying page tables while the truncate
//             runs must not hand its child the page the truncate takes away
//   forkregrow the same, but the cut page is written anew at once: every child finds the
//             new byte, none the page the cut took away
//   stopstorm a process whose threads spin, nap, make threads and pass a mutex around is
//             stopped and continued 100 times: each stop told once, when no thread runs
//             any more; then SIGCONT straight after SIGSTOP, and SIGKILL while stopping
//   textbusy  2 processes run a copy of /bin/true again and again while 2 others open it
//             for writing, empty it and write it back: each exec runs the whole program or
//             is refused (ETXTBSY), each open succeeds or is refused - never an exec of a
//             file half written (Lantern builds the program's memory without the BKL,
//             trusting that no one writes the file meanwhile)
//   execargs  a process's two threads execve /bin/true at once, with argv on a page a third
//             thread makes PROT_NONE and back, and zeroes (MADV_DONTNEED), meanwhile: each
//             round /bin/true runs, or execve fails with EFAULT - never a crash (Lantern
//             copies the arguments without the BKL)
//   lazytlb   threads pass through the BKL before each access while a fourth keeps it and
//             the mm lock busy (fork, mprotect, munmap), so that they are often halted
//             waiting - on Lantern, lazy about their TLB, which a range shootdown leaves
//             out until they come out of the wait (smp.c): shared memory written while
//             another thread zaps it (MADV_DONTNEED) and the main thread unmaps it and
//             fills fresh memory: once munmap has returned, no write may go through, nor
//             land in the fresh memory; and a page copied on write by the parent after
//             fork, which the child then writes in place: the parent's other thread must
//             never read the child's writes. With the flush on the way out of the wait
//             left out, 2 boots in 6 counted stale writes (312 in one); a longer run of
//             the same (with mprotect and mremap too) counted thousands of both at once
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- CPUs seen

static atomic_uint cpu_seen_mask;

static void *spin_and_look(void *arg) {
    (void)arg;
    double end = now() + 0.5;
    while (now() < end) {
        int cpu = sched_getcpu();
        if (cpu >= 0 && cpu < 32)
            atomic_fetch_or(&cpu_seen_mask, 1u << cpu);
    }
    return NULL;
}

static void cpus_seen(void) {
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, spin_and_look, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("info: cpus seen %d\n", __builtin_popcount(atomic_load(&cpu_seen_mask)));
}

// ---------------------------------------------------------------- fork + exec + wait

static void forkexec(void) {
    enum { EACH = 40 };
    pid_t w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        if ((w[i] = fork()) == 0) {
            int ok = 0;
            for (int j = 0; j < EACH; j++) {
                pid_t c = fork();
                if (c == 0) {
                    execl("/bin/true", "true", (char *)NULL);
                    _exit(127);
                }
                int st;
                if (c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0)
                    ok++;
            }
            _exit(ok == EACH ? 0 : 1);
        }
    }
    int good = 0;
    for (int i = 0; i < WORKERS; i++) {
        int st;
        if (waitpid(w[i], &st, 0) == w[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    printf("smpstress: forkexec: %d of %d workers ran %d programs each\n", good, WORKERS, EACH);
}

// ---------------------------------------------------------------- pipes

static int pingpong(int rd, int wr, int first, int rounds) {
    unsigned char b = 0;
    for (int i = 0; i < rounds; i++) {
        if (first) {
            b = (unsigned char)i;
            if (write(wr, &b, 1) != 1 || read(rd, &b, 1) != 1 || b != (unsigned char)(i + 1))
                return 1;
        } else {
            if (read(rd, &b, 1) != 1 || b != (unsigned char)i)
                return 1;
            b++;
            if (write(wr, &b, 1) != 1)
                return 1;
        }
    }
    return 0;
}

static void pipes(void) {
    enum { ROUNDS = 2000 };
    pid_t kids[2 * WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        int ab[2], ba[2];
        pipe(ab);
        pipe(ba);
        if ((kids[2 * i] = fork()) == 0)
            _exit(pingpong(ba[0], ab[1], 1, ROUNDS));
        if ((kids[2 * i + 1] = fork()) == 0)
            _exit(pingpong(ab[0], ba[1], 0, ROUNDS));
        close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
    }
    int good = 0;
    for (int i = 0; i < 2 * WORKERS; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    printf("smpstress: pipes: %d of %d processes made %d round trips intact\n", good,
           2 * WORKERS, ROUNDS);
}

// ---------------------------------------------------------------- mutex and condvar

enum { INCREMENTS = 20000 };
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter, turn;

static void *add_many(void *arg) {
    long me = (long)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    // Then take turns, in order, 200 times each: a condition-variable relay.
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&mu);
        while (turn % WORKERS != me)
            pthread_cond_wait(&cv, &mu);
        turn++;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void futex(void) {
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, add_many, (void *)i);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("smpstress: futex: counter %ld of %d, relay %ld of %d turns\n", counter,
           WORKERS * INCREMENTS, turn, WORKERS * 200);
}

// ---------------------------------------------------------------- first touch, all at once

enum { FT_ROUNDS = 150, FT_PAGES = 8 };
static unsigned char *volatile ft_mem;
static pthread_barrier_t ft_start, ft_done;
static atomic_int ft_nonzero_reads;

// Thread `me` writes byte me of every page, in the same order as the others so that they
// collide; odd threads first read a byte nobody writes (the zero page, mapped read-only,
// which the writes then replace by a page of its own: copy-on-write racing first touch).
static void *toucher(void *arg) {
    long me = (long)arg;
    for (int r = 0; r < FT_ROUNDS; r++) {
        pthread_barrier_wait(&ft_start);
        unsigned char *m = ft_mem;
        for (int p = 0; p < FT_PAGES; p++) {
            if ((me & 1) && ((volatile unsigned char *)m)[p * 4096 + 2048] != 0)
                atomic_fetch_add(&ft_nonzero_reads, 1);
            ((volatile unsigned char *)m)[p * 4096 + me] = (unsigned char)(r + me + 1);
        }
        pthread_barrier_wait(&ft_done);
    }
    return NULL;
}

static void firsttouch(void) {
    pthread_t t[WORKERS];
    pthread_barrier_init(&ft_start, NULL, WORKERS + 1);
    pthread_barrier_init(&ft_done, NULL, WORKERS + 1);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, toucher, (void *)i);
    int lost = 0;
    for (int r = 0; r < FT_ROUNDS; r++) {
        unsigned char *m = mmap(NULL, FT_PAGES * 4096, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ft_mem = m;
        pthread_barrier_wait(&ft_start);
        pthread_barrier_wait(&ft_done);
        for (int p = 0; p < FT_PAGES; p++)
            for (int i = 0; i < WORKERS; i++)
                if (m[p * 4096 + i] != (unsigned char)(r + i + 1))
                    lost++;
        munmap(m, FT_PAGES * 4096);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("smpstress: firsttouch: %d rounds of %d threads on %d fresh pages, %d writes lost, "
           "%d reads not zero\n", FT_ROUNDS, WORKERS, FT_PAGES, lost, atomic_load(&ft_nonzero_reads));
}

// ---------------------------------------------------------------- munmap racing reads

static volatile unsigned char *page;
// gen is odd while the page is unmapped (from munmap's return until the next mmap starts).
static atomic_int gen, stop_readers, stale_reads;
static __thread sigjmp_buf fault_jmp;
static __thread volatile int in_read;

static void on_segv(int sig) {
    (void)sig;
    if (in_read)
        siglongjmp(fault_jmp, 1);
    _exit(99);
}

static void *reader(void *arg) {
    (void)arg;
    while (!atomic_load(&stop_readers)) {
        int before = atomic_load(&gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {     // no mask saved: no syscall per read
            in_read = 1;
            unsigned char v = page[0];
            in_read = 0;
            (void)v;
            // Unmapped all along, from before the read until after it: it had to fault.
            if ((before & 1) && atomic_load(&gen) == before)
                atomic_fetch_add(&stale_reads, 1);
        } else {
            in_read = 0;
        }
    }
    return NULL;
}

static void munmap_race(void) {
    enum { ROUNDS = 100 };
    struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    // One fixed address, mapped and unmapped again and again while the readers read it.
    // Three pages reserved: the raced page, a gap, and a page the next round's memory goes
    // to (at a fixed address: mmap(NULL) might hand back the raced page's own address).
    unsigned char *addr = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *other_at = addr + 2 * 4096;
    munmap(addr + 4096, 4096);
    page = addr;
    pthread_t t[WORKERS - 1];
    for (int i = 0; i < WORKERS - 1; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    int rounds = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r > 0)
            atomic_fetch_add(&gen, 1);       // even: mapped again from here on
        if (mmap(addr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) != addr)
            break;
        addr[0] = 1;
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        munmap(addr, 4096);
        atomic_fetch_add(&gen, 1);           // odd: unmapped
        // The freed page goes to someone else: a stale entry would now read their data.
        unsigned char *other = mmap(other_at, 4096, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        other[0] = 2;
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        rounds++;
    }
    atomic_store(&stop_readers, 1);
    for (int i = 0; i < WORKERS - 1; i++)
        pthread_join(t[i], NULL);
    munmap(addr, 3 * 4096);
    printf("smpstress: munmap: %d rounds, %d reads after munmap returned\n", rounds,
           atomic_load(&stale_reads));
}

// ---------------------------------------------------------------- munmap racing writes

// Maps `pages` fresh pages at `at` (likely pages just freed): they must read as zeros, and
// keep what is put in them for `spins` turns of a loop while another thread writes on
// through whatever it still reaches. 1 if they did not, and unmaps them.
static int fresh_memory_scribbled(unsigned char *at, int pages, int spins) {
    size_t n = (size_t)pages * 4096;
    unsigned char *fresh = mmap(at, n, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    int bad = 0;
    for (size_t i = 0; i < n; i += 64)
        bad += fresh[i] != 0;
    memset(fresh, 0x11, n);
    for (volatile int spin = 0; spin < spins; spin++)
        ;
    for (size_t i = 0; i < n; i += 4)
        bad += fresh[i] != 0x11;
    munmap(fresh, n);
    return bad != 0;
}

// The same generation protocol as the readers': gen is odd from munmap's return until the
// next mmap starts. A write that did not fault while gen stayed odd went through a stale
// TLB entry into a freed page.
static volatile unsigned char *wpage;
static atomic_int stop_writers, stale_writes;
static atomic_long writes_done;

static void *writer(void *arg) {
    (void)arg;
    volatile unsigned off = 0;         // volatile: it lives across siglongjmp
    while (!atomic_load(&stop_writers)) {
        int before = atomic_load(&gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {
            in_read = 1;                        // (the SIGSEGV handler's flag: "expected")
            for (int i = 0; i < 64; i++, off = (off + 64) % 4096)
                wpage[off] = 0x5a;
            in_read = 0;
            atomic_fetch_add(&writes_done, 1);
            if ((before & 1) && atomic_load(&gen) == before)
                atomic_fetch_add(&stale_writes, 1);
        } else {
            in_read = 0;
        }
    }
    return NULL;
}

static void scribble(void) {
    enum { ROUNDS = 100, FRESH = 16 };
    unsigned char *addr = mmap(NULL, (2 + FRESH) * 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *fresh_at = addr + 2 * 4096;
    munmap(addr + 4096, (1 + FRESH) * 4096);
    wpage = addr;
    atomic_store(&gen, 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    int rounds = 0, scribbled = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r > 0)
            atomic_fetch_add(&gen, 1);          // even: mapped again from here on
        if (mmap(addr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) != addr)
            break;
        long w = atomic_load(&writes_done);      // let the writer get going on it
        for (int spin = 0; spin < 1000000 && atomic_load(&writes_done) < w + 3; spin++)
            ;
        munmap(addr, 4096);
        atomic_fetch_add(&gen, 1);              // odd: unmapped
        // Fresh memory, likely the page just freed, while the writer goes on (faulting, now).
        scribbled += fresh_memory_scribbled(fresh_at, FRESH, 20000);
        rounds++;
    }
    atomic_store(&stop_writers, 1);
    pthread_join(t, NULL);
    munmap(addr, 4096);
    printf("smpstress: scribble: %d rounds, %d writes after munmap returned, fresh memory "
           "scribbled in %d rounds\n", rounds, atomic_load(&stale_writes), scribbled);
}

// ---------------------------------------------------------------- madvise racing writes

// MADV_DONTNEED gives the page back while a thread on another CPU writes it. Each round,
// once madvise has returned, the zapper publishes a new generation; the writer writes the
// generation it sees into the page and says so. The zapper must then read it there: a
// write through a stale TLB entry would have gone into the page just freed, and the page
// would read 0. And fresh memory mapped right after (likely the freed page) must read as
// zeros and keep what the zapper puts in it, as in scribble.
static volatile int *zpage;
static atomic_int zgen, zwritten, stop_zap_writer;

static void *zap_writer(void *arg) {
    (void)arg;
    while (!atomic_load(&stop_zap_writer)) {
        int g = atomic_load(&zgen);
        zpage[0] = g;
        atomic_store(&zwritten, g);
    }
    return NULL;
}

static void zapscribble(void) {
    enum { ROUNDS = 200, FRESH = 16 };
    char *addr = mmap(NULL, (2 + FRESH) * 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *fresh_at = (unsigned char *)addr + 2 * 4096;
    munmap(addr + 4096, (1 + FRESH) * 4096);
    zpage = (volatile int *)addr;
    atomic_store(&zgen, 0);
    atomic_store(&zwritten, -1);
    pthread_t t;
    pthread_create(&t, NULL, zap_writer, NULL);
    int rounds = 0, lost = 0, scribbled = 0;
    for (int r = 1; r <= ROUNDS; r++) {
        madvise(addr, 4096, MADV_DONTNEED);
        atomic_store(&zgen, r);
        for (long spin = 0; atomic_load(&zwritten) != r; spin++)
            if (spin > 100000)
                sched_yield();           // the writer's CPU may be busy elsewhere
        lost += zpage[0] != r;
        scribbled += fresh_memory_scribbled(fresh_at, FRESH, 20000);
        rounds++;
    }
    atomic_store(&stop_zap_writer, 1);
    pthread_join(t, NULL);
    munmap(addr, 4096);
    printf("smpstress: zapscribble: %d rounds, %d writes lost after madvise returned, fresh "
           "memory scribbled in %d rounds\n", rounds, lost, scribbled);
}

// ---------------------------------------------------------------- shared memory zapped and unmapped

// A thread writes shared anonymous memory while a second one gives it back
// (MADV_DONTNEED) again and again, and the main thread unmaps it and fills fresh memory
// (likely the shared pages just freed). madvise's zap leaves the pages with the shared
// memory object, and a munmap right after finds the entries already empty: if it then let
// go of the object before the zapper's shootdown had reached every CPU, the writer would
// write on into freed pages - into the fresh memory. Private pages on both sides keep the
// page table alive, so munmap has no table to free either (its own reason to shoot down).
static volatile uint32_t *shz;
static atomic_int shz_stop, shz_gen, shz_stale;
static atomic_int shz_go, shz_zapped;    // the round whose madvise may start, and is done

// It writes whether the pages are mapped or not (a fault when not): a write through a
// stale TLB entry is what the phase looks for, and it needs no mapping. shz_gen is odd from
// munmap's return until the next mmap: a write that did not fault while it stayed odd
// went through a stale entry.
static void *shz_writer(void *arg) {
    (void)arg;
    while (!atomic_load(&shz_stop)) {
        int before = atomic_load(&shz_gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {
            in_read = 1;
            for (int i = 0; i < 3 * 1024; i += 16)
                shz[i] = 0xdeadbeef;
            in_read = 0;
            if ((before & 1) && atomic_load(&shz_gen) == before)
                atomic_fetch_add(&shz_stale, 1);
        }
        in_read = 0;
    }
    return NULL;
}

// One madvise a round, started by the main thread just before its munmap.
static void *shz_zapper(void *arg) {
    (void)arg;
    for (int r = 1; !atomic_load(&shz_stop); r++) {
        while (atomic_load(&shz_go) < r && !atomic_load(&shz_stop))
            ;
        madvise((void *)shz, 3 * 4096, MADV_DONTNEED);   // ENOMEM if munmap came first
        atomic_store(&shz_zapped, r);
    }
    return NULL;
}

static void shmzap(void) {
    enum { ROUNDS = 200, FRESH = 16 };
    struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    char *base = mmap(NULL, (5 + FRESH) * 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *fresh_at = (unsigned char *)base + 5 * 4096;
    shz = (volatile uint32_t *)(base + 4096);
    munmap((void *)shz, 3 * 4096);       // holes until mapped: gen 1, odd
    munmap(fresh_at, FRESH * 4096);
    atomic_store(&shz_gen, 1);
    pthread_t w, z;
    pthread_create(&w, NULL, shz_writer, NULL);
    pthread_create(&z, NULL, shz_zapper, NULL);
    int rounds = 0, scribbled = 0;
    for (int r = 1; r <= ROUNDS; r++) {
        base[0] = base[4 * 4096] = 1;    // the neighbours: present, private
        atomic_fetch_add(&shz_gen, 1);   // even: mapped again from here on
        if (mmap((void *)shz, 3 * 4096, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)shz)
            break;
        for (volatile int spin = 0; spin < 100000; spin++)
            ;                            // the writer writes, faulting the pages in
        atomic_store(&shz_go, r);
        for (volatile int spin = 0; spin < (r % 16) * 100; spin++)
            ;                            // now and then, munmap comes right after the zap
        munmap((void *)shz, 3 * 4096);
        atomic_fetch_add(&shz_gen, 1);   // odd: unmapped
        scribbled += fresh_memory_scribbled(fresh_at, FRESH, 100000);
        rounds++;
        while (atomic_load(&shz_zapped) < r)
            ;
    }
    atomic_store(&shz_stop, 1);
    pthread_join(w, NULL);
    pthread_join(z, NULL);
    munmap(base, 5 * 4096);
    printf("smpstress: shmzap: %d rounds, %d writes after munmap returned, fresh memory "
           "scribbled in %d rounds\n", rounds, atomic_load(&shz_stale), scribbled);
}

// ---------------------------------------------------------------- faults racing mm changes
// The phases below race first-touch page faults (a page not yet present, of a private
// anonymous mapping) with what changes the address space under them: munmap and mmap
// freeing the page tables, mprotect, fork, mremap, and other first touches of the same
// page. They share one protocol: a counter that the changing thread increments before it
// starts a change and again once it is done, so that it is even while the mapping is
// stable. A toucher reads it before and after an access (after a fence: its own store must
// not pass the load); the same even value both times means that no change overlapped the
// access, which must then have done just what it would on a mapping nobody changes.
//
// Each phase runs for PHASE_SECONDS (times argv[1]) and at least MIN_ROUNDS rounds, so that
// a loaded host makes it race less, not take longer; what it managed is on "info:" lines.
// The changing thread waits by sleeping (10 ms on Lantern, HZ=100), not spinning: with
// more virtual CPUs than host cores, a spinning CPU takes the time the others need.

#define MiB (1024ul * 1024)
#define PHASE_SECONDS 0.8
enum { TOUCHERS = WORKERS - 1, MIN_ROUNDS = 3 };
static int scale = 1;                  // argv[1]: a stress run by hand runs each phase longer
static int one_cpu;                    // this process may run on one CPU only

static void catch_segv(void) {
    struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
}

// Threads 0 to n-1 running fn((void *)i). A thread that cannot be made fails the program
// at once: the phase would wait for it at a barrier for ever.
static void start_threads(const char *phase, pthread_t *t, long n, void *(*fn)(void *)) {
    for (long i = 0; i < n; i++) {
        int err = pthread_create(&t[i], NULL, fn, (void *)i);
        if (err) {
            printf("smpstress: %s: pthread_create: %s\n", phase, strerror(err));
            exit(1);
        }
    }
}

// The end of a phase that started now.
static double phase_end(void) { return now() + PHASE_SECONDS * scale; }
static int more_rounds(int done, double end) { return done < MIN_ROUNDS || now() < end; }

static int load_after(atomic_int *gen) {
    atomic_thread_fence(memory_order_seq_cst);
    return atomic_load(gen);
}

// Waits until *counter has moved n on from where it is, or for at most ms: spins a little
// (the threads are quick when their CPUs run), then sleeps.
static void wait_progress(atomic_long *counter, long n, double ms) {
    long from = atomic_load(counter);
    double end = now() + ms / 1000;
    for (int spins = 0; atomic_load(counter) < from + n && now() < end; spins++)
        if (spins < 2000 && !one_cpu)
            __builtin_ia32_pause();
        else
            usleep(1000);
}

// After a fault: wait until the change under way is over (*gen % mod == 0 again) before
// touching again. Faulting again and again instead would mostly race the signal path, and
// take the kernel lock that the changing thread needs, over and over.
// It spins a little (a munmap is quick), then sleeps.
static void wait_stable(atomic_int *gen, int mod) {
    for (int spins = 0; atomic_load(gen) % mod != 0; spins++)
        if (spins < 1000 && !one_cpu)
            __builtin_ia32_pause();
        else
            usleep(1000);
}

// Reserves len bytes at a 2 MiB boundary (so that the range has page tables of its own,
// which unmapping all of it empties): PROT_NONE, for the caller to map over with MAP_FIXED.
static unsigned char *reserve_aligned(size_t len) {
    unsigned char *p = mmap(NULL, len + 2 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    unsigned char *a = (unsigned char *)(((unsigned long)p + 2 * MiB - 1) & ~(2 * MiB - 1));
    if (a > p)
        munmap(p, a - p);
    munmap(a + len, p + len + 2 * MiB - (a + len));
    return a;
}

static int map_fixed(unsigned char *at, size_t len, int prot) {
    return mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == at;
}

// ---------------------------------------------------------------- page tables freed under first touch

// Threads first-touch the pages of a 4 MiB region (2 MiB aligned: two whole page tables)
// while the main thread unmaps it and maps it again, again and again: each unmap frees the
// page tables that the touches had to allocate. Pages are dealt out round robin, so the
// threads share every page table and race to allocate it too. Word 0 of a page is its
// thread's last token; word 256 is nobody's, and must read 0 whenever it can be read.
// A quarter of the touches read first (the zero page), then write (a copy of it).
enum { PT_LEN = 4 * MiB, PT_PAGES = PT_LEN / 4096, PT_MINE = PT_PAGES / TOUCHERS };
static unsigned char *pt_base;
static atomic_int pt_gen, pt_stop, pt_wrong, pt_not_zero, pt_bad_faults;
static atomic_long pt_touches, pt_faults;

// What a thread knows of one of its pages: the token it wrote last and the mapping (the
// counter's even value) that got it; maybe: that write overlapped a change, so the current
// mapping's page holds that token or 0.
struct pt_page { int gen, maybe; uint64_t val; };

// One touch of page p; 0 if it faulted.
static int pt_touch(volatile uint64_t *w, struct pt_page *s, uint64_t tok, int read_first) {
    int g0 = atomic_load(&pt_gen);
    atomic_fetch_add(&pt_touches, 1);
    if (sigsetjmp(fault_jmp, 0) != 0) {
        in_read = 0;
        int g1 = load_after(&pt_gen);
        atomic_fetch_add(&pt_faults, 1);
        if (g0 == g1 && !(g0 & 1))
            atomic_fetch_add(&pt_bad_faults, 1);   // mapped all along: no fault allowed
        *s = (struct pt_page){ -1, 1, tok };
        return 0;
    }
    in_read = 1;
    uint64_t before = read_first ? w[0] : 0;
    w[0] = tok;
    uint64_t after = w[0], nobody = w[256];
    in_read = 0;
    int g1 = load_after(&pt_gen);
    if (nobody != 0)
        atomic_fetch_add(&pt_not_zero, 1);
    if (g0 != g1 || (g0 & 1)) {
        *s = (struct pt_page){ -1, 1, tok };
        return 1;
    }
    uint64_t expect = s->gen == g0 ? s->val : 0;
    if (read_first && before != expect && !(s->maybe && (before == 0 || before == s->val)))
        atomic_fetch_add(&pt_wrong, 1);
    if (after != tok)
        atomic_fetch_add(&pt_wrong, 1);
    *s = (struct pt_page){ g0, 0, tok };
    return 1;
}

static void *pt_toucher(void *arg) {
    long me = (long)arg;
    struct pt_page mine[PT_MINE];
    for (int k = 0; k < PT_MINE; k++)
        mine[k] = (struct pt_page){ -1, 0, 0 };
    for (uint64_t seq = 1; !atomic_load(&pt_stop); seq++) {
        int k = seq % PT_MINE;
        volatile uint64_t *w = (volatile uint64_t *)(pt_base + (size_t)(me + TOUCHERS * k) * 4096);
        if (!pt_touch(w, &mine[k], (uint64_t)(me + 1) << 48 | seq, (seq & 3) == 0))
            wait_stable(&pt_gen, 2);
    }
    return NULL;
}

static void ptfree(void) {
    int remaps = 0, failed = 0;
    catch_segv();
    pt_base = reserve_aligned(PT_LEN);
    if (!pt_base || !map_fixed(pt_base, PT_LEN, PROT_READ | PROT_WRITE)) {
        printf("smpstress: ptfree: no memory\n");
        return;
    }
    pthread_t t[TOUCHERS];
    start_threads("ptfree", t, TOUCHERS, pt_toucher);
    for (double end = phase_end(); more_rounds(remaps, end); remaps++) {
        wait_progress(&pt_touches, 200, 20);
        atomic_fetch_add(&pt_gen, 1);           // odd: changing
        // By turns: munmap, a gap the touchers fault in, mmap; munmap and mmap at once;
        // mmap over the old mapping (which unmaps it first).
        if (remaps % 3 != 2)
            munmap(pt_base, PT_LEN);
        if (remaps % 3 == 0)
            for (volatile int spin = 0; spin < 20000; spin++)
                ;
        failed += !map_fixed(pt_base, PT_LEN, PROT_READ | PROT_WRITE);
        atomic_fetch_add(&pt_gen, 1);           // even: stable
    }
    atomic_store(&pt_stop, 1);
    for (int i = 0; i < TOUCHERS; i++)
        pthread_join(t[i], NULL);
    munmap(pt_base, PT_LEN);
    printf("smpstress: ptfree: 4 MiB unmapped and mapped again under %d first-touching "
           "threads: %d remaps failed, %d wrong values, %d nobody's words not zero, %d faults "
           "while mapped\n", TOUCHERS, failed, atomic_load(&pt_wrong), atomic_load(&pt_not_zero),
           atomic_load(&pt_bad_faults));
    printf("info: ptfree: %d remaps, %ld touches, %ld faults caught\n", remaps,
           atomic_load(&pt_touches), atomic_load(&pt_faults));
}

// ---------------------------------------------------------------- mprotect racing first-touch writes

// The main thread flips a fresh region between read-only and read-write while threads
// write the first word of each of their pages (the first touch), retrying after a SIGSEGV
// until the write goes through. The counter mp_gen counts in fours: 0 read-write, 1 going
// read-only, 2 read-only (mprotect has returned), 3 going back. A write that went through
// must read back; one made while the region was read-only all along must have faulted, one
// made while it was writable all along must not have. At the end of a round every page
// holds its token: no write that went through was lost. Thread 2 reads its pages first
// (the zero page, which the write then copies, or a fault while read-only).
enum { MP_PAGES = 96 };
static unsigned char *mp_mem;
static int mp_round;
static pthread_barrier_t mp_start, mp_end;
static atomic_int mp_gen, mp_stop, mp_finished, mp_ro_writes, mp_rw_faults, mp_wrong, mp_not_zero;
static atomic_long mp_faults, mp_writes;

static uint64_t mp_token(int p) { return 0x6d70000000000000ull | (uint64_t)mp_round << 16 | p; }

// One write of page p's token (first: the page's first touch); 0 if it faulted.
static int mp_try(int p, int first) {
    volatile uint64_t *w = (volatile uint64_t *)(mp_mem + (size_t)p * 4096);
    int g0 = atomic_load(&mp_gen);
    if (sigsetjmp(fault_jmp, 0) != 0) {
        in_read = 0;
        int g1 = load_after(&mp_gen);
        atomic_fetch_add(&mp_faults, 1);
        if (g0 == g1 && g0 % 4 == 0)
            atomic_fetch_add(&mp_rw_faults, 1);
        return 0;
    }
    in_read = 1;
    if (first && p % TOUCHERS == 2 && w[0] != 0)
        atomic_fetch_add(&mp_not_zero, 1);
    w[0] = mp_token(p);
    uint64_t back = w[0];
    in_read = 0;
    int g1 = load_after(&mp_gen);
    if (g0 == g1 && g0 % 4 == 2)
        atomic_fetch_add(&mp_ro_writes, 1);
    if (back != mp_token(p))
        atomic_fetch_add(&mp_wrong, 1);
    atomic_fetch_add(&mp_writes, 1);
    return 1;
}

// Writes page p's token, again and again until a write goes through. After a fault (the
// region read-only, likely for a while now), one more write of the page before, through
// the TLB entry this CPU has: mprotect must have taken it away.
static void mp_write(int p, int first) {
    while (!mp_try(p, first)) {
        if (p >= TOUCHERS)
            mp_try(p - TOUCHERS, 0);
        wait_stable(&mp_gen, 4);                // writable again
    }
}

static void *mp_writer(void *arg) {
    long me = (long)arg;
    for (;;) {
        pthread_barrier_wait(&mp_start);
        if (atomic_load(&mp_stop))
            return NULL;
        for (int p = me; p < MP_PAGES; p += TOUCHERS)
            mp_write(p, 1);
        atomic_fetch_add(&mp_finished, 1);
        pthread_barrier_wait(&mp_end);
    }
}

// Read-only and back while the writers write; returns the number of flips.
static long mp_flip(void) {
    long flips = 0;
    while (atomic_load(&mp_finished) < TOUCHERS) {
        atomic_fetch_add(&mp_gen, 1);                  // 1: going read-only
        mprotect(mp_mem, MP_PAGES * 4096, PROT_READ);
        atomic_fetch_add(&mp_gen, 1);                  // 2: read-only
        wait_progress(&mp_faults, 1, 3);
        atomic_fetch_add(&mp_gen, 1);                  // 3: going read-write
        mprotect(mp_mem, MP_PAGES * 4096, PROT_READ | PROT_WRITE);
        atomic_fetch_add(&mp_gen, 1);                  // 0: read-write
        wait_progress(&mp_writes, 8, 3);
        flips++;
    }
    return flips;
}

static void mprotect_race(void) {
    int rounds = 0, lost = 0;
    long flips = 0;
    catch_segv();
    pthread_barrier_init(&mp_start, NULL, TOUCHERS + 1);
    pthread_barrier_init(&mp_end, NULL, TOUCHERS + 1);
    pthread_t t[TOUCHERS];
    start_threads("mprotect", t, TOUCHERS, mp_writer);
    for (double end = phase_end(); more_rounds(rounds, end); rounds++) {
        mp_mem = mmap(NULL, MP_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        mp_round = rounds;
        atomic_store(&mp_finished, 0);
        pthread_barrier_wait(&mp_start);
        flips += mp_flip();
        pthread_barrier_wait(&mp_end);
        for (int p = 0; p < MP_PAGES; p++)
            lost += ((uint64_t *)mp_mem)[p * 512] != mp_token(p);
        munmap(mp_mem, MP_PAGES * 4096);
    }
    atomic_store(&mp_stop, 1);
    pthread_barrier_wait(&mp_start);
    for (int i = 0; i < TOUCHERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&mp_start);
    pthread_barrier_destroy(&mp_end);
    printf("smpstress: mprotect: %d threads writing %d fresh pages flipped read-only and back: "
           "%d writes lost, %d went through read-only, %d faulted while writable, %d read "
           "back wrong, %d first reads not zero\n", TOUCHERS, MP_PAGES, lost,
           atomic_load(&mp_ro_writes), atomic_load(&mp_rw_faults), atomic_load(&mp_wrong),
           atomic_load(&mp_not_zero));
    printf("info: mprotect: %d rounds, %ld flips, %ld faults caught\n", rounds, flips,
           atomic_load(&mp_faults));
}

// ---------------------------------------------------------------- fork racing first touch

// Threads write every page of a fresh region twice over (two passes, the first one first
// touches), publishing after each write how many they have made, while the main thread
// forks. The child, from the counts read before fork: each page holds the token of the
// last write made before it, or of a later one (a write under way during fork may or may
// not be in the child), never anything else; and its memory must not change under it
// while the parent's threads go on writing (a page fork left writable in the parent, or a
// stale TLB entry, would let those writes into the child: after each write a thread also
// counts up word 2 of its first page, through the TLB entry it has). The child writes
// word 1 of some pages; the parent must see none of it.
enum { FK_PAGES = 1024, FK_FORKS = 4 };
static unsigned char *fk_mem;
static int fk_round;
static atomic_int fk_stop;
static atomic_long fk_written[TOUCHERS], fk_total;
static pthread_barrier_t fk_start, fk_end;
static uint64_t fk_seen[FK_PAGES][2];         // the child's first look: words 0 and 2

static int fk_count(int t) { return (FK_PAGES - t + TOUCHERS - 1) / TOUCHERS; }
static uint64_t fk_token(int p, int pass) {
    return 0x666b000000000000ull | (uint64_t)fk_round << 24 | (uint64_t)pass << 20 | p;
}
static volatile uint64_t *fk_word(int p, int i) {
    return (volatile uint64_t *)(fk_mem + (size_t)p * 4096) + i;
}

static void *fk_toucher(void *arg) {
    long me = (long)arg;
    for (;;) {
        pthread_barrier_wait(&fk_start);
        if (atomic_load(&fk_stop))
            return NULL;
        int n = fk_count(me);
        for (int i = 0; i < 2 * n; i++) {
            int j = i % n;
            *fk_word(me + TOUCHERS * j, 0) = fk_token(me + TOUCHERS * j, i / n);
            if (i > 0)
                ++*fk_word(me, 2);          // its first page, through the TLB entry it has
            atomic_store(&fk_written[me], i + 1);
            atomic_fetch_add(&fk_total, 1);
        }
        pthread_barrier_wait(&fk_end);
    }
}

// The child's check of thread t's page j (page t + TOUCHERS * j), that thread having made
// `made` writes before fork: write j is the page's first, write n + j its second.
static int fk_page_ok(int t, int j, long made) {
    int p = t + TOUCHERS * j;
    uint64_t v = *fk_word(p, 0);
    fk_seen[p][0] = v;
    fk_seen[p][1] = *fk_word(p, 2);
    if (v == fk_token(p, 1))
        return 1;
    if (v == fk_token(p, 0))
        return made <= fk_count(t) + j;         // the second write was not made yet
    return v == 0 && made <= j;                 // nor the first
}

static int fk_child(const long *made) {
    int bad = 0;
    for (int t = 0; t < TOUCHERS; t++)
        for (int j = 0; j < fk_count(t); j++)
            bad += !fk_page_ok(t, j, made[t]);
    usleep(20000);                              // the parent's threads write on meanwhile
    for (int p = 0; p < FK_PAGES; p++)
        bad += *fk_word(p, 0) != fk_seen[p][0] || *fk_word(p, 2) != fk_seen[p][1];
    for (int p = 0; p < FK_PAGES; p += 16)
        *fk_word(p, 1) = 0xc41d;
    return bad != 0;
}

// FK_FORKS forks while the threads write, spread over the two passes; the number of
// children that exited 0.
static int fk_forks(void) {
    int good = 0;
    long start = atomic_load(&fk_total);
    for (int f = 0; f < FK_FORKS; f++) {
        for (double end = now() + 0.05; atomic_load(&fk_total) - start <
                                        (f + 1) * 2 * FK_PAGES / (FK_FORKS + 2) && now() < end; )
            usleep(1000);
        long made[TOUCHERS];
        for (int i = 0; i < TOUCHERS; i++)
            made[i] = atomic_load(&fk_written[i]);
        pid_t c = fork();
        if (c == 0)
            _exit(fk_child(made));
        int st;
        if (c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    return good;
}

static void fork_race(void) {
    int rounds = 0, good = 0, wrong = 0;
    pthread_barrier_init(&fk_start, NULL, TOUCHERS + 1);
    pthread_barrier_init(&fk_end, NULL, TOUCHERS + 1);
    pthread_t t[TOUCHERS];
    start_threads("fork", t, TOUCHERS, fk_toucher);
    for (double end = phase_end(); more_rounds(rounds, end); rounds++) {
        fk_mem = mmap(NULL, FK_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        fk_round = rounds;
        for (int i = 0; i < TOUCHERS; i++)
            atomic_store(&fk_written[i], 0);
        pthread_barrier_wait(&fk_start);
        good += fk_forks();
        pthread_barrier_wait(&fk_end);
        for (int p = 0; p < FK_PAGES; p++)
            wrong += *fk_word(p, 0) != fk_token(p, 1) || *fk_word(p, 1) != 0;
        munmap(fk_mem, FK_PAGES * 4096);
    }
    atomic_store(&fk_stop, 1);
    pthread_barrier_wait(&fk_start);
    for (int i = 0; i < TOUCHERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&fk_start);
    pthread_barrier_destroy(&fk_end);
    printf("smpstress: fork: %d children that did not find the pages written before fork, "
           "or saw them change, %d pages wrong in the parent\n", rounds * FK_FORKS - good, wrong);
    printf("info: fork: %d rounds, %d forks\n", rounds, rounds * FK_FORKS);
}

// ---------------------------------------------------------------- mremap racing first touch

// A fresh 2 MiB region is moved back and forth between two 2 MiB-aligned places with
// mremap(MREMAP_MAYMOVE | MREMAP_FIXED) while threads touch its pages through the current
// address (mr_at). The place it left is mapped PROT_NONE at once, so that nothing else can
// come to live there: a touch through an old address then either faults or - the region
// being back - reaches the same page. So every read that goes through must find the token
// the thread wrote there last (0 before the first), every write must read back, and at the
// end of the round every page holds its last token: nothing written, before a move or
// during one, was lost. A fault while the region stayed put (mr_gen even) is an error.
enum { MR_LEN = 2 * MiB, MR_PAGES = MR_LEN / 4096, MR_MOVES = 8 };
static unsigned char *_Atomic mr_at;
static volatile uint64_t mr_last[MR_PAGES];   // page p: its thread's last token that went in
// mr_stop ends a round's touching (a thread may see it set before it has even started the
// round: it then goes to the end barrier at once); mr_quit, the phase.
static atomic_int mr_gen, mr_stop, mr_quit, mr_wrong, mr_bad_faults;
static atomic_long mr_touches, mr_faults;
static pthread_barrier_t mr_start, mr_end;

static void mr_touch(int p, uint64_t tok, int read_first) {
    int g0 = atomic_load(&mr_gen);
    volatile uint64_t *w = (volatile uint64_t *)(atomic_load(&mr_at) + (size_t)p * 4096);
    atomic_fetch_add(&mr_touches, 1);
    if (sigsetjmp(fault_jmp, 0) == 0) {
        in_read = 1;
        if (read_first && w[0] != mr_last[p])
            atomic_fetch_add(&mr_wrong, 1);
        w[0] = tok;
        mr_last[p] = tok;                     // it went in: no fault
        uint64_t back = w[0];
        in_read = 0;
        if (back != tok)
            atomic_fetch_add(&mr_wrong, 1);
        return;
    }
    in_read = 0;
    int g1 = load_after(&mr_gen);
    atomic_fetch_add(&mr_faults, 1);
    if (g0 == g1 && !(g0 & 1))
        atomic_fetch_add(&mr_bad_faults, 1);
    wait_stable(&mr_gen, 2);
}

static void *mr_toucher(void *arg) {
    long me = (long)arg;
    uint64_t seq = 0;
    for (;;) {
        pthread_barrier_wait(&mr_start);
        if (atomic_load(&mr_quit))
            return NULL;
        while (!atomic_load(&mr_stop))
            for (int p = me; p < MR_PAGES && !atomic_load(&mr_stop); p += TOUCHERS, seq++)
                mr_touch(p, (uint64_t)(me + 1) << 48 | seq, (seq & 3) == 0);
        pthread_barrier_wait(&mr_end);
    }
}

// MR_MOVES moves of the region from place[at] and back while the threads touch it. Where it
// ends up, and the number of moves made.
static int mr_moves(unsigned char **place, int at, int *moves) {
    for (int m = 0; m < MR_MOVES; m++) {
        wait_progress(&mr_touches, 100, 20);
        atomic_fetch_add(&mr_gen, 1);           // odd: moving
        int moved = mremap(place[at], MR_LEN, MR_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
                           place[!at]) == place[!at];
        if (moved) {
            atomic_store(&mr_at, place[!at]);
            map_fixed(place[at], MR_LEN, PROT_NONE);
        }
        atomic_fetch_add(&mr_gen, 1);           // even: in place
        if (!moved)
            break;
        at = !at;
        ++*moves;
    }
    wait_progress(&mr_touches, 100, 20);
    return at;
}

static void mremap_race(void) {
    int rounds = 0, moves = 0, lost = 0;
    catch_segv();
    unsigned char *place[2];
    place[0] = reserve_aligned(2 * MR_LEN);
    place[1] = place[0] + MR_LEN;
    pthread_barrier_init(&mr_start, NULL, TOUCHERS + 1);
    pthread_barrier_init(&mr_end, NULL, TOUCHERS + 1);
    pthread_t t[TOUCHERS];
    start_threads("mremap", t, TOUCHERS, mr_toucher);
    for (double end = phase_end(); more_rounds(rounds, end); rounds++) {
        int at = rounds & 1;
        map_fixed(place[at], MR_LEN, PROT_READ | PROT_WRITE);
        atomic_store(&mr_at, place[at]);
        for (int p = 0; p < MR_PAGES; p++)
            mr_last[p] = 0;
        atomic_store(&mr_stop, 0);
        pthread_barrier_wait(&mr_start);
        at = mr_moves(place, at, &moves);
        atomic_store(&mr_stop, 1);
        pthread_barrier_wait(&mr_end);
        for (int p = 0; p < MR_PAGES; p++)
            lost += ((uint64_t *)place[at])[p * 512] != mr_last[p];
        map_fixed(place[at], MR_LEN, PROT_NONE);
    }
    atomic_store(&mr_quit, 1);
    pthread_barrier_wait(&mr_start);            // the threads return
    for (int i = 0; i < TOUCHERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&mr_start);
    pthread_barrier_destroy(&mr_end);
    munmap(place[0], 2 * MR_LEN);
    printf("smpstress: mremap: 2 MiB moved back and forth under %d touching threads: %d moves "
           "failed, %d wrong reads, %d writes lost, %d faults while in place\n", TOUCHERS,
           rounds * MR_MOVES - moves, atomic_load(&mr_wrong), lost, atomic_load(&mr_bad_faults));
    printf("info: mremap: %d rounds, %d moves, %ld touches, %ld faults caught\n", rounds, moves,
           atomic_load(&mr_touches), atomic_load(&mr_faults));
}

// ---------------------------------------------------------------- many threads, one fresh page

// More threads than CPUs first-touch one fresh page at once, each writing its own byte
// (odd ones reading first: the zero page, then a copy). Then every thread looks at every
// byte: all of them must see one page. A thread whose CPU kept a page of its own (two
// faults each mapping a new page, one losing its PTE but not its TLB entry) misses the
// others' bytes, and they miss its one.
enum { SP_THREADS = 8 };
static unsigned char *volatile sp_mem;
static pthread_barrier_t sp_start, sp_written, sp_checked;
static atomic_int sp_stop, sp_missing, sp_not_zero;

static void *sp_toucher(void *arg) {
    long me = (long)arg;
    for (int r = 0;; r++) {
        pthread_barrier_wait(&sp_start);
        if (atomic_load(&sp_stop))
            return NULL;
        volatile unsigned char *m = sp_mem;
        if ((me & 1) && m[2048] != 0)
            atomic_fetch_add(&sp_not_zero, 1);
        m[me * 64] = (unsigned char)(r + me + 1);
        pthread_barrier_wait(&sp_written);
        for (int i = 0; i < SP_THREADS; i++)
            if (m[i * 64] != (unsigned char)(r + i + 1))
                atomic_fetch_add(&sp_missing, 1);
        pthread_barrier_wait(&sp_checked);
    }
}

static void samepage(void) {
    int rounds = 0;
    pthread_barrier_init(&sp_start, NULL, SP_THREADS + 1);
    pthread_barrier_init(&sp_written, NULL, SP_THREADS + 1);
    pthread_barrier_init(&sp_checked, NULL, SP_THREADS + 1);
    pthread_t t[SP_THREADS];
    start_threads("samepage", t, SP_THREADS, sp_toucher);
    for (double end = phase_end(); more_rounds(rounds, end); rounds++) {
        sp_mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        pthread_barrier_wait(&sp_start);
        pthread_barrier_wait(&sp_written);
        pthread_barrier_wait(&sp_checked);
        munmap(sp_mem, 4096);
    }
    atomic_store(&sp_stop, 1);
    pthread_barrier_wait(&sp_start);
    for (int i = 0; i < SP_THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&sp_start);
    pthread_barrier_destroy(&sp_written);
    pthread_barrier_destroy(&sp_checked);
    printf("smpstress: samepage: %d threads first-touching one page: %d bytes missing from "
           "a thread's view, %d first reads not zero\n", SP_THREADS, atomic_load(&sp_missing),
           atomic_load(&sp_not_zero));
    printf("info: samepage: %d rounds\n", rounds);
}

static unsigned long free_pages_now(void) {
    struct sysinfo si;
    sysinfo(&si);
    return si.freeram * si.mem_unit / 4096;
}

// A phase that can leak: the free page count before and after (test_smp.py compares).
static void with_free_count(const char *name, void (*phase)(void)) {
    unsigned long before = free_pages_now();
    phase();
    printf("info: %s: free pages before %lu after %lu\n", name, before, free_pages_now());
}

// ---------------------------------------------------------------- affinity and wakeups

enum { PINGS = 300 };
static int ping_cpu[2], off_cpu;

struct pinned { int cpu, rd, wr, first; };

static void *pinned_pingpong(void *arg) {
    struct pinned *p = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(p->cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return (void *)1;
    unsigned char b = 0;
    for (int i = 0; i < PINGS; i++) {
        if (p->first && write(p->wr, &b, 1) != 1)
            return (void *)1;
        if (read(p->rd, &b, 1) != 1)
            return (void *)1;
        if (sched_getcpu() != p->cpu)
            __atomic_fetch_add(&off_cpu, 1, __ATOMIC_RELAXED);
        if (!p->first && write(p->wr, &b, 1) != 1)
            return (void *)1;
    }
    return NULL;
}

// The two highest CPUs this process may use: CPUs 3 and 2 at -smp 4 (CPU 0 takes the
// interrupts), whatever the host has.
static int pick_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    int n = 0;
    for (int c = CPU_SETSIZE - 1; c >= 0 && n < 2; c--)
        if (CPU_ISSET(c, &set))
            ping_cpu[n++] = c;
    return n == 2 ? 0 : -1;
}

static void affinity(void) {
    if (pick_cpus() != 0) {
        printf("smpstress: affinity: fewer than 2 CPUs\n");
        return;
    }
    int ab[2], ba[2];
    pipe(ab);
    pipe(ba);
    struct pinned a = { ping_cpu[0], ba[0], ab[1], 1 }, b = { ping_cpu[1], ab[0], ba[1], 0 };
    pthread_t ta, tb;
    void *ra, *rb;
    double t0 = now();
    pthread_create(&ta, NULL, pinned_pingpong, &a);
    pthread_create(&tb, NULL, pinned_pingpong, &b);
    pthread_join(ta, &ra);
    pthread_join(tb, &rb);
    double us = (now() - t0) * 1e6 / PINGS;
    close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
    printf("smpstress: affinity: 2 threads pinned to 2 CPUs, %d round trips %s, %d wakeups "
           "off their CPU\n", PINGS, ra || rb ? "failed" : "made", off_cpu);
    printf("info: affinity round trip %.0f us\n", us);
}

// ---------------------------------------------------------------- migrating threads

// 4 threads pass a token round a ring (a mutex and a condition variable: futex sleeps and
// wakeups across CPUs), and each moves itself to another allowed CPU at every turn: once
// sched_setaffinity has returned, it must run there (Linux moves the caller before it
// returns). A fifth thread only yields, to keep the run queue busy. Every pass counted once.
enum { MIGRATORS = 4, TURNS = 150 };
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond = PTHREAD_COND_INITIALIZER;
static int ring_token, ring_passes, ring_off_cpu, ring_cpus[CPU_SETSIZE], ring_ncpus;
static atomic_int ring_done;

static void *ring_member(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int turn = 0; turn < TURNS; turn++) {
        pthread_mutex_lock(&ring_lock);
        while (ring_token != id)
            pthread_cond_wait(&ring_cond, &ring_lock);
        ring_passes++;
        ring_token = (id + 1) % MIGRATORS;
        pthread_cond_broadcast(&ring_cond);
        pthread_mutex_unlock(&ring_lock);
        int cpu = ring_cpus[(turn + id) % ring_ncpus];
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0 || sched_getcpu() != cpu)
            __atomic_fetch_add(&ring_off_cpu, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *ring_yielder(void *arg) {
    (void)arg;
    while (!atomic_load(&ring_done))
        sched_yield();
    return NULL;
}

static void migrate(void) {
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0)
        return;
    ring_ncpus = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all))
            ring_cpus[ring_ncpus++] = c;
    pthread_t t[MIGRATORS], y;
    pthread_create(&y, NULL, ring_yielder, NULL);
    for (int i = 0; i < MIGRATORS; i++)
        pthread_create(&t[i], NULL, ring_member, (void *)(intptr_t)i);
    for (int i = 0; i < MIGRATORS; i++)
        pthread_join(t[i], NULL);
    atomic_store(&ring_done, 1);
    pthread_join(y, NULL);
    printf("smpstress: migrate: %d threads passed a token %d times (of %d), moving to another "
           "CPU at each turn; on a CPU not asked for after sched_setaffinity: %d\n", MIGRATORS,
           ring_passes, MIGRATORS * TURNS, ring_off_cpu);
}

// ---------------------------------------------------------------- a signal to a busy group

static void *spin_forever(void *arg) {
    (void)arg;
    for (;;)
        ;
    return NULL;
}

static void groupkill(void) {
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0) {
        pthread_t t;
        for (int i = 0; i < WORKERS; i++)
            pthread_create(&t, NULL, spin_forever, NULL);
        write(ready[1], "r", 1);
        spin_forever(NULL);
    }
    char b;
    read(ready[0], &b, 1);
    usleep(100000);
    kill(c, SIGTERM);
    int st = 0;
    waitpid(c, &st, 0);
    printf("smpstress: groupkill: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

// ---------------------------------------------------------------- readers and writers

static pthread_rwlock_t rwl = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;                 // rw_a + rw_b == 0 whenever no writer holds rwl
static atomic_int rw_stop, rw_torn;

static void *rw_reader(void *arg) {
    while (!atomic_load(&rw_stop)) {
        pthread_rwlock_rdlock(&rwl);
        if (rw_a + rw_b != 0)
            atomic_fetch_add(&rw_torn, 1);
        pthread_rwlock_unlock(&rwl);
    }
    return arg;
}

static void *rw_writer(void *arg) {
    for (int i = 0; i < 1000; i++) {
        pthread_rwlock_wrlock(&rwl);
        rw_a++;
        for (volatile int k = 0; k < 20; k++)
            ;
        rw_b--;
        pthread_rwlock_unlock(&rwl);
    }
    return arg;
}

static void rwlock_writers(void) {
    pthread_t r[3], w[2];
    for (int i = 0; i < 3; i++)
        pthread_create(&r[i], NULL, rw_reader, NULL);
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, rw_writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    atomic_store(&rw_stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(r[i], NULL);
    printf("smpstress: rwlock: writes %ld, torn reads %d\n", rw_a, atomic_load(&rw_torn));
}

// ---------------------------------------------------------------- an alarm stops the spinners

static atomic_int al_stop;
static int spun_token;               // what a thread that spun returns
static void al_handler(int sig) { (void)sig; atomic_store(&al_stop, 1); }
static void *al_spin(void *arg) {
    long n = 0;
    while (!atomic_load(&al_stop))
        n++;
    return n > 0 ? arg : NULL;
}

static void alarm_stop(void) {
    signal(SIGALRM, al_handler);
    alarm(1);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, al_spin, &spun_token);
    int spun = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        spun += r != NULL;
    }
    signal(SIGALRM, SIG_DFL);
    printf("smpstress: alarm: %d of %d spinning threads stopped by SIGALRM\n", spun, WORKERS);
}

// ---------------------------------------------------------------- copy-on-write in parallel

enum { CR_ROUNDS = 10, CR_PAGES = 256 };

// Writes id into every page (each write a copy-on-write fault while the others share
// it), then counts the pages that do not hold id throughout.
static int cr_write_and_check(unsigned char *mem, int id) {
    for (int p = 0; p < CR_PAGES; p++)
        memset(mem + p * 4096, id, 4096);
    int wrong = 0;
    for (int p = 0; p < CR_PAGES; p++)
        for (int i = 0; i < 4096; i += 512)
            wrong += mem[p * 4096 + i] != id;
    return wrong;
}

static void cowrace(void) {
    int wrong = 0;
    for (int round = 0; round < CR_ROUNDS; round++) {
        pid_t worker = fork();          // a one-thread process, the children's parent
        if (worker == 0) {
            unsigned char *mem = mmap(NULL, CR_PAGES * 4096, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            memset(mem, 0xee, CR_PAGES * 4096);
            pid_t kids[WORKERS - 1];
            for (int k = 0; k < WORKERS - 1; k++)
                if ((kids[k] = fork()) == 0)
                    _exit(cr_write_and_check(mem, k + 1) ? 1 : 0);
            int bad = cr_write_and_check(mem, WORKERS) ? 1 : 0;
            for (int k = 0; k < WORKERS - 1; k++) {
                int st = 0;
                waitpid(kids[k], &st, 0);
                bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
            }
            _exit(bad);
        }
        int st = 0;
        waitpid(worker, &st, 0);
        wrong += WIFEXITED(st) ? WEXITSTATUS(st) : WORKERS;
    }
    printf("smpstress: cowrace: %d rounds of %d processes writing %d shared pages, processes "
           "that read another's writes: %d\n", CR_ROUNDS, WORKERS, CR_PAGES, wrong);
}

// ---------------------------------------------------------------- fork against a group kill

enum { FK_ROUNDS = 5 };

// One round: returns how many children outlived the kill of their group. Each child holds
// the pipe's write end; once every one is gone, the read end sees end of file.
static int forkkill_round(int r) {
    int pfd[2];
    if (pipe(pfd) < 0)
        return -1;
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        close(pfd[0]);
        size_t n = 32 << 20;
        char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(m, 1, n);
        write(pfd[1], "L", 1);
        for (;;)
            if (fork() == 0)
                for (;;)
                    pause();
    }
    close(pfd[1]);
    char ch;
    read(pfd[0], &ch, 1);
    usleep(50000 + 37000 * r);
    kill(-leader, SIGTERM);
    waitpid(leader, NULL, 0);
    struct pollfd p = { pfd[0], POLLIN, 0 };  // nothing more is written: only the end
    int escaped = !(poll(&p, 1, 1000) == 1 && read(pfd[0], &ch, 1) == 0);
    kill(-leader, SIGKILL);                 // whoever escaped
    close(pfd[0]);
    return escaped;
}

static void forkkill(void) {
    int escaped = 0;
    for (int r = 0; r < FK_ROUNDS; r++)
        escaped += forkkill_round(r);
    while (waitpid(-1, NULL, WNOHANG) > 0)  // the group's orphans, when we are init
        ;
    printf("smpstress: forkkill: %d rounds of a forking group killed, rounds where a child "
           "escaped: %d\n", FK_ROUNDS, escaped);
}

// ---------------------------------------------------------------- fork against truncate

enum { TR_ROUNDS = 30, TR_FORKS = 16 };

// A child: waits for the cut of this round, then reads the cut page. 0: SIGBUS, as it
// must be; 1: the page was still there.
static sigjmp_buf ft_jmp;
static void ft_on_bus(int sig) { (void)sig; siglongjmp(ft_jmp, 1); }

static int ft_child(volatile unsigned char *map, atomic_int *cut, int round) {
    while (atomic_load(cut) != round)
        sched_yield();
    signal(SIGBUS, ft_on_bus);
    if (sigsetjmp(ft_jmp, 1))
        return 0;
    (void)map[4096];
    return 1;
}

// The forker: single-threaded (a fork's copy of it may run without the BKL on Lantern),
// with both pages of the file mapped and touched; each round a truncator cuts the file
// to one page while this one forks. Exits with the number of children that read the page.
// The mapping is made through a read-only descriptor: a shared mapping of a file open for
// writing holds the file's write access, and Lantern copies such a process under the BKL,
// where no truncate can come between.
static int ft_forker(int fd, const char *path, atomic_int *shared) {
    atomic_int *go = &shared[0], *cut = &shared[1];
    int rd = open(path, O_RDONLY);
    volatile unsigned char *map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, rd, 0);
    if (map == MAP_FAILED)
        return 100;
    int wrong = 0;
    for (int round = 1; round <= TR_ROUNDS; round++) {
        (void)map[4096];                          // the page is mapped when the forks start
        pid_t kids[TR_FORKS], cutter = fork();
        if (cutter == 0) {
            while (atomic_load(go) != round)
                ;
            ftruncate(fd, 4096);
            atomic_store(cut, round);
            _exit(0);
        }
        atomic_store(go, round);
        for (int i = 0; i < TR_FORKS; i++)
            if ((kids[i] = fork()) == 0)
                _exit(ft_child(map, cut, round));
        for (int i = 0; i < TR_FORKS; i++) {
            int st = 0;
            waitpid(kids[i], &st, 0);
            wrong += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
        }
        waitpid(cutter, NULL, 0);
        ftruncate(fd, 8192);                      // the page again, for the next round
    }
    return wrong;
}

// Runs forker(fd, path, shared) in a process of its own, with an 8 KiB file at path and a
// shared page for it and its children; its exit status, or -1.
static int with_cut_file(const char *name, int (*forker)(int, const char *, atomic_int *)) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/smpstress-%s.%d", name, getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    atomic_int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fd < 0 || shared == MAP_FAILED || ftruncate(fd, 8192) < 0) {
        printf("smpstress: %s: setup failed: %s\n", name, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        _exit(forker(fd, path, shared));
    int st = 0;
    waitpid(pid, &st, 0);
    close(fd);
    unlink(path);
    munmap(shared, 4096);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void forktrunc(void) {
    int wrong = with_cut_file("forktrunc", ft_forker);
    printf("smpstress: forktrunc: %d rounds of %d forks against a truncate, children that "
           "read the cut page: %d\n", TR_ROUNDS, TR_FORKS, wrong);
}

// ---------------------------------------------------------------- fork against truncate+regrow

// forktrunc again, but the cutter writes the file's second page anew after the cut, before
// the children look: each must find the new byte, not the page the cut took away (a fork
// that put its copy right by cutting at the file's size when it ended did not see the cut).
// The forker holds many descriptors, so that fork's copy of its table, made with the BKL
// let go on Lantern, lasts long.
static int fr_child(volatile unsigned char *map, atomic_int *cut, int round) {
    while (atomic_load(cut) != round)
        sched_yield();
    signal(SIGBUS, ft_on_bus);
    if (sigsetjmp(ft_jmp, 1))
        return 2;
    return map[4096] == 'N' ? 0 : map[4096] == 'O' ? 1 : 3;
}

static int fr_forker(int fd, const char *path, atomic_int *shared) {
    atomic_int *go = &shared[0], *cut = &shared[1];
    int rd = open(path, O_RDONLY);
    volatile unsigned char *map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, rd, 0);
    if (map == MAP_FAILED)
        return 100;
    for (int i = 0; i < 900; i++)               // a long copy_unlocked (files_copy)
        if (dup(rd) < 0)
            break;
    int wrong = 0;
    for (int round = 1; round <= 60; round++) {
        ftruncate(fd, 8192);
        pwrite(fd, "O", 1, 4096);
        (void)map[4096];
        pid_t kids[TR_FORKS], cutter = fork();
        if (cutter == 0) {
            while (atomic_load(go) != round)
                ;
            ftruncate(fd, 4096);
            pwrite(fd, "N", 1, 4096);
            atomic_store(cut, round);
            _exit(0);
        }
        atomic_store(go, round);
        for (int i = 0; i < TR_FORKS; i++)
            if ((kids[i] = fork()) == 0)
                _exit(fr_child(map, cut, round));
        for (int i = 0; i < TR_FORKS; i++) {
            int st = 0;
            waitpid(kids[i], &st, 0);
            wrong += !WIFEXITED(st) ? 1000 : WEXITSTATUS(st) == 1 ? 1 : WEXITSTATUS(st) != 0 ? 1000 : 0;
        }
        waitpid(cutter, NULL, 0);
    }
    if (wrong >= 1000) return 255;
    return wrong > 250 ? 250 : wrong;
}

static void forkregrow(void) {
    printf("smpstress: forkregrow: children that read the stale page: %d\n",
           with_cut_file("forkregrow", fr_forker));
}

// Threads made and joined once, as many as any phase runs at once, each touching 64 KiB of
// its stack: glibc keeps the stacks of joined threads for the next ones, so that the free
// page counts around the phases do not see stack pages taken for them.
static void *touch_stack(void *arg) {
    volatile char buf[64 * 1024];
    for (size_t i = 0; i < sizeof buf; i += 4096)
        buf[i] = 1;
    return arg;
}
static void warm_thread_stacks(void) {
    pthread_t t[SP_THREADS];
    start_threads("warm-up", t, SP_THREADS, touch_stack);
    for (int i = 0; i < SP_THREADS; i++)
        pthread_join(t[i], NULL);
}

// ---------------------------------------------------------------- stops of a busy process

// A child whose threads do a bit of everything - two spin (counting), one sleeps in short
// nanosleeps, one makes and joins short-lived threads, two hand a mutex back and forth -
// is stopped and continued round after round. Every stop must be reported once, when no
// thread runs any more (the spinners' counts do not move), every continue once; a second
// SIGSTOP while stopping changes nothing; a SIGCONT sent straight after the SIGSTOP, or a
// SIGKILL, must leave no thread parked and no parent waiting for ever.
#define SS_ROUNDS 100
static atomic_long *ss_count;           // shared with the child: [0], [1] the spinners'

static void *ss_spin(void *arg) {
    atomic_long *c = arg;
    for (;;)
        atomic_fetch_add(c, 1);
    return NULL;
}

static void *ss_nap(void *arg) {
    struct timespec ts = { 0, 200000 };
    for (;;)
        nanosleep(&ts, NULL);
    return arg;
}

static void *ss_nothing(void *arg) { return arg; }

static void *ss_maker(void *arg) {
    for (;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, ss_nothing, NULL) == 0)
            pthread_join(t, NULL);
    }
    return arg;
}

static pthread_mutex_t ss_mutex = PTHREAD_MUTEX_INITIALIZER;
static void *ss_locker(void *arg) {
    for (;;) {
        pthread_mutex_lock(&ss_mutex);
        sched_yield();
        pthread_mutex_unlock(&ss_mutex);
    }
    return arg;
}

static pid_t ss_child(void) {
    pid_t c = fork();
    if (c == 0) {
        pthread_t t;
        pthread_create(&t, NULL, ss_spin, &ss_count[0]);
        pthread_create(&t, NULL, ss_spin, &ss_count[1]);
        pthread_create(&t, NULL, ss_nap, NULL);
        pthread_create(&t, NULL, ss_maker, NULL);
        pthread_create(&t, NULL, ss_locker, NULL);
        ss_locker(NULL);
    }
    while (ss_count[0] == 0 || ss_count[1] == 0)
        usleep(1000);
    return c;
}

// What waitpid says now (WNOHANG), or after waiting: 's' stopped, 'c' continued, '-' none.
static char ss_wait(pid_t c, int options) {
    int st;
    pid_t r = waitpid(c, &st, options);
    return r != c ? '-' : WIFSTOPPED(st) ? 's' : WIFCONTINUED(st) ? 'c' : 'x';
}

static void stopstorm(void) {
    ss_count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t c = ss_child();
    int stops = 0, conts = 0, frozen = 0, twice = 0, moved_again = 0;
    for (int r = 0; r < SS_ROUNDS; r++) {
        kill(c, SIGSTOP);
        if (r % 4 == 0)
            kill(c, SIGSTOP);               // a second one while it stops: no second report
        stops += ss_wait(c, WUNTRACED) == 's';
        long a = ss_count[0] + ss_count[1];
        usleep(2000);
        frozen += ss_count[0] + ss_count[1] == a;
        twice += ss_wait(c, WUNTRACED | WNOHANG) != '-';
        kill(c, SIGCONT);
        conts += ss_wait(c, WCONTINUED) == 'c';
        long b0 = ss_count[0], b1 = ss_count[1];
        for (int i = 0; i < 5000 && (ss_count[0] == b0 || ss_count[1] == b1); i++)
            usleep(200);
        moved_again += ss_count[0] != b0 && ss_count[1] != b1;
    }
    // SIGCONT at once, before the stop can complete (or even start): whatever was told,
    // the process runs on afterwards, and a stop after it is reported as ever.
    for (int r = 0; r < SS_ROUNDS; r++) {
        kill(c, SIGSTOP);
        kill(c, SIGCONT);
    }
    while (waitpid(c, NULL, WUNTRACED | WCONTINUED | WNOHANG) == c)
        ;                                   // (what the races left to tell)
    long b0 = ss_count[0], b1 = ss_count[1];
    for (int i = 0; i < 5000 && (ss_count[0] == b0 || ss_count[1] == b1); i++)
        usleep(200);
    int ran_after_races = ss_count[0] != b0 && ss_count[1] != b1;
    kill(c, SIGSTOP);
    int stopped_after_races = ss_wait(c, WUNTRACED) == 's';
    kill(c, SIGCONT);
    // And a SIGKILL while it stops.
    kill(c, SIGSTOP);
    kill(c, SIGKILL);
    int st = 0;
    waitpid(c, &st, 0);
    printf("smpstress: stopstorm: stops %d/%d, continues %d/%d, frozen %d/%d, told twice %d, ran again %d/%d, "
           "after SIGCONT races: ran %s, stopped %s; killed while stopping: %s\n", stops, SS_ROUNDS, conts,
           SS_ROUNDS, frozen, SS_ROUNDS, twice, moved_again, SS_ROUNDS, ran_after_races ? "yes" : "no",
           stopped_after_races ? "yes" : "no", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no");
}

// ---------------------------------------------------------------- a running program's file

enum { TB_EACH = 30 };

static char tb_path[64], *tb_bytes;
static long tb_size;

// Runs the copy TB_EACH (times the scale) times: 0 if every run exited 0 or was refused with ETXTBSY.
static int tb_execer(void) {
    int wrong = 0;
    for (int i = 0; i < TB_EACH * scale; i++) {
        pid_t c = fork();
        if (c == 0) {
            execl(tb_path, "true", (char *)NULL);
            _exit(errno == ETXTBSY ? 0 : 120);
        }
        int st = 0;
        waitpid(c, &st, 0);
        wrong += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    return wrong;
}

// Opens the copy for writing TB_EACH (times the scale) times; each time it may, it empties the file and writes
// it back. 0 if every refusal was ETXTBSY and every write was whole.
static int tb_writer(void) {
    int wrong = 0;
    for (int i = 0; i < TB_EACH * scale; i++) {
        int fd = open(tb_path, O_WRONLY);
        if (fd < 0) {
            wrong += errno != ETXTBSY;
            sched_yield();
            continue;
        }
        wrong += ftruncate(fd, 0) != 0 || write(fd, tb_bytes, tb_size) != tb_size;
        close(fd);
    }
    return wrong;
}

static void textbusy(void) {
    snprintf(tb_path, sizeof tb_path, "/tmp/smpstress-textbusy.%d", getpid());
    int in = open("/bin/true", O_RDONLY), out = open(tb_path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    tb_bytes = malloc(4 << 20);
    tb_size = in < 0 || !tb_bytes ? -1 : read(in, tb_bytes, 4 << 20);
    if (out < 0 || tb_size <= 0 || write(out, tb_bytes, tb_size) != tb_size) {
        printf("smpstress: textbusy: setup failed: %s\n", strerror(errno));
        return;
    }
    close(in);
    close(out);
    pid_t w[4];
    for (int i = 0; i < 4; i++)
        if ((w[i] = fork()) == 0)
            _exit(i < 2 ? tb_execer() : tb_writer());
    int wrong = 0;
    for (int i = 0; i < 4; i++) {
        int st = 0;
        waitpid(w[i], &st, 0);
        wrong += WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
    }
    printf("smpstress: textbusy: %d execs and %d opens for writing of one file, "
           "outcomes other than done or ETXTBSY: %d\n", 2 * TB_EACH * scale, 2 * TB_EACH * scale, wrong);
    unlink(tb_path);
    free(tb_bytes);
}

// execargs: a page with argv (pointers to strings on the same page), and a thread that
// keeps changing it. Whatever execve finds there, it may run /bin/true (argv read whole,
// or zeroed: an empty argv) or fail with EFAULT.
enum { EA_ROUNDS = 60 };
static char *ea_page;
static atomic_int ea_stop;

static void *ea_flipper(void *arg) {
    (void)arg;
    while (!atomic_load(&ea_stop)) {
        mprotect(ea_page, 4096, PROT_NONE);
        mprotect(ea_page, 4096, PROT_READ | PROT_WRITE);
        madvise(ea_page, 4096, MADV_DONTNEED);
        char **argv = (char **)ea_page;
        strcpy(ea_page + 64, "true");
        argv[0] = ea_page + 64;
        argv[1] = NULL;
    }
    return NULL;
}

static void *ea_execer(void *arg) {
    (void)arg;
    char *envp[] = { NULL };
    execve("/bin/true", (char **)ea_page, envp);
    _exit(errno == EFAULT ? 3 : 4);
}

static int ea_round(void) {
    ea_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ea_page == MAP_FAILED)
        return 5;
    pthread_t t[3];
    if (pthread_create(&t[0], NULL, ea_flipper, NULL) || pthread_create(&t[1], NULL, ea_execer, NULL))
        return 6;
    ea_execer(NULL);                     // (the main thread races the other execer)
    return 7;
}

static void execargs(void) {
    int wrong = 0, ran = 0;
    for (int i = 0; i < EA_ROUNDS * scale; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(ea_round());
        int st = 0;
        waitpid(c, &st, 0);
        wrong += !WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3);
        ran += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    printf("smpstress: execargs: %d rounds of two execve racing changes to their argv, "
           "outcomes other than run or EFAULT: %d\n", EA_ROUNDS * scale, wrong);
    printf("info: execargs: /bin/true ran %d times, EFAULT %d\n", ran, EA_ROUNDS * scale - ran - wrong);
}

// ---------------------------------------------------------------- lazy CPUs

// Lantern's CPU halted waiting for the BKL or an mm lock is lazy about user TLB entries: a
// range shootdown (madvise, munmap, mprotect, a copy on write) leaves it out, and it
// flushes everything on its way out of the wait (smp.c's halt_while_locked). Here the
// accessing threads pass through the BKL (umask) before each access, while a hog thread
// keeps the BKL and the mm lock busy (fork, mprotect, munmap), so that they are often
// halted, lazy, when the memory changes under them.
static atomic_int lz_stop, lz_gen, lz_stale, lz_copied, lz_child_reads;
static atomic_long lz_writes;
static volatile uint32_t *lz_page;       // shared part: 2 pages, mapped and unmapped
static volatile uint32_t *lz_cow;        // copy-on-write part: 1 page

static void *lz_hog(void *arg) {
    (void)arg;
    size_t big_n = 4 * MiB, n = 256 * 1024;
    char *big = mmap(NULL, big_n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(big, 1, big_n);               // fork copies its page tables, holding the BKL
    for (int i = 0; !atomic_load(&lz_stop); i++) {
        if (i % 4 == 0) {
            pid_t c = fork();
            if (c == 0)
                _exit(0);
            waitpid(c, NULL, 0);
        } else {                         // a hole of its own only: no stack fits in it
            mmap(m, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            for (size_t k = 0; k < n; k += 4096)
                m[k] = 1;
            mprotect(m, n, PROT_READ);
            munmap(m, n);
        }
    }
    munmap(big, big_n);
    munmap(m, n);
    return NULL;
}

// lz_gen is odd from munmap's return until the next mmap starts (the munmap phase's rule).
static void *lz_writer(void *arg) {
    (void)arg;
    while (!atomic_load(&lz_stop)) {
        umask(022);
        int before = atomic_load(&lz_gen);
        if (sigsetjmp(fault_jmp, 0) == 0) {
            in_read = 1;
            lz_page[0] = 0xdeadbeef;
            lz_page[1024 + 5] = 0xdeadbeef;
            in_read = 0;
            atomic_fetch_add(&lz_writes, 1);
            if ((before & 1) && atomic_load(&lz_gen) == before)
                atomic_fetch_add(&lz_stale, 1);
        }
        in_read = 0;
    }
    return NULL;
}

static void *lz_zapper(void *arg) {
    (void)arg;
    while (!atomic_load(&lz_stop)) {
        madvise((void *)lz_page, 2 * 4096, MADV_DONTNEED);   // ENOMEM while unmapped
        for (volatile int spin = 0; spin < 2000; spin++)
            ;
    }
    return NULL;
}

static void *lz_reader(void *arg) {
    (void)arg;
    while (!atomic_load(&lz_stop)) {
        umask(022);
        int copied = atomic_load(&lz_copied);
        if (copied && lz_cow[0] == 0xc41dc41d)
            atomic_fetch_add(&lz_child_reads, 1);
    }
    return NULL;
}

static void lazytlb(void) {
    enum { SHM_ROUNDS = 150, COW_ROUNDS = 60, FRESH = 16 };
    catch_segv();
    // Guard pages around it: the holes made inside stay the phase's own.
    char *base = mmap(NULL, (4 + FRESH) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *at = base + 4096;
    unsigned char *fresh_at = (unsigned char *)base + 3 * 4096;
    munmap(at, (2 + FRESH) * 4096);
    lz_page = (volatile uint32_t *)at;
    atomic_store(&lz_gen, 1);
    pthread_t hog, w, z;
    pthread_create(&hog, NULL, lz_hog, NULL);
    pthread_create(&w, NULL, lz_writer, NULL);
    pthread_create(&z, NULL, lz_zapper, NULL);
    int rounds = 0, scribbled = 0;
    for (int r = 0; r < SHM_ROUNDS; r++) {
        atomic_fetch_add(&lz_gen, 1);    // even: mapped from here on
        if (mmap(at, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) != at)
            break;
        long w0 = atomic_load(&lz_writes);
        for (int spin = 0; spin < 200000 && atomic_load(&lz_writes) < w0 + 2; spin++)
            ;
        for (volatile int spin = 0; spin < (r % 8) * 300; spin++)
            ;
        munmap(at, 2 * 4096);
        atomic_fetch_add(&lz_gen, 1);    // odd: unmapped
        scribbled += fresh_memory_scribbled(fresh_at, FRESH, 30000);
        rounds++;
    }
    atomic_store(&lz_stop, 1);
    pthread_join(w, NULL);
    pthread_join(z, NULL);
    // The copy on write: the parent writes the page it shares with a child, so the old
    // page is the child's alone, which the child then writes in place.
    lz_cow = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    atomic_int *go = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    lz_cow[0] = 1;
    atomic_store(&lz_stop, 0);
    pthread_t rd;
    pthread_create(&rd, NULL, lz_reader, NULL);
    for (int r = 0; r < COW_ROUNDS; r++) {
        atomic_store(&go[0], 0);
        atomic_store(&go[1], 0);
        pid_t c = fork();
        if (c == 0) {
            while (!atomic_load(&go[0]))
                ;
            while (!atomic_load(&go[1]))
                lz_cow[0] = 0xc41dc41d;
            _exit(0);
        }
        for (volatile int spin = 0; spin < 5000; spin++)
            ;
        lz_cow[0] = 2 + r;               // the parent's copy
        atomic_store(&lz_copied, 1);
        atomic_store(&go[0], 1);
        for (volatile int spin = 0; spin < 100000; spin++)
            ;
        atomic_store(&go[1], 1);
        waitpid(c, NULL, 0);
        atomic_store(&lz_copied, 0);
    }
    atomic_store(&lz_stop, 1);
    pthread_join(rd, NULL);
    pthread_join(hog, NULL);
    munmap(base, (4 + FRESH) * 4096);
    munmap((void *)lz_cow, 4096);
    munmap(go, 4096);
    printf("smpstress: lazytlb: %d rounds of shared memory zapped and unmapped, %d writes after "
           "munmap returned, fresh memory scribbled in %d rounds; %d copies on write, %d reads "
           "of the child's writes after the parent's copy\n", rounds, atomic_load(&lz_stale),
           scribbled, COW_ROUNDS, atomic_load(&lz_child_reads));
}

// The program's own data and bss, each page written once (with what it holds: no other
// thread runs yet): a page of a phase's variables, taken at its first write, is not a page
// that phase leaked.
extern char __data_start[], _end[];
static void warm_data(void) {
    for (volatile char *p = __data_start; p < _end; p += 4096)
        *p = *p;
}

static const struct {
    const char *name;
    void (*run)(void);
    int count_free;           // info: free pages before and after it
} phases[] = {
    { "forkexec", forkexec, 0 }, { "pipes", pipes, 0 }, { "futex", futex, 0 },
    { "firsttouch", firsttouch, 0 }, { "munmap", munmap_race, 0 }, { "scribble", scribble, 0 },
    { "zapscribble", zapscribble, 0 }, { "shmzap", shmzap, 0 },
    { "ptfree", ptfree, 1 }, { "mprotect", mprotect_race, 1 }, { "fork", fork_race, 1 },
    { "mremap", mremap_race, 1 }, { "samepage", samepage, 1 },
    { "affinity", affinity, 0 }, { "migrate", migrate, 0 }, { "groupkill", groupkill, 0 }, { "rwlock", rwlock_writers, 0 }, { "alarm", alarm_stop, 0 }, { "cowrace", cowrace, 0 },
    { "forkkill", forkkill, 0 }, { "forktrunc", forktrunc, 0 }, { "forkregrow", forkregrow, 0 }, { "stopstorm", stopstorm, 0 },
    { "textbusy", textbusy, 0 }, { "execargs", execargs, 0 }, { "lazytlb", lazytlb, 0 },
};

static int wanted(int argc, char **argv, const char *name) {
    if (argc <= 2)
        return 1;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

// smpstress [SCALE [PHASE...]]: every phase by default, or the ones named; the fault-race
// phases (ptfree to samepage) and textbusy run SCALE times as long, for a stress run by hand.
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && (scale = atoi(argv[1])) < 1) {
        fprintf(stderr, "usage: smpstress [SCALE [PHASE...]]\n");
        return 2;
    }
    cpu_set_t allowed;
    one_cpu = sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) == 1;
    unsigned long free_before = free_pages_now();
    cpus_seen();
    warm_thread_stacks();
    warm_data();
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        if (!wanted(argc, argv, phases[i].name))
            continue;
        double t0 = now();
        if (phases[i].count_free)
            with_free_count(phases[i].name, phases[i].run);
        else
            phases[i].run();
        printf("info: %s took %.2f s\n", phases[i].name, now() - t0);
    }
    printf("info: free pages before %lu after %lu\n", free_before, free_pages_now());
    printf("done\n");
    return 0;
}
