// pthread_signals: signals and threads - pthread_kill runs the handler in the thread it
// names, a process-wide signal goes to a thread that does not block it, the signal mask
// is per thread, and the sigaltstack rules (per thread; SS_ONSTACK; EPERM while on it;
// SS_DISABLE; ENOMEM; EINVAL), a thread whose ids a raw setuid changed may still signal
// the others, and a process-wide signal sent as the thread it would go to blocks it goes
// to another thread (retarget). Built with glibc and musl; Linux is the oracle.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "thr_util.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)        // Linux 4.7; not in every libc's headers
#endif

// sigaltstack straight to the kernel: musl checks ss_size and ss_flags itself first.
static long sas(const stack_t *ss, stack_t *old)
{
    return syscall(SYS_sigaltstack, ss, old);
}

static volatile pid_t handler_tid;
static volatile int handled;

static void record_tid(int sig)
{
    (void)sig;
    handler_tid = gettid_();
    handled++;
}

static void install(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(how, &set, NULL);
}

static volatile pid_t target_tid;
static volatile int target_ready;

// Waits for SIGUSR1 with it unblocked only inside sigsuspend.
static void *target(void *arg)
{
    (void)arg;
    target_tid = gettid_();
    sigset_t none;
    sigemptyset(&none);
    target_ready = 1;
    sigsuspend(&none);
    return (void *)(intptr_t)handled;
}

static void wait_ready(void)
{
    for (int i = 0; i < 5000 && !target_ready; i++)
        sleep_ms(1);
}

static void directed(void)
{
    install(SIGUSR1, record_tid, 0);
    block(SIGUSR1, SIG_BLOCK);           // the new thread inherits the blocked mask
    pthread_t t;
    target_ready = 0;
    target_tid = 0;
    pthread_create(&t, NULL, target, NULL);
    block(SIGUSR1, SIG_UNBLOCK);         // main may take SIGUSR1 now: it must not get this one
    wait_ready();
    handled = 0;
    handler_tid = 0;
    check_rc("pthread_kill(thread, SIGUSR1)", pthread_kill(t, SIGUSR1));
    void *ret;
    pthread_join(t, &ret);
    yes("handler ran once", handled == 1);
    yes("handler ran in the target thread", handler_tid == target_tid && target_tid != 0);
    yes("sigsuspend returned in the target after its handler", (intptr_t)ret == 1);

    handled = 0;
    check_rc("pthread_kill(self, SIGUSR1)", pthread_kill(pthread_self(), SIGUSR1));
    yes("handler ran in main, before pthread_kill returned", handled == 1 && handler_tid == gettid_());
    check_rc("pthread_kill(self, 0)", pthread_kill(pthread_self(), 0));
    check_rc("pthread_kill(self, 999)", pthread_kill(pthread_self(), 999));
}

// A signal sent to the process, blocked in main: the thread that does not block it takes it.
static void process_wide(void)
{
    block(SIGUSR1, SIG_BLOCK);
    pthread_t t;
    target_ready = 0;
    target_tid = 0;
    pthread_create(&t, NULL, target, NULL);
    wait_ready();
    handled = 0;
    handler_tid = 0;
    check("kill(getpid(), SIGUSR1) with main blocking it", kill(getpid(), SIGUSR1));
    void *ret;
    pthread_join(t, &ret);
    yes("the other thread took it", handled == 1 && handler_tid == target_tid && target_tid != 0);
    sigset_t pending;
    sigpending(&pending);
    yes("nothing left pending in main", !sigismember(&pending, SIGUSR1));

    // Pending for the process while every thread blocks it: main gets it on unblocking.
    handled = 0;
    kill(getpid(), SIGUSR1);
    sigpending(&pending);
    yes("blocked process signal shows in sigpending", sigismember(&pending, SIGUSR1));
    block(SIGUSR1, SIG_UNBLOCK);
    yes("delivered to main on unblock", handled == 1 && handler_tid == gettid_());
}

static void *mask_thread(void *arg)
{
    (void)arg;
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    int inherited = sigismember(&cur, SIGUSR2);
    block(SIGUSR2, SIG_UNBLOCK);
    return (void *)(intptr_t)inherited;
}

static void masks(void)
{
    block(SIGUSR2, SIG_BLOCK);
    pthread_t t;
    pthread_create(&t, NULL, mask_thread, NULL);
    void *ret;
    pthread_join(t, &ret);
    yes("new thread inherits the creator's mask", (intptr_t)ret == 1);
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    yes("a thread's unblock leaves main's mask alone", sigismember(&cur, SIGUSR2));
    block(SIGUSR2, SIG_UNBLOCK);
}

