// flockpar.c: file locks under parallel load, as scripts and daemons use them; built with
// static glibc and with musl (tests/system/test_flock.py runs both on the host and on
// Lantern at 1 and 4 CPUs; the lines must be the same).
//
// Each round: 4 workers x 200 updates of one shared file, each update under a lock:
// read a counter at the file's start, write it back plus one, and append a record
// "worker iteration counter" at the end (found with lseek, not O_APPEND: without the lock
// records would overwrite each other and counts would be lost). Afterwards the counter
// must be 800, the records 800, the counters in them 1..800 in file order, and every
// (worker, iteration) present once. Rounds: flock(LOCK_EX) in processes, fcntl F_SETLKW
// (POSIX) in processes, F_OFD_SETLKW in threads of one process (each with its own open),
// and readers under LOCK_SH that must never see a half-rewritten file.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define ITERS 200
// Its own name per run: the glibc and musl builds may run at once on the host, same directory.
static char F[64];
#define HEADER 16                        // the counter: "%15d\n" at offset 0

enum method { BY_FLOCK, BY_POSIX, BY_OFD };

static void die(const char *what)
{
    printf("%s: error %s\n", what, strerror(errno));
    exit(1);
}

static void lock(int fd, enum method m, int on)
{
    if (m == BY_FLOCK) {
        if (flock(fd, on ? LOCK_EX : LOCK_UN) < 0)
            die("flock");
        return;
    }
    struct flock fl = {.l_type = on ? F_WRLCK : F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(fd, m == BY_OFD ? F_OFD_SETLKW : F_SETLKW, &fl) < 0)
        die("fcntl lock");
}

// One worker's updates, through its own open of the file.
static void work(int id, enum method m)
{
    int fd = open(F, O_RDWR);
    if (fd < 0)
        die("open");
    for (int i = 0; i < ITERS; i++) {
        char buf[64];
        lock(fd, m, 1);
        if (pread(fd, buf, HEADER, 0) != HEADER)
            die("pread");
        int n = atoi(buf) + 1;
        snprintf(buf, sizeof buf, "%15d\n", n);
        if (pwrite(fd, buf, HEADER, 0) != HEADER)
            die("pwrite");
        if (i % 16 == 0)
            sched_yield();               // let the others pile up on the lock
        int len = snprintf(buf, sizeof buf, "%d %d %d\n", id, i, n);
        if (lseek(fd, 0, SEEK_END) < 0 || write(fd, buf, len) != len)
            die("append");
        lock(fd, m, 0);
    }
    close(fd);
}

static void *thread_work(void *arg)
{
    work((int)(long)arg, BY_OFD);
    return NULL;
}

static void create(void)
{
    int fd = open(F, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[HEADER + 1];
    snprintf(buf, sizeof buf, "%15d\n", 0);
    if (fd < 0 || write(fd, buf, HEADER) != HEADER)
        die("create");
    close(fd);
}

// Reads the file back and prints what the round left.
static void verify(const char *round)
{
    static char data[1 << 16];
    int fd = open(F, O_RDONLY);
    long n = read(fd, data, sizeof data - 1);
    close(fd);
    if (n < HEADER)
        die("read back");
    data[n] = 0;
    static unsigned char seen[WORKERS][ITERS];
    memset(seen, 0, sizeof seen);
    int records = 0, in_order = 1, dups = 0;
    unsigned long sum = 0;
    for (char *line = data + HEADER; *line;) {
        int id, i, c;
        if (sscanf(line, "%d %d %d", &id, &i, &c) != 3 || id < 0 || id >= WORKERS || i < 0 || i >= ITERS)
            break;
        records++;
        in_order &= c == records;
        dups += seen[id][i]++ != 0;
        sum += (unsigned long)(id * 1000 + i) * 2654435761u % 1000003;
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    printf("%s: counter %d, records %d, counters in order %s, duplicates %d, checksum %lu\n",
           round, atoi(data), records, in_order ? "yes" : "no", dups, sum);
}

static void processes(const char *round, enum method m)
{
    create();
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        if (pids[w] < 0)
            die("fork");
        if (pids[w] == 0) {
            work(w, m);
            _exit(0);
        }
    }
    int bad = 0;
    for (int w = 0; w < WORKERS; w++) {
        int st;
        if (waitpid(pids[w], &st, 0) != pids[w] || st != 0)
            bad++;
    }
    printf("%s: workers that failed %d\n", round, bad);
    verify(round);
}

static void threads(const char *round)
{
    create();
    pthread_t t[WORKERS];
    for (long w = 0; w < WORKERS; w++)
        if (pthread_create(&t[w], NULL, thread_work, (void *)w) != 0)
            die("pthread_create");
    for (int w = 0; w < WORKERS; w++)
        pthread_join(t[w], NULL);
    verify(round);
}

// A writer rewrites the whole file with one letter, in two halves, under LOCK_EX; three
// readers under LOCK_SH read it whole and count files of mixed letters (must be none).
#define SIZE 8192
static void shared_readers(void)
{
    create();
    pid_t pids[4];
    int pipefd[2];
    if (pipe(pipefd) < 0)
        die("pipe");
    for (int w = 0; w < 4; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            static char buf[SIZE];
            int fd = open(F, O_RDWR), mixed = 0;
            for (int i = 0; i < 100; i++) {
                if (w == 0) {
                    memset(buf, 'a' + i % 26, SIZE);
                    flock(fd, LOCK_EX);
                    if (pwrite(fd, buf, SIZE / 2, 0) != SIZE / 2)
                        die("pwrite");
                    sched_yield();
                    if (pwrite(fd, buf + SIZE / 2, SIZE / 2, SIZE / 2) != SIZE / 2)
                        die("pwrite");
                    flock(fd, LOCK_UN);
                } else {
                    flock(fd, LOCK_SH);
                    long n = pread(fd, buf, SIZE, 0);
                    flock(fd, LOCK_UN);
                    int odd = 0;
                    for (long k = 1; n == SIZE && k < SIZE; k++)
                        odd |= buf[k] != buf[0];     // one letter, or the writer was seen midway
                    mixed += odd;
                }
            }
            if (write(pipefd[1], &mixed, sizeof mixed) != sizeof mixed)
                die("write result");
            _exit(0);
        }
    }
    int mixed = 0;
    for (int w = 0; w < 4; w++) {
        int m;
        if (read(pipefd[0], &m, sizeof m) != sizeof m)
            die("read result");
        mixed += m;
        waitpid(pids[w], NULL, 0);
    }
    close(pipefd[0]);
    close(pipefd[1]);
    printf("LOCK_SH readers: mixed files seen %d\n", mixed);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(F, sizeof F, "flockpar.%d.tmp", (int)getpid());
    printf("flockpar: start\n");
    processes("flock LOCK_EX, 4 processes", BY_FLOCK);
    processes("fcntl F_SETLKW, 4 processes", BY_POSIX);
    threads("fcntl F_OFD_SETLKW, 4 threads");
    shared_readers();
    unlink(F);
    printf("done\n");
    return 0;
}
