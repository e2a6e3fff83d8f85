// sh_redir.c: redirections - files and fds put in place before a command runs.
//
// In a child they are simply applied, and the program inherits them. A builtin runs in the
// shell itself, so there each fd's old self is kept first and put back afterwards:
// `pwd > f` must not leave the shell's own stdout pointing at f.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "sh.h"

static int open_redir(struct redir *r)
{
    const char *path = expand_one(r->word);
    int flags = r->op == R_IN ? O_RDONLY :
                O_WRONLY | O_CREAT | (r->op == R_APPEND ? O_APPEND : O_TRUNC);
    int fd = open(path, flags, 0666);

    if (fd < 0)
        sh_error("cannot %s %s: %s", r->op == R_IN ? "open" : "create", path, strerror(errno));
    return fd;
}

// Applies the redirections in order. With save, each fd's old self is kept (above 9,
// close-on-exec) so restore_fds can put it back: builtins run in the shell itself.
int apply_redirs(struct redir *r, int save[10])
{
    for (; r != NULL; r = r->next) {
        if (save != NULL && save[r->fd] == -1) {
            save[r->fd] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
            if (save[r->fd] < 0)
                save[r->fd] = -2;               // it was closed: close it again after
        }
        if (r->op == R_DUP) {
            const char *w = expand_one(r->word);
            if (strcmp(w, "-") == 0) {
                close(r->fd);
            } else if (w[0] < '0' || w[0] > '9' || w[1] != '\0') {
                sh_error("Syntax error: Bad fd number");
                return -1;
            } else if (w[0] - '0' != r->fd && dup2(w[0] - '0', r->fd) < 0) {
                sh_error("%s: Bad file descriptor", w);
                return -1;
            }
            continue;
        }
        int fd = open_redir(r);
        if (fd < 0)
            return -1;
        if (fd != r->fd) {
            dup2(fd, r->fd);
            close(fd);
        }
    }
    return 0;
}

void restore_fds(int save[10])
{
    for (int fd = 0; fd < 10; fd++) {
        if (save[fd] >= 0) {
            dup2(save[fd], fd);
            close(save[fd]);
        } else if (save[fd] == -2) {
            close(fd);
        }
    }
}