// ---- sigaltstack
static char altstack[65536] __attribute__((aligned(16)));
static volatile int on_alt, altss_flags, change_errno, handler_ran;

static void alt_handler(int sig)
{
    (void)sig;
    char local;
    on_alt = &local >= altstack && &local < altstack + sizeof altstack;
    stack_t cur = { 0 };
    sas(NULL, &cur);
    altss_flags = cur.ss_flags;
    stack_t other = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    change_errno = sas(&other, NULL) < 0 ? errno : 0;
    handler_ran = 1;
}

static const char *ss_flags_name(int f)
{
    if (f == 0)
        return "0";
    if (f == SS_ONSTACK)
        return "SS_ONSTACK";
    if (f == SS_DISABLE)
        return "SS_DISABLE";
    static char buf[32];
    snprintf(buf, sizeof buf, "0x%x", f);
    return buf;
}

static void raise_and_report(const char *what)
{
    handler_ran = on_alt = altss_flags = change_errno = 0;
    raise(SIGUSR2);
    printf("%s: ran %s, on the alt stack %s, ss_flags inside %s, changing it inside %s\n", what,
           handler_ran ? "yes" : "no", on_alt ? "yes" : "no", ss_flags_name(altss_flags),
           change_errno ? err_name(change_errno) : "ok");
}

static void *alt_thread(void *arg)
{
    (void)arg;
    stack_t cur = { 0 };
    sas(NULL, &cur);
    return (void *)(intptr_t)cur.ss_flags;
}

