// vt.c: the text grid, the cursor and the scrollback that the VGA and framebuffer consoles
// share (see vt.h).
//
// The ring holds `lines` lines; the live screen is the `rows` lines from `top` on. A new
// line at the bottom moves `top` down one line, so the line that leaves the screen stays in
// the ring as history until the ring comes round to it again. Looking back `back` lines
// shows the `rows` lines from top - back on. The driver only ever draws cells and moves the
// screen up a row: the ring is the truth, the screen a picture of it.
//
// Invariant: 0 <= back <= history <= lines - rows; 0 <= row < rows; 0 <= col < cols.
#include "vt.h"

static int ring_line(const struct vt *vt, int screen_row, int back) {
    int l = (vt->top - back + screen_row) % vt->lines;
    return l < 0 ? l + vt->lines : l;
}

static uint16_t *live_cell(struct vt *vt, int row, int col) {
    return &vt->cells[ring_line(vt, row, 0) * vt->cols + col];
}

uint16_t vt_cell(const struct vt *vt, int row, int col) {
    return vt->cells[ring_line(vt, row, vt->back) * vt->cols + col];
}

static void redraw(struct vt *vt) {
    for (int r = 0; r < vt->rows; r++)
        for (int c = 0; c < vt->cols; c++)
            vt->draw(vt, r, c, vt_cell(vt, r, c));
}

// The cursor shows on the live screen only (as Linux hides it while scrolled back).
static void cursor_on(struct vt *vt) {
    if (vt->back == 0)
        vt->show_cursor(vt, vt->row, vt->col);
    else
        vt->show_cursor(vt, -1, -1);
}

// Drawing the cell again wipes a drawn cursor (the framebuffer's); the VGA cursor is
// hardware and not in the cell at all.
static void cursor_off(struct vt *vt) {
    if (vt->back == 0)
        vt->draw(vt, vt->row, vt->col, *live_cell(vt, vt->row, vt->col));
}

static void clear_line(struct vt *vt, int ring) {
    for (int c = 0; c < vt->cols; c++)
        vt->cells[ring * vt->cols + c] = VT_BLANK;
}

// A new line at the bottom: the top line becomes history.
static void new_line(struct vt *vt) {
    vt->top = (vt->top + 1) % vt->lines;
    if (vt->history < vt->lines - vt->rows)
        vt->history++;
    clear_line(vt, ring_line(vt, vt->rows - 1, 0));
    vt->scroll_up(vt);
    for (int c = 0; c < vt->cols; c++)
        vt->draw(vt, vt->rows - 1, c, VT_BLANK);
    vt->row = vt->rows - 1;
}

static void set_cell(struct vt *vt, int row, int col, uint16_t cell) {
    *live_cell(vt, row, col) = cell;
    vt->draw(vt, row, col, cell);
}

// A character in the last column leaves the cursor there, and the line wraps only when the
// next character comes (Linux's need_wrap): a line exactly as wide as the screen followed
// by a newline takes one line, not two.
static void put(struct vt *vt, char ch, uint8_t colour) {
    if (ch != '\b' && ch != '\t' && ch != '\r' && ch != '\n' && vt->wrap_next) {
        vt->col = 0;
        if (++vt->row >= vt->rows)
            new_line(vt);
    }
    vt->wrap_next = false;
    switch (ch) {
    case '\n': vt->col = 0; if (++vt->row >= vt->rows) new_line(vt); break;
    case '\r': vt->col = 0; break;
    case '\b': if (vt->col > 0) set_cell(vt, vt->row, --vt->col, VT_BLANK); break;
    case '\t': vt->col = (vt->col + 8) & ~7; if (vt->col >= vt->cols) vt->col = vt->cols - 1; break;
    default:
        set_cell(vt, vt->row, vt->col, (uint16_t)colour << 8 | (uint8_t)ch);
        if (vt->col == vt->cols - 1)
            vt->wrap_next = true;
        else
            vt->col++;
        break;
    }
}

void vt_init(struct vt *vt) {
    uint64_t flags = spin_lock_irqsave(&vt->lock);
    for (int l = 0; l < vt->lines; l++)
        clear_line(vt, l);
    vt->top = vt->history = vt->back = vt->row = vt->col = 0;
    vt->wrap_next = false;
    redraw(vt);
    cursor_on(vt);
    spin_unlock_irqrestore(&vt->lock, flags);
}

// Output always shows on the live screen: a view scrolled back comes down first.
void vt_write(struct vt *vt, const char *s, size_t n, uint8_t colour) {
    uint64_t flags = spin_lock_irqsave(&vt->lock);
    if (vt->back) {
        vt->back = 0;
        redraw(vt);
    }
    cursor_off(vt);
    for (size_t i = 0; i < n; i++)
        put(vt, s[i], colour);
    cursor_on(vt);
    spin_unlock_irqrestore(&vt->lock, flags);
}

void vt_scroll(struct vt *vt, int lines) {
    uint64_t flags = spin_lock_irqsave(&vt->lock);
    int back = lines == VT_SCROLL_BOTTOM ? 0 : vt->back + lines;
    if (back > vt->history)
        back = vt->history;
    if (back < 0)
        back = 0;
    if (back != vt->back) {
        vt->back = back;
        redraw(vt);
        cursor_on(vt);
    }
    spin_unlock_irqrestore(&vt->lock, flags);
}

void vt_redraw(struct vt *vt) {
    uint64_t flags = spin_lock_irqsave(&vt->lock);
    redraw(vt);
    cursor_on(vt);
    spin_unlock_irqrestore(&vt->lock, flags);
}

// Colour by log level, like dmesg --color: errors red, warnings yellow, debug dim.
uint8_t vt_level_colour(int level) {
    if (level <= 3) return 0x0c;   // emerg..err: light red
    if (level == 4) return 0x0e;   // warning: yellow
    if (level == 5) return 0x0f;   // notice: bright white
    if (level == 7) return 0x08;   // debug: dark grey
    return 0x07;                   // info and plain text: light grey
}
