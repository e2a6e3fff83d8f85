// fbcon.c: the framebuffer console. Under UEFI there is no VGA text mode: the firmware (and
// GRUB, through the multiboot2 framebuffer tag) leaves a linear framebuffer, an array of
// pixels, `pitch` bytes a row. We draw text into it with a PSF console font that the build
// embeds (font_image.asm), cell by cell, on the same struct vt as the VGA console, so both
// screens behave alike: colours by log level, a cursor, Shift+PageUp scrollback.
//
// The framebuffer is device memory. Before vm_init it is reached through boot.asm's direct
// map of the first 4 GiB; vm_init maps it in the direct map too, uncached, so phys_to_virt()
// stays valid across the switch of page tables. A framebuffer above 4 GiB shows nothing
// until then: fbcon keeps the text in its ring and draws it all at its first chance.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "console.h"
#include "fbcon.h"
#include "memlayout.h"
#include "vm.h"
#include "vt.h"

// ---------------------------------------------------------------- the font
// PSF version 1 (what Debian's Lat15-*.psf.gz are): a 4-byte header, 256 or 512 glyphs of
// `height` bytes each (8 pixels wide, one byte a row, the leftmost pixel in bit 7), then,
// if the mode says so, a Unicode table: for each glyph, the code points it shows (16-bit),
// ended by 0xffff, with 0xfffe starting combining sequences we do not use.
#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE512    0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_SEPARATOR  0xffff
#define PSF1_STARTSEQ   0xfffe
#define FONT_WIDTH 8

extern const uint8_t console_font_start[], console_font_end[];

static const uint8_t *glyphs;
static int font_height, nr_glyphs;
static uint16_t glyph_of[256];   // byte -> glyph, for Latin-1 (ASCII is what the log has)

static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }

// The Unicode table, to find each character's glyph: Lat15 fonts do not keep ASCII order.
static void read_unicode_table(const uint8_t *p, const uint8_t *end) {
    for (int g = 0; g < nr_glyphs && p + 2 <= end; g++) {
        bool in_sequence = false;
        for (; p + 2 <= end; p += 2) {
            uint16_t u = get16(p);
            if (u == PSF1_SEPARATOR) { p += 2; break; }
            if (u == PSF1_STARTSEQ)
                in_sequence = true;
            else if (!in_sequence && u < 256 && glyph_of[u] == 0)
                glyph_of[u] = g;
        }
    }
}

static bool font_init(void) {
    const uint8_t *f = console_font_start;
    size_t size = console_font_end - console_font_start;
    if (size < 4 || f[0] != PSF1_MAGIC0 || f[1] != PSF1_MAGIC1 || f[3] == 0)
        return false;
    nr_glyphs = f[2] & PSF1_MODE512 ? 512 : 256;
    font_height = f[3];
    glyphs = f + 4;
    size_t table = 4 + (size_t)nr_glyphs * font_height;
    if (table > size)
        return false;
    for (int c = 0; c < 256; c++)
        glyph_of[c] = c;                        // no table: the glyphs are in byte order
    if (f[2] & PSF1_MODEHASTAB) {
        memset(glyph_of, 0, sizeof glyph_of);
        read_unicode_table(f + table, f + size);
        for (int c = 1; c < 256; c++)        // what the font cannot show shows as '?'
            if (glyph_of[c] == 0)
                glyph_of[c] = glyph_of['?'];
    }
    return true;
}

// ---------------------------------------------------------------- the pixels
#define MAX_COLS 256
#define MAX_ROWS 256                        // so the ring (MAX_CELLS / cols lines) holds a screen
#define MAX_CELLS (64 * 1024)               // the ring: 128 KiB, several screens at any size
#define MAX_FB_BYTES (256ull << 20)         // larger than any sane mode: the tag is bogus
#define MAX_FB_PHYS (1ull << 46)            // what the direct map can hold (64 TiB, as vm.c)

static struct framebuffer fb;
static uint8_t *pixels;                     // the framebuffer, through the direct map
static int bytes_per_pixel;
static uint32_t colour_value[16];           // the 16 VGA colours in the framebuffer's format
static bool drawing;                        // the framebuffer is mapped (see the top);
                                            // goes false -> true once, in fbcon_write
static uint16_t ring[MAX_CELLS];

