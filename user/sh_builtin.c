// sh_builtin.c: the commands the shell runs itself.
//
// cd, exit, export and the like must be builtins: a child process could change only its
// own directory or variables, and they would be gone when it exits. They run in the shell
// (with their redirections undone afterwards), or in a child when part of a pipeline.
// The ones that work on jobs - jobs, fg, bg, wait, kill - are in sh_jobs.c.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sh.h"

// A decimal number in 0..max, or -1.
static long number(const char *s, long max)
{
    long n = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > max)
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n > max ? -1 : n;
}

static int b_cd(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : var_get("HOME");
    int print = 0;
    char cwd[4096];

    if (dir != NULL && strcmp(dir, "-") == 0) {
        dir = var_get("OLDPWD");
        print = 1;
    }
    if (dir == NULL || *dir == '\0')
        dir = "/";
    if (chdir(dir) < 0) {
        sh_error("cd: can't cd to %s", dir);
        return 2;
    }
    const char *old = var_get("PWD");
    if (old != NULL)
        var_set("OLDPWD", old, 0);
    if (getcwd(cwd, sizeof cwd) != NULL) {
        var_set("PWD", cwd, 0);
        if (print)
            dprintf(1, "%s\n", cwd);
    }
    return 0;
}

static int b_pwd(int argc, char **argv)
{
    char cwd[4096];

    (void)argc, (void)argv;
    if (getcwd(cwd, sizeof cwd) == NULL) {
        sh_error("pwd: %s", strerror(errno));
        return 2;
    }
    dprintf(1, "%s\n", cwd);
    return 0;
}

static int b_exit(int argc, char **argv)
{
    if (stopped_jobs_keep_shell())
        return 1;
    long n = argc > 1 ? number(argv[1], 1L << 30) : sh.status;

    if (n < 0) {
        sh_error("exit: Illegal number: %s", argv[1]);
        if (!sh.interactive)
            sh_exit(2);     // as dash: a script that cannot even exit right stops
        return 2;
    }
    sh_exit(n & 255);
}

// export NAME=VALUE, export NAME; alone, lists the environment as commands to remake it.
static int b_export(int argc, char **argv)
{
    int status = 0;

    if (argc == 1) {
        for (char **e = var_environ(); *e; e++) {
            size_t len = strcspn(*e, "=");
            dprintf(1, "export %.*s='%s'\n", (int)len, *e, *e + len + 1);
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        size_t len = strcspn(argv[i], "=");
        if (!valid_name(argv[i], len)) {
            sh_error("export: %s: bad variable name", argv[i]);
            status = 2;
        } else if (argv[i][len] == '=') {
            var_assign(argv[i], 1);
        } else {
            var_export(argv[i]);
        }
    }
    return status;
}

static int b_unset(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        var_unset(argv[i]);
    return 0;
}

// exec CMD...: this process becomes CMD. Without CMD the command's redirections stay
// (sh_exec.c sees to that): `exec 2>log`. If CMD cannot run, a script ends, as in dash,
// but an interactive shell goes on: a typo must not end the system's only shell.
static int b_exec(int argc, char **argv)
{
    if (argc == 1)
        return 0;
    child_signals();
    int err = find_and_exec(argv + 1);
    if (!sh.interactive)
        exec_failed(argv[1], err);
    shell_signals();
    sh_error("exec: %s: %s", argv[1], err == ENOENT ? "not found" : strerror(err));
    return err == ENOENT ? 127 : 126;
}

static int b_colon(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 0;
}

static int b_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    dprintf(1,
        "Lantern sh. Builtins:\n"
        "  cd [DIR|-]   pwd   exit [N]   export NAME[=VALUE]   unset NAME\n"
        "  exec CMD...  wait [PID|%%N]   :   help\n"
        "  jobs   fg [%%N]   bg [%%N]   kill [-SIG] PID|%%N   (Ctrl-Z stops the running job)\n"
        "Syntax:\n"
        "  a ; b    a && b    a || b    a | b | c    a &  (background)\n"
        "  < f   > f   >> f   2> f   2>&1   N>&M   N<&M   N>&-\n"
        "  'literal'  \"with $VAR\"  \\x   $VAR ${VAR} ${VAR:-default}\n"
        "  $? status  $$ pid  $! last job  $0..$9 $# $@ $*   X=1 cmd   # comment\n"
        "  sh FILE [ARGS], sh -c 'CMD' [ARG0 ARGS]\n");
    return 0;
}

static const struct {
    const char *name;
    builtin_fn fn;
} builtins[] = {
    { "cd", b_cd }, { "pwd", b_pwd }, { "exit", b_exit }, { "export", b_export },
    { "unset", b_unset }, { "exec", b_exec }, { "wait", b_wait }, { ":", b_colon },
    { "help", b_help }, { "jobs", b_jobs }, { "fg", b_fg }, { "bg", b_bg },
    { "kill", b_kill },
};

builtin_fn find_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].fn;
    return NULL;
}
