// unistd.h: the POSIX system interface: file descriptors, processes, the program break.
// Each function is a thin wrapper around one Linux system call (see sys/syscall.h): on
// failure it stores the error in errno and returns -1.
#pragma once
#include <sys/types.h>

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#ifndef SEEK_SET
#define SEEK_SET 0        // lseek from the start,
#define SEEK_CUR 1        // from the current offset,
#define SEEK_END 2        // or from the end of the file
#endif

// access() modes
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

extern char **environ;    // "NAME=value" strings, NULL-terminated; set up by crt0

// Files and descriptors
ssize_t read(int fd, void *buf, size_t count);
ssize_t pread(int fd, void *buf, size_t count, off_t offset);
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
int fsync(int fd);                          // the file's data and metadata to its disk
int fdatasync(int fd);                      // its data (and what is needed to read it)
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
int dup(int fd);
int dup2(int oldfd, int newfd);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int isatty(int fd);
int access(const char *path, int mode);
int chdir(const char *path);
int chroot(const char *path);
char *getcwd(char *buf, size_t size);
int unlink(const char *path);
int rmdir(const char *path);
int chown(const char *path, uid_t owner, gid_t group);   // (uid_t)-1: leave it
int fchown(int fd, uid_t owner, gid_t group);
int lchown(const char *path, uid_t owner, gid_t group);  // a symlink itself
int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags);
int truncate(const char *path, off_t length);
int ftruncate(int fd, off_t length);
int faccessat(int dirfd, const char *path, int mode, int flags);   // flags: faccessat2's
int sethostname(const char *name, size_t len);
int gethostname(char *name, size_t len);         // uname's nodename

// Processes
pid_t getpid(void);
pid_t getppid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
pid_t gettid(void);                // the thread id: the pid, with one thread per process
pid_t fork(void);
// vfork: the child borrows the parent's memory and stack, and the parent sleeps until the
// child calls execve or _exit - the only two things the child may do. returns_twice tells
// the compiler, as for setjmp, that locals may change under it.
__attribute__((returns_twice)) pid_t vfork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);    // with environ
// Without a '/' in file, try each directory of $PATH (default "/bin:/usr/bin") in turn.
int execvp(const char *file, char *const argv[]);
__attribute__((noreturn)) void _exit(int status);
unsigned int alarm(unsigned int seconds);   // SIGALRM in that many seconds (0: none)
int pause(void);                   // sleep until a signal's handler has run; always -1 EINTR

// Process groups and sessions. pid 0 means the caller; setpgid(0, 0) makes a new group
// with the caller as its leader.
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
pid_t getpgrp(void);               // getpgid(0)
pid_t setsid(void);                // a new session and group, led by the caller
pid_t getsid(pid_t pid);
// The foreground process group of the terminal fd (ioctl TIOCGPGRP, TIOCSPGRP).
pid_t tcgetpgrp(int fd);
int tcsetpgrp(int fd, pid_t pgrp);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned long usec);    // useconds_t is unsigned long here

// Memory: the program break is the end of the heap (the data segment).
int brk(void *addr);               // move the break to addr
void *sbrk(intptr_t increment);    // move it by increment; returns the old break

// Any system call by number, as glibc has it: returns -1 and sets errno on failure.
long syscall(long number, ...);

// Linux-specific: where the kernel clears the thread id at thread exit. Returns the tid.
pid_t set_tid_address(int *tidptr);

// Links (libc/path.c)
int link(const char *oldpath, const char *newpath);         // a hard link: a second name
int symlink(const char *target, const char *linkpath);
ssize_t readlink(const char *path, char *buf, size_t size); // no NUL added

// Command-line options (libc/getopt.c): POSIX getopt, which stops at the first operand.
extern char *optarg;
extern int optind, opterr, optopt;
int getopt(int argc, char *const argv[], const char *optstring);
