// vga.h: the VGA text screen (80x25 at physical 0xb8000) as console tty0.
#pragma once
void vga_init(void);
