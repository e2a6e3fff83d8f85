// serial.h: the first serial port, COM1, as console ttyS0 and as an input device.
#pragma once
#include <stdbool.h>
#include <stddef.h>

bool serial_init(void);          // false if there is no UART at COM1
void serial_enable_input(void);  // after the IDT and PIC are set up
void serial_putc(char c);
bool com2_init(void);             // the second port, for data (the trace), not a console
void com2_write(const char *s, size_t n);
