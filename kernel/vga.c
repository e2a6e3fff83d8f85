// vga.c: the VGA text-mode screen. Each cell is two bytes: the character and its colour
// (background << 4 | foreground). Only present when the firmware is a BIOS; under UEFI the
// screen is a pixel framebuffer and the serial port is the console.
#include <stddef.h>
#include <stdint.h>
#include "console.h"
#include "memlayout.h"
#include "vga.h"
#include "x86.h"

#define COLS 80
#define ROWS 25
#define VGA_PHYS 0xb8000
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5

static volatile uint16_t *screen;
static int row, col;

// Colour by log level, like dmesg --color: errors red, warnings yellow, debug dim.
static uint8_t level_colour(int level) {
    if (level <= 3) return 0x0c;   // emerg..err: light red
    if (level == 4) return 0x0e;   // warning: yellow
    if (level == 5) return 0x0f;   // notice: bright white
    if (level == 7) return 0x08;   // debug: dark grey
    return 0x07;                   // info and plain text: light grey
}

static void move_cursor(void) {
    uint16_t pos = row * COLS + col;
    outb(CRTC_INDEX, 0x0f); outb(CRTC_DATA, pos & 0xff);
    outb(CRTC_INDEX, 0x0e); outb(CRTC_DATA, pos >> 8);
}

static void scroll(void) {
    for (int i = 0; i < (ROWS - 1) * COLS; i++)
        screen[i] = screen[i + COLS];
    for (int i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
        screen[i] = 0x0700 | ' ';
    row = ROWS - 1;
}

static void put(char c, uint8_t colour) {
    switch (c) {
    case '\n': col = 0; row++; break;
    case '\r': col = 0; break;
    case '\b': if (col > 0) screen[row * COLS + --col] = 0x0700 | ' '; break;
    case '\t': col = (col + 8) & ~7; break;
    default:   screen[row * COLS + col++] = (uint16_t)colour << 8 | (uint8_t)c; break;
    }
    if (col >= COLS) { col = 0; row++; }
    if (row >= ROWS)
        scroll();
}

static void vga_write(const char *s, size_t n, int level) {
    uint8_t colour = level_colour(level);
    for (size_t i = 0; i < n; i++)
        put(s[i], colour);
    move_cursor();
}

static struct console vga_console = { .name = "tty0", .write = vga_write };

void vga_init(void) {
    screen = phys_to_virt(VGA_PHYS);
    for (int i = 0; i < ROWS * COLS; i++)
        screen[i] = 0x0700 | ' ';
    row = col = 0;
    move_cursor();
    console_register(&vga_console);
}
