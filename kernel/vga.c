// vga.c: the VGA text-mode screen, a struct vt (vt.c) drawn into the text buffer at
// physical 0xb8000. Each cell there is two bytes, the character and its colour
// (background << 4 | foreground), exactly a vt cell. Only present when the firmware is a
// BIOS and left the screen in text mode; a framebuffer is fbcon.c's.
#include <stddef.h>
#include <stdint.h>
#include "console.h"
#include "memlayout.h"
#include "vga.h"
#include "vt.h"
#include "x86.h"

#define COLS 80
#define ROWS 25
#define HISTORY_LINES 200        // about Linux's old 32 KiB vgacon scrollback: 8 screens
#define VGA_PHYS 0xb8000
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5

static volatile uint16_t *screen;
static uint16_t ring[(ROWS + HISTORY_LINES) * COLS];

static void draw(struct vt *vt, int row, int col, uint16_t cell) {
    (void)vt;
    screen[row * COLS + col] = cell;
}

static void scroll_up(struct vt *vt) {
    (void)vt;
    for (int i = 0; i < (ROWS - 1) * COLS; i++)
        screen[i] = screen[i + COLS];
}

// The hardware cursor; a position past the last cell hides it.
static void show_cursor(struct vt *vt, int row, int col) {
    (void)vt;
    uint16_t pos = row < 0 ? ROWS * COLS : row * COLS + col;
    outb(CRTC_INDEX, 0x0f); outb(CRTC_DATA, pos & 0xff);
    outb(CRTC_INDEX, 0x0e); outb(CRTC_DATA, pos >> 8);
}

static struct vt vt = {
    .cols = COLS, .rows = ROWS, .lines = ROWS + HISTORY_LINES, .cells = ring,
    .draw = draw, .scroll_up = scroll_up, .show_cursor = show_cursor,
    .lock = SPINLOCK_INIT("vga"),
};

static void vga_write(const char *s, size_t n, int level) { vt_write(&vt, s, n, vt_level_colour(level)); }

static void vga_scroll(int dir) { vt_scroll(&vt, dir * (ROWS / 2)); }

static struct console vga_console = { .name = "tty0", .write = vga_write, .scroll = vga_scroll };

void vga_init(void) {
    screen = phys_to_virt(VGA_PHYS);
    vt_init(&vt);
    console_register(&vga_console);
}
