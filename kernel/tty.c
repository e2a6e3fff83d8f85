// tty.c: the console as a terminal: what init's fds 0, 1 and 2 are.
//
// Input arrives from the keyboard and serial interrupts through tty_receive(), which
// turns Ctrl-C and Ctrl-\ into SIGINT and SIGQUIT for the foreground process group (the
// "job" a shell gave the terminal to) and queues everything else. A reader sleeps until
// input arrives. In canonical mode (the default, as on Linux) reading is line by line:
// characters are echoed as they are read, backspace erases, Enter ends the line, and
// Ctrl-D at the start of a line is end-of-file. With ICANON off (a shell's line editor,
// an editor) each byte is returned as it comes.
#include <stdbool.h>
#include <stdint.h>
#include "console.h"
#include "errno.h"
#include "file.h"
#include "fs.h"
#include "input.h"
#include "ksignal.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "tty.h"
#include "uaccess.h"
#include "x86.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCSCTTY  0x540e
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCNOTTY  0x5422

#define ICANON 0x0002
#define ECHO   0x0008
#define ISIG   0x0001
#define TOSTOP 0x0100
#define VINTR  0
#define VQUIT  1
#define VERASE 2
#define VEOF   4
#define VSUSP  10

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

static int fg_pgrp = 1;              // the foreground process group: init's, at first
static int tty_session;              // the session it is the controlling terminal of (0: none)
static char line[LINE_MAX];
static size_t line_len, line_pos;    // the line so far, and how much of it was read
static bool line_ready;              // line[0..line_len) is complete: reads take from it
static volatile bool discard_line;   // set by Ctrl-C (an interrupt); the reader empties the line
static int input_chan;               // readers sleep on its address

static void echo(const char *s, size_t n) {
    if (termios.c_lflag & ECHO)
        console_write(s, n, USER_OUTPUT_LEVEL);
}

static void signal_group(int pgrp, int sig) {
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state != PROC_UNUSED && p->state != PROC_DEAD && thread_group_leader(p) &&
            p->signal->nr_threads > 0 && p->pgid == pgrp)
            signal_send(p, sig, SI_KERNEL, 0, 0, 0);   // (init: only what it handles)
    }
}

// From the keyboard and serial interrupt handlers.
void tty_receive(char c) {
    if (termios.c_lflag & ISIG) {
        int sig = c == (char)termios.c_cc[VINTR] ? SIGINT : c == (char)termios.c_cc[VQUIT] ? SIGQUIT :
                  c == (char)termios.c_cc[VSUSP] ? SIGTSTP : 0;
        if (sig) {
            char ctl[2] = { '^', (char)(c + '@') };
            echo(ctl, 2);                // ECHOCTL, as Linux: the shell adds the newline
            discard_line = true;         // the signal also discards the line being typed
            signal_group(fg_pgrp, sig);
            wakeup(&input_chan);
            poll_notify(&console_ops, POLLIN | POLLRDNORM);
            return;
        }
    }
    input_push(c);
    wakeup(&input_chan);
    poll_notify(&console_ops, POLLIN | POLLRDNORM);
}

// The next typed character, or -ERESTARTSYS if a signal interrupts the wait.
static int getc_sleeping(char *c) {
    uint64_t f = local_irq_save();
    int err = 0;
    while (!input_pop(c)) {
        if (signal_pending(current())) {
            err = -ERESTARTSYS;
            break;
        }
        sleep_on(&input_chan);
    }
    local_irq_restore(f);
    return err;
}

