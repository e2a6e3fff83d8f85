// monitor.c: a tiny command loop on the console, for the time before the kernel can run
// a user-space init. It shows the input path end to end (keyboard or serial interrupt ->
// input queue -> here) and gives tests something to talk to.
//
// It waits with "sti; hlt": the CPU sleeps until the next interrupt, so an idle machine
// uses no host CPU.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "bootinfo.h"
#include "console.h"
#include "input.h"
#include "monitor.h"
#include "panic.h"
#include "power.h"
#include "printk.h"
#include "time.h"

#define LINE_MAX 128

static void echo(const char *s, size_t n) { console_write(s, n, 6); }

// Reads one line with echo and backspace. Returns its length.
static size_t read_line(char *line) {
    size_t n = 0;
    for (;;) {
        char c = input_wait();
        if (c == '\r' || c == '\n') {
            echo("\n", 1);
            line[n] = '\0';
            return n;
        }
        if ((c == '\b' || c == 0x7f) && n > 0) {
            n--;
            echo("\b \b", 3);
        } else if (c >= ' ' && c < 0x7f && n < LINE_MAX - 1) {
            line[n++] = c;
            echo(&c, 1);
        }
    }
}

static void run(const char *cmd, const struct boot_info *bi) {
    if (strcmp(cmd, "help") == 0) {
        printk(KERN_INFO "commands: help ticks mem poweroff reboot panic\n");
    } else if (strcmp(cmd, "ticks") == 0) {
        uint64_t ns = time_since_boot_ns();
        printk(KERN_INFO "jiffies: %llu (HZ=%d), uptime: %llu.%03llu s\n",
               (unsigned long long)jiffies, HZ, (unsigned long long)(ns / 1000000000),
               (unsigned long long)(ns / 1000000 % 1000));
    } else if (strcmp(cmd, "mem") == 0) {
        printk(KERN_INFO "usable RAM: %lluK in %zu regions\n",
               (unsigned long long)(bootinfo_usable_bytes(bi) >> 10), bi->nr_mem);
    } else if (strcmp(cmd, "poweroff") == 0) {
        machine_power_off();
    } else if (strcmp(cmd, "reboot") == 0) {
        machine_restart();
    } else if (strcmp(cmd, "panic") == 0) {
        panic("monitor: panic requested");
    } else if (cmd[0]) {
        printk(KERN_INFO "monitor: unknown command \"%s\" (try help)\n", cmd);
    }
}

void monitor_run(const struct boot_info *bi) {
    printk(KERN_NOTICE "No init yet: kernel monitor on the console (type help)\n");
    for (;;) {
        char line[LINE_MAX];
        echo("kmon> ", 6);
        read_line(line);
        printk(KERN_INFO "monitor: got \"%s\"\n", line);
        run(line, bi);
    }
}
