// keyboard.c: the PS/2 keyboard. Each key press and release arrives as a scancode on port
// 0x60 with an IRQ 1. The controller translates to scancode set 1, where a release is the
// press code with bit 7 set, and 0xe0 announces an extended key (arrows, right ctrl, ...).
// Shift, ctrl and caps lock are tracked here; the resulting characters go to the input
// queue, exactly like bytes from the serial line. Shift+PageUp/PageDown scroll the screen
// back and forth through its history, as on Linux's console; any other key brings it back.
#include <stdbool.h>
#include <stdint.h>
#include "console.h"
#include "tty.h"
#include "keyboard.h"
#include "trap.h"
#include "x86.h"

#define KBD_DATA   0x60
#define KBD_STATUS 0x64
#define KBD_IRQ    1

enum { SC_LCTRL = 0x1d, SC_LSHIFT = 0x2a, SC_RSHIFT = 0x36, SC_CAPS = 0x3a, SC_EXTENDED = 0xe0 };
enum { SC_PGUP = 0x49, SC_PGDN = 0x51 };   // after 0xe0 (the same codes alone: keypad 9, 3)

// Set 1 scancodes 0x00..0x39 to characters, without and with shift. 0 = no character.
static const char plain[0x3a] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
    'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0, 'a', 's',
    'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
    'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char shifted[0x3a] = {
    0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t',
    'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0, 'A', 'S',
    'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
    'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

static bool shift, ctrl, caps, extended;

// Scrollback keys, seen in the keyboard interrupt. Returns true when the key was one.
static bool scroll_key(uint8_t code, bool was_extended) {
    if (shift && was_extended && (code == SC_PGUP || code == SC_PGDN)) {
        console_scroll(code == SC_PGUP ? 1 : -1);
        return true;
    }
    console_scroll(0);   // any other key press: back to the live screen
    return false;
}

static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// One scancode in, at most one character out (0 for none).
static char translate(uint8_t sc) {
    bool release = sc & 0x80, was_extended = extended;
    uint8_t code = sc & 0x7f;
    extended = false;
    if (sc == SC_EXTENDED) { extended = true; return 0; }
    if (code == SC_LSHIFT || code == SC_RSHIFT) { if (!was_extended) shift = !release; return 0; }
    if (code == SC_LCTRL) { ctrl = !release; return 0; }   // left, or right (0xe0 0x1d)
    if (release || scroll_key(code, was_extended) || was_extended)
        return 0;
    if (code == SC_CAPS) { caps = !caps; return 0; }
    if (code >= sizeof plain)
        return 0;
    char c = shift ? shifted[code] : plain[code];
    if (caps && is_letter(c))
        c ^= 0x20;                  // caps lock inverts the case shift gave
    if (ctrl && is_letter(c))
        c &= 0x1f;                  // ctrl-A = 1 ... ctrl-Z = 26, ctrl-C = 3
    return c;
}

#define STATUS_OUTPUT_FULL 0x01   // a byte is waiting in KBD_DATA
#define STATUS_FROM_MOUSE  0x20   // ... and it came from the mouse port

// Loops are bounded: with no controller, the status port reads 0xff forever.
static void keyboard_irq(void) {
    for (int i = 0; i < 16; i++) {
        uint8_t status = inb(KBD_STATUS);
        if (!(status & STATUS_OUTPUT_FULL))
            break;
        uint8_t sc = inb(KBD_DATA);
        char c = (status & STATUS_FROM_MOUSE) ? 0 : translate(sc);
        if (c)
            tty_receive(c);
    }
}

void keyboard_init(void) {
    for (int i = 0; i < 64 && (inb(KBD_STATUS) & STATUS_OUTPUT_FULL); i++)
        inb(KBD_DATA);                  // drop whatever the firmware left behind
    irq_register(KBD_IRQ, keyboard_irq, "i8042");
}