static void altstack_rules(void)
{
    stack_t old = { 0 }, ss;
    check("sigaltstack(NULL, &old)", sas(NULL, &old));
    printf("initial ss_flags: %s, ss_size %zu\n", ss_flags_name(old.ss_flags), old.ss_size);

    install(SIGUSR2, alt_handler, SA_ONSTACK);
    raise_and_report("SA_ONSTACK, no alt stack");

    ss = (stack_t){ .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    check("sigaltstack(64 KiB)", sas(&ss, NULL));
    sas(NULL, &old);
    yes("query gives it back", old.ss_sp == altstack && old.ss_size == sizeof altstack);
    printf("ss_flags when not on it: %s\n", ss_flags_name(old.ss_flags));
    raise_and_report("SA_ONSTACK");

    install(SIGUSR2, alt_handler, 0);
    raise_and_report("without SA_ONSTACK");
    install(SIGUSR2, alt_handler, SA_ONSTACK);

    pthread_t t;
    void *ret;
    pthread_create(&t, NULL, alt_thread, NULL);
    pthread_join(t, &ret);
    printf("a new thread's ss_flags: %s\n", ss_flags_name((int)(intptr_t)ret));

    ss = (stack_t){ .ss_sp = altstack, .ss_size = 1024, .ss_flags = 0 };
    check("sigaltstack size 1024", sas(&ss, NULL));
    ss = (stack_t){ .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0x1234 };
    check("sigaltstack flags 0x1234", sas(&ss, NULL));
    ss = (stack_t){ .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = SS_ONSTACK };
    check("sigaltstack flags SS_ONSTACK (old programs: taken as 0)", sas(&ss, NULL));
    ss = (stack_t){ .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = (int)SS_AUTODISARM };
    check("sigaltstack flags SS_AUTODISARM", sas(&ss, NULL));
    raise_and_report("SS_AUTODISARM");
    check("sigaltstack bad pointer", sas((stack_t *)8, NULL));
    check("sigaltstack bad old pointer", sas(NULL, (stack_t *)8));

    ss = (stack_t){ .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
    check("sigaltstack SS_DISABLE (size 0 is fine)", sas(&ss, NULL));
    sas(NULL, &old);
    printf("after SS_DISABLE: ss_flags %s\n", ss_flags_name(old.ss_flags));
    raise_and_report("SA_ONSTACK after SS_DISABLE");
}

// A raw setuid changes the ids of the calling thread alone (glibc's and musl's setuid
// signal every thread to follow; Go's runtime makes the call, then signals the others):
// a thread may still signal the others of its process, whatever their ids (Linux's
// check_kill_permission skips the check inside one thread group). In a child: the ids go.
static volatile pid_t main_tid;

static void *setuid_then_signal(void *arg)
{
    (void)arg;
    check("raw setuid(4321) in one thread", syscall(SYS_setuid, 4321));
    check("tgkill of the main thread, still root",
          syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2));
    return NULL;
}

static void other_ids(void)
{
    install(SIGUSR2, record_tid, 0);
    handled = 0;
    main_tid = gettid_();
    pthread_t t;
    pthread_create(&t, NULL, setuid_then_signal, NULL);
    pthread_join(t, NULL);
    yes("the handler ran in the main thread", handled == 1 && handler_tid == main_tid);
}

// ---- a process-wide signal racing with the block of the thread it would go to
// Main blocks SIGUSR1; of the other two threads, the blocker comes first in the kernel's
// choice (Lantern's and Linux's: the oldest thread that does not block it) and, at the
// moment main sends, blocks SIGUSR1 and sleeps; the taker sleeps in pause() with it
// unblocked. Whichever took it, the signal must be delivered: one that was meant for the
// blocker when it blocked must go to the taker (Linux's retarget_shared_pending).
#define RACE_ROUNDS 300
static volatile int race_go, race_quit, race_blocked;

static void *race_blocker(void *arg)
{
    (void)arg;
    int round = 0;
    block(SIGUSR1, SIG_UNBLOCK);         // (main's mask, which it inherited, blocks it)
    while (!race_quit) {
        while (race_go == round && !race_quit)
            ;                            // spin: the send comes right after go
        if (race_quit)
            break;
        round = race_go;
        block(SIGUSR1, SIG_BLOCK);
        race_blocked = round;
        while (race_go == round && !race_quit)
            sleep_ms(1);                 // asleep, blocking it, until the round ends
        block(SIGUSR1, SIG_UNBLOCK);
    }
    return NULL;
}

static void *race_taker(void *arg)
{
    (void)arg;
    block(SIGUSR1, SIG_UNBLOCK);
    while (!race_quit)
        pause();
    return NULL;
}

static void retarget(void)
{
    install(SIGUSR1, record_tid, 0);
    block(SIGUSR1, SIG_BLOCK);
    pthread_t b, t;
    race_go = race_quit = race_blocked = 0;
    pthread_create(&b, NULL, race_blocker, NULL);
    pthread_create(&t, NULL, race_taker, NULL);
    sleep_ms(50);
    int lost = 0;
    handled = 0;
    for (int round = 1; round <= RACE_ROUNDS && !lost; round++) {
        int before = handled;
        race_go = round;
        kill(getpid(), SIGUSR1);
        for (int ms = 0; handled == before && ms < 2000; ms++)
            sleep_ms(1);
        lost += handled == before;
        while (race_blocked != round)
            sleep_ms(1);                 // the blocker has blocked: the next round may start
    }
    yes("every process-wide signal was delivered while its thread blocked it", lost == 0);
    race_quit = 1;
    race_go = -1;
    pthread_kill(t, SIGUSR1);            // out of pause()
    pthread_join(b, NULL);
    pthread_join(t, NULL);
    block(SIGUSR1, SIG_UNBLOCK);
}

// ---- kill() and sigqueue() given a thread's id, not the process's: Linux takes any
// thread's id for its process (kill_pid_info finds the thread, then signals its group).
// Lantern once answered ESRCH for all but the main thread's.
static volatile pid_t other_tid;

static void *wait_for_quit(void *arg)
{
    (void)arg;
    other_tid = gettid_();
    while (!race_quit)
        sleep_ms(1);
    return NULL;
}

static void by_thread_id(void)
{
    install(SIGUSR2, record_tid, 0);
    handled = 0;
    race_quit = 0;
    other_tid = 0;
    pthread_t t;
    pthread_create(&t, NULL, wait_for_quit, NULL);
    while (!other_tid)
        sleep_ms(1);
    check("kill(another thread's id, SIGUSR2)", kill(other_tid, SIGUSR2));
    for (int ms = 0; handled < 1 && ms < 2000; ms++)
        sleep_ms(1);                     // (not merged with the next one)
    union sigval v = { .sival_int = 1 };
    check("sigqueue(another thread's id, SIGUSR2)", sigqueue(other_tid, SIGUSR2, v));
    check("kill(-(a thread's id)), no such group", kill(-other_tid, SIGUSR2));
    for (int ms = 0; handled < 2 && ms < 2000; ms++)
        sleep_ms(1);
    yes("both were handled", handled == 2);
    race_quit = 1;
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_signals");
    directed();
    process_wide();
    masks();
    altstack_rules();
    in_child("a thread with other ids", other_ids);
    retarget();
    by_thread_id();
    return done();
}
