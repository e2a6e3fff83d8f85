// plugin.c: libpar3plugin.so, which par3dyn opens with dlopen from threads. Its
// thread-local variables are allocated on a thread's first use (global-dynamic, the
// dynamic TLS of threads that existed before the dlopen) or in the static TLS surplus
// (initial-exec: glibc allows a little of it in a dlopen'ed library, and fills it in
// for every thread at the dlopen). A pthread key
// with a destructor counts threads that used the library and ended; the constructor and
// destructor count loads and unloads.
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Built twice: libpar3plugin.so has an initial-exec variable, so its whole block goes in
// the static surplus (kept small: glibc's surplus is 512 bytes); libpar3dynplugin.so
// (-DDYNAMIC_TLS) has only dynamic TLS, with a larger block.
#ifdef DYNAMIC_TLS
#define BUF 4096
__thread uint32_t plugin_ie = 3;
#else
#define BUF 192
__attribute__((tls_model("initial-exec"))) __thread uint32_t plugin_ie = 3;
#endif
__thread uint64_t plugin_gd = 5;
__thread char plugin_buf[BUF] = "plugin";
static pthread_key_t key;
atomic_int plugin_key_dtors;
int plugin_loads;        // under the loader's lock: constructors run one at a time

static void count_dtor(void *p)
{
    free(p);
    atomic_fetch_add(&plugin_key_dtors, 1);
}

__attribute__((constructor)) static void plugin_init(void)
{
    plugin_loads++;
    pthread_key_create(&key, count_dtor);
}

__attribute__((destructor)) static void plugin_fini(void)
{
    pthread_key_delete(key);
}

// A thread that is about to dlclose the library lets go of its key's value first: the
// destructor is the library's code, and at the thread's exit the library may be gone (the
// last dlclose, in another thread, unmapped it). Counted as a destructor run.
void plugin_forget(void)
{
    void *p = pthread_getspecific(key);
    if (p) {
        pthread_setspecific(key, NULL);
        count_dtor(p);
    }
}

// Work for one thread: its counters start at their images' values whichever thread
// loaded the library, and no other thread's work shows in them.
uint64_t plugin_work(int n)
{
    if (plugin_gd != 5 || plugin_ie != 3 || strcmp(plugin_buf, "plugin") != 0)
        return 0;
    if (!pthread_getspecific(key))
        pthread_setspecific(key, malloc(16));
    for (int i = 0; i < n; i++) {
        plugin_gd += (uint64_t)i;
        plugin_ie += 1;
        plugin_buf[64 + i % 100] ^= (char)i;
    }
    uint64_t sum = plugin_gd + plugin_ie;
    for (int i = 0; i < BUF; i++)
        sum = sum * 31 + (unsigned char)plugin_buf[i];
    plugin_gd = 5, plugin_ie = 3;               // as found, for the next caller
    for (int i = 0; i < n; i++)
        plugin_buf[64 + i % 100] ^= (char)i;
    return sum;
}

// Sixteen functions, each first called through a lazily bound PLT slot from several
// threads at once (the caller resolves them with dlsym, then they call libc's).
#define F(k) uint64_t plugin_f##k(uint64_t x) { char s[32]; memset(s, 'a' + k, sizeof s); \
    return x * (k + 1) + strlen(memchr(s, 'a' + k, sizeof s) ? "xy" : "") + (uint64_t)abs(-k); }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15)
