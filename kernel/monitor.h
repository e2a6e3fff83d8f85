// monitor.h: the kernel monitor, a few commands on the console until there is an init.
#pragma once
#include "bootinfo.h"
void monitor_run(const struct boot_info *bi) __attribute__((noreturn));
