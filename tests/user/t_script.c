// t_script.c: execve of a "#!" script: the kernel runs the interpreter named on its first
// line, with the optional argument and the script's path before the original arguments.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parity.h"

static void write_file(const char *path, const char *text, int mode) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
    write(fd, text, strlen(text));
    close(fd);
}

static void run(const char *path, char *const argv[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(path, argv);
        printf("execv %s: error %s\n", path, err_name(errno));
        fflush(stdout);
        _exit(99);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("%s: exited %d\n", path, WEXITSTATUS(status));
}

int main(void) {
    begin("t_script");
    write_file("script_a", "#!/bin/sh\necho \"a: $1 $2\"\nexit 3\n", 0755);
    write_file("script_b", "#!  /bin/sh   \necho \"b: $1\"\n", 0755);   // blanks around the name
    write_file("script_c", "#!/no/such/interpreter\n", 0755);
    write_file("script_d", "#!/bin/sh\necho never\n", 0644);   // not executable
    run("./script_a", (char *[]){ "script_a", "one", "two", NULL });
    run("./script_b", (char *[]){ "script_b", "x", NULL });
    run("./script_c", (char *[]){ "script_c", NULL });
    run("./script_d", (char *[]){ "script_d", NULL });
    unlink("script_a");
    unlink("script_b");
    unlink("script_c");
    unlink("script_d");
    return done();
}
