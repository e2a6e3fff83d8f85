// threads_main.c: the thread test programs as one binary, busybox-style. Each static glibc
// program carries its own copy of the C library (~800 KiB), and the initramfs is guest RAM:
// so pthread_*.c, threadstress.c and user/bench_threads.c are linked into one file per C
// library (threads_glibc, threads_musl), each compiled with main renamed to NAME_main, and
// /bin/NAME_glibc, /bin/NAME_musl, /bin/bench_threads are symlinks to it. argv[0]'s last
// component, without its _glibc or _musl, says which program to run.
#include <stdio.h>
#include <string.h>

int pthread_sync_main(int argc, char **argv);
int pthread_signals_main(int argc, char **argv);
int pthread_process_main(int argc, char **argv);
int pthread_futex_main(int argc, char **argv);
int pthread_robust_main(int argc, char **argv);
int pthread_uaccess_main(int argc, char **argv);
int pthread_timers_main(int argc, char **argv);
int pthread_socketpair_main(int argc, char **argv);
int pthread_signalfd_main(int argc, char **argv);
int pthread_splice_main(int argc, char **argv);
int pthread_sysvmsg_main(int argc, char **argv);
int pthread_shm_main(int argc, char **argv);
int pthread_sysvsem_main(int argc, char **argv);
int pthread_pipe_main(int argc, char **argv);
int pthread_fileread_main(int argc, char **argv);
int pthread_filewrite_main(int argc, char **argv);
int pthread_unix_main(int argc, char **argv);
int pthread_unix_adv_main(int argc, char **argv);
int pthread_rseq_main(int argc, char **argv);
#ifdef WITH_GLIBC_ONLY
int threadstress_main(int argc, char **argv);
int bench_threads_main(int argc, char **argv);
int smpstress_main(int argc, char **argv);
#endif

static const struct {
    const char *name;
    int (*main)(int, char **);
} programs[] = {
    { "pthread_sync", pthread_sync_main },
    { "pthread_signals", pthread_signals_main },
    { "pthread_process", pthread_process_main },
    { "pthread_futex", pthread_futex_main },
    { "pthread_robust", pthread_robust_main },
    { "pthread_uaccess", pthread_uaccess_main },
    { "pthread_timers", pthread_timers_main },
    { "pthread_socketpair", pthread_socketpair_main },
    { "pthread_signalfd", pthread_signalfd_main },
    { "pthread_splice", pthread_splice_main },
    { "pthread_sysvmsg", pthread_sysvmsg_main },
    { "pthread_shm", pthread_shm_main },
    { "pthread_sysvsem", pthread_sysvsem_main },
    { "pthread_pipe", pthread_pipe_main },
    { "pthread_fileread", pthread_fileread_main },
    { "pthread_filewrite", pthread_filewrite_main },
    { "pthread_unix", pthread_unix_main },
    { "pthread_unix_adv", pthread_unix_adv_main },
    { "pthread_rseq", pthread_rseq_main },
#ifdef WITH_GLIBC_ONLY
    { "threadstress", threadstress_main },
    { "bench_threads", bench_threads_main },
    { "smpstress", smpstress_main },
#endif
};

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    size_t len = strlen(base);
    for (const char *suffix = "_glibc"; suffix; suffix = suffix[1] == 'g' ? "_musl" : NULL) {
        size_t n = strlen(suffix);
        if (len > n && strcmp(base + len - n, suffix) == 0) {
            len -= n;
            break;
        }
    }
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        if (strlen(programs[i].name) == len && strncmp(base, programs[i].name, len) == 0)
            return programs[i].main(argc, argv);
    }
    printf("%s: which program? run me as one of:", argv[0]);
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        printf(" %s", programs[i].name);
    printf("\n");
    return 2;
}
