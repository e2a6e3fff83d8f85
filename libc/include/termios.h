// termios.h: terminal settings. struct termios is the kernel's (what TCGETS copies out):
// glibc's has a larger c_cc and two speed fields, but the kernel knows only this one.
#pragma once

typedef unsigned int  tcflag_t;
typedef unsigned char cc_t;

#define NCCS 19
struct termios {
    tcflag_t c_iflag;     // input modes
    tcflag_t c_oflag;     // output modes
    tcflag_t c_cflag;     // control modes (baud rate, character size)
    tcflag_t c_lflag;     // local modes: echo, line editing, signals
    cc_t     c_line;      // line discipline
    cc_t     c_cc[NCCS];  // special characters, indexed by V*
};

// c_cc indices
#define VINTR  0
#define VQUIT  1
#define VERASE 2
#define VKILL  3
#define VEOF   4
#define VTIME  5
#define VMIN   6
// c_iflag
#define ICRNL  0000400    // turn CR into NL on input
// c_oflag
#define OPOST  0000001    // process output (e.g. ONLCR)
#define ONLCR  0000004    // turn NL into CR NL on output
// c_lflag
#define ISIG   0000001    // ^C and friends send signals
#define ICANON 0000002    // line editing: read returns whole lines
#define ECHO   0000010
#define ECHOE  0000020
#define ECHOK  0000040
#define ECHONL 0000100
#define IEXTEN 0100000

// tcsetattr's when
#define TCSANOW   0
#define TCSADRAIN 1
#define TCSAFLUSH 2

int tcgetattr(int fd, struct termios *t);
int tcsetattr(int fd, int when, const struct termios *t);
