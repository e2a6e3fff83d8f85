// sys/reboot.h: reboot(2). Linux's call takes two magic numbers first, so that a stray call
// cannot restart the machine; glibc's reboot() passes them, and so does ours.
#pragma once

#define LINUX_REBOOT_MAGIC1  0xfee1dead
#define LINUX_REBOOT_MAGIC2  672274793      // 0x28121969: Linus Torvalds' birthday

#define RB_AUTOBOOT    0x01234567   // restart now
#define RB_HALT_SYSTEM 0xcdef0123   // stop the CPUs
#define RB_ENABLE_CAD  0x89abcdef   // Ctrl-Alt-Del reboots at once
#define RB_DISABLE_CAD 0            // Ctrl-Alt-Del sends SIGINT to init
#define RB_POWER_OFF   0x4321fedc   // turn the machine off

int reboot(int howto);   // only root; returns only on failure
