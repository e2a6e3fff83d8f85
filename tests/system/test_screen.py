"""What the screen shows, not the serial line: the VGA text console and the framebuffer
console (kernel/vga.c, kernel/fbcon.c, both kernel/vt.c), captured with the QEMU monitor's
`screendump` and read back glyph by glyph.

The framebuffer console draws with the PSF font the build embeds (build/font/). QEMU draws
VGA text mode with the font the VGA BIOS put in the card: SeaBIOS's IBM VGA 8x16 glyphs,
read here from its ROM. A test renders the text it expects with the screen's font and
compares it, pixel row by pixel row, with the captured screen. To say *where* a line is (and to print the screen when a test fails), the
screen is also read back into text, each cell looked up among the font's glyphs."""
import os
import re
import time

FONT = "font/console-font.psf"
VGA_BIOS = "/usr/share/seabios/vgabios-stdvga.bin"   # what QEMU loads for its standard VGA
BLACK = (0, 0, 0)


# ---------------------------------------------------------------- the font (PSF 1)
class Font:
    def __init__(self, path):
        data = open(path, "rb").read()
        assert data[:2] == b"\x36\x04", "not a PSF 1 font"
        mode, self.height = data[2], data[3]
        count = 512 if mode & 1 else 256
        self.glyphs = [data[4 + g * self.height: 4 + (g + 1) * self.height] for g in range(count)]
        self.glyph_of = {}
        if mode & 2:   # the Unicode table: per glyph, 16-bit code points up to 0xffff
            p, g = 4 + count * self.height, 0
            seq = False
            while p + 2 <= len(data) and g < count:
                u = data[p] | data[p + 1] << 8
                p += 2
                if u == 0xffff:
                    g, seq = g + 1, False
                elif u == 0xfffe:
                    seq = True
                elif not seq:
                    self.glyph_of.setdefault(u, g)
        else:
            self.glyph_of = {c: c for c in range(count)}
        # For reading a screen back: each glyph's bitmap -> the first ASCII character drawn so.
        self.char_of = {}
        for c in range(0x20, 0x7f):
            self.char_of.setdefault(self.bitmap(chr(c)), chr(c))

    @classmethod
    def from_vga_bios(cls, path=VGA_BIOS):
        """The 8x16 font inside a VGA BIOS ROM: 256 glyphs in code page 437 order, found by
        its digit zero (the VGA one, with a dot in the middle)."""
        rom = open(path, "rb").read()
        zero = bytes([0, 0, 0x3c, 0x66, 0xc3, 0xc3, 0xdb, 0xdb, 0xc3, 0xc3, 0x66, 0x3c, 0, 0, 0, 0])
        at = rom.find(zero)
        assert at >= 0x30 * 16 and rom.count(zero) == 1, f"no 8x16 font found in {path}"
        start = at - 0x30 * 16
        font = cls.__new__(cls)
        font.height = 16
        font.glyphs = [rom[start + g * 16: start + (g + 1) * 16] for g in range(256)]
        font.glyph_of = {c: c for c in range(256)}
        font.char_of = {}
        for c in range(0x20, 0x7f):
            font.char_of.setdefault(font.bitmap(chr(c)), chr(c))
        return font

    def bitmap(self, ch):
        return self.glyphs[self.glyph_of.get(ord(ch), self.glyph_of[ord("?")])]

    def render_row(self, text, y):
        """Pixel row y of `text` (0 <= y < height): one bool per pixel, 8 per character."""
        return [bool(self.bitmap(ch)[y] & (0x80 >> x)) for ch in text for x in range(8)]


