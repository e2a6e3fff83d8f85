// pthread_sysvmsg: System V message queues as parallel programs use them - forked workers
// sending results to a collector, requests and replies by message type, a thread blocked
// in msgrcv woken by another's msgsnd, a full queue, msgrcv's type rules (0, positive,
// MSG_EXCEPT, negative), E2BIG and MSG_NOERROR, IPC_STAT, IPC_SET, IPC_RMID waking a
// waiter with EIDRM, EINTR, permissions and errors. Linux is the oracle.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thr_util.h"

struct message {
    long type;
    char text[64];
};

static int qid;

static long send_text(long type, const char *text, int flags)
{
    struct message m = { .type = type };
    strncpy(m.text, text, sizeof m.text - 1);
    return msgsnd(qid, &m, strlen(text) + 1, flags);
}

static void receive(const char *what, long type, size_t size, int flags)
{
    struct message m;
    memset(&m, 0, sizeof m);
    long n = msgrcv(qid, &m, size, type, flags);
    if (n < 0)
        check(what, n);
    else
        printf("%s: %ld bytes, type %ld, \"%.*s\"\n", what, n, m.type, (int)n, m.text);
}

static void workers(void)
{
    for (int w = 0; w < 4; w++) {
        if (fork() == 0) {
            for (int i = 0; i < 50; i++) {
                struct { long type; long value; } m = { 1 + w, w * 1000 + i };
                if (msgsnd(qid, &m, sizeof m.value, 0) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    long sum = 0, count = 0, last[4] = { -1, -1, -1, -1 };
    int in_order = 1;
    while (count < 200) {
        struct { long type; long value; } m;
        if (msgrcv(qid, &m, sizeof m.value, 0, 0) != sizeof m.value)
            break;
        sum += m.value;
        count++;
        if (m.value <= last[m.type - 1])
            in_order = 0;
        last[m.type - 1] = m.value;
    }
    while (wait(NULL) > 0)
        ;
    printf("4 workers, 50 messages each: %ld received, sum %ld\n", count, sum);
    yes("  each worker's in the order sent", in_order);
}

static volatile pid_t waiter_tid;

static void *blocked_receiver(void *arg)
{
    (void)arg;
    waiter_tid = gettid_();
    receive("  the thread's msgrcv(type 9)", 9, 64, 0);
    return NULL;
}

static long removed_result, removed_errno;

static void *removed_while_waiting(void *arg)
{
    (void)arg;
    waiter_tid = gettid_();
    struct message m;
    removed_result = msgrcv(qid, &m, sizeof m.text, 5, 0);
    removed_errno = errno;
    return NULL;
}

static void on_alarm(int sig) { (void)sig; }

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    begin("pthread_sysvmsg");
    qid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    check("msgget IPC_PRIVATE", qid);
    workers();

    // Types.
    send_text(3, "three", 0);
    send_text(1, "one", 0);
    send_text(2, "two", 0);
    send_text(1, "uno", 0);
    receive("msgrcv type 2", 2, 64, 0);
    receive("msgrcv type -3 (the lowest up to 3)", -3, 64, 0);
    receive("msgrcv type 1 with MSG_EXCEPT", 1, 64, MSG_EXCEPT);
    receive("msgrcv type 0", 0, 64, 0);
    receive("msgrcv, none left, IPC_NOWAIT", 0, 64, IPC_NOWAIT);
    send_text(4, "a long message", 0);
    receive("msgrcv into 4 bytes", 4, 4, 0);
    receive("msgrcv into 4 bytes, MSG_NOERROR", 4, 4, MSG_NOERROR);

    // A thread blocked in msgrcv, woken by a send.
    mount("proc", "/proc", "proc", 0, NULL);   // as init, on Lantern (on the host: EPERM)
    pthread_t t;
    waiter_tid = 0;
    pthread_create(&t, NULL, blocked_receiver, NULL);
    while (!waiter_tid)
        sleep_ms(1);
    wait_until_sleeping(waiter_tid);
    send_text(8, "not for it", 0);
    send_text(9, "for it", 0);
    pthread_join(t, NULL);
    receive("the other message is still there", 0, 64, 0);

    // IPC_STAT and a full queue.
    struct msqid_ds ds;
    check("IPC_STAT", msgctl(qid, IPC_STAT, &ds));
    printf("  qbytes %lu qnum %lu cbytes %lu mode %o\n", (unsigned long)ds.msg_qbytes,
           (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes, ds.msg_perm.mode & 0777);
    ds.msg_qbytes = 100;
    check("IPC_SET msg_qbytes 100", msgctl(qid, IPC_SET, &ds));
    check_val("send 60",
              send_text(1, "012345678901234567890123456789012345678901234567890123456789", 0));
    check("send 60 more, IPC_NOWAIT (full)",
          send_text(1, "012345678901234567890123456789012345678901234567890123456789", IPC_NOWAIT));
    msgctl(qid, IPC_STAT, &ds);
    printf("  qnum %lu cbytes %lu\n", (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes);
    receive("take it", 0, 64, 0);

    // A signal ends a wait with EINTR.
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    receive("msgrcv, interrupted by SIGALRM", 77, 64, 0);

    // Errors.
    check("msgsnd type 0", send_text(0, "x", 0));
    check("msgsnd 8193 bytes", msgsnd(qid, &(struct message){ 1, "" }, 8193, 0));
    check("msgsnd from a bad address", msgsnd(qid, bad_address(), 4, 0));
    send_text(6, "lost", 0);
    check("msgrcv into a bad address", msgrcv(qid, bad_address(), 64, 0, IPC_NOWAIT));
    receive("  the message is gone", 0, 64, IPC_NOWAIT);
    check("msgrcv, size -1", msgrcv(qid, &ds, (size_t)-1, 0, IPC_NOWAIT));
    check("msgsnd to id -1", msgsnd(-1, &(struct message){ 1, "x" }, 2, 0));
    check("msgsnd to an id never made", msgsnd(0x7ffffffe, &(struct message){ 1, "x" }, 2, 0));
    check("msgctl, unknown command", msgctl(qid, 99, &ds));
    check("msgctl IPC_STAT into a bad address", msgctl(qid, IPC_STAT, bad_address()));
    key_t key = (key_t)(0x5a000000 | getpid());
    int k = msgget(key, IPC_CREAT | IPC_EXCL | 0640);
    check("msgget a key, IPC_CREAT|IPC_EXCL", k);
    yes("  the same id for the key", msgget(key, 0) == k);
    check("msgget it again IPC_CREAT|IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0640));
    check("msgget a key nobody made", msgget(key + 1, 0));
    check("IPC_RMID the key's queue", msgctl(k, IPC_RMID, NULL));
    check("IPC_STAT after IPC_RMID", msgctl(k, IPC_STAT, &ds));

    // IPC_RMID wakes a waiter with EIDRM.
    waiter_tid = 0;
    pthread_create(&t, NULL, removed_while_waiting, NULL);
    while (!waiter_tid)
        sleep_ms(1);
    wait_until_sleeping(waiter_tid);
    check("IPC_RMID", msgctl(qid, IPC_RMID, NULL));
    pthread_join(t, NULL);
    errno = (int)removed_errno;
    check("  the waiter's msgrcv", removed_result);
    check("msgsnd to the removed queue", send_text(1, "x", 0));
    return done();
}
