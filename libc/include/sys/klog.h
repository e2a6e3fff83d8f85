// sys/klog.h: the kernel's log buffer (what dmesg prints), through Linux's syslog(2) call.
#pragma once

#define SYSLOG_ACTION_CLOSE          0
#define SYSLOG_ACTION_OPEN           1
#define SYSLOG_ACTION_READ           2   // read and remove: blocks until there is some
#define SYSLOG_ACTION_READ_ALL       3   // copy the whole buffer, and keep it
#define SYSLOG_ACTION_READ_CLEAR     4
#define SYSLOG_ACTION_CLEAR          5
#define SYSLOG_ACTION_SIZE_UNREAD    9
#define SYSLOG_ACTION_SIZE_BUFFER   10   // the buffer's size in bytes

// Returns bytes read for the READ actions, a size for the SIZE ones, else 0; -1 on error
// (EPERM without privilege, where the kernel restricts it).
int klogctl(int type, char *buf, int len);
