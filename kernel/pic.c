// pic.c: the 8259A programmable interrupt controllers, master and slave.
//
// Out of reset they deliver IRQ 0..7 on vectors 8..15, the same vectors the CPU uses for its
// own exceptions (8 is the double fault!), so the first thing to do is move them: IRQ n
// arrives as vector IRQ_BASE + n. The slave is cascaded on the master's IRQ 2.
//
// A spurious interrupt happens when an IRQ line drops before the CPU acknowledges it: the
// PIC then reports IRQ 7 (or 15) without setting its in-service bit. Such an IRQ must not
// get an EOI (for 15, only the master gets one, for the cascade).
#include <stdbool.h>
#include <stdint.h>
#include "pic.h"
#include "trap.h"
#include "x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI   0x20
#define PIC_READ_ISR 0x0b
#define CASCADE_IRQ 2

static uint16_t irq_mask = 0xffff & ~(1u << CASCADE_IRQ);   // all masked but the cascade

static void write_mask(void) {
    outb(PIC1_DATA, irq_mask & 0xff);
    outb(PIC2_DATA, irq_mask >> 8);
}

void pic_init(void) {
    // ICW1: initialise, expect ICW4. ICW2: vector offset. ICW3: wiring. ICW4: 8086 mode.
    outb(PIC1_CMD, 0x11);                 io_wait();
    outb(PIC2_CMD, 0x11);                 io_wait();
    outb(PIC1_DATA, IRQ_BASE);            io_wait();
    outb(PIC2_DATA, IRQ_BASE + 8);        io_wait();
    outb(PIC1_DATA, 1 << CASCADE_IRQ);    io_wait();
    outb(PIC2_DATA, CASCADE_IRQ);         io_wait();
    outb(PIC1_DATA, 0x01);                io_wait();
    outb(PIC2_DATA, 0x01);                io_wait();
    write_mask();
}

void pic_unmask(int irq) { irq_mask &= ~(1u << irq); write_mask(); }
void pic_mask(int irq)   { irq_mask |= 1u << irq;    write_mask(); }

// Once the I/O APIC takes over (smp.c), the PICs stay initialised but silent: every line
// masked, the cascade too.
void pic_disable(void) { irq_mask = 0xffff; write_mask(); }

void pic_eoi(int irq) {
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

static uint8_t in_service(uint16_t cmd_port) {
    outb(cmd_port, PIC_READ_ISR);
    return inb(cmd_port);
}

bool pic_is_spurious(int irq) {
    if (irq == 7)
        return !(in_service(PIC1_CMD) & 0x80);
    if (irq == 15 && !(in_service(PIC2_CMD) & 0x80)) {
        outb(PIC1_CMD, PIC_EOI);          // the master did see the cascade IRQ
        return true;
    }
    return false;
}
