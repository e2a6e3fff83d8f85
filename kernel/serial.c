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
#define COM2 0x2f8
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

static void uart_putc(uint16_t port, char c) {
    // Bounded: a UART that never drains must not hang the kernel.
    for (int spins = 0; spins < 100000 && !(inb(port + LSR) & LSR_TX_EMPTY); spins++)
        pause();
    outb(port + DATA, (uint8_t)c);
}

void serial_putc(char c) {
    if (present)
        uart_putc(COM1, c);
}

// 115200 8N1 with FIFOs; false if nothing answers at that port (checked in loopback mode).
static bool uart_init(uint16_t port) {
    outb(port + IER, 0x00);
    outb(port + LCR, LCR_DLAB);
    outb(port + DATA, 1);            // divisor 1: 115200 baud
    outb(port + IER, 0);
    outb(port + LCR, LCR_8N1);
    outb(port + FCR, 0x07);          // FIFOs on and cleared, interrupt on every byte
    outb(port + MCR, MCR_LOOPBACK | 0x0e);
    outb(port + DATA, 0xae);
    if (inb(port + DATA) != 0xae)
        return false;
    outb(port + MCR, MCR_DTR_RTS_OUT2);
    return true;
}

bool serial_init(void) {
    if (!uart_init(COM1))
        return false;
    present = true;
    console_register(&serial_console);
    return true;
}

// The second port, COM2: a plain byte channel out of the machine (the event trace).
static bool com2_present;

bool com2_init(void) { return com2_present = uart_init(COM2); }

void com2_write(const char *s, size_t n) {
    for (size_t i = 0; com2_present && i < n; i++)
        uart_putc(COM2, s[i]);
}

static void serial_irq(void) {
    while (inb(COM1 + LSR) & LSR_DATA_READY)
        tty_receive((char)inb(COM1 + DATA));
}

void serial_enable_input(void) {
    if (!present)
        return;
    irq_register(COM1_IRQ, serial_irq, "ttyS0");
    outb(COM1 + IER, 0x01);          // interrupt when data arrives
}
