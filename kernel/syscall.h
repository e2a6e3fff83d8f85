// syscall.h: every system call the kernel implements, by its Linux x86_64 number.
// Each takes up to six integer arguments (rdi, rsi, rdx, r10, r8, r9) and returns a value
// or a negative errno, exactly as the `syscall` instruction's caller sees it.
#pragma once
#include <stdint.h>

#define SYSCALL_VECTOR 0x100   // tf->vector of a frame built by syscall_entry.asm

// Every handler has the same type, so that the table can call any of them with the six
// argument registers, a0..a5. A handler's first lines give the arguments it uses names and
// the types of Linux's prototype (on the handler's line in syscall.c's table); the rest of
// the body uses only those names:
//
//     SYSCALL(read) {
//         int fd = (int)a0;               // an int is the register's low half, as on Linux
//         uint64_t buf = a1, count = a2;  // a user address stays a number until uaccess.h
//
// (Linux's SYSCALL_DEFINE3(read, unsigned int, fd, char __user *, buf, size_t, count)
// does the same conversions inside a macro.) A user pointer whose kernel copy has the
// plain name gets a u in front: uint64_t utv = a0; struct timeval tv;
typedef uint64_t u64;
#define SYSARG __attribute__((unused)) u64
#define SYSCALL(name) \
    long sys_##name(SYSARG a0, SYSARG a1, SYSARG a2, SYSARG a3, SYSARG a4, SYSARG a5)

void syscall_init(void);
const char *syscall_name(uint64_t nr);

