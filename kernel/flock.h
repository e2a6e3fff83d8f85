// flock.h: advisory file locks (flock.c): flock(2), and fcntl's POSIX and OFD record locks.
#pragma once
#include <stdint.h>

struct file;
struct files_struct;

// fcntl's lock commands and lock types, Linux's values.
#define F_GETLK      5
#define F_SETLK      6
#define F_SETLKW     7
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#define F_RDLCK      0
#define F_WRLCK      1
#define F_UNLCK      2

// struct flock as x86_64 Linux lays it out (32 bytes: the compiler pads as Linux's does).
struct flock {
    short l_type, l_whence;
    int64_t l_start, l_len;
    int l_pid;
};

// fcntl(fd, cmd, arg) for the six lock commands; f is fd's file.
long flock_fcntl(int fd, struct file *f, unsigned cmd, uint64_t arg);
// A close of one descriptor of f by the process whose table is files: its POSIX locks on
// f's file all go (every close path calls it before file_close).
void flock_close(struct file *f, struct files_struct *files);
// The last reference to f is going: its flock and OFD locks go (file_close).
void flock_release(struct file *f);
// /proc/locks's text (procfs_sys.c): at most size bytes into buf; returns the length.
int flock_proc_locks(char *buf, int size);
