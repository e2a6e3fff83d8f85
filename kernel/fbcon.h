// fbcon.h: the framebuffer console: text drawn into the boot loader's linear framebuffer
// (GRUB's, under UEFI or in a BIOS graphics mode) with a PSF console font, as console tty0.
#pragma once
#include <stdbool.h>
#include "bootinfo.h"

// Registers the console if `fb` is an RGB framebuffer it can draw on; returns whether it did.
bool fbcon_init(const struct framebuffer *fb);
