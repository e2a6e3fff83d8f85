// exec.c: replacing the program: execve, and the two conveniences built on it - execv
// (the current environment) and execvp (search $PATH for the program, as a shell does).
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

// On success there is nothing to return to: the old program is gone.
int execve(const char *path, char *const argv[], char *const envp[])
{
    return __syscall_ret(sys3(SYS_execve, path, argv, envp));
}

int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

// Try dir/file; the directory is the first dlen bytes of dir. An empty one (as in
// "PATH=:/bin") means the current directory. Returns the error execve gave.
static int try_in(const char *dir, size_t dlen, const char *file, char *const argv[])
{
    char path[PATH_MAX];
    size_t flen = strlen(file);

    if (dlen + 1 + flen + 1 > sizeof path)
        return ENAMETOOLONG;
    memcpy(path, dir, dlen);
    path[dlen] = '/';
    memcpy(path + dlen + 1, file, flen + 1);
    execve(dlen ? path : file, argv, environ);
    return errno;
}

// glibc's rules: errors that mean "not in this directory" (ENOENT, ENOTDIR, EACCES, ...)
// move on to the next one; any other error (ENOEXEC, EFAULT, ...) ends the search at once.
// At the end, if some directory had the file but would not run it, the error is EACCES,
// else the last one. (glibc also
// runs a file that fails with ENOEXEC as a shell script; there is no shell here.)
int execvp(const char *file, char *const argv[])
{
    const char *path = getenv("PATH");
    int saw_eacces = 0, err = ENOENT;

    if (*file == '\0') {
        errno = ENOENT;
        return -1;
    }
    if (strchr(file, '/') != NULL)
        return execve(file, argv, environ);
    if (path == NULL)
        path = "/bin:/usr/bin";
    for (const char *dir = path;;) {
        size_t dlen = strcspn(dir, ":");
        err = try_in(dir, dlen, file, argv);
        if (err == EACCES)
            saw_eacces = 1;
        else if (err != ENOENT && err != ENOTDIR && err != ENAMETOOLONG &&
                 err != ENODEV && err != ETIMEDOUT)
            return -1;    // errno is err
        if (dir[dlen] == '\0')
            break;
        dir += dlen + 1;
    }
    errno = saw_eacces ? EACCES : err;
    return -1;
}
