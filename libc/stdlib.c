// stdlib.c: ending the process, the environment, and small helpers.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ATEXIT_MAX 32             // C requires room for at least 32 handlers

static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*fn)(void))
{
    if (atexit_count == ATEXIT_MAX)
        return -1;
    atexit_fns[atexit_count++] = fn;
    return 0;
}

void exit(int status)
{
    while (atexit_count > 0)
        atexit_fns[--atexit_count]();   // last registered runs first
    fflush(NULL);
    _exit(status);
}

void _Exit(int status)
{
    _exit(status);
}

// Die by SIGABRT, so a parent's wait() sees the signal, as glibc does: unblock it and
// raise it; if a handler returns, or it is ignored, put back the default action and raise
// it again. If even that does not end us (we are init, which the kernel protects from
// signals it has no handler for), end anyway. Unflushed output is lost, as with glibc.
void abort(void)
{
    sigset_t set;
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    sigemptyset(&set);
    sigaddset(&set, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGABRT);
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGABRT, &dfl, NULL);
    raise(SIGABRT);
    _exit(127);
}

// ---- the environment: environ holds "NAME=value" strings

// The index in environ of name's entry, or -1. name is len bytes long, with no '='.
static int env_find(const char *name, size_t len)
{
    for (int i = 0; environ != NULL && environ[i] != NULL; i++)
        if (strncmp(environ[i], name, len) == 0 && environ[i][len] == '=')
            return i;
    return -1;
}

char *getenv(const char *name)
{
    size_t len = strlen(name);
    int i = strchr(name, '=') ? -1 : env_find(name, len);

    return i < 0 ? NULL : environ[i] + len + 1;
}

static int bad_name(const char *name)
{
    if (name == NULL || *name == '\0' || strchr(name, '=') != NULL) {
        errno = EINVAL;
        return 1;
    }
    return 0;
}

// The array setenv made, if any. The first one (from the initial stack) cannot be resized.
// Replaced strings are never freed: we cannot tell ours from the kernel's, and a caller
// may still hold a pointer getenv gave it.
static char **env_mine;

int setenv(const char *name, const char *value, int overwrite)
{
    if (bad_name(name))
        return -1;
    size_t len = strlen(name);
    int i = env_find(name, len);
    if (i >= 0 && !overwrite)
        return 0;
    char *s = malloc(len + strlen(value) + 2);
    if (s == NULL)
        return -1;
    strcpy(s, name);
    s[len] = '=';
    strcpy(s + len + 1, value);
    if (i >= 0) {
        environ[i] = s;
        return 0;
    }
    int n = 0;
    while (environ != NULL && environ[n] != NULL)
        n++;
    char **env = malloc((n + 2) * sizeof(char *));   // the old entries, s, and NULL
    if (env == NULL) {
        free(s);
        return -1;
    }
    if (n > 0)
        memcpy(env, environ, n * sizeof(char *));
    env[n] = s;
    env[n + 1] = NULL;
    free(env_mine);
    environ = env_mine = env;
    return 0;
}

int unsetenv(const char *name)
{
    if (bad_name(name))
        return -1;
    for (int i; (i = env_find(name, strlen(name))) >= 0;) {
        for (; environ[i] != NULL; i++)         // close the gap, NULL included
            environ[i] = environ[i + 1];
    }
    return 0;
}

// ---- small helpers

int abs(int x)               { return x < 0 ? -x : x; }
long labs(long x)            { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}
