// sys/ioctl.h: device control. The request numbers are Linux's terminal ioctls.
#pragma once

#define TCGETS     0x5401   // get the struct termios (termios.h)
#define TCSETS     0x5402   // set it now,
#define TCSETSW    0x5403   // after pending output is written,
#define TCSETSF    0x5404   // and also discard pending input
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413   // get the struct winsize
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B   // bytes waiting to be read

struct winsize {
    unsigned short ws_row, ws_col;         // characters
    unsigned short ws_xpixel, ws_ypixel;   // usually 0
};

int ioctl(int fd, unsigned long request, ...);   // ... is one argument, usually a pointer
