// syscall.c: from the `syscall` instruction to the function that does the work.
//
// syscall_init() programs the MSRs that make `syscall` land in syscall_entry.asm, which
// saves the user's registers as a trapframe and calls syscall_dispatch(). The table below
// is indexed by Linux's x86_64 system-call numbers, so programs built for Linux work.
#include <stdbool.h>
#include <stdint.h>
#include "bklstat.h"
#include "errno.h"
#include "gdt.h"
#include "ksignal.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "sleeplock.h"
#include "smp.h"
#include "syscall.h"
#include "trace.h"
#include "trap.h"
#include "x86.h"

#define MSR_EFER  0xc0000080
#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083   // syscall from 32-bit code
#define MSR_FMASK 0xc0000084
#define EFER_SCE  (1u << 0)    // syscall enable

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);
// How a call runs: under the big kernel lock, or without it - lockless (interrupts off,
// touching nothing shared) or unlocked (interrupts on, taking the BKL itself around what
// needs it: bkl_lock).
enum syscall_lock { UNDER_BKL, LOCKLESS, UNLOCKED };
struct syscall_entry { const char *name; syscall_fn fn; enum syscall_lock lock; };

// The table: one line per system call, sorted by number, each with the prototype Linux
// documents for the raw system call (syscalls(2), the man pages). Where glibc's wrapper
// returns something else, a note says what the kernel returns. A number with no entry
// returns -ENOSYS, as Linux does for a call it lacks. L and U mark the few that run without
// the big kernel lock (syscall_lockless and syscall_unlocked, below).
#define NR_SYSCALLS 512
#define E(nr, name) [nr] = { #name, sys_##name, UNDER_BKL }
#define L(nr, name) [nr] = { #name, sys_##name, LOCKLESS }
#define U(nr, name) [nr] = { #name, sys_##name, UNLOCKED }
static const struct syscall_entry table[NR_SYSCALLS] = {
    U(0, read),                // ssize_t read(int fd, void *buf, size_t count)
    U(1, write),               // ssize_t write(int fd, const void *buf, size_t count)
    E(2, open),                // int open(const char *pathname, int flags, mode_t mode)
    E(3, close),               // int close(int fd)
    E(4, stat),                // int stat(const char *pathname, struct stat *statbuf)
    E(5, fstat),               // int fstat(int fd, struct stat *statbuf)
    E(6, lstat),               // int lstat(const char *pathname, struct stat *statbuf)
    E(7, poll),                // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
    E(8, lseek),               // off_t lseek(int fd, off_t offset, int whence)
    E(9, mmap),                // void *mmap(void *addr, size_t length, int prot, int flags,
                               //     int fd, off_t offset)
    E(10, mprotect),           // int mprotect(void *addr, size_t len, int prot)
    U(11, munmap),             // int munmap(void *addr, size_t length)
    E(12, brk),                // unsigned long brk(unsigned long brk)
                               //   (returns the new break; glibc's brk differs)
    E(13, rt_sigaction),       // int rt_sigaction(int sig, const struct sigaction *act,
                               //     struct sigaction *oact, size_t sigsetsize)
    U(14, rt_sigprocmask),     // int rt_sigprocmask(int how, const sigset_t *set, sigset_t *oset,
                               //     size_t sigsetsize)
    E(15, rt_sigreturn),       // int rt_sigreturn(void)
                               //   (never returns: restores the signal frame's registers)
    E(16, ioctl),              // int ioctl(int fd, unsigned long request, unsigned long arg)
    U(17, pread64),            // ssize_t pread64(int fd, void *buf, size_t count, off_t offset)
    U(18, pwrite64),           // ssize_t pwrite64(int fd, const void *buf, size_t count,
                               //     off_t offset)
    U(19, readv),              // ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
    U(20, writev),             // ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
    E(21, access),             // int access(const char *pathname, int mode)
    E(22, pipe),               // int pipe(int pipefd[2])
    E(23, select),             // int select(int nfds, fd_set *readfds, fd_set *writefds,
                               //     fd_set *exceptfds, struct timeval *timeout)
    L(24, sched_yield),        // int sched_yield(void)
    E(25, mremap),             // void *mremap(void *old_address, size_t old_size,
                               //     size_t new_size, int flags, void *new_address)
    E(26, msync),              // int msync(void *addr, size_t length, int flags)
    E(27, mincore),            // int mincore(void *addr, size_t length, unsigned char *vec)
    U(28, madvise),            // int madvise(void *addr, size_t length, int advice)
    E(29, shmget),             // int shmget(key_t key, size_t size, int shmflg)
    E(30, shmat),              // void *shmat(int shmid, const void *shmaddr, int shmflg)
    E(31, shmctl),             // int shmctl(int shmid, int cmd, struct shmid_ds *buf)
    E(32, dup),                // int dup(int oldfd)
    E(33, dup2),               // int dup2(int oldfd, int newfd)
    E(34, pause),              // int pause(void)
    U(35, nanosleep),          // int nanosleep(const struct timespec *req, struct timespec *rem)
    E(36, getitimer),          // int getitimer(int which, struct itimerval *curr_value)
    E(37, alarm),              // unsigned int alarm(unsigned int seconds)
    E(38, setitimer),          // int setitimer(int which, const struct itimerval *new_value,
                               //     struct itimerval *old_value)
    L(39, getpid),             // pid_t getpid(void)
    E(40, sendfile),           // ssize_t sendfile(int out_fd, int in_fd, off_t *offset,
                               //     size_t count)
    E(41, socket),             // int socket(int domain, int type, int protocol)
    E(42, connect),            // int connect(int sockfd, const struct sockaddr *addr,
                               //     socklen_t addrlen)
    E(43, accept),             // int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
    U(44, sendto),             // ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,
                               //     const struct sockaddr *dest_addr, socklen_t addrlen)
    U(45, recvfrom),           // ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags,
                               //     struct sockaddr *src_addr, socklen_t *addrlen)
    U(46, sendmsg),            // ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags)
    U(47, recvmsg),            // ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags)
    E(48, shutdown),           // int shutdown(int sockfd, int how)
    E(49, bind),               // int bind(int sockfd, const struct sockaddr *addr,
                               //     socklen_t addrlen)
    E(50, listen),             // int listen(int sockfd, int backlog)
    E(51, getsockname),        // int getsockname(int sockfd, struct sockaddr *addr,
                               //     socklen_t *addrlen)
    E(52, getpeername),        // int getpeername(int sockfd, struct sockaddr *addr,
                               //     socklen_t *addrlen)
    E(53, socketpair),         // int socketpair(int domain, int type, int protocol, int sv[2])
    E(54, setsockopt),         // int setsockopt(int sockfd, int level, int optname,
                               //     const void *optval, socklen_t optlen)
    E(55, getsockopt),         // int getsockopt(int sockfd, int level, int optname,
                               //     void *optval, socklen_t *optlen)
    E(56, clone),              // long clone(unsigned long flags, void *stack, int *parent_tid,
                               //     int *child_tid, unsigned long tls)
    E(57, fork),               // pid_t fork(void)
    E(58, vfork),              // pid_t vfork(void)
    U(59, execve),             // int execve(const char *pathname, char *const argv[],
                               //     char *const envp[])
    E(60, exit),               // void exit(int status)  (ends this thread only)
    U(61, wait4),              // pid_t wait4(pid_t pid, int *wstatus, int options,
                               //     struct rusage *rusage)
    E(62, kill),               // int kill(pid_t pid, int sig)
    E(63, uname),              // int uname(struct utsname *buf)
    E(64, semget),             // int semget(key_t key, int nsems, int semflg)
    E(65, semop),              // int semop(int semid, struct sembuf *sops, size_t nsops)
    E(66, semctl),             // int semctl(int semid, int semnum, int cmd, union semun arg)
    E(67, shmdt),              // int shmdt(const void *shmaddr)
    E(68, msgget),             // int msgget(key_t key, int msgflg)
    E(69, msgsnd),             // int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)
    E(70, msgrcv),             // ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp,
                               //     int msgflg)
    E(71, msgctl),             // int msgctl(int msqid, int cmd, struct msqid_ds *buf)
    E(72, fcntl),              // int fcntl(int fd, int cmd, unsigned long arg)
    E(73, flock),              // int flock(int fd, int operation)
    E(74, fsync),              // int fsync(int fd)
    E(75, fdatasync),          // int fdatasync(int fd)
    E(76, truncate),           // int truncate(const char *path, off_t length)
    E(77, ftruncate),          // int ftruncate(int fd, off_t length)
    E(78, getdents),           // long getdents(unsigned int fd, struct linux_dirent *dirp,
                               //     unsigned int count)
    E(79, getcwd),             // long getcwd(char *buf, size_t size)
                               //   (returns the length, glibc returns buf)
    E(80, chdir),              // int chdir(const char *path)
    E(81, fchdir),             // int fchdir(int fd)
    E(82, rename),             // int rename(const char *oldpath, const char *newpath)
    E(83, mkdir),              // int mkdir(const char *pathname, mode_t mode)
    E(84, rmdir),              // int rmdir(const char *pathname)
    E(85, creat),              // int creat(const char *pathname, mode_t mode)
    E(86, link),               // int link(const char *oldpath, const char *newpath)
    E(87, unlink),             // int unlink(const char *pathname)
    E(88, symlink),            // int symlink(const char *target, const char *linkpath)
    E(89, readlink),           // ssize_t readlink(const char *pathname, char *buf, size_t bufsiz)
    E(90, chmod),              // int chmod(const char *pathname, mode_t mode)
    E(91, fchmod),             // int fchmod(int fd, mode_t mode)
    E(92, chown),              // int chown(const char *pathname, uid_t owner, gid_t group)
    E(93, fchown),             // int fchown(int fd, uid_t owner, gid_t group)
    E(94, lchown),             // int lchown(const char *pathname, uid_t owner, gid_t group)
    E(95, umask),              // mode_t umask(mode_t mask)
    U(96, gettimeofday),       // int gettimeofday(struct timeval *tv, struct timezone *tz)
    E(97, getrlimit),          // int getrlimit(int resource, struct rlimit *rlim)
    E(98, getrusage),          // int getrusage(int who, struct rusage *usage)
    E(99, sysinfo),            // int sysinfo(struct sysinfo *info)
    L(102, getuid),            // uid_t getuid(void)
    E(103, syslog),            // int syslog(int type, char *bufp, int len)
    L(104, getgid),            // gid_t getgid(void)
    E(105, setuid),            // int setuid(uid_t uid)
    E(106, setgid),            // int setgid(gid_t gid)
    L(107, geteuid),           // uid_t geteuid(void)
    L(108, getegid),           // gid_t getegid(void)
    E(109, setpgid),           // int setpgid(pid_t pid, pid_t pgid)
    E(110, getppid),           // pid_t getppid(void)
    E(111, getpgrp),           // pid_t getpgrp(void)
    E(112, setsid),            // pid_t setsid(void)
    E(113, setreuid),          // int setreuid(uid_t ruid, uid_t euid)
    E(114, setregid),          // int setregid(gid_t rgid, gid_t egid)
    E(115, getgroups),         // int getgroups(int size, gid_t list[])
    E(116, setgroups),         // int setgroups(size_t size, const gid_t *list)
    E(117, setresuid),         // int setresuid(uid_t ruid, uid_t euid, uid_t suid)
    E(118, getresuid),         // int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid)
    E(119, setresgid),         // int setresgid(gid_t rgid, gid_t egid, gid_t sgid)
    E(120, getresgid),         // int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid)
    E(121, getpgid),           // pid_t getpgid(pid_t pid)
    E(122, setfsuid),          // int setfsuid(uid_t fsuid)
    E(123, setfsgid),          // int setfsgid(gid_t fsgid)
    E(124, getsid),            // pid_t getsid(pid_t pid)
    E(127, rt_sigpending),     // int rt_sigpending(sigset_t *set, size_t sigsetsize)
    E(128, rt_sigtimedwait),   // int rt_sigtimedwait(const sigset_t *set, siginfo_t *info,
                               //     const struct timespec *timeout, size_t sigsetsize)
    E(129, rt_sigqueueinfo),   // int rt_sigqueueinfo(pid_t tgid, int sig, siginfo_t *info)
    E(130, rt_sigsuspend),     // int rt_sigsuspend(const sigset_t *mask, size_t sigsetsize)
    U(131, sigaltstack),       // int sigaltstack(const stack_t *ss, stack_t *old_ss)
    E(132, utime),             // int utime(const char *filename, const struct utimbuf *times)
    E(133, mknod),             // int mknod(const char *pathname, mode_t mode, dev_t dev)
    E(135, personality),       // int personality(unsigned long persona)
    E(137, statfs),            // int statfs(const char *path, struct statfs *buf)
    E(138, fstatfs),           // int fstatfs(int fd, struct statfs *buf)
    E(140, getpriority),       // int getpriority(int which, id_t who): 20 - nice
    E(141, setpriority),       // int setpriority(int which, id_t who, int nice)
    E(142, sched_setparam),    // int sched_setparam(pid_t pid, const struct sched_param *p)
    E(143, sched_getparam),    // int sched_getparam(pid_t pid, struct sched_param *p)
    E(144, sched_setscheduler), // int sched_setscheduler(pid_t pid, int policy,
                               //                        const struct sched_param *p)
    E(145, sched_getscheduler), // int sched_getscheduler(pid_t pid)
    E(146, sched_get_priority_max), // int sched_get_priority_max(int policy)
    E(147, sched_get_priority_min), // int sched_get_priority_min(int policy)
    E(148, sched_rr_get_interval),  // int sched_rr_get_interval(pid_t pid, struct timespec *tp)
    E(149, mlock),             // int mlock(const void *addr, size_t len)
    E(150, munlock),           // int munlock(const void *addr, size_t len)
    E(151, mlockall),          // int mlockall(int flags)
    E(152, munlockall),        // int munlockall(void)
    E(157, prctl),             // int prctl(int option, unsigned long arg2, unsigned long arg3,
                               //     unsigned long arg4, unsigned long arg5)
    E(158, arch_prctl),        // int arch_prctl(int code, unsigned long addr)
    E(160, setrlimit),         // int setrlimit(int resource, const struct rlimit *rlim)
    E(161, chroot),            // int chroot(const char *path)
    E(162, sync),              // void sync(void)
    E(164, settimeofday),      // int settimeofday(const struct timeval *tv,
                               //     const struct timezone *tz)
    E(165, mount),             // int mount(const char *source, const char *target,
                               //     const char *filesystemtype, unsigned long mountflags,
                               //     const void *data)
    E(166, umount2),           // int umount2(const char *target, int flags)
    E(169, reboot),            // int reboot(int magic1, int magic2, int cmd, void *arg)
    E(170, sethostname),       // int sethostname(const char *name, size_t len)
    L(186, gettid),            // pid_t gettid(void)
    E(200, tkill),             // int tkill(pid_t tid, int sig)
    U(201, time),              // time_t time(time_t *tloc)
    U(202, futex),             // long futex(uint32_t *uaddr, int futex_op, uint32_t val,
                               //     const struct timespec *timeout, uint32_t *uaddr2,
                               //     uint32_t val3)
    E(203, sched_setaffinity), // int sched_setaffinity(pid_t pid, size_t cpusetsize,
                               //     const cpu_set_t *mask)
    E(204, sched_getaffinity), // int sched_getaffinity(pid_t pid, size_t cpusetsize,
                               //     cpu_set_t *mask)  (returns the size copied)
    E(213, epoll_create),      // int epoll_create(int size)
    E(217, getdents64),        // ssize_t getdents64(int fd, void *dirp, size_t count)
    E(218, set_tid_address),   // pid_t set_tid_address(int *tidptr)
    E(220, semtimedop),        // int semtimedop(int semid, struct sembuf *sops, size_t nsops,
                               //     const struct timespec *timeout)
    E(221, fadvise64),         // int fadvise64(int fd, off_t offset, off_t len, int advice)
    E(222, timer_create),      // int timer_create(clockid_t clockid, struct sigevent *sevp,
                               //     timer_t *timerid)
    E(223, timer_settime),     // int timer_settime(timer_t timerid, int flags,
                               //     const struct itimerspec *new_value, struct itimerspec *old)
    E(224, timer_gettime),     // int timer_gettime(timer_t timerid, struct itimerspec *curr)
    E(225, timer_getoverrun),  // int timer_getoverrun(timer_t timerid)
    E(226, timer_delete),      // int timer_delete(timer_t timerid)
    E(227, clock_settime),     // int clock_settime(clockid_t clockid, const struct timespec *tp)
    U(228, clock_gettime),     // int clock_gettime(clockid_t clockid, struct timespec *tp)
    U(229, clock_getres),      // int clock_getres(clockid_t clockid, struct timespec *res)
    U(230, clock_nanosleep),   // int clock_nanosleep(clockid_t clockid, int flags,
                               //     const struct timespec *request, struct timespec *remain)
    E(231, exit_group),        // void exit_group(int status)
    E(232, epoll_wait),        // int epoll_wait(int epfd, struct epoll_event *events,
                               //     int maxevents, int timeout)
    E(233, epoll_ctl),         // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
    E(234, tgkill),            // int tgkill(pid_t tgid, pid_t tid, int sig)
    E(235, utimes),            // int utimes(const char *filename, const struct timeval times[2])
    E(240, mq_open),           // mqd_t mq_open(const char *name, int oflag, mode_t mode,
                               //     struct mq_attr *attr)   (glibc passes name without its '/')
    E(241, mq_unlink),         // int mq_unlink(const char *name)
    E(242, mq_timedsend),      // int mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
                               //     unsigned msg_prio, const struct timespec *abs_timeout)
    E(243, mq_timedreceive),   // ssize_t mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
                               //     unsigned *msg_prio, const struct timespec *abs_timeout)
    E(244, mq_notify),         // int mq_notify(mqd_t mqdes, const struct sigevent *sevp)
    E(245, mq_getsetattr),     // int mq_getsetattr(mqd_t mqdes, const struct mq_attr *newattr,
                               //     struct mq_attr *oldattr)
    U(247, waitid),            // int waitid(idtype_t idtype, id_t id, siginfo_t *infop,
                               //     int options, struct rusage *rusage)
    E(257, openat),            // int openat(int dirfd, const char *pathname, int flags,
                               //     mode_t mode)
    E(258, mkdirat),           // int mkdirat(int dirfd, const char *pathname, mode_t mode)
    E(259, mknodat),           // int mknodat(int dirfd, const char *pathname, mode_t mode,
                               //     dev_t dev)
    E(260, fchownat),          // int fchownat(int dirfd, const char *pathname, uid_t owner,
                               //     gid_t group, int flags)
    E(261, futimesat),         // int futimesat(int dirfd, const char *pathname,
                               //     const struct timeval times[2])
    E(262, newfstatat),        // int newfstatat(int dirfd, const char *pathname,
                               //     struct stat *statbuf, int flags)
    E(263, unlinkat),          // int unlinkat(int dirfd, const char *pathname, int flags)
    E(264, renameat),          // int renameat(int olddirfd, const char *oldpath, int newdirfd,
                               //     const char *newpath)
    E(265, linkat),            // int linkat(int olddirfd, const char *oldpath, int newdirfd,
                               //     const char *newpath, int flags)
    E(266, symlinkat),         // int symlinkat(const char *target, int newdirfd,
                               //     const char *linkpath)
    E(267, readlinkat),        // ssize_t readlinkat(int dirfd, const char *pathname, char *buf,
                               //     size_t bufsiz)
    E(268, fchmodat),          // int fchmodat(int dirfd, const char *pathname, mode_t mode)
    E(269, faccessat),         // int faccessat(int dirfd, const char *pathname, int mode)
    E(270, pselect6),          // int pselect6(int nfds, fd_set *readfds, fd_set *writefds,
                               //     fd_set *exceptfds, const struct timespec *timeout,
                               //     const void *sigmask)
    E(271, ppoll),             // int ppoll(struct pollfd *fds, nfds_t nfds,
                               //     const struct timespec *tmo_p, const sigset_t *sigmask,
                               //     size_t sigsetsize)
    E(273, set_robust_list),   // long set_robust_list(struct robust_list_head *head, size_t len)
    E(274, get_robust_list),   // long get_robust_list(int pid, struct robust_list_head **head_ptr,
                               //     size_t *len_ptr)
    E(275, splice),            // ssize_t splice(int fd_in, off64_t *off_in, int fd_out,
                               //     off64_t *off_out, size_t len, unsigned int flags)
    E(276, tee),               // ssize_t tee(int fd_in, int fd_out, size_t len,
                               //     unsigned int flags)
    E(278, vmsplice),          // ssize_t vmsplice(int fd, const struct iovec *iov,
                               //     size_t nr_segs, unsigned int flags)
    E(280, utimensat),         // int utimensat(int dirfd, const char *pathname,
                               //     const struct timespec times[2], int flags)
    E(281, epoll_pwait),       // int epoll_pwait(int epfd, struct epoll_event *events,
                               //     int maxevents, int timeout, const sigset_t *sigmask,
                               //     size_t sigsetsize)
    E(282, signalfd),          // int signalfd(int fd, const sigset_t *mask, size_t sizemask)
    E(283, timerfd_create),    // int timerfd_create(int clockid, int flags)
    E(284, eventfd),           // int eventfd(unsigned int initval)
    E(285, fallocate),         // int fallocate(int fd, int mode, off_t offset, off_t len)
    E(286, timerfd_settime),   // int timerfd_settime(int fd, int flags,
                               //     const struct itimerspec *new, struct itimerspec *old)
    E(287, timerfd_gettime),   // int timerfd_gettime(int fd, struct itimerspec *curr)
    E(288, accept4),           // int accept4(int sockfd, struct sockaddr *addr,
                               //     socklen_t *addrlen, int flags)
    E(289, signalfd4),         // int signalfd4(int fd, const sigset_t *mask, size_t sizemask,
                               //     int flags)
    E(290, eventfd2),          // int eventfd2(unsigned int initval, int flags)
    E(291, epoll_create1),     // int epoll_create1(int flags)
    E(292, dup3),              // int dup3(int oldfd, int newfd, int flags)
    E(293, pipe2),             // int pipe2(int pipefd[2], int flags)
    U(295, preadv),            // ssize_t preadv(int fd, const struct iovec *iov, int iovcnt,
                               //     long pos_l, long pos_h)
    U(296, pwritev),           // ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt,
                               //     long pos_l, long pos_h)
    E(297, rt_tgsigqueueinfo), // int rt_tgsigqueueinfo(pid_t tgid, pid_t tid, int sig,
                               //     siginfo_t *info)
    E(302, prlimit64),         // int prlimit64(pid_t pid, int resource,
                               //     const struct rlimit *new_limit, struct rlimit *old_limit)
    E(306, syncfs),            // int syncfs(int fd)
    E(309, getcpu),            // int getcpu(unsigned int *cpu, unsigned int *node, void *tcache)
    E(316, renameat2),         // int renameat2(int olddirfd, const char *oldpath, int newdirfd,
                               //     const char *newpath, unsigned int flags)
    E(318, getrandom),         // ssize_t getrandom(void *buf, size_t buflen, unsigned int flags)
    E(319, memfd_create),      // int memfd_create(const char *name, unsigned int flags)
    E(324, membarrier),        // int membarrier(int cmd, unsigned int flags, int cpu_id)
    E(325, mlock2),            // int mlock2(const void *addr, size_t len, unsigned flags)
    E(326, copy_file_range),   // ssize_t copy_file_range(int fd_in, off_t *off_in, int fd_out,
                               //     off_t *off_out, size_t len, unsigned int flags)
    U(327, preadv2),           // ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt,
                               //     long pos_l, long pos_h, int flags)
    U(328, pwritev2),          // ssize_t pwritev2(int fd, const struct iovec *iov, int iovcnt,
                               //     long pos_l, long pos_h, int flags)
    E(332, statx),             // int statx(int dirfd, const char *pathname, int flags,
                               //     unsigned int mask, struct statx *statxbuf)
    E(334, rseq),              // int rseq(struct rseq *rseq, uint32_t rseq_len, int flags,
                               //     uint32_t sig)
    E(424, pidfd_send_signal), // int pidfd_send_signal(int pidfd, int sig, siginfo_t *info,
                               //     unsigned int flags)
    E(434, pidfd_open),        // int pidfd_open(pid_t pid, unsigned int flags)
    E(435, clone3),            // long clone3(struct clone_args *cl_args, size_t size)
    E(436, close_range),       // int close_range(unsigned first, unsigned last, unsigned flags)
    E(438, pidfd_getfd),       // int pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
    E(439, faccessat2),        // int faccessat2(int dirfd, const char *pathname, int mode,
                               //     int flags)
    E(441, epoll_pwait2),      // int epoll_pwait2(int epfd, struct epoll_event *events,
                               //     int maxevents, const struct timespec *timeout,
                               //     const sigset_t *sigmask, size_t sigsetsize)
};

