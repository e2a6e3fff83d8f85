// trace.c: the event trace's ring buffer and its text dump (the format is in tools/trace.py).
//
// Each event is a fixed-size record stamped with nanoseconds since boot and the number of
// the CPU it happened on (tools/trace.py draws a kernel lane per CPU). The ring keeps the
// newest TRACE_EVENTS; older ones are overwritten and counted as dropped.
// Locking: every CPU records into the one ring, from system calls, the scheduler and
// interrupt handlers, so `ring` and `recorded` belong to trace_lock, a leaf lock (nothing
// is taken while holding it). Taking it turns interrupts off, so an interrupt's events
// never tear a system call's record on the same CPU, and the stamps are taken under it, so
// the ring is in time order. trace_on is read without the lock (the TRACE macro's quick
// test) and checked again under it.
// A system call's entry also records where user space made it: the user rip (just after the
// `syscall` instruction) and the return addresses of the frames above it, found by following
// the user's frame-pointer chain (rbp) through copy_from_user, so tools/trace.py can name
// the source line with addr2line. A chain that is not one (no frame pointers, garbage in
// rbp) just ends the walk: -EFAULT, or an address that is no return address, is harmless.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "memlayout.h"
#include "page_alloc.h"
#include "percpu.h"
#include "printk.h"
#include "serial.h"
#include "spinlock.h"
#include "string.h"
#include "syscall.h"
#include "time.h"
#include "trace.h"
#include "trap.h"
#include "uaccess.h"
#include "x86.h"

#define TRACE_ORDER  9                           // 512 pages = 2 MiB of events
#define TRACE_USER_IPS 8                         // sys_enter: rip and 7 return addresses
#define TRACE_EVENTS ((PAGE_SIZE << TRACE_ORDER) / sizeof(struct event))

struct event {
    uint64_t ns;
    uint16_t type, cpu;
    int32_t a;
    union {
        struct { int64_t b, c; };
        char name[16];                           // exec: the program's name
    };
    uint64_t user_ip[TRACE_USER_IPS];            // sys_enter only (else zero)
};

bool trace_on;
static struct spinlock trace_lock = SPINLOCK_INIT("trace");
static struct event *ring;
static uint64_t recorded;                        // events ever recorded
static bool dumping;                             // trace_dump is writing the ring out

void trace_init(bool on) {
    if (!on)
        return;
    uint64_t pa = alloc_pages(TRACE_ORDER);
    if (!pa) {
        pr_warn("trace: no memory for the ring buffer; tracing stays off\n");
        return;
    }
    if (!com2_init())
        pr_warn("trace: no second serial port (COM2): the trace cannot be written out\n");
    ring = phys_to_virt(pa);
    trace_on = true;
    pr_info("trace: recording up to %llu events\n", (unsigned long long)TRACE_EVENTS);
}

// The next slot, stamped with the time and this CPU; NULL while tracing is off (or the dump
// is reading the ring). Returns holding trace_lock, which end() lets go.
static struct event *begin(enum trace_type type, int64_t a, uint64_t *flags) {
    *flags = spin_lock_irqsave(&trace_lock);
    if (!trace_on || dumping)
        return NULL;
    struct event *e = &ring[recorded++ % TRACE_EVENTS];
    *e = (struct event){ .ns = time_since_boot_ns(), .type = (uint16_t)type,
                         .cpu = (uint16_t)this_cpu()->id, .a = (int32_t)a };
    return e;
}

static void end(uint64_t flags) {
    spin_unlock_irqrestore(&trace_lock, flags);
}

void trace_record(enum trace_type type, int64_t a, int64_t b, int64_t c) {
    uint64_t f;
    struct event *e = begin(type, a, &f);
    if (e) {
        e->b = b;
        e->c = c;
    }
    end(f);
}

void trace_record_name(enum trace_type type, int64_t a, const char *name) {
    if (!trace_on)
        return;
    uint64_t f;
    struct event *e = begin(type, a, &f);
    if (e) {
        strlcpy(e->name, name, sizeof e->name);
        for (char *p = e->name; *p; p++)
            if (*p == ' ')
                *p = '_';                        // the text format splits on spaces
    }
    end(f);
}

