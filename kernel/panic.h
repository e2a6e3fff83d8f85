// panic.h: stopping the kernel when an invariant is broken, and explaining where it was.
#pragma once
#include <stdbool.h>
#include <stdint.h>

// Seconds to wait before rebooting after a panic (panic= on the command line):
// 0 waits forever, a negative value reboots at once.
extern int panic_timeout;

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// backtrace.c
void dump_backtrace(uint64_t rip, uint64_t rbp);
void print_symbol_cont(uint64_t addr);     // pr_cont("name+0x12/0x40")
bool stack_guard_hit(uint64_t fault_addr); // is this address in a kernel stack's guard page?
uint64_t boot_stack_lo(void);
uint64_t boot_stack_hi(void);
