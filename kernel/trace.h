// trace.h: the kernel event trace. With `trace` on the command line, the kernel records
// what happens - interrupts, exceptions, system calls, context switches, fork, exec, exit,
// signals, wakeups - into a ring buffer, and writes it out as text over COM2 at power-off
// (or when /proc/trace is read). tools/trace.py draws it as a timeline.
// When tracing is off, each trace point costs one predictable branch.
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum trace_type {
    TR_IRQ_ENTER, TR_IRQ_EXIT, TR_EXCEPTION, TR_SYS_ENTER, TR_SYS_EXIT, TR_SWITCH,
    TR_FORK, TR_EXEC, TR_EXIT, TR_SIGNAL, TR_WAKEUP,
};

extern bool trace_on;

void trace_init(bool on);
void trace_record(enum trace_type type, int64_t a, int64_t b, int64_t c);
void trace_record_name(enum trace_type type, int64_t a, const char *name);
struct trapframe;
void trace_syscall_enter(int pid, uint64_t nr, const struct trapframe *tf);
long trace_dump(void);                   // writes the trace to COM2; returns the event count

#define TRACE(type, a, b, c) \
    do { if (__builtin_expect(trace_on, 0)) trace_record(type, a, b, c); } while (0)
// A system call's entry, with where in user space it was made (tf's rip and return addresses).
#define TRACE_SYSCALL_ENTER(pid, nr, tf) \
    do { if (__builtin_expect(trace_on, 0)) trace_syscall_enter(pid, nr, tf); } while (0)
