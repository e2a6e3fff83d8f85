// printk.h: the kernel log. Levels are spelled the Linux way: a string prefix "\001" + digit,
// so printk(KERN_ERR "disk on fire\n") works as in Linux.
#pragma once
#include <stdarg.h>

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
// A continuation of the previous line: no timestamp, same level.
#define KERN_CONT    KERN_SOH "c"

#define LOGLEVEL_DEFAULT 7   // console_loglevel: print everything more urgent than debug
#define LOGLEVEL_QUIET   4   // "quiet": only warnings and worse

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
void printk_set_loglevel(int console_loglevel);
// The log buffer (for syslog(2), dmesg): copies the newest text, at most max bytes.
#include <stdbool.h>
#include <stddef.h>
size_t printk_log_copy(char *dst, size_t max, bool clear);
size_t printk_log_size(void);

#define pr_emerg(...)  printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)    printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)   printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...)   printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...)  printk(KERN_DEBUG __VA_ARGS__)
#define pr_cont(...)   printk(KERN_CONT __VA_ARGS__)
