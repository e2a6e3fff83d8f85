; font_image.asm: the console font inside the kernel image. The Makefile unpacks a PSF font
; from Debian's console-setup-linux (/usr/share/consolefonts) into build/font/; fbcon.c
; reads it from here.
section .rodata
align 16
global console_font_start, console_font_end
console_font_start:
    incbin "console-font.psf"
console_font_end:
section .note.GNU-stack noalloc noexec nowrite progbits
