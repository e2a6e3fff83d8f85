// tty.c: the console as a file: what init's fds 0, 1 and 2 are.
//
// Reading is line by line ("canonical mode"), as on a Linux terminal: characters are
// echoed as they are typed, backspace erases, Enter ends the line, and Ctrl-D at the start
// of a line is end-of-file. Until there is a scheduler the reader waits in hlt, woken by
// the keyboard and serial interrupts.
#include <stdbool.h>
#include <stdint.h>
#include "console.h"
#include "errno.h"
#include "file.h"
#include "input.h"
#include "string.h"
#include "uaccess.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGWINSZ 0x5413

#define LINE_MAX 4096
#define USER_OUTPUT_LEVEL 6          // the colour of ordinary text on the VGA console

// Linux's struct termios for the TCGETS family (the kernel's, not glibc's larger one).
struct termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
};
struct winsize { uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel; };

// Linux's defaults for a console: ICRNL IXON, OPOST ONLCR, B38400 CS8 CREAD HUPCL,
// ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; ^C ^\ DEL ^U ^D ...
static struct termios termios = {
    .c_iflag = 0x500, .c_oflag = 0x5, .c_cflag = 0xbf, .c_lflag = 0x8a3b,
    .c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0 },
};

static char line[LINE_MAX];
static size_t line_len, line_pos;    // a finished line, and how much of it was read

static void echo(const char *s, size_t n) { console_write(s, n, USER_OUTPUT_LEVEL); }

// Collects one line into `line`. Returns false on end-of-file (Ctrl-D on an empty line).
static bool read_line(void) {
    line_len = line_pos = 0;
    for (;;) {
        char c = input_wait();
        if (c == '\r')
            c = '\n';                    // ICRNL: Enter sends CR, programs want NL
        if (c == 4) {                    // Ctrl-D
            if (line_len == 0)
                return false;
            return true;                 // ends the line without a newline
        }
        if (c == 127 || c == '\b') {
            if (line_len > 0) {
                line_len--;
                echo("\b \b", 3);
            }
            continue;
        }
        if (line_len < LINE_MAX - 1)
            line[line_len++] = c;
        echo(&c, 1);
        if (c == '\n')
            return true;
    }
}

static long console_read(struct file *f, void *buf, size_t n) {
    (void)f;
    if (line_pos == line_len && !read_line())
        return 0;
    size_t k = line_len - line_pos < n ? line_len - line_pos : n;
    memcpy(buf, line + line_pos, k);
    line_pos += k;
    return (long)k;
}

static long console_write_op(struct file *f, const void *buf, size_t n) {
    (void)f;
    console_write(buf, n, USER_OUTPUT_LEVEL);
    return (long)n;
}

static long console_ioctl(struct file *f, unsigned long cmd, uint64_t arg) {
    (void)f;
    switch (cmd) {
    case TCGETS:
        return copy_to_user((void *)arg, &termios, sizeof termios);
    case TCSETS: case TCSETSW: case TCSETSF:
        return copy_from_user(&termios, (const void *)arg, sizeof termios);
    case TIOCGWINSZ: {
        struct winsize ws = { 25, 80, 0, 0 };
        return copy_to_user((void *)arg, &ws, sizeof ws);
    }
    default:
        return -ENOTTY;
    }
}

static void console_stat(struct file *f, struct kstat *st) {
    (void)f;
    memset(st, 0, sizeof *st);
    st->st_mode = 0020000 | 0600;    // a character device, like /dev/console
    st->st_rdev = (5 << 8) | 1;      // major 5, minor 1
    st->st_nlink = 1;
    st->st_blksize = 1024;
}

const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write_op,
    .ioctl = console_ioctl,
    .stat = console_stat,
};