// Linux's default console palette (the VGA one): black, blue, green, cyan, red, magenta,
// brown, light grey, then their bright versions.
static const uint32_t vga_rgb[16] = {
    0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
    0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

static uint32_t channel(uint32_t v8, int pos, int size) {
    return size >= 8 ? v8 << (pos + size - 8) : (v8 >> (8 - size)) << pos;
}

static void make_palette(void) {
    for (int i = 0; i < 16; i++) {
        uint32_t rgb = vga_rgb[i];
        colour_value[i] = channel(rgb >> 16 & 0xff, fb.red_pos, fb.red_size) |
                          channel(rgb >> 8 & 0xff, fb.green_pos, fb.green_size) |
                          channel(rgb & 0xff, fb.blue_pos, fb.blue_size);
    }
}

static void put_pixel(uint8_t *p, uint32_t v) {
    if (bytes_per_pixel == 4) {
        *(volatile uint32_t *)p = v;
        return;
    }
    for (int i = 0; i < bytes_per_pixel; i++)
        ((volatile uint8_t *)p)[i] = v >> (8 * i);
}

static uint8_t *cell_pixels(int row, int col) {
    return pixels + (size_t)row * font_height * fb.pitch + (size_t)col * FONT_WIDTH * bytes_per_pixel;
}

static void draw(struct vt *vt, int row, int col, uint16_t cell) {
    (void)vt;
    if (!drawing)
        return;
    const uint8_t *glyph = glyphs + (size_t)glyph_of[cell & 0xff] * font_height;
    uint32_t fg = colour_value[cell >> 8 & 0xf], bg = colour_value[cell >> 12 & 0xf];
    uint8_t *line = cell_pixels(row, col);
    for (int y = 0; y < font_height; y++, line += fb.pitch)
        for (int x = 0; x < FONT_WIDTH; x++)
            put_pixel(line + x * bytes_per_pixel, glyph[y] & (0x80 >> x) ? fg : bg);
}

// The text moves up one row of cells: font_height rows of pixels, by memmove.
static void scroll_up(struct vt *vt) {
    if (!drawing)
        return;
    size_t row_bytes = (size_t)font_height * fb.pitch;
    memmove(pixels, pixels + row_bytes, (size_t)(vt->rows - 1) * row_bytes);
}

// An underline in the last two pixel rows of the cell, as Linux's default cursor. It is
// wiped by drawing the cell again (vt.c does that before it moves).
static void show_cursor(struct vt *vt, int row, int col) {
    if (!drawing || row < 0)
        return;
    uint32_t colour = colour_value[vt_cell(vt, row, col) >> 8 & 0xf];
    uint8_t *line = cell_pixels(row, col) + (size_t)(font_height - 2) * fb.pitch;
    for (int y = 0; y < 2; y++, line += fb.pitch)
        for (int x = 0; x < FONT_WIDTH; x++)
            put_pixel(line + x * bytes_per_pixel, colour);
}

static struct vt vt = {
    .cells = ring, .draw = draw, .scroll_up = scroll_up, .show_cursor = show_cursor,
    .lock = SPINLOCK_INIT("fbcon"),
};

// Reachable now? Below 4 GiB through boot.asm's map; anywhere once vm_init has mapped it.
static bool framebuffer_mapped(void) {
    uint64_t end = fb.addr + (uint64_t)fb.pitch * fb.height;
    return end <= BOOT_DIRECT_MAP_SIZE || vm_direct_map_end() != 0;
}

static void clear_screen(void) {
    for (uint32_t y = 0; y < fb.height; y++)
        for (uint32_t x = 0; x < fb.width; x++)
            put_pixel(pixels + (size_t)y * fb.pitch + (size_t)x * bytes_per_pixel, colour_value[0]);
}

static void start_drawing(void) {
    drawing = true;
    clear_screen();
    vt_redraw(&vt);
}

static void fbcon_write(const char *s, size_t n, int level) {
    if (!drawing && framebuffer_mapped())
        start_drawing();
    vt_write(&vt, s, n, vt_level_colour(level));
}

static void fbcon_scroll(int dir) { vt_scroll(&vt, dir * (vt.rows / 2)); }

static struct console fb_console = { .name = "tty0", .write = fbcon_write, .scroll = fbcon_scroll };

static bool usable(const struct framebuffer *f) {
    if (!f->present || f->type != FB_RGB || f->addr == 0)
        return false;
    if (f->bpp != 16 && f->bpp != 24 && f->bpp != 32)
        return false;
    if (f->width < 8 * FONT_WIDTH || f->height < 64 || f->pitch < (uint64_t)f->width * (f->bpp / 8))
        return false;
    uint64_t size = (uint64_t)f->pitch * f->height;
    return size <= MAX_FB_BYTES && f->addr <= MAX_FB_PHYS - size;
}

bool fbcon_init(const struct framebuffer *f) {
    if (!usable(f) || !font_init())
        return false;
    fb = *f;
    pixels = phys_to_virt(fb.addr);
    bytes_per_pixel = fb.bpp / 8;
    make_palette();
    vt.cols = fb.width / FONT_WIDTH;
    if (vt.cols > MAX_COLS)
        vt.cols = MAX_COLS;
    vt.rows = fb.height / font_height;
    if (vt.rows > MAX_ROWS)
        vt.rows = MAX_ROWS;
    vt.lines = MAX_CELLS / vt.cols;
    vt_init(&vt);                            // before drawing: the ring starts blank
    if (framebuffer_mapped())
        start_drawing();
    console_register(&fb_console);
    return true;
}