// The user's rip and the return addresses of up to TRACE_USER_IPS - 1 frames above it.
// Reads user memory, so it runs before the event is recorded, with interrupts on.
static void user_frames(const struct trapframe *tf, uint64_t *ip) {
    ip[0] = tf->rip;
    uint64_t fp = tf->rbp;
    for (int i = 1; i < TRACE_USER_IPS; i++) {
        uint64_t frame[2];                       // saved rbp, return address
        if (fp == 0 || (fp & 7) || copy_from_user(frame, (const void *)fp, sizeof frame))
            break;
        ip[i] = frame[1];
        if (frame[0] <= fp)                      // stacks grow down: callers are above
            break;
        fp = frame[0];
    }
}

void trace_syscall_enter(int pid, uint64_t nr, const struct trapframe *tf) {
    uint64_t ip[TRACE_USER_IPS] = { 0 };
    user_frames(tf, ip);
    uint64_t f;
    struct event *e = begin(TR_SYS_ENTER, pid, &f);
    if (e) {
        e->b = (int64_t)nr;
        memcpy(e->user_ip, ip, sizeof ip);
    }
    end(f);
}

// "<ns> <cpu> sys_enter <pid> <nr> <name> <ip> <ret1> ... <ret7>", the addresses in hex.
static int format_sys_enter(const struct event *e, char *buf, size_t size) {
    int n = snprintf(buf, size, "sys_enter %d %lld %s", e->a, (long long)e->b,
                     syscall_name((uint64_t)e->b));
    for (int i = 0; i < TRACE_USER_IPS && n < (int)size; i++)
        n += snprintf(buf + n, size - n, " %llx", (unsigned long long)e->user_ip[i]);
    if (n < (int)size)
        n += snprintf(buf + n, size - n, "\n");
    return n < (int)size ? n : (int)size - 1;
}

// The event's kind and fields: what follows "<ns> <cpu> " on its line.
static int format_body(const struct event *e, char *buf, size_t size) {
    long long b = e->b, c = e->c;
    switch (e->type) {
    case TR_IRQ_ENTER:  return snprintf(buf, size, "irq_enter %d %lld\n", e->a, b);
    case TR_IRQ_EXIT:   return snprintf(buf, size, "irq_exit %d\n", e->a);
    case TR_EXCEPTION:  return snprintf(buf, size, "exception %d %lld\n", e->a, b);
    case TR_SYS_ENTER:  return format_sys_enter(e, buf, size);
    case TR_SYS_EXIT:   return snprintf(buf, size, "sys_exit %d %lld %lld\n", e->a, b, c);
    case TR_SWITCH:     return snprintf(buf, size, "switch %d %lld\n", e->a, b);
    case TR_FORK:       return snprintf(buf, size, "fork %d %lld\n", e->a, b);
    case TR_EXEC:       return snprintf(buf, size, "exec %d %.16s\n", e->a, e->name);
    case TR_EXIT:       return snprintf(buf, size, "exit %d %lld\n", e->a, b);
    case TR_SIGNAL:     return snprintf(buf, size, "signal %d %lld\n", e->a, b);
    case TR_WAKEUP:     return snprintf(buf, size, "wakeup %d\n", e->a);
    default:            return -1;
    }
}

// One line: "<ns> <cpu> <kind> <fields...>\n" (0 for an event of no known kind).
static int format(const struct event *e, char *buf, size_t size) {
    int n = snprintf(buf, size, "%llu %u ", (unsigned long long)e->ns, (unsigned)e->cpu);
    int body = format_body(e, buf + n, size - n);
    if (body < 0)
        return 0;
    n += body;
    return n < (int)size ? n : (int)size - 1;
}

// Writes the ring out over COM2, oldest event first. Recording pauses meanwhile (events
// that happen during the dump, the dump's own among them, are not kept): `dumping` holds
// the ring still without holding trace_lock for the whole slow write. Called under the BKL,
// so two dumps never overlap.
long trace_dump(void) {
    if (!trace_on)
        return 0;
    uint64_t f = spin_lock_irqsave(&trace_lock);
    dumping = true;
    uint64_t last = recorded, first = last > TRACE_EVENTS ? last - TRACE_EVENTS : 0;
    spin_unlock_irqrestore(&trace_lock, f);
    char line[256];
    com2_write("LANTERN-TRACE 2\n", 16);
    for (uint64_t i = first; i < last; i++)
        com2_write(line, format(&ring[i % TRACE_EVENTS], line, sizeof line));
    int n = snprintf(line, sizeof line, "END %llu %llu\n", (unsigned long long)(last - first),
                     (unsigned long long)first);
    com2_write(line, n);
    f = spin_lock_irqsave(&trace_lock);
    dumping = false;
    spin_unlock_irqrestore(&trace_lock, f);
    return (long)(last - first);
}
