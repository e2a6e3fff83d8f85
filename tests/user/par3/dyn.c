// dyn.c: par3dyn, a dynamically linked glibc program with threads (the third round of
// parallel programs: tests/system/test_parallel3.py). It needs libpar3needed.so (in the
// same directory: RUNPATH $ORIGIN) and opens libpar3plugin.so with dlopen from threads.
// Run on the host for the expected lines, then booted as init on Lantern with its
// libraries. Every line is fixed whatever the timing; threads never print.
//
//   par3dyn [CASE...]        no CASE: every case, in order; each in a child process

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

extern __thread uint64_t needed_ie;   // the library's: initial-exec from here too
uint64_t needed_bump(uint64_t by);
uint64_t needed_read(void);

static __thread uint64_t exe_tls = 17;   // the program's own (local-exec)
static char *self_path;
static char plugin_paths[2][4096];   // libpar3plugin.so, libpar3dynplugin.so
static const char *plugin_path;       // the one the case uses now

static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    buf[n++] = '\n';
    if (write(1, buf, n) != n)
        _exit(99);
}

static void must(int ok, const char *what)
{
    if (!ok) {
        say("FAIL: %s (errno %d, %s)", what, errno, dlerror() ? "dlerror" : "");
        _exit(98);
    }
}

static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    int rc = pthread_create(&t, NULL, fn, arg);
    if (rc != 0) {
        say("FAIL: pthread_create: %s", strerror(rc));
        _exit(98);
    }
    return t;
}

static uintptr_t join(pthread_t t)
{
    void *ret;
    must(pthread_join(t, &ret) == 0, "pthread_join");
    return (uintptr_t)ret;
}

// tls: four threads at once, each bumping the program's, and the needed library's
// initial-exec and global-dynamic variables; each must see only its own.
static void *tls_thread(void *arg)
{
    uintptr_t k = (uintptr_t)arg;
    if (exe_tls != 17 || needed_read() != 11 * 1000 + 13)
        return (void *)1;
    uint64_t last = 0;
    for (uint64_t i = 0; i < 200000; i++) {
        exe_tls += k;
        last = needed_bump(k);
    }
    if (needed_ie != 11 + 200000 * k || last != 11 + 13 + 3 * 200000 * k)
        return (void *)2;
    return (void *)(exe_tls + needed_read() % 1000);
}

static void case_tls(void)
{
    pthread_t t[4];
    uint64_t sum = 0;
    for (uintptr_t k = 0; k < 4; k++)
        t[k] = spawn(tls_thread, (void *)(k + 1));
    exe_tls = 1;
    needed_bump(1000);
    for (int k = 0; k < 4; k++)
        sum += join(t[k]);
    say("tls: threads' sum %llu, main's %llu %llu", (unsigned long long)sum,
        (unsigned long long)exe_tls, (unsigned long long)needed_read());
}

// dlopen: threads that exist before the library is loaded, and threads that load it,
// all use its thread-local variables at once; the library is opened and closed from
// different threads, over and over.
static atomic_int go;
typedef uint64_t (*work_fn)(int);

static void *open_and_work(void *arg)
{
    while (!atomic_load(&go))
        ;
    void *h = dlopen(plugin_path, RTLD_NOW);
    if (!h)
        return (void *)0;
    work_fn work = (work_fn)dlsym(h, "plugin_work");
    void (*forget)(void) = (void (*)(void))dlsym(h, "plugin_forget");
    uint64_t r = work && forget ? work(1000 + (int)(uintptr_t)arg) : 0;
    if (forget)
        forget();    // its key's destructor must not run after our dlclose
    dlclose(h);
    return (void *)(uintptr_t)(r % 1000003);
}

static void case_dlopen(void)
{
    uint64_t sum = 0;
    int failed = 0;
    for (int round = 0; round < 6; round++) {
        pthread_t t[4];
        atomic_store(&go, 0);
        for (uintptr_t k = 0; k < 4; k++)
            t[k] = spawn(open_and_work, (void *)k);
        atomic_store(&go, 1);
        for (int k = 0; k < 4; k++) {
            uintptr_t r = join(t[k]);
            failed += r == 0;
            sum += r;
        }
    }
    // Still open: every thread's key destructor ran at its exit.
    void *h = dlopen(plugin_path, RTLD_NOW | RTLD_NOLOAD);
    say("dlopen: sum %llu, failed %d, loaded after the last close: %s", (unsigned long long)sum,
        failed, h ? "yes" : "no");
}

// existing: four threads start and wait; then main loads the library; the threads (whose
// dynamic TLS has no room for it yet) use it; then main closes it, and a new thread
// loads it again.
static pthread_barrier_t bar;
static work_fn shared_work;

static void *existing_thread(void *arg)
{
    pthread_barrier_wait(&bar);     // the library is loaded
    uint64_t r = shared_work(500 + (int)(uintptr_t)arg);
    pthread_barrier_wait(&bar);
    return (void *)(uintptr_t)(r % 1000003);
}

