// keyboard.h: the PS/2 keyboard (IRQ 1), feeding the input queue.
#pragma once
void keyboard_init(void);
