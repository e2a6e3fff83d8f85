// sysreboot.c: the reboot system call, which only makes sense as the last act of a
// machine - so never run it on the host. First the refusals (wrong magic numbers, an
// unknown command: EINVAL, as Linux), then what argv[1] asks for: power_off, restart, halt.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAGIC1 0xfee1deadL
#define MAGIC2 672274793L

static void refused(const char *what, long magic1, long magic2, long cmd) {
    long r = syscall(SYS_reboot, magic1, magic2, cmd, 0L);
    printf("%s: %s\n", what, r == -1 && errno == EINVAL ? "EINVAL" : "accepted?!");
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    refused("wrong magic1", 0x12345678L, MAGIC2, RB_POWER_OFF);
    refused("wrong magic2", MAGIC1, 42L, RB_POWER_OFF);
    refused("unknown command", MAGIC1, MAGIC2, 0x11111111L);
    static const struct { const char *name; unsigned int cmd; } cmds[] = {
        { "power_off", RB_POWER_OFF }, { "restart", RB_AUTOBOOT }, { "halt", RB_HALT_SYSTEM },
    };
    int cmd = 0, found = 0;
    for (int i = 0; i < 3; i++)
        if (argc >= 2 && strcmp(argv[1], cmds[i].name) == 0) {
            cmd = (int)cmds[i].cmd;
            found = 1;
        }
    if (!found) {
        fprintf(stderr, "usage: sysreboot power_off|restart|halt\n");
        return 2;
    }
    printf("reboot(%s)\n", argv[1]);
    reboot(cmd);
    printf("reboot returned: %s\n", strerror(errno));
    return 1;
}
