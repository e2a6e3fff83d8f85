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
char *getcwd(char *buf, size_t size);
int unlink(const char *path);
int rmdir(const char *path);

// Processes
pid_t getpid(void);
pid_t getppid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
__attribute__((noreturn)) void _exit(int status);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned long usec);    // useconds_t is unsigned long here

// Memory: the program break is the end of the heap (the data segment).
int brk(void *addr);               // move the break to addr
void *sbrk(intptr_t increment);    // move it by increment; returns the old break

// Any system call by number, as glibc has it: returns -1 and sets errno on failure.
long syscall(long number, ...);

// Linux-specific: where the kernel clears the thread id at thread exit. Returns the tid.
pid_t set_tid_address(int *tidptr);