# ---------------------------------------------------------------- a captured screen
class Screen:
    def __init__(self, path, font):
        data = open(path, "rb").read()
        m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
        assert m, "screendump is not a PPM"
        self.width, self.height = int(m.group(1)), int(m.group(2))
        self.rgb = data[m.end():]
        self.font = font
        # VGA text mode is drawn 9 pixels a character (720 x 400 for 80 x 25); the ninth
        # column is blank for letters. A framebuffer console's cells are 8 wide.
        self.cell_w = 9 if (self.width, self.height) == (720, 400) else 8
        self.cols, self.rows = self.width // self.cell_w, self.height // font.height

    def pixel(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.rgb[i:i + 3])

    def lit(self, x, y):
        return self.pixel(x, y) != BLACK

    def cell(self, row, col):
        x0, y0 = col * self.cell_w, row * self.font.height
        return bytes(sum(0x80 >> x for x in range(8) if self.lit(x0 + x, y0 + y))
                     for y in range(self.font.height))

    def text(self):
        """The screen as lines of text; a cell that is no glyph (the cursor) reads as '\\x7f'."""
        return [''.join(self.font.char_of.get(self.cell(r, c), "\x7f") for c in range(self.cols)).rstrip()
                for r in range(self.rows)]

    def shows(self, row, col, text):
        """Does `text`, rendered with the font, match the screen's pixels at (row, col)?"""
        for y in range(self.font.height):
            want = self.font.render_row(text, y)
            py = row * self.font.height + y
            got = [self.lit(col * self.cell_w + i // 8 * self.cell_w + i % 8, py) for i in range(len(want))]
            if got != want:
                return False
        return True

    def colour_of(self, row, col):
        """The foreground colour of a cell (its most common lit pixel)."""
        x0, y0 = col * self.cell_w, row * self.font.height
        lit = [self.pixel(x0 + x, y0 + y) for y in range(self.font.height) for x in range(8)
               if self.lit(x0 + x, y0 + y)]
        return max(set(lit), key=lit.count)


def screendump(m, name):
    """Captures the screen through the QEMU monitor into the build's test-logs directory."""
    out = os.path.join(os.path.abspath(m.build), "test-logs")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name + ".ppm")
    if os.path.exists(path):
        os.unlink(path)
    m.monitor(f"screendump {path}")
    for _ in range(100):   # QEMU writes it when the command runs: wait for all the bytes
        if os.path.exists(path):
            data = open(path, "rb").read()
            h = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
            if h and len(data) >= h.end() + int(h.group(1)) * int(h.group(2)) * 3:
                text_mode = (int(h.group(1)), int(h.group(2))) == (720, 400)
                return Screen(path, Font.from_vga_bios() if text_mode else Font(os.path.join(m.build, FONT)))
        time.sleep(0.1)
    raise AssertionError("no screendump from QEMU")


def find(screen, pattern):
    """(row, col, matched text) of the first screen line matching regex `pattern`, and
    checked against the rendered glyphs; None when no line matches."""
    for r, line in enumerate(screen.text()):
        mt = re.search(pattern, line)
        if mt:
            assert screen.shows(r, mt.start(), mt.group(0)), f"row {r} reads {line!r} but is not drawn so"
            return r, mt.start(), mt.group(0)
    return None


def dump(screen):
    return "\n".join(f"{r:2} |{line}" for r, line in enumerate(screen.text()))


def last_line(screen):
    lines = screen.text()
    return max(r for r, line in enumerate(lines) if line) if any(lines) else -1


def wait_prompt(m):
    m.wait_for(r"rc: system ready", timeout=150)
    m.wait_for(r"^# ", timeout=30)
    time.sleep(0.5)   # the serial line and the screen get the same bytes; let both settle


def assert_live_prompt(s):
    """The live screen: the shell's prompt on the last line, with the cursor after it (the
    VGA's hardware cursor blinks, so a text-mode capture may catch it off)."""
    r = last_line(s)
    ok = ["# \x7f", "#"] if s.cell_w == 9 else ["# \x7f"]
    assert s.text()[r] in ok, "no prompt with a cursor on the last line:\n" + dump(s)
    assert s.shows(r, 0, "#"), dump(s)
    assert find(s, r"^rc: system ready$"), dump(s)


def without_cursor(lines):
    return [line.replace("\x7f", "").rstrip() for line in lines]


def check_scrollback(m, name):
    """Shift+PageUp moves the view half a screen back (Linux's scrollback step) and hides
    the cursor; Shift+PageDown brings the live screen back as it was."""
    live = screendump(m, name + "-live")
    m.sendkeys(["shift-pgup"])
    back = screendump(m, name + "-back")
    half, was = live.rows // 2, without_cursor(live.text())
    moved = [k for k in range(1, half + 1) if back.text()[k:] == was[:live.rows - k]]
    # Half a screen, or less when the history runs out first (at the banner).
    assert half in moved or (moved and re.search(r"Lantern version", back.text()[0])), \
        f"not half a screen back:\n{dump(live)}\n---\n{dump(back)}"
    assert "\x7f" not in "".join(back.text()), "the cursor shows while scrolled back"
    m.sendkeys(["shift-pgdn"])
    again = screendump(m, name + "-forward")
    same = (lambda t: t) if live.cell_w == 8 else without_cursor   # see assert_live_prompt
    assert same(again.text()) == same(live.text()), f"Shift+PageDown did not return:\n{dump(again)}"
    return live


def scroll_back_to_banner(m, name, presses=12):
    """Shift+PageUp until the banner shows; returns that screen."""
    for n in range(1, presses + 1):
        m.sendkeys(["shift-pgup"])
        s = screendump(m, f"{name}-back{n}")
        if find(s, r"Lantern version \S+"):
            return s
    raise AssertionError(f"no banner after {presses} Shift+PageUp:\n" + dump(s))


def check_banner_colours(s):
    """Colours by log level, as dmesg --color: the banner (KERN_NOTICE) bright white,
    KERN_INFO light grey. (In text mode the VGA's palette has 6 bits a channel, which
    QEMU widens by repeating the lowest bit.)"""
    def vga(v):
        if s.cell_w == 9:
            v = (v >> 2) << 2 | (v >> 2 & 1) * 3
        return (v, v, v)
    row, col, _ = find(s, r"Lantern version \S+")
    assert s.colour_of(row, col) == vga(0xff), f"the banner is {s.colour_of(row, col)}, not bright white"
    row, col, _ = find(s, r"Command line:")
    assert s.colour_of(row, col) == vga(0xaa), f"KERN_INFO is {s.colour_of(row, col)}, not light grey"


def check_typing_returns(m, name):
    """Scrolled back, typing brings the live screen back, with what was typed."""
    m.sendkeys(["shift-pgup"])
    m.sendkeys(["e", "c", "h", "o", "spc", "h", "i", "ret"])
    m.wait_for(r"^hi$", timeout=30)
    time.sleep(0.5)
    s = screendump(m, name + "-typed")
    assert_live_prompt(s)
    r = last_line(s)
    assert s.text()[r - 2:r] == ["# echo hi", "hi"], dump(s)
    assert s.shows(r - 2, 0, "# echo hi") and s.shows(r - 1, 0, "hi")


# ---------------------------------------------------------------- the tests
def test_screen_uefi_framebuffer(ctx):
    """UEFI (OVMF): GRUB leaves a framebuffer; fbcon draws the boot log and the shell on it,
    with scrollback back to the banner."""
    m = ctx.machine(iso=True, uefi=True)
    wait_prompt(m)
    s = check_scrollback(m, "screen-uefi")
    assert s.cell_w == 8 and s.width >= 640, f"not a framebuffer: {s.width}x{s.height}"
    assert_live_prompt(s)
    assert find(s, r"Run /init as init process"), dump(s)
    banner = scroll_back_to_banner(m, "screen-uefi")
    assert find(banner, r"Booted by GRUB \S+ \(UEFI\)"), dump(banner)
    check_banner_colours(banner)
    check_typing_returns(m, "screen-uefi")


def test_screen_bios_vga_text(ctx):
    """BIOS, GRUB's default entry: VGA text mode, 80x25, as the kernel's VGA console leaves it."""
    m = ctx.machine(iso=True)
    wait_prompt(m)
    s = check_scrollback(m, "screen-bios")
    assert (s.width, s.height) == (720, 400), f"not VGA text mode: {s.width}x{s.height}"
    assert (s.cols, s.rows) == (80, 25)
    assert_live_prompt(s)
    banner = scroll_back_to_banner(m, "screen-bios")
    assert find(banner, r"Booted by GRUB [\d.]\S*$"), dump(banner)
    check_banner_colours(banner)
    check_typing_returns(m, "screen-bios")


def test_screen_bios_graphics_mode(ctx):
    """BIOS, GRUB's graphics entry (key g): a 1024x768 framebuffer, all of the log on one screen."""
    m = ctx.machine(iso=True)
    m.wait_for(r"BIOS graphics mode", timeout=120)
    m.type("g")
    wait_prompt(m)
    s = screendump(m, "screen-bios-gfx")
    assert (s.width, s.height) == (1024, 768) and s.cell_w == 8, f"{s.width}x{s.height}"
    assert_live_prompt(s)
    assert find(s, r"^\[ *0\.0+\] Lantern version \S+"), dump(s)
    check_banner_colours(s)
    # 128 columns: the Memory: line fits on one, and a line exactly that wide does not
    # leave an empty line behind it (the wrap waits for the next character, as Linux).
    r, _, _ = find(s, r"Memory: \d+K/\d+K available")
    assert s.text()[r + 1].startswith("["), dump(s)


def test_screen_quiet_hides_acpi_tables(ctx):
    """The ACPI table lines are KERN_INFO, as Linux prints them: shown at the default
    loglevel (as Linux's console shows them), gone from the screen with `quiet`. The loud
    boot has one CPU: the screen holds 25 lines, and at more CPUs the bring-up's lines
    scroll the ACPI tables off its top before the prompt (they are printed all the same)."""
    m = ctx.machine(kernel_args="", smp=1)
    wait_prompt(m)
    s = screendump(m, "screen-loud")
    assert find(s, r"ACPI: (FACP|APIC|HPET|WAET) 0x"), dump(s)
    q = ctx.machine(kernel_args="quiet")
    wait_prompt(q)
    s = screendump(q, "screen-quiet")
    assert not any("ACPI" in line for line in s.text()), dump(s)
    assert_live_prompt(s)
    assert find(s, r"^init: Lantern init starting \(pid 1\)$"), dump(s)
