// strerror.c: the name and message of each error number. The messages are glibc's, word
// for word, so that a program's error output reads the same here as on Linux.
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int num;
    const char *name;
    const char *text;
} errors[] = {
    { EPERM,        "EPERM",         "Operation not permitted" },
    { ENOENT,       "ENOENT",        "No such file or directory" },
    { ESRCH,        "ESRCH",         "No such process" },
    { EINTR,        "EINTR",         "Interrupted system call" },
    { EIO,          "EIO",           "Input/output error" },
    { ENXIO,        "ENXIO",         "No such device or address" },
    { E2BIG,        "E2BIG",         "Argument list too long" },
    { ENOEXEC,      "ENOEXEC",       "Exec format error" },
    { EBADF,        "EBADF",         "Bad file descriptor" },
    { ECHILD,       "ECHILD",        "No child processes" },
    { EAGAIN,       "EAGAIN",        "Resource temporarily unavailable" },
    { ENOMEM,       "ENOMEM",        "Cannot allocate memory" },
    { EACCES,       "EACCES",        "Permission denied" },
    { EFAULT,       "EFAULT",        "Bad address" },
    { ENOTBLK,      "ENOTBLK",       "Block device required" },
    { EBUSY,        "EBUSY",         "Device or resource busy" },
    { EEXIST,       "EEXIST",        "File exists" },
    { EXDEV,        "EXDEV",         "Invalid cross-device link" },
    { ENODEV,       "ENODEV",        "No such device" },
    { ENOTDIR,      "ENOTDIR",       "Not a directory" },
    { EISDIR,       "EISDIR",        "Is a directory" },
    { EINVAL,       "EINVAL",        "Invalid argument" },
    { ENFILE,       "ENFILE",        "Too many open files in system" },
    { EMFILE,       "EMFILE",        "Too many open files" },
    { ENOTTY,       "ENOTTY",        "Inappropriate ioctl for device" },
    { ETXTBSY,      "ETXTBSY",       "Text file busy" },
    { EFBIG,        "EFBIG",         "File too large" },
    { ENOSPC,       "ENOSPC",        "No space left on device" },
    { ESPIPE,       "ESPIPE",        "Illegal seek" },
    { EROFS,        "EROFS",         "Read-only file system" },
    { EMLINK,       "EMLINK",        "Too many links" },
    { EPIPE,        "EPIPE",         "Broken pipe" },
    { EDOM,         "EDOM",          "Numerical argument out of domain" },
    { ERANGE,       "ERANGE",        "Numerical result out of range" },
    { EDEADLK,      "EDEADLK",       "Resource deadlock avoided" },
    { ENAMETOOLONG, "ENAMETOOLONG",  "File name too long" },
    { ENOLCK,       "ENOLCK",        "No locks available" },
    { ENOSYS,       "ENOSYS",        "Function not implemented" },
    { ENOTEMPTY,    "ENOTEMPTY",     "Directory not empty" },
    { ELOOP,        "ELOOP",         "Too many levels of symbolic links" },
    { ENOMSG,       "ENOMSG",        "No message of desired type" },
    { EIDRM,        "EIDRM",         "Identifier removed" },
    { EOVERFLOW,    "EOVERFLOW",     "Value too large for defined data type" },
    { ELIBBAD,      "ELIBBAD",       "Accessing a corrupted shared library" },
    { ENOTSOCK,     "ENOTSOCK",      "Socket operation on non-socket" },
    { EDESTADDRREQ, "EDESTADDRREQ",  "Destination address required" },
    { EMSGSIZE,     "EMSGSIZE",      "Message too long" },
    { EPROTOTYPE,   "EPROTOTYPE",    "Protocol wrong type for socket" },
    { ENOPROTOOPT,  "ENOPROTOOPT",   "Protocol not available" },
    { EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported" },
    { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported" },
    { EOPNOTSUPP,   "EOPNOTSUPP",    "Operation not supported" },
    { EAFNOSUPPORT, "EAFNOSUPPORT",  "Address family not supported by protocol" },
    { EISCONN,      "EISCONN",       "Transport endpoint is already connected" },
    { ENOTCONN,     "ENOTCONN",      "Transport endpoint is not connected" },
    { ETIMEDOUT,    "ETIMEDOUT",     "Connection timed out" },
    { ECONNREFUSED, "ECONNREFUSED",  "Connection refused" },
    { ECANCELED,    "ECANCELED",     "Operation canceled" },
};

static int find(int errnum)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].num == errnum)
            return (int)i;
    return -1;
}

char *strerror(int errnum)
{
    static char unknown[32];    // C allows strerror to return a buffer the next call reuses
    int i = find(errnum);

    if (errnum == 0)
        return "Success";
    if (i >= 0)
        return (char *)errors[i].text;
    snprintf(unknown, sizeof unknown, "Unknown error %d", errnum);
    return unknown;
}

// glibc's name for this (since 2.32); "0" for 0, NULL for numbers it does not know.
const char *strerrorname_np(int errnum)
{
    int i = find(errnum);

    if (errnum == 0)
        return "0";
    return i >= 0 ? errors[i].name : NULL;
}
