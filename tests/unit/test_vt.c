// test_vt.c: the text grid with scrollback (kernel/vt.c) on a fake 10x4 screen with six
// lines of history. The fake keeps the picture the driver would show; every test checks it
// against what the vt says is on the screen, and against the text expected.
#include <stdint.h>
#include "check.h"
#include "vt.h"

#define COLS 10
#define ROWS 4
#define LINES (ROWS + 6)

static uint16_t picture[ROWS][COLS];
static uint16_t ring[LINES * COLS];
static int cursor_row, cursor_col;

static void draw(struct vt *vt, int row, int col, uint16_t cell) {
    (void)vt;
    CHECK(row >= 0 && row < ROWS && col >= 0 && col < COLS);
    picture[row][col] = cell;
}

static void scroll_up(struct vt *vt) {
    (void)vt;
    memmove(picture[0], picture[1], sizeof picture[0] * (ROWS - 1));
}

static void show_cursor(struct vt *vt, int row, int col) {
    (void)vt;
    cursor_row = row, cursor_col = col;
}

static struct vt vt = {
    .cols = COLS, .rows = ROWS, .lines = LINES, .cells = ring,
    .draw = draw, .scroll_up = scroll_up, .show_cursor = show_cursor,
};

static void setup(void) {
    memset(picture, 0xff, sizeof picture);   // vt_init must draw every cell
    vt_init(&vt);
}

static void put(const char *s) { vt_write(&vt, s, strlen(s), 0x07); }

// Screen row `row` as text, trailing blanks dropped; checks picture == vt_cell on the way.
static const char *row_text(int row) {
    static char buf[COLS + 1];
    int end = 0;
    for (int c = 0; c < COLS; c++) {
        CHECK_EQ_INT(picture[row][c], vt_cell(&vt, row, c));
        buf[c] = (char)(picture[row][c] & 0xff);
        if (buf[c] != ' ')
            end = c + 1;
    }
    buf[end] = '\0';
    return buf;
}

TEST(writes_lines_and_moves_the_cursor) {
    setup();
    CHECK_EQ_STR(row_text(0), "");
    CHECK(cursor_row == 0 && cursor_col == 0);
    put("ab\ncd");
    CHECK_EQ_STR(row_text(0), "ab");
    CHECK_EQ_STR(row_text(1), "cd");
    CHECK(cursor_row == 1 && cursor_col == 2);
    CHECK_EQ_INT(picture[1][0] >> 8, 0x07);
    put("\b\tx\ry");
    CHECK_EQ_STR(row_text(1), "y       x");
}

TEST(full_width_line_then_newline_takes_one_line) {
    setup();
    put("0123456789\nnext");
    CHECK_EQ_STR(row_text(0), "0123456789");
    CHECK_EQ_STR(row_text(1), "next");
    put("\n0123456789ab");          // an overlong line wraps when the 11th character comes
    CHECK_EQ_STR(row_text(2), "0123456789");
    CHECK_EQ_STR(row_text(3), "ab");
}

static void twenty_lines(void) {
    char line[8];
    for (int i = 0; i < 20; i++) {
        snprintf(line, sizeof line, i ? "\nL%d" : "L%d", i);
        put(line);
    }
}

TEST(scrolls_and_keeps_history) {
    setup();
    twenty_lines();
    CHECK_EQ_STR(row_text(0), "L16");
    CHECK_EQ_STR(row_text(3), "L19");
    CHECK(cursor_row == 3 && cursor_col == 3);
    vt_scroll(&vt, 2);                 // two lines back
    CHECK_EQ_STR(row_text(0), "L14");
    CHECK_EQ_STR(row_text(3), "L17");
    CHECK(cursor_row < 0);             // no cursor while scrolled back
    vt_scroll(&vt, 100);               // as far as the history goes: six lines
    CHECK_EQ_STR(row_text(0), "L10");
    vt_scroll(&vt, -1);
    CHECK_EQ_STR(row_text(0), "L11");
    vt_scroll(&vt, -100);              // forward stops at the live screen
    CHECK_EQ_STR(row_text(0), "L16");
    CHECK(cursor_row == 3 && cursor_col == 3);
}

TEST(output_returns_to_the_live_screen) {
    setup();
    twenty_lines();
    vt_scroll(&vt, 3);
    put("!");
    CHECK_EQ_STR(row_text(0), "L16");
    CHECK_EQ_STR(row_text(3), "L19!");
    vt_scroll(&vt, 3);
    vt_scroll(&vt, VT_SCROLL_BOTTOM);
    CHECK_EQ_STR(row_text(3), "L19!");
}

TEST(history_starts_empty) {
    setup();
    put("a\nb\nc\nd\ne");              // one line of history
    vt_scroll(&vt, 5);
    CHECK_EQ_STR(row_text(0), "a");
    CHECK_EQ_STR(row_text(3), "d");
}

CHECK_MAIN()