static void case_existing(void)
{
    pthread_t t[4];
    pthread_barrier_init(&bar, NULL, 5);
    for (uintptr_t k = 0; k < 4; k++)
        t[k] = spawn(existing_thread, (void *)k);
    void *h = dlopen(plugin_path, RTLD_NOW);
    must(h != NULL, "dlopen");
    shared_work = (work_fn)dlsym(h, "plugin_work");
    atomic_int *dtors = dlsym(h, "plugin_key_dtors");
    int *loads = dlsym(h, "plugin_loads");
    must(shared_work && dtors && loads, "dlsym");
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    uint64_t sum = 0;
    for (int k = 0; k < 4; k++)
        sum += join(t[k]);
    say("existing: sum %llu, key destructors %d, loads %d", (unsigned long long)sum,
        atomic_load(dtors), *loads);
    dlclose(h);
    pthread_t again = spawn(open_and_work, (void *)7);
    atomic_store(&go, 1);
    say("existing: a new thread after dlclose: %llu", (unsigned long long)join(again));
}

// lazy: sixteen functions bound lazily (RTLD_LAZY), every thread calling all of them
// in its own order at once: the first calls race through the resolver.
static void *lazy_fns[16];
typedef uint64_t (*fn1)(uint64_t);
static uint64_t (*lazy_driver)(void);

static void *lazy_thread(void *arg)
{
    uintptr_t k = (uintptr_t)arg;
    uint64_t sum = 0;
    while (!atomic_load(&go))
        ;
    for (int rep = 0; rep < 2000; rep++)
        for (int i = 0; i < 16; i++)
            sum += ((fn1)lazy_fns[(i * (2 * k + 1) + rep) % 16])((uint64_t)rep);
    return (void *)(uintptr_t)(sum % 1000003);
}

static void case_lazy(void)
{
    void *h = dlopen(plugin_path, RTLD_LAZY);
    must(h != NULL, "dlopen");
    for (int i = 0; i < 16; i++) {
        char name[32];
        snprintf(name, sizeof name, "plugin_f%d", i);
        lazy_fns[i] = dlsym(h, name);
        must(lazy_fns[i] != NULL, "dlsym");
    }
    (void)lazy_driver;
    pthread_t t[4];
    atomic_store(&go, 0);
    for (uintptr_t k = 0; k < 4; k++)
        t[k] = spawn(lazy_thread, (void *)k);
    atomic_store(&go, 1);
    uint64_t sum = 0;
    for (int k = 0; k < 4; k++)
        sum += join(t[k]);
    say("lazy: sum %llu", (unsigned long long)sum);
    dlclose(h);
}

// phdr: dl_iterate_phdr in three threads while a fourth opens and closes the library;
// every walk must find the C library and the program's needed library.
static atomic_int stop;

static int phdr_seen(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    int *seen = data;
    if (strstr(info->dlpi_name, "libc.so.6"))
        seen[0] = 1;
    if (strstr(info->dlpi_name, "libpar3needed.so"))
        seen[1] = 1;
    return 0;
}

static void *phdr_walker(void *arg)
{
    (void)arg;
    uintptr_t bad = 0;
    for (int i = 0; i < 3000; i++) {
        int seen[2] = { 0, 0 };
        dl_iterate_phdr(phdr_seen, seen);
        bad += !seen[0] || !seen[1];
    }
    return (void *)bad;
}

// 1 unless a dlopen failed. (Not whether one finished: on a fast host the walkers are
// done before the first does, and elsewhere not - the line would depend on timing.)
static void *phdr_opener(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        void *h = dlopen(plugin_path, RTLD_NOW);
        if (!h)
            return (void *)0;
        dlclose(h);
    }
    return (void *)1;
}

static void case_phdr(void)
{
    pthread_t w[3];
    pthread_t o = spawn(phdr_opener, NULL);
    for (int k = 0; k < 3; k++)
        w[k] = spawn(phdr_walker, NULL);
    uintptr_t bad = 0;
    for (int k = 0; k < 3; k++)
        bad += join(w[k]);
    atomic_store(&stop, 1);
    say("phdr: walks missing a library %lu, opener ok %lu", (unsigned long)bad, (unsigned long)join(o));
}

// cancel: pthread_cancel in a dynamic program loads libgcc_s.so.1 (for unwinding) the
// first time; four threads blocked in read and sleep, cancelled at once, run their
// cleanup handlers.
static atomic_int cleanups;

static void cleanup(void *arg)
{
    (void)arg;
    atomic_fetch_add(&cleanups, 1);
}

static void *cancel_thread(void *arg)
{
    int *fds = arg;
    char c;
    pthread_cleanup_push(cleanup, NULL);
    pthread_barrier_wait(&bar);
    if (fds)
        (void)!read(fds[0], &c, 1);
    else
        for (;;)
            sleep(10);
    pthread_cleanup_pop(0);
    return NULL;
}

