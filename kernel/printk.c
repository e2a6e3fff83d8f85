// printk.c: the kernel log, in Linux's format.
//
//   printk(KERN_INFO "Memory: %lluK available\n", kb);
//   -> "[    0.012345] Memory: 65024K available"
//
// Every line gets a timestamp (seconds since boot, from the TSC once it is calibrated;
// 0.000000 before that, as in Linux) and a level. Lines at console_loglevel or above are
// not shown; "quiet" lowers console_loglevel to 4 so only warnings and worse get through.
// A message without a level gets Linux's default, 4 (warning).
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "console.h"
#include "printk.h"
#include "time.h"
#include "x86.h"

#define MESSAGE_LOGLEVEL_DEFAULT 4

static int console_loglevel = LOGLEVEL_DEFAULT;
static bool line_open;        // the last output did not end with a newline
static int line_level = MESSAGE_LOGLEVEL_DEFAULT;

void printk_set_loglevel(int level) { console_loglevel = level; }

// Strips a KERN_* prefix; returns the level, or -1 for KERN_CONT.
static int take_level(const char **s) {
    const char *p = *s;
    if (p[0] != KERN_SOH[0] || p[1] == '\0')
        return MESSAGE_LOGLEVEL_DEFAULT;
    *s = p + 2;
    if (p[1] == 'c')
        return -1;
    if (p[1] >= '0' && p[1] <= '7')
        return p[1] - '0';
    return MESSAGE_LOGLEVEL_DEFAULT;
}

// The log buffer: everything printk says, whatever the console shows, for dmesg
// (syslog(2)). A ring: when full, the oldest text goes. Lines start with "<level>", as
// Linux's syslog hands them out.
#define LOG_BUF_LEN (64 * 1024)
static char log_buf[LOG_BUF_LEN];
static uint64_t log_end;           // bytes ever logged; the buffer holds the last LOG_BUF_LEN

static void log_store(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        log_buf[log_end++ % LOG_BUF_LEN] = s[i];
}

size_t printk_log_copy(char *dst, size_t max, bool clear) {
    uint64_t flags = local_irq_save();
    uint64_t start = log_end > LOG_BUF_LEN ? log_end - LOG_BUF_LEN : 0;
    if (log_end - start > max)
        start = log_end - max;
    size_t n = 0;
    for (uint64_t i = start; i < log_end; i++)
        dst[n++] = log_buf[i % LOG_BUF_LEN];
    if (clear)
        log_end = 0;
    local_irq_restore(flags);
    return n;
}

size_t printk_log_size(void) { return log_end < LOG_BUF_LEN ? log_end : LOG_BUF_LEN; }

static void emit(const char *s, size_t n, int level) {
    log_store(s, n);
    if (level < console_loglevel)
        console_write(s, n, level);
}

static void emit_timestamp(int level) {
    char tag[4] = { '<', (char)('0' + level), '>', 0 };
    log_store(tag, 3);                   // in the log buffer only
    uint64_t ns = time_since_boot_ns();
    char stamp[32];
    int n = snprintf(stamp, sizeof stamp, "[%5llu.%06llu] ", (unsigned long long)(ns / 1000000000),
                     (unsigned long long)(ns % 1000000000 / 1000));
    emit(stamp, n, level);
}

// Writes `text`, starting a timestamped line wherever a new line begins.
static void emit_lines(const char *text, int level) {
    while (*text) {
        if (!line_open) {
            emit_timestamp(level);
            line_open = true;
        }
        const char *end = text;
        while (*end && *end != '\n')
            end++;
        if (*end == '\n') {
            end++;
            line_open = false;
        }
        emit(text, end - text, level);
        text = end;
    }
}

int vprintk(const char *fmt, va_list ap) {
    // Static, not on the stack: a whole command line (2 KiB) must fit, and kernel stacks
    // are small. Interrupts stay off while it is in use.
    static char msg[4096];
    int level = take_level(&fmt);
    uint64_t flags = local_irq_save();   // one message is never interleaved with another
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    if (level < 0) {
        level = line_level;              // KERN_CONT: carry on the open line
    } else if (line_open) {
        emit("\n", 1, line_level);       // a new message closes a line left open
        line_open = false;
    }
    line_level = level;
    emit_lines(msg, level);
    local_irq_restore(flags);
    return len;
}

int printk(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}