// The handlers, in number order as syscall.c's table (which gives each one's Linux
// prototype); the comment names the file that defines it.
SYSCALL(read);                 // sys_file.c
SYSCALL(write);                // sys_file.c
SYSCALL(open);                 // sys_path.c
SYSCALL(close);                // sys_file.c
SYSCALL(stat);                 // sys_path.c
SYSCALL(fstat);                // sys_file.c
SYSCALL(lstat);                // sys_path.c
SYSCALL(poll);                 // poll.c
SYSCALL(lseek);                // sys_file.c
SYSCALL(mmap);                 // sys_mem.c
SYSCALL(mprotect);             // sys_mem.c
SYSCALL(munmap);               // sys_mem.c
SYSCALL(brk);                  // sys_mem.c
SYSCALL(rt_sigaction);         // signal.c
SYSCALL(rt_sigprocmask);       // signal.c
SYSCALL(rt_sigreturn);         // signal.c
SYSCALL(ioctl);                // sys_file.c
SYSCALL(pread64);              // sys_file.c
SYSCALL(pwrite64);             // sys_file.c
SYSCALL(readv);                // sys_file.c
SYSCALL(writev);               // sys_file.c
SYSCALL(access);               // sys_path.c
SYSCALL(pipe);                 // pipe.c
SYSCALL(select);               // poll.c
SYSCALL(sched_yield);          // sys_proc.c
SYSCALL(mremap);               // sys_mem.c
SYSCALL(msync);                // sys_mem.c
SYSCALL(mincore);              // sys_mem.c
SYSCALL(madvise);              // sys_mem.c
SYSCALL(shmget);               // ipc_shm.c
SYSCALL(shmat);                // ipc_shm.c
SYSCALL(shmctl);               // ipc_shm.c
SYSCALL(dup);                  // sys_file.c
SYSCALL(dup2);                 // sys_file.c
SYSCALL(pause);                // sys_proc.c
SYSCALL(nanosleep);            // sys_time.c
SYSCALL(getitimer);            // itimer.c
SYSCALL(alarm);                // itimer.c
SYSCALL(setitimer);            // itimer.c
SYSCALL(getpid);               // sys_proc.c
SYSCALL(sendfile);             // sys_file.c
SYSCALL(socket);               // socket_name.c
SYSCALL(connect);              // socket_name.c
SYSCALL(accept);               // socket_name.c
SYSCALL(sendto);               // socket.c
SYSCALL(recvfrom);             // socket.c
SYSCALL(sendmsg);              // socket.c
SYSCALL(recvmsg);              // socket.c
SYSCALL(shutdown);             // socket.c
SYSCALL(bind);                 // socket_name.c
SYSCALL(listen);               // socket_name.c
SYSCALL(getsockname);          // socket_name.c
SYSCALL(getpeername);          // socket_name.c
SYSCALL(socketpair);           // socket_name.c
SYSCALL(setsockopt);           // socket_opt.c
SYSCALL(getsockopt);           // socket_opt.c
SYSCALL(clone);                // fork.c
SYSCALL(fork);                 // fork.c
SYSCALL(vfork);                // fork.c
SYSCALL(execve);               // exec.c
SYSCALL(exit);                 // exit.c
SYSCALL(wait4);                // exit.c
SYSCALL(kill);                 // sys_proc.c
SYSCALL(uname);                // sys_proc.c
SYSCALL(semget);               // ipc_sem.c
SYSCALL(semop);                // ipc_sem.c
SYSCALL(semctl);               // ipc_sem.c
SYSCALL(shmdt);                // ipc_shm.c
SYSCALL(msgget);               // ipc_msg.c
SYSCALL(msgsnd);               // ipc_msg.c
SYSCALL(msgrcv);               // ipc_msg.c
SYSCALL(msgctl);               // ipc_msg.c
SYSCALL(fcntl);                // sys_file.c
SYSCALL(flock);                // flock.c
SYSCALL(fsync);                // sys_file.c
SYSCALL(fdatasync);            // sys_file.c
SYSCALL(truncate);             // sys_attr.c
SYSCALL(ftruncate);            // sys_attr.c
SYSCALL(getdents);             // sys_path.c
SYSCALL(getcwd);               // sys_path.c
SYSCALL(chdir);                // sys_path.c
SYSCALL(fchdir);               // sys_path.c
SYSCALL(rename);               // sys_path.c
SYSCALL(mkdir);                // sys_path.c
SYSCALL(rmdir);                // sys_path.c
SYSCALL(creat);                // sys_path.c
SYSCALL(link);                 // sys_path.c
SYSCALL(unlink);               // sys_path.c
SYSCALL(symlink);              // sys_path.c
SYSCALL(readlink);             // sys_path.c
SYSCALL(chmod);                // sys_attr.c
SYSCALL(fchmod);               // sys_attr.c
SYSCALL(chown);                // sys_attr.c
SYSCALL(fchown);               // sys_attr.c
SYSCALL(lchown);               // sys_attr.c
SYSCALL(umask);                // sys_attr.c
SYSCALL(gettimeofday);         // sys_time.c
SYSCALL(getrlimit);            // sys_limits.c
SYSCALL(getrusage);            // exit.c
SYSCALL(sysinfo);              // sys_proc.c
SYSCALL(getuid);               // cred.c
SYSCALL(syslog);               // sys_proc.c
SYSCALL(getgid);               // cred.c
SYSCALL(setuid);               // cred.c
SYSCALL(setgid);               // cred.c
SYSCALL(geteuid);              // cred.c
SYSCALL(getegid);              // cred.c
SYSCALL(setpgid);              // sys_proc.c
SYSCALL(getppid);              // sys_proc.c
SYSCALL(getpgrp);              // sys_proc.c
SYSCALL(setsid);               // sys_proc.c
SYSCALL(setreuid);             // cred.c
SYSCALL(setregid);             // cred.c
SYSCALL(getgroups);            // cred.c
SYSCALL(setgroups);            // cred.c
SYSCALL(setresuid);            // cred.c
SYSCALL(getresuid);            // cred.c
SYSCALL(setresgid);            // cred.c
SYSCALL(getresgid);            // cred.c
SYSCALL(getpgid);              // sys_proc.c
SYSCALL(setfsuid);             // cred.c
SYSCALL(setfsgid);             // cred.c
SYSCALL(getsid);               // sys_proc.c
SYSCALL(rt_sigpending);        // signal.c
SYSCALL(rt_sigtimedwait);      // signal.c
SYSCALL(rt_sigqueueinfo);      // signal.c
SYSCALL(rt_sigsuspend);        // signal.c
SYSCALL(sigaltstack);          // signal.c
SYSCALL(utime);                // sys_attr.c
SYSCALL(mknod);                // sys_attr.c
SYSCALL(personality);          // exec.c
SYSCALL(statfs);               // sys_attr.c
SYSCALL(fstatfs);              // sys_attr.c
SYSCALL(getpriority);          // sys_sched.c
SYSCALL(setpriority);          // sys_sched.c
SYSCALL(sched_setparam);       // sys_sched.c
SYSCALL(sched_getparam);       // sys_sched.c
SYSCALL(sched_setscheduler);   // sys_sched.c
SYSCALL(sched_getscheduler);   // sys_sched.c
SYSCALL(sched_get_priority_max); // sys_sched.c
SYSCALL(sched_get_priority_min); // sys_sched.c
SYSCALL(sched_rr_get_interval); // sys_sched.c
SYSCALL(mlock);                // sys_mem.c
SYSCALL(munlock);              // sys_mem.c
SYSCALL(mlockall);             // sys_mem.c
SYSCALL(munlockall);           // sys_mem.c
SYSCALL(prctl);                // sys_proc.c
SYSCALL(arch_prctl);           // sys_proc.c
SYSCALL(setrlimit);            // sys_limits.c
SYSCALL(chroot);               // sys_path.c
SYSCALL(sync);                 // sys_file.c
SYSCALL(settimeofday);         // sys_time.c
SYSCALL(mount);                // mount.c
SYSCALL(umount2);              // mount.c
SYSCALL(reboot);               // sys_proc.c
SYSCALL(sethostname);          // sys_proc.c
SYSCALL(gettid);               // sys_proc.c
SYSCALL(tkill);                // sys_proc.c
SYSCALL(time);                 // sys_time.c
SYSCALL(futex);                // futex.c
SYSCALL(sched_setaffinity);    // sys_limits.c
SYSCALL(sched_getaffinity);    // sys_limits.c
SYSCALL(epoll_create);         // epoll.c
SYSCALL(getdents64);           // sys_path.c
SYSCALL(set_tid_address);      // sys_proc.c
SYSCALL(semtimedop);           // ipc_sem.c
SYSCALL(fadvise64);            // sys_file.c
SYSCALL(timer_create);         // ptimer.c
SYSCALL(timer_settime);        // ptimer.c
SYSCALL(timer_gettime);        // ptimer.c
SYSCALL(timer_getoverrun);     // ptimer.c
SYSCALL(timer_delete);         // ptimer.c
SYSCALL(clock_settime);        // sys_time.c
SYSCALL(clock_gettime);        // sys_time.c
SYSCALL(clock_getres);         // sys_time.c
SYSCALL(clock_nanosleep);      // sys_time.c
SYSCALL(exit_group);           // exit.c
SYSCALL(epoll_wait);           // epoll.c
SYSCALL(epoll_ctl);            // epoll.c
SYSCALL(tgkill);               // sys_proc.c
SYSCALL(utimes);               // sys_attr.c
SYSCALL(mq_open);              // mqueue.c
SYSCALL(mq_unlink);            // mqueue.c
SYSCALL(mq_timedsend);         // mqueue.c
SYSCALL(mq_timedreceive);      // mqueue.c
SYSCALL(mq_notify);            // mqueue.c
SYSCALL(mq_getsetattr);        // mqueue.c
SYSCALL(waitid);               // exit.c
SYSCALL(openat);               // sys_path.c
SYSCALL(mkdirat);              // sys_path.c
SYSCALL(mknodat);              // sys_attr.c
SYSCALL(fchownat);             // sys_attr.c
SYSCALL(futimesat);            // sys_attr.c
SYSCALL(newfstatat);           // sys_path.c
SYSCALL(unlinkat);             // sys_path.c
SYSCALL(renameat);             // sys_path.c
SYSCALL(linkat);               // sys_path.c
SYSCALL(symlinkat);            // sys_path.c
SYSCALL(readlinkat);           // sys_path.c
SYSCALL(fchmodat);             // sys_attr.c
SYSCALL(faccessat);            // sys_path.c
SYSCALL(pselect6);             // poll.c
SYSCALL(ppoll);                // poll.c
SYSCALL(set_robust_list);      // futex.c
SYSCALL(get_robust_list);      // futex.c
SYSCALL(splice);               // splice.c
SYSCALL(tee);                  // splice.c
SYSCALL(vmsplice);             // splice.c
SYSCALL(utimensat);            // sys_attr.c
SYSCALL(epoll_pwait);          // epoll.c
SYSCALL(signalfd);             // signalfd.c
SYSCALL(timerfd_create);       // timerfd.c
SYSCALL(eventfd);              // eventfd.c
SYSCALL(fallocate);            // sys_attr.c
SYSCALL(timerfd_settime);      // timerfd.c
SYSCALL(timerfd_gettime);      // timerfd.c
SYSCALL(accept4);              // socket_name.c
SYSCALL(signalfd4);            // signalfd.c
SYSCALL(eventfd2);             // eventfd.c
SYSCALL(epoll_create1);        // epoll.c
SYSCALL(dup3);                 // sys_file.c
SYSCALL(pipe2);                // pipe.c
SYSCALL(preadv);               // sys_file.c
SYSCALL(pwritev);              // sys_file.c
SYSCALL(rt_tgsigqueueinfo);    // signal.c
SYSCALL(prlimit64);            // sys_limits.c
SYSCALL(syncfs);               // sys_file.c
SYSCALL(getcpu);               // sys_limits.c
SYSCALL(renameat2);            // sys_path.c
SYSCALL(getrandom);            // sys_proc.c
SYSCALL(memfd_create);         // memfd.c
SYSCALL(membarrier);           // sys_proc.c
SYSCALL(mlock2);               // sys_mem.c
SYSCALL(copy_file_range);      // sys_file.c
SYSCALL(preadv2);              // sys_file.c
SYSCALL(pwritev2);             // sys_file.c
SYSCALL(statx);                // sys_path.c
SYSCALL(rseq);                 // rseq.c
SYSCALL(pidfd_send_signal);    // pidfd.c
SYSCALL(pidfd_open);           // pidfd.c
SYSCALL(clone3);               // fork.c
SYSCALL(close_range);          // sys_file.c
SYSCALL(pidfd_getfd);          // pidfd.c
SYSCALL(faccessat2);           // sys_path.c
SYSCALL(epoll_pwait2);         // epoll.c