static void case_cancel(void)
{
    int fds[2];
    must(pipe(fds) == 0, "pipe");
    pthread_barrier_init(&bar, NULL, 5);
    pthread_t t[4];
    for (int k = 0; k < 4; k++)
        t[k] = spawn(cancel_thread, k % 2 ? fds : NULL);
    pthread_barrier_wait(&bar);
    usleep(20000);
    for (int k = 0; k < 4; k++)
        must(pthread_cancel(t[k]) == 0, "pthread_cancel");
    int cancelled = 0;
    for (int k = 0; k < 4; k++) {
        void *r;
        pthread_join(t[k], &r);
        cancelled += r == PTHREAD_CANCELED;
    }
    say("cancel: cancelled %d, cleanups %d", cancelled, atomic_load(&cleanups));
}

// spawn: four threads each posix_spawn this (dynamic) program 3 times at once; the
// children load the C library again and exit with their number.
static void *spawn_thread(void *arg)
{
    uintptr_t k = (uintptr_t)arg, sum = 0;
    for (int i = 0; i < 3; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", (int)(k * 10 + i));
        char *argv[] = { self_path, "--exit", num, NULL };
        pid_t pid;
        int st;
        if (posix_spawn(&pid, self_path, NULL, NULL, argv, NULL) != 0)
            return (void *)0;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
            return (void *)0;
        sum += WEXITSTATUS(st);
    }
    return (void *)sum;
}

static void case_spawn(void)
{
    pthread_t t[4];
    for (uintptr_t k = 0; k < 4; k++)
        t[k] = spawn(spawn_thread, (void *)k);
    uintptr_t sum = 0;
    for (int k = 0; k < 4; k++)
        sum += join(t[k]);
    say("spawn: statuses sum %lu", (unsigned long)sum);
}

// churn: 400 threads made and joined four at a time, each mallocing in its own arena.
static void *churn_thread(void *arg)
{
    uintptr_t k = (uintptr_t)arg, sum = 0;
    for (int i = 0; i < 50; i++) {
        size_t n = 16 + (k * 131 + i * 977) % 20000;
        unsigned char *p = malloc(n);
        if (!p)
            return (void *)0;
        memset(p, (int)(k + i), n);
        sum += p[n - 1] + n;
        free(p);
    }
    return (void *)sum;
}

static void case_churn(void)
{
    uint64_t sum = 0;
    for (uintptr_t k = 0; k < 400; k += 4) {
        pthread_t t[4];
        for (int j = 0; j < 4; j++)
            t[j] = spawn(churn_thread, (void *)(k + j));
        for (int j = 0; j < 4; j++)
            sum += join(t[j]);
    }
    say("churn: sum %llu", (unsigned long long)sum);
}

// The same two cases with the library whose TLS is only dynamic.
static void case_dlopen_dyn(void)
{
    plugin_path = plugin_paths[1];
    case_dlopen();
}

static void case_existing_dyn(void)
{
    plugin_path = plugin_paths[1];
    case_existing();
}

static const struct { const char *name; void (*run)(void); } cases[] = {
    { "tls", case_tls }, { "dlopen", case_dlopen }, { "existing", case_existing },
    { "dlopen-dyn", case_dlopen_dyn }, { "existing-dyn", case_existing_dyn },
    { "lazy", case_lazy }, { "phdr", case_phdr }, { "cancel", case_cancel },
    { "spawn", case_spawn }, { "churn", case_churn },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static void run_case(int i)
{
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        cases[i].run();
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) != pid)
        ;
    if (WIFEXITED(st))
        say("%s: exit %d", cases[i].name, WEXITSTATUS(st));
    else
        say("%s: killed by signal %d", cases[i].name, WTERMSIG(st));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--exit") == 0)
        return atoi(argv[2]);
    self_path = argv[0];
    if (getpid() == 1)
        mount("proc", "/proc", "proc", 0, NULL);
    // The plugin sits next to the program.
    const char *names[2] = { "libpar3plugin.so", "libpar3dynplugin.so" };
    for (int i = 0; i < 2; i++) {
        char *slash = strrchr(argv[0], '/');
        int dir = slash ? (int)(slash + 1 - argv[0]) : 0;
        snprintf(plugin_paths[i], sizeof plugin_paths[i], "%.*s%s", dir, argv[0], names[i]);
    }
    plugin_path = plugin_paths[0];
    int ran = 0;
    for (int a = 1; a < argc; a++)
        for (int i = 0; i < NCASES; i++)
            if (strcmp(argv[a], cases[i].name) == 0)
                run_case(i), ran = 1;
    if (!ran)
        for (int i = 0; i < NCASES; i++)
            run_case(i);
    say("done");
    return 0;
}
