// sh_var.c: the shell's variables.
//
// One table holds them all; the exported ones are the environment that programs get.
// `X=1` makes a variable only the shell sees; `export X` puts it in the environment of
// every program started after. The environment the shell was started with is imported,
// all of it exported. Unlike the strings of sh_alloc, these live as long as the shell.
#include <stdlib.h>
#include <string.h>
#include "sh.h"

struct var {
    char *name;
    char *value;           // NULL: declared by `export NAME` but not set
    int exported;
};

static struct var *vars;
static int nvars, cap;

int valid_name(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

static struct var *find(const char *name, size_t len)
{
    for (int i = 0; i < nvars; i++)
        if (strncmp(vars[i].name, name, len) == 0 && vars[i].name[len] == '\0')
            return &vars[i];
    return NULL;
}

static struct var *find_or_add(const char *name, size_t len)
{
    struct var *v = find(name, len);

    if (v != NULL)
        return v;
    if (nvars == cap) {
        cap = cap ? cap * 2 : 32;
        vars = realloc(vars, cap * sizeof *vars);
    }
    v = &vars[nvars++];
    v->name = malloc(len + 1);
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    v->value = NULL;
    v->exported = 0;
    return v;
}

const char *var_get(const char *name)
{
    struct var *v = find(name, strlen(name));
    return v ? v->value : NULL;
}

void var_set(const char *name, const char *value, int export)
{
    struct var *v = find_or_add(name, strlen(name));

    free(v->value);
    v->value = strdup(value);
    if (export)
        v->exported = 1;
}

void var_export(const char *name)
{
    find_or_add(name, strlen(name))->exported = 1;
}

void var_unset(const char *name)
{
    struct var *v = find(name, strlen(name));

    if (v == NULL)
        return;
    free(v->name);
    free(v->value);
    *v = vars[--nvars];      // order does not matter: move the last one into the hole
}

// word is "NAME=value"; the caller checked the name.
void var_assign(const char *word, int export)
{
    size_t len = strcspn(word, "=");
    struct var *v = find_or_add(word, len);

    free(v->value);
    v->value = strdup(word + len + 1);
    if (export)
        v->exported = 1;
}

// "NAME=value" for each exported variable that has a value: sh_alloc'd, for one execve.
char **var_environ(void)
{
    char **env = sh_alloc((nvars + 1) * sizeof *env);
    int n = 0;

    for (int i = 0; i < nvars; i++) {
        if (!vars[i].exported || vars[i].value == NULL)
            continue;
        size_t len = strlen(vars[i].name);
        char *s = sh_alloc(len + strlen(vars[i].value) + 2);
        strcpy(s, vars[i].name);
        s[len] = '=';
        strcpy(s + len + 1, vars[i].value);
        env[n++] = s;
    }
    env[n] = NULL;
    return env;
}

void var_init(char **envp)
{
    for (int i = 0; envp != NULL && envp[i] != NULL; i++) {
        const char *eq = strchr(envp[i], '=');
        if (eq != NULL && valid_name(envp[i], eq - envp[i]))
            var_assign(envp[i], 1);
    }
}