// Collects one line into `line`: 1 with a line, 0 on end-of-file (Ctrl-D on an empty
// line), or -ERESTARTSYS. What was typed so far stays for the next attempt.
static int read_line(void) {
    for (;;) {
        char c;
        int err = getc_sleeping(&c);
        if (discard_line) {              // only the reader touches the line itself
            discard_line = false;
            line_len = 0;
        }
        if (err)
            return err;
        if (c == '\r')
            c = '\n';                    // ICRNL: Enter sends CR, programs want NL
        if (c == (char)termios.c_cc[VEOF])
            return line_len > 0;         // ends the line without a newline, or EOF
        if (c == (char)termios.c_cc[VERASE] || c == '\b') {
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
            return 1;
    }
}

static long read_raw(char *buf, size_t n) {
    size_t got = 0;
    int err = getc_sleeping(&buf[got]);
    if (err)
        return err;
    echo(&buf[got++], 1);
    while (got < n && input_pop(&buf[got]))
        echo(&buf[got++], 1);
    return (long)got;
}

// Job control: a process of the terminal's session that is not in the foreground group
// may not read it (SIGTTIN stops its group), nor write with TOSTOP set or change the
// terminal's settings (SIGTTOU). Returns 0 to go ahead, -ERESTARTSYS after sending the
// signal (the call is retried once the group is continued), or -EIO when the signal would
// not stop it (ignored or blocked for SIGTTIN, an orphaned group), as Linux does.
static long job_control_check(int sig) {
    struct proc *p = current();
    if (!tty_session || p->sid != tty_session || p->pgid == fg_pgrp || !proc_find(tty_session))
        return 0;
    bool ignored = p->sighand->action[sig].handler == SIG_IGN ||
                   (p->sig_blocked & (1ull << (sig - 1)));
    if (ignored)
        return sig == SIGTTIN ? -EIO : 0;
    if (pgrp_orphaned(p->pgid))
        return -EIO;
    signal_group(p->pgid, sig);
    return -ERESTARTSYS;
}

static long console_read(struct file *f, void *buf, size_t n) {
    (void)f;
    long err = job_control_check(SIGTTIN);
    if (err)
        return err;
    if (!(termios.c_lflag & ICANON))
        return read_raw(buf, n);
    if (!line_ready) {
        int r = read_line();
        if (r <= 0)
            return r;                    // end of file, or interrupted
        line_ready = true;
    }
    size_t k = line_len - line_pos < n ? line_len - line_pos : n;
    memcpy(buf, line + line_pos, k);
    line_pos += k;
    if (line_pos == line_len)            // the line is used up: start the next one
        line_ready = false, line_len = line_pos = 0;
    return (long)k;
}

static long console_write_op(struct file *f, const void *buf, size_t n) {
    (void)f;
    if (termios.c_lflag & TOSTOP) {
        long err = job_control_check(SIGTTOU);
        if (err)
            return err;
    }
    console_write(buf, n, USER_OUTPUT_LEVEL);
    return (long)n;
}

// TIOCSCTTY: a session leader makes this its controlling terminal (Linux: EPERM if the
// caller leads no session, or the terminal is another live session's and arg is not 1).
static long set_controlling_tty(uint64_t arg) {
    struct proc *p = current();
    if (p->sid != p->tgid)
        return -EPERM;
    if (tty_session == p->sid)
        return 0;
    if (tty_session && proc_find(tty_session) && arg != 1)
        return -EPERM;
    tty_session = p->sid;
    fg_pgrp = p->pgid;
    return 0;
}

static long set_pgrp(uint64_t arg) {
    int pgrp;
    if (copy_from_user(&pgrp, (const void *)arg, sizeof pgrp))
        return -EFAULT;
    if (pgrp < 0)
        return -EINVAL;
    for (struct proc *p = proc_next(NULL); p; p = proc_next(p)) {
        if (p->state != PROC_UNUSED && p->state != PROC_DEAD && p->pgid == pgrp) {
            fg_pgrp = pgrp;
            return 0;
        }
    }
    return -ESRCH;
}

static long console_ioctl(struct file *f, unsigned long cmd, uint64_t arg) {
    (void)f;
    switch (cmd) {
    case TCGETS:
        return copy_to_user((void *)arg, &termios, sizeof termios);
    case TCSETS: case TCSETSW: case TCSETSF: {
        long err = job_control_check(SIGTTOU);
        err = err ? err : copy_from_user(&termios, (const void *)arg, sizeof termios);
        poll_notify(&console_ops, 0);    // ICANON may have changed what counts as readable
        return err;
    }
    case TIOCGWINSZ: {
        struct winsize ws = { 25, 80, 0, 0 };
        return copy_to_user((void *)arg, &ws, sizeof ws);
    }
    case TIOCGPGRP:
        return copy_to_user((void *)arg, &fg_pgrp, sizeof fg_pgrp);
    case TIOCSPGRP: {
        long err = job_control_check(SIGTTOU);
        return err ? err : set_pgrp(arg);
    }
    case TIOCSCTTY:
        return set_controlling_tty(arg);
    case TIOCNOTTY:
        if (current()->sid == tty_session && current()->tgid == tty_session)
            tty_session = 0;             // the session leader gives it up
        return 0;
    default:
        return -ENOTTY;
    }
}

// Readable when a read would not wait: in canonical mode once a line is complete (a
// newline, Enter or Ctrl-D is queued, or a line is partly read), otherwise once any byte
// is queued. Writing never waits. Interrupts off: the queue is filled by interrupts.
static unsigned console_poll(struct file *f) {
    (void)f;
    const char ends[] = { '\n', '\r', (char)termios.c_cc[VEOF] };
    bool readable = (termios.c_lflag & ICANON) ? line_ready || input_contains(ends, sizeof ends)
                                              : !input_empty();
    return POLLOUT | POLLWRNORM | (readable ? POLLIN | POLLRDNORM : 0);
}

static void console_stat(struct file *f, struct kstat *st) {
    // Opened through a node, or the kernel's open for init (Linux opens /dev/console then):
    // the node's own numbers, so that ttyname() finds it as the same file.
    struct inode *node = f->ip;
    if (!node && fs_lookup(NULL, "/dev/console", FS_FOLLOW, &node) == 0 && !S_ISCHR(node->mode))
        node = NULL;
    if (node && node->rdev == ((5 << 8) | 1)) {
        inode_stat(node, st);
        return;
    }
    memset(st, 0, sizeof *st);
    st->st_mode = 0020000 | 0600;    // a character device, like /dev/console
    st->st_rdev = (5 << 8) | 1;      // major 5, minor 1
    st->st_nlink = 1;
    st->st_blksize = 1024;
}

int tty_nr_of(struct proc *p, int *tpgid) {
    bool mine = tty_session && p->sid == tty_session;
    *tpgid = mine ? fg_pgrp : -1;
    return mine ? (5 << 8) | 1 : 0;
}

const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write_op,
    .ioctl = console_ioctl,
    .stat = console_stat,
    .poll = console_poll,
};
