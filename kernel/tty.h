// tty.h: the console terminal (the file side is console_ops in file.h).
#pragma once
void tty_receive(char c);   // a typed character, from the keyboard or serial interrupt