extern void syscall_entry(void), syscall32_entry(void);

void syscall_init(void) {
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    // STAR[47:32]: kernel CS (SS = CS + 8). STAR[63:48]: base for sysret, which loads
    // CS = base + 16 and SS = base + 8 for 64-bit user mode: hence USER32_CS, USER_DS, USER_CS
    // in that order in the GDT.
    wrmsr(MSR_STAR, ((uint64_t)(USER32_CS - 3) << 48) | ((uint64_t)KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);   // never leave it 0: see syscall_entry.asm
    // Flags cleared on entry: IF (no interrupts until we are on the kernel stack), TF, DF,
    // AC (so SMAP is in force in the kernel), NT.
    wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
}

const char *syscall_name(uint64_t nr) {
    return nr < NR_SYSCALLS && table[nr].name ? table[nr].name : "unknown";
}

// Has this process (any of its threads) been told about syscall nr already? Numbers below
// NR_SYSCALLS have a bit each; a few larger (garbage) numbers are remembered, and after
// that we stay quiet.
static bool already_logged(struct signal_struct *p, uint64_t nr) {
    if (nr < NR_SYSCALLS) {
        bool seen = p->nosys_logged[nr / 64] & (1ull << (nr % 64));
        p->nosys_logged[nr / 64] |= 1ull << (nr % 64);
        return seen;
    }
    for (int i = 0; i < NOSYS_BIG; i++) {
        if (p->nosys_big[i] == nr + 1)
            return true;
        if (p->nosys_big[i] == 0) {
            p->nosys_big[i] = nr + 1;          // stored +1, so 0 means "free slot"
            return false;
        }
    }
    return true;
}

// Linux-style note, once per system call number and process.
static void log_unimplemented(uint64_t nr) {
    struct proc *p = current();
    if (!already_logged(p->signal, nr))
        pr_notice("pid %d (%s): unimplemented syscall %llu\n", p->tgid, p->comm,
                  (unsigned long long)nr);
}

// Did a signal cut the call short (-ERESTART...: a sleep it interrupted)? Then the way out
// is the locked one, where signal_deliver_one restarts the call or makes it EINTR - even if
// the signal has gone by now (another thread took the process's): the unlocked look would
// find nothing to do, and hand the kernel's own code to user space (glibc aborts on it).
static bool restarting(long ret) {
    return ret == -ERESTARTSYS || ret == -ERESTARTNOHAND || ret == -ERESTARTNOINTR;
}

// The calls marked L in the table only read fields of the calling thread that no other
// CPU changes (its ids and credentials): nothing the big kernel lock guards. They run
// without it, interrupts off, so that threads asking at once on several CPUs do not queue
// for the lock. They touch no user memory (a fault there may sleep, which needs the BKL).
// sched_yield is one too: a yield needs only the run queue's lock (sched.c).
// The way out takes the lock only if there is something to do there (return_to_user).
static void syscall_lockless(struct trapframe *tf, uint64_t nr) {
    struct proc *p = current();
    p->syscall_nr = nr;
    TRACE_SYSCALL_ENTER(p->pid, nr, tf);
    tf->rax = (uint64_t)table[nr].fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    TRACE(TR_SYS_EXIT, p->pid, (int64_t)nr, (long)tf->rax);
    return_to_user_unlocked(tf);
}

// The calls marked U take the BKL themselves, around the part that needs it (bkl_lock,
// smp.c), and do the rest - copying their arguments in, freeing them - with it let go and
// interrupts on, while other CPUs run kernel code. execve is one: copying argv and envp
// in and freeing them again was a fifth of its time under the lock. futex is another: its
// waiters have a lock of their own, and only its PI calls take the BKL (futex.c). A fault
// in a copy takes the BKL for itself (trap.c), as from user mode - but in a _nofault copy
// under a spinlock, which fails instead.
// Traced, its entry and exit are recorded under the lock (the entry's record reads the
// user stack), and the call still runs as it does untraced.
static void syscall_unlocked(struct trapframe *tf, uint64_t nr) {
    struct proc *p = current();
    p->syscall_nr = nr;                // to restart it after a signal
    if (trace_on) {
        bkl_lock();
        TRACE_SYSCALL_ENTER(p->pid, nr, tf);
        bkl_unlock();
    }
    sti();
    tf->rax = (uint64_t)table[nr].fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    cli();
    sleeplock_assert_none_held(nr);
    if (trace_on) {
        bkl_lock();
        TRACE(TR_SYS_EXIT, current()->pid, (int64_t)nr, (long)tf->rax);
        bkl_unlock();
    }
    if (restarting((long)tf->rax)) {
        kernel_enter();
        return_to_user(tf);
        kernel_exit();
        return;
    }
    return_to_user_unlocked(tf);
}

// Called from syscall_entry.asm with interrupts off; returns with interrupts off.
// A call under the BKL lets it go before the way out to user mode, which takes it back only
// if there is a signal to act on (return_to_user_unlocked, trap.c). A signal the call sent
// its own thread - kill(getpid(), ...), raise - is pending by then, seen on this CPU, and
// delivered before the call returns, as POSIX asks. Holding the lock through the way out
// cost a call under it about 200 cycles alone (a seventh of a clock_gettime system call),
// and two CPUs making such calls at once took turns for the whole of it (docs/smp.md,
// "The way out without the lock").
void syscall_dispatch(struct trapframe *tf) {
    uint64_t nr = (uint32_t)tf->rax;   // as Linux: the number is eax, rax's upper half is ignored
    enum syscall_lock lock = nr < NR_SYSCALLS ? table[nr].lock : UNDER_BKL;
    if (lock == LOCKLESS && !trace_on) {   // (tracing reads user stacks, under the BKL)
        syscall_lockless(tf, nr);
        return;
    }
    if (lock == UNLOCKED) {
        syscall_unlocked(tf, nr);
        return;
    }
    kernel_enter();        // the big kernel lock (smp.c): one CPU at a time from here on
    current()->syscall_nr = nr;   // to restart it after a signal
    bkl_held_by(nr < NR_SYSCALLS ? (int)nr : BKL_WHO_OTHER);   // (bklstat.c: /proc/bkl_stat)
    sti();                 // a system call may take long: let interrupts in
    long ret;
    TRACE_SYSCALL_ENTER(current()->pid, nr, tf);
    if (nr < NR_SYSCALLS && table[nr].fn) {
        current()->pin_files = true;   // fd_get's files stay until the call returns
        ret = table[nr].fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
        fd_unpin_all();
        sleeplock_assert_none_held(nr);
    } else {
        log_unimplemented(nr);
        ret = -ENOSYS;
    }
    tf->rax = (uint64_t)ret;
    TRACE(TR_SYS_EXIT, current()->pid, (int64_t)nr, ret);
    cli();                 // syscall_entry.asm returns with interrupts off until sysretq
    if (restarting(ret)) {
        return_to_user(tf);    // the signal that cut the call short: a restart, or EINTR
        kernel_exit();
        return;
    }
    kernel_exit();
    return_to_user_unlocked(tf);   // another thread's turn? signals to deliver?
}
