// serial.c: the 16550 UART at COM1 (I/O port 0x3f8), 115200 baud, 8 data bits, no parity,
// 1 stop bit. Output is polled (it is the console of last resort and must work even from a
// panic with interrupts off); input arrives by interrupt (IRQ 4) into the input queue.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "console.h"
#include "tty.h"
#include "serial.h"
#include "trap.h"
#include "x86.h"

#define COM1 0x3f8
#define COM1_IRQ 4
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };   // register offsets
#define LCR_DLAB     0x80   // divisor latch access: DATA/IER become the baud divisor
#define LCR_8N1      0x03
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20
#define MCR_DTR_RTS_OUT2 0x0b   // OUT2 gates the UART's interrupt line to the PIC
#define MCR_LOOPBACK   0x10

static bool present;

static void serial_write(const char *s, size_t n, int level) {
    (void)level;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');   // terminals want CR LF
        serial_putc(s[i]);
    }
}

static struct console serial_console = { .name = "ttyS0", .write = serial_write };

void serial_putc(char c) {
    if (!present)
        return;
    // Bounded: a UART that never drains must not hang the kernel.
    for (int spins = 0; spins < 100000 && !(inb(COM1 + LSR) & LSR_TX_EMPTY); spins++)
        pause();
    outb(COM1 + DATA, (uint8_t)c);
}

bool serial_init(void) {
    outb(COM1 + IER, 0x00);
    outb(COM1 + LCR, LCR_DLAB);
    outb(COM1 + DATA, 1);            // divisor 1: 115200 baud
    outb(COM1 + IER, 0);
    outb(COM1 + LCR, LCR_8N1);
    outb(COM1 + FCR, 0x07);          // FIFOs on and cleared, interrupt on every byte
    // Is anybody there? Send a byte to ourselves in loopback mode.
    outb(COM1 + MCR, MCR_LOOPBACK | 0x0e);
    outb(COM1 + DATA, 0xae);
    if (inb(COM1 + DATA) != 0xae)
        return false;
    outb(COM1 + MCR, MCR_DTR_RTS_OUT2);
    present = true;
    console_register(&serial_console);
    return true;
}

static void serial_irq(void) {
    while (inb(COM1 + LSR) & LSR_DATA_READY)
        tty_receive((char)inb(COM1 + DATA));
}

void serial_enable_input(void) {
    if (!present)
        return;
    irq_register(COM1_IRQ, serial_irq);
    outb(COM1 + IER, 0x01);          // interrupt when data arrives
}
