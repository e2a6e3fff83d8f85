// tty.h: the console terminal (the file side is console_ops in file.h).
#pragma once
void tty_receive(char c);   // a typed character, from the keyboard or serial interrupt
struct proc;
// /proc/<pid>/stat's tty_nr and tpgid: the console's device number (5, 1) and its
// foreground group if the console is the controlling terminal of p's session; else 0, -1.
int tty_nr_of(struct proc *p, int *tpgid);
