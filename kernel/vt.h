// vt.h: a text screen with scrollback, whatever draws it. vga.c draws one into the VGA
// text buffer, fbcon.c into a framebuffer's pixels; both share this grid of cells, the
// cursor, the scrolling and the history that Shift+PageUp shows (as Linux's vt.c does for
// its consoles).
//
// A cell is what the VGA hardware stores: the character in the low byte, the colour
// (background << 4 | foreground, 16 VGA colours) in the high byte.
//
// Who touches a vt: console writes (printk and the tty, from process context and from the
// keyboard interrupt's echo) and the keyboard interrupt's scroll keys. Every entry point
// below runs with interrupts off (vt->lock), so each one sees a whole update.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "spinlock.h"

#define VT_BLANK 0x0720         // a space, light grey on black

struct vt {
    // Set by the driver before vt_init; not changed afterwards.
    int cols, rows;             // the visible grid
    int lines;                  // lines in the ring: the screen plus its history (> rows)
    uint16_t *cells;            // lines * cols cells, a ring of lines
    void (*draw)(struct vt *vt, int row, int col, uint16_t cell);   // one cell on the screen
    void (*scroll_up)(struct vt *vt);        // move the whole screen up one row
    void (*show_cursor)(struct vt *vt, int row, int col);   // row < 0: no cursor
    void *priv;                 // the driver's own

    // Under lock.
    struct spinlock lock;
    int top;                    // the ring line at the top of the live screen
    int history;                // lines above `top` that hold old text (<= lines - rows)
    int back;                   // how far the view is scrolled back (0: the live screen)
    int row, col;               // the cursor, on the live screen
    bool wrap_next;             // col is the last column, written: wrap before the next character
};

void vt_init(struct vt *vt);                         // clears the screen, cursor home
void vt_write(struct vt *vt, const char *s, size_t n, uint8_t colour);
// Scrollback: by `lines` (> 0 back into the history, < 0 forward), as far as there is
// history; VT_SCROLL_BOTTOM returns to the live screen.
#define VT_SCROLL_BOTTOM 0
void vt_scroll(struct vt *vt, int lines);
void vt_redraw(struct vt *vt);                       // every cell again, from the ring
uint16_t vt_cell(const struct vt *vt, int row, int col);   // as the screen shows it now
uint8_t vt_level_colour(int level);                  // a console write's level -> a colour
